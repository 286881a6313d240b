//! Hierarchical log-linear models: all main effects plus a set of two-way
//! interactions and, optionally, three-way interactions whose three pairs are in
//! the model.

use serde::{Deserialize, Serialize};

use crate::table::CaptureTable;

/// A log-linear model for `k` lists: an intercept (whose exponential is the
/// expected number of persons on no list), the `k` main effects, the two-way
/// interactions whose bits are set in `interactions` (pair `(i, j)`, `i < j`, has
/// bit [`pair_index`]`(i, j, k)`), and the three-way interactions whose bits are
/// set in `triples` (triple `(i, j, l)` has bit [`triple_index`]`(i, j, l, k)`).
/// Models built by the search are hierarchical: a triple only with its three pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub struct Model {
    pub interactions: u64,
    #[serde(default)]
    pub triples: u128,
}

/// All triples `(i, j, l)`, `i < j < l < k`, in bit order.
pub fn triples(k: usize) -> Vec<(usize, usize, usize)> {
    let mut v = Vec::new();
    for i in 0..k {
        for j in i + 1..k {
            for l in j + 1..k {
                v.push((i, j, l));
            }
        }
    }
    v
}

/// Bit index of the triple `(i, j, l)`, `i < j < l < k`, in lexicographic order.
pub fn triple_index(i: usize, j: usize, l: usize, k: usize) -> usize {
    triples(k)
        .iter()
        .position(|&t| t == (i, j, l))
        .expect("a valid triple")
}

/// Bit index of the pair `(i, j)`, `i < j < k`, in lexicographic order.
pub fn pair_index(i: usize, j: usize, k: usize) -> usize {
    debug_assert!(i < j && j < k);
    // Pairs before row i: sum_{r<i} (k-1-r)
    i * (2 * k - i - 1) / 2 + (j - i - 1)
}

/// All pairs `(i, j)`, `i < j < k`, in bit order.
pub fn pairs(k: usize) -> Vec<(usize, usize)> {
    let mut v = Vec::with_capacity(k * (k - 1) / 2);
    for i in 0..k {
        for j in i + 1..k {
            v.push((i, j));
        }
    }
    v
}

impl Model {
    /// Main effects only (independence of the lists).
    pub const MAIN_EFFECTS: Model = Model {
        interactions: 0,
        triples: 0,
    };

    /// A model from pairs of list indices.
    pub fn from_pairs(pairs_: &[(usize, usize)], k: usize) -> Model {
        let mut m = 0u64;
        for &(a, b) in pairs_ {
            let (i, j) = if a < b { (a, b) } else { (b, a) };
            assert!(i != j && j < k, "bad pair ({a}, {b}) for {k} lists");
            m |= 1 << pair_index(i, j, k);
        }
        Model {
            interactions: m,
            triples: 0,
        }
    }

    /// A model from interaction names such as `"A:B"` or `"A:B:C"`, using the
    /// table's list names. `None` for an unknown list or a repeated one.
    pub fn from_names(names: &[&str], table: &CaptureTable) -> Option<Model> {
        let lists = table.lists();
        let k = lists.len();
        let mut v = Vec::new();
        let mut t = 0u128;
        for n in names {
            let mut idx: Vec<usize> = n
                .split(':')
                .map(|part| lists.iter().position(|l| l == part.trim()))
                .collect::<Option<Vec<_>>>()?;
            idx.sort_unstable();
            idx.dedup();
            match *idx.as_slice() {
                [i, j] if n.split(':').count() == 2 => v.push((i, j)),
                [i, j, l] if n.split(':').count() == 3 => t |= 1 << triple_index(i, j, l, k),
                _ => return None,
            }
        }
        let mut m = Model::from_pairs(&v, k);
        m.triples = t;
        Some(m)
    }

    /// The interacting triples, in bit order.
    pub fn triple_list(&self, k: usize) -> Vec<(usize, usize, usize)> {
        triples(k)
            .into_iter()
            .enumerate()
            .filter(|(b, _)| self.triples & (1 << b) != 0)
            .map(|(_, t)| t)
            .collect()
    }

    /// Whether every triple's three pairs are in the model.
    pub fn is_hierarchical(&self, k: usize) -> bool {
        self.triple_list(k).iter().all(|&(i, j, l)| {
            [(i, j), (i, l), (j, l)]
                .iter()
                .all(|&(a, b)| self.interactions & (1 << pair_index(a, b, k)) != 0)
        })
    }

    /// The interaction terms as bit masks over the lists, in column order (pairs,
    /// then triples).
    pub(crate) fn term_masks(&self, k: usize) -> Vec<usize> {
        let mut v: Vec<usize> = self
            .pairs(k)
            .iter()
            .map(|&(a, b)| (1 << a) | (1 << b))
            .collect();
        v.extend(
            self.triple_list(k)
                .iter()
                .map(|&(a, b, c)| (1 << a) | (1 << b) | (1 << c)),
        );
        v
    }

