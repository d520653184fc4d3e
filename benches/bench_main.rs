//! `cargo bench`: every strategy against the mock, in the scenarios of
//! `wikifetch::scenarios`, then the report in `results/`.
//!
//! The rig (`wikifetch-rig`) keeps the measurement about the strategies:
//! - The mock runs in a process of its own (`wikifetch serve`), pinned to
//!   its own CPU; this process, the client, is pinned to the others.
//! - Every (scenario, C) also runs the reference client, a near-free HTTP
//!   client sending the same requests: the floor each row is held to.
//! - Every row (a strategy, or the floor) of one (scenario, C) runs in a
//!   child process of its own (`wikifetch run-one`, through `compare`),
//!   so that no row's threads, pools or memory sit beside another's. Each
//!   is called once, untimed, so that timed calls start with warm
//!   connections. Then they are measured in rounds: in every round each
//!   row makes one timed `fetch_all`, in a freshly shuffled order, so that
//!   drift of the machine hits every row alike and comparisons can pair
//!   round `i` of one row with round `i` of another.
//! - Each child times its own call and reads its own CPU clock; around it
//!   this process reads, untimed, the mock's counters and CPU.
//! - Every call's results are checked: a title lost or failed is counted
//!   and shown in the report, never hidden.
//!
//! Criterion cannot interleave benchmarks (it runs each to completion), so
//! the rounds are this file's own loop. Criterion measures what it is best
//! at: the sans-IO work every strategy does per title (validate the title,
//! build the URL, parse the answer), a few microseconds that need its
//! statistics; its samples from `iter_custom` go into the run log too.
//!
//! Arguments: a word filters the scenarios (and criterion's benchmarks) by
//! name, `--test` makes one round with no report, `--list` lists the rows.
//! Environment: `WIKIFETCH_SWEEP=1` adds the large sweep (N = 10,000, C up
//! to 1000); `WIKIFETCH_REPORT_ONLY=1` skips the benchmarks and rewrites
//! `results/` from the last run's measurements.
// Benchmarks may fail loudly: a benchmark that cannot start has nothing to say.
#![allow(clippy::expect_used, clippy::panic, clippy::print_stdout)]

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::Criterion;
use wikifetch::Strategy;
use wikifetch::compare;
use wikifetch::footprint::{self, Footprint};
use wikifetch::report::{self, CoreSample, RunLog, RunRecord, seed_of};
use wikifetch::scenarios::{self, SEED, Scenario};
use wikifetch_core::{Config, Title, parse_response, request_url};
use wikifetch_rig::stats::Summary;
use wikifetch_rig::{CpuSplit, MockProcess, MockSpec, cpus};

/// Criterion's samples of the core's work (its default).
const CORE_SAMPLES: usize = 100;

/// The `wikifetch` binary: it serves the mock in its own process.
const EXE: &str = env!("CARGO_BIN_EXE_wikifetch");

fn main() {
    // First, before any thread exists: this process is the client.
    let split = CpuSplit::detect();
    cpus::pin_this_thread(&split.client).expect("the client's CPUs can be set");
    let paths = report::Paths::from_env();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    let (test, list) = (flag("--test"), flag("--list"));
    let filters: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .map(String::as_str)
        .collect();
    // A filter, `--test` or `--list` runs part of the set: the report is
    // only rewritten after a complete, measured run.
    let partial = test || list || flag("--profile-time") || !filters.is_empty();
    let sweep = std::env::var_os("WIKIFETCH_SWEEP").is_some();
    let chosen: Vec<Scenario> = scenarios::scenarios(sweep)
        .into_iter()
        .filter(|s| filters.is_empty() || filters.iter().any(|f| s.name.contains(f)))
        .collect();

    if std::env::var_os("WIKIFETCH_REPORT_ONLY").is_none() {
        let started = Instant::now();
        let mut log = RunLog::new(sweep, split.clone());
        let mut criterion = Criterion::default()
            .output_directory(&paths.criterion)
            .sample_size(CORE_SAMPLES)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(2))
            .configure_from_args();
        core_work(&mut criterion, &mut log);
        criterion.final_summary();
        for scenario in &chosen {
            if list {
                for c in scenario.floors() {
                    println!("{}/reference/{c}: benchmark", scenario.name);
                }
                for (s, c) in scenario.runs() {
                    println!("{}/{s}/{c}: benchmark", scenario.name);
                }
                for (s, c) in scenario.controls() {
                    println!("{}/{}/{c}: benchmark", scenario.name, s.row_name(false));
                }
            } else {
                run_scenario(scenario, &split, &mut log, test);
            }
        }
        if partial {
            println!("wikifetch: partial run (filter, --test or --list): results/ left as it was");
            return;
        }
        measure_footprints(&split, &mut log);
        match wikifetch_rig::controls::measure(Path::new(EXE), &split) {
            Ok(controls) => log.controls = Some(controls),
            Err(e) => eprintln!("wikifetch: the rig's controls were not measured: {e}"),
        }
        count_instructions(&split, &paths, &mut log);
        report::mock_ceiling(&paths, Path::new(EXE), &split);
        report::python_reference(&paths, Path::new(EXE), &split);
        log.finish(started.elapsed());
        log.save(&paths).expect("the run log can be written");
    }
    match report::write(&paths) {
        Ok(written) => println!("wikifetch: wrote {}", written.join(", ")),
        Err(e) => {
            eprintln!("wikifetch: could not write the report: {e}");
            std::process::exit(1);
        }
    }
}

