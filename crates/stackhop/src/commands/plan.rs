//! `stackhop plan (-i FILE | --example NAME) -s SCENARIO [--format text|json|dot]
//! [--out plan.json] [--commands]`: the plan of a scenario.
//!
//! When the scenario's check has errors the plan is refused: the findings are printed as
//! `check` prints them (JSON for `--format json`, text otherwise) and the exit code is 1.
//! `--out` also writes the JSON plan to a file and confirms it on standard error.

use stackhop_report::{PlanTextOptions, plan_dot, plan_json, plan_text};

use crate::cli::{CheckFormat, PlanArgs, PlanFormat};
use crate::error::{CommandError, Outcome};
use crate::output::print;

pub(crate) fn run(args: &PlanArgs) -> Result<Outcome, CommandError> {
    if let (Some(inventory), Some(path)) = (&args.inventory.file, &args.out)
        && same_file(inventory, path)
    {
        return Err(CommandError::Usage(format!(
            "--out {} is the inventory the plan is made from; write the plan to another file, \
             e.g. --out plan.json",
            path.display()
        )));
    }
    let loaded = args.inventory.load()?;
    let scenario = args.scenario.scenario;
    let format = match args.format {
        PlanFormat::Json => CheckFormat::Json,
        PlanFormat::Text | PlanFormat::Dot => CheckFormat::Text,
    };
    let Some(plan) = super::plan_or_refuse(&loaded, scenario, format, "")? else {
        return Ok(Outcome::ProblemFound);
    };

    if let Some(path) = &args.out {
        let json = plan_json(&plan);
        std::fs::write(path, json).map_err(|source| CommandError::Write {
            path: path.display().to_string(),
            source,
        })?;
        eprintln!(
            "wrote the plan ({} steps) to {}",
            plan.steps.len(),
            path.display()
        );
    }

    let text = match args.format {
        PlanFormat::Text => plan_text(
            &plan,
            &PlanTextOptions {
                commands: args.commands,
            },
        ),
        PlanFormat::Json => plan_json(&plan),
        PlanFormat::Dot => plan_dot(&plan),
    };
    print(&text)?;
    Ok(Outcome::Success)
}

/// Whether two paths name one file (an existing one: a new file is nobody's input).
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
