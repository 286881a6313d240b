//! Prints Vigia's estimate for every data set in shared/data/mse.
//!
//! cargo run --release -p vigia-mse --example datasets -- [DATA_DIR] [BOOTSTRAP] [aic|bic] [auto|exhaustive|stepwise]
use std::time::Instant;
use vigia_mse::{estimate, CaptureTable, Criterion, MseOptions, SearchStrategy};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).cloned().unwrap_or_else(|| {
        std::env::var("VIGIA_SHARED_DATA")
            .map(|d| format!("{d}/mse"))
            .unwrap_or_else(|_| format!("{}/../../../shared/data/mse", env!("CARGO_MANIFEST_DIR")))
    });
    let boot: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let criterion = match args.get(3).map(String::as_str) {
        Some("aic") => Criterion::Aic,
        _ => Criterion::Bic,
    };
    let search = match args.get(4).map(String::as_str) {
        Some("exhaustive") => SearchStrategy::Exhaustive,
        Some("stepwise") => SearchStrategy::Stepwise,
        _ => SearchStrategy::Auto,
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("data dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    for f in files {
        let t = CaptureTable::from_csv_path(&f).unwrap();
        let opts = MseOptions {
            bootstrap: boot,
            criterion,
            search,
            ..MseOptions::default()
        };
        let start = Instant::now();
        match estimate(&t, &opts) {
            Ok(r) => {
                let p = r
                    .profile_interval
                    .map(|i| format!("[{:.0}, {:.0}]", i.low, i.high))
                    .unwrap_or_default();
                let pc = r
                    .bootstrap
                    .as_ref()
                    .map(|b| {
                        format!(
                            "[{:.0}, {:.0}] share {:.2}",
                            b.percentile.low, b.percentile.high, b.selected_model_share
                        )
                    })
                    .unwrap_or_default();
                println!(
                    "{:<32} obs {:>5} est {:>8.0} [{:>7.0}, {:>7.0}] {:?} pct {} prof {} model {:?} ({:.2}s)",
                    f.file_name().unwrap().to_string_lossy(), r.observed, r.estimate, r.ci_low, r.ci_high, r.search, pc, p, r.model, start.elapsed().as_secs_f64()
                );
                for w in &r.warnings {
                    println!("      ! {w}");
                }
            }
            Err(e) => println!("{:<32} ERROR {e}", f.file_name().unwrap().to_string_lossy()),
        }
    }
}
