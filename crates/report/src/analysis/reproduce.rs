//! Does a run reproduce an earlier one? Each row's figures of this run
//! against the earlier run's intervals, the drift between the two, and
//! the first screen's verdicts that changed. Runs of one commit are
//! compared only to test the intervals; strategies are still compared
//! only within a run.

use wikifetch_runlog::{Earlier, EarlierRow, RunLog};

use super::Row;

/// An earlier run's rows and first-screen verdicts, for a later run's log.
pub fn earlier_of(log: &RunLog, rows: &[Row], verdicts: Vec<(String, String)>) -> Earlier {
    // The curve's rows too, as scenario `scale`.
    let curve = super::scale::curve(log).unwrap_or_default();
    let curve_rows = curve.iter().flat_map(|p| {
        p.rows.iter().filter_map(move |r| {
            let t = r.time?;
            Some(EarlierRow {
                scenario: CURVE.to_owned(),
                strategy: r.strategy.clone(),
                concurrency: p.concurrency,
                time: (t.mean, t.low, t.high),
                cpu: r.cpu.map(|c| (c.mean, c.low, c.high)),
                floor: None,
            })
        })
    });
    Earlier {
        finished_unix: log.finished_unix,
        rows: rows
            .iter()
            .map(|r| EarlierRow {
                scenario: r.scenario.clone(),
                strategy: r.strategy.clone(),
                concurrency: r.concurrency,
                time: (r.mean_s, r.ci_low_s, r.ci_high_s),
                cpu: r
                    .client_cpu_ci
                    .map(|c| (r.client_cpu_per_request_s, c.low, c.high)),
                floor: r
                    .floor_ratio
                    .filter(|f| f.low.is_finite() && f.high.is_finite())
                    .map(|f| (f.point, f.low, f.high)),
            })
            .chain(curve_rows)
            .collect(),
        verdicts,
    }
}

/// The scenario name the curve's rows carry in an [`Earlier`].
pub const CURVE: &str = "scale";

/// How many of a measure's figures fell inside the earlier intervals, and
/// how far they drifted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coverage {
    /// Figures of this run inside the earlier run's 95 % interval.
    pub inside: usize,
    /// Figures compared.
    pub total: usize,
    /// The median of |this / earlier − 1|.
    pub median_drift: f64,
    /// The largest drift, and the row it was in.
    pub worst: Option<(f64, String)>,
    /// Figures inside once their scenario's common shift is taken out:
    /// this run's figure over the median of this / earlier over the
    /// scenario's other figures (the curve counts as one scenario; with
    /// fewer than [`MIN_SHIFTED`] others a figure keeps its own).
    pub inside_shifted: usize,
    /// Each scenario's common shift, this / earlier (1.0: none), in the
    /// order the figures came.
    pub shifts: Vec<(String, f64)>,
}

/// The fewest figures of a scenario whose median shift is taken out.
pub const MIN_SHIFTED: usize = 3;

/// One figure of this run against the earlier run's.
#[derive(Clone)]
struct Compared {
    now: f64,
    /// The earlier run's point and 95 % interval.
    before: (f64, f64, f64),
    /// The row, for the worst drift.
    name: String,
    /// Its scenario (the curve's: [`CURVE`]).
    scenario: String,
}

/// This run against an earlier one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reproduction {
    /// When the earlier run ended.
    pub earlier_unix: u64,
    /// Mean time of a call.
    pub time: Coverage,
    /// Client CPU per request.
    pub cpu: Coverage,
    /// Mean time of a call, the curve's rows alone (what the first
    /// screen's "which when" rests on).
    pub curve_time: Coverage,
    /// Client CPU per request, the curve's rows alone.
    pub curve_cpu: Coverage,
    /// Time over the floor.
    pub floor: Coverage,
    /// First-screen verdicts that changed: (what, earlier, now).
    pub changed: Vec<(String, String, String)>,
    /// First-screen verdicts compared.
    pub verdicts: usize,
}

