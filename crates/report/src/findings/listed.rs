//! The findings REPORT.md opens with: at most nine sentences, under the answer, each computed
//! from the rows with its interval, each pointing at the plot and the
//! section that show it. A finding the data does not support is not
//! printed: a missing row, a broken premise or a rig-bound floor drops it,
//! and a difference is only called one when its interval excludes 1.

use wikifetch_stats::{Paired as Ratio, Verdict};

use super::prose::{compare_two, cpu_ratio, find, ratio, rounds_faster, sound};
use crate::analysis::{REFERENCE, Row};
use crate::render::format::{time, us3};
use wikifetch_runlog::RunLog;

/// One finding: the sentence, and the plot and section that show it.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// One sentence with its figure and interval.
    pub text: String,
    /// The plot's file in `results/`.
    pub plot: String,
    /// The heading of the report section with the table.
    pub section: String,
}

/// Rows that exist to split a difference, not to be chosen: a finding
/// about "the best strategy" leaves them out.
pub(crate) const CONTROLS: [&str; 4] = [
    "tokio-hyper",
    "thread-pool-hyper",
    "tokio-current-thread",
    "rayon-default",
];

/// "9.89× [9.81 – 9.93]": a ratio read as a multiple.
pub(crate) fn times(r: &Ratio) -> String {
    if super::prose::has_interval(r) {
        format!("{:.2}× [{:.2} – {:.2}]", r.point, r.low, r.high)
    } else {
        format!("{:.2}× ({} rounds: no interval)", r.point, r.rounds)
    }
}

/// The sound strategy rows of `scenario` at concurrency `c` (every C when
/// `None`).
fn at<'r>(rows: &'r [Row], scenario: &str, c: Option<usize>) -> Vec<&'r Row> {
    let here: Vec<&Row> = rows
        .iter()
        .filter(|r| r.scenario == scenario && c.is_none_or(|c| r.concurrency == c))
        .collect();
    sound(&here)
}

/// The findings for these rows, in the report's order; `headings` maps a
/// scenario (or `footprint`) to its section heading, and `plots` lists the
/// plot files written.
pub fn findings(
    rows: &[Row],
    log: &RunLog,
    plots: &[&str],
    heading: impl Fn(&str) -> String,
) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut push = |text: Option<String>, plot: &str, section: &str| {
        if let Some(text) = text
            && plots.contains(&plot)
        {
            found.push(Finding {
                text,
                plot: plot.to_owned(),
                section: heading(section),
            });
        }
    };
    push(waiting(rows), "timeline-latency.svg", "latency");
    push(keep_alive(rows, log), "wan.svg", "wan");
    let top_c = rows
        .iter()
        .filter(|r| r.scenario == "concurrency")
        .map(|r| r.concurrency)
        .max();
    if let Some(c) = top_c {
        push(
            threads_and_tasks(rows, c),
            "efficiency-concurrency.svg",
            "concurrency",
        );
        push(
            runtime_and_client(rows, c),
            "efficiency-concurrency.svg",
            "concurrency",
        );
        push(
            default_pool(rows, "concurrency", c),
            &crate::render::plot::concurrency_timeline_file(c),
            "concurrency",
        );
    }
    // Without it in `concurrency` (a plain run since C = 10 moved to the
    // curve), `latency` shows rayon's default pool at C = 10.
    let in_concurrency = rows
        .iter()
        .any(|r| r.scenario == "concurrency" && r.strategy == "rayon-default");
    if !in_concurrency
        && let Some(c) = rows
            .iter()
            .find(|r| r.scenario == "latency" && r.strategy == "rayon-default")
            .map(|r| r.concurrency)
    {
        push(
            default_pool(rows, "latency", c),
            "timeline-latency.svg",
            "latency",
        );
    }
    if let Some(costs) = crate::analysis::InFlightCosts::of(log) {
        let (plot, section) = if costs.from_curve {
            ("scale.svg", "scale")
        } else {
            ("memory.svg", "footprint")
        };
        push(memory(&costs), plot, section);
    }
    push(fewer_requests(rows), "batching.svg", "batching");
    push(thread_per_title(rows), "overhead.svg", "overhead");
    push(schedules(rows), "timeline-jitter.svg", "jitter");
    found.truncate(9);
    found
}

