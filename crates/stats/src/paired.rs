//! A robust paired comparison of two rows, round by round, and the verdict
//! its intervals earn.
//!
//! Round `i` of row `a` and round `i` of row `b` ran in the same round, so
//! their log ratio `d_i = ln(a_i / b_i)` has the machine's drift of that
//! round cancelled. The estimate is the Hodges–Lehmann estimate of the
//! centre of the `d_i` (the median of their pairwise means, a
//! pseudo-median), whose interval is the one of the Wilcoxon signed-rank
//! test (Hollander and Wolfe, *Nonparametric Statistical Methods*, §3.3):
//! one slow round moves the estimate by little, where it moves a ratio of
//! means by its whole excess, but at ten rounds it alone can set the 95 %
//! interval's far end. The interval's level is exact only for independent
//! `d_i` symmetric about their centre; rounds run one after another in the
//! same processes, so it is approximate, and it covers the noise between
//! rounds of one run, not between processes or runs. The sign count ("slower in k of n rounds") and its exact
//! two-sided sign-test p-value go with it.
//!
//! A verdict is earned by the intervals against a margin of practical
//! equivalence (two one-sided tests, Schuirmann 1987, through the 90 %
//! interval; a difference through the 95 % interval), never by a point.

use serde::{Deserialize, Serialize};

/// The confidence of the interval that decides a difference.
pub const DIFFERENCE_LEVEL: f64 = 0.95;

/// The confidence of the interval that decides equivalence: two one-sided
/// tests at 5 % each.
pub const EQUIVALENCE_LEVEL: f64 = 0.90;

/// A paired comparison of `a` against `b`: `a / b`, round by round.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Paired {
    /// Rounds paired.
    pub rounds: usize,
    /// The Hodges–Lehmann estimate of `a / b` (exp of the centre of the
    /// per-round log ratios).
    pub point: f64,
    /// The 95 % interval of the ratio (exact Wilcoxon; its achieved
    /// confidence is [`Paired::level95`]).
    pub low: f64,
    /// Upper end of the 95 % interval.
    pub high: f64,
    /// The achieved confidence of that interval (at least 0.95 when it is
    /// finite: the Wilcoxon distribution is discrete).
    pub level95: f64,
    /// The 90 % interval's lower end.
    pub low90: f64,
    /// Its upper end.
    pub high90: f64,
    /// Rounds in which `a` took longer than `b`.
    pub slower: usize,
    /// Rounds in which `a` took less.
    pub faster: usize,
    /// The exact two-sided sign-test p-value of that count.
    pub sign_p: f64,
    /// The margin of practical equivalence the verdict is held to.
    pub margin: Margin,
    /// Blocks the rounds ran in: 1 when the intervals are over rounds
    /// ([`Paired::of`]); more when they are over blocks
    /// ([`Paired::of_blocks`]).
    #[serde(default = "one")]
    pub blocks: usize,
    /// With blocks, in how many the block's own estimate says what the
    /// verdict says (inside the margin for an equivalence; beyond it, on
    /// the verdict's side, for a difference; on its side of 1 for a
    /// difference of unknown size); 0 for an unresolved comparison or one
    /// over rounds.
    #[serde(default)]
    pub held: usize,
}

fn one() -> usize {
    1
}

/// A margin of practical equivalence, as a fraction: 0.01 is ±1 %, read on
/// the ratio's log scale (`1/1.01` to `1.01`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Margin(pub f64);

impl Margin {
    /// ±1 %: wall time and instructions.
    pub const TIME: Margin = Margin(0.01);
    /// ±5 %: CPU time and memory, which drift more between rounds.
    pub const CPU: Margin = Margin(0.05);

    fn upper(self) -> f64 {
        1.0 + self.0
    }

    fn lower(self) -> f64 {
        1.0 / (1.0 + self.0)
    }
}

/// What a paired comparison's intervals earn against a margin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// The 90 % interval lies inside ± the margin (TOST at 5 %). With
    /// `measurable`, the 95 % interval also excludes 1: a real
    /// difference, too small to matter.
    Equivalent {
        /// Whether the 95 % interval excludes 1.
        measurable: bool,
    },
    /// The 95 % interval lies wholly beyond the margin, on one side.
    Differs,
    /// The 95 % interval excludes 1 but reaches inside the margin: the
    /// direction is established, whether the size passes the margin is not.
    DiffersBySizeUnknown,
    /// The 95 % interval includes 1 and reaches beyond the margin: this run
    /// cannot tell.
    Unresolved,
    /// Fewer than [`MIN_ROUNDS`](crate::MIN_ROUNDS) rounds, or with
    /// blocks fewer than [`MIN_BLOCKS`](crate::MIN_BLOCKS) blocks: figures
    /// only.
    TooFewRounds,
}

