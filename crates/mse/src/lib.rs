//! Multiple systems estimation (multi-list capture–recapture) for Vigia.
//!
//! Given how many persons appear on each combination of `k` lists (2 to 10), the
//! crate estimates how many were on none, with Poisson log-linear models:
//!
//! * main effects plus a chosen set of two-way interactions (optionally also
//!   hierarchical three-way ones, [`MseOptions::max_order`]), fitted by IRLS with
//!   safeguards (step halving, capped linear predictor, convergence checks);
//! * for every candidate model, a linear-programming check that the maximum
//!   likelihood estimate of the hidden count **exists** and is **identifiable**
//!   (Chan, Silverman & Vincent 2021); failing models are excluded with the reason;
//! * model choice by AIC or BIC, exhaustive over the hierarchical models where
//!   feasible and a downhill stepwise search otherwise;
//! * intervals by a bootstrap that repeats the model search (BCa and percentile)
//!   and by profile likelihood under the selected model;
//! * a result that always carries its warnings.
//!
//! ```
//! use vigia_mse::{estimate, CaptureTable, MseOptions};
//! let csv = "A,B,C,count\n1,0,0,60\n0,1,0,45\n0,0,1,50\n1,1,0,20\n1,0,1,22\n0,1,1,15\n1,1,1,6\n";
//! let table = CaptureTable::from_csv_reader(csv.as_bytes()).unwrap();
//! let opts = MseOptions { bootstrap: 50, ..MseOptions::default() };
//! let r = estimate(&table, &opts).unwrap();
//! assert!(r.estimate >= r.observed as f64);
//! assert!(r.ci_low <= r.estimate && r.estimate <= r.ci_high);
//! ```

mod bootstrap;
mod check;
#[cfg(feature = "cli")]
pub mod cli;
mod error;
mod glm;
mod linalg;
mod model;
mod profile;
mod search;
pub mod simulation;
mod stats;
mod table;

use serde::{Deserialize, Serialize};

pub use error::MseError;
pub use model::{pair_index, triple_index, Model};
pub use search::{Criterion, SearchStrategy, Verdict};
pub use table::{CaptureTable, MAX_LISTS};

use search::{Evaluated, Fitter, SearchSettings};

/// Settings of an estimate. `MseOptions::default()` gives the documented defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MseOptions {
    /// Criterion for choosing the model. Default BIC.
    pub criterion: Criterion,
    /// How the model space is searched. Default `Auto`.
    pub search: SearchStrategy,
    /// `Auto` searches exhaustively when there are at most this many candidate
    /// models (2 to the number of eligible interactions), stepwise otherwise.
    /// Default 64 (every 3- and 4-list table; the bootstrap repeats the search
    /// for each replicate, so larger exhaustive searches get slow).
    pub exhaustive_limit: usize,
    /// Bootstrap replicates (each repeats the model search); 0 for none, in which
    /// case the interval is the profile-likelihood one. Default 1,000.
    pub bootstrap: usize,
    /// Seed of the bootstrap's random generator. Default 1.
    pub seed: u64,
    /// Confidence level of the intervals. Default 0.95.
    pub confidence: f64,
    /// Also compute the profile-likelihood interval. Default true.
    pub profile: bool,
    /// Consider interactions between lists that share no person. Default false:
    /// such an interaction would declare the zero overlap structural (at minus
    /// infinity) and is not estimable from the data; SparseMSE leaves them out too.
    pub include_nonoverlapping: bool,
    /// Highest order of interaction: 2 (default; as SparseMSE) or 3 to add
    /// hierarchical three-way interactions (a triple only with its three pairs,
    /// and only for lists that share a person).
    #[serde(default = "default_max_order")]
    pub max_order: u8,
}

fn default_max_order() -> u8 {
    2
}

impl Default for MseOptions {
    fn default() -> Self {
        MseOptions {
            criterion: Criterion::Bic,
            search: SearchStrategy::Auto,
            exhaustive_limit: 64,
            bootstrap: 1000,
            seed: 1,
            confidence: 0.95,
            profile: true,
            include_nonoverlapping: false,
            max_order: 2,
        }
    }
}

