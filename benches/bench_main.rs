//! `cargo bench`: every strategy against the mock, in the scenarios of
//! `wikifetch::scenarios`, then the report in `results/`.
//!
//! - Each scenario starts one mock (untimed) and builds each fetcher
//!   (runtime, pool, client) before timing; only `fetch_all` is timed.
//! - Before every timed iteration the mock is recycled (untimed): wiremock
//!   keeps a clone of every request it matched, and a run sends hundreds of
//!   thousands.
//! - Every iteration's results are checked: a title lost or failed is
//!   counted and shown in the report, never hidden.
//!
//! Environment: `WIKIFETCH_SWEEP=1` adds the large sweep (N = 10,000, C up
//! to 1000); `WIKIFETCH_REPORT_ONLY=1` skips the benchmarks and rewrites
//! `results/` from the last run's measurements.
// Benchmarks may fail loudly: a benchmark that cannot start has nothing to say.
#![allow(clippy::expect_used, clippy::panic, clippy::print_stdout)]

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use wikifetch::report::{self, RunLog, RunRecord, process_cpu_time};
use wikifetch::scenarios::{SEED, Scenario, scenarios};
use wikifetch_core::{Config, NoProgress};
use wikifetch_mock::MockWiki;

fn main() {
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
        let mut log = RunLog::new(sweep);
        for scenario in scenarios(sweep) {
            run_scenario(&mut criterion, &scenario, &mut log);
        }
        criterion.final_summary();
        if partial {
            println!("wikifetch: partial run (filter, --test or --list): results/ left as it was");
            return;
        }
        log.finish(started.elapsed());
        log.save(&paths).expect("the run log can be written");
        report::mock_ceiling(&paths);
        report::python_reference(&paths);
    }
    match report::write(&paths) {
        Ok(written) => println!("wikifetch: wrote {}", written.join(", ")),
        Err(e) => {
            eprintln!("wikifetch: could not write the report: {e}");
            std::process::exit(1);
        }
    }
}

fn run_scenario(criterion: &mut Criterion, scenario: &Scenario, log: &mut RunLog) {
    let mock = MockWiki::builder()
        .latency(scenario.latency)
        .seed(SEED)
        .start()
        .expect("the mock server starts");
    let titles = scenario.title_list();
    let mut group = criterion.benchmark_group(scenario.name);
    group
        .throughput(Throughput::Elements(titles.len() as u64))
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        // Ten samples need far fewer than criterion's default 100,000
        // bootstrap resamples for a stable interval; this saves seconds.
        .nresamples(20_000);

    for (strategy, c) in scenario.runs() {
        let mut config = Config::for_api(&mock.api_url());
        config.concurrency = c;
        let fetcher = strategy
            .build(&config)
            .unwrap_or_else(|e| panic!("{strategy} at C = {c}: {e}"));
        let mut record = RunRecord::new(scenario.name, strategy.name(), titles.len(), c);
        // One untimed call first: it checks the results, opens the
        // connections, and measures how long a call takes, to size the
        // warm-up (one call) and the ten samples (one call each when slow,
        // a few when fast).
        mock.recycle().expect("the mock recycles");
        let start = Instant::now();
        let results = fetcher.fetch_all(&titles, &NoProgress);
        let once = start.elapsed();
        let stats = mock.stats();
        record.observe(&results, stats.max_in_flight, stats.requests);
        group
            .warm_up_time(once / 2)
            .measurement_time((once * 9).max(Duration::from_secs(1)));

        group.bench_function(BenchmarkId::new(strategy.name(), c), |b| {
            b.iter_custom(|iterations| {
                let mut timed = Duration::ZERO;
                for _ in 0..iterations {
                    mock.recycle().expect("the mock recycles");
                    let cpu = process_cpu_time();
                    let start = Instant::now();
                    let results = fetcher.fetch_all(&titles, &NoProgress);
                    timed += start.elapsed();
                    if let (Some(before), Some(after)) = (cpu, process_cpu_time()) {
                        record.add_cpu(after.saturating_sub(before));
                    }
                    let stats = mock.stats();
                    record.observe(&results, stats.max_in_flight, stats.requests);
                }
                timed
            })
        });
        log.push(record);
    }
    group.finish();
}
