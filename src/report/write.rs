//! Writing `results/`: REPORT.md, results.json, results.csv and the plots.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{Paths, REFERENCE, Row, RunLog, plot, rows, utc_date};
use std::time::Duration;

use crate::scenarios::{Scenario, scenarios};
use wikifetch_rig::controls::Controls;

/// Writes every file of `results/` from the last run; returns their names.
pub fn write(paths: &Paths) -> Result<Vec<String>, String> {
    let log = RunLog::load(paths)?;
    let rows = rows(paths, &log)?;
    let read = |p: std::path::PathBuf| {
        std::fs::read_to_string(p)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
    };
    let python = read(paths.python_json());
    let wrk = read(paths.wrk_json());
    std::fs::create_dir_all(&paths.results).map_err(|e| e.to_string())?;
    let mut written = Vec::new();
    let mut save = |name: &str, text: String| -> Result<(), String> {
        std::fs::write(paths.results.join(name), text).map_err(|e| format!("{name}: {e}"))?;
        written.push(format!("results/{name}"));
        Ok(())
    };

    let json = json!({
        "generated_by": "cargo bench",
        "finished": utc_date(log.finished_unix),
        "machine": log.machine,
        "wall_secs": log.wall_secs,
        "peak_rss_kib": log.peak_rss_kib,
        "rows": rows,
        "python_reference": python,
        "mock_ceiling": wrk,
    });
    save("results.json", format!("{:#}\n", json))?;
    save("results.csv", csv(&rows))?;
    for (name, svg) in plot::all(&rows).map_err(|e| format!("plot: {e}"))? {
        save(&name, svg)?;
    }
    save(
        "REPORT.md",
        markdown(&log, &rows, python.as_ref(), wrk.as_ref()),
    )?;
    Ok(written)
}

fn csv(rows: &[Row]) -> String {
    let opt = |v: Option<f64>| v.map(|x| format!("{x:.6}")).unwrap_or_default();
    let mut out = String::from(
        "scenario,strategy,titles,concurrency,latency,mean_s,median_s,ci_low_s,ci_high_s,titles_per_s,\
         ideal_s,floor_s,efficiency_nominal,efficiency_floor,speedup,client_cpu_per_request_s,\
         mock_cpu_per_request_s,mock_busy,rig_bound,connections_opened,errors,lost,max_in_flight,premise\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{:.6},{:.6},{:.6},{:.6},{:.1},{},{},{},{},{},{:.9},{:.9},{:.3},{},{},{},{},{},\"{}\"",
            r.scenario,
            r.strategy,
            r.titles,
            r.concurrency,
            r.latency,
            r.mean_s,
            r.median_s,
            r.ci_low_s,
            r.ci_high_s,
            r.titles_per_s,
            opt(r.ideal_s),
            opt(r.floor_s),
            opt(r.efficiency_nominal),
            opt(r.efficiency_floor),
            opt(r.speedup),
            r.client_cpu_per_request_s,
            r.mock_cpu_per_request_s,
            r.mock_busy,
            r.rig_bound,
            r.connections_opened,
            r.errors,
            r.lost,
            r.max_in_flight.map(|m| m.to_string()).unwrap_or_default(),
            r.premise.as_deref().unwrap_or_default()
        );
    }
    out
}

/// `215.3 ms`, `2.151 s`, `812 µs`.
pub fn time(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.0} µs", s * 1e6)
    }
}

fn ratio(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.2}"))
}

/// Microseconds to three significant figures: `1.23 µs`, `45.6 µs`, `789 µs`, `1230 µs`.
pub fn us3(s: f64) -> String {
    let us = s * 1e6;
    if us <= 0.0 {
        return "0 µs".into();
    }
    // Whole digits before the point, at least 1.
    let digits = (us.log10().floor() as i32 + 1).max(1);
    let decimals = usize::try_from((3 - digits).max(0)).unwrap_or(0);
    if digits > 3 {
        let scale = 10f64.powi(digits - 3);
        format!("{:.0} µs", (us / scale).round() * scale)
    } else {
        format!("{us:.decimals$} µs")
    }
}

