//! Where each model gives out on its own, apart from sockets: OS threads
//! that block on a pipe until creating one more fails, and tasks that wait
//! on timers until a cap or a memory cap. `wikifetch limits` runs these;
//! they are not part of `cargo bench`.
//!
//! A thread here blocks on a pipe, as a thread of `thread-pool` blocks on
//! its socket, with the standard library's default stack (2 MiB reserved,
//! a few KiB touched). A task waits on a tokio timer, as a task of `tokio`
//! waits on its socket. What each costs is read from outside the threads:
//! the process's resident memory, and the kernel's stacks and page tables
//! from `/proc/meminfo` (system-wide, so the machine should be quiet).

use std::io::Read;
use std::time::{Duration, Instant};

use wikifetch_rig::os::{self, KernelMemory};
use wikifetch_rig::process;
use wikifetch_runlog::{ModelLimit, OsSettings};

/// What stopped a probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// It reached the cap it was given.
    Cap,
    /// Resident memory reached the memory cap.
    MemoryCap,
    /// Creating one more failed with this error.
    Failed {
        /// The OS error number, when there was one.
        errno: Option<i32>,
        /// The error as the OS put it.
        message: String,
    },
}

/// One probe's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// What was created: "threads" or "tasks".
    pub what: &'static str,
    /// How many were alive at once at the end.
    pub reached: usize,
    /// The cap asked for.
    pub cap: usize,
    /// Why it stopped.
    pub stop: Stop,
    /// Time to create them all, seconds.
    pub create_s: f64,
    /// Time to release them all (wake and join, or drop), seconds.
    pub release_s: f64,
    /// Growth of the process's resident memory, KiB.
    pub rss_kib: u64,
    /// Growth of the kernel's stacks and page tables, KiB (system-wide).
    pub kernel: KernelMemory,
    /// Memory mappings of the process at the end (threads only).
    pub mappings: Option<u64>,
}

impl Probe {
    /// Resident memory per item, KiB.
    pub fn rss_per_item_kib(&self) -> f64 {
        self.rss_kib as f64 / self.reached.max(1) as f64
    }

    /// Kernel memory per item, KiB.
    pub fn kernel_per_item_kib(&self) -> f64 {
        (self.kernel.kernel_stack_kib + self.kernel.page_tables_kib) as f64
            / self.reached.max(1) as f64
    }
}

fn grew(before: KernelMemory, after: KernelMemory) -> KernelMemory {
    KernelMemory {
        kernel_stack_kib: after
            .kernel_stack_kib
            .saturating_sub(before.kernel_stack_kib),
        page_tables_kib: after.page_tables_kib.saturating_sub(before.page_tables_kib),
    }
}

fn rss() -> u64 {
    process::usage(None).map_or(0, |u| u.rss_kib)
}

/// What a probe reads before it creates anything.
struct Baseline {
    rss_kib: u64,
    kernel: KernelMemory,
}

/// How far a probe went, and how long creating took.
struct Reached {
    what: &'static str,
    reached: usize,
    cap: usize,
    stop: Stop,
    create_s: f64,
}

impl Baseline {
    fn read() -> Self {
        Self {
            rss_kib: rss(),
            kernel: KernelMemory::read(),
        }
    }

    /// The probe's result: the costs read now, with every item alive
    /// (and `mappings`, read by the caller), then `release` timed.
    fn finish(self, r: Reached, mappings: Option<u64>, release: impl FnOnce()) -> Probe {
        let (rss_after, kernel_after) = (rss(), KernelMemory::read());
        let released = Instant::now();
        release();
        Probe {
            what: r.what,
            reached: r.reached,
            cap: r.cap,
            stop: r.stop,
            create_s: r.create_s,
            release_s: released.elapsed().as_secs_f64(),
            rss_kib: rss_after.saturating_sub(self.rss_kib),
            kernel: grew(self.kernel, kernel_after),
            mappings,
        }
    }
}

