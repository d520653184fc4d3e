//! What a `cargo bench` run records: the machine, the controls, and per
//! row every timed call (wall time, CPU, the mock's counters) and the
//! results' correctness. Saved as JSON beside criterion's output.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use wikifetch_core::FetchResult;
use wikifetch_rig::controls::Controls;
use wikifetch_rig::instructions::Count;
use wikifetch_rig::{CpuSplit, Sample, Totals};

/// Where the report reads and writes.
#[derive(Debug, Clone)]
pub struct Paths {
    /// Criterion's output directory (`target/criterion`).
    pub criterion: PathBuf,
    /// The run log and the Python reference's output live here.
    pub run_log: PathBuf,
    /// `results/`, the report's only output.
    pub results: PathBuf,
    /// The workspace root (for `scripts/`).
    pub root: PathBuf,
}

impl Paths {
    /// The workspace's paths, honouring `CARGO_TARGET_DIR`.
    pub fn from_env() -> Self {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"));
        let criterion = target.join("criterion");
        Self {
            run_log: criterion.join("wikifetch-run.json"),
            results: root.join("results"),
            criterion,
            root,
        }
    }

    /// Where the `wrk` measurement of the mock goes for this run.
    pub fn wrk_json(&self) -> PathBuf {
        self.criterion.join("wikifetch-wrk.json")
    }

    /// Where the Python reference writes its timings for this run.
    pub fn python_json(&self) -> PathBuf {
        self.criterion.join("wikifetch-python.json")
    }
}

/// The machine a run happened on.
#[derive(Debug, Clone, Serialize, Deserialize)]
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

impl Machine {
    /// Reads this machine's description.
    pub fn detect() -> Self {
        let host = wikifetch_rig::process::Machine::detect();
        let rustc =
            std::process::Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
                .arg("--version")
                .output()
                .ok()
                .and_then(|o| String::from_utf8(o.stdout).ok())
                .map(|s| s.trim().to_owned())
                .unwrap_or_else(|| "unknown".into());
        Self {
            cores: host.cores,
            cpu: host.cpu,
            memory_gib: host.memory_gib,
            os: host.os,
            rustc,
        }
    }
}

/// One benchmark's observations across all its calls.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord {
    /// The scenario (criterion group).
    pub scenario: String,
    /// The strategy's name (`reference` for the floor).
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
    /// Every timed call, in order.
    pub samples: Vec<Sample>,
    /// When each title completed in the first timed call (round 0, layout
    /// 0), seconds after the call began, in order of completion; empty for
    /// the reference client, which reports no completions.
    #[serde(default)]
    pub timeline: Vec<f64>,
}

impl RunRecord {
    /// An empty record for one benchmark.
    pub fn new(scenario: &str, strategy: &str, titles: usize, concurrency: usize) -> Self {
        Self {
            scenario: scenario.into(),
            strategy: strategy.into(),
            titles,
            concurrency,
            iterations: 0,
            errors: 0,
            lost: 0,
            samples: Vec::new(),
            timeline: Vec::new(),
        }
    }

    /// Adds one call: how many titles failed and how many results came
    /// back.
    pub fn observe(&mut self, failed: usize, returned: usize) {
        self.iterations += 1;
        self.errors += failed as u64;
        self.lost += returned.abs_diff(self.titles) as u64;
    }

    /// Adds one call's results.
    pub fn observe_results(&mut self, results: &[FetchResult]) {
        self.observe(results.iter().filter(|r| r.is_err()).count(), results.len());
    }

    /// The timed calls, added up.
    pub fn totals(&self) -> Totals {
        Totals::of(&self.samples)
    }
}

/// One criterion sample of the core's per-title work: `iterations` runs
/// took `secs` in all.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct CoreSample {
    /// Iterations in the sample.
    pub iterations: u64,
    /// Their total time, seconds.
    pub secs: f64,
}

/// A whole `cargo bench` run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunLog {
    /// When the run ended, seconds since the Unix epoch.
    pub finished_unix: u64,
    /// Whether the large sweep ran.
    pub sweep: bool,
    /// Wall time of the whole benchmark run, seconds.
    pub wall_secs: f64,
    /// The bench process's peak resident memory (the client side only), KiB.
    pub peak_rss_kib: u64,
    /// The machine.
    pub machine: Machine,
    /// How the CPUs were split between the mock and the client.
    pub split: CpuSplit,
    /// The rig's controls (mock throughput, delay accuracy), when measured.
    pub controls: Option<Controls>,
    /// `valgrind --version`, when valgrind was there to count instructions.
    #[serde(default)]
    pub valgrind: Option<String>,
    /// Instructions per request of each strategy (callgrind), when counted.
    #[serde(default)]
    pub instructions: Vec<Count>,
    /// Criterion's samples of the core's per-title work (warm-up included:
    /// criterion calls the same routine for both).
    #[serde(default)]
    pub core_work: Vec<CoreSample>,
    /// Memory and threads of each row at the footprint concurrencies,
    /// all titles in flight at once (`crate::footprint`).
    #[serde(default)]
    pub footprints: Vec<crate::footprint::Footprint>,
    /// Every benchmark's observations.
    pub records: Vec<RunRecord>,
}

impl RunLog {
    /// A log for a run starting now.
    pub fn new(sweep: bool, split: CpuSplit) -> Self {
        Self {
            finished_unix: 0,
            sweep,
            wall_secs: 0.0,
            peak_rss_kib: 0,
            machine: Machine::detect(),
            split,
            controls: None,
            valgrind: None,
            instructions: Vec::new(),
            core_work: Vec::new(),
            footprints: Vec::new(),
            records: Vec::new(),
        }
    }

    /// Adds a benchmark's record.
    pub fn push(&mut self, record: RunRecord) {
        self.records.push(record);
    }

    /// Stamps the end of the run: time, wall time, peak memory.
    pub fn finish(&mut self, wall: Duration) {
        self.wall_secs = wall.as_secs_f64();
        self.finished_unix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.peak_rss_kib = wikifetch_rig::process::usage(None).map_or(0, |u| u.peak_rss_kib);
    }

    /// Writes the log as JSON.
    pub fn save(&self, paths: &Paths) -> std::io::Result<()> {
        std::fs::create_dir_all(&paths.criterion)?;
        let json = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(&paths.run_log, json)
    }

    /// Reads the last run's log.
    pub fn load(paths: &Paths) -> Result<Self, String> {
        let text = std::fs::read_to_string(&paths.run_log).map_err(|e| {
            format!(
                "no run log at {} ({e}); run `cargo bench` first",
                paths.run_log.display()
            )
        })?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", paths.run_log.display()))
    }
}

/// `YYYY-MM-DD HH:MM UTC` for a Unix time (Howard Hinnant's civil-from-days).
pub fn utc_date(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(utc_date(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_date(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc_date(1_795_907_220), "2026-11-28 23:07 UTC");
    }

    #[test]
    fn records_count_errors_and_losses() {
        let mut r = RunRecord::new("s", "x", 3, 2);
        let ok = Ok(wikifetch_core::Extract {
            page_title: "A".into(),
            text: String::new(),
        });
        let err = Err(wikifetch_core::FetchError::Http { status: 500 });
        r.observe_results(&[ok.clone(), err, ok.clone()]);
        r.observe_results(&[ok]);
        assert_eq!((r.iterations, r.errors, r.lost), (2, 1, 2));
    }
}
