//! One module per command. Each takes its parsed arguments, does its work through the library
//! crates, prints its output, and returns how it ended.

mod apply;
mod check;
mod compare;
mod init;
mod plan;
mod progress;
mod resume;
mod simulate;
mod status;
mod verify;

use stackhop_catalog::Scenario;
use stackhop_plan::{Plan, PlanError};

use crate::cli::{CheckFormat, Command};
use crate::error::{CommandError, Outcome};
use crate::inventory::Loaded;
use crate::output::print;

/// Runs one command.
pub(crate) fn run(command: Command) -> Result<Outcome, CommandError> {
    match command {
        Command::Init(args) => init::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Simulate(args) => simulate::run(&args),
        Command::Compare(args) => compare::run(&args),
        Command::Apply(args) => apply::run(&args),
        Command::Resume(args) => resume::run(&args),
        Command::Status(args) => status::run(&args),
    }
}

/// The planner's plan for a scenario, or `None` when the scenario's check has errors: then the
/// findings are printed as `check` prints them, followed on standard error by why nothing more
/// happens (`and_then`, e.g. "; nothing was applied"), and the command exits 1.
fn plan_or_refuse(
    loaded: &Loaded,
    scenario: Scenario,
    format: CheckFormat,
    and_then: &str,
) -> Result<Option<Plan>, CommandError> {
    match stackhop_plan::make_plan(
        loaded.transition,
        &loaded.inventory,
        &loaded.file,
        &loaded.source,
        scenario,
    ) {
        Ok(plan) => Ok(Some(plan)),
        Err(PlanError::Refused { findings, .. }) => {
            print(&check::render(loaded, scenario, &findings, format))?;
            eprintln!(
                "error: {scenario} cannot be planned for {}: the check found errors{and_then}",
                loaded.inventory.name
            );
            Ok(None)
        }
        Err(other) => Err(CommandError::Plan(other)),
    }
}