/// A confidence interval; an unbounded upper end is serialised as `null`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub low: f64,
    #[serde(with = "inf_as_null")]
    pub high: f64,
}

/// One model considered by the search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateModel {
    /// Interactions, e.g. `["LA:NG", "PF:GO"]`; empty for main effects only.
    pub model: Vec<String>,
    pub verdict: Verdict,
    /// Why the model was excluded, or a note on a boundary fit.
    pub reason: Option<String>,
    pub parameters: usize,
    pub log_likelihood: Option<f64>,
    pub aic: Option<f64>,
    pub bic: Option<f64>,
    /// Total population under this model (observed + hidden).
    pub estimate: Option<f64>,
    pub selected: bool,
}

/// Bootstrap details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BootstrapSummary {
    pub replicates: usize,
    pub seed: u64,
    /// Replicates in which no model was estimable (counted as an infinite estimate).
    pub failures: usize,
    pub percentile: Interval,
    /// BCa interval; `None` when the jackknife acceleration could not be computed.
    pub bca: Option<Interval>,
    pub acceleration: Option<f64>,
    /// Share of replicates that selected the same model as the data.
    pub selected_model_share: f64,
    /// The models most often selected, with their counts.
    pub top_models: Vec<(Vec<String>, usize)>,
}

/// The result of an estimate. Serialisable; field names are a stable API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MseResult {
    /// Estimated total population, observed persons included.
    pub estimate: f64,
    pub ci_low: f64,
    /// Upper end of the interval; infinite (`null` in JSON) when unbounded.
    #[serde(with = "inf_as_null")]
    pub ci_high: f64,
    pub confidence: f64,
    /// Which interval `ci_low`/`ci_high` are: `bca_bootstrap`,
    /// `percentile_bootstrap` or `profile_likelihood`.
    pub interval_method: String,
    /// Persons observed on at least one list.
    pub observed: u64,
    /// Estimated persons on no list (`estimate - observed`).
    pub hidden: f64,
    pub lists: Vec<String>,
    /// The interactions of the selected model, e.g. `["LA:NG", "PF:GO"]` (a
    /// three-way interaction reads `"A:B:C"`); empty for independence.
    pub model: Vec<String>,
    /// One-sentence description of the method.
    pub method: String,
    pub criterion: Criterion,
    /// The search actually run (`exhaustive` or `stepwise`).
    pub search: SearchStrategy,
    pub bootstrap: Option<BootstrapSummary>,
    pub profile_interval: Option<Interval>,
    /// Everything a reader must know before using the figure.
    pub warnings: Vec<String>,
    /// Models considered, best first; excluded models last with their reason.
    pub candidates: Vec<CandidateModel>,
}

mod inf_as_null {
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            s.serialize_f64(*v)
        } else {
            s.serialize_none()
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::INFINITY))
    }
}

fn candidate(e: &Evaluated, lists: &[String], observed: f64, selected: bool) -> CandidateModel {
    let ok = e.verdict == Verdict::Ok;
    CandidateModel {
        model: e.model.names(lists),
        verdict: e.verdict,
        reason: e.reason.clone(),
        parameters: e.params,
        log_likelihood: ok.then_some(e.loglik),
        aic: ok.then_some(e.aic),
        bic: ok.then_some(e.bic),
        estimate: ok.then_some(observed + e.hidden),
        selected,
    }
}

/// Checks and fits one model to the table: its existence and identifiability
/// verdict (with the reason) and, when it is estimable, its fit and estimate.
pub fn fit_model(table: &CaptureTable, model: &Model) -> CandidateModel {
    let f = Fitter::new(table.num_lists(), table.counts(), Some(table.lists()));
    let e = f.fit(*model, None);
    candidate(&e, table.lists(), f.observed(), false)
}

fn settings(opts: &MseOptions, criterion: Criterion) -> SearchSettings {
    SearchSettings {
        criterion,
        strategy: opts.search,
        exhaustive_limit: opts.exhaustive_limit,
        include_nonoverlapping: opts.include_nonoverlapping,
        max_order: opts.max_order,
    }
}

