//! REPORT.md: the machine, the rig's own measurements, one section per
//! scenario (table, plot, reasons), the instruction counts, the lesson's
//! Python, caveats. It only lays out what the rows and `prose` decided.

use std::fmt::Write as _;

use crate::analysis::{PerRequest, RIG_BOUND_BUSY, footprint_of, mock_over_bare, premise_held};
use crate::findings::{answer, lesson, listed};

use super::format::{delay_words, ratio, time, us3};
use super::plot::Figure;
use crate::analysis::{REFERENCE, Row};
use crate::findings::prose::{self, find, sound};
use crate::render::utc_date;
use wikifetch_runlog::RunLog;
use wikifetch_runlog::{Controls, Footprint, ScenarioFacts, Wrk};

fn in_scenario<'r>(rows: &'r [Row], scenario: &str) -> Vec<&'r Row> {
    rows.iter().filter(|r| r.scenario == scenario).collect()
}

/// The strategy cell: the floor and the split control named as such,
/// rig-bound rows and rows whose premise failed marked.
fn name_cell(r: &Row) -> String {
    let mut cell = format!("`{}`", r.strategy);
    if r.strategy == REFERENCE {
        cell.push_str(" (floor)");
    }
    if crate::findings::listed::CONTROLS.contains(&r.strategy.as_str()) {
        cell.push_str(" (control)");
    }
    if !wikifetch_runlog::keeps_alive(&r.strategy) {
        cell.push_str(" (control: a new connection per request)");
    }
    if r.rig_bound {
        cell.push_str(" ⚠ rig-bound");
    }
    if r.premise.is_some() {
        cell.push_str(" ⚠ premise");
    }
    cell
}

pub(crate) fn table(out: &mut String, rows: &[&Row]) {
    let with_speedup = rows.iter().any(|r| r.speedup.is_some());
    let _ = writeln!(
        out,
        "| strategy | C | mean | 95 % CI of the mean | median | IQR | vs floor (95 % CI) | efficiency vs floor | efficiency (nominal) |{} client CPU / request | mock CPU / request | mock busy | in flight | new connections | requests / call | errors |\n\
         |---|---:|---:|---|---:|---|---|---:|---:|{}---:|---:|---:|---:|---:|---:|---:|",
        if with_speedup {
            " speedup vs sequential |"
        } else {
            ""
        },
        if with_speedup { "---:|" } else { "" },
    );
    for r in rows {
        let speedup = if with_speedup {
            format!(
                " {} |",
                r.speedup.map_or("–".into(), |s| format!("{s:.1}×"))
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} – {} | {} | {} – {} | {} | {} | {} |{speedup} {} | {} | {:.1} % | {} | {} | {:.0} | {} |",
            name_cell(r),
            r.concurrency,
            time(r.mean_s),
            time(r.ci_low_s),
            time(r.ci_high_s),
            time(r.median_s),
            time(r.q1_s),
            time(r.q3_s),
            prose::vs_floor(r),
            ratio(r.efficiency_floor),
            ratio(r.efficiency_nominal),
            us3(r.client_cpu_per_request_s),
            us3(r.mock_cpu_per_request_s),
            r.mock_busy * 100.0,
            r.max_in_flight.map_or("–".into(), |m| m.to_string()),
            r.connections_opened,
            r.requests_per_call,
            r.errors + r.lost
        );
    }
    out.push('\n');
    for r in rows.iter().filter(|r| !r.outlier_rounds.is_empty()) {
        let rounds: Vec<String> = r
            .outlier_rounds
            .iter()
            .filter_map(|&i| Some(format!("round {} ({})", i + 1, time(*r.walls.get(i)?))))
            .collect();
        let _ = writeln!(
            out,
            "- `{}` at C = {}: {} more than three scaled MADs from its median {}{}.",
            r.strategy,
            r.concurrency,
            rounds.join(", "),
            time(r.median_s),
            r.floor_ratio_without_outliers
                .filter(|_| r.strategy != REFERENCE)
                .map(|p| format!(
                    "; without the outlier rounds of the row and of its floor, against the floor: {}",
                    prose::verdict_words(&p)
                ))
                .unwrap_or_default()
        );
    }
    for r in rows.iter().filter(|r| r.premise.is_some()) {
        let _ = writeln!(
            out,
            "- ⚠ `{}` at C = {}: {}. Its row does not measure what the table claims and is left out of every conclusion.",
            r.strategy,
            r.concurrency,
            r.premise.as_deref().unwrap_or_default()
        );
    }
    for r in rows.iter().filter(|r| r.rig_bound) {
        let _ = writeln!(
            out,
            "- ⚠ `{}` at C = {}: the mock was {:.1} % busy, so this row measures the mock as much as the client; no conclusion is drawn from it{}.",
            r.strategy,
            r.concurrency,
            r.mock_busy * 100.0,
            if r.strategy == REFERENCE {
                ", and the rows at its C get no efficiency against it"
            } else {
                ""
            }
        );
    }
    if rows.iter().any(|r| !r.sound()) {
        out.push('\n');
    }
}

/// Every pair of comparable rows at each C: the row's time over the
/// column's with the verdict of its paired interval, so that a reader can
/// rank any two rows, not only the fastest and the slowest.
pub(crate) fn pairs(out: &mut String, rows: &[&Row]) {
    use wikifetch_stats::Verdict;
    let mut cs: Vec<usize> = rows.iter().map(|r| r.concurrency).collect();
    cs.sort_unstable();
    cs.dedup();
    for c in cs {
        let at: Vec<&Row> = sound(rows)
            .into_iter()
            .filter(|r| r.concurrency == c)
            .collect();
        if at.len() < 2 {
            continue;
        }
        let _ = writeln!(
            out,
            "**Pairs at C = {c}**: each cell is the row's time over the column's (the paired estimate the findings use); **faster** or \
             **slower** when its 95 % interval excludes 1 and its 90 % interval is not inside ±1 %, **=** when its 90 % \
             interval lies within ±1 % (equivalent), **?** otherwise (unresolved).\n"
        );
        let header: Vec<String> = at.iter().map(|r| format!("`{}`", r.strategy)).collect();
        let _ = writeln!(
            out,
            "| row ╲ column | {} |\n|---|{}",
            header.join(" | "),
            "---:|".repeat(at.len())
        );
        for a in &at {
            let cells: Vec<String> = at
                .iter()
                .map(|b| {
                    if std::ptr::eq(*a, *b) {
                        return "–".into();
                    }
                    match prose::ratio(a, b) {
                        Some(r) => format!(
                            "{:.3} {}",
                            r.point,
                            match r.verdict() {
                                v if v.names_a_difference() && r.point < 1.0 => "faster",
                                v if v.names_a_difference() => "slower",
                                Verdict::Equivalent { .. } => "=",
                                Verdict::TooFewRounds => "—",
                                _ => "?",
                            }
                        ),
                        None => "?".into(),
                    }
                })
                .collect();
            let _ = writeln!(out, "| `{}` | {} |", a.strategy, cells.join(" | "));
        }
        out.push('\n');
    }
}

/// The heading of a scenario's section (without the `## `).
fn scenario_heading(s: &ScenarioFacts) -> String {
    let network = match (s.tls, s.rtt_s == 0.0) {
        (_, false) => format!(
            "{} through a {} round trip, ",
            if s.tls { "HTTPS" } else { "HTTP" },
            time(s.rtt_s)
        ),
        (true, true) => "HTTPS, ".into(),
        (false, true) => String::new(),
    };
    format!(
        "`{}`: N = {}, {network}{}",
        s.name,
        s.titles,
        delay_words(&s.latency)
    )
}

/// The heading of the footprint section (without the `## `).
const FOOTPRINT_HEADING: &str = "Memory and threads with C requests in flight";

/// The anchor GitHub gives a heading: lower case, punctuation dropped,
/// spaces as hyphens.
pub(crate) fn anchor(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The figures that belong to a section: its own name, or `efficiency-`
/// and `timeline-` plots of it.
fn figures_of<'f>(figures: &'f [Figure], section: &str) -> Vec<&'f Figure> {
    figures
        .iter()
        .filter(|f| {
            let stem = f.file.trim_end_matches(".svg");
            stem == section
                || stem.strip_prefix("efficiency-") == Some(section)
                || stem
                    .strip_prefix("timeline-")
                    .is_some_and(|t| t == section || t.starts_with(&format!("{section}-")))
        })
        .collect()
}