/// The lesson's connection per request in `wan`, priced.
pub(crate) struct KeepAlive<'r> {
    /// `sequential` without keep-alive.
    pub control: &'r Row,
    /// `sequential` with it.
    pub twin: &'r Row,
    /// The delay line's round trip, seconds.
    pub rtt: f64,
    /// What the delay line's arithmetic predicts for the control's time
    /// over the twin's: a new connection costs TCP's and TLS 1.3's
    /// handshakes, two round trips more than the request's one.
    pub predicted: f64,
    /// What the connection per request cost.
    pub price: super::lesson::Price,
}

/// `wan`'s `sequential` without keep-alive against it with keep-alive:
/// `None` unless both rows are there and sound.
pub(crate) fn keep_alive_price<'r>(rows: &'r [Row], log: &RunLog) -> Option<KeepAlive<'r>> {
    let group: Vec<&Row> = rows.iter().filter(|r| r.scenario == "wan").collect();
    let control = find(&group, &wikifetch_runlog::row_name("sequential", false))?;
    let twin = find(&group, "sequential")?;
    let wan = log.scenario("wan")?;
    let rtt = wan.rtt_s;
    let delay = wan.typical_delay_s;
    let price = super::lesson::price(control, twin, rtt)?;
    Some(KeepAlive {
        control,
        twin,
        rtt,
        predicted: (delay + 3.0 * rtt) / (delay + rtt),
        price,
    })
}

/// `wan`: the lesson's connection per request, priced in Rust, where the
/// control and its twin ran in the same rounds, beside what the delay
/// line's arithmetic predicts.
fn keep_alive(rows: &[Row], log: &RunLog) -> Option<String> {
    let KeepAlive {
        control,
        twin,
        rtt,
        predicted,
        price: p,
    } = keep_alive_price(rows, log)?;
    Some(format!(
        "Over HTTPS with a {} round trip, a new connection per request (the lesson's `requests.get` habit) made \
         `sequential` take {} for {} titles against {} on kept, warm connections, {} more a request ({:.1} round \
         trips); {}.",
        time(rtt),
        time(control.median_s),
        control.titles,
        time(twin.median_s),
        time(p.extra_s),
        p.round_trips,
        against_prediction(predicted, &p.ratio)
    ))
}

/// "predicted 10×, measured 9.93× [9.91 – 9.95], 0.7 % short": a
/// measured ratio beside what the mock's arithmetic predicts, the
/// difference being the finding. Few rounds: the figures, no interval.
fn against_prediction(predicted: f64, r: &Ratio) -> String {
    let short = (1.0 - r.point / predicted) * 100.0;
    let measured = if r.verdict() == Verdict::TooFewRounds {
        format!(
            "{:.2}× ({}: figures only)",
            r.point,
            super::prose::too_few(r)
        )
    } else {
        times(r)
    };
    // A prediction inside the measured interval: no shortfall shown.
    if r.verdict() != Verdict::TooFewRounds && r.low <= predicted && predicted <= r.high {
        return format!(
            "the mock's arithmetic predicts {predicted:.2}×, this run measured {measured}: the prediction lies within \
             its interval"
        );
    }
    format!(
        "the mock's arithmetic predicts {predicted:.2}×, this run measured {measured}: {} % {} the prediction",
        super::prose::pc(short),
        if short >= 0.0 { "short of" } else { "beyond" }
    )
}

