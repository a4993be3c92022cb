//! Where a run stands, read from its attempts: per step and host, done, failed, in doubt or
//! still to do. `resume` starts from this and `status` shows it.

use std::collections::HashMap;

use crate::journal::{AttemptRecord, AttemptState};
use crate::prepared::PreparedPlan;

/// Where one host of one step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostStatus {
    /// Not run yet (or an in-doubt attempt was found not to have taken effect).
    Pending,
    /// An attempt started and has no result: the process running it died or was stopped hard.
    InDoubt {
        attempt_id: i64,
    },
    Succeeded,
    Failed,
    /// Left out because the host failed an earlier step (`--max-fail`).
    Skipped,
}

/// Where one step stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepProgress {
    /// One per host of the step, in the step's host order.
    pub hosts: Vec<HostStatus>,
    /// The number the next attempt on each host gets.
    pub next_attempt: Vec<u32>,
    /// Attempts recorded for the step, over all hosts.
    pub attempts: u32,
    /// The output tail and exit code of the latest failed attempt, for reports.
    pub last_failure: Option<(String, Option<i32>, String)>,
}

/// What `status` calls a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    Pending,
    Running,
    Succeeded,
    Failed,
    /// Started on some host and the run is gone: `resume` will settle it.
    InDoubt,
    /// Some hosts done, others not, nothing failed or in doubt.
    Interrupted,
}

impl StepState {
    pub fn as_str(self) -> &'static str {
        match self {
            StepState::Pending => "pending",
            StepState::Running => "running",
            StepState::Succeeded => "succeeded",
            StepState::Failed => "failed",
            StepState::InDoubt => "in_doubt",
            StepState::Interrupted => "interrupted",
        }
    }
}

impl StepProgress {
    pub fn count(&self, f: impl Fn(&HostStatus) -> bool) -> usize {
        self.hosts.iter().filter(|h| f(h)).count()
    }

    pub fn failed(&self) -> usize {
        self.count(|h| *h == HostStatus::Failed)
    }

    /// Every host settled and no more failures than tolerated.
    pub fn is_complete(&self, max_fail: u32) -> bool {
        self.hosts.iter().all(|h| {
            matches!(
                h,
                HostStatus::Succeeded | HostStatus::Skipped | HostStatus::Failed
            )
        }) && self.failed() <= usize::try_from(max_fail).unwrap_or(usize::MAX)
    }

    /// `live`: a process holds the journal and runs it now.
    pub fn state(&self, max_fail: u32, live: bool) -> StepState {
        if self.is_complete(max_fail) {
            return StepState::Succeeded;
        }
        let doubt = self.count(|h| matches!(h, HostStatus::InDoubt { .. }));
        let pending = self.count(|h| *h == HostStatus::Pending);
        if doubt > 0 {
            return if live {
                StepState::Running
            } else {
                StepState::InDoubt
            };
        }
        if self.failed() > 0 {
            return StepState::Failed;
        }
        if pending == self.hosts.len() {
            StepState::Pending
        } else if live {
            StepState::Running
        } else {
            StepState::Interrupted
        }
    }
}

/// Reads the attempts of a run into per-step progress.
pub fn progress(prepared: &PreparedPlan, attempts: &[AttemptRecord]) -> Vec<StepProgress> {
    let mut out: Vec<StepProgress> = prepared
        .plan
        .steps
        .iter()
        .map(|s| StepProgress {
            hosts: vec![HostStatus::Pending; s.hosts.len()],
            next_attempt: vec![1; s.hosts.len()],
            attempts: 0,
            last_failure: None,
        })
        .collect();
    let mut host_pos: HashMap<usize, HashMap<&str, usize>> = HashMap::new();
    for a in attempts {
        let Some(step) = prepared.graph.index(&a.step).map(|i| i.get()) else {
            continue;
        };
        let positions = host_pos.entry(step).or_insert_with(|| {
            prepared.plan.steps[step]
                .hosts
                .iter()
                .enumerate()
                .map(|(i, h)| (h.as_str(), i))
                .collect()
        });
        let Some(&pos) = positions.get(a.host.as_str()) else {
            continue;
        };
        let p = &mut out[step];
        p.attempts += 1;
        p.next_attempt[pos] = p.next_attempt[pos].max(a.attempt + 1);
        if p.hosts[pos] == HostStatus::Succeeded {
            continue;
        }
        p.hosts[pos] = match a.state {
            AttemptState::Started => HostStatus::InDoubt { attempt_id: a.id },
            AttemptState::Succeeded => HostStatus::Succeeded,
            AttemptState::Failed => {
                p.last_failure = Some((a.host.clone(), a.exit_code, a.output_tail.clone()));
                HostStatus::Failed
            }
            AttemptState::Abandoned => HostStatus::Pending,
            AttemptState::Skipped => HostStatus::Skipped,
        };
    }
    out
}
