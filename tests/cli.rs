//! The `wikifetch` binary, end to end against the mock.

// Test helpers may fail loudly: that is how a test reports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use serde_json::Value;
use wikifetch_mock::{MISSING_TITLE, MockWiki, normalize};

fn wikifetch(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wikifetch"))
        .args(args)
        .output()
        .expect("the wikifetch binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    )
}

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

#[test]
fn fetch_json_reports_every_title_in_order() {
    let mock = MockWiki::start().unwrap();
    let url = mock.api_url();
    let hostile = wikifetch_testkit::HOSTILE_TITLES;
    let mut args = vec!["fetch", "--format", "json", "--api-url", &url];
    args.extend(hostile);
    args.extend([MISSING_TITLE, "a|b", "Albert_Einstein"]);
    let (code, stdout, _) = wikifetch(&args);
    assert_eq!(code, 1, "some titles failed, so the exit status is 1");
    let lines = json_lines(&stdout);
    assert_eq!(lines.len(), hostile.len() + 3);
    for (line, title) in lines.iter().zip(&args[5..]) {
        assert_eq!(line["title"], *title);
    }
    for (line, title) in lines.iter().zip(hostile) {
        let extract = line["extract"].as_str().unwrap();
        assert!(extract.starts_with(&normalize(title)), "{line}");
    }
    let n = hostile.len();
    assert_eq!(lines[n]["error"]["kind"], "missing");
    assert_eq!(lines[n + 1]["error"]["kind"], "invalid");
    assert_eq!(lines[n + 2]["page_title"], "Albert Einstein");
    assert_eq!(
        mock.stats().requests,
        n as u64 + 2,
        "no request for the invalid title"
    );
}

#[test]
fn exit_status_is_zero_when_all_succeed() {
    let mock = MockWiki::start().unwrap();
    let (code, stdout, _) = wikifetch(&["fetch", "--api-url", &mock.api_url(), "Rust"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("== Rust ==\nRust is"), "{stdout}");
}

#[test]
fn fetch_marks_disambiguation_pages() {
    let mock = MockWiki::start().unwrap();
    let url = mock.api_url();
    let (code, stdout, _) = wikifetch(&["fetch", "--api-url", &url, "Python", "Chess"]);
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("== Python [disambiguation] ==\nPython is"),
        "{stdout}"
    );
    assert!(stdout.contains("== Chess ==\nChess is"), "{stdout}");
    let (_, stdout, _) = wikifetch(&[
        "fetch",
        "--format",
        "json",
        "--api-url",
        &url,
        "Python",
        "Chess",
    ]);
    let lines = json_lines(&stdout);
    assert_eq!(lines[0]["disambiguation"], true);
    assert_eq!(lines[1]["disambiguation"], false);
}

#[test]
fn titles_file_names_lines_that_are_not_utf8() {
    let mock = MockWiki::start().unwrap();
    let dir = std::env::temp_dir().join(format!("wikifetch-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("titles.txt");
    std::fs::write(&file, b"Rust\r\n\xff\xfeBad\n\nPython\n").unwrap();
    let (code, stdout, _) = wikifetch(&[
        "fetch",
        "--format",
        "json",
        "--api-url",
        &mock.api_url(),
        "--titles-file",
        file.to_str().unwrap(),
    ]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(code, 1);
    let lines = json_lines(&stdout);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["title"], "Rust");
    assert_eq!(lines[1]["error"]["kind"], "invalid");
    assert!(
        lines[1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 2 of")
    );
    assert_eq!(lines[2]["title"], "Python");
    assert_eq!(mock.stats().requests, 2);
}

#[test]
fn usage_errors_exit_with_2() {
    let (code, _, stderr) = wikifetch(&["fetch", "--strategy", "nope", "X"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("possible values: sequential"), "{stderr}");
    let (code, _, stderr) = wikifetch(&["fetch", "--api-url", "http://127.0.0.1:9/w/api.php"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no titles"), "{stderr}");
    let (code, _, stderr) = wikifetch(&[
        "fetch",
        "--exsentences",
        "11",
        "--api-url",
        "http://127.0.0.1:9/",
        "X",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("exsentences"), "{stderr}");
}

#[test]
fn unreachable_server_is_a_connect_error_per_title() {
    // Bind and drop a listener: nothing listens on that port now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/w/api.php");
    let (code, stdout, _) = wikifetch(&[
        "fetch",
        "--format",
        "json",
        "--retries",
        "0",
        "--api-url",
        &url,
        "A",
        "B",
    ]);
    assert_eq!(code, 1);
    let lines = json_lines(&stdout);
    assert_eq!(lines.len(), 2);
    assert!(
        lines.iter().all(|l| l["error"]["kind"] == "connect"),
        "{stdout}"
    );
}

/// A 50 MB answer to each of 8 titles in flight at once: every title ends
/// as `too_large`, and no strategy buffers the bodies whole (8 × 50 MB
/// would be 400 MB; reading stops one byte past the 1 MiB cap).
#[test]
fn huge_bodies_are_not_buffered_whole() {
    use wikifetch_mock::{Fault, FaultKind};
    let titles: Vec<String> = (0..8).map(|i| format!("Huge {i}")).collect();
    let refs: Vec<&str> = titles.iter().map(String::as_str).collect();
    let mock = MockWiki::builder()
        .fault(Fault::always(FaultKind::HugeBody(50_000_000), &refs))
        .start()
        .unwrap();
    let url = mock.api_url();
    for strategy in wikifetch_registry::Strategy::ALL {
        let mut args = vec!["fetch", "--format", "json", "--retries", "0", "-c", "8"];
        args.extend(["--strategy", strategy.name(), "--api-url", &url]);
        args.extend(&refs);
        let out = Command::new(env!("CARGO_BIN_EXE_wikifetch"))
            .args(&args)
            .env("WIKIFETCH_PEAK_RSS", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let lines = json_lines(&stdout);
        assert_eq!(lines.len(), 8, "{strategy}");
        assert!(
            lines.iter().all(|l| l["error"]["kind"] == "too_large"),
            "{strategy}: {stdout}"
        );
        let stderr = String::from_utf8(out.stderr).unwrap();
        let kib: u64 = stderr
            .lines()
            .find_map(|l| l.strip_prefix("wikifetch: peak RSS "))
            .and_then(|v| v.trim_end_matches(" KiB").parse().ok())
            .unwrap_or_else(|| panic!("{strategy}: no peak RSS in {stderr:?}"));
        assert!(
            kib < 150 * 1024,
            "{strategy} peaked at {kib} KiB for 8 capped bodies"
        );
    }
}

fn wikifetch_stats_median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// `compare` on a tiny input for two strategies: its JSON is a run log
/// (the floor first, every timed call warm and at C in flight), which the
/// report's analysis reads as it reads `cargo bench`'s, and which
/// `wikifetch report` renders.
#[test]
fn compare_json_is_a_run_log_the_report_reads() {
    let (code, stdout, stderr) = wikifetch(&[
        "compare",
        "--titles",
        "20",
        "--concurrency",
        "4",
        "--latency",
        "5ms",
        "--strategies",
        "thread-pool,tokio",
        "--rounds",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let log = wikifetch_runlog::RunLog::from_json(stdout.trim()).expect("a run log");
    let scenario = &log.scenarios[0];
    assert_eq!(
        (scenario.titles, scenario.concurrency.as_slice()),
        (20, &[4][..])
    );
    assert!(scenario.counted);
    let names: Vec<&str> = log.records.iter().map(|r| r.strategy.as_str()).collect();
    assert_eq!(names, ["reference", "thread-pool", "tokio"]);
    for r in &log.records {
        assert_eq!((r.errors, r.lost, r.samples.len()), (0, 0, 3), "{r:?}");
        let warmup = r.warmup.as_ref().expect("compare keeps the warm-up");
        // The warm-up fetches two waves: 2 × C of the 20 titles.
        assert_eq!(
            warmup.call.results,
            wikifetch_harness::session::warmup_titles(20, 4)
        );
        assert_eq!(warmup.call.results, 8);
        assert!(warmup.peak_threads >= 1 && !warmup.rss_profile_kib.is_empty());
        assert!(r.peak_rss_kib > 0);
        for m in &r.samples {
            assert_eq!(m.requests, 20);
            assert_eq!(
                m.connections, 0,
                "timed calls run on warm connections: {r:?}"
            );
            assert_eq!(m.max_in_flight, 4, "{r:?}");
            assert!(m.client_cpu_s > 0.0 && m.wall_s >= 0.025);
        }
        if r.strategy != "reference" {
            assert_eq!(r.latencies_s.len(), 60, "20 titles × 3 calls");
            // The mock's timer fires a little early by design (it learns its
            // own wake-up lateness), so the median, not every title.
            let median = wikifetch_stats_median(&r.latencies_s);
            assert!(median >= 0.005, "a 5 ms delay: median {median}");
            assert_eq!(r.timeline.len(), 20);
        }
    }
    let rows = wikifetch_report::rows(&log).expect("the analysis reads it");
    for row in &rows {
        assert_eq!(row.premise, None, "{row:?}");
        assert!(
            (row.ideal_s.unwrap() - 0.025).abs() < 1e-9,
            "5 waves of 5 ms"
        );
        assert!(row.efficiency_floor.unwrap() > 0.0);
        assert!(row.client_cpu_per_request_s > 0.0);
    }
    // `wikifetch report` renders the same log into files.
    let dir = std::env::temp_dir().join(format!("wikifetch-report-{}", std::process::id()));
    let log_path = dir.join("compare.json");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(&log_path, &stdout).unwrap();
    let (code, _, stderr) = wikifetch(&[
        "report",
        log_path.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report = std::fs::read_to_string(dir.join("REPORT.md")).unwrap();
    assert!(report.contains("`compare`: N = 20"), "{report}");
    // Against itself, a run reproduces: every figure inside its own
    // intervals, no verdict changed.
    let (code, _, stderr) = wikifetch(&[
        "report",
        log_path.to_str().unwrap(),
        "--against",
        log_path.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let details = std::fs::read_to_string(dir.join("DETAILS.md")).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(details.contains("## Does it reproduce?"), "{details}");
    assert!(
        details.contains("| mean time of a call | 3 of 3 | 0.0 % |"),
        "{details}"
    );
}

/// `--plot` writes an SVG timeline with one line per strategy and the ideal.
#[test]
fn compare_plot_writes_an_svg_timeline() {
    let path = std::env::temp_dir().join(format!("wikifetch-timeline-{}.svg", std::process::id()));
    let (code, stdout, stderr) = wikifetch(&[
        "compare",
        "--titles",
        "12",
        "-c",
        "3",
        "--latency",
        "5ms",
        "--strategies",
        "sequential,smol",
        "--plot",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("| smol"), "{stdout}");
    let svg = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();
    assert!(
        svg.starts_with("<svg") && svg.contains("smol") && svg.contains("ideal"),
        "{svg}"
    );
}

#[test]
fn limits_probes_threads_in_a_child_and_tasks_and_names_the_machine_limits() {
    let out = std::env::temp_dir().join(format!("wikifetch-limits-{}.json", std::process::id()));
    let (code, stdout, stderr) = wikifetch(&[
        "limits",
        "--threads",
        "300",
        "--tasks",
        "2000",
        "--rows-cap",
        "1000",
        "--deadline-s",
        "60",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    // The same results, typed, for `cargo bench` to put in its run log.
    let log = wikifetch_runlog::LimitsLog::load(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    let reached: Vec<(&str, u64)> = log
        .models
        .iter()
        .map(|m| (m.what.as_str(), m.reached))
        .collect();
    assert_eq!(reached, [("threads", 300), ("tasks", 2000)]);
    assert!(log.settings.open_files.1 > 0 && log.machine.cores > 0);
    assert!(stdout.contains("kernel.pid_max"), "{stdout}");
    assert!(
        stdout.contains("threads: 300 alive at once; reached the cap of 300."),
        "{stdout}"
    );
    assert!(
        stdout.contains("tasks: 2000 alive at once; reached the cap of 2000."),
        "{stdout}"
    );
    // The child reports its progress every 256 threads; those lines stay
    // between the two processes.
    assert!(!stdout.contains("created "), "{stdout}");
    // Every row of the curve, tried once at the cap, cold and warm, and
    // answered in full: the machine holds 1,000 of anything.
    assert_eq!(log.rows.len(), 10, "{:?}", log.rows);
    for row in &log.rows {
        let tried: Vec<(usize, u64, bool)> = row
            .tries
            .iter()
            .map(|t| (t.concurrency, t.answered, t.warm.is_some()))
            .collect();
        assert_eq!(
            tried,
            [(1000, 1000, true)],
            "{}: {:?}",
            row.strategy,
            row.tries
        );
        assert!(row.tries[0].failed.is_none(), "{:?}", row.tries[0]);
    }
    assert_eq!((log.deadline_s, log.resolution), (Some(60.0), Some(500)));
}
