//! # wikifetch-report: a run log in, the report out
//!
//! The report of a run is a pure function of its [`RunLog`]: this crate
//! reads nothing else (no scenario, strategy or constant of the code that
//! measured), so a saved log renders the same report today and later.
//!
//! - [`analysis`]: every row with its floor, ideal, premise and paired
//!   ratios, each computed once.
//! - `findings`: the answer, the findings and the lesson, as sentences
//!   formatted from the analysis.
//! - [`render`]: `REPORT.md`, `DETAILS.md`, the SVG plots, `results.csv`,
//!   `results.json`, and the terminal table `wikifetch compare` prints.

pub mod analysis;
mod findings;
mod render;

pub use analysis::{Row, rows};
pub use render::plot::compare_timeline;
pub use render::table::compare_table;
pub use render::write::{File, files, write};
pub use wikifetch_runlog::RunLog;

/// What a later run needs of `log` to say whether it reproduces it: its
/// rows' figures with their intervals and its first screen's verdicts
/// (`RunLog::earlier` of the later run).
pub fn earlier(log: &RunLog) -> Result<wikifetch_runlog::Earlier, String> {
    let rows = rows(log)?;
    let verdicts = findings::answer::first_screen_verdicts(&rows, log);
    Ok(analysis::earlier_of(log, &rows, verdicts))
}
