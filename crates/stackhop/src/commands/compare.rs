//! `stackhop compare (-i FILE | --example NAME) [--seed N] [--max-downtime D] [--max-duration D]
//! [--no-spare-hosts] [--workload NAME=RATE...] [--format text|json|html|trace]`: plans and
//! simulates the four scenarios for one cloud and recommends one.
//!
//! A scenario the cloud cannot use (its check has errors) is listed with its findings. The
//! HTML page adds each usable scenario's check findings and the verifier's verdict on its plan.
//! Exit 1 when no scenario is usable within the constraints.

use stackhop_report::{
    ComparePage, ScenarioReview, Verdict, compare_html, compare_text, compare_trace,
};
use stackhop_sim::{CompareReport, Constraints};

use crate::cli::{CompareArgs, TwinFormat};
use crate::error::{CommandError, Outcome};
use crate::inventory::Loaded;
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
    let secrets = super::secrets(&loaded);
    print(&match args.format {
        TwinFormat::Text => compare_text(&report),
        TwinFormat::Json => report.to_json(),
        TwinFormat::Trace => compare_trace(&report, &secrets),
        TwinFormat::Html => html(&loaded, &report, &secrets),
    })?;
    Ok(if report.recommended.is_some() {
        Outcome::Success
    } else {
        Outcome::ProblemFound
    })
}

/// The page: every usable scenario's plan is checked and verified for it, the four side by
/// side on threads of their own (the verifier is most of the page's cost).
fn html(loaded: &Loaded, report: &CompareReport, secrets: &[String]) -> String {
    let reviewed: Vec<_> = std::thread::scope(|scope| {
        let running: Vec<_> = report
            .scenarios
            .iter()
            .filter_map(|entry| {
                let plan = entry.plan.as_ref()?;
                Some(scope.spawn(move || {
                    let findings =
                        stackhop_plan::check(loaded.transition, &loaded.inventory, entry.scenario);
                    (
                        entry.scenario,
                        findings,
                        super::verify_for_page(loaded, plan),
                    )
                }))
            })
            .collect();
        running
            .into_iter()
            .map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e))
            })
            .collect()
    });
    let reviews: Vec<ScenarioReview<'_>> = reviewed
        .iter()
        .map(|(scenario, findings, verified)| ScenarioReview {
            scenario: *scenario,
            findings,
            verdict: Verdict::of(verified),
        })
        .collect();
    compare_html(&ComparePage {
        report,
        reviews: &reviews,
        secrets,
    })
}
