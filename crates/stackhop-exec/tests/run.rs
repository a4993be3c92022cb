//! The executor end to end through the library: runs on the `sim` target reach the goal, stop
//! and resume anywhere to the same cloud, fail and tolerate failures as documented; the `local`
//! target runs commands and records them.

use std::path::Path;

use stackhop_catalog::Scenario;
use stackhop_exec::{
    AttemptState, Event, ExecOptions, HostStatus, Journal, RunNotes, RunReport, RunState, Session,
    Settlement, StopRequest, TargetKind, execute, load_status,
};
use stackhop_model::CloudState;
use stackhop_plan::Plan;
use tokio::sync::{mpsc, watch};

fn plan(example: &str, scenario: Scenario) -> Plan {
    let source = stackhop_inventory::examples::source(example).expect("example");
    let file = format!("example:{example}");
    let inventory = stackhop_inventory::parse(source, &file, &stackhop_catalog::vocabulary())
        .expect("inventory");
    let transition =
        stackhop_catalog::find(&inventory.release, &inventory.profile).expect("transition");
    stackhop_plan::make_plan(transition, &inventory, &file, source, scenario).expect("plan")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Runs a session to its end; `stop_after` host completions, asks for a hard stop.
fn run(session: Session, options: ExecOptions, stop_after: Option<usize>) -> RunReport {
    runtime().block_on(async move {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (stop_tx, stop_rx) = watch::channel(StopRequest::None);
        let watcher = tokio::spawn(async move {
            let mut finished = 0usize;
            while let Some(event) = rx.recv().await {
                match event {
                    Event::HostFinished { .. } => {
                        finished += 1;
                        if Some(finished) == stop_after {
                            let _ = stop_tx.send(StopRequest::Now);
                        }
                    }
                    Event::Confirm(c) => {
                        let _ = c.reply.send(true);
                    }
                    _ => {}
                }
            }
        });
        let report = execute(session, options, tx, stop_rx)
            .await
            .expect("execute");
        let _ = watcher.await;
        report
    })
}

/// A new run of `plan` in `journal`, with no notes.
fn start(journal: &Path, plan: Plan, target: TargetKind, max_fail: u32) -> Session {
    Session::start(journal, plan, target, max_fail, &RunNotes::default()).expect("start")
}

fn final_cloud(journal: &Path) -> CloudState {
    let status = load_status(journal).expect("status");
    serde_json::from_str(&status.cloud.expect("cloud").state_json).expect("cloud json")
}

fn resume(journal: &Path) -> RunReport {
    let mut session = Session::resume(journal, None).expect("resume");
    session
        .settle(&Settlement::default(), None)
        .expect("settle");
    run(session, ExecOptions::default(), None)
}

#[test]
fn an_instant_sim_run_reaches_the_goal_and_records_every_host() {
    let dir = tempfile::tempdir().expect("tempdir");
    let journal = dir.path().join("run.db");
    let plan = plan("medium", Scenario::LiveCompute);
    let host_jobs: usize = plan.steps.iter().map(|s| s.hosts.len()).sum();
    let session = start(&journal, plan.clone(), TargetKind::Sim, 0);
    let report = run(session, ExecOptions::default(), None);
    assert_eq!(report.state, RunState::Succeeded, "{report:#?}");
    assert_eq!(report.hosts_succeeded, host_jobs);
    // The virtual clock ran the critical path (step estimates in the plan are rounded).
    let critical_ms = plan.estimate_s * 1000;
    assert!(
        report.virtual_end_ms.abs_diff(critical_ms) * 50 < critical_ms,
        "virtual {} ms against a critical path of {critical_ms} ms",
        report.virtual_end_ms
    );
    // Live compute keeps every capability but the ones a project's own stop takes down.
    assert!(report.downtime.iter().any(|d| d.down_ms > 0));

    let j = Journal::open(&journal, stackhop_exec::Access::ReadOnly).expect("open");
    let run = j.latest_run().expect("run").expect("a run");
    let attempts = j.attempts(run.id).expect("attempts");
    assert_eq!(attempts.len(), host_jobs);
    assert!(
        attempts
            .iter()
            .all(|a| a.state == AttemptState::Succeeded && a.attempt == 1)
    );
    let cloud = final_cloud(&journal);
    let source = stackhop_inventory::examples::source("medium").expect("example");
    let inventory =
        stackhop_inventory::parse(source, "m", &stackhop_catalog::vocabulary()).expect("inv");
    let transition = stackhop_catalog::find("havana", "rdo").expect("transition");
    let twin = stackhop_sim::Twin::from_parts(
        transition.rules(&inventory),
        cloud,
        inventory.hosts.iter().map(|h| h.name.clone()).collect(),
    );
    assert!(twin.unmet_goals().is_empty(), "{:?}", twin.unmet_goals());
    assert!(twin.is_safe());

    // A second apply of the same plan on the sim target starts a new run in the same journal.
    let again = start(&journal, plan, TargetKind::Sim, 0);
    assert_eq!(again.run().id, run.id + 1);
}

#[test]
fn hard_stops_anywhere_then_resume_give_the_same_cloud() {
    for scenario in [Scenario::LiveCompute, Scenario::ParallelCompute] {
        let dir = tempfile::tempdir().expect("tempdir");
        let plan = plan("medium", scenario);
        let reference = dir.path().join("reference.db");
        let session = start(&reference, plan.clone(), TargetKind::Sim, 0);
        assert_eq!(
            run(session, ExecOptions::default(), None).state,
            RunState::Succeeded
        );
        let expected = final_cloud(&reference);
        let host_jobs: usize = plan.steps.iter().map(|s| s.hosts.len()).sum();
        for (k, stop_after) in [1, host_jobs / 7, host_jobs / 3, host_jobs * 4 / 5]
            .into_iter()
            .enumerate()
        {
            let journal = dir.path().join(format!("stop{k}.db"));
            let session = start(&journal, plan.clone(), TargetKind::Sim, 0);
            let first = run(session, ExecOptions::default(), Some(stop_after.max(1)));
            assert_eq!(
                first.state,
                RunState::Interrupted,
                "{scenario} stop {stop_after}"
            );
            let second = resume(&journal);
            assert_eq!(
                second.state,
                RunState::Succeeded,
                "{scenario} stop {stop_after}"
            );
            assert_eq!(
                final_cloud(&journal),
                expected,
                "{scenario} stop {stop_after}"
            );
            assert_no_double_execution(&journal);
        }
    }
}

/// No step that is not idempotent ran twice on a host: at most one attempt that ran to a
/// result (succeeded or failed) per step and host.
fn assert_no_double_execution(journal: &Path) {
    let j = Journal::open(journal, stackhop_exec::Access::ReadOnly).expect("open");
    let run = j.latest_run().expect("run").expect("a run");
    let mut seen = std::collections::HashMap::new();
    for a in j.attempts(run.id).expect("attempts") {
        if !a.idempotent && matches!(a.state, AttemptState::Succeeded | AttemptState::Failed) {
            *seen.entry((a.step.clone(), a.host.clone())).or_insert(0) += 1;
        }
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "ran twice: {twice:?}");
}

#[test]
fn a_failure_stops_the_run_and_resume_finishes_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = plan("medium", Scenario::LiveCompute);
    let reference = dir.path().join("reference.db");
    let session = start(&reference, plan.clone(), TargetKind::Sim, 0);
    run(session, ExecOptions::default(), None);
    let expected = final_cloud(&reference);

    let journal = dir.path().join("run.db");
    let session = start(&journal, plan.clone(), TargetKind::Sim, 0);
    let options = ExecOptions {
        faults: vec!["nova-computes.b02.upgrade@cmp008".to_owned()],
        ..ExecOptions::default()
    };
    let report = run(session, options, None);
    assert_eq!(report.state, RunState::Failed);
    let failure = report.failure.expect("a failure");
    assert_eq!(failure.step, "nova-computes.b02.upgrade");
    assert!(
        failure.output.contains("injected fault"),
        "{}",
        failure.output
    );
    assert!(report.steps_not_started > 0);

    let status = load_status(&journal).expect("status");
    assert_eq!(status.state, RunState::Failed);
    let text = stackhop_report::status_text(&status.doc());
    assert!(
        text.contains("failed: nova-computes.b02.upgrade on cmp008"),
        "{text}"
    );
    assert!(
        text.contains("resume with: stackhop resume --journal"),
        "{text}"
    );

    let second = resume(&journal);
    assert_eq!(second.state, RunState::Succeeded);
    assert_eq!(final_cloud(&journal), expected);
}

