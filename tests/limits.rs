//! A strategy that meets a real limit ends cleanly: every title gets its
//! result or a clear per-title error, in input order, or the run refuses
//! to start with a message naming the limit. Never a crash, never a hang.
//!
//! The limit is real: each `wikifetch fetch` runs in a child process
//! placed in a cgroup whose `pids.max` (the pids controller, which binds
//! root, unlike RLIMIT_NPROC) allows it far fewer threads than its
//! concurrency asks for. Where this machine has no writable pids cgroup,
//! the test says so and checks nothing.

// Test helpers may fail loudly: that is how a test reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use wikifetch_mock::{Latency, MockWiki};

/// Threads (and processes) the child may have at once: its main thread,
/// a runtime's few, and some requests' worth, far below C.
const PIDS_MAX: usize = 48;
const C: usize = 300;
const N: usize = 400;

/// A pids cgroup (v1 or v2) this process may create and fill, or `None`.
fn pids_cgroup(name: &str) -> Option<PathBuf> {
    for base in [
        "/sys/fs/cgroup/pids",
        "/sys/fs/cgroup/unified",
        "/sys/fs/cgroup",
    ] {
        let base = Path::new(base);
        if !base.join("cgroup.procs").exists() {
            continue;
        }
        let dir = base.join(name);
        if std::fs::create_dir_all(&dir).is_err() {
            continue;
        }
        if std::fs::write(dir.join("pids.max"), PIDS_MAX.to_string()).is_ok() {
            return Some(dir);
        }
        let _ = std::fs::remove_dir(&dir);
    }
    None
}

#[test]
fn a_strategy_out_of_threads_answers_every_title_or_refuses_to_start() {
    let Some(cgroup) = pids_cgroup(&format!("wikifetch-test-{}", std::process::id())) else {
        eprintln!("skipped: no writable pids cgroup here (needs root and the pids controller)");
        return;
    };
    let mock = MockWiki::builder()
        .latency(Latency::Fixed(Duration::from_millis(20)))
        .start()
        .unwrap();
    let url = mock.api_url();
    let titles: Vec<String> = (0..N).map(|i| format!("Limit {i}")).collect();
    let list = std::env::temp_dir().join(format!("wikifetch-limits-{}.txt", std::process::id()));
    std::fs::write(&list, titles.join("\n")).unwrap();
    let procs = cgroup.join("cgroup.procs");
    let mut report = Vec::new();
    for strategy in wikifetch_registry::Strategy::ALL.iter().map(|s| s.name()) {
        let script = format!(
            "echo $$ > '{}' && exec timeout 60 '{}' fetch --strategy {strategy} -c {C} --retries 1 \
             --format json --api-url '{url}' --titles-file '{}'",
            procs.display(),
            env!("CARGO_BIN_EXE_wikifetch"),
            list.display()
        );
        let out = Command::new("sh").args(["-c", &script]).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        match code {
            // Ran: one line per title, in input order, each a result or
            // an error of its own.
            Some(0 | 1) => {
                let lines: Vec<Value> = stdout
                    .lines()
                    .map(|l| serde_json::from_str(l).expect("each line is JSON"))
                    .collect();
                assert_eq!(lines.len(), N, "{strategy}: {stderr}");
                for (line, title) in lines.iter().zip(&titles) {
                    assert_eq!(line["title"], *title, "{strategy}");
                    assert!(
                        line.get("extract").is_some() || line["error"]["kind"].is_string(),
                        "{strategy}: {line}"
                    );
                }
                let failed = lines.iter().filter(|l| l.get("error").is_some()).count();
                report.push(format!("{strategy}: ran, {failed} of {N} titles failed"));
            }
            // Refused to start: a message that names what ran out.
            Some(2) => {
                assert!(
                    stderr.contains("thread") || stderr.contains("os error 11"),
                    "{strategy} refused without naming the limit: {stderr}"
                );
                assert!(stdout.is_empty(), "{strategy}: {stdout}");
                report.push(format!("{strategy}: refused to start"));
            }
            _ => panic!(
                "{strategy} ended uncleanly ({:?}; 124 is the 60 s timeout): {stderr}",
                out.status
            ),
        }
    }
    let _ = std::fs::remove_file(&list);
    let _ = std::fs::remove_dir(&cgroup);
    // At least one row did meet the limit mid-run, or the test proved
    // nothing about running out.
    assert!(
        report
            .iter()
            .any(|r| r.contains("ran") && !r.contains(" 0 of")),
        "no strategy met the limit while running: {report:#?}"
    );
    eprintln!("{}", report.join("\n"));
}
