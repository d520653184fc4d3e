//! The report's sentences, each computed from rows and unit-tested with
//! fixed rows: a sentence that compares two rows is code.
//!
//! Rules every sentence here keeps:
//! - a row that is rig-bound or broke its premise is never compared;
//! - two rows whose 95 % intervals overlap are "tied", never ranked;
//! - a difference is named by the faster row, never printed as a negative;
//! - the floor is named as the reference client, not ranked as a strategy.

use std::fmt::Write as _;
use std::time::Duration;

use super::format::{time, us3};
use super::{REFERENCE, Row};
use crate::scenarios::{Scenario, queue_schedule};

/// The row of `strategy` among `rows`.
pub(super) fn find<'r>(rows: &[&'r Row], strategy: &str) -> Option<&'r Row> {
    rows.iter().copied().find(|r| r.strategy == strategy)
}

/// Rows from which conclusions about strategies may be drawn.
pub(super) fn sound<'r>(rows: &[&'r Row]) -> Vec<&'r Row> {
    rows.iter()
        .copied()
        .filter(|r| r.sound() && r.strategy != REFERENCE)
        .collect()
}

/// Whether two rows' 95 % intervals are apart, so that one really is faster.
pub(super) fn apart(a: &Row, b: &Row) -> bool {
    a.ci_high_s < b.ci_low_s || b.ci_high_s < a.ci_low_s
}

/// The row against its floor: "1.5 % over the floor", "2.0 % under the
/// floor", or why there is no comparison.
pub(super) fn vs_floor(r: &Row) -> String {
    match (r.floor_s, r.efficiency_floor) {
        (_, Some(_)) if r.strategy == REFERENCE => "the floor itself".into(),
        (Some(floor), Some(_)) => {
            let over = (r.mean_s / floor - 1.0) * 100.0;
            if over >= 0.0 {
                format!("{over:.1} % over the floor")
            } else {
                format!("{:.1} % under the floor", -over)
            }
        }
        (Some(_), None) => "no floor: it was rig-bound".into(),
        (None, _) => "no floor measured".into(),
    }
}

fn show(r: &Row) -> String {
    format!(
        "`{}` {} ({} – {}, {})",
        r.strategy,
        time(r.mean_s),
        time(r.ci_low_s),
        time(r.ci_high_s),
        vs_floor(r)
    )
}