/// `latency`: what ten in flight buy over one at a time.
fn waiting(rows: &[Row]) -> Option<String> {
    let group = at(rows, "latency", None);
    let sequential = find(&group, "sequential")?;
    let concurrent: Vec<&Row> = group
        .iter()
        .copied()
        .filter(|r| {
            r.strategy != "sequential"
                && !CONTROLS.contains(&r.strategy.as_str())
                && r.titles_per_request == 1
        })
        .collect();
    let best = concurrent
        .iter()
        .copied()
        .min_by(|a, b| a.median_s.total_cmp(&b.median_s))?;
    let r = ratio(sequential, best).filter(|r| r.point > 1.0)?;
    let predicted = sequential.ideal_s? / best.ideal_s?;
    Some(format!(
        "Waiting overlaps: with {} requests in flight instead of one, `{}` fetched {} titles in {} against `sequential`'s {}: {} waves of requests instead of {}, so {}.",
        best.concurrency,
        best.strategy,
        best.titles,
        time(best.median_s),
        time(sequential.median_s),
        best.titles.div_ceil(best.concurrency.max(1)),
        sequential.titles,
        against_prediction(predicted, &r)
    ))
}

/// `batching` at its smallest C (Wikimedia's limit).
pub(crate) struct BatchingPair<'r> {
    /// That C.
    pub c: usize,
    /// The `batched` row.
    pub batched: &'r Row,
    /// The fastest sound row with one title a request.
    pub one: &'r Row,
    /// What the mock's arithmetic predicts for `one` over `batched`: their
    /// ideals, the mock charging a batch the delay of one title.
    pub predicted: f64,
}

/// The [`BatchingPair`], or `None` when a row or an ideal is missing.
pub(crate) fn batching_pair(rows: &[Row]) -> Option<BatchingPair<'_>> {
    let all = at(rows, "batching", None);
    let c = all.iter().map(|r| r.concurrency).min()?;
    let group = at(rows, "batching", Some(c));
    let batched = group.iter().copied().find(|r| r.titles_per_request > 1)?;
    let best = group
        .iter()
        .copied()
        .filter(|r| r.titles_per_request == 1 && r.strategy != REFERENCE)
        .min_by(|a, b| a.median_s.total_cmp(&b.median_s))?;
    Some(BatchingPair {
        c,
        batched,
        one: best,
        predicted: best.ideal_s? / batched.ideal_s?,
    })
}

/// `batching` at its smallest C (Wikimedia's limit): twenty titles a
/// request against the best one-title row.
fn fewer_requests(rows: &[Row]) -> Option<String> {
    let BatchingPair {
        c,
        batched,
        one: best,
        predicted,
    } = batching_pair(rows)?;
    let r = ratio(best, batched).filter(|r| r.point > 1.0)?;
    Some(format!(
        "Fewer requests: at C = {c}, `{}` fetched {} titles in {} with {:.0} requests a call ({} titles each), against {} with {:.0} requests for `{}` at the same C; {} (the mock charges a batch the delay of one title; a real server spends more on twenty).",
        batched.strategy,
        batched.titles,
        time(batched.median_s),
        batched.requests_per_call,
        batched.titles_per_request,
        time(best.median_s),
        best.requests_per_call,
        best.strategy,
        against_prediction(predicted, &r)
    ))
}

/// One half of a split difference: "`a` against `b` (what differs, what
/// is held)", in the words of [`compare_two`].
fn half(group: &[&Row], a: &str, b: &str) -> Option<String> {
    Some(compare_two(find(group, a)?, find(group, b)?))
}

/// `concurrency` at its largest C: threads against tasks, split in two
/// halves, each with one thing held equal: the client (ureq against
/// hyper, the same pool of threads), and the model (threads against
/// tasks, the same hyper client).
fn threads_and_tasks(rows: &[Row], c: usize) -> Option<String> {
    let group = at(rows, "concurrency", Some(c));
    let client = half(&group, "thread-pool", "thread-pool-hyper")?;
    let model: Vec<String> = ["smol", "tokio-current-thread", "tokio-hyper"]
        .iter()
        .filter_map(|task| half(&group, "thread-pool-hyper", task))
        .collect();
    if model.is_empty() {
        return None;
    }
    Some(format!(
        "Threads against tasks at C = {c}, one thing held at a time. The client, with the same pool of threads: {client}. The model, with the same hyper client: {}.",
        model.join("; ")
    ))
}

