//! Poisson log-linear regression by iteratively reweighted least squares (IRLS)
//! with safeguards: step halving when the deviance rises, a cap on the linear
//! predictor so fitted values can neither overflow nor underflow to zero, a
//! relative-deviance convergence test and an iteration limit.

use crate::linalg::cholesky_solve;

const MAX_ITER: usize = 100;
const MAX_HALVINGS: usize = 40;
const ETA_MAX: f64 = 700.0;
/// Relative change of the deviance at which IRLS stops (R's `glm` uses 1e-8).
const TOL: f64 = 1e-9;

#[derive(Debug, Clone)]
pub(crate) struct GlmFit {
    pub beta: Vec<f64>,
    pub eta: Vec<f64>,
    /// `sum y log(mu) - mu` (the log-likelihood without `-log y!`).
    pub loglik_kernel: f64,
    pub converged: bool,
}

/// A 0/1 design matrix stored by rows as the indices of its non-zero columns.
pub(crate) struct SparseDesign {
    pub p: usize,
    ptr: Vec<usize>,
    idx: Vec<usize>,
}

impl SparseDesign {
    /// From the rows `rows` and columns `cols` of a dense `? x p_full` 0/1 matrix.
    pub fn from_dense(x: &[f64], p_full: usize, rows: &[usize], cols: &[usize]) -> SparseDesign {
        let mut ptr = Vec::with_capacity(rows.len() + 1);
        let mut idx = Vec::new();
        ptr.push(0);
        for &r in rows {
            for (j, &c) in cols.iter().enumerate() {
                if x[r * p_full + c] != 0.0 {
                    debug_assert_eq!(x[r * p_full + c], 1.0);
                    idx.push(j);
                }
            }
            ptr.push(idx.len());
        }
        SparseDesign {
            p: cols.len(),
            ptr,
            idx,
        }
    }

    /// All columns of `model` on the given cells.
    pub fn from_model(model: crate::model::Model, k: usize, rows: &[usize]) -> SparseDesign {
        let (ptr, idx, p) = crate::model::design_sparse(model, k, rows);
        SparseDesign { p, ptr, idx }
    }

    /// The same design restricted to some rows (indices into this design's rows).
    pub fn subset_rows(&self, rows: &[usize]) -> SparseDesign {
        let mut ptr = Vec::with_capacity(rows.len() + 1);
        let mut idx = Vec::new();
        ptr.push(0);
        for &r in rows {
            idx.extend_from_slice(self.row(r));
            ptr.push(idx.len());
        }
        SparseDesign {
            p: self.p,
            ptr,
            idx,
        }
    }

    /// Whether the rows `rows` have full column rank, tested through the Cholesky
    /// decomposition of their Gram matrix with a strict pivot threshold: only a
    /// clear "yes" is trusted (a "no" goes to the exact check by row reduction).
    pub fn clearly_full_rank_on(&self, rows: &[usize]) -> bool {
        let p = self.p;
        if rows.len() < p {
            return false;
        }
        let mut g = vec![0.0; p * p];
        for &r in rows {
            let nz = self.row(r);
            for (ia, &a) in nz.iter().enumerate() {
                for &b in &nz[..=ia] {
                    g[a * p + b] += 1.0;
                }
            }
        }
        for a in 0..p {
            for b in 0..a {
                g[b * p + a] = g[a * p + b];
            }
        }
        crate::linalg::cholesky_is_clearly_pd(&mut g, p)
    }

    pub fn n(&self) -> usize {
        self.ptr.len() - 1
    }

    fn row(&self, r: usize) -> &[usize] {
        &self.idx[self.ptr[r]..self.ptr[r + 1]]
    }
}

/// `sum y log(mu) - mu` and the deviance, from the linear predictor; fills `mu`.
fn evaluate(y: &[f64], ylogy: &[f64], eta: &[f64], mu: &mut [f64]) -> (f64, f64) {
    let mut kernel = 0.0;
    let mut dev = 0.0;
    for i in 0..y.len() {
        let m = eta[i].exp();
        mu[i] = m;
        kernel += y[i] * eta[i] - m;
        dev += ylogy[i] - y[i] * eta[i] - (y[i] - m);
    }
    (kernel, 2.0 * dev)
}

fn linear_predictor(x: &SparseDesign, beta: &[f64], offset: Option<&[f64]>, eta: &mut [f64]) {
    for (r, e) in eta.iter_mut().enumerate() {
        let mut s = offset.map_or(0.0, |o| o[r]);
        for &j in x.row(r) {
            s += beta[j];
        }
        *e = s.clamp(-ETA_MAX, ETA_MAX);
    }
}

