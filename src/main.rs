//! The `wikifetch` command line: `fetch` extracts with any strategy, and
//! `serve` the mock MediaWiki for other clients (the Python lesson too).
//!
//! This is the only code in the workspace that prints.
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
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
    /// Run every strategy on the same titles, each in its own process, held
    /// to a floor: a near-free reference client at the same C.
    ///
    /// The mock runs in its own process on its own CPU. Each row makes one
    /// untimed warm-up call, then --rounds timed calls in shuffled order.
    ///
    /// JSON (`--format json`): an object with `titles`, `concurrency`,
    /// `latency`, `rounds`, `cpus` and `strategies`, a list of rows (the
    /// `reference` floors first), each with: `strategy`, `concurrency`,
    /// `median_s`, `min_s`, `max_s`, `floor_s`, `efficiency_floor`,
    /// `ideal_s`, `efficiency_nominal`, `client_cpu_per_title_s`,
    /// `p50_s`, `p90_s`, `p99_s`, `max_latency_s`, `peak_threads` (during
    /// the warm-up), `rss_profile_kib` (at every tenth of the warm-up's
    /// titles), `premise` (null, or what the timed calls did that the row
    /// does not claim), `mock_totals` (the mock's CPU per request, busy
    /// share, peak in flight, connections; null with --api-url), `warmup`
    /// and `calls` (per call: `wall_s`, `client_cpu_s`, `results`, `errors`
    /// by kind, `peak_rss_kib`, `latencies_s`, `completions_s`) and `mock`
    /// (per timed call: `wall_s`, `mock_cpu_s`, `requests`,
    /// `max_in_flight`, `connections`).
    Compare(CompareArgs),
    /// Measure the rig itself: the mock's throughput against a bare
    /// wiremock server on the same core, and how accurate its delays are.
    /// Prints JSON.
    Controls,
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
    /// The mock's counters are then not read.
    #[arg(long, value_name = "URL")]
    api_url: Option<String>,
    /// Seed for the mock's latency samples and fault choices, and for the
    /// order of the timed calls.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Timed calls per strategy, after one untimed warm-up call.
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// Start the mock with HTTPS (every row, the floor too, trusts its CA).
    #[arg(long, conflicts_with = "api_url")]
    tls: bool,
    /// A network round trip in front of the mock, like `50ms` (see
    /// `serve --rtt`); the ideal adds it to every request.
    #[arg(long, default_value = "0", value_parser = duration, conflicts_with = "api_url")]
    rtt: Duration,
    /// Also run these strategies as control rows that open a new connection
    /// for every request (`<name>-no-keep-alive`), comma-separated.
    #[arg(long, value_enum, value_delimiter = ',')]
    no_keep_alive: Vec<Strategy>,
}

