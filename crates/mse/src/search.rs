//! Fitting one model (after its existence and identifiability check) and
//! searching the hierarchical models for the best by AIC or BIC.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::check::{check, CheckVerdict};
use crate::glm::{fit_poisson, SparseDesign};
use crate::model::{design, pair_index, pairs, triples, Model};
use crate::stats::ln_factorial;

/// Information criterion used to choose the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Criterion {
    /// Akaike: -2 log L + 2 p. Keeps more interactions; less biased, more variable.
    Aic,
    /// Schwarz: -2 log L + p log(n), n = persons observed. The default: on sparse
    /// multi-list data it guards against interactions that only fit noise.
    #[default]
    Bic,
}

impl Criterion {
    pub fn name(self) -> &'static str {
        match self {
            Criterion::Aic => "AIC",
            Criterion::Bic => "BIC",
        }
    }
}

/// How the model space is searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum SearchStrategy {
    /// Exhaustive when there are few enough candidate models (at most the
    /// exhaustive limit, 64 by default), stepwise otherwise.
    #[default]
    Auto,
    /// Every model with main effects and any subset of the eligible interactions.
    Exhaustive,
    /// Downhill search from the independence model: at each step add or remove the
    /// one interaction that lowers the criterion most; stop when none does.
    Stepwise,
}

/// Verdict on one candidate model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The maximum likelihood estimate exists and is identifiable.
    Ok,
    /// The maximum likelihood estimate does not exist.
    MleDoesNotExist,
    /// The maximum likelihood estimate exists but the hidden count is not identifiable.
    NotIdentifiable,
    /// The fitting algorithm did not converge.
    NotConverged,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::MleDoesNotExist => "MLE does not exist",
            Verdict::NotIdentifiable => "not identifiable",
            Verdict::NotConverged => "not converged",
        }
    }
}

/// One fitted model.
#[derive(Debug, Clone)]
pub(crate) struct Evaluated {
    pub model: Model,
    pub verdict: Verdict,
    /// Human-readable reason for a verdict other than `Ok`, or a note on boundary cells.
    pub reason: Option<String>,
    pub params: usize,
    pub loglik: f64,
    pub aic: f64,
    pub bic: f64,
    /// Expected number of persons on no list.
    pub hidden: f64,
    /// Linear predictor over all observable cells (for warm starts); -inf on boundary cells.
    pub eta: Option<Vec<f64>>,
}

impl Evaluated {
    pub fn criterion(&self, c: Criterion) -> f64 {
        if self.verdict != Verdict::Ok {
            return f64::INFINITY;
        }
        match c {
            Criterion::Aic => self.aic,
            Criterion::Bic => self.bic,
        }
    }
}

/// Settings of a model search.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SearchSettings {
    pub criterion: Criterion,
    pub strategy: SearchStrategy,
    pub exhaustive_limit: usize,
    pub include_nonoverlapping: bool,
    /// Highest order of interaction: 2, or 3 for hierarchical three-way terms.
    pub max_order: u8,
}

/// Fits models to one table of counts.
pub(crate) struct Fitter<'a> {
    pub k: usize,
    /// Counts by pattern, `0..2^k` (entry 0 unused).
    pub counts: &'a [u64],
    pub(crate) y: Vec<f64>,
    positive: Vec<usize>,
    n_obs: f64,
    pub(crate) log_fact: f64,
    names: Option<&'a [String]>,
}

impl<'a> Fitter<'a> {
    pub fn new(k: usize, counts: &'a [u64], names: Option<&'a [String]>) -> Self {
        let y: Vec<f64> = counts[1..].iter().map(|&c| c as f64).collect();
        let n_obs = y.iter().sum();
        let log_fact = y.iter().map(|&v| ln_factorial(v)).sum();
        let positive = (0..y.len()).filter(|&r| y[r] > 0.0).collect();
        Fitter {
            k,
            counts,
            y,
            positive,
            n_obs,
            log_fact,
            names,
        }
    }

