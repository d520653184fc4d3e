//! The log of a whole run.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::external::{Python, Wrk};
use crate::facts::{ScenarioFacts, StrategyFacts};
use crate::rig::{Controls, CpuSplit, FootprintSetup, Instructions, Sample, Syscalls};
use crate::scale::Scale;

/// The version of the log's shape. A change to a field's meaning, or a
/// field the report cannot do without, gets a new version; the report
/// refuses a log of another version rather than misread it.
pub const SCHEMA_VERSION: u32 = 3;

/// A whole run: the machine, the parameters, and every measurement.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunLog {
    /// [`SCHEMA_VERSION`] when it was written.
    pub schema: u32,
    /// When the run ended, seconds since the Unix epoch.
    pub finished_unix: u64,
    /// Whether the large sweep ran.
    pub sweep: bool,
    /// Wall time of the whole run, seconds.
    pub wall_secs: f64,
    /// The bench process's peak resident memory (the client side only), KiB.
    pub peak_rss_kib: u64,
    /// The machine.
    pub machine: Machine,
    /// How the CPUs were split between the mock and the client.
    pub split: CpuSplit,
    /// Every strategy the run knew, in report order.
    pub strategies: Vec<StrategyFacts>,
    /// Every scenario that ran, in report order.
    pub scenarios: Vec<ScenarioFacts>,
    /// Every row's observations.
    pub records: Vec<RunRecord>,
    /// The rig's controls (mock throughput, delay accuracy), when measured.
    pub controls: Option<Controls>,
    /// Instructions per request (callgrind), when valgrind was there.
    pub instructions: Option<Instructions>,
    /// System calls per request (strace), when strace was there.
    #[serde(default)]
    pub syscalls: Option<Syscalls>,
    /// Criterion's samples of the core's per-title work.
    pub core_work: Vec<CoreSample>,
    /// Memory and threads per request in flight, when measured.
    pub footprint: Option<FootprintSetup>,
    /// The scale curve, when it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Scale>,
    /// Where each model gives out on its own: the committed run of
    /// `wikifetch limits --out results/limits.json`, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<crate::LimitsLog>,
    /// The lesson's Python beside the Rust rows, when it ran.
    pub python: Option<Python>,
    /// `wrk` against the mock, when installed.
    pub wrk: Option<Wrk>,
    /// What an earlier run of the same scenarios measured, to say whether
    /// this run reproduces it (`cargo bench` keeps the run it replaces).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earlier: Option<Earlier>,
    /// Where the run's wall time went, step by step, in the order the
    /// steps first ran (a scenario's blocks summed into one step).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
}

/// One step of a run and the wall time it took, seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// What ran: a scenario's name, `scale C = 10000`, `footprint`, …
    pub name: String,
    /// Wall time, seconds, summed over the step's parts.
    pub wall_s: f64,
}

/// An earlier run, as much of it as the question "does this run reproduce
/// it?" needs: each row's figures with their intervals, and the verdicts
/// of the answer's first screen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Earlier {
    /// When that run ended, seconds since the Unix epoch.
    pub finished_unix: u64,
    /// Each of its rows.
    pub rows: Vec<EarlierRow>,
    /// The first screen's verdicts, by what they compare.
    pub verdicts: Vec<(String, String)>,
}

/// One row of an earlier run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EarlierRow {
    /// The scenario.
    pub scenario: String,
    /// The row.
    pub strategy: String,
    /// C.
    pub concurrency: usize,
    /// Mean time of a call, with the 95 % interval of the mean, seconds.
    pub time: (f64, f64, f64),
    /// Client CPU per request, with its 95 % interval, seconds.
    pub cpu: Option<(f64, f64, f64)>,
    /// Time over the floor, with its 95 % interval.
    pub floor: Option<(f64, f64, f64)>,
}

impl RunLog {
    /// The log as JSON.
    pub fn to_json(&self) -> Result<String, String> {
        serde_json::to_string_pretty(self).map_err(|e| e.to_string())
    }

    /// Reads a log from JSON, refusing one whose schema is not
    /// [`SCHEMA_VERSION`].
    pub fn from_json(text: &str) -> Result<Self, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not a wikifetch run log: {e}"))?;
        let Some(object) = value.as_object() else {
            return Err("not a wikifetch run log: not a JSON object".into());
        };
        let schema = object
            .get("schema")
            .and_then(serde_json::Value::as_u64)
            .and_then(|v| u32::try_from(v).ok());
        match schema {
            Some(SCHEMA_VERSION) => {
                serde_json::from_value(value).map_err(|e| format!("a damaged run log: {e}"))
            }
            Some(v) => Err(format!(
                "a run log of schema {v}; this wikifetch reads schema {SCHEMA_VERSION}: \
                 render it with the wikifetch that wrote it, or run `cargo bench` again"
            )),
            None => Err(format!(
                "a run log without a schema version (written before schema {SCHEMA_VERSION}); \
                 run `cargo bench` again"
            )),
        }
    }

    /// Writes the log as JSON to `path`, making its folder if needed.
    pub fn save(&self, path: &std::path::Path) -> Result<(), String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(path, self.to_json()? + "\n").map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Reads a log from `path`, refusing one of another schema.
    pub fn load(path: &std::path::Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "no run log at {} ({e}); run `cargo bench` first",
                path.display()
            )
        })?;
        Self::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Counts `secs` of wall time to step `name`, after what it already
    /// took.
    pub fn spent(&mut self, name: &str, secs: f64) {
        match self.steps.iter_mut().find(|s| s.name == name) {
            Some(step) => step.wall_s += secs,
            None => self.steps.push(Step {
                name: name.to_owned(),
                wall_s: secs,
            }),
        }
    }

    /// The scenario named `name`.
    pub fn scenario(&self, name: &str) -> Option<&ScenarioFacts> {
        self.scenarios.iter().find(|s| s.name == name)
    }

    /// The facts of the strategy of row `row` (its control rows included).
    pub fn strategy(&self, row: &str) -> Option<&StrategyFacts> {
        let name = crate::kept_alive_row(row);
        self.strategies.iter().find(|s| s.name == name)
    }
}