#[derive(Parser)]
struct RunOneArgs {
    #[arg(long, value_enum, required_unless_present = "reference")]
    strategy: Option<Strategy>,
    /// Run the reference client (the floor) instead of a strategy.
    #[arg(long)]
    reference: bool,
    #[arg(long)]
    api_url: String,
    #[arg(long)]
    titles: usize,
    #[arg(long)]
    concurrency: usize,
    /// Title lists to build (`timed K` fetches list K).
    #[arg(long, default_value_t = 1)]
    layouts: usize,
    /// Trust this CA certificate (PEM) for an `https` API.
    #[arg(long, value_name = "PATH")]
    ca_cert: Option<PathBuf>,
    /// Open a new connection for every request (a control row).
    #[arg(long)]
    no_keep_alive: bool,
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
    /// Requests in flight at once (ignored by `sequential`). Default: 1 for
    /// `batched` (batches in series); otherwise 3 against live Wikimedia,
    /// as its guidance asks, and 10 elsewhere.
    #[arg(long, short = 'c')]
    concurrency: Option<usize>,
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
    /// Trust the certificates in this PEM file for `https`, instead of the
    /// web's roots: for a `wikifetch serve --tls` mock, the file it names.
    #[arg(long, value_name = "PATH")]
    ca_cert: Option<PathBuf>,
    /// Open a new connection for every request, as the lesson's
    /// `requests.get` does (a control: what keep-alive is worth).
    #[arg(long)]
    no_keep_alive: bool,
    /// `text` for people, `json` for one JSON object per line, `summary`
    /// for one line of counts.
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
    /// Threads serving the port, each with its own SO_REUSEPORT listener
    /// (give the mock as many cores as it has workers).
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Run only on these CPUs, like `taskset -c` (for example `1` or `2,3`).
    #[arg(long, value_name = "LIST")]
    cpus: Option<String>,
    /// Serve HTTPS, with a certificate signed by a CA made at start-up; the
    /// CA certificate is written to `--ca-out` for clients to trust
    /// (`wikifetch fetch --ca-cert PATH`).
    #[arg(long)]
    tls: bool,
    /// Where `--tls` writes the CA certificate (PEM). Default: a file named
    /// after the port in the system's temporary directory.
    #[arg(long, value_name = "PATH", requires = "tls")]
    ca_out: Option<PathBuf>,
    /// A network round trip in front of the mock, like `50ms`: each byte
    /// crosses after half of it, and a new connection waits one round trip
    /// before its first byte (TCP's handshake). Default 0: loopback.
    #[arg(long, default_value = "0", value_parser = duration)]
    rtt: Duration,
    /// Serve the rig's control instead of the mock: a bare wiremock server
    /// answering every request with this many bytes, and nothing else.
    #[arg(long, value_name = "BYTES", hide = true)]
    bare_wiremock: Option<usize>,
    /// Exit when the process that started this one does (the rig's mocks).
    #[arg(long, hide = true)]
    exit_with_parent: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    /// One line: how many titles got an extract and how many failed, by kind.
    Summary,
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
        Command::Controls => controls(),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("wikifetch: {message}");
            ExitCode::from(2)
        }
    }
}

/// The warning `fetch` prints when more requests than Wikimedia asks for
/// would be in flight against its live API; `None` otherwise.
fn live_warning(config: &Config, strategy: Strategy) -> Option<String> {
    let limit = wikifetch_core::LIVE_MAX_CONCURRENCY;
    (config.is_live_wikimedia() && strategy != Strategy::Sequential && config.concurrency > limit)
        .then(|| {
            format!(
                "wikifetch: warning: {} requests at once against live Wikimedia; its guidance asks for at most \
                 {limit} in parallel (https://www.mediawiki.org/wiki/API:Etiquette). Prefer --concurrency {limit} \
                 or less, and add --contact.",
                config.concurrency
            )
        })
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
    match args.concurrency {
        Some(c) => config.concurrency = c,
        // Batches go one after another unless the user asks otherwise.
        None if args.strategy.in_series() => config.concurrency = 1,
        None => {}
    }
    config.exsentences = args.exsentences;
    config.timeout = args.timeout;
    config.retry.max_retries = args.retries;
    if let Some(contact) = args.contact {
        config.contact = contact;
    }
    config.ca_cert_pem = args.ca_cert.as_deref().map(read_ca_cert).transpose()?;
    config.keep_alive = !args.no_keep_alive;
    if let Some(warning) = live_warning(&config, args.strategy) {
        eprintln!("{warning}");
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
        if let Some(usage) = wikifetch_rig::process::usage(None) {
            eprintln!("wikifetch: peak RSS {} KiB", usage.peak_rss_kib);
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
    if format == Format::Summary {
        let mut failed: BTreeMap<&str, usize> = BTreeMap::new();
        for e in results.iter().filter_map(|r| r.as_ref().err()) {
            *failed.entry(e.kind()).or_insert(0) += 1;
        }
        let kinds: Vec<String> = failed.iter().map(|(k, n)| format!("{k}: {n}")).collect();
        writeln!(
            out,
            "{} titles, {} with an extract, {} failed{}",
            results.len(),
            results.iter().filter(|r| r.is_ok()).count(),
            failed.values().sum::<usize>(),
            if kinds.is_empty() {
                String::new()
            } else {
                format!(" ({})", kinds.join(", "))
            }
        )?;
        return out.flush();
    }
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
            Format::Summary => {}
        }
    }
    out.flush()
}

