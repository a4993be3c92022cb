//! `stackhop check (-i FILE | --example NAME) -s SCENARIO [--format text|json]`: pre-flight
//! findings. Exits 1 when any finding is an error: the scenario cannot be planned.

use stackhop_catalog::{Finding, Scenario};
use stackhop_report::CheckReport;

use crate::cli::{CheckArgs, CheckFormat};
use crate::error::{CommandError, Outcome};
use crate::inventory::Loaded;
use crate::output::print;

pub(crate) fn run(args: &CheckArgs) -> Result<Outcome, CommandError> {
    let loaded = args.inventory.load()?;
    let scenario = args.scenario.scenario;
    let findings = stackhop_plan::check(loaded.transition, &loaded.inventory, scenario);
    print(&render(&loaded, scenario, &findings, args.format))?;
    if stackhop_plan::has_errors(&findings) {
        Ok(Outcome::ProblemFound)
    } else {
        Ok(Outcome::Success)
    }
}

/// The findings as `check` prints them; `plan` prints them too when it refuses.
pub(crate) fn render(
    loaded: &Loaded,
    scenario: Scenario,
    findings: &[Finding],
    format: CheckFormat,
) -> String {
    let report = CheckReport {
        cloud: &loaded.inventory.name,
        inventory_file: &loaded.file,
        transition: loaded.transition.id(),
        scenario,
        findings,
    };
    match format {
        CheckFormat::Text => report.to_text(),
        CheckFormat::Json => report.to_json(),
    }
}
