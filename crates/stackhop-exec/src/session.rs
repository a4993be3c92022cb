//! Opening a run: `apply` creates one in a journal, `resume` reopens the latest and settles the
//! steps that were in flight when it stopped. Nothing here runs a step.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use stackhop_model::CloudState;
use stackhop_plan::Plan;

use crate::error::ExecError;
use crate::journal::{
    Access, AttemptRecord, AttemptState, CloudRecord, Journal, NewRun, RunNotes, RunRecord,
    RunState,
};
use crate::lock::RunLock;
use crate::prepared::PreparedPlan;
use crate::progress::{HostStatus, progress};
use crate::world::World;

/// Where a plan is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// The digital twin (`stackhop-sim`), in the journal.
    Sim,
    /// This host, with `sh -c`.
    Local,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Sim => "sim",
            TargetKind::Local => "local",
        }
    }

    fn parse(s: &str) -> TargetKind {
        if s == "local" {
            TargetKind::Local
        } else {
            TargetKind::Sim
        }
    }
}

/// A run ready to execute: the journal locked and open, the plan prepared, where it stands.
#[derive(Debug)]
pub struct Session {
    pub(crate) journal: Journal,
    pub(crate) lock: RunLock,
    pub(crate) run: RunRecord,
    pub(crate) prepared: Arc<PreparedPlan>,
    pub(crate) attempts: Vec<AttemptRecord>,
    pub(crate) cloud: Option<CloudRecord>,
    pub(crate) target: TargetKind,
    pub(crate) resumed: bool,
    /// How in-doubt steps were settled, for the operator.
    pub(crate) settled: Vec<String>,
    /// In-doubt steps are settled and the run is reopened: it may execute.
    pub(crate) ready: bool,
}

/// What `resume` does with steps that were in flight, beyond the defaults (re-run an idempotent
/// step; probe the twin for the others on the `sim` target).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settlement {
    /// `STEP` or `STEP@HOST`: the operator checked that it took effect.
    pub mark_done: Vec<String>,
    /// `STEP` or `STEP@HOST`: the operator checked that it did not, or that running it again
    /// is safe.
    pub rerun: Vec<String>,
}

/// How a step and host are named on the command line: `STEP@HOST`.
fn matches_mark(mark: &str, step: &str, host: &str) -> bool {
    match mark.split_once('@') {
        Some((s, h)) => s == step && h == host,
        None => mark == step,
    }
}

/// Two plans are the same when their inputs' digest and their steps are: the inventory file's
/// name as typed may differ.
pub fn steps_digest(plan: &Plan) -> String {
    crate::prepared::sha256(&serde_json::to_string(&plan.steps).unwrap_or_default())
}

/// `local` runs every command here: a plan for several hosts only when the profile gives each
/// host a root of its own on this machine.
fn local_hosts_allowed(prepared: &PreparedPlan) -> Result<(), ExecError> {
    let hosts: BTreeSet<&str> = prepared
        .plan
        .steps
        .iter()
        .flat_map(|s| s.hosts.iter().chain(&s.runs_on).map(String::as_str))
        .collect();
    if hosts.len() <= 1
        || prepared
            .transition
            .hosts_share_one_machine(&prepared.inventory)
    {
        return Ok(());
    }
    let names: Vec<String> = hosts.iter().map(|h| (*h).to_owned()).collect();
    Err(ExecError::LocalMultiHost {
        count: names.len(),
        hosts: stackhop_catalog::collapse_hosts(&names),
        profile: prepared.inventory.profile.clone(),
    })
}

/// The command that resumes the run in this journal, for messages.
pub fn resume_command(journal: &Path) -> String {
    let text = journal.display().to_string();
    let safe = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./+,:@".contains(c));
    if safe {
        format!("stackhop resume --journal {text}")
    } else {
        format!(
            "stackhop resume --journal '{}'",
            text.replace('\'', r"'\''")
        )
    }
}

