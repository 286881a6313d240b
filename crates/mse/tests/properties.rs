//! Property tests: the estimate is never below the number observed, and the
//! order of the list columns does not matter.

use proptest::prelude::*;
use vigia_mse::{estimate, CaptureTable, MseOptions};

fn arb_table() -> impl Strategy<Value = CaptureTable> {
    (3usize..=5)
        .prop_flat_map(|k| {
            let cells = (1usize << k) - 1;
            (
                Just(k),
                prop::collection::vec(0u64..40, cells),
                prop::collection::vec(20u64..200, k),
            )
        })
        .prop_map(|(k, mut counts, singles)| {
            // Make every list non-empty and give the lists some overlap.
            for (i, s) in singles.iter().enumerate() {
                counts[(1usize << i) - 1] = *s;
            }
            let lists: Vec<String> = (0..k).map(|i| format!("L{i}")).collect();
            let pats: Vec<(u32, u64)> = counts
                .iter()
                .enumerate()
                .map(|(r, &c)| (r as u32 + 1, c))
                .collect();
            CaptureTable::from_patterns(lists, &pats).unwrap()
        })
}

fn opts() -> MseOptions {
    MseOptions {
        bootstrap: 0,
        profile: false,
        ..MseOptions::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn estimate_never_below_observed(t in arb_table()) {
        if let Ok(r) = estimate(&t, &opts()) {
            prop_assert!(r.estimate >= r.observed as f64);
            prop_assert!(r.hidden >= 0.0);
            for c in &r.candidates {
                if let Some(e) = c.estimate {
                    prop_assert!(e >= r.observed as f64);
                }
            }
        }
    }

    #[test]
    fn permuting_lists_does_not_change_the_estimate(t in arb_table(), seed in 0u64..1000) {
        let k = t.num_lists();
        let mut perm: Vec<usize> = (0..k).collect();
        // A seeded Fisher-Yates shuffle.
        let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        for i in (1..k).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let j = (s >> 33) as usize % (i + 1);
            perm.swap(i, j);
        }
        let p = t.permute_lists(&perm);
        let a = estimate(&t, &opts());
        let b = estimate(&p, &opts());
        match (a, b) {
            (Ok(a), Ok(b)) => {
                prop_assert!((a.estimate - b.estimate).abs() <= 1e-6 * a.estimate, "{} vs {}", a.estimate, b.estimate);
                let mut ma = a.model.clone();
                let mut mb: Vec<String> = b.model.iter().map(|m| {
                    // Names are "Li:Lj" with i < j in the permuted order; normalise.
                    let (x, y) = m.split_once(':').unwrap();
                    if x < y { m.clone() } else { format!("{y}:{x}") }
                }).collect();
                ma.sort();
                mb.sort();
                prop_assert_eq!(ma, mb);
            }
            (Err(_), Err(_)) => {}
            (a, b) => prop_assert!(false, "one estimable, one not: {:?} / {:?}", a.is_ok(), b.is_ok()),
        }
    }
}
