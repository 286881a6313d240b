//! Small numerical helpers: the standard normal distribution and log-factorials.
//!
//! Implemented here rather than pulled from a statistics crate because only three
//! functions are needed; each is tested against reference values.

/// Standard normal cumulative distribution function (Hart 1968, algorithm 5666, as
/// given by West 2005; absolute error below 1e-14).
pub fn normal_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let xa = x.abs();
    let c = if xa > 37.0 {
        0.0
    } else {
        let e = (-xa * xa / 2.0).exp();
        if xa < 7.071_067_811_865_47 {
            let mut n = 3.526_249_659_989_11e-2 * xa + 0.700_383_064_443_688;
            n = n * xa + 6.373_962_203_531_65;
            n = n * xa + 33.912_866_078_383;
            n = n * xa + 112.079_291_497_871;
            n = n * xa + 221.213_596_169_931;
            n = n * xa + 220.206_867_912_376;
            let mut d = 8.838_834_764_831_84e-2 * xa + 1.755_667_163_182_64;
            d = d * xa + 16.064_177_579_207;
            d = d * xa + 86.780_732_202_946_1;
            d = d * xa + 296.564_248_779_674;
            d = d * xa + 637.333_633_378_831;
            d = d * xa + 793.826_512_519_948;
            d = d * xa + 440.413_735_824_752;
            e * n / d
        } else {
            let mut b = xa + 0.65;
            b = xa + 4.0 / b;
            b = xa + 3.0 / b;
            b = xa + 2.0 / b;
            b = xa + 1.0 / b;
            e / b / 2.506_628_274_631
        }
    };
    if x > 0.0 {
        1.0 - c
    } else {
        c
    }
}

/// Quantile function of the standard normal distribution (Acklam's rational
/// approximation refined by one Halley step; relative error about 1e-15).
/// Returns -inf for p <= 0 and +inf for p >= 1.
pub fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() {
        return f64::NAN;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const P_LOW: f64 = 0.024_25;
    let x = if p < P_LOW {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // One Halley step on Phi(x) - p.
    let e = normal_cdf(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

/// ln(n!) for a non-negative integer given as f64.
pub fn ln_factorial(n: f64) -> f64 {
    if n < 2.0 {
        return 0.0;
    }
    if n < 256.0 {
        let mut s = 0.0;
        let mut i = 2.0;
        while i <= n {
            s += f64::ln(i);
            i += 1.0;
        }
        return s;
    }
    // Stirling series for ln Gamma(n + 1).
    let x = n + 1.0;
    (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + 1.0 / (12.0 * x)
        - 1.0 / (360.0 * x.powi(3))
        + 1.0 / (1260.0 * x.powi(5))
}

/// Sample quantile (type 7, linear interpolation) of sorted data. Infinite values
/// are allowed; a quantile that touches an infinite value is infinite.
pub fn quantile_sorted(sorted: &[f64], prob: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let prob = prob.clamp(0.0, 1.0);
    let h = (sorted.len() - 1) as f64 * prob;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    let (a, b) = (sorted[lo], sorted[hi]);
    if lo == hi || a == b {
        return a;
    }
    if a.is_infinite() || b.is_infinite() {
        return if h - lo as f64 > 0.0 { b } else { a };
    }
    a + (h - lo as f64) * (b - a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_reference_values() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-15);
        assert!((normal_cdf(1.96) - 0.975_002_104_851_779_5).abs() < 1e-13);
        assert!((normal_cdf(-1.0) - 0.158_655_253_931_457_07).abs() < 1e-13);
        let t = normal_cdf(-8.0);
        assert!((t / 6.220_960_574_271_785e-16 - 1.0).abs() < 1e-7, "{t:e}");
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-12);
        assert!((normal_quantile(0.025) + 1.959_963_984_540_054).abs() < 1e-12);
        assert!((normal_quantile(0.5)).abs() < 1e-14);
        assert!((normal_quantile(1e-6) + 4.753_424_308_822_899).abs() < 1e-9);
    }

    #[test]
    fn ln_factorial_matches_sum() {
        let direct: f64 = (2..=300).map(|i| (i as f64).ln()).sum();
        assert!((ln_factorial(300.0) - direct).abs() < 1e-9);
        assert_eq!(ln_factorial(0.0), 0.0);
        assert!((ln_factorial(5.0) - 120f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn quantiles() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&v, 0.0), 1.0);
        assert_eq!(quantile_sorted(&v, 1.0), 4.0);
        assert!((quantile_sorted(&v, 0.5) - 2.5).abs() < 1e-12);
        let w = [1.0, 2.0, f64::INFINITY];
        assert_eq!(quantile_sorted(&w, 0.9), f64::INFINITY);
        assert_eq!(quantile_sorted(&w, 0.5), 2.0);
    }
}