    pub fn observed(&self) -> f64 {
        self.n_obs
    }

    fn cell_names(&self, cells: &[usize]) -> String {
        let v: Vec<String> = cells
            .iter()
            .take(6)
            .map(|&r| {
                let pat = r + 1;
                match self.names {
                    Some(names) => (0..self.k)
                        .filter(|i| pat & (1 << i) != 0)
                        .map(|i| names[i].as_str())
                        .collect::<Vec<_>>()
                        .join("+"),
                    None => format!("{pat:b}"),
                }
            })
            .collect();
        let more = if cells.len() > 6 {
            format!(" and {} more", cells.len() - 6)
        } else {
            String::new()
        };
        format!("{}{more}", v.join(", "))
    }

    /// Checks and fits one model; `warm` is a previous fit's linear predictor.
    pub fn fit(&self, model: Model, warm: Option<&[f64]>) -> Evaluated {
        let k = self.k;
        let n = self.y.len();
        let p = model.num_params(k);
        let params = p;
        let mut ev = Evaluated {
            model,
            verdict: Verdict::Ok,
            reason: None,
            params,
            loglik: f64::NEG_INFINITY,
            aic: f64::INFINITY,
            bic: f64::INFINITY,
            hidden: f64::NAN,
            eta: None,
        };
        // Fast path: if the design on the positive cells has full column rank there
        // is no direction of recession, and the model is estimable on every cell.
        let all_rows: Vec<usize> = (0..n).collect();
        let full = SparseDesign::from_model(model, k, &all_rows);
        let full_rank = full.clearly_full_rank_on(&self.positive);
        let (rows, cols, boundary) = if full_rank {
            (
                (0..n).collect::<Vec<_>>(),
                (0..p).collect::<Vec<_>>(),
                Vec::new(),
            )
        } else {
            let (x, _, _) = design(model, k);
            match check(&x, n, p, &self.y) {
                CheckVerdict::Ok {
                    rows,
                    cols,
                    boundary,
                } => (rows, cols, boundary),
                CheckVerdict::NotExist { to_infinity, cells } => {
                    ev.verdict = Verdict::MleDoesNotExist;
                    ev.reason = Some(if to_infinity {
                        format!(
                            "the likelihood keeps increasing as the hidden count goes to infinity \
                         while the fitted values of the empty cells {} go to zero",
                            self.cell_names(&cells)
                        )
                    } else {
                        format!(
                            "the likelihood keeps increasing as the hidden count goes to zero \
                         while the fitted values of the empty cells {} go to zero",
                            self.cell_names(&cells)
                        )
                    });
                    return ev;
                }
                CheckVerdict::NotIdentifiable { cells } => {
                    ev.verdict = Verdict::NotIdentifiable;
                    ev.reason = Some(if cells.is_empty() {
                        "the observed cells do not determine the hidden count (more parameters than the table supports)".to_string()
                    } else {
                        format!(
                        "with the empty cells {} fitted as zero, the remaining cells do not determine the hidden count",
                        self.cell_names(&cells)
                    )
                    });
                    return ev;
                }
            }
        };
        let xr = if cols.len() == p && rows.len() == n {
            full
        } else if cols.len() == p {
            full.subset_rows(&rows)
        } else {
            let (x, _, _) = design(model, k);
            SparseDesign::from_dense(&x, p, &rows, &cols)
        };
        let yr: Vec<f64> = rows.iter().map(|&r| self.y[r]).collect();
        let start: Option<Vec<f64>> = warm.map(|w| rows.iter().map(|&r| w[r]).collect());
        let Some(fit) = fit_poisson(&xr, &yr, None, start.as_deref()) else {
            ev.verdict = Verdict::NotConverged;
            ev.reason = Some("the normal equations became singular during fitting".into());
            return ev;
        };
        if !fit.converged {
            ev.verdict = Verdict::NotConverged;
            ev.reason = Some("iteratively reweighted least squares did not converge".into());
            return ev;
        }
        debug_assert_eq!(cols[0], 0, "the intercept is always kept");
        let loglik = fit.loglik_kernel - self.log_fact;
        ev.loglik = loglik;
        ev.aic = -2.0 * loglik + 2.0 * params as f64;
        ev.bic = -2.0 * loglik + params as f64 * self.n_obs.max(1.0).ln();
        ev.hidden = fit.beta[0].exp();
        let mut eta = vec![f64::NEG_INFINITY; n];
        for (i, &r) in rows.iter().enumerate() {
            eta[r] = fit.eta[i];
        }
        ev.eta = Some(eta);
        if !boundary.is_empty() {
            ev.reason = Some(format!(
                "boundary fit: the empty cells {} are fitted as zero (their interactions are at minus infinity)",
                self.cell_names(&boundary)
            ));
        }
        ev
    }

