//! The statistics every comparison uses, in one place: a seeded random
//! stream, shuffles, quantiles, a summary of timed calls, a ratio of sums
//! with its bootstrap interval, and the robust paired comparison
//! ([`Paired`]) whose intervals decide whether one row differs from
//! another, or is equivalent to it.
//!
//! Rows are measured in rounds: in every round each row makes one call, in
//! a shuffled order. Call `i` of one row and call `i` of another therefore
//! shared the machine's state of round `i`, and a comparison resamples
//! *rounds*, keeping the pairs together, so that drift which hit both rows
//! alike cancels out of their ratio.

pub mod blocks;
mod paired;

use serde::{Deserialize, Serialize};

pub use blocks::{Blocked, MIN_BLOCKS, by_block, t_quantile};
pub use paired::{DIFFERENCE_LEVEL, EQUIVALENCE_LEVEL, Margin, Paired, Verdict, outliers};

/// Bootstrap resamples per interval. Each interval is seeded, so the same
/// rounds always give the same interval; how far the ends would move under
/// another seed has not been measured.
pub const RESAMPLES: usize = 4000;

/// The confidence level of every interval.
pub const LEVEL: f64 = 0.95;

/// SplitMix64: a small, seeded, well-mixed stream (Steele, Lea and Flood,
/// 2014). Enough for shuffles and resampling; not for secrets.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A stream that depends only on `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is 0). The modulo bias is below
    /// 2⁻⁵⁰ for the sizes used here.
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        usize::try_from(self.next_u64() % n as u64).unwrap_or(0)
    }
}

/// A seed that depends only on `parts` (FNV-1a over their bytes, each
/// ended by a zero), so that the same names always give the same stream.
pub fn seed_of(parts: &[&str]) -> u64 {
    parts
        .iter()
        .flat_map(|p| p.bytes().chain([0]))
        .fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
}

/// `0..len` in an order that depends only on `seed` (Fisher–Yates).
pub fn shuffled(len: usize, seed: u64) -> Vec<usize> {
    let mut rng = SplitMix64::new(seed);
    let mut order: Vec<usize> = (0..len).collect();
    for i in (1..len).rev() {
        order.swap(i, rng.below(i + 1));
    }
    order
}

/// The `q`-quantile (0..=1) of values already sorted, by linear
/// interpolation between the closest ranks (type 7, R's default); `None`
/// when empty.
pub fn quantile_of_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = q.clamp(0.0, 1.0) * last as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// The `q`-quantile of `values` (see [`quantile_of_sorted`]).
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    quantile_of_sorted(&v, q)
}

/// The median of `values`, or `None` when empty.
pub fn median(values: &[f64]) -> Option<f64> {
    quantile(values, 0.5)
}

/// The fewest values whose median has a distribution-free 95 % interval
/// (their smallest and largest cover it with 1 − 2/2⁶ ≈ 97 %).
pub const MEDIAN_CI_ROUNDS: usize = 6;

/// The distribution-free 95 % interval of the median of `values`: the
/// order statistics `k` and `n + 1 − k` with the largest `k` whose
/// coverage, 1 − 2·P(Binomial(n, ½) < k), is still at least 95 %. `None`
/// below [`MEDIAN_CI_ROUNDS`] values, where no such interval exists.
pub fn median_interval(values: &[f64]) -> Option<(f64, f64)> {
    let n = values.len();
    if n < MEDIAN_CI_ROUNDS {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    // P(Binomial(n, ½) = i), accumulated, in logs for large n.
    let ln_choose = |i: usize| -> f64 {
        (1..=i)
            .map(|j| ((n + 1 - j) as f64).ln() - (j as f64).ln())
            .sum()
    };
    let half = (n as f64) * 0.5f64.ln();
    let mut tail = 0.0;
    let mut k = 0;
    // The tail below k = i + 1 includes i.
    for i in 0..n / 2 {
        tail += (ln_choose(i) + half).exp();
        if 1.0 - 2.0 * tail < 0.95 {
            break;
        }
        k = i + 1;
    }
    if k == 0 {
        return None;
    }
    Some((sorted[k - 1], sorted[n - k]))
}

pub(crate) fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

/// One row's timed calls, summarized.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Calls.
    pub n: usize,
    /// Mean, seconds.
    pub mean: f64,
    /// BCa bootstrap 95 % interval of the mean: lower end.
    pub mean_low: f64,
    /// Upper end.
    pub mean_high: f64,
    /// Median.
    pub median: f64,
    /// First quartile.
    pub q1: f64,
    /// Third quartile.
    pub q3: f64,
    /// Fastest call.
    pub min: f64,
    /// Slowest call.
    pub max: f64,
}

