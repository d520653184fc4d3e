//! A comparison, as `cargo bench` (one per scenario and C) and `wikifetch
//! compare` run it: every row on the same titles, each in its own child
//! process, with its floor, into one `RunRecord` per row.
//!
//! - The mock runs in a process of its own on the mock's CPUs
//!   (`wikifetch-rig`); the children run on the client's.
//! - One child per strategy, and one reference client per C (the floor),
//!   each started once and kept: `wikifetch run-one` (hidden) reads
//!   `warmup` or `timed` on stdin, makes one call, and answers with a JSON
//!   [`Call`] line.
//! - Every child first makes one untimed warm-up call over the first
//!   [`warmup_titles`] titles (two waves: every connection opened, every
//!   thread started); meanwhile the parent counts the child's threads from
//!   `/proc` and samples its resident memory at every tenth of them.
//! - Then one untimed round over all the titles, in a shuffled order, so
//!   that every row has made a whole call and settled in the interleaved
//!   regime before anything is timed.
//! - Then `rounds` timed calls each, in a shuffled order per round, so that
//!   drift of the machine hits every row alike. No thread samples a timed
//!   call and the child writes nothing during it; the mock's counters are
//!   read before and after it.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use wikifetch_core::{Config, Progress};
use wikifetch_registry::Strategy;
use wikifetch_rig::MockProcess;
use wikifetch_runlog::{Call, Cost, REFERENCE, RunRecord, Sample, Warmup};
use wikifetch_stats::shuffled;

use crate::runner::Runner;

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
pub fn call_once(runner: &Runner, layout: usize, events: Option<&mut (dyn Write + Send)>) -> Call {
    let n = runner.titles(layout).len();
    let recorder = Recorder {
        origin: Instant::now(),
        started: (0..n).map(|_| AtomicU64::new(0)).collect(),
        completed: (0..n).map(|_| AtomicU64::new(0)).collect(),
        events: events.map(std::sync::Mutex::new),
    };
    let switches = wikifetch_rig::process::context_switches();
    let cpu = wikifetch_rig::process::cpu_time();
    let start = Instant::now();
    let outcome = runner.call(layout, &recorder);
    let wall = start.elapsed();
    let client_cpu = wikifetch_rig::process::cpu_time().saturating_sub(cpu);
    let after = wikifetch_rig::process::context_switches();
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
    Call {
        strategy: runner.name().to_owned(),
        wall_s: wall.as_secs_f64(),
        client_cpu_s: client_cpu.as_secs_f64(),
        latencies_s: latencies,
        completions_s: completions,
        results: outcome.results,
        errors: outcome.errors,
        peak_rss_kib: wikifetch_rig::process::usage(None).map_or(0, |u| u.peak_rss_kib),
        context_switches: Some((
            after.0.saturating_sub(switches.0),
            after.1.saturating_sub(switches.1),
        )),
    }
}

/// Seeds the order of the untimed settling round.
const SETTLE_SEED: u64 = 0x005e_771e;

