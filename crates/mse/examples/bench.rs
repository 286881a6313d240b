//! Speed benchmark: model search + 1,000 bootstrap replicates (each repeating the
//! search) + jackknife acceleration + profile interval, on the UK six lists.
//!
//! cargo run --release -p vigia-mse --example bench -- [FILE.csv] [RUNS] [BOOTSTRAP]
use std::time::Instant;
use vigia_mse::{estimate, CaptureTable, MseOptions};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let file = args.get(1).cloned().unwrap_or_else(|| {
        let data = std::env::var("VIGIA_SHARED_DATA")
            .unwrap_or_else(|_| format!("{}/../../../shared/data", env!("CARGO_MANIFEST_DIR")));
        format!("{data}/mse/uk_2013_6lists.csv")
    });
    let runs: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5);
    let boot: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let table = CaptureTable::from_csv_path(&file).expect("read table");
    let opts = MseOptions {
        bootstrap: boot,
        ..MseOptions::default()
    };
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = estimate(&table, &opts).expect("estimate");
        times.push(t.elapsed().as_secs_f64());
        last = Some(r);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let r = last.unwrap();
    println!("file: {file}");
    println!("threads: {}", rayon::current_num_threads());
    println!(
        "bootstrap replicates: {boot}, search: {:?}, criterion: {:?}",
        r.search, r.criterion
    );
    println!(
        "estimate {:.0} [{:.0}, {:.0}] model {:?}",
        r.estimate, r.ci_low, r.ci_high, r.model
    );
    println!(
        "wall time over {runs} runs: min {:.3} s, median {:.3} s, max {:.3} s",
        times[0],
        times[times.len() / 2],
        times[times.len() - 1]
    );
}
