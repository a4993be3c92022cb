//! The page of a real run, read from its journal: how it stands, each phase measured against the
//! twin's prediction, the Gantt of measured bars with the predicted ones beside them, the
//! capability bands (the sim target's twin, or else the prediction, labelled so), the proof,
//! the check's findings and the plan.
//!
//! Only the run's own clock appears: on the `sim` target the twin's virtual one, so the same
//! journal gives the same bytes; wall-clock dates only for the other targets.

use maud::{Markup, html};
use stackhop_catalog::Finding;
use stackhop_plan::Plan;

use crate::html::bands::{bands, windows_table};
use crate::html::gantt::gantt;
use crate::html::review::{Verdict, findings, plan_facts, verdict};
use crate::html::scale::{Scale, seconds};
use crate::html::{OPEN_STEPS, legend, page};
use crate::mask::mask;
use crate::measured::{BandSource, MeasuredRun, RunClock};
use crate::ratio::PhaseRatio;
use crate::status::StatusDoc;
use crate::timeline::StepOutcome;

/// Everything the page of a real run shows.
#[derive(Debug, Clone, Copy)]
pub struct RunPage<'a> {
    pub run: &'a MeasuredRun,
    /// The plan the run carries out (the journal's copy).
    pub plan: &'a Plan,
    /// The check's findings for the scenario, on the plan's inventory.
    pub findings: &'a [Finding],
    pub verdict: Verdict<'a>,
    /// Values masked wherever a command or its output is shown.
    pub secrets: &'a [String],
}

/// The run as one self-contained HTML page.
#[must_use]
pub fn run_html(input: &RunPage<'_>) -> String {
    let run = input.run;
    let status = &run.status;
    let timeline = &run.timeline;
    let scale = Scale::new(timeline.end_s);
    let open = input.plan.steps.len() <= OPEN_STEPS;
    let title = format!(
        "{} · {} · run {} on {}",
        status.cloud_name, status.scenario, status.run, status.target
    );
    let extra: Vec<StepOutcome> = [StepOutcome::Running, StepOutcome::Interrupted]
        .into_iter()
        .filter(|o| timeline.steps().any(|s| s.outcome == *o))
        .collect();
    let body = html! {
        header {
            h1 { "Run " (status.run) " of " (status.scenario) " on " (status.cloud_name) }
            p.sub { (sub_line(run)) }
        }
        (banner(status, input.secrets))
        (figures(run))
        section id="measured" {
            h2 { "Measured against predicted" }
            p.note { "Predicted: " (run.prediction_text()) ". A ratio is given for a phase whose every step succeeded." }
            (ratio_table(run))
        }
        section id="timeline" {
            h2 { "Timeline" }
            (legend(run.prediction.is_some(), &extra))
            (gantt(timeline, &scale, input.secrets, open))
        }
        section id="capabilities" data-bands=(bands_attr(run.bands)) {
            @match run.bands {
                BandSource::Twin => {
                    h2 { "Capabilities" }
                    p.note { "Shaded where the sim target's twin had the capability down, as each host's change landed at the end of its step (the prediction also counts a restart's outage while it runs), with the workload's requests that would have failed." }
                }
                BandSource::Predicted => {
                    h2 { "Capabilities, predicted" }
                    p.note.predicted-bands-note { "PREDICTED, not measured: the journal of a run on a real cloud holds no probe. These are the twin's bands for this plan, on the predicted clock; the measured bars above say how far the run kept to it." }
                }
                BandSource::None => {
                    h2 { "Capabilities" }
                    p.note { "Not known: the plan could not be simulated." }
                }
            }
            (scale.axis(if run.bands == BandSource::Predicted { "capability (predicted)" } else { "capability" }))
            div class=(if run.bands == BandSource::Predicted { "predicted-bands" } else { "measured-bands" }) {
                (bands(timeline, &scale, None))
            }
            (windows_table(timeline))
        }
        section id="proof" {
            h2 { "Proof" }
            (verdict(&input.verdict))
        }
        section id="check" {
            h2 { "Pre-flight check" }
            (findings(input.findings))
        }
        section id="plan" {
            h2 { "Plan" }
            (plan_facts(input.plan))
        }
        footer {
            "Made by stackhop from the run's journal. Times are from the start of the run, on "
            (run.clock_text()) "."
        }
    };
    page(&title, body)
}

fn bands_attr(source: BandSource) -> &'static str {
    match source {
        BandSource::Twin => "twin",
        BandSource::Predicted => "predicted",
        BandSource::None => "none",
    }
}

/// Target, clock and, for a real cloud, when it started and ended.
fn sub_line(run: &MeasuredRun) -> String {
    let status = &run.status;
    let mut line = format!("Target {}; times: {}.", status.target, run.clock_text());
    if run.clock == RunClock::Wall {
        line.push_str(&format!(" Started {}", status.started_at));
        match &status.finished_at {
            Some(end) => line.push_str(&format!(", ended {end}.")),
            None => line.push('.'),
        }
    }
    if !run.resumed_at_s.is_empty() {
        let at: Vec<String> = run.resumed_at_s.iter().map(|s| seconds(*s)).collect();
        line.push_str(&format!(" Resumed at {}.", at.join(", ")));
    }
    line
}