fn in_scenario<'r>(rows: &'r [Row], scenario: &str) -> Vec<&'r Row> {
    rows.iter().filter(|r| r.scenario == scenario).collect()
}

/// The strategy cell: the name, the floor marked as such, rig-bound rows
/// and rows whose premise failed marked.
fn name_cell(r: &Row) -> String {
    let mut cell = format!("`{}`", r.strategy);
    if r.strategy == REFERENCE {
        cell.push_str(" (floor)");
    }
    if r.strategy == "tokio-hyper" {
        cell.push_str(" (control)");
    }
    if r.rig_bound {
        cell.push_str(" ⚠ rig-bound");
    }
    if r.premise.is_some() {
        cell.push_str(" ⚠ premise");
    }
    cell
}

fn table(out: &mut String, rows: &[&Row]) {
    out.push_str(
        "| strategy | C | mean | 95 % CI | median | efficiency vs floor | efficiency (nominal) | speedup vs sequential | client CPU / request | mock CPU / request | mock busy | in flight | new connections | errors |\n\
         |---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} – {} | {} | {} | {} | {} | {} | {} | {:.0} % | {} | {} | {} |",
            name_cell(r),
            r.concurrency,
            time(r.mean_s),
            time(r.ci_low_s),
            time(r.ci_high_s),
            time(r.median_s),
            ratio(r.efficiency_floor),
            ratio(r.efficiency_nominal),
            r.speedup.map_or("–".into(), |s| format!("{s:.1}×")),
            us3(r.client_cpu_per_request_s),
            us3(r.mock_cpu_per_request_s),
            r.mock_busy * 100.0,
            r.max_in_flight.map_or("–".into(), |m| m.to_string()),
            r.connections_opened,
            r.errors + r.lost
        );
    }
    out.push('\n');
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
            "- ⚠ `{}` at C = {}: the mock was {:.0} % busy, so this row measures the mock as much as the strategy; no conclusion is drawn from it.",
            r.strategy,
            r.concurrency,
            r.mock_busy * 100.0
        );
    }
    if rows.iter().any(|r| !r.sound()) {
        out.push('\n');
    }
}

/// Rows from which conclusions about strategies may be drawn.
fn sound<'r>(rows: &[&'r Row]) -> Vec<&'r Row> {
    rows.iter()
        .copied()
        .filter(|r| r.sound() && r.strategy != REFERENCE)
        .collect()
}

fn best<'r>(rows: &[&'r Row]) -> Option<&'r Row> {
    rows.iter()
        .copied()
        .min_by(|a, b| a.mean_s.total_cmp(&b.mean_s))
}

fn worst<'r>(rows: &[&'r Row]) -> Option<&'r Row> {
    rows.iter()
        .copied()
        .max_by(|a, b| a.mean_s.total_cmp(&b.mean_s))
}

fn find<'r>(rows: &[&'r Row], strategy: &str) -> Option<&'r Row> {
    rows.iter().copied().find(|r| r.strategy == strategy)
}

/// Whether two rows' 95 % intervals are apart, so that one really is faster.
fn apart(a: &Row, b: &Row) -> bool {
    a.ci_high_s < b.ci_low_s || b.ci_high_s < a.ci_low_s
}

/// "fastest `a` …, slowest `b` …", or that they do not differ in this run.
fn fastest_and_slowest(rows: &[&Row]) -> Option<String> {
    let (b, w) = (best(rows)?, worst(rows)?);
    let show = |r: &Row| {
        format!(
            "`{}` {} ({} – {}, {} of the floor)",
            r.strategy,
            time(r.mean_s),
            time(r.ci_low_s),
            time(r.ci_high_s),
            ratio(r.efficiency_floor)
        )
    };
    Some(if std::ptr::eq(b, w) {
        format!("only {} is comparable", show(b))
    } else if apart(b, w) {
        format!("fastest {}, slowest {}", show(b), show(w))
    } else {
        format!(
            "every strategy within overlapping 95 % intervals, from {} to {}: indistinguishable here",
            show(b),
            show(w)
        )
    })
}