/// The runtime comparison at `concurrency`'s largest C, split three ways:
/// the client (reqwest against hyper on tokio), the thread layout (tokio's
/// workers against tokio on the caller), the runtime (tokio against smol,
/// both on the caller).
fn runtime_and_client(rows: &[Row], c: usize) -> Option<String> {
    let group = at(rows, "concurrency", Some(c));
    Some(format!(
        "Among tasks at C = {c}: with tokio's runtime in both rows, reqwest against the shared hyper client: {}; with tokio and hyper in both, tokio's worker threads against its caller-run runtime: {}; with hyper and the caller-run layout in both, tokio against smol: {}.",
        half(&group, "tokio", "tokio-hyper")?,
        half(&group, "tokio-hyper", "tokio-current-thread")?,
        half(&group, "tokio-current-thread", "smol")?,
    ))
}

/// `rayon-default` against `thread-pool` at `concurrency`'s largest C: the
/// cap of rayon's global pool, as the mock counted it.
fn default_pool(rows: &[Row], scenario: &str, c: usize) -> Option<String> {
    let group: Vec<&Row> = rows
        .iter()
        .filter(|r| r.scenario == scenario && r.concurrency == c)
        .collect();
    let (default, pool) = (find(&group, "rayon-default")?, find(&group, "thread-pool")?);
    let in_flight = default.max_in_flight?;
    let r = ratio(default, pool)?;
    Some(format!(
        "rayon as a newcomer writes it (`par_iter` on the global pool) asked for C = {c} had at most {in_flight} request{} in flight, one per thread of the pool, which has one thread per CPU the process may use (here {in_flight}): {} titles took {} against {} for `thread-pool` with {} threads, {:.1}×, where the waves predict {:.0}× ({} waves against {}).",
        if in_flight == 1 { "" } else { "s" },
        default.titles,
        time(default.median_s),
        time(pool.median_s),
        pool.concurrency,
        r.point,
        default.titles.div_ceil(in_flight.max(1)) as f64
            / pool.titles.div_ceil(pool.concurrency.max(1)) as f64,
        default.titles.div_ceil(in_flight.max(1)),
        pool.titles.div_ceil(pool.concurrency.max(1))
    ))
}

/// `overhead`: a thread created per title against a pool that keeps its
/// threads, in client CPU per request.
fn thread_per_title(rows: &[Row]) -> Option<String> {
    let group = at(rows, "overhead", None);
    let (spawn, pool) = (
        find(&group, "thread-per-request")?,
        find(&group, "thread-pool")?,
    );
    let r = cpu_ratio(spawn, pool).filter(|r| r.verdict().names_a_difference())?;
    Some(format!(
        "A new OS thread per title costs CPU: with no delay `thread-per-request` needed {} of client CPU per request \
         against {} for `thread-pool`, whose threads are started once ({}).",
        us3(spawn.client_cpu_per_request_s),
        us3(pool.client_cpu_per_request_s),
        times(&r)
    ))
}

/// The footprint: what one more request in flight costs, threads against
/// tasks, with the client held equal and then the model.
fn memory(costs: &crate::analysis::InFlightCosts) -> Option<String> {
    let [low, high] = costs.between;
    let kib = |name: &str| -> Option<String> {
        let (kib, threads) = costs.get(name)?;
        Some(format!("`{name}` {kib:.1} KiB and {threads:.2} threads"))
    };
    Some(format!(
        "Each request in flight, from C = {low} to {high} ({}): {} against {}: the same threads, ureq against hyper (the client's share); `thread-pool-hyper` against {} and {}: the same hyper client, a thread against a task (the model's share).",
        costs.how(),
        kib("thread-pool")?,
        kib("thread-pool-hyper")?,
        kib("smol")?,
        kib("tokio-current-thread")?,
    ))
}

