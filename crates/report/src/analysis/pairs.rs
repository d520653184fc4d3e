//! Every row against every other row of its scenario, round by round:
//! the paired ratios the sentences quote, computed once here.

use wikifetch_stats::Ratio;

use super::{Row, seed_of};

/// One row against another of the same scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Versus {
    /// The other row's strategy.
    pub strategy: String,
    /// The other row's C.
    pub concurrency: usize,
    /// This row's time over the other's, round by round.
    pub time: Option<Ratio>,
    /// This row's client CPU over the other's, round by round.
    pub cpu: Option<Ratio>,
}

/// Fills every row's [`Row::versus`] with its paired ratios against every
/// other row of its scenario. Each unordered pair is resampled once, seeded
/// by the scenario and the two names in a fixed order, so that `b` against
/// `a` is exactly the inverse of `a` against `b`.
pub fn pair_up(rows: &mut [Row]) {
    let n = rows.len();
    for i in 0..n {
        for j in i + 1..n {
            if rows[i].scenario != rows[j].scenario {
                continue;
            }
            let (a, b) = (&rows[i], &rows[j]);
            let time = paired(a, b, |r| &r.walls, None);
            let cpu = paired(a, b, |r| &r.cpus, Some("cpu"));
            let (ai, bi) = (versus(b, time, cpu), versus(a, inverse(time), inverse(cpu)));
            rows[i].versus.push(ai);
            rows[j].versus.push(bi);
        }
    }
}

fn versus(other: &Row, time: Option<Ratio>, cpu: Option<Ratio>) -> Versus {
    Versus {
        strategy: other.strategy.clone(),
        concurrency: other.concurrency,
        time,
        cpu,
    }
}

fn inverse(r: Option<Ratio>) -> Option<Ratio> {
    r.map(|r| r.inverse())
}

/// `values(a)` over `values(b)`, round by round, seeded by the scenario,
/// the two rows' names in a fixed order, and `what` is compared, if not
/// time.
fn paired(a: &Row, b: &Row, values: fn(&Row) -> &[f64], what: Option<&str>) -> Option<Ratio> {
    if a.strategy <= b.strategy {
        let names = [a.scenario.as_str(), &a.strategy, &b.strategy];
        let seed = match what {
            Some(what) => seed_of(&[names[0], names[1], names[2], what]),
            None => seed_of(&names),
        };
        Ratio::paired(values(a), values(b), seed)
    } else {
        paired(b, a, values, what).map(|r| r.inverse())
    }
}

/// `a` against `b`, as [`pair_up`] found it; `None` when they were not
/// paired (another scenario) or a ratio had no rounds.
pub fn against<'r>(a: &'r Row, b: &Row) -> Option<&'r Versus> {
    a.versus
        .iter()
        .find(|v| v.strategy == b.strategy && v.concurrency == b.concurrency)
}