/// The machine a run happened on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    /// Logical CPUs the machine has online.
    pub cores: usize,
    /// `/proc/cpuinfo`'s model name.
    pub cpu: String,
    /// Total memory in GiB.
    pub memory_gib: f64,
    /// Operating system and kernel.
    pub os: String,
    /// `rustc --version`.
    pub rustc: String,
}

/// One row's observations across all its calls: a strategy (or the
/// reference client, or a control) in one scenario at one C.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The scenario.
    pub scenario: String,
    /// The row's name (`reference` for the floor).
    pub strategy: String,
    /// N.
    pub titles: usize,
    /// C.
    pub concurrency: usize,
    /// Calls made, the untimed warm-up included.
    pub iterations: u64,
    /// Titles that ended in an error, over all calls.
    pub errors: u64,
    /// Results missing or extra compared with the titles, over all calls.
    pub lost: u64,
    /// Every timed call, in round order.
    pub samples: Vec<Sample>,
    /// When each title completed in the first timed call (round 0, layout
    /// 0), seconds after the call began, in order of completion; empty for
    /// the reference client, which reports no completions.
    pub timeline: Vec<f64>,
    /// The untimed warm-up, as `wikifetch compare` shows it (threads and
    /// memory read from outside the child); `None` in `cargo bench`'s log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup: Option<Warmup>,
    /// Client-seen latency of every title of every timed call, seconds, as
    /// `wikifetch compare` shows it; empty in `cargo bench`'s log.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub latencies_s: Vec<f64>,
    /// The row's process's peak resident memory over all its calls, KiB,
    /// as `wikifetch compare` shows it; 0 in `cargo bench`'s log.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub peak_rss_kib: u64,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

impl RunRecord {
    /// An empty record for one row.
    pub fn new(scenario: &str, strategy: &str, titles: usize, concurrency: usize) -> Self {
        Self {
            scenario: scenario.into(),
            strategy: strategy.into(),
            titles,
            concurrency,
            ..Self::default()
        }
    }

    /// Adds one call: how many titles failed and how many results came
    /// back.
    pub fn observe(&mut self, failed: usize, returned: usize) {
        self.observe_of(self.titles, failed, returned);
    }

    /// Records one call over `asked` titles (a warm-up asks fewer than the
    /// row's N): `failed` titles failed, `returned` results came back.
    pub fn observe_of(&mut self, asked: usize, failed: usize, returned: usize) {
        self.iterations += 1;
        self.errors += failed as u64;
        self.lost += returned.abs_diff(asked) as u64;
    }
}

/// What one call in a row's child process measured about itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Call {
    /// The row's name: a strategy's, or `reference`.
    pub strategy: String,
    /// Wall time of the call, seconds.
    pub wall_s: f64,
    /// The child's own CPU time during the call (all its threads), seconds.
    pub client_cpu_s: f64,
    /// Per title, from `started` to `completed` as the client saw it
    /// (retries included), seconds; empty for the reference client.
    pub latencies_s: Vec<f64>,
    /// Completion times after the call began, in order, seconds.
    pub completions_s: Vec<f64>,
    /// Results returned (must equal the number of titles).
    pub results: usize,
    /// Failed titles by error kind.
    pub errors: BTreeMap<String, usize>,
    /// The child's peak resident memory so far, KiB.
    pub peak_rss_kib: u64,
    /// Context switches of the child's threads during the call: voluntary
    /// (waiting) and involuntary (preempted).
    #[serde(default)]
    pub context_switches: Option<(u64, u64)>,
}

impl Call {
    /// Titles that failed.
    pub fn failed(&self) -> usize {
        self.errors.values().sum()
    }
}

/// A row's untimed warm-up call, watched from outside its process.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Warmup {
    /// The call.
    pub call: Call,
    /// The most OS threads the child had during it.
    pub peak_threads: u64,
    /// The child's resident memory at each tenth of its titles, KiB.
    pub rss_profile_kib: Vec<u64>,
}

/// One criterion sample of the core's per-title work: `iterations` runs
/// took `secs` in all.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CoreSample {
    /// Iterations in the sample.
    pub iterations: u64,
    /// Their total time, seconds.
    pub secs: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_round_trips_and_other_versions_are_refused() {
        let log = RunLog {
            schema: SCHEMA_VERSION,
            records: vec![RunRecord::new("latency", "tokio", 100, 10)],
            ..RunLog::default()
        };
        let json = log.to_json().unwrap();
        let back = RunLog::from_json(&json).unwrap();
        assert_eq!(back.records, log.records);
        let old = json.replace(&format!("\"schema\": {SCHEMA_VERSION}"), "\"schema\": 1");
        let e = RunLog::from_json(&old).unwrap_err();
        assert!(e.contains("schema 1"), "{e}");
        assert!(
            RunLog::from_json("{\"records\": []}")
                .unwrap_err()
                .contains("without a schema")
        );
        assert!(
            RunLog::from_json("[1]")
                .unwrap_err()
                .contains("not a wikifetch run log")
        );
    }

    #[test]
    fn records_count_errors_and_losses() {
        let mut r = RunRecord::new("s", "x", 3, 2);
        r.observe(1, 3);
        r.observe(0, 1);
        assert_eq!((r.iterations, r.errors, r.lost), (2, 1, 2));
    }
}
