//! The scale curve: every model from 10 to 10,000 requests in flight.
//!
//! At each point C the row fetches N = 2 × C titles (two waves) against a
//! mock whose every answer waits `delay(C)`, at least C / [`OFFERED_PER_S`]
//! seconds, so that the mock stays far from saturation at every point.
//!
//! Unlike the scenarios' sessions, one row process is alive at a time: at
//! C = 10,000 the thread rows hold 10,000 threads each, and four of them
//! together would pass `kernel.pid_max` (32,768 on the reference machine),
//! which counts the whole machine's threads; and the kernel's memory for
//! one row can only be read from `/proc/meminfo` while no other row
//! holds any. So each block runs, for each point, every row in turn, in a
//! shuffled order and a fresh process:
//!
//! 1. the child builds the row and reports what the build cost (set-up:
//!    the pool's threads, the runtime), before any call;
//! 2. one untimed warm-up call over all N titles opens its C connections,
//!    while this process reads from outside, every few milliseconds, the
//!    child's threads, the kernel's stacks and page tables and the TCP
//!    buffers of the machine, and the mock counts the requests in flight;
//! 3. up to [`SETTLING_CALLS`] more untimed calls, until one opens no
//!    connection and has C in flight; a row whose last untimed call took
//!    longer than [`CAP`] is stopped here;
//! 4. then `rounds / blocks` timed calls, read as every scenario's are
//!    (the child's clocks and switches, the mock's counters);
//! 5. the child ends, and the kernel's memory is let settle before the
//!    next row's baseline.
//!
//! A row that refuses to start at some C (a limit its set-up names) or
//! whose process ends is recorded as stopped there, with the reason, and
//! the curve goes on.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use wikifetch_mock::Latency;
use wikifetch_registry::Strategy;
use wikifetch_rig::os::{KernelMemory, socket_memory_kib};
use wikifetch_rig::process::usage;
use wikifetch_rig::{MockProcess, MockSpec};
use wikifetch_runlog::{Cost, CpuSplit, STOPPED_EARLIER, Scale, ScaleBlock, ScalePoint, ScaleRow};

use crate::scenarios::{BLOCKS, ROUNDS, SEED};
use crate::session::{Client, Worker};

/// The rows of the curve: the reference client, every thread row and
/// every task row that sends one title per request and follows C.
pub const ROWS: &[Option<Strategy>] = &[
    None,
    Some(Strategy::ThreadPool),
    Some(Strategy::ThreadPoolHyper),
    Some(Strategy::ThreadPerRequest),
    Some(Strategy::Rayon),
    Some(Strategy::Tokio),
    Some(Strategy::TokioHyper),
    Some(Strategy::TokioCurrentThread),
    Some(Strategy::Smol),
    Some(Strategy::AsyncStd),
];

/// The requests a second the delays allow at most. With a delay and C
/// connections the mock spends several times the CPU a request that the
/// rig's no-delay controls measure, so at this rate it is about half busy
/// over a call at C = 1000 and 10,000, and busier while a wave arrives:
/// the curve's report gives its share at each C. A lower rate would need
/// longer delays and a longer run.
pub const OFFERED_PER_S: f64 = 20_000.0;

/// The shortest delay: below it a call is over before the rig's own
/// costs (a process's pipe, the mock's counters) are small beside it.
pub const MIN_DELAY: Duration = Duration::from_millis(20);

/// The points of a plain `cargo bench`.
pub const CONCURRENCIES: &[usize] = &[10, 100, 1000, 10_000];

/// The points of the sweep (`WIKIFETCH_SWEEP=1`): on to where the
/// thread rows refuse (`vm.max_map_count`, about 16,000 threads on the
/// reference machine) and every row does (open files: 20,000 a process).
pub const SWEEP_CONCURRENCIES: &[usize] = &[10, 100, 1000, 10_000, 15_000, 19_000, 25_000];

/// The longest last untimed call a row may take at a point of a plain
/// `cargo bench` and still be timed there and beyond: ten calls of a row
/// that needs more would not fit the run's budget. (At C = 10,000 the rows
/// on ureq take several times the cap, as the report's tables show: ureq's
/// connection pool walks every idle connection under one lock each time a
/// request returns one.) The sweep has no cap.
pub const CAP: Duration = Duration::from_secs(5);

/// How long a first call may take with no cap (the sweep) before the
/// row's process is ended.
pub const NO_CAP_DEADLINE: Duration = Duration::from_secs(120);

/// Untimed calls after the first, at most, until one opens no connection
/// and has C in flight.
pub const SETTLING_CALLS: usize = 2;

