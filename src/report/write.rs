//! Writing `results/`: REPORT.md, results.json, results.csv and the plots.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{Paths, REFERENCE_DELAY, Row, RunLog, plot, rows, utc_date};
use std::time::Duration;

use crate::scenarios::{SEED, Scenario, scenarios};

/// Runs the lesson's Python code against the mock (`scripts/python_reference.py`)
/// and leaves its timings for the report. Optional: without `python3`, or if
/// the script fails, the report says so and the benchmark still succeeds.
pub fn python_reference(paths: &Paths) {
    let script = paths.root.join("scripts").join("python_reference.py");
    let out = paths.python_json();
    let _ = std::fs::remove_file(&out);
    let latency = wikifetch_mock::MockWiki::builder()
        .latency(wikifetch_mock::Latency::Fixed(REFERENCE_DELAY))
        .seed(SEED)
        .start();
    let overhead = wikifetch_mock::MockWiki::builder().seed(SEED).start();
    let (Ok(latency), Ok(overhead)) = (latency, overhead) else {
        eprintln!("wikifetch: Python reference skipped: the mock did not start");
        return;
    };
    let status = std::process::Command::new("python3")
        .arg(&script)
        .args(["--latency-url", &latency.api_url()])
        .args(["--overhead-url", &overhead.api_url()])
        .arg("--out")
        .arg(&out)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => eprintln!("wikifetch: Python reference failed ({s}); the report will say so"),
        Err(e) => eprintln!("wikifetch: Python reference skipped: cannot run python3 ({e})"),
    }
}

/// Measures the mock alone with `wrk` (1 thread, 10 connections, 2 s, no
/// delay), if `wrk` is installed, for the `overhead` scenario's ceiling.
pub fn mock_ceiling(paths: &Paths) {
    let out = paths.wrk_json();
    let _ = std::fs::remove_file(&out);
    let Ok(mock) = wikifetch_mock::MockWiki::builder().seed(SEED).start() else {
        return;
    };
    let url = format!(
        "{}?action=query&prop=extracts&exsentences=5&explaintext=1&format=json&formatversion=2&titles=Article",
        mock.api_url()
    );
    let output = std::process::Command::new("wrk")
        .args(["-t1", "-c10", "-d2s", &url])
        .output();
    let text = match output {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
        Ok(o) => {
            eprintln!(
                "wikifetch: wrk failed ({}); the report will say so",
                o.status
            );
            return;
        }
        Err(e) => {
            eprintln!("wikifetch: mock ceiling not measured: cannot run wrk ({e})");
            return;
        }
    };
    let rate = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse::<f64>().ok());
    if let Some(rate) = rate {
        let json = json!({"tool": "wrk -t1 -c10 -d2s", "requests_per_s": rate, "served": mock.stats().requests});
        let _ = std::fs::write(&out, json.to_string());
    }
}

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
        "scenario,strategy,titles,concurrency,latency,mean_s,ci_low_s,ci_high_s,titles_per_s,\
         ideal_s,fair_s,efficiency_nominal,efficiency_fair,speedup,cpu_per_title_s,errors,lost,max_in_flight\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{:.6},{:.6},{:.6},{:.1},{},{},{},{},{},{},{},{},{}",
            r.scenario,
            r.strategy,
            r.titles,
            r.concurrency,
            r.latency,
            r.mean_s,
            r.ci_low_s,
            r.ci_high_s,
            r.titles_per_s,
            opt(r.ideal_s),
            opt(r.fair_s),
            opt(r.efficiency_nominal),
            opt(r.efficiency_fair),
            opt(r.speedup),
            opt(r.cpu_per_title_s),
            r.errors,
            r.lost,
            r.max_in_flight.map(|m| m.to_string()).unwrap_or_default()
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

fn in_scenario<'r>(rows: &'r [Row], scenario: &str) -> Vec<&'r Row> {
    rows.iter().filter(|r| r.scenario == scenario).collect()
}