impl Verdict {
    /// Whether the verdict states that the rows differ (by a little or by
    /// more than the margin).
    pub fn names_a_difference(self) -> bool {
        matches!(self, Self::Differs | Self::DiffersBySizeUnknown)
    }
}

impl Paired {
    /// `a` against `b` over the first rounds both have, held to `margin`;
    /// `None` when fewer than two rounds pair or a value is not positive.
    pub fn of(a: &[f64], b: &[f64], margin: Margin) -> Option<Self> {
        let d = log_ratios(a, b)?;
        let n = d.len();
        if n < 2 {
            return None;
        }
        let walsh = walsh_averages(&d);
        let centre = crate::quantile_of_sorted(&walsh, 0.5)?;
        let null = signed_rank_null(n);
        let (low95, high95, level95) = interval(&walsh, &null, 1.0 - DIFFERENCE_LEVEL);
        let (low90, high90, _) = interval(&walsh, &null, 1.0 - EQUIVALENCE_LEVEL);
        let (slower, faster) = signs(&d);
        Some(Self {
            rounds: n,
            point: centre.exp(),
            low: low95.exp(),
            high: high95.exp(),
            level95,
            low90: low90.exp(),
            high90: high90.exp(),
            slower,
            faster,
            sign_p: sign_test(slower, slower + faster),
            margin,
            blocks: 1,
            held: 0,
        })
    }

    /// `a` against `b` measured in blocks (`a[k]` and `b[k]`: block `k`'s
    /// rounds, round `i` of one paired with round `i` of the other): the
    /// Hodges–Lehmann estimate of the log ratio in each block, then their
    /// mean with Student t intervals over the blocks (blocks − 1 degrees
    /// of freedom; see [`crate::blocks`]). `None` with fewer than two
    /// blocks that pair a round, or a value that is not positive.
    pub fn of_blocks(a: &[Vec<f64>], b: &[Vec<f64>], margin: Margin) -> Option<Self> {
        let mut centres = Vec::new();
        let mut all = Vec::new();
        let mut groups = Vec::new();
        for (x, y) in a.iter().zip(b) {
            let d = log_ratios(x, y)?;
            if d.is_empty() {
                continue;
            }
            centres.push(crate::quantile_of_sorted(&walsh_averages(&d), 0.5)?);
            all.extend_from_slice(&d);
            groups.push(d);
        }
        let refs: Vec<&Vec<f64>> = groups.iter().collect();
        let within = crate::blocks::pooled_within(&refs);
        let blocked = crate::Blocked::of_values(&centres, all.len(), within)?;
        let (slower, faster) = signs(&all);
        let mut paired = Self {
            rounds: all.len(),
            point: blocked.mean.exp(),
            low: blocked.low.exp(),
            high: blocked.high.exp(),
            level95: DIFFERENCE_LEVEL,
            low90: blocked.low90.exp(),
            high90: blocked.high90.exp(),
            slower,
            faster,
            sign_p: sign_test(slower, slower + faster),
            margin,
            blocks: blocked.blocks,
            held: 0,
        };
        paired.held = paired.blocks_agreeing(&centres);
        Some(paired)
    }

    /// How many of the block estimates `centres` (log ratios) say what the
    /// verdict of the intervals says.
    fn blocks_agreeing(&self, centres: &[f64]) -> usize {
        let edge = self.margin.upper().ln();
        let slower = self.low > 1.0;
        let agrees = |c: f64| match self.verdict_of_intervals() {
            Verdict::Equivalent { .. } => c.abs() <= edge,
            Verdict::Differs if slower => c > edge,
            Verdict::Differs => c < -edge,
            Verdict::DiffersBySizeUnknown if slower => c > 0.0,
            Verdict::DiffersBySizeUnknown => c < 0.0,
            Verdict::Unresolved | Verdict::TooFewRounds => false,
        };
        centres.iter().filter(|c| agrees(**c)).count()
    }

