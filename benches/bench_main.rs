//! `cargo bench`: every strategy against the mock, in the scenarios of
//! `wikifetch::scenarios`, then the report in `results/`.
//!
//! The rig (`wikifetch-rig`) keeps the measurement about the strategies:
//! - The mock runs in a process of its own (`wikifetch serve`), pinned to
//!   its own CPU; this process, the client, is pinned to the others.
//! - Every (scenario, C) also runs the reference client, a near-free HTTP
//!   client sending the same requests: the floor each row is held to.
//! - Each fetcher (runtime, pool, client) is built and called once,
//!   untimed, before timing: timed calls start with warm connections.
//! - Each timed call is one `fetch_all`; around it the rig reads the
//!   client's own CPU clock and, untimed, the mock's counters and CPU.
//! - Every call's results are checked: a title lost or failed is counted
//!   and shown in the report, never hidden.
//!
//! Environment: `WIKIFETCH_SWEEP=1` adds the large sweep (N = 10,000, C up
//! to 1000); `WIKIFETCH_REPORT_ONLY=1` skips the benchmarks and rewrites
//! `results/` from the last run's measurements.
// Benchmarks may fail loudly: a benchmark that cannot start has nothing to say.
#![allow(clippy::expect_used, clippy::panic, clippy::print_stdout)]

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use wikifetch::Strategy;
use wikifetch::report::{self, RunLog, RunRecord};
use wikifetch::runner::Runner;
use wikifetch::scenarios::{SEED, Scenario, scenarios};
use wikifetch_core::{Config, NoProgress};
use wikifetch_rig::{CpuSplit, MockProcess, MockSpec, cpus, measure};

/// Criterion's samples per benchmark (flat sampling: one routine call each).
const SAMPLES: usize = 10;

/// The `wikifetch` binary: it serves the mock in its own process.
const EXE: &str = env!("CARGO_BIN_EXE_wikifetch");

fn main() {
    // First, before any thread exists: this process is the client.
    let split = CpuSplit::detect();
    cpus::pin_this_thread(&split.client).expect("the client's CPUs can be set");
    let paths = report::Paths::from_env();
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `--test`, `--list` and name filters run part of the set: the report
    // is only rewritten after a complete, measured run.
    let partial = args.iter().any(|a| {
        matches!(a.as_str(), "--test" | "--list" | "--profile-time") || !a.starts_with('-')
    });
    let sweep = std::env::var_os("WIKIFETCH_SWEEP").is_some();

    if std::env::var_os("WIKIFETCH_REPORT_ONLY").is_none() {
        let started = Instant::now();
        let mut criterion = Criterion::default()
            .output_directory(&paths.criterion)
            .configure_from_args();
        let mut log = RunLog::new(sweep, split.clone());
        for scenario in scenarios(sweep) {
            run_scenario(&mut criterion, &scenario, &split, &mut log);
        }
        criterion.final_summary();
        if partial {
            println!("wikifetch: partial run (filter, --test or --list): results/ left as it was");
            return;
        }
        match wikifetch_rig::controls::measure(Path::new(EXE), &split) {
            Ok(controls) => log.controls = Some(controls),
            Err(e) => eprintln!("wikifetch: the rig's controls were not measured: {e}"),
        }
        count_instructions(&split, &paths, &mut log);
        log.finish(started.elapsed());
        log.save(&paths).expect("the run log can be written");
        report::mock_ceiling(&paths, Path::new(EXE), &split);
        report::python_reference(&paths, Path::new(EXE), &split);
    }
    match report::write(&paths) {
        Ok(written) => println!("wikifetch: wrote {}", written.join(", ")),
        Err(e) => {
            eprintln!("wikifetch: could not write the report: {e}");
            std::process::exit(1);
        }
    }
}