fn table(out: &mut String, rows: &[&Row]) {
    out.push_str(
        "| strategy | C | mean | 95 % CI | titles/s | speedup vs sequential | efficiency (nominal) | efficiency (fair) | CPU per title | in flight | errors |\n\
         |---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} – {} | {:.0} | {} | {} | {} | {} | {} | {} |",
            r.strategy,
            r.concurrency,
            time(r.mean_s),
            time(r.ci_low_s),
            time(r.ci_high_s),
            r.titles_per_s,
            r.speedup.map_or("–".into(), |s| format!("{s:.1}×")),
            ratio(r.efficiency_nominal),
            ratio(r.efficiency_fair),
            r.cpu_per_title_s.map_or("–".into(), time),
            r.max_in_flight.map_or("–".into(), |m| m.to_string()),
            r.errors + r.lost
        );
    }
    out.push('\n');
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

fn markdown(log: &RunLog, rows: &[Row], python: Option<&Value>, wrk: Option<&Value>) -> String {
    let m = &log.machine;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# wikifetch benchmark report\n\n\
         Written by `cargo bench` from the run that finished {}. Do not edit: run `cargo bench` again.\n",
        utc_date(log.finished_unix)
    );
    let _ = writeln!(
        out,
        "## Machine and run\n\n\
         - {} logical CPUs ({}), {} GiB of memory; {}; {}.\n\
         - The whole run (build excluded) took {:.1} min; the bench process, mock server included, peaked at {:.0} MiB resident.\n\
         - {} benchmarks, {} `fetch_all` calls; titles that failed: {}; results lost or duplicated: {}.\n\
         - The client and the mock share the machine's {} cores: every figure below includes the mock's own CPU time.\n",
        m.cores,
        m.cpu,
        m.memory_gib,
        m.os,
        m.rustc,
        log.wall_secs / 60.0,
        log.peak_rss_kib as f64 / 1024.0,
        rows.len(),
        rows.iter().map(|r| r.iterations).sum::<u64>(),
        rows.iter().map(|r| r.errors).sum::<u64>(),
        rows.iter().map(|r| r.lost).sum::<u64>(),
        m.cores,
    );

    let rtt = super::round_trip(rows, REFERENCE_DELAY);
    summary(&mut out, rows, rtt);

    let _ = writeln!(
        out,
        "## How to read the tables\n\n\
         - **mean** is criterion's estimate of one `fetch_all` of N titles (10 samples, flat sampling), with its 95 % confidence interval.\n\
         - **efficiency (nominal)** = ideal / mean, where the ideal is ⌈N/C⌉ × the mock's delay: what C requests in flight would take if a request cost nothing but its delay. For uneven delays (`jitter`) the ideal is a perfect queue: C workers, each taking the next title the moment it is free, over the delays the mock actually applied.\n\
         - **efficiency (fair)** uses, instead of the bare delay, the round trip `sequential` measured in this run ({}): the delay plus what one request really costs end to end on this machine. It is the ceiling a strategy can reach; 1.00 means nothing was lost to scheduling.\n\
         - **in flight** is the most requests the mock saw at once; **errors** counts failed and lost titles over all iterations (0 everywhere means every call returned N extracts in order).\n",
        rtt.map_or("not measured".into(), |t| format!(
            "{} for a 20 ms delay",
            time(t)
        ))
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
        let _ = writeln!(out, "**Why.** {}\n", why(&scenario, &group, rtt));
        if scenario.name == "overhead" {
            let _ = match wrk.and_then(|w| w["requests_per_s"].as_f64()) {
                Some(rate) => writeln!(
                    out,
                    "**The mock's ceiling.** Measured alone in this run with `wrk -t1 -c10 -d2s` (10 kept-alive connections, \
                     one title): {rate:.0} requests/s. The fastest strategy above reached {:.0}% of that while also parsing every \
                     answer and sharing the two cores with the mock.\n",
                    group.iter().map(|r| r.titles_per_s).fold(0.0, f64::max) / rate * 100.0
                ),
                None => writeln!(
                    out,
                    "**The mock's ceiling** was not measured in this run (`wrk` is not installed; `apt-get install wrk` adds it).\n"
                ),
            };
        }
    }

    python_section(&mut out, rows, python);

    let _ = writeln!(
        out,
        "## Caveats\n\n\
         - Two cores run the client, the mock server and criterion at once; timings are noisy, so compare ratios within this run, not absolute times across runs or machines.\n\
         - The mock answers from one thread (wiremock's current-thread runtime). At zero latency (`overhead`) it, not the client, may be the limit; with a delay, responses overlap on its timer.\n\
         - The mock is on loopback: no TLS, no real network. Against live Wikipedia the round trip is 50–500 ms and TLS handshakes cost CPU, which favours reusing connections even more.\n\
         - Each sample is one `fetch_all` of N titles; ten samples make wide intervals for the slow rows. The interval is shown so you can see when two rows do not really differ.\n"
    );
    out
}