/// `jitter`: rayon's splitting against the pool's in-order queue, over
/// every layout of delays.
fn schedules(rows: &[Row]) -> Option<String> {
    let group = at(rows, "jitter", None);
    let (rayon, pool) = (find(&group, "rayon")?, find(&group, "thread-pool")?);
    let (first, layouts) = rounds_faster(rayon, pool);
    Some(format!(
        "With heavy-tailed delays, over {layouts} layouts: {} (rayon finished first in {first} of them).",
        compare_two(rayon, pool)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::prose::tests::{paired_vec, row};

    fn in_scenario(scenario: &str, r: Row) -> Row {
        Row {
            scenario: scenario.into(),
            ..r
        }
    }

    /// A log whose `wan` scenario has a 50 ms round trip and a 1 ms delay.
    fn wan_log() -> RunLog {
        RunLog {
            scenarios: vec![wikifetch_runlog::ScenarioFacts {
                name: "wan".into(),
                titles: 20,
                typical_delay_s: 0.001,
                fixed_delay_s: Some(0.001),
                rtt_s: 0.050,
                ..Default::default()
            }],
            ..RunLog::default()
        }
    }

    fn heading(s: &str) -> String {
        format!("## {s}")
    }

    #[test]
    fn keep_alive_is_found_only_when_the_control_was_slower() {
        let wan = |name: &str, mean: f64, connections: u64| Row {
            titles: 20,
            connections_opened: connections,
            ..in_scenario("wan", row(name, 1, mean, 0.001, 0.0))
        };
        let rows = paired_vec(vec![
            wan("sequential", 1.03, 0),
            wan("sequential-no-keep-alive", 3.05, 200),
        ]);
        let text = keep_alive(&rows, &wan_log()).unwrap();
        assert!(
            text.contains("101.0 ms more a request (2.0 round trips)"),
            "{text}"
        );
        // (1 + 3 × 50) / (1 + 50) ms: the prediction, beside the measurement.
        assert!(
            text.contains("predicts 2.96×, this run measured 2.96× [2.96 – 2.96]: the prediction lies within its interval"),
            "{text}"
        );
        // Four rounds, as `wan` has: the figures, no interval.
        let four = |r: &Row| Row {
            walls: r.walls[..4].to_vec(),
            ..r.clone()
        };
        let text = keep_alive(
            &paired_vec(vec![four(&rows[0]), four(&rows[1])]),
            &wan_log(),
        )
        .unwrap();
        assert!(
            text.contains("measured 2.96× (4 rounds: figures only)"),
            "{text}"
        );
        // Not slower, or a control that reused connections: no finding.
        let rows = paired_vec(vec![
            wan("sequential", 1.03, 0),
            wan("sequential-no-keep-alive", 1.02, 200),
        ]);
        assert_eq!(keep_alive(&rows, &wan_log()), None);
        let rows = paired_vec(vec![
            wan("sequential", 1.03, 0),
            Row {
                premise: Some("opened 3 connections for 20 requests, not one each".into()),
                ..wan("sequential-no-keep-alive", 3.05, 30)
            },
        ]);
        assert_eq!(keep_alive(&rows, &wan_log()), None);
    }

    #[test]
    fn batching_is_a_finding_only_when_it_is_faster() {
        let batched = |mean: f64| Row {
            titles_per_request: 20,
            requests_per_call: 50.0,
            ideal_s: Some(0.34),
            ..in_scenario("batching", row("batched", 3, mean, 0.001, 0.0))
        };
        let one = |name: &str, mean: f64| Row {
            requests_per_call: 1000.0,
            ideal_s: Some(6.68),
            ..in_scenario("batching", row(name, 3, mean, 0.001, 0.0))
        };
        let rows = paired_vec(vec![
            one(REFERENCE, 6.8),
            one("tokio-hyper", 6.85),
            batched(0.35),
        ]);
        let text = fewer_requests(&rows).unwrap();
        assert!(
            text.starts_with("Fewer requests: at C = 3, `batched` fetched 100 titles in 350.0 ms with 50 requests a call (20 titles each), against 6.850 s with 1000 requests for `tokio-hyper` at the same C"),
            "{text}"
        );
        // ⌈1000/3⌉ waves of one against ⌈50/3⌉ of twenty, 20 ms each.
        assert!(
            text.contains(
                "predicts 19.65×, this run measured 19.57× [19.54 – 19.60]: 0.4 % short of"
            ),
            "{text}"
        );
        // Slower than the one-title row: no finding.
        let rows = paired_vec(vec![one("tokio-hyper", 6.85), batched(7.0)]);
        assert_eq!(fewer_requests(&rows), None);
    }

    const PLOTS: [&str; 5] = [
        "timeline-latency.svg",
        "efficiency-concurrency.svg",
        "overhead.svg",
        "memory.svg",
        "timeline-jitter.svg",
    ];

    #[test]
    fn a_finding_needs_its_rows_and_a_real_difference() {
        let log = wikifetch_runlog::RunLog::default();
        // Nothing measured: nothing found.
        assert!(findings(&[], &log, &PLOTS, heading).is_empty());
        let rows = paired_vec(vec![
            Row {
                ideal_s: Some(2.0),
                ..in_scenario("latency", row("sequential", 1, 2.0, 0.001, 0.0))
            },
            in_scenario("latency", row("thread-pool", 10, 0.21, 0.001, 0.0)),
            in_scenario("latency", row("smol", 10, 0.205, 0.001, 0.0)),
        ]);
        let found = findings(&rows, &log, &PLOTS, heading);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .text
                .starts_with("Waiting overlaps: with 10 requests in flight instead of one, `smol`"),
            "{}",
            found[0].text
        );
        assert!(
            found[0]
                .text
                .contains("predicts 10.00×, this run measured 9.76× ["),
            "{}",
            found[0].text
        );
        assert_eq!(
            (found[0].plot.as_str(), found[0].section.as_str()),
            ("timeline-latency.svg", "## latency")
        );
        // Without its plot, a finding is not printed.
        assert!(findings(&rows, &log, &["overhead.svg"], heading).is_empty());
    }

    #[test]
    fn threads_against_tasks_holds_one_thing_equal_in_each_half() {
        let c = |name: &str, mean: f64, half: f64| {
            in_scenario("concurrency", row(name, 100, mean, half, 0.0))
        };
        let rows = paired_vec(vec![
            c("thread-pool", 0.048, 0.0005),
            c("thread-pool-hyper", 0.0482, 0.0005),
            c("smol", 0.045, 0.0005),
            c("tokio-current-thread", 0.0490, 0.0005),
        ]);
        let text = threads_and_tasks(&rows, 100).unwrap();
        // The client half: ureq against hyper on the same threads, here
        // too close to tell apart (0.4 %, an interval across 1).
        assert!(
            text.contains(
                "The client, with the same pool of threads: `thread-pool` and `thread-pool-hyper` are as fast as each other here: equivalent within ±1 %"
            ),
            "{text}"
        );
        // The model half, with the hyper client held: tasks faster in one
        // row, slower in another; each says which, never a negative.
        assert!(
            text.contains("`smol` is 3.2 ms faster than `thread-pool-hyper`"),
            "{text}"
        );
        assert!(
            text.contains("`thread-pool-hyper` is 804 µs faster than `tokio-current-thread`")
                && text.contains("whether by more than ±1 % this run cannot say"),
            "{text}"
        );
        assert!(!text.contains(" -") && !text.contains("[-"), "{text}");
        // Without the row that holds the client equal: no finding.
        assert!(threads_and_tasks(&rows[..1], 100).is_none());
        assert!(threads_and_tasks(&[rows[0].clone(), rows[2].clone()], 100).is_none());
    }

    #[test]
    fn a_broken_premise_drops_the_finding() {
        let rows = paired_vec(vec![
            in_scenario("jitter", row("rayon", 20, 0.49, 0.05, 0.0)),
            in_scenario(
                "jitter",
                Row {
                    premise: Some("opened 2 connections during the timed calls".into()),
                    ..row("thread-pool", 20, 0.50, 0.001, 0.0)
                },
            ),
        ]);
        assert_eq!(schedules(&rows), None);
    }
}
