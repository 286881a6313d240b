//! Vigia's estimates beside the published figures for every data set in
//! shared/data/mse (see STATISTICS.md for the table and the explanation of each
//! difference). Defaults throughout unless stated: BIC, automatic search,
//! 1,000-replicate BCa bootstrap, seed 1.

mod common;

use vigia_mse::{estimate, Criterion, MseOptions, MseResult, SearchStrategy};

fn run(file: &str, opts: MseOptions) -> MseResult {
    estimate(&common::load(file), &opts).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn default_run(file: &str) -> MseResult {
    run(file, MseOptions::default())
}

fn close(ours: f64, published: f64, rel: f64) -> bool {
    ((ours - published) / published).abs() <= rel
}

/// Point estimate within 0.5% (published figures are rounded) and each end of
/// the interval within `tol` (relative) of the published one.
fn check(r: &MseResult, est: f64, lo: f64, hi: f64, tol: f64) {
    assert!(
        close(r.estimate, est, 0.005),
        "estimate {} vs published {est}",
        r.estimate
    );
    assert!(
        close(r.ci_low, lo, tol),
        "lower {} vs published {lo}",
        r.ci_low
    );
    assert!(
        close(r.ci_high, hi, tol),
        "upper {} vs published {hi}",
        r.ci_high
    );
    assert!(r.ci_low <= r.estimate && r.estimate <= r.ci_high);
}

#[test]
fn uk_six_lists_downhill_bic() {
    // Silverman, Chan & Vincent (2024), table 6: downhill BIC 12,350 [9,622, 27,889].
    let r = default_run("uk_2013_6lists.csv");
    assert_eq!(r.search, SearchStrategy::Stepwise);
    check(&r, 12_350.0, 9_622.0, 27_889.0, 0.30);
    // The percentile interval is the closer match to SCV's.
    let p = r.bootstrap.as_ref().unwrap().percentile;
    assert!(
        close(p.low, 9_622.0, 0.10) && close(p.high, 27_889.0, 0.10),
        "{p:?}"
    );
}

#[test]
fn uk_five_lists_downhill_bic_and_home_office_aic() {
    // SCV 2024: downhill 12,262 [9,330, 32,115].
    let r = default_run("uk_2013_5lists.csv");
    check(&r, 12_262.0, 9_330.0, 32_115.0, 0.40);
    // Home Office 2014 (Silverman): stepwise AIC, "10,000 to 13,000" (11,313).
    let r = run(
        "uk_2013_5lists.csv",
        MseOptions {
            criterion: Criterion::Aic,
            bootstrap: 0,
            ..MseOptions::default()
        },
    );
    assert!(close(r.estimate, 11_313.0, 0.005), "{}", r.estimate);
    let p = r.profile_interval.unwrap();
    assert!(
        close(p.low, 10_000.0, 0.05) && close(p.high, 13_000.0, 0.05),
        "{p:?}"
    );
}

#[test]
fn uk_five_lists_bic_over_all_models() {
    // SCV 2024: BIC over all (hierarchical) models 25,311 [11,168, 56,052]: with
    // three-way terms Vigia's exhaustive search finds the same model and figure.
    let r = run(
        "uk_2013_5lists.csv",
        MseOptions {
            search: SearchStrategy::Exhaustive,
            max_order: 3,
            bootstrap: 0,
            ..MseOptions::default()
        },
    );
    assert!(close(r.estimate, 25_311.0, 0.005), "{}", r.estimate);
    // Two-way models only: 22,991, a different model from the downhill one, and
    // the best models disagree; Vigia must say so.
    let r = run(
        "uk_2013_5lists.csv",
        MseOptions {
            search: SearchStrategy::Exhaustive,
            bootstrap: 0,
            ..MseOptions::default()
        },
    );
    assert!(close(r.estimate, 22_991.0, 0.005), "{}", r.estimate);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("very sensitive to the model")),
        "{:#?}",
        r.warnings
    );
}

#[test]
fn new_orleans() {
    // Chan, Silverman & Vincent (2021): stepwise p 0.02 + BCa.
    check(
        &default_run("new_orleans_8lists.csv"),
        1_184.0,
        717.0,
        1_657.0,
        0.25,
    );
    check(
        &default_run("new_orleans_5lists.csv"),
        1_034.0,
        589.0,
        1_703.0,
        0.25,
    );
    // The later version differing in one cell (SCV 2024): 1,110 and 981.
    assert!(close(
        run(
            "new_orleans_8lists_n186.csv",
            MseOptions {
                bootstrap: 0,
                ..MseOptions::default()
            }
        )
        .estimate,
        1_110.0,
        0.005
    ));
    assert!(close(
        run(
            "new_orleans_5lists_n186.csv",
            MseOptions {
                bootstrap: 0,
                ..MseOptions::default()
            }
        )
        .estimate,
        981.0,
        0.005
    ));
}

