//! `stackhop compare (-i FILE | --example NAME) [--seed N] [--max-downtime D] [--max-duration D]
//! [--no-spare-hosts] [--workload NAME=RATE...] [--format text|json]`: plans and simulates the
//! four scenarios for one cloud and recommends one.
//!
//! A scenario the cloud cannot use (its check has errors) is listed with its findings. Exit 1
//! when no scenario is usable within the constraints.

use stackhop_report::compare_text;
use stackhop_sim::Constraints;

use crate::cli::{CompareArgs, ReportFormat};
use crate::error::{CommandError, Outcome};
use crate::output::print;

pub(crate) fn run(args: &CompareArgs) -> Result<Outcome, CommandError> {
    let loaded = args.inventory.load()?;
    let constraints = Constraints {
        max_downtime_s: args.max_downtime,
        no_spare_hosts: args.no_spare_hosts,
        max_duration_s: args.max_duration,
    };
    let report = stackhop_sim::compare(
        loaded.transition,
        &loaded.inventory,
        &loaded.file,
        &loaded.source,
        args.twin.seed,
        &args.twin.workload()?,
        &constraints,
    );
    print(&match args.format {
        ReportFormat::Text => compare_text(&report),
        ReportFormat::Json => report.to_json(),
    })?;
    Ok(if report.recommended.is_some() {
        Outcome::Success
    } else {
        Outcome::ProblemFound
    })
}
