//! Data whose lists do not overlap enough get a refusal or a warning, never a
//! silent huge number.

use vigia_mse::{estimate, CaptureTable, MseError, MseOptions};

fn table(csv: &str) -> CaptureTable {
    CaptureTable::from_csv_reader(csv.as_bytes()).unwrap()
}

#[test]
fn no_overlap_at_all_is_refused() {
    let t = table("A,B,C,count\n1,0,0,50\n0,1,0,40\n0,0,1,30\n");
    match estimate(&t, &MseOptions::default()) {
        Err(MseError::NoEstimableModel { reasons }) => {
            assert!(
                reasons
                    .iter()
                    .any(|r| r.contains("no person appears on more than one list")),
                "{reasons:?}"
            );
            assert!(
                reasons
                    .iter()
                    .any(|r| r.contains("does not exist") || r.contains("infinity")),
                "{reasons:?}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn two_lists_without_overlap_are_refused() {
    let t = table("A,B,count\n1,0,500\n0,1,400\n");
    assert!(matches!(
        estimate(&t, &MseOptions::default()),
        Err(MseError::NoEstimableModel { .. })
    ));
}

#[test]
fn a_single_overlap_gives_a_huge_number_with_warnings() {
    // Lincoln-Petersen: 500 * 400 / 1 = 200,000 hidden.
    let t = table("A,B,count\n1,0,500\n0,1,400\n1,1,1\n");
    let r = estimate(
        &t,
        &MseOptions {
            bootstrap: 300,
            ..MseOptions::default()
        },
    )
    .unwrap();
    assert!(r.estimate > 100_000.0);
    let w = r.warnings.join("\n");
    assert!(w.contains("very few overlaps"), "{w}");
    assert!(w.contains("times the number observed"), "{w}");
    assert!(w.contains("interval"), "{w}");
}

#[test]
fn an_isolated_list_is_flagged() {
    let t = table("A,B,C,count\n1,0,0,60\n0,1,0,45\n1,1,0,30\n0,0,1,200\n");
    let r = estimate(
        &t,
        &MseOptions {
            bootstrap: 0,
            ..MseOptions::default()
        },
    )
    .unwrap();
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("List C shares no person")),
        "{:#?}",
        r.warnings
    );
}

#[test]
fn two_lists_with_an_interaction_are_not_identifiable() {
    // Two lists: the interaction would use the only overlap cell; not identifiable.
    let t = table("A,B,count\n1,0,60\n0,1,40\n1,1,20\n");
    let m = vigia_mse::Model::from_names(&["A:B"], &t).unwrap();
    assert_eq!(
        vigia_mse::fit_model(&t, &m).verdict,
        vigia_mse::Verdict::NotIdentifiable
    );
    let r = estimate(
        &t,
        &MseOptions {
            bootstrap: 0,
            ..MseOptions::default()
        },
    )
    .unwrap();
    assert!(
        (r.estimate - (120.0 + 120.0)).abs() < 1e-6,
        "Lincoln-Petersen: {}",
        r.estimate
    );
}