/// Creates OS threads, each blocked reading one pipe, until creating one
/// fails or `cap` are alive; then closes the pipe's writing end, which
/// wakes them all, and joins them. Every thread is joined whatever
/// stopped the probe. `created` hears the count after each thread.
///
/// A limit can also end the process rather than the spawn: past
/// `vm.max_map_count`, the standard library cannot map a new thread's
/// alternate signal stack and aborts. `wikifetch limits` runs this probe
/// in a child process for that reason.
pub fn threads(cap: usize, mut created: impl FnMut(usize)) -> std::io::Result<Probe> {
    // One reading end for all: a descriptor a thread would meet the
    // open-files limit long before the threads' own.
    let (reader, writer) = os::pipe()?;
    let reader = std::sync::Arc::new(reader);
    let baseline = Baseline::read();
    let started = Instant::now();
    let mut handles = Vec::with_capacity(cap.min(1 << 20));
    let mut stop = Stop::Cap;
    while handles.len() < cap {
        let end = std::sync::Arc::clone(&reader);
        let spawned = std::thread::Builder::new().spawn(move || {
            // Returns at end of file, when the writer is dropped.
            let mut byte = [0u8; 1];
            let _ = (&*end).read(&mut byte);
        });
        match spawned {
            Ok(h) => {
                handles.push(h);
                created(handles.len());
            }
            Err(e) => {
                stop = failed(&e);
                break;
            }
        }
    }
    let create_s = started.elapsed().as_secs_f64();
    // Every thread is blocked in read by now or will be: wait until the
    // kernel counts them, then read the costs.
    std::thread::sleep(Duration::from_millis(200));
    let reached = Reached {
        what: "threads",
        reached: handles.len(),
        cap,
        stop,
        create_s,
    };
    Ok(baseline.finish(reached, os::mappings(), move || {
        drop(writer);
        drop(reader);
        for h in handles {
            let _ = h.join();
        }
    }))
}

/// Spawns tasks on a one-thread tokio runtime, each waiting on a timer an
/// hour long, until `cap` are alive or the process's resident memory has
/// grown by `memory_cap_kib`; then drops the runtime, which cancels them.
pub fn tasks(cap: usize, memory_cap_kib: u64) -> std::io::Result<Probe> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let baseline = Baseline::read();
    let started = Instant::now();
    let mut stop = Stop::Cap;
    let mut reached = 0;
    // In batches, so that memory is read between them.
    const BATCH: usize = 10_000;
    runtime.block_on(async {
        while reached < cap {
            for _ in 0..BATCH.min(cap - reached) {
                tokio::spawn(tokio::time::sleep(Duration::from_secs(3600)));
                reached += 1;
            }
            // Let every new task run to its first wait.
            tokio::task::yield_now().await;
            if rss().saturating_sub(baseline.rss_kib) >= memory_cap_kib {
                stop = Stop::MemoryCap;
                break;
            }
        }
    });
    let create_s = started.elapsed().as_secs_f64();
    let reached = Reached {
        what: "tasks",
        reached,
        cap,
        stop,
        create_s,
    };
    Ok(baseline.finish(reached, None, move || drop(runtime)))
}

impl Probe {
    /// The probe as the limits log records it, naming the setting that
    /// most likely stopped it (the one its count is nearest to).
    pub fn record(&self, limits: &os::Limits) -> ModelLimit {
        let (outcome, limit) = match &self.stop {
            Stop::Cap => (format!("reached the cap of {}", self.cap), None),
            Stop::MemoryCap => ("reached the memory cap".to_owned(), None),
            Stop::Failed { errno, message } => (
                format!(
                    "creating one more failed: {message}{}",
                    errno.map_or(String::new(), |e| format!(" (errno {e})"))
                ),
                nearest_limit(self.reached as u64, self.mappings, limits),
            ),
        };
        ModelLimit {
            what: self.what.to_owned(),
            reached: self.reached as u64,
            cap: self.cap as u64,
            outcome,
            limit,
            create_s: Some(self.create_s),
            rss_kib: Some(self.rss_per_item_kib()),
            kernel_kib: Some(self.kernel_per_item_kib()),
            mappings: self.mappings,
        }
    }
}

