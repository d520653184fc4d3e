//! Where each model gives out on its own, apart from sockets, and where
//! each fetch row gives out as C rises, as `wikifetch limits --out`
//! records it (`results/limits.json`), and the machine's settings that
//! stop them. `cargo bench` embeds the recorded
//! probe in its run log (`RunLog::limits`), so that the report says which
//! run each figure came from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::log::Machine;
use crate::scale::Cost;

/// A run of `wikifetch limits`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LimitsLog {
    /// When it ended, seconds since the Unix epoch.
    pub finished_unix: u64,
    /// The machine.
    pub machine: Machine,
    /// Its settings.
    pub settings: OsSettings,
    /// Each model's probe: threads, then tasks.
    pub models: Vec<ModelLimit>,
    /// Each fetch row raised through C until it failed or reached the
    /// cap (empty in a probe that did not run them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<RowLimit>,
    /// How long a row's set-up or its call may take before its process
    /// is ended and the row is stopped there, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_s: Option<f64>,
    /// How close the last C answered and the first refused were brought
    /// by halving the gap between them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<usize>,
}

/// One fetch row (the curve's rows) raised through C: each C it was
/// tried at, in the order tried, until it failed or reached `cap`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RowLimit {
    /// The row's name, as the curve names it.
    pub strategy: String,
    /// The largest C it would be tried at.
    pub cap: usize,
    /// Every C it was tried at.
    pub tries: Vec<RowTry>,
}

/// One try of a fetch row at one C: a fresh mock and a fresh process,
/// built, then two calls of `titles` titles, cold and warm.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RowTry {
    /// Requests in flight asked for.
    pub concurrency: usize,
    /// Titles in the call.
    pub titles: usize,
    /// The mock's delay for every answer, seconds.
    pub delay_s: f64,
    /// Why it failed, with the setting that stopped it when one did;
    /// `None` when every title was answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<TryFailure>,
    /// What building the row cost, when it was built.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup: Option<Cost>,
    /// What the first call cost (cold: it opened the connections), when it
    /// ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<Cost>,
    /// What the second call cost (warm, on the first's connections), when
    /// it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warm: Option<Cost>,
    /// Titles of the last call answered with an extract or a typed
    /// "missing"/"invalid".
    pub answered: u64,
    /// Titles that failed over both calls, by error kind.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, u64>,
    /// Titles with no result at all (must be 0).
    #[serde(default)]
    pub lost: u64,
    /// The most threads its process had during the calls.
    pub peak_threads: u64,
    /// The most requests the mock had in flight during either call.
    pub in_flight: usize,
}

/// Why a try failed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TryFailure {
    /// In words: the limit the row's set-up named when it refused, the
    /// titles that failed, how the process ended, or the deadline.
    pub why: String,
    /// The setting that stopped it ("RLIMIT_NOFILE = 20000"), when one
    /// did; `None` for the deadline, which is the probe's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
}

impl RowLimit {
    /// The largest C at which every title was answered.
    pub fn answered_up_to(&self) -> Option<&RowTry> {
        self.tries
            .iter()
            .filter(|t| t.failed.is_none())
            .max_by_key(|t| t.concurrency)
    }

    /// The smallest C at which it failed.
    pub fn first_failed(&self) -> Option<&RowTry> {
        self.tries
            .iter()
            .filter(|t| t.failed.is_some())
            .min_by_key(|t| t.concurrency)
    }
}

/// The settings that bound threads, tasks and sockets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsSettings {
    /// RLIMIT_NOFILE, soft and hard, before the probe raised the soft one.
    pub open_files: (u64, u64),
    /// `kernel.pid_max` (it counts threads).
    pub pid_max: Option<u64>,
    /// `kernel.threads-max`.
    pub threads_max: Option<u64>,
    /// `vm.max_map_count` (memory mappings a process).
    pub max_map_count: Option<u64>,
    /// Ephemeral ports per source and destination address pair.
    pub ports: Option<u64>,
}

/// One model's probe: how many were alive at once, what stopped it, and
/// what each cost.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelLimit {
    /// "threads" or "tasks".
    pub what: String,
    /// How many were alive at once at the end (at least, when the
    /// process was ended).
    pub reached: u64,
    /// The cap it was given.
    pub cap: u64,
    /// What stopped it, in words: the cap, a memory cap, the error of the
    /// creation that failed (with its errno), or how its process ended.
    pub outcome: String,
    /// The setting that stopped it, when one did: "vm.max_map_count = 65530".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    /// Seconds to create them all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_s: Option<f64>,
    /// Resident memory each, KiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rss_kib: Option<f64>,
    /// The kernel's stacks and page tables each, KiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel_kib: Option<f64>,
    /// Memory mappings of the process at the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mappings: Option<u64>,
}

impl LimitsLog {
    /// Reads a probe's log from `path`.
    pub fn load(path: &std::path::Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Writes it as JSON to `path`.
    pub fn save(&self, path: &std::path::Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))
    }
}
