//! Evaluation against known true pairs (benchmarks and tests only).

use std::collections::HashSet;
use std::path::Path;

use crate::error::{LinkError, Result};

/// Precision, recall and F1 of a set of pairs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    /// True positives.
    pub tp: usize,
    /// Pairs reported.
    pub predicted: usize,
    /// True pairs.
    pub truth: usize,
    /// tp / predicted.
    pub precision: f64,
    /// tp / truth.
    pub recall: f64,
    /// Harmonic mean.
    pub f1: f64,
}

/// Reads a two-column pairs CSV with a header (ids, not indices).
pub fn read_pairs(path: &Path) -> Result<Vec<(String, String)>> {
    let mut rdr = csv::Reader::from_path(path).map_err(|e| LinkError::Csv { path: path.to_owned(), message: crate::clear::redact_csv(&e) })?;
    let mut out = Vec::new();
    for r in rdr.records() {
        let r = r.map_err(|e| LinkError::Csv { path: path.to_owned(), message: crate::clear::redact_csv(&e) })?;
        out.push((r.get(0).unwrap_or("").trim().to_owned(), r.get(1).unwrap_or("").trim().to_owned()));
    }
    Ok(out)
}

/// Scores predicted pairs against truth. With `unordered`, (a, b) = (b, a).
pub fn score(predicted: &[(String, String)], truth: &[(String, String)], unordered: bool) -> Scores {
    let norm = |(a, b): &(String, String)| if unordered && b < a { (b.clone(), a.clone()) } else { (a.clone(), b.clone()) };
    let t: HashSet<(String, String)> = truth.iter().map(norm).collect();
    let p: HashSet<(String, String)> = predicted.iter().map(norm).collect();
    let tp = p.intersection(&t).count();
    let precision = if p.is_empty() { 0.0 } else { tp as f64 / p.len() as f64 };
    let recall = if t.is_empty() { 0.0 } else { tp as f64 / t.len() as f64 };
    let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
    Scores { tp, predicted: p.len(), truth: t.len(), precision, recall, f1 }
}

/// Matched pairs of an outcome as ids.
pub fn outcome_pairs(o: &crate::Outcome, left: &[String], right: &[String]) -> Vec<(String, String)> {
    o.matches.iter().map(|m| (left[m.left as usize].clone(), right[m.right as usize].clone())).collect()
}
