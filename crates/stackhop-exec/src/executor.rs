//! The executor: a DAG walk on tokio.
//!
//! One dispatcher task owns all scheduling state; host jobs are tasks that report back over a
//! channel (nextest's runner shape, without the framework). A step starts when every step it
//! waits for is complete, so independent steps run together; within a step, hosts run
//! `fanout` at a time (the catalog's estimate). Each host job commits its intent, waits for the
//! commit, runs (the twin or `sh`), and submits its result — for the `sim` target together with
//! the cloud it produced, in the same transaction.
//!
//! A host failure beyond `--max-fail` fails its step: no step starts any more, the failed step
//! starts no more hosts, running steps finish, the run ends `failed`. A stop request (first
//! Ctrl-C) does the same without a failure and ends `interrupted`; a second one aborts the jobs
//! in flight (their intents stay in the journal, in doubt, for `resume` to settle).

use std::collections::{HashMap, HashSet, VecDeque};
use std::process::Stdio;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::io::AsyncReadExt;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinSet;

use crate::clock::{Busy, Clock};
use crate::error::ExecError;
use crate::events::{ConfirmRequest, Event, FailureReport, PhaseInfo, RunReport, StepOutcome};
use crate::journal::{AttemptState, Op, RunState, WriterHandle, tail};
use crate::prepared::PreparedPlan;
use crate::progress::{HostStatus, StepProgress, progress};
use crate::session::{Session, TargetKind};
use crate::world::{CapabilityChange, World};

/// What the operator asks the run to do while it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopRequest {
    /// Keep going.
    None,
    /// Start nothing new, let running steps finish (first Ctrl-C).
    Finish,
    /// Stop now (second Ctrl-C): jobs in flight are dropped, their intents stay in doubt.
    Now,
}

/// How to execute.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecOptions {
    /// `sim` only: virtual seconds per real second; `None` runs instantly on a virtual clock.
    pub speed: Option<f64>,
    /// Failed hosts a step tolerates (the run's own setting when resuming, unless given).
    pub max_fail: Option<u32>,
    /// Ask before each phase.
    pub confirm_phases: bool,
    /// `sim` only, for tests: `STEP` or `STEP@HOST` globs whose hosts fail.
    pub faults: Vec<String>,
    /// Seeds the duration jitter of a `--speed` run.
    pub seed: u64,
    /// Host jobs in flight at most, over all steps.
    pub max_in_flight: usize,
}

impl Default for ExecOptions {
    fn default() -> Self {
        ExecOptions {
            speed: None,
            max_fail: None,
            confirm_phases: false,
            faults: Vec::new(),
            seed: 0,
            max_in_flight: 256,
        }
    }
}

/// How one host's attempt ended.
struct Done {
    step: usize,
    pos: usize,
    ok: bool,
    exit_code: Option<i32>,
    output: String,
    changes: Vec<CapabilityChange>,
    at_ms: u64,
}

/// A job's report to the dispatcher.
enum JobMsg {
    Done(Done),
    /// The journal could not record the job's intent or result.
    Journal(String),
}

/// What every job shares.
struct JobCtx {
    prepared: Arc<PreparedPlan>,
    run_id: i64,
    target: TargetKind,
    writer: WriterHandle,
    clock: Clock,
    world: Option<Mutex<World>>,
    results: mpsc::UnboundedSender<JobMsg>,
    events: mpsc::UnboundedSender<Event>,
    faults: Vec<(String, Option<String>)>,
    /// `local`: one command at a time per host.
    host_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    jitter: Option<(u64, f64)>,
    /// `local`: the journal each command names in its environment (see `orphans`).
    journal_key: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Waiting,
    Running,
    Done,
    Failed,
    /// Must not run: without the hosts left out it would break the cloud (or waits for a step
    /// that would).
    Blocked,
}

struct StepRun {
    waiting: usize,
    phase: Phase,
    queue: VecDeque<usize>,
    in_flight: usize,
    /// Hosts started in this session, for the first-wave duration rule.
    launched: usize,
    /// `local` manual steps: the operator's answer.
    manual_ok: Option<bool>,
}

struct Dispatcher {
    ctx: Arc<JobCtx>,
    progress: Vec<StepProgress>,
    steps: Vec<StepRun>,
    max_fail: u32,
    excluded: HashSet<String>,
    jobs: JoinSet<()>,
    results: mpsc::UnboundedReceiver<JobMsg>,
    control: watch::Receiver<StopRequest>,
    stop: StopRequest,
    in_flight: usize,
    max_in_flight: usize,
    failure: Option<FailureReport>,
    journal_error: Option<String>,
    tolerated: Vec<(String, String)>,
    confirm_phases: bool,
    confirmed: HashSet<String>,
    steps_done: usize,
    host_jobs_run: usize,
    /// The cloud as the model has it after every host that succeeded, in the order they did:
    /// what the rest of the run starts from when hosts are left out.
    belief: stackhop_sim::Twin,
    /// Steps that must not run, and why, by index.
    blocked: std::collections::BTreeMap<usize, String>,
}

