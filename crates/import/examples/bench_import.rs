//! Time the parse + validation of an HTCDS CSV file (no database, no encryption).
//!
//! `cargo run --release -p vigia-import --example bench_import -- FILE.csv`

use std::process::ExitCode;
use std::time::Instant;

use vigia_import::{read_file, ReadOptions};

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: bench_import FILE.csv");
        return ExitCode::from(2);
    };
    // Generated files date nothing after 2024-12-31.
    let today = time::Date::from_calendar_date(2025, time::Month::June, 1).expect("valid date");
    let start = Instant::now();
    let report = match read_file(path.as_ref(), today, &ReadOptions::default(), &mut |_| {}) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let secs = start.elapsed().as_secs_f64();
    println!("{}", report.summary());
    for e in report.rejected.iter().take(5) {
        println!("  {e}");
    }
    println!(
        "{} rows in {secs:.2} s: {:.0} rows/s",
        report.rows_read,
        report.rows_read as f64 / secs
    );
    if report.is_importable() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
