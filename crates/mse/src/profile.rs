//! Profile-likelihood interval for the hidden count under the selected model
//! (conditional on that model: it does not include model-selection uncertainty).
//!
//! The intercept `lambda_0` (log of the expected hidden count) is fixed at `c`
//! and the other parameters are refitted; the interval is the set of `c` where
//! twice the drop in log-likelihood stays below the chi-squared(1) quantile.

use crate::check::{check, CheckVerdict};
use crate::glm::{fit_poisson, SparseDesign};
use crate::model::{design, Model};
use crate::search::Fitter;
use crate::stats::normal_quantile;

/// Returns `(low, high)` for the total population (observed + hidden); `high` may
/// be infinite when the likelihood stays flat as the hidden count grows.
pub(crate) fn profile_interval(f: &Fitter<'_>, model: Model, conf: f64) -> Option<(f64, f64)> {
    let (x, n, p) = design(model, f.k);
    let CheckVerdict::Ok { rows, cols, .. } = check(&x, n, p, &f.y) else {
        return None;
    };
    // Design without the intercept, restricted to the fitted cells.
    let others: Vec<usize> = cols.iter().copied().filter(|&c| c != 0).collect();
    let xr = SparseDesign::from_dense(&x, p, &rows, &others);
    let yr: Vec<f64> = rows.iter().map(|&r| f.y[r]).collect();
    // Full fit for the maximum.
    let xfull = SparseDesign::from_dense(&x, p, &rows, &cols);
    let full = fit_poisson(&xfull, &yr, None, None)?;
    let c_hat = full.beta[0];
    let l_hat = full.loglik_kernel;
    let z = normal_quantile(0.5 + conf / 2.0);
    let target = z * z / 2.0; // half the chi-squared(1) quantile
    let drop = |c: f64, warm: &mut Vec<f64>| -> f64 {
        let offset = vec![c; rows.len()];
        match fit_poisson(&xr, &yr, Some(&offset), Some(warm)) {
            Some(fit) => {
                *warm = fit.eta.clone();
                l_hat - fit.loglik_kernel
            }
            None => f64::INFINITY,
        }
    };
    let bound = |dir: f64| -> f64 {
        let mut warm = full.eta.clone();
        let mut step = 0.05;
        let mut inside = c_hat;
        let mut outside = None;
        while step <= 40.0 {
            let c = c_hat + dir * step;
            if drop(c, &mut warm) > target {
                outside = Some(c);
                break;
            }
            inside = c;
            step *= 2.0;
        }
        let Some(mut out) = outside else {
            return dir * f64::INFINITY;
        };
        let mut warm = full.eta.clone();
        for _ in 0..60 {
            let mid = 0.5 * (inside + out);
            if drop(mid, &mut warm) > target {
                out = mid;
            } else {
                inside = mid;
            }
            if (out - inside).abs() < 1e-7 {
                break;
            }
        }
        0.5 * (inside + out)
    };
    let lo = bound(-1.0);
    let hi = bound(1.0);
    let obs = f.observed();
    Some((obs + lo.exp(), obs + hi.exp()))
}