    /// The interacting pairs, in bit order.
    pub fn pairs(&self, k: usize) -> Vec<(usize, usize)> {
        pairs(k)
            .into_iter()
            .enumerate()
            .filter(|(b, _)| self.interactions & (1 << b) != 0)
            .map(|(_, p)| p)
            .collect()
    }

    /// Interaction names such as `["LA:NG", "PF:GO"]` (three-way: `"A:B:C"`).
    pub fn names(&self, lists: &[String]) -> Vec<String> {
        let k = lists.len();
        let mut v: Vec<String> = self
            .pairs(k)
            .into_iter()
            .map(|(i, j)| format!("{}:{}", lists[i], lists[j]))
            .collect();
        v.extend(
            self.triple_list(k)
                .into_iter()
                .map(|(i, j, l)| format!("{}:{}:{}", lists[i], lists[j], lists[l])),
        );
        v
    }

    /// A one-line description, e.g. `main effects + LA:NG + PF:GO`.
    pub fn describe(&self, lists: &[String]) -> String {
        let mut s = String::from("main effects");
        for n in self.names(lists) {
            s.push_str(" + ");
            s.push_str(&n);
        }
        s
    }

    /// Number of parameters: intercept, `k` main effects and the interactions.
    pub fn num_params(&self, k: usize) -> usize {
        1 + k + self.interactions.count_ones() as usize + self.triples.count_ones() as usize
    }
}

/// The full design matrix of a model over the observable cells (patterns
/// `1..2^k`, row `r` is pattern `r + 1`), row-major.
pub(crate) fn design(model: Model, k: usize) -> (Vec<f64>, usize, usize) {
    let n = (1usize << k) - 1;
    let masks = model.term_masks(k);
    let p = 1 + k + masks.len();
    let mut x = vec![0.0; n * p];
    for r in 0..n {
        let pat = r + 1;
        let row = &mut x[r * p..(r + 1) * p];
        row[0] = 1.0;
        for i in 0..k {
            if pat & (1 << i) != 0 {
                row[1 + i] = 1.0;
            }
        }
        for (c, &m) in masks.iter().enumerate() {
            if pat & m == m {
                row[1 + k + c] = 1.0;
            }
        }
    }
    (x, n, p)
}

/// Non-zero columns of each design row for the given cells, as CSR (`ptr`, `idx`).
pub(crate) fn design_sparse(
    model: Model,
    k: usize,
    rows: &[usize],
) -> (Vec<usize>, Vec<usize>, usize) {
    let masks = model.term_masks(k);
    let p = 1 + k + masks.len();
    let mut ptr = Vec::with_capacity(rows.len() + 1);
    let mut idx = Vec::with_capacity(rows.len() * (2 + k));
    ptr.push(0);
    for &r in rows {
        let pat = r + 1;
        idx.push(0);
        let mut bits = pat;
        while bits != 0 {
            let b = bits.trailing_zeros() as usize;
            idx.push(1 + b);
            bits &= bits - 1;
        }
        for (c, &m) in masks.iter().enumerate() {
            if pat & m == m {
                idx.push(1 + k + c);
            }
        }
        ptr.push(idx.len());
    }
    (ptr, idx, p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_indices_are_dense() {
        for k in 2..=10 {
            let ps = pairs(k);
            for (b, &(i, j)) in ps.iter().enumerate() {
                assert_eq!(pair_index(i, j, k), b);
            }
        }
    }

    #[test]
    fn triples_and_names() {
        let lists: Vec<String> = ["A", "B", "C", "D"].iter().map(|s| s.to_string()).collect();
        let t = CaptureTable::from_patterns(lists.clone(), &[(1, 5), (3, 2)]).unwrap();
        let m = Model::from_names(&["A:B", "A:C", "B:C", "A:B:C"], &t).unwrap();
        assert!(m.is_hierarchical(4));
        assert_eq!(m.num_params(4), 9);
        assert_eq!(m.names(&lists), ["A:B", "A:C", "B:C", "A:B:C"]);
        let bad = Model::from_names(&["A:B", "A:B:C"], &t).unwrap();
        assert!(!bad.is_hierarchical(4));
        assert!(Model::from_names(&["A:A"], &t).is_none());
        for (b, &(i, j, l)) in triples(5).iter().enumerate() {
            assert_eq!(triple_index(i, j, l, 5), b);
        }
        let (x, _, p) = design(m, 4);
        // pattern 7 = A+B+C: intercept, A, B, C, D, AB, AC, BC, ABC
        assert_eq!(
            &x[6 * p..7 * p],
            &[1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0]
        );
    }

    #[test]
    fn design_of_three_lists() {
        let m = Model::from_pairs(&[(0, 1)], 3);
        let (x, n, p) = design(m, 3);
        assert_eq!((n, p), (7, 5));
        // pattern 3 = A+B: intercept, A, B, AB
        assert_eq!(&x[2 * p..3 * p], &[1.0, 1.0, 1.0, 0.0, 1.0]);
        // pattern 5 = A+C: no AB
        assert_eq!(&x[4 * p..5 * p], &[1.0, 1.0, 0.0, 1.0, 0.0]);
    }
}
