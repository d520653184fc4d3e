//! `wikifetch compare`: every strategy on the same titles, each in its own
//! child process, measured the way `cargo bench` measures, with its floor.
//!
//! - The mock runs in a process of its own on the mock's CPUs
//!   (`wikifetch-rig`); the children run on the client's.
//! - One child per strategy, and one reference client per C (the floor),
//!   each started once and kept: `wikifetch run-one` (hidden) reads
//!   `warmup` or `timed` on stdin, makes one call, and answers with a JSON
//!   [`Measurement`] line.
//! - Every child first makes one untimed warm-up call, which opens its
//!   connections; meanwhile the parent counts the child's threads from
//!   `/proc` and samples its resident memory at every tenth of the titles.
//! - Then one untimed round, in a shuffled order, so that every row has
//!   settled in the interleaved regime before anything is timed.
//! - Then `rounds` timed calls each, in a shuffled order per round, so that
//!   drift of the machine hits every row alike. No thread samples a timed
//!   call and the child writes nothing during it; the mock's counters are
//!   read before and after it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use wikifetch_core::{Config, Progress};
use wikifetch_mock::Latency;
use wikifetch_rig::stats::{quantile_of_sorted, shuffled};
use wikifetch_rig::{MockProcess, Sample, Totals};

use crate::Strategy;
use crate::report::REFERENCE;
use crate::runner::Runner;
use crate::scenarios::queue_ideal;

/// What one call in a child process measured about itself.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Measurement {
    /// The row's name: a strategy's, or `reference`.
    pub strategy: String,
    /// Wall time of the call, seconds.
    pub wall_s: f64,
    /// The child's own CPU time during the call (all its threads), seconds.
    pub client_cpu_s: f64,
    /// Per title, from `started` to `completed` as the client saw it
    /// (retries included), seconds; empty for the reference client.
    pub latencies_s: Vec<f64>,
    /// Completion times after the call began, in order, seconds.
    pub completions_s: Vec<f64>,
    /// Results returned (must equal the number of titles).
    pub results: usize,
    /// Failed titles by error kind.
    pub errors: BTreeMap<String, usize>,
    /// The child's peak resident memory so far, KiB.
    pub peak_rss_kib: u64,
}

impl Measurement {
    /// Titles that failed.
    pub fn failed(&self) -> usize {
        self.errors.values().sum()
    }
}

/// Per-title start and completion times, in nanoseconds after the call
/// began (0: not yet), kept in atomics so that recording costs a clock read
/// and a store. Prints `done` per completion only when asked (warm-up).
struct Recorder<'w> {
    origin: Instant,
    started: Vec<AtomicU64>,
    completed: Vec<AtomicU64>,
    events: Option<std::sync::Mutex<&'w mut (dyn Write + Send)>>,
}

impl Recorder<'_> {
    fn now(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_nanos())
            .unwrap_or(u64::MAX)
            .max(1)
    }
}

impl Progress for Recorder<'_> {
    fn started(&self, index: usize) {
        if let Some(slot) = self.started.get(index) {
            slot.store(self.now(), Ordering::Relaxed);
        }
    }

    fn completed(&self, index: usize, _ok: bool) {
        if let Some(slot) = self.completed.get(index) {
            slot.store(self.now(), Ordering::Relaxed);
        }
        if let Some(events) = &self.events {
            let mut out = events.lock().unwrap_or_else(|e| e.into_inner());
            let _ = writeln!(out, "done");
            let _ = out.flush();
        }
    }
}

