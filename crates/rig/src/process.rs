//! What a process costs, read from outside the timed code: CPU time from
//! `CLOCK_PROCESS_CPUTIME_ID` (nanoseconds, all threads), memory and
//! threads from `/proc` through the `procfs` crate.

use std::time::Duration;

use procfs::Current;

/// CPU time this process has used so far, user and system, all threads.
pub fn cpu_time() -> Duration {
    nix::time::clock_gettime(nix::time::ClockId::CLOCK_PROCESS_CPUTIME_ID)
        .map_or(Duration::ZERO, Duration::from)
}

/// Context switches this process's threads have made so far, voluntary
/// (a thread gave up the CPU to wait) and involuntary (the scheduler took
/// it), exited threads included (`getrusage(RUSAGE_SELF)`).
pub fn context_switches() -> (u64, u64) {
    nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_SELF).map_or((0, 0), |u| {
        (
            u64::try_from(u.voluntary_context_switches()).unwrap_or(0),
            u64::try_from(u.involuntary_context_switches()).unwrap_or(0),
        )
    })
}

/// Memory and threads of one process at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// Resident memory now, KiB.
    pub rss_kib: u64,
    /// The most resident memory so far (`VmHWM`), KiB.
    pub peak_rss_kib: u64,
    /// OS threads alive now.
    pub threads: u64,
}

/// The usage of process `pid` (`None`: this process), or `None` if it is
/// gone or `/proc` cannot be read.
pub fn usage(pid: Option<i32>) -> Option<Usage> {
    let process = match pid {
        Some(pid) => procfs::process::Process::new(pid),
        None => procfs::process::Process::myself(),
    }
    .ok()?;
    let status = process.status().ok()?;
    Some(Usage {
        rss_kib: status.vmrss.unwrap_or(0),
        peak_rss_kib: status.vmhwm.unwrap_or(0),
        threads: status.threads,
    })
}

/// The machine, for the report's first lines.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Machine {
    /// Logical CPUs the machine has online.
    pub cores: usize,
    /// The CPU's model name.
    pub cpu: String,
    /// Total memory in GiB.
    pub memory_gib: f64,
    /// Operating system and kernel.
    pub os: String,
}

impl Machine {
    /// Reads this machine's description.
    pub fn detect() -> Self {
        let cpu = procfs::CpuInfo::current()
            .ok()
            .and_then(|info| info.model_name(0).map(str::to_owned))
            .unwrap_or_else(|| "unknown CPU".into());
        let memory_gib = procfs::Meminfo::current().map_or(0.0, |m| {
            (m.mem_total as f64 / (1u64 << 30) as f64 * 10.0).round() / 10.0
        });
        let os_name = std::fs::read_to_string("/etc/os-release")
            .ok()
            .and_then(|t| {
                t.lines()
                    .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                    .map(|v| v.trim_matches('"').to_owned())
            })
            .unwrap_or_else(|| std::env::consts::OS.into());
        let kernel = procfs::sys::kernel::Version::current().map_or_else(
            |_| "?".into(),
            |v| format!("{}.{}.{}", v.major, v.minor, v.patch),
        );
        Self {
            // Not `available_parallelism`: that follows this process's
            // affinity, and the rig pins the client to part of the machine.
            cores: procfs::CpuInfo::current().map_or(0, |info| info.num_cores()),
            cpu,
            memory_gib,
            os: format!("{os_name}, Linux {kernel}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_grows_with_work() {
        let before = cpu_time();
        let start = std::time::Instant::now();
        let mut x = 0u64;
        while start.elapsed() < Duration::from_millis(5) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        assert!(cpu_time() > before);
    }

    #[test]
    fn reads_this_process() {
        let u = usage(None).unwrap();
        assert!(u.rss_kib > 0 && u.peak_rss_kib >= u.rss_kib && u.threads >= 1);
        let m = Machine::detect();
        assert!(m.cores >= 1 && m.memory_gib > 0.0);
    }
}