/// The model's cloud after every attempt the journal records as succeeded, in the order they
/// finished.
fn belief(
    prepared: &PreparedPlan,
    attempts: &[crate::journal::AttemptRecord],
) -> stackhop_sim::Twin {
    let mut twin = stackhop_sim::Twin::new(prepared.transition, &prepared.inventory);
    let mut done: Vec<&crate::journal::AttemptRecord> = attempts
        .iter()
        .filter(|a| a.state == AttemptState::Succeeded)
        .collect();
    done.sort_by_key(|a| (a.finished_ms, a.id));
    for a in done {
        if let Some(&i) = prepared.index.get(&a.step) {
            // A refusal here is the model disagreeing with what ran; the run goes on regardless.
            let _ = twin.apply_host(&prepared.plan.steps[i], &a.host);
        }
    }
    twin
}

/// `--fault STEP[@HOST]` patterns as the `sim` target reads them.
fn parse_faults(faults: &[String]) -> Vec<(String, Option<String>)> {
    faults
        .iter()
        .map(|f| match f.split_once('@') {
            Some((s, h)) => (s.to_owned(), Some(h.to_owned())),
            None => (f.clone(), None),
        })
        .collect()
}

/// Refuses a `--fault` that would inject nothing: a typo must not pass for a clean run.
pub fn check_faults(plan: &stackhop_plan::Plan, faults: &[String]) -> Result<(), ExecError> {
    for (text, (step, host)) in faults.iter().zip(parse_faults(faults)) {
        let hit = plan.steps.iter().any(|s| {
            stackhop_sim::glob_match(&step, &s.id)
                && host
                    .as_deref()
                    .is_none_or(|h| s.hosts.iter().any(|x| stackhop_sim::glob_match(h, x)))
        });
        if !hit {
            return Err(ExecError::UnmatchedFault(text.clone()));
        }
    }
    Ok(())
}

/// Runs (or continues) the session's run to its end, a failure or a stop. Progress goes to
/// `events`; `control` carries stop requests.
pub async fn execute(
    mut session: Session,
    options: ExecOptions,
    events: mpsc::UnboundedSender<Event>,
    control: watch::Receiver<StopRequest>,
) -> Result<RunReport, ExecError> {
    let started = Instant::now();
    if !session.ready {
        // `settle` reopens the run; a caller that skipped it gets the defaults.
        session.settle(&Default::default(), options.max_fail)?;
    }
    let prepared = session.prepared.clone();
    let max_fail = options.max_fail.unwrap_or(session.run.max_fail);
    let target = session.target;
    let origin_ms = session
        .cloud
        .as_ref()
        .map_or(0, |c| u64::try_from(c.virtual_ms).unwrap_or(0));
    let clock = match (target, options.speed) {
        (TargetKind::Sim, None) => Clock::instant(origin_ms),
        (TargetKind::Sim, Some(speed)) => Clock::scaled(origin_ms, speed),
        (TargetKind::Local, _) => Clock::scaled(0, 1.0),
    };
    let world = match target {
        TargetKind::Sim => {
            let state = session
                .cloud_state()
                .unwrap_or_else(|| World::initial_state(&prepared));
            Some(Mutex::new(World::new(&prepared, state, origin_ms)))
        }
        TargetKind::Local => None,
    };
    let progress = progress(&prepared, &session.attempts);
    let belief = belief(&prepared, &session.attempts);
    let run_id = session.run.id;
    let notes = session.run.notes.clone();
    let resumed = session.resumed;
    let journal_path = session.journal.path().to_owned();
    let Session { journal, lock, .. } = session;
    let writer = journal.into_writer();
    let (results_tx, results_rx) = mpsc::unbounded_channel();
    let faults = parse_faults(&options.faults);
    let ctx = Arc::new(JobCtx {
        prepared: prepared.clone(),
        run_id,
        target,
        writer: writer.handle(),
        clock: clock.clone(),
        world,
        results: results_tx,
        events: events.clone(),
        faults,
        host_locks: Mutex::new(HashMap::new()),
        jitter: options.speed.map(|_| (options.seed, stackhop_sim::JITTER)),
        journal_key: crate::orphans::journal_key(&journal_path),
    });
    let mut d = Dispatcher::new(
        ctx.clone(),
        progress,
        max_fail,
        results_rx,
        control,
        &options,
        belief,
    );
    if !d.excluded.is_empty() {
        d.reassess();
    }
    let _ = events.send(Event::Started {
        run_id,
        resumed,
        target: target.as_str(),
        steps: prepared.plan.steps.len(),
        steps_done: d.steps_done,
        host_jobs: prepared.host_jobs(),
        host_jobs_done: d
            .progress
            .iter()
            .map(|p| p.count(|h| *h != HostStatus::Pending))
            .sum(),
        phases: prepared
            .phases
            .iter()
            .map(|(name, members)| PhaseInfo {
                name: name.clone(),
                steps: members.len(),
                done: members
                    .iter()
                    .filter(|&&i| d.steps[i].phase == Phase::Done)
                    .count(),
            })
            .collect(),
    });
    let virtual_start_ms = clock.now_ms();
    d.walk().await;
    let virtual_end_ms = clock.now_ms();

    let state = if d.journal_error.is_some() || d.failure.is_some() || !d.blocked.is_empty() {
        RunState::Failed
    } else if d.steps.iter().all(|s| s.phase == Phase::Done) {
        RunState::Succeeded
    } else {
        RunState::Interrupted
    };
    let handle = writer.handle();
    let message = match (&d.failure, state) {
        (None, RunState::Failed) if !d.blocked.is_empty() => format!(
            "failed: {} step(s) blocked by hosts left out ({})",
            d.blocked.len(),
            stackhop_catalog::collapse_hosts(&d.excluded.iter().collect::<Vec<_>>())
        ),
        (Some(f), _) => format!(
            "failed: step {} on {} ({})",
            f.step,
            f.host,
            f.exit_code
                .map_or_else(|| "no exit code".to_owned(), |c| format!("exit {c}"))
        ),
        (None, RunState::Interrupted) => "stopped before the end".to_owned(),
        (None, s) => format!("{}{}", s.as_str(), notes.caveat()),
    };
    let final_acks = [
        handle.submit(Op::Event {
            run_id,
            kind: state.as_str(),
            message,
        }),
        handle.submit(Op::RunState { run_id, state }),
    ];
    for ack in final_acks {
        if let Err(e) = ack.wait().await {
            d.journal_error.get_or_insert(e);
        }
    }
    drop(handle);
    let downtime = ctx
        .world
        .as_ref()
        .map(|w| {
            w.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .downtime(virtual_end_ms)
        })
        .unwrap_or_default();
    let mut report = d.report(
        run_id,
        state,
        started,
        virtual_start_ms,
        virtual_end_ms,
        downtime,
    );
    report.notes = notes;
    report.blocked = d
        .blocked
        .iter()
        .map(|(&i, why)| (prepared.plan.steps[i].id.clone(), why.clone()))
        .collect();
    report.left_out = d.excluded.iter().cloned().collect();
    let journal_error = d.journal_error.take();
    drop(d);
    drop(ctx);
    // Joining the writer waits for its last commit: off the async workers.
    let _ = tokio::task::spawn_blocking(move || writer.close()).await;
    drop(lock);
    if let Some(detail) = journal_error {
        return Err(ExecError::JournalWrite {
            path: journal_path,
            detail,
        });
    }
    Ok(report)
}

