//! `stackhop status`: where the run in a journal stands, read without taking its lock, as text
//! for people or `stackhop.status/v1` JSON.
//!
//! ```text
//! {schema: "stackhop.status/v1", journal, run, state, target, scenario, cloud_name,
//!  plan_digest, holder, started_at, updated_at, finished_at,
//!  steps: [{id, phase, state, attempts, hosts, hosts_succeeded, hosts_failed, hosts_skipped}],
//!  failure: {step, host, exit_code, output} | null, resume: "<command>" | null,
//!  unverified: bool, edited_steps: [id...],
//!  left_out: [host...] (failed a step that tolerated it), blocked: [{step, why}] (steps not
//!  run: unsafe without the hosts left out),
//!  cloud: <the simulated cloud, sim target only>}
//! ```
//!
//! `state` is the run's: `running` while a process holds the journal, `succeeded`, `failed`,
//! or `interrupted` (stopped, or the process running it died). A step's `state` is `pending`,
//! `running`, `succeeded`, `failed`, `in_doubt` (running when the run died; `resume` settles
//! it) or `interrupted`.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use stackhop_plan::Plan;

use crate::error::ExecError;
use crate::journal::{Access, CloudRecord, EventRecord, Journal, RunRecord, RunState};
use crate::lock::RunLock;
use crate::prepared::PreparedPlan;
use crate::progress::{HostStatus, StepProgress, StepState, progress};
use crate::session::resume_command;
use crate::wall::fmt_utc;

pub const STATUS_SCHEMA: &str = "stackhop.status/v1";

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
    })
}

impl StatusReport {
    fn live(&self) -> bool {
        self.holder.is_some()
    }

    pub fn step_state(&self, i: usize) -> StepState {
        self.progress[i].state(self.run.max_fail, self.live())
    }

