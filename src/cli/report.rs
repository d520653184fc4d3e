//! `wikifetch report LOG`: the report of a saved run log, rendered again
//! without measuring anything.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
pub struct ReportArgs {
    /// The run log: `results/run.json`, or what `compare --format json` printed.
    #[arg(value_name = "LOG", default_value = "results/run.json")]
    pub log: PathBuf,
    /// Where to write the report's files.
    #[arg(long, value_name = "DIR", default_value = "results")]
    pub out: PathBuf,
}

pub fn report(args: ReportArgs) -> Result<ExitCode, String> {
    let log = wikifetch_runlog::RunLog::load(&args.log)?;
    let written = wikifetch_report::write(&log, &args.out)?;
    println!(
        "wikifetch: wrote {} files to {}: {}",
        written.len(),
        args.out.display(),
        written.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}
