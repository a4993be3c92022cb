//! `stackhop resume [--journal run.db] [--plan plan.json] [--mark-done STEP[@HOST]]
//! [--rerun STEP[@HOST]] [--step] [--speed N] [--max-fail N]`: continues the run recorded in a
//! journal where it stopped.
//!
//! Steps that were in flight when the run stopped are settled first: an idempotent one runs
//! again; on the sim target the twin is asked whether the host already shows the step's effect;
//! on the local target a step that is not idempotent needs the operator's word (`--mark-done`
//! or `--rerun`), and resume refuses (exit 3) until it has it.

use std::io::IsTerminal;

use stackhop_exec::{ExecOptions, Session, Settlement};

use crate::cli::ResumeArgs;
use crate::error::{CommandError, Outcome};

pub(crate) fn run(args: &ResumeArgs) -> Result<Outcome, CommandError> {
    let expected = match &args.plan {
        Some(path) => Some(crate::plan_file::read(path)?.plan),
        None => None,
    };
    if args.step && !std::io::stdin().is_terminal() {
        return Err(CommandError::Usage(
            "--step asks before each phase, and standard input is not a terminal".to_owned(),
        ));
    }
    let mut session =
        Session::resume(&args.journal, expected.as_ref()).map_err(CommandError::Exec)?;
    stackhop_exec::check_faults(session.plan(), &args.fault).map_err(CommandError::Exec)?;
    super::progress::warn_unreachable(&session);
    if session.is_finished() {
        eprintln!(
            "run {} in {} already succeeded: nothing to resume",
            session.run().id,
            args.journal.display()
        );
        return Ok(Outcome::Success);
    }
    session
        .settle(
            &Settlement {
                mark_done: args.mark_done.clone(),
                rerun: args.rerun.clone(),
            },
            args.max_fail,
        )
        .map_err(CommandError::Exec)?;
    for note in session.settled() {
        eprintln!("in doubt: {note}");
    }
    super::progress::drive(
        session,
        ExecOptions {
            speed: args.speed,
            max_fail: args.max_fail,
            confirm_phases: args.step,
            faults: args.fault.clone(),
            ..ExecOptions::default()
        },
    )
}
