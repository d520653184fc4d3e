//! `cargo bench`: every strategy against the mock, in the scenarios of
//! `wikifetch_harness::scenarios`, into a run log; then the report in
//! `results/`, rendered from that log alone.
//!
//! The harness (`wikifetch-harness`, on the rig `wikifetch-rig`) keeps the
//! measurement about the strategies: the mock in a process of its own on
//! its own CPU; every row (a strategy, or the reference client that is its
//! floor) in a child process of its own, warmed up once and then timed in
//! shuffled rounds, so that drift hits every row alike and rounds pair;
//! every call's results checked. See ARCHITECTURE.md.
//!
//! Criterion cannot interleave benchmarks (it runs each to completion), so
//! the rounds are the harness's own loop. Criterion measures what it is
//! best at: the sans-IO work every strategy does per title (validate the
//! title, build the URL, parse the answer), a few microseconds that need
//! its statistics; its samples from `iter_custom` go into the run log too.
//!
//! Arguments: a word filters the scenarios (and criterion's benchmarks) by
//! name, `--test` makes one round with no report, `--list` lists the rows.
//! Environment: `WIKIFETCH_SWEEP=1` adds C = 1, 10 and 50 to `concurrency`,
//! measures the footprint and takes the `scale` curve past 10,000 in
//! flight, with no time cap; `WIKIFETCH_REPORT_ONLY=1` skips the benchmarks and renders
//! `results/` again from `results/run.json`; `WIKIFETCH_AGAINST=LOG` names
//! the run log "Does it reproduce?" compares with (by default the one in
//! `results/`, which the run replaces).
// Benchmarks may fail loudly: a benchmark that cannot start has nothing to say.
#![allow(clippy::expect_used, clippy::panic, clippy::print_stdout)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::Criterion;
use wikifetch_core::{Config, Title, parse_response, request_url};
use wikifetch_harness::scenarios::{self, Scenario};
use wikifetch_harness::{Paths, drive, external, log};
use wikifetch_runlog::{CoreSample, RunLog};

/// Criterion's samples of the core's work (its default).
const CORE_SAMPLES: usize = 100;

/// The `wikifetch` binary: it serves the mock in its own process.
const EXE: &str = env!("CARGO_BIN_EXE_wikifetch");

/// The rig's yardstick for the mock, a bare wiremock server.
const BARE: &str = env!("CARGO_BIN_EXE_wikifetch-bare-wiremock");

fn main() {
    // First, before any thread exists: this process is the client.
    let split = wikifetch_rig::cpus::detect();
    wikifetch_rig::cpus::pin_this_thread(&split.client).expect("the client's CPUs can be set");
    let paths = Paths::at(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let exe = Path::new(EXE);
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

    let log = if std::env::var_os("WIKIFETCH_REPORT_ONLY").is_some() {
        RunLog::load(&paths.run_log).unwrap_or_else(|e| {
            eprintln!("wikifetch: {e}");
            std::process::exit(1);
        })
    } else {
        let started = Instant::now();
        let mut log = log::start(sweep, split.clone(), &chosen);
        if filters.is_empty() || filters.iter().any(|f| "scale".contains(f)) {
            log.scale = Some(wikifetch_harness::scale::plan(sweep));
        }
        let mut criterion = Criterion::default()
            .output_directory(&paths.criterion)
            .sample_size(CORE_SAMPLES)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(2))
            .configure_from_args();
        let step = Instant::now();
        core_work(&mut criterion, &mut log);
        criterion.final_summary();
        log.spent("core work (criterion)", step.elapsed().as_secs_f64());
        if list {
            for scenario in &chosen {
                for c in scenario.floors() {
                    println!("{}/reference/{c}: benchmark", scenario.name);
                }
                for (s, c) in scenario.runs() {
                    println!("{}/{s}/{c}: benchmark", scenario.name);
                }
                for (s, c) in scenario.controls() {
                    println!("{}/{}/{c}: benchmark", scenario.name, s.row_name(false));
                }
            }
            for point in log.scale.iter().flat_map(|s| &s.points) {
                for row in &point.rows {
                    println!("scale/{}/{}: benchmark", row.strategy, point.concurrency);
                }
            }
        } else {
            drive::scenarios(exe, &chosen, &split, &mut log, test)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        if partial {
            println!("wikifetch: partial run (filter, --test or --list): results/ left as it was");
            return;
        }
        // The footprint (memory held between calls and in flight, C = 100
        // and 1000, one reading each) only in the sweep: the curve reads
        // memory a request in flight at every C, five times.
        let mut step = Instant::now();
        if sweep {
            match drive::footprints(exe, &split) {
                Ok(f) => log.footprint = Some(f),
                Err(e) => eprintln!("wikifetch: the footprint was not measured: {e}"),
            }
            step = timed(&mut log, "footprint", step);
        }
        match wikifetch_rig::controls::measure(exe, Path::new(BARE), &split) {
            Ok(controls) => log.controls = Some(controls),
            Err(e) => eprintln!("wikifetch: the rig's controls were not measured: {e}"),
        }
        let step = timed(&mut log, "the rig's controls", step);
        log.instructions = drive::instructions(exe, &split, &paths.criterion);
        let step = timed(&mut log, "instructions (callgrind)", step);
        log.syscalls = drive::syscalls(exe, &split, &paths.criterion);
        let step = timed(&mut log, "system calls (strace)", step);
        log.wrk = external::mock_ceiling(exe, &split);
        let step = timed(&mut log, "the mock's ceiling (wrk)", step);
        log.python = external::python_reference(&paths, exe, &split);
        timed(&mut log, "the Python lesson", step);
        log::finish(&mut log, started.elapsed());
        // Where each model gives out alone: the committed probe, if any
        // (`cargo run --release -- limits --out results/limits.json`).
        let probe = paths.results.join("limits.json");
        log.limits = wikifetch_runlog::LimitsLog::load(&probe)
            .map_err(|e| eprintln!("wikifetch: no limits probe to report: {e}"))
            .ok();
        // The run this one replaces in results/ (or the log named by
        // WIKIFETCH_AGAINST), to say whether it reproduces it; none on a
        // first run or a log of another schema.
        let against =
            std::env::var_os("WIKIFETCH_AGAINST").map_or(paths.run_log.clone(), PathBuf::from);
        log.earlier = RunLog::load(&against)
            .and_then(|old| wikifetch_report::earlier(&old))
            .map_err(|e| eprintln!("wikifetch: no earlier run to compare with: {e}"))
            .ok();
        log
    };
    match wikifetch_report::write(&log, &paths.results) {
        Ok(written) => println!("wikifetch: wrote results/{}", written.join(", results/")),
        Err(e) => {
            eprintln!("wikifetch: could not write the report: {e}");
            std::process::exit(1);
        }
    }
}

/// Counts the time since `since` to step `name` of `log`; the start of
/// the next step.
fn timed(log: &mut RunLog, name: &str, since: Instant) -> Instant {
    log.spent(name, since.elapsed().as_secs_f64());
    Instant::now()
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
