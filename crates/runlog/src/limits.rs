//! Where each model gives out on its own, apart from sockets, as
//! `wikifetch limits --out` records it (`results/limits.json`), and the
//! machine's settings that stop it. `cargo bench` embeds the recorded
//! probe in its run log (`RunLog::limits`), so that the report says which
//! run each figure came from.

use serde::{Deserialize, Serialize};

use crate::log::Machine;

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