fn embed(out: &mut String, figures: &[&Figure]) {
    for f in figures {
        let _ = writeln!(out, "![{}]({})\n\n*{}*\n", f.file, f.file, f.caption);
    }
}

pub(crate) fn markdown(log: &RunLog, rows: &[Row], figures: &[Figure]) -> String {
    let m = &log.machine;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# wikifetch benchmark report\n\n\
         Written from the run log (`run.json`) of the run that finished {}. Do not edit: run `cargo bench` again, or \
         `wikifetch report` to render the log again.\n",
        utc_date(log.finished_unix)
    );
    let heading = |section: &str| {
        if section == "footprint" {
            return FOOTPRINT_HEADING.to_owned();
        }
        if section == "scale"
            && let Some(points) = crate::analysis::scale::curve(log)
        {
            return super::scale::heading(&points);
        }
        log.scenario(section)
            .map_or_else(|| section.to_owned(), scenario_heading)
    };
    out.push_str(&answer::answer(rows, log));
    out.push_str(&answer::as_written(rows, log));
    out.push_str(WORDS_USED);
    let files: Vec<&str> = figures.iter().map(|f| f.file.as_str()).collect();
    let found = listed::findings(rows, log, &files, heading);
    if !found.is_empty() {
        out.push_str("## Findings\n\n");
        for (i, f) in found.iter().enumerate() {
            let _ = writeln!(
                out,
                "{}. {} ([plot]({}), [table](#{}))",
                i + 1,
                f.text,
                f.plot,
                anchor(&f.section)
            );
        }
        let _ = writeln!(out, "\n{}\n", method(rows));
    }
    let strategies = rows.iter().filter(|r| r.strategy != REFERENCE).count();
    let _ = writeln!(
        out,
        "## Machine and run\n\n\
         - {} logical CPUs ({}), {} GiB of memory; {}; {}.\n\
         - CPUs: {}. The mock runs in a process of its own (`wikifetch serve`); every row (each strategy, and the reference client at each C) in a process of its own (`wikifetch run-one`), which times its calls and reads its own CPU.\n\
         - The whole run (build excluded) took {:.1} min.\n\
         - {} rows ({} strategy rows, {} reference rows), {} timed calls; titles that failed: {}; results lost or duplicated: {}.\n\
         - How rows were timed: {}, in shuffled rounds after one untimed warm-up call each (two waves, 2 × C titles) and one untimed shuffled round of whole calls{}; rounds per row: {}. [DETAILS.md](DETAILS.md) has the whole procedure.\n",
        m.cores,
        m.cpu,
        m.memory_gib,
        m.os,
        m.rustc,
        log.split.describe(),
        log.wall_secs / 60.0,
        rows.len(),
        strategies,
        rows.len() - strategies,
        rows.iter().map(|r| r.rounds).sum::<usize>(),
        rows.iter().map(|r| r.errors).sum::<u64>(),
        rows.iter().map(|r| r.lost).sum::<u64>(),
        match crate::analysis::run_blocks(rows) {
            1 => "in one set of processes".to_owned(),
            b =>
                format!("in {b} blocks, each a fresh set of processes (the mock's and every row's)"),
        },
        if log.sweep {
            ""
        } else {
            ", so that a drift of the machine hits every row of a comparison alike"
        },
        rounds_words(rows),
    );

    for scenario in &log.scenarios {
        let group = in_scenario(rows, &scenario.name);
        if group.is_empty() {
            continue;
        }
        let heading = scenario_heading(scenario);
        let _ = writeln!(out, "## {heading}\n\n{}\n", scenario.about);
        embed(&mut out, &figures_of(figures, &scenario.name));
        compact_table(&mut out, &group);
        let _ = writeln!(
            out,
            "Every column, the pairs and why: [DETAILS.md](DETAILS.md#{}).\n",
            anchor(&heading)
        );
    }
    super::scale::report_section(&mut out, log, figures);
    // The one-reading footprint has a section here only when it ran: the
    // curve reads memory at every C otherwise, in the section above.
    if log.footprint.as_ref().is_some_and(|f| !f.calls.is_empty()) || log.scale.is_none() {
        footprint_section(&mut out, log, &figures_of(figures, "memory"));
    }
    out.push_str(
        "## More\n\n[DETAILS.md](DETAILS.md): how to read every column, the rig's own measurements, every table, \
         pair table and reason, instructions per request, the lesson's Python, and the caveats.\n",
    );
    out
}

/// The terms of the sections below the answer, defined once.
const WORDS_USED: &str = "## Words used below\n\n\
- **floor**: the reference client, which sends the same requests over kept-alive connections and does nothing \
else, timed in the same rounds. **round**: each row makes one timed call per round, in a shuffled order; rows are \
compared round by round within a block. **block**: a fresh mock process and fresh row processes, warmed up, then a \
few rounds; intervals are over blocks. **=**: equivalent (the 90 % interval of the paired ratio within ±1 %); **?**: \
unresolved (the 95 % interval includes 1, no difference, and reaches past ±1 %). **x % faster**: the time saved, \
as a share of the slower row's time; **took x % longer**: the time added, as a share of the faster row's.\n\
- **client**: the HTTP library; **model**: threads or tasks; **reactor**: what waits on the sockets (tokio's, or \
async-io's). **control**: a row that changes one thing only \
(`thread-pool-hyper`, `tokio-hyper`, `tokio-current-thread`) or shows a pitfall (`rayon-default`). \
**caller-run**: the calling thread runs the tasks.\n\
- **⚠ rig-bound**: the mock was at least 70 % busy; **⚠ premise**: calls opened connections or missed C in flight. \
No conclusion is drawn from either. **predicts**: the mock's own arithmetic, against what was measured.\n\n";