impl Summary {
    /// Summarizes `values`; `None` when empty. The interval is a BCa
    /// bootstrap of the mean, seeded by `seed`.
    pub fn of(values: &[f64], seed: u64) -> Option<Self> {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let q = |p| quantile_of_sorted(&sorted, p);
        let (low, high) = bootstrap(values.len(), seed, |idx| {
            idx.iter().map(|&i| values[i]).sum::<f64>() / idx.len() as f64
        })?;
        Some(Self {
            n: values.len(),
            mean: mean(values),
            mean_low: low,
            mean_high: high,
            median: q(0.5)?,
            q1: q(0.25)?,
            q3: q(0.75)?,
            min: q(0.0)?,
            max: q(1.0)?,
        })
    }
}

/// A ratio of two sums, `Σa / Σb`, over the rounds both have, with its
/// bootstrap interval: a row's CPU time per request (its CPU over its
/// requests, round by round). Comparisons of two rows are [`Paired`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Ratio {
    /// mean(a) / mean(b) over the paired rounds.
    pub point: f64,
    /// Lower end of the 95 % interval.
    pub low: f64,
    /// Upper end.
    pub high: f64,
    /// Rounds paired.
    pub rounds: usize,
}

/// The fewest paired rounds from which a ratio names a difference: with
/// fewer, a report gives the figures and no verdict.
pub const MIN_ROUNDS: usize = 10;

impl Ratio {
    /// The ratio of `a`'s mean to `b`'s over the first rounds both have,
    /// round `i` of `a` paired with round `i` of `b`; `None` with no round
    /// or a zero mean. Seeded by `seed`, so the same data gives the same
    /// interval.
    pub fn paired(a: &[f64], b: &[f64], seed: u64) -> Option<Self> {
        let n = a.len().min(b.len());
        let (a, b) = (&a[..n], &b[..n]);
        let of = |idx: &[usize]| {
            let (sa, sb) = idx
                .iter()
                .fold((0.0, 0.0), |(x, y), &i| (x + a[i], y + b[i]));
            if sb > 0.0 { sa / sb } else { f64::NAN }
        };
        let all: Vec<usize> = (0..n).collect();
        let point = of(&all);
        if !point.is_finite() {
            return None;
        }
        let (low, high) = bootstrap(n, seed, of)?;
        Some(Self {
            point,
            low,
            high,
            rounds: n,
        })
    }

    /// `b / a`: the same comparison seen from the other side.
    pub fn inverse(&self) -> Self {
        Self {
            point: 1.0 / self.point,
            low: 1.0 / self.high,
            high: 1.0 / self.low,
            rounds: self.rounds,
        }
    }
}

/// The bias-corrected and accelerated (BCa) bootstrap interval of
/// `statistic` over `n` items (Efron, 1987): [`RESAMPLES`] resamples of
/// the indices, then the percentiles moved to correct the statistic's bias
/// (how many resamples fall below the full-sample value) and its skew (the
/// acceleration, from the jackknife). At 10–30 rounds the plain percentile
/// interval is too narrow, more so for skewed times; BCa covers better,
/// though still not exactly: the intervals stay approximate. With one item
/// the interval is that item's value at both ends; `None` when `n` is 0.
fn bootstrap(n: usize, seed: u64, statistic: impl Fn(&[usize]) -> f64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let all: Vec<usize> = (0..n).collect();
    let full = statistic(&all);
    let mut rng = SplitMix64::new(seed);
    let mut idx = vec![0; n];
    let mut values: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            for slot in &mut idx {
                *slot = rng.below(n);
            }
            statistic(&idx)
        })
        .filter(|v| v.is_finite())
        .collect();
    values.sort_by(f64::total_cmp);
    let tail = (1.0 - LEVEL) / 2.0;
    let percentile = |lo: f64, hi: f64| {
        Some((
            quantile_of_sorted(&values, lo)?,
            quantile_of_sorted(&values, hi)?,
        ))
    };
    // Bias: the share of resamples below the full-sample value (ties half).
    let below = values.iter().filter(|v| **v < full).count() as f64;
    let ties = values.iter().filter(|v| **v == full).count() as f64;
    let share = (below + ties / 2.0) / values.len().max(1) as f64;
    if !(share > 0.0 && share < 1.0) || n < 3 {
        // No spread to correct (every resample equal) or too few items for
        // a jackknife: the percentile interval.
        return percentile(tail, 1.0 - tail);
    }
    let z0 = normal_quantile(share);
    // Acceleration: the skew of the jackknife values.
    let jack: Vec<f64> = (0..n)
        .map(|i| {
            let rest: Vec<usize> = all.iter().copied().filter(|&j| j != i).collect();
            statistic(&rest)
        })
        .collect();
    let mean_jack = jack.iter().sum::<f64>() / n as f64;
    let (num, den) = jack.iter().fold((0.0, 0.0), |(num, den), t| {
        let d = mean_jack - t;
        (num + d * d * d, den + d * d)
    });
    let a = if den > 0.0 {
        num / (6.0 * den.powf(1.5))
    } else {
        0.0
    };
    let adjusted = |alpha: f64| {
        let z = z0 + normal_quantile(alpha);
        normal_cdf(z0 + z / (1.0 - a * z))
    };
    let (lo, hi) = (adjusted(tail), adjusted(1.0 - tail));
    if lo.is_finite() && hi.is_finite() {
        percentile(lo, hi)
    } else {
        percentile(tail, 1.0 - tail)
    }
}

