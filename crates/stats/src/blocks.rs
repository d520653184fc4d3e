//! Two levels of noise: rounds inside a block, and blocks inside a run.
//!
//! A block is one set of fresh processes (the mock's and every row's),
//! warmed up, then timed in a few shuffled rounds. Rounds of one block
//! share the processes' luck (where their memory landed, which CPU state
//! they met); blocks do not. Kalibera and Jones ("Rigorous Benchmarking in
//! Reasonable Time", 2013) show that intervals over the rounds of one
//! process are too narrow when the processes differ, and that the
//! honest unit of replication is the block: the interval of a figure is a
//! Student t interval over its block values (a random-effects view), with
//! blocks − 1 degrees of freedom. [`Blocked`] is that interval with the
//! two variance components beside it; [`crate::Paired::of_blocks`] is the
//! paired comparison built the same way.

use serde::{Deserialize, Serialize};

/// The fewest blocks from which a verdict is drawn: with fewer, a t
/// interval has so few degrees of freedom that its width is mostly its
/// quantile, and a bootstrap over blocks is degenerate.
pub const MIN_BLOCKS: usize = 5;

/// A figure measured in blocks: the mean of its block values with a t
/// interval over them, and the noise at each level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Blocked {
    /// Blocks.
    pub blocks: usize,
    /// Rounds, over all blocks.
    pub rounds: usize,
    /// The mean of the block values.
    pub mean: f64,
    /// The 95 % t interval of that mean: lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
    /// The 90 % t interval: lower end.
    pub low90: f64,
    /// Upper end.
    pub high90: f64,
    /// The standard deviation between rounds inside a block (pooled over
    /// the blocks); 0 with one round a block.
    pub within_sd: f64,
    /// The standard deviation between blocks that rounds alone do not
    /// explain: √max(0, s²(block values) − within² / rounds a block).
    pub between_sd: f64,
}

impl Blocked {
    /// The block means of `groups` (each block's rounds), their mean and t
    /// intervals; `None` with fewer than two non-empty blocks or a value
    /// that is not finite.
    pub fn of_means(groups: &[Vec<f64>]) -> Option<Self> {
        let groups: Vec<&Vec<f64>> = groups.iter().filter(|g| !g.is_empty()).collect();
        let values: Vec<f64> = groups.iter().map(|g| crate::mean(g)).collect();
        let rounds: usize = groups.iter().map(|g| g.len()).sum();
        let (within, per_block) = pooled_within(&groups);
        Self::of_values(&values, rounds, (within, per_block))
    }

    /// A figure whose block values are `values` (one a block, however each
    /// was computed from its rounds), over `rounds` rounds in all, whose
    /// rounds varied by `within_sd` inside a block of `per_block` rounds.
    pub fn of_values(values: &[f64], rounds: usize, within: (f64, f64)) -> Option<Self> {
        let n = values.len();
        if n < 2 || values.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let mean = crate::mean(values);
        let s2 = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let se = (s2 / n as f64).sqrt();
        let df = (n - 1) as f64;
        let t95 = t_quantile(1.0 - (1.0 - crate::DIFFERENCE_LEVEL) / 2.0, df);
        let t90 = t_quantile(1.0 - (1.0 - crate::EQUIVALENCE_LEVEL) / 2.0, df);
        let (within_sd, per_block) = within;
        let between2 = s2 - within_sd.powi(2) / per_block.max(1.0);
        Some(Self {
            blocks: n,
            rounds,
            mean,
            low: mean - t95 * se,
            high: mean + t95 * se,
            low90: mean - t90 * se,
            high90: mean + t90 * se,
            within_sd,
            between_sd: between2.max(0.0).sqrt(),
        })
    }

    /// Whether `value` lies inside the 95 % interval.
    pub fn covers(&self, value: f64) -> bool {
        self.low <= value && value <= self.high
    }
}

/// The pooled standard deviation of rounds about their block's mean, and
/// the mean number of rounds a block: (0, 1) when no block has two rounds.
pub(crate) fn pooled_within(groups: &[&Vec<f64>]) -> (f64, f64) {
    let (mut ss, mut df, mut rounds) = (0.0, 0usize, 0usize);
    for g in groups {
        let m = crate::mean(g);
        ss += g.iter().map(|v| (v - m).powi(2)).sum::<f64>();
        df += g.len().saturating_sub(1);
        rounds += g.len();
    }
    let per_block = rounds as f64 / groups.len().max(1) as f64;
    if df == 0 {
        return (0.0, per_block.max(1.0));
    }
    ((ss / df as f64).sqrt(), per_block)
}