fn markdown(log: &RunLog, rows: &[Row], python: Option<&Value>, wrk: Option<&Value>) -> String {
    let m = &log.machine;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# wikifetch benchmark report\n\n\
         Written by `cargo bench` from the run that finished {}. Do not edit: run `cargo bench` again.\n",
        utc_date(log.finished_unix)
    );
    let strategies = rows.iter().filter(|r| r.strategy != REFERENCE).count();
    let _ = writeln!(
        out,
        "## Machine and run\n\n\
         - {} logical CPUs ({}), {} GiB of memory; {}; {}.\n\
         - CPUs: {}. The mock runs in a process of its own (`wikifetch serve`); the client process runs the strategy under test and nothing else while a call is timed.\n\
         - The whole run (build excluded) took {:.1} min; the client process peaked at {:.0} MiB resident.\n\
         - {} benchmarks ({} strategy rows, {} reference rows), {} calls; titles that failed: {}; results lost or duplicated: {}.\n",
        m.cores,
        m.cpu,
        m.memory_gib,
        m.os,
        m.rustc,
        log.split.describe(),
        log.wall_secs / 60.0,
        log.peak_rss_kib as f64 / 1024.0,
        rows.len(),
        strategies,
        rows.len() - strategies,
        rows.iter().map(|r| r.iterations).sum::<u64>(),
        rows.iter().map(|r| r.errors).sum::<u64>(),
        rows.iter().map(|r| r.lost).sum::<u64>(),
    );

    rig_section(&mut out, log.controls.as_ref(), wrk);
    summary(&mut out, rows);

    let _ = writeln!(
        out,
        "## How to read the tables\n\n\
         - **mean** is criterion's estimate of one `fetch_all` of N titles (flat sampling, 10 samples), with its 95 % confidence interval; **median** is the median of every timed call.\n\
         - **efficiency vs floor** = the reference client's mean / the row's mean, at the same N, C and mock in this run. The reference client (`wikifetch-rig`) sends the same requests over C kept-alive connections and does nothing else: no parsing, no retries. 1.00 means the strategy cost nothing beyond what any HTTP client pays here.\n\
         - **efficiency (nominal)** = ⌈N/C⌉ × the mock's delay / mean (for uneven delays, an in-order queue of C workers over the delays the mock applied). It ignores every cost but the delay, so even the floor is below 1.00.\n\
         - **client CPU / request** is the client process's own CPU time (`CLOCK_PROCESS_CPUTIME_ID`, all its threads) during the timed calls, over the requests the mock served. Nothing of the mock is in it, and nothing of the rig: no sampler thread runs during a call.\n\
         - **mock CPU / request** and **mock busy** come from the mock process's own clock: busy is its CPU time over the wall time. A row where the mock was at least {:.0} % busy is **rig-bound** and marked.\n\
         - **in flight** is the most requests the mock had at once in any timed call; **new connections** counts connections opened during the timed calls (0: every call ran on warm connections); a row whose calls opened connections or never reached C in flight is marked **premise**. **errors** counts failed and lost titles over all calls.\n",
        wikifetch_rig::RIG_BOUND_BUSY * 100.0
    );

    for scenario in scenarios(log.sweep) {
        let group = in_scenario(rows, scenario.name);
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "## `{}`: N = {}, latency {}\n\n{}\n\n![{}]({}.svg)\n",
            scenario.name,
            scenario.titles,
            scenario.latency,
            scenario.about,
            scenario.name,
            scenario.name
        );
        table(&mut out, &group);
        let _ = writeln!(out, "**Why.** {}\n", why(&scenario, &group));
        if scenario.name == "overhead" {
            instructions_section(&mut out, log, &group);
        }
    }

    python_section(&mut out, rows, python);

    let _ = writeln!(
        out,
        "## Caveats\n\n\
         - {} Timings are noisy on a small shared machine: compare ratios within this run, not absolute times across runs or machines.\n\
         - The mock is on loopback: no TLS, no real network. Against live Wikipedia the round trip is 50–500 ms and TLS handshakes cost CPU, which favours reusing connections even more.\n\
         - Each strategy's samples are taken as one block, strategy after strategy, so slow drift of the machine between blocks is not averaged out; the intervals show only the noise within a block.\n\
         - Ten samples make wide intervals for the slow rows. Where two rows' intervals overlap, the report does not call one faster.\n",
        if log.split.is_split() {
            format!(
                "Mock and client each had CPUs of their own ({}), but they share caches, memory and the kernel.",
                log.split.describe()
            )
        } else {
            "Mock and client shared the CPUs: every figure includes some of the other's interference.".to_owned()
        }
    );
    out
}

