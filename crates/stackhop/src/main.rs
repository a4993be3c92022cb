//! `stackhop`: plans, verifies, simulates and runs OpenStack upgrades.
//!
//! This file only parses the command line, runs the command and turns its ending into an exit
//! code, one of `exit`'s: 0 success, 1 a problem found, 2 bad input or usage (clap's own errors
//! included), 3 a run that could not continue. See design.md, "Command line".

mod cli;
mod commands;
mod error;
mod exit;
mod inventory;
mod output;
mod plan_file;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli.command) {
        Ok(outcome) => outcome.into(),
        Err(error) => {
            error.report();
            error.exit_code()
        }
    }
}
