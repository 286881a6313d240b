//! `vigia estimate mse`: the command-line layer (feature `cli`).
//!
//! The `vigia` binary embeds [`EstimateCommand`] as its `estimate` subcommand and
//! calls [`run`].

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;

use crate::{estimate, CaptureTable, Criterion, MseOptions, MseResult, SearchStrategy, Verdict};

/// Estimate hidden populations.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum EstimateCommand {
    /// Multiple systems estimation: estimate the total number of victims, seen and
    /// unseen, from the overlaps between several agencies' lists.
    ///
    /// Fits Poisson log-linear models (main effects plus two-way interactions
    /// between lists), excludes models whose maximum likelihood estimate does not
    /// exist or is not identifiable, chooses a model by BIC (or AIC), and gives a
    /// bootstrap confidence interval in which every replicate repeats the model
    /// search. Warnings (few overlaps, models excluded, sensitivity to the model,
    /// an estimate far above the number observed) are always printed.
    #[command(
        long_about,
        after_long_help = "Examples:\n  vigia estimate mse lists.csv\n  vigia estimate mse lists.csv --criterion aic --bootstrap 2000 --seed 7\n  vigia estimate mse lists.csv --json > estimate.json\n\nInput example (three lists, absent patterns count zero):\n  police,ngo,labour,count\n  1,0,0,120\n  0,1,0,85\n  1,1,0,14\n  0,0,1,40\n\nSee STATISTICS.md for the method, the defaults and their comparison with published figures."
    )]
    Mse(MseArgs),
}

/// Arguments of `vigia estimate mse`.
#[derive(Debug, Clone, clap::Args)]
pub struct MseArgs {
    /// CSV file: a header with one column per list (2 to 10 lists) and a final
    /// column `count`; each row a capture pattern of 0/1 values and the number of
    /// persons with it. Patterns not listed count zero; the all-zero pattern must
    /// not appear.
    #[arg(value_name = "FILE.csv")]
    pub file: PathBuf,

    /// Criterion for choosing the model. BIC (the default) penalises each
    /// interaction by log(persons observed) and resists fitting noise in sparse
    /// overlaps; AIC keeps more interactions.
    #[arg(long, value_enum, default_value_t = Criterion::Bic)]
    pub criterion: Criterion,

    /// How to search the models: `auto` is exhaustive when there are at most
    /// --exhaustive-limit models, stepwise (downhill from independence) otherwise.
    #[arg(long, value_enum, default_value_t = SearchStrategy::Auto)]
    pub search: SearchStrategy,

    /// Largest number of models that `--search auto` searches exhaustively.
    #[arg(long, default_value_t = 64, value_name = "N")]
    pub exhaustive_limit: usize,

    /// Bootstrap replicates (each repeats the model search). The default, 1000,
    /// is what SparseMSE uses and gives stable 95% BCa limits; 0 skips the
    /// bootstrap and reports the profile-likelihood interval instead.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub bootstrap: usize,

    /// Seed of the bootstrap's random generator: the same seed and data give the
    /// same interval on any machine and any number of threads.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,

    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95, value_name = "LEVEL")]
    pub confidence: f64,

    /// Also consider interactions between lists that share no person (they are
    /// left out by default: a zero overlap cannot estimate an interaction).
    #[arg(long)]
    pub include_nonoverlapping: bool,

    /// Highest order of interaction between lists: 2 (default, as SparseMSE) or 3
    /// to also consider hierarchical three-way interactions (slower; used in the
    /// classic Kosovo analyses).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(2..=3), value_name = "2|3")]
    pub max_order: u8,

    /// Print one JSON object (estimate, ci_low, ci_high, observed, model, method,
    /// warnings, candidates, ...) instead of the readable report.
    #[arg(long)]
    pub json: bool,

    /// In the readable report, list every candidate model (default: the best 15
    /// and every excluded one, up to 15).
    #[arg(long)]
    pub all_models: bool,
}

impl MseArgs {
    /// The library options these arguments stand for.
    pub fn options(&self) -> MseOptions {
        MseOptions {
            criterion: self.criterion,
            search: self.search,
            exhaustive_limit: self.exhaustive_limit,
            bootstrap: self.bootstrap,
            seed: self.seed,
            confidence: self.confidence,
            profile: true,
            include_nonoverlapping: self.include_nonoverlapping,
            max_order: self.max_order,
        }
    }
}

/// Runs an `estimate` subcommand, printing to standard output.
pub fn run(cmd: &EstimateCommand) -> anyhow::Result<()> {
    match cmd {
        EstimateCommand::Mse(args) => {
            let out = run_mse(args)?;
            print!("{out}");
            Ok(())
        }
    }
}

