//! The screen REPORT.md opens with: the plain answer, in absolute units
//! from this run, for a reader choosing a model. No term of the rig on it
//! (`RIG_TERMS`, tested): every figure comes from the rows, and every
//! choice of a figure is made here, once.

use std::fmt::Write as _;

use super::format::{time, us3};
use super::prose::find;
use super::{Row, RunLog};
use crate::footprint::{CONCURRENCIES, PerRequest};

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

/// One row's time per wave of C requests: its mean over ⌈N/C⌉, or
/// `None` when it broke its premise (its C was not what it claims).
fn per_wave(r: &Row) -> Option<f64> {
    let waves = r.titles.div_ceil(r.concurrency.max(1));
    let reached = r
        .max_in_flight
        .is_none_or(|m| m >= r.concurrency.min(r.titles));
    (r.sound() && reached).then(|| r.mean_s / waves.max(1) as f64)
}

/// The fastest of `names` in `rows` by time per wave.
fn fastest<'r>(rows: &[&'r Row], names: &[&str]) -> Option<(&'r Row, f64)> {
    names
        .iter()
        .filter_map(|n| find(rows, n))
        .filter_map(|r| Some((r, per_wave(r)?)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// What one more request in flight costs `strategy`, between the two
/// footprint concurrencies.
fn footprint(log: &RunLog, strategy: &str) -> Option<PerRequest> {
    let at = |c: usize| {
        log.footprints
            .iter()
            .find(|f| f.strategy == strategy && f.concurrency == c)
    };
    let [low, high] = CONCURRENCIES;
    PerRequest::between(at(low)?, at(high)?)
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
        "Keep several requests **in flight** (sent, answer not back yet): N titles then take ⌈N/C⌉ **waves** of C \
         requests, each about one answer's delay{}. Measured on {} CPUs, the client on one; time per wave from {} \
         titles at C = {c}, client CPU with no delay:\n",
        delay.map_or(String::new(), |d| format!(" ({} here)", time(d))),
        log.machine.cores,
        waves.first().map_or(0, |r| r.titles),
    );
    out.push_str(
        "| strategy | time per wave | client CPU per request | memory per request in flight | OS threads per request in flight |\n\
         |---|---:|---:|---:|---:|\n",
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
                Some(format!(
                    "{} a call: {} in flight",
                    time(r.mean_s),
                    r.max_in_flight?
                ))
            })
            .unwrap_or_else(|| "–".into());
        let cpu = find(&overhead, name).map_or("–".into(), |r| {
            let at = if r.concurrency == 1 { " (C = 1)" } else { "" };
            format!("{}{at}", us3(r.client_cpu_per_request_s))
        });
        let (kib, threads) = footprint(log, name).map_or(("–".into(), "–".into()), |p| {
            (
                format!("{:.0} KiB", p.peak_kib),
                format!("{:.1}", p.threads.max(0.0)),
            )
        });
        let _ = writeln!(out, "| `{name}` | {wave} | {cpu} | {kib} | {threads} |");
    }
    out.push('\n');
    let mut extra = Vec::new();
    if let Some(words) = keep_alive(rows) {
        extra.push(words);
    }
    if let Some(words) = batching(rows) {
        extra.push(words);
    }
    for e in extra {
        let _ = writeln!(out, "- {e}");
    }
    out.push('\n');
    out.push_str(&which_when(&waves, log));
    out
}

/// "Which when", with this run's figures: the thread pool against the
/// fastest task strategy at the largest C, in time and memory.
fn which_when(waves: &[&Row], log: &RunLog) -> String {
    let pool = find(waves, "thread-pool").and_then(|r| Some((r, per_wave(r)?)));
    let task = fastest(waves, &["tokio", "async-std", "smol"]);
    let gap = match (pool, task) {
        (Some((p, pw)), Some((t, tw))) => {
            let kib = |name: &str| footprint(log, name).map(|f| f.peak_kib);
            let memory = match (kib(&p.strategy), kib(&t.strategy)) {
                (Some(a), Some(b)) => format!(
                    ", and held {a:.0} KiB and an OS thread per request in flight against {b:.0} KiB and none"
                ),
                _ => String::new(),
            };
            format!(
                "At C = {}, `thread-pool` took {} a wave against {} for `{}`, the fastest task strategy{memory}. ",
                p.concurrency,
                time(pw),
                time(tw),
                t.strategy
            )
        }
        _ => String::new(),
    };
    format!(
        "**Which when.** {gap}For tens to a few hundred requests in flight, a thread pool is the simplest code and \
         costs little more; from about a thousand, or where memory counts, use tasks (`tokio` where the program has it, \
         `smol` for a small build). Not rayon's default pool for I/O: it keeps one request per CPU in flight. Keep \
         connections alive, and ask for many titles per request where the API allows.\n\n"
    )
}

/// What a new connection per request cost over HTTPS, in time per request.
fn keep_alive(rows: &[Row]) -> Option<String> {
    let (_, _, rtt, _, p) = super::findings::keep_alive_price(rows)?;
    Some(format!(
        "**Keep connections alive.** Over HTTPS with a {} round trip, a new connection per request (the lesson's \
         `requests.get`) cost {} more per request ({:.1} round trips: TCP's and TLS's handshakes).",
        time(rtt),
        time(p.extra_s),
        p.round_trips
    ))
}

/// What asking for 20 titles a request saved, at Wikimedia's limit of C.
fn batching(rows: &[Row]) -> Option<String> {
    let (c, batched, one) = super::findings::batching_pair(rows)?;
    Some(format!(
        "**Ask for many titles at once.** At C = {c}, {} titles took {} as {:.0} requests of {} titles, against {} \
         as {:.0} requests of one.",
        batched.titles,
        time(batched.mean_s),
        batched.requests_per_call,
        batched.titles_per_request,
        time(one.mean_s),
        one.requests_per_call
    ))
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

    use crate::footprint::Footprint;
    use crate::report::prose::tests::row;

    fn in_scenario(scenario: &str, strategy: &str, c: usize, mean: f64) -> Row {
        Row {
            scenario: scenario.into(),
            titles: 200,
            ideal_s: Some(0.04),
            ..row(strategy, c, mean, 0.0, 30e-6)
        }
    }

    fn log() -> RunLog {
        let mut log = RunLog::new(false, wikifetch_rig::CpuSplit::split(&[0, 1]));
        log.machine.cores = 2;
        for (name, threads) in [("thread-pool", 1), ("smol", 0)] {
            for (c, kib) in [(100, 10_000), (1000, 10_000 + 900 * 50)] {
                log.footprints.push(Footprint {
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
        let rows = vec![
            in_scenario("concurrency", "thread-pool", 100, 0.046),
            in_scenario("concurrency", "smol", 100, 0.044),
            in_scenario("overhead", "smol", 10, 0.02),
        ];
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