/// The child's side: one call with `runner` over the titles of layout
/// `layout`, reporting each completion on `events` when given.
pub fn call_once(
    runner: &Runner,
    layout: usize,
    events: Option<&mut (dyn Write + Send)>,
) -> Measurement {
    let n = runner.titles(layout).len();
    let recorder = Recorder {
        origin: Instant::now(),
        started: (0..n).map(|_| AtomicU64::new(0)).collect(),
        completed: (0..n).map(|_| AtomicU64::new(0)).collect(),
        events: events.map(std::sync::Mutex::new),
    };
    let cpu = wikifetch_rig::process::cpu_time();
    let start = Instant::now();
    let outcome = runner.call(layout, &recorder);
    let wall = start.elapsed();
    let client_cpu = wikifetch_rig::process::cpu_time().saturating_sub(cpu);
    let seconds = |ns: u64| ns as f64 / 1e9;
    let mut completions: Vec<f64> = recorder
        .completed
        .iter()
        .map(|c| c.load(Ordering::Relaxed))
        .filter(|c| *c > 0)
        .map(seconds)
        .collect();
    completions.sort_by(f64::total_cmp);
    let latencies = recorder
        .started
        .iter()
        .zip(&recorder.completed)
        .map(|(s, c)| (s.load(Ordering::Relaxed), c.load(Ordering::Relaxed)))
        .filter(|(_, c)| *c > 0)
        .map(|(s, c)| seconds(c.saturating_sub(s)))
        .collect();
    Measurement {
        strategy: runner.name().to_owned(),
        wall_s: wall.as_secs_f64(),
        client_cpu_s: client_cpu.as_secs_f64(),
        latencies_s: latencies,
        completions_s: completions,
        results: outcome.results,
        errors: outcome.errors,
        peak_rss_kib: wikifetch_rig::process::usage(None).map_or(0, |u| u.peak_rss_kib),
    }
}

/// Seeds the order of the untimed settling round.
const SETTLE_SEED: u64 = 0x005e_771e;

/// What `compare` is asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// N.
    pub titles: usize,
    /// C for every strategy but `sequential` (1), and `batched` with
    /// [`Options::series`].
    pub concurrency: usize,
    /// Run `batched` in series (C = 1), its default, rather than at C.
    pub series: bool,
    /// The mock's latency, for its start and for the ideal.
    pub latency: Latency,
    /// The strategies, in the order the table lists them.
    pub strategies: Vec<Strategy>,
    /// Timed calls per row after the warm-up.
    pub rounds: usize,
    /// The seed for the mock and for the order of the calls.
    pub seed: u64,
    /// Title lists the rounds cycle through (round `r` fetches list
    /// `r % layouts`; see `Scenario::layouts`); the warm-up fetches list 0.
    pub layouts: usize,
    /// Strategies that also run as a control row with keep-alive off
    /// (`<name>-no-keep-alive`), at the strategy's C.
    pub no_keep_alive: Vec<Strategy>,
    /// The CA certificate every child trusts, for an `https` API.
    pub ca_cert: Option<std::path::PathBuf>,
    /// The delay line's round trip, added to every request's delay in the ideal.
    pub rtt: Duration,
}

/// What one child runs: a strategy, with its connections kept or not, or
/// (`strategy: None`) the reference client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    /// The strategy; `None`: the reference client.
    pub strategy: Option<Strategy>,
    /// Whether it keeps its connections (`Config::keep_alive`).
    pub keep_alive: bool,
}

impl Client {
    /// The reference client.
    pub const REFERENCE: Client = Client {
        strategy: None,
        keep_alive: true,
    };

    /// `strategy` with its connections kept.
    pub fn of(strategy: Strategy) -> Self {
        Self {
            strategy: Some(strategy),
            keep_alive: true,
        }
    }

    /// The row's name.
    pub fn name(self) -> String {
        self.strategy
            .map_or_else(|| REFERENCE.to_owned(), |s| s.row_name(self.keep_alive))
    }
}

