//! Instructions per request, counted by valgrind's callgrind: a cost that
//! does not move with the machine's noise, beside the CPU time that does.
//!
//! Each strategy runs `wikifetch fetch --format summary` over a small and
//! a large list of titles under callgrind, against a mock process with no
//! delay; the difference of the two counts over the difference of the
//! lists is the cost of one more request, start-up and set-up excluded.
//! Only the client is counted: the mock runs natively, in its own process.

use std::path::Path;

pub use wikifetch_runlog::Count;

/// Titles in the small run.
pub const SMALL: usize = 100;
/// Titles in the large run.
pub const LARGE: usize = 500;

/// `valgrind --version`, or `None` when valgrind is not installed.
pub fn valgrind() -> Option<String> {
    crate::under::version("valgrind", "--version")
}

/// Counts `strategy` at concurrency `c` against `api_url` with the
/// `wikifetch` binary `exe`; `dir` holds the title lists.
pub fn count(
    exe: &Path,
    api_url: &str,
    strategy: &str,
    c: usize,
    dir: &Path,
) -> std::io::Result<Count> {
    let run = |n: usize| -> std::io::Result<u64> {
        let output = crate::under::fetch(
            &[
                "valgrind",
                "--tool=callgrind",
                "--callgrind-out-file=/dev/null",
            ],
            exe,
            (api_url, strategy, c),
            (dir, n),
        )?;
        collected(&String::from_utf8_lossy(&output.stderr))
            .ok_or_else(|| std::io::Error::other("callgrind printed no instruction count"))
    };
    Ok(Count {
        strategy: strategy.to_owned(),
        small: run(SMALL)?,
        large: run(LARGE)?,
    })
}

/// The count in callgrind's `==123== Collected : 4567` line.
fn collected(stderr: &str) -> Option<u64> {
    stderr
        .lines()
        .find_map(|l| l.split_once("Collected :"))
        .and_then(|(_, v)| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_collected_line() {
        let stderr = "==42== Events    : Ir\n==42== Collected : 123456789\n==42==\n==42== I   refs:      123,456,789\n";
        assert_eq!(collected(stderr), Some(123_456_789));
        assert_eq!(collected("nothing"), None);
    }
}
