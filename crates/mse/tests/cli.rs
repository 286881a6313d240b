//! The `estimate mse` command line (feature `cli`).
#![cfg(feature = "cli")]

mod common;

use clap::Parser;
use vigia_mse::cli::{run_mse, EstimateCommand};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: EstimateCommand,
}

fn args(extra: &[&str]) -> vigia_mse::cli::MseArgs {
    let file = common::data_dir().join("western_us_5lists.csv");
    let mut v = vec!["vigia", "mse", file.to_str().unwrap()];
    v.extend_from_slice(extra);
    match Cli::try_parse_from(v).unwrap().command {
        EstimateCommand::Mse(a) => a,
    }
}

#[test]
fn json_has_the_documented_fields() {
    let out = run_mse(&args(&["--json", "--bootstrap", "100", "--seed", "3"])).unwrap();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for field in [
        "estimate",
        "ci_low",
        "ci_high",
        "observed",
        "model",
        "method",
        "warnings",
        "candidates",
        "criterion",
    ] {
        assert!(v.get(field).is_some(), "missing {field}: {out}");
    }
    assert_eq!(v["observed"], 345);
    assert_eq!(v["criterion"], "bic");
    assert!(v["model"].is_array() && v["warnings"].is_array());
    assert!(v["estimate"].as_f64().unwrap() > 345.0);
}

#[test]
fn report_shows_candidates_and_warnings() {
    let out = run_mse(&args(&["--criterion", "aic", "--bootstrap", "50"])).unwrap();
    assert!(out.contains("Estimated total population"), "{out}");
    assert!(out.contains("Candidate models"), "{out}");
    assert!(
        out.contains("AIC") && out.contains("BIC") && out.contains("verdict"),
        "{out}"
    );
    assert!(out.contains("Warnings"), "{out}");
}

#[test]
fn defaults_and_bad_input() {
    let a = args(&[]);
    assert_eq!(a.bootstrap, 1000);
    assert_eq!(a.criterion, vigia_mse::Criterion::Bic);
    assert!(!a.json);
    assert!(Cli::try_parse_from(["vigia", "mse", "x.csv", "--criterion", "cp"]).is_err());
    assert!(Cli::try_parse_from(["vigia", "mse", "x.csv", "--max-order", "4"]).is_err());
    assert_eq!(a.max_order, 2);
    let missing = run_mse(&vigia_mse::cli::MseArgs {
        file: "/nonexistent.csv".into(),
        ..a
    });
    assert!(format!("{:#}", missing.unwrap_err()).contains("nonexistent.csv"));
}

#[test]
fn refusal_is_an_error_not_a_number() {
    let dir = std::env::temp_dir().join(format!("vigia-mse-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("disjoint.csv");
    std::fs::write(&f, "A,B,count\n1,0,50\n0,1,40\n").unwrap();
    let a = vigia_mse::cli::MseArgs {
        file: f.clone(),
        ..args(&[])
    };
    let e = run_mse(&a).unwrap_err();
    assert!(
        format!("{e:#}").contains("no estimate is possible"),
        "{e:#}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
