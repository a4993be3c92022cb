//! `stackhop apply (-i FILE | --example NAME) -s SCENARIO | --plan plan.json [--target sim|local|ssh]
//! [--journal run.db] [--yes] [--step] [--speed N] [--max-fail N] [--dry-run]`: runs a plan,
//! recording every step in the journal before it runs.
//!
//! Without `--yes` it shows what it is about to do and asks; when standard input is not a
//! terminal nobody can answer, so it refuses (exit 2). `--plan` applies exactly the reviewed
//! plan; given `-i` or `--example` too, it refuses (exit 2) when that inventory is not the one
//! the plan was made from. `--dry-run` prints the commands and touches nothing. Before anything
//! runs the plan is verified, as `stackhop verify` would: a plan that can break the cloud, or
//! does not finish the upgrade, is refused (exit 1) unless `--unverified` says the operator
//! knows better. On the ssh target the hosts are read first (`discover`'s probes): a plan made
//! for another cloud than the one they describe is refused (exit 1), naming what changed
//! (`--unverified` skips that too, with a warning). Exit
//! codes: 0 the run succeeded, 1 it failed, was refused (or the operator said
//! no), 2 bad input, 3 the run could not go on (journal locked, stopped with Ctrl-C).

use std::io::IsTerminal;

use stackhop_exec::{ExecOptions, PreparedPlan, RunNotes, Session, TargetKind};
use stackhop_plan::Plan;

use crate::cli::{ApplyArgs, CheckFormat, TargetArg};
use crate::error::{CommandError, Outcome};
use crate::output::print;

pub(crate) fn run(args: &ApplyArgs) -> Result<Outcome, CommandError> {
    let Some(sourced) = super::plan_from(&args.source, CheckFormat::Text, "; nothing was applied")?
    else {
        return Ok(Outcome::ProblemFound);
    };
    stackhop_exec::check_faults(&sourced.plan, &args.fault).map_err(CommandError::Exec)?;
    let notes = if args.dry_run {
        RunNotes::default()
    } else {
        match checked(&sourced, args.unverified)? {
            Some(notes) => notes,
            None => return Ok(Outcome::ProblemFound),
        }
    };
    // The inventory the hosts are checked against: the plan's own.
    let ssh_inventory = if args.target == TargetArg::Ssh && !args.dry_run {
        Some(sourced.loaded()?)
    } else {
        None
    };
    let plan = sourced.plan;
    if args.dry_run {
        let prepared = PreparedPlan::new(plan).map_err(CommandError::Exec)?;
        let idempotent: Vec<bool> = prepared.steps.iter().map(|s| s.idempotent).collect();
        print(&stackhop_report::dry_run_text(&prepared.plan, &idempotent))?;
        return Ok(Outcome::Success);
    }
    let target = match args.target {
        TargetArg::Sim => TargetKind::Sim,
        TargetArg::Local => TargetKind::Local,
        TargetArg::Ssh => TargetKind::Ssh,
    };
    let interactive = std::io::stdin().is_terminal();
    if args.step && !interactive {
        return Err(CommandError::Usage(
            "--step asks before each phase, and standard input is not a terminal".to_owned(),
        ));
    }
    if !args.yes && !interactive {
        return Err(CommandError::Usage(
            "refusing to apply without --yes: standard input is not a terminal, so nobody \
             can confirm; review the plan with `stackhop plan` and add --yes"
                .to_owned(),
        ));
    }
    // Real hosts must still be the cloud the plan's inventory describes (and the plan's digest
    // seals): what they run is read before anything is recorded or run.
    // `--unverified` is the operator's word that the plan is theirs to answer for, on hosts
    // the catalog's probes may not know how to read.
    if ssh_inventory.is_some() && args.unverified {
        eprintln!("warning: the hosts were not compared with the plan's inventory (--unverified)");
    } else if let Some(loaded) = &ssh_inventory
        && !super::discover::confirm(loaded)?
    {
        return Ok(Outcome::ProblemFound);
    }
    if !args.yes {
        eprint!("{}", describe(&plan, target, args));
        if !super::progress::ask("apply this plan?") {
            eprintln!("nothing was applied");
            return Ok(Outcome::ProblemFound);
        }
    }
    if target != TargetKind::Sim {
        if args.speed.is_some() {
            eprintln!("note: --speed only paces the sim target; real commands take their time");
        }
        if !args.fault.is_empty() {
            eprintln!("note: --fault only applies to the sim target");
        }
    }
    let session = Session::start(&args.journal, plan, target, args.max_fail, &notes)
        .map_err(CommandError::Exec)?;
    super::progress::warn_unreachable(&session);
    super::progress::drive(
        session,
        ExecOptions {
            speed: args.speed,
            max_fail: Some(args.max_fail),
            confirm_phases: args.step,
            faults: args.fault.clone(),
            ..ExecOptions::default()
        },
    )
}