/// What `compare` is asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The scenario the records belong to (`compare` for the command).
    pub scenario: String,
    /// N.
    pub titles: usize,
    /// C for every strategy but `sequential` (1), and `batched` with
    /// [`Options::series`].
    pub concurrency: usize,
    /// Run `batched` in series (C = 1), its default, rather than at C.
    pub series: bool,
    /// The strategies, in the order the table lists them.
    pub strategies: Vec<Strategy>,
    /// Timed calls per row after the warm-up.
    pub rounds: usize,
    /// The index of the first of these rounds among all of the scenario's
    /// rounds (`cargo bench` runs them in blocks): it picks each round's
    /// layout, and it is the block every sample is marked with.
    pub first_round: usize,
    /// The block these rounds are (0 for `compare`).
    pub block: usize,
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

    /// How the child ended, once it has (waiting up to a second for it).
    pub(crate) fn exit_status(&mut self) -> Option<String> {
        for _ in 0..50 {
            if let Ok(Some(status)) = self.process.try_wait() {
                return Some(status.to_string());
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        None
    }

    pub(crate) fn pid(&self) -> i32 {
        i32::try_from(self.process.id()).unwrap_or(0)
    }

    /// The child's next line; `None` when it has ended.
    fn next_line(&mut self) -> Result<Option<String>, String> {
        let mut line = String::new();
        let read = self
            .stdout
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        Ok((read > 0).then_some(line))
    }

    /// Asks for one call (`warmup` or `timed`); `on_done` per `done` line.
    pub(crate) fn call(&mut self, mode: &str, mut on_done: impl FnMut()) -> Result<Call, String> {
        writeln!(self.stdin, "{mode}")
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("{}: the child is gone: {e}", self.name()))?;
        loop {
            let Some(line) = self.next_line()? else {
                return Err(format!(
                    "{}: the child ended without a measurement",
                    self.name()
                ));
            };
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

impl Worker {
    /// One timed call (`timed K`), with the mock's counters read around
    /// it when there is a mock; the sample carries the child's own clocks
    /// and switches, its first answer, and `block`.
    pub(crate) fn timed(
        &mut self,
        command: &str,
        mock: Option<&MockProcess>,
        block: usize,
    ) -> Result<(Call, Option<Sample>), String> {
        let (measured, sample) = match mock {
            Some(m) => {
                let (measured, sample) = wikifetch_rig::measure(m, || self.call(command, || {}))
                    .map_err(|e| format!("the mock's counters: {e}"))?;
                (measured?, sample)
            }
            // No mock to read: the child's own clocks only.
            None => (self.call(command, || {})?, Sample::default()),
        };
        // The call ran in the child: its own clocks, not this process's
        // (which only waited on a pipe).
        let sample = Sample {
            wall_s: measured.wall_s,
            client_cpu_s: measured.client_cpu_s,
            context_switches: measured.context_switches,
            first_answer_s: measured.completions_s.first().copied(),
            block,
            ..sample
        };
        Ok((measured, Some(sample)))
    }

    /// What building the row cost in the child, or the reason it could
    /// not be built (a limit it named): the child's first line.
    pub(crate) fn setup(&mut self) -> Result<Result<Cost, String>, String> {
        loop {
            let Some(line) = self.next_line()? else {
                return Err(format!(
                    "{}: the child ended before it was built",
                    self.name()
                ));
            };
            if let Some(json) = line.trim_end().strip_prefix(SETUP) {
                return serde_json::from_str::<Result<Cost, String>>(json)
                    .map_err(|e| format!("bad set-up line: {e}"));
            }
        }
    }
}

/// The start of the child's first line: what building its row cost, or
/// why it could not be built (`Result<Cost, String>` as JSON).
const SETUP: &str = "setup ";

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
) -> Result<Vec<RunRecord>, String> {
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
        let warm_n = warmup_titles(n, w.concurrency);
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
                if done * 10 % warm_n.max(1) < 10 || done == warm_n {
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
        let timed = format!(
            "timed {}",
            (options.first_round + round) % options.layouts.max(1)
        );
        for i in shuffled(workers.len(), options.seed.wrapping_add(round as u64)) {
            let w = &mut workers[i];
            let (measured, sample) = w.timed(&timed, mock, options.block)?;
            rows[i].3.push(measured);
            rows[i].4.extend(sample);
            made += 1;
            on_event(Event::Timed(w.name(), made, total));
        }
    }

    Ok(workers
        .iter()
        .zip(rows)
        .map(|(w, (warmup, peak_threads, profile, calls, mock))| {
            let mut record = RunRecord::new(&options.scenario, &w.name, n, w.concurrency);
            record.observe_of(
                warmup_titles(n, w.concurrency),
                warmup.failed(),
                warmup.results,
            );
            if let Some(first) = calls.first() {
                record.timeline.clone_from(&first.completions_s);
            }
            for call in &calls {
                record.observe(call.failed(), call.results);
                record.latencies_s.extend_from_slice(&call.latencies_s);
            }
            record.peak_rss_kib = calls
                .iter()
                .chain([&warmup])
                .map(|c| c.peak_rss_kib)
                .max()
                .unwrap_or(0);
            record.samples = mock;
            record.warmup = Some(Warmup {
                call: warmup,
                peak_threads,
                rss_profile_kib: profile,
            });
            record
        })
        .collect())
}

/// How many titles a row's warm-up call fetches at C: two waves, or all N
/// when that is fewer. Two waves open every connection and start every
/// thread a call needs and make each connection answer twice; the untimed
/// shuffled round after the warm-ups is each row's first whole call. (A
/// whole call as the warm-up cost a `sequential` row, with one request in
/// flight, N delays more a block.)
pub fn warmup_titles(n: usize, c: usize) -> usize {
    n.min(2 * c.max(1))
}

/// The child's title lists: `layouts`, then the warm-up's, the first
/// [`warmup_titles`] of the first layout. Returns the lists and the
/// warm-up's index among them.
pub fn with_warmup(layouts: &[Vec<String>], c: usize) -> (Vec<Vec<String>>, usize) {
    let mut lists = layouts.to_vec();
    let first = layouts.first().map_or(&[][..], Vec::as_slice);
    lists.push(first[..warmup_titles(first.len(), c)].to_vec());
    let warmup = lists.len() - 1;
    (lists, warmup)
}

/// The child's side of the protocol: one call per `warmup` line (over the
/// list `warmup`) or `timed K` line (over list K) on `input`, each
/// answered with a JSON line.
pub fn serve_calls(
    runner: &Runner,
    warmup: usize,
    input: impl BufRead,
    out: &mut (dyn Write + Send),
) -> Result<(), String> {
    for line in input.lines() {
        let line = line.map_err(|e| e.to_string())?;
        let mut words = line.split_whitespace();
        let layout = |w: Option<&str>| w.and_then(|k| k.parse().ok()).unwrap_or(0);
        let measured = match words.next() {
            Some("warmup") => call_once(runner, warmup, Some(&mut *out)),
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

/// The child's whole life: builds its runner (timing the build, and
/// announcing it, or why it failed, on the first line of `out`), then
/// serves calls from `input` ([`serve_calls`]).
pub fn serve_child(
    client: Client,
    link: (&str, Option<String>),
    c: usize,
    layouts: &[Vec<String>],
    input: impl BufRead,
    out: &mut (dyn Write + Send),
) -> Result<(), String> {
    let (lists, warmup) = with_warmup(layouts, c);
    let cpu = wikifetch_rig::process::cpu_time();
    let start = Instant::now();
    let built = child_runner(client, link, c, &lists);
    let setup = Cost {
        wall_s: start.elapsed().as_secs_f64(),
        cpu_s: wikifetch_rig::process::cpu_time()
            .saturating_sub(cpu)
            .as_secs_f64(),
    };
    let line: Result<Cost, &String> = built.as_ref().map(|_| setup);
    let json = serde_json::to_string(&line).map_err(|e| e.to_string())?;
    writeln!(out, "{SETUP}{json}")
        .and_then(|()| out.flush())
        .map_err(|e| e.to_string())?;
    serve_calls(&built?, warmup, input, out)
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
    fn the_child_answers_each_call_with_one_measurement() {
        let mock = wikifetch_mock::MockWiki::start().unwrap();
        let titles = crate::scenarios::titles(5, 0);
        // C = 1: the warm-up fetches two titles, a timed call all five.
        let (lists, warmup) = with_warmup(std::slice::from_ref(&titles), 1);
        let runner = child_runner(
            Client::of(Strategy::Sequential),
            (&mock.api_url(), None),
            1,
            &lists,
        )
        .unwrap();
        let mut out = Vec::new();
        serve_calls(&runner, warmup, "warmup\ntimed 0\n".as_bytes(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // Two `done` lines for the warm-up, none for the timed call.
        assert_eq!(lines.iter().filter(|l| **l == "done").count(), 2);
        let measured: Vec<Call> = lines
            .iter()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let got: Vec<_> = measured
            .iter()
            .map(|m| (m.results, m.completions_s.len(), m.latencies_s.len()))
            .collect();
        assert_eq!(got, [(2, 2, 2), (5, 5, 5)]);
        for m in measured {
            assert!(m.client_cpu_s > 0.0 && m.wall_s > 0.0);
        }
    }

    #[test]
    fn the_warm_up_is_two_waves_of_the_first_list_or_all_of_it() {
        let list = |n| crate::scenarios::titles(n, 0);
        assert_eq!(warmup_titles(50, 10), 20);
        assert_eq!(warmup_titles(50, 1), 2);
        assert_eq!(warmup_titles(200, 100), 200);
        assert_eq!(warmup_titles(20, 0), 2);
        let (lists, k) = with_warmup(&[list(50), crate::scenarios::titles(50, 1)], 10);
        assert_eq!((lists.len(), k), (3, 2));
        assert_eq!(lists[2], lists[0][..20]);
        // Every layout is kept as it was.
        assert_eq!(lists[1], crate::scenarios::titles(50, 1));
        let (lists, k) = with_warmup(&[], 10);
        assert_eq!((lists, k), (vec![Vec::<String>::new()], 0));
    }
}
