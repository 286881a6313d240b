//! Dense linear algebra for the small matrices of log-linear models (at most
//! 1,023 cells by 56 parameters): row reduction for ranks and null spaces, and a
//! Cholesky solver for the IRLS normal equations.

/// Tolerance for deciding that a pivot is zero. The design matrices hold 0/1
/// entries, so the reduced entries stay small integers or simple fractions.
const PIVOT_TOL: f64 = 1e-9;

/// Reduced row echelon form of an `m x n` row-major matrix.
pub struct Rref {
    /// Columns holding a pivot, in increasing order. They are the greedy
    /// left-to-right choice of linearly independent columns.
    pub pivots: Vec<usize>,
    /// The reduced rows (only the first `pivots.len()` are non-zero), row-major, `n` wide.
    rows: Vec<f64>,
    n: usize,
}

impl Rref {
    pub fn new(a: &[f64], m: usize, n: usize) -> Rref {
        debug_assert_eq!(a.len(), m * n);
        let mut r = a.to_vec();
        let mut pivots = Vec::new();
        let mut row = 0;
        for col in 0..n {
            if row == m {
                break;
            }
            // Partial pivoting.
            let mut best = row;
            let mut best_abs = r[row * n + col].abs();
            for i in row + 1..m {
                let v = r[i * n + col].abs();
                if v > best_abs {
                    best = i;
                    best_abs = v;
                }
            }
            if best_abs <= PIVOT_TOL {
                for i in row..m {
                    r[i * n + col] = 0.0;
                }
                continue;
            }
            if best != row {
                for j in 0..n {
                    r.swap(best * n + j, row * n + j);
                }
            }
            let pv = r[row * n + col];
            for j in col..n {
                r[row * n + j] /= pv;
            }
            for i in 0..m {
                if i == row {
                    continue;
                }
                let f = r[i * n + col];
                if f != 0.0 {
                    for j in col..n {
                        r[i * n + j] -= f * r[row * n + j];
                    }
                    r[i * n + col] = 0.0;
                }
            }
            pivots.push(col);
            row += 1;
        }
        r.truncate(pivots.len() * n);
        Rref { pivots, rows: r, n }
    }

    #[cfg(test)]
    pub fn rank(&self) -> usize {
        self.pivots.len()
    }

    /// A basis of the null space `{x : A x = 0}`, each vector of length `n`.
    pub fn null_space(&self) -> Vec<Vec<f64>> {
        let n = self.n;
        let mut is_pivot = vec![false; n];
        for &p in &self.pivots {
            is_pivot[p] = true;
        }
        let mut basis = Vec::new();
        for free in (0..n).filter(|&j| !is_pivot[j]) {
            let mut v = vec![0.0; n];
            v[free] = 1.0;
            for (r, &p) in self.pivots.iter().enumerate() {
                let x = self.rows[r * n + free];
                if x.abs() > PIVOT_TOL {
                    v[p] = -x;
                }
            }
            basis.push(v);
        }
        basis
    }
}

/// Solves `A x = b` for a symmetric positive definite `p x p` matrix by Cholesky
/// decomposition, in place. Returns `false` if `A` is not numerically positive definite.
pub fn cholesky_solve(a: &mut [f64], b: &mut [f64], p: usize) -> bool {
    // Decompose A = L L^T, L stored in the lower triangle.
    for j in 0..p {
        let mut d = a[j * p + j];
        for k in 0..j {
            d -= a[j * p + k] * a[j * p + k];
        }
        if d.is_nan() || d <= 1e-13 * a[j * p + j].abs().max(1e-300) {
            return false;
        }
        let d = d.sqrt();
        a[j * p + j] = d;
        for i in j + 1..p {
            let mut s = a[i * p + j];
            for k in 0..j {
                s -= a[i * p + k] * a[j * p + k];
            }
            a[i * p + j] = s / d;
        }
    }
    // Forward substitution L y = b.
    for i in 0..p {
        let mut s = b[i];
        for k in 0..i {
            s -= a[i * p + k] * b[k];
        }
        b[i] = s / a[i * p + i];
    }
    // Back substitution L^T x = y.
    for i in (0..p).rev() {
        let mut s = b[i];
        for k in i + 1..p {
            s -= a[k * p + i] * b[k];
        }
        b[i] = s / a[i * p + i];
    }
    true
}

/// Cholesky decomposition of a symmetric matrix with a strict pivot threshold
/// (each pivot at least 1e-8 of its diagonal entry): `true` only when the matrix
/// is clearly positive definite. Destroys `a`.
pub fn cholesky_is_clearly_pd(a: &mut [f64], p: usize) -> bool {
    for j in 0..p {
        let diag = a[j * p + j];
        let mut d = diag;
        for k in 0..j {
            d -= a[j * p + k] * a[j * p + k];
        }
        if d.is_nan() || d <= 1e-8 * diag.abs() || diag <= 0.0 {
            return false;
        }
        let d = d.sqrt();
        a[j * p + j] = d;
        for i in j + 1..p {
            let mut s = a[i * p + j];
            for k in 0..j {
                s -= a[i * p + k] * a[j * p + k];
            }
            a[i * p + j] = s / d;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rref_rank_and_null_space() {
        // Rows: (1,1,0), (1,0,1), (2,1,1) -> rank 2, null space spanned by (-1,1,1).
        let a = [1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 2.0, 1.0, 1.0];
        let r = Rref::new(&a, 3, 3);
        assert_eq!(r.rank(), 2);
        assert_eq!(r.pivots, vec![0, 1]);
        let ns = r.null_space();
        assert_eq!(ns.len(), 1);
        for row in a.chunks(3) {
            let dot: f64 = row.iter().zip(&ns[0]).map(|(x, y)| x * y).sum();
            assert!(dot.abs() < 1e-12);
        }
    }

    #[test]
    fn cholesky() {
        let mut a = [4.0, 2.0, 2.0, 3.0];
        let mut b = [2.0, 1.0];
        assert!(cholesky_solve(&mut a, &mut b, 2));
        // 4x + 2y = 2, 2x + 3y = 1 -> x = 0.5, y = 0
        assert!((b[0] - 0.5).abs() < 1e-12 && b[1].abs() < 1e-12);
        let mut s = [1.0, 1.0, 1.0, 1.0];
        let mut c = [1.0, 1.0];
        assert!(!cholesky_solve(&mut s, &mut c, 2));
    }
}
