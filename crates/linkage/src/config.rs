//! The linkage configuration (`link.toml`). Only `id` and `[[fields]]` are
//! required; everything else has a default that Vigia chooses by itself.

use serde::{Deserialize, Serialize};
use std::path::Path;

use crate::error::{LinkError, Result};

/// What a column holds; decides normalisation, comparator, blocking and encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    /// A person's name or part of it (given name, surname, full name).
    Name,
    /// A date (birth date): `YYYYMMDD`, `YYYY-MM-DD`, `DD/MM/YYYY`, or partial.
    Date,
    /// A postcode.
    Postcode,
    /// A street name or address line.
    Street,
    /// An identifier (passport, social security, case number).
    Id,
    /// Any other text (town, state, house number).
    Text,
}

impl FieldKind {
    /// Lower-case name as written in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Name => "name",
            FieldKind::Date => "date",
            FieldKind::Postcode => "postcode",
            FieldKind::Street => "street",
            FieldKind::Id => "id",
            FieldKind::Text => "text",
        }
    }
}

/// One compared column.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldConfig {
    /// Column name in the CSV header.
    pub column: String,
    /// Kind of value.
    pub kind: FieldKind,
    /// Optional: use the field for blocking too (default: names, dates, ids, postcodes).
    #[serde(default)]
    pub block: Option<bool>,
    /// Optional: Bloom-filter length in bits for this field (multiple of 64).
    #[serde(default)]
    pub bloom_bits: Option<usize>,
    /// Optional: hash functions per q-gram for this field (the field's weight).
    #[serde(default)]
    pub bloom_k: Option<usize>,
}

/// The whole configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkConfig {
    /// Column holding the record id (kept as given; it must be an opaque id).
    pub id: String,
    /// Compared fields.
    pub fields: Vec<FieldConfig>,
    /// Match-probability threshold. Default: 0.5 on the posterior probability
    /// from the EM-estimated model (no tuning on truth).
    #[serde(default)]
    pub threshold: Option<f64>,
    /// Two-list linking: keep at most one partner per record (greedy by
    /// probability). Sensible when each list is already de-duplicated.
    #[serde(default)]
    pub one_to_one: bool,
    /// De-duplication: report every pair inside a cluster of matched records
    /// (transitive closure), not only the pairs scored above threshold.
    #[serde(default = "default_true")]
    pub cluster_pairs: bool,
    /// Blocks larger than this on one side are skipped (keeps cost near-linear).
    #[serde(default = "default_max_block")]
    pub max_block_size: usize,
    /// Blocks that would produce more pairs than this are skipped: at large
    /// scale the broad keys drop out by themselves and cost stays near-linear.
    #[serde(default = "default_max_block_pairs")]
    pub max_block_pairs: usize,
    /// Extra blocking keys: each is a list of column names whose normalised
    /// values are concatenated. Added to the automatic keys.
    #[serde(default)]
    pub blocking: Vec<Vec<String>>,
    /// Maximum EM iterations.
    #[serde(default = "default_em_iter")]
    pub em_iterations: usize,
    /// Random pairs sampled to estimate u probabilities before EM.
    #[serde(default = "default_u_sample")]
    pub u_sample: usize,
    /// Optional CSV of known true pairs (`left_id,right_id`) to estimate the m
    /// probabilities from labels instead of EM.
    #[serde(default)]
    pub labelled_pairs: Option<String>,
    /// Bloom-filter q-gram length for privacy-preserving encoding.
    #[serde(default = "default_q")]
    pub q: usize,
    /// Seed of every random choice (u sampling, LSH); results are reproducible.
    #[serde(default = "default_seed")]
    pub seed: u64,
}

fn default_true() -> bool {
    true
}
fn default_max_block() -> usize {
    2_000
}
fn default_max_block_pairs() -> usize {
    10_000
}
fn default_em_iter() -> usize {
    200
}
fn default_u_sample() -> usize {
    300_000
}
fn default_q() -> usize {
    2
}
fn default_seed() -> u64 {
    42
}

impl LinkConfig {
    /// Parses a TOML text. Unknown keys and bad kinds give an error naming the key.
    pub fn from_toml(text: &str) -> Result<Self> {
        let cfg: LinkConfig = toml::from_str(text).map_err(|e| LinkError::Config(e.to_string()))?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Reads and parses a TOML file.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| LinkError::io(path, e))?;
        Self::from_toml(&text).map_err(|e| match e {
            LinkError::Config(m) => LinkError::Config(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    /// A config with default settings for the given fields.
    pub fn new(id: &str, fields: &[(&str, FieldKind)]) -> Self {
        let text = format!("id = {id:?}\nfields = []\n");
        let mut cfg: LinkConfig = toml::from_str(&text).expect("static config");
        cfg.fields = fields
            .iter()
            .map(|(c, k)| FieldConfig { column: (*c).to_owned(), kind: *k, block: None, bloom_bits: None, bloom_k: None })
            .collect();
        cfg
    }

    fn validate(&self) -> Result<()> {
        if self.fields.is_empty() {
            return Err(LinkError::Config("`fields` must list at least one field".into()));
        }
        if self.fields.len() > 20 {
            return Err(LinkError::Config("at most 20 `fields` are supported".into()));
        }
        if let Some(t) = self.threshold {
            if !(0.0..=1.0).contains(&t) {
                return Err(LinkError::Config("`threshold` must be a probability between 0 and 1".into()));
            }
        }
        if !(1..=4).contains(&self.q) {
            return Err(LinkError::Config("`q` must be 1 to 4".into()));
        }
        for (i, f) in self.fields.iter().enumerate() {
            if let Some(b) = f.bloom_bits {
                if b == 0 || b % 64 != 0 || b > 8192 {
                    return Err(LinkError::Config(format!("fields[{i}].bloom_bits must be a multiple of 64 up to 8192")));
                }
            }
            if let Some(k) = f.bloom_k {
                if k == 0 || k > 64 {
                    return Err(LinkError::Config(format!("fields[{i}].bloom_k must be 1 to 64")));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_and_errors() {
        let c = LinkConfig::from_toml("id = \"rec_id\"\n[[fields]]\ncolumn = \"given_name\"\nkind = \"name\"\n").unwrap();
        assert_eq!(c.fields[0].kind, FieldKind::Name);
        let e = LinkConfig::from_toml("id = \"r\"\nthresold = 0.3\n[[fields]]\ncolumn = \"a\"\nkind = \"name\"\n").unwrap_err();
        assert!(e.to_string().contains("thresold"), "{e}");
        let e = LinkConfig::from_toml("id = \"r\"\n[[fields]]\ncolumn = \"a\"\nkind = \"nome\"\n").unwrap_err();
        assert!(e.to_string().contains("nome"), "{e}");
        let e = LinkConfig::from_toml("id = \"r\"\n[[fields]]\ncolumn = \"a\"\nkind = \"name\"\nweight = 2\n").unwrap_err();
        assert!(e.to_string().contains("weight"), "{e}");
    }
}
