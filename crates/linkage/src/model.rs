//! The Fellegi–Sunter model: agreement patterns, m and u probabilities,
//! EM estimation without labels, match weights and posterior probabilities.

use serde::Serialize;

/// Bits per field in a packed agreement pattern.
pub const BITS: u32 = 3;
/// Level code meaning "missing on at least one side" (no evidence).
pub const MISSING: u8 = 7;

/// Reads level of field `f` from a packed pattern.
#[inline]
pub fn level(p: u64, f: usize) -> u8 {
    ((p >> (BITS as usize * f)) & 7) as u8
}

/// Packs levels into a pattern.
#[inline]
pub fn pack(levels: impl IntoIterator<Item = Option<u8>>) -> u64 {
    let mut p = 0u64;
    for (f, l) in levels.into_iter().enumerate() {
        p |= u64::from(l.unwrap_or(MISSING)) << (BITS as usize * f);
    }
    p
}

/// Estimated model.
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    /// Levels per field.
    pub n_levels: Vec<u8>,
    /// m[f][l] = P(level l on field f | match).
    pub m: Vec<Vec<f64>>,
    /// u[f][l] = P(level l on field f | non-match).
    pub u: Vec<Vec<f64>>,
    /// Prior proportion of matches among candidate pairs.
    pub lambda: f64,
    /// EM iterations run.
    pub iterations: usize,
}

impl Model {
    /// Starting values: m falls geometrically with the level, u uniform.
    pub fn initial(n_levels: &[u8]) -> Self {
        let m = n_levels
            .iter()
            .map(|&n| {
                let mut v: Vec<f64> = (0..n).map(|l| 0.1f64.powi(i32::from(l))).collect();
                normalise(&mut v);
                v
            })
            .collect();
        let u = n_levels.iter().map(|&n| vec![1.0 / f64::from(n); n as usize]).collect();
        Model { n_levels: n_levels.to_vec(), m, u, lambda: 0.01, iterations: 0 }
    }

    /// log2 Bayes factor of a pattern (the match weight without the prior).
    pub fn weight(&self, p: u64) -> f64 {
        let mut w = 0.0;
        for f in 0..self.n_levels.len() {
            let l = level(p, f);
            if l != MISSING {
                w += (self.m[f][l as usize] / self.u[f][l as usize]).log2();
            }
        }
        w
    }

    /// Posterior match probability of a pattern.
    pub fn probability(&self, p: u64) -> f64 {
        let prior = (self.lambda / (1.0 - self.lambda)).log2();
        let w = self.weight(p) + prior;
        1.0 / (1.0 + (-w).exp2())
    }

    /// Sets u from counts of patterns among random pairs (nearly all non-matches).
    pub fn set_u_from_counts(&mut self, counts: &[(u64, u64)]) {
        for f in 0..self.n_levels.len() {
            let n = self.n_levels[f] as usize;
            let mut c = vec![0.5f64; n];
            for &(p, k) in counts {
                let l = level(p, f);
                if l != MISSING {
                    c[l as usize] += k as f64;
                }
            }
            normalise(&mut c);
            self.u[f] = c;
        }
    }

    /// Sets m from counts of patterns among known matches.
    pub fn set_m_from_counts(&mut self, counts: &[(u64, u64)]) {
        for f in 0..self.n_levels.len() {
            let n = self.n_levels[f] as usize;
            let mut c = vec![0.5f64; n];
            for &(p, k) in counts {
                let l = level(p, f);
                if l != MISSING {
                    c[l as usize] += k as f64;
                }
            }
            normalise(&mut c);
            self.m[f] = c;
        }
    }

    /// EM on the pattern counts of the candidate pairs. `fit_m`/`fit_u` say
    /// which parameters are updated; λ is always updated.
    pub fn em(&mut self, counts: &[(u64, u64)], max_iter: usize, fit_m: bool, fit_u: bool) {
        let nf = self.n_levels.len();
        let total: f64 = counts.iter().map(|c| c.1 as f64).sum();
        if total == 0.0 {
            return;
        }
        for it in 0..max_iter {
            let mut mc: Vec<Vec<f64>> = self.n_levels.iter().map(|&n| vec![1e-3; n as usize]).collect();
            let mut uc: Vec<Vec<f64>> = self.n_levels.iter().map(|&n| vec![1e-3; n as usize]).collect();
            let mut matches = 0.0;
            for &(p, k) in counts {
                let g = self.probability(p);
                let k = k as f64;
                matches += g * k;
                for f in 0..nf {
                    let l = level(p, f);
                    if l != MISSING {
                        mc[f][l as usize] += g * k;
                        uc[f][l as usize] += (1.0 - g) * k;
                    }
                }
            }
            let new_lambda = (matches / total).clamp(1e-9, 1.0 - 1e-9);
            let mut delta = (new_lambda - self.lambda).abs();
            self.lambda = new_lambda;
            for f in 0..nf {
                if fit_m && fit_u {
                    normalise(&mut mc[f]);
                    normalise(&mut uc[f]);
                    monotone_ratio(&mut mc[f], &uc[f]);
                }
                if fit_m {
                    normalise(&mut mc[f]);
                    for (a, b) in self.m[f].iter_mut().zip(&mc[f]) {
                        delta = delta.max((*a - b).abs());
                        *a = *b;
                    }
                }
                if fit_u {
                    normalise(&mut uc[f]);
                    for (a, b) in self.u[f].iter_mut().zip(&uc[f]) {
                        delta = delta.max((*a - b).abs());
                        *a = *b;
                    }
                }
            }
            self.iterations = it + 1;
            if delta < 1e-7 {
                break;
            }
        }
    }
}

