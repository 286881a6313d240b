//! The linkage engine, generic over how records are compared (clear text or
//! Bloom-filter encodings): blocking on several keys (union of blocks),
//! comparison of candidate pairs, EM estimation, scoring, clustering.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::hash::Rng;
use crate::model::{Model, MISSING};

/// How two records of one representation are compared and blocked.
pub trait Comparator: Sync {
    /// Prepared record type.
    type Rec: Sync;
    /// Agreement levels per compared field.
    fn n_levels(&self) -> Vec<u8>;
    /// Packed agreement pattern of two records (see [`crate::model::pack`]).
    fn pattern(&self, a: &Self::Rec, b: &Self::Rec) -> u64;
    /// Blocking keys of one record (pushed into `out`, any order, duplicates allowed).
    fn block_keys(&self, a: &Self::Rec, out: &mut Vec<u64>);
}

/// Progress reporting hook (the CLI plugs indicatif in; the library stays silent).
pub trait Progress: Sync {
    /// A new stage with an expected amount of work (0 if unknown).
    fn stage(&self, _name: &str, _total: u64) {}
    /// Work done in the current stage.
    fn inc(&self, _n: u64) {}
    /// End of the run.
    fn finish(&self) {}
}

/// Silent progress.
pub struct NoProgress;
impl Progress for NoProgress {}

/// A field whose exact agreement has at least this probability among random
/// pairs is weak evidence (a Bayes factor under 10 even when it agrees).
pub const WEAK_FIELD_U: f64 = 0.1;

/// Engine options (from [`crate::config::LinkConfig`]).
#[derive(Debug, Clone)]
pub struct Options {
    /// Fixed threshold on the posterior probability; `None` = 0.5.
    pub threshold: Option<f64>,
    /// Two-list mode: keep at most one partner per record.
    pub one_to_one: bool,
    /// De-duplication: report all pairs within clusters.
    pub cluster_pairs: bool,
    /// Largest block (per side) that is compared.
    pub max_block_size: usize,
    /// Largest number of pairs one block may produce.
    pub max_block_pairs: usize,
    /// EM iterations.
    pub em_iterations: usize,
    /// Random pairs for the u estimate.
    pub u_sample: usize,
    /// Seed.
    pub seed: u64,
    /// Known true pairs (indices) to estimate m from labels.
    pub labelled: Vec<(u32, u32)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threshold: None,
            one_to_one: false,
            cluster_pairs: true,
            max_block_size: 2_000,
            max_block_pairs: 10_000,
            em_iterations: 200,
            u_sample: 300_000,
            seed: 42,
            labelled: Vec::new(),
        }
    }
}

/// One reported pair (indices into the left and right record lists; in
/// de-duplication both index the one list and `left < right`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    /// Left record index.
    pub left: u32,
    /// Right record index.
    pub right: u32,
    /// Posterior match probability of this pair.
    pub probability: f64,
}

/// Result of a run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Matched pairs, sorted.
    pub matches: Vec<Match>,
    /// Person cluster of every record: left records first, then right ones.
    pub clusters: Vec<u32>,
    /// The estimated model.
    pub model: Model,
    /// Threshold used.
    pub threshold: f64,
    /// Number of candidate pairs compared (after blocking).
    pub candidates: u64,
    /// Blocking keys skipped because their block was too large.
    pub skipped_blocks: u64,
}

/// Candidate pairs produced by blocking.
pub struct Candidates {
    /// (left, right) indices, unique.
    pub pairs: Vec<(u32, u32)>,
    /// Oversized blocks skipped.
    pub skipped_blocks: u64,
}

fn first_common(a: &[u64], b: &[u64]) -> Option<u64> {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return Some(a[i]),
        }
    }
    None
}

