//! `stackhop status`: where the run in a journal stands, read without taking its lock, as the
//! typed `stackhop.status/v1` document that `stackhop-report` renders (the contract is
//! documented there).

use std::path::{Path, PathBuf};

use stackhop_plan::Plan;
use stackhop_report::{BlockedStatus, FailureStatus, STATUS_SCHEMA, StatusDoc, StepStatus};

use crate::error::ExecError;
use crate::journal::{
    Access, AttemptRecord, CloudRecord, EventRecord, Journal, RunRecord, RunState,
};
use crate::lock::RunLock;
use crate::prepared::PreparedPlan;
use crate::progress::{HostStatus, StepProgress, StepState, progress};
use crate::session::resume_command;
use crate::wall::fmt_utc;

/// A run as `status` shows it.
#[derive(Debug)]
pub struct StatusReport {
    pub journal: PathBuf,
    pub run: RunRecord,
    /// Who runs it now, if a process holds the journal's lock.
    pub holder: Option<String>,
    pub state: RunState,
    pub prepared: PreparedPlan,
    pub progress: Vec<StepProgress>,
    pub cloud: Option<CloudRecord>,
    pub events: Vec<EventRecord>,
    /// Every attempt, oldest first.
    pub attempts: Vec<AttemptRecord>,
}

/// Reads the latest run of a journal. Never writes and never takes the lock.
pub fn load_status(path: &Path) -> Result<StatusReport, ExecError> {
    let journal = Journal::open(path, Access::ReadOnly)?;
    let run = journal.latest_run()?.ok_or_else(|| ExecError::NoRun {
        path: path.to_owned(),
    })?;
    let plan = Plan::from_json_unsealed(&run.plan_json, &path.display().to_string())?;
    let prepared = PreparedPlan::new(plan)?;
    let attempts = journal.attempts(run.id)?;
    let cloud = journal.cloud(run.id)?;
    let events = journal.events(run.id)?;
    let holder = RunLock::probe(path);
    let state = match run.state {
        // Recorded as running but nobody holds the journal: the process died.
        RunState::Running if holder.is_none() => RunState::Interrupted,
        s => s,
    };
    let progress = progress(&prepared, &attempts);
    Ok(StatusReport {
        journal: path.to_owned(),
        run,
        holder,
        state,
        prepared,
        progress,
        cloud,
        events,
        attempts,
    })
}

impl StatusReport {
    fn live(&self) -> bool {
        self.holder.is_some()
    }

    pub fn step_state(&self, i: usize) -> StepState {
        self.progress[i].state(self.run.max_fail, self.live())
    }

    /// The step that failed the run, with the failing host, exit code and output tail; or, when
    /// no command failed, the attempt that failed it by being left in doubt (its connection was
    /// lost), with why instead of output.
    pub fn failure(&self) -> Option<(&str, &str, Option<i32>, &str)> {
        let failed = self.progress.iter().enumerate().find_map(|(i, p)| {
            if self.step_state(i) != StepState::Failed {
                return None;
            }
            let (host, code, output) = p.last_failure.as_ref()?;
            Some((
                self.prepared.plan.steps[i].id.as_str(),
                host.as_str(),
                *code,
                output.as_str(),
            ))
        });
        failed.or_else(|| self.lost_in_doubt())
    }

    /// The first attempt the run recorded as in doubt (an `in_doubt` event, `step@host: why`)
    /// that is still in doubt.
    fn lost_in_doubt(&self) -> Option<(&str, &str, Option<i32>, &str)> {
        self.events
            .iter()
            .filter(|e| e.kind == "in_doubt")
            .find_map(|e| {
                let (at, why) = e.message.split_once(": ")?;
                let (step_id, host) = at.rsplit_once('@')?;
                let i = self.prepared.graph.index(step_id)?.get();
                let step = &self.prepared.plan.steps[i];
                let pos = step.hosts.iter().position(|h| h == host)?;
                matches!(self.progress[i].hosts[pos], HostStatus::InDoubt { .. }).then_some((
                    step.id.as_str(),
                    step.hosts[pos].as_str(),
                    None,
                    why,
                ))
            })
    }

