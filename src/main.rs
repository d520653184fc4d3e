//! The `wikifetch` command line: `fetch` extracts with any strategy, and
//! `serve` the mock MediaWiki for other clients (the Python lesson too).
//!
//! This is the only code in the workspace that prints.
#![allow(clippy::print_stdout)]

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;
use wikifetch::{Strategy, compare};
use wikifetch_core::{Config, FetchError, FetchResult, NoProgress, WIKIPEDIA_API};
use wikifetch_mock::{
    FAULT_SPEC_HELP, LATENCY_SPEC_HELP, Latency, MockWiki, parse_duration, parse_faults,
};

/// Fetch the first sentences of Wikipedia articles with a loop, OS threads,
/// rayon, tokio or async-std, and see what each costs.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fetch extracts for titles given as arguments or in a file.
    ///
    /// Prints one result per title, in input order. Exits with 0 when every
    /// title has an extract, 1 when some failed, 2 on a usage error.
    Fetch(FetchArgs),
    /// Run the mock MediaWiki server in the foreground (Ctrl-C stops it).
    Serve(ServeArgs),
    /// Run every strategy on the same titles, each in its own process, and
    /// compare time against the ideal, latency percentiles, memory,
    /// threads and CPU.
    ///
    /// JSON (`--format json`): an object with `titles`, `concurrency`,
    /// `latency` and `strategies`, a list with, per strategy: `strategy`,
    /// `concurrency`, `wall_s`, `ideal_s`, `efficiency`, `p50_s`, `p90_s`,
    /// `p99_s`, `max_s`, `peak_rss_kib`, `peak_threads`, `user_s`,
    /// `system_s`, `results`, `errors` (kind → count), `requests`,
    /// `connections` (null with --api-url), `latencies_s` (per title) and
    /// `completions_s` (completion times in order).
    Compare(CompareArgs),
    /// One strategy's run for `compare`, in a child process.
    #[command(hide = true)]
    RunOne(RunOneArgs),
}