impl Dispatcher {
    fn new(
        ctx: Arc<JobCtx>,
        progress: Vec<StepProgress>,
        max_fail: u32,
        results: mpsc::UnboundedReceiver<JobMsg>,
        control: watch::Receiver<StopRequest>,
        options: &ExecOptions,
        belief: stackhop_sim::Twin,
    ) -> Dispatcher {
        let plan = &ctx.prepared.plan;
        let mut excluded = HashSet::new();
        let mut steps: Vec<StepRun> = progress
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let complete = p.is_complete(max_fail);
                if complete {
                    for (pos, h) in p.hosts.iter().enumerate() {
                        if *h == HostStatus::Failed {
                            excluded.insert(plan.steps[i].hosts[pos].clone());
                        }
                    }
                }
                StepRun {
                    waiting: 0,
                    phase: if complete {
                        Phase::Done
                    } else {
                        Phase::Waiting
                    },
                    queue: VecDeque::new(),
                    in_flight: 0,
                    launched: 0,
                    manual_ok: None,
                }
            })
            .collect();
        for i in 0..steps.len() {
            steps[i].waiting = ctx.prepared.steps[i]
                .deps
                .iter()
                .filter(|&&d| steps[d].phase != Phase::Done)
                .count();
        }
        let steps_done = steps.iter().filter(|s| s.phase == Phase::Done).count();
        Dispatcher {
            ctx,
            progress,
            steps,
            max_fail,
            excluded,
            jobs: JoinSet::new(),
            results,
            control,
            stop: StopRequest::None,
            in_flight: 0,
            max_in_flight: options.max_in_flight.max(1),
            failure: None,
            journal_error: None,
            tolerated: Vec::new(),
            confirm_phases: options.confirm_phases,
            confirmed: HashSet::new(),
            steps_done,
            host_jobs_run: 0,
            belief,
            blocked: std::collections::BTreeMap::new(),
        }
    }

    /// With hosts left out, decides with the model which steps still to run are safe from the
    /// cloud as it stands, and blocks the others (and what waits for them).
    fn reassess(&mut self) {
        let ctx = self.ctx.clone();
        let prepared = &ctx.prepared;
        let complete: Vec<bool> = self.steps.iter().map(|s| s.phase == Phase::Done).collect();
        let host_done: Vec<Vec<bool>> = self
            .progress
            .iter()
            .map(|p| {
                p.hosts
                    .iter()
                    .map(|h| matches!(h, HostStatus::Succeeded | HostStatus::Skipped))
                    .collect()
            })
            .collect();
        let left_out: std::collections::BTreeSet<String> = self.excluded.iter().cloned().collect();
        let found = stackhop_verify::blocked_steps(
            prepared.transition,
            &prepared.inventory,
            &prepared.plan,
            self.belief.state(),
            &stackhop_verify::RunPosition {
                complete: &complete,
                host_done: &host_done,
                left_out: &left_out,
            },
        );
        let hosts = stackhop_catalog::collapse_hosts(&left_out.iter().collect::<Vec<_>>());
        for b in found {
            if self.blocked.contains_key(&b.step) {
                continue;
            }
            let step = &prepared.plan.steps[b.step];
            let why = if b.detail.is_empty() {
                b.why.clone()
            } else {
                format!("{}: {}", b.why, b.detail)
            };
            match self.steps[b.step].phase {
                Phase::Waiting => self.steps[b.step].phase = Phase::Blocked,
                Phase::Running => self.steps[b.step].queue.clear(),
                Phase::Done | Phase::Failed | Phase::Blocked => continue,
            }
            if !b.why.starts_with("waits for ") {
                self.event(Event::Note(format!(
                    "{} will not run: without {hosts} it would break the cloud ({why})",
                    step.id
                )));
            }
            drop(ctx.writer.submit(Op::Event {
                run_id: ctx.run_id,
                kind: "blocked",
                message: format!("{}\t{why}", step.id),
            }));
            self.blocked.insert(b.step, why);
            self.maybe_complete(b.step);
        }
    }

    fn event(&self, e: Event) {
        let _ = self.ctx.events.send(e);
    }

    /// Whether new steps may start.
    fn may_start(&self) -> bool {
        self.stop == StopRequest::None && self.failure.is_none() && self.journal_error.is_none()
    }

    async fn walk(&mut self) {
        loop {
            while let Ok(msg) = self.results.try_recv() {
                self.handle(msg);
            }
            while self.jobs.try_join_next().is_some() {}
            if self.stop == StopRequest::Now {
                break;
            }
            if self.may_start() {
                self.start_ready().await;
            }
            self.launch_hosts();
            if self.in_flight == 0 {
                break;
            }
            if let Clock::Event(clock) = &self.ctx.clock
                && clock.advance_if_idle()
            {
                continue;
            }
            let clock = self.ctx.clock.clone();
            tokio::select! {
                biased;
                msg = self.results.recv() => {
                    if let Some(msg) = msg {
                        self.handle(msg);
                    }
                }
                changed = self.control.changed() => {
                    if changed.is_ok() {
                        let request = *self.control.borrow_and_update();
                        self.request_stop(request);
                    } else {
                        // Nobody can ask any more: keep going.
                        self.control = watch::channel(StopRequest::None).1;
                    }
                }
                () = async {
                    match &clock {
                        Clock::Event(c) => c.idle().await,
                        Clock::Scaled { .. } => std::future::pending().await,
                    }
                } => {}
            }
        }
        if self.stop == StopRequest::Now {
            // Dropping the jobs kills local commands (`kill_on_drop`); their intents stay.
            self.jobs.abort_all();
            while self.jobs.join_next().await.is_some() {}
            while let Ok(msg) = self.results.try_recv() {
                self.handle(msg);
            }
        } else {
            while self.jobs.join_next().await.is_some() {}
            while let Ok(msg) = self.results.try_recv() {
                self.handle(msg);
            }
        }
    }

    fn request_stop(&mut self, request: StopRequest) {
        if request == StopRequest::None || request == self.stop {
            return;
        }
        if self.stop == StopRequest::Now {
            return;
        }
        self.stop = request;
        let running = self
            .steps
            .iter()
            .filter(|s| s.phase == Phase::Running)
            .count();
        self.event(Event::Stopping {
            now: request == StopRequest::Now,
            running_steps: running,
        });
    }

    /// Starts every step whose dependencies are complete, in plan order, until none is left.
    async fn start_ready(&mut self) {
        loop {
            let mut started_any = false;
            for i in 0..self.steps.len() {
                if !self.may_start() {
                    return;
                }
                if self.steps[i].phase != Phase::Waiting || self.steps[i].waiting > 0 {
                    continue;
                }
                let phase = self.ctx.prepared.plan.steps[i].phase.clone();
                if self.confirm_phases && !self.confirmed.contains(&phase) {
                    // Ask at a quiet moment: when whatever runs has finished.
                    if self.in_flight > 0 {
                        continue;
                    }
                    if !self.confirm_phase(&phase).await {
                        return;
                    }
                }
                self.start_step(i).await;
                started_any = true;
            }
            if !started_any {
                return;
            }
        }
    }

    async fn ask(&mut self, question: String, detail: Vec<String>) -> bool {
        let (reply, answer) = oneshot::channel();
        self.event(Event::Confirm(ConfirmRequest {
            question,
            detail,
            reply,
        }));
        tokio::select! {
            a = answer => a.unwrap_or(false),
            changed = self.control.changed() => {
                if changed.is_ok() {
                    let request = *self.control.borrow_and_update();
                    self.request_stop(request);
                }
                false
            }
        }
    }

    async fn confirm_phase(&mut self, phase: &str) -> bool {
        let members = self
            .ctx
            .prepared
            .phases
            .iter()
            .find(|(p, _)| p == phase)
            .map(|(_, m)| m.clone())
            .unwrap_or_default();
        let plan = &self.ctx.prepared.plan;
        let detail: Vec<String> = members
            .iter()
            .filter(|&&i| self.steps[i].phase != Phase::Done)
            .map(|&i| {
                let s = &plan.steps[i];
                format!("{} ({} host(s))", s.id, s.hosts.len())
            })
            .collect();
        let yes = self
            .ask(
                format!("start phase `{phase}` ({} step(s))?", detail.len()),
                detail,
            )
            .await;
        if yes {
            self.confirmed.insert(phase.to_owned());
        } else if self.stop == StopRequest::None {
            self.request_stop(StopRequest::Finish);
        }
        yes
    }

    async fn start_step(&mut self, i: usize) {
        let ctx = self.ctx.clone();
        let step = &ctx.prepared.plan.steps[i];
        self.steps[i].phase = Phase::Running;
        let mut skipped = Vec::new();
        for (pos, status) in self.progress[i].hosts.iter().enumerate() {
            match status {
                HostStatus::Pending | HostStatus::Failed => {
                    if self.excluded.contains(&step.hosts[pos]) {
                        skipped.push(pos);
                    } else {
                        self.steps[i].queue.push_back(pos);
                    }
                }
                HostStatus::Succeeded | HostStatus::Skipped | HostStatus::InDoubt { .. } => {}
            }
        }
        self.event(Event::StepStarted {
            index: i,
            id: step.id.clone(),
            phase: step.phase.clone(),
            hosts: self.steps[i].queue.len(),
        });
        for pos in skipped {
            let host = &step.hosts[pos];
            let attempt = self.progress[i].next_attempt[pos];
            self.progress[i].next_attempt[pos] += 1;
            self.progress[i].hosts[pos] = HostStatus::Skipped;
            // Only a record: nothing runs, so nothing waits for it.
            drop(ctx.writer.submit(Op::Skip {
                run_id: ctx.run_id,
                step: Arc::from(step.id.as_str()),
                host: Arc::from(host.as_str()),
                attempt,
                idempotent: ctx.prepared.steps[i].idempotent,
                note: "left out: the host failed an earlier step".to_owned(),
            }));
        }
        if step.manual && ctx.target == TargetKind::Local && !self.steps[i].queue.is_empty() {
            let mut detail = vec![step.reason.clone()];
            detail.extend(step.commands.iter().map(|c| format!("  {c}")));
            let yes = self
                .ask(
                    format!(
                        "`{}` is a manual step on {}: do it by hand, then answer yes when it is done",
                        step.id,
                        stackhop_catalog::collapse_hosts(&step.hosts)
                    ),
                    detail,
                )
                .await;
            self.steps[i].manual_ok = Some(yes);
        }
        self.maybe_complete(i);
    }

    /// Launches host jobs of running steps, `fanout` per step at most.
    fn launch_hosts(&mut self) {
        if self.stop == StopRequest::Now || self.journal_error.is_some() {
            return;
        }
        for i in 0..self.steps.len() {
            if self.steps[i].phase != Phase::Running {
                continue;
            }
            let fanout =
                usize::try_from(self.ctx.prepared.steps[i].estimate.fanout.max(1)).unwrap_or(1);
            while self.steps[i].in_flight < fanout && self.in_flight < self.max_in_flight {
                let Some(pos) = self.steps[i].queue.pop_front() else {
                    break;
                };
                self.launch(i, pos);
            }
        }
    }

    fn launch(&mut self, i: usize, pos: usize) {
        let attempt = self.progress[i].next_attempt[pos];
        self.progress[i].next_attempt[pos] += 1;
        self.progress[i].hosts[pos] = HostStatus::InDoubt { attempt_id: 0 };
        let first_wave = self.steps[i].launched
            < usize::try_from(self.ctx.prepared.steps[i].estimate.fanout.max(1)).unwrap_or(1);
        self.steps[i].launched += 1;
        self.steps[i].in_flight += 1;
        self.in_flight += 1;
        self.host_jobs_run += 1;
        let busy = self.ctx.clock.busy();
        let ctx = self.ctx.clone();
        let manual_ok = self.steps[i].manual_ok;
        self.jobs.spawn(async move {
            host_job(ctx, i, pos, attempt, first_wave, manual_ok, busy).await;
        });
    }

    fn handle(&mut self, msg: JobMsg) {
        match msg {
            JobMsg::Journal(e) => {
                if self.journal_error.is_none() {
                    self.event(Event::Note(format!(
                        "the journal could not be written ({e}); starting nothing more"
                    )));
                }
                self.journal_error.get_or_insert(e);
            }
            JobMsg::Done(Done {
                step: i,
                pos,
                ok,
                exit_code,
                output,
                changes,
                at_ms,
            }) => {
                self.in_flight -= 1;
                self.steps[i].in_flight -= 1;
                let ctx = self.ctx.clone();
                let step = &ctx.prepared.plan.steps[i];
                let host = &step.hosts[pos];
                self.progress[i].hosts[pos] = if ok {
                    HostStatus::Succeeded
                } else {
                    HostStatus::Failed
                };
                if ok && let Err(e) = self.belief.apply_host(step, host) {
                    self.event(Event::Note(format!(
                        "the model cannot follow {} on {host} ({e}); what it says of the rest of \
                         the run may be wrong",
                        step.id
                    )));
                }
                for change in changes {
                    self.event(Event::Capability {
                        change,
                        step: step.id.clone(),
                        host: host.clone(),
                        at_ms,
                    });
                }
                self.event(Event::HostFinished {
                    step: i,
                    host: host.clone(),
                    ok,
                    exit_code,
                    detail: if ok {
                        String::new()
                    } else {
                        output.lines().last().unwrap_or_default().to_owned()
                    },
                });
                if !ok {
                    self.progress[i].last_failure = Some((host.clone(), exit_code, output.clone()));
                    let failed = self.progress[i].failed();
                    let tolerated = failed <= usize::try_from(self.max_fail).unwrap_or(usize::MAX);
                    if tolerated && self.excluded.insert(host.clone()) {
                        self.reassess();
                    }
                    if !tolerated && self.steps[i].phase == Phase::Running {
                        self.steps[i].phase = Phase::Failed;
                        self.steps[i].queue.clear();
                        if self.failure.is_none() {
                            self.failure = Some(FailureReport {
                                step: step.id.clone(),
                                host: host.clone(),
                                exit_code,
                                output: output.clone(),
                            });
                            let running = self
                                .steps
                                .iter()
                                .filter(|s| s.phase == Phase::Running)
                                .count();
                            self.event(Event::Note(format!(
                                "{} failed on {host}: starting no more steps; {running} running \
                                 step(s) will finish",
                                step.id
                            )));
                        }
                        self.event(Event::StepFinished {
                            index: i,
                            id: step.id.clone(),
                            phase: step.phase.clone(),
                            outcome: StepOutcome::Failed {
                                host: host.clone(),
                                exit_code,
                                output,
                            },
                            at_ms,
                        });
                    }
                }
                self.maybe_complete(i);
            }
        }
    }

    /// Marks a running step done once every host is settled.
    fn maybe_complete(&mut self, i: usize) {
        let s = &self.steps[i];
        if s.phase != Phase::Running || s.in_flight > 0 || !s.queue.is_empty() {
            return;
        }
        if self.blocked.contains_key(&i) {
            // Its hosts in flight have finished; the rest of them must not start.
            self.steps[i].phase = Phase::Blocked;
            return;
        }
        if !self.progress[i].is_complete(self.max_fail) {
            return;
        }
        let ctx = self.ctx.clone();
        let step = &ctx.prepared.plan.steps[i];
        self.steps[i].phase = Phase::Done;
        self.steps_done += 1;
        let failed_hosts: Vec<String> = self.progress[i]
            .hosts
            .iter()
            .enumerate()
            .filter(|(_, h)| **h == HostStatus::Failed)
            .map(|(pos, _)| step.hosts[pos].clone())
            .collect();
        for h in &failed_hosts {
            self.excluded.insert(h.clone());
            self.tolerated.push((step.id.clone(), h.clone()));
        }
        for &d in &ctx.prepared.steps[i].dependents {
            self.steps[d].waiting = self.steps[d].waiting.saturating_sub(1);
        }
        self.event(Event::StepFinished {
            index: i,
            id: step.id.clone(),
            phase: step.phase.clone(),
            outcome: if failed_hosts.is_empty() {
                StepOutcome::Succeeded
            } else {
                StepOutcome::Tolerated { failed_hosts }
            },
            at_ms: ctx.clock.now_ms(),
        });
    }

    fn report(
        &self,
        run_id: i64,
        state: RunState,
        started: Instant,
        virtual_start_ms: u64,
        virtual_end_ms: u64,
        downtime: Vec<crate::world::Downtime>,
    ) -> RunReport {
        let count = |f: &dyn Fn(&HostStatus) -> bool| -> usize {
            self.progress.iter().map(|p| p.count(f)).sum()
        };
        RunReport {
            run_id,
            state,
            target: self.ctx.target.as_str(),
            real: started.elapsed(),
            virtual_start_ms,
            virtual_end_ms,
            steps_total: self.steps.len(),
            steps_succeeded: self.steps.iter().filter(|s| s.phase == Phase::Done).count(),
            steps_failed: self
                .steps
                .iter()
                .filter(|s| s.phase == Phase::Failed)
                .count(),
            steps_not_started: self
                .steps
                .iter()
                .filter(|s| matches!(s.phase, Phase::Waiting | Phase::Blocked))
                .count(),
            steps_incomplete: self
                .steps
                .iter()
                .filter(|s| s.phase == Phase::Running)
                .count(),
            hosts_succeeded: count(&|h| *h == HostStatus::Succeeded),
            hosts_failed: count(&|h| *h == HostStatus::Failed),
            hosts_skipped: count(&|h| *h == HostStatus::Skipped),
            host_jobs_run: self.host_jobs_run,
            tolerated: self.tolerated.clone(),
            failure: self.failure.clone(),
            downtime,
            notes: crate::journal::RunNotes::default(),
            blocked: Vec::new(),
            left_out: Vec::new(),
        }
    }
}

