//! The scale curve, rendered: its section of REPORT.md (the picture and a
//! compact table), its section of DETAILS.md (every figure of every point,
//! with its spread), and `scale.svg`.

use std::fmt::Write as _;

use plotters::prelude::*;
use wikifetch_runlog::{RunLog, STOPPED_EARLIER};

use super::format::time;
use super::plot::{Figure, Key, line, marks, side_legend, style};
use crate::analysis::Row;
use crate::analysis::limits::{Reach, over_delay};
use crate::analysis::scale::{Bound, Curve, Point, Spread, curve, span, stop_label};

/// The heading of the curve's sections (without the `## `): "From 10 to
/// 10000 in flight: the scale curve".
pub(crate) fn heading(points: &[Point]) -> String {
    let (low, high) = span(points);
    format!("From {low} to {high} in flight: the scale curve")
}

/// The figure of the curve, when the run has one.
pub fn figure(log: &RunLog) -> Result<Option<Figure>, Box<dyn std::error::Error>> {
    let Some(points) = curve(log).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    Ok(Some(Figure {
        file: "scale.svg".into(),
        svg: plot(&points, &probe_ends(log))?,
        caption: "Against C (log axis), the three figures of the table below, one line per row (means over blocks; \
                  memory the median of five readings). ×: stopped in this run, and why; ⚠: a premise failed; grey \
                  line: the first C the limits probe did not answer (refused, or unfinished in its deadline), and why."
            .into(),
    }))
}

/// REPORT.md's section: how the curve was run, the picture, and a
/// compact table (time per wave over the delay's waves, CPU and memory a
/// request in flight, at each C).
pub fn report_section(out: &mut String, log: &RunLog, figures: &[Figure]) {
    let Some(points) = curve(log).filter(|p| !p.is_empty()) else {
        return;
    };
    let _ = writeln!(out, "## {}\n", heading(&points));
    for f in figures.iter().filter(|f| f.file == "scale.svg") {
        let _ = writeln!(out, "![{}]({})\n\n*{}*\n", f.file, f.file, f.caption);
    }
    let cs: Vec<String> = points.iter().map(|p| p.concurrency.to_string()).collect();
    let reach = crate::analysis::limits::reach(log);
    let deadline = log.limits.as_ref().and_then(|p| p.deadline_s);
    let _ = writeln!(
        out,
        "Each cell: time per wave ÷ the delay, client CPU µs a request, memory KiB a request in flight (the \
         rise from the C before; at the first C, MiB in all). The reference client's ratio is what the mock and \
         the cheapest client allow. How it ran, and every figure with its spread: [DETAILS.md](DETAILS.md#{}).\n\n| row | {}{} |\n|---|{}{}",
        super::markdown::anchor(&heading(&points)),
        cs.iter()
            .map(|c| format!("C = {c}"))
            .collect::<Vec<_>>()
            .join(" | "),
        if reach.is_empty() {
            ""
        } else {
            " | `wikifetch limits`: answered → not answered at C"
        },
        "---:|".repeat(cs.len()),
        if reach.is_empty() { "" } else { "---|" }
    );
    for (i, first) in points[0].rows.iter().enumerate() {
        let mut cells: Vec<String> = points
            .iter()
            .enumerate()
            .map(|(k, p)| p.rows.get(i).map_or("–".into(), |r| compact(&points, k, r)))
            .collect();
        if !reach.is_empty() {
            cells.push(
                reach
                    .iter()
                    .find(|r| r.strategy == first.strategy)
                    .map_or("not tried".to_owned(), |r| reach_cell(r, deadline)),
            );
        }
        let _ = writeln!(out, "| `{}` | {} |", first.strategy, cells.join(" | "));
    }
    out.push('\n');
    if let Some(words) = reach_words(log, &reach) {
        let _ = writeln!(out, "{words}\n");
    }
}

/// "16000 (≤ 13211 in flight) → 16500 refused (vm.max_map_count)": the
/// largest C answered, the most requests in flight there, and the first
/// C that failed, with what stopped it; or the cap it reached.
fn reach_cell(r: &Reach, deadline_s: Option<f64>) -> String {
    let answered = r.answered.map_or("–".to_owned(), |t| {
        if t.in_flight < t.concurrency {
            format!("{} (at most {} at once)", t.concurrency, t.in_flight)
        } else {
            t.concurrency.to_string()
        }
    });
    let how = if r.stopped_by_a_setting() {
        " refused"
    } else {
        ""
    };
    match (r.failed, r.stopped_short(deadline_s)) {
        (Some(t), Some(why)) => format!("{answered} → {}{how} ({why})", t.concurrency),
        _ => format!("{answered}, the cap"),
    }
}

