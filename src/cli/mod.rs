//! The subcommands, one module each.

mod compare;
mod controls;
mod fetch;
mod limits;
mod report;
mod run_one;
mod serve;

use std::process::ExitCode;
use std::time::Duration;

use clap::Subcommand;
use wikifetch_mock::{Latency, parse_duration};

#[derive(Subcommand)]
pub enum Command {
    /// Fetch extracts for titles given as arguments or in a file.
    ///
    /// Prints one result per title, in input order. Exits with 0 when every
    /// title has an extract, 1 when some failed, 2 on a usage error.
    Fetch(fetch::FetchArgs),
    /// Run the mock MediaWiki server in the foreground (Ctrl-C stops it).
    Serve(serve::ServeArgs),
    /// Run every strategy on the same titles, each in its own process, held
    /// to a floor: a near-free reference client at the same C.
    ///
    /// The mock runs in its own process on its own CPU. Each row makes one
    /// untimed warm-up call, then --rounds timed calls in shuffled order.
    ///
    /// JSON (`--format json`): the run log of the comparison, the same
    /// typed, versioned shape `cargo bench` writes to `results/run.json`
    /// (crate `wikifetch-runlog`): one scenario, `compare`, with its
    /// parameters; every strategy's facts; and one record per row (the
    /// `reference` floors first) with every timed call's sample, the
    /// warm-up (threads and memory read from outside the child) and every
    /// title's client-seen latency. `wikifetch report` reads it.
    Compare(compare::CompareArgs),
    /// Measure the rig itself: the mock's throughput against a bare
    /// wiremock server on the same core, and how accurate its delays are.
    /// Prints JSON.
    Controls,
    /// Where OS threads and async tasks give out on this machine, each on
    /// its own: threads blocked on a pipe until creating one fails, tasks
    /// waiting on timers until a cap or a memory cap; with the limits that
    /// stop them. Not part of `cargo bench`; run it on a quiet machine.
    Limits(limits::LimitsArgs),
    /// Render a saved run log (`results/run.json`, or `compare --format
    /// json`'s output) into a report, without measuring anything.
    Report(report::ReportArgs),
    /// One strategy's run for `compare`, in a child process.
    #[command(hide = true)]
    RunOne(run_one::RunOneArgs),
}

impl Command {
    /// Runs the subcommand: its exit code, or a usage error's message.
    pub fn run(self) -> Result<ExitCode, String> {
        match self {
            Self::Fetch(args) => fetch::fetch(args),
            Self::Serve(args) => serve::serve(args),
            Self::Compare(args) => compare::compare(args),
            Self::RunOne(args) => run_one::run_one(args),
            Self::Controls => controls::controls(),
            Self::Report(args) => report::report(args),
            Self::Limits(args) => limits::limits(args),
        }
    }
}

fn duration(s: &str) -> Result<Duration, String> {
    parse_duration(s).map_err(|e| e.to_string())
}

fn latency(s: &str) -> Result<Latency, String> {
    s.parse()
        .map_err(|e: wikifetch_mock::SpecError| e.to_string())
}
