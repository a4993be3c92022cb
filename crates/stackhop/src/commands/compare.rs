//! `stackhop compare (-i FILE | --example NAME) [--seed N] [--max-downtime D] [--max-duration D]
//! [--no-spare-hosts] [--workload NAME=RATE...] [--format text|json|html|trace]`: plans and
//! simulates the four scenarios for one cloud and recommends one.
//!
//! A scenario the cloud cannot use (its check has errors) is listed with its findings. The
//! HTML page adds each scenario's check findings and the verifier's verdict on its plan.
//! Exit 1 when no scenario is usable within the constraints.

use stackhop_catalog::{Finding, Scenario};
use stackhop_report::{
    ComparePage, ScenarioReview, Verdict, compare_html, compare_text, compare_trace,
};
use stackhop_sim::{CompareReport, Constraints};
use stackhop_verify::VerifyReport;

use crate::cli::{CompareArgs, TwinFormat};
use crate::error::{CommandError, Outcome};
use crate::inventory::Loaded;
use crate::output::print;

/// What the page shows of one scenario besides its simulation: the check's findings, and the
/// verifier's report on its plan (none when the check refuses the scenario).
type Reviewed = (Scenario, Vec<Finding>, Option<Result<VerifyReport, String>>);

pub(crate) fn run(args: &CompareArgs) -> Result<Outcome, CommandError> {
    let loaded = args.inventory.load()?;
    let constraints = Constraints {
        max_downtime_s: args.max_downtime,
        no_spare_hosts: args.no_spare_hosts,
        max_duration_s: args.max_duration,
    };
    let workload = args.twin.workload()?;
    let compare = || {
        stackhop_sim::compare(
            loaded.transition,
            &loaded.inventory,
            &loaded.file,
            &loaded.source,
            args.twin.seed,
            &workload,
            &constraints,
        )
    };
    let secrets = super::secrets(&loaded);
    let (report, text) = match args.format {
        TwinFormat::Html => {
            // The verifier is most of the page's cost: the four plans are verified on threads
            // of their own while the twin runs them (planning is deterministic, so these are
            // the plans the twin runs).
            let (report, reviewed) = std::thread::scope(|scope| {
                let loaded = &loaded;
                let reviewing: Vec<_> = Scenario::ALL
                    .into_iter()
                    .map(|scenario| scope.spawn(move || review(loaded, scenario)))
                    .collect();
                let report = compare();
                let reviewed: Vec<Reviewed> = reviewing
                    .into_iter()
                    .map(|t| t.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect();
                (report, reviewed)
            });
            let text = html(&report, &reviewed, &secrets);
            (report, text)
        }
        format => {
            let report = compare();
            let text = match format {
                TwinFormat::Json => report.to_json(),
                TwinFormat::Trace => compare_trace(&report, &secrets),
                TwinFormat::Text | TwinFormat::Html => compare_text(&report),
            };
            (report, text)
        }
    };
    print(&text)?;
    Ok(if report.recommended.is_some() {
        Outcome::Success
    } else {
        Outcome::ProblemFound
    })
}

fn review(loaded: &Loaded, scenario: Scenario) -> Reviewed {
    let findings = stackhop_plan::check(loaded.transition, &loaded.inventory, scenario);
    let plan = stackhop_plan::make_plan(
        loaded.transition,
        &loaded.inventory,
        &loaded.file,
        &loaded.source,
        scenario,
    );
    let verified = plan.ok().map(|plan| super::verify_for_page(loaded, &plan));
    (scenario, findings, verified)
}

fn html(report: &CompareReport, reviewed: &[Reviewed], secrets: &[String]) -> String {
    let reviews: Vec<ScenarioReview<'_>> = reviewed
        .iter()
        .map(|(scenario, findings, verified)| ScenarioReview {
            scenario: *scenario,
            findings,
            verdict: verified.as_ref().map_or(
                Verdict::NotRun("the check refuses this scenario: there is no plan to verify"),
                Verdict::of,
            ),
        })
        .collect();
    compare_html(&ComparePage {
        report,
        reviews: &reviews,
        secrets,
    })
}
