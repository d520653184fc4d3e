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
    /// An earlier run's log: the report says whether LOG reproduces it
    /// ("Does it reproduce?" in DETAILS.md), and LOG keeps what it needs.
    #[arg(long, value_name = "OLD")]
    pub against: Option<PathBuf>,
}

pub fn report(args: ReportArgs) -> Result<ExitCode, String> {
    let mut log = wikifetch_runlog::RunLog::load(&args.log)?;
    if let Some(old) = &args.against {
        let old = wikifetch_runlog::RunLog::load(old)?;
        log.earlier = Some(wikifetch_report::earlier(&old)?);
    }
    let written = wikifetch_report::write(&log, &args.out)?;
    println!(
        "wikifetch: wrote {} files to {}: {}",
        written.len(),
        args.out.display(),
        written.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}
