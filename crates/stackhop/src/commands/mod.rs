//! One module per command. Each takes its parsed arguments, does its work through the library
//! crates, prints its output, and returns how it ended.

mod check;
mod init;
mod plan;

use crate::cli::Command;
use crate::error::{CommandError, Outcome};

/// Runs one command.
pub(crate) fn run(command: Command) -> Result<Outcome, CommandError> {
    match command {
        Command::Init(args) => init::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Plan(args) => plan::run(&args),
    }
}
