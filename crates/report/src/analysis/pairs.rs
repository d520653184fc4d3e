//! Every row against every other row of its scenario, round by round:
//! the paired ratios the sentences quote, computed once here.

use wikifetch_stats::{Margin, Paired};

use super::Row;

/// One row against another of the same scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Versus {
    /// The other row's strategy.
    pub strategy: String,
    /// The other row's C.
    pub concurrency: usize,
    /// This row's time over the other's, round by round, held to the
    /// time's margin.
    pub time: Option<Paired>,
    /// This row's client CPU over the other's, round by round, held to the
    /// CPU's margin.
    pub cpu: Option<Paired>,
    /// The time's comparison without the rounds where either row had an
    /// outlier; `None` when neither had one.
    pub time_without_outliers: Option<Paired>,
}

/// Fills every row's [`Row::versus`] with its paired comparisons against
/// every other row of its scenario. Each unordered pair is computed once;
/// `b` against `a` is its inverse.
pub fn pair_up(rows: &mut [Row]) {
    let n = rows.len();
    for i in 0..n {
        for j in i + 1..n {
            if rows[i].scenario != rows[j].scenario {
                continue;
            }
            let (a, b) = (&rows[i], &rows[j]);
            let time = super::compare(a, b, super::walls, Margin::TIME);
            let cpu = super::compare(a, b, super::cpus, Margin::CPU);
            let without = super::without_outliers(a, b);
            let (ai, bi) = (
                versus(b, [time, cpu, without]),
                versus(a, [inverse(time), inverse(cpu), inverse(without)]),
            );
            rows[i].versus.push(ai);
            rows[j].versus.push(bi);
        }
    }
}

fn versus(other: &Row, [time, cpu, time_without_outliers]: [Option<Paired>; 3]) -> Versus {
    Versus {
        strategy: other.strategy.clone(),
        concurrency: other.concurrency,
        time,
        cpu,
        time_without_outliers,
    }
}

fn inverse(r: Option<Paired>) -> Option<Paired> {
    r.map(|r| r.inverse())
}

/// `a` against `b`, as [`pair_up`] found it; `None` when they were not
/// paired (another scenario) or a ratio had no rounds.
pub fn against<'r>(a: &'r Row, b: &Row) -> Option<&'r Versus> {
    a.versus
        .iter()
        .find(|v| v.strategy == b.strategy && v.concurrency == b.concurrency)
}