/// Instructions per request beside CPU per request, and whether the two
/// orderings agree.
fn instructions_section(out: &mut String, log: &RunLog, rows: &[&Row]) {
    let Some(version) = &log.valgrind else {
        out.push_str(
            "**Instructions per request** were not counted in this run: valgrind is not installed \
             (`apt-get install valgrind` adds this table).\n\n",
        );
        return;
    };
    let _ = writeln!(
        out,
        "**Instructions per request** ({version}, callgrind): each strategy's `wikifetch fetch --format summary` at C = 10 \
         against this mock with no delay, over {} and over {} titles; the difference over the {} extra titles is one request's \
         cost, start-up excluded. It counts the instructions the client executes in user space, so it does not move with \
         the machine's noise, and it does not see the kernel: thread wake-ups, context switches and system calls cost CPU \
         time but no counted instructions.\n\n| strategy | instructions / request | client CPU / request (table above) |\n|---|---:|---:|",
        wikifetch_rig::instructions::SMALL,
        wikifetch_rig::instructions::LARGE,
        wikifetch_rig::instructions::LARGE - wikifetch_rig::instructions::SMALL,
    );
    let mut pairs: Vec<(&str, f64, Option<f64>)> = log
        .instructions
        .iter()
        .map(|c| {
            let cpu = find(rows, &c.strategy).map(|r| r.client_cpu_per_request_s);
            (c.strategy.as_str(), c.per_request(), cpu)
        })
        .collect();
    pairs.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (name, ir, cpu) in &pairs {
        let _ = writeln!(
            out,
            "| `{name}` | {:.0}k | {} |",
            ir / 1000.0,
            cpu.map_or("–".into(), us3)
        );
    }
    let _ = writeln!(out, "\n{}\n", orderings(&pairs));
}

/// Whether ranking by instructions and by CPU time agree, and which pairs
/// of strategies they order differently.
fn orderings(pairs: &[(&str, f64, Option<f64>)]) -> String {
    let both: Vec<(&str, f64, f64)> = pairs
        .iter()
        .filter_map(|(n, ir, cpu)| cpu.map(|c| (*n, *ir, c)))
        .collect();
    let mut disagree = Vec::new();
    for (i, a) in both.iter().enumerate() {
        for b in &both[i + 1..] {
            if (a.1 < b.1) != (a.2 < b.2) {
                let (fewer, more) = if a.1 < b.1 { (a, b) } else { (b, a) };
                disagree.push(format!(
                    "`{}` runs fewer instructions than `{}` but more CPU time",
                    fewer.0, more.0
                ));
            }
        }
    }
    if both.len() < 2 {
        "Too few strategies were counted to compare the orderings.".into()
    } else if disagree.is_empty() {
        "Ordered by instructions or by CPU time, the strategies come in the same order.".into()
    } else {
        format!(
            "The two orderings disagree on {} of {} pairs: {}. Where they disagree, the difference is in the kernel: \
             work callgrind cannot count.",
            disagree.len(),
            both.len() * (both.len() - 1) / 2,
            disagree.join("; ")
        )
    }
}