/// "at most 500": how close the probe's halving brought the last C
/// answered and the first refused.
fn within(probe: &wikifetch_runlog::LimitsLog) -> String {
    probe
        .resolution
        .map_or("small".to_owned(), |r| format!("at most {r}"))
}

/// How the last column was measured, and what its calls are worth: near
/// the limits even the bare client is far from the delay, and one cold
/// call already takes about two.
fn reach_words(log: &RunLog, reach: &[Reach]) -> Option<String> {
    let probe = log.limits.as_ref()?;
    if reach.is_empty() {
        return None;
    }
    let deadline = probe.deadline_s.map_or(String::new(), |d| {
        format!("; a set-up or call over {d:.0} s ended the row, at a C not narrowed")
    });
    // The bare client's calls over the delay: the cold one at the smallest
    // and the largest C it answered, and the warm one at the largest.
    let bare = reach
        .iter()
        .find(|r| r.strategy == wikifetch_runlog::REFERENCE)
        .and_then(|r| {
            let top = r.answered?;
            let low = r
                .tries
                .iter()
                .filter(|t| t.failed.is_none())
                .min_by_key(|t| t.concurrency)?;
            Some((
                (low.concurrency, over_delay(low, low.call)?),
                (top.concurrency, over_delay(top, top.call)?),
                over_delay(top, top.warm),
            ))
        })
        .map_or(String::new(), |((low, x_low), (top, x_top), warm)| {
            let warm = warm.map_or(String::new(), |w| format!(", its warm call {w:.1}× at {top}"));
            format!(
                " The bare client's cold call took {x_low:.1}× the delay at C = {low} and {x_top:.1}× at {top}{warm}: \
                 these calls show where rows stop, not how fast they are."
            )
        });
    Some(format!(
        "**Where each row gives out** (last column; `wikifetch limits`, a separate run that finished {}): one try \
         a C, a fresh mock and process making a cold call of C titles, then a warm one, with no check that C were \
         in flight (so a row stopped above can answer a larger C here); C rose until a try was refused or \
         unfinished, then the gap below the first refusal was halved to {}{deadline}. *Refused*: as in the \
         answer; here {} open files a process and, for threads, `vm.max_map_count` = {} (about four mappings a \
         thread).{bare} {} Every try: DETAILS.md.",
        super::utc_date(probe.finished_unix),
        within(probe),
        probe.settings.open_files.1,
        probe
            .settings
            .max_map_count
            .map_or("unknown".to_owned(), |m| m.to_string()),
        crate::findings::reach::alone(log).unwrap_or_default()
    ))
}

/// Where each fetch row gave out with no time cap, from the limits probe:
/// the largest C it answered every title at, what that call cost, and
/// the first C that failed and what stopped it.
fn reach_table(log: &RunLog) -> Option<String> {
    let probe = log.limits.as_ref()?;
    let rows = crate::analysis::limits::reach(log);
    if rows.is_empty() {
        return None;
    }
    let mut tried: Vec<usize> = probe
        .rows
        .iter()
        .flat_map(|r| r.tries.iter().map(|t| t.concurrency))
        .collect();
    tried.sort_unstable();
    tried.dedup();
    let tried: Vec<String> = tried.iter().map(ToString::to_string).collect();
    let deadline = probe.deadline_s.map_or(String::new(), |d| {
        format!("; a set-up or a call still going after {d:.0} s was ended")
    });
    let within = within(probe);
    let mut out = format!(
        "**Where each row gives out** (`wikifetch limits`, a separate run that finished {}): each try a fresh mock \
         with the curve's delay at that C and a fresh process of the row, built, then a cold call of C titles (one \
         wave: its connections open during the call) and a warm one (the probe does not count connections), once; C \
         rose until a try was refused or unfinished, and the gap between the last C answered and the first refused \
         was halved until it was {within} (C tried, over all rows: {}){deadline}. One try a C, so no interval.\n\n\
         A thread row's refusal counts C threads at once, its worst case; the threads column shows how many it held \
         at the C it answered.\n\n\
         | row | model | every title answered up to C | cold call there (÷ the delay) | warm call (÷ the delay), client \
         CPU a request | most in flight, threads | first C not answered | why |\n\
         |---|---|---:|---|---|---|---:|---|\n",
        super::utc_date(probe.finished_unix),
        tried.join(", ")
    );
    let over = |c: Option<wikifetch_runlog::Cost>, t: &wikifetch_runlog::RowTry| {
        c.zip(over_delay(t, c)).map_or("–".to_owned(), |(c, x)| {
            format!("{} ({x:.1}×)", time(c.wall_s))
        })
    };
    for r in &rows {
        let (answered, cold, warm, held) = match r.answered {
            Some(t) => (
                t.concurrency.to_string(),
                over(t.call, t),
                t.warm.map_or("–".to_owned(), |w| {
                    format!(
                        "{}, {:.0} µs",
                        over(Some(w), t),
                        w.cpu_s / t.titles.max(1) as f64 * 1e6
                    )
                }),
                format!("{}, {}", t.in_flight, t.peak_threads),
            ),
            None => ("–".into(), "–".into(), "–".into(), "–".into()),
        };
        let by = if r.stopped_by_a_setting() {
            r.stopped_by().map(|b| format!("refused: {b}"))
        } else {
            r.stopped_short(probe.deadline_s)
        };
        let (first, by) = match (r.failed, by) {
            (Some(t), Some(by)) => (t.concurrency.to_string(), by),
            _ => ("–".to_owned(), format!("reached the cap, C = {}", r.cap)),
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {answered} | {cold} | {warm} | {held} | {first} | {by} |",
            r.strategy, r.model
        );
    }
    Some(out)
}

