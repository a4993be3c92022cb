//! The page of one simulated run: what ran, how it ended, the Gantt, the capability bands, the
//! proof and the check's findings.

use maud::{Markup, html};
use stackhop_catalog::Finding;
use stackhop_plan::Plan;
use stackhop_sim::{Observation, RunState, SimReport};

use crate::html::bands::{bands, windows_table};
use crate::html::gantt::gantt;
use crate::html::review::{Verdict, findings, plan_facts, verdict};
use crate::html::scale::{Scale, seconds};
use crate::html::{OPEN_STEPS, footer, has_predictions, legend, page};
use crate::simulate::rate;
use crate::text::thousands;
use crate::timeline::Timeline;

/// Everything the page of a simulated run shows.
#[derive(Debug, Clone, Copy)]
pub struct SimulatePage<'a> {
    /// The plan that was simulated.
    pub plan: &'a Plan,
    pub report: &'a SimReport,
    /// The check's findings for the scenario.
    pub findings: &'a [Finding],
    pub verdict: Verdict<'a>,
    /// Values masked wherever a command is shown (none are marked secret yet).
    pub secrets: &'a [String],
}

/// The simulated run as one self-contained HTML page; the same input gives the same bytes.
#[must_use]
pub fn simulate_html(page_input: &SimulatePage<'_>) -> String {
    let SimulatePage {
        plan,
        report,
        secrets,
        ..
    } = *page_input;
    let timeline = Timeline::simulated(plan, report);
    let scale = Scale::new(timeline.end_s);
    let open = plan.steps.len() <= OPEN_STEPS;
    let title = format!("{} · {} · simulated upgrade", report.cloud, report.scenario);
    let body = html! {
        header {
            h1 { "Simulated upgrade of " (report.cloud) ": " (report.scenario) }
            p.sub { (run_line(report)) }
        }
        (outcome_banner(report))
        (figures(report))
        section id="timeline" {
            h2 { "Timeline" }
            (legend(has_predictions(&timeline)))
            (gantt(&timeline, &scale, secrets, open))
        }
        section id="capabilities" {
            h2 { "Capabilities" }
            p.note { "Shaded where the model says the capability is down, with the workload's requests that failed in each window and the phase that took it down." }
            (scale.axis("capability"))
            (bands(&timeline, &scale, None))
            (windows_table(&timeline))
        }
        section id="proof" {
            h2 { "Proof" }
            (verdict(&page_input.verdict))
        }
        section id="check" {
            h2 { "Pre-flight check" }
            (findings(page_input.findings))
        }
        @if !report.degraded.is_empty() || !report.hard_violations.is_empty() {
            section id="observed" {
                h2 { "Seen during the run" }
                (observations("Hard invariants broken (the verifier should have caught this plan)", "bad", &report.hard_violations))
                (observations("Degraded (the cloud works but loses a feature or logs errors; not a failure)", "warn", &report.degraded))
            }
        }
        section id="plan" {
            h2 { "Plan" }
            (plan_facts(plan))
        }
        (footer())
    };
    page(&title, body)
}

/// Transition, seed, jitter, workload and faults on one line.
fn run_line(report: &SimReport) -> String {
    let workload: Vec<String> = report
        .workload
        .iter()
        .map(|(name, r)| format!("{name} {}", rate(*r)))
        .collect();
    let mut line = format!(
        "On the digital twin, seed {}, durations ±{:.0}% around the estimates; workload per \
         minute: {}.",
        report.seed,
        report.jitter * 100.0,
        workload.join(", ")
    );
    if !report.faults.is_empty() {
        let faults: Vec<String> = report.faults.iter().map(ToString::to_string).collect();
        line.push_str(&format!(" Faults injected: {}.", faults.join(", ")));
    }
    line
}

fn outcome_banner(report: &SimReport) -> Markup {
    let outcome = &report.outcome;
    let completed = outcome.state == RunState::Completed;
    let good = completed && outcome.goal_reached;
    html! {
        div.banner.(if good { "ok" } else { "bad" }) data-outcome=(if completed { "completed" } else { "stopped" }) {
            @match (outcome.state, outcome.failures.first()) {
                (RunState::Completed, _) => {
                    strong { "Completed." }
                    @if outcome.goal_reached { "The cloud is at the finished upgrade." }
                    @else { "But the cloud is not at the finished upgrade." }
                }
                (RunState::Stopped, Some(f)) => {
                    strong { "Stopped." }
                    code { (f.step) } " failed on " (f.host) " at " (seconds(f.at_s as f64)) " (" (f.reason) "); no step started after it, running steps finished."
                }
                (RunState::Stopped, None) => { strong { "Stopped" } "before every step ran." }
            }
            @if !completed {
                p class=(if outcome.stopped_state_safe { "ok" } else { "bad" }) {
                    @if outcome.stopped_state_safe { "The cloud it stopped in breaks no hard invariant." }
                    @else { "NOT SAFE: the cloud it stopped in breaks a hard invariant." }
                }
                @for f in outcome.failures.iter().skip(1) {
                    p { "Also failed: " code { (f.step) } " on " (f.host) " at " (seconds(f.at_s as f64)) " (" (f.reason) ")" }
                }
                @if !outcome.remaining_steps.is_empty() {
                    p.note { (outcome.remaining_steps.len()) " steps never started." }
                }
            }
        }
    }
}

fn figures(report: &SimReport) -> Markup {
    let failed: u64 = report
        .capabilities
        .iter()
        .map(|(_, c)| c.failed_requests)
        .sum();
    html! {
        dl.facts.figures {
            dt { "makespan" } dd { (seconds(report.makespan_s as f64)) span.note { " (the plan's estimate without jitter: " (seconds(report.estimate_s as f64)) ")" } }
            dt { "worst downtime" } dd {
                @match report.worst_downtime() {
                    Some((cap, d)) if d > 0 => { (cap) " down " (seconds(d as f64)) }
                    _ => "nothing down",
                }
            }
            dt { "failed requests" } dd { (thousands(failed)) }
            dt { "instances disrupted" } dd { (thousands(report.instances_disrupted)) span.note { " (re-created from snapshots by planned moves: " (thousands(report.instances_recreated)) ")" } }
            dt { "extra hosts" } dd { (report.extra_hosts) }
            dt { "manual steps" } dd { (report.manual_steps) }
        }
    }
}

fn observations(title: &str, class: &str, list: &[Observation]) -> Markup {
    html! {
        @if !list.is_empty() {
            h3.(class) { (title) }
            ul {
                @for o in list {
                    li { code { (o.invariant) } " from " (seconds(o.at_s as f64)) " (" code { (o.step) } "): " (o.message) }
                }
            }
        }
    }
}
