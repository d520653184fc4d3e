//! One timed call and everything the rig knows about it.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::mock_process::MockProcess;
use crate::process::cpu_time;

/// The mock's busy share at or above which a row measures the mock, not
/// the strategy: it is marked rig-bound and no conclusion is drawn from it.
pub const RIG_BOUND_BUSY: f64 = 0.70;

/// One timed call: its wall time, the client's and the mock's CPU during
/// it, and what the mock saw.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Sample {
    /// Wall time of the call, seconds.
    pub wall_s: f64,
    /// CPU time of the client process during the call (all its threads,
    /// nothing of the mock), seconds.
    pub client_cpu_s: f64,
    /// CPU time of the mock process during the call, seconds.
    pub mock_cpu_s: f64,
    /// API requests the mock served during the call.
    pub requests: u64,
    /// The most requests the mock had in flight at once.
    pub max_in_flight: usize,
    /// Connections opened during the call.
    pub connections: u64,
    /// TLS handshakes during the call (0 over plain HTTP).
    #[serde(default)]
    pub tls_handshakes: u64,
}

impl Sample {
    /// The mock's CPU time over the wall time: 1.0 is one core fully busy.
    pub fn mock_busy(&self) -> f64 {
        if self.wall_s > 0.0 {
            self.mock_cpu_s / self.wall_s
        } else {
            0.0
        }
    }
}

/// Times `call`, with the mock's counters zeroed before it and read after
/// it (both untimed). The client's CPU is read from its own process clock
/// right around the call, so nothing of the mock or of the measuring is in
/// it; no thread of the rig runs during the call.
pub fn measure<T>(mock: &MockProcess, call: impl FnOnce() -> T) -> std::io::Result<(T, Sample)> {
    let before = mock.reset()?;
    let cpu = cpu_time();
    let start = Instant::now();
    let out = call();
    let wall = start.elapsed();
    let client_cpu = cpu_time().saturating_sub(cpu);
    let after = mock.stats()?;
    Ok((
        out,
        Sample {
            wall_s: wall.as_secs_f64(),
            client_cpu_s: client_cpu.as_secs_f64(),
            mock_cpu_s: after.cpu_ns.saturating_sub(before.cpu_ns) as f64 / 1e9,
            requests: after.requests,
            max_in_flight: after.max_in_flight,
            connections: after.connections,
            tls_handshakes: after.tls13_connections + after.tls12_connections,
        },
    ))
}

/// What a set of samples of one row adds up to.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Totals {
    /// Timed calls.
    pub calls: usize,
    /// Mean wall time of a call, seconds.
    pub mean_wall_s: f64,
    /// Median wall time of a call, seconds.
    pub median_wall_s: f64,
    /// Fastest call, seconds.
    pub min_wall_s: f64,
    /// Slowest call, seconds.
    pub max_wall_s: f64,
    /// Client CPU per request served, seconds.
    pub client_cpu_per_request_s: f64,
    /// Mock CPU per request served, seconds.
    pub mock_cpu_per_request_s: f64,
    /// Mock CPU over wall time across the calls.
    pub mock_busy: f64,
    /// The most requests in flight in any call.
    pub max_in_flight: usize,
    /// The fewest requests in flight at the peak of a call (a call that
    /// never reached C shows here).
    pub min_peak_in_flight: usize,
    /// Connections opened, over all calls.
    pub connections: u64,
    /// TLS handshakes, over all calls.
    #[serde(default)]
    pub tls_handshakes: u64,
    /// Requests, over all calls.
    pub requests: u64,
}

impl Totals {
    /// Adds up `samples`.
    pub fn of(samples: &[Sample]) -> Self {
        let sum = |f: fn(&Sample) -> f64| samples.iter().map(f).sum::<f64>();
        let requests: u64 = samples.iter().map(|s| s.requests).sum();
        let per_request = |total: f64| {
            if requests > 0 {
                total / requests as f64
            } else {
                0.0
            }
        };
        let wall = sum(|s| s.wall_s);
        let mut walls: Vec<f64> = samples.iter().map(|s| s.wall_s).collect();
        walls.sort_by(f64::total_cmp);
        let median = crate::stats::median(&walls).unwrap_or(0.0);
        Self {
            calls: samples.len(),
            mean_wall_s: if samples.is_empty() {
                0.0
            } else {
                wall / samples.len() as f64
            },
            median_wall_s: median,
            min_wall_s: walls.first().copied().unwrap_or(0.0),
            max_wall_s: walls.last().copied().unwrap_or(0.0),
            client_cpu_per_request_s: per_request(sum(|s| s.client_cpu_s)),
            mock_cpu_per_request_s: per_request(sum(|s| s.mock_cpu_s)),
            mock_busy: if wall > 0.0 {
                sum(|s| s.mock_cpu_s) / wall
            } else {
                0.0
            },
            max_in_flight: samples.iter().map(|s| s.max_in_flight).max().unwrap_or(0),
            min_peak_in_flight: samples.iter().map(|s| s.max_in_flight).min().unwrap_or(0),
            connections: samples.iter().map(|s| s.connections).sum(),
            tls_handshakes: samples.iter().map(|s| s.tls_handshakes).sum(),
            requests,
        }
    }

    /// Whether the mock was busy enough to be the limit.
    pub fn rig_bound(&self) -> bool {
        self.mock_busy >= RIG_BOUND_BUSY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(wall: f64, client: f64, mock: f64, requests: u64, peak: usize) -> Sample {
        Sample {
            wall_s: wall,
            client_cpu_s: client,
            mock_cpu_s: mock,
            requests,
            max_in_flight: peak,
            connections: 0,
            tls_handshakes: 0,
        }
    }

    #[test]
    fn totals_per_request_and_busy_share() {
        let t = Totals::of(&[s(1.0, 0.1, 0.5, 100, 10), s(3.0, 0.3, 1.5, 100, 8)]);
        assert_eq!(t.calls, 2);
        assert!((t.mean_wall_s - 2.0).abs() < 1e-12);
        assert!((t.median_wall_s - 2.0).abs() < 1e-12);
        assert!((t.client_cpu_per_request_s - 0.002).abs() < 1e-12);
        assert!((t.mock_cpu_per_request_s - 0.01).abs() < 1e-12);
        assert!((t.mock_busy - 0.5).abs() < 1e-12);
        assert_eq!((t.max_in_flight, t.min_peak_in_flight), (10, 8));
        assert!(!t.rig_bound());
        assert!(Totals::of(&[s(1.0, 0.0, 0.7, 1, 1)]).rig_bound());
    }

    #[test]
    fn no_samples_no_division_by_zero() {
        let t = Totals::of(&[]);
        assert_eq!(t.calls, 0);
        assert_eq!(t.mean_wall_s, 0.0);
        assert_eq!(t.client_cpu_per_request_s, 0.0);
    }
}
