//! Does the maximum likelihood estimate of the hidden count exist, and is it
//! identifiable? (Chan, Silverman & Vincent 2021, JASA 116:1297-1306, section 3;
//! Fienberg & Rinaldo 2012, Annals of Statistics 40:996-1023.)
//!
//! Write `X` for the design matrix over the observable cells, `P` for the cells
//! with a positive count and `Z` for the empty ones. The Poisson log-likelihood
//! increases without bound along a direction `d` of the parameters exactly when
//! `(Xd)_w = 0` on `P` and `(Xd)_w <= 0` on `Z`, with strict inequality somewhere:
//! the fitted values of those empty cells go to zero. The set `F` of empty cells
//! that some such direction sends to zero is the largest support of the cone
//! `{-X_Z d >= 0 : X_P d = 0}`, found by linear programming. In the extended
//! maximum likelihood estimate the cells in `F` are fitted as zero and the rest
//! of the table is fitted by an ordinary estimate, which always exists.
//!
//! The hidden count is `exp(d_0)`'s coefficient, the intercept `lambda_0`. Then:
//!
//! * **the estimate does not exist** when every direction that empties all of `F`
//!   also moves `lambda_0` (necessarily always the same way): the likelihood is
//!   only approached as the hidden count goes to infinity (or to zero);
//! * **it exists but is not identifiable** when `F` can be emptied with `lambda_0`
//!   fixed, but the cells left over (`R`, outside `F`) do not determine
//!   `lambda_0`: the unit vector `e_0` is not in the row space of `X_R`, and
//!   different maximisers give different hidden counts;
//! * otherwise it **exists and is identifiable**, and is computed by fitting the
//!   model to the cells of `R` with a maximal independent set of columns.
//!
//! On the artificial data of Chan, Silverman & Vincent (2021, tables 2-3) these
//! rules reproduce the published verdicts (see the tests).

use microlp::{ComparisonOp, OptimizationDirection, Problem};

use crate::linalg::Rref;

/// Numerical threshold for "strictly negative" in the LP solutions.
const SUPPORT_TOL: f64 = 1e-7;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CheckVerdict {
    /// Exists and identifiable: fit on `rows` with `cols`.
    Ok {
        rows: Vec<usize>,
        cols: Vec<usize>,
        boundary: Vec<usize>,
    },
    /// The likelihood is maximised only as the hidden count goes to infinity
    /// (`to_infinity`) or to zero; `cells` are the empty cells driven to zero.
    NotExist {
        to_infinity: bool,
        cells: Vec<usize>,
    },
    /// Exists, but the hidden count is not determined; `cells` are fitted as zero.
    NotIdentifiable { cells: Vec<usize> },
}