fn summary(out: &mut String, rows: &[Row], rtt: Option<f64>) {
    out.push_str("## Summary\n\n");
    let latency = in_scenario(rows, "latency");
    let concurrent: Vec<&Row> = latency
        .iter()
        .copied()
        .filter(|r| r.strategy != "sequential")
        .collect();
    if let (Some(seq), Some(b), Some(w)) = (
        find(&latency, "sequential"),
        best(&concurrent),
        worst(&concurrent),
    ) {
        let _ = writeln!(
            out,
            "- `latency` (N = {}, C = 10, 20 ms): `sequential` took {} ({} a title); every concurrent strategy overlapped the waits. \
             Fastest: `{}`, {} ({:.1}× sequential, fair efficiency {}); slowest: `{}`, {} (fair efficiency {}).",
            seq.titles,
            time(seq.mean_s),
            time(seq.mean_s / seq.titles as f64),
            b.strategy,
            time(b.mean_s),
            b.speedup.unwrap_or(0.0),
            ratio(b.efficiency_fair),
            w.strategy,
            time(w.mean_s),
            ratio(w.efficiency_fair)
        );
        let below: Vec<String> = concurrent
            .iter()
            .filter(|r| r.efficiency_fair.is_some_and(|e| e < 0.90))
            .map(|r| format!("`{}` ({})", r.strategy, ratio(r.efficiency_fair)))
            .collect();
        let _ = writeln!(
            out,
            "- At the lesson's setting, {}.",
            if below.is_empty() {
                "every concurrent strategy reached at least 0.90 of the fair ceiling".to_owned()
            } else {
                format!("below 0.90 of the fair ceiling: {}", below.join(", "))
            }
        );
    }
    let conc = in_scenario(rows, "concurrency");
    let top_c = conc.iter().map(|r| r.concurrency).max().unwrap_or(0);
    let at_top: Vec<&Row> = conc
        .iter()
        .copied()
        .filter(|r| r.concurrency == top_c)
        .collect();
    if let (Some(b), Some(w)) = (best(&at_top), worst(&at_top)) {
        let _ = writeln!(
            out,
            "- `concurrency` at C = {top_c} (N = {}): fastest `{}` {} (fair efficiency {}), slowest `{}` {} (fair efficiency {}).",
            b.titles,
            b.strategy,
            time(b.mean_s),
            ratio(b.efficiency_fair),
            w.strategy,
            time(w.mean_s),
            ratio(w.efficiency_fair)
        );
    }
    let jitter = in_scenario(rows, "jitter");
    if let (Some(b), Some(w)) = (best(&jitter), worst(&jitter)) {
        let _ = writeln!(
            out,
            "- `jitter` (heavy tail, C = {}): fastest `{}` at {} of a perfect queue, slowest `{}` at {}.",
            b.concurrency,
            b.strategy,
            ratio(b.efficiency_nominal),
            w.strategy,
            ratio(w.efficiency_nominal)
        );
    }
    let overhead = in_scenario(rows, "overhead");
    if let (Some(b), Some(seq)) = (best(&overhead), find(&overhead, "sequential")) {
        let _ = writeln!(
            out,
            "- `overhead` (no delay, N = {}): `{}` served {:.0} titles/s ({} a title), `sequential` {:.0} titles/s ({} a title).",
            b.titles,
            b.strategy,
            b.titles_per_s,
            time(b.mean_s / b.titles as f64),
            seq.titles_per_s,
            time(seq.mean_s / seq.titles as f64)
        );
    }
    if let Some(t) = rtt {
        let _ = writeln!(
            out,
            "- A 20 ms delay at the mock cost {} end to end per request ({} of client, server and loopback on top of the delay).",
            time(t),
            time(t - REFERENCE_DELAY.as_secs_f64())
        );
    }
    out.push('\n');
}