/// Blocking: the union of the blocks of every key. A pair is emitted once,
/// by the smallest key the two records share, so no global de-duplication
/// is needed.
pub fn candidates<C: Comparator>(cmp: &C, left: &[C::Rec], right: Option<&[C::Rec]>, max_block: usize, max_pairs: usize) -> Candidates {
    let keys_of = |recs: &[C::Rec]| -> Vec<Vec<u64>> {
        recs.par_iter()
            .map(|r| {
                let mut v = Vec::new();
                cmp.block_keys(r, &mut v);
                v.sort_unstable();
                v.dedup();
                v
            })
            .collect()
    };
    let mut lk = keys_of(left);
    let mut rk = right.map(keys_of);
    const SIDE: u32 = 1 << 31;
    let mut entries: Vec<(u64, u32)> = Vec::with_capacity(lk.iter().map(Vec::len).sum::<usize>() * 2);
    for (i, ks) in lk.iter().enumerate() {
        entries.extend(ks.iter().map(|&k| (k, i as u32)));
    }
    if let Some(rk) = &rk {
        for (i, ks) in rk.iter().enumerate() {
            entries.extend(ks.iter().map(|&k| (k, i as u32 | SIDE)));
        }
    }
    entries.par_sort_unstable();
    // Groups of one key: (start, split between left and right, end).
    let mut groups: Vec<(usize, usize, usize)> = Vec::new();
    let mut oversized: Vec<u64> = Vec::new();
    let mut s = 0;
    while s < entries.len() {
        let k = entries[s].0;
        let mut e = s;
        while e < entries.len() && entries[e].0 == k {
            e += 1;
        }
        let split = s + entries[s..e].partition_point(|x| x.1 & SIDE == 0);
        let (nl, nr) = (split - s, e - split);
        let useful = if rk.is_some() { nl > 0 && nr > 0 } else { nl > 1 };
        if useful {
            let pairs = if rk.is_some() { nl * nr } else { nl * (nl - 1) / 2 };
            if nl > max_block || nr > max_block || pairs > max_pairs {
                oversized.push(k);
            } else {
                groups.push((s, split, e));
            }
        }
        s = e;
    }
    if !oversized.is_empty() {
        oversized.sort_unstable();
        let drop = |ks: &mut Vec<Vec<u64>>| ks.par_iter_mut().for_each(|v| v.retain(|k| oversized.binary_search(k).is_err()));
        drop(&mut lk);
        if let Some(rk) = &mut rk {
            drop(rk);
        }
    }
    let lk = &lk;
    let rk = rk.as_ref().unwrap_or(lk);
    let entries = &entries;
    let pairs: Vec<(u32, u32)> = groups
        .par_iter()
        .fold(Vec::new, |mut acc, &(s, split, e)| {
            let key = entries[s].0;
            if right.is_some() {
                for a in &entries[s..split] {
                    for b in &entries[split..e] {
                        let (i, j) = (a.1, b.1 & !SIDE);
                        if first_common(&lk[i as usize], &rk[j as usize]) == Some(key) {
                            acc.push((i, j));
                        }
                    }
                }
            } else {
                for x in s..split {
                    for y in x + 1..split {
                        let (i, j) = (entries[x].1, entries[y].1);
                        if first_common(&lk[i as usize], &lk[j as usize]) == Some(key) {
                            acc.push((i, j));
                        }
                    }
                }
            }
            acc
        })
        .reduce(Vec::new, |mut a, mut b| {
            if a.len() < b.len() {
                std::mem::swap(&mut a, &mut b);
            }
            a.extend(b);
            a
        });
    Candidates { pairs, skipped_blocks: oversized.len() as u64 }
}

struct Dsu(Vec<u32>);
impl Dsu {
    fn new(n: usize) -> Self {
        Dsu((0..n as u32).collect())
    }
    fn find(&mut self, mut x: u32) -> u32 {
        while self.0[x as usize] != x {
            let p = self.0[x as usize];
            self.0[x as usize] = self.0[p as usize];
            x = p;
        }
        x
    }
    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.0[hi as usize] = lo;
        }
    }
}

