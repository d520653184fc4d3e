//! The `wikifetch` command line: `fetch` extracts with any strategy,
//! `serve` the mock MediaWiki for other clients (the Python lesson too),
//! `compare` the strategies, and `report` a saved run log again.
//!
//! This is the only code in the workspace that prints to the terminal.
#![allow(clippy::print_stdout)]

mod cli;

use std::process::ExitCode;

use clap::Parser;
use cli::Command;

/// Fetch the first sentences of Wikipedia articles with a loop, OS threads,
/// rayon, tokio or async-std, and see what each costs.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

fn main() -> ExitCode {
    match Cli::parse().command.run() {
        Ok(code) => code,
        Err(message) => {
            eprintln!("wikifetch: {message}");
            ExitCode::from(2)
        }
    }
}
