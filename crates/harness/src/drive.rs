//! What `cargo bench` measures, step by step, each step adding to the run
//! log: the scenarios' rows in shuffled rounds, the footprints, the
//! instruction counts, the rig's controls and the outside tools.

use std::path::Path;
use std::time::Instant;

use wikifetch_registry::Strategy;
use wikifetch_rig::{MockProcess, MockSpec};
use wikifetch_runlog::{CpuSplit, FootprintSetup, Instructions, RunLog};

use crate::footprint;
use crate::scenarios::{self, SEED, Scenario};
use crate::session::{self, Options};

/// Seconds, for progress lines.
fn secs(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.3} s")
    } else {
        format!("{:.1} ms", s * 1e3)
    }
}

/// One scenario: for each C, its floor and every strategy, each in a
/// child process of its own (`wikifetch run-one`, as `compare` runs them),
/// warmed up once, then timed in shuffled rounds (one round with `test`).
/// Every row's record goes into `log`.
pub fn scenario(
    exe: &Path,
    scenario: &Scenario,
    split: &CpuSplit,
    log: &mut RunLog,
    test: bool,
) -> Result<(), String> {
    let mock = MockProcess::start(
        exe,
        &MockSpec {
            cpus: split.mock.clone(),
            ..scenario.mock_spec()
        },
    )
    .map_err(|e| format!("the mock process: {e}"))?;
    let started = Instant::now();
    // One comparison per C; with `series`, `sequential` and `batched`
    // (C = 1) join the first, with their own floor.
    for (i, &c) in scenario.concurrency.iter().enumerate() {
        let options = Options {
            scenario: scenario.name.to_owned(),
            titles: scenario.titles,
            concurrency: c,
            series: scenario.series,
            strategies: scenario.compared_at(i),
            rounds: if test { 1 } else { scenario.rounds },
            seed: wikifetch_stats::seed_of(&[scenario.name, &c.to_string()]),
            layouts: scenario.layouts,
            no_keep_alive: scenario.controls_at(i),
            ca_cert: mock.ca_cert().map(Path::to_path_buf),
        };
        let records = session::run(exe, mock.api_url(), Some(&mock), &options, |_| {})
            .map_err(|e| format!("{} at C = {c}: {e}", scenario.name))?;
        for mut record in records {
            // The bench keeps the timed calls; the warm-up's details and
            // every title's latency are `compare`'s.
            record.warmup = None;
            record.latencies_s = Vec::new();
            record.peak_rss_kib = 0;
            let walls: Vec<f64> = record.samples.iter().map(|s| s.wall_s).collect();
            if let Some(median) = wikifetch_stats::median(&walls) {
                eprintln!(
                    "{}/{}/{}: median {}, {} rounds",
                    scenario.name,
                    record.strategy,
                    record.concurrency,
                    secs(median),
                    walls.len()
                );
            }
            log.records.push(record);
        }
    }
    eprintln!(
        "{}: {} in all",
        scenario.name,
        secs(started.elapsed().as_secs_f64())
    );
    Ok(())
}

/// Memory and threads per request in flight: every one-title row but
/// `sequential` (which has no C) at each of the footprint concurrencies,
/// against a mock that holds every answer long enough for all of a call's
/// titles to be in flight at once.
pub fn footprints(exe: &Path, split: &CpuSplit) -> Result<FootprintSetup, String> {
    let mock = MockProcess::start(
        exe,
        &MockSpec {
            latency: wikifetch_mock::Latency::Fixed(footprint::DELAY).to_string(),
            seed: SEED,
            cpus: split.mock.clone(),
            ..MockSpec::default()
        },
    )
    .map_err(|e| format!("the mock process: {e}"))?;
    let mut setup = FootprintSetup {
        delay_s: footprint::DELAY.as_secs_f64(),
        concurrencies: footprint::CONCURRENCIES,
        calls: Vec::new(),
    };
    // One-title strategies only: `batched` carries 20 titles a request,
    // so its requests in flight are not its titles in flight.
    let rows = std::iter::once(None).chain(
        scenarios::ONE_TITLE
            .iter()
            .filter(|s| **s != Strategy::Sequential)
            .map(|s| Some(*s)),
    );
    for strategy in rows {
        for c in footprint::CONCURRENCIES {
            // A capped strategy gets as many titles as it has in flight:
            // C titles would take C / cap delays.
            let titles = strategy.map_or(c, |s| s.in_flight(c, split.client.len()));
            match footprint::measure(exe, &mock, strategy, (c, titles)) {
                Ok(f) => {
                    eprintln!(
                        "footprint/{}/{c}: {} in flight, {:.1} MiB idle, {:.1} MiB at the peak, {} threads",
                        f.strategy,
                        f.in_flight,
                        f.idle_rss_kib as f64 / 1024.0,
                        f.peak_rss_kib as f64 / 1024.0,
                        f.peak_threads
                    );
                    setup.calls.push(f);
                }
                Err(e) => eprintln!("wikifetch: footprint at C = {c} not measured: {e}"),
            }
        }
    }
    Ok(setup)
}

/// Instructions per request of every one-title strategy at C = 10 with no
/// delay, under callgrind; `None` without valgrind (the report says so).
pub fn instructions(exe: &Path, split: &CpuSplit, scratch: &Path) -> Option<Instructions> {
    let Some(valgrind) = wikifetch_rig::instructions::valgrind() else {
        eprintln!("wikifetch: valgrind not installed: instructions per request not counted");
        return None;
    };
    let mock = MockProcess::start(
        exe,
        &MockSpec {
            seed: SEED,
            cpus: split.mock.clone(),
            ..MockSpec::default()
        },
    )
    .map_err(|e| eprintln!("wikifetch: instructions not counted: the mock: {e}"))
    .ok()?;
    let dir = scratch.join("wikifetch-instructions");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!(
            "wikifetch: instructions not counted: {}: {e}",
            dir.display()
        );
        return None;
    }
    let mut counted = Instructions {
        valgrind,
        small_titles: wikifetch_rig::instructions::SMALL,
        large_titles: wikifetch_rig::instructions::LARGE,
        counts: Vec::new(),
    };
    // Per request, so one-title strategies only (see `footprints`).
    for strategy in scenarios::ONE_TITLE {
        match wikifetch_rig::instructions::count(exe, mock.api_url(), strategy.name(), 10, &dir) {
            Ok(count) => counted.counts.push(count),
            Err(e) => eprintln!("wikifetch: instructions for {strategy} not counted: {e}"),
        }
    }
    Some(counted)
}
