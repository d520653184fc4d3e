//! The screen REPORT.md opens with: the plain answer, in absolute units
//! from this run, for a reader choosing a model. No term of the rig on it
//! (`RIG_TERMS`, tested): every figure comes from the rows, and every
//! choice of a figure is made here, once.

use std::fmt::Write as _;

use super::prose::find;
use crate::analysis::{PerRequest, Row, footprint_of, premise_held};
use crate::render::format::{time, us3};
use wikifetch_runlog::RunLog;

/// The strategies a reader chooses between, in the order the screen lists
/// them; the other rows exist to split differences.
const CHOICES: [&str; 8] = [
    "sequential",
    "thread-pool",
    "thread-per-request",
    "rayon",
    "rayon-default",
    "tokio",
    "async-std",
    "smol",
];

/// The strategy rows of `scenario` (any C when `c` is `None`).
fn of<'r>(rows: &'r [Row], scenario: &str, c: Option<usize>) -> Vec<&'r Row> {
    rows.iter()
        .filter(|r| r.scenario == scenario && c.is_none_or(|c| r.concurrency == c))
        .collect()
}

/// One row's time per wave of C requests: its median call over ⌈N/C⌉
/// (the median, so that one slow round does not move the figure), or
/// `None` when it broke its premise or had fewer than C in flight.
fn per_wave(r: &Row) -> Option<f64> {
    let waves = r.titles.div_ceil(r.concurrency.max(1));
    let reached = r
        .max_in_flight
        .is_none_or(|m| m >= r.concurrency.min(r.titles));
    (r.sound() && reached).then(|| r.median_s / waves.max(1) as f64)
}