impl Model {
    /// EM in two stages. Fields marked `weak` (agreement common among random
    /// pairs, e.g. sex or citizenship) carry little evidence each, but together
    /// they let EM build a latent class of "similar people" (same sex, same
    /// citizenship, similar names) that beats the class of true matches on a
    /// small list. Stage 1 fits the classes on the strong fields only; stage 2
    /// takes the weak fields' m and u from stage 1's posteriors (one M-step),
    /// so they sharpen the decision without choosing the classes.
    pub fn em_staged(&mut self, counts: &[(u64, u64)], max_iter: usize, weak: &[bool]) {
        let nf = self.n_levels.len();
        if !weak.iter().any(|&w| w) || weak.iter().all(|&w| w) {
            self.em(counts, max_iter, true, true);
            return;
        }
        let mask = |p: u64| -> u64 {
            let mut q = p;
            for (f, _) in weak.iter().enumerate().filter(|w| *w.1) {
                q |= u64::from(MISSING) << (BITS as usize * f);
            }
            q
        };
        let mut strong: std::collections::HashMap<u64, u64> = std::collections::HashMap::new();
        for &(p, k) in counts {
            *strong.entry(mask(p)).or_insert(0) += k;
        }
        let strong: Vec<(u64, u64)> = strong.into_iter().collect();
        self.em(&strong, max_iter, true, true);
        let mut mc: Vec<Vec<f64>> = self.n_levels.iter().map(|&n| vec![0.5; n as usize]).collect();
        let mut uc = mc.clone();
        for &(p, k) in counts {
            let g = self.probability(mask(p));
            let k = k as f64;
            for f in (0..nf).filter(|&f| weak[f]) {
                let l = level(p, f);
                if l != MISSING {
                    mc[f][l as usize] += g * k;
                    uc[f][l as usize] += (1.0 - g) * k;
                }
            }
        }
        for f in (0..nf).filter(|&f| weak[f]) {
            normalise(&mut mc[f]);
            normalise(&mut uc[f]);
            monotone_ratio(&mut mc[f], &uc[f]);
            self.m[f] = mc[f].clone();
            self.u[f] = uc[f].clone();
        }
    }
}

/// Guard on the latent classes: a closer agreement level must never be less
/// evidence for a match than a looser one, i.e. `m[l]/u[l]` does not increase
/// with the level. Levels that violate it are pooled (pool-adjacent-violators
/// on the ratio, weighted by u): within a pooled run m is set proportional to
/// u, which keeps the sums of m and u. Without the guard, EM on a small hard
/// list can settle on a "match" class that disagrees more than the other
/// (e.g. a disagreeing name taken as evidence for a match).
pub fn monotone_ratio(m: &mut [f64], u: &[f64]) {
    // Runs of levels: (start, end, sum m, sum u).
    let mut runs: Vec<(usize, usize, f64, f64)> = Vec::with_capacity(m.len());
    for l in 0..m.len() {
        runs.push((l, l + 1, m[l], u[l]));
        while runs.len() >= 2 {
            let b = runs[runs.len() - 1];
            let a = runs[runs.len() - 2];
            // Violation: ratio of the later run above the earlier one's.
            if b.2 * a.3 > a.2 * b.3 {
                runs.pop();
                let last = runs.len() - 1;
                runs[last] = (a.0, b.1, a.2 + b.2, a.3 + b.3);
            } else {
                break;
            }
        }
    }
    for (s, e, ms, us) in runs {
        if e - s > 1 && us > 0.0 {
            for l in s..e {
                m[l] = ms * u[l] / us;
            }
        }
    }
}

fn normalise(v: &mut [f64]) {
    let s: f64 = v.iter().sum();
    if s > 0.0 {
        for x in v.iter_mut() {
            *x /= s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotone_ratio_pools_violators() {
        // Level 2 (looser) has a higher ratio than level 1: pooled.
        let u = [0.01, 0.2, 0.1, 0.69];
        let mut m = [0.5, 0.1, 0.3, 0.1];
        monotone_ratio(&mut m, &u);
        let r: Vec<f64> = m.iter().zip(&u).map(|(a, b)| a / b).collect();
        assert!(r.windows(2).all(|w| w[0] >= w[1] - 1e-12), "{r:?}");
        assert!((m.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // Already monotone: unchanged.
        let mut m2 = [0.8, 0.1, 0.05, 0.05];
        monotone_ratio(&mut m2, &u);
        assert_eq!(m2, [0.8, 0.1, 0.05, 0.05]);
    }

    #[test]
    fn staged_em_ignores_a_weak_field_when_choosing_classes() {
        // Field 0: a name (0 agree, 1 disagree); field 1: sex (0 agree, 1 disagree).
        // 50 true matches agree on both; 2,000 non-matches disagree on the name,
        // of which those of one sex form a large "similar people" group.
        let p = |a: u8, b: u8| pack([Some(a), Some(b)]);
        let counts = vec![(p(0, 0), 50), (p(1, 0), 1_000), (p(1, 1), 1_000), (p(0, 1), 2)];
        let mut model = Model::initial(&[2, 2]);
        model.u = vec![vec![0.001, 0.999], vec![0.5, 0.5]];
        model.em_staged(&counts, 200, &[false, true]);
        assert!(model.probability(p(0, 0)) > 0.9);
        assert!(model.probability(p(1, 0)) < 0.1);
        assert!((model.lambda - 52.0 / 2052.0).abs() < 0.01, "{}", model.lambda);
    }
}