    /// The step that failed the run, with the failing host, exit code and output tail.
    pub fn failure(&self) -> Option<(&str, &str, Option<i32>, &str)> {
        self.progress.iter().enumerate().find_map(|(i, p)| {
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
                .index
                .get(step)
                .is_some_and(|&i| self.step_state(i) == StepState::Succeeded);
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

    pub fn to_json(&self) -> String {
        let steps: Vec<Value> = self
            .prepared
            .plan
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let p = &self.progress[i];
                json!({
                    "id": s.id,
                    "phase": s.phase,
                    "state": self.step_state(i).as_str(),
                    "attempts": p.attempts,
                    "hosts": s.hosts.len(),
                    "hosts_succeeded": p.count(|h| *h == HostStatus::Succeeded),
                    "hosts_failed": p.count(|h| *h == HostStatus::Failed),
                    "hosts_skipped": p.count(|h| *h == HostStatus::Skipped),
                })
            })
            .collect();
        let failure = self.failure().map(|(step, host, code, output)| {
            json!({"step": step, "host": host, "exit_code": code, "output": output})
        });
        let mut out = json!({
            "schema": STATUS_SCHEMA,
            "journal": self.journal.display().to_string(),
            "run": self.run.id,
            "state": self.state.as_str(),
            "target": self.run.target,
            "scenario": self.run.scenario,
            "cloud_name": self.prepared.plan.cloud,
            "plan_digest": self.run.plan_digest,
            "holder": self.holder,
            "started_at": fmt_utc(self.run.created_ms),
            "updated_at": fmt_utc(self.run.updated_ms),
            "finished_at": self.run.finished_ms.map(fmt_utc),
            "steps": steps,
            "failure": failure,
            "resume": self.resume_hint(),
            "unverified": self.run.notes.unverified,
            "edited_steps": self.run.notes.edited_steps,
            "left_out": self.left_out(),
            "blocked": self.blocked().iter().map(|(step, why)| {
                json!({"step": step, "why": why})
            }).collect::<Vec<_>>(),
        });
        if let (Some(cloud), Value::Object(map)) = (&self.cloud, &mut out) {
            let state: Value = serde_json::from_str(&cloud.state_json).unwrap_or(Value::Null);
            map.insert("cloud".to_owned(), state);
        }
        let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
        text.push('\n');
        text
    }

    pub fn to_text(&self) -> String {
        let plan = &self.prepared.plan;
        let mut out = format!(
            "run {} of {} on {} (target {}): {}\n",
            self.run.id,
            self.run.scenario,
            plan.cloud,
            self.run.target,
            self.state.as_str()
        );
        if self.run.notes.unverified {
            out.push_str("the plan did not verify: it was applied with --unverified\n");
        }
        if !self.run.notes.edited_steps.is_empty() {
            out.push_str(&format!(
                "commands edited by hand, accepted with --accept-edited: {}\n",
                abbreviate(&self.run.notes.edited_steps, 8)
            ));
        }
        out.push_str(&format!(
            "journal {}  started {}  last change {}\n",
            self.journal.display(),
            fmt_utc(self.run.created_ms),
            fmt_utc(self.run.updated_ms)
        ));
        match &self.holder {
            Some(h) => out.push_str(&format!("running now: {h}\n")),
            None if self.run.state == RunState::Running => out.push_str(
                "the process that ran it is gone (killed or crashed); resume continues it\n",
            ),
            None => {}
        }
        if let Some(cloud) = &self.cloud {
            out.push_str(&format!(
                "simulated time: {}\n",
                crate::wall::fmt_duration_ms(u64::try_from(cloud.virtual_ms).unwrap_or(0))
            ));
        }
        out.push('\n');
        let width = self
            .prepared
            .phases
            .iter()
            .map(|(p, _)| p.len())
            .max()
            .unwrap_or(5)
            .max(5);
        out.push_str(&format!(
            "{:<width$}  {:>5}  {:>7}  {:>6}  {:>9}\n",
            "phase", "done", "running", "failed", "remaining"
        ));
        let mut totals = [0usize; 4];
        for (phase, members) in &self.prepared.phases {
            let mut row = [0usize; 4];
            for &i in members {
                let slot = match self.step_state(i) {
                    StepState::Succeeded => 0,
                    StepState::Running | StepState::InDoubt => 1,
                    StepState::Failed => 2,
                    StepState::Pending | StepState::Interrupted => 3,
                };
                row[slot] += 1;
            }
            for (t, r) in totals.iter_mut().zip(row) {
                *t += r;
            }
            out.push_str(&format!(
                "{phase:<width$}  {:>5}  {:>7}  {:>6}  {:>9}\n",
                row[0], row[1], row[2], row[3]
            ));
        }
        out.push_str(&format!(
            "{:<width$}  {:>5}  {:>7}  {:>6}  {:>9}\n",
            "total", totals[0], totals[1], totals[2], totals[3]
        ));
        let doubt: Vec<String> = self
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
        if !doubt.is_empty() {
            let label = if self.live() { "running" } else { "in doubt" };
            out.push_str(&format!("\n{label}: {}\n", abbreviate(&doubt, 8)));
        }
        if let Some((step, host, code, output)) = self.failure() {
            out.push_str(&format!(
                "\nfailed: {step} on {host} ({})\n",
                code.map_or_else(|| "no exit code".to_owned(), |c| format!("exit {c}"))
            ));
            let lines: Vec<&str> = output.lines().collect();
            for line in &lines[lines.len().saturating_sub(20)..] {
                out.push_str(&format!("  | {line}\n"));
            }
        }
        let blocked = self.blocked();
        if !blocked.is_empty() {
            out.push_str(&format!(
                "\nblocked: without {} these steps would break the cloud, so they did not run:\n",
                stackhop_catalog::collapse_hosts(&self.left_out())
            ));
            for (step, why) in blocked.iter().filter(|(_, w)| !w.starts_with("waits for ")) {
                out.push_str(&format!("  {step}: {why}\n"));
            }
            let after = blocked
                .iter()
                .filter(|(_, w)| w.starts_with("waits for "))
                .count();
            if after > 0 {
                out.push_str(&format!("  and {after} step(s) after them\n"));
            }
        }
        if let Some(resume) = self.resume_hint() {
            out.push_str(&format!("\nresume with: {resume}\n"));
        }
        out
    }
}

fn abbreviate(items: &[String], max: usize) -> String {
    if items.len() <= max {
        return items.join(", ");
    }
    format!("{} and {} more", items[..max].join(", "), items.len() - max)
}
