//! Bootstrap intervals that include model-selection uncertainty: every replicate
//! repeats the whole model search.
//!
//! Resampling is that of SparseMSE (Chan, Silverman & Vincent 2021): each
//! observed count is redrawn as Poisson with mean the observed count (so the
//! number of persons observed varies too, as it does in reality). The interval is
//! the bias-corrected and accelerated (BCa) percentile interval of Efron (1987),
//! with the acceleration estimated by the jackknife over persons (one person
//! removed from each observed cell in turn, the model search repeated). The plain
//! percentile interval is reported beside it.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson};
use rayon::prelude::*;

use crate::model::Model;
use crate::search::{Fitter, SearchSettings};
use crate::stats::{normal_cdf, normal_quantile, quantile_sorted};

/// Total population estimate (observed + hidden) after a full model search, with
/// the selected model; `None` when no model is estimable.
pub(crate) fn search_total(k: usize, counts: &[u64], s: &SearchSettings) -> Option<(f64, Model)> {
    let f = Fitter::new(k, counts, None);
    let out = f.search(s);
    let b = out.best?;
    let e = &out.evaluated[b];
    Some((f.observed() + e.hidden, e.model))
}

pub(crate) struct BootstrapOutcome {
    /// Sorted totals; a replicate with no estimable model counts as +infinity.
    pub totals: Vec<f64>,
    pub failures: usize,
    /// How often each model was selected.
    pub model_counts: Vec<(Model, usize)>,
}

/// Draws `reps` Poisson resamples of the table and repeats the search on each.
/// Replicate `b` uses ChaCha8 seeded with `seed` on stream `b`, so results do not
/// depend on the number of threads.
pub(crate) fn bootstrap(
    k: usize,
    counts: &[u64],
    s: &SearchSettings,
    reps: usize,
    seed: u64,
) -> BootstrapOutcome {
    let results: Vec<Option<(f64, Model)>> = (0..reps)
        .into_par_iter()
        .map(|b| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(b as u64);
            let resampled: Vec<u64> = counts
                .iter()
                .map(|&c| {
                    if c == 0 {
                        0
                    } else {
                        // Poisson::new only fails for a non-positive or non-finite mean.
                        let d = Poisson::new(c as f64).expect("positive mean");
                        let v: f64 = d.sample(&mut rng);
                        v as u64
                    }
                })
                .collect();
            if resampled.iter().all(|&c| c == 0) {
                return None;
            }
            search_total(k, &resampled, s)
        })
        .collect();
    let mut totals = Vec::with_capacity(reps);
    let mut failures = 0;
    let mut model_counts: Vec<(Model, usize)> = Vec::new();
    for r in results {
        match r {
            Some((t, m)) if t.is_finite() => {
                totals.push(t);
                match model_counts.iter_mut().find(|(mm, _)| *mm == m) {
                    Some((_, c)) => *c += 1,
                    None => model_counts.push((m, 1)),
                }
            }
            _ => {
                totals.push(f64::INFINITY);
                failures += 1;
            }
        }
    }
    totals.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    model_counts.sort_by_key(|m| std::cmp::Reverse(m.1));
    BootstrapOutcome {
        totals,
        failures,
        model_counts,
    }
}

/// Jackknife acceleration: removes one person from each observed cell in turn.
/// Returns `None` if any deletion leaves no estimable model.
pub(crate) fn acceleration(k: usize, counts: &[u64], s: &SearchSettings) -> Option<f64> {
    let cells: Vec<usize> = (1..counts.len()).filter(|&p| counts[p] > 0).collect();
    let thetas: Vec<Option<f64>> = cells
        .par_iter()
        .map(|&p| {
            let mut c = counts.to_vec();
            c[p] -= 1;
            if c.iter().all(|&v| v == 0) {
                return None;
            }
            search_total(k, &c, s)
                .map(|(t, _)| t)
                .filter(|t| t.is_finite())
        })
        .collect();
    let mut n = 0.0;
    let mut mean = 0.0;
    for (&p, t) in cells.iter().zip(&thetas) {
        let w = counts[p] as f64;
        n += w;
        mean += w * (*t)?;
    }
    mean /= n;
    let (mut s2, mut s3) = (0.0, 0.0);
    for (&p, t) in cells.iter().zip(&thetas) {
        let w = counts[p] as f64;
        let d = mean - t.unwrap_or(mean);
        s2 += w * d * d;
        s3 += w * d * d * d;
    }
    if s2 <= 0.0 {
        return Some(0.0);
    }
    Some(s3 / (6.0 * s2.powf(1.5)))
}

/// Percentile interval at confidence `conf`.
pub(crate) fn percentile_interval(sorted: &[f64], conf: f64) -> (f64, f64) {
    let a = (1.0 - conf) / 2.0;
    (quantile_sorted(sorted, a), quantile_sorted(sorted, 1.0 - a))
}

/// BCa interval at confidence `conf` for point estimate `theta` and acceleration `acc`.
pub(crate) fn bca_interval(sorted: &[f64], theta: f64, acc: f64, conf: f64) -> (f64, f64) {
    let b = sorted.len() as f64;
    let below = sorted.iter().filter(|&&t| t < theta).count() as f64;
    let equal = sorted.iter().filter(|&&t| t == theta).count() as f64;
    // Proportion below, ties split; kept away from 0 and 1 so z0 stays finite.
    let prop = ((below + 0.5 * equal) / b).clamp(0.5 / b, 1.0 - 0.5 / b);
    let z0 = normal_quantile(prop);
    let a = (1.0 - conf) / 2.0;
    let adj = |z: f64| {
        let num = z0 + z;
        let denom = 1.0 - acc * num;
        if denom <= 0.0 {
            // Acceleration too large for this tail: fall back to the extreme.
            return if num > 0.0 { 1.0 } else { 0.0 };
        }
        normal_cdf(z0 + num / denom)
    };
    let lo = adj(normal_quantile(a));
    let hi = adj(normal_quantile(1.0 - a));
    (quantile_sorted(sorted, lo), quantile_sorted(sorted, hi))
}
