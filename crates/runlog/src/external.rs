//! What the outside tools measured: the lesson's Python and `wrk`.

use serde::{Deserialize, Serialize};

/// The Python reference (`scripts/python_reference.py`): the lesson's
/// code and each alternative it names, against the same mock.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Python {
    /// `platform.python_version()`.
    pub python: String,
    /// The `requests` package's version.
    pub requests: String,
    /// The `httpx` package's version.
    pub httpx: String,
    /// Every row, by scenario.
    pub runs: Vec<PythonRun>,
}

/// One Python row in one scenario.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PythonRun {
    /// The scenario whose mock and titles it used.
    pub scenario: String,
    /// The row's name (`for-loop`, `thread-pool`, …).
    pub code: String,
    /// What it changes against the lesson's code.
    pub changes: String,
    /// N.
    pub titles: usize,
    /// C (1 for a loop).
    pub concurrency: usize,
    /// Timed calls.
    pub repeats: usize,
    /// Mean time of a call, seconds.
    pub mean_s: f64,
    /// Fastest call, seconds.
    pub min_s: f64,
    /// Slowest call, seconds.
    pub max_s: f64,
    /// Titles wrong, missing or out of order in the worst call.
    pub wrong: u64,
    /// New connections per call.
    pub connections_per_call: f64,
    /// TLS handshakes per call.
    pub tls_handshakes_per_call: f64,
    /// Requests the mock served per call.
    pub requests_per_call: f64,
}

/// `wrk` against the mock: an outside check on the rig's own controls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Wrk {
    /// The command's settings, as run (`wrk -t1 -c10 -d2s`).
    pub tool: String,
    /// Requests per second with no delay.
    pub requests_per_s: f64,
    /// The delay of the accuracy runs (a `--latency` spec).
    pub delay: String,
    /// Mean latency at each connection count.
    pub delay_round_trips: Vec<WrkDelay>,
}

/// `wrk`'s mean latency at one connection count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct WrkDelay {
    /// Connections.
    pub connections: usize,
    /// Mean latency, seconds.
    pub mean_s: f64,
}
