//! Splitting the machine's CPUs between the mock and the client.

use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
use nix::unistd::Pid;
pub use wikifetch_runlog::{CpuSplit, list};

/// The CPUs this process may use, split: the last one for the mock, the
/// rest for the client. With fewer than two, no split.
pub fn detect() -> CpuSplit {
    CpuSplit::split(&allowed_cpus())
}

/// Parses a `0,2,3` CPU list.
pub fn parse_list(s: &str) -> Result<Vec<usize>, String> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            p.trim()
                .parse()
                .map_err(|_| format!("{p:?} is not a CPU number"))
        })
        .collect()
}

/// The CPUs this process may run on.
pub fn allowed_cpus() -> Vec<usize> {
    match sched_getaffinity(Pid::from_raw(0)) {
        Ok(set) => (0..CpuSet::count())
            .filter(|&i| set.is_set(i).unwrap_or(false))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Restricts the calling thread, and every thread it creates afterwards,
/// to `cpus`. Call it first thing in `main`, before any thread exists.
/// An empty list changes nothing.
pub fn pin_this_thread(cpus: &[usize]) -> Result<(), String> {
    if cpus.is_empty() {
        return Ok(());
    }
    let mut set = CpuSet::new();
    for &cpu in cpus {
        set.set(cpu).map_err(|e| format!("CPU {cpu}: {e}"))?;
    }
    sched_setaffinity(Pid::from_raw(0), &set).map_err(|e| format!("sched_setaffinity: {e}"))
}

/// Asks the kernel to kill this process when the thread that started it
/// exits, so that a mock started by the rig never outlives a benchmark or
/// a `compare` that was interrupted.
pub fn exit_with_parent() -> Result<(), String> {
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
        .map_err(|e| format!("prctl(PR_SET_PDEATHSIG): {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_last_cpu_off_for_the_mock() {
        assert_eq!(detect(), CpuSplit::split(&allowed_cpus()));
        let s = CpuSplit::split(&[0, 1]);
        assert_eq!((s.mock, s.client), (vec![1], vec![0]));
        let s = CpuSplit::split(&[0, 1, 2, 3]);
        assert_eq!((s.mock, s.client), (vec![3], vec![0, 1, 2]));
        assert!(!CpuSplit::split(&[0]).is_split());
        assert!(!CpuSplit::split(&[]).is_split());
    }

    #[test]
    fn lists_round_trip() {
        assert_eq!(parse_list("0,2, 3").unwrap(), vec![0, 2, 3]);
        assert_eq!(list(&[0, 2]), "0,2");
        assert!(parse_list("x").is_err());
    }

    #[test]
    fn this_process_may_use_some_cpu() {
        assert!(!allowed_cpus().is_empty());
    }
}
