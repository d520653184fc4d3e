//! What `cargo bench` measures, step by step, each step adding to the run
//! log: the scenarios' rows in blocks of shuffled rounds, the footprints, the
//! instruction counts, the rig's controls and the outside tools.

use std::path::Path;
use std::time::Instant;

use wikifetch_registry::Strategy;
use wikifetch_rig::{MockProcess, MockSpec};
use wikifetch_runlog::{CpuSplit, FootprintSetup, Instructions, RunLog, RunRecord, Syscalls};

use crate::footprint;
use crate::scale;
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

/// Every scenario of `chosen`, and the scale curve when the log plans
/// one (`RunLog::scale`), in blocks: block 0 of each scenario in
/// turn and of the curve, then block 1 of each, and so on, so that a scenario's blocks are
/// spread over the run and drift over the run falls between blocks, where
/// the intervals count it. Each block of a scenario starts its own mock
/// process and, for each C, its own row processes with their own warm-up
/// ([`block`]). With `test`, one block of one round.
pub fn scenarios(
    exe: &Path,
    chosen: &[Scenario],
    split: &CpuSplit,
    log: &mut RunLog,
    test: bool,
) -> Result<(), String> {
    let blocks = chosen
        .iter()
        .map(|s| s.blocks)
        .chain(log.scale.as_ref().map(|s| s.blocks))
        .max()
        .unwrap_or(0);
    for b in 0..if test { 1 } else { blocks } {
        for scenario in chosen.iter().filter(|s| b < s.blocks) {
            let started = Instant::now();
            block(exe, scenario, b, split, log, test)?;
            log.spent(scenario.name, started.elapsed().as_secs_f64());
        }
        if let Some(curve) = log.scale.as_mut().filter(|s| b < s.blocks) {
            for (c, secs) in scale::block(exe, split, curve, b, test)? {
                log.spent(&format!("scale C = {c}"), secs);
            }
        }
    }
    Ok(())
}

/// Block `b` of one scenario: a fresh mock process; then for each C its
/// floor and every strategy, each in a child process of its own
/// (`wikifetch run-one`, as `compare` runs them), warmed up, then timed in
/// shuffled rounds (`rounds / blocks` of them; one with `test`). The
/// samples join the row's record in `log`, marked with their block.
fn block(
    exe: &Path,
    scenario: &Scenario,
    b: usize,
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
    let per_block = if test {
        1
    } else {
        scenario.rounds / scenario.blocks.max(1)
    };
    // One comparison per C; with `series`, `sequential` and `batched`
    // (C = 1) join the first, with their own floor.
    for (i, &c) in scenario.concurrency.iter().enumerate() {
        let c_text = c.to_string();
        let options = Options {
            scenario: scenario.name.to_owned(),
            titles: scenario.titles,
            concurrency: c,
            series: scenario.series,
            strategies: scenario.compared_at(i),
            rounds: per_block,
            first_round: b * per_block,
            block: b,
            seed: wikifetch_stats::seed_of(&[scenario.name, &c_text, &b.to_string()]),
            layouts: scenario.layouts,
            no_keep_alive: scenario.controls_at(i),
            ca_cert: mock.ca_cert().map(Path::to_path_buf),
        };
        let records = session::run(exe, mock.api_url(), Some(&mock), &options, |_| {})
            .map_err(|e| format!("{} at C = {c}, block {b}: {e}", scenario.name))?;
        for record in records {
            let walls: Vec<f64> = record.samples.iter().map(|s| s.wall_s).collect();
            if let Some(median) = wikifetch_stats::median(&walls) {
                eprintln!(
                    "{}/{}/{} block {b}: median {}, {} rounds",
                    scenario.name,
                    record.strategy,
                    record.concurrency,
                    secs(median),
                    walls.len()
                );
            }
            add_block(log, record);
        }
    }
    eprintln!(
        "{} block {b}: {}",
        scenario.name,
        secs(started.elapsed().as_secs_f64())
    );
    Ok(())
}