fn fmt_n(v: f64) -> String {
    if !v.is_finite() {
        return "unbounded".into();
    }
    let s = format!("{:.0}", v);
    let bytes = s.as_bytes();
    let mut out = String::new();
    for (i, ch) in bytes.iter().enumerate() {
        if i > 0 && (bytes.len() - i) % 3 == 0 && bytes[i - 1] != b'-' {
            out.push(',');
        }
        out.push(*ch as char);
    }
    out
}

/// Estimates the total population from a capture table.
///
/// Fails with [`MseError::NoEstimableModel`] (naming each model's reason) when no
/// candidate model has an estimate that exists and is identifiable — for
/// instance when the lists do not overlap at all.
pub fn estimate(table: &CaptureTable, opts: &MseOptions) -> Result<MseResult, MseError> {
    if !(opts.confidence > 0.0 && opts.confidence < 1.0) {
        return Err(MseError::InvalidOption(format!(
            "confidence must be strictly between 0 and 1, got {}",
            opts.confidence
        )));
    }
    if !(2..=3).contains(&opts.max_order) {
        return Err(MseError::InvalidOption(format!(
            "the highest interaction order must be 2 or 3, got {}",
            opts.max_order
        )));
    }
    if opts.bootstrap > 1_000_000 {
        return Err(MseError::InvalidOption(
            "at most 1,000,000 bootstrap replicates".into(),
        ));
    }
    let k = table.num_lists();
    let lists = table.lists();
    let f = Fitter::new(k, table.counts(), Some(lists));
    let observed = table.observed();
    let obs = observed as f64;
    let s = settings(opts, opts.criterion);
    let outcome = f.search(&s);
    let Some(best_i) = outcome.best else {
        let mut reasons: Vec<String> = outcome
            .evaluated
            .iter()
            .take(8)
            .map(|e| {
                format!(
                    "{}: {}",
                    e.model.describe(lists),
                    e.reason
                        .clone()
                        .unwrap_or_else(|| e.verdict.label().to_string())
                )
            })
            .collect();
        if outcome.evaluated.len() > 8 {
            reasons.push(format!("and {} more models", outcome.evaluated.len() - 8));
        }
        if table.multiply_captured() == 0 {
            reasons.insert(0, "no person appears on more than one list, so the lists carry no information about the hidden count".into());
        }
        return Err(MseError::NoEstimableModel { reasons });
    };
    let best = outcome.evaluated[best_i].clone();
    let total = obs + best.hidden;
    let used_search = if outcome.exhaustive {
        SearchStrategy::Exhaustive
    } else {
        SearchStrategy::Stepwise
    };

    // Candidates: estimable models by criterion, then excluded ones.
    let mut order: Vec<usize> = (0..outcome.evaluated.len()).collect();
    order.sort_by(|&a, &b| {
        let (ea, eb) = (&outcome.evaluated[a], &outcome.evaluated[b]);
        ea.criterion(opts.criterion)
            .partial_cmp(&eb.criterion(opts.criterion))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(ea.params.cmp(&eb.params))
            .then(ea.model.cmp(&eb.model))
    });
    let candidates: Vec<CandidateModel> = order
        .iter()
        .map(|&i| candidate(&outcome.evaluated[i], lists, obs, i == best_i))
        .collect();

    let mut warnings: Vec<String> = Vec::new();

    // Bootstrap.
    let mut boot_summary = None;
    if opts.bootstrap > 0 {
        let b = bootstrap::bootstrap(k, table.counts(), &s, opts.bootstrap, opts.seed);
        let (plo, phi) = bootstrap::percentile_interval(&b.totals, opts.confidence);
        let acc = bootstrap::acceleration(k, table.counts(), &s);
        let bca = acc.map(|a| {
            let (lo, hi) = bootstrap::bca_interval(&b.totals, total, a, opts.confidence);
            Interval { low: lo, high: hi }
        });
        let same = b
            .model_counts
            .iter()
            .find(|(m, _)| *m == best.model)
            .map_or(0, |(_, c)| *c);
        let share = same as f64 / opts.bootstrap as f64;
        if b.failures > 0 {
            warnings.push(format!(
                "In {} of {} bootstrap replicates no model was estimable; they count as an unbounded estimate.",
                b.failures, opts.bootstrap
            ));
        }
        if acc.is_none() {
            warnings.push("The jackknife acceleration could not be computed (removing one person left no estimable model); the interval is the percentile bootstrap interval.".into());
        }
        if share < 0.5 {
            warnings.push(format!(
                "The selected model was chosen in only {:.0}% of bootstrap replicates: the choice of model is uncertain, and the interval includes that uncertainty.",
                share * 100.0
            ));
        }
        boot_summary = Some(BootstrapSummary {
            replicates: opts.bootstrap,
            seed: opts.seed,
            failures: b.failures,
            percentile: Interval {
                low: plo,
                high: phi,
            },
            bca,
            acceleration: acc,
            selected_model_share: share,
            top_models: b
                .model_counts
                .iter()
                .take(5)
                .map(|(m, c)| (m.names(lists), *c))
                .collect(),
        });
    }

    let profile = if opts.profile || opts.bootstrap == 0 {
        profile::profile_interval(&f, best.model, opts.confidence)
            .map(|(l, h)| Interval { low: l, high: h })
    } else {
        None
    };

    let (ci, interval_method) = match (&boot_summary, profile) {
        (Some(b), _) => match b.bca {
            Some(i) => (i, "bca_bootstrap"),
            None => (b.percentile, "percentile_bootstrap"),
        },
        (None, Some(p)) => (p, "profile_likelihood"),
        (None, None) => (
            Interval {
                low: f64::NAN,
                high: f64::NAN,
            },
            "none",
        ),
    };

    // Warnings about the data and the figure.
    let multi = table.multiply_captured();
    if multi < 20 || (multi as f64) < 0.05 * obs {
        warnings.push(format!(
            "Only {} of {} observed persons ({:.1}%) appear on more than one list: the estimate rests on very few overlaps.",
            multi,
            observed,
            100.0 * multi as f64 / obs
        ));
    }
    for (i, list) in lists.iter().enumerate() {
        if (0..k).filter(|&j| j != i).all(|j| table.overlap(i, j) == 0) && table.count(1 << i) > 0 {
            warnings.push(format!(
                "List {} shares no person with any other list: under the model its {} persons are treated as independent of the other lists, which drives the estimate up; check whether it really covers the same population.",
                list,
                fmt_n(table.count(1 << i) as f64)
            ));
        }
    }
    if !opts.include_nonoverlapping {
        let zero_pairs: Vec<String> = model::pairs(k)
            .into_iter()
            .filter(|&(i, j)| table.overlap(i, j) == 0)
            .map(|(i, j)| format!("{}:{}", lists[i], lists[j]))
            .collect();
        if !zero_pairs.is_empty() {
            warnings.push(format!(
                "No person is on both lists of the pair(s) {}; these interactions cannot be estimated and are left out of every model.",
                zero_pairs.join(", ")
            ));
        }
    }
    let not_exist = outcome
        .evaluated
        .iter()
        .filter(|e| e.verdict == Verdict::MleDoesNotExist)
        .count();
    let not_ident = outcome
        .evaluated
        .iter()
        .filter(|e| e.verdict == Verdict::NotIdentifiable)
        .count();
    let not_conv = outcome
        .evaluated
        .iter()
        .filter(|e| e.verdict == Verdict::NotConverged)
        .count();
    if not_exist + not_ident + not_conv > 0 {
        let mut parts = Vec::new();
        if not_exist > 0 {
            parts.push(format!(
                "{not_exist} because the maximum likelihood estimate does not exist"
            ));
        }
        if not_ident > 0 {
            parts.push(format!(
                "{not_ident} because the hidden count is not identifiable"
            ));
        }
        if not_conv > 0 {
            parts.push(format!("{not_conv} because the fit did not converge"));
        }
        warnings.push(format!(
            "{} of {} candidate models were excluded: {} (see the candidate table).",
            not_exist + not_ident + not_conv,
            outcome.evaluated.len(),
            parts.join(", ")
        ));
    }
    // Sensitivity to the model: close competitors and the other criterion.
    let best_crit = best.criterion(opts.criterion);
    let close: Vec<f64> = outcome
        .evaluated
        .iter()
        .filter(|e| e.verdict == Verdict::Ok && e.criterion(opts.criterion) <= best_crit + 2.0)
        .map(|e| obs + e.hidden)
        .collect();
    let (cmin, cmax) = close
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
    if close.len() > 1 && cmax > 1.5 * cmin {
        warnings.push(format!(
            "The estimate is very sensitive to the model: the {} models within 2 {} points of the best give estimates from {} to {}.",
            close.len(),
            opts.criterion.name(),
            fmt_n(cmin),
            fmt_n(cmax)
        ));
    }
    let other = match opts.criterion {
        Criterion::Aic => Criterion::Bic,
        Criterion::Bic => Criterion::Aic,
    };
    let other_out = f.search(&settings(opts, other));
    if let Some(oi) = other_out.best {
        let o = &other_out.evaluated[oi];
        let ot = obs + o.hidden;
        if o.model != best.model && (ot > 1.5 * total || total > 1.5 * ot) {
            warnings.push(format!(
                "The estimate depends on the criterion: with {} the selected model is {} and the estimate {} (against {} with {}).",
                other.name(),
                o.model.describe(lists),
                fmt_n(ot),
                fmt_n(total),
                opts.criterion.name()
            ));
        }
    }
    // Does a three-way interaction fit much better? (Only checked when the search
    // was limited to two-way models; one extra point search, not bootstrapped.)
    if opts.max_order == 2 && k >= 3 {
        let mut s3 = settings(opts, opts.criterion);
        s3.max_order = 3;
        s3.strategy = SearchStrategy::Stepwise;
        let out3 = f.search(&s3);
        if let Some(i3) = out3.best {
            let e3 = &out3.evaluated[i3];
            let gain = best_crit - e3.criterion(opts.criterion);
            let t3 = obs + e3.hidden;
            if e3.model.triples != 0 && gain >= 6.0 && (t3 / total - 1.0).abs() >= 0.1 {
                warnings.push(format!(
                    "A model with a three-way interaction fits much better ({} lower by {:.1}) and gives {} instead of {}: two-way models may be too simple for these data; see --max-order 3.",
                    opts.criterion.name(),
                    gain,
                    fmt_n(t3),
                    fmt_n(total)
                ));
            }
        }
    }
    let ratio = total / obs;
    if ratio > 5.0 {
        warnings.push(format!(
            "The estimate is {:.1} times the number observed: most of the population would be hidden, so the figure rests heavily on the model's assumptions.",
            ratio
        ));
    }
    if !ci.high.is_finite() {
        warnings.push("The upper end of the interval is unbounded: the data do not limit how large the hidden population may be.".into());
    } else if ci.high > 3.0 * total {
        warnings.push(format!(
            "The interval is very wide: its upper end ({}) is more than three times the estimate.",
            fmt_n(ci.high)
        ));
    }
    if observed < 50 {
        warnings.push(format!(
            "Only {observed} persons were observed: intervals are approximate."
        ));
    }
    if let Some(reason) = &best.reason {
        warnings.push(format!("Selected model: {reason}."));
    }

    let method = format!(
        "Poisson log-linear model (main effects and {} interactions) chosen by {} over {} hierarchical models; {:.0}% {}",
        if opts.max_order >= 3 { "two- and three-way" } else { "two-way" },
        opts.criterion.name(),
        if outcome.exhaustive { "all" } else { "a downhill stepwise search of the" },
        opts.confidence * 100.0,
        match interval_method {
            "bca_bootstrap" => format!("BCa bootstrap interval ({} Poisson resamples, model search repeated in each)", opts.bootstrap),
            "percentile_bootstrap" => format!("percentile bootstrap interval ({} Poisson resamples, model search repeated in each)", opts.bootstrap),
            "profile_likelihood" => "profile-likelihood interval under the selected model".to_string(),
            _ => "no interval".to_string(),
        }
    );

    Ok(MseResult {
        estimate: total,
        ci_low: ci.low,
        ci_high: ci.high,
        confidence: opts.confidence,
        interval_method: interval_method.to_string(),
        observed,
        hidden: best.hidden,
        lists: lists.to_vec(),
        model: best.model.names(lists),
        method,
        criterion: opts.criterion,
        search: used_search,
        bootstrap: boot_summary,
        profile_interval: profile,
        warnings,
        candidates,
    })
}
