//! What a `cargo bench` run records besides criterion's timings: the
//! machine, and per benchmark the results' correctness, in-flight peak and
//! request count. Saved as JSON beside criterion's output.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use wikifetch_core::FetchResult;

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
    /// Logical CPUs available to the process.
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
        let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
        let field = |text: &str, key: &str| {
            text.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_once([':', '=']))
                .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        };
        let memory_kib: f64 = field(&read("/proc/meminfo"), "MemTotal")
            .and_then(|v| v.trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0.0);
        let os = format!(
            "{}, Linux {}",
            field(&read("/etc/os-release"), "PRETTY_NAME")
                .unwrap_or_else(|| std::env::consts::OS.into()),
            read("/proc/sys/kernel/osrelease").trim()
        );
        let rustc =
            std::process::Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
                .arg("--version")
                .output()
                .ok()
                .and_then(|o| String::from_utf8(o.stdout).ok())
                .map(|s| s.trim().to_owned())
                .unwrap_or_else(|| "unknown".into());
        Self {
            cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu: field(&read("/proc/cpuinfo"), "model name").unwrap_or_else(|| "unknown".into()),
            memory_gib: (memory_kib / 1024.0 / 1024.0 * 10.0).round() / 10.0,
            os,
            rustc,
        }
    }
}

/// One benchmark's observations across all its iterations.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord {
    /// The scenario (criterion group).
    pub scenario: String,
    /// The strategy's name.
    pub strategy: String,
    /// N.
    pub titles: usize,
    /// C.
    pub concurrency: usize,
    /// `fetch_all` calls made (warm-up included).
    pub iterations: u64,
    /// Titles that ended in an error, over all iterations.
    pub errors: u64,
    /// Results missing or extra compared with the titles, over all iterations.
    pub lost: u64,
    /// The most requests the mock saw in flight at once.
    pub max_in_flight: usize,
    /// Requests the mock served in the last iteration.
    pub requests_per_iteration: u64,
    /// Process CPU time (user + system, client and mock together) during
    /// the timed calls, seconds.
    #[serde(default)]
    pub cpu_secs: f64,
    /// Timed calls that `cpu_secs` covers.
    #[serde(default)]
    pub timed_calls: u64,
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
            max_in_flight: 0,
            requests_per_iteration: 0,
            cpu_secs: 0.0,
            timed_calls: 0,
        }
    }

    /// Adds the CPU time of one timed call.
    pub fn add_cpu(&mut self, cpu: Duration) {
        self.cpu_secs += cpu.as_secs_f64();
        self.timed_calls += 1;
    }

    /// Adds one iteration's results and the mock's counters.
    pub fn observe(&mut self, results: &[FetchResult], max_in_flight: usize, requests: u64) {
        self.iterations += 1;
        self.errors += results.iter().filter(|r| r.is_err()).count() as u64;
        self.lost += results.len().abs_diff(self.titles) as u64;
        self.max_in_flight = self.max_in_flight.max(max_in_flight);
        self.requests_per_iteration = requests;
    }
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
    /// The bench process's peak resident memory (mock included), KiB.
    pub peak_rss_kib: u64,
    /// The machine.
    pub machine: Machine,
    /// Every benchmark's observations.
    pub records: Vec<RunRecord>,
}

impl RunLog {
    /// A log for a run starting now.
    pub fn new(sweep: bool) -> Self {
        Self {
            finished_unix: 0,
            sweep,
            wall_secs: 0.0,
            peak_rss_kib: 0,
            machine: Machine::detect(),
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
        self.peak_rss_kib = peak_rss_kib().unwrap_or(0);
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

/// This process's peak resident set size (`VmHWM`), KiB.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// CPU time this process has used so far, user plus system, all threads
/// (exited ones included), from `/proc/self/stat`. Linux counts it in
/// ticks of 10 ms (USER_HZ = 100), so measure over many calls.
pub fn process_cpu_time() -> Option<Duration> {
    process_cpu_times().map(|(user, system)| user + system)
}

/// User and system CPU time this process has used so far, separately.
pub fn process_cpu_times() -> Option<(Duration, Duration)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    Some((
        Duration::from_millis(ticks(11)? * 10),
        Duration::from_millis(ticks(12)? * 10),
    ))
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
        r.observe(&[ok.clone(), err, ok.clone()], 2, 3);
        r.observe(&[ok], 1, 1);
        assert_eq!(
            (r.iterations, r.errors, r.lost, r.max_in_flight),
            (2, 1, 2, 2)
        );
    }

    #[test]
    fn cpu_time_grows_with_work() {
        let before = process_cpu_time().unwrap();
        let start = std::time::Instant::now();
        let mut x = 0u64;
        while start.elapsed() < Duration::from_millis(60) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        assert!(process_cpu_time().unwrap() > before);
    }

    #[test]
    fn this_process_has_a_peak_rss() {
        assert!(peak_rss_kib().unwrap_or(1) > 0);
    }
}
