//! The difference of two means with a Welch (Behrens-Fisher) confidence interval: each side
//! keeps its own variance, and the degrees of freedom are Welch-Satterthwaite's, as
//! sightglass reports it.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub mean_base: f64,
    pub mean_head: f64,
    /// head - base.
    pub diff: f64,
    pub low: f64,
    pub high: f64,
    pub df: f64,
}

impl Interval {
    /// The interval relative to the base mean, in percent.
    pub fn percent(&self) -> (f64, f64, f64) {
        let of = |x: f64| if self.mean_base == 0.0 { 0.0 } else { 100.0 * x / self.mean_base };
        (of(self.diff), of(self.low), of(self.high))
    }
}

fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var)
}

/// The `confidence` (e.g. 0.99) interval of mean(head) - mean(base); `None` with fewer than
/// two samples on a side.
pub fn interval(base: &[f64], head: &[f64], confidence: f64) -> Option<Interval> {
    if base.len() < 2 || head.len() < 2 {
        return None;
    }
    let (ma, va) = mean_var(base);
    let (mb, vb) = mean_var(head);
    let (sa, sb) = (va / base.len() as f64, vb / head.len() as f64);
    let se = (sa + sb).sqrt();
    let diff = mb - ma;
    if se == 0.0 {
        return Some(Interval { mean_base: ma, mean_head: mb, diff, low: diff, high: diff, df: f64::INFINITY });
    }
    let df = (sa + sb).powi(2) / (sa.powi(2) / (base.len() as f64 - 1.0) + sb.powi(2) / (head.len() as f64 - 1.0));
    let t = t_quantile(0.5 + confidence / 2.0, df);
    Some(Interval { mean_base: ma, mean_head: mb, diff, low: diff - t * se, high: diff + t * se, df })
}

/// The `p` quantile (p > 0.5) of Student's t with `df` degrees of freedom, by bisection on
/// its distribution function.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    let (mut lo, mut hi) = (0.0, 1.0);
    while t_cdf(hi, df) < p {
        hi *= 2.0;
        if hi > 1e9 {
            return hi;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// P(T <= t) for t >= 0. Infinite degrees of freedom (no spread on either side) are taken
/// as a billion, where t is the normal distribution to many places.
fn t_cdf(t: f64, df: f64) -> f64 {
    let df = df.min(1e9);
    1.0 - 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
}

/// The regularized incomplete beta I_x(a, b).
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry
    // I_x(a, b) = 1 - I_{1-x}(b, a) otherwise.
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_fraction(a, b, x) / a
    } else {
        1.0 - ln_front.exp() * beta_fraction(b, a, 1.0 - x) / b
    }
}

/// Lentz's evaluation of the incomplete beta function's continued fraction.
fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    let tiny = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..1000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        for aa in [m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))] {
            d = 1.0 + aa * d;
            if d.abs() < tiny {
                d = tiny;
            }
            c = 1.0 + aa / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            h *= d * c;
        }
        if (d * c - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, nine coefficients).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = G[0];
    for (i, g) in G.iter().enumerate().skip(1) {
        sum += g / (x + i as f64);
    }
    let t = x + 7.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_printed_table() {
        // Two-sided 99% critical values (p = 0.995).
        for (df, t) in [(1.0, 63.657), (2.0, 9.925), (5.0, 4.032), (10.0, 3.169), (20.0, 2.845), (30.0, 2.750)] {
            let got = t_quantile(0.995, df);
            assert!((got - t).abs() < 0.002, "df {df}: {got} vs {t}");
        }
        assert!((t_quantile(0.975, 10.0) - 2.228).abs() < 0.002);
        assert!((t_quantile(0.995, f64::INFINITY) - 2.5758).abs() < 0.001);
    }

    #[test]
    fn identical_samples_give_an_interval_around_zero() {
        let xs = [10.0, 11.0, 9.0, 10.5, 9.5, 10.2, 9.8];
        let i = interval(&xs, &xs, 0.99).unwrap();
        assert_eq!(i.diff, 0.0);
        assert!(i.low < 0.0 && i.high > 0.0);
    }

    #[test]
    fn a_shift_well_beyond_the_noise_gives_an_interval_above_zero() {
        let base = [10.0, 11.0, 9.0, 10.5, 9.5, 10.2, 9.8, 10.1];
        let head: Vec<f64> = base.iter().map(|x| x * 1.5).collect();
        let i = interval(&base, &head, 0.99).unwrap();
        assert!(i.low > 0.0, "{i:?}");
        let (diff, _, _) = i.percent();
        assert!((diff - 50.0).abs() < 1e-9);
    }

    #[test]
    fn welch_degrees_of_freedom_follow_the_unequal_variances() {
        // Equal sizes and variances: df = 2n - 2.
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [2.0, 3.0, 4.0, 5.0];
        assert!((interval(&a, &b, 0.99).unwrap().df - 6.0).abs() < 1e-9);
        // One side without spread: df = n - 1 of the other.
        let c = [3.0, 3.0, 3.0, 3.0];
        assert!((interval(&c, &b, 0.99).unwrap().df - 3.0).abs() < 1e-9);
    }

    #[test]
    fn fewer_than_two_samples_give_no_interval() {
        assert!(interval(&[1.0], &[1.0, 2.0], 0.99).is_none());
    }
}
