//! String similarity measures (own code so that they are optimised in every
//! build profile; ASCII fast path, Unicode by chars).

fn with_units<R>(a: &str, b: &str, f: impl Fn(&[u32], &[u32]) -> R) -> R {
    let mut sa = [0u32; 64];
    let mut sb = [0u32; 64];
    let (ca, cb) = (a.chars().count(), b.chars().count());
    if ca <= 64 && cb <= 64 {
        for (i, c) in a.chars().enumerate() {
            sa[i] = c as u32;
        }
        for (i, c) in b.chars().enumerate() {
            sb[i] = c as u32;
        }
        f(&sa[..ca], &sb[..cb])
    } else {
        let va: Vec<u32> = a.chars().map(|c| c as u32).collect();
        let vb: Vec<u32> = b.chars().map(|c| c as u32).collect();
        f(&va, &vb)
    }
}

/// Jaro similarity.
pub fn jaro_slice(a: &[u32], b: &[u32]) -> f64 {
    let (la, lb) = (a.len(), b.len());
    if la == 0 && lb == 0 {
        return 1.0;
    }
    if la == 0 || lb == 0 {
        return 0.0;
    }
    let window = (la.max(lb) / 2).saturating_sub(1);
    let mut sa = [false; 64];
    let mut sb = [false; 64];
    let mut va;
    let mut vb;
    let (ma, mb): (&mut [bool], &mut [bool]) = if la <= 64 && lb <= 64 {
        (&mut sa[..la], &mut sb[..lb])
    } else {
        va = vec![false; la];
        vb = vec![false; lb];
        (&mut va, &mut vb)
    };
    let mut m = 0usize;
    for i in 0..la {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(lb);
        for j in lo..hi {
            if !mb[j] && a[i] == b[j] {
                ma[i] = true;
                mb[j] = true;
                m += 1;
                break;
            }
        }
    }
    if m == 0 {
        return 0.0;
    }
    let mut t = 0usize;
    let mut k = 0usize;
    for i in 0..la {
        if ma[i] {
            while !mb[k] {
                k += 1;
            }
            if a[i] != b[k] {
                t += 1;
            }
            k += 1;
        }
    }
    let m = m as f64;
    (m / la as f64 + m / lb as f64 + (m - t as f64 / 2.0) / m) / 3.0
}

/// Jaro–Winkler similarity (prefix scale 0.1, prefix up to 4).
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    with_units(a, b, |x, y| {
        let j = jaro_slice(x, y);
        let p = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count();
        j + p as f64 * 0.1 * (1.0 - j)
    })
}

/// Optimal-string-alignment distance (Damerau–Levenshtein with adjacent
/// transpositions, no substring edited twice).
pub fn damerau_levenshtein(a: &str, b: &str) -> usize {
    with_units(a, b, |x, y| {
        let (n, m) = (x.len(), y.len());
        if n == 0 {
            return m;
        }
        if m == 0 {
            return n;
        }
        let w = m + 1;
        let mut stack = [0usize; 1024];
        let mut heap;
        let d: &mut [usize] = if (n + 1) * w <= 1024 {
            &mut stack[..(n + 1) * w]
        } else {
            heap = vec![0usize; (n + 1) * w];
            &mut heap
        };
        for i in 0..=n {
            d[i * w] = i;
        }
        for (j, cell) in d.iter_mut().enumerate().take(m + 1) {
            *cell = j;
        }
        for i in 1..=n {
            for j in 1..=m {
                let cost = usize::from(x[i - 1] != y[j - 1]);
                let mut v = (d[(i - 1) * w + j] + 1).min(d[i * w + j - 1] + 1).min(d[(i - 1) * w + j - 1] + cost);
                if i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] {
                    v = v.min(d[(i - 2) * w + j - 2] + 1);
                }
                d[i * w + j] = v;
            }
        }
        d[n * w + m]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert!((jaro_winkler("martha", "marhta") - 0.9611).abs() < 1e-3);
        assert!((jaro_winkler("dwayne", "duane") - 0.84).abs() < 1e-3);
        assert_eq!(damerau_levenshtein("ca", "ac"), 1);
        assert_eq!(damerau_levenshtein("kitten", "sitting"), 3);
        assert_eq!(damerau_levenshtein("19850312", "19850321"), 1);
        assert_eq!(jaro_winkler("", ""), 1.0);
    }
}
