//! The findings REPORT.md opens with: at most eight sentences, each computed
//! from the rows with its interval, each pointing at the plot and the
//! section that show it. A finding the data does not support is not
//! printed: a missing row, a broken premise or a rig-bound floor drops it,
//! and a difference is only called one when its interval excludes 1.

use wikifetch_rig::stats::{Ratio, Verdict};

use super::format::{time, us3};
use super::prose::{compare_two, cpu_ratio, find, ratio, rounds_faster, sound};
use super::{REFERENCE, Row, RunLog};
use crate::footprint::CONCURRENCIES;

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

/// The blocking strategies that hold one OS thread per request in flight.
const THREADS: [&str; 3] = ["thread-pool", "rayon", "thread-per-request"];

/// The async strategies (the `tokio-hyper` control aside).
const TASKS: [&str; 3] = ["tokio", "async-std", "smol"];

/// "9.89× [9.81 – 9.93]": a ratio read as a multiple.
fn times(r: &Ratio) -> String {
    format!("{:.2}× [{:.2} – {:.2}]", r.point, r.low, r.high)
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

/// The fastest of `names` among `rows`.
fn fastest<'r>(rows: &[&'r Row], names: &[&str]) -> Option<&'r Row> {
    rows.iter()
        .copied()
        .filter(|r| names.contains(&r.strategy.as_str()))
        .min_by(|a, b| a.mean_s.total_cmp(&b.mean_s))
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
    push(keep_alive(rows), "wan.svg", "wan");
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
    }
    push(fewer_requests(rows), "batching.svg", "batching");
    push(thread_per_title(rows), "overhead.svg", "overhead");
    push(memory(log), "memory.svg", "footprint");
    push(schedules(rows), "timeline-jitter.svg", "jitter");
    found.truncate(8);
    found
}

/// `wan`: the lesson's connection per request, priced in Rust, where the
/// control and its twin ran in the same rounds.
fn keep_alive(rows: &[Row]) -> Option<String> {
    let group: Vec<&Row> = rows.iter().filter(|r| r.scenario == "wan").collect();
    let sequential = crate::Strategy::Sequential;
    let control = find(&group, &sequential.row_name(false))?;
    let twin = find(&group, sequential.name())?;
    let rtt = crate::scenarios::scenarios(false)
        .into_iter()
        .find(|s| s.name == "wan")?
        .network
        .rtt
        .as_secs_f64();
    let p = super::lesson::price(control, twin, rtt)?;
    Some(format!(
        "Over HTTPS with a {} round trip, a new connection per request (the lesson's `requests.get` habit) made \
         `sequential` {} slower: {} for {} titles against {} on kept, warm connections, {} more a request: {:.1} \
         round trips, the two the delay line models for TCP's and TLS 1.3's handshakes.",
        time(rtt),
        times(&p.ratio),
        time(control.mean_s),
        control.titles,
        time(twin.mean_s),
        time(p.extra_s),
        p.round_trips,
    ))
}

/// `latency`: what ten in flight buy over one at a time.
fn waiting(rows: &[Row]) -> Option<String> {
    let group = at(rows, "latency", None);
    let sequential = find(&group, "sequential")?;
    let concurrent: Vec<&Row> = group
        .iter()
        .copied()
        .filter(|r| {
            r.strategy != "sequential" && r.strategy != "tokio-hyper" && r.titles_per_request == 1
        })
        .collect();
    let best = concurrent
        .iter()
        .copied()
        .min_by(|a, b| a.mean_s.total_cmp(&b.mean_s))?;
    let r = ratio(sequential, best).filter(|r| r.verdict() == Verdict::Slower)?;
    Some(format!(
        "Waiting overlaps: with {} requests in flight instead of one, `{}` fetched {} titles in {} against \
         `sequential`'s {}, {} faster.",
        best.concurrency,
        best.strategy,
        best.titles,
        time(best.mean_s),
        time(sequential.mean_s),
        times(&r)
    ))
}

/// `batching` at its smallest C (Wikimedia's limit): twenty titles a
/// request against the best one-title row.
fn fewer_requests(rows: &[Row]) -> Option<String> {
    let all = at(rows, "batching", None);
    let c = all.iter().map(|r| r.concurrency).min()?;
    let group = at(rows, "batching", Some(c));
    let batched = group.iter().copied().find(|r| r.titles_per_request > 1)?;
    let best = group
        .iter()
        .copied()
        .filter(|r| r.titles_per_request == 1 && r.strategy != REFERENCE)
        .min_by(|a, b| a.mean_s.total_cmp(&b.mean_s))?;
    let r = ratio(best, batched).filter(|r| r.verdict() == Verdict::Slower)?;
    Some(format!(
        "Fewer requests: at C = {c}, `{}` fetched {} titles in {} with {:.0} requests a call ({} titles each), \
         against {} with {:.0} requests for `{}` at the same C, {} faster (the mock charges a batch the delay of one \
         title; a real server spends more on twenty).",
        batched.strategy,
        batched.titles,
        time(batched.mean_s),
        batched.requests_per_call,
        batched.titles_per_request,
        time(best.mean_s),
        best.requests_per_call,
        best.strategy,
        times(&r)
    ))
}