/// One attempt of one step on one host.
async fn host_job(
    ctx: Arc<JobCtx>,
    i: usize,
    pos: usize,
    attempt: u32,
    first_wave: bool,
    manual_ok: Option<bool>,
    mut busy: Busy,
) {
    let step = &ctx.prepared.plan.steps[i];
    let host = step.hosts[pos].as_str();
    // `local`: one command at a time on a host; wait for it before recording the intent.
    let _host_guard = if ctx.target == TargetKind::Local {
        let name = step.runs_on.clone().unwrap_or_else(|| host.to_owned());
        let lock = ctx
            .host_locks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(name)
            .or_default()
            .clone();
        Some(lock.lock_owned().await)
    } else {
        None
    };
    let intent = ctx.writer.submit(Op::Start {
        run_id: ctx.run_id,
        step: Arc::from(step.id.as_str()),
        host: Arc::from(host),
        attempt,
        idempotent: ctx.prepared.steps[i].idempotent,
        virtual_ms: Some(i64::try_from(ctx.clock.now_ms()).unwrap_or(i64::MAX)),
    });
    // Rule 4: nothing runs before its intent is on disk.
    let id = match intent.wait().await {
        Ok(id) => id,
        Err(e) => {
            let _ = ctx.results.send(JobMsg::Journal(e));
            let _ = ctx.results.send(JobMsg::Done(Done {
                step: i,
                pos,
                ok: false,
                exit_code: None,
                output: "not run: the journal could not record the intent".to_owned(),
                changes: Vec::new(),
                at_ms: ctx.clock.now_ms(),
            }));
            return;
        }
    };
    let _ = ctx.events.send(Event::HostStarted {
        step: i,
        host: host.to_owned(),
        attempt,
    });
    match ctx.target {
        TargetKind::Sim => sim_host(&ctx, i, pos, attempt, first_wave, id, &mut busy).await,
        TargetKind::Local => {
            let (ok, exit_code, output) = match manual_ok {
                Some(true) => (true, None, "confirmed by the operator".to_owned()),
                Some(false) => (
                    false,
                    None,
                    "manual step: the operator did not confirm it (it needs a terminal)".to_owned(),
                ),
                None => run_commands(step, host, &ctx.journal_key).await,
            };
            let at_ms = ctx.clock.now_ms();
            let ack = ctx.writer.submit(Op::Finish {
                id,
                state: if ok {
                    AttemptState::Succeeded
                } else {
                    AttemptState::Failed
                },
                exit_code,
                output_tail: tail(&output),
                virtual_ms: Some(i64::try_from(at_ms).unwrap_or(i64::MAX)),
                cloud: None,
            });
            let done = Done {
                step: i,
                pos,
                ok,
                exit_code,
                output,
                changes: Vec::new(),
                at_ms,
            };
            finish(&ctx, done, ack).await;
        }
    }
    drop(busy);
}

