//! What the executor tells whoever shows the run (the binary's progress bars or plain lines),
//! and the questions it asks (`--step`, manual steps on the `local` target).

use std::time::Duration;

use tokio::sync::oneshot;

use stackhop_report::{FailureReport, RunSummary};

use crate::world::{CapabilityChange, Downtime};

/// A phase of the plan and its number of steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseInfo {
    pub name: String,
    pub steps: usize,
    /// Steps of it already complete (from an earlier session of the run).
    pub done: usize,
}

#[derive(Debug)]
pub enum Event {
    Started {
        run_id: i64,
        resumed: bool,
        target: &'static str,
        steps: usize,
        steps_done: usize,
        host_jobs: usize,
        host_jobs_done: usize,
        phases: Vec<PhaseInfo>,
    },
    /// Something worth a line of its own.
    Note(String),
    StepStarted {
        index: usize,
        id: String,
        phase: String,
        hosts: usize,
    },
    HostStarted {
        step: usize,
        host: String,
        attempt: u32,
    },
    HostFinished {
        step: usize,
        host: String,
        ok: bool,
        exit_code: Option<i32>,
        /// The last line of the output, for a failed host.
        detail: String,
    },
    StepFinished {
        index: usize,
        id: String,
        phase: String,
        outcome: StepOutcome,
        /// Virtual time, for the `sim` target.
        at_ms: u64,
    },
    Capability {
        change: CapabilityChange,
        step: String,
        host: String,
        at_ms: u64,
    },
    /// A question for the operator; answer through `reply` (no answer counts as no).
    Confirm(ConfirmRequest),
    /// The run is stopping: `now` after a second Ctrl-C.
    Stopping { now: bool, running_steps: usize },
}

#[derive(Debug)]
pub struct ConfirmRequest {
    pub question: String,
    pub detail: Vec<String>,
    pub reply: oneshot::Sender<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepOutcome {
    Succeeded,
    /// Succeeded with failed hosts that `--max-fail` tolerates.
    Tolerated {
        failed_hosts: Vec<String>,
    },
    Failed {
        host: String,
        exit_code: Option<i32>,
        output: String,
    },
}

/// How a run (this session of it) ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    pub run_id: i64,
    pub state: crate::journal::RunState,
    pub target: &'static str,
    /// Wall-clock time of this session.
    pub real: Duration,
    /// Virtual time at the start and end of this session (the `sim` target's clock).
    pub virtual_start_ms: u64,
    pub virtual_end_ms: u64,
    pub steps_total: usize,
    pub steps_succeeded: usize,
    pub steps_failed: usize,
    pub steps_not_started: usize,
    pub steps_incomplete: usize,
    pub hosts_succeeded: usize,
    pub hosts_failed: usize,
    pub hosts_skipped: usize,
    /// Host jobs run in this session.
    pub host_jobs_run: usize,
    /// Failed hosts tolerated by `--max-fail`: (step, host).
    pub tolerated: Vec<(String, String)>,
    /// The step that failed the run, with the host, exit code and output tail.
    pub failure: Option<FailureReport>,
    pub downtime: Vec<Downtime>,
    /// What the operator accepted when starting the run (an unverified plan, edited commands).
    pub notes: crate::journal::RunNotes,
    /// Steps that did not run because, without the hosts left out, they would break the cloud:
    /// (step, why).
    pub blocked: Vec<(String, String)>,
    /// Hosts left out after failing within `--max-fail`.
    pub left_out: Vec<String>,
}

impl RunReport {
    /// What the end-of-run summary shows; `journal` as the operator named it.
    pub fn summary(&self, journal: &std::path::Path) -> RunSummary {
        RunSummary {
            run_id: self.run_id,
            state: self.state.as_str(),
            caveat: self.notes.caveat(),
            real_ms: u64::try_from(self.real.as_millis()).unwrap_or(u64::MAX),
            simulated_ms: (self.target == "sim")
                .then(|| self.virtual_end_ms.saturating_sub(self.virtual_start_ms)),
            steps_total: self.steps_total,
            steps_succeeded: self.steps_succeeded,
            steps_failed: self.steps_failed,
            steps_incomplete: self.steps_incomplete,
            steps_not_started: self.steps_not_started,
            hosts_succeeded: self.hosts_succeeded,
            hosts_failed: self.hosts_failed,
            hosts_skipped: self.hosts_skipped,
            host_jobs_run: self.host_jobs_run,
            tolerated: self.tolerated.clone(),
            blocked: self.blocked.clone(),
            left_out: self.left_out.clone(),
            downtime: self.downtime.clone(),
            failure: self.failure.clone(),
            journal: journal.display().to_string(),
            resume: matches!(
                self.state,
                crate::journal::RunState::Failed | crate::journal::RunState::Interrupted
            )
            .then(|| crate::session::resume_command(journal)),
        }
    }
}
