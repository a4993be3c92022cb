//! Where a host's part of a step is carried out. Each target is a module of its own; a host job
//! is the same for all: commit the intent, run on the target, record the result.

mod local;
mod sim;
mod ssh;

use std::borrow::Cow;
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

/// The catalog's secret variables this run has values for: `(name, value)`.
pub(crate) type Secrets = Vec<(String, String)>;

/// The values of the transition's secret variables set (and not empty) in this process's
/// environment, by name: what a run hands its commands and every report masks.
pub fn secret_values(transition: &dyn stackhop_catalog::Transition) -> Vec<(String, String)> {
    transition
        .secret_variables()
        .iter()
        .filter_map(|name| {
            let value = std::env::var(name).ok().filter(|v| !v.is_empty())?;
            Some(((*name).to_owned(), value))
        })
        .collect()
}

/// One command at a time per host on the real targets.
#[derive(Default)]
pub(crate) struct HostLocks(Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>);

impl HostLocks {
    /// Waits for the host's earlier command to end.
    pub(crate) async fn lock(&self, host: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let host_lock = lock(&self.0).entry(host.to_owned()).or_default().clone();
        host_lock.lock_owned().await
    }
}

/// A target and what it needs while the run goes.
pub(crate) enum Target {
    /// The digital twin, changed through the transition function.
    Sim {
        world: Box<Mutex<World>>,
        faults: Vec<FaultSpec>,
    },
    /// This host, `sh -c`.
    Local {
        hosts: HostLocks,
        /// The journal each command names in its environment (see `orphans`).
        journal_key: String,
    },
    /// Real hosts over SSH.
    Ssh {
        hosts: HostLocks,
        journal_key: String,
        pool: Arc<crate::ssh::pool::SshPool>,
    },
}

impl Target {
    pub(crate) fn kind(&self) -> TargetKind {
        match self {
            Target::Sim { .. } => TargetKind::Sim,
            Target::Local { .. } => TargetKind::Local,
            Target::Ssh { .. } => TargetKind::Ssh,
        }
    }

    fn host_locks(&self) -> Option<&HostLocks> {
        match self {
            Target::Sim { .. } => None,
            Target::Local { hosts, .. } | Target::Ssh { hosts, .. } => Some(hosts),
        }
    }

    pub(crate) fn world(&self) -> Option<&Mutex<World>> {
        match self {
            Target::Sim { world, .. } => Some(world),
            Target::Local { .. } | Target::Ssh { .. } => None,
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
    /// The attempt has no result in the journal: whether it took effect is not known.
    pub(crate) in_doubt: bool,
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
    /// Masked in every output kept or shown.
    pub(crate) secrets: Secrets,
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
    /// Whether it took effect is not known (the connection was lost): the attempt stays in
    /// doubt in the journal, for `resume` to settle.
    pub(crate) in_doubt: bool,
}

impl Outcome {
    /// A real host's result (`local`, `ssh`): it changes no model, and lands now.
    pub(crate) fn of_host(
        ok: bool,
        exit_code: Option<i32>,
        output: String,
        in_doubt: bool,
        clock: &crate::clock::Clock,
    ) -> Self {
        Self {
            ok,
            exit_code,
            output,
            changes: Vec::new(),
            cloud: None,
            at_ms: clock.now_ms(),
            in_doubt,
        }
    }
}

/// One attempt of one step on one host.
pub(crate) async fn host_job(ctx: Arc<JobCtx>, job: HostJob, mut busy: Busy) {
    let step = &ctx.prepared.plan.steps[job.step];
    let host = step.hosts[job.pos].as_str();
    // One command at a time on a host: wait for it before recording the intent.
    let _host_guard = match ctx.target.host_locks() {
        Some(locks) => Some(locks.lock(step.runs_on.as_deref().unwrap_or(host)).await),
        None => None,
    };
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
                in_doubt: false,
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
        Target::Ssh {
            pool, journal_key, ..
        } => {
            let outcome = match job.manual_ok {
                Some(ok) => local::manual(ok, &ctx.clock),
                None => ssh::run(pool, step, host, journal_key, &ctx.secrets, &ctx.clock).await,
            };
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

/// Submits an attempt's result to the journal (its output with the secrets masked), and says
/// how it ended for the dispatcher. An attempt in doubt gets no result: a note says why.
fn record(ctx: &JobCtx, job: &HostJob, id: i64, mut outcome: Outcome) -> (Done, Ack) {
    if let Cow::Owned(masked) = stackhop_report::mask(
        &outcome.output,
        &ctx.secrets
            .iter()
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>(),
    ) {
        outcome.output = masked;
    }
    if outcome.in_doubt {
        let step = &ctx.prepared.plan.steps[job.step];
        let ack = ctx.writer.submit(Op::Event {
            run_id: ctx.run_id,
            kind: "in_doubt",
            message: format!(
                "{}@{}: {}",
                step.id,
                step.hosts[job.pos],
                outcome.output.lines().last().unwrap_or_default()
            ),
        });
        return (done_of(job, outcome), ack);
    }
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
        cloud: outcome.cloud.clone(),
    });
    (done_of(job, outcome), ack)
}

fn done_of(job: &HostJob, outcome: Outcome) -> Done {
    Done {
        step: job.step,
        pos: job.pos,
        ok: outcome.ok,
        exit_code: outcome.exit_code,
        output: outcome.output,
        changes: outcome.changes,
        at_ms: outcome.at_ms,
        in_doubt: outcome.in_doubt,
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
