//! `stackhop status [--journal run.db] [--format text|json]`: where the run recorded in a journal
//! stands, read without disturbing a run in progress. Text shows done, running, failed and
//! remaining steps per phase, the failed step's output and the command that resumes; JSON is
//! `stackhop.status/v1`. Exits 1 when the run failed.

use stackhop_exec::{RunState, load_status};

use crate::cli::{StatusArgs, StatusFormat};
use crate::error::{CommandError, Outcome};
use crate::output::print;

pub(crate) fn run(args: &StatusArgs) -> Result<Outcome, CommandError> {
    let report = load_status(&args.journal).map_err(CommandError::Exec)?;
    print(&match args.format {
        StatusFormat::Text => stackhop_report::status_text(&report.doc()),
        StatusFormat::Json => stackhop_report::status_json(&report.doc()),
    })?;
    Ok(if report.state == RunState::Failed {
        Outcome::ProblemFound
    } else {
        Outcome::Success
    })
}
