//! `wikifetch compare`: every strategy on the same titles, each in its own
//! child process, with what it cost the machine.
//!
//! The parent starts one mock (or uses `--api-url`), then runs
//! `wikifetch run-one` (hidden) once per strategy, one after the other, so
//! memory and threads are measured per strategy and one cannot disturb
//! another. The child reports each completion as a line `done` on stdout
//! as it happens (the parent draws the progress bar from them) and ends
//! with one JSON line: its [`Measurement`].

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use wikifetch_core::{Config, Progress};
use wikifetch_mock::Latency;

use crate::Strategy;
use crate::report::{peak_rss_kib, process_cpu_times};
use crate::scenarios::queue_ideal;

/// The titles `compare` fetches: distinct, some non-ASCII.
pub fn titles(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            if i % 10 == 3 {
                format!("東京 {i}")
            } else {
                format!("Compare {i}")
            }
        })
        .collect()
}

/// What one strategy's child process measured about itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measurement {
    /// The strategy's name.
    pub strategy: String,
    /// Wall time of `fetch_all`, seconds.
    pub wall_s: f64,
    /// Per title, from `started` to `completed` as the client saw it (retries included), seconds.
    pub latencies_s: Vec<f64>,
    /// When each completion happened after `fetch_all` began, in completion order, seconds.
    pub completions_s: Vec<f64>,
    /// Results returned (must equal the number of titles).
    pub results: usize,
    /// Failed titles by error kind.
    pub errors: BTreeMap<String, usize>,
    /// Peak resident memory of the child, KiB.
    pub peak_rss_kib: u64,
    /// Most OS threads alive at once in the child (sampled every 2 ms; the
    /// sampling thread itself is not counted).
    pub peak_threads: usize,
    /// User CPU time of the child during the fetch, seconds (10 ms ticks).
    pub user_s: f64,
    /// System CPU time of the child during the fetch, seconds (10 ms ticks).
    pub system_s: f64,
}

/// Records starts and completions, and tells the parent of each completion.
struct Recorder<'w> {
    origin: Instant,
    started: Vec<Mutex<Option<Instant>>>,
    latencies: Vec<Mutex<f64>>,
    completions: Mutex<Vec<f64>>,
    events: Mutex<&'w mut (dyn Write + Send)>,
}

impl Progress for Recorder<'_> {
    fn started(&self, index: usize) {
        if let Some(slot) = self.started.get(index) {
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        }
    }

    fn completed(&self, index: usize, _ok: bool) {
        let now = Instant::now();
        let began = self
            .started
            .get(index)
            .and_then(|s| *s.lock().unwrap_or_else(|e| e.into_inner()))
            .unwrap_or(now);
        if let Some(slot) = self.latencies.get(index) {
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = (now - began).as_secs_f64();
        }
        self.completions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((now - self.origin).as_secs_f64());
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(events, "done");
        let _ = events.flush();
    }
}