/// Compares `rows` (this run) and `verdicts` (its first screen) with
/// `earlier`, row by row (scenario, strategy, C).
pub fn reproduce(
    earlier: &Earlier,
    (rows, curve): (&[Row], &[super::scale::Point]),
    verdicts: &[(String, String)],
) -> Reproduction {
    let mut time = Vec::new();
    let mut cpu = Vec::new();
    let mut floor = Vec::new();
    // The curve's rows, point by point.
    for e in earlier.rows.iter().filter(|e| e.scenario == CURVE) {
        let Some(r) = curve
            .iter()
            .find(|p| p.concurrency == e.concurrency)
            .and_then(|p| p.row(&e.strategy))
        else {
            continue;
        };
        let name = format!("`{}` on the curve at C = {}", r.strategy, e.concurrency);
        let compared = |now: f64, before| Compared {
            now,
            before,
            name: name.clone(),
            scenario: CURVE.to_owned(),
        };
        if let Some(t) = r.time {
            time.push(compared(t.mean, e.time));
        }
        if let (Some(c), Some(before)) = (r.cpu, e.cpu) {
            cpu.push(compared(c.mean, before));
        }
    }
    for e in &earlier.rows {
        let Some(r) = rows.iter().find(|r| {
            r.scenario == e.scenario && r.strategy == e.strategy && r.concurrency == e.concurrency
        }) else {
            continue;
        };
        let name = format!("`{}` {} at C = {}", r.strategy, r.scenario, r.concurrency);
        let compared = |now: f64, before| Compared {
            now,
            before,
            name: name.clone(),
            scenario: r.scenario.clone(),
        };
        time.push(compared(r.mean_s, e.time));
        if let (Some(c), Some(_)) = (e.cpu, r.client_cpu_ci) {
            cpu.push(compared(r.client_cpu_per_request_s, c));
        }
        // A floor against itself is 1 with the interval [1, 1]: no check.
        if let (Some(f), Some(now)) = (e.floor, r.floor_ratio) {
            if r.strategy != super::REFERENCE {
                floor.push(compared(now.point, f));
            }
        }
    }
    let changed = verdicts
        .iter()
        .filter_map(|(what, now)| {
            let (_, before) = earlier.verdicts.iter().find(|(w, _)| w == what)?;
            (before != now).then(|| (what.clone(), before.clone(), now.clone()))
        })
        .collect();
    Reproduction {
        earlier_unix: earlier.finished_unix,
        curve_time: coverage(&of_curve(&time)),
        curve_cpu: coverage(&of_curve(&cpu)),
        time: coverage(&time),
        cpu: coverage(&cpu),
        floor: coverage(&floor),
        changed,
        verdicts: verdicts
            .iter()
            .filter(|(w, _)| earlier.verdicts.iter().any(|(e, _)| e == w))
            .count(),
    }
}

/// The curve's figures of `figures`.
fn of_curve(figures: &[Compared]) -> Vec<Compared> {
    figures
        .iter()
        .filter(|f| f.scenario == CURVE)
        .cloned()
        .collect()
}