/// Checks a model. `x` is the `n x p` design (row `r` = pattern `r + 1`), `y` the counts.
pub(crate) fn check(x: &[f64], n: usize, p: usize, y: &[f64]) -> CheckVerdict {
    let pos: Vec<usize> = (0..n).filter(|&r| y[r] > 0.0).collect();
    let zero: Vec<usize> = (0..n).filter(|&r| y[r] <= 0.0).collect();
    let xp: Vec<f64> = pos
        .iter()
        .flat_map(|&r| x[r * p..(r + 1) * p].iter().copied())
        .collect();
    let null = Rref::new(&xp, pos.len(), p).null_space();

    if null.is_empty() {
        // X_P has full column rank: no direction of recession, and the full design
        // (which contains X_P) has full column rank too.
        return CheckVerdict::Ok {
            rows: (0..n).collect(),
            cols: (0..p).collect(),
            boundary: Vec::new(),
        };
    }
    let mut boundary: Vec<usize> = Vec::new();
    if !zero.is_empty() {
        // A = X_Z N: how each null-space coordinate moves the empty cells.
        let q = null.len();
        let mut a: Vec<(usize, Vec<f64>)> = Vec::new();
        for &r in &zero {
            let row = &x[r * p..(r + 1) * p];
            let v: Vec<f64> = null.iter().map(|nv| dot(row, nv)).collect();
            if v.iter().any(|c| c.abs() > 1e-12) {
                a.push((r, v));
            }
        }
        if !a.is_empty() {
            let f = max_support(&a, q, None);
            if f.iter().any(|&b| b) {
                let e0: Vec<f64> = null.iter().map(|nv| nv[0]).collect();
                let f0 = max_support(&a, q, Some(&e0));
                let cells: Vec<usize> = a
                    .iter()
                    .zip(&f)
                    .filter(|(_, &b)| b)
                    .map(|((r, _), _)| *r)
                    .collect();
                if f0.iter().filter(|&&b| b).count() < cells.len() {
                    let to_infinity = direction_sign(&a, q, &f, &e0);
                    return CheckVerdict::NotExist { to_infinity, cells };
                }
                boundary = cells;
            }
        }
    }

    // Identifiability on the remaining cells R.
    let rows: Vec<usize> = (0..n).filter(|r| !boundary.contains(r)).collect();
    let xr: Vec<f64> = rows
        .iter()
        .flat_map(|&r| x[r * p..(r + 1) * p].iter().copied())
        .collect();
    let rref = Rref::new(&xr, rows.len(), p);
    let identifiable = rref.null_space().iter().all(|v| v[0].abs() < 1e-9);
    if !identifiable {
        return CheckVerdict::NotIdentifiable { cells: boundary };
    }
    CheckVerdict::Ok {
        rows,
        cols: rref.pivots,
        boundary,
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Builds and solves: maximise the sum of `t_w` over the target cells subject to
/// `t_w = -A_w u`, `0 <= t_w <= 1`, `u` free, and optionally `e . u = 0`.
fn solve_lp(
    a: &[(usize, Vec<f64>)],
    q: usize,
    target: &[bool],
    eq: Option<&[f64]>,
) -> Option<Vec<f64>> {
    let mut lp = Problem::new(OptimizationDirection::Maximize);
    let u: Vec<_> = (0..q)
        .map(|_| lp.add_var(0.0, (f64::NEG_INFINITY, f64::INFINITY)))
        .collect();
    let t: Vec<_> = target
        .iter()
        .map(|&on| lp.add_var(if on { 1.0 } else { 0.0 }, (0.0, 1.0)))
        .collect();
    for (w, (_, row)) in a.iter().enumerate() {
        let mut expr: Vec<(microlp::Variable, f64)> = vec![(t[w], 1.0)];
        for (j, &c) in row.iter().enumerate() {
            if c != 0.0 {
                expr.push((u[j], c));
            }
        }
        lp.add_constraint(&expr, ComparisonOp::Eq, 0.0);
    }
    if let Some(e) = eq {
        let expr: Vec<(microlp::Variable, f64)> = e
            .iter()
            .enumerate()
            .filter(|(_, c)| **c != 0.0)
            .map(|(j, &c)| (u[j], c))
            .collect();
        if !expr.is_empty() {
            lp.add_constraint(&expr, ComparisonOp::Eq, 0.0);
        }
    }
    let sol = lp.solve().ok()?.into_solution().ok()?;
    let mut out: Vec<f64> = t.iter().map(|&v| sol.var_value(v)).collect();
    out.extend(u.iter().map(|&v| sol.var_value(v)));
    Some(out)
}

/// The largest set of rows of `A` that `-A u >= 0` can make strictly positive at
/// once (under the optional equality `e . u = 0`).
///
/// Rows that are positive multiples of each other share their fate, so the LPs
/// run on the distinct directions only; with a one-dimensional null space the
/// answer is immediate.
fn max_support(a: &[(usize, Vec<f64>)], q: usize, eq: Option<&[f64]>) -> Vec<bool> {
    if q == 1 {
        let e_forces_zero = eq.is_some_and(|e| e[0].abs() > 1e-12);
        let has_pos = a.iter().any(|(_, r)| r[0] > 1e-12);
        let has_neg = a.iter().any(|(_, r)| r[0] < -1e-12);
        // u must be 0 if the equality pins it or rows of both signs exist.
        let free = !(e_forces_zero || (has_pos && has_neg));
        return a.iter().map(|(_, r)| free && r[0].abs() > 1e-12).collect();
    }
    // Distinct directions (rows scaled to unit max-norm).
    let mut uniq: Vec<(usize, Vec<f64>)> = Vec::new();
    let mut map = Vec::with_capacity(a.len());
    for (_, row) in a {
        let scale = row.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let norm: Vec<f64> = row.iter().map(|v| v / scale).collect();
        let pos = uniq
            .iter()
            .position(|(_, u)| u.iter().zip(&norm).all(|(x, y)| (x - y).abs() < 1e-9));
        match pos {
            Some(i) => map.push(i),
            None => {
                uniq.push((0, norm));
                map.push(uniq.len() - 1);
            }
        }
    }
    let found = max_support_lp(&uniq, q, eq);
    map.iter().map(|&i| found[i]).collect()
}

/// [`max_support`] by a sequence of LPs, each maximising over the rows not yet
/// found, until none can be added.
fn max_support_lp(a: &[(usize, Vec<f64>)], q: usize, eq: Option<&[f64]>) -> Vec<bool> {
    let m = a.len();
    let mut found = vec![false; m];
    loop {
        let target: Vec<bool> = found.iter().map(|&f| !f).collect();
        if !target.iter().any(|&b| b) {
            break;
        }
        let Some(sol) = solve_lp(a, q, &target, eq) else {
            break;
        };
        let mut new = false;
        for w in 0..m {
            if !found[w] && sol[w] > SUPPORT_TOL {
                found[w] = true;
                new = true;
            }
        }
        if !new {
            break;
        }
    }
    found
}

/// For a non-existent estimate: does the hidden count go to infinity (true) or to
/// zero along a direction emptying all of `F`?
fn direction_sign(a: &[(usize, Vec<f64>)], q: usize, f: &[bool], e0: &[f64]) -> bool {
    // Maximise the sum over F; read the direction's intercept component.
    match solve_lp(a, q, f, None) {
        Some(sol) => {
            let u = &sol[a.len()..];
            dot(u, e0) >= 0.0
        }
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{design, Model};

    fn verdict(pairs: &[(usize, usize)]) -> CheckVerdict {
        // Chan, Silverman & Vincent (2021) artificial data: A 40, B 30, C 20, AB 6.
        let mut y = vec![0.0; 7];
        y[0] = 40.0; // A
        y[1] = 30.0; // B
        y[3] = 20.0; // C
        y[2] = 6.0; // AB
        let (x, n, p) = design(Model::from_pairs(pairs, 3), 3);
        check(&x, n, p, &y)
    }

    #[test]
    fn shortcut_agrees_with_lp() {
        let cases: Vec<Vec<f64>> = vec![
            vec![1.0, 2.0, 0.5],
            vec![-1.0, -3.0],
            vec![1.0, -1.0, 2.0],
            vec![0.0, 1.0],
        ];
        for rows in cases {
            let a: Vec<(usize, Vec<f64>)> = rows
                .iter()
                .enumerate()
                .map(|(i, &v)| (i, vec![v]))
                .collect();
            for eq in [None, Some(vec![1.0]), Some(vec![0.0])] {
                assert_eq!(
                    max_support(&a, 1, eq.as_deref()),
                    max_support_lp(&a, 1, eq.as_deref()),
                    "{rows:?} {eq:?}"
                );
            }
        }
        // Duplicated directions in two dimensions.
        let a = vec![
            (0, vec![1.0, 0.0]),
            (1, vec![2.0, 0.0]),
            (2, vec![0.0, -1.0]),
            (3, vec![-1.0, 1.0]),
        ];
        assert_eq!(max_support(&a, 2, None), max_support_lp(&a, 2, None));
    }

    #[test]
    fn artificial_verdicts() {
        assert!(matches!(verdict(&[]), CheckVerdict::Ok { .. }));
        assert!(matches!(verdict(&[(0, 2)]), CheckVerdict::Ok { .. }));
        assert!(matches!(verdict(&[(1, 2)]), CheckVerdict::Ok { .. }));
        assert!(matches!(
            verdict(&[(0, 2), (1, 2)]),
            CheckVerdict::Ok { .. }
        ));
        assert!(matches!(
            verdict(&[(0, 1)]),
            CheckVerdict::NotExist {
                to_infinity: true,
                ..
            }
        ));
        assert!(matches!(
            verdict(&[(0, 1), (0, 2)]),
            CheckVerdict::NotExist { .. }
        ));
        assert!(matches!(
            verdict(&[(0, 1), (1, 2)]),
            CheckVerdict::NotExist { .. }
        ));
        assert!(matches!(
            verdict(&[(0, 1), (0, 2), (1, 2)]),
            CheckVerdict::NotIdentifiable { .. }
        ));
    }
}
