//! `stackhop report --journal run.db [--format text|json|html|trace] [--out FILE]`: the latest
//! run of a journal — finished, stopped or still running — measured against the digital twin's
//! prediction for its plan.
//!
//! Text is `status`'s text followed by a table a script can read: per phase (and the whole run,
//! `run`) its outcome, steps, measured and predicted seconds and their ratio. JSON is
//! `stackhop.report/v1`. HTML is the run's page: the same table, a Gantt of the measured bars with
//! the predicted ones beside them, the capability bands (the `sim` target's twin; for a real
//! cloud the prediction's, labelled so), the verifier's verdict on the plan and the check's
//! findings. Commands and output are masked. Exits 1 when the run failed.

use std::path::Path;

use stackhop_exec::{RunState, StatusReport, load_status};
use stackhop_report::{
    MeasuredRun, RunPage, Verdict, measured_json, measured_text, measured_trace, run_html,
};

use crate::cli::{ReportArgs, RunReportFormat};
use crate::error::{CommandError, Outcome};
use crate::output::print;

pub(crate) fn run(args: &ReportArgs) -> Result<Outcome, CommandError> {
    let report = load_status(&args.journal).map_err(CommandError::Exec)?;
    let measured = report.measured();
    let secrets = super::secrets(&report.prepared.inventory);
    let text = match args.format {
        RunReportFormat::Text => measured_text(&measured, &secrets),
        RunReportFormat::Json => measured_json(&measured, &secrets),
        RunReportFormat::Html => page(&report, &measured, &secrets),
        RunReportFormat::Trace => measured_trace(&measured, &secrets),
    };
    match &args.out {
        Some(path) => write(path, &text, &measured)?,
        None => print(&text)?,
    }
    Ok(outcome(&report))
}

/// Exit 1 when the run failed, as `status`.
pub(super) fn outcome(report: &StatusReport) -> Outcome {
    if report.state == RunState::Failed {
        Outcome::ProblemFound
    } else {
        Outcome::Success
    }
}

/// The run's page: the verifier's verdict on the journal's plan (its edited steps accepted as
/// the run accepted them) and the check's findings on the plan's inventory beside the charts.
pub(super) fn page(report: &StatusReport, measured: &MeasuredRun, secrets: &[String]) -> String {
    let prepared = &report.prepared;
    let findings = stackhop_plan::check(
        prepared.transition,
        &prepared.inventory,
        prepared.plan.scenario,
    );
    let options = stackhop_verify::VerifyOptions {
        accept_edited: !report.run.notes.edited_steps.is_empty(),
        ..Default::default()
    };
    let verified = stackhop_verify::verify_with(
        prepared.transition,
        &prepared.inventory,
        &prepared.plan,
        &options,
    )
    .map_err(|e| e.to_string());
    run_html(&RunPage {
        run: measured,
        plan: &prepared.plan,
        findings: &findings,
        verdict: Verdict::of(&verified),
        secrets,
    })
}

fn write(path: &Path, text: &str, measured: &MeasuredRun) -> Result<(), CommandError> {
    std::fs::write(path, text).map_err(|source| CommandError::Write {
        path: path.display().to_string(),
        source,
    })?;
    eprintln!(
        "wrote the report of run {} ({}) to {}",
        measured.status.run,
        measured.status.state,
        path.display()
    );
    Ok(())
}