/// Splits `values` (in round order) into blocks by `block_of_round` (the
/// block of each value, in the same order); blocks in order of first
/// appearance.
pub fn by_block(values: &[f64], block_of_round: &[usize]) -> Vec<Vec<f64>> {
    let mut order: Vec<usize> = Vec::new();
    let mut groups: Vec<Vec<f64>> = Vec::new();
    for (v, b) in values.iter().zip(block_of_round) {
        let i = match order.iter().position(|x| x == b) {
            Some(i) => i,
            None => {
                order.push(*b);
                groups.push(Vec::new());
                order.len() - 1
            }
        };
        groups[i].push(*v);
    }
    groups
}

/// Student's t distribution function with `df` degrees of freedom.
pub fn t_cdf(t: f64, df: f64) -> f64 {
    let x = df / (df + t * t);
    let tail = 0.5 * incomplete_beta(df / 2.0, 0.5, x);
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// The quantile of Student's t with `df` degrees of freedom at `p`
/// (0 < p < 1), by bisection on [`t_cdf`] to 1e-10.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let (mut lo, mut hi) = (-1e4, 1e4);
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-10 {
            break;
        }
    }
    (lo + hi) / 2.0
}

/// The regularized incomplete beta function I_x(a, b), by its continued
/// fraction (Numerical Recipes, §6.4, modified Lentz).
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < 1e-14 {
            break;
        }
    }
    h
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, nine terms; relative error ~1e-15).
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
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
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
    fn t_quantiles_are_the_tables() {
        // Student's tables: t(0.975; 1, 4, 9, 29) and t(0.95; 4).
        for (p, df, want) in [
            (0.975, 1.0, 12.7062),
            (0.975, 4.0, 2.7764),
            (0.975, 9.0, 2.2622),
            (0.975, 29.0, 2.0452),
            (0.95, 4.0, 2.1318),
        ] {
            let got = t_quantile(p, df);
            assert!(
                (got - want).abs() < 1e-3,
                "t({p}; {df}) = {got}, not {want}"
            );
        }
        assert!((t_cdf(0.0, 4.0) - 0.5).abs() < 1e-12);
        assert!((t_quantile(0.025, 4.0) + 2.7764).abs() < 1e-3);
        assert!((ln_gamma(5.0) - 24.0_f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
    }

    #[test]
    fn the_interval_is_over_blocks_not_rounds() {
        // Five blocks whose rounds agree closely but whose means differ by
        // ±2 %: the interval is as wide as the blocks say.
        let shifts = [1.00, 1.02, 0.98, 1.01, 0.99];
        let groups: Vec<Vec<f64>> = shifts
            .iter()
            .map(|s| vec![0.100 * s, 0.1001 * s, 0.0999 * s])
            .collect();
        let b = Blocked::of_means(&groups).unwrap();
        assert_eq!((b.blocks, b.rounds), (5, 15));
        assert!((b.mean - 0.100).abs() < 1e-9);
        // s(block means) = 0.1 × 1.58 % = 1.58 ms; se = 0.707 ms; × 2.776.
        let half = (b.high - b.low) / 2.0;
        assert!(
            (half - 2.7764 * 0.001_581_1 / 5f64.sqrt()).abs() < 2e-6,
            "{half}"
        );
        assert!(b.low90 > b.low && b.high90 < b.high);
        // Nearly all of the noise is between blocks.
        assert!(b.between_sd > 10.0 * b.within_sd, "{b:?}");
        assert!(b.covers(0.1) && !b.covers(0.11));
    }

    #[test]
    fn noise_inside_blocks_is_not_counted_twice() {
        // Every block the same rounds: the block means agree exactly, and
        // all of the noise is within.
        let groups = vec![vec![0.9, 1.1]; 5];
        let b = Blocked::of_means(&groups).unwrap();
        assert_eq!((b.low, b.high, b.between_sd), (1.0, 1.0, 0.0));
        assert!((b.within_sd - 0.02_f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn one_block_is_no_interval() {
        assert_eq!(Blocked::of_means(&[vec![1.0, 2.0, 3.0]]), None);
        assert_eq!(Blocked::of_means(&[vec![1.0], vec![]]), None);
        assert_eq!(Blocked::of_values(&[1.0, f64::NAN], 2, (0.0, 1.0)), None);
    }

    #[test]
    fn values_are_grouped_by_their_block() {
        let groups = by_block(&[1.0, 2.0, 3.0, 4.0, 5.0], &[0, 0, 1, 1, 2]);
        assert_eq!(groups, vec![vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0]]);
        assert!(by_block(&[], &[]).is_empty());
    }
}
