//! What a request in flight costs in memory and OS threads, measured where
//! the mock confirms the requests really were in flight.
//!
//! For one row (a strategy, or the reference client) at concurrency C:
//! - a child process (`wikifetch run-one`, as in `compare`) builds the
//!   row and makes one warm-up call over C titles, which opens its
//!   connections;
//! - between calls, its resident memory and threads are read (**idle**:
//!   what it holds for C slots with nothing in flight: a pool's threads,
//!   kept-alive connections and their buffers);
//! - then one call over C titles against a mock that holds every answer
//!   for [`DELAY`], so that all C are in flight at once for most of it,
//!   while this process reads the child's memory and threads every few
//!   milliseconds from `/proc` (**peak**), and the mock counts how many
//!   requests it really had at once.
//!
//! Between two concurrencies, the differences divided by the difference in
//! requests in flight are what one more request in flight costs: what is
//! held between calls (per slot) and what is held only while a request is
//! in flight (a task or a thread's stack in use, buffers being filled).
//! Fixed costs (the binary, the runtime) cancel out.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use wikifetch_rig::MockProcess;
use wikifetch_rig::process::usage;

use wikifetch_registry::Strategy;
use wikifetch_runlog::{Footprint, REFERENCE};

use crate::session::{Client, Worker};

/// The mock's delay for these measurements: long enough that every title
/// of a call is in flight at once, whatever it takes the client to start
/// its C requests.
pub const DELAY: Duration = Duration::from_secs(1);

/// The two concurrencies measured: the slope between them is the cost of
/// one more request in flight.
pub const CONCURRENCIES: [usize; 2] = [100, 1000];

/// How often the child's memory and threads are read during the call.
const POLL: Duration = Duration::from_millis(5);

/// Measures `strategy` (`None`: the reference client) at concurrency
/// `c` against `mock`, which must delay every answer by [`DELAY`],
/// with calls of `titles` titles (C, unless the strategy caps its
/// requests in flight below C); `exe` is the `wikifetch` binary.
pub fn measure(
    exe: &std::path::Path,
    mock: &MockProcess,
    strategy: Option<Strategy>,
    (c, titles): (usize, usize),
) -> Result<Footprint, String> {
    let client = Client {
        strategy,
        keep_alive: true,
    };
    let mut worker = Worker::start(exe, client, c, (mock.api_url(), None), (titles, 1))?;
    worker.call("warmup", || {})?;
    let pid = worker.pid();
    let idle = usage(Some(pid)).ok_or("the child's /proc cannot be read")?;
    let (running, peak_rss, peak_threads) =
        (AtomicBool::new(true), AtomicU64::new(0), AtomicU64::new(0));
    let (measured, sample) = wikifetch_rig::measure(mock, || {
        std::thread::scope(|scope| {
            scope.spawn(|| {
                while running.load(Ordering::Relaxed) {
                    if let Some(u) = usage(Some(pid)) {
                        peak_rss.fetch_max(u.rss_kib, Ordering::Relaxed);
                        peak_threads.fetch_max(u.threads, Ordering::Relaxed);
                    }
                    std::thread::sleep(POLL);
                }
            });
            let measured = worker.call("timed", || {});
            running.store(false, Ordering::Relaxed);
            measured
        })
    })
    .map_err(|e| format!("the mock's counters: {e}"))?;
    let measured = measured?;
    Ok(Footprint {
        strategy: strategy.map_or(REFERENCE, Strategy::name).to_owned(),
        concurrency: c,
        idle_rss_kib: idle.rss_kib,
        peak_rss_kib: peak_rss.into_inner(),
        idle_threads: idle.threads,
        peak_threads: peak_threads.into_inner(),
        in_flight: sample.max_in_flight,
        connections: sample.connections,
        wall_s: measured.wall_s,
        titles,
        client_cpu_s: measured.client_cpu_s,
    })
}