/// How `figures` cover the earlier run's intervals, as they are and with
/// their scenario's common shift taken out.
fn coverage(figures: &[Compared]) -> Coverage {
    let within = |now: f64, (_, low, high): (f64, f64, f64)| now >= low && now <= high;
    let ratio = |f: &Compared| (f.before.0 > 0.0).then(|| f.now / f.before.0);
    // A figure's shift is its scenario's median over the other figures,
    // so that no figure is held to a shift it set itself.
    let shift_without = |i: usize| -> f64 {
        let Some(me) = figures.get(i) else {
            return 1.0;
        };
        let others: Vec<f64> = figures
            .iter()
            .enumerate()
            .filter(|(j, f)| *j != i && f.scenario == me.scenario)
            .filter_map(|(_, f)| ratio(f))
            .collect();
        if others.len() >= MIN_SHIFTED {
            wikifetch_stats::median(&others).unwrap_or(1.0)
        } else {
            1.0
        }
    };
    let mut shifts: Vec<(String, f64)> = Vec::new();
    for f in figures {
        if shifts.iter().any(|(s, _)| *s == f.scenario) {
            continue;
        }
        let ratios: Vec<f64> = figures
            .iter()
            .filter(|g| g.scenario == f.scenario)
            .filter_map(ratio)
            .collect();
        let shift = if ratios.len() > MIN_SHIFTED {
            wikifetch_stats::median(&ratios).unwrap_or(1.0)
        } else {
            1.0
        };
        shifts.push((f.scenario.clone(), shift));
    }
    let drifts: Vec<(f64, &String)> = figures
        .iter()
        .filter_map(|f| Some(((ratio(f)? - 1.0).abs(), &f.name)))
        .collect();
    let values: Vec<f64> = drifts.iter().map(|d| d.0).collect();
    Coverage {
        inside: figures.iter().filter(|f| within(f.now, f.before)).count(),
        total: figures.len(),
        median_drift: wikifetch_stats::median(&values).unwrap_or(0.0),
        worst: drifts
            .iter()
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(d, n)| (*d, (*n).clone())),
        inside_shifted: figures
            .iter()
            .enumerate()
            .filter(|(i, f)| within(f.now / shift_without(*i), f.before))
            .count(),
        shifts,
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn earlier_row(mean: f64, low: f64, high: f64) -> EarlierRow {
        EarlierRow {
            scenario: "latency".into(),
            strategy: "a".into(),
            concurrency: 10,
            time: (mean, low, high),
            cpu: None,
            floor: None,
        }
    }

    #[test]
    fn figures_inside_and_outside_the_earlier_intervals_are_counted() {
        let row = crate::findings::prose::tests::row("a", 10, 0.2, 0.001, 0.0);
        let mut b = row.clone();
        b.strategy = "b".into();
        let earlier = Earlier {
            finished_unix: 1,
            rows: vec![earlier_row(0.2, 0.199, 0.201), {
                let mut e = earlier_row(0.18, 0.179, 0.181);
                e.strategy = "b".into();
                e
            }],
            verdicts: vec![("threads against tasks at C = 100".into(), "tasks".into())],
        };
        let now = vec![("threads against tasks at C = 100".into(), "the same".into())];
        let r = reproduce(&earlier, (&[row, b], &[]), &now);
        assert_eq!((r.time.inside, r.time.total), (1, 2));
        // 0.2 against 0.18: 11 % drift, the worst; the median of 0 and 11 %.
        let (worst, name) = r.time.worst.unwrap();
        assert!((worst - (0.2 / 0.18 - 1.0)).abs() < 1e-9 && name.contains("`b`"));
        assert!((r.time.median_drift - worst / 2.0).abs() < 1e-9);
        assert_eq!(r.changed.len(), 1);
        assert_eq!(r.verdicts, 1);
    }

    #[test]
    fn a_shift_common_to_a_scenario_is_taken_out_and_one_of_a_row_is_not() {
        // Four rows, each 10 % slower than its narrow earlier interval:
        // none inside as they are, all inside once the shift (each row's
        // from the other three) is out.
        let names = ["a", "b", "c", "d"];
        let rows: Vec<Row> = names
            .iter()
            .map(|n| crate::findings::prose::tests::row(n, 10, 0.22, 0.001, 0.0))
            .collect();
        let earlier = |moved: &str| Earlier {
            finished_unix: 1,
            rows: names
                .iter()
                .map(|n| {
                    let mut e = earlier_row(0.2, 0.199, 0.201);
                    if *n == moved {
                        e = earlier_row(0.25, 0.249, 0.251);
                    }
                    e.strategy = (*n).into();
                    e
                })
                .collect(),
            verdicts: Vec::new(),
        };
        let r = reproduce(&earlier("none"), (&rows, &[]), &[]);
        assert_eq!((r.time.inside, r.time.inside_shifted), (0, 4));
        assert_eq!(r.time.shifts.len(), 1);
        assert!((r.time.shifts[0].1 - 1.1).abs() < 1e-9);
        // One row moved the other way: the others' shift does not bring it
        // inside, and it does not move theirs.
        let r = reproduce(&earlier("c"), (&rows, &[]), &[]);
        assert_eq!(r.time.inside_shifted, 3);
    }
}