/// Runs the whole pipeline: de-duplication when `right` is `None`, linking otherwise.
pub fn run<C: Comparator>(cmp: &C, left: &[C::Rec], right: Option<&[C::Rec]>, opt: &Options, progress: &dyn Progress) -> Outcome {
    let n_levels = cmp.n_levels();
    let rights = right.unwrap_or(left);
    let dedup = right.is_none();

    progress.stage("blocking", 0);
    let cand = candidates(cmp, left, right, opt.max_block_size, opt.max_block_pairs);
    let n_cand = cand.pairs.len() as u64;

    progress.stage("comparing candidate pairs", n_cand);
    let patterns: Vec<u64> = cand
        .pairs
        .par_chunks(4096)
        .flat_map_iter(|ch| {
            progress.inc(ch.len() as u64);
            ch.iter().map(|&(i, j)| cmp.pattern(&left[i as usize], &rights[j as usize])).collect::<Vec<_>>()
        })
        .collect();
    let mut counts_map: HashMap<u64, u64> = HashMap::new();
    for &p in &patterns {
        *counts_map.entry(p).or_insert(0) += 1;
    }
    let counts: Vec<(u64, u64)> = counts_map.into_iter().collect();

    // u from random pairs.
    progress.stage("estimating u from random pairs", 0);
    let mut model = Model::initial(&n_levels);
    let total_pairs = if dedup { (left.len() as u128 * left.len().saturating_sub(1) as u128) / 2 } else { left.len() as u128 * rights.len() as u128 };
    if total_pairs > 0 {
        let n = (opt.u_sample as u128).min(total_pairs) as usize;
        let chunks = 64usize;
        let per = n.div_ceil(chunks);
        let u_counts: HashMap<u64, u64> = (0..chunks)
            .into_par_iter()
            .fold(HashMap::new, |mut acc, c| {
                let mut rng = Rng::new(opt.seed ^ (c as u64).wrapping_mul(0x9E37_79B9));
                for _ in 0..per {
                    let i = rng.below(left.len());
                    let mut j = rng.below(rights.len());
                    if dedup && i == j {
                        j = (j + 1) % rights.len();
                    }
                    *acc.entry(cmp.pattern(&left[i], &rights[j])).or_insert(0) += 1;
                }
                acc
            })
            .reduce(HashMap::new, |mut a, b| {
                for (k, v) in b {
                    *a.entry(k).or_insert(0) += v;
                }
                a
            });
        model.set_u_from_counts(&u_counts.into_iter().collect::<Vec<_>>());
    }

    progress.stage("estimating m by EM", 0);
    if opt.labelled.is_empty() {
        // Both m and u are fitted on the candidate pairs (u starts from the
        // random-pair estimate): the non-matches that blocking lets through
        // agree more often than random pairs do. Fields whose exact agreement
        // is common among random pairs (u > 0.1: sex, citizenship, a state)
        // do not take part in choosing the classes (see `Model::em_staged`).
        let weak: Vec<bool> = model.u.iter().map(|u| u[0] > WEAK_FIELD_U).collect();
        model.em_staged(&counts, opt.em_iterations, &weak);
    } else {
        let mut lab: HashMap<u64, u64> = HashMap::new();
        for &(i, j) in &opt.labelled {
            if (i as usize) < left.len() && (j as usize) < rights.len() {
                *lab.entry(cmp.pattern(&left[i as usize], &rights[j as usize])).or_insert(0) += 1;
            }
        }
        model.set_m_from_counts(&lab.into_iter().collect::<Vec<_>>());
        model.em(&counts, opt.em_iterations, false, false);
    }

    let threshold = opt.threshold.unwrap_or(0.5);
    let prob: HashMap<u64, f64> = counts.iter().map(|&(p, _)| (p, model.probability(p))).collect();
    let mut matches: Vec<Match> = cand
        .pairs
        .iter()
        .zip(&patterns)
        .filter_map(|(&(i, j), p)| {
            let pr = prob[p];
            let (l, r) = if dedup { (i.min(j), i.max(j)) } else { (i, j) };
            (pr >= threshold).then_some(Match { left: l, right: r, probability: pr })
        })
        .collect();
    drop(patterns);

    progress.stage("clustering", 0);
    let nl = left.len();
    let n_nodes = if dedup { nl } else { nl + rights.len() };
    if !dedup && opt.one_to_one {
        matches.sort_by(|a, b| b.probability.total_cmp(&a.probability).then(a.left.cmp(&b.left)).then(a.right.cmp(&b.right)));
        let mut used_l = vec![false; nl];
        let mut used_r = vec![false; rights.len()];
        matches.retain(|m| {
            if used_l[m.left as usize] || used_r[m.right as usize] {
                false
            } else {
                used_l[m.left as usize] = true;
                used_r[m.right as usize] = true;
                true
            }
        });
    }
    let mut dsu = Dsu::new(n_nodes);
    for m in &matches {
        let r = if dedup { m.right } else { m.right + nl as u32 };
        dsu.union(m.left, r);
    }
    if dedup && opt.cluster_pairs {
        let mut members: HashMap<u32, Vec<u32>> = HashMap::new();
        for i in 0..nl as u32 {
            let r = dsu.find(i);
            members.entry(r).or_default().push(i);
        }
        let have: std::collections::HashSet<(u32, u32)> = matches.iter().map(|m| (m.left, m.right)).collect();
        let mut extra = Vec::new();
        for ms in members.values() {
            if ms.len() < 3 || ms.len() > 64 {
                continue;
            }
            for a in 0..ms.len() {
                for b in a + 1..ms.len() {
                    let (i, j) = (ms[a].min(ms[b]), ms[a].max(ms[b]));
                    if !have.contains(&(i, j)) {
                        let p = cmp.pattern(&left[i as usize], &left[j as usize]);
                        extra.push(Match { left: i, right: j, probability: model.probability(p) });
                    }
                }
            }
        }
        matches.extend(extra);
    }
    matches.sort_by(|a, b| a.left.cmp(&b.left).then(a.right.cmp(&b.right)));
    let clusters = (0..n_nodes as u32).map(|i| dsu.find(i)).collect();
    progress.finish();
    Outcome { matches, clusters, model, threshold, candidates: n_cand, skipped_blocks: cand.skipped_blocks }
}

/// True if a pattern carries no evidence at all.
pub fn all_missing(p: u64, n_fields: usize) -> bool {
    (0..n_fields).all(|f| crate::model::level(p, f) == MISSING)
}