/// Fits `log E[y] = X beta + offset` for a 0/1 design with independent columns.
/// `start` optionally gives a starting linear predictor (warm start); otherwise
/// `log(y + 0.1)` as in R. Returns `None` if the normal equations become singular.
pub(crate) fn fit_poisson(
    x: &SparseDesign,
    y: &[f64],
    offset: Option<&[f64]>,
    start: Option<&[f64]>,
) -> Option<GlmFit> {
    let n = x.n();
    let p = x.p;
    debug_assert_eq!(y.len(), n);
    let ylogy: Vec<f64> = y
        .iter()
        .map(|&v| if v > 0.0 { v * v.ln() } else { 0.0 })
        .collect();
    let mut eta: Vec<f64> = match start {
        Some(s) => s
            .iter()
            .zip(y)
            .map(|(&e, &yi)| {
                if e.is_finite() {
                    e.clamp(-ETA_MAX, ETA_MAX)
                } else {
                    (yi + 0.1).ln()
                }
            })
            .collect(),
        None => y.iter().map(|&yi| (yi + 0.1).ln()).collect(),
    };
    let mut mu = vec![0.0; n];
    let mut mu_new = vec![0.0; n];
    let mut beta = vec![0.0; p];
    let mut beta_new = vec![0.0; p];
    let mut eta_new = vec![0.0; n];
    let mut xtwx = vec![0.0; p * p];
    let mut xtwz = vec![0.0; p];
    let (mut kernel, mut dev) = evaluate(y, &ylogy, &eta, &mut mu);
    let mut have_beta = false;
    let mut converged = false;
    for _ in 0..MAX_ITER {
        xtwx.iter_mut().for_each(|v| *v = 0.0);
        xtwz.iter_mut().for_each(|v| *v = 0.0);
        for r in 0..n {
            let w = mu[r].max(1e-300);
            let off = offset.map_or(0.0, |o| o[r]);
            let wz = w * (eta[r] - off) + (y[r] - mu[r]);
            let row = x.row(r);
            for (ia, &a) in row.iter().enumerate() {
                xtwz[a] += wz;
                for &b in &row[..=ia] {
                    // Column indices are increasing, so b <= a: lower triangle.
                    xtwx[a * p + b] += w;
                }
            }
        }
        for a in 0..p {
            for b in 0..a {
                xtwx[b * p + a] = xtwx[a * p + b];
            }
        }
        beta_new.copy_from_slice(&xtwz);
        if !cholesky_solve(&mut xtwx, &mut beta_new, p) {
            return None;
        }
        linear_predictor(x, &beta_new, offset, &mut eta_new);
        let (mut kernel_new, mut dev_new) = evaluate(y, &ylogy, &eta_new, &mut mu_new);
        // Step halving: never accept a step that increases the deviance.
        if have_beta {
            let mut h = 0;
            while !(dev_new.is_finite() && dev_new <= dev + 1e-12 * dev.abs() + 1e-12)
                && h < MAX_HALVINGS
            {
                for (bn, &b) in beta_new.iter_mut().zip(&beta) {
                    *bn = 0.5 * (*bn + b);
                }
                linear_predictor(x, &beta_new, offset, &mut eta_new);
                (kernel_new, dev_new) = evaluate(y, &ylogy, &eta_new, &mut mu_new);
                h += 1;
            }
            if !dev_new.is_finite() {
                return None;
            }
        }
        let change = (dev_new - dev).abs() / (dev_new.abs() + 0.1);
        std::mem::swap(&mut beta, &mut beta_new);
        std::mem::swap(&mut eta, &mut eta_new);
        std::mem::swap(&mut mu, &mut mu_new);
        let was = have_beta;
        have_beta = true;
        dev = dev_new;
        kernel = kernel_new;
        if was && change < TOL {
            converged = true;
            break;
        }
    }
    // A diverging fit (estimates running off to the cap) is not converged.
    if beta.iter().any(|b| !b.is_finite() || b.abs() > 200.0) {
        converged = false;
    }
    Some(GlmFit {
        beta,
        eta,
        loglik_kernel: kernel,
        converged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_regression_matches_closed_form() {
        // Two lists, main effects: Lincoln-Petersen. n10 = 60, n01 = 40, n11 = 20.
        // Fitted exactly; hidden cell = n10 * n01 / n11 = 120.
        let x = [1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0];
        let y = [60.0, 40.0, 20.0];
        let d = SparseDesign::from_dense(&x, 3, &[0, 1, 2], &[0, 1, 2]);
        let f = fit_poisson(&d, &y, None, None).unwrap();
        assert!(f.converged);
        assert!(
            (f.beta[0].exp() - 120.0).abs() < 1e-6,
            "{}",
            f.beta[0].exp()
        );
    }
}