/// How many caps a row's set-up or one untimed call may take before the
/// harness ends the row's process (`Scale::watchdog_s`). A call over
/// twice the cap is not settling towards it: the rows on ureq grow slower
/// with each call at C = 10,000 (their pool's walk grows with its idle
/// connections), and letting such a call run on costs the run seconds to
/// say the same. Building rayon's pool of 10,000 threads takes minutes on
/// one CPU while its first threads spin for work.
pub const WATCHDOG_CAPS: f64 = 2.0;

/// How often the child's threads and the kernel's memory are read during
/// the warm-up call.
const POLL: Duration = Duration::from_millis(2);

/// The mock's delay at C: at least C / [`OFFERED_PER_S`], never below
/// [`MIN_DELAY`].
pub fn delay(c: usize) -> Duration {
    Duration::from_secs_f64(c as f64 / OFFERED_PER_S).max(MIN_DELAY)
}

/// The curve's parameters, with no rows measured yet.
pub fn plan(sweep: bool) -> Scale {
    let cs = if sweep {
        SWEEP_CONCURRENCIES
    } else {
        CONCURRENCIES
    };
    Scale {
        blocks: BLOCKS,
        rounds: ROUNDS,
        cap_s: (!sweep).then_some(CAP.as_secs_f64()),
        watchdog_s: Some(if sweep {
            NO_CAP_DEADLINE.as_secs_f64()
        } else {
            WATCHDOG_CAPS * CAP.as_secs_f64()
        }),
        offered_per_s: OFFERED_PER_S,
        points: cs
            .iter()
            .map(|&c| ScalePoint {
                concurrency: c,
                titles: 2 * c,
                delay_s: delay(c).as_secs_f64(),
                rows: ROWS
                    .iter()
                    .map(|r| ScaleRow {
                        strategy: Client {
                            strategy: *r,
                            keep_alive: true,
                        }
                        .name(),
                        ..ScaleRow::default()
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Block `b` of the curve: at each point, a fresh mock and every row in a
/// process of its own, one at a time, in a shuffled order. With `test`,
/// one timed call a row. Returns the wall time each point took, seconds.
pub fn block(
    exe: &Path,
    split: &CpuSplit,
    scale: &mut Scale,
    b: usize,
    test: bool,
) -> Result<Vec<(usize, f64)>, String> {
    let mut took = Vec::new();
    let per_block = if test {
        1
    } else {
        scale.rounds / scale.blocks.max(1)
    };
    // The cap a row's last untimed call is held to, and how long a set-up
    // or an untimed call may take before the row's process is ended.
    let limits = (
        scale.cap_s,
        Duration::from_secs_f64(scale.watchdog_s.unwrap_or(NO_CAP_DEADLINE.as_secs_f64())),
    );
    // A row stopped at one point (a limit, or the cap) is stopped beyond it.
    let mut stopped: Vec<Option<usize>> = vec![None; ROWS.len()];
    for point in &mut scale.points {
        let c = point.concurrency;
        let started = Instant::now();
        let mock = MockProcess::start(
            exe,
            &MockSpec {
                latency: Latency::Fixed(Duration::from_secs_f64(point.delay_s)).to_string(),
                seed: SEED,
                cpus: split.mock.clone(),
                ..MockSpec::default()
            },
        )
        .map_err(|e| format!("scale at C = {c}: the mock process: {e}"))?;
        let seed = wikifetch_stats::seed_of(&["scale", &c.to_string(), &b.to_string()]);
        for i in wikifetch_stats::shuffled(ROWS.len(), seed) {
            let (Some(client), Some(row)) = (ROWS.get(i), point.rows.get_mut(i)) else {
                continue;
            };
            // A row already stopped here (in an earlier block) keeps the
            // reason it met here; one stopped at a smaller C in this block
            // is said to be.
            if row.stopped.is_some() {
                continue;
            }
            if let Some(at) = stopped[i].filter(|at| *at < c) {
                row.stopped = Some(format!("{STOPPED_EARLIER}{at}"));
                continue;
            }
            let client = Client {
                strategy: *client,
                keep_alive: true,
            };
            let row_started = Instant::now();
            match run_row(
                exe,
                (&mock, &split.mock),
                client,
                (c, point.titles),
                (b, per_block, limits),
                row,
            ) {
                Ok(()) => {}
                Err(stopped) => {
                    eprintln!("scale/{}/{c} block {b}: stopped: {stopped}", row.strategy);
                    row.stopped = Some(stopped);
                }
            }
            if row.stopped.is_some() {
                stopped[i] = Some(c);
            }
            let ran = row_started.elapsed().as_secs_f64();
            settle_kernel_memory();
            eprintln!(
                "scale/{}/{c} block {b}: {ran:.1} s with its process's start and end, {:.1} s more for the kernel's memory to settle",
                row.strategy,
                row_started.elapsed().as_secs_f64() - ran
            );
        }
        let secs = started.elapsed().as_secs_f64();
        eprintln!("scale C = {c} block {b}: {secs:.1} s");
        took.push((c, secs));
    }
    Ok(took)
}

/// One row's block at one point, into `row`; an error is why it stopped.
/// `watch_cpus` are where the untimed calls are watched from.
fn run_row(
    exe: &Path,
    (mock, watch_cpus): (&MockProcess, &[usize]),
    client: Client,
    (c, n): (usize, usize),
    (b, per_block, (cap, deadline)): (usize, usize, (Option<f64>, Duration)),
    row: &mut ScaleRow,
) -> Result<(), String> {
    let before = Readings::now();
    let mut worker = Worker::start(exe, client, c, (mock.api_url(), None), (n, 1))?;
    let pid = worker.pid();
    // The set-up and every untimed call get `deadline` (`WATCHDOG_CAPS`
    // caps, or with no cap `NO_CAP_DEADLINE`) before the process is ended.
    let watch = (deadline, watch_cpus);
    let (setup, ended) = under_watch(pid, watch, || {}, || worker.setup());
    if let Some(secs) = ended {
        return Err(format!(
            "its set-up had not ended after {secs:.0} s, and its process was ended"
        ));
    }
    let setup = setup??;
    let idle_threads = usage(Some(pid)).map_or(0, |u| u.threads);
    let peak = Peaks::default();
    let (warmup, sample) = watched(&mut worker, mock, watch, || peak.read(pid, &before))
        .map_err(|e| format!("its first call {e}"))?;
    peak.read(pid, &before);
    row.blocks.push(ScaleBlock {
        block: b,
        setup,
        warmup: Cost {
            wall_s: warmup.wall_s,
            cpu_s: warmup.client_cpu_s,
        },
        idle_threads,
        peak_threads: peak.threads.load(Ordering::Relaxed),
        peak_rss_kib: warmup.peak_rss_kib,
        kernel_kib: peak.kernel_kib.load(Ordering::Relaxed),
        socket_kib: peak.socket_kib.load(Ordering::Relaxed),
        in_flight: sample.max_in_flight,
    });
    // More untimed calls until one opens no connection and has C in
    // flight (at most `SETTLING_CALLS`): at C = 10,000 a first call can
    // leave connections unopened, which the first timed call then opened
    // (thousands of them, for `thread-pool-hyper`). The cap is judged on
    // the last untimed call, not on the cold first one alone.
    let mut last = (warmup.wall_s, warmup.client_cpu_s);
    let mut settled = sample.connections == 0 && sample.max_in_flight >= c;
    for _ in 0..SETTLING_CALLS {
        if settled {
            break;
        }
        let (call, s) = watched(&mut worker, mock, watch, || {})
            .map_err(|e| format!("an untimed call after its first {e}"))?;
        last = (call.wall_s, call.client_cpu_s);
        settled = s.connections == 0 && s.max_in_flight >= c;
    }
    if let Some(cap) = cap.filter(|cap| last.0 > *cap) {
        return Err(format!(
            "its last untimed call took {:.1} s ({:.0} µs of CPU a request), over the cap of {cap:.0} s a \
             call; `wikifetch limits` tries it with {} s a call",
            last.0,
            last.1 / n.max(1) as f64 * 1e6,
            crate::row_limits::DEADLINE.as_secs()
        ));
    }
    for _ in 0..per_block {
        let (call, sample) = worker.timed("timed 0", Some(mock), b)?;
        for (kind, count) in &call.errors {
            *row.errors.entry(kind.clone()).or_insert(0) += *count as u64;
        }
        row.lost += call.results.abs_diff(n) as u64;
        row.samples.extend(sample);
        if let Some(s) = sample {
            eprintln!(
                "scale/{}/{c} block {b}: {:.3} s, {:.1} µs CPU a request",
                row.strategy,
                s.wall_s,
                s.client_cpu_s / n.max(1) as f64 * 1e6
            );
        }
    }
    Ok(())
}

/// One untimed call (`timed 0`), with the mock's counters read around
/// it, under [`under_watch`]; the error says why it did not end.
pub(crate) fn watched(
    worker: &mut Worker,
    mock: &MockProcess,
    watch: (Duration, &[usize]),
    poll: impl Fn() + Sync,
) -> Result<(wikifetch_runlog::Call, wikifetch_runlog::Sample), String> {
    let pid = worker.pid();
    let (out, ended) = under_watch(pid, watch, poll, || {
        wikifetch_rig::measure(mock, || worker.call("timed 0", || {}))
    });
    if let Some(secs) = ended {
        return Err(format!(
            "had not ended after {secs:.0} s, and its process was ended"
        ));
    }
    let (call, sample) = out.map_err(|e| format!("could not be read: the mock's counters: {e}"))?;
    Ok((call?, sample))
}

/// Runs `work` on this thread while a watching thread runs `poll` every
/// [`POLL`] and ends process `pid` once `deadline` has passed; returns
/// what `work` returned and, when the process was ended, after how many
/// seconds.
///
/// The watching thread runs on `watch_cpus` (the mock's), not on the
/// client's CPUs: there a row of 10,000 runnable threads (rayon's pool
/// spinning for work) left it one share in 10,000 of the CPU, and a
/// deadline of 20 s was enforced minutes late.
pub(crate) fn under_watch<T>(
    pid: i32,
    (deadline, watch_cpus): (Duration, &[usize]),
    poll: impl Fn() + Sync,
    work: impl FnOnce() -> T,
) -> (T, Option<f64>) {
    let (running, killed) = (AtomicBool::new(true), AtomicBool::new(false));
    // When the process was ended, ms after `work` began.
    let ended_ms = AtomicU64::new(0);
    let started = Instant::now();
    let out = std::thread::scope(|scope| {
        scope.spawn(|| {
            if let Err(e) = wikifetch_rig::cpus::pin_this_thread(watch_cpus) {
                eprintln!("wikifetch: the watchdog runs on any CPU: {e}");
            }
            while running.load(Ordering::Relaxed) {
                poll();
                if started.elapsed() > deadline && !killed.swap(true, Ordering::Relaxed) {
                    let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                    ended_ms.store(ms, Ordering::Relaxed);
                    let _ = nix::sys::signal::kill(
                        nix::unistd::Pid::from_raw(pid),
                        nix::sys::signal::Signal::SIGKILL,
                    );
                }
                std::thread::sleep(POLL);
            }
        });
        let out = work();
        running.store(false, Ordering::Relaxed);
        out
    });
    let ended = killed
        .load(Ordering::Relaxed)
        .then(|| ended_ms.load(Ordering::Relaxed) as f64 / 1e3);
    (out, ended)
}

/// The machine-wide readings a row's memory is the difference from.
struct Readings {
    kernel_kib: u64,
    socket_kib: u64,
}

impl Readings {
    fn now() -> Self {
        let k = KernelMemory::read();
        Self {
            kernel_kib: k.kernel_stack_kib + k.page_tables_kib,
            socket_kib: socket_memory_kib().unwrap_or(0),
        }
    }
}

/// The largest readings during a call, as differences from a baseline.
#[derive(Default)]
struct Peaks {
    threads: AtomicU64,
    kernel_kib: AtomicI64,
    socket_kib: AtomicI64,
}

impl Peaks {
    fn read(&self, pid: i32, before: &Readings) {
        if let Some(u) = usage(Some(pid)) {
            self.threads.fetch_max(u.threads, Ordering::Relaxed);
        }
        let now = Readings::now();
        let delta = |a: u64, b: u64| i64::try_from(a).unwrap_or(0) - i64::try_from(b).unwrap_or(0);
        self.kernel_kib
            .fetch_max(delta(now.kernel_kib, before.kernel_kib), Ordering::Relaxed);
        self.socket_kib
            .fetch_max(delta(now.socket_kib, before.socket_kib), Ordering::Relaxed);
    }
}

/// Waits until the kernel has freed what the last row held (its threads'
/// stacks go a little after the process), so that the next row's
/// baseline is its own: until two readings 20 ms apart are within
/// [`SETTLED_KIB`] of each other, at most half a second.
fn settle_kernel_memory() {
    let mut last = Readings::now().kernel_kib;
    for _ in 0..25 {
        std::thread::sleep(Duration::from_millis(20));
        let now = Readings::now().kernel_kib;
        if now.abs_diff(last) <= SETTLED_KIB {
            return;
        }
        last = now;
    }
}

/// Kernel memory that may still move between two readings of a settled
/// machine, KiB: four threads' stacks.
const SETTLED_KIB: u64 = 64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_keep_the_offered_load_under_the_mocks_capacity() {
        assert_eq!(delay(10), MIN_DELAY);
        assert_eq!(delay(10_000), Duration::from_millis(500));
        for s in [plan(false), plan(true)] {
            for p in &s.points {
                assert_eq!(p.titles, 2 * p.concurrency, "two waves");
                assert!(p.concurrency as f64 / p.delay_s <= OFFERED_PER_S * 1.000_001);
                assert_eq!(p.rows.len(), ROWS.len());
            }
            assert!(s.rounds >= 10 && s.rounds % s.blocks == 0);
        }
        assert_eq!(
            plan(false).points.last().map(|p| p.concurrency),
            Some(10_000)
        );
    }
}
