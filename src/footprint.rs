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

use serde::{Deserialize, Serialize};
use wikifetch_rig::MockProcess;
use wikifetch_rig::process::usage;

use crate::Strategy;
use crate::compare::Worker;
use crate::report::REFERENCE;

/// The mock's delay for these measurements: long enough that every title
/// of a call is in flight at once, whatever it takes the client to start
/// its C requests.
pub const DELAY: Duration = Duration::from_secs(1);

/// The two concurrencies measured: the slope between them is the cost of
/// one more request in flight.
pub const CONCURRENCIES: [usize; 2] = [100, 1000];

/// How often the child's memory and threads are read during the call.
const POLL: Duration = Duration::from_millis(5);

/// One row's memory and threads at concurrency C.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Footprint {
    /// The strategy (`reference` for the reference client).
    pub strategy: String,
    /// C, and the titles of the call.
    pub concurrency: usize,
    /// Resident memory between calls, after the warm-up, KiB.
    pub idle_rss_kib: u64,
    /// The most resident memory seen during the measured call, KiB.
    pub peak_rss_kib: u64,
    /// OS threads between calls.
    pub idle_threads: u64,
    /// The most OS threads seen during the measured call.
    pub peak_threads: u64,
    /// The most requests the mock had at once during the measured call.
    pub in_flight: usize,
    /// Connections opened during the measured call (0: all were warm).
    pub connections: u64,
    /// Wall time of the measured call, seconds.
    pub wall_s: f64,
    /// The titles of the measured call: C, or for a strategy whose
    /// requests in flight do not follow C (`rayon-default`) as many as it
    /// has in flight, so that the call lasts one delay.
    #[serde(default)]
    pub titles: usize,
    /// The child's CPU time during the measured call (all its threads),
    /// seconds: what it spent starting C requests and reading C answers,
    /// and anything else its threads did meanwhile.
    #[serde(default)]
    pub client_cpu_s: f64,
}

impl Footprint {
    /// Measures `strategy` (`None`: the reference client) at concurrency
    /// `c` against `mock`, which must delay every answer by [`DELAY`],
    /// with calls of `titles` titles (C, unless the strategy caps its
    /// requests in flight below C); `exe` is the `wikifetch` binary.
    pub fn measure(
        exe: &std::path::Path,
        mock: &MockProcess,
        strategy: Option<Strategy>,
        (c, titles): (usize, usize),
    ) -> Result<Self, String> {
        let client = crate::compare::Client {
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
        Ok(Self {
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

    /// `strategy`'s footprint at concurrency `c` among `footprints`.
    pub fn of<'f>(footprints: &'f [Footprint], strategy: &str, c: usize) -> Option<&'f Self> {
        footprints
            .iter()
            .find(|f| f.strategy == strategy && f.concurrency == c)
    }

    /// Whether the call had all C requests in flight at once, on warm
    /// connections: only then does the footprint mean "C in flight".
    pub fn premise_held(&self) -> bool {
        self.in_flight == self.concurrency && self.connections == 0
    }
}

/// What one more request in flight costs, from two footprints of one row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerRequest {
    /// Resident memory at the peak, KiB per request in flight.
    pub peak_kib: f64,
    /// Of which held between calls, KiB per slot of C.
    pub held_kib: f64,
    /// Of which held only while the request is in flight, KiB.
    pub in_flight_kib: f64,
    /// OS threads at the peak per request in flight.
    pub threads: f64,
}

impl PerRequest {
    /// What one more request in flight costs `strategy`: the slope between
    /// its footprints at the two [`CONCURRENCIES`], when both are there.
    pub fn of(footprints: &[Footprint], strategy: &str) -> Option<Self> {
        let [low, high] = CONCURRENCIES;
        Self::between(
            Footprint::of(footprints, strategy, low)?,
            Footprint::of(footprints, strategy, high)?,
        )
    }

    /// The slope between `low` and `high` (the same row at two C), or
    /// `None` when either broke its premise or the in-flight counts do
    /// not differ.
    pub fn between(low: &Footprint, high: &Footprint) -> Option<Self> {
        if !(low.premise_held() && high.premise_held()) || high.in_flight <= low.in_flight {
            return None;
        }
        let requests = (high.in_flight - low.in_flight) as f64;
        let slope = |hi: u64, lo: u64| (hi as f64 - lo as f64) / requests;
        let peak_kib = slope(high.peak_rss_kib, low.peak_rss_kib);
        let held_kib = slope(high.idle_rss_kib, low.idle_rss_kib);
        Some(Self {
            peak_kib,
            held_kib,
            in_flight_kib: peak_kib - held_kib,
            threads: slope(high.peak_threads, low.peak_threads),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print(c: usize, idle: u64, peak: u64, threads: u64, in_flight: usize) -> Footprint {
        Footprint {
            strategy: "thread-pool".into(),
            concurrency: c,
            idle_rss_kib: idle,
            peak_rss_kib: peak,
            idle_threads: threads,
            peak_threads: threads,
            in_flight,
            connections: 0,
            wall_s: 1.0,
            titles: c,
            client_cpu_s: 0.1,
        }
    }

    #[test]
    fn the_slope_between_two_concurrencies_is_the_cost_of_one_more_request() {
        let low = print(100, 10_000, 12_000, 101, 100);
        let high = print(1000, 46_000, 66_000, 1001, 1000);
        let per = PerRequest::between(&low, &high).unwrap();
        assert!((per.peak_kib - 60.0).abs() < 1e-9);
        assert!((per.held_kib - 40.0).abs() < 1e-9);
        assert!((per.in_flight_kib - 20.0).abs() < 1e-9);
        assert!((per.threads - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_call_that_missed_c_in_flight_gives_no_slope() {
        let low = print(100, 10_000, 12_000, 101, 100);
        let short = print(1000, 46_000, 66_000, 1001, 248);
        assert!(!short.premise_held());
        assert_eq!(PerRequest::between(&low, &short), None);
        let cold = Footprint {
            connections: 3,
            ..print(1000, 46_000, 66_000, 1001, 1000)
        };
        assert_eq!(PerRequest::between(&low, &cold), None);
    }
}