/// Every try of the limits probe, in the order each row was tried, with
/// the full reason for each failure.
fn tries_table(log: &RunLog) -> Option<String> {
    let probe = log.limits.as_ref().filter(|p| !p.rows.is_empty())?;
    let mut out = format!(
        "**Every try of the limits probe** (`wikifetch limits`, the run that finished {}), in the order tried; a \
         refusal gives the setting and what the C needed, the row's own message without its advice:\n\n\
         | row | C | delay | set-up | cold call | warm call | answered | most in flight | threads | why not answered |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
        super::utc_date(probe.finished_unix)
    );
    let cost = |c: Option<wikifetch_runlog::Cost>| {
        c.map_or("–".to_owned(), |c| {
            format!("{} ({} CPU)", time(c.wall_s), time(c.cpu_s))
        })
    };
    for row in &probe.rows {
        for t in &row.tries {
            let failure = t.failed.as_ref().map_or(String::new(), |f| {
                let why = f.why.replace('|', "/");
                match &f.limit {
                    Some(l) => format!("refused [{l}]: {}", needed(&why)),
                    None => why,
                }
            });
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} | {} | {failure} |",
                row.strategy,
                t.concurrency,
                time(t.delay_s),
                cost(t.setup),
                cost(t.call),
                cost(t.warm),
                // A refused try sent nothing and started no thread.
                if t.setup.is_none() {
                    "– | – | –".to_owned()
                } else {
                    format!(
                        "{} of {} | {} | {}",
                        t.answered, t.titles, t.in_flight, t.peak_threads
                    )
                }
            );
        }
    }
    Some(out)
}

/// A refusal's "needs … but … is …", without the row's name and the advice
/// after it: "needs about 20164 open files (…), but the open-files limit
/// (RLIMIT_NOFILE) is 20000 and its hard limit allows no more".
fn needed(why: &str) -> &str {
    let from = why.find("needs").unwrap_or(0);
    let rest = &why[from..];
    rest.split(';').next().unwrap_or(rest).trim()
}

/// How the curve was run, in two sentences.
fn how(log: &RunLog, points: &[Point]) -> String {
    let Some(scale) = log.scale.as_ref() else {
        return String::new();
    };
    let delays: Vec<String> = points
        .iter()
        .map(|p| format!("{} at C = {}", time(p.delay_s), p.concurrency))
        .collect();
    // The probe's own allowance, when the log has a probe that set one.
    let allowed = log
        .limits
        .as_ref()
        .and_then(|p| p.deadline_s)
        .map_or(String::new(), |d| {
            format!(" with {d:.0} s allowed a set-up and a call")
        });
    let cap = scale.cap_s.map_or(String::new(), |cap| {
        format!(
            "\n\nBefore its timed calls a row makes up to three untimed ones, until one opens no connection and has C \
             in flight; a row whose last untimed call at some C took over {cap:.0} s is not timed there or beyond (ten such calls would \
             not fit the run); `wikifetch limits` tries it{allowed} (below)."
        )
    });
    let busy: Vec<String> = points
        .iter()
        .map(|p| {
            let most = p.rows.iter().map(|r| r.mock_busy).fold(0.0, f64::max);
            format!("{:.0} % at C = {}", most * 100.0, p.concurrency)
        })
        .collect();
    format!(
        "N = 2C titles (two waves) at each C, every answer delayed {} (at most {:.0} requests a second offered), \
         client on {}; the largest share of the mock's one core over a timed call: {}. From C = 1000 on the delay \
         grows with C, so C and the rate offered change together. One row's process runs at a \
         time, in a shuffled order, in each of {} blocks; {} timed calls a row and C.{cap}",
        delays.join(", "),
        scale.offered_per_s,
        cpus_words(log),
        busy.join(", "),
        scale.blocks,
        scale.rounds
    )
}