/// Runs `estimate mse` and returns what it would print.
pub fn run_mse(args: &MseArgs) -> anyhow::Result<String> {
    let table = CaptureTable::from_csv_path(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let result = estimate(&table, &args.options())
        .with_context(|| format!("estimating from {}", args.file.display()))?;
    if args.json {
        let mut s = serde_json::to_string_pretty(&result)?;
        s.push('\n');
        Ok(s)
    } else {
        Ok(report(&table, &result, args.all_models))
    }
}

fn n0(v: f64) -> String {
    if !v.is_finite() {
        return "unbounded".into();
    }
    let s = format!("{:.0}", v);
    let b = s.as_bytes();
    let mut out = String::new();
    for (i, ch) in b.iter().enumerate() {
        if i > 0 && (b.len() - i) % 3 == 0 && b[i - 1] != b'-' {
            out.push(',');
        }
        out.push(*ch as char);
    }
    out
}

/// The readable report.
pub fn report(table: &CaptureTable, r: &MseResult, all_models: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Multiple systems estimation");
    let _ = writeln!(s, "  lists ({}): {}", r.lists.len(), r.lists.join(", "));
    let _ = writeln!(
        s,
        "  observed: {} persons, {} of them on more than one list",
        n0(r.observed as f64),
        n0(table.multiply_captured() as f64)
    );
    let _ = writeln!(s);
    let model = if r.model.is_empty() {
        "main effects only (independent lists)".to_string()
    } else {
        format!("main effects + {}", r.model.join(" + "))
    };
    let _ = writeln!(s, "Estimated total population: {}", n0(r.estimate));
    let _ = writeln!(
        s,
        "  {:.0}% interval: {} to {} ({})",
        r.confidence * 100.0,
        n0(r.ci_low),
        n0(r.ci_high),
        r.interval_method.replace('_', " ")
    );
    let _ = writeln!(s, "  hidden (on no list): {}", n0(r.hidden));
    let _ = writeln!(s, "  selected model: {model}");
    if let Some(b) = &r.bootstrap {
        let _ = writeln!(
            s,
            "  bootstrap: {} replicates (seed {}), percentile interval {} to {}, selected model chosen in {:.0}% of them",
            b.replicates,
            b.seed,
            n0(b.percentile.low),
            n0(b.percentile.high),
            b.selected_model_share * 100.0
        );
    }
    if let Some(p) = &r.profile_interval {
        let _ = writeln!(
            s,
            "  profile-likelihood interval (selected model only): {} to {}",
            n0(p.low),
            n0(p.high)
        );
    }
    let _ = writeln!(s, "  method: {}", r.method);
    let _ = writeln!(s);
    if r.warnings.is_empty() {
        let _ = writeln!(s, "Warnings: none");
    } else {
        let _ = writeln!(s, "Warnings:");
        for w in &r.warnings {
            let _ = writeln!(s, "  ! {w}");
        }
    }
    let _ = writeln!(s);
    let ok: Vec<_> = r
        .candidates
        .iter()
        .filter(|c| c.verdict == Verdict::Ok)
        .collect();
    let bad: Vec<_> = r
        .candidates
        .iter()
        .filter(|c| c.verdict != Verdict::Ok)
        .collect();
    let _ = writeln!(
        s,
        "Candidate models ({} considered, {} estimable, {} excluded; sorted by {}):",
        r.candidates.len(),
        ok.len(),
        bad.len(),
        r.criterion.name()
    );
    let _ = writeln!(
        s,
        "  {:<3} {:>5} {:>10} {:>10} {:>10}  {:<20} model",
        "", "par", "AIC", "BIC", "estimate", "verdict"
    );
    let limit = if all_models { usize::MAX } else { 15 };
    let fmt = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.2}"));
    for c in ok.iter().take(limit) {
        let name = if c.model.is_empty() {
            "main effects".to_string()
        } else {
            c.model.join(" + ")
        };
        let _ = writeln!(
            s,
            "  {:<3} {:>5} {:>10} {:>10} {:>10}  {:<20} {}",
            if c.selected { "*" } else { "" },
            c.parameters,
            fmt(c.aic),
            fmt(c.bic),
            c.estimate.map_or("-".to_string(), n0),
            c.verdict.label(),
            name
        );
    }
    if ok.len() > limit {
        let _ = writeln!(
            s,
            "  ... {} more estimable models (--all-models to list them)",
            ok.len() - limit
        );
    }
    for c in bad.iter().take(limit) {
        let name = if c.model.is_empty() {
            "main effects".to_string()
        } else {
            c.model.join(" + ")
        };
        let _ = writeln!(
            s,
            "  {:<3} {:>5} {:>10} {:>10} {:>10}  {:<20} {}\n        reason: {}",
            "x",
            c.parameters,
            "-",
            "-",
            "-",
            c.verdict.label(),
            name,
            c.reason.as_deref().unwrap_or("")
        );
    }
    if bad.len() > limit {
        let _ = writeln!(
            s,
            "  ... {} more excluded models (--all-models to list them)",
            bad.len() - limit
        );
    }
    s
}
