//! Simulation study: draw populations of known size under list dependence that
//! the log-linear models can represent, estimate each, and measure how often the
//! interval covers the truth. Used by `examples/simulate.rs` and by a test.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::{estimate, CaptureTable, MseOptions};

/// A population model: `N` persons, each on list `i` with log-odds `main[i]`
/// under independence, with two-way log-linear interactions `(i, j, lambda)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub name: String,
    pub population: u64,
    pub main: Vec<f64>,
    pub interactions: Vec<(usize, usize, f64)>,
}

impl Scenario {
    /// Probability of each capture pattern `0..2^k` (pattern 0 = on no list).
    pub fn cell_probabilities(&self) -> Vec<f64> {
        let k = self.main.len();
        let mut w: Vec<f64> = (0..1usize << k)
            .map(|pat| {
                let mut s = 0.0;
                for (i, &a) in self.main.iter().enumerate() {
                    if pat & (1 << i) != 0 {
                        s += a;
                    }
                }
                for &(i, j, l) in &self.interactions {
                    if pat & (1 << i) != 0 && pat & (1 << j) != 0 {
                        s += l;
                    }
                }
                s.exp()
            })
            .collect();
        let total: f64 = w.iter().sum();
        w.iter_mut().for_each(|v| *v /= total);
        w
    }

    /// Draws one population and returns its observed capture table.
    pub fn draw(&self, rng: &mut ChaCha8Rng) -> Option<CaptureTable> {
        let k = self.main.len();
        let probs = self.cell_probabilities();
        let mut cum = Vec::with_capacity(probs.len());
        let mut acc = 0.0;
        for p in &probs {
            acc += p;
            cum.push(acc);
        }
        let mut counts = vec![0u64; probs.len()];
        for _ in 0..self.population {
            let u: f64 = rng.random::<f64>() * acc;
            let cell = cum.partition_point(|&c| c < u).min(probs.len() - 1);
            counts[cell] += 1;
        }
        let lists: Vec<String> = (0..k)
            .map(|i| ((b'A' + i as u8) as char).to_string())
            .collect();
        let patterns: Vec<(u32, u64)> = (1..counts.len())
            .filter(|&p| counts[p] > 0)
            .map(|p| (p as u32, counts[p]))
            .collect();
        CaptureTable::from_patterns(lists, &patterns).ok()
    }
}

/// Outcome of a study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyResult {
    pub scenario: String,
    pub populations: usize,
    /// Populations where an estimate was produced.
    pub estimated: usize,
    /// Share of all populations whose interval covered the true size (a refusal
    /// counts as not covering).
    pub coverage: f64,
    /// Same for the percentile bootstrap interval.
    pub coverage_percentile: f64,
    /// Same for the profile-likelihood interval (conditional on the selected model).
    pub coverage_profile: f64,
    /// Mean of (estimate - N) / N.
    pub mean_relative_error: f64,
    /// Mean of |estimate - N| / N.
    pub mean_absolute_relative_error: f64,
    /// Median of interval width / N.
    pub median_relative_width: f64,
}

/// Runs `populations` draws of the scenario; population `i` uses stream `i` of
/// ChaCha8 seeded with `seed`, and its bootstrap uses seed `seed + i`.
pub fn run_study(s: &Scenario, populations: usize, seed: u64, opts: &MseOptions) -> StudyResult {
    let n = s.population as f64;
    let mut covered = 0usize;
    let mut covered_pct = 0usize;
    let mut covered_prof = 0usize;
    let mut estimated = 0usize;
    let mut rel = 0.0;
    let mut abs_rel = 0.0;
    let mut widths = Vec::new();
    for i in 0..populations {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(i as u64);
        let Some(table) = s.draw(&mut rng) else {
            continue;
        };
        let o = MseOptions {
            seed: seed.wrapping_add(i as u64),
            ..opts.clone()
        };
        let Ok(r) = estimate(&table, &o) else {
            continue;
        };
        estimated += 1;
        if r.ci_low <= n && n <= r.ci_high {
            covered += 1;
        }
        if let Some(b) = &r.bootstrap {
            if b.percentile.low <= n && n <= b.percentile.high {
                covered_pct += 1;
            }
        }
        if let Some(p) = &r.profile_interval {
            if p.low <= n && n <= p.high {
                covered_prof += 1;
            }
        }
        rel += (r.estimate - n) / n;
        abs_rel += (r.estimate - n).abs() / n;
        widths.push((r.ci_high - r.ci_low) / n);
    }
    widths.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let m = estimated.max(1) as f64;
    StudyResult {
        scenario: s.name.clone(),
        populations,
        estimated,
        coverage: covered as f64 / populations as f64,
        coverage_percentile: covered_pct as f64 / populations as f64,
        coverage_profile: covered_prof as f64 / populations as f64,
        mean_relative_error: rel / m,
        mean_absolute_relative_error: abs_rel / m,
        median_relative_width: widths.get(widths.len() / 2).copied().unwrap_or(f64::NAN),
    }
}

/// The scenarios of the simulation study in STATISTICS.md.
pub fn standard_scenarios() -> Vec<Scenario> {
    let logit = |p: f64| (p / (1.0 - p)).ln();
    vec![
        Scenario {
            name: "4 lists, N = 2000, capture 8-20%, positive A:B and negative C:D dependence"
                .into(),
            population: 2000,
            main: vec![logit(0.10), logit(0.15), logit(0.08), logit(0.20)],
            interactions: vec![(0, 1, 1.0), (2, 3, -0.7)],
        },
        Scenario {
            name: "5 lists, N = 3000, capture 5-10% (sparse), A:B, B:C and D:E dependence".into(),
            population: 3000,
            main: vec![
                logit(0.08),
                logit(0.06),
                logit(0.10),
                logit(0.05),
                logit(0.07),
            ],
            interactions: vec![(0, 1, 1.2), (1, 2, 0.8), (3, 4, -0.5)],
        },
    ]
}
