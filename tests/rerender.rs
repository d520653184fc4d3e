//! The committed report is a pure function of the committed run log:
//! rendering `results/run.json` again gives every file of `results/` byte
//! for byte, whatever today's code says the scenarios are. (After a
//! `cargo bench`, `results/` holds the new run and its log together, so
//! this holds for every run.)
#![allow(clippy::expect_used, clippy::panic)]

use std::path::Path;

#[test]
fn the_committed_log_renders_the_committed_report() {
    let results = Path::new(env!("CARGO_MANIFEST_DIR")).join("results");
    let log = wikifetch_runlog::RunLog::load(&results.join("run.json")).expect("results/run.json");
    let files = wikifetch_report::files(&log).expect("the committed log renders");
    for file in &files {
        let committed = std::fs::read_to_string(results.join(&file.name))
            .unwrap_or_else(|e| panic!("results/{}: {e}", file.name));
        assert!(
            committed == file.text,
            "results/{} is not what results/run.json renders: run `cargo bench` \
             (or `WIKIFETCH_REPORT_ONLY=1 cargo bench`) instead of editing it",
            file.name
        );
    }
}

#[test]
fn the_log_not_the_code_names_the_parameters() {
    // Today's code and the log may disagree (a scenario changed after the
    // run): the report quotes the log.
    let results = Path::new(env!("CARGO_MANIFEST_DIR")).join("results");
    let mut log =
        wikifetch_runlog::RunLog::load(&results.join("run.json")).expect("results/run.json");
    let code = wikifetch_harness::scenarios::scenarios(log.sweep);
    let today = code
        .iter()
        .find(|s| s.name == "concurrency")
        .expect("the code has `concurrency`");
    let logged = log
        .scenarios
        .iter_mut()
        .find(|s| s.name == "concurrency")
        .expect("the log has `concurrency`");
    logged.titles = today.titles + 1;
    logged.about = format!("{} (as the log says)", logged.about);
    let report = wikifetch_report::files(&log)
        .expect("renders")
        .into_iter()
        .find(|f| f.name == "REPORT.md")
        .expect("a REPORT.md");
    let heading = format!("`concurrency`: N = {}", today.titles + 1);
    assert!(report.text.contains(&heading), "{heading} missing");
    assert!(report.text.contains("(as the log says)"));
}
