//! The dispatcher: a DAG walk on tokio, scheduled by the plan's [`Scheduler`].
//!
//! One dispatcher task owns all scheduling state; host jobs are tasks that report back over a
//! channel (nextest's runner shape, without the framework). A step starts when every step it
//! waits for is complete, so independent steps run together; within a step, hosts run
//! `fanout` at a time (the catalog's estimate), and `max_in_flight` over all steps. Each host
//! job commits its intent, waits for the commit, runs on the target, and submits its result.
//!
//! A host failure beyond `--max-fail` fails its step: no step starts any more, the failed step
//! starts no more hosts, running steps finish, the run ends `failed` — the scheduler the twin
//! uses says so for both. A failure within `--max-fail` leaves the host out of the rest, and
//! the model decides which of the remaining steps are still safe without it (the others are
//! blocked, and the run ends `failed`). A stop request (first Ctrl-C) starts nothing new and ends
//! `interrupted`; a second one aborts the jobs in flight (their intents stay in the journal, in
//! doubt, for `resume` to settle).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use stackhop_plan::{Scheduler, StepStage};
use stackhop_sim::{Jitter, Twin};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinSet;

use crate::clock::Clock;
use crate::error::ExecError;
use stackhop_report::FailureReport;

use crate::events::{ConfirmRequest, Event, PhaseInfo, RunReport, StepOutcome};
use crate::journal::{Op, RunState};
use crate::options::{ExecOptions, StopRequest};
use crate::progress::{HostStatus, StepProgress, progress};
use crate::session::{Session, TargetKind};
use crate::target::{Done, HostJob, JobCtx, JobMsg, Target, host_job};
use crate::world::World;