fn banner(status: &StatusDoc, secrets: &[String]) -> Markup {
    let good = status.state == "succeeded";
    html! {
        div.banner.(if good { "ok" } else { "bad" }) data-state=(status.state) {
            @match status.state {
                "succeeded" => { strong { "Succeeded." } "Every step ran to success." }
                "failed" => { strong { "Failed." } }
                "running" => {
                    strong { "Running." }
                    @if let Some(h) = &status.holder { "Run by " (h) "." }
                }
                _ => {
                    strong { "Stopped before its end." }
                    @if status.orphaned { "The process that ran it is gone (killed or crashed)." }
                }
            }
            @if status.unverified {
                p.bad { "The plan did not verify: it was applied with --unverified." }
            }
            @if !status.edited_steps.is_empty() {
                p.warn { "Commands edited by hand, accepted with --accept-edited: " (status.edited_steps.join(", ")) }
            }
            @if let Some(f) = &status.failure {
                p {
                    code { (f.step) } " failed on " (f.host) " ("
                    (f.exit_code.map_or_else(|| "no exit code".to_owned(), |c| format!("exit {c}")))
                    "); no step started after it, running steps finished."
                }
                @if !f.output.is_empty() {
                    pre.output { (mask(&f.output, secrets)) }
                }
            }
            @if !status.unsettled.is_empty() {
                p data-in-doubt=(status.unsettled.len()) {
                    @if status.holder.is_some() { "Running now: " } @else { "In doubt (running when the run stopped; resume settles them): " }
                    @for (k, u) in status.unsettled.iter().enumerate() {
                        @if k > 0 { ", " }
                        code { (u) }
                    }
                }
            }
            @if !status.left_out.is_empty() {
                p { "Left out after failing a step that tolerated it: " (status.left_out.join(", ")) }
            }
            @if !status.blocked.is_empty() {
                p { "Not run, unsafe without the hosts left out:" }
                ul {
                    @for b in &status.blocked { li { code { (b.step) } ": " (b.why) } }
                }
            }
            @if let Some(resume) = &status.resume {
                p { "Resume with " code { (resume) } }
            }
        }
    }
}

fn figures(run: &MeasuredRun) -> Markup {
    let whole = &run.run;
    let worst = run
        .timeline
        .capabilities
        .iter()
        .filter(|b| !b.windows.is_empty())
        .max_by(|a, b| a.downtime_s().total_cmp(&b.downtime_s()));
    html! {
        dl.facts.figures {
            dt { "measured" } dd { (optional(whole.measured_s)) span.note { " (first step's start to last step's end)" } }
            dt { "predicted" } dd { (optional(run.prediction.as_ref().map(|p| p.makespan_s))) }
            dt { "measured ÷ predicted" } dd data-ratio=(ratio_attr(whole)) { (ratio_text(whole)) }
            dt { "steps" } dd { (step_counts(run)) }
            dt { @if run.bands == BandSource::Predicted { "worst downtime (predicted)" } @else { "worst downtime" } } dd {
                @match worst {
                    Some(b) => { (b.name) " down " (seconds(b.downtime_s())) }
                    None => "nothing down",
                }
            }
        }
    }
}

/// `40 succeeded, 1 failed, 5 not run`.
fn step_counts(run: &MeasuredRun) -> String {
    let mut counts: Vec<(StepOutcome, usize)> = Vec::new();
    for step in run.timeline.steps() {
        match counts.iter_mut().find(|(o, _)| *o == step.outcome) {
            Some((_, c)) => *c += 1,
            None => counts.push((step.outcome, 1)),
        }
    }
    counts.sort();
    let parts: Vec<String> = counts
        .iter()
        .map(|(o, c)| format!("{c} {}", o.as_str()))
        .collect();
    parts.join(", ")
}

fn optional(s: Option<f64>) -> String {
    s.map_or_else(|| "—".to_owned(), seconds)
}

fn ratio_text(r: &PhaseRatio) -> String {
    r.ratio
        .map_or_else(|| "—".to_owned(), |v| format!("{v:.2}"))
}

fn ratio_attr(r: &PhaseRatio) -> String {
    r.ratio.map_or_else(String::new, |v| format!("{v:.3}"))
}

/// One row per phase in the order drawn, the whole run last; each carries its figures as data
/// attributes for scripts.
fn ratio_table(run: &MeasuredRun) -> Markup {
    let row = |r: &PhaseRatio| {
        html! {
            tr data-phase=(r.phase) data-outcome=(r.outcome.class()) data-ratio=(ratio_attr(r)) {
                td { (r.phase) }
                td class=(r.outcome.class()) { (r.outcome.as_str()) }
                td.num { (r.steps) }
                td.num { (optional(r.measured_s)) }
                td.num { (optional(r.predicted_s)) }
                td.num.ratio { (ratio_text(r)) }
            }
        }
    };
    html! {
        table.ratios {
            thead {
                tr { th { "phase" } th { "outcome" } th.num { "steps" } th.num { "measured" } th.num { "predicted" } th.num { "measured ÷ predicted" } }
            }
            tbody { @for r in &run.phases { (row(r)) } }
            tfoot { (row(&run.run)) }
        }
    }
}