/// The sans-IO work every strategy does for one title, whatever its
/// concurrency model: validate the title, build its URL, parse a
/// five-sentence answer like the mock's. Criterion times it; its samples
/// (iterations, seconds) also go into the run log for the report.
fn core_work(criterion: &mut Criterion, log: &mut RunLog) {
    let config = Config::for_api("http://127.0.0.1:8080/w/api.php");
    let given = "AT&T 7";
    let body = serde_json::to_vec(&wikifetch_mock::wiki::Wiki::default().answer(given, 5, 2))
        .expect("the mock's answer serializes");
    let mut samples = Vec::new();
    criterion.bench_function("core/title-url-parse", |b| {
        b.iter_custom(|iterations| {
            let start = Instant::now();
            for _ in 0..iterations {
                let title = Title::new(black_box(given)).expect("a valid title");
                black_box(request_url(&config, &title));
                black_box(parse_response(&title, black_box(&body)).expect("a valid answer"));
            }
            let elapsed = start.elapsed();
            samples.push(CoreSample {
                iterations,
                secs: elapsed.as_secs_f64(),
            });
            elapsed
        })
    });
    // Criterion calls the routine for its warm-up, then once per sample:
    // keep the samples.
    let warm_up = samples.len().saturating_sub(CORE_SAMPLES);
    log.core_work = samples.split_off(warm_up);
}

/// Memory and threads per request in flight: every row but `sequential`
/// (which has no C) at each of the footprint concurrencies, against a mock
/// that holds every answer long enough for all of a call's titles to be
/// in flight at once.
fn measure_footprints(split: &CpuSplit, log: &mut RunLog) {
    let mock = MockProcess::start(
        Path::new(EXE),
        &MockSpec {
            latency: wikifetch_mock::Latency::Fixed(footprint::DELAY).to_string(),
            seed: SEED,
            cpus: split.mock.clone(),
            ..MockSpec::default()
        },
    )
    .expect("the mock process starts");
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
            match Footprint::measure(Path::new(EXE), &mock, strategy, (c, titles)) {
                Ok(f) => {
                    println!(
                        "footprint/{}/{c}: {} in flight, {:.1} MiB idle, {:.1} MiB at the peak, {} threads",
                        f.strategy,
                        f.in_flight,
                        f.idle_rss_kib as f64 / 1024.0,
                        f.peak_rss_kib as f64 / 1024.0,
                        f.peak_threads
                    );
                    log.footprints.push(f);
                }
                Err(e) => eprintln!("wikifetch: footprint at C = {c} not measured: {e}"),
            }
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
    // Per request, so one-title strategies only (see `measure_footprints`).
    for strategy in scenarios::ONE_TITLE {
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

/// One scenario: for each C, its floor and every strategy, each in a
/// child process of its own (`wikifetch run-one`, as `compare` runs them),
/// warmed up once, then timed in shuffled rounds. With `test`, one round.
fn run_scenario(scenario: &Scenario, split: &CpuSplit, log: &mut RunLog, test: bool) {
    let rtt = scenario.network.rtt;
    let mock = MockProcess::start(
        Path::new(EXE),
        &MockSpec {
            cpus: split.mock.clone(),
            ..scenario.mock_spec()
        },
    )
    .expect("the mock process starts");
    let started = Instant::now();
    // One comparison per C; with `series`, `sequential` and `batched`
    // (C = 1) join the first, with their own floor.
    for (i, &c) in scenario.concurrency.iter().enumerate() {
        let options = compare::Options {
            titles: scenario.titles,
            concurrency: c,
            series: scenario.series,
            latency: scenario.latency,
            strategies: scenario.compared_at(i),
            rounds: if test { 1 } else { scenario.rounds },
            seed: seed_of(&[scenario.name, &c.to_string()]),
            layouts: scenario.layouts,
            no_keep_alive: scenario.controls_at(i),
            ca_cert: mock.ca_cert().map(Path::to_path_buf),
            rtt,
        };
        let rows = compare::run(
            Path::new(EXE),
            mock.api_url(),
            Some(&mock),
            &options,
            |_| {},
        )
        .unwrap_or_else(|e| panic!("{} at C = {c}: {e}", scenario.name));
        for row in rows {
            let mut record = RunRecord::new(
                scenario.name,
                &row.strategy,
                scenario.titles,
                row.concurrency,
            );
            record.observe(row.warmup.failed(), row.warmup.results);
            if let Some(first) = row.calls.first() {
                record.timeline.clone_from(&first.completions_s);
            }
            for (call, sample) in row.calls.iter().zip(&row.mock) {
                record.observe(call.failed(), call.results);
                record.samples.push(*sample);
            }
            let walls: Vec<f64> = record.samples.iter().map(|s| s.wall_s).collect();
            if let Some(s) = Summary::of(&walls, 0) {
                println!(
                    "{}/{}/{}: mean {} [{} {}], median {}, {} rounds",
                    scenario.name,
                    record.strategy,
                    record.concurrency,
                    report::time(s.mean),
                    report::time(s.mean_low),
                    report::time(s.mean_high),
                    report::time(s.median),
                    s.n
                );
            }
            log.push(record);
        }
    }
    println!(
        "{}: {} in all",
        scenario.name,
        report::time(started.elapsed().as_secs_f64())
    );
}