fn cpus_words(log: &RunLog) -> String {
    match log.split.client.len() {
        0 | 1 => "one CPU".to_owned(),
        n => format!("{n} CPUs"),
    }
}

/// A compact cell: "1.02, 24, 31", or why the row stopped; at the first
/// point, the memory in all, in MiB ("1.02, 24, 6.9 MiB").
fn compact(points: &[Point], k: usize, r: &Curve) -> String {
    let p = &points[k];
    if let Some(why) = &r.stopped {
        return if why.starts_with(STOPPED_EARLIER) {
            "–".into()
        } else {
            format!("stopped: {}", stop_label(why))
        };
    }
    let per_wave = r.time.map_or("–".into(), |t| {
        format!("{:.2}", t.mean / p.delay_bound_s())
    });
    let cpu = r.cpu.map_or("–".into(), |c| format!("{:.0}", c.mean * 1e6));
    let memory = match r.memory_per_request {
        Some(per) if per >= 10.0 => format!("{per:.0}"),
        Some(per) => format!("{per:.1}"),
        None => r
            .memory_kib()
            .map_or("–".into(), |m| format!("{:.1} MiB", m / 1024.0)),
    };
    format!("{per_wave}, {cpu}, {memory}{}", flag(p, r))
}

/// "⚠" where a premise failed.
fn flag(p: &Point, r: &Curve) -> &'static str {
    if r.stopped.is_none() && !r.sound(p.concurrency) {
        " ⚠"
    } else {
        ""
    }
}

fn kib(k: f64) -> String {
    if k >= 10_240.0 {
        format!("{:.0} MiB", k / 1024.0)
    } else if k >= 10.0 {
        format!("{k:.0} KiB")
    } else {
        format!("{k:.1} KiB")
    }
}

fn spread_kib(s: Option<Spread>) -> String {
    s.map_or("–".into(), |s| {
        if s.readings == 1 {
            return format!("{} (one reading)", kib(s.median));
        }
        format!(
            "{} ({}–{})",
            kib(s.median),
            kib(s.min).trim_end_matches(" KiB").trim_end_matches(" MiB"),
            kib(s.max)
        )
    })
}

fn spread_time(s: Option<Spread>) -> String {
    s.map_or("–".into(), |s| time(s.median))
}