#[test]
fn max_fail_tolerates_failed_hosts_and_leaves_them_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = plan("medium", Scenario::LiveCompute);
    let journal = dir.path().join("run.db");
    let session = start(&journal, plan, TargetKind::Sim, 1);
    let options = ExecOptions {
        faults: vec!["nova-computes.b02.upgrade@cmp008".to_owned()],
        ..ExecOptions::default()
    };
    let report = run(session, options, None);
    assert_eq!(report.state, RunState::Succeeded, "{report:#?}");
    assert_eq!(
        report.tolerated,
        vec![("nova-computes.b02.upgrade".to_owned(), "cmp008".to_owned())]
    );
    assert!(
        report.hosts_skipped > 0,
        "cmp008 is left out of later steps"
    );
    let status = load_status(&journal).expect("status");
    let start = status
        .prepared
        .graph
        .index("nova-computes.b02.start")
        .expect("step")
        .get();
    let pos = status.prepared.plan.steps[start]
        .hosts
        .iter()
        .position(|h| h == "cmp008")
        .expect("host");
    assert_eq!(status.progress[start].hosts[pos], HostStatus::Skipped);
}

fn local_plan(commands: &[&str]) -> Plan {
    let mut plan = plan("allinone", Scenario::AllAtOnce);
    plan.steps.truncate(3);
    for (i, step) in plan.steps.iter_mut().enumerate() {
        step.commands = vec![commands[i.min(commands.len() - 1)].to_owned()];
        step.after = if i == 0 {
            Vec::new()
        } else {
            vec![format!("s{}", i - 1)]
        };
        step.id = format!("s{i}");
    }
    plan
}

