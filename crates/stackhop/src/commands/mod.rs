//! One module per command. Each takes its parsed arguments, does its work through the library
//! crates, prints its output, and returns how it ended.

mod apply;
mod check;
mod init;
mod plan;
mod progress;
mod resume;
mod status;

use crate::cli::Command;
use crate::error::{CommandError, Outcome};

/// Runs one command.
pub(crate) fn run(command: Command) -> Result<Outcome, CommandError> {
    match command {
        Command::Init(args) => init::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Apply(args) => apply::run(&args),
        Command::Resume(args) => resume::run(&args),
        Command::Status(args) => status::run(&args),
    }
}
