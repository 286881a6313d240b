//! Fits with closed-form answers: the fitting code must reproduce them.

use vigia_mse::{estimate, fit_model, CaptureTable, Model, MseOptions, Verdict};

fn table(csv: &str) -> CaptureTable {
    CaptureTable::from_csv_reader(csv.as_bytes()).unwrap()
}

#[test]
fn three_lists_all_two_way_interactions() {
    // With every two-way interaction, the model is saturated on the 7 observed
    // cells and the hidden cell is n100 n010 n001 n111 / (n110 n101 n011).
    let t =
        table("A,B,C,count\n1,0,0,60\n0,1,0,45\n0,0,1,50\n1,1,0,20\n1,0,1,22\n0,1,1,15\n1,1,1,6\n");
    let m = Model::from_names(&["A:B", "A:C", "B:C"], &t).unwrap();
    let c = fit_model(&t, &m);
    assert_eq!(c.verdict, Verdict::Ok);
    let hidden = 60.0 * 45.0 * 50.0 * 6.0 / (20.0 * 22.0 * 15.0);
    let expected = t.observed() as f64 + hidden;
    assert!(
        (c.estimate.unwrap() - expected).abs() < 1e-6 * expected,
        "{:?} vs {expected}",
        c.estimate
    );
    // Saturated: the log-likelihood equals that of the data themselves.
    let ll_sat: f64 = [60.0f64, 45.0, 50.0, 20.0, 22.0, 15.0, 6.0]
        .iter()
        .map(|&y| y * y.ln() - y - ln_fact(y))
        .sum();
    assert!((c.log_likelihood.unwrap() - ll_sat).abs() < 1e-6);
}

#[test]
fn three_lists_one_interaction_is_two_list_petersen_on_the_margin() {
    // With A:B only, C is independent of (A, B), and the hidden count is the
    // Petersen estimate between C and the union of A and B:
    // hidden = n(C only) * n(A or B, not C) / n(C and (A or B)).
    let t =
        table("A,B,C,count\n1,0,0,60\n0,1,0,45\n0,0,1,50\n1,1,0,20\n1,0,1,22\n0,1,1,15\n1,1,1,6\n");
    let m = Model::from_names(&["A:B"], &t).unwrap();
    let c = fit_model(&t, &m);
    let not_c = 60.0 + 45.0 + 20.0;
    let c_only = 50.0;
    let both = 22.0 + 15.0 + 6.0;
    let expected = t.observed() as f64 + c_only * not_c / both;
    assert!(
        (c.estimate.unwrap() - expected).abs() < 1e-6 * expected,
        "{:?} vs {expected}",
        c.estimate
    );
}

#[test]
fn lincoln_petersen_profile_interval() {
    let t = table("A,B,count\n1,0,60\n0,1,40\n1,1,20\n");
    let r = estimate(
        &t,
        &MseOptions {
            bootstrap: 0,
            ..MseOptions::default()
        },
    )
    .unwrap();
    assert!((r.estimate - 240.0).abs() < 1e-6);
    assert_eq!(r.interval_method, "profile_likelihood");
    assert!(r.ci_low < 240.0 && r.ci_high > 240.0);
    // Likelihood-ratio interval for the hidden cell of a 2x2 table: asymmetric, longer upwards.
    assert!(r.ci_high - 240.0 > 240.0 - r.ci_low);
    assert!(
        r.ci_low > 150.0 && r.ci_high < 400.0,
        "[{}, {}]",
        r.ci_low,
        r.ci_high
    );
}

fn ln_fact(y: f64) -> f64 {
    (2..=y as u64).map(|i| (i as f64).ln()).sum()
}