/// What the run must record about the plan it runs, or `None` when the plan does not verify
/// and the operator did not pass `--unverified`: then what verify found is printed and why
/// nothing runs. With `--unverified` a plan that does not verify runs, and the journal, the run's
/// end and `status` say so.
fn checked(sourced: &super::Sourced, unverified: bool) -> Result<Option<RunNotes>, CommandError> {
    let loaded = sourced.loaded()?;
    let report = match sourced.verify(&loaded) {
        Ok(report) => report,
        Err(error) if unverified => {
            eprintln!("warning: running a plan that could not be verified (--unverified): {error}");
            return Ok(Some(RunNotes {
                unverified: true,
                edited_steps: Vec::new(),
            }));
        }
        Err(error) => return Err(error),
    };
    let edited_steps = report.edited_steps.iter().map(|s| s.id.clone()).collect();
    if report.verified && report.goal_reached {
        for step in &report.edited_steps {
            eprintln!(
                "warning: step {} runs commands edited by hand (--accept-edited); verify proved \
                 its action, not its text",
                step.id
            );
        }
        return Ok(Some(RunNotes {
            unverified: false,
            edited_steps,
        }));
    }
    let plan = sourced.saved.as_ref().map_or_else(
        || format!("stackhop's own, made from {}", loaded.file),
        |s| s.file.clone(),
    );
    print(&stackhop_report::verify_text(
        &report,
        &stackhop_report::VerifyTextOptions {
            plan: &plan,
            elapsed: None,
        },
    ))?;
    if unverified {
        eprintln!(
            "warning: the plan does not verify; running it anyway (--unverified): the journal \
             and `stackhop status` record that it was not verified"
        );
        return Ok(Some(RunNotes {
            unverified: true,
            edited_steps,
        }));
    }
    eprintln!(
        "error: the plan does not verify, so nothing was applied; fix it (`stackhop verify` shows \
         the same), or pass --unverified to run it anyway"
    );
    Ok(None)
}

/// What `apply` is about to do, for the operator to confirm.
fn describe(plan: &Plan, target: TargetKind, args: &ApplyArgs) -> String {
    let jobs: usize = plan.steps.iter().map(|s| s.hosts.len()).sum();
    let mut hosts: Vec<&str> = plan
        .steps
        .iter()
        .flat_map(|s| s.hosts.iter().map(String::as_str))
        .collect();
    hosts.sort_unstable();
    hosts.dedup();
    let mut phases: Vec<(&str, usize)> = Vec::new();
    for s in &plan.steps {
        match phases.iter_mut().find(|(p, _)| *p == s.phase) {
            Some((_, n)) => *n += 1,
            None => phases.push((&s.phase, 1)),
        }
    }
    let phase_list: Vec<String> = phases.iter().map(|(p, n)| format!("{p} ({n})")).collect();
    let pace = match (target, args.speed) {
        (TargetKind::Sim, None) => "instantly".to_owned(),
        (TargetKind::Sim, Some(s)) => format!("at {s}x real time"),
        (TargetKind::Local, _) => "with `sh` on this host".to_owned(),
        (TargetKind::Ssh, _) => "over SSH on each host".to_owned(),
    };
    format!(
        "apply {} to {} ({}) on the {} target, {pace}\n  {} steps in {} phases, {jobs} host \
         jobs on {} hosts, estimated {}\n  phases: {}\n  journal: {}\n",
        plan.scenario,
        plan.cloud,
        plan.transition,
        target.as_str(),
        plan.steps.len(),
        phases.len(),
        hosts.len(),
        stackhop_report::duration_ms(plan.estimate_s * 1000),
        phase_list.join(", "),
        args.journal.display()
    )
}