/// DETAILS.md's section: each point's every figure, and the curve's
/// verdicts beside the interleaved `concurrency` scenario's (`rows`).
pub fn details_section(out: &mut String, log: &RunLog, rows: &[Row]) {
    let Some(points) = curve(log).filter(|p| !p.is_empty()) else {
        return;
    };
    let _ = writeln!(
        out,
        "## {}\n\n{}\n\n\
         Per point:\n\n\
         - **time per wave** is the mean time of a call over blocks, with its 95 % t interval over the blocks, \
         over the ⌈N/C⌉ waves; **CPU busy** is N × the row's CPU per request ÷ the client's CPUs, per \
         wave: the time the call kept the client's CPUs busy (with one CPU, its own CPU time), a bound on its time beside \
         the delay's (one delay a wave); **measured ÷ bound** is the call's time over the \
         larger of the two, named.\n\
         - **CPU a request** is the client process's CPU over N, with its interval over blocks; **switches** are \
         voluntary and involuntary context switches of all its threads a request.\n\
         - **in flight** is the fewest requests the mock had at once in a timed call, **new connections** those \
         the timed calls opened, **mock busy** the largest share of its core the mock used over a timed call (an average over the call: \
         it is busier while a wave arrives). ⚠: the mock was at least \
         70 % busy, a call missed C in flight, opened a connection, or lost a title; such a row is shown and \
         nothing is concluded from it.\n\
         - Memory is read once a block during the untimed first call (five readings: median and range). **RSS** \
         is the process's peak resident memory; **kernel** the rise of `KernelStack` + `PageTables` in \
         `/proc/meminfo` over the same before the process started (one row process runs at a time); **TCP \
         buffers** the rise of `/proc/net/sockstat`'s TCP memory, both ends (the client's sockets and the mock's): \
         coarse, since the kernel counts it in per-CPU batches (steps of 1 MiB here), and small, since a request \
         waiting for its answer leaves its buffers nearly empty.\n\
         - **threads** is the most OS threads during the first call; **set-up** the time and CPU of building the \
         row (`Fetcher::new`: a pool's threads, a runtime) in its process before any call; **first answer** the \
         median time to the first result in a timed call.\n",
        heading(&points),
        how(log, &points)
    );
    for p in &points {
        let _ = writeln!(
            out,
            "### C = {}: {} titles, delay {}, predicted by the delay {}\n\n\
             | row | time per wave [95 % CI] | CPU busy | measured ÷ bound | CPU a request [95 % CI] | switches a request (vol. / invol.) | in flight, new connections, mock busy | RSS | kernel | TCP buffers | threads | set-up (CPU) | first call | first answer |\n\
             |---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            p.concurrency,
            p.titles,
            time(p.delay_s),
            time(p.delay_bound_s())
        );
        for r in &p.rows {
            let _ = writeln!(out, "{}", detail_row(p, r));
        }
        out.push('\n');
        let stops: Vec<String> = p
            .rows
            .iter()
            .filter_map(|r| {
                let why = r.stopped.as_deref()?;
                // Its first call here, when it ended: how far the row got
                // (a row whose first call never reached C in flight was
                // slow before any cap stopped it).
                let first = match (r.first_call_s, r.first_in_flight) {
                    (Some(t), Some(n)) if t.readings == 1 => format!(
                        " Its first call here took {} with {n:.0} of {} requests in flight.",
                        time(t.median),
                        p.concurrency
                    ),
                    (Some(t), Some(n)) => format!(
                        " Its first calls here ({} blocks): a median {}, with {n:.0} of {} requests in flight.",
                        t.readings,
                        time(t.median),
                        p.concurrency
                    ),
                    _ => String::new(),
                };
                (!why.starts_with(STOPPED_EARLIER))
                    .then(|| format!("- `{}`: {why}.{first}", r.strategy))
            })
            .collect();
        if !stops.is_empty() {
            let _ = writeln!(
                out,
                "Stopped at C = {}:\n\n{}\n",
                p.concurrency,
                stops.join("\n")
            );
        }
    }
    let _ = writeln!(out, "{}\n", crossover(&points));
    // "Which when" at every C; the opening screen gives two of them.
    for (i, words) in crate::findings::answer::curve_every_c(rows, log)
        .iter()
        .enumerate()
    {
        let lead = if i == 0 {
            "**Threads against tasks at every C** (the answer gives the first C where tasks were faster and the \
             largest). "
        } else {
            ""
        };
        let _ = writeln!(out, "{lead}{words}\n");
    }
    if let Some(words) = two_designs(log, rows, &points) {
        let _ = writeln!(out, "{words}\n");
    }
    if let Some(words) = alone(log) {
        let _ = writeln!(out, "{words}\n");
    }
    if let Some(table) = reach_table(log) {
        let _ = writeln!(out, "{table}");
    }
    if let Some(table) = tries_table(log) {
        let _ = writeln!(out, "{table}");
    }
}

/// Threads against tasks at the C that both the curve and the interleaved
/// `concurrency` scenario ran: the same question in two designs (rows one
/// at a time, paired by block, N = 2C; rows interleaved round by round,
/// N = 200), each verdict in a word, so that a reader sees where they agree.
fn two_designs(log: &RunLog, rows: &[Row], points: &[Point]) -> Option<String> {
    use crate::findings::prose::{find, ratio};
    let (threads, tasks) = crate::analysis::scale::model_rows(log, points)?;
    let word = |r: Option<wikifetch_stats::Paired>| match r.map(|r| (r.verdict(), r.point)) {
        Some((v, x)) if v.names_a_difference() && x > 1.0 => "tasks faster",
        Some((v, _)) if v.names_a_difference() => "threads faster",
        Some((wikifetch_stats::Verdict::Equivalent { .. }, _)) => "within ±1 %",
        Some(_) => "not told apart",
        None => "not compared",
    };
    let mut said = Vec::new();
    for p in points {
        let c = p.concurrency;
        let here: Vec<&Row> = rows
            .iter()
            .filter(|r| r.scenario == "concurrency" && r.concurrency == c)
            .collect();
        let Some(t) = find(&here, &threads) else {
            continue;
        };
        for task in &tasks {
            let interleaved = find(&here, task).and_then(|k| ratio(t, k));
            let curve = crate::analysis::scale::time_ratio(log, c, &threads, task).filter(|_| {
                p.row(&threads).is_some_and(|r| r.sound(c))
                    && p.row(task).is_some_and(|r| r.sound(c))
            });
            said.push(format!(
                "C = {c}, `{task}`: {} on the curve, {} interleaved",
                word(curve),
                word(interleaved)
            ));
        }
    }
    (!said.is_empty()).then(|| {
        format!(
            "**The same question in two designs.** Threads (`{threads}`) against each task row at the C the \
             interleaved `concurrency` scenario also ran (N = 200, rows interleaved round by round) and the curve \
             (N = 2C, one row at a time, paired by block): {}. Where they differ, neither design's verdict is the \
             answer on its own.",
            said.join("; ")
        )
    })
}