/// One row of the comparison: a strategy (or a floor) at its C.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Compared {
    /// `sequential`, `tokio`, … or `reference`.
    pub strategy: String,
    /// C.
    pub concurrency: usize,
    /// The warm-up call.
    pub warmup: Measurement,
    /// The most OS threads the child had during its warm-up call (read
    /// from `/proc` by the parent every 2 ms).
    pub peak_threads: u64,
    /// The child's resident memory at each tenth of the warm-up's titles, KiB.
    pub rss_profile_kib: Vec<u64>,
    /// Every timed call, in the order made.
    pub calls: Vec<Measurement>,
    /// The mock's view of every timed call (empty with `--api-url`).
    pub mock: Vec<Sample>,
    /// Median wall time of the timed calls, seconds.
    pub median_s: f64,
    /// Fastest timed call, seconds.
    pub min_s: f64,
    /// Slowest timed call, seconds.
    pub max_s: f64,
    /// The floor: the reference client's median at this C, seconds.
    pub floor_s: Option<f64>,
    /// floor / median; `None` when the floor row was rig-bound.
    pub efficiency_floor: Option<f64>,
    /// ⌈N/C⌉ · latency, or an in-order queue over the mock's delays, seconds.
    pub ideal_s: f64,
    /// ideal / median.
    pub efficiency_nominal: f64,
    /// The client's own CPU per title over the timed calls, seconds.
    pub client_cpu_per_title_s: f64,
    /// The mock's figures over the timed calls (`None` with `--api-url`).
    pub mock_totals: Option<Totals>,
    /// What the timed calls did that the row does not claim, if anything.
    pub premise: Option<String>,
    /// Client-seen latency percentiles over every timed call, seconds.
    pub p50_s: f64,
    /// 90th percentile.
    pub p90_s: f64,
    /// 99th percentile.
    pub p99_s: f64,
    /// Slowest title.
    pub max_latency_s: f64,
}