    /// Whether some person is on every list of `mask`.
    fn overlaps(&self, mask: usize) -> bool {
        self.counts
            .iter()
            .enumerate()
            .any(|(pat, &c)| pat & mask == mask && c > 0)
    }

    /// Interaction bits eligible for the search: pairs of lists that overlap
    /// (unless `include_nonoverlapping`).
    pub fn eligible(&self, include_nonoverlapping: bool) -> Vec<usize> {
        pairs(self.k)
            .into_iter()
            .enumerate()
            .filter(|&(_, (i, j))| include_nonoverlapping || self.overlaps((1 << i) | (1 << j)))
            .map(|(b, _)| b)
            .collect()
    }

    /// Triple bits eligible for the search (three-way models): the three lists
    /// share a person (unless `include_nonoverlapping`) and their pairs are eligible.
    fn eligible_triples(
        &self,
        pair_bits: &[usize],
        include_nonoverlapping: bool,
    ) -> Vec<(usize, [usize; 3])> {
        let k = self.k;
        triples(k)
            .into_iter()
            .enumerate()
            .filter_map(|(b, (i, j, l))| {
                let ps = [
                    pair_index(i, j, k),
                    pair_index(i, l, k),
                    pair_index(j, l, k),
                ];
                let ok = ps.iter().all(|p| pair_bits.contains(p))
                    && (include_nonoverlapping || self.overlaps((1 << i) | (1 << j) | (1 << l)));
                ok.then_some((b, ps))
            })
            .collect()
    }