/// `concurrency` at its largest C: the fastest thread strategy by mean
/// against every task strategy, each by its paired verdict (the task rows'
/// means alone may not tell which of them is fastest).
fn threads_and_tasks(rows: &[Row], c: usize) -> Option<String> {
    let group = at(rows, "concurrency", Some(c));
    let thread = fastest(&group, &THREADS)?;
    let against: Vec<(&Row, Ratio)> = group
        .iter()
        .filter(|r| TASKS.contains(&r.strategy.as_str()))
        .filter_map(|task| Some((*task, ratio(thread, task)?)))
        .collect();
    if against.is_empty() {
        return None;
    }
    let named = |verdict: Verdict| -> Option<String> {
        let rows: Vec<String> = against
            .iter()
            .filter(|(_, r)| r.verdict() == verdict)
            .map(|(task, r)| format!("`{}` ({:.3})", task.strategy, r.point))
            .collect();
        (!rows.is_empty()).then(|| rows.join(", "))
    };
    let parts: Vec<String> = [
        (Verdict::Slower, "slower than"),
        (Verdict::Indistinguishable, "indistinguishable from"),
        (Verdict::Faster, "faster than"),
    ]
    .into_iter()
    .filter_map(|(verdict, words)| Some(format!("{words} {}", named(verdict)?)))
    .collect();
    Some(format!(
        "At C = {c} the fastest thread strategy by mean, `{}`, was {} (its time over each task row's, round by \
         round); the two kinds differ in HTTP client too (ureq against hyper or reqwest), so this is thread and \
         client together.",
        thread.strategy,
        parts.join("; ")
    ))
}