/// `sim`: lets the host's estimated duration pass on the clock, then carries the step out on
/// the twin and records the result with the cloud it produced.
async fn sim_host(
    ctx: &JobCtx,
    i: usize,
    pos: usize,
    attempt: u32,
    first_wave: bool,
    id: i64,
    busy: &mut Busy,
) {
    let step = &ctx.prepared.plan.steps[i];
    let host = step.hosts[pos].as_str();
    let estimate = ctx.prepared.steps[i].estimate;
    let mut seconds = estimate.per_host_s + if first_wave { estimate.once_s } else { 0.0 };
    if let Some((seed, jitter)) = ctx.jitter {
        seconds *= jitter_factor(seed, i, pos, attempt, jitter);
    }
    let ms = (seconds.max(0.0) * 1000.0).round() as u64;
    ctx.clock.sleep(busy, ms).await;
    let at_ms = ctx.clock.now_ms();
    let injected = ctx.faults.iter().any(|(s, h)| {
        stackhop_sim::glob_match(s, &step.id)
            && h.as_deref()
                .is_none_or(|h| stackhop_sim::glob_match(h, host))
    });
    let Some(world) = &ctx.world else {
        return;
    };
    // Apply and submit under the twin's lock, so that the journal receives the clouds in the
    // order they were produced.
    let (done, ack) = {
        let mut world = world.lock().unwrap_or_else(PoisonError::into_inner);
        let result = if injected {
            Err(format!("injected fault: {} fails on {host}", step.id))
        } else {
            world.apply(step, host, at_ms)
        };
        let (ok, output, changes, cloud) = match result {
            Ok(changes) => (
                true,
                format!("{} on {host}: done", step.action.kind().as_str()),
                changes,
                Some(Arc::new(world.state().clone())),
            ),
            Err(message) => (false, message, Vec::new(), None),
        };
        let exit_code = Some(i32::from(!ok));
        let ack = ctx.writer.submit(Op::Finish {
            id,
            state: if ok {
                AttemptState::Succeeded
            } else {
                AttemptState::Failed
            },
            exit_code,
            output_tail: tail(&output),
            virtual_ms: Some(i64::try_from(at_ms).unwrap_or(i64::MAX)),
            cloud,
        });
        let done = Done {
            step: i,
            pos,
            ok,
            exit_code,
            output,
            changes,
            at_ms,
        };
        (done, ack)
    };
    finish(ctx, done, ack).await;
}

