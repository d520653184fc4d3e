//! # wikifetch-runlog: the one boundary between measuring and reporting
//!
//! A `cargo bench` run (or a `wikifetch compare`) measures, and writes
//! everything it measured into a [`RunLog`]; the report reads the log and
//! nothing else. So the log records, besides every timed call, every
//! parameter a sentence of the report depends on: each scenario's N, C,
//! delays and round trip ([`ScenarioFacts`]), each row's facts (titles per
//! request, its cap on requests in flight, keep-alive, client, model:
//! [`StrategyFacts`]), the footprint's and the instruction count's set-up,
//! the rig's controls, and the Python and `wrk` results, all typed.
//!
//! This crate holds types only: no I/O but reading and writing the log,
//! and no arithmetic beyond what a field's meaning needs. A log carries
//! [`SCHEMA_VERSION`]; [`RunLog::from_json`] refuses any other version
//! with a message that says what to do.

mod external;
mod facts;
mod limits;
mod log;
mod rig;
mod scale;

pub use external::{Python, PythonRun, Wrk, WrkDelay};
pub use facts::{Differs, ScenarioFacts, Split, StrategyFacts};
pub use limits::{LimitsLog, ModelLimit, OsSettings, RowLimit, RowTry, TryFailure};
pub use log::{
    Call, CoreSample, Earlier, EarlierRow, Machine, RunLog, RunRecord, SCHEMA_VERSION, Step, Warmup,
};
pub use rig::{
    Controls, Count, CpuSplit, Footprint, FootprintSetup, Instructions, Sample, SyscallCount,
    Syscalls, list,
};
pub use scale::{Cost, STOPPED_EARLIER, Scale, ScaleBlock, ScalePoint, ScaleRow};

/// The name the reference client's rows carry.
pub const REFERENCE: &str = "reference";

/// The end of a control row's name whose client opens a new connection
/// for every request (`Config::keep_alive` off): `sequential-no-keep-alive`.
pub const NO_KEEP_ALIVE: &str = "-no-keep-alive";

/// Whether a row (a strategy's, a control's or the reference client's)
/// keeps its connections: every row but the `-no-keep-alive` controls.
pub fn keeps_alive(row: &str) -> bool {
    !row.ends_with(NO_KEEP_ALIVE)
}

/// The name of the row of `strategy`'s client: its own, or with
/// keep-alive off the control's, ending in [`NO_KEEP_ALIVE`].
pub fn row_name(strategy: &str, keep_alive: bool) -> String {
    if keep_alive {
        strategy.to_owned()
    } else {
        format!("{strategy}{NO_KEEP_ALIVE}")
    }
}

/// The row with kept connections that `row` is the control of: `row`
/// itself when it keeps them.
pub fn kept_alive_row(row: &str) -> &str {
    row.strip_suffix(NO_KEEP_ALIVE).unwrap_or(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_names_round_trip() {
        assert_eq!(row_name("tokio", true), "tokio");
        assert_eq!(row_name("tokio", false), "tokio-no-keep-alive");
        assert_eq!(kept_alive_row("tokio-no-keep-alive"), "tokio");
        assert!(keeps_alive("tokio") && !keeps_alive("tokio-no-keep-alive"));
    }
}