/// The standard normal distribution function, Φ(x), through erfc
/// (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7).
pub fn normal_cdf(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let erfc = t * poly.exp();
    if x >= 0.0 {
        1.0 - erfc / 2.0
    } else {
        erfc / 2.0
    }
}

/// The standard normal quantile, Φ⁻¹(p) for 0 < p < 1 (Acklam's rational
/// approximation, relative error below 1.2e-9); ±∞ at the ends.
pub fn normal_quantile(p: f64) -> f64 {
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
    const LOW: f64 = 0.024_25;
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - LOW {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuffles_are_permutations_that_depend_on_the_seed() {
        let a = shuffled(8, 1);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..8).collect::<Vec<_>>());
        assert_ne!(shuffled(8, 1), shuffled(8, 2));
        assert_eq!(shuffled(8, 3), shuffled(8, 3));
        assert!(shuffled(0, 1).is_empty());
    }

    #[test]
    fn the_median_interval_is_distribution_free() {
        // Too few values for a 95 % interval of the median.
        assert_eq!(median_interval(&[1.0, 2.0, 3.0, 4.0, 5.0]), None);
        // Six: the extremes cover it with 1 − 2/64.
        assert_eq!(
            median_interval(&[6.0, 1.0, 2.0, 3.0, 4.0, 5.0]),
            Some((1.0, 6.0))
        );
        // Ten: the 2nd and 9th (97.9 %; the 3rd and 8th cover 89 %).
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(median_interval(&ten), Some((2.0, 9.0)));
        // Thirty: the 10th and 21st (95.7 %).
        let thirty: Vec<f64> = (1..=30).map(f64::from).collect();
        assert_eq!(median_interval(&thirty), Some((10.0, 21.0)));
    }

    #[test]
    fn quantiles_interpolate_between_ranks() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.25), Some(2.0));
        assert_eq!(quantile(&[7.0], 0.9), Some(7.0));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn a_summary_holds_the_spread_and_an_interval_around_the_mean() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        let s = Summary::of(&v, 7).unwrap();
        assert_eq!(
            (s.n, s.mean, s.median, s.min, s.max),
            (10, 5.5, 5.5, 1.0, 10.0)
        );
        assert_eq!((s.q1, s.q3), (3.25, 7.75));
        assert!(s.mean_low < 5.5 && s.mean_high > 5.5, "{s:?}");
        assert!(s.mean_low > 3.0 && s.mean_high < 8.0, "{s:?}");
        assert_eq!(
            Summary::of(&v, 7),
            Some(s),
            "seeded: the same data, the same interval"
        );
        assert_eq!(Summary::of(&[], 7), None);
    }

    #[test]
    fn pairing_cancels_drift_that_hits_both_rows_alike() {
        // Both rows drift from 1.0 to 2.0 over the rounds; `a` is always
        // 2 % slower. Unpaired, the two spreads overlap completely; paired,
        // the ratio is exactly 1.02 in every round.
        let b: Vec<f64> = (0..10).map(|i| 1.0 + f64::from(i) / 9.0).collect();
        let a: Vec<f64> = b.iter().map(|x| x * 1.02).collect();
        let r = Paired::of(&a, &b, Margin::TIME).unwrap();
        assert!((r.point - 1.02).abs() < 1e-12);
        assert!(r.low > 1.01, "{r:?}");
        assert_eq!(r.verdict(), Verdict::Differs);
        assert_eq!(r.inverse().verdict(), Verdict::Differs);
        let sa = Summary::of(&a, 1).unwrap();
        let sb = Summary::of(&b, 1).unwrap();
        assert!(sa.mean_low < sb.mean_high, "unpaired intervals overlap");
    }

    #[test]
    fn a_sure_difference_within_the_margin_is_equivalent_and_measurable() {
        // `a` is 0.5 % slower in every round: the interval excludes 1 and
        // lies inside the 1 % margin.
        let b: Vec<f64> = (0..10).map(|i| 1.0 + f64::from(i) / 9.0).collect();
        let a: Vec<f64> = b.iter().map(|x| x * 1.005).collect();
        let r = Paired::of(&a, &b, Margin::TIME).unwrap();
        assert!(r.low > 1.0, "{r:?}");
        assert_eq!(r.verdict(), Verdict::Equivalent { measurable: true });
        assert_eq!(
            r.inverse().verdict(),
            Verdict::Equivalent { measurable: true }
        );
        // Held to the CPU's wider margin, 3 % apart is equivalent too.
        let c: Vec<f64> = b.iter().map(|x| x * 1.03).collect();
        let cpu = Paired::of(&c, &b, Margin::CPU).unwrap();
        assert_eq!(cpu.verdict(), Verdict::Equivalent { measurable: true });
        let time = Paired::of(&c, &b, Margin::TIME).unwrap();
        assert_eq!(time.verdict(), Verdict::Differs);
    }

    #[test]
    fn fewer_than_ten_rounds_give_no_verdict() {
        // Three times slower in each of 9 rounds: figures, no verdict.
        let b: Vec<f64> = (0..9).map(|i| 1.0 + f64::from(i) / 9.0).collect();
        let a: Vec<f64> = b.iter().map(|x| x * 3.0).collect();
        let r = Paired::of(&a, &b, Margin::TIME).unwrap();
        assert!((r.point - 3.0).abs() < 1e-12);
        assert_eq!(r.verdict(), Verdict::TooFewRounds);
        assert!(!r.verdict().names_a_difference());
        let ten = Paired::of(
            &[a.clone(), vec![3.0]].concat(),
            &[b.clone(), vec![1.0]].concat(),
            Margin::TIME,
        );
        assert_eq!(ten.unwrap().verdict(), Verdict::Differs);
    }

    #[test]
    fn noise_larger_than_the_difference_is_unresolved() {
        let b = [1.0, 1.3, 0.8, 1.1, 0.9, 1.2, 1.0, 0.7, 1.25, 1.05];
        let a = [1.2, 1.0, 1.1, 0.8, 1.3, 0.9, 1.15, 1.0, 0.85, 1.1];
        let r = Paired::of(&a, &b, Margin::TIME).unwrap();
        assert_eq!(r.verdict(), Verdict::Unresolved, "{r:?}");
        assert!(r.low < 1.0 && r.high > 1.0);
    }

    #[test]
    fn a_ratio_of_sums_has_its_interval() {
        // CPU per request: 1 ms of CPU for 100 requests in every round.
        let cpu: Vec<f64> = (0..10).map(|i| 0.1 + 0.001 * f64::from(i % 3)).collect();
        let requests = [100.0; 10];
        let r = Ratio::paired(&cpu, &requests, 1).unwrap();
        assert!(r.low <= r.point && r.point <= r.high);
        assert!((r.point - cpu.iter().sum::<f64>() / 1000.0).abs() < 1e-12);
    }

    #[test]
    fn the_normal_distribution_and_its_quantiles() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.959_964) - 0.975).abs() < 1e-6);
        assert!((normal_cdf(-1.0) - 0.158_655_25).abs() < 1e-6);
        for p in [0.001, 0.025, 0.3, 0.5, 0.8, 0.975, 0.999] {
            assert!((normal_cdf(normal_quantile(p)) - p).abs() < 1e-6, "{p}");
        }
        assert!((normal_quantile(0.975) - 1.959_964).abs() < 1e-5);
    }

    #[test]
    fn bca_leans_toward_the_long_tail_of_skewed_data() {
        // Skewed times: one slow round in ten. The interval of the mean
        // reaches further above the mean than below it.
        let v = [1.0, 1.0, 1.01, 1.0, 1.02, 1.0, 1.01, 1.0, 1.0, 1.6];
        let s = Summary::of(&v, 5).unwrap();
        assert!(s.mean_high - s.mean > s.mean - s.mean_low, "{s:?}");
    }

    #[test]
    fn ratios_need_rounds_and_a_nonzero_denominator() {
        assert_eq!(Ratio::paired(&[], &[], 1), None);
        assert_eq!(Ratio::paired(&[1.0], &[0.0], 1), None);
        // Unequal lengths pair the rounds both have.
        assert_eq!(Ratio::paired(&[2.0, 9.0], &[1.0], 1).unwrap().rounds, 1);
    }
}
