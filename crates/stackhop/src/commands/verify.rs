//! `stackhop verify (-i FILE | --example NAME) -s SCENARIO | --plan plan.json
//! [--format text|json]`: explores every state the plan can reach and checks each.
//!
//! `--plan` verifies a saved plan, perhaps edited by hand, with the inventory it embeds; a plan
//! whose shape is wrong (bad JSON, an unknown action kind or `after` id, a cycle, a host the
//! cloud does not have) is bad input: exit 2, with the file, line and column. Exit 1 when a
//! reachable state breaks a hard invariant, or when the plan does not finish the upgrade; 3 when
//! the exploration had to stop. The time taken is measured here (the verifier has no clock) and
//! shown in the text only, so the JSON of a plan is always the same bytes.

use std::time::Instant;

use stackhop_report::{VerifyTextOptions, verify_json, verify_text};

use crate::cli::{CheckFormat, InventoryArgs, ReportFormat, VerifyArgs};
use crate::error::{CommandError, Outcome};
use crate::output::print;

pub(crate) fn run(args: &VerifyArgs) -> Result<Outcome, CommandError> {
    let (loaded, plan, saved) = match &args.plan {
        Some(path) => {
            let saved = crate::plan_file::read(path)?;
            let loaded = saved.inventory()?;
            (loaded, saved.plan.clone(), Some(saved))
        }
        None => {
            let inventory = InventoryArgs {
                file: args.file.clone(),
                example: args.example.clone(),
            };
            let Some(scenario) = args.scenario else {
                return Err(CommandError::Usage(
                    "give a scenario (-s) with -i or --example, or a saved plan with --plan"
                        .to_owned(),
                ));
            };
            let loaded = inventory.load()?;
            let format = match args.format {
                ReportFormat::Text => CheckFormat::Text,
                ReportFormat::Json => CheckFormat::Json,
            };
            let refused = "; nothing was verified";
            let Some(plan) = super::plan_or_refuse(&loaded, scenario, format, refused)? else {
                return Ok(Outcome::ProblemFound);
            };
            (loaded, plan, None)
        }
    };

    let start = Instant::now();
    let result = stackhop_verify::verify(loaded.transition, &loaded.inventory, &plan);
    let elapsed = start.elapsed();
    let report = result.map_err(|error| CommandError::Verify {
        file: saved.as_ref().map(|s| s.file.clone()),
        at: saved.as_ref().and_then(|s| s.locate(&error)),
        error,
    })?;

    let source = match &saved {
        Some(saved) => saved.file.clone(),
        None => format!("stackhop's own, made from {}", loaded.file),
    };
    let text = match args.format {
        ReportFormat::Text => verify_text(
            &report,
            &VerifyTextOptions {
                plan: &source,
                elapsed: Some(elapsed),
            },
        ),
        ReportFormat::Json => verify_json(&report),
    };
    print(&text)?;
    if report.verified && report.goal_reached {
        Ok(Outcome::Success)
    } else {
        Ok(Outcome::ProblemFound)
    }
}