#[test]
fn western_us() {
    // CSV 2021: 2,483 (1,293, 3,670).
    check(
        &default_run("western_us_5lists.csv"),
        2_483.0,
        1_293.0,
        3_670.0,
        0.25,
    );
}

#[test]
fn korea() {
    // SCV 2024: 157 [128, 349].
    check(&default_run("korea_3lists.csv"), 157.0, 128.0, 349.0, 0.20);
}

#[test]
fn kosovo() {
    // SCV 2024: BIC 10,357 [6,947, 18,010]; a later near-census gives 10,401.
    // The BIC-best model has a three-way interaction: with `max_order: 3` Vigia
    // finds the same model and figure, and its interval covers the near-census.
    let r = run(
        "kosovo_4lists.csv",
        MseOptions {
            max_order: 3,
            ..MseOptions::default()
        },
    );
    check(&r, 10_357.0, 6_947.0, 18_010.0, 0.10);
    assert!(r.model.iter().any(|m| m == "EXH:ABA:OSCE"), "{:?}", r.model);
    assert!(r.ci_low <= 10_401.0 && 10_401.0 <= r.ci_high);
    let t = common::load("kosovo_4lists.csv");
    for c in &r.candidates {
        let names: Vec<&str> = c.model.iter().map(String::as_str).collect();
        let m = vigia_mse::Model::from_names(&names, &t).unwrap();
        assert!(m.is_hierarchical(4), "{:?}", c.model);
    }
    // Two-way models only (the default) cannot represent it: 14,342, whose
    // interval misses the near-census (documented in STATISTICS.md).
    let r2 = run(
        "kosovo_4lists.csv",
        MseOptions {
            bootstrap: 0,
            ..MseOptions::default()
        },
    );
    assert!(close(r2.estimate, 14_342.0, 0.005), "{}", r2.estimate);
    // ... and says so.
    assert!(
        r2.warnings
            .iter()
            .any(|w| w.contains("three-way interaction fits much better")),
        "{:#?}",
        r2.warnings
    );
}

#[test]
fn australia() {
    // Australian Institute of Criminology (2019): 1,300-1,900. BIC picks a model
    // with A:B, B:C and B:D giving about 6,500; the published range is that of
    // the models with B:C (and A:B) but not B:D. Vigia must at least warn.
    let r = default_run("australia_4lists.csv");
    assert!(close(r.estimate, 6_496.0, 0.005), "{}", r.estimate);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("times the number observed")),
        "{:#?}",
        r.warnings
    );
    let bc = r.candidates.iter().find(|c| c.model == ["B:C"]).unwrap();
    let abc = r
        .candidates
        .iter()
        .find(|c| c.model == ["A:B", "B:C"])
        .unwrap();
    assert!(bc.estimate.unwrap() > 1_300.0 && abc.estimate.unwrap() < 1_950.0);
}

#[test]
fn netherlands_pooled() {
    // Only per-year figures are published (about 6,250 a year); the pooled
    // 2010-2015 table is not comparable. Check the figure is flagged.
    let r = run(
        "netherlands_6lists.csv",
        MseOptions {
            bootstrap: 200,
            ..MseOptions::default()
        },
    );
    assert!(r.estimate > r.observed as f64);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("times the number observed")),
        "{:#?}",
        r.warnings
    );
}

#[test]
fn every_data_set_is_reproducible_and_serialises() {
    for f in std::fs::read_dir(common::data_dir()).unwrap() {
        let path = f.unwrap().path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let t = vigia_mse::CaptureTable::from_csv_path(&path).unwrap();
        let opts = MseOptions {
            bootstrap: 50,
            seed: 7,
            ..MseOptions::default()
        };
        let a = estimate(&t, &opts).unwrap();
        let b = estimate(&t, &opts).unwrap();
        assert_eq!(a, b, "{}: same seed, same result", path.display());
        assert!(a.estimate >= a.observed as f64);
        let json = serde_json::to_string(&a).unwrap();
        let back: MseResult = serde_json::from_str(&json).unwrap();
        assert_eq!(back.model, a.model);
        assert!((back.estimate - a.estimate).abs() <= 1e-9 * a.estimate);
    }
}
