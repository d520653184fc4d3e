//! `wikifetch run-one` (hidden): one row of a comparison, in a child
//! process, making one call per line it reads.

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use wikifetch_harness::session;
use wikifetch_registry::Strategy;

#[derive(Parser)]
pub struct RunOneArgs {
    #[arg(long, value_enum, required_unless_present = "reference")]
    pub strategy: Option<Strategy>,
    /// Run the reference client (the floor) instead of a strategy.
    #[arg(long)]
    pub reference: bool,
    #[arg(long)]
    pub api_url: String,
    #[arg(long)]
    pub titles: usize,
    #[arg(long)]
    pub concurrency: usize,
    /// Title lists to build (`timed K` fetches list K).
    #[arg(long, default_value_t = 1)]
    pub layouts: usize,
    /// Trust this CA certificate (PEM) for an `https` API.
    #[arg(long, value_name = "PATH")]
    pub ca_cert: Option<PathBuf>,
    /// Open a new connection for every request (a control row).
    #[arg(long)]
    pub no_keep_alive: bool,
}

/// The CA certificate `--ca-cert` names, as PEM text.
pub fn read_ca_cert(path: &std::path::Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("--ca-cert {}: {e}", path.display()))
}

pub fn run_one(args: RunOneArgs) -> Result<ExitCode, String> {
    let layouts: Vec<Vec<String>> = (0..args.layouts.max(1))
        .map(|k| wikifetch_harness::scenarios::titles(args.titles, k))
        .collect();
    let client = session::Client {
        strategy: if args.reference { None } else { args.strategy },
        keep_alive: !args.no_keep_alive,
    };
    let ca_cert_pem = args.ca_cert.as_deref().map(read_ca_cert).transpose()?;
    let mut stdout = io::stdout();
    session::serve_child(
        client,
        (&args.api_url, ca_cert_pem),
        args.concurrency,
        &layouts,
        io::stdin().lock(),
        &mut stdout,
    )?;
    Ok(ExitCode::SUCCESS)
}
