//! Where a recorded run stands: the typed `stackhop.status/v1` document and its text.
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

use serde::Serialize;

use crate::duration::duration_ms;
use crate::run::{FailureReport, blocked_lines, failure_lines};

pub const STATUS_SCHEMA: &str = "stackhop.status/v1";

/// One step of the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepStatus {
    pub id: String,
    pub phase: String,
    pub state: &'static str,
    pub attempts: u32,
    pub hosts: usize,
    pub hosts_succeeded: usize,
    pub hosts_failed: usize,
    pub hosts_skipped: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureStatus {
    pub step: String,
    pub host: String,
    pub exit_code: Option<i32>,
    pub output: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockedStatus {
    pub step: String,
    pub why: String,
}

/// `stackhop.status/v1`, with what only the text shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusDoc {
    pub schema: &'static str,
    pub journal: String,
    pub run: i64,
    pub state: &'static str,
    pub target: String,
    pub scenario: String,
    pub cloud_name: String,
    pub plan_digest: String,
    pub holder: Option<String>,
    pub started_at: String,
    pub updated_at: String,
    pub finished_at: Option<String>,
    pub steps: Vec<StepStatus>,
    pub failure: Option<FailureStatus>,
    pub resume: Option<String>,
    pub unverified: bool,
    pub edited_steps: Vec<String>,
    pub left_out: Vec<String>,
    pub blocked: Vec<BlockedStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud: Option<serde_json::Value>,
    /// `STEP@HOST` of attempts without a result: running, or in doubt when nobody runs it.
    #[serde(skip)]
    pub unsettled: Vec<String>,
    /// The journal says running but no process holds it: the process died.
    #[serde(skip)]
    pub orphaned: bool,
    /// The twin's clock (`sim` target).
    #[serde(skip)]
    pub simulated_ms: Option<u64>,
}

#[must_use]
pub fn status_json(doc: &StatusDoc) -> String {
    let mut text = serde_json::to_string_pretty(doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Steps per phase (done, running, failed, remaining), what is in doubt or blocked, the
/// failure's output and the command that resumes.
#[must_use]
pub fn status_text(doc: &StatusDoc) -> String {
    let mut out: Vec<String> = vec![format!(
        "run {} of {} on {} (target {}): {}",
        doc.run, doc.scenario, doc.cloud_name, doc.target, doc.state
    )];
    if doc.unverified {
        out.push("the plan did not verify: it was applied with --unverified".to_owned());
    }
    if !doc.edited_steps.is_empty() {
        out.push(format!(
            "commands edited by hand, accepted with --accept-edited: {}",
            abbreviate(&doc.edited_steps, 8)
        ));
    }
    out.push(format!(
        "journal {}  started {}  last change {}",
        doc.journal, doc.started_at, doc.updated_at
    ));
    match &doc.holder {
        Some(h) => out.push(format!("running now: {h}")),
        None if doc.orphaned => out.push(
            "the process that ran it is gone (killed or crashed); resume continues it".to_owned(),
        ),
        None => {}
    }
    if let Some(ms) = doc.simulated_ms {
        out.push(format!("simulated time: {}", duration_ms(ms)));
    }
    out.push(String::new());
    out.extend(phase_table(&doc.steps));
    if !doc.unsettled.is_empty() {
        let label = if doc.holder.is_some() {
            "running"
        } else {
            "in doubt"
        };
        out.push(String::new());
        out.push(format!("{label}: {}", abbreviate(&doc.unsettled, 8)));
    }
    if let Some(f) = &doc.failure {
        out.push(String::new());
        out.extend(failure_lines(&FailureReport {
            step: f.step.clone(),
            host: f.host.clone(),
            exit_code: f.exit_code,
            output: f.output.clone(),
        }));
    }
    if !doc.blocked.is_empty() {
        out.push(String::new());
        let blocked: Vec<(String, String)> = doc
            .blocked
            .iter()
            .map(|b| (b.step.clone(), b.why.clone()))
            .collect();
        out.extend(blocked_lines(&doc.left_out, &blocked));
    }
    if let Some(resume) = &doc.resume {
        out.push(String::new());
        out.push(format!("resume with: {resume}"));
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// One row per phase in order of first appearance, and the totals.
fn phase_table(steps: &[StepStatus]) -> Vec<String> {
    let mut phases: Vec<(&str, [usize; 4])> = Vec::new();
    for s in steps {
        let slot = match s.state {
            "succeeded" => 0,
            "running" | "in_doubt" => 1,
            "failed" => 2,
            _ => 3,
        };
        match phases.iter_mut().find(|(p, _)| *p == s.phase) {
            Some((_, row)) => row[slot] += 1,
            None => {
                let mut row = [0; 4];
                row[slot] = 1;
                phases.push((&s.phase, row));
            }
        }
    }
    let width = phases
        .iter()
        .map(|(p, _)| p.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let mut out = vec![format!(
        "{:<width$}  {:>5}  {:>7}  {:>6}  {:>9}",
        "phase", "done", "running", "failed", "remaining"
    )];
    let mut totals = [0usize; 4];
    for (phase, row) in &phases {
        for (t, r) in totals.iter_mut().zip(row) {
            *t += r;
        }
        out.push(format!(
            "{phase:<width$}  {:>5}  {:>7}  {:>6}  {:>9}",
            row[0], row[1], row[2], row[3]
        ));
    }
    out.push(format!(
        "{:<width$}  {:>5}  {:>7}  {:>6}  {:>9}",
        "total", totals[0], totals[1], totals[2], totals[3]
    ));
    out
}

fn abbreviate(items: &[String], max: usize) -> String {
    if items.len() <= max {
        return items.join(", ");
    }
    format!("{} and {} more", items[..max].join(", "), items.len() - max)
}