/// The rig's controls: is the mock fast enough, are its delays accurate.
fn rig_section(out: &mut String, controls: Option<&Controls>, wrk: Option<&Value>) {
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
    let median = |v: &[f64]| wikifetch_rig::controls::median(v).unwrap_or(0.0);
    let _ = writeln!(
        out,
        "Throughput at zero latency: the reference client with {} kept-alive connections, {} requests a round, {} rounds alternating \
         between the mock and its control, a bare wiremock server answering every request with the same {} bytes and doing nothing else. \
         Both ran on the mock's CPU ({}).\n\n\
         | server | requests/s, each round | median |\n|---|---|---:|\n\
         | the mock | {} | {:.0} |\n| bare wiremock (control) | {} | {:.0} |\n",
        wikifetch_rig::controls::LOAD_CONNECTIONS,
        wikifetch_rig::controls::LOAD_REQUESTS,
        wikifetch_rig::controls::LOAD_ROUNDS,
        c.body_bytes,
        c.split.describe(),
        rounds(&c.mock_rps),
        median(&c.mock_rps),
        rounds(&c.bare_wiremock_rps),
        median(&c.bare_wiremock_rps),
    );
    if let Some(r) = c.mock_over_bare() {
        let _ = writeln!(
            out,
            "The mock served {r:.2}× the control's rate, at {} of its own CPU per request ({:.0} % busy during its rounds).\n",
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
                us3(mean - wikifetch_rig::controls::DELAY.as_secs_f64())
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "Delay accuracy: a {} delay cost, from the client's write to its last byte read, {}. What is above the delay is the \
         loopback, both sides' per-request work and, at high C, requests waiting for one another on each side's single thread; \
         every row's floor includes exactly that.\n",
        time(wikifetch_rig::controls::DELAY.as_secs_f64()),
        delays.join("; ")
    );
    let _ = match wrk.and_then(|w| w["requests_per_s"].as_f64()) {
        Some(rate) => {
            let delays: Vec<String> = wrk
                .and_then(|w| w["delay_round_trips"].as_array())
                .map(|v| {
                    v.iter()
                        .map(|d| {
                            format!(
                                "{} at {} connection(s)",
                                time(d["mean_s"].as_f64().unwrap_or(f64::NAN)),
                                d["connections"]
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            writeln!(
                out,
                "Outside check with `wrk -t1 -d2s` (a C client, one title): {rate:.0} requests/s at 10 connections and no delay; \
                 mean latency for a {} delay: {}.\n",
                wrk.and_then(|w| w["delay"].as_str()).unwrap_or("?"),
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

fn summary(out: &mut String, rows: &[Row]) {
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
            "- `latency` (N = {}, {}): `sequential` took {} ({} a title; the reference client at C = 1: {}).",
            seq.titles,
            seq.latency,
            time(seq.mean_s),
            time(seq.mean_s / seq.titles as f64),
            time(floor.mean_s / floor.titles as f64),
        );
    }
    for name in ["latency", "concurrency", "jitter", "overhead", "sweep"] {
        let group = in_scenario(rows, name);
        let mut cs: Vec<usize> = group
            .iter()
            .filter(|r| r.strategy != "sequential" && r.strategy != REFERENCE)
            .map(|r| r.concurrency)
            .collect();
        cs.sort_unstable();
        cs.dedup();
        for c in cs {
            let at: Vec<&Row> = group
                .iter()
                .copied()
                .filter(|r| r.concurrency == c)
                .collect();
            let comparable = sound(&at);
            let left_out = at
                .iter()
                .filter(|r| r.strategy != REFERENCE && !r.sound())
                .count();
            let text = match fastest_and_slowest(&comparable) {
                Some(t) => t,
                None => "no row can be compared (all rig-bound or with a broken premise)".into(),
            };
            let _ = writeln!(
                out,
                "- `{name}` at C = {c}: {text}{}.",
                if left_out > 0 {
                    format!("; {left_out} row(s) left out as rig-bound or with a broken premise")
                } else {
                    String::new()
                }
            );
        }
    }
    out.push('\n');
}

/// Why the `jitter` rows differ: which title an in-order queue finishes
/// last, and when it starts it.
fn jitter_why(scenario: &Scenario, rows: &[&Row]) -> String {
    let delays = scenario.delays();
    let c = rows.first().map_or(1, |r| r.concurrency);
    let Some(longest) = delays.iter().max().copied() else {
        return String::new();
    };
    // Replay the queue: each title goes to the worker free soonest.
    let mut free_at = vec![Duration::ZERO; c.max(1)];
    let mut last = (0, Duration::ZERO, Duration::ZERO); // (title, start, finish)
    for (i, d) in delays.iter().enumerate() {
        if let Some(earliest) = free_at.iter_mut().min() {
            let start = *earliest;
            *earliest += *d;
            if *earliest > last.2 {
                last = (i, start, *earliest);
            }
        }
    }
    let sum: Duration = delays.iter().sum();
    let bound = (sum / u32::try_from(c).unwrap_or(1)).max(longest);
    let list: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "`{}` {} ({} of the floor)",
                r.strategy,
                time(r.mean_s),
                ratio(r.efficiency_floor)
            )
        })
        .collect();
    format!(
        "{}. The delays are fixed per title (median about 20 ms, longest {}), and one seed decides where the long ones sit. \
         An in-order queue (the reference client, the pool, the async loops) finishes last with title {} of {}, a {} one \
         that it can only start at {}, once the {} titles before it are under way: {} in all. No schedule at all can finish \
         before {} (the larger of the total delay over C and the longest delay). rayon does not follow input order: it \
         splits the range into halves before it starts, so its threads begin at several points of the input at once; whether \
         that meets the long titles sooner or later than a queue depends on where they sit, so a difference here is about \
         this seed's layout as much as about rayon.",
        list.join(", "),
        time(longest.as_secs_f64()),
        last.0 + 1,
        delays.len(),
        time(delays[last.0].as_secs_f64()),
        time(last.1.as_secs_f64()),
        last.0,
        time(last.2.as_secs_f64()),
        time(bound.as_secs_f64())
    )
}

/// How `a` compares with `b` in time: "`a` 1.2 ms (3 %) faster than `b`",
/// or that their intervals overlap.
fn compare_two(a: &Row, b: &Row) -> String {
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
        "`{}` is {} ({:.0} %) faster than `{}`",
        fast.strategy,
        time(slow.mean_s - fast.mean_s),
        (slow.mean_s / fast.mean_s - 1.0) * 100.0,
        slow.strategy
    )
}

/// The `tokio-hyper` control splits "tokio against smol" in two: the
/// client (`tokio` against `tokio-hyper`, one runtime) and the runtime
/// (`tokio-hyper` against `smol`, one client). `None` when a row is missing
/// or cannot be compared.
fn runtime_and_client(rows: &[&Row]) -> Option<String> {
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
            "client CPU per request {} against {}",
            us3(a.client_cpu_per_request_s),
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

/// The reasons under a table, computed from its rows.
fn why(scenario: &Scenario, rows: &[&Row]) -> String {
    let comparable = sound(rows);
    let by_floor = |rs: &[&Row]| {
        let mut v: Vec<&Row> = rs.to_vec();
        v.sort_by(|a, b| {
            b.efficiency_floor
                .unwrap_or(0.0)
                .total_cmp(&a.efficiency_floor.unwrap_or(0.0))
        });
        v.iter()
            .map(|r| format!("`{}` {}", r.strategy, ratio(r.efficiency_floor)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let by_cpu = |rs: &[&Row]| {
        let mut v: Vec<&Row> = rs.to_vec();
        v.sort_by(|a, b| {
            a.client_cpu_per_request_s
                .total_cmp(&b.client_cpu_per_request_s)
        });
        v.iter()
            .map(|r| format!("`{}` {}", r.strategy, us3(r.client_cpu_per_request_s)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if comparable.is_empty() {
        return "No row here can be compared: every strategy's row is rig-bound or broke its premise (see the marks above).".into();
    }
    let mut cs: Vec<usize> = comparable.iter().map(|r| r.concurrency).collect();
    cs.sort_unstable();
    cs.dedup();
    let splits: Vec<String> = cs
        .iter()
        .filter_map(|c| {
            let at: Vec<&Row> = rows
                .iter()
                .copied()
                .filter(|r| r.concurrency == *c)
                .collect();
            runtime_and_client(&at)
        })
        .collect();
    let splits = if splits.is_empty() {
        String::new()
    } else {
        format!(" {}", splits.join(" "))
    };
    let reason = match scenario.name {
        "jitter" => jitter_why(scenario, rows),
        "overhead" => format!(
            "With no delay, a call's time is the CPU cost of its requests on both sides. The client's own CPU per request, \
             lowest first: {}. Against the floor: {}. Where the mock is marked rig-bound it, not the client, set the pace.",
            by_cpu(&comparable),
            by_floor(&comparable)
        ),
        _ => {
            let parts: Vec<String> = cs
                .iter()
                .map(|c| {
                    let at: Vec<&Row> = comparable
                        .iter()
                        .copied()
                        .filter(|r| r.concurrency == *c)
                        .collect();
                    format!(
                        "at C = {c}, efficiency vs the floor {}; the client's CPU per request {}",
                        by_floor(&at),
                        by_cpu(&at)
                    )
                })
                .collect();
            format!(
                "Every row waits the same delays as the reference client at its C, so what separates a row from its floor is \
                 what the strategy does per request and per call beyond sending it: {}. A strategy that burns more CPU per \
                 request has less of its core left to start the next request when an answer arrives.",
                parts.join("; ")
            )
        }
    };
    format!("{reason}{splits}")
}

fn python_section(out: &mut String, rows: &[Row], python: Option<&Value>) {
    out.push_str("## The lesson's Python, side by side\n\n");
    let Some(runs) = python.and_then(|p| p["runs"].as_array()) else {
        out.push_str(
            "Not measured in this run: `python3` was missing or `scripts/python_reference.py` failed. \
             The benchmark does not need it; run `cargo bench` on a machine with Python 3 to add these rows.\n\n",
        );
        return;
    };
    let version = python
        .and_then(|p| p["python"].as_str())
        .unwrap_or("unknown");
    let requests = python
        .and_then(|p| p["requests"].as_str())
        .unwrap_or("unknown");
    let _ = writeln!(
        out,
        "The lesson's own code (`requests.get` without a session, the title pasted into the URL, `ThreadPoolExecutor(max_workers=10)` \
         with `as_completed`), run by `scripts/python_reference.py` against the same mock, titles and delay (Python {version}, requests {requests}). \
         The Python rows are the **reference**, not a wikifetch strategy; the Rust rows beside them are from this run's tables.\n\n\
         | scenario | code | N | C | mean | spread: Python min – max, Rust 95 % CI of the mean | titles/s | wrong or failed titles |\n|---|---|---:|---:|---:|---|---:|---:|"
    );
    for run in runs {
        let f = |k: &str| run[k].as_f64().unwrap_or(f64::NAN);
        let _ = writeln!(
            out,
            "| {} | Python: {} | {} | {} | {} | {} – {} | {:.0} | {} |",
            run["scenario"].as_str().unwrap_or("?"),
            run["code"].as_str().unwrap_or("?"),
            run["titles"],
            run["concurrency"],
            time(f("mean_s")),
            time(f("min_s")),
            time(f("max_s")),
            f("titles") / f("mean_s"),
            run["wrong"]
        );
        let scenario = run["scenario"].as_str().unwrap_or("");
        let twin = if run["concurrency"].as_u64() == Some(1) {
            "sequential"
        } else {
            "thread-pool"
        };
        if let Some(r) = rows
            .iter()
            .find(|r| r.scenario == scenario && r.strategy == twin)
        {
            let _ = writeln!(
                out,
                "| {} | Rust: `{}` | {} | {} | {} | {} – {} | {:.0} | {} |",
                r.scenario,
                r.strategy,
                r.titles,
                r.concurrency,
                time(r.mean_s),
                time(r.ci_low_s),
                time(r.ci_high_s),
                r.titles_per_s,
                r.errors
            );
        }
    }
    out.push_str(
        "\nThe Python code is as correct as the lesson's: a title with `&` in it is cut at the `&`, so the server returns another \
         article, and the wrong-titles column counts those. With a delay its time is dominated, like Rust's, by the waits; \
         without one (`overhead`), opening a new connection for every request and Python's own per-request cost show.\n\n",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sound row with mean `mean` and a 95 % interval of ± `half`.
    fn row(strategy: &str, c: usize, mean: f64, half: f64, cpu: f64) -> Row {
        Row {
            scenario: "latency".into(),
            strategy: strategy.into(),
            titles: 100,
            concurrency: c,
            latency: "20ms".into(),
            mean_s: mean,
            median_s: mean,
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
    fn orderings_agree_or_name_the_pairs_that_do_not() {
        let same = [
            ("a", 1.0, Some(1e-6)),
            ("b", 2.0, Some(2e-6)),
            ("c", 3.0, None),
        ];
        assert!(orderings(&same).contains("same order"));
        let differ = [("pool", 70e3, Some(60e-6)), ("smol", 108e3, Some(30e-6))];
        let text = orderings(&differ);
        assert!(
            text.contains("disagree on 1 of 1 pairs: `pool` runs fewer instructions than `smol` but more CPU time"),
            "{text}"
        );
        assert!(orderings(&[("a", 1.0, Some(1e-6))]).contains("Too few"));
    }

    #[test]
    fn three_significant_figures_of_microseconds() {
        assert_eq!(us3(1.234e-6), "1.23 µs");
        assert_eq!(us3(45.67e-6), "45.7 µs");
        assert_eq!(us3(789.4e-6), "789 µs");
        assert_eq!(us3(1234.0e-6), "1230 µs");
        assert_eq!(us3(0.0), "0 µs");
    }

    #[test]
    fn a_difference_is_named_by_the_faster_row_never_as_a_negative() {
        let (slow, fast) = (
            row("a", 10, 0.220, 0.001, 0.0),
            row("b", 10, 0.200, 0.001, 0.0),
        );
        let text = compare_two(&slow, &fast);
        assert_eq!(text, "`b` is 20.0 ms (10 %) faster than `a`");
        assert_eq!(compare_two(&fast, &slow), text);
        assert!(!text.contains('-'));
    }

    #[test]
    fn overlapping_rows_are_called_indistinguishable() {
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
            summary.starts_with("fastest `a`") && summary.contains("slowest `c`"),
            "{summary}"
        );
    }

    #[test]
    fn the_control_splits_runtime_from_client() {
        let tokio = row("tokio", 10, 0.205, 0.0005, 62e-6);
        let control = row("tokio-hyper", 10, 0.2052, 0.0005, 55e-6);
        let smol = row("smol", 10, 0.210, 0.0005, 40e-6);
        let text = runtime_and_client(&[&tokio, &control, &smol]).unwrap();
        assert!(
            text.contains("`tokio` and `tokio-hyper` are indistinguishable in time"),
            "{text}"
        );
        assert!(
            text.contains("`tokio-hyper` is 4.8 ms (2 %) faster than `smol`"),
            "{text}"
        );
        assert!(text.contains("62.0 µs against 55.0 µs"), "{text}");
        // A rig-bound row makes the split meaningless: nothing is said.
        let bound = Row {
            rig_bound: true,
            ..smol.clone()
        };
        assert_eq!(runtime_and_client(&[&tokio, &control, &bound]), None);
        assert_eq!(runtime_and_client(&[&tokio, &smol]), None);
    }

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
        assert!(out.contains("the mock was 93 % busy"), "{out}");
        assert!(out.contains("opened 3 connections"), "{out}");
        assert_eq!(sound(&[&bad, &bound, &good]).len(), 1);
    }
}