/// The fastest of `names` in `rows` by time per wave.
fn fastest<'r>(rows: &[&'r Row], names: &[&str]) -> Option<(&'r Row, f64)> {
    names
        .iter()
        .filter_map(|n| find(rows, n))
        .filter_map(|r| Some((r, per_wave(r)?)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// The opening screen, or an empty string when the run lacks the rows it
/// needs (a filtered run).
pub fn answer(rows: &[Row], log: &RunLog) -> String {
    let concurrency = of(rows, "concurrency", None);
    let Some(c) = concurrency.iter().map(|r| r.concurrency).max() else {
        return String::new();
    };
    let waves = of(rows, "concurrency", Some(c));
    let overhead = of(rows, "overhead", None);
    let mut out = String::from("## The answer\n\n");
    let delay = waves
        .first()
        .and_then(|r| r.ideal_s.map(|i| i / r.titles.div_ceil(c).max(1) as f64));
    let _ = writeln!(
        out,
        "Keep several requests **in flight** (sent, answer not back): N titles take ⌈N/C⌉ **waves** of C, each about \
         one answer's delay{}. {} CPUs, the client on one; each column is its own experiment:\n",
        delay.map_or(String::new(), |d| format!(" ({} here)", time(d))),
        log.machine.cores,
    );
    let [low, high] = footprint_cs(log);
    let _ = writeln!(
        out,
        "| strategy | time per wave (median; {} titles, C = {c}) | client CPU per request (no delay, C = 10) | memory \
         per request in flight (C = {low} → {high}) | threads per request in flight |\n\
         |---|---:|---:|---:|---:|",
        waves.first().map_or(0, |r| r.titles),
    );
    for name in CHOICES {
        let wave = find(&waves, name)
            .or_else(|| {
                (name == "sequential").then(|| find(&of(rows, "latency", Some(1)), name))?
            })
            .and_then(|r| {
                let w = per_wave(r)?;
                Some(if r.concurrency == c {
                    time(w)
                } else {
                    format!("{} (C = {})", time(w), r.concurrency)
                })
            })
            .or_else(|| {
                let r = find(&waves, name)?;
                let in_flight = r.max_in_flight?;
                Some(format!(
                    "{} a call: {in_flight} in flight, so {} waves",
                    time(r.median_s),
                    r.titles.div_ceil(in_flight.max(1))
                ))
            })
            .unwrap_or_else(|| "–".into());
        let cpu = find(&overhead, name).map_or("–".into(), |r| {
            let at = if r.concurrency == 1 { " (C = 1)" } else { "" };
            format!("{}{at}", us3(r.client_cpu_per_request_s))
        });
        let (kib, threads) = log
            .footprint
            .as_ref()
            .and_then(|f| PerRequest::of(f, name))
            .map_or(("–".into(), "–".into()), |p| {
                (
                    format!("{:.0} KiB", p.peak_kib),
                    format!("{:.1}", p.threads.max(0.0)),
                )
            });
        let _ = writeln!(out, "| `{name}` | {wave} | {cpu} | {kib} | {threads} |");
    }
    out.push('\n');
    let mut extra = Vec::new();
    if let Some(words) = keep_alive(rows, log) {
        extra.push(words);
    }
    if let Some(words) = batching(rows) {
        extra.push(words);
    }
    for e in extra {
        let _ = writeln!(out, "- {e}");
    }
    out.push('\n');
    out.push_str(&which_when(rows, &waves, log));
    out
}

/// The task strategies a reader picks, as shipped.
const TASKS: [&str; 3] = ["tokio", "async-std", "smol"];

/// "Which when", with this run's figures: the thread pool against the
/// fastest task strategy at each C it was timed at (by the paired verdict),
/// and in memory at the footprint's largest C.
fn which_when(rows: &[Row], waves: &[&Row], log: &RunLog) -> String {
    let Some((task, _)) = fastest(waves, &TASKS) else {
        return String::new();
    };
    let mut cs: Vec<usize> = of(rows, "concurrency", None)
        .iter()
        .map(|r| r.concurrency)
        .collect();
    cs.sort_unstable();
    cs.dedup();
    let (mut same, mut apart, mut unresolved) = (Vec::new(), Vec::new(), Vec::new());
    for c in cs {
        let here = of(rows, "concurrency", Some(c));
        let (Some(pool), Some(t)) = (find(&here, "thread-pool"), find(&here, &task.strategy))
        else {
            continue;
        };
        match super::prose::ratio(pool, t) {
            Some(r) if r.verdict().names_a_difference() => apart.push(format!(
                "{} % {} at C = {c}",
                super::prose::pc((r.point - 1.0) * 100.0),
                if r.point > 1.0 { "longer" } else { "shorter" }
            )),
            Some(r) if matches!(r.verdict(), wikifetch_stats::Verdict::Equivalent { .. }) => {
                same.push(format!("C = {c}"))
            }
            Some(_) => unresolved.push(format!("C = {c}")),
            None => {}
        }
    }
    let mut gap = format!(
        "`thread-pool` against `{}`, the fastest of tokio, async-std and smol:",
        task.strategy
    );
    if !same.is_empty() {
        let _ = write!(gap, " equivalent at {}", same.join(" and "));
    }
    if !unresolved.is_empty() {
        let _ = write!(
            gap,
            "{} unresolved at {}",
            if same.is_empty() { "" } else { ";" },
            unresolved.join(" and ")
        );
    }
    if !apart.is_empty() {
        let _ = write!(
            gap,
            "{} {}",
            if same.is_empty() && unresolved.is_empty() {
                ""
            } else {
                ";"
            },
            apart.join("; ")
        );
    }
    gap.push('.');
    let [_, high] = footprint_cs(log);
    let calls = log.footprint.as_ref().map_or(&[][..], |f| &f.calls[..]);
    let at_high = |name: &str| {
        footprint_of(calls, name, high)
            .filter(|f| premise_held(f))
            .map(|f| f.peak_rss_kib as f64 / 1024.0)
    };
    if let (Some(a), Some(b)) = (at_high("thread-pool"), at_high(&task.strategy)) {
        let _ = write!(
            gap,
            " At C = {high} (memory only, one measurement) the pool held {a:.1} MiB and {high} threads, `{}` {b:.1} \
             MiB.",
            task.strategy
        );
    }
    gap.push(' ');
    format!(
        "**Which when.** {gap}So: for tens of requests in flight a thread pool is as fast as tasks; the more in \
         flight, the more tasks save in time, CPU and memory. Not rayon's default pool for I/O: one request per CPU. \
         Keep connections alive; ask for many titles per request.\n\n"
    )
}

/// What a new connection per request cost over HTTPS, in time per request.
fn keep_alive(rows: &[Row], log: &RunLog) -> Option<String> {
    let k = super::listed::keep_alive_price(rows, log)?;
    Some(format!(
        "**Keep connections alive.** Over HTTPS with a {} round trip (modelled), a new connection per request (the \
         lesson's `requests.get`) cost {} more per request: {:.1} round trips, as the model predicts (TCP's and TLS's \
         handshakes); {:.2}× the time, predicted {:.2}× ({} rounds: figures only).",
        time(k.rtt),
        time(k.price.extra_s),
        k.price.round_trips,
        k.price.ratio.point,
        k.predicted,
        k.price.ratio.rounds
    ))
}

/// What asking for 20 titles a request saved, at Wikimedia's limit of C.
fn batching(rows: &[Row]) -> Option<String> {
    let super::listed::BatchingPair {
        c,
        batched,
        one,
        predicted,
    } = super::listed::batching_pair(rows)?;
    Some(format!(
        "**Ask for many titles at once.** At C = {c}, {} titles took {} as {:.0} requests of {} titles, against {} \
         as {:.0} requests of one (`{}`); predicted {:.2}×, as the mock charges a batch one title's delay.",
        batched.titles,
        time(batched.mean_s),
        batched.requests_per_call,
        batched.titles_per_request,
        time(one.mean_s),
        one.requests_per_call,
        one.strategy,
        predicted,
    ))
}

/// The two C of the footprint, or zeros when it was not measured.
fn footprint_cs(log: &RunLog) -> [usize; 2] {
    log.footprint.as_ref().map_or([0, 0], |f| f.concurrencies)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words of the rig that must not appear on the opening screen: a reader
    /// meets them only below, where they are defined.
    const RIG_TERMS: [&str; 6] = [
        "floor",
        "premise",
        "rig-bound",
        "pair cell",
        "reference client",
        "control",
    ];

    /// The most words the opening screen may have (`wc -w`).
    const WORDS: usize = 400;

    use crate::findings::prose::tests::{paired_vec, row};
    use wikifetch_runlog::{CpuSplit, Footprint, FootprintSetup};

    fn in_scenario(scenario: &str, strategy: &str, c: usize, mean: f64) -> Row {
        Row {
            scenario: scenario.into(),
            titles: 200,
            ideal_s: Some(0.04),
            ..row(strategy, c, mean, 0.0, 30e-6)
        }
    }

    fn log() -> RunLog {
        let mut log = RunLog {
            split: CpuSplit::split(&[0, 1]),
            footprint: Some(FootprintSetup {
                delay_s: 1.0,
                concurrencies: [100, 1000],
                calls: Vec::new(),
            }),
            ..RunLog::default()
        };
        log.machine.cores = 2;
        for (name, threads) in [("thread-pool", 1), ("smol", 0)] {
            for (c, kib) in [(100, 10_000), (1000, 10_000 + 900 * 50)] {
                let setup = log.footprint.as_mut().unwrap();
                setup.calls.push(Footprint {
                    strategy: name.into(),
                    concurrency: c,
                    idle_rss_kib: kib,
                    peak_rss_kib: kib,
                    idle_threads: 1 + threads * c as u64,
                    peak_threads: 1 + threads * c as u64,
                    in_flight: c,
                    connections: 0,
                    wall_s: 1.0,
                    titles: c,
                    client_cpu_s: 0.1,
                });
            }
        }
        log
    }

    fn screen() -> String {
        let rows = paired_vec(vec![
            in_scenario("concurrency", "thread-pool", 100, 0.046),
            in_scenario("concurrency", "smol", 100, 0.044),
            in_scenario("overhead", "smol", 10, 0.02),
        ]);
        answer(&rows, &log())
    }

    #[test]
    fn the_opening_screen_is_short_and_free_of_rig_terms() {
        let text = screen();
        let words = text.split_whitespace().count();
        assert!(words <= WORDS, "{words} words:\n{text}");
        let lower = text.to_lowercase();
        for term in RIG_TERMS {
            assert!(
                !lower.contains(term),
                "{term:?} on the opening screen:\n{text}"
            );
        }
    }

    #[test]
    fn the_opening_screen_gives_absolute_figures_per_wave_and_per_request() {
        let text = screen();
        // 200 titles at C = 100: two waves of 46 ms → 23.0 ms a wave.
        assert!(text.contains("| `thread-pool` | 23.0 ms |"), "{text}");
        // 50 KiB and one thread per request in flight, from the slope.
        assert!(text.contains("| 50 KiB | 1.0 |"), "{text}");
        assert!(text.contains("| 50 KiB | 0.0 |"), "{text}");
        // A strategy the run lacks gets dashes, not a figure.
        assert!(text.contains("| `tokio` | – | – | – | – |"), "{text}");
    }

    #[test]
    fn a_run_without_the_concurrency_scenario_opens_with_nothing() {
        assert_eq!(answer(&[], &log()), "");
    }
}