/// Tells the dispatcher, then waits for the result's commit. The dispatcher may start the next
/// host meanwhile: its intent is committed after this result, never before.
async fn finish(ctx: &JobCtx, done: Done, ack: crate::journal::Ack) {
    let _ = ctx.results.send(JobMsg::Done(done));
    if let Err(e) = ack.wait().await {
        let _ = ctx.results.send(JobMsg::Journal(e));
    }
}

/// A duration factor in `[1 - jitter, 1 + jitter]`, the same for the same seed, step, host and
/// attempt.
fn jitter_factor(seed: u64, step: usize, host: usize, attempt: u32, jitter: f64) -> f64 {
    let key = seed
        ^ (step as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (host as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ u64::from(attempt).wrapping_mul(0x1656_67B1_9E37_79F9);
    let mut rng = ChaCha8Rng::seed_from_u64(key);
    1.0 + jitter * (2.0 * rng.random::<f64>() - 1.0)
}

/// `local`: runs the step's commands for one host with `sh -c`, stopping at the first that
/// fails. Answers success, the failing exit code, and the combined output (with each command).
async fn run_commands(
    step: &stackhop_plan::Step,
    host: &str,
    journal: &str,
) -> (bool, Option<i32>, String) {
    let mut output = String::new();
    for command in &step.commands {
        let command = command.replace("{host}", host);
        output.push_str(&format!("$ {command}\n"));
        let child = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(format!("exec 2>&1\n{command}"))
            .env(crate::orphans::STEP_VAR, &step.id)
            .env(crate::orphans::HOST_VAR, host)
            .env(crate::orphans::JOURNAL_VAR, journal)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // Its own process group: the operator's Ctrl-C reaches stackhop, which lets
            // running steps finish, not the commands themselves.
            .process_group(0)
            .kill_on_drop(true)
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => {
                output.push_str(&format!("cannot start sh: {e}\n"));
                return (false, None, output);
            }
        };
        // Stopping now (a second Ctrl-C) drops this job: take the command's whole group down.
        let group = child.id().map(|pid| GroupGuard { pid, done: false });
        let buf: Arc<Mutex<Vec<u8>>> = Arc::default();
        let reader = child.stdout.take().map(|stdout| {
            let buf = buf.clone();
            tokio::spawn(read_tail(stdout, buf))
        });
        let status = child.wait().await;
        if let Some(mut g) = group {
            g.done = true;
        }
        // A daemon the command started may hold the output open: do not wait for it long.
        if let Some(reader) = reader
            && tokio::time::timeout(std::time::Duration::from_secs(2), reader)
                .await
                .is_err()
        {
            output.push_str("(the output stays open, held by a background process)\n");
        }
        output.push_str(&String::from_utf8_lossy(
            &buf.lock().unwrap_or_else(PoisonError::into_inner),
        ));
        match status {
            Ok(status) if status.success() => {}
            Ok(status) => {
                let code = status.code();
                output.push_str(&format!(
                    "\n{}\n",
                    code.map_or_else(
                        || "killed by a signal".to_owned(),
                        |c| format!("exit status {c}")
                    )
                ));
                return (false, code.or(Some(-1)), output);
            }
            Err(e) => {
                output.push_str(&format!("cannot wait for sh: {e}\n"));
                return (false, None, output);
            }
        }
    }
    (true, Some(0), output)
}

/// Reads a command's output to its end, keeping only the tail the journal will.
async fn read_tail(mut stdout: tokio::process::ChildStdout, buf: Arc<Mutex<Vec<u8>>>) {
    let mut chunk = [0u8; 8192];
    loop {
        match stdout.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let mut buf = buf.lock().unwrap_or_else(PoisonError::into_inner);
                buf.extend_from_slice(&chunk[..n]);
                if buf.len() > 4 * crate::journal::OUTPUT_TAIL_BYTES {
                    let cut = buf.len() - 2 * crate::journal::OUTPUT_TAIL_BYTES;
                    buf.drain(..cut);
                }
            }
        }
    }
}

