//! A small version of the simulation study in STATISTICS.md: on populations of
//! known size drawn under list dependence the models can represent, the 95%
//! interval must cover the true size in most of them. This test can fail: a
//! bias in the estimator or a too-narrow interval would push coverage down.

use vigia_mse::simulation::{run_study, standard_scenarios};
use vigia_mse::MseOptions;

#[test]
fn coverage_stays_high() {
    let opts = MseOptions {
        bootstrap: 200,
        profile: true,
        ..MseOptions::default()
    };
    let mut covered = 0.0;
    let mut total = 0usize;
    for s in standard_scenarios() {
        let r = run_study(&s, 20, 99, &opts);
        assert_eq!(
            r.estimated, r.populations,
            "{}: every population is estimable",
            r.scenario
        );
        assert!(
            r.mean_absolute_relative_error < 0.15,
            "{}: {r:?}",
            r.scenario
        );
        assert!(r.mean_relative_error.abs() < 0.10, "{}: {r:?}", r.scenario);
        covered += r.coverage * r.populations as f64;
        total += r.populations;
    }
    let coverage = covered / total as f64;
    // The full study (500 populations, 1,000 replicates) gives 0.986; with 40
    // populations, coverage below 0.85 would be very unlikely unless something broke.
    assert!(coverage >= 0.85, "coverage {coverage}");
}

#[test]
fn intervals_are_not_trivially_wide() {
    // Coverage alone would be met by absurdly wide intervals: an interval for N
    // must not also cover 2N.
    let s = &standard_scenarios()[0];
    let opts = MseOptions {
        bootstrap: 100,
        ..MseOptions::default()
    };
    let twice = 2.0 * s.population as f64;
    let mut covers_twice = 0;
    for i in 0..10u64 {
        let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(5);
        rng.set_stream(i);
        let t = s.draw(&mut rng).unwrap();
        let e = vigia_mse::estimate(&t, &opts).unwrap();
        if e.ci_low <= twice && twice <= e.ci_high {
            covers_twice += 1;
        }
    }
    assert!(
        covers_twice <= 1,
        "{covers_twice} of 10 intervals for N also covered 2N"
    );
}