    /// Steps the run would not start because the hosts left out make them unsafe: (step, why),
    /// the latest word on each step that has not run since.
    pub fn blocked(&self) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = Vec::new();
        for e in self.events.iter().filter(|e| e.kind == "blocked") {
            let Some((step, why)) = e.message.split_once('\t') else {
                continue;
            };
            let ran = self
                .prepared
                .graph
                .index(step)
                .is_some_and(|i| self.step_state(i.get()) == StepState::Succeeded);
            out.retain(|(s, _)| *s != step);
            if !ran {
                out.push((step, why));
            }
        }
        out
    }

    /// Hosts left out of the rest of the run: they failed a step that tolerated it.
    pub fn left_out(&self) -> Vec<String> {
        let mut hosts: Vec<String> = Vec::new();
        for (i, p) in self.progress.iter().enumerate() {
            if self.step_state(i) != StepState::Succeeded {
                continue;
            }
            let step = &self.prepared.plan.steps[i];
            for (pos, h) in p.hosts.iter().enumerate() {
                if *h == HostStatus::Failed && !hosts.contains(&step.hosts[pos]) {
                    hosts.push(step.hosts[pos].clone());
                }
            }
        }
        hosts
    }

    pub fn resume_hint(&self) -> Option<String> {
        match self.state {
            RunState::Failed | RunState::Interrupted => Some(resume_command(&self.journal)),
            RunState::Running | RunState::Succeeded => None,
        }
    }

    /// The `stackhop.status/v1` document of the run.
    pub fn doc(&self) -> StatusDoc {
        let plan = &self.prepared.plan;
        let belief = crate::belief::belief(&self.prepared, &self.attempts);
        let broken: Vec<String> = stackhop_model::check_invariants(&belief.view())
            .into_iter()
            .filter(|v| v.class == stackhop_model::Class::Hard)
            .map(|v| format!("{}: {}", v.invariant, v.message))
            .collect();
        let steps = plan
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let p = &self.progress[i];
                StepStatus {
                    id: s.id.clone(),
                    phase: s.phase.clone(),
                    state: self.step_state(i).as_str(),
                    attempts: p.attempts,
                    hosts: s.hosts.len(),
                    hosts_succeeded: p.count(|h| *h == HostStatus::Succeeded),
                    hosts_failed: p.count(|h| *h == HostStatus::Failed),
                    hosts_skipped: p.count(|h| *h == HostStatus::Skipped),
                }
            })
            .collect();
        let unsettled = self
            .progress
            .iter()
            .enumerate()
            .flat_map(|(i, p)| {
                let step = &plan.steps[i];
                p.hosts
                    .iter()
                    .enumerate()
                    .filter(|(_, h)| matches!(h, HostStatus::InDoubt { .. }))
                    .map(move |(pos, _)| format!("{}@{}", step.id, step.hosts[pos]))
            })
            .collect();
        StatusDoc {
            schema: STATUS_SCHEMA,
            journal: self.journal.display().to_string(),
            run: self.run.id,
            state: self.state.as_str(),
            target: self.run.target.clone(),
            scenario: self.run.scenario.clone(),
            cloud_name: plan.cloud.clone(),
            plan_digest: self.run.plan_digest.clone(),
            holder: self.holder.clone(),
            started_at: fmt_utc(self.run.created_ms),
            updated_at: fmt_utc(self.run.updated_ms),
            finished_at: self.run.finished_ms.map(fmt_utc),
            steps,
            failure: self
                .failure()
                .map(|(step, host, exit_code, output)| FailureStatus {
                    step: step.to_owned(),
                    host: host.to_owned(),
                    exit_code,
                    output: output.to_owned(),
                }),
            resume: self.resume_hint(),
            unverified: self.run.notes.unverified,
            edited_steps: self.run.notes.edited_steps.clone(),
            left_out: self.left_out(),
            blocked: self
                .blocked()
                .into_iter()
                .map(|(step, why)| BlockedStatus {
                    step: step.to_owned(),
                    why: why.to_owned(),
                })
                .collect(),
            cloud_safe: broken.is_empty(),
            cloud_broken: broken,
            cloud: self
                .cloud
                .as_ref()
                .map(|c| serde_json::from_str(&c.state_json).unwrap_or(serde_json::Value::Null)),
            unsettled,
            orphaned: self.holder.is_none() && self.run.state == RunState::Running,
            simulated_ms: self
                .cloud
                .as_ref()
                .map(|c| u64::try_from(c.virtual_ms).unwrap_or(0)),
        }
    }
}