/// DETAILS.md: everything REPORT.md links to, for a reader who checks.
pub(crate) fn details(log: &RunLog, rows: &[Row], figures: &[Figure]) -> String {
    let mut out = format!(
        "# wikifetch benchmark report: details\n\n\
         Written from the run log (`run.json`) of the run that finished {}, with [REPORT.md](REPORT.md). Do not edit: run `cargo \
         bench` again.\n\n",
        utc_date(log.finished_unix)
    );
    let reading = Reading::of(rows);
    rig_section(&mut out, log.controls.as_ref(), log.wrk.as_ref());
    reproduction_section(&mut out, log, rows);
    noise_section(&mut out, log, rows);
    summary(&mut out, log, rows);
    let _ = writeln!(
        out,
        "## How to read the tables\n\n\
         - **mean** is the mean time of one `fetch_all` of N titles over the row's rounds, with the 95 % interval of that mean ({}); **median** and **IQR** (first to third quartile) are of the same calls.\n\
         - **vs floor** is the row's time over its floor's: the reference client at the same N, C and mock, timed in the same rounds. Each round's call of the row is paired with the floor's call in the same round; {}.\n\
         - **verdicts**: a row is **equivalent** to the floor (=) when the 90 % interval lies within ±1 % (two one-sided tests at 5 %), **differs** when the 95 % interval lies beyond ±1 %, differs, **size unknown**, when the 95 % interval excludes 1 but reaches inside ±1 %, and is **unresolved** (?) when the 95 % interval includes 1 and reaches past ±1 %; with fewer than {} no verdict is given at all; the same rule decides every comparison in this report, with ±5 % for CPU time.\n\
         - **the floor**: the reference client (`wikifetch-rig`) sends the same requests over C kept-alive connections and does nothing else: no parsing, no retries, no timeouts. **efficiency vs floor** is the same as floor / row. Where the floor row is rig-bound it measured the mock, and no efficiency against it is given. A row that sends several titles a request (`batched`) has no floor: the reference client sends one; it is compared with the reference client in words and in the pair table instead.\n\
         - **efficiency (nominal)** = ⌈N/C⌉ × the mock's delay / mean (for `batched`, ⌈requests/C⌉ with ⌈N/20⌉ requests; in `wan` the delay is the mock's plus the delay line's round trip, and the ideal assumes kept connections, which the `-no-keep-alive` controls forgo by design). For uneven delays it is the lower bound no schedule can beat (the larger of the total delay over C and the longest delay, averaged over the rounds' layouts) over the mean, so it can never exceed 1.00. It ignores every cost but the delay, so even the floor is below 1.00.\n\
         - **client CPU / request** is the row's client process's own CPU time (`CLOCK_PROCESS_CPUTIME_ID`, all its threads) during the measured calls, over the requests the mock served. Nothing of another row is in it, and nothing of the rig: no sampler thread runs during a call; on loopback the kernel charges it some of the mock's network work (see the caveats). It includes waking up for each answer, so it depends on C and on the delay: compare it within one table and one C.\n\
         - **mock CPU / request** and **mock busy** come from the mock process's own clock (busy: CPU time over wall time). With a delay, most of the mock's CPU is waking up for each answer, so they depend on C as the client's do. A row where the mock was at least {:.0} % busy is **rig-bound** and marked.\n\
         - **in flight** is the most requests the mock had at once in any measured call (with no delay a request is in flight for no measurable time, so it is not shown); **new connections** counts connections opened during the measured calls (0: every call ran on warm connections); a row where any measured call opened a connection or fell short of C in flight is marked **premise** (for a `-no-keep-alive` control the premise is the opposite: one new connection for every request). **requests / call** is the requests the mock served per call: N for one title a request, fewer for `batched`. **errors** counts failed and lost titles over all calls.\n",
        reading.mean,
        reading.paired,
        reading.too_few,
        RIG_BOUND_BUSY * 100.0
    );

    for scenario in &log.scenarios {
        let group = in_scenario(rows, &scenario.name);
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {}\n", scenario_heading(scenario));
        let _ = figures;
        table(&mut out, &group);
        pairs(&mut out, &group);
        out.push_str(&prose::why(scenario, &group));
        if !scenario.delayed() {
            instructions_section(&mut out, log, &group);
            core_work_section(&mut out, log);
        }
    }
    footprint_details(&mut out, log);
    super::scale::details_section(&mut out, log, rows);
    lesson::python_section(&mut out, rows, log.python.as_ref());
    let rtt_round_trip = log
        .controls
        .as_ref()
        .and_then(|c| c.rtt_round_trip.map(|(mean, _)| mean));
    lesson::network_section(
        &mut out,
        rows,
        log.scenario("wan"),
        log.python.as_ref(),
        rtt_round_trip,
    );
    steps_section(&mut out, log);
    caveats(&mut out, log, rows);
    loose_lists(&out)
}

/// Every list item its own paragraph: a blank line before each `- ` item,
/// so that no paragraph of DETAILS.md runs on through a whole list.
fn loose_lists(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 256);
    let mut previous = "";
    for line in text.lines() {
        if line.starts_with("- ") && !previous.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
        previous = line;
    }
    out
}

/// The scenario's table in REPORT.md: the columns a reader needs; the
/// full table is in DETAILS.md.
fn compact_table(out: &mut String, rows: &[&Row]) {
    out.push_str(
        "| strategy | C | median time | against the floor, 95 % CI | client CPU / request | in flight |\n\
         |---|---:|---:|---|---:|---:|\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            name_cell(r),
            r.concurrency,
            time(r.median_s),
            floor_cell(r),
            us3(r.client_cpu_per_request_s),
            r.max_in_flight.map_or("–".into(), |m| m.to_string()),
        );
    }
    out.push('\n');
}

/// A row against its floor in few words: "1.8 % over [1.4 – 2.1]", with
/// "=" before an equivalence, "?" before an unresolved comparison, and
/// the rounds after one too few rounds decide.
pub(crate) fn floor_cell(r: &Row) -> String {
    use wikifetch_stats::Verdict;
    if r.strategy == REFERENCE {
        return "floor".into();
    }
    let Some(f) = r.floor_ratio else {
        return if r.titles_per_request > 1 {
            format!("none: {} titles a request", r.titles_per_request)
        } else {
            "–".into()
        };
    };
    if r.efficiency_floor.is_none() {
        return "none: floor rig-bound".into();
    }
    let pct = |x: f64| (x - 1.0).abs() * 100.0;
    let (low, high) = (pct(f.low).min(pct(f.high)), pct(f.low).max(pct(f.high)));
    let side = if f.point >= 1.0 { "over" } else { "under" };
    let interval = if f.low < 1.0 && f.high > 1.0 {
        format!(
            "[{} under – {} over]",
            prose::pc(pct(f.low)),
            prose::pc(pct(f.high))
        )
    } else {
        format!("[{} – {}]", prose::pc(low), prose::pc(high))
    };
    // Twice the floor and more reads better as a multiple; with too few
    // rounds for an interval, the point alone.
    let known = prose::has_interval(&f);
    let point = match (f.point >= 2.0, known) {
        (true, true) => format!("{:.1}× [{:.1} – {:.1}]", f.point, f.low, f.high),
        (true, false) => format!("{:.1}×", f.point),
        (false, true) => format!("{} % {side} {interval}", prose::pc(pct(f.point))),
        (false, false) => format!("{} % {side}", prose::pc(pct(f.point))),
    };
    match f.verdict() {
        Verdict::Differs | Verdict::DiffersBySizeUnknown => point,
        Verdict::Equivalent { .. } => format!("= {point}"),
        Verdict::Unresolved => format!("? {point}"),
        Verdict::TooFewRounds => format!("{point} ({} rounds)", f.rounds),
    }
}

/// How many interval verdicts the report rests on: every row against its
/// floor, and every pair of comparable rows at one C.
fn decisions(rows: &[Row]) -> usize {
    // Rows that earn verdicts: 5 blocks, or over rounds 10 of them.
    let enough = |r: &&Row| {
        if r.blocks() > 1 {
            r.blocks() >= wikifetch_stats::MIN_BLOCKS
        } else {
            r.rounds >= wikifetch_stats::MIN_ROUNDS
        }
    };
    let floors = rows
        .iter()
        .filter(enough)
        .filter(|r| r.strategy != REFERENCE && r.efficiency_floor.is_some())
        .count();
    let mut groups: Vec<(&str, usize)> = rows
        .iter()
        .map(|r| (r.scenario.as_str(), r.concurrency))
        .collect();
    groups.sort_unstable();
    groups.dedup();
    let pairs: usize = groups
        .iter()
        .map(|(s, c)| {
            let refs: Vec<&Row> = rows
                .iter()
                .filter(enough)
                .filter(|r| r.scenario == *s && r.concurrency == *c)
                .collect();
            let n = sound(&refs).len();
            n * n.saturating_sub(1) / 2
        })
        .sum();
    floors + pairs
}

/// "10" or "10 (20 in `jitter`)": the rounds the rows ran.
fn rounds_words(rows: &[Row]) -> String {
    let mut counts: Vec<(usize, Vec<&str>)> = Vec::new();
    for r in rows {
        match counts.iter_mut().find(|(n, _)| *n == r.rounds) {
            Some((_, names)) if !names.contains(&r.scenario.as_str()) => names.push(&r.scenario),
            Some(_) => {}
            None => counts.push((r.rounds, vec![&r.scenario])),
        }
    }
    counts.sort_by_key(|(_, names)| std::cmp::Reverse(names.len()));
    let mut parts = counts.iter().map(|(n, names)| (n, names));
    let Some((most, _)) = parts.next() else {
        return "none".into();
    };
    let rest: Vec<String> = parts
        .map(|(n, names)| {
            let names: Vec<String> = names.iter().map(|s| format!("`{s}`")).collect();
            format!("{n} in {}", names.join(", "))
        })
        .collect();
    if rest.is_empty() {
        most.to_string()
    } else {
        format!("{most} ({})", rest.join("; "))
    }
}

