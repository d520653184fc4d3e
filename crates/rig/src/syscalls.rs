//! System calls per request, counted by `strace -c -f`: the kernel's share
//! of a request, which instruction counts (user space only) leave out.
//!
//! As with [`crate::instructions`], each strategy fetches a small and a
//! large list of titles from a mock with no delay, now under strace, and
//! the difference of the counts over the difference of the lists is the
//! cost of one more request. strace stops the process at every call, so
//! the run is far slower than a timed one; calls that wait (`futex`,
//! `epoll_wait`) are counted as often as the slower run made them, which
//! depends on timing. The count is untimed and never beside a timing.

use std::collections::BTreeMap;
use std::path::Path;

pub use wikifetch_runlog::SyscallCount;

/// Titles in the small run.
pub const SMALL: usize = crate::instructions::SMALL;
/// Titles in the large run.
pub const LARGE: usize = crate::instructions::LARGE;

/// `strace -V`'s first line, or `None` when strace is not installed.
pub fn strace() -> Option<String> {
    crate::under::version("strace", "-V")
}

/// Counts the system calls of `strategy` at concurrency `c` against
/// `api_url` with the `wikifetch` binary `exe`, all its threads followed;
/// `dir` holds the title lists and strace's summaries.
pub fn count(
    exe: &Path,
    api_url: &str,
    strategy: &str,
    c: usize,
    dir: &Path,
) -> std::io::Result<SyscallCount> {
    let run = |n: usize| -> std::io::Result<BTreeMap<String, u64>> {
        let summary = dir.join(format!("strace-{strategy}-{n}.txt"));
        let summary_arg = summary.to_string_lossy().into_owned();
        crate::under::fetch(
            &["strace", "-c", "-f", "-o", &summary_arg],
            exe,
            (api_url, strategy, c),
            (dir, n),
        )?;
        let text = std::fs::read_to_string(&summary)?;
        let calls = summary_table(&text);
        if calls.is_empty() {
            return Err(std::io::Error::other(format!(
                "strace wrote no summary table for {strategy}"
            )));
        }
        Ok(calls)
    };
    Ok(SyscallCount {
        strategy: strategy.to_owned(),
        small: run(SMALL)?,
        large: run(LARGE)?,
    })
}

/// The calls of each system call in `strace -c`'s table:
///
/// ```text
/// % time     seconds  usecs/call     calls    errors syscall
/// ------ ----------- ----------- --------- --------- ----------------
///  45.00    0.000450           4       100           write
///  ...
/// 100.00    0.001000           5       200        10 total
/// ```
///
/// The calls are the fourth column whether or not the errors column is
/// filled; the `total` line is left out.
fn summary_table(text: &str) -> BTreeMap<String, u64> {
    let mut calls = BTreeMap::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (Some(name), Some(count)) = (fields.last(), fields.get(3)) else {
            continue;
        };
        if fields.len() < 5 || *name == "total" || *name == "syscall" {
            continue;
        }
        if let Ok(n) = count.parse::<u64>() {
            *calls.entry((*name).to_owned()).or_insert(0) += n;
        }
    }
    calls
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_strace_summary_tables() {
        let text = "\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 45.00    0.000450           4       100           write
 30.00    0.000300           3       120        20 recvfrom
 25.00    0.000250           2         7           futex
------ ----------- ----------- --------- --------- ----------------
100.00    0.001000           5       227        20 total
";
        let calls = summary_table(text);
        assert_eq!(calls.len(), 3);
        assert_eq!(calls["write"], 100);
        assert_eq!(calls["recvfrom"], 120);
        assert_eq!(calls["futex"], 7);
        assert!(summary_table("strace: nothing").is_empty());
    }
}