/// Adds one block's record of a row to the row's record in `log` (the
/// first block's becomes it): its samples, calls and failures. The bench
/// keeps the timed calls; the warm-up's details and every title's latency
/// are `compare`'s, and the timeline is the first block's first call.
fn add_block(log: &mut RunLog, mut record: RunRecord) {
    record.warmup = None;
    record.latencies_s = Vec::new();
    record.peak_rss_kib = 0;
    let same = |r: &&mut RunRecord| {
        r.scenario == record.scenario
            && r.strategy == record.strategy
            && r.concurrency == record.concurrency
    };
    match log.records.iter_mut().find(same) {
        Some(row) => {
            row.samples.append(&mut record.samples);
            row.iterations += record.iterations;
            row.errors += record.errors;
            row.lost += record.lost;
        }
        None => log.records.push(record),
    }
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

/// A mock process with no delay, for the untimed counts.
fn plain_mock(exe: &Path, split: &CpuSplit) -> Result<MockProcess, String> {
    MockProcess::start(
        exe,
        &MockSpec {
            seed: SEED,
            cpus: split.mock.clone(),
            ..MockSpec::default()
        },
    )
    .map_err(|e| format!("the mock: {e}"))
}

/// Instructions per request of every one-title strategy at C = 10 with no
/// delay, under callgrind; `None` without valgrind (the report says so).
pub fn instructions(exe: &Path, split: &CpuSplit, scratch: &Path) -> Option<Instructions> {
    let Some(valgrind) = wikifetch_rig::instructions::valgrind() else {
        eprintln!("wikifetch: valgrind not installed: instructions per request not counted");
        return None;
    };
    let (mock, dir) = counting_setup(exe, split, scratch, "instructions")?;
    let mut counted = Instructions {
        valgrind,
        small_titles: wikifetch_rig::instructions::SMALL,
        large_titles: wikifetch_rig::instructions::LARGE,
        counts: Vec::new(),
    };
    counted.counts = count_each("instructions", |strategy| {
        wikifetch_rig::instructions::count(exe, mock.api_url(), strategy, 10, &dir)
    });
    Some(counted)
}

/// System calls per request of every one-title strategy at C = 10 with no
/// delay, under `strace -c -f`; `None` without strace (the report says so).
pub fn syscalls(exe: &Path, split: &CpuSplit, scratch: &Path) -> Option<Syscalls> {
    let Some(strace) = wikifetch_rig::syscalls::strace() else {
        eprintln!("wikifetch: strace not installed: system calls per request not counted");
        return None;
    };
    let (mock, dir) = counting_setup(exe, split, scratch, "syscalls")?;
    let mut counted = Syscalls {
        strace,
        small_titles: wikifetch_rig::syscalls::SMALL,
        large_titles: wikifetch_rig::syscalls::LARGE,
        counts: Vec::new(),
    };
    counted.counts = count_each("system calls", |strategy| {
        wikifetch_rig::syscalls::count(exe, mock.api_url(), strategy, 10, &dir)
    });
    Some(counted)
}

/// `count` for every one-title strategy (per request, so not `batched`;
/// see `footprints`), in order; one that fails is left out, saying so.
fn count_each<T>(what: &str, count: impl Fn(&str) -> std::io::Result<T>) -> Vec<T> {
    scenarios::ONE_TITLE
        .iter()
        .filter_map(|strategy| {
            count(strategy.name())
                .map_err(|e| eprintln!("wikifetch: {what} for {strategy} not counted: {e}"))
                .ok()
        })
        .collect()
}

/// The mock and the scratch folder of an untimed count named `what`.
fn counting_setup(
    exe: &Path,
    split: &CpuSplit,
    scratch: &Path,
    what: &str,
) -> Option<(MockProcess, std::path::PathBuf)> {
    let mock = plain_mock(exe, split)
        .map_err(|e| eprintln!("wikifetch: {what} not counted: {e}"))
        .ok()?;
    let dir = scratch.join(format!("wikifetch-{what}"));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("wikifetch: {what} not counted: {}: {e}", dir.display());
        return None;
    }
    Some((mock, dir))
}
