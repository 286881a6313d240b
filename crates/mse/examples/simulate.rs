//! Simulation study for STATISTICS.md: populations of known size drawn under
//! list dependence that the log-linear models can represent; coverage of the 95%
//! intervals, mean relative error.
//!
//! nice -n 10 cargo run --release -p vigia-mse --example simulate -- [POPULATIONS_PER_SCENARIO] [BOOTSTRAP] [SEED]
use std::time::Instant;

use vigia_mse::simulation::{run_study, standard_scenarios};
use vigia_mse::MseOptions;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let pops: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(250);
    let boot: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let seed: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(2024);
    let opts = MseOptions {
        bootstrap: boot,
        ..MseOptions::default()
    };
    println!("populations per scenario: {pops}, bootstrap: {boot}, seed: {seed}, criterion: {:?}, search: {:?}", opts.criterion, opts.search);
    let mut all_cov = 0.0;
    let mut all_n = 0usize;
    for s in standard_scenarios() {
        let t = Instant::now();
        let r = run_study(&s, pops, seed, &opts);
        println!(
            "{}\n  estimated {}/{} | coverage BCa {:.3}, percentile {:.3}, profile {:.3} | mean relative error {:+.3}, mean |relative error| {:.3} | median width/N {:.2} | {:.0} s",
            r.scenario, r.estimated, r.populations, r.coverage, r.coverage_percentile, r.coverage_profile,
            r.mean_relative_error, r.mean_absolute_relative_error, r.median_relative_width, t.elapsed().as_secs_f64()
        );
        all_cov += r.coverage * r.populations as f64;
        all_n += r.populations;
    }
    println!(
        "overall BCa coverage: {:.3} over {all_n} populations",
        all_cov / all_n as f64
    );
}
