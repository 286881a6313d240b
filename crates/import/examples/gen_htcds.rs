//! Write a synthetic HTCDS CSV file.
//!
//! `cargo run --release -p vigia-import --example gen_htcds -- N OUT.csv [--bad-row K] [--bad-kind country|birthdate] [--seed S]`
//!
//! `K` is the spreadsheet row number of the bad row (header = row 1).

use std::process::ExitCode;

use vigia_import::{generate_htcds_csv, BadRow, BadRowKind, GenOptions};

fn usage() -> ExitCode {
    eprintln!("usage: gen_htcds N OUT.csv [--bad-row K] [--bad-kind country|birthdate] [--seed S]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(n), Some(out)) = (
        args.first()
            .and_then(|s| s.replace('_', "").parse::<u64>().ok()),
        args.get(1),
    ) else {
        return usage();
    };
    let mut opts = GenOptions {
        rows: n,
        seed: 2025,
        bad_row: None,
    };
    let mut kind = BadRowKind::UnknownExploitationCountry;
    let mut bad = None;
    let mut it = args[2..].iter();
    while let Some(a) = it.next() {
        let v = it.next();
        match (a.as_str(), v) {
            ("--bad-row", Some(v)) => match v.parse::<u64>() {
                Ok(k) if k >= 2 && k <= n + 1 => bad = Some(k),
                _ => {
                    eprintln!("--bad-row must be a data row number from 2 to {}", n + 1);
                    return ExitCode::from(2);
                }
            },
            ("--bad-kind", Some(v)) if v == "country" => {
                kind = BadRowKind::UnknownExploitationCountry
            }
            ("--bad-kind", Some(v)) if v == "birthdate" => kind = BadRowKind::FutureBirthdate,
            ("--seed", Some(v)) => match v.parse() {
                Ok(s) => opts.seed = s,
                Err(_) => return usage(),
            },
            _ => return usage(),
        }
    }
    opts.bad_row = bad.map(|row| BadRow { row, kind });
    let file = match std::fs::File::create(out) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cannot create {out}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let start = std::time::Instant::now();
    if let Err(e) = generate_htcds_csv(file, &opts) {
        eprintln!("cannot write {out}: {e}");
        return ExitCode::FAILURE;
    }
    eprintln!("wrote {n} rows to {out} in {:.1?}", start.elapsed());
    ExitCode::SUCCESS
}
