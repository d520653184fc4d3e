//! The report's wording and drawing change only where a reviewed snapshot
//! changes: every file rendered from a small fixed run log (a trimmed copy
//! of a real run: fewer rows, ten rounds, every tenth completion) is held
//! to its snapshot in `tests/snapshots/`. After an intended change, review
//! the differences (`cargo insta review`, or `INSTA_UPDATE=always cargo
//! test -p wikifetch-report --test snapshots` and `git diff`).
#![allow(clippy::expect_used)]

use wikifetch_report::{RunLog, files};

fn fixture() -> RunLog {
    RunLog::from_json(include_str!("fixtures/small-run.json")).expect("the fixture is a run log")
}

#[test]
fn every_file_of_the_report_matches_its_snapshot() {
    let files = files(&fixture()).expect("the fixture renders");
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    insta::assert_snapshot!("files", names.join("\n"));
    for file in files.iter().filter(|f| f.name != "run.json") {
        insta::assert_snapshot!(file.name.clone(), file.text);
    }
}

#[test]
fn the_report_reads_only_the_log() {
    // The same log renders the same files twice: nothing but the log (no
    // clock, no environment, no code's scenarios) goes in.
    let log = fixture();
    assert_eq!(files(&log).expect("renders"), files(&log).expect("renders"));
    // And a log that says otherwise is quoted: the report takes a
    // scenario's parameters from the log, not from the code that measured.
    let mut other = log.clone();
    let latency = other
        .scenarios
        .iter_mut()
        .find(|s| s.name == "latency")
        .expect("the fixture has `latency`");
    latency.about = "A scenario described by the log alone.".into();
    latency.latency = "7ms".into();
    let report = files(&other)
        .expect("renders")
        .into_iter()
        .find(|f| f.name == "REPORT.md")
        .expect("a REPORT.md");
    assert!(
        report
            .text
            .contains("A scenario described by the log alone.")
    );
    assert!(
        report.text.contains("`latency`: N = 100, a 7 ms delay"),
        "{}",
        report.text
    );
}
