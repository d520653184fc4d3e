//! The sentences of the report, each formatted from the analysis: the
//! answer REPORT.md opens with, the findings under it, the lesson's Python
//! beside its Rust twins, and the reasons under each table.

pub(crate) mod answer;
pub(crate) mod lesson;
pub(crate) mod listed;
pub(crate) mod prose;
pub(crate) mod reach;