    /// Runs the search; returns the evaluated models and the index of the best.
    pub fn search(&self, s: &SearchSettings) -> SearchOutcome {
        let eligible = self.eligible(s.include_nonoverlapping);
        let triples_ok = if s.max_order >= 3 {
            self.eligible_triples(&eligible, s.include_nonoverlapping)
        } else {
            Vec::new()
        };
        // All hierarchical models over the eligible terms, if there are few enough.
        let enumerate = |limit: usize| -> Option<Vec<Model>> {
            let m = eligible.len();
            if m >= 40 {
                return None;
            }
            let mut out = Vec::new();
            for sub in 0..(1u64 << m) {
                let mut mask = 0u64;
                for (b, &bit) in eligible.iter().enumerate() {
                    if sub & (1 << b) != 0 {
                        mask |= 1 << bit;
                    }
                }
                let allowed: Vec<usize> = triples_ok
                    .iter()
                    .filter(|(_, ps)| ps.iter().all(|&p| mask & (1 << p) != 0))
                    .map(|(b, _)| *b)
                    .collect();
                if allowed.len() >= 20 {
                    return None;
                }
                for tsub in 0..(1u32 << allowed.len()) {
                    let mut t = 0u128;
                    for (b, &bit) in allowed.iter().enumerate() {
                        if tsub & (1 << b) != 0 {
                            t |= 1 << bit;
                        }
                    }
                    out.push(Model {
                        interactions: mask,
                        triples: t,
                    });
                    if out.len() > limit {
                        return None;
                    }
                }
            }
            Some(out)
        };
        let models = match s.strategy {
            SearchStrategy::Exhaustive => enumerate(usize::MAX),
            SearchStrategy::Stepwise => None,
            SearchStrategy::Auto => enumerate(s.exhaustive_limit),
        };
        let exhaustive = models.is_some();
        let mut evaluated: Vec<Evaluated> = Vec::new();
        let mut seen: HashMap<Model, usize> = HashMap::new();
        if let Some(models) = models {
            for model in models {
                // Warm start from a parent: drop the lowest triple, else the lowest pair.
                let parent = if model.triples != 0 {
                    Model {
                        triples: model.triples & (model.triples - 1),
                        ..model
                    }
                } else {
                    Model {
                        interactions: model.interactions & model.interactions.wrapping_sub(1),
                        triples: 0,
                    }
                };
                let warm = if model == Model::MAIN_EFFECTS {
                    None
                } else {
                    seen.get(&parent).and_then(|&i| evaluated[i].eta.as_deref())
                };
                let ev = self.fit(model, warm);
                seen.insert(model, evaluated.len());
                evaluated.push(ev);
            }
        } else {
            let mut current = self.fit(Model::MAIN_EFFECTS, None);
            seen.insert(Model::MAIN_EFFECTS, 0);
            evaluated.push(current.clone());
            loop {
                let cur_crit = current.criterion(s.criterion);
                let cm = current.model;
                // Neighbours: toggle one pair (not removing a pair a triple needs),
                // toggle one triple (only adding it with its three pairs).
                let mut moves: Vec<Model> = Vec::new();
                for &bit in &eligible {
                    let removing = cm.interactions & (1 << bit) != 0;
                    if removing
                        && triples_ok
                            .iter()
                            .any(|(t, ps)| cm.triples & (1 << t) != 0 && ps.contains(&bit))
                    {
                        continue;
                    }
                    moves.push(Model {
                        interactions: cm.interactions ^ (1 << bit),
                        ..cm
                    });
                }
                for (t, ps) in &triples_ok {
                    let present = cm.triples & (1 << t) != 0;
                    if present || ps.iter().all(|&p| cm.interactions & (1 << p) != 0) {
                        moves.push(Model {
                            triples: cm.triples ^ (1 << t),
                            ..cm
                        });
                    }
                }
                let mut best: Option<usize> = None;
                let mut best_crit = cur_crit;
                for model in moves {
                    let idx = match seen.get(&model) {
                        Some(&i) => i,
                        None => {
                            let ev = self.fit(model, current.eta.as_deref());
                            evaluated.push(ev);
                            seen.insert(model, evaluated.len() - 1);
                            evaluated.len() - 1
                        }
                    };
                    let c = evaluated[idx].criterion(s.criterion);
                    if c < best_crit - 1e-9 {
                        best_crit = c;
                        best = Some(idx);
                    }
                }
                match best {
                    Some(i) => current = evaluated[i].clone(),
                    None => break,
                }
            }
        }
        let best = best_index(&evaluated, s.criterion);
        SearchOutcome {
            evaluated,
            best,
            exhaustive,
        }
    }
}

/// Lowest criterion among the `Ok` models; ties go to the model with fewer parameters.
fn best_index(evaluated: &[Evaluated], c: Criterion) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, e) in evaluated.iter().enumerate() {
        if e.verdict != Verdict::Ok || !e.criterion(c).is_finite() {
            continue;
        }
        best = match best {
            None => Some(i),
            Some(b) => {
                let (cb, ci) = (evaluated[b].criterion(c), e.criterion(c));
                if ci < cb - 1e-9 || ((ci - cb).abs() <= 1e-9 && e.params < evaluated[b].params) {
                    Some(i)
                } else {
                    Some(b)
                }
            }
        };
    }
    best
}

pub(crate) struct SearchOutcome {
    pub evaluated: Vec<Evaluated>,
    pub best: Option<usize>,
    pub exhaustive: bool,
}
