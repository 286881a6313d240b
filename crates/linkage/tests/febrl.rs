//! Acceptance on the FEBRL benchmark files, at the threshold Vigia picks by
//! itself (posterior 0.5 of the EM-estimated model, nothing tuned on truth).

mod common;
use common::*;
use vigia_linkage::{link_clear, NoProgress};

fn link_two(with_ssid: bool) -> vigia_linkage::eval::Scores {
    let cfg = config(with_ssid);
    let a = load(&cfg, "febrl4a.csv");
    let b = load(&cfg, "febrl4b.csv");
    let o = link_clear(&cfg, &a, Some(&b), &NoProgress);
    let s = scores(&o, &a, Some(&b), &truth("febrl4_true_pairs.csv"));
    eprintln!("febrl4 ssid={with_ssid}: {s:?} candidates={} lambda={:.4}", o.candidates, o.model.lambda);
    s
}

fn dedup(file: &str, pairs: &str) -> vigia_linkage::eval::Scores {
    let cfg = config(true);
    let a = load(&cfg, file);
    let o = link_clear(&cfg, &a, None, &NoProgress);
    let s = scores(&o, &a, None, &truth(pairs));
    eprintln!("{file}: {s:?} candidates={} lambda={:.4}", o.candidates, o.model.lambda);
    s
}

#[test]
fn febrl4_all_fields_f1_at_least_099() {
    assert!(link_two(true).f1 >= 0.99);
}

#[test]
fn febrl4_without_ssid_f1_at_least_098() {
    assert!(link_two(false).f1 >= 0.98);
}

#[test]
fn febrl3_dedup_f1_at_least_099() {
    assert!(dedup("febrl3.csv", "febrl3_true_pairs.csv").f1 >= 0.99);
}

/// Same constants on the other FEBRL files (no tuning to one file).
#[test]
fn febrl1_and_2_dedup() {
    assert!(dedup("febrl1.csv", "febrl1_true_pairs.csv").f1 >= 0.97);
    assert!(dedup("febrl2.csv", "febrl2_true_pairs.csv").f1 >= 0.97);
}
