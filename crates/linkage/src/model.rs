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

fn normalise(v: &mut [f64]) {
    let s: f64 = v.iter().sum();
    if s > 0.0 {
        for x in v.iter_mut() {
            *x /= s;
        }
    }
}
