//! Renders what stackhop computes: pre-flight findings, plans, proofs, simulated runs, the
//! comparison of the scenarios, and real runs (the dry run, the end-of-run summary, `status`).
//!
//! Output meant for people is text that fits [`MAX_WIDTH`] columns (trees and wrapped
//! paragraphs), or one self-contained HTML page per run (a Gantt, capability bands and the
//! review: `html`); output meant for machines is versioned, pretty-printed JSON, or a Chrome
//! trace event file (`trace`); plans can also be drawn with Graphviz (DOT). Every renderer is a
//! pure function of its input: the same input gives byte-identical output, so outputs can be
//! diffed and snapshot-tested. Commands are shown only through [`mask`].
//!
//! This crate does no IO and knows no command line; the `stackhop` binary decides where the
//! text goes.

mod action;
mod check;
mod compare;
mod dot;
mod dry_run;
mod duration;
mod html;
mod mask;
mod plan;
mod run;
mod simulate;
mod status;
mod text;
mod timeline;
mod trace;
mod verify;

pub use action::describe_action;
pub use check::{CHECK_SCHEMA, CheckReport, count_summary};
pub use compare::compare_text;
pub use dot::plan_dot;
pub use dry_run::dry_run_text;
pub use duration::{duration_ms, human_duration};
pub use html::{ComparePage, ScenarioReview, SimulatePage, Verdict, compare_html, simulate_html};
pub use mask::{MASK, mask};
pub use plan::{PlanTextOptions, hosts_summary, plan_json, plan_text};
pub use run::{Downtime, FailureReport, RunSummary, run_summary_text};
pub use simulate::simulate_text;
pub use status::{
    BlockedStatus, FailureStatus, STATUS_SCHEMA, StatusDoc, StepStatus, status_json, status_text,
};
pub use text::{MAX_WIDTH, fit, thousands, width, wrap};
pub use timeline::{
    CapabilityBand, DownWindow, HostBar, PhaseLane, Span, StepBar, StepOutcome, Timeline,
    failed_requests,
};
pub use trace::{TraceRun, compare_trace, simulate_trace, trace_json};
pub use verify::{VerifyTextOptions, verify_json, verify_text};

#[cfg(test)]
mod html_tests;
#[cfg(test)]
mod render_tests;
#[cfg(test)]
mod tests;