#[test]
fn the_local_target_runs_commands_and_records_their_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let marker = dir.path().join("marker");
    let ok = format!("echo ran on {{host}} >> {}", marker.display());
    let plan = local_plan(&[&ok, "echo about to fail; exit 7", &ok]);
    let journal = dir.path().join("run.db");
    let session = start(&journal, plan, TargetKind::Local, 0);
    let report = run(session, ExecOptions::default(), None);
    assert_eq!(report.state, RunState::Failed);
    let failure = report.failure.expect("failure");
    assert_eq!(failure.step, "s1");
    assert_eq!(failure.exit_code, Some(7));
    assert!(
        failure.output.contains("about to fail"),
        "{}",
        failure.output
    );
    let ran = std::fs::read_to_string(&marker).expect("marker");
    assert_eq!(ran.lines().count(), 1, "s2 never started: {ran}");
    assert!(ran.starts_with("ran on "), "{ran}");
    let status = load_status(&journal).expect("status");
    assert!(status.cloud.is_none(), "no simulated cloud on local");
    assert!(stackhop_report::status_json(&status.doc()).contains("\"exit_code\": 7"));
}

#[test]
fn local_steps_that_cannot_run_twice_wait_for_the_operator_on_resume() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut plan = local_plan(&["true", "sleep 30", "true"]);
    plan.steps[1].action = stackhop_model::Action::MigrateInstances {
        mode: stackhop_model::MoveMode::Live,
        to_env: 1,
    };
    let journal = dir.path().join("run.db");
    let session = start(&journal, plan, TargetKind::Local, 0);
    // Stop hard while s1 runs: its intent is in the journal, its result is not.
    let report = runtime().block_on(async move {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (stop_tx, stop_rx) = watch::channel(StopRequest::None);
        let watcher = tokio::spawn(async move {
            while let Some(event) = rx.recv().await {
                if let Event::HostStarted { step: 1, .. } = event {
                    let _ = stop_tx.send(StopRequest::Now);
                }
            }
        });
        let report = execute(session, ExecOptions::default(), tx, stop_rx)
            .await
            .expect("execute");
        let _ = watcher.await;
        report
    });
    assert_eq!(report.state, RunState::Interrupted);
    assert!(
        report.real < std::time::Duration::from_secs(20),
        "sleep 30 was killed"
    );
    let before = Journal::open(&journal, stackhop_exec::Access::ReadOnly)
        .and_then(|j| j.row_counts())
        .expect("counts");

    let mut session = Session::resume(&journal, None).expect("resume");
    let err = session
        .settle(&Settlement::default(), None)
        .expect_err("needs the operator");
    let message = err.to_string();
    assert!(message.contains("--mark-done s1@packstack"), "{message}");
    assert!(message.contains("--rerun s1@packstack"), "{message}");
    let err = session
        .settle(
            &Settlement {
                mark_done: vec!["s2".to_owned()],
                rerun: Vec::new(),
            },
            None,
        )
        .expect_err("s2 is not in doubt");
    assert!(err.to_string().contains("not a step in doubt"), "{err}");
    drop(session);
    let after = Journal::open(&journal, stackhop_exec::Access::ReadOnly)
        .and_then(|j| j.row_counts())
        .expect("counts");
    assert_eq!(before, after, "a refused resume writes nothing");

    let mut session = Session::resume(&journal, None).expect("resume");
    session
        .settle(
            &Settlement {
                mark_done: vec!["s1@packstack".to_owned()],
                rerun: Vec::new(),
            },
            None,
        )
        .expect("settled");
    let report = run(session, ExecOptions::default(), None);
    assert_eq!(report.state, RunState::Succeeded);
    assert_eq!(report.host_jobs_run, 1, "only s2 ran: s1 was marked done");
    let j = Journal::open(&journal, stackhop_exec::Access::ReadOnly).expect("open");
    let run_id = j.latest_run().expect("run").expect("a run").id;
    let s1: Vec<_> = j
        .attempts(run_id)
        .expect("attempts")
        .into_iter()
        .filter(|a| a.step == "s1")
        .collect();
    assert_eq!(s1.len(), 1);
    assert_eq!(s1[0].state, AttemptState::Succeeded);
    assert!(s1[0].note.contains("marked done by the operator"));
}