/// Kills a command's process group if the job is dropped before the command ended.
struct GroupGuard {
    pid: u32,
    done: bool,
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if !self.done {
            // No `unsafe` here (`killpg`): the `kill` utility signals a group given `-PGID`.
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.pid)])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// `--dry-run`: every command the plan would run, in an order the DAG allows, without running
/// anything or touching a journal.
pub fn dry_run(prepared: &PreparedPlan) -> String {
    let plan = &prepared.plan;
    let mut out = format!(
        "# dry run of {} for {} ({} steps); nothing is run\n",
        plan.scenario,
        plan.cloud,
        plan.steps.len()
    );
    let order = plan
        .topological_order()
        .unwrap_or_else(|| (0..plan.steps.len()).collect());
    for i in order {
        let step = &plan.steps[i];
        out.push_str(&format!(
            "\n# {}  [{}]{}{}\n",
            step.id,
            step.phase,
            if step.manual { "  (manual)" } else { "" },
            if prepared.steps[i].idempotent {
                ""
            } else {
                "  (not idempotent)"
            }
        ));
        for host in &step.hosts {
            let on = step.runs_on.as_deref().unwrap_or(host);
            for command in &step.commands {
                out.push_str(&format!("[{on}] {}\n", command.replace("{host}", host)));
            }
        }
    }
    out
}