struct Dispatcher {
    ctx: Arc<JobCtx>,
    progress: Vec<StepProgress>,
    schedule: Scheduler,
    /// `local` manual steps: the operator's answer, per step.
    manual_ok: HashMap<usize, bool>,
    max_fail: u32,
    excluded: HashSet<String>,
    jobs: JoinSet<()>,
    results: mpsc::UnboundedReceiver<JobMsg>,
    control: watch::Receiver<StopRequest>,
    stop: StopRequest,
    failure: Option<FailureReport>,
    journal_error: Option<String>,
    tolerated: Vec<(String, String)>,
    confirm_phases: bool,
    confirmed: HashSet<String>,
    steps_done: usize,
    host_jobs_run: usize,
    /// `sim --speed`: the duration factors of the hosts launched, drawn in launch order.
    jitter: Option<Jitter>,
    /// The cloud as the model has it after every host that succeeded, in the order they did:
    /// what the rest of the run starts from when hosts are left out.
    belief: Twin,
    /// Steps that must not run, and why, by index.
    blocked: BTreeMap<usize, String>,
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
    let kind = session.target;
    let origin_ms = session
        .cloud
        .as_ref()
        .map_or(0, |c| u64::try_from(c.virtual_ms).unwrap_or(0));
    let clock = match (kind, options.speed) {
        (TargetKind::Sim, None) => Clock::instant(origin_ms),
        (TargetKind::Sim, Some(speed)) => Clock::scaled(origin_ms, speed),
        (TargetKind::Local, _) => Clock::scaled(0, 1.0),
    };
    let journal_path = session.journal.path().to_owned();
    let target = match kind {
        TargetKind::Sim => {
            let state = session
                .cloud_state()
                .unwrap_or_else(|| World::initial_state(&prepared));
            Target::Sim {
                world: Box::new(Mutex::new(World::new(&prepared, state, origin_ms))),
                faults: crate::faults::parse_faults(&options.faults),
            }
        }
        TargetKind::Local => Target::Local {
            host_locks: Mutex::new(HashMap::new()),
            journal_key: crate::orphans::journal_key(&journal_path),
        },
    };
    let progress = progress(&prepared, &session.attempts);
    let belief = crate::belief::belief(&prepared, &session.attempts);
    let run_id = session.run.id;
    let notes = session.run.notes.clone();
    let resumed = session.resumed;
    let Session { journal, lock, .. } = session;
    let writer = journal.into_writer();
    let (results_tx, results_rx) = mpsc::unbounded_channel();
    let ctx = Arc::new(JobCtx {
        prepared: prepared.clone(),
        run_id,
        target,
        writer: writer.handle(),
        clock: clock.clone(),
        results: results_tx,
        events: events.clone(),
    });
    let mut d = Dispatcher::new(
        ctx.clone(),
        progress,
        belief,
        max_fail,
        (results_rx, control),
        &options,
    );
    if kind == TargetKind::Sim && options.speed.is_some() {
        d.jitter = Some(Jitter::new(options.seed, stackhop_sim::JITTER));
    }
    if !d.excluded.is_empty() {
        d.reassess();
    }
    let _ = events.send(Event::Started {
        run_id,
        resumed,
        target: kind.as_str(),
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
                    .filter(|&&i| d.schedule.stage(i) == StepStage::Done)
                    .count(),
            })
            .collect(),
    });
    let virtual_start_ms = clock.now_ms();
    d.walk().await;
    let virtual_end_ms = clock.now_ms();

    let all_done = d.schedule.count(StepStage::Done) == prepared.plan.steps.len();
    let state = if d.journal_error.is_some() || d.failure.is_some() || !d.blocked.is_empty() {
        RunState::Failed
    } else if all_done {
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
        .target
        .world()
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
        belief: Twin,
        max_fail: u32,
        (results, control): (
            mpsc::UnboundedReceiver<JobMsg>,
            watch::Receiver<StopRequest>,
        ),
        options: &ExecOptions,
    ) -> Dispatcher {
        let prepared = &ctx.prepared;
        let fanout = prepared
            .steps
            .iter()
            .map(|s| usize::try_from(s.estimate.fanout.max(1)).unwrap_or(1))
            .collect();
        let mut schedule = Scheduler::new(&prepared.graph, fanout, options.max_in_flight);
        let mut excluded = HashSet::new();
        for (i, p) in progress.iter().enumerate() {
            if p.is_complete(max_fail) {
                for (pos, h) in p.hosts.iter().enumerate() {
                    if *h == HostStatus::Failed {
                        excluded.insert(prepared.plan.steps[i].hosts[pos].clone());
                    }
                }
                schedule.complete(i);
            }
        }
        let steps_done = schedule.count(StepStage::Done);
        Dispatcher {
            ctx,
            progress,
            schedule,
            manual_ok: HashMap::new(),
            max_fail,
            excluded,
            jobs: JoinSet::new(),
            results,
            control,
            stop: StopRequest::None,
            failure: None,
            journal_error: None,
            tolerated: Vec::new(),
            confirm_phases: options.confirm_phases,
            confirmed: HashSet::new(),
            steps_done,
            host_jobs_run: 0,
            jitter: None,
            belief,
            blocked: BTreeMap::new(),
        }
    }

    fn event(&self, e: Event) {
        let _ = self.ctx.events.send(e);
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
            self.start_ready().await;
            self.launch_hosts();
            if self.schedule.in_flight() == 0 {
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
        }
        while self.jobs.join_next().await.is_some() {}
        while let Ok(msg) = self.results.try_recv() {
            self.handle(msg);
        }
    }

    fn request_stop(&mut self, request: StopRequest) {
        if request == StopRequest::None || request == self.stop || self.stop == StopRequest::Now {
            return;
        }
        self.stop = request;
        self.schedule.halt();
        self.event(Event::Stopping {
            now: request == StopRequest::Now,
            running_steps: self.schedule.count(StepStage::Running),
        });
    }

    /// Starts every step whose dependencies are complete, in plan order, until none is left.
    async fn start_ready(&mut self) {
        loop {
            let mut started_any = false;
            for i in self.schedule.ready() {
                if self.schedule.is_halted() {
                    return;
                }
                let phase = self.ctx.prepared.plan.steps[i].phase.clone();
                if self.confirm_phases && !self.confirmed.contains(&phase) {
                    // Ask at a quiet moment: when whatever runs has finished.
                    if self.schedule.in_flight() > 0 {
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
            .filter(|&&i| self.schedule.stage(i) != StepStage::Done)
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
        let mut queue = Vec::new();
        let mut skipped = Vec::new();
        for (pos, status) in self.progress[i].hosts.iter().enumerate() {
            match status {
                HostStatus::Pending | HostStatus::Failed => {
                    if self.excluded.contains(&step.hosts[pos]) {
                        skipped.push(pos);
                    } else {
                        queue.push(pos);
                    }
                }
                HostStatus::Succeeded | HostStatus::Skipped | HostStatus::InDoubt { .. } => {}
            }
        }
        let queued = queue.len();
        self.schedule.start(i, queue);
        self.event(Event::StepStarted {
            index: i,
            id: step.id.clone(),
            phase: step.phase.clone(),
            hosts: queued,
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
        if step.manual && ctx.target.kind() == TargetKind::Local && queued > 0 {
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
            self.manual_ok.insert(i, yes);
        }
        self.maybe_complete(i);
    }

    /// Launches host jobs of running steps, `fanout` per step and `max_in_flight` in all.
    fn launch_hosts(&mut self) {
        if self.stop == StopRequest::Now || self.journal_error.is_some() {
            return;
        }
        for i in 0..self.progress.len() {
            while let Some((pos, first_wave)) = self.schedule.launch(i) {
                self.launch(i, pos, first_wave);
            }
        }
    }

    fn launch(&mut self, step: usize, pos: usize, first_wave: bool) {
        let attempt = self.progress[step].next_attempt[pos];
        self.progress[step].next_attempt[pos] += 1;
        self.progress[step].hosts[pos] = HostStatus::InDoubt { attempt_id: 0 };
        self.host_jobs_run += 1;
        let job = HostJob {
            step,
            pos,
            attempt,
            first_wave,
            manual_ok: self.manual_ok.get(&step).copied(),
            jitter: self.jitter.as_mut().map_or(1.0, Jitter::factor),
        };
        let busy = self.ctx.clock.busy();
        let ctx = self.ctx.clone();
        self.jobs.spawn(host_job(ctx, job, busy));
    }

    fn handle(&mut self, msg: JobMsg) {
        match msg {
            JobMsg::Journal(e) => {
                if self.journal_error.is_none() {
                    self.event(Event::Note(format!(
                        "the journal could not be written ({e}); starting nothing more"
                    )));
                }
                self.schedule.halt();
                self.journal_error.get_or_insert(e);
            }
            JobMsg::Done(done) => self.host_done(done),
        }
    }

    fn host_done(&mut self, done: Done) {
        let Done {
            step: i,
            pos,
            ok,
            exit_code,
            output,
            changes,
            at_ms,
        } = done;
        self.schedule.finished(i);
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
                "the model cannot follow {} on {host} ({e}); what it says of the rest of the \
                 run may be wrong",
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
            self.host_failed(i, host, exit_code, output, at_ms);
        }
        self.maybe_complete(i);
    }

    /// A failure within `--max-fail` leaves the host out (and the model re-judges the rest);
    /// one beyond fails the step and so the run.
    fn host_failed(
        &mut self,
        i: usize,
        host: &str,
        exit_code: Option<i32>,
        output: String,
        at_ms: u64,
    ) {
        self.progress[i].last_failure = Some((host.to_owned(), exit_code, output.clone()));
        let tolerated =
            self.progress[i].failed() <= usize::try_from(self.max_fail).unwrap_or(usize::MAX);
        if tolerated {
            if self.excluded.insert(host.to_owned()) {
                self.reassess();
            }
            return;
        }
        if self.schedule.stage(i) != StepStage::Running {
            return;
        }
        self.schedule.fail(i);
        let step = &self.ctx.prepared.plan.steps[i];
        if self.failure.is_none() {
            self.failure = Some(FailureReport {
                step: step.id.clone(),
                host: host.to_owned(),
                exit_code,
                output: output.clone(),
            });
            self.event(Event::Note(format!(
                "{} failed on {host}: starting no more steps; {} running step(s) will finish",
                step.id,
                self.schedule.count(StepStage::Running)
            )));
        }
        self.event(Event::StepFinished {
            index: i,
            id: step.id.clone(),
            phase: step.phase.clone(),
            outcome: StepOutcome::Failed {
                host: host.to_owned(),
                exit_code,
                output,
            },
            at_ms,
        });
    }

    /// With hosts left out, decides with the model which steps still to run are safe from the
    /// cloud as it stands, and blocks the others (and what waits for them).
    fn reassess(&mut self) {
        let ctx = self.ctx.clone();
        let prepared = &ctx.prepared;
        let complete: Vec<bool> = (0..self.progress.len())
            .map(|i| self.schedule.stage(i) == StepStage::Done)
            .collect();
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
        let left_out: BTreeSet<String> = self.excluded.iter().cloned().collect();
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
            if self.blocked.contains_key(&b.step)
                || matches!(
                    self.schedule.stage(b.step),
                    StepStage::Done | StepStage::Failed
                )
            {
                continue;
            }
            let step = &prepared.plan.steps[b.step];
            let why = if b.detail.is_empty() {
                b.why.clone()
            } else {
                format!("{}: {}", b.why, b.detail)
            };
            self.schedule.block(b.step);
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
        }
    }

    /// Marks a running step done once every host is settled.
    fn maybe_complete(&mut self, i: usize) {
        if self.schedule.stage(i) != StepStage::Running
            || !self.schedule.settled(i)
            || !self.progress[i].is_complete(self.max_fail)
        {
            return;
        }
        let ctx = self.ctx.clone();
        let step = &ctx.prepared.plan.steps[i];
        self.schedule.complete(i);
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
        let plan = &self.ctx.prepared.plan;
        RunReport {
            run_id,
            state,
            target: self.ctx.target.kind().as_str(),
            real: started.elapsed(),
            virtual_start_ms,
            virtual_end_ms,
            steps_total: plan.steps.len(),
            steps_succeeded: self.schedule.count(StepStage::Done),
            steps_failed: self.schedule.count(StepStage::Failed),
            steps_not_started: self.schedule.count(StepStage::Waiting)
                + self.schedule.count(StepStage::Blocked),
            steps_incomplete: self.schedule.count(StepStage::Running),
            hosts_succeeded: count(&|h| *h == HostStatus::Succeeded),
            hosts_failed: count(&|h| *h == HostStatus::Failed),
            hosts_skipped: count(&|h| *h == HostStatus::Skipped),
            host_jobs_run: self.host_jobs_run,
            tolerated: self.tolerated.clone(),
            failure: self.failure.clone(),
            downtime,
            notes: crate::journal::RunNotes::default(),
            blocked: self
                .blocked
                .iter()
                .map(|(&i, why)| (plan.steps[i].id.clone(), why.clone()))
                .collect(),
            left_out: {
                let mut hosts: Vec<String> = self.excluded.iter().cloned().collect();
                hosts.sort();
                hosts
            },
        }
    }
}
