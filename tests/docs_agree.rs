//! The docs quote the committed run: every figure with a unit in
//! `docs/GUIDE.md` and `README.md` (ms, µs, s, %, KiB, MiB, ×, min, or an
//! instruction count such as 64k) must be printed, as a whole figure, in
//! `results/REPORT.md` or `results/DETAILS.md`, which `cargo bench` writes
//! from the run. A doc that
//! quotes a figure the report no longer prints fails here; refresh it from
//! the report. What this cannot check: that a figure is quoted for the
//! right row, scenario and C, and figures without a unit. The guide names
//! the run it quotes; after a new `cargo bench`, until the guide is
//! refreshed, `results/` holds another run and the check says so and
//! compares nothing (a clean clone always has the committed pair).
// A test may fail loudly.
#![allow(clippy::panic)]

use std::path::Path;

/// Units a measured figure carries in the docs and the report.
const UNITS: [&str; 9] = [" ms", " µs", " s", " %", " KiB", " MiB", "×", "k", " min"];

/// Every "number + unit" in `text`: the number is a run of digits, dots
/// and commas starting with a digit, not glued to a word before it.
fn figures(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let glued = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        if bytes[i].is_ascii_digit() && !glued {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_digit() || bytes[i] == b'.' || bytes[i] == b',')
            {
                i += 1;
            }
            let number = text[start..i].trim_end_matches(['.', ',']);
            let rest = &text[start + number.len()..];
            for unit in UNITS {
                if let Some(after) = rest.strip_prefix(unit) {
                    // "5 s" but not "5 sentences"; "64k" but not "64kB".
                    let ends = after.chars().next().is_none_or(|c| !c.is_alphanumeric());
                    if ends {
                        found.push(format!("{number}{unit}"));
                    }
                    break;
                }
            }
        } else {
            i += 1;
        }
    }
    found
}

fn read(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_scanner_finds_figures_and_only_figures() {
    assert_eq!(
        figures("took 204.4 ms (1.3 %), 25.9 µs, 2.033 s, 64k, 9.9×, 4.2 min"),
        [
            "204.4 ms", "1.3 %", "25.9 µs", "2.033 s", "64k", "9.9×", "4.2 min"
        ]
    );
    assert!(figures("5 sentences, C = 10, rustc 1.95, x86_64, 3 seconds").is_empty());
}

#[test]
fn a_figure_is_matched_whole() {
    let report: std::collections::HashSet<String> =
        figures("took 11.3 % and 2.12 s").into_iter().collect();
    assert!(!report.contains("1.3 %") && !report.contains("2.1 s"));
    assert!(report.contains("11.3 %"));
}

/// The run a text names: "the run that finished 2026-11-29 08:50 UTC",
/// possibly broken across lines.
fn run_named(text: &str) -> Option<String> {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let start = flat.find("the run that finished ")? + "the run that finished ".len();
    let rest = &flat[start..];
    let end = rest.find(" UTC")?;
    Some(rest[..end].to_owned())
}

#[test]
fn the_run_is_read_from_either_text() {
    assert_eq!(
        run_named("from the run that finished\n2026-11-29 08:50 UTC. Do not").as_deref(),
        Some("2026-11-29 08:50")
    );
    assert_eq!(run_named("no run here"), None);
}

#[test]
fn every_figure_in_the_guide_and_readme_is_in_the_committed_report() {
    // The guide names the run it quotes. A `cargo bench` made since leaves
    // another run in results/: the guide then describes the committed run,
    // not this one, and there is nothing to compare (a clean clone, as in
    // CI, always has the pair).
    let report_text = read("results/REPORT.md");
    let quoted = run_named(&read("docs/GUIDE.md"))
        .unwrap_or_else(|| panic!("docs/GUIDE.md does not name the run it quotes"));
    let measured = run_named(&report_text)
        .unwrap_or_else(|| panic!("results/REPORT.md does not name its run"));
    if quoted != measured {
        eprintln!(
            "docs/GUIDE.md quotes the run of {quoted}, results/ holds the run of {measured}: \
             nothing to compare (refresh the guide before committing a new run)"
        );
        return;
    }
    // Whole figures only: "1.3 %" must be printed as such, not found
    // inside "11.3 %".
    let details = read("results/DETAILS.md");
    let report: std::collections::HashSet<String> = figures(&report_text)
        .into_iter()
        .chain(figures(&details))
        .collect();
    for doc in ["docs/GUIDE.md", "README.md"] {
        let missing: Vec<String> = figures(&read(doc))
            .into_iter()
            .filter(|f| !report.contains(f))
            .collect();
        assert!(
            missing.is_empty(),
            "{doc} quotes figures that results/REPORT.md and DETAILS.md do not print: {missing:?}"
        );
    }
}

/// The words of `text` as `wc -w` counts them.
fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// The reader's budget: a report and a guide read in minutes, the answer
/// on the report's first screen, in plain words.
#[test]
fn the_report_and_the_guide_keep_to_their_word_budgets() {
    let report = read("results/REPORT.md");
    assert!(
        words(&report) <= 5_000,
        "REPORT.md: {} words",
        words(&report)
    );
    let guide = read("docs/GUIDE.md");
    assert!(words(&guide) <= 3_000, "GUIDE.md: {} words", words(&guide));
    let start = report
        .find("## The answer")
        .unwrap_or_else(|| panic!("REPORT.md does not open with its answer"));
    let rest = &report[start + 3..];
    let opening = &report[start..start + 3 + rest.find("\n## ").unwrap_or(rest.len())];
    assert!(
        words(opening) <= 450,
        "the opening screen: {} words",
        words(opening)
    );
    let lower = opening.to_lowercase();
    for term in [
        "floor",
        "premise",
        "rig-bound",
        "pair cell",
        "reference client",
    ] {
        assert!(!lower.contains(term), "{term:?} on the opening screen");
    }
    // The answer comes before any other section.
    assert!(
        report[..start].matches("\n## ").count() == 0,
        "a section before the answer"
    );
}

/// DETAILS.md is read, not skimmed: no paragraph runs past 150 words
/// (a long comparison is a table with a sentence of reading), and no
/// output says "indistinguishable", a word the verdicts do not use.
#[test]
fn details_has_no_wall_of_text_and_no_output_says_indistinguishable() {
    let details = read("results/DETAILS.md");
    for paragraph in details.split("\n\n") {
        let table = paragraph.trim_start().starts_with('|');
        assert!(
            table || words(paragraph) <= 150,
            "a DETAILS.md paragraph of {} words: {}",
            words(paragraph),
            &paragraph[..paragraph.len().min(200)]
        );
    }
    for file in [
        "results/REPORT.md",
        "results/DETAILS.md",
        "results/results.json",
    ] {
        assert!(
            !read(file).to_lowercase().contains("indistinguishable"),
            "{file} says indistinguishable"
        );
    }
}

/// `results.csv` is CSV: a CSV parser reads it back, and every row is as
/// wide as its header (a latency spec with a comma once broke `jitter`'s).
#[test]
fn the_committed_csv_parses_with_every_row_as_wide_as_its_header() {
    let text = read("results/results.csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let width = reader
        .headers()
        .unwrap_or_else(|e| panic!("results.csv's header: {e}"))
        .len();
    let mut rows = 0;
    for record in reader.records() {
        let record = record.unwrap_or_else(|e| panic!("results.csv: {e}"));
        assert_eq!(record.len(), width, "{record:?}");
        rows += 1;
    }
    assert!(rows > 0, "results.csv has no rows");
}