/// Why the `jitter` rows differ: which title a perfect in-order queue
/// finishes last, and when it starts it.
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
                "`{}` {} ({})",
                r.strategy,
                time(r.mean_s),
                ratio(r.efficiency_nominal)
            )
        })
        .collect();
    format!(
        "Measured against a perfect queue over the same delays: {}. The delays are fixed per title (median about 20 ms, \
         longest {}). A queue that hands out titles in input order (the pool, the async loops) finishes last with title {} \
         of {}, a {} one that it can only start at {}, once the {} titles before it are under way: {} in all. No schedule \
         at all can finish before {} (the larger of the total delay over C and the longest delay), so input order itself \
         costs the queue-based strategies the difference. rayon does not follow input order: it splits the range into \
         halves before it starts, so its threads begin at several points of the input at once. Whether that starts the long \
         titles sooner or later than a queue depends on where they sit; an efficiency above 1.00 means it was sooner here.",
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

/// Which strategies lost to the plain loop, if any, and by how much CPU.
fn slower_than_sequential(rows: &[&Row]) -> String {
    let slower: Vec<String> = rows
        .iter()
        .filter(|r| r.speedup.is_some_and(|s| s < 1.0))
        .map(|r| {
            format!(
                "`{}` ({:.1}×, {} of CPU a title)",
                r.strategy,
                r.speedup.unwrap_or(0.0),
                r.cpu_per_title_s.map_or("–".into(), time)
            )
        })
        .collect();
    if slower.is_empty() {
        "Every concurrent strategy beat `sequential`: while one request is parsed, others are on the wire.".into()
    } else {
        format!(
            "Slower than `sequential` here: {}. When a request costs microseconds, whatever a strategy pays per title \
             (creating a thread, for one) is no longer hidden behind the wait.",
            slower.join(", ")
        )
    }
}

/// The reasons under a table, computed from its rows.
fn why(scenario: &Scenario, rows: &[&Row], rtt: Option<f64>) -> String {
    let per_round = |r: &Row| -> Option<f64> {
        let rounds = r.titles.div_ceil(r.concurrency) as f64;
        r.fair_s.map(|f| (r.mean_s - f) / rounds)
    };
    match scenario.name {
        "latency" => {
            let mut s = String::new();
            if let (Some(seq), Some(t)) = (find(rows, "sequential"), rtt) {
                let _ = write!(
                    s,
                    "`sequential` waits for each answer before sending the next: {} titles × {} = {}. \
                     With 10 requests in flight the same waits overlap in {} rounds. ",
                    seq.titles,
                    time(t),
                    time(seq.mean_s),
                    seq.titles.div_ceil(10)
                );
            }
            let mut extra: Vec<(f64, &str)> = rows
                .iter()
                .filter(|r| r.strategy != "sequential")
                .filter_map(|r| per_round(r).map(|p| (p, r.strategy.as_str())))
                .collect();
            extra.sort_by(|a, b| a.0.total_cmp(&b.0));
            let list: Vec<String> = extra
                .iter()
                .map(|(p, n)| format!("`{n}` {}", time(*p)))
                .collect();
            let _ = write!(
                s,
                "What separates the concurrent strategies is what each adds per round beyond one round trip: {}. ",
                list.join(", ")
            );
            if let (Some(tpr), Some(tp)) =
                (find(rows, "thread-per-request"), find(rows, "thread-pool"))
            {
                let _ = write!(
                    s,
                    "`thread-per-request` takes {} longer per title than `thread-pool`, which reuses its threads, and uses {} of CPU per title against the pool's {}: the difference is creating, scheduling and joining one OS thread per title, on cores it shares with the mock.",
                    time((tpr.mean_s - tp.mean_s) / tpr.titles as f64),
                    tpr.cpu_per_title_s.map_or("–".into(), time),
                    tp.cpu_per_title_s.map_or("–".into(), time)
                );
            }
            s
        }
        "concurrency" => {
            let mut by_strategy: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
            for r in rows.iter().filter(|r| r.strategy != "sequential") {
                by_strategy.entry(r.strategy.as_str()).or_default().push(r);
            }
            let parts: Vec<String> = by_strategy
                .iter()
                .map(|(name, rs)| {
                    let effs: Vec<String> = rs
                        .iter()
                        .map(|r| format!("{} at C = {}", ratio(r.efficiency_fair), r.concurrency))
                        .collect();
                    format!("`{name}` {}", effs.join(", "))
                })
                .collect();
            let top_c = rows.iter().map(|r| r.concurrency).max().unwrap_or(1);
            let mut at_top: Vec<&Row> = rows
                .iter()
                .copied()
                .filter(|r| r.concurrency == top_c)
                .collect();
            at_top.sort_by(|a, b| a.mean_s.total_cmp(&b.mean_s));
            let cpu: Vec<String> = at_top
                .iter()
                .filter_map(|r| {
                    r.cpu_per_title_s
                        .map(|c| format!("`{}` {}", r.strategy, time(c)))
                })
                .collect();
            let rounds = rows.first().map_or(0, |r| r.titles.div_ceil(top_c));
            format!(
                "Fair efficiency: {}. As C grows there are fewer rounds ({} titles at C = {top_c} is {rounds} rounds), so what a \
                 strategy pays per call or per request weighs more against the waits, and the mock's one thread has C answers to \
                 send at once. CPU per title at C = {top_c} (client and mock together, in order of time): {}. The slow rows are the ones \
                 that burn CPU the two cores need for the mock: a thread per title pays for creating it; a rayon pool of C threads \
                 has idle workers that spin looking for work before they sleep.",
                parts.join("; "),
                rows.first().map_or(0, |r| r.titles),
                cpu.join(", ")
            )
        }
        "jitter" => jitter_why(scenario, rows),
        "overhead" => {
            let mut list: Vec<(f64, &str)> = rows
                .iter()
                .map(|r| (r.mean_s / r.titles as f64, r.strategy.as_str()))
                .collect();
            list.sort_by(|a, b| a.0.total_cmp(&b.0));
            let text: Vec<String> = list
                .iter()
                .map(|(t, n)| format!("`{n}` {}", time(*t)))
                .collect();
            let top = rows.iter().map(|r| r.titles_per_s).fold(0.0, f64::max);
            format!(
                "With no delay, time per title is the CPU cost of one request (client, runtime, parsing) plus the mock's: {}. \
                 The mock answers from one thread, and both cores are shared by client and server, so the highest rate here, {:.0} titles/s, \
                 is a lower bound on the mock's ceiling rather than a property of the fastest client. {}",
                text.join(", "),
                top,
                slower_than_sequential(rows)
            )
        }
        _ => {
            let list: Vec<String> = rows
                .iter()
                .map(|r| {
                    format!(
                        "`{}` C = {}: {}",
                        r.strategy,
                        r.concurrency,
                        ratio(r.efficiency_fair)
                    )
                })
                .collect();
            format!("Fair efficiency: {}.", list.join(", "))
        }
    }
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
         | scenario | code | N | C | mean | min – max | titles/s | wrong or failed titles |\n|---|---|---:|---:|---:|---|---:|---:|"
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
         article, and the wrong-titles column counts those. Its time is dominated, like Rust's, by the 20 ms waits; without a \
         delay (`overhead`), opening a new connection for every request and Python's own per-request cost show.\n\n",
    );
}
