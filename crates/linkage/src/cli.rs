//! Command-line layer (`vigia link`, `vigia encode`), behind the `cli`
//! feature. Thin: parses arguments, reads files, calls the library, writes
//! results, shows progress on stderr. Never prints a cell value.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::engine::{Outcome, Progress};
use crate::{pprl, Dataset, LinkConfig};

/// Link records that refer to the same person.
///
/// With one input file the file is de-duplicated; with two, the files are
/// linked. Writes `left_id,right_id,probability`, one row per matched pair
/// (each pair once). The match threshold is chosen by Vigia (posterior
/// probability 0.5 of a model estimated by EM without labels) unless the
/// config sets `threshold`.
///
/// Clear text:   vigia link --config link.toml A.csv [B.csv] --out matches.csv
///
/// Encoded:      vigia link --encoded [--config link.toml] A.enc [B.enc] --out matches.csv
#[derive(Debug, Clone, clap::Args)]
pub struct LinkArgs {
    /// Configuration (TOML): `id`, `[[fields]]` with `column` and `kind`
    /// (name, date, postcode, street, id, text); optional `threshold`,
    /// `one_to_one`, `blocking`, `max_block_size`... Required for CSV input;
    /// optional with --encoded (only its settings are used).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Inputs are Bloom-filter encodings made by `vigia encode` (privacy-preserving linkage).
    #[arg(long)]
    pub encoded: bool,
    /// Left (or only) input: CSV with a header row, or an encoded file.
    #[arg(value_name = "LEFT")]
    pub left: PathBuf,
    /// Right input for two-list linking; omit to de-duplicate LEFT.
    #[arg(value_name = "RIGHT")]
    pub right: Option<PathBuf>,
    /// Output CSV of matched pairs.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
    /// Also write person clusters: `record_id,source,cluster`.
    #[arg(long, value_name = "FILE")]
    pub clusters: Option<PathBuf>,
    /// Also write the estimated model (m, u, match rate) as JSON.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Override the threshold on the match probability (0–1).
    #[arg(long, value_name = "P")]
    pub threshold: Option<f64>,
    /// Two-list linking: at most one partner per record.
    #[arg(long)]
    pub one_to_one: bool,
    /// Link encoded files even if their key check values differ (finds nothing useful).
    #[arg(long, hide = true)]
    pub allow_key_mismatch: bool,
    /// No progress bars.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Encode identifying fields into keyed Bloom filters, at the agency.
///
/// Only the encodings and the record id column leave the agency; the key
/// must be shared by the agencies and never given to the coordinator.
/// Make a key once with: head -c 32 /dev/urandom > link.key
///
///   vigia encode --config link.toml --key-file link.key FILE.csv --out FILE.enc
#[derive(Debug, Clone, clap::Args)]
pub struct EncodeArgs {
    /// Configuration (TOML) naming the id column and the fields to encode.
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: PathBuf,
    /// Secret key file shared between agencies (at least 16 bytes, 32 random bytes recommended).
    #[arg(long, value_name = "KEY")]
    pub key_file: PathBuf,
    /// Input CSV with a header row.
    #[arg(value_name = "FILE")]
    pub input: PathBuf,
    /// Output encoded file.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
    /// No progress output.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

struct Bar(ProgressBar);

impl Bar {
    fn new(quiet: bool) -> Self {
        let pb = if quiet { ProgressBar::hidden() } else { ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()) };
        pb.enable_steady_tick(Duration::from_millis(200));
        Bar(pb)
    }
    fn msg(&self, m: &str) {
        self.0.set_message(m.to_owned());
    }
}

impl Progress for Bar {
    fn stage(&self, name: &str, total: u64) {
        if total > 0 {
            self.0.set_style(ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} ({eta})").expect("template").progress_chars("=> "));
            self.0.set_length(total);
            self.0.set_position(0);
        } else {
            self.0.set_style(ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("template"));
        }
        self.0.set_message(name.to_owned());
    }
    fn inc(&self, n: u64) {
        self.0.inc(n);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

fn summary(o: &Outcome, quiet: bool) {
    if !quiet {
        eprintln!(
            "{} candidate pairs compared, {} matched pairs at probability >= {:.3}, estimated match rate among candidates {:.4}",
            o.candidates,
            o.matches.len(),
            o.threshold,
            o.model.lambda
        );
    }
}

/// `vigia link`.
pub fn run_link(a: &LinkArgs) -> anyhow::Result<()> {
    if let Some(t) = a.threshold {
        if !(0.0..=1.0).contains(&t) {
            bail!("--threshold must be between 0 and 1");
        }
    }
    let bar = Bar::new(a.quiet);
    let mut cfg = a.config.as_deref().map(LinkConfig::from_file).transpose()?;
    let (outcome, left_ids, right_ids) = if a.encoded {
        bar.msg("reading encodings");
        let left = pprl::read_encoded(&a.left)?;
        let right = a.right.as_deref().map(pprl::read_encoded).transpose()?;
        if let Some(r) = &right {
            pprl::check_compatible(&left, r).with_context(|| format!("{} and {} cannot be linked", a.left.display(), a.right.as_ref().expect("right").display()))?;
            if !pprl::same_key(&left, r) && !a.allow_key_mismatch {
                bail!("the two encoded files were made with different keys: nothing can match (re-encode both with the same shared key)");
            }
        }
        let mut c = cfg.take().unwrap_or_else(|| pprl::coordinator_config(&left.header));
        apply_overrides(&mut c, a);
        let o = pprl::link_encoded(&c, &left, right.as_ref(), &bar)?;
        let rids = right.map(|r| r.ids);
        (o, left.ids, rids)
    } else {
        let Some(mut c) = cfg.take() else { bail!("--config is required to link CSV files") };
        apply_overrides(&mut c, a);
        bar.msg("reading records");
        let left = Dataset::from_csv(&c, &a.left)?;
        let right = a.right.as_deref().map(|p| Dataset::from_csv(&c, p)).transpose()?;
        let mut opt = c.options();
        if let Some(lp) = &c.labelled_pairs {
            let rids = right.as_ref().map_or(&left.ids, |r| &r.ids);
            opt.labelled = crate::read_labelled(std::path::Path::new(lp), &left.ids, rids)?;
        }
        let o = crate::link_clear_with(&c, &left, right.as_ref(), opt, &bar);
        (o, left.ids, right.map(|r| r.ids))
    };
    bar.finish();
    let rids = right_ids.as_deref().unwrap_or(&left_ids);
    crate::write_matches(&a.out, &outcome, &left_ids, rids)?;
    if let Some(p) = &a.clusters {
        crate::write_clusters(p, &outcome, &left_ids, right_ids.as_deref())?;
    }
    if let Some(p) = &a.model {
        let json = serde_json::to_string_pretty(&outcome.model)?;
        std::fs::write(p, json).with_context(|| format!("writing {}", p.display()))?;
    }
    summary(&outcome, a.quiet);
    Ok(())
}

fn apply_overrides(c: &mut LinkConfig, a: &LinkArgs) {
    if a.threshold.is_some() {
        c.threshold = a.threshold;
    }
    if a.one_to_one {
        c.one_to_one = true;
    }
}

/// `vigia encode`.
pub fn run_encode(a: &EncodeArgs) -> anyhow::Result<()> {
    let bar = Bar::new(a.quiet);
    let cfg = LinkConfig::from_file(&a.config)?;
    let key = pprl::Key::from_file(&a.key_file)?;
    bar.msg("reading records");
    let data = Dataset::from_csv(&cfg, &a.input)?;
    bar.msg("encoding");
    let enc = pprl::encode(&cfg, &data, &key);
    pprl::write_encoded(&a.out, &enc)?;
    bar.finish();
    if !a.quiet {
        eprintln!("{} records encoded into {} (scheme {} version {})", enc.ids.len(), a.out.display(), pprl::SCHEME, pprl::VERSION);
    }
    Ok(())
}
