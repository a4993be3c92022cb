//! Where a host's part of a step is carried out. Each target is a module of its own; a host job
//! is the same for all: commit the intent, run on the target, record the result.

mod local;
mod sim;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::mpsc;

use crate::clock::{Busy, Clock};
use crate::events::Event;
use crate::faults::FaultSpec;
use crate::journal::{Ack, AttemptState, Op, WriterHandle, tail};
use crate::prepared::PreparedPlan;
use crate::session::TargetKind;
use crate::world::{CapabilityChange, World};

/// A target and what it needs while the run goes.
pub(crate) enum Target {
    /// The digital twin, changed through the transition function.
    Sim {
        world: Box<Mutex<World>>,
        faults: Vec<FaultSpec>,
    },
    /// This host, `sh -c`.
    Local {
        /// One command at a time per host.
        host_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
        /// The journal each command names in its environment (see `orphans`).
        journal_key: String,
    },
}

impl Target {
    pub(crate) fn kind(&self) -> TargetKind {
        match self {
            Target::Sim { .. } => TargetKind::Sim,
            Target::Local { .. } => TargetKind::Local,
        }
    }

    pub(crate) fn world(&self) -> Option<&Mutex<World>> {
        match self {
            Target::Sim { world, .. } => Some(world),
            Target::Local { .. } => None,
        }
    }
}

/// How one host's attempt ended.
pub(crate) struct Done {
    pub(crate) step: usize,
    pub(crate) pos: usize,
    pub(crate) ok: bool,
    pub(crate) exit_code: Option<i32>,
    pub(crate) output: String,
    pub(crate) changes: Vec<CapabilityChange>,
    pub(crate) at_ms: u64,
}

/// A job's report to the dispatcher.
pub(crate) enum JobMsg {
    Done(Done),
    /// The journal could not record the job's intent or result.
    Journal(String),
}

/// What every job shares.
pub(crate) struct JobCtx {
    pub(crate) prepared: Arc<PreparedPlan>,
    pub(crate) run_id: i64,
    pub(crate) target: Target,
    pub(crate) writer: WriterHandle,
    pub(crate) clock: Clock,
    pub(crate) results: mpsc::UnboundedSender<JobMsg>,
    pub(crate) events: mpsc::UnboundedSender<Event>,
}

/// One host's attempt, as the dispatcher launches it.
pub(crate) struct HostJob {
    pub(crate) step: usize,
    pub(crate) pos: usize,
    pub(crate) attempt: u32,
    /// Of the step's first `fanout` hosts: its one-off time is paid here.
    pub(crate) first_wave: bool,
    /// `local` manual steps: the operator's answer.
    pub(crate) manual_ok: Option<bool>,
    /// `sim` paced runs: the duration factor drawn for this host.
    pub(crate) jitter: f64,
}

/// What a target made of one host's attempt.
pub(crate) struct Outcome {
    pub(crate) ok: bool,
    pub(crate) exit_code: Option<i32>,
    pub(crate) output: String,
    pub(crate) changes: Vec<CapabilityChange>,
    /// `sim`: the cloud after it, journaled with the result.
    pub(crate) cloud: Option<Arc<stackhop_model::CloudState>>,
    pub(crate) at_ms: u64,
}

/// One attempt of one step on one host.
pub(crate) async fn host_job(ctx: Arc<JobCtx>, job: HostJob, mut busy: Busy) {
    let step = &ctx.prepared.plan.steps[job.step];
    let host = step.hosts[job.pos].as_str();
    let _host_guard = local::host_guard(&ctx, step, host).await;
    let intent = ctx.writer.submit(Op::Start {
        run_id: ctx.run_id,
        step: Arc::from(step.id.as_str()),
        host: Arc::from(host),
        attempt: job.attempt,
        idempotent: ctx.prepared.steps[job.step].idempotent,
        virtual_ms: Some(i64::try_from(ctx.clock.now_ms()).unwrap_or(i64::MAX)),
    });
    // Rule 4: nothing runs before its intent is on disk.
    let id = match intent.wait().await {
        Ok(id) => id,
        Err(e) => {
            let _ = ctx.results.send(JobMsg::Journal(e));
            let _ = ctx.results.send(JobMsg::Done(Done {
                step: job.step,
                pos: job.pos,
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
        step: job.step,
        host: host.to_owned(),
        attempt: job.attempt,
    });
    let (done, ack) = match &ctx.target {
        Target::Sim { world, faults } => sim::run(&ctx, world, faults, &job, id, &mut busy).await,
        Target::Local { journal_key, .. } => {
            let outcome = local::run(step, host, journal_key, job.manual_ok, &ctx.clock).await;
            record(&ctx, &job, id, outcome)
        }
    };
    // Tell the dispatcher, then wait for the result's commit. The dispatcher may start the next
    // host meanwhile: its intent is committed after this result, never before.
    let _ = ctx.results.send(JobMsg::Done(done));
    if let Err(e) = ack.wait().await {
        let _ = ctx.results.send(JobMsg::Journal(e));
    }
    drop(busy);
}

/// Submits an attempt's result to the journal, and says how it ended for the dispatcher.
fn record(ctx: &JobCtx, job: &HostJob, id: i64, outcome: Outcome) -> (Done, Ack) {
    let ack = ctx.writer.submit(Op::Finish {
        id,
        state: if outcome.ok {
            AttemptState::Succeeded
        } else {
            AttemptState::Failed
        },
        exit_code: outcome.exit_code,
        output_tail: tail(&outcome.output),
        virtual_ms: Some(i64::try_from(outcome.at_ms).unwrap_or(i64::MAX)),
        cloud: outcome.cloud,
    });
    let done = Done {
        step: job.step,
        pos: job.pos,
        ok: outcome.ok,
        exit_code: outcome.exit_code,
        output: outcome.output,
        changes: outcome.changes,
        at_ms: outcome.at_ms,
    };
    (done, ack)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