/// Where the run's wall time went, step by step, with each step's share
/// of the whole run; nothing when the log has no steps (a log of an
/// older harness).
pub(crate) fn steps_section(out: &mut String, log: &RunLog) {
    if log.steps.is_empty() {
        return;
    }
    let counted: f64 = log.steps.iter().map(|s| s.wall_s).sum();
    let _ = writeln!(
        out,
        "## Where the run's time went\n\n\
         The run's {:.1} min (build excluded), step by step; a scenario's and a curve point's blocks are summed into one step, warm-up calls, process starts and settling included.\n\n\
         | step | min | share of the run |\n|---|---:|---:|",
        log.wall_secs / 60.0
    );
    let share = |secs: f64| {
        if log.wall_secs > 0.0 {
            format!("{:.0} %", secs / log.wall_secs * 100.0)
        } else {
            "–".to_owned()
        }
    };
    for step in &log.steps {
        let _ = writeln!(
            out,
            "| {} | {:.1} | {} |",
            step.name,
            step.wall_s / 60.0,
            share(step.wall_s)
        );
    }
    let rest = log.wall_secs - counted;
    if rest > 0.0 {
        let _ = writeln!(
            out,
            "| between the steps (loading, writing the log) | {:.1} | {} |",
            rest / 60.0,
            share(rest)
        );
    }
    out.push('\n');
}

