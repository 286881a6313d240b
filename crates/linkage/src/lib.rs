//! Record linkage for Vigia: counting a person reported by several agencies
//! once.
//!
//! * Clear-text probabilistic linkage (Fellegi–Sunter): comparators for
//!   names of many languages, dates with day/month swaps and partial dates,
//!   identifiers; blocking on the union of several keys; m and u estimated
//!   without labels (u from random pairs, m and the match rate by EM);
//!   posterior-probability threshold 0.5; clusters of matched records.
//! * Privacy-preserving linkage: each agency encodes identifying fields into
//!   keyed Bloom filters ([`pprl`]); a coordinator links the encodings by
//!   Dice similarity without seeing a name.
//!
//! The library never logs and never puts a cell value into an error.
//! See `docs/linkage.md` for the method.

pub mod clear;
pub mod compare;
pub mod config;
pub mod engine;
pub mod eval;
pub mod error;
pub mod hash;
pub mod model;
pub mod normalize;
pub mod phonetic;
pub mod strsim;
pub mod pprl;
pub mod synth;

#[cfg(feature = "cli")]
pub mod cli;

use std::io::Write;
use std::path::Path;

pub use clear::{ClearComparator, Dataset};
pub use config::{FieldKind, LinkConfig};
pub use engine::{Match, NoProgress, Options, Outcome, Progress};
pub use error::{LinkError, Result};

impl LinkConfig {
    /// Engine options of this config.
    pub fn options(&self) -> Options {
        Options {
            threshold: self.threshold,
            one_to_one: self.one_to_one,
            cluster_pairs: self.cluster_pairs,
            max_block_size: self.max_block_size,
            max_block_pairs: self.max_block_pairs,
            em_iterations: self.em_iterations,
            u_sample: self.u_sample,
            seed: self.seed,
            labelled: Vec::new(),
        }
    }
}

/// Reads labelled pairs (`left_id,right_id` with header) into indices.
pub fn read_labelled(path: &Path, left: &[String], right: &[String]) -> Result<Vec<(u32, u32)>> {
    let idx = |ids: &[String]| -> std::collections::HashMap<String, u32> { ids.iter().enumerate().map(|(i, s)| (s.clone(), i as u32)).collect() };
    let (li, ri) = (idx(left), idx(right));
    let mut rdr = clear::reader(path)?;
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| LinkError::Csv { path: path.to_owned(), message: clear::redact_csv(&e) })?;
        if let (Some(a), Some(b)) = (rec.get(0).and_then(|a| li.get(a.trim())), rec.get(1).and_then(|b| ri.get(b.trim()))) {
            out.push((*a, *b));
        }
    }
    Ok(out)
}

/// Links clear-text data sets: de-duplicates `left` when `right` is `None`.
pub fn link_clear(cfg: &LinkConfig, left: &Dataset, right: Option<&Dataset>, progress: &dyn Progress) -> Outcome {
    link_clear_with(cfg, left, right, cfg.options(), progress)
}

/// As [`link_clear`] with explicit options.
pub fn link_clear_with(cfg: &LinkConfig, left: &Dataset, right: Option<&Dataset>, opt: Options, progress: &dyn Progress) -> Outcome {
    let cmp = ClearComparator::new(cfg);
    engine::run(&cmp, &left.records, right.map(|r| r.records.as_slice()), &opt, progress)
}

/// Writes `left_id,right_id,probability`, one row per matched pair.
pub fn write_matches(path: &Path, outcome: &Outcome, left_ids: &[String], right_ids: &[String]) -> Result<()> {
    let f = std::fs::File::create(path).map_err(|e| LinkError::io(path, e))?;
    let mut w = std::io::BufWriter::new(f);
    let io = |e| LinkError::io(path, e);
    writeln!(w, "left_id,right_id,probability").map_err(io)?;
    for m in &outcome.matches {
        writeln!(w, "{},{},{:.6}", csv_cell(&left_ids[m.left as usize]), csv_cell(&right_ids[m.right as usize]), m.probability).map_err(io)?;
    }
    w.flush().map_err(io)
}

/// Writes `record_id,source,cluster` (source `left`/`right`).
pub fn write_clusters(path: &Path, outcome: &Outcome, left_ids: &[String], right_ids: Option<&[String]>) -> Result<()> {
    let f = std::fs::File::create(path).map_err(|e| LinkError::io(path, e))?;
    let mut w = std::io::BufWriter::new(f);
    let io = |e| LinkError::io(path, e);
    writeln!(w, "record_id,source,cluster").map_err(io)?;
    for (i, c) in outcome.clusters.iter().enumerate() {
        let (id, src) = if i < left_ids.len() { (&left_ids[i], "left") } else { (&right_ids.unwrap_or(&[])[i - left_ids.len()], "right") };
        writeln!(w, "{},{src},{c}", csv_cell(id)).map_err(io)?;
    }
    w.flush().map_err(io)
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}
