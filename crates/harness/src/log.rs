//! Starting a run log: the machine, the CPU split, and the facts of every
//! strategy and scenario, so that the log alone explains the run.

use std::path::PathBuf;
use std::time::Duration;

use wikifetch_registry::Strategy;
use wikifetch_runlog::{CpuSplit, Machine, RunLog, SCHEMA_VERSION};

use crate::scenarios::Scenario;

/// Where a run reads and writes.
#[derive(Debug, Clone)]
pub struct Paths {
    /// Criterion's output directory (`target/criterion`), where the run's
    /// scratch files go.
    pub criterion: PathBuf,
    /// The run log of the last complete run (`results/run.json`).
    pub run_log: PathBuf,
    /// `results/`, the report's only output.
    pub results: PathBuf,
    /// The workspace root (for `scripts/`).
    pub root: PathBuf,
}

impl Paths {
    /// The paths of the workspace at `root`, honouring `CARGO_TARGET_DIR`.
    pub fn at(root: PathBuf) -> Self {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"));
        let results = root.join("results");
        Self {
            run_log: results.join("run.json"),
            criterion: target.join("criterion"),
            results,
            root,
        }
    }

    /// Where the Python reference writes its timings for this run.
    pub fn python_json(&self) -> PathBuf {
        self.criterion.join("wikifetch-python.json")
    }
}

/// This machine's description.
pub fn machine() -> Machine {
    let host = wikifetch_rig::process::Machine::detect();
    let rustc =
        std::process::Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
            .arg("--version")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|| "unknown".into());
    Machine {
        cores: host.cores,
        cpu: host.cpu,
        memory_gib: host.memory_gib,
        os: host.os,
        rustc,
    }
}

/// A log for a run starting now over `scenarios`, on this machine split
/// as `split`: every strategy's facts and every scenario's parameters,
/// no measurement yet.
pub fn start(sweep: bool, split: CpuSplit, scenarios: &[Scenario]) -> RunLog {
    RunLog {
        schema: SCHEMA_VERSION,
        sweep,
        machine: machine(),
        split,
        strategies: Strategy::ALL.iter().map(|s| s.facts()).collect(),
        scenarios: scenarios.iter().map(Scenario::facts).collect(),
        ..RunLog::default()
    }
}

/// Stamps the end of the run: time, wall time, peak memory.
pub fn finish(log: &mut RunLog, wall: Duration) {
    log.wall_secs = wall.as_secs_f64();
    log.finished_unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    log.peak_rss_kib = wikifetch_rig::process::usage(None).map_or(0, |u| u.peak_rss_kib);
}
