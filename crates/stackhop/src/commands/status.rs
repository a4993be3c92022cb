//! `stackhop status [--journal run.db] [--format text|json|html|trace]`: where the run recorded
//! in a journal stands, read without disturbing a run in progress. Text shows done, running,
//! failed and remaining steps per phase, the failed step's output and the command that resumes;
//! JSON is `stackhop.status/v1`; HTML and trace are the run's page and trace as `stackhop
//! report` writes them. Output is masked. Exits 1 when the run failed.

use stackhop_exec::load_status;
use stackhop_report::measured_trace;

use crate::cli::{StatusArgs, StatusFormat};
use crate::error::{CommandError, Outcome};
use crate::output::print;

pub(crate) fn run(args: &StatusArgs) -> Result<Outcome, CommandError> {
    let report = load_status(&args.journal).map_err(CommandError::Exec)?;
    let secrets = super::secrets(&report.prepared.inventory);
    print(&match args.format {
        StatusFormat::Text => stackhop_report::status_text(&report.doc().masked(&secrets)),
        StatusFormat::Json => stackhop_report::status_json(&report.doc().masked(&secrets)),
        StatusFormat::Html => super::report::page(&report, &report.measured(), &secrets),
        StatusFormat::Trace => measured_trace(&report.measured(), &secrets),
    })?;
    Ok(super::report::outcome(&report))
}