/// Each model alone, from the committed limits probe: how many were held
/// at once and what stopped them, with the machine's settings.
fn alone(log: &RunLog) -> Option<String> {
    let probe = log.limits.as_ref()?;
    let show = |v: Option<u64>| v.map_or("unknown".to_owned(), |v| v.to_string());
    let models: Vec<String> = probe
        .models
        .iter()
        .map(|m| {
            let each = match (m.rss_kib, m.kernel_kib) {
                (Some(r), Some(k)) => {
                    format!(", {r:.1} KiB resident and {k:.1} KiB of kernel memory each")
                }
                _ => String::new(),
            };
            format!(
                "**{}**: {} at once; {}{}{each}",
                m.what,
                m.reached,
                m.outcome,
                m.limit
                    .as_ref()
                    .map_or(String::new(), |l| format!(" (the limit: {l})"))
            )
        })
        .collect();
    let s = &probe.settings;
    Some(format!(
        "**Each model alone**, apart from sockets (`wikifetch limits`, the run that finished {}: threads block on one \
         pipe, tasks wait on tokio timers): {}. This machine: open files {} soft, {} hard a process (every fetch \
         row, and the mock, needs one a request in flight), `kernel.pid_max` {}, `kernel.threads-max` {}, \
         `vm.max_map_count` {}, {} ephemeral ports per address pair.",
        super::utc_date(probe.finished_unix),
        models.join("; "),
        s.open_files.0,
        s.open_files.1,
        show(s.pid_max),
        show(s.threads_max),
        show(s.max_map_count),
        show(s.ports)
    ))
}

fn detail_row(p: &Point, r: &Curve) -> String {
    if let Some(why) = &r.stopped {
        let first = r.first_call_s.map_or(String::new(), |f| {
            format!(" (its first call: {})", time(f.median))
        });
        let label = if why.starts_with(STOPPED_EARLIER) {
            why.as_str()
        } else {
            stop_label(why)
        };
        return format!(
            "| `{}` | stopped: {label}{first} | | | | | | {} | |",
            r.strategy,
            untimed_cells(r)
        );
    }
    let waves = p.waves.max(1) as f64;
    let per_wave = r.time.map_or("–".into(), |t| {
        format!(
            "{} [{}–{}]",
            time(t.mean / waves),
            time(t.low / waves),
            time(t.high / waves)
        )
    });
    let cpu = r.cpu.map_or("–".into(), |c| {
        format!(
            "{:.1} µs [{:.1}–{:.1}]",
            c.mean * 1e6,
            c.low * 1e6,
            c.high * 1e6
        )
    });
    format!(
        "| `{}`{} | {per_wave} | {} | {} | {cpu} | {} | {}, {}, {:.0} % | {} | {} |",
        r.strategy,
        flag(p, r),
        r.cpu_bound_s.map_or("–".into(), |b| time(b / waves)),
        match (r.over_bound, r.bound) {
            (Some(x), Some(Bound::Delay)) => format!("{x:.2} (delay)"),
            (Some(x), Some(Bound::Cpu)) => format!("{x:.2} (CPU)"),
            _ => "–".to_owned(),
        },
        r.switches
            .map_or("–".into(), |(v, i)| format!("{v:.2} / {i:.2}")),
        r.in_flight,
        r.connections,
        r.mock_busy * 100.0,
        untimed_cells(r),
        spread_time(r.first_answer_s),
    )
}

/// The cells read outside the timed calls, stopped row or not: memory in
/// its three parts, threads, set-up, the first call.
fn untimed_cells(r: &Curve) -> String {
    format!(
        "{} | {} | {} | {} | {} | {}",
        spread_kib(r.rss_kib),
        spread_kib(r.kernel_kib),
        spread_kib(r.socket_kib),
        r.threads.map_or("–".into(), |t| format!("{:.0}", t.median)),
        setup(r),
        spread_time(r.first_call_s),
    )
}

fn setup(r: &Curve) -> String {
    match (r.setup_s, r.setup_cpu_s) {
        (Some(w), Some(c)) => format!("{} ({})", time(w.median), time(c.median)),
        _ => "–".into(),
    }
}