/// The rows tied with `edge` (intervals overlapping it), `edge` first.
fn tied_with<'r>(edge: &'r Row, rows: &[&'r Row]) -> Vec<&'r Row> {
    let mut tied = vec![edge];
    tied.extend(
        rows.iter()
            .copied()
            .filter(|r| !std::ptr::eq(*r, edge) && !apart(r, edge)),
    );
    tied
}

fn names(rows: &[&Row]) -> String {
    rows.iter()
        .map(|r| format!("`{}`", r.strategy))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "fastest …, slowest …", with the rows tied with either named, or that
/// every row is tied with every other.
pub(super) fn fastest_and_slowest(rows: &[&Row]) -> Option<String> {
    let best = rows
        .iter()
        .copied()
        .min_by(|a, b| a.mean_s.total_cmp(&b.mean_s))?;
    let worst = rows
        .iter()
        .copied()
        .max_by(|a, b| a.mean_s.total_cmp(&b.mean_s))?;
    if std::ptr::eq(best, worst) {
        return Some(format!("only {} can be compared", show(best)));
    }
    if !apart(best, worst) {
        return Some(format!(
            "every strategy within overlapping 95 % intervals, from {} to {}: indistinguishable here",
            show(best),
            show(worst)
        ));
    }
    let edge = |label: &str, r: &Row| {
        let tied = tied_with(r, rows);
        if tied.len() == 1 {
            format!("{label} {}", show(r))
        } else {
            format!(
                "{label} {} (tied, intervals overlapping: {})",
                show(r),
                names(&tied[1..])
            )
        }
    };
    Some(format!(
        "{}; {}",
        edge("fastest", best),
        edge("slowest", worst)
    ))
}

/// How `a` compares with `b` in time: "`b` is 1.2 ms (3.0 %) faster than
/// `a`", or that their intervals overlap.
pub(super) fn compare_two(a: &Row, b: &Row) -> String {
    if !apart(a, b) {
        return format!(
            "`{}` and `{}` are indistinguishable in time ({} and {}, intervals overlapping)",
            a.strategy,
            b.strategy,
            time(a.mean_s),
            time(b.mean_s)
        );
    }
    let (fast, slow) = if a.mean_s < b.mean_s { (a, b) } else { (b, a) };
    format!(
        "`{}` is {} ({:.1} %) faster than `{}`",
        fast.strategy,
        time(slow.mean_s - fast.mean_s),
        (slow.mean_s / fast.mean_s - 1.0) * 100.0,
        slow.strategy
    )
}

/// The `tokio-hyper` control splits "tokio against smol" in two: the
/// client (`tokio` against `tokio-hyper`, one runtime) and the runtime
/// (`tokio-hyper` against `smol`, one client). `None` when a row is
/// missing or cannot be compared.
pub(super) fn runtime_and_client(rows: &[&Row]) -> Option<String> {
    let (tokio, control, smol) = (
        find(rows, "tokio")?,
        find(rows, "tokio-hyper")?,
        find(rows, "smol")?,
    );
    if !(tokio.sound() && control.sound() && smol.sound()) {
        return None;
    }
    let cpu = |a: &Row, b: &Row| {
        format!(
            "client CPU per request: `{}` {}, `{}` {}",
            a.strategy,
            us3(a.client_cpu_per_request_s),
            b.strategy,
            us3(b.client_cpu_per_request_s)
        )
    };
    Some(format!(
        "At C = {}, the client, with the runtime held fixed (tokio's): {} ({}). The runtime, with the client held \
         fixed (the shared hyper client): {} ({}).",
        tokio.concurrency,
        compare_two(tokio, control),
        cpu(tokio, control),
        compare_two(control, smol),
        cpu(control, smol)
    ))
}

/// "`a` 1.5 % over the floor, `b` …", best first, within one C.
fn by_floor(rows: &[&Row]) -> String {
    let mut v: Vec<&Row> = rows.to_vec();
    v.sort_by(|a, b| a.mean_s.total_cmp(&b.mean_s));
    v.iter()
        .map(|r| format!("`{}` {}", r.strategy, vs_floor(r)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "`a` 12.3 µs, `b` …", lowest first.
fn by_cpu(rows: &[&Row]) -> String {
    let mut v: Vec<&Row> = rows.to_vec();
    v.sort_by(|a, b| {
        a.client_cpu_per_request_s
            .total_cmp(&b.client_cpu_per_request_s)
    });
    v.iter()
        .map(|r| format!("`{}` {}", r.strategy, us3(r.client_cpu_per_request_s)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The share of the client's core a row kept busy: CPU over wall time.
pub(super) fn client_busy(r: &Row) -> f64 {
    if r.mean_s > 0.0 {
        r.client_cpu_per_request_s * r.requests_per_call / r.mean_s
    } else {
        0.0
    }
}

/// `text` with its first letter in capitals.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The distinct concurrencies of `rows`, ascending.
fn concurrencies(rows: &[&Row]) -> Vec<usize> {
    let mut cs: Vec<usize> = rows.iter().map(|r| r.concurrency).collect();
    cs.sort_unstable();
    cs.dedup();
    cs
}

fn at<'r>(rows: &[&'r Row], c: usize) -> Vec<&'r Row> {
    rows.iter()
        .copied()
        .filter(|r| r.concurrency == c)
        .collect()
}

/// The reasons under a scenario's table, computed from its rows.
pub(super) fn why(scenario: &Scenario, rows: &[&Row]) -> String {
    let comparable = sound(rows);
    if comparable.is_empty() {
        return "No row here can be compared: every strategy's row is rig-bound or broke its premise (see the marks above)."
            .into();
    }
    let cs = concurrencies(&comparable);
    let reason = if scenario.name == "jitter" {
        jitter_why(scenario, rows)
    } else if scenario.latency.typical().is_zero() {
        let parts: Vec<String> = cs
            .iter()
            .map(|c| {
                let here = at(&comparable, *c);
                let busy: Vec<String> = here
                    .iter()
                    .map(|r| format!("`{}` {:.0} %", r.strategy, client_busy(r) * 100.0))
                    .collect();
                let mut part = format!(
                    "at C = {c}, the client's own CPU per request, lowest first: {}; the share of its one CPU it kept busy: {}",
                    by_cpu(&here),
                    busy.join(", ")
                );
                match at(rows, *c).into_iter().find(|r| r.strategy == REFERENCE) {
                    Some(floor) if floor.rig_bound => {
                        let _ = write!(
                            part,
                            ". The reference client reached {:.0} requests/s with the mock {:.0} % busy: that is the mock's \
                             ceiling in this run, so these rows are held to the mock's capacity, not to a near-free client, \
                             and no efficiency against the floor is given",
                            floor.requests_per_call / floor.mean_s,
                            floor.mock_busy * 100.0
                        );
                    }
                    Some(_) => {
                        let _ = write!(part, ". Against the floor: {}", by_floor(&here));
                    }
                    None => {}
                }
                part
            })
            .collect();
        format!(
            "With no delay there is nothing to wait for: a row whose client kept its CPU busy nearly all the time is \
             limited by its own work per request. {}.",
            capitalized(&parts.join("; "))
        )
    } else {
        let parts: Vec<String> = cs
            .iter()
            .map(|c| {
                let here = at(&comparable, *c);
                format!(
                    "at C = {c}, against the floor: {}; the client's CPU per request: {}",
                    by_floor(&here),
                    by_cpu(&here)
                )
            })
            .collect();
        format!(
            "Every row waits the same delays as the reference client at its C, so what separates a row from its floor \
             is what the strategy does beyond sending the requests. {}. CPU per request includes waking up for each \
             answer, so it shrinks as C grows and more answers are handled per wake-up; compare it within one C.",
            capitalized(&parts.join("; "))
        )
    };
    let splits: Vec<String> = cs
        .iter()
        .filter_map(|c| runtime_and_client(&at(rows, *c)))
        .collect();
    if splits.is_empty() {
        reason
    } else {
        format!("{reason} {}", splits.join(" "))
    }
}

/// Why the `jitter` rows differ: which title an in-order queue finishes
/// last and when it starts it, the bound no schedule can beat, and how
/// rayon's calls varied.
fn jitter_why(scenario: &Scenario, rows: &[&Row]) -> String {
    let delays = scenario.delays();
    let c = rows.first().map_or(1, |r| r.concurrency);
    let Some(longest) = delays.iter().max().copied() else {
        return String::new();
    };
    let mut sorted = delays.clone();
    sorted.sort_unstable();
    let median = sorted[sorted.len() / 2];
    let Some(last) = queue_schedule(&delays, c) else {
        return String::new();
    };
    let sum: Duration = delays.iter().sum();
    let bound = (sum / u32::try_from(c).unwrap_or(1)).max(longest);
    let list: Vec<String> = sound(rows)
        .iter()
        .map(|r| {
            format!(
                "`{}` {} ({}, {:.2} of the bound)",
                r.strategy,
                time(r.mean_s),
                vs_floor(r),
                bound.as_secs_f64() / r.mean_s
            )
        })
        .collect();
    let mut text = format!(
        "Measured: {}. The delays are fixed per title (median {}, longest {}). An in-order queue (the reference client, \
         the pool, the async loops) finishes last with title {} of {}, a {} one that it can only start at {}, once the \
         {} titles before it are under way: {} in all, so here the floor is an in-order queue, not a bound. No schedule \
         at all can finish before {} (the larger of the total delay over C and the longest delay), the bound above.",
        list.join(", "),
        time(median.as_secs_f64()),
        time(longest.as_secs_f64()),
        last.title + 1,
        delays.len(),
        time(delays[last.title].as_secs_f64()),
        time(last.start.as_secs_f64()),
        last.title,
        time(last.finish.as_secs_f64()),
        time(bound.as_secs_f64())
    );
    if let Some(rayon) = find(rows, "rayon") {
        let _ = write!(
            text,
            " rayon does not follow input order: its threads split the range and steal halves of each other's \
             remaining work as they go, so which thread meets a slow title, and when, changes from call to call: \
             its calls ranged from {} to {}. A difference between rayon and the queue here belongs to this seed's \
             layout of slow titles as much as to rayon.",
            time(rayon.min_s),
            time(rayon.max_s)
        );
    }
    text
}

/// Whether ranking by instructions and by CPU time agree: Spearman's rank
/// correlation and the pairs ordered differently. `sequential` is left out:
/// its CPU comes from a run at C = 1.
pub(super) fn orderings(pairs: &[(&str, f64, Option<f64>)]) -> String {
    let both: Vec<(&str, f64, f64)> = pairs
        .iter()
        .filter(|(n, _, _)| *n != "sequential")
        .filter_map(|(n, ir, cpu)| cpu.map(|c| (*n, *ir, c)))
        .collect();
    if both.len() < 3 {
        return "Too few strategies were counted to compare the orderings.".into();
    }
    let ranks = |key: &dyn Fn(&(&str, f64, f64)) -> f64| {
        let mut order: Vec<usize> = (0..both.len()).collect();
        order.sort_by(|a, b| key(&both[*a]).total_cmp(&key(&both[*b])));
        let mut rank = vec![0.0; both.len()];
        for (r, i) in order.into_iter().enumerate() {
            rank[i] = r as f64;
        }
        rank
    };
    let (by_ir, by_cpu) = (ranks(&|p| p.1), ranks(&|p| p.2));
    let n = both.len() as f64;
    let d2: f64 = by_ir
        .iter()
        .zip(&by_cpu)
        .map(|(a, b)| (a - b).powi(2))
        .sum();
    let rho = 1.0 - 6.0 * d2 / (n * (n * n - 1.0));
    let mut disagree = Vec::new();
    for (i, a) in both.iter().enumerate() {
        for b in &both[i + 1..] {
            if (a.1 < b.1) != (a.2 < b.2) {
                let (fewer, more) = if a.1 < b.1 { (a, b) } else { (b, a) };
                disagree.push(format!("`{}` below `{}`", fewer.0, more.0));
            }
        }
    }
    if disagree.is_empty() {
        format!(
            "Ordered by instructions or by CPU time, the {} strategies (`sequential` aside: it ran at C = 1) come in the same order.",
            both.len()
        )
    } else {
        format!(
            "The two orderings of the {} strategies (`sequential` aside: it ran at C = 1) have a rank correlation of {rho:.2}; \
             {} of {} pairs are ordered differently (fewer instructions but more CPU time: {}). User-space instructions \
             do not explain those differences; what they leave out is the kernel (waking threads, switching between them, \
             system calls) and how fast the instructions run (cache misses, spinning), and the counted runs are the \
             command line over {} and {} titles rather than the benchmark's calls.",
            both.len(),
            disagree.len(),
            both.len() * (both.len() - 1) / 2,
            disagree.join("; "),
            wikifetch_rig::instructions::SMALL,
            wikifetch_rig::instructions::LARGE
        )
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::scenarios::scenarios;

    /// A sound row with mean `mean`, a 95 % interval of ± `half`, and a
    /// floor of 0.2 s.
    pub(crate) fn row(strategy: &str, c: usize, mean: f64, half: f64, cpu: f64) -> Row {
        Row {
            scenario: "latency".into(),
            strategy: strategy.into(),
            titles: 100,
            concurrency: c,
            latency: "20ms".into(),
            mean_s: mean,
            median_s: mean,
            min_s: mean - half,
            max_s: mean + half,
            ci_low_s: mean - half,
            ci_high_s: mean + half,
            titles_per_s: 100.0 / mean,
            ideal_s: Some(0.2),
            floor_s: Some(0.2),
            efficiency_nominal: Some(0.2 / mean),
            efficiency_floor: Some(0.2 / mean),
            speedup: None,
            errors: 0,
            lost: 0,
            max_in_flight: Some(c),
            min_peak_in_flight: Some(c),
            connections_opened: 0,
            requests_per_call: 100.0,
            client_cpu_per_request_s: cpu,
            mock_cpu_per_request_s: 20e-6,
            mock_busy: 0.05,
            rig_bound: false,
            premise: None,
            iterations: 11,
        }
    }

    #[test]
    fn a_difference_is_named_by_the_faster_row_never_as_a_negative() {
        let (slow, fast) = (
            row("a", 10, 0.220, 0.001, 0.0),
            row("b", 10, 0.200, 0.001, 0.0),
        );
        let text = compare_two(&slow, &fast);
        assert_eq!(text, "`b` is 20.0 ms (10.0 %) faster than `a`");
        assert_eq!(compare_two(&fast, &slow), text);
        assert!(!text.contains('-'));
    }

    #[test]
    fn rows_against_the_floor_say_over_or_under_never_a_bare_ratio() {
        assert_eq!(
            vs_floor(&row("a", 10, 0.203, 0.001, 0.0)),
            "1.5 % over the floor"
        );
        // Faster than an in-order floor (jitter): under, not "1.07 of".
        assert_eq!(
            vs_floor(&row("rayon", 20, 0.19, 0.001, 0.0)),
            "5.0 % under the floor"
        );
        let unfloored = Row {
            efficiency_floor: None,
            ..row("a", 10, 0.2, 0.001, 0.0)
        };
        assert_eq!(vs_floor(&unfloored), "no floor: it was rig-bound");
        assert_eq!(
            vs_floor(&row(REFERENCE, 10, 0.2, 0.001, 0.0)),
            "the floor itself"
        );
    }

    #[test]
    fn overlapping_rows_are_tied_never_ranked() {
        let (a, b) = (
            row("a", 10, 0.201, 0.005, 0.0),
            row("b", 10, 0.204, 0.005, 0.0),
        );
        assert!(compare_two(&a, &b).contains("indistinguishable"));
        let summary = fastest_and_slowest(&[&a, &b]).unwrap();
        assert!(summary.contains("indistinguishable here"), "{summary}");
        let c = row("c", 10, 0.300, 0.005, 0.0);
        let summary = fastest_and_slowest(&[&a, &b, &c]).unwrap();
        assert!(
            summary.starts_with("fastest `a`")
                && summary.contains("(tied, intervals overlapping: `b`)"),
            "{summary}"
        );
        assert!(summary.contains("slowest `c` 300.0 ms"), "{summary}");
        assert!(
            !summary.contains(
                "slowest `c` 300.0 ms (295.0 ms – 305.0 ms, 50.0 % over the floor) (tied"
            )
        );
    }

    #[test]
    fn the_control_splits_runtime_from_client_with_each_figure_named() {
        let tokio = row("tokio", 10, 0.205, 0.0005, 62e-6);
        let control = row("tokio-hyper", 10, 0.2052, 0.0005, 55e-6);
        let smol = row("smol", 10, 0.210, 0.0005, 40e-6);
        let text = runtime_and_client(&[&tokio, &control, &smol]).unwrap();
        assert!(
            text.contains("`tokio` and `tokio-hyper` are indistinguishable in time"),
            "{text}"
        );
        assert!(
            text.contains("`tokio-hyper` is 4.8 ms (2.3 %) faster than `smol`"),
            "{text}"
        );
        assert!(
            text.contains("`tokio` 62.0 µs, `tokio-hyper` 55.0 µs"),
            "{text}"
        );
        // A rig-bound row makes the split meaningless: nothing is said.
        let bound = Row {
            rig_bound: true,
            ..smol.clone()
        };
        assert_eq!(runtime_and_client(&[&tokio, &control, &bound]), None);
        assert_eq!(runtime_and_client(&[&tokio, &smol]), None);
    }

    #[test]
    fn no_delay_rows_held_to_a_rig_bound_floor_get_no_efficiency_sentence() {
        let overhead = scenarios(false)
            .into_iter()
            .find(|s| s.name == "overhead")
            .unwrap();
        let floor = Row {
            rig_bound: true,
            mock_busy: 0.99,
            ..row(REFERENCE, 10, 0.0136, 0.001, 9e-6)
        };
        let smol = Row {
            efficiency_floor: None,
            ..row("smol", 10, 0.0226, 0.0005, 22e-6)
        };
        let text = why(&overhead, &[&floor, &smol]);
        assert!(text.contains("the mock's ceiling in this run"), "{text}");
        assert!(text.contains("`smol` 22.0 µs"), "{text}");
        assert!(!text.contains("Against the floor"), "{text}");
    }

    #[test]
    fn a_scenario_with_nothing_comparable_says_so() {
        let latency = &scenarios(false)[0];
        let bad = Row {
            premise: Some("opened 3 connections during the timed calls".into()),
            ..row("thread-pool", 10, 0.2, 0.001, 0.0)
        };
        assert!(why(latency, &[&bad]).starts_with("No row here can be compared"));
    }

    #[test]
    fn orderings_agree_or_give_the_correlation_and_the_pairs() {
        let same = [
            ("a", 1.0, Some(1e-6)),
            ("b", 2.0, Some(2e-6)),
            ("c", 3.0, Some(3e-6)),
            ("sequential", 0.5, Some(9e-6)),
        ];
        assert!(
            orderings(&same).contains("same order"),
            "{}",
            orderings(&same)
        );
        let differ = [
            ("pool", 70e3, Some(60e-6)),
            ("smol", 108e3, Some(30e-6)),
            ("tokio", 111e3, Some(31e-6)),
        ];
        let text = orderings(&differ);
        assert!(text.contains("rank correlation of -0.50"), "{text}");
        assert!(text.contains("2 of 3 pairs"), "{text}");
        assert!(text.contains("`pool` below `smol`"), "{text}");
        assert!(orderings(&[("a", 1.0, Some(1e-6))]).contains("Too few"));
    }
}
