//! The report's outside measurements: the lesson's Python against the
//! mock, and `wrk` against the mock when it is installed. Both run against
//! a mock process of their own on the mock's CPUs; the programs run on the
//! client's CPUs (they inherit this process's).

use std::path::Path;

use serde_json::json;
use wikifetch_rig::{CpuSplit, MockProcess, MockSpec};

use super::Paths;
use crate::scenarios::SEED;

/// The delay of the Python reference's `latency` run (the `latency` scenario's).
pub const PYTHON_DELAY: &str = "20ms";

fn mock(exe: &Path, split: &CpuSplit, latency: &str) -> std::io::Result<MockProcess> {
    MockProcess::start(
        exe,
        &MockSpec {
            latency: latency.to_owned(),
            seed: SEED,
            cpus: split.mock.clone(),
            ..MockSpec::default()
        },
    )
}

/// Runs the lesson's Python code against the mock (`scripts/python_reference.py`)
/// and leaves its timings for the report. Optional: without `python3`, or if
/// the script fails, the report says so and the benchmark still succeeds.
pub fn python_reference(paths: &Paths, exe: &Path, split: &CpuSplit) {
    let script = paths.root.join("scripts").join("python_reference.py");
    let out = paths.python_json();
    let _ = std::fs::remove_file(&out);
    let (Ok(latency), Ok(overhead)) = (mock(exe, split, PYTHON_DELAY), mock(exe, split, "0"))
    else {
        eprintln!("wikifetch: Python reference skipped: the mock did not start");
        return;
    };
    let status = std::process::Command::new("python3")
        .arg(&script)
        .args(["--latency-url", latency.api_url()])
        .args(["--overhead-url", overhead.api_url()])
        .arg("--out")
        .arg(&out)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => eprintln!("wikifetch: Python reference failed ({s}); the report will say so"),
        Err(e) => eprintln!("wikifetch: Python reference skipped: cannot run python3 ({e})"),
    }
}

/// Measures the mock with `wrk` (1 thread, 10 connections, 2 s, no
/// delay), if `wrk` is installed: an outside check on the rig's own
/// throughput control.
pub fn mock_ceiling(paths: &Paths, exe: &Path, split: &CpuSplit) {
    let out = paths.wrk_json();
    let _ = std::fs::remove_file(&out);
    let Ok(mock) = mock(exe, split, "0") else {
        return;
    };
    let url = format!(
        "{}?action=query&prop=extracts&exsentences=5&explaintext=1&format=json&formatversion=2&titles=Article",
        mock.api_url()
    );
    let output = std::process::Command::new("wrk")
        .args(["-t1", "-c10", "-d2s", &url])
        .output();
    let text = match output {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
        Ok(o) => {
            eprintln!(
                "wikifetch: wrk failed ({}); the report will say so",
                o.status
            );
            return;
        }
        Err(e) => {
            eprintln!("wikifetch: wrk not run ({e}); the report will say so");
            return;
        }
    };
    let rate = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse::<f64>().ok());
    if let Some(rate) = rate {
        let served = mock.stats().map_or(0, |s| s.requests);
        let json = json!({"tool": "wrk -t1 -c10 -d2s", "requests_per_s": rate, "served": served});
        let _ = std::fs::write(&out, json.to_string());
    }
}
