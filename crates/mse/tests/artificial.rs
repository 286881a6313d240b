//! Chan, Silverman & Vincent (2021), tables 2-3: the artificial three-list data
//! built to break multiple systems estimation. Vigia's existence and
//! identifiability checks must reach the published verdict for every model.

mod common;

use vigia_mse::{estimate, fit_model, Model, MseOptions, Verdict};

fn verdict(names: &[&str]) -> (Verdict, Option<String>) {
    let t = common::load("artificial_3lists.csv");
    let m = Model::from_names(names, &t).expect("model");
    let c = fit_model(&t, &m);
    (c.verdict, c.reason)
}

#[test]
fn published_verdicts() {
    // Fine: main effects; AC and/or BC without AB.
    for ok in [&[][..], &["A:C"], &["B:C"], &["A:C", "B:C"]] {
        let (v, _) = verdict(ok);
        assert_eq!(v, Verdict::Ok, "model {ok:?}");
    }
    // AB alone, or with one of AC/BC: the MLE does not exist.
    for bad in [&["A:B"][..], &["A:B", "A:C"], &["A:B", "B:C"]] {
        let (v, reason) = verdict(bad);
        assert_eq!(v, Verdict::MleDoesNotExist, "model {bad:?}");
        let reason = reason.expect("a reason");
        assert!(reason.contains("infinity"), "{reason}");
    }
    // All three: exists but not identifiable.
    let (v, reason) = verdict(&["A:B", "A:C", "B:C"]);
    assert_eq!(v, Verdict::NotIdentifiable);
    assert!(reason.expect("a reason").contains("do not determine"));
}

#[test]
fn failing_models_are_excluded_and_named() {
    let t = common::load("artificial_3lists.csv");
    let opts = MseOptions {
        include_nonoverlapping: true,
        bootstrap: 0,
        ..MseOptions::default()
    };
    let r = estimate(&t, &opts).expect("main effects are estimable");
    assert_eq!(
        r.candidates.len(),
        8,
        "all eight hierarchical two-way models"
    );
    let selected: Vec<_> = r.candidates.iter().filter(|c| c.selected).collect();
    assert_eq!(selected.len(), 1);
    assert_eq!(selected[0].verdict, Verdict::Ok);
    let excluded: Vec<_> = r
        .candidates
        .iter()
        .filter(|c| c.verdict != Verdict::Ok)
        .collect();
    assert_eq!(excluded.len(), 4);
    for c in &excluded {
        assert!(c.reason.as_deref().is_some_and(|s| !s.is_empty()), "{c:?}");
        assert!(c.estimate.is_none() && c.aic.is_none());
    }
    assert!(
        r.warnings.iter().any(|w| w.contains("excluded")
            && w.contains("does not exist")
            && w.contains("not identifiable")),
        "{:#?}",
        r.warnings
    );
}

#[test]
fn default_search_leaves_out_non_overlapping_pairs_and_warns() {
    let t = common::load("artificial_3lists.csv");
    let r = estimate(
        &t,
        &MseOptions {
            bootstrap: 200,
            ..MseOptions::default()
        },
    )
    .unwrap();
    // Only A and B overlap: candidates are main effects and A:B (which does not exist).
    assert_eq!(r.candidates.len(), 2);
    assert!(r.model.is_empty());
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("List C shares no person")),
        "{:#?}",
        r.warnings
    );
    assert!(
        r.warnings.iter().any(|w| w.contains("very few overlaps")),
        "{:#?}",
        r.warnings
    );
}
