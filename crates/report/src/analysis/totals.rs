//! What a row's timed calls add up to, and when the rig, not the row, was
//! the limit.

use serde::{Deserialize, Serialize};
use wikifetch_runlog::{Controls, Sample};

/// The mock's busy share at or above which a row measures the mock, not
/// the strategy: it is marked rig-bound and no conclusion is drawn from it.
pub const RIG_BOUND_BUSY: f64 = 0.70;

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
        let median = wikifetch_stats::median(&walls).unwrap_or(0.0);
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

/// The median of the mock's throughput rounds over the median of the bare
/// wiremock control's.
pub fn mock_over_bare(controls: &Controls) -> Option<f64> {
    let (m, b) = (
        wikifetch_stats::median(&controls.mock_rps)?,
        wikifetch_stats::median(&controls.bare_wiremock_rps)?,
    );
    (b > 0.0).then(|| m / b)
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
            context_switches: None,
            block: 0,
            first_answer_s: None,
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