    /// The verdict the intervals earn against the margin.
    pub fn verdict(&self) -> Verdict {
        let too_few = if self.blocks > 1 {
            self.blocks < crate::MIN_BLOCKS
        } else {
            self.rounds < crate::MIN_ROUNDS
        };
        if too_few {
            return Verdict::TooFewRounds;
        }
        self.verdict_of_intervals()
    }

    /// What the intervals alone say, whatever the number of rounds: for a
    /// second look at the same comparison with a round or two left out,
    /// never for a verdict of its own. `TooFewRounds` only when no interval
    /// exists (five rounds or fewer).
    pub fn verdict_of_intervals(&self) -> Verdict {
        let margin = self.margin;
        if !(self.low.is_finite() && self.high.is_finite()) {
            return Verdict::TooFewRounds;
        }
        let inside = self.low90 >= margin.lower() && self.high90 <= margin.upper();
        let excludes_one = self.low > 1.0 || self.high < 1.0;
        let beyond = self.low > margin.upper() || self.high < margin.lower();
        if inside {
            Verdict::Equivalent {
                measurable: excludes_one,
            }
        } else if beyond {
            Verdict::Differs
        } else if excludes_one {
            Verdict::DiffersBySizeUnknown
        } else {
            Verdict::Unresolved
        }
    }

    /// `b` against `a`: the same comparison from the other side.
    pub fn inverse(&self) -> Self {
        Self {
            point: 1.0 / self.point,
            low: 1.0 / self.high,
            high: 1.0 / self.low,
            low90: 1.0 / self.high90,
            high90: 1.0 / self.low90,
            slower: self.faster,
            faster: self.slower,
            ..*self
        }
    }
}

/// The per-round log ratios `ln(a_i / b_i)` over the rounds both have;
/// `None` when one is not finite (a value that is not positive).
fn log_ratios(a: &[f64], b: &[f64]) -> Option<Vec<f64>> {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| (x / y).ln()).collect();
    d.iter().all(|v| v.is_finite()).then_some(d)
}

/// The sorted Walsh averages `(d_i + d_j) / 2`, i ≤ j.
fn walsh_averages(d: &[f64]) -> Vec<f64> {
    let n = d.len();
    let mut walsh: Vec<f64> = Vec::with_capacity(n * (n + 1) / 2);
    for i in 0..n {
        for j in i..n {
            walsh.push((d[i] + d[j]) / 2.0);
        }
    }
    walsh.sort_by(f64::total_cmp);
    walsh
}

/// Rounds with a positive and with a negative log ratio.
fn signs(d: &[f64]) -> (usize, usize) {
    (
        d.iter().filter(|v| **v > 0.0).count(),
        d.iter().filter(|v| **v < 0.0).count(),
    )
}

/// The null distribution of the Wilcoxon signed-rank statistic W+ for `n`
/// pairs: `p[k]` = P(W+ = k), k = 0 ..= n(n+1)/2, by counting the subsets
/// of ranks 1..=n with each sum.
fn signed_rank_null(n: usize) -> Vec<f64> {
    let max = n * (n + 1) / 2;
    let mut ways = vec![0.0_f64; max + 1];
    ways[0] = 1.0;
    for rank in 1..=n {
        for sum in (rank..=max).rev() {
            ways[sum] += ways[sum - rank];
        }
    }
    let total: f64 = ways.iter().sum();
    ways.iter().map(|w| w / total).collect()
}

/// The exact interval from the sorted Walsh averages at error `alpha`
/// (two-sided), and its achieved confidence: `[W(c), W(M + 1 − c)]`
/// (1-based) with `c` the largest integer such that P(W+ ≤ c − 1) ≤ α/2.
/// With too few pairs for any such `c`, the whole line.
fn interval(walsh: &[f64], null: &[f64], alpha: f64) -> (f64, f64, f64) {
    let mut below = 0.0;
    let mut c = 0;
    for p in null {
        if below + p > alpha / 2.0 {
            break;
        }
        below += p;
        c += 1;
    }
    let m = walsh.len();
    if c == 0 || c > m {
        return (f64::NEG_INFINITY, f64::INFINITY, 1.0);
    }
    (walsh[c - 1], walsh[m - c], 1.0 - 2.0 * below)
}

