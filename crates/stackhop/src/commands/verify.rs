//! `stackhop verify (-i FILE | --example NAME) -s SCENARIO | --plan plan.json [-i FILE]
//! [--max-seconds N] [--format text|json]`: explores every state the plan can reach and checks
//! each.
//!
//! `--plan` verifies a saved plan, perhaps edited by hand, with the inventory it embeds (and
//! refuses, as `apply` does, when `-i` or `--example` names another inventory); a plan
//! whose shape is wrong (bad JSON, an unknown action kind or `after` id, a cycle, a host the
//! cloud does not have) is bad input: exit 2, with the file, line and column. Exit 1 when a
//! reachable state breaks a hard invariant, or when the plan does not finish the upgrade; 3 when
//! the exploration had to stop (a limit, or `--max-seconds`) before it found anything wrong: the
//! report is printed either way. The time taken is measured here (the verifier has no clock) and
//! shown in the text only, so the JSON of a plan is always the same bytes.

use std::time::{Duration, Instant};

use stackhop_report::{VerifyTextOptions, verify_json, verify_text};

use crate::cli::{ReportFormat, VerifyArgs};
use crate::error::{CommandError, Outcome};
use crate::output::print;

pub(crate) fn run(args: &VerifyArgs) -> Result<Outcome, CommandError> {
    let refused = "; nothing was verified";
    let format = super::findings_format(args.format);
    let Some(sourced) = super::plan_from(&args.source, format, refused)? else {
        return Ok(Outcome::ProblemFound);
    };
    let loaded = sourced.loaded()?;
    let start = Instant::now();
    let deadline = args.max_seconds.map(Duration::from_secs_f64);
    let result = sourced.verify_until(&loaded, &|| deadline.is_some_and(|d| start.elapsed() >= d));
    let elapsed = start.elapsed();
    let report = result?;

    let source = match &sourced.saved {
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
    Ok(if report.verified && report.goal_reached {
        Outcome::Success
    } else if report.violations.is_empty() && !report.complete {
        Outcome::Unfinished
    } else {
        Outcome::ProblemFound
    })
}