#[derive(Parser)]
struct CompareArgs {
    /// N, titles to fetch per strategy.
    #[arg(long, default_value_t = 200)]
    titles: usize,
    /// C, requests in flight (sequential always runs at 1).
    #[arg(long, short = 'c', default_value_t = 10)]
    concurrency: usize,
    #[arg(long, default_value = "20ms", value_parser = latency, help = format!("The mock's delay: {LATENCY_SPEC_HELP}"))]
    latency: Latency,
    #[arg(long, default_value = "", help = format!("Injected failures: {FAULT_SPEC_HELP}"))]
    faults: String,
    /// Strategies to run, comma-separated (default: all, in the usual order).
    #[arg(long, value_enum, value_delimiter = ',')]
    strategies: Vec<Strategy>,
    /// `table` for people, `json` for scripts.
    #[arg(long, value_enum, default_value_t = CompareFormat::Table)]
    format: CompareFormat,
    /// Also write an SVG completion timeline here.
    #[arg(long, value_name = "PATH.svg")]
    plot: Option<PathBuf>,
    /// Use this running server (a `wikifetch serve`) instead of starting a
    /// mock; give the same --latency it was started with, for the ideal.
    #[arg(long, value_name = "URL")]
    api_url: Option<String>,
    /// Seed for the mock's latency samples and fault choices.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

#[derive(Parser)]
struct RunOneArgs {
    #[arg(long, value_enum)]
    strategy: Strategy,
    #[arg(long)]
    api_url: String,
    #[arg(long)]
    titles: usize,
    #[arg(long)]
    concurrency: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CompareFormat {
    Table,
    Json,
}

#[derive(Parser)]
struct FetchArgs {
    /// Titles to fetch, spelled as on Wikipedia (`AT&T`, `C++` and `東京` are fine).
    titles: Vec<String>,
    /// Also read titles from this file, one per line (empty lines skipped).
    #[arg(long, value_name = "PATH")]
    titles_file: Option<PathBuf>,
    /// How to fetch.
    #[arg(long, value_enum, default_value_t = Strategy::Sequential)]
    strategy: Strategy,
    /// The MediaWiki API endpoint (a `wikifetch serve` URL, for example).
    #[arg(long, default_value = WIKIPEDIA_API, value_name = "URL")]
    api_url: String,
    /// Requests in flight at once (ignored by `sequential`).
    #[arg(long, short = 'c', default_value_t = 10)]
    concurrency: usize,
    /// Sentences per extract, 1 to 10.
    #[arg(long, default_value_t = 5)]
    exsentences: u8,
    /// Time allowed per attempt, like `10s` or `500ms`.
    #[arg(long, default_value = "10s", value_parser = duration)]
    timeout: Duration,
    /// Retries of transient failures (429, 5xx, maxlag, timeouts) per title.
    #[arg(long, default_value_t = 3)]
    retries: u32,
    /// Contact information for the User-Agent (an e-mail address for heavy live use).
    #[arg(long)]
    contact: Option<String>,
    /// `text` for people, `json` for one JSON object per line.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Parser)]
struct ServeArgs {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    #[arg(long, default_value = "0", value_parser = latency, help = format!("Delay before each answer: {LATENCY_SPEC_HELP}"))]
    latency: Latency,
    #[arg(long, default_value = "", help = format!("Injected failures: {FAULT_SPEC_HELP}"))]
    faults: String,
    /// Seed for latency samples and fault choices.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn duration(s: &str) -> Result<Duration, String> {
    parse_duration(s).map_err(|e| e.to_string())
}

fn latency(s: &str) -> Result<Latency, String> {
    s.parse()
        .map_err(|e: wikifetch_mock::SpecError| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Fetch(args) => fetch(args),
        Command::Serve(args) => serve(args),
        Command::Compare(args) => compare(args),
        Command::RunOne(args) => run_one(args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("wikifetch: {message}");
            ExitCode::from(2)
        }
    }
}

/// A title read from input: its text, or why it could not be read.
type Input = (String, Option<FetchError>);

fn fetch(args: FetchArgs) -> Result<ExitCode, String> {
    let mut inputs: Vec<Input> = args.titles.iter().map(|t| (t.clone(), None)).collect();
    if let Some(path) = &args.titles_file {
        inputs.extend(read_titles_file(path)?);
    }
    if inputs.is_empty() {
        return Err("no titles: give some as arguments or with --titles-file".into());
    }

    let mut config = Config::for_api(&args.api_url);
    config.concurrency = args.concurrency;
    config.exsentences = args.exsentences;
    config.timeout = args.timeout;
    config.retry.max_retries = args.retries;
    if let Some(contact) = args.contact {
        config.contact = contact;
    }
    if config.is_live_wikimedia()
        && args.strategy != Strategy::Sequential
        && config.concurrency > 10
    {
        eprintln!(
            "wikifetch: warning: {} requests at once against live Wikimedia is more than its \
             API etiquette asks; prefer --concurrency 10 or less, and add --contact",
            config.concurrency
        );
    }
    let fetcher = args.strategy.build(&config).map_err(|e| e.to_string())?;

    // Unreadable lines are not fetched; the rest are, and all are reported
    // in input order.
    let readable: Vec<String> = inputs
        .iter()
        .filter(|(_, e)| e.is_none())
        .map(|(t, _)| t.clone())
        .collect();
    let mut fetched = fetcher.fetch_all(&readable, &NoProgress).into_iter();
    let results: Vec<FetchResult> = inputs
        .iter()
        .map(|(_, unreadable)| match unreadable {
            Some(e) => Err(e.clone()),
            None => fetched.next().unwrap_or_else(|| {
                Err(FetchError::Panicked {
                    message: "the strategy returned too few results".into(),
                })
            }),
        })
        .collect();

    let all_ok = results.iter().all(Result::is_ok);
    print_results(&inputs, &results, args.format)
        .map_err(|e| format!("cannot write the output: {e}"))?;
    // For tests and measurements: how much memory the fetch needed.
    if std::env::var_os("WIKIFETCH_PEAK_RSS").is_some() {
        if let Some(kib) = wikifetch::report::peak_rss_kib() {
            eprintln!("wikifetch: peak RSS {kib} KiB");
        }
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Reads one title per line; a line that is not UTF-8 becomes an error for
/// that line, naming it, and the others are still fetched.
fn read_titles_file(path: &Path) -> Result<Vec<Input>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .map(|(i, line)| (i + 1, line.strip_suffix(b"\r").unwrap_or(line)))
        .filter(|(_, line)| !line.is_empty())
        .map(|(number, line)| match std::str::from_utf8(line) {
            Ok(title) => (title.to_owned(), None),
            Err(e) => (
                String::from_utf8_lossy(line).into_owned(),
                Some(FetchError::InvalidTitle {
                    reason: format!(
                        "line {number} of {} is not valid UTF-8 ({e})",
                        path.display()
                    ),
                }),
            ),
        })
        .collect())
}

fn print_results(inputs: &[Input], results: &[FetchResult], format: Format) -> io::Result<()> {
    let mut out = BufWriter::new(io::stdout().lock());
    for ((title, _), result) in inputs.iter().zip(results) {
        match format {
            Format::Json => {
                let line = match result {
                    Ok(e) => json!({"title": title, "page_title": e.page_title, "extract": e.text}),
                    Err(e) => {
                        json!({"title": title, "error": {"kind": e.kind(), "message": e.to_string()}})
                    }
                };
                writeln!(out, "{line}")?;
            }
            Format::Text => match result {
                Ok(e) if e.page_title == *title => writeln!(out, "== {title} ==\n{}\n", e.text)?,
                Ok(e) => writeln!(out, "== {title} (→ {}) ==\n{}\n", e.page_title, e.text)?,
                Err(e) => writeln!(out, "== {title} ==\nerror ({}): {e}\n", e.kind())?,
            },
        }
    }
    out.flush()
}

fn serve(args: ServeArgs) -> Result<ExitCode, String> {
    let faults = parse_faults(&args.faults).map_err(|e| e.to_string())?;
    // Clients may hold a thousand connections or more; raise the open-files
    // limit as far as allowed, and say so if it stays low.
    if let Err(e) = wikifetch_core::limits::ensure_open_files(8192) {
        eprintln!("wikifetch: warning: {e}");
    }
    let mock = MockWiki::builder()
        .port(args.port)
        .latency(args.latency)
        .faults(faults)
        .seed(args.seed)
        .start()
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", args.port))?;
    println!("{}", mock.api_url());
    eprintln!(
        "wikifetch: serving a mock MediaWiki (latency {}) at {}; Ctrl-C stops it",
        args.latency,
        mock.api_url()
    );
    io::stdout().flush().map_err(|e| e.to_string())?;
    wikifetch_mock::wait_for_ctrl_c().map_err(|e| e.to_string())?;
    let stats = mock.stats();
    eprintln!(
        "wikifetch: stopped after {} requests (at most {} in flight)",
        stats.requests, stats.max_in_flight
    );
    Ok(ExitCode::SUCCESS)
}

fn run_one(args: RunOneArgs) -> Result<ExitCode, String> {
    let mut config = Config::for_api(&args.api_url);
    config.concurrency = args.concurrency;
    let mut stdout = io::stdout();
    let measured = compare::run_one(args.strategy, &config, args.titles, &mut stdout)?;
    let json = serde_json::to_string(&measured).map_err(|e| e.to_string())?;
    writeln!(stdout, "{json}").map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

fn compare(args: CompareArgs) -> Result<ExitCode, String> {
    if args.titles == 0 || args.concurrency == 0 {
        return Err("--titles and --concurrency must be at least 1".into());
    }
    let strategies = if args.strategies.is_empty() {
        Strategy::ALL.to_vec()
    } else {
        args.strategies.clone()
    };
    let faults = parse_faults(&args.faults).map_err(|e| e.to_string())?;
    let _ = wikifetch_core::limits::ensure_open_files(2 * args.concurrency as u64 + 256);
    let mock = match &args.api_url {
        Some(_) => None,
        None => Some(
            MockWiki::builder()
                .latency(args.latency)
                .faults(faults)
                .seed(args.seed)
                .count_connections(true)
                .start()
                .map_err(|e| format!("cannot start the mock: {e}"))?,
        ),
    };
    let url = match (&args.api_url, &mock) {
        (Some(url), _) => url.clone(),
        (None, Some(m)) => m.api_url(),
        (None, None) => return Err("no server".into()),
    };
    let exe = std::env::current_exe().map_err(|e| format!("cannot find my own binary: {e}"))?;
    let show_bars = io::stdout().is_terminal() && args.format == CompareFormat::Table;
    let mut rows = Vec::new();
    for strategy in strategies {
        let c = if strategy == Strategy::Sequential {
            1
        } else {
            args.concurrency
        };
        if let Some(m) = &mock {
            m.recycle().map_err(|e| e.to_string())?;
        }
        let mut child = std::process::Command::new(&exe)
            .args(["run-one", "--strategy", strategy.name(), "--api-url", &url])
            .args([
                "--titles",
                &args.titles.to_string(),
                "--concurrency",
                &c.to_string(),
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the {strategy} run: {e}"))?;
        let bar = if show_bars {
            indicatif::ProgressBar::new(args.titles as u64)
        } else {
            indicatif::ProgressBar::hidden()
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix:>20} [{bar:40}] {pos}/{len} {elapsed_precise}",
            )
            .map_err(|e| e.to_string())?
            .progress_chars("=> "),
        );
        bar.set_prefix(strategy.name());
        let stdout = child.stdout.take().ok_or("no child stdout")?;
        let measured = compare::read_child(stdout, || bar.inc(1));
        bar.finish();
        let output = child.wait_with_output().map_err(|e| e.to_string())?;
        let measured = measured.map_err(|e| {
            format!(
                "{strategy}: {e}: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            )
        })?;
        let stats = mock.as_ref().map(MockWiki::stats);
        let ideal = compare::ideal(&args.latency, args.seed, args.titles, c);
        rows.push(compare::compared(
            measured,
            c,
            ideal,
            stats.map(|s| s.requests),
            stats.and_then(|s| s.connections),
        ));
    }
    if let Some(path) = &args.plot {
        let runs: Vec<(String, Vec<f64>)> = rows
            .iter()
            .map(|r| {
                (
                    r.measured.strategy.clone(),
                    r.measured.completions_s.clone(),
                )
            })
            .collect();
        let delay = match args.latency {
            Latency::Fixed(d) => Some(d.as_secs_f64()),
            _ => None,
        };
        let svg = wikifetch::report::plot::timeline(&runs, args.titles, args.concurrency, delay)
            .map_err(|e| format!("plot: {e}"))?;
        std::fs::write(path, svg).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let mut out = io::stdout().lock();
    match args.format {
        CompareFormat::Json => {
            let json = json!({
                "titles": args.titles,
                "concurrency": args.concurrency,
                "latency": args.latency.to_string(),
                "strategies": rows,
            });
            writeln!(out, "{json}").map_err(|e| e.to_string())?;
        }
        CompareFormat::Table => {
            writeln!(out, "{}", compare_table(&rows)).map_err(|e| e.to_string())?;
        }
    }
    let lost = rows.iter().any(|r| r.measured.results != args.titles);
    Ok(if lost {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn compare_table(rows: &[compare::Compared]) -> comfy_table::Table {
    use comfy_table::{CellAlignment, Table, presets::ASCII_MARKDOWN};
    let t = wikifetch::report::time;
    let mut table = Table::new();
    table.load_preset(ASCII_MARKDOWN).set_header(vec![
        "strategy",
        "C",
        "wall",
        "ideal",
        "efficiency",
        "p50",
        "p90",
        "p99",
        "max",
        "peak RSS",
        "threads",
        "user CPU",
        "sys CPU",
        "requests",
        "connections",
        "errors",
    ]);
    for r in rows {
        let m = &r.measured;
        let errors: usize = m.errors.values().sum();
        let errors = if errors == 0 {
            "0".to_owned()
        } else {
            m.errors
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let opt = |v: Option<u64>| v.map_or("–".to_owned(), |v| v.to_string());
        table.add_row(vec![
            m.strategy.clone(),
            r.concurrency.to_string(),
            t(m.wall_s),
            t(r.ideal_s),
            format!("{:.2}", r.efficiency),
            t(r.p50_s),
            t(r.p90_s),
            t(r.p99_s),
            t(r.max_s),
            format!("{:.1} MiB", m.peak_rss_kib as f64 / 1024.0),
            m.peak_threads.to_string(),
            t(m.user_s),
            t(m.system_s),
            opt(r.requests),
            opt(r.connections),
            errors,
        ]);
    }
    for i in 1..16 {
        if let Some(column) = table.column_mut(i) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}
