//! `stackhop init [--example NAME]`: print an example inventory to start from.

use stackhop_inventory::examples;

use crate::cli::InitArgs;
use crate::error::{CommandError, Outcome};
use crate::output::print;

pub(crate) fn run(args: &InitArgs) -> Result<Outcome, CommandError> {
    let source = examples::source(&args.example).ok_or_else(|| CommandError::UnknownExample {
        name: args.example.clone(),
    })?;
    print(source)?;
    Ok(Outcome::Success)
}
