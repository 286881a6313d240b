//! Generated lists with the hard cases of the field (see `synth`): F1 and
//! blocking recall.

use std::collections::HashSet;

use vigia_linkage::{engine, eval, synth, ClearComparator, Dataset, LinkConfig, NoProgress};

fn datasets(n: usize, seed: u64) -> (LinkConfig, Dataset, Dataset, Vec<(String, String)>) {
    let cfg = LinkConfig::from_toml(synth::CONFIG).unwrap();
    let t = synth::two_lists(n, seed);
    let rows = |v: &[[String; 6]]| v.iter().map(|r| (r[0].clone(), r[1..].to_vec())).collect::<Vec<_>>();
    let a = Dataset::from_rows(&cfg, &rows(&t.a));
    let b = Dataset::from_rows(&cfg, &rows(&t.b));
    (cfg, a, b, t.truth)
}

#[test]
fn hard_cases_f1_and_blocking_recall() {
    for seed in [1, 2] {
        let (cfg, a, b, truth) = datasets(5_000, seed);
        let cmp = ClearComparator::new(&cfg);
        let cand = engine::candidates(&cmp, &a.records, Some(&b.records), cfg.max_block_size, cfg.max_block_pairs);
        let set: HashSet<(String, String)> = cand.pairs.iter().map(|&(i, j)| (a.ids[i as usize].clone(), b.ids[j as usize].clone())).collect();
        let found = truth.iter().filter(|p| set.contains(*p)).count();
        let recall = found as f64 / truth.len() as f64;
        let o = vigia_linkage::link_clear(&cfg, &a, Some(&b), &NoProgress);
        let s = eval::score(&eval::outcome_pairs(&o, &a.ids, &b.ids), &truth, false);
        eprintln!("seed {seed}: blocking recall {recall:.4} ({} candidates), {s:?}", cand.pairs.len());
        assert!(recall >= 0.99, "blocking recall {recall}");
        assert!(s.f1 >= 0.95, "F1 {}", s.f1);
    }
}

#[test]
fn generator_is_seeded() {
    let x = synth::two_lists(200, 9);
    let y = synth::two_lists(200, 9);
    assert_eq!(x.a, y.a);
    assert_eq!(x.truth, y.truth);
    assert_ne!(synth::two_lists(200, 10).a, x.a);
}