/// A child process making calls on command.
pub(crate) struct Worker {
    name: String,
    concurrency: usize,
    process: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Worker {
    /// Starts a child for `client` at C against `url` (trusting
    /// `ca_cert` when given), over `layouts` lists of `n` titles.
    pub(crate) fn start(
        exe: &std::path::Path,
        client: Client,
        c: usize,
        (url, ca_cert): (&str, Option<&std::path::Path>),
        (n, layouts): (usize, usize),
    ) -> Result<Self, String> {
        let mut command = Command::new(exe);
        command.arg("run-one");
        match client.strategy {
            Some(s) => command.args(["--strategy", s.name()]),
            None => command.arg("--reference"),
        };
        if !client.keep_alive {
            command.arg("--no-keep-alive");
        }
        if let Some(path) = ca_cert {
            command.arg("--ca-cert").arg(path);
        }
        let mut process = command
            .args([
                "--api-url",
                url,
                "--titles",
                &n.to_string(),
                "--concurrency",
                &c.to_string(),
                "--layouts",
                &layouts.max(1).to_string(),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start a child: {e}"))?;
        let stdin = process.stdin.take().ok_or("no child stdin")?;
        let stdout = BufReader::new(process.stdout.take().ok_or("no child stdout")?);
        Ok(Self {
            name: client.name(),
            concurrency: c,
            process,
            stdin,
            stdout,
        })
    }

    fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn pid(&self) -> i32 {
        i32::try_from(self.process.id()).unwrap_or(0)
    }

    /// Asks for one call (`warmup` or `timed`); `on_done` per `done` line.
    pub(crate) fn call(
        &mut self,
        mode: &str,
        mut on_done: impl FnMut(),
    ) -> Result<Measurement, String> {
        writeln!(self.stdin, "{mode}")
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("{}: the child is gone: {e}", self.name()))?;
        let mut line = String::new();
        loop {
            line.clear();
            let read = self
                .stdout
                .read_line(&mut line)
                .map_err(|e| e.to_string())?;
            if read == 0 {
                return Err(format!(
                    "{}: the child ended without a measurement",
                    self.name()
                ));
            }
            match line.trim_end() {
                "done" => on_done(),
                json if json.starts_with('{') => {
                    return serde_json::from_str(json).map_err(|e| format!("bad measurement: {e}"));
                }
                _ => {}
            }
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// How far a comparison has got, for a progress display.
pub enum Event<'a> {
    /// A warm-up call begins for this row.
    WarmupStarted(&'a str),
    /// One title of the current warm-up call is done.
    Done,
    /// A timed call ended: (row, call number, of how many in all).
    Timed(&'a str, usize, usize),
}

/// Runs the comparison: `exe` is the `wikifetch` binary, `url` the API,
/// `mock` the mock process when there is one (its counters are read).
pub fn run(
    exe: &std::path::Path,
    url: &str,
    mock: Option<&MockProcess>,
    options: &Options,
    mut on_event: impl FnMut(Event<'_>),
) -> Result<Vec<Compared>, String> {
    let n = options.titles;
    let c_of = |s: Strategy| {
        if s == Strategy::Sequential || (options.series && s.in_series()) {
            1
        } else {
            options.concurrency
        }
    };
    let mut floors: Vec<usize> = options.strategies.iter().map(|s| c_of(*s)).collect();
    floors.sort_unstable();
    floors.dedup();
    let mut clients: Vec<(Client, usize)> =
        floors.iter().map(|c| (Client::REFERENCE, *c)).collect();
    clients.extend(
        options
            .strategies
            .iter()
            .map(|s| (Client::of(*s), c_of(*s))),
    );
    clients.extend(options.no_keep_alive.iter().map(|s| {
        let client = Client {
            strategy: Some(*s),
            keep_alive: false,
        };
        (client, c_of(*s))
    }));
    let link = (url, options.ca_cert.as_deref());
    let mut workers = Vec::new();
    for (client, c) in clients {
        workers.push(Worker::start(exe, client, c, link, (n, options.layouts))?);
    }

    // Warm-up, one worker at a time, with threads and memory read from outside.
    let mut rows = Vec::new();
    for w in &mut workers {
        on_event(Event::WarmupStarted(w.name()));
        // Every warm-up meets the same mock: faults that apply to the first
        // attempts apply to each row's, not only to the first row's.
        if let Some(m) = mock {
            m.reset().map_err(|e| format!("the mock's counters: {e}"))?;
        }
        let (pid, running, peak) = (w.pid(), AtomicBool::new(true), AtomicU64::new(0));
        let mut profile = Vec::new();
        let mut done = 0usize;
        let warmup = std::thread::scope(|scope| {
            scope.spawn(|| {
                while running.load(Ordering::Relaxed) {
                    if let Some(u) = wikifetch_rig::process::usage(Some(pid)) {
                        peak.fetch_max(u.threads, Ordering::Relaxed);
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
            });
            let result = w.call("warmup", || {
                done += 1;
                if done * 10 % n.max(1) < 10 || done == n {
                    if let Some(u) = wikifetch_rig::process::usage(Some(pid)) {
                        profile.push(u.rss_kib);
                    }
                }
                on_event(Event::Done);
            });
            running.store(false, Ordering::Relaxed);
            result
        })?;
        // The reference client reports no completions: one reading at its end.
        if profile.is_empty() {
            profile.extend(wikifetch_rig::process::usage(Some(pid)).map(|u| u.rss_kib));
        }
        rows.push((
            warmup,
            peak.load(Ordering::Relaxed),
            profile,
            Vec::new(),
            Vec::new(),
        ));
    }

    // One untimed round in shuffled order first: right after its own
    // warm-up a row can still be settling (the first timed round ran up to
    // 2 % slow for some rows and their floor), and a warm-up made one row
    // at a time leaves the machine in another state than interleaved calls.
    for i in shuffled(workers.len(), options.seed ^ SETTLE_SEED) {
        workers[i].call("timed 0", || {})?;
    }

    // Timed calls: shuffled order in every round.
    let total = options.rounds * workers.len();
    let mut made = 0;
    for round in 0..options.rounds {
        let timed = format!("timed {}", round % options.layouts.max(1));
        for i in shuffled(workers.len(), options.seed.wrapping_add(round as u64)) {
            let w = &mut workers[i];
            let (measured, sample) = match mock {
                Some(m) => {
                    let (measured, sample) = wikifetch_rig::measure(m, || w.call(&timed, || {}))
                        .map_err(|e| format!("the mock's counters: {e}"))?;
                    let measured = measured?;
                    // The call ran in the child: its own clocks, not this
                    // process's (which only waited on a pipe).
                    let sample = Sample {
                        wall_s: measured.wall_s,
                        client_cpu_s: measured.client_cpu_s,
                        ..sample
                    };
                    (measured, Some(sample))
                }
                None => (w.call(&timed, || {})?, None),
            };
            rows[i].3.push(measured);
            rows[i].4.extend(sample);
            made += 1;
            on_event(Event::Timed(w.name(), made, total));
        }
    }

    let mut compared: Vec<Compared> = workers
        .iter()
        .zip(rows)
        .map(|(w, (warmup, peak_threads, profile, calls, mock))| {
            summarize(
                &w.name,
                w.concurrency,
                warmup,
                peak_threads,
                profile,
                calls,
                mock,
                options,
            )
        })
        .collect();
    let floor_at = |c: usize, rows: &[Compared]| {
        rows.iter()
            .find(|r| r.strategy == REFERENCE && r.concurrency == c)
            .map(|r| (r.median_s, r.mock_totals.is_some_and(|t| t.rig_bound())))
    };
    let snapshot = compared.clone();
    for r in &mut compared {
        let floor = floor_at(r.concurrency, &snapshot);
        r.floor_s = floor.map(|(f, _)| f);
        // As in the report: a rig-bound floor measured the mock, not a
        // near-free client, so nothing is held to it.
        r.efficiency_floor = floor
            .filter(|(_, rig_bound)| !rig_bound)
            .map(|(f, _)| f / r.median_s);
    }
    Ok(compared)
}

#[allow(clippy::too_many_arguments)]
fn summarize(
    name: &str,
    c: usize,
    warmup: Measurement,
    peak_threads: u64,
    rss_profile_kib: Vec<u64>,
    calls: Vec<Measurement>,
    mock: Vec<Sample>,
    options: &Options,
) -> Compared {
    let walls: Vec<f64> = calls.iter().map(|m| m.wall_s).collect();
    let median = wikifetch_rig::stats::median(&walls).unwrap_or(0.0);
    // Sorted once for the four percentiles below.
    let mut latencies: Vec<f64> = calls
        .iter()
        .flat_map(|m| m.latencies_s.iter().copied())
        .collect();
    latencies.sort_by(f64::total_cmp);
    let keep_alive = crate::keeps_alive(name);
    let ideal = ideal(
        &options.latency,
        options.rtt,
        options.seed,
        options.titles,
        c,
    )
    .as_secs_f64();
    let titles = (options.titles * calls.len()).max(1) as f64;
    let mock_totals = (!mock.is_empty()).then(|| Totals::of(&mock));
    let delayed = !options.latency.typical().is_zero() || !options.rtt.is_zero();
    Compared {
        strategy: name.to_owned(),
        concurrency: c,
        warmup,
        peak_threads,
        rss_profile_kib,
        median_s: median,
        min_s: walls.iter().copied().fold(f64::INFINITY, f64::min),
        max_s: walls.iter().copied().fold(0.0, f64::max),
        floor_s: None,
        efficiency_floor: None,
        ideal_s: ideal,
        efficiency_nominal: if median > 0.0 { ideal / median } else { 0.0 },
        client_cpu_per_title_s: calls.iter().map(|m| m.client_cpu_s).sum::<f64>() / titles,
        premise: mock_totals
            .as_ref()
            .and_then(|t| crate::report::premise(t, options.titles, c, delayed, keep_alive)),
        mock_totals,
        p50_s: quantile_of_sorted(&latencies, 0.50).unwrap_or(0.0),
        p90_s: quantile_of_sorted(&latencies, 0.90).unwrap_or(0.0),
        p99_s: quantile_of_sorted(&latencies, 0.99).unwrap_or(0.0),
        max_latency_s: quantile_of_sorted(&latencies, 1.0).unwrap_or(0.0),
        calls,
        mock,
    }
}

/// The ideal time for `n` titles at concurrency `c` under `latency`, from
/// the delays the mock gives these titles (seed `seed`, first attempt),
/// each with the delay line's round trip `rtt` added, as the report's
/// ideals add it.
pub fn ideal(latency: &Latency, rtt: Duration, seed: u64, n: usize, c: usize) -> Duration {
    let delays: Vec<Duration> = crate::scenarios::titles(n, 0)
        .iter()
        .map(|t| latency.sample(seed, t, 1) + rtt)
        .collect();
    queue_ideal(&delays, c)
}

/// The child's side of the protocol: build the runner, then one call per
/// `warmup` or `timed` line on `input`, each answered with a JSON line.
pub fn serve_calls(
    runner: &Runner,
    input: impl BufRead,
    out: &mut (dyn Write + Send),
) -> Result<(), String> {
    for line in input.lines() {
        let line = line.map_err(|e| e.to_string())?;
        let mut words = line.split_whitespace();
        let layout = |w: Option<&str>| w.and_then(|k| k.parse().ok()).unwrap_or(0);
        let measured = match words.next() {
            Some("warmup") => call_once(runner, 0, Some(&mut *out)),
            Some("timed") => call_once(runner, layout(words.next()), None),
            _ => continue,
        };
        let json = serde_json::to_string(&measured).map_err(|e| e.to_string())?;
        writeln!(out, "{json}")
            .and_then(|()| out.flush())
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Builds the child's runner from its arguments: `client` at C against
/// `api_url`, trusting the CA certificate in `ca_cert_pem` when given.
pub fn child_runner(
    client: Client,
    (api_url, ca_cert_pem): (&str, Option<String>),
    c: usize,
    layouts: &[Vec<String>],
) -> Result<Runner, String> {
    let mut config = Config::for_api(api_url);
    config.concurrency = c;
    config.keep_alive = client.keep_alive;
    config.ca_cert_pem = ca_cert_pem;
    Runner::build(client.strategy, &config, layouts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ideal_for_fixed_latency_is_rounds_times_delay() {
        let l = Latency::Fixed(Duration::from_millis(20));
        assert_eq!(
            ideal(&l, Duration::ZERO, 0, 200, 10),
            Duration::from_millis(400)
        );
        assert_eq!(
            ideal(&l, Duration::ZERO, 0, 200, 1),
            Duration::from_millis(4000)
        );
        // Through a 50 ms delay line: 20 rounds of 70 ms.
        let rtt = Duration::from_millis(50);
        assert_eq!(ideal(&l, rtt, 0, 200, 10), Duration::from_millis(1400));
    }

    #[test]
    fn the_child_answers_each_call_with_one_measurement() {
        let mock = wikifetch_mock::MockWiki::start().unwrap();
        let titles = crate::scenarios::titles(5, 0);
        let runner = child_runner(
            Client::of(Strategy::Sequential),
            (&mock.api_url(), None),
            1,
            std::slice::from_ref(&titles),
        )
        .unwrap();
        let mut out = Vec::new();
        serve_calls(&runner, "warmup\ntimed\n".as_bytes(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // Five `done` lines for the warm-up, none for the timed call.
        assert_eq!(lines.iter().filter(|l| **l == "done").count(), 5);
        let measured: Vec<Measurement> = lines
            .iter()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(measured.len(), 2);
        for m in measured {
            assert_eq!(
                (m.results, m.completions_s.len(), m.latencies_s.len()),
                (5, 5, 5)
            );
            assert!(m.client_cpu_s > 0.0 && m.wall_s > 0.0);
        }
    }
}