impl Session {
    /// `apply`: records a new run of `plan` in the journal (created if missing). Refuses a
    /// journal of another plan, or whose run of this plan is unfinished (that is `resume`'s),
    /// or finished on the `local` target (running it again would repeat every command).
    pub fn start(
        journal_path: &Path,
        plan: Plan,
        target: TargetKind,
        max_fail: u32,
        notes: &RunNotes,
    ) -> Result<Session, ExecError> {
        let prepared = Arc::new(PreparedPlan::new(plan)?);
        if target == TargetKind::Local {
            local_hosts_allowed(&prepared)?;
        }
        let lock = RunLock::acquire(journal_path, "apply")?;
        let mut journal = Journal::open(journal_path, Access::Create)?;
        let steps_sha = steps_digest(&prepared.plan);
        if let Some(run) = journal.latest_run()? {
            if run.plan_digest != prepared.plan.digest || run.plan_sha256 != steps_sha {
                return Err(other_plan(journal_path, &run, &prepared.plan));
            }
            match run.state {
                RunState::Succeeded if run.target == "sim" && target == TargetKind::Sim => {}
                RunState::Succeeded => {
                    return Err(ExecError::AlreadyApplied {
                        path: journal_path.to_owned(),
                        target: run.target.clone(),
                    });
                }
                state => {
                    return Err(ExecError::Unfinished {
                        path: journal_path.to_owned(),
                        state: state.as_str().to_owned(),
                        resume: resume_command(journal_path),
                    });
                }
            }
        }
        let cloud_json = match target {
            TargetKind::Sim => Some(
                serde_json::to_string(&World::initial_state(&prepared)).map_err(|e| {
                    ExecError::JournalWrite {
                        path: journal_path.to_owned(),
                        detail: format!("the simulated cloud does not serialize: {e}"),
                    }
                })?,
            ),
            TargetKind::Local => None,
        };
        let id = journal.insert_run(&NewRun {
            plan_json: &prepared.json,
            plan_digest: &prepared.plan.digest,
            plan_sha256: &steps_sha,
            inventory_digest: &prepared.inventory_digest(),
            scenario: prepared.plan.scenario.as_str(),
            target: target.as_str(),
            max_fail,
            holder: lock.holder(),
            cloud_json: cloud_json.as_deref(),
            notes,
        })?;
        let run = journal
            .latest_run()?
            .filter(|r| r.id == id)
            .ok_or_else(|| ExecError::NoRun {
                path: journal_path.to_owned(),
            })?;
        let cloud = journal.cloud(id)?;
        Ok(Session {
            journal,
            lock,
            run,
            prepared,
            attempts: Vec::new(),
            cloud,
            target,
            resumed: false,
            settled: Vec::new(),
            ready: true,
        })
    }

    /// `resume`: reopens the latest run of the journal. With `expected`, refuses when the
    /// journal's plan is another. In-doubt steps are settled by [`Session::settle`].
    pub fn resume(journal_path: &Path, expected: Option<&Plan>) -> Result<Session, ExecError> {
        // A missing, empty or foreign file is refused before the lock file is made beside it.
        Journal::precheck(journal_path)?;
        let lock = RunLock::acquire(journal_path, "resume")?;
        let journal = Journal::open(journal_path, Access::Existing)?;
        let run = journal.latest_run()?.ok_or_else(|| ExecError::NoRun {
            path: journal_path.to_owned(),
        })?;
        let plan = Plan::from_json_unsealed(&run.plan_json, &journal_path.display().to_string())?;
        if let Some(expected) = expected
            && (expected.digest != run.plan_digest || steps_digest(expected) != run.plan_sha256)
        {
            return Err(ExecError::OtherPlan {
                path: journal_path.to_owned(),
                journal: run.plan_digest.clone(),
                scenario: run.scenario.clone(),
                given: expected.digest.clone(),
            });
        }
        let prepared = Arc::new(PreparedPlan::new(plan)?);
        let attempts = journal.attempts(run.id)?;
        let cloud = journal.cloud(run.id)?;
        let target = TargetKind::parse(&run.target);
        Ok(Session {
            journal,
            lock,
            run,
            prepared,
            attempts,
            cloud,
            target,
            resumed: true,
            settled: Vec::new(),
            ready: false,
        })
    }

    pub fn run(&self) -> &RunRecord {
        &self.run
    }

    pub fn plan(&self) -> &Plan {
        &self.prepared.plan
    }

    pub fn target(&self) -> TargetKind {
        self.target
    }

    pub fn journal_path(&self) -> PathBuf {
        self.journal.path().to_owned()
    }

    /// How in-doubt steps were settled by [`Session::settle`].
    pub fn settled(&self) -> &[String] {
        &self.settled
    }

    /// The run finished already: nothing to resume.
    pub fn is_finished(&self) -> bool {
        self.run.state == RunState::Succeeded
    }

    /// The simulated cloud as the journal has it.
    pub(crate) fn cloud_state(&self) -> Option<CloudState> {
        self.cloud
            .as_ref()
            .and_then(|c| serde_json::from_str(&c.state_json).ok())
    }