fn caveats(out: &mut String, log: &RunLog, rows: &[Row]) {
    let wide: Vec<String> = rows
        .iter()
        .filter(|r| (r.ci_high_s - r.ci_low_s) / 2.0 > 0.01 * r.mean_s)
        .map(|r| {
            format!(
                "| `{}` | `{}` | {} | ± {:.1} % |",
                r.strategy,
                r.scenario,
                r.concurrency,
                (r.ci_high_s - r.ci_low_s) / 2.0 / r.mean_s * 100.0
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "## Caveats\n\n\
         - {} Timings are noisy on a small shared machine: compare ratios within this run, not absolute times across runs or machines.\n\
         - The machine is a virtual machine: \"a CPU of its own\" is a virtual CPU, and time the host took from it is not recorded.\n\
         - Every scenario but `wan` runs on loopback with plain HTTP. `wan`'s network is modelled: a delay line in the mock's process holds each byte for half the round trip each way and delays a new connection's first byte by one more, but it drops nothing, reorders nothing and has no bandwidth limit, and it cannot model TCP's slow start or a handshake lost and resent. On loopback the kernel charges part of the receiving side's network work to the sending process, both ways, so neither side's CPU figure is purely its own. Against live Wikipedia the round trip is tens to hundreds of milliseconds, and each new connection pays TCP's and TLS's round trips, as `wan` shows.\n\
         - Rows were timed {}, in shuffled rounds after one untimed warm-up call each (the first 2 × C titles, or all N when fewer: two waves open every connection and start every thread) and one untimed shuffled round of whole calls, so drift hits every row of a (scenario, C) alike, and comparisons pair rounds within a block. Rows at different C ran in different comparisons and are compared only through their floors, except `sequential`, which ran in the same rounds as the C = 10 rows of its scenario.\n\
         - {} ({} rounds in all). This report makes at least {} such decisions (every comparison with a floor and every cell of the pair tables, counted once per pair; the CPU comparisons and the findings add more); at 95 % about {} of them would be wrong by chance if no pair really differed, so a ratio whose interval barely excludes 1 is a weak finding.\n\
         - {}\n",
        if log.split.is_split() {
            format!(
                "Mock and client each had CPUs of their own ({}), but they share caches, memory and the kernel.",
                log.split.describe()
            )
        } else {
            "Mock and client shared the CPUs: every figure includes some of the other's interference.".to_owned()
        },
        match crate::analysis::run_blocks(rows) {
            1 => "in one set of processes".to_owned(),
            b => format!(
                "in {b} blocks of fresh processes, interleaved with the other scenarios' blocks"
            ),
        },
        if crate::analysis::run_blocks(rows) > 1 {
            "The comparisons' intervals are Student's t over the block estimates (4 degrees of freedom for 5 blocks), \
             which assumes the block estimates roughly normal; they cover the variation between processes within this run, \
             not between runs or machines, which the reproduction check in DETAILS.md shows"
        } else {
            "The comparisons' intervals (Wilcoxon signed-rank) assume the rounds' paired differences are independent and \
             symmetric; rounds run one after another in the same processes, so they are approximate, and they say nothing \
             of the variation between processes or runs, which a second run shows"
        },
        rounds_words(rows),
        decisions(rows),
        (decisions(rows) as f64 * 0.05).round(),
        if wide.is_empty() {
            "Every row's 95 % interval is within ± 1 % of its mean.".to_owned()
        } else {
            format!(
                "{} rows have a 95 % interval of the mean wider than ± 1 % of it (listed below). In `jitter` that spread is mostly the difference between layouts (each block runs two of the ten, so layouts and blocks go together); elsewhere it is noise between blocks, and it is why some comparisons are unresolved.",
                wide.len()
            )
        }
    );
    if !wide.is_empty() {
        out.push_str(
            "\n| row | scenario | C | half-width of the 95 % interval |\n|---|---|---:|---:|\n",
        );
        for w in &wide {
            out.push_str(w);
            out.push('\n');
        }
    }
}

/// The costs per request that do not drift with the machine's noise
/// (instructions, system calls, voluntary context switches), beside the
/// CPU time that does, and whether instructions and CPU time order the
/// strategies alike.
fn instructions_section(out: &mut String, log: &RunLog, rows: &[&Row]) {
    let Some(counted) = &log.instructions else {
        out.push_str(
            "**Instructions per request** were not counted in this run: valgrind is not installed \
             (`apt-get install valgrind` adds them).\n\n",
        );
        syscalls_alone(out, log);
        return;
    };
    let syscalls = log.syscalls.as_ref();
    let _ = writeln!(
        out,
        "**Costs counted, and CPU time.** Each strategy's `wikifetch fetch --format summary` at C = 10 against a mock \
         with no delay, over {} and over {} titles, once under callgrind ({}) and once under `strace -c -f` ({}); \
         the difference over the {} extra titles is one request's cost, start-up excluded. Instructions count what \
         the client executes in user space, counted rather than timed: they vary little from run to run and do not \
         see the kernel.\n\n\
         System calls (counted under strace) and voluntary context switches (from the timed calls above, every thread \
         of the client) count how often the client enters the kernel and waits; neither is the kernel's CPU time, which \
         this run does not measure apart. Involuntary switches are mostly the client's own threads preempting each \
         other on its one CPU (one-thread rows show almost none). strace stops the client at every call, so calls \
         that wait (`futex`, `epoll_wait`) are counted at its slower pace. CPU time per request drifts most; its 95 % \
         interval is across the run's blocks.\n\n| strategy | instructions / request | system calls / request (most frequent) \
         | voluntary switches / request | involuntary / request | client CPU / request [95 % CI] |\n\
         |---|---:|---|---:|---:|---:|",
        counted.small_titles,
        counted.large_titles,
        counted.valgrind,
        syscalls.map_or("not installed: no counts".to_owned(), |s| s.strace.clone()),
        counted.large_titles.saturating_sub(counted.small_titles),
    );
    let mut pairs: Vec<prose::Counted<'_>> = counted
        .counts
        .iter()
        .map(|c| {
            (
                c.strategy.as_str(),
                counted.per_request(c),
                find(rows, &c.strategy),
            )
        })
        .collect();
    pairs.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (name, ir, row) in &pairs {
        let calls = syscalls.map_or("–".into(), |s| syscalls_cell(s, name));
        let (voluntary, involuntary) = row
            .and_then(|r| r.switches_per_request)
            .map_or(("–".into(), "–".into()), |(v, i)| {
                (format!("{v:.2}"), format!("{i:.2}"))
            });
        let cpu = row.map_or("–".into(), |r| {
            let ci = r.client_cpu_ci.map_or(String::new(), |c| {
                format!(" [{} – {}]", us3(c.low), us3(c.high))
            });
            format!("{}{ci}", us3(r.client_cpu_per_request_s))
        });
        let _ = writeln!(
            out,
            "| `{name}` | {:.0}k | {calls} | {voluntary} | {involuntary} | {cpu} |",
            ir / 1000.0,
        );
    }
    let _ = writeln!(out, "\n{}\n", prose::orderings(&pairs, counted));
}

/// System calls per request of `strategy`: the total and the three most
/// frequent, "12.3 (recvfrom 5.0, sendto 1.0, futex 0.9)".
fn syscalls_cell(s: &wikifetch_runlog::Syscalls, strategy: &str) -> String {
    let Some(count) = s.of(strategy) else {
        return "–".into();
    };
    let mut each: Vec<(&str, f64)> = count
        .large
        .keys()
        .map(|name| (name.as_str(), s.per_request_of(count, name)))
        .filter(|(_, n)| *n >= 0.05)
        .collect();
    each.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let top: Vec<String> = each
        .iter()
        .take(3)
        .map(|(name, n)| format!("{name} {n:.1}"))
        .collect();
    format!("{:.1} ({})", s.per_request(count), top.join(", "))
}

/// The line for a run that counted system calls but not instructions, or
/// neither.
fn syscalls_alone(out: &mut String, log: &RunLog) {
    match &log.syscalls {
        None => out.push_str(
            "**System calls per request** were not counted in this run: strace is not installed \
             (`apt-get install strace` adds them).\n\n",
        ),
        Some(s) => {
            let _ = writeln!(
                out,
                "**System calls per request** ({}, `strace -c -f`, C = 10, no delay, {} against {} titles):\n\n\
                 | strategy | system calls / request (most frequent) |\n|---|---|",
                s.strace, s.small_titles, s.large_titles
            );
            for c in &s.counts {
                let _ = writeln!(
                    out,
                    "| `{}` | {} |",
                    c.strategy,
                    syscalls_cell(s, &c.strategy)
                );
            }
            out.push('\n');
        }
    }
}

/// The part of every row's CPU per request that is the core's, the same
/// for every strategy: criterion's measurement of validating a title,
/// building its URL and parsing a five-sentence answer.
fn core_work_section(out: &mut String, log: &RunLog) {
    let per_title: Vec<f64> = log
        .core_work
        .iter()
        .filter(|s| s.iterations > 0)
        .map(|s| s.secs / s.iterations as f64)
        .collect();
    let Some(stats) = wikifetch_stats::Summary::of(&per_title, 0) else {
        out.push_str("**The core's own work per title** was not measured in this run.\n\n");
        return;
    };
    let (q1, q3) = (us3(stats.q1), us3(stats.q3));
    let middle = if q1 == q3 {
        format!("took {q1} per title at the first and the third quartile of the samples alike")
    } else {
        format!("took {q1} to {q3} per title (first to third quartile of the samples)")
    };
    let _ = writeln!(
        out,
        "**The core's own work per title** (criterion, `core/title-url-parse`, {} samples of one warm title): \
         validating the title, building its URL and parsing a five-sentence answer {middle}; the fastest sample \
         {}, the slowest {}. Every one-title strategy runs this same code once per title (`batched` builds one \
         URL and parses one answer per batch instead).\n",
        stats.n,
        us3(stats.min),
        us3(stats.max)
    );
}

/// Memory and threads per request in flight, from the footprints: each
/// row's two measurements, then the slope between them.
/// The footprint's every measurement, for DETAILS.md.
pub(crate) fn footprint_details(out: &mut String, log: &RunLog) {
    let Some(setup) = log.footprint.as_ref().filter(|f| !f.calls.is_empty()) else {
        return;
    };
    let _ = writeln!(out, "## {FOOTPRINT_HEADING}\n");
    let [low, high] = setup.concurrencies;
    let _ = writeln!(
        out,
        "Each row in a child process of its own (as `wikifetch compare` runs them), at C = {low} and C = {high}: one \
         warm-up call over C titles, then its resident memory and OS threads between calls (**idle**), then one call \
         over C titles against a mock that holds every answer for {}, so that all C are in flight at once, while the parent \
         reads the child's memory and threads from `/proc` every 5 ms (**peak**). **in flight** is what the mock \
         counted at once; a measurement that did not reach C in flight, or opened a connection, gives no slope. Each \
         (row, C) is one measurement: there is no interval here.\n\n\
         | strategy | C | in flight | new connections | threads idle → peak | RSS idle | RSS peak | the call took (client CPU) |\n|---|---:|---:|---:|---|---:|---:|---:|",
        time(setup.delay_s)
    );
    for f in &setup.calls {
        let _ = writeln!(
            out,
            "| `{}` | {} | {}{} | {} | {} → {} | {:.1} MiB | {:.1} MiB | {} ({}) |",
            f.strategy,
            f.concurrency,
            f.in_flight,
            if premise_held(f) { "" } else { " ⚠" },
            f.connections,
            f.idle_threads,
            f.peak_threads,
            f.idle_rss_kib as f64 / 1024.0,
            f.peak_rss_kib as f64 / 1024.0,
            time(f.wall_s),
            time(f.client_cpu_s)
        );
    }
    footprint_slopes(out, setup);
    let _ = writeln!(
        out,
        "\nIn the table above, from C = {low} to C = {high}, the differences are divided by the {} extra requests \
         in flight (fixed costs cancel): **resident at the peak** is what one more request in flight adds; **of which \
         held between calls** is the part still resident with nothing in flight, per extra slot of C (a pool's threads \
         and the stack they have touched, kept-alive connections and their buffers, memory freed but not given back \
         to the system: compare **threads idle**); **added during the call** is the rest. The warm-up call before the \
         measured one already had C in flight, so what it allocated and kept counts as held between calls.\n",
        high - low
    );
    let _ = writeln!(
        out,
        "\nWhat separates the client from the model: `thread-pool` and `thread-per-request` use ureq, with a {} KiB \
         read buffer and an {} KiB write buffer per connection; `thread-pool-hyper` is `thread-pool`'s threads with \
         the hyper client that `async-std`, `smol`, `tokio-hyper` and `tokio-current-thread` share, so `thread-pool` \
         against `thread-pool-hyper` is the client's share of a difference and `thread-pool-hyper` against a hyper task \
         row the model's. `tokio` uses reqwest. `rayon-default` runs each call over as many titles as it has in \
         flight: its C is not its concurrency. Thread counts depend on the CPUs the client may use: it is pinned to {} \
         here. tokio's multi-thread runtime starts one worker per CPU while the caller waits; smol and \
         `tokio-current-thread` run tasks on the caller; async-std's global executor runs a thread of its own.\n",
        kib(log
            .strategy("thread-pool")
            .and_then(|s| s.read_buffer_bytes)),
        kib(log
            .strategy("thread-pool")
            .and_then(|s| s.write_buffer_bytes)),
        match log.split.client.len() {
            1 => "one CPU".to_owned(),
            n => format!("{n} CPUs"),
        }
    );
    if let Some(words) = slowest_footprint(log) {
        let _ = writeln!(out, "{words}\n");
    }
}

pub(crate) fn footprint_section(out: &mut String, log: &RunLog, figures: &[&Figure]) {
    let _ = writeln!(out, "## {FOOTPRINT_HEADING}\n");
    let Some(setup) = log.footprint.as_ref().filter(|f| !f.calls.is_empty()) else {
        out.push_str(if log.scale.is_some() {
            "This one-reading measurement runs only with WIKIFETCH_SWEEP=1: in this run memory and threads a request in flight come from the `scale` curve, five readings at each C (its section and DETAILS.md).\n\n"
        } else {
            "Not measured in this run.\n\n"
        });
        return;
    };
    embed(out, figures);
    let [low, high] = setup.concurrencies;
    let _ = writeln!(
        out,
        "One measurement a row at C = {low} and C = {high}, against a mock that holds every answer for {}, so that \
         all C are in flight at once; what one more request in flight costs, row by row, is in \
         [DETAILS.md](DETAILS.md#{}). The scale curve above measures the same cost at every C, five readings each.\n",
        time(setup.delay_s),
        anchor(FOOTPRINT_HEADING)
    );
}

/// The footprint's slopes, row by row: what one more request in flight
/// costs between the two C.
fn footprint_slopes(out: &mut String, setup: &wikifetch_runlog::FootprintSetup) {
    let [low, high] = setup.concurrencies;
    let _ = writeln!(
        out,
        "From C = {low} to C = {high}, the differences over the {} extra requests in flight (fixed costs cancel).\n\n\
         | strategy | resident at the peak, per request in flight | of which held between calls, per slot | added during the call, per request | OS threads per request |\n|---|---:|---:|---:|---:|",
        high - low
    );
    let mut names: Vec<&str> = setup.calls.iter().map(|f| f.strategy.as_str()).collect();
    names.dedup();
    for name in names {
        let at = |c: usize| footprint_of(&setup.calls, name, c);
        let cells = match (at(low), at(high)) {
            (Some(l), Some(h)) => match PerRequest::between(l, h) {
                Some(p) => format!(
                    "{:.1} KiB | {:.1} KiB | {:.1} KiB | {:.2}",
                    p.peak_kib, p.held_kib, p.in_flight_kib, p.threads
                ),
                None if l.in_flight == h.in_flight => format!(
                    "– | – | – | – ({} in flight at both C: no slope)",
                    h.in_flight
                ),
                None => "– | – | – | – (a measurement missed C in flight or opened a connection: see above)".into(),
            },
            _ => "– | – | – | – (not measured at both C)".into(),
        };
        let _ = writeln!(out, "| `{name}` | {cells} |");
    }
    out.push('\n');
}

/// A buffer's size in KiB, or `?` when the log does not say.
fn kib(bytes: Option<usize>) -> String {
    bytes.map_or("?".into(), |b| (b / 1024).to_string())
}

/// The footprint call at the larger C that took longest, against the
/// others, with its client CPU: a call that ran long while every request
/// was in flight spent the time on the client's CPU, not waiting.
fn slowest_footprint(log: &RunLog) -> Option<String> {
    let setup = log.footprint.as_ref()?;
    let high = setup.concurrencies[1];
    let mut calls: Vec<&Footprint> = setup
        .calls
        .iter()
        .filter(|f| f.concurrency == high && premise_held(f))
        .collect();
    calls.sort_by(|a, b| a.wall_s.total_cmp(&b.wall_s));
    let (slowest, median) = (*calls.last()?, calls[calls.len() / 2]);
    if slowest.wall_s < 1.5 * median.wall_s {
        return None;
    }
    let why = if slowest.strategy == "rayon" {
        " One call: the cause was not measured. The likely one is in rayon-core's source: a worker that runs out of \
         work does not sleep at once, but searches the other workers' queues for work to steal, yielding the CPU \
         between rounds, for 32 rounds before it sleeps; with 1000 workers on one CPU each search covers a thousand \
         queues, on the CPU the workers reading answers need. The memory and thread figures stand: all 1000 requests \
         were in flight."
    } else {
        ""
    };
    Some(format!(
        "At C = {high}, `{}`'s call took {} with {} of client CPU, against {} and {} for `{}`, the middle of the {} \
         rows measured there: the time went to the client's CPU, not to waiting.{why}",
        slowest.strategy,
        time(slowest.wall_s),
        time(slowest.client_cpu_s),
        time(median.wall_s),
        time(median.client_cpu_s),
        median.strategy,
        calls.len()
    ))
}

/// How a run's intervals were computed, in the words of "How to read the
/// tables": over blocks, or over the rounds of one block.
struct Reading {
    mean: String,
    paired: String,
    too_few: String,
}

impl Reading {
    fn of(rows: &[Row]) -> Self {
        let blocks = crate::analysis::run_blocks(rows);
        if blocks > 1 {
            Self {
                mean: format!(
                    "Student's t over the {blocks} blocks' means: each block a fresh mock process and fresh row processes, \
                     warmed up, spread over the run"
                ),
                paired: format!(
                    "in each block the ratio is the Hodges–Lehmann estimate of its rounds' ratios (with one or two rounds a \
                     block, simply their geometric mean), and the row's ratio is the geometric mean of the {blocks} block \
                     estimates, with Student's t interval on the log scale"
                ),
                too_few: format!("{} blocks", wikifetch_stats::MIN_BLOCKS),
            }
        } else {
            Self {
                mean: "a BCa bootstrap over the rounds".into(),
                paired: "the ratio is the Hodges–Lehmann estimate of the rounds' ratios (one slow round moves it \
                         little), with the exact Wilcoxon signed-rank intervals"
                    .into(),
                too_few: format!("{} rounds", wikifetch_stats::MIN_ROUNDS),
            }
        }
    }
}

/// "Where the noise lives": for each scenario, how much of its rows' time
/// and CPU varied between rounds of one block and between blocks, as a
/// share of the mean (the medians over the rows, and the largest).
fn noise_section(out: &mut String, log: &RunLog, rows: &[Row]) {
    let blocks = crate::analysis::run_blocks(rows);
    if blocks < 2 {
        return;
    }
    let _ = writeln!(
        out,
        "## Where the noise lives\n\n\
         Each scenario ran in {blocks} blocks, each with a fresh mock process and fresh row processes, warmed up, \
         and spread over the run between the other scenarios' blocks. Per row, the standard deviation of a call \
         between rounds of one block, and the one between blocks that those rounds do not explain \
         (√max(0, s²(block means) − within² / rounds a block)), each as a share of the row's mean; the medians over \
         the scenario's rows, the largest in brackets. The intervals of the tables and findings are over blocks, so \
         they carry both. In `jitter` each round has its own layout of delays, so its spread within a block is \
         mostly the layouts'.\n\n\
         | scenario | rounds a block | time: within a block | time: between blocks | client CPU: within | client CPU: between |\n\
         |---|---:|---:|---:|---:|---:|"
    );
    for scenario in &log.scenarios {
        let group = in_scenario(rows, &scenario.name);
        let share = |pick: &dyn Fn(&Row) -> Option<(f64, f64)>| {
            let values: Vec<f64> = group
                .iter()
                .filter_map(|r| pick(r))
                .filter(|(_, mean)| *mean > 0.0)
                .map(|(sd, mean)| sd / mean * 100.0)
                .collect();
            match (
                wikifetch_stats::median(&values),
                values.iter().copied().reduce(f64::max),
            ) {
                (Some(m), Some(max)) => format!("{m:.1} % ({max:.1} %)"),
                _ => "–".into(),
            }
        };
        let per_block = scenario.rounds / scenario.blocks.max(1);
        // With one round a block nothing varies within a block to be seen:
        // all of the noise shows as between blocks.
        let within = |pick: &dyn Fn(&Row) -> Option<(f64, f64)>| {
            if per_block < 2 {
                "n/a (1 round a block)".to_owned()
            } else {
                share(pick)
            }
        };
        let between = |pick: &dyn Fn(&Row) -> Option<(f64, f64)>| {
            if per_block < 2 {
                format!("{}, all of it", share(pick))
            } else {
                share(pick)
            }
        };
        let layouts = if scenario.layouts > 1 {
            " (a layout per round)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "| `{}`{layouts} | {per_block} | {} | {} | {} | {} |",
            scenario.name,
            within(&|r| r.time_blocks.map(|b| (b.within_sd, b.mean))),
            between(&|r| r.time_blocks.map(|b| (b.between_sd, b.mean))),
            within(&|r| r.cpu_blocks.map(|b| (b.within_sd, b.mean))),
            between(&|r| r.cpu_blocks.map(|b| (b.between_sd, b.mean))),
        );
    }
    out.push('\n');
}

/// "Does it reproduce?": this run against the earlier run its log keeps,
/// when it keeps one.
fn reproduction_section(out: &mut String, log: &RunLog, rows: &[Row]) {
    let Some(earlier) = &log.earlier else {
        return;
    };
    let verdicts = answer::first_screen_verdicts(rows, log);
    let curve = crate::analysis::scale::curve(log).unwrap_or_default();
    let r = crate::analysis::reproduce(earlier, (rows, &curve), &verdicts);
    let _ = writeln!(
        out,
        "## Does it reproduce?\n\nThis run against the run that finished {} (the one it replaced in `results/`), row by \
         row. {}\n\n\
         | figure | inside the earlier run's 95 % interval | median drift | worst drift | inside, each scenario's common shift taken out |\n|---|---:|---:|---|---:|",
        utc_date(r.earlier_unix),
        expected_coverage(crate::analysis::run_blocks(rows))
    );
    // Ratios to the floor are taken within one run: no shift to take out.
    let measures = [
        ("mean time of a call", &r.time, true),
        ("client CPU per request", &r.cpu, true),
        ("time over the floor", &r.floor, false),
        ("the curve alone: mean time of a call", &r.curve_time, true),
        (
            "the curve alone: client CPU per request",
            &r.curve_cpu,
            true,
        ),
    ];
    for (what, c, shifted) in measures {
        if c.total == 0 {
            continue;
        }
        let _ = writeln!(
            out,
            "| {what} | {} of {} | {:.1} % | {} | {} |",
            c.inside,
            c.total,
            c.median_drift * 100.0,
            c.worst.as_ref().map_or("–".into(), |(d, name)| format!(
                "{:.1} % ({name})",
                d * 100.0
            )),
            if shifted {
                format!("{} of {}", c.inside_shifted, c.total)
            } else {
                "–".to_owned()
            }
        );
    }
    let shiftable: Vec<(&str, &crate::analysis::Coverage)> = measures[..2]
        .iter()
        .map(|(what, c, _)| (*what, *c))
        .collect();
    out.push_str(&shift_words(&shiftable));
    if r.changed.is_empty() {
        let _ = writeln!(
            out,
            "\nNone of the {} first-screen verdicts differ between the two runs.\n",
            r.verdicts
        );
    } else {
        let contradicting = r
            .changed
            .iter()
            .filter(|(_, before, now)| answer::contradicts(before, now))
            .count();
        let _ = writeln!(
            out,
            "\n{} of the {} first-screen verdicts differ between the two runs; {}. A verdict moves between decided and undecided (mixed: the task rows disagree; unresolved; a difference of unknown size) when the difference lies near the ±1 % margin, or when one slow block widens an interval in one run and not in the other; a contradiction is opposite sides faster, or one run within ±1 % where the other found a difference beyond it.\n\n| verdict | earlier | now | contradicts |\n|---|---|---|---|",
            r.changed.len(),
            r.verdicts,
            match contradicting {
                0 => "none contradicts the other".to_owned(),
                1 => "1 contradicts the other".to_owned(),
                n => format!("{n} contradict the other"),
            }
        );
        for (what, before, now) in &r.changed {
            let _ = writeln!(
                out,
                "| {what} | {before} | {now} | {} |",
                if answer::contradicts(before, now) {
                    "yes"
                } else {
                    "no"
                }
            );
        }
        out.push('\n');
    }
}

/// What the last column of "Does it reproduce?" means, and the largest
/// common shift of each measure, scenario by scenario: a shift every row
/// of a scenario shares is the machine's between the runs, which the
/// intervals of one run cannot see and ratios within one run cancel.
fn shift_words(measures: &[(&str, &crate::analysis::Coverage)]) -> String {
    let largest: Vec<String> = measures
        .iter()
        .filter_map(|(what, c)| {
            let (scenario, k) = c
                .shifts
                .iter()
                .max_by(|a, b| (a.1 - 1.0).abs().total_cmp(&(b.1 - 1.0).abs()))?;
            Some(format!("{what} {:+.1} % (`{scenario}`)", (k - 1.0) * 100.0))
        })
        .collect();
    if largest.is_empty() {
        return String::new();
    }
    format!(
        "\nThe last column divides each of this run's figures by its scenario's common shift (the median of this run over the earlier one, over the scenario's other rows, so that no figure sets its own; the curve is one scenario) before it is held to the earlier interval. Rows that were rig-bound or broke a premise are counted as they are. A shift every row of a scenario shares comes from what they share and what changed between the runs (the machine's state, the mock's process): the intervals of one run cannot see it, and the ratios between rows of one run, on which every verdict rests, cancel as much of it as the rows share. The largest: {}.\n",
        largest.join("; ")
    )
}

/// What share of a second run's figures should fall inside the first
/// run's 95 % intervals if the intervals describe the noise: a second
/// estimate differs from the first by √2 of one's spread, so for a t
/// interval over `blocks` blocks the share is P(|T| < t₀.₉₇₅ / √2) with T
/// Student's t on blocks − 1 degrees of freedom (about 83 % for many).
fn expected_coverage(blocks: usize) -> String {
    if blocks < 2 {
        return "If each interval described the uncertainty of its figure, about 83 % of a second run's figures would \
                fall inside the first run's 95 % intervals; these intervals cover the rounds of one run only."
            .into();
    }
    let df = (blocks - 1) as f64;
    let t = wikifetch_stats::t_quantile(0.975, df) / std::f64::consts::SQRT_2;
    let share = 2.0 * wikifetch_stats::blocks::t_cdf(t, df) - 1.0;
    format!(
        "If each interval described the uncertainty of its figure, about {:.0} % of a second run's figures would fall \
         inside the first run's 95 % intervals (for a t interval over {blocks} blocks: P(|T| < t₀.₉₇₅ / √2), {} degrees \
         of freedom). The intervals are over blocks of fresh processes within one run; what differs between runs \
         beyond that they do not see. The runs compared here ran one after the other on one machine, and the \
         figures are correlated, so the counts are a check, not a measurement of coverage; the floor rows \
         themselves are left out of the ratios to the floor.",
        share * 100.0,
        blocks - 1
    )
}

/// The rig's controls: is the mock fast enough, are its delays accurate.
fn rig_section(out: &mut String, controls: Option<&Controls>, wrk: Option<&Wrk>) {
    out.push_str("## The rig, measured\n\n");
    let Some(c) = controls else {
        out.push_str("The rig's controls were not measured in this run.\n\n");
        return;
    };
    let rounds = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let median = |v: &[f64]| wikifetch_stats::median(v).unwrap_or(0.0);
    let spread = |v: &[f64]| {
        let (lo, hi) = v.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), x| {
            (lo.min(*x), hi.max(*x))
        });
        if hi > 0.0 {
            (hi - lo) / hi * 100.0
        } else {
            0.0
        }
    };
    let _ = writeln!(
        out,
        "Throughput with no delay: the reference client with {} kept-alive connections, {} requests a round, {} rounds alternating \
         between the mock and its yardstick, a bare wiremock server answering every request with the same {} bytes and doing \
         nothing else. Each server ran alone on the mock's CPU, the reference client on the client's ({}).\n\n\
         | server | requests/s, each round | median | spread between rounds |\n|---|---|---:|---:|\n\
         | the mock | {} | {:.0} | {:.0} % |\n| bare wiremock | {} | {:.0} | {:.0} % |\n",
        c.load_connections,
        c.load_requests,
        c.load_rounds,
        c.body_bytes,
        c.split.describe(),
        rounds(&c.mock_rps),
        median(&c.mock_rps),
        spread(&c.mock_rps),
        rounds(&c.bare_wiremock_rps),
        median(&c.bare_wiremock_rps),
        spread(&c.bare_wiremock_rps),
    );
    if let Some(r) = mock_over_bare(c) {
        let _ = writeln!(
            out,
            "The mock served {r:.2}× the bare wiremock server's rate, at {} of its own CPU per request ({:.0} % busy during its \
             rounds), with the reference client as the load: an off-the-shelf mock server would have limited the rows sooner. \
             How close each scenario came to the mock's limit is in its own rows (**mock busy**).\n",
            us3(c.mock_cpu_per_request_s),
            c.mock_busy * 100.0
        );
    }
    let delays: Vec<String> = c
        .delay_round_trips
        .iter()
        .map(|(conc, mean, n)| {
            format!(
                "{} at C = {conc} ({n} requests, {} over the delay)",
                time(*mean),
                us3(mean - c.delay_s)
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "Delay accuracy: {} cost, from the reference client's write to its last byte read, {}. What is above the delay is \
         outside it: the loopback, both sides' per-request work, a CPU waking from idle, and at high C requests waiting for \
         one another on each side's single thread. The floors include these costs as they were in each scenario.\n",
        delay_words(&format!("{}ms", (c.delay_s * 1e3).round())),
        delays.join("; ")
    );
    if let Some((mean, n)) = c.rtt_round_trip {
        let ideal = c.rtt_s + c.rtt_server_delay_s;
        let _ = writeln!(
            out,
            "The delay line (`wikifetch serve --rtt`, the network the mock adds for HTTPS and far-away servers): with a \
             {} round trip and a {} server delay, a request on a kept-alive connection cost {} on average ({n} requests \
             at C = 1, from the reference client's write to its last byte read), {} over the {} it models.\n",
            time(c.rtt_s),
            time(c.rtt_server_delay_s),
            time(mean),
            us3(mean - ideal),
            time(ideal)
        );
    }
    let _ = match wrk {
        Some(w) => {
            let delays: Vec<String> = w
                .delay_round_trips
                .iter()
                .map(|d| format!("{} at {} connection(s)", time(d.mean_s), d.connections))
                .collect();
            writeln!(
                out,
                "Outside check with `wrk -t1 -d2s` (a C client, one title): {:.0} requests/s at 10 connections and no delay; \
                 mean latency for {}: {}.\n",
                w.requests_per_s,
                delay_words(&w.delay),
                if delays.is_empty() {
                    "not measured".to_owned()
                } else {
                    delays.join(", ")
                }
            )
        }
        None => writeln!(
            out,
            "Outside check: `wrk` is not installed, so the mock was not also measured with it (`apt-get install wrk` adds that line).\n"
        ),
    };
}

fn summary(out: &mut String, log: &RunLog, rows: &[Row]) {
    out.push_str("## Summary\n\n");
    let latency = in_scenario(rows, "latency");
    if let (Some(seq), Some(floor)) = (
        find(&latency, "sequential"),
        latency
            .iter()
            .find(|r| r.strategy == REFERENCE && r.concurrency == 1),
    ) {
        let _ = writeln!(
            out,
            "- `latency` (N = {}, {}): `sequential` took {} ({}; the reference client at C = 1 took {}).",
            seq.titles,
            delay_words(&seq.latency),
            time(seq.median_s),
            prose::vs_floor(seq),
            time(floor.median_s),
        );
    }
    for scenario in &log.scenarios {
        let group = in_scenario(rows, &scenario.name);
        let mut cs: Vec<usize> = group
            .iter()
            .filter(|r| r.strategy != "sequential" && r.strategy != REFERENCE)
            .map(|r| r.concurrency)
            .collect();
        cs.sort_unstable();
        cs.dedup();
        for c in cs {
            // The `-no-keep-alive` controls are no strategy to rank.
            let at: Vec<&Row> = group
                .iter()
                .copied()
                .filter(|r| r.concurrency == c && wikifetch_runlog::keeps_alive(&r.strategy))
                .collect();
            let left_out = at
                .iter()
                .filter(|r| r.strategy != REFERENCE && !r.sound())
                .count();
            let text = prose::fastest_and_slowest(&sound(&at)).unwrap_or_else(|| {
                "no row can be compared (all rig-bound or with a broken premise)".into()
            });
            let _ = writeln!(
                out,
                "- `{}` at C = {c}: {text}{}.",
                scenario.name,
                match left_out {
                    0 => String::new(),
                    1 => "; 1 row left out as rig-bound or with a broken premise".into(),
                    n => format!("; {n} rows left out as rig-bound or with a broken premise"),
                }
            );
        }
    }
    out.push('\n');
}

/// How the findings' intervals and verdicts are computed, for the
/// paragraph under them: over blocks when the run's rows ran in several,
/// over rounds otherwise (`compare`'s one set of processes).
fn method(rows: &[Row]) -> String {
    let blocks = crate::analysis::run_blocks(rows);
    let (how, too_few, covers) = if blocks > 1 {
        (
            format!(
                "Student's t over the {blocks} blocks' estimates ({} degrees of freedom), each the \
                 Hodges–Lehmann estimate over the block's rounds",
                blocks - 1
            ),
            format!("{} blocks", wikifetch_stats::MIN_BLOCKS),
            "cover the noise between rounds and between processes in this run, not between runs or machines; \
             \"held in k of n blocks\": the blocks whose own estimate says what the verdict says"
                .to_owned(),
        )
    } else {
        (
            "the Hodges–Lehmann estimate over rounds, with Wilcoxon intervals".to_owned(),
            format!("{} paired rounds", wikifetch_stats::MIN_ROUNDS),
            "cover the noise between rounds in this run's processes, not between processes or runs"
                .to_owned(),
        )
    };
    format!(
        "Each finding is computed from this run's rows; brackets hold 95 % intervals of the paired ratio: {how}. \
         Two rows are **equivalent** when the 90 % interval lies within ±{:.0} % in time (±{:.0} % in CPU time); \
         otherwise they **differ** when the 95 % interval excludes 1 (no difference), with the size left open when \
         it reaches inside the margin, and are **unresolved** when it does not. With fewer than {too_few} a finding \
         gives the figures and no verdict. The intervals {covers}. The verdicts are exploratory: {} time comparisons \
         (more for CPU), uncorrected; if no pair really differed, about {} of them would be called different by chance.",
        wikifetch_stats::Margin::TIME.0 * 100.0,
        wikifetch_stats::Margin::CPU.0 * 100.0,
        decisions(rows),
        (decisions(rows) as f64 * 0.05).round(),
    )
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_expected_coverage_follows_the_blocks() {
        // Five blocks: P(|T₄| < 2.776 / √2) = 88 %; very many: 83 %.
        assert!(
            expected_coverage(5).contains("about 88 %"),
            "{}",
            expected_coverage(5)
        );
        assert!(expected_coverage(1000).contains("about 83 %"));
        assert!(expected_coverage(1).contains("cover the rounds of one run only"));
    }

    use super::*;

    #[test]
    fn the_steps_add_up_to_the_run_and_an_older_log_has_none() {
        let mut log = RunLog {
            wall_secs: 600.0,
            ..RunLog::default()
        };
        let mut out = String::new();
        steps_section(&mut out, &log);
        assert!(out.is_empty(), "no steps, no section: {out}");
        log.spent("latency", 100.0);
        log.spent("scale C = 10000", 200.0);
        log.spent("latency", 50.0);
        steps_section(&mut out, &log);
        assert!(out.contains("| latency | 2.5 | 25 % |"), "{out}");
        assert!(out.contains("| scale C = 10000 | 3.3 | 33 % |"), "{out}");
        assert!(out.contains("| between the steps (loading, writing the log) | 4.2 | 42 % |"));
        // Steps that took longer than the run's own clock (never, but a
        // hand-edited log may): no negative remainder.
        log.wall_secs = 100.0;
        let mut over = String::new();
        steps_section(&mut over, &log);
        assert!(!over.contains("between the steps"), "{over}");
    }

    fn core_work_prose(per_title_us: &[f64]) -> String {
        let log = wikifetch_runlog::RunLog {
            core_work: per_title_us
                .iter()
                .map(|us| wikifetch_runlog::CoreSample {
                    iterations: 1000,
                    secs: us * 1e-3,
                })
                .collect(),
            ..wikifetch_runlog::RunLog::default()
        };
        let mut out = String::new();
        core_work_section(&mut out, &log);
        out
    }

    #[test]
    fn core_work_says_a_range_once_and_only_when_there_is_one() {
        let spread = core_work_prose(&[1.5, 1.6, 1.7, 2.0, 2.5, 2.9]);
        assert!(
            spread.contains("took 1.63 µs to 2.38 µs per title"),
            "{spread}"
        );
        // Quartiles that round to the same figure are not a range.
        let tight = core_work_prose(&[0.820, 0.821, 0.822, 0.823, 0.824, 0.8241]);
        assert!(!tight.contains(" to 0.82"), "{tight}");
        assert!(
            tight.contains("took 0.82 µs per title at the first and the third quartile"),
            "{tight}"
        );
        assert!(core_work_prose(&[]).contains("was not measured"));
    }
    use crate::findings::prose::tests::row;

    #[test]
    fn rows_left_out_of_conclusions_are_marked_in_the_table() {
        let bad = Row {
            premise: Some("opened 3 connections during the timed calls".into()),
            ..row("thread-pool", 10, 0.2, 0.001, 0.0)
        };
        let bound = Row {
            rig_bound: true,
            mock_busy: 0.93,
            ..row("smol", 10, 0.2, 0.001, 0.0)
        };
        let good = row("tokio", 10, 0.2, 0.001, 0.0);
        let mut out = String::new();
        table(&mut out, &[&bad, &bound, &good]);
        assert!(out.contains("`thread-pool` ⚠ premise"), "{out}");
        assert!(out.contains("`smol` ⚠ rig-bound"), "{out}");
        assert!(out.contains("the mock was 93.0 % busy"), "{out}");
        assert!(out.contains("opened 3 connections"), "{out}");
        // No `sequential` in these rows: no speedup column.
        assert!(!out.contains("speedup"), "{out}");
        assert_eq!(sound(&[&bad, &bound, &good]).len(), 1);
    }
}