fn serve(args: ServeArgs) -> Result<ExitCode, String> {
    if args.exit_with_parent {
        wikifetch_rig::cpus::exit_with_parent()?;
    }
    // First, before any thread exists: every thread inherits the CPUs.
    if let Some(cpus) = &args.cpus {
        wikifetch_rig::cpus::pin_this_thread(&wikifetch_rig::cpus::parse_list(cpus)?)?;
    }
    let faults = parse_faults(&args.faults).map_err(|e| e.to_string())?;
    // Clients may hold thousands of connections (`compare` keeps every
    // row's pool open at once): raise the open-files limit as far as the
    // hard limit allows, and say so if it stays below 8192.
    let _ = wikifetch_core::limits::ensure_open_files(1 << 20);
    if let Err(e) = wikifetch_core::limits::ensure_open_files(8192) {
        eprintln!("wikifetch: warning: {e}");
    }
    if let Some(bytes) = args.bare_wiremock {
        let control = wikifetch_mock::control::BareWiremock::start(args.port, vec![b' '; bytes])
            .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", args.port))?;
        println!("http://{}{}", control.address(), wikifetch_mock::API_PATH);
        io::stdout().flush().map_err(|e| e.to_string())?;
        wikifetch_mock::wait_for_ctrl_c().map_err(|e| e.to_string())?;
        return Ok(ExitCode::SUCCESS);
    }
    let mock = MockWiki::builder()
        .port(args.port)
        .latency(args.latency)
        .faults(faults)
        .seed(args.seed)
        .workers(args.workers)
        .tls(args.tls)
        .rtt(args.rtt)
        .start()
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", args.port))?;
    if let Some(pem) = mock.ca_cert_pem() {
        let path = args.ca_out.clone().unwrap_or_else(|| {
            std::env::temp_dir().join(format!("wikifetch-mock-ca-{}.pem", mock.address().port()))
        });
        std::fs::write(&path, pem)
            .map_err(|e| format!("cannot write the CA certificate to {}: {e}", path.display()))?;
        eprintln!(
            "wikifetch: the mock's CA certificate is in {}; trust it with --ca-cert {0}",
            path.display()
        );
    }
    if !args.rtt.is_zero() {
        eprintln!(
            "wikifetch: a {:?} round trip is added to every request, and one more to every new connection",
            args.rtt
        );
    }
    println!("{}", mock.api_url());
    // The rig reads the counters here, past the layers (`wikifetch-rig`).
    if let Some(admin) = mock.admin_address() {
        println!("admin http://{admin}");
    }
    eprintln!(
        "wikifetch: serving a mock MediaWiki (latency {}) at {}; Ctrl-C stops it",
        args.latency,
        mock.api_url()
    );
    io::stdout().flush().map_err(|e| e.to_string())?;
    wikifetch_mock::wait_for_ctrl_c().map_err(|e| e.to_string())?;
    let stats = mock.stats();
    eprintln!(
        "wikifetch: stopped after {} requests on {} connections (at most {} in flight)",
        stats.requests, stats.connections, stats.max_in_flight
    );
    Ok(ExitCode::SUCCESS)
}

fn controls() -> Result<ExitCode, String> {
    let split = wikifetch_rig::CpuSplit::detect();
    wikifetch_rig::cpus::pin_this_thread(&split.client)?;
    let exe = std::env::current_exe().map_err(|e| format!("cannot find my own binary: {e}"))?;
    let controls = wikifetch_rig::controls::measure(&exe, &split).map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(&controls).map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(ExitCode::SUCCESS)
}