/// The child's side: fetch `n` titles with `strategy` and measure.
pub fn run_one(
    strategy: Strategy,
    config: &Config,
    n: usize,
    events: &mut (dyn Write + Send),
) -> Result<Measurement, String> {
    let titles = titles(n);
    let fetcher = strategy.build(config).map_err(|e| e.to_string())?;
    // Count threads while the fetch runs.
    let running = AtomicBool::new(true);
    let peak_threads = AtomicUsize::new(0);
    let recorder = Recorder {
        origin: Instant::now(),
        started: (0..n).map(|_| Mutex::new(None)).collect(),
        latencies: (0..n).map(|_| Mutex::new(0.0)).collect(),
        completions: Mutex::new(Vec::with_capacity(n)),
        events: Mutex::new(events),
    };
    let (cpu_before, wall, results) = std::thread::scope(|s| {
        s.spawn(|| {
            while running.load(Ordering::Relaxed) {
                if let Some(t) = thread_count() {
                    peak_threads.fetch_max(t.saturating_sub(1), Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        });
        let cpu_before = process_cpu_times();
        let start = Instant::now();
        let results = fetcher.fetch_all(&titles, &recorder);
        let wall = start.elapsed();
        running.store(false, Ordering::Relaxed);
        (cpu_before, wall, results)
    });
    let cpu_after = process_cpu_times();
    let mut errors = BTreeMap::new();
    for e in results.iter().filter_map(|r| r.as_ref().err()) {
        *errors.entry(e.kind().to_owned()).or_insert(0) += 1;
    }
    let ((u0, s0), (u1, s1)) = (
        cpu_before.unwrap_or_default(),
        cpu_after.unwrap_or_default(),
    );
    Ok(Measurement {
        strategy: strategy.name().to_owned(),
        wall_s: wall.as_secs_f64(),
        latencies_s: recorder
            .latencies
            .into_iter()
            .map(|l| l.into_inner().unwrap_or_else(|e| e.into_inner()))
            .collect(),
        completions_s: recorder
            .completions
            .into_inner()
            .unwrap_or_else(|e| e.into_inner()),
        results: results.len(),
        errors,
        peak_rss_kib: peak_rss_kib().unwrap_or(0),
        peak_threads: peak_threads.load(Ordering::Relaxed),
        user_s: (u1 - u0).as_secs_f64(),
        system_s: (s1 - s0).as_secs_f64(),
    })
}

fn thread_count() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse().ok())
}

/// One strategy's line in the comparison: the child's measurement plus
/// what the parent knows (ideal, the mock's counters).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Compared {
    /// The child's own figures.
    #[serde(flatten)]
    pub measured: Measurement,
    /// C for this strategy (1 for `sequential`).
    pub concurrency: usize,
    /// The ideal time: ⌈N/C⌉ · latency for a fixed latency, or a perfect
    /// queue over the delays the mock applied to these titles, seconds.
    pub ideal_s: f64,
    /// ideal / wall.
    pub efficiency: f64,
    /// Client-seen latency percentiles, seconds.
    pub p50_s: f64,
    /// 90th percentile.
    pub p90_s: f64,
    /// 99th percentile.
    pub p99_s: f64,
    /// Slowest title.
    pub max_s: f64,
    /// Requests the mock served for this strategy (`None` with `--api-url`).
    pub requests: Option<u64>,
    /// TCP connections the mock accepted (`None` with `--api-url`).
    pub connections: Option<u64>,
}

/// The ideal time for `n` titles at concurrency `c` under `latency`, from
/// the delays the mock gives these titles (seed `seed`, first attempt).
pub fn ideal(latency: &Latency, seed: u64, n: usize, c: usize) -> Duration {
    let delays: Vec<Duration> = titles(n)
        .iter()
        .map(|t| latency.sample(seed, t, 1))
        .collect();
    queue_ideal(&delays, c)
}

/// The `q`-quantile (0..=1) of `values` (nearest rank).
pub fn percentile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

/// Completes a child's measurement with the parent's view.
pub fn compared(
    measured: Measurement,
    concurrency: usize,
    ideal: Duration,
    requests: Option<u64>,
    connections: Option<u64>,
) -> Compared {
    let l = &measured.latencies_s;
    Compared {
        concurrency,
        ideal_s: ideal.as_secs_f64(),
        efficiency: if measured.wall_s > 0.0 {
            ideal.as_secs_f64() / measured.wall_s
        } else {
            0.0
        },
        p50_s: percentile(l, 0.50),
        p90_s: percentile(l, 0.90),
        p99_s: percentile(l, 0.99),
        max_s: percentile(l, 1.0),
        requests,
        connections,
        measured,
    }
}

/// Reads a child's stdout: calls `on_done` per completion line, and
/// returns the final JSON measurement.
pub fn read_child(
    stdout: impl std::io::Read,
    mut on_done: impl FnMut(),
) -> Result<Measurement, String> {
    let mut last = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| e.to_string())?;
        if line == "done" {
            on_done();
        } else if line.starts_with('{') {
            last = Some(serde_json::from_str(&line).map_err(|e| format!("bad measurement: {e}"))?);
        }
    }
    last.ok_or_else(|| "the child ended without a measurement".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), 50.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&v, 1.0), 100.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }

    #[test]
    fn ideal_for_fixed_latency_is_rounds_times_delay() {
        let l = Latency::Fixed(Duration::from_millis(20));
        assert_eq!(ideal(&l, 0, 200, 10), Duration::from_millis(400));
        assert_eq!(ideal(&l, 0, 200, 1), Duration::from_millis(4000));
    }

    #[test]
    fn reads_events_then_the_measurement() {
        let m = Measurement {
            strategy: "x".into(),
            wall_s: 1.0,
            latencies_s: vec![0.5],
            completions_s: vec![0.5],
            results: 1,
            errors: BTreeMap::new(),
            peak_rss_kib: 1,
            peak_threads: 1,
            user_s: 0.0,
            system_s: 0.0,
        };
        let text = format!("done\ndone\n{}\n", serde_json::to_string(&m).unwrap());
        let mut n = 0;
        let got = read_child(text.as_bytes(), || n += 1).unwrap();
        assert_eq!((n, got.results), (2, 1));
        assert!(read_child("done\n".as_bytes(), || {}).is_err());
    }
}