/// A thread probe whose process was ended (`status`, with the line of its
/// error output that says why) after at least `reached` threads: past
/// `vm.max_map_count` the standard library aborts the process instead of
/// failing the spawn.
pub fn ended(
    reached: u64,
    cap: u64,
    (status, why): (&str, &str),
    limits: &os::Limits,
) -> ModelLimit {
    let mappings = reached * wikifetch_core::limits::MAPPINGS_PER_THREAD;
    ModelLimit {
        what: "threads".to_owned(),
        reached,
        cap,
        outcome: format!(
            "the process was ended ({status}) after at least {reached} threads: \"{why}\"; creating the \
             thread succeeded, and the standard library then aborted the process"
        ),
        limit: nearest_limit(reached, Some(mappings), limits),
        ..ModelLimit::default()
    }
}

/// The setting a probe that stopped at `reached` (holding `mappings`)
/// most likely met: `kernel.pid_max` or `vm.max_map_count`, when within
/// 2,000 of it (at four mappings a thread, for the mappings).
fn nearest_limit(reached: u64, mappings: Option<u64>, limits: &os::Limits) -> Option<String> {
    let near = |count: u64, limit: Option<u64>| limit.filter(|l| count + 2_000 >= *l);
    if let Some(max) = near(reached, limits.pid_max) {
        return Some(format!("kernel.pid_max = {max}"));
    }
    near(mappings.unwrap_or(0), limits.max_map_count).map(|max| {
        format!(
            "vm.max_map_count = {max} (about {} threads at {} mappings each)",
            max / wikifetch_core::limits::MAPPINGS_PER_THREAD,
            wikifetch_core::limits::MAPPINGS_PER_THREAD
        )
    })
}

/// The machine's settings, as the limits log records them.
pub fn settings(limits: &os::Limits) -> OsSettings {
    OsSettings {
        open_files: limits.open_files,
        pid_max: limits.pid_max,
        threads_max: limits.threads_max,
        max_map_count: limits.max_map_count,
        ports: limits.port_count(),
    }
}

fn failed(e: &std::io::Error) -> Stop {
    Stop::Failed {
        errno: e.raw_os_error(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_threads_block_and_are_all_joined() {
        let before = process::usage(None).map_or(0, |u| u.threads);
        let mut heard = 0;
        let p = threads(50, |n| heard = n).unwrap();
        assert_eq!(heard, 50);
        assert_eq!((p.reached, &p.stop), (50, &Stop::Cap));
        // All joined: the thread count is back where it was.
        let after = process::usage(None).map_or(0, |u| u.threads);
        assert!(after <= before + 1, "{before} → {after}");
    }

    #[test]
    fn a_stop_names_the_setting_it_was_nearest() {
        let limits = os::Limits {
            pid_max: Some(32_768),
            max_map_count: Some(65_530),
            ..os::Limits::default()
        };
        let r = ended(
            16_128,
            50_000,
            ("signal 6", "failed to set up alternative stack guard page"),
            &limits,
        );
        assert!(
            r.limit
                .as_deref()
                .unwrap()
                .starts_with("vm.max_map_count = 65530"),
            "{r:?}"
        );
        assert!(
            r.outcome.contains("at least 16128 threads"),
            "{}",
            r.outcome
        );
        assert_eq!(
            nearest_limit(31_000, None, &limits).as_deref(),
            Some("kernel.pid_max = 32768")
        );
        assert_eq!(nearest_limit(1_000, Some(4_000), &limits), None);
        let p = tasks(100, u64::MAX).unwrap().record(&limits);
        assert_eq!((p.what.as_str(), p.reached, p.limit), ("tasks", 100, None));
        assert_eq!(p.outcome, "reached the cap of 100");
    }

    #[test]
    fn tasks_stop_at_the_cap_or_the_memory_cap() {
        let p = tasks(25_000, u64::MAX).unwrap();
        assert_eq!((p.reached, &p.stop), (25_000, &Stop::Cap));
        // A memory cap of 1 KiB stops the first batch's growth.
        let q = tasks(1_000_000, 1).unwrap();
        assert_eq!(q.stop, Stop::MemoryCap);
        assert!(q.reached < 1_000_000);
    }
}