/// The exact two-sided sign-test p-value of `k` successes in `n` trials
/// at probability one half (1.0 with no trial).
fn sign_test(k: usize, n: usize) -> f64 {
    if n == 0 {
        return 1.0;
    }
    let tail = k.min(n - k);
    // P(X ≤ tail) for X ~ Bin(n, ½), by the recurrence of the binomial.
    let (mut term, mut sum) = (0.5_f64.powi(i32::try_from(n).unwrap_or(i32::MAX)), 0.0);
    for i in 0..=tail {
        sum += term;
        term *= (n - i) as f64 / (i + 1) as f64;
    }
    (2.0 * sum).min(1.0)
}

/// The indices of `values` more than three scaled median absolute
/// deviations (1.4826 × MAD, the normal's standard deviation) from their
/// median: rounds to name, and to show a verdict without. None when the
/// MAD is zero.
pub fn outliers(values: &[f64]) -> Vec<usize> {
    let Some(centre) = crate::median(values) else {
        return Vec::new();
    };
    let deviations: Vec<f64> = values.iter().map(|v| (v - centre).abs()).collect();
    let scale = crate::median(&deviations).unwrap_or(0.0) * 1.4826;
    if scale <= 0.0 {
        return Vec::new();
    }
    (0..values.len())
        .filter(|&i| deviations[i] > 3.0 * scale)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signed_rank_intervals_are_the_textbook_ones() {
        // n = 10: P(W+ <= 8) = 0.0244, so the 95 % interval runs from the
        // 9th to the 47th of the 55 Walsh averages (achieved 95.1 %); the
        // 90 % one from the 11th to the 45th (P(W+ <= 10) = 0.0420).
        let null = signed_rank_null(10);
        assert!((null.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let walsh: Vec<f64> = (1..=55).map(f64::from).collect();
        let (lo, hi, level) = interval(&walsh, &null, 0.05);
        assert_eq!((lo, hi), (9.0, 47.0));
        assert!((level - 0.9512).abs() < 1e-3, "{level}");
        let (lo, hi, _) = interval(&walsh, &null, 0.10);
        assert_eq!((lo, hi), (11.0, 45.0));
        // Five pairs cannot reach 95 %: every sign the same has p = 1/16.
        let (lo, hi, _) = interval(&walsh[..15], &signed_rank_null(5), 0.05);
        assert!(lo.is_infinite() && hi.is_infinite());
    }

    #[test]
    fn the_sign_test_is_exact() {
        assert!((sign_test(10, 10) - 2.0 / 1024.0).abs() < 1e-12);
        assert!((sign_test(8, 10) - 2.0 * 56.0 / 1024.0).abs() < 1e-12);
        assert_eq!(sign_test(5, 10), 1.0);
        assert_eq!(sign_test(0, 0), 1.0);
    }

    /// Ten rounds of `b` at 100 ms with a little drift, and `a` at `ratio`
    /// times each, with per-round noise of `noise` (fraction) in an order
    /// that is not monotone.
    fn rows(ratio: f64, noise: f64) -> (Vec<f64>, Vec<f64>) {
        let wobble = [0.3, -0.8, 0.5, -0.1, 0.9, -0.6, 0.0, -0.4, 0.7, -0.2];
        let b: Vec<f64> = (0..10).map(|i| 0.100 + 0.002 * f64::from(i % 3)).collect();
        let a = b
            .iter()
            .zip(wobble)
            .map(|(x, w)| x * ratio * (1.0 + noise * w))
            .collect();
        (a, b)
    }

    #[test]
    fn verdicts_follow_the_intervals_not_the_point() {
        let of = |ratio: f64, noise: f64| {
            let (a, b) = rows(ratio, noise);
            Paired::of(&a, &b, Margin::TIME).unwrap().verdict()
        };
        // Tight and equal: equivalent, and not measurably different.
        assert_eq!(of(1.0, 0.001), Verdict::Equivalent { measurable: false });
        // Tight, 0.5 % apart: equivalent, but measurably so.
        assert_eq!(of(1.005, 0.001), Verdict::Equivalent { measurable: true });
        // 10 % apart: differs.
        assert_eq!(of(1.10, 0.01), Verdict::Differs);
        assert_eq!(of(0.90, 0.01), Verdict::Differs);
        // 1.5 % apart with noise of ±2 %: the 95 % interval
        // excludes 1 but reaches inside the margin.
        assert_eq!(of(1.015, 0.02), Verdict::DiffersBySizeUnknown);
        // Noise of ±10 % around no difference: cannot tell.
        assert_eq!(of(1.0, 0.10), Verdict::Unresolved);
        // Five rounds: figures only.
        let (a, b) = rows(1.2, 0.0);
        assert_eq!(
            Paired::of(&a[..5], &b[..5], Margin::TIME)
                .unwrap()
                .verdict(),
            Verdict::TooFewRounds
        );
    }

    #[test]
    fn one_slow_round_moves_the_estimate_little() {
        let (mut a, b) = rows(1.05, 0.005);
        let before = Paired::of(&a, &b, Margin::TIME).unwrap();
        a[3] *= 1.30;
        let after = Paired::of(&a, &b, Margin::TIME).unwrap();
        assert!(
            (after.point - before.point).abs() < 0.005,
            "{before:?} {after:?}"
        );
        assert_eq!(outliers(&a), [3]);
        assert_eq!((after.slower, after.faster), (10, 0));
        assert!(after.sign_p < 0.01);
    }

    #[test]
    fn the_inverse_swaps_the_sides() {
        let (a, b) = rows(1.10, 0.01);
        let p = Paired::of(&a, &b, Margin::TIME).unwrap();
        let q = Paired::of(&b, &a, Margin::TIME).unwrap();
        let inv = p.inverse();
        assert!((inv.point - q.point).abs() < 1e-12);
        assert!((inv.low - q.low).abs() < 1e-12 && (inv.high90 - q.high90).abs() < 1e-12);
        assert_eq!((inv.slower, inv.faster), (q.slower, q.faster));
        assert_eq!(p.verdict(), q.verdict());
    }

    #[test]
    fn blocks_decide_and_say_how_many_agree() {
        // Five blocks of two rounds, `a` 10 % slower in each with ±1 %
        // between blocks: a difference, held in every block.
        let shifts = [1.00, 1.01, 0.99, 1.005, 0.995];
        let blocks = |ratio: f64| -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
            shifts
                .iter()
                .map(|s| (vec![0.1 * ratio * s, 0.1 * ratio * s], vec![0.1, 0.1]))
                .unzip()
        };
        let (a, b) = blocks(1.10);
        let p = Paired::of_blocks(&a, &b, Margin::TIME).unwrap();
        assert_eq!((p.blocks, p.rounds, p.slower), (5, 10, 10));
        assert_eq!(p.verdict(), Verdict::Differs);
        assert_eq!(p.held, 5);
        // The interval is t over five block estimates: mean 10 %, spread
        // of the shifts (s = 0.79 %) × 2.776 / √5.
        let mean = shifts.iter().map(|s: &f64| (1.1 * s).ln()).sum::<f64>() / 5.0;
        assert!((p.point.ln() - mean).abs() < 1e-12);
        assert!(p.low < p.point && p.point < p.high);
        // Equal in every block but one that runs 3 % slow: still
        // equivalent? The interval says no: it reaches past ±1 %.
        let (mut a, b) = blocks(1.0);
        for x in &mut a[2] {
            *x *= 1.03;
        }
        let q = Paired::of_blocks(&a, &b, Margin::TIME).unwrap();
        assert_eq!(q.verdict(), Verdict::Unresolved);
        assert_eq!(q.held, 0);
        // Four blocks: figures only, whatever the rounds.
        let (a, b) = blocks(1.10);
        let r = Paired::of_blocks(&a[..4], &b[..4], Margin::TIME).unwrap();
        assert_eq!(r.verdict(), Verdict::TooFewRounds);
        // One block is no comparison over blocks.
        assert_eq!(Paired::of_blocks(&a[..1], &b[..1], Margin::TIME), None);
        // The inverse keeps the blocks and the count.
        assert_eq!((p.inverse().blocks, p.inverse().held), (5, 5));
    }

    #[test]
    fn no_pair_no_comparison() {
        assert_eq!(Paired::of(&[0.1], &[0.1], Margin::TIME), None);
        assert_eq!(Paired::of(&[0.1, 0.2], &[0.0, 0.1], Margin::TIME), None);
        assert!(outliers(&[1.0, 1.0, 1.0]).is_empty());
    }
}