/// The two predictions against what was measured: where the client's
/// CPU overtook the delay as the larger bound, row by row (sound rows
/// only), and at each C how close the nearest row came to its bound.
fn crossover(points: &[Point]) -> String {
    let names: Vec<&str> = points
        .first()
        .map(|p| p.rows.iter().map(|r| r.strategy.as_str()).collect())
        .unwrap_or_default();
    let mut cpu_bound = Vec::new();
    for name in names {
        let first = points.iter().find(|p| {
            p.row(name)
                .is_some_and(|r| r.sound(p.concurrency) && r.bound == Some(Bound::Cpu))
        });
        if let Some(p) = first {
            cpu_bound.push(format!("`{name}` from C = {}", p.concurrency));
        }
    }
    let mut text = String::from(
        "**The two predictions.** With a delay, a call takes at least ⌈N/C⌉ delays; with one client CPU it also \
         takes at least N × its CPU per request. As C grows the first stays two delays a call while the second \
         grows with N, so a row with a high enough CPU per request meets its CPU first.",
    );
    if cpu_bound.is_empty() {
        text.push_str(" No sound row's CPU prediction passed the delay's.");
    } else {
        let _ = write!(
            text,
            " The CPU prediction was the larger for {}.",
            cpu_bound.join(", ")
        );
    }
    let closest: Vec<String> = points
        .iter()
        .filter_map(|p| {
            let best = p
                .rows
                .iter()
                .filter(|r| r.sound(p.concurrency))
                .filter_map(|r| Some((r.over_bound?, r.strategy.as_str())))
                .min_by(|a, b| a.0.total_cmp(&b.0))?;
            Some(format!(
                "{:.2}× at C = {} (`{}`)",
                best.0, p.concurrency, best.1
            ))
        })
        .collect();
    if !closest.is_empty() {
        let _ = write!(
            text,
            " Measured against the larger prediction, the closest row took {}: where that is well above 1, \
             something neither prediction counts set the pace; the mock taking in each wave of C requests on its \
             one core is the likely part (see its share of the core above).",
            closest.join(", ")
        );
    }
    text
}

/// Where the limits probe's rows first failed: (C, "rows refused (what
/// stopped them)"), for the picture.
fn probe_ends(log: &RunLog) -> Vec<(usize, String)> {
    crate::findings::reach::endings(log)
        .into_iter()
        .filter_map(|e| {
            let how = if e.refused { " refused" } else { "" };
            Some((
                e.failed_at?,
                format!("{}{how} ({})", e.who.replace('`', ""), e.why?),
            ))
        })
        .collect()
}

/// `scale.svg`: three panels against C on a logarithmic axis, each from
/// zero; the first, a ratio to the delay's prediction, with its 1.0 line
/// and the stops; a grey line at each C where the limits probe's rows
/// first failed (`ends`), labelled on the first panel.
fn plot(points: &[Point], ends: &[(usize, String)]) -> Result<String, Box<dyn std::error::Error>> {
    type Pick = fn(&Point, &Curve) -> Option<f64>;
    let panels: [(&str, Pick); 3] = [
        (
            "time per wave / the delay's prediction (1.0: every wave one delay)",
            |p, r| Some(r.time?.mean / p.delay_bound_s()),
        ),
        ("client CPU per request, µs", |_, r| {
            Some(r.cpu?.mean * 1e6)
        }),
        (
            "memory per request in flight, KiB (resident + kernel, the rise from the C before)",
            |_, r| r.memory_per_request,
        ),
    ];
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (980, 900)).into_drawing_area();
        root.fill(&WHITE)?;
        let (area, legend) = root.split_horizontally(700);
        let areas = area.split_evenly((3, 1));
        let cs: Vec<f64> = points.iter().map(|p| p.concurrency as f64).collect();
        let lo = cs.first().copied().unwrap_or(1.0).max(1.0);
        let hi = cs
            .last()
            .copied()
            .unwrap_or(lo)
            .max(lo)
            .max(ends.iter().map(|(c, _)| *c as f64).fold(0.0, f64::max));
        let x = (lo / 1.5)..(hi * 1.5);
        let names: Vec<String> = points
            .first()
            .map(|p| p.rows.iter().map(|r| r.strategy.clone()).collect())
            .unwrap_or_default();
        for (i, (panel, (title, pick))) in areas.iter().zip(panels).enumerate() {
            let ratio = i == 0;
            let top = points
                .iter()
                .flat_map(|p| {
                    p.rows
                        .iter()
                        .filter(|r| r.stopped.is_none())
                        .filter_map(move |r| pick(p, r))
                })
                .filter(|v| v.is_finite() && *v > 0.0)
                .fold(if ratio { 1.2 } else { 1.0 }, f64::max);
            let mut chart = ChartBuilder::on(panel)
                .caption(title, ("sans-serif", 15))
                .margin(8)
                .x_label_area_size(30)
                .y_label_area_size(56)
                .build_cartesian_2d(
                    x.clone().log_scale().with_key_points(cs.clone()),
                    0.0..top * 1.15,
                )?;
            chart
                .configure_mesh()
                .light_line_style(WHITE)
                .x_label_formatter(&|c| format!("{c:.0}"))
                .y_label_formatter(&|y| {
                    if ratio {
                        format!("{y:.1}")
                    } else {
                        format!("{y:.0}")
                    }
                })
                .x_desc("C (log scale)")
                .draw()?;
            if ratio {
                chart.draw_series(LineSeries::new(
                    vec![(x.start, 1.0), (x.end, 1.0)],
                    BLACK.stroke_width(1),
                ))?;
            }
            // The probe's ends, on the first panel only: the curve has no
            // figure past its largest C.
            for (k, (c, label)) in ends.iter().enumerate().filter(|_| ratio) {
                let at = *c as f64;
                chart.draw_series(LineSeries::new(
                    vec![(at, 0.0), (at, top * 1.15)],
                    BLACK.mix(0.35).stroke_width(1),
                ))?;
                chart.draw_series(std::iter::once(label_left_of(
                    format!("probe, C = {c}: {label}  "),
                    (at, top * (0.12 + 0.1 * k as f64)),
                )))?;
            }
            // Stops are drawn and labelled on the first panel only.
            series(
                &mut chart,
                (points, &names),
                pick,
                (top * 1.08, 0.93),
                ratio,
            )?;
        }
        let keys: Vec<Key> = names.iter().map(|n| Key::of(n, n.clone())).collect();
        let notes = vec![
            "× and a label: where the row stopped, and what stopped it".to_owned(),
            "⚠: a premise failed there (see the tables); nothing is concluded from it".to_owned(),
            "grey line (top): the first C the limits probe did not answer (`wikifetch limits`, one cold and one warm call a try); no figures past the curve's largest C".to_owned(),
        ];
        side_legend(&legend, &keys, &notes)?;
        root.present()?;
    }
    Ok(svg)
}