    /// Decides, for every host whose attempt was in flight when the run stopped, whether it took
    /// effect, and reopens the run — in one transaction, before anything runs:
    ///
    /// - named by `--mark-done`: done; by `--rerun`: run again;
    /// - an idempotent step: run again;
    /// - otherwise, on the `sim` target, the probe asks the twin whether the host already shows
    ///   the step's effect: done if it does, run again if not;
    /// - otherwise (`local`): the operator must say; the error lists each such step and host
    ///   with the two commands to choose from, and nothing is written.
    pub fn settle(&mut self, how: &Settlement, max_fail: Option<u32>) -> Result<(), ExecError> {
        let path = self.journal.path().to_owned();
        if self.target == TargetKind::Local {
            still_running(&path)?;
        }
        let progress = progress(&self.prepared, &self.attempts);
        let world = match self.target {
            TargetKind::Sim => self
                .cloud_state()
                .map(|state| World::new(&self.prepared, state, 0)),
            TargetKind::Local => None,
        };
        let mut used: BTreeSet<&str> = BTreeSet::new();
        let mut settled: Vec<(i64, AttemptState, String)> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        let mut unresolved: Vec<String> = Vec::new();
        for (i, p) in progress.iter().enumerate() {
            let step = &self.prepared.plan.steps[i];
            for (pos, status) in p.hosts.iter().enumerate() {
                let HostStatus::InDoubt { attempt_id } = *status else {
                    continue;
                };
                let host = &step.hosts[pos];
                let done = how
                    .mark_done
                    .iter()
                    .find(|m| matches_mark(m, &step.id, host));
                let rerun = how.rerun.iter().find(|m| matches_mark(m, &step.id, host));
                let decision = if let Some(m) = done {
                    used.insert(m);
                    Some((
                        AttemptState::Succeeded,
                        "marked done by the operator (resume --mark-done)".to_owned(),
                    ))
                } else if let Some(m) = rerun {
                    used.insert(m);
                    Some((
                        AttemptState::Abandoned,
                        "run again at the operator's request (resume --rerun)".to_owned(),
                    ))
                } else if self.prepared.steps[i].idempotent {
                    Some((
                        AttemptState::Abandoned,
                        "in flight when the run stopped; run again: the step is idempotent"
                            .to_owned(),
                    ))
                } else {
                    world.as_ref().map(|world| {
                        if world.shows_effect(step, host) {
                            (
                                AttemptState::Succeeded,
                                "probe: the twin already shows the step's effect; not run again"
                                    .to_owned(),
                            )
                        } else {
                            (
                                AttemptState::Abandoned,
                                "probe: the twin shows no effect of the step; run again".to_owned(),
                            )
                        }
                    })
                };
                match decision {
                    Some((state, why)) => {
                        notes.push(format!("{}@{host}: {why}", step.id));
                        settled.push((attempt_id, state, why));
                    }
                    None => unresolved.push(format!("{}@{host}", step.id)),
                }
            }
        }
        let unused: Vec<&String> = how
            .mark_done
            .iter()
            .chain(&how.rerun)
            .filter(|m| !used.contains(m.as_str()))
            .collect();
        if let Some(m) = unused.first() {
            return Err(ExecError::BadMark(format!(
                "`{m}` is not a step in doubt in {}; steps in doubt are those that were running \
                 when the run stopped (see `stackhop status --journal {}`)",
                path.display(),
                path.display()
            )));
        }
        if !unresolved.is_empty() {
            let resume = resume_command(&path);
            let mut message = format!(
                "{} step(s) were running when the run stopped and cannot safely run twice; \
                 nothing can tell whether they took effect. Check each on its host, then say so:",
                unresolved.len()
            );
            for u in &unresolved {
                message.push_str(&format!(
                    "\n  {u}:  `{resume} --mark-done {u}`  (it took effect)  or  \
                     `{resume} --rerun {u}`  (it did not)"
                ));
            }
            return Err(ExecError::InDoubt(message));
        }
        let max_fail = max_fail.unwrap_or(self.run.max_fail);
        let note = if notes.is_empty() {
            format!("resumed by {}", self.lock.holder())
        } else {
            format!(
                "resumed by {}; settled in-doubt steps: {}",
                self.lock.holder(),
                notes.join("; ")
            )
        };
        self.journal
            .reopen_run(self.run.id, self.lock.holder(), max_fail, &settled, &note)?;
        self.run.max_fail = max_fail;
        self.run.state = RunState::Running;
        self.attempts = self.journal.attempts(self.run.id)?;
        self.settled = notes;
        self.ready = true;
        Ok(())
    }
}

/// Refuses to go on while a command of an earlier run of this journal is alive: starting its
/// step again beside it would run the same change twice at once.
fn still_running(journal: &Path) -> Result<(), ExecError> {
    let orphans = crate::orphans::find(journal);
    if orphans.is_empty() {
        return Ok(());
    }
    let mut message = format!(
        "{} command(s) of the run that stopped are still running; wait for them to end (or stop \
         their process group: `kill -- -GROUP`), then resume:",
        orphans.len()
    );
    for o in &orphans {
        let group = o.group.map(|g| format!(" (group {g})")).unwrap_or_default();
        message.push_str(&format!("\n  pid {}{group}: {}@{}", o.pid, o.step, o.host));
    }
    Err(ExecError::StillRunning(message))
}

fn other_plan(path: &Path, run: &RunRecord, plan: &Plan) -> ExecError {
    ExecError::OtherPlan {
        path: path.to_owned(),
        journal: run.plan_digest.clone(),
        scenario: run.scenario.clone(),
        given: plan.digest.clone(),
    }
}
