//! `wikifetch compare`: every strategy on the same titles, each in a
//! process of its own, held to its floor, measured as `cargo bench`
//! measures and analysed by the same code.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use wikifetch_harness::scenarios::{Network, Scenario};
use wikifetch_harness::session;
use wikifetch_mock::{FAULT_SPEC_HELP, LATENCY_SPEC_HELP, Latency, parse_faults};
use wikifetch_registry::Strategy;
use wikifetch_runlog::ScenarioFacts;

use super::{duration, latency};

#[derive(Parser)]
pub struct CompareArgs {
    /// N, titles to fetch per strategy.
    #[arg(long, default_value_t = 200)]
    pub titles: usize,
    /// C, requests in flight (sequential always runs at 1).
    #[arg(long, short = 'c', default_value_t = 10)]
    pub concurrency: usize,
    #[arg(long, default_value = "20ms", value_parser = latency, help = format!("The mock's delay: {LATENCY_SPEC_HELP}"))]
    pub latency: Latency,
    #[arg(long, default_value = "", help = format!("Injected failures: {FAULT_SPEC_HELP}"))]
    pub faults: String,
    /// Strategies to run, comma-separated (default: all, in the usual order).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub strategies: Vec<Strategy>,
    /// `table` for people, `json` for scripts.
    #[arg(long, value_enum, default_value_t = CompareFormat::Table)]
    pub format: CompareFormat,
    /// Also write an SVG completion timeline here.
    #[arg(long, value_name = "PATH.svg")]
    pub plot: Option<PathBuf>,
    /// Use this running server (a `wikifetch serve`) instead of starting a
    /// mock; give the same --latency it was started with, for the ideal.
    /// The mock's counters are then not read.
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// Seed for the mock's latency samples and fault choices, and for the
    /// order of the timed calls.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Timed calls per strategy, after one untimed warm-up call.
    #[arg(long, default_value_t = 5)]
    pub rounds: usize,
    /// Start the mock with HTTPS (every row, the floor too, trusts its CA).
    #[arg(long, conflicts_with = "api_url")]
    pub tls: bool,
    /// A network round trip in front of the mock, like `50ms` (see
    /// `serve --rtt`); the ideal adds it to every request.
    #[arg(long, default_value = "0", value_parser = duration, conflicts_with = "api_url")]
    pub rtt: Duration,
    /// Also run these strategies as control rows that open a new connection
    /// for every request (`<name>-no-keep-alive`), comma-separated.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub no_keep_alive: Vec<Strategy>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompareFormat {
    Table,
    Json,
}

pub fn compare(args: CompareArgs) -> Result<ExitCode, String> {
    if args.titles == 0 || args.concurrency == 0 || args.rounds == 0 {
        return Err("--titles, --concurrency and --rounds must be at least 1".into());
    }
    // First, before any thread exists: this process and its children are the client.
    let split = wikifetch_rig::cpus::detect();
    wikifetch_rig::cpus::pin_this_thread(&split.client)?;
    let strategies = if args.strategies.is_empty() {
        Strategy::ALL.to_vec()
    } else {
        args.strategies.clone()
    };
    parse_faults(&args.faults).map_err(|e| e.to_string())?;
    let _ = wikifetch_core::limits::ensure_open_files(4 * args.concurrency as u64 + 256);
    let exe = std::env::current_exe().map_err(|e| format!("cannot find my own binary: {e}"))?;
    let mock = match &args.api_url {
        Some(_) => None,
        None => Some(
            wikifetch_rig::MockProcess::start(
                &exe,
                &wikifetch_rig::MockSpec {
                    latency: args.latency.to_string(),
                    faults: args.faults.clone(),
                    seed: args.seed,
                    cpus: split.mock.clone(),
                    tls: args.tls,
                    rtt: args.rtt,
                    ..wikifetch_rig::MockSpec::default()
                },
            )
            .map_err(|e| format!("cannot start the mock: {e}"))?,
        ),
    };
    let url = match (&args.api_url, &mock) {
        (Some(url), _) => url.clone(),
        (None, Some(m)) => m.api_url().to_owned(),
        (None, None) => return Err("no server".into()),
    };
    let options = session::Options {
        scenario: "compare".into(),
        titles: args.titles,
        concurrency: args.concurrency,
        series: false,
        strategies: strategies.clone(),
        first_round: 0,
        block: 0,
        rounds: args.rounds,
        seed: args.seed,
        layouts: 1,
        no_keep_alive: args.no_keep_alive.clone(),
        ca_cert: mock
            .as_ref()
            .and_then(|m| m.ca_cert())
            .map(std::path::Path::to_path_buf),
    };
    let show_bars = io::stdout().is_terminal() && args.format == CompareFormat::Table;
    let bar = if show_bars {
        indicatif::ProgressBar::new(args.titles as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{prefix:>24} [{bar:40}] {pos}/{len} {elapsed_precise}",
        )
        .map_err(|e| e.to_string())?
        .progress_chars("=> "),
    );
    let records = session::run(&exe, &url, mock.as_ref(), &options, |event| match event {
        session::Event::WarmupStarted(name) => {
            bar.reset();
            bar.set_length(args.titles as u64);
            bar.set_prefix(format!("{name} (warm-up)"));
        }
        session::Event::Done => bar.inc(1),
        session::Event::Timed(name, made, total) => {
            bar.set_length(total as u64);
            bar.set_position(made as u64);
            bar.set_prefix(format!("{name} (timed)"));
        }
    })?;
    bar.finish_and_clear();

    // The comparison as a run log, analysed by the report's code.
    let scenario = Scenario {
        name: "compare",
        titles: args.titles,
        latency: args.latency,
        concurrency: vec![args.concurrency],
        strategies: &[],
        series: false,
        rounds: args.rounds,
        // One set of processes: intervals over rounds only.
        blocks: 1,
        layouts: 1,
        network: Network {
            rtt: args.rtt,
            tls: args.tls,
        },
        no_keep_alive: &[],
        about: "`wikifetch compare`",
    };
    let mut log = wikifetch_harness::log::start(false, split.clone(), &[]);
    log.scenarios.push(ScenarioFacts {
        strategies: strategies.iter().map(|s| s.name().to_owned()).collect(),
        no_keep_alive: args
            .no_keep_alive
            .iter()
            .map(|s| s.name().to_owned())
            .collect(),
        counted: mock.is_some(),
        ..scenario.facts_with_seed(args.seed)
    });
    log.records = records;
    let lost = log.records.iter().any(|r| r.lost > 0);
    let rows = wikifetch_report::rows(&log)?;
    if let Some(path) = &args.plot {
        let svg =
            wikifetch_report::compare_timeline(&log, &rows).map_err(|e| format!("plot: {e}"))?;
        std::fs::write(path, svg).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let mut out = io::stdout().lock();
    match args.format {
        CompareFormat::Json => {
            writeln!(out, "{}", log.to_json()?).map_err(|e| e.to_string())?;
        }
        CompareFormat::Table => {
            let table = wikifetch_report::compare_table(&log, &rows);
            writeln!(out, "{table}").map_err(|e| e.to_string())?;
            writeln!(
                out,
                "{} timed calls per row after one warm-up, in shuffled order; {}.",
                args.rounds,
                split.describe()
            )
            .map_err(|e| e.to_string())?;
        }
    }
    Ok(if lost {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