/// Instructions per request of every strategy at C = 10 with no delay,
/// under callgrind, when valgrind is installed (the report says so when not).
fn count_instructions(split: &CpuSplit, paths: &report::Paths, log: &mut RunLog) {
    let Some(version) = wikifetch_rig::instructions::valgrind() else {
        eprintln!("wikifetch: valgrind not installed: instructions per request not counted");
        return;
    };
    let mock = MockProcess::start(
        Path::new(EXE),
        &MockSpec {
            seed: SEED,
            cpus: split.mock.clone(),
            ..MockSpec::default()
        },
    )
    .expect("the mock process starts");
    let dir = paths.criterion.join("wikifetch-instructions");
    std::fs::create_dir_all(&dir).expect("a folder for the title lists");
    for strategy in Strategy::ALL {
        match wikifetch_rig::instructions::count(
            Path::new(EXE),
            mock.api_url(),
            strategy.name(),
            10,
            &dir,
        ) {
            Ok(count) => log.instructions.push(count),
            Err(e) => eprintln!("wikifetch: instructions for {strategy} not counted: {e}"),
        }
    }
    log.valgrind = Some(version);
}

fn run_scenario(
    criterion: &mut Criterion,
    scenario: &Scenario,
    split: &CpuSplit,
    log: &mut RunLog,
) {
    let mock = MockProcess::start(
        Path::new(EXE),
        &MockSpec {
            latency: scenario.latency.to_string(),
            seed: SEED,
            cpus: split.mock.clone(),
            ..MockSpec::default()
        },
    )
    .expect("the mock process starts");
    let titles = scenario.title_list();
    let mut group = criterion.benchmark_group(scenario.name);
    group
        .throughput(Throughput::Elements(titles.len() as u64))
        .sample_size(SAMPLES)
        .sampling_mode(SamplingMode::Flat)
        // Ten samples need far fewer than criterion's default 100,000
        // bootstrap resamples for a stable interval; this saves seconds.
        .nresamples(20_000);

    let floors = scenario.floors().into_iter().map(|c| (None, c));
    let strategies = scenario.runs().into_iter().map(|(s, c)| (Some(s), c));
    for (strategy, c) in floors.chain(strategies) {
        let mut config = Config::for_api(mock.api_url());
        config.concurrency = c;
        let runner = Runner::build(strategy, &config, &titles).unwrap_or_else(|e| panic!("{e}"));
        let name = runner.name();
        let call = || {
            let outcome = runner.call(&titles, &NoProgress);
            (outcome.failed(), outcome.results)
        };
        let mut record = RunRecord::new(scenario.name, name, titles.len(), c);
        // One untimed call first: it opens the connections, checks the
        // results, and measures how long a call takes, to size criterion's
        // warm-up (one call) and the ten samples.
        let ((failed, returned), warmup) =
            measure(&mock, call).expect("the mock answers its admin paths");
        record.observe(failed, returned);
        record.warmup = Some(warmup);
        let once = Duration::from_secs_f64(warmup.wall_s);
        group
            .warm_up_time(once / 2)
            .measurement_time((once * 9).max(Duration::from_secs(1)));

        // Criterion calls the routine first for its warm-up, then once per
        // sample: keep the calls of the last SAMPLES routine calls only, so
        // that medians, CPU and the mock's figures cover the measured calls.
        let mut batches: Vec<Vec<wikifetch_rig::Sample>> = Vec::new();
        group.bench_function(BenchmarkId::new(name, c), |b| {
            b.iter_custom(|iterations| {
                let mut timed = Duration::ZERO;
                let mut batch = Vec::new();
                for _ in 0..iterations {
                    let ((failed, returned), sample) =
                        measure(&mock, call).expect("the mock answers its admin paths");
                    timed += Duration::from_secs_f64(sample.wall_s);
                    record.observe(failed, returned);
                    batch.push(sample);
                }
                batches.push(batch);
                timed
            })
        });
        let measured = batches.len().saturating_sub(SAMPLES);
        record.samples = batches.into_iter().skip(measured).flatten().collect();
        log.push(record);
    }
    group.finish();
}