/// Each row's line on one panel, and a cross where it stopped (the k-th
/// stopped row at `y × step^k`, so that crosses at one C stand apart),
/// labelled with what stopped it when `labelled`.
fn series<DB, CT>(
    chart: &mut ChartContext<'_, DB, CT>,
    (points, names): (&[Point], &[String]),
    pick: fn(&Point, &Curve) -> Option<f64>,
    (y, step): (f64, f64),
    labelled: bool,
) -> Result<(), Box<dyn std::error::Error>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    CT: plotters::coord::CoordTranslate<From = (f64, f64)>,
{
    let mut stops = 0;
    for name in names {
        let (colour, dash, mark) = style(name);
        let drawn: Vec<(f64, f64)> = points
            .iter()
            .filter_map(|p| {
                let r = p.row(name)?;
                let v = pick(p, r).filter(|v| v.is_finite() && *v > 0.0)?;
                r.stopped.is_none().then_some((p.concurrency as f64, v))
            })
            .collect();
        line(chart, drawn.clone(), colour, dash, 2)?;
        marks(chart, &drawn, colour, mark)?;
        let stop = points.iter().find_map(|p| {
            let why = p.row(name)?.stopped.as_deref()?;
            (!why.starts_with(STOPPED_EARLIER)).then_some((p.concurrency as f64, stop_label(why)))
        });
        // A point whose premise failed: drawn, and flagged.
        let flagged: Vec<(f64, f64)> = points
            .iter()
            .filter_map(|p| {
                let r = p.row(name)?;
                let v = pick(p, r).filter(|v| v.is_finite() && *v > 0.0)?;
                (r.stopped.is_none() && !r.sound(p.concurrency))
                    .then_some((p.concurrency as f64, v))
            })
            .collect();
        for at in flagged {
            chart.draw_series(std::iter::once(Text::new("⚠", at, ("sans-serif", 13))))?;
        }
        // Where it stopped: on the first panel only, where the label is.
        if let Some((c, label)) = stop.filter(|_| labelled) {
            let at = (c, y * step.powi(stops));
            stops += 1;
            chart.draw_series(std::iter::once(Cross::new(at, 6, colour.stroke_width(2))))?;
            chart.draw_series(std::iter::once(label_left_of(
                format!("{name}: {label}  "),
                at,
            )))?;
        }
    }
    Ok(())
}

/// A small label that ends at `at` (right-aligned, centred on it), for a
/// mark on the curve's picture.
fn label_left_of(text: String, at: (f64, f64)) -> Text<'static, (f64, f64), String> {
    let style = TextStyle::from(("sans-serif", 11).into_font()).pos(
        plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Right,
            plotters::style::text_anchor::VPos::Center,
        ),
    );
    Text::new(text, at, style)
}
