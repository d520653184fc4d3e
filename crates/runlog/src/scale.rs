//! The scale curve: every row at C from 10 to 10,000 (and beyond with the
//! sweep), one row process alive at a time, with what each request in
//! flight costs in time, CPU, switches, memory and threads.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::rig::Sample;

/// The start of [`ScaleRow::stopped`] at each C after the one where a row
/// stopped: "stopped at C = 10000".
pub const STOPPED_EARLIER: &str = "stopped at C = ";

/// How the curve was measured, and every point of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Scale {
    /// Blocks: at each point every row runs once per block, in a fresh
    /// process, the rows in a shuffled order.
    pub blocks: usize,
    /// Timed calls per row and point, over all blocks.
    pub rounds: usize,
    /// A row whose first call at a point takes longer than this, seconds,
    /// is not timed there or beyond (`None`: no cap, as in the sweep).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_s: Option<f64>,
    /// How long a row's set-up or one untimed call may take, seconds,
    /// before the harness ends the row's process (`None` in logs written
    /// before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watchdog_s: Option<f64>,
    /// The mock's capacity the delays were chosen against: the delay at a
    /// point is at least C divided by this many requests a second.
    pub offered_per_s: f64,
    /// The points, by C.
    pub points: Vec<ScalePoint>,
}

/// One point of the curve: N titles at C in flight, every answer delayed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScalePoint {
    /// C.
    pub concurrency: usize,
    /// N, the titles of each call (at least 2 × C: two waves).
    pub titles: usize,
    /// The mock's fixed delay per request, seconds.
    pub delay_s: f64,
    /// Every row at this point, in report order.
    pub rows: Vec<ScaleRow>,
}

/// One row at one point.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScaleRow {
    /// The strategy, or `reference`.
    pub strategy: String,
    /// The timed calls, each marked with its block.
    pub samples: Vec<Sample>,
    /// What was read around the timed calls, once per block.
    pub blocks: Vec<ScaleBlock>,
    /// Why the row stopped at this C: the limit its set-up named when it
    /// refused to start, or how its process ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    /// Titles that failed in the timed calls, by error kind.
    pub errors: BTreeMap<String, u64>,
    /// Titles the timed calls did not return a result for (must be 0).
    pub lost: u64,
}

/// What one block of a row measured outside its timed calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ScaleBlock {
    /// The block.
    pub block: usize,
    /// Building the row (`Fetcher::new`: the pool's threads, the runtime),
    /// in its process, before any call.
    pub setup: Cost,
    /// The untimed first call over all N titles, which also opens the
    /// row's C connections.
    pub warmup: Cost,
    /// OS threads of the row's process after set-up, before any call.
    pub idle_threads: u64,
    /// The most OS threads seen during the warm-up call.
    pub peak_threads: u64,
    /// The process's peak resident memory (`VmHWM`) after the warm-up
    /// call, KiB.
    pub peak_rss_kib: u64,
    /// The most kernel memory for threads and page tables seen during the
    /// warm-up call (`KernelStack` + `PageTables` in `/proc/meminfo`),
    /// less the same before the row's process started, KiB. System-wide:
    /// one row process runs at a time and the mock's threads are fixed.
    pub kernel_kib: i64,
    /// The most TCP socket buffer memory seen during the warm-up call
    /// (`mem` of `TCP` in `/proc/net/sockstat`, both ends: the client's
    /// and the mock's sockets), less the same before, KiB.
    pub socket_kib: i64,
    /// The most requests the mock had in flight during the warm-up call.
    pub in_flight: usize,
}

/// What a step of a row cost (its build, a call), measured in its own
/// process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Cost {
    /// Wall time, seconds.
    pub wall_s: f64,
    /// The process's CPU time, seconds.
    pub cpu_s: f64,
}
