//! The report's outside measurements: the lesson's Python against the
//! mock, and `wrk` against the mock when it is installed. Both run against
//! a mock process of their own on the mock's CPUs; the programs run on the
//! client's CPUs (they inherit this process's).

use std::path::Path;

use wikifetch_rig::{MockProcess, MockSpec};
use wikifetch_runlog::{CpuSplit, Python, Wrk, WrkDelay};

use crate::Paths;
use crate::scenarios::{Scenario, scenarios};

/// The delay of the `wrk` delay check (the `latency` scenario's).
pub const PYTHON_DELAY: &str = "20ms";

/// Timed calls per Python row: two (each Python row is compared by its
/// mean, not paired, so more calls would buy little; three cost 17 s more
/// of `cargo bench`).
const PYTHON_REPEATS: &[(&str, usize)] = &[("latency", 2), ("overhead", 2), ("wan", 2)];

fn mock(exe: &Path, split: &CpuSplit, latency: &str) -> std::io::Result<MockProcess> {
    start(exe, split, &Scenario::mock_spec_of(latency))
}

/// A mock process as `spec` says (its seed included), on the mock's CPUs.
fn start(exe: &Path, split: &CpuSplit, spec: &MockSpec) -> std::io::Result<MockProcess> {
    MockProcess::start(
        exe,
        &MockSpec {
            cpus: split.mock.clone(),
            ..spec.clone()
        },
    )
}

/// Runs the lesson's Python code against the mock (`scripts/python_reference.py`)
/// in the scenarios of [`PYTHON_REPEATS`], each against a mock process set
/// up as the scenario's, and leaves its timings for the report. Optional:
/// without `python3`, or if the script fails, the report says so and the
/// benchmark still succeeds.
pub fn python_reference(paths: &Paths, exe: &Path, split: &CpuSplit) -> Option<Python> {
    let script = paths.root.join("scripts").join("python_reference.py");
    let out = paths.python_json();
    let _ = std::fs::remove_file(&out);
    let mut command = std::process::Command::new("python3");
    command.arg(&script);
    let mut mocks = Vec::new();
    for scenario in scenarios(false) {
        let Some((_, repeats)) = PYTHON_REPEATS.iter().find(|(n, _)| *n == scenario.name) else {
            continue;
        };
        let Ok(mock) = start(exe, split, &scenario.mock_spec()) else {
            eprintln!("wikifetch: Python reference skipped: the mock did not start");
            return None;
        };
        command
            .arg("--scenario")
            .args([
                scenario.name,
                &scenario.titles.to_string(),
                &repeats.to_string(),
            ])
            .args([mock.api_url(), &mock.admin_url()]);
        if let Some(ca) = mock.ca_cert() {
            command.arg("--ca-cert").arg(ca);
        }
        mocks.push(mock);
    }
    let status = command.arg("--out").arg(&out).status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => {
            eprintln!("wikifetch: Python reference failed ({s}); the report will say so");
            return None;
        }
        Err(e) => {
            eprintln!("wikifetch: Python reference skipped: cannot run python3 ({e})");
            return None;
        }
    }
    let read = std::fs::read_to_string(&out).map_err(|e| e.to_string());
    match read.and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string())) {
        Ok(python) => Some(python),
        Err(e) => {
            eprintln!(
                "wikifetch: the Python reference's output is unreadable ({e}); the report will say so"
            );
            None
        }
    }
}

/// Measures the mock with `wrk`, if it is installed: an outside check on
/// the rig's own controls. Throughput: 1 thread, 10 connections, 2 s, no
/// delay. Delay accuracy: a 20 ms delay at 1 and at 100 connections, 2 s
/// each. Takes about 6 s.
pub fn mock_ceiling(exe: &Path, split: &CpuSplit) -> Option<Wrk> {
    let wrk = |mock: &MockProcess, connections: u32| -> Option<String> {
        let url = format!(
            "{}?action=query&prop=extracts&exsentences=5&explaintext=1&format=json&formatversion=2&titles=Article",
            mock.api_url()
        );
        let output = std::process::Command::new("wrk")
            .args(["-t1", &format!("-c{connections}"), "-d2s", &url])
            .output();
        match output {
            Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
            Ok(o) => {
                eprintln!(
                    "wikifetch: wrk failed ({}); the report will say so",
                    o.status
                );
                None
            }
            Err(e) => {
                eprintln!("wikifetch: wrk not run ({e}); the report will say so");
                None
            }
        }
    };
    let (Ok(fast), Ok(delayed)) = (mock(exe, split, "0"), mock(exe, split, PYTHON_DELAY)) else {
        return None;
    };
    let text = wrk(&fast, 10)?;
    let mut delays = Vec::new();
    for c in [1, 100] {
        if let Some(mean) = wrk(&delayed, c).as_deref().and_then(wrk_mean_latency) {
            delays.push(WrkDelay {
                connections: c as usize,
                mean_s: mean,
            });
        }
    }
    let rate = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse::<f64>().ok());
    Some(Wrk {
        tool: "wrk -t1 -c10 -d2s".to_owned(),
        requests_per_s: rate?,
        delay: PYTHON_DELAY.to_owned(),
        delay_round_trips: delays,
    })
}

/// The mean of wrk's `Latency` line (`Latency 20.26ms 57.66us …`), seconds.
fn wrk_mean_latency(text: &str) -> Option<f64> {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("Latency "))?;
    let mean = line.split_whitespace().nth(1)?;
    let split = mean.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = mean.split_at(split);
    let value: f64 = number.parse().ok()?;
    let scale = match unit {
        "us" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        _ => return None,
    };
    Some(value * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrk_mean_latency() {
        let text = "Running 2s test\n  Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency    20.26ms   57.66us  20.53ms   74.90%\n";
        assert!((wrk_mean_latency(text).unwrap() - 0.02026).abs() < 1e-12);
        assert_eq!(wrk_mean_latency("Latency    94.79us  1ms"), Some(94.79e-6));
        assert_eq!(wrk_mean_latency("no such line"), None);
    }
}
