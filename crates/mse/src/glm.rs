//! Poisson log-linear regression by iteratively reweighted least squares (IRLS)
//! with safeguards: step halving when the deviance rises, a cap on the linear
//! predictor so fitted values can neither overflow nor underflow to zero, a
//! relative-deviance convergence test and an iteration limit.

use crate::linalg::cholesky_solve;

const MAX_ITER: usize = 100;
const MAX_HALVINGS: usize = 40;
const ETA_MAX: f64 = 700.0;
/// Relative change of the deviance at which IRLS stops (R's `glm` uses 1e-8).
const TOL: f64 = 1e-10;

#[derive(Debug, Clone)]
pub(crate) struct GlmFit {
    pub beta: Vec<f64>,
    pub eta: Vec<f64>,
    /// `sum y log(mu) - mu` (the log-likelihood without `-log y!`).
    pub loglik_kernel: f64,
    pub converged: bool,
}

fn deviance(y: &[f64], eta: &[f64]) -> f64 {
    let mut d = 0.0;
    for (&yi, &ei) in y.iter().zip(eta) {
        let mu = ei.exp();
        if yi > 0.0 {
            d += yi * (yi.ln() - ei) - (yi - mu);
        } else {
            d += mu;
        }
    }
    2.0 * d
}

fn linear_predictor(x: &[f64], p: usize, beta: &[f64], offset: Option<&[f64]>, eta: &mut [f64]) {
    for (r, e) in eta.iter_mut().enumerate() {
        let row = &x[r * p..(r + 1) * p];
        let mut s = offset.map_or(0.0, |o| o[r]);
        for (a, b) in row.iter().zip(beta) {
            s += a * b;
        }
        *e = s.clamp(-ETA_MAX, ETA_MAX);
    }
}

/// Fits `log E[y] = X beta + offset`. `x` is `n x p` row-major with independent
/// columns. `start` optionally gives a starting linear predictor (warm start);
/// otherwise `log(y + 0.1)` as in R. Returns `None` if the normal equations
/// become singular.
pub(crate) fn fit_poisson(
    x: &[f64],
    n: usize,
    p: usize,
    y: &[f64],
    offset: Option<&[f64]>,
    start: Option<&[f64]>,
) -> Option<GlmFit> {
    debug_assert_eq!(x.len(), n * p);
    let mut eta: Vec<f64> = match start {
        Some(s) => s
            .iter()
            .zip(y)
            .map(|(&e, &yi)| if e.is_finite() { e.clamp(-ETA_MAX, ETA_MAX) } else { (yi + 0.1).ln() })
            .collect(),
        None => y.iter().map(|&yi| (yi + 0.1).ln()).collect(),
    };
    let mut beta = vec![0.0; p];
    let mut beta_new = vec![0.0; p];
    let mut eta_new = vec![0.0; n];
    let mut xtwx = vec![0.0; p * p];
    let mut xtwz = vec![0.0; p];
    let mut dev = deviance(y, &eta);
    let mut have_beta = false;
    let mut converged = false;
    for _ in 0..MAX_ITER {
        xtwx.iter_mut().for_each(|v| *v = 0.0);
        xtwz.iter_mut().for_each(|v| *v = 0.0);
        for r in 0..n {
            let mu = eta[r].exp();
            let w = mu.max(1e-300);
            let off = offset.map_or(0.0, |o| o[r]);
            let z = eta[r] - off + (y[r] - mu) / w;
            let row = &x[r * p..(r + 1) * p];
            for a in 0..p {
                let xa = row[a];
                if xa == 0.0 {
                    continue;
                }
                let wxa = w * xa;
                xtwz[a] += wxa * z;
                for b in 0..=a {
                    xtwx[a * p + b] += wxa * row[b];
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
        linear_predictor(x, p, &beta_new, offset, &mut eta_new);
        let mut dev_new = deviance(y, &eta_new);
        // Step halving: never accept a step that increases the deviance.
        if have_beta {
            let mut h = 0;
            while !(dev_new.is_finite() && dev_new <= dev * (1.0 + 1e-12) + 1e-12) && h < MAX_HALVINGS {
                for (bn, &b) in beta_new.iter_mut().zip(&beta) {
                    *bn = 0.5 * (*bn + b);
                }
                linear_predictor(x, p, &beta_new, offset, &mut eta_new);
                dev_new = deviance(y, &eta_new);
                h += 1;
            }
            if !dev_new.is_finite() {
                return None;
            }
        }
        let change = (dev_new - dev).abs() / (dev_new.abs() + 0.1);
        std::mem::swap(&mut beta, &mut beta_new);
        std::mem::swap(&mut eta, &mut eta_new);
        let was = have_beta;
        have_beta = true;
        dev = dev_new;
        if was && change < TOL {
            converged = true;
            break;
        }
    }
    // A diverging fit (estimates running off to the cap) is not converged.
    if beta.iter().any(|b| !b.is_finite() || b.abs() > 200.0) {
        converged = false;
    }
    let loglik_kernel = y
        .iter()
        .zip(&eta)
        .map(|(&yi, &e)| if yi > 0.0 { yi * e - e.exp() } else { -e.exp() })
        .sum();
    Some(GlmFit { beta, eta, loglik_kernel, converged })
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
        let f = fit_poisson(&x, 3, 3, &y, None, None).unwrap();
        assert!(f.converged);
        assert!((f.beta[0].exp() - 120.0).abs() < 1e-6, "{}", f.beta[0].exp());
    }
}
