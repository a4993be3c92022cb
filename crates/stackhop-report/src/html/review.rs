//! What makes a page the whole review document besides the charts: the plan's identity (its
//! digest), the check's findings and the verifier's verdict.

use maud::{Markup, html};
use stackhop_catalog::Finding;
use stackhop_plan::Plan;
use stackhop_verify::VerifyReport;

use crate::html::scale::seconds;
use crate::text::thousands;
use crate::verify::capability_names;

/// What the verifier said about a plan, as a page shows it.
#[derive(Debug, Clone, Copy)]
pub enum Verdict<'a> {
    /// It explored every reachable state.
    Explored(&'a VerifyReport),
    /// It could not finish; the error, as it reads.
    Unfinished(&'a str),
    /// It was not asked, and why (or the command that asks it).
    NotRun(&'a str),
}

impl<'a> Verdict<'a> {
    /// The verifier's report, or the error that stopped it, as text.
    #[must_use]
    pub fn of(result: &'a Result<VerifyReport, String>) -> Self {
        match result {
            Ok(report) => Verdict::Explored(report),
            Err(error) => Verdict::Unfinished(error),
        }
    }

    /// `verified`, `NOT verified`, `not finished` or `not verified here`: a table cell.
    pub(crate) fn short(&self) -> &'static str {
        match self {
            Verdict::Explored(r) if r.verified && r.goal_reached => "verified",
            Verdict::Explored(r) if r.verified => "safe, unfinished",
            Verdict::Explored(_) => "NOT verified",
            Verdict::Unfinished(_) => "verify stopped",
            Verdict::NotRun(_) => "not verified here",
        }
    }

    pub(crate) fn class(&self) -> &'static str {
        match self {
            Verdict::Explored(r) if r.verified && r.goal_reached => "ok",
            Verdict::Explored(_) | Verdict::Unfinished(_) => "bad",
            Verdict::NotRun(_) => "note",
        }
    }
}

/// The plan's identity: transition, scenario, digest, size and estimate.
pub(crate) fn plan_facts(plan: &Plan) -> Markup {
    let hosts: usize = plan.steps.iter().map(|s| s.hosts.len()).sum();
    html! {
        dl.facts {
            dt { "plan digest" } dd { code.digest { (plan.digest) } }
            dt { "transition" } dd { (plan.transition) }
            dt { "scenario" } dd { (plan.scenario) }
            dt { "steps" } dd { (plan.steps.len()) " steps, " (thousands(hosts as u64)) " host actions" }
            dt { "estimate" } dd { (seconds(plan.estimate_s as f64)) " on the critical path" }
            dt { "inventory" } dd { (plan.inventory_file) }
        }
    }
}

/// The check's findings as a table, errors first as the check orders them.
pub(crate) fn findings(findings: &[Finding]) -> Markup {
    html! {
        @if findings.is_empty() {
            p.ok { "The check found nothing for this scenario." }
        } @else {
            table.findings {
                thead { tr { th { "severity" } th { "finding" } th { "subject" } th { "what and what to do" } } }
                tbody {
                    @for f in findings {
                        tr class=(f.severity.as_str()) data-finding=(f.id) {
                            td.severity { (f.severity.as_str()) }
                            td { code { (f.id) } }
                            td { (f.subject) }
                            td {
                                (f.message)
                                @if !f.help.is_empty() { div.help { (f.help) } }
                                @if !f.source.is_empty() { div.note { "source: " (f.source) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The verifier's verdict: whether it is safe and finishes the upgrade, what was explored, each
/// capability over every reachable state, the degraded windows and each violation's trace.
pub(crate) fn verdict(verdict: &Verdict<'_>) -> Markup {
    match verdict {
        Verdict::NotRun(why) => html! { p.note.verdict data-verdict="not-run" { (why) } },
        Verdict::Unfinished(error) => html! {
            p.bad.verdict data-verdict="unfinished" { "The verifier could not finish: " (error) }
        },
        Verdict::Explored(report) => explored(report),
    }
}

fn explored(report: &VerifyReport) -> Markup {
    let data = if report.verified && report.goal_reached {
        "verified"
    } else {
        "not-verified"
    };
    html! {
        div.verdict data-verdict=(data) {
            p class=(if report.verified { "ok" } else { "bad" }) {
                @if report.verified {
                    "Verified: no reachable state breaks a hard invariant, whatever the order of the steps and wherever the run stops."
                } @else if !report.violations.is_empty() {
                    (format!("NOT verified: {} hard invariant(s) broken in reachable states.", report.violations.len()))
                } @else if !report.complete {
                    "NOT proven: the exploration stopped before it was complete and found nothing wrong in the states it explored."
                } @else {
                    (format!("NOT verified: {} step(s) run commands that are not the catalog's for their action.", report.edited_steps.len()))
                }
            }
            p class=(if report.goal_reached { "ok" } else { "bad" }) {
                @if report.goal_reached {
                    "Finished: every run that completes all steps ends in the finished upgrade."
                } @else {
                    "NOT finished: " (report.unmet_goals.join("; "))
                }
            }
            p.note {
                (thousands(report.states as u64)) " states explored ("
                (thousands(report.transitions as u64)) " host completions, "
                (report.blocks) " blocks, at most " (report.block_classes) " classes of alike hosts in a block)."
            }
            table.capabilities {
                thead { tr { th { "capability" } th { "over every reachable state" } } }
                tbody {
                    @for name in capability_names(report) {
                        @let c = &report.capabilities[name];
                        tr data-capability=(name) {
                            td { (name) }
                            @if c.available {
                                td.ok { "available throughout" }
                            } @else {
                                td.warn { "down during " (c.unavailable_during.join(", ")) }
                            }
                        }
                    }
                }
            }
            @if !report.degraded.is_empty() {
                h4 { "Degraded (the cloud works but loses a feature or logs errors)" }
                ul.degraded {
                    @for d in &report.degraded {
                        li { code { (d.invariant) } " during " (d.phases.join(", ")) ": " (d.message) }
                    }
                }
            }
            @for (k, v) in report.violations.iter().enumerate() {
                div.violation {
                    h4.bad {
                        "Violation " (k + 1) ": " code { (v.invariant) } " "
                        @if v.step.is_empty() { "before any step" }
                        @else if v.refused { "step " code { (v.step) } " would fail" }
                        @else { "after step " code { (v.step) } }
                    }
                    p { (v.message) }
                    p.note { "hosts: " (v.hosts) }
                    @if !v.differs.is_empty() { p.note { "changed: " (v.differs) } }
                    p { "The shortest trace (" (v.trace.len()) " steps):" }
                    ol.trace { @for s in &v.trace { li { code { (s) } } } }
                }
            }
        }
    }
}
