//! Operating-system limits that a concurrency needs, checked and raised
//! before anything is sent, so a run fails at once with a clear message
//! instead of half way with "too many open files".

use crate::{Config, SetupError};

/// File descriptors a process needs beyond one per connection: standard
/// streams, the runtime's epoll and wake-up pipes, a local mock's sockets.
pub const SPARE_FILES: u64 = 64;

/// Validates `config` and makes sure the process may open a socket for
/// every request in flight. Every strategy calls it in its constructor.
pub fn prepare(config: &Config) -> Result<(), SetupError> {
    config.validate()?;
    ensure_open_files(config.concurrency as u64 + SPARE_FILES)
}

/// Raises the soft limit on open files (`RLIMIT_NOFILE`) towards the hard
/// limit if fewer than `needed` are allowed; fails, naming the limit and
/// how to raise it, if even the hard limit is too low.
pub fn ensure_open_files(needed: u64) -> Result<(), SetupError> {
    match rlimit::increase_nofile_limit(needed) {
        Ok(allowed) if allowed >= needed => Ok(()),
        Ok(allowed) => Err(SetupError::Limit(format!(
            "this concurrency needs about {needed} open files (one socket per request in flight, \
             plus {SPARE_FILES}), but the open-files limit (RLIMIT_NOFILE) is {allowed} and its hard \
             limit allows no more; lower --concurrency, or raise the limit (`ulimit -Hn` shows it; \
             `ulimit -n {needed}` as root, or /etc/security/limits.conf)"
        ))),
        Err(e) => Err(SetupError::Limit(format!(
            "could not read or raise the open-files limit (RLIMIT_NOFILE): {e}"
        ))),
    }
}

/// Memory mappings each OS thread holds: its stack and the stack's guard
/// page, and the alternate signal stack Rust's standard library maps for
/// it, with its own guard page.
pub const MAPPINGS_PER_THREAD: u64 = 4;

/// Mappings a process needs beyond its threads': the allocator's arenas,
/// libraries, a runtime's own.
pub const SPARE_MAPPINGS: u64 = 1024;

/// Makes sure the process may hold `threads` more OS threads at once, as
/// a strategy with one thread per request in flight needs, before it
/// starts any: fails naming the limit that would stop them.
///
/// Two limits bind first on Linux. `vm.max_map_count` caps a process's
/// memory mappings ([`MAPPINGS_PER_THREAD`] a thread); past it the
/// standard library cannot map a new thread's signal stack and aborts
/// the whole process, so it must be checked before, not met.
/// `kernel.pid_max` and `kernel.threads-max` cap the threads of the whole
/// machine. A limit `/proc` does not show is not checked.
pub fn ensure_threads(threads: usize) -> Result<(), SetupError> {
    let threads = threads as u64;
    let read = |path: &str| std::fs::read_to_string(path).ok();
    let number = |path: &str| read(path).and_then(|t| t.trim().parse::<u64>().ok());
    if let (Some(max), Some(mapped)) = (
        number("/proc/sys/vm/max_map_count"),
        read("/proc/self/maps").map(|t| t.lines().count() as u64),
    ) {
        let needed = mapped + MAPPINGS_PER_THREAD * threads + SPARE_MAPPINGS;
        if needed > max {
            return Err(SetupError::Limit(format!(
                "this concurrency needs {threads} threads, about {needed} memory mappings \
                 ({MAPPINGS_PER_THREAD} a thread: its stack and its signal stack, each with a guard \
                 page), but vm.max_map_count is {max}, and past it a new thread aborts the process; \
                 lower --concurrency, or raise the limit (`sysctl -w vm.max_map_count={needed}` as root)"
            )));
        }
    }
    // `/proc/loadavg`'s fourth field is "running/total" scheduling entities:
    // the threads of the whole machine.
    let alive = read("/proc/loadavg").and_then(|t| {
        let field = t.split_whitespace().nth(3)?;
        field.split('/').nth(1)?.parse::<u64>().ok()
    });
    let cap = [
        ("kernel.pid_max", number("/proc/sys/kernel/pid_max")),
        ("kernel.threads-max", number("/proc/sys/kernel/threads-max")),
    ]
    .into_iter()
    .filter_map(|(name, max)| Some((name, max?)))
    .min_by_key(|(_, max)| *max);
    if let (Some(alive), Some((name, max))) = (alive, cap) {
        if alive + threads > max {
            return Err(SetupError::Limit(format!(
                "this concurrency needs {threads} threads, the machine runs {alive} already, \
                 and {name} is {max}; lower --concurrency, or raise the limit \
                 (`sysctl -w {name}={}` as root)",
                alive + threads
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_past_the_mapping_limit_are_refused_before_any_starts() {
        let Some(max) = std::fs::read_to_string("/proc/sys/vm/max_map_count")
            .ok()
            .and_then(|t| t.trim().parse::<u64>().ok())
        else {
            return; // no such limit here
        };
        assert_eq!(ensure_threads(10), Ok(()));
        let err = ensure_threads(usize::try_from(max / MAPPINGS_PER_THREAD).unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("vm.max_map_count") && err.contains("--concurrency"),
            "{err}"
        );
    }

    #[test]
    fn a_modest_need_is_met() {
        assert_eq!(ensure_open_files(100), Ok(()));
        assert!(prepare(&Config::default()).is_ok());
    }

    #[test]
    fn an_impossible_need_names_the_limit() {
        let Ok((_, hard)) = rlimit::getrlimit(rlimit::Resource::NOFILE) else {
            return;
        };
        if hard == rlimit::INFINITY {
            return; // nothing is impossible here
        }
        let err = ensure_open_files(hard + 1).unwrap_err().to_string();
        assert!(
            err.contains("RLIMIT_NOFILE") && err.contains("--concurrency"),
            "{err}"
        );
    }

    /// A concurrency of C needs C sockets and [`SPARE_FILES`] more: exactly
    /// that many open files are allowed, one more is refused.
    #[test]
    fn prepare_needs_one_file_per_request_in_flight_and_the_spare() {
        let Ok((_, hard)) = rlimit::getrlimit(rlimit::Resource::NOFILE) else {
            return;
        };
        if hard == rlimit::INFINITY || hard <= SPARE_FILES {
            return; // no limit to meet here
        }
        let with = |concurrency: u64| Config {
            concurrency: usize::try_from(concurrency).unwrap(),
            ..Config::default()
        };
        assert_eq!(prepare(&with(hard - SPARE_FILES)), Ok(()));
        assert!(matches!(
            prepare(&with(hard - SPARE_FILES + 1)),
            Err(SetupError::Limit(_))
        ));
    }

    #[test]
    fn prepare_validates_first() {
        let c = Config {
            concurrency: 0,
            ..Config::default()
        };
        assert!(matches!(prepare(&c), Err(SetupError::Config(_))));
    }
}