/// The control at `concurrency`'s largest C: the client and the runtime,
/// each held fixed in turn.
fn runtime_and_client(rows: &[Row], c: usize) -> Option<String> {
    let group = at(rows, "concurrency", Some(c));
    let (tokio, control, smol) = (
        find(&group, "tokio")?,
        find(&group, "tokio-hyper")?,
        find(&group, "smol")?,
    );
    Some(format!(
        "At C = {c}, with tokio's runtime in both rows, reqwest against the shared hyper client: {}; with the hyper \
         client in both, tokio's runtime against smol's (runtime and thread layout together): {}.",
        compare_two(tokio, control),
        compare_two(control, smol)
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
    let r = cpu_ratio(spawn, pool).filter(|r| r.verdict() != Verdict::Indistinguishable)?;
    Some(format!(
        "A new OS thread per title costs CPU: with no delay `thread-per-request` needed {} of client CPU per request \
         against {} for `thread-pool`, whose threads are started once ({}).",
        us3(spawn.client_cpu_per_request_s),
        us3(pool.client_cpu_per_request_s),
        times(&r)
    ))
}

/// The footprint at the larger C: a pool of threads against tasks.
fn memory(log: &RunLog) -> Option<String> {
    let c = CONCURRENCIES[CONCURRENCIES.len() - 1];
    let of = |name: &str| {
        log.footprints
            .iter()
            .find(|f| f.strategy == name && f.concurrency == c && f.premise_held())
    };
    let (pool, tokio) = (of("thread-pool")?, of("tokio")?);
    Some(format!(
        "With {c} requests in flight (counted by the mock), `thread-pool` held {:.1} MiB resident on {} OS threads and \
         `tokio` {:.1} MiB on {} (one measurement each; the two also differ in HTTP client).",
        pool.peak_rss_kib as f64 / 1024.0,
        pool.peak_threads,
        tokio.peak_rss_kib as f64 / 1024.0,
        tokio.peak_threads
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
    use crate::report::prose::tests::row;

    fn in_scenario(scenario: &str, r: Row) -> Row {
        Row {
            scenario: scenario.into(),
            ..r
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
        let rows = vec![
            wan("sequential", 1.03, 0),
            wan("sequential-no-keep-alive", 3.05, 200),
        ];
        let text = keep_alive(&rows).unwrap();
        assert!(text.contains("`sequential` 2.96× ["), "{text}");
        assert!(
            text.contains("101.0 ms more a request: 2.0 round trips"),
            "{text}"
        );
        // Not slower, or a control that reused connections: no finding.
        let rows = vec![
            wan("sequential", 1.03, 0),
            wan("sequential-no-keep-alive", 1.03, 200),
        ];
        assert_eq!(keep_alive(&rows), None);
        let rows = vec![
            wan("sequential", 1.03, 0),
            Row {
                premise: Some("opened 3 connections for 20 requests, not one each".into()),
                ..wan("sequential-no-keep-alive", 3.05, 30)
            },
        ];
        assert_eq!(keep_alive(&rows), None);
    }

    #[test]
    fn batching_is_a_finding_only_when_it_is_faster() {
        let batched = |mean: f64| Row {
            titles_per_request: 20,
            requests_per_call: 50.0,
            ..in_scenario("batching", row("batched", 3, mean, 0.001, 0.0))
        };
        let one = |name: &str, mean: f64| Row {
            requests_per_call: 1000.0,
            ..in_scenario("batching", row(name, 3, mean, 0.001, 0.0))
        };
        let rows = vec![one(REFERENCE, 6.8), one("tokio-hyper", 6.85), batched(0.35)];
        let text = fewer_requests(&rows).unwrap();
        assert!(
            text.starts_with("Fewer requests: at C = 3, `batched` fetched 100 titles in 350.0 ms with 50 requests a call (20 titles each), against 6.850 s with 1000 requests for `tokio-hyper` at the same C"),
            "{text}"
        );
        assert!(
            text.contains("19.57× [19.55 – 19.59] faster (the mock charges"),
            "{text}"
        );
        // Slower than the one-title row: no finding.
        let rows = vec![one("tokio-hyper", 6.85), batched(7.0)];
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
        let log = crate::report::RunLog::new(false, wikifetch_rig::CpuSplit::detect());
        // Nothing measured: nothing found.
        assert!(findings(&[], &log, &PLOTS, heading).is_empty());
        let rows = vec![
            in_scenario("latency", row("sequential", 1, 2.0, 0.001, 0.0)),
            in_scenario("latency", row("thread-pool", 10, 0.21, 0.001, 0.0)),
            in_scenario("latency", row("smol", 10, 0.205, 0.001, 0.0)),
        ];
        let found = findings(&rows, &log, &PLOTS, heading);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .text
                .starts_with("Waiting overlaps: with 10 requests in flight instead of one, `smol`"),
            "{}",
            found[0].text
        );
        assert!(found[0].text.contains("9.76× ["), "{}", found[0].text);
        assert_eq!(
            (found[0].plot.as_str(), found[0].section.as_str()),
            ("timeline-latency.svg", "## latency")
        );
        // Without its plot, a finding is not printed.
        assert!(findings(&rows, &log, &["overhead.svg"], heading).is_empty());
    }

    #[test]
    fn threads_against_tasks_gives_each_task_row_its_own_verdict() {
        let c = |name: &str, mean: f64, half: f64| {
            in_scenario("concurrency", row(name, 100, mean, half, 0.0))
        };
        let rows = vec![
            c("thread-pool", 0.048, 0.0005),
            c("rayon", 0.050, 0.0005),
            c("smol", 0.045, 0.0005),
        ];
        let text = threads_and_tasks(&rows, 100).unwrap();
        assert!(
            text.starts_with("At C = 100 the fastest thread strategy by mean, `thread-pool`, was slower than `smol` (1.067)"),
            "{text}"
        );
        // The task row fastest by mean may be the one the run cannot tell
        // from the thread row, while a slower-by-mean task row beats it:
        // each verdict is said, none is picked for all.
        let rows = vec![
            c("thread-pool", 0.0470, 0.0002),
            c("smol", 0.0455, 0.004),
            c("tokio", 0.0458, 0.0002),
            c("async-std", 0.0490, 0.0002),
        ];
        let text = threads_and_tasks(&rows, 100).unwrap();
        assert!(text.contains("slower than `tokio` (1.026)"), "{text}");
        assert!(text.contains("indistinguishable from `smol` ("), "{text}");
        assert!(text.contains("faster than `async-std` (0.959)"), "{text}");
        // No task row: no finding.
        assert!(threads_and_tasks(&rows[..1], 100).is_none());
    }

    #[test]
    fn a_broken_premise_drops_the_finding() {
        let rows = vec![
            in_scenario("jitter", row("rayon", 20, 0.49, 0.05, 0.0)),
            in_scenario(
                "jitter",
                Row {
                    premise: Some("opened 2 connections during the timed calls".into()),
                    ..row("thread-pool", 20, 0.50, 0.001, 0.0)
                },
            ),
        ];
        assert_eq!(schedules(&rows), None);
    }
}
