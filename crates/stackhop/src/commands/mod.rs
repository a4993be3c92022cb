//! One module per command. Each takes its parsed arguments, does its work through the library
//! crates, prints its output, and returns how it ended.

mod apply;
mod check;
mod compare;
mod discover;
mod export;
mod import;
mod init;
mod plan;
mod progress;
mod report;
mod reseal;
mod resume;
mod simulate;
mod status;
mod trust_hosts;
mod verify;

use stackhop_catalog::Scenario;
use stackhop_plan::{Plan, PlanError};

use crate::cli::{
    CheckFormat, Command, ExportCommand, InventoryArgs, PlanSourceArgs, ReportFormat, TwinFormat,
};
use crate::error::{CommandError, Outcome};
use crate::inventory::Loaded;
use crate::output::print;
use crate::plan_file::SavedPlan;

/// Runs one command.
pub(crate) fn run(command: Command) -> Result<Outcome, CommandError> {
    match command {
        Command::Init(args) => init::run(&args),
        Command::Import(command) => import::run(&command),
        Command::Discover(args) => discover::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Reseal(args) => reseal::run(&args),
        Command::Simulate(args) => simulate::run(&args),
        Command::Compare(args) => compare::run(&args),
        Command::Apply(args) => apply::run(&args),
        Command::Resume(args) => resume::run(&args),
        Command::Status(args) => status::run(&args),
        Command::Report(args) => report::run(&args),
        Command::TrustHosts(args) => trust_hosts::run(&args),
        Command::Export(ExportCommand::Ansible(args)) => export::ansible(&args),
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

/// How findings print for a command whose own output is text or JSON.
fn findings_format(format: ReportFormat) -> CheckFormat {
    match format {
        ReportFormat::Text => CheckFormat::Text,
        ReportFormat::Json => CheckFormat::Json,
    }
}

/// How findings print for `simulate` and `compare`: as JSON with `--format json`, otherwise
/// as text (a page or a trace of a scenario that could not be planned would be empty).
fn twin_findings_format(format: TwinFormat) -> CheckFormat {
    match format {
        TwinFormat::Json => CheckFormat::Json,
        TwinFormat::Text | TwinFormat::Html | TwinFormat::Trace => CheckFormat::Text,
    }
}

/// Values to mask wherever a report shows a command or its output: those of the catalog's
/// secret variables for this inventory's transition that are set in the environment (as `apply`
/// hands them to the commands), for an inventory read now or one a plan or journal carries.
fn secrets(inventory: &stackhop_inventory::Inventory) -> Vec<String> {
    stackhop_catalog::find(&inventory.release, &inventory.profile)
        .map(|t| {
            stackhop_exec::secret_values(t)
                .into_iter()
                .map(|(_, value)| value)
                .collect()
        })
        .unwrap_or_default()
}

/// The verifier's report for a page, or why there is none.
fn verify_for_page(loaded: &Loaded, plan: &Plan) -> Result<stackhop_verify::VerifyReport, String> {
    stackhop_verify::verify(loaded.transition, &loaded.inventory, plan).map_err(|e| e.to_string())
}

/// A plan and where it came from.
struct Sourced {
    plan: Plan,
    /// The file, when the plan was read from one.
    saved: Option<SavedPlan>,
    /// The inventory named on the command line, if any (with `--plan`, the plan's own).
    inventory: Option<Loaded>,
    /// `--accept-edited`.
    accept_edited: bool,
}

impl Sourced {
    /// The inventory the plan is for: the one named on the command line, or the plan's own.
    fn loaded(&self) -> Result<Loaded, CommandError> {
        match (&self.inventory, &self.saved) {
            (Some(loaded), _) => Ok(loaded.clone()),
            (None, Some(saved)) => saved.inventory(),
            (None, None) => Err(CommandError::Usage(
                "give an inventory with -i or --example, or a saved plan with --plan".to_owned(),
            )),
        }
    }

    /// Every state the plan can reach, checked; a verifier error points into the plan file.
    fn verify(&self, loaded: &Loaded) -> Result<stackhop_verify::VerifyReport, CommandError> {
        self.verify_until(loaded, &|| false)
    }

    /// [`Sourced::verify`], stopped with what it found once `interrupted` says so.
    fn verify_until(
        &self,
        loaded: &Loaded,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<stackhop_verify::VerifyReport, CommandError> {
        let options = stackhop_verify::VerifyOptions {
            accept_edited: self.accept_edited,
            ..Default::default()
        };
        stackhop_verify::verify_until(
            loaded.transition,
            &loaded.inventory,
            &self.plan,
            &options,
            interrupted,
        )
        .map_err(|error| CommandError::Verify {
            file: self.saved.as_ref().map(|s| s.file.clone()),
            at: self.saved.as_ref().and_then(|s| s.locate(&error)),
            error: Box::new(error),
        })
    }
}

/// The plan `--plan` names (checked against `-i` or `--example` when given), or the planner's
/// plan for the inventory and scenario; `None` when the scenario's check refused it (see
/// [`plan_or_refuse`]).
fn plan_from(
    args: &PlanSourceArgs,
    format: CheckFormat,
    and_then: &str,
) -> Result<Option<Sourced>, CommandError> {
    let inventory = InventoryArgs {
        file: args.file.clone(),
        example: args.example.clone(),
    };
    let given_inventory = args.file.is_some() || args.example.is_some();
    if let Some(path) = &args.plan {
        let saved = crate::plan_file::read(path)?;
        let loaded = if given_inventory {
            let loaded = inventory.load()?;
            stackhop_exec::check_inventory(
                &saved.plan,
                &loaded.file,
                &loaded.source,
                loaded.transition.version(),
            )
            .map_err(CommandError::Exec)?;
            Some(loaded)
        } else {
            None
        };
        return Ok(Some(Sourced {
            plan: saved.plan.clone(),
            saved: Some(saved),
            inventory: loaded,
            accept_edited: args.accept_edited,
        }));
    }
    let Some(scenario) = args.scenario else {
        return Err(CommandError::Usage(
            "give a scenario (-s) with -i or --example, or a saved plan with --plan".to_owned(),
        ));
    };
    let loaded = inventory.load()?;
    Ok(
        plan_or_refuse(&loaded, scenario, format, and_then)?.map(|plan| Sourced {
            plan,
            saved: None,
            inventory: Some(loaded),
            accept_edited: false,
        }),
    )
}