/// The CA certificate `--ca-cert` names, as PEM text.
fn read_ca_cert(path: &std::path::Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("--ca-cert {}: {e}", path.display()))
}

fn run_one(args: RunOneArgs) -> Result<ExitCode, String> {
    let layouts: Vec<Vec<String>> = (0..args.layouts.max(1))
        .map(|k| wikifetch::scenarios::titles(args.titles, k))
        .collect();
    let client = compare::Client {
        strategy: if args.reference { None } else { args.strategy },
        keep_alive: !args.no_keep_alive,
    };
    let ca_cert_pem = args.ca_cert.as_deref().map(read_ca_cert).transpose()?;
    let runner = compare::child_runner(
        client,
        (&args.api_url, ca_cert_pem),
        args.concurrency,
        &layouts,
    )?;
    let mut stdout = io::stdout();
    compare::serve_calls(&runner, io::stdin().lock(), &mut stdout)?;
    Ok(ExitCode::SUCCESS)
}

fn compare(args: CompareArgs) -> Result<ExitCode, String> {
    if args.titles == 0 || args.concurrency == 0 || args.rounds == 0 {
        return Err("--titles, --concurrency and --rounds must be at least 1".into());
    }
    // First, before any thread exists: this process and its children are the client.
    let split = wikifetch_rig::CpuSplit::detect();
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
    let options = compare::Options {
        titles: args.titles,
        concurrency: args.concurrency,
        series: false,
        latency: args.latency,
        strategies,
        rounds: args.rounds,
        seed: args.seed,
        layouts: 1,
        no_keep_alive: args.no_keep_alive.clone(),
        ca_cert: mock
            .as_ref()
            .and_then(|m| m.ca_cert())
            .map(std::path::Path::to_path_buf),
        rtt: args.rtt,
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
    let rows = compare::run(&exe, &url, mock.as_ref(), &options, |event| match event {
        compare::Event::WarmupStarted(name) => {
            bar.reset();
            bar.set_length(args.titles as u64);
            bar.set_prefix(format!("{name} (warm-up)"));
        }
        compare::Event::Done => bar.inc(1),
        compare::Event::Timed(name, made, total) => {
            bar.set_length(total as u64);
            bar.set_position(made as u64);
            bar.set_prefix(format!("{name} (timed)"));
        }
    })?;
    bar.finish_and_clear();
    if let Some(path) = &args.plot {
        // The timeline of each row's median call.
        let runs: Vec<(String, Vec<f64>)> = rows
            .iter()
            .filter(|r| r.strategy != wikifetch::report::REFERENCE)
            .filter_map(|r| {
                r.calls
                    .iter()
                    .min_by(|a, b| {
                        (a.wall_s - r.median_s)
                            .abs()
                            .total_cmp(&(b.wall_s - r.median_s).abs())
                    })
                    .map(|m| (r.strategy.clone(), m.completions_s.clone()))
            })
            .collect();
        use wikifetch::report::plot::Ideal;
        let ideal = match args.latency {
            Latency::Fixed(d) => Ideal::Staircase(d.as_secs_f64()),
            uneven => {
                let delays: Vec<std::time::Duration> = wikifetch::scenarios::titles(args.titles, 0)
                    .iter()
                    .map(|t| uneven.sample(args.seed, t, 1))
                    .collect();
                Ideal::Curve(
                    "in-order queue over the same delays (ideal)",
                    wikifetch::scenarios::queue_completions(&delays, args.concurrency)
                        .iter()
                        .map(std::time::Duration::as_secs_f64)
                        .collect(),
                )
            }
        };
        let svg = wikifetch::report::plot::timeline(&runs, args.titles, args.concurrency, ideal)
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
                "rounds": args.rounds,
                "cpus": split.describe(),
                "strategies": rows,
            });
            writeln!(out, "{json}").map_err(|e| e.to_string())?;
        }
        CompareFormat::Table => {
            writeln!(out, "{}", compare_table(&rows)).map_err(|e| e.to_string())?;
            writeln!(
                out,
                "{} timed calls per row after one warm-up, in shuffled order; {}.",
                args.rounds,
                split.describe()
            )
            .map_err(|e| e.to_string())?;
        }
    }
    let lost = rows.iter().any(|r| {
        r.calls
            .iter()
            .chain([&r.warmup])
            .any(|m| m.results != args.titles)
    });
    Ok(if lost {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn compare_table(rows: &[compare::Compared]) -> comfy_table::Table {
    use comfy_table::{CellAlignment, Table, presets::ASCII_MARKDOWN};
    let t = wikifetch::report::time;
    let us = wikifetch::report::us3;
    let mut table = Table::new();
    table.load_preset(ASCII_MARKDOWN).set_header(vec![
        "strategy",
        "C",
        "median",
        "min – max",
        "vs floor",
        "vs ideal",
        "p50",
        "p99",
        "client CPU / title",
        "mock CPU / request",
        "mock busy",
        "in flight",
        "new conns",
        "threads",
        "peak RSS",
        "errors",
    ]);
    let opt = |v: Option<f64>| v.map_or("–".to_owned(), |v| format!("{v:.2}"));
    for r in rows {
        let errors: BTreeMap<&str, usize> = r
            .calls
            .iter()
            .chain([&r.warmup])
            .flat_map(|m| m.errors.iter().map(|(k, v)| (k.as_str(), *v)))
            .fold(BTreeMap::new(), |mut acc, (k, v)| {
                *acc.entry(k).or_insert(0) += v;
                acc
            });
        let errors = if errors.is_empty() {
            "0".to_owned()
        } else {
            errors
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut name = r.strategy.clone();
        if r.strategy == wikifetch::report::REFERENCE {
            name.push_str(" (floor)");
        }
        if r.mock_totals.is_some_and(|m| m.rig_bound()) {
            name.push_str(" ⚠ rig-bound");
        }
        if let Some(p) = &r.premise {
            name.push_str(&format!(" ⚠ {p}"));
        }
        let m = r.mock_totals;
        table.add_row(vec![
            name,
            r.concurrency.to_string(),
            t(r.median_s),
            format!("{} – {}", t(r.min_s), t(r.max_s)),
            opt(r.efficiency_floor),
            format!("{:.2}", r.efficiency_nominal),
            // The reference client reports no per-title latencies.
            if r.warmup.latencies_s.is_empty() {
                "–".into()
            } else {
                t(r.p50_s)
            },
            if r.warmup.latencies_s.is_empty() {
                "–".into()
            } else {
                t(r.p99_s)
            },
            us(r.client_cpu_per_title_s),
            m.map_or("–".into(), |m| us(m.mock_cpu_per_request_s)),
            m.map_or("–".into(), |m| format!("{:.0} %", m.mock_busy * 100.0)),
            m.map_or("–".into(), |m| m.max_in_flight.to_string()),
            m.map_or("–".into(), |m| m.connections.to_string()),
            r.peak_threads.to_string(),
            format!(
                "{:.1} MiB",
                r.calls
                    .iter()
                    .chain([&r.warmup])
                    .map(|m| m.peak_rss_kib)
                    .max()
                    .unwrap_or(0) as f64
                    / 1024.0
            ),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_use_above_wikimedias_limit_is_warned_about() {
        let mut live = Config::default();
        assert_eq!(
            live_warning(&live, Strategy::Tokio),
            None,
            "the live default is within the limit"
        );
        live.concurrency = 4;
        let warning = live_warning(&live, Strategy::Tokio).unwrap();
        assert!(
            warning.contains("4 requests at once") && warning.contains("at most 3"),
            "{warning}"
        );
        // One at a time is always polite; a local server is nobody's business.
        assert_eq!(live_warning(&live, Strategy::Sequential), None);
        let mut local = Config::for_api("http://127.0.0.1:8080/w/api.php");
        local.concurrency = 1000;
        assert_eq!(live_warning(&local, Strategy::Tokio), None);
    }
}
