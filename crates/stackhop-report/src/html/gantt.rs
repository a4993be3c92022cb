//! The Gantt of a run: one row per phase, which opens onto one row per step (a step's hosts,
//! however many, share its row), bars coloured by outcome, the critical path marked, and a
//! thin bar for what was predicted when a measured run has a prediction beside it.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use maud::{Markup, html};

use crate::html::scale::{LABEL, Scale, WIDTH, n, seconds};
use crate::mask::mask;
use crate::plan::hosts_summary;
use crate::text::fit;
use crate::timeline::{PhaseLane, Span, StepBar, StepOutcome, Timeline};

/// Height of one row.
const ROW: f64 = 20.0;
/// Top and height of a bar within its row.
const BAR_Y: f64 = 3.0;
const BAR_H: f64 = 12.0;
/// Top and height of the predicted bar under a measured one.
const PREDICTED_Y: f64 = 16.0;
const PREDICTED_H: f64 = 3.0;
/// The narrowest bar, so that a step of a few seconds on an axis of hours stays visible.
const MIN_BAR: f64 = 2.0;
/// Characters of a label that fit the label column beside the host count.
const LABEL_CHARS: usize = 31;
/// Characters of the host count or the lone host's name.
const HOST_CHARS: usize = 10;
const PHASE_CHARS: usize = 30;

/// What one phase adds up to.
struct PhaseSummary {
    span: Option<Span>,
    predicted: Option<Span>,
    outcome: StepOutcome,
    /// Steps per outcome, in [`StepOutcome`] order.
    counts: Vec<(StepOutcome, usize)>,
}

fn union(spans: impl Iterator<Item = Span>) -> Option<Span> {
    spans.fold(None, |acc: Option<Span>, s| {
        Some(match acc {
            Some(a) => Span::new(a.start_s.min(s.start_s), a.end_s.max(s.end_s)),
            None => s,
        })
    })
}

impl PhaseSummary {
    fn of(phase: &PhaseLane) -> Self {
        let mut counts: Vec<(StepOutcome, usize)> = Vec::new();
        for step in &phase.steps {
            match counts.iter_mut().find(|(o, _)| *o == step.outcome) {
                Some((_, c)) => *c += 1,
                None => counts.push((step.outcome, 1)),
            }
        }
        counts.sort();
        let has = |o: StepOutcome| counts.iter().any(|(x, _)| *x == o);
        let outcome = [
            StepOutcome::Failed,
            StepOutcome::InDoubt,
            StepOutcome::Running,
        ]
        .into_iter()
        .find(|&o| has(o))
        .unwrap_or(if counts.iter().all(|(o, _)| *o == StepOutcome::NotRun) {
            StepOutcome::NotRun
        } else {
            StepOutcome::Succeeded
        });
        PhaseSummary {
            span: union(phase.steps.iter().filter_map(|s| s.span)),
            predicted: union(phase.steps.iter().filter_map(|s| s.predicted)),
            outcome,
            counts,
        }
    }

    /// `6 steps: 5 succeeded, 1 not run`.
    fn counts_text(&self) -> String {
        let total: usize = self.counts.iter().map(|(_, c)| c).sum();
        let parts: Vec<String> = self
            .counts
            .iter()
            .map(|(o, c)| format!("{c} {}", o.as_str()))
            .collect();
        format!(
            "{total} step{}: {}",
            if total == 1 { "" } else { "s" },
            parts.join(", ")
        )
    }

    /// Measured over predicted length, when both are known.
    fn ratio(&self) -> Option<f64> {
        let (m, p) = (self.span?, self.predicted?);
        (p.length_s() > 0.0).then(|| m.length_s() / p.length_s())
    }
}

fn span_text(span: Span) -> String {
    format!(
        "{} → {} ({})",
        seconds(span.start_s),
        seconds(span.end_s),
        seconds(span.length_s())
    )
}

/// What hovering a step's bar shows: id, hosts, start, end, outcome, and the commands with
/// their secrets masked.
fn step_title(step: &StepBar, critical: bool, secrets: &[String]) -> String {
    let mut title = step.id.clone();
    let _ = write!(title, "\nhosts: {}", hosts_summary(&step.hosts));
    match step.span {
        Some(span) => {
            let _ = write!(title, "\n{}", span_text(span));
        }
        None => title.push_str("\nnever started"),
    }
    let _ = write!(title, "\n{}", step.outcome.as_str());
    if critical {
        title.push_str(", on the critical path");
    }
    let _ = write!(title, "\nplan's estimate: {}", seconds(step.estimate_s));
    if let Some(p) = step.predicted {
        let _ = write!(title, "\npredicted: {}", span_text(p));
    }
    let failed: Vec<&str> = step
        .host_spans
        .iter()
        .filter(|h| h.outcome == StepOutcome::Failed)
        .map(|h| h.host.as_str())
        .collect();
    if !failed.is_empty() {
        let _ = write!(title, "\nfailed on: {}", hosts_summary_str(&failed));
    }
    if !step.commands.is_empty() {
        title.push_str("\ncommands:");
        for c in &step.commands {
            let _ = write!(title, "\n  {}", mask(c, secrets));
        }
    }
    title
}

fn hosts_summary_str(hosts: &[&str]) -> String {
    let owned: Vec<String> = hosts.iter().map(|h| (*h).to_owned()).collect();
    hosts_summary(&owned)
}

fn phase_title(phase: &PhaseLane, summary: &PhaseSummary) -> String {
    let mut title = phase.name.clone();
    if let Some(span) = summary.span {
        let _ = write!(title, "\n{}", span_text(span));
    }
    let _ = write!(title, "\n{}", summary.counts_text());
    if let Some(p) = summary.predicted {
        let _ = write!(title, "\npredicted: {}", span_text(p));
    }
    if let Some(r) = summary.ratio() {
        let _ = write!(title, "\nmeasured / predicted: {r:.2}");
    }
    title
}

/// The Gantt: an axis, then one disclosure per phase whose summary is the phase's row and whose
/// body is its steps' rows. Phases start open when `open`.
pub(crate) fn gantt(timeline: &Timeline, scale: &Scale, secrets: &[String], open: bool) -> Markup {
    let critical = timeline.critical_path();
    html! {
        div.gantt {
            (scale.axis("phase, then its steps"))
            @for phase in &timeline.phases {
                (phase_rows(phase, scale, &critical, secrets, open))
            }
        }
    }
}

fn phase_rows(
    phase: &PhaseLane,
    scale: &Scale,
    critical: &BTreeSet<&str>,
    secrets: &[String],
    open: bool,
) -> Markup {
    let summary = PhaseSummary::of(phase);
    let outcome = summary.outcome.class();
    let on_path: Vec<&StepBar> = phase
        .steps
        .iter()
        .filter(|s| critical.contains(s.id.as_str()))
        .collect();
    let height = ROW * phase.steps.len() as f64;
    html! {
        details.phase open[open] data-phase=(phase.name) data-outcome=(outcome) {
            summary {
                svg.chart viewBox=(format!("0 0 {} {}", n(WIDTH), n(ROW))) role="img" aria-label=(format!("phase {}", phase.name)) {
                    (scale.grid(ROW))
                    text.label.phase-name x="4" y="14" {
                        tspan.closed { "▸ " } tspan.open { "▾ " } (fit(&phase.name, PHASE_CHARS))
                    }
                    text.label.count x=(n(LABEL - 8.0)) y="14" { (phase.steps.len()) }
                    @if let Some(p) = summary.predicted {
                        @let (x, w) = scale.bar(p.start_s, p.end_s, MIN_BAR);
                        rect.predicted x=(n(x)) y=(n(PREDICTED_Y)) width=(n(w)) height=(n(PREDICTED_H)) {}
                    }
                    @if let Some(span) = summary.span {
                        @let (x, w) = scale.bar(span.start_s, span.end_s, MIN_BAR);
                        rect class=(format!("bar phase {outcome}")) x=(n(x)) y=(n(BAR_Y)) width=(n(w)) height=(n(BAR_H)) data-phase=(phase.name) {
                            title { (phase_title(phase, &summary)) }
                        }
                        @for step in &on_path {
                            @if let Some(s) = step.span {
                                @let (x, w) = scale.bar(s.start_s, s.end_s, MIN_BAR);
                                rect.critical x=(n(x)) y=(n(BAR_Y + BAR_H - 3.0)) width=(n(w)) height="3" {}
                            }
                        }
                        @if let Some(r) = summary.ratio() {
                            text.ratio x=(n((x + w + 4.0).min(WIDTH - 70.0))) y="14" { (format!("×{r:.2} of predicted")) }
                        }
                    } @else {
                        text.note x=(n(LABEL + 4.0)) y="14" { "not run" }
                    }
                }
            }
            svg.chart.steps viewBox=(format!("0 0 {} {}", n(WIDTH), n(height))) role="img" aria-label=(format!("steps of {}", phase.name)) {
                (scale.grid(height))
                @for (k, step) in phase.steps.iter().enumerate() {
                    (step_row(step, k, scale, critical.contains(step.id.as_str()), secrets))
                }
            }
        }
    }
}

fn step_row(step: &StepBar, k: usize, scale: &Scale, critical: bool, secrets: &[String]) -> Markup {
    let top = ROW * k as f64;
    let outcome = step.outcome.class();
    let class = if critical {
        format!("bar step {outcome} on-path")
    } else {
        format!("bar step {outcome}")
    };
    let hosts = if step.hosts.len() > 1 {
        format!("×{}", step.hosts.len())
    } else {
        step.hosts.first().cloned().unwrap_or_default()
    };
    html! {
        g.step data-step=(step.id) data-outcome=(outcome) {
            text.label x="16" y=(n(top + 14.0)) { (fit(&step.id, LABEL_CHARS)) }
            text.label.count x=(n(LABEL - 8.0)) y=(n(top + 14.0)) { (fit(&hosts, HOST_CHARS)) }
            @if let Some(p) = step.predicted {
                @let (x, w) = scale.bar(p.start_s, p.end_s, MIN_BAR);
                rect.predicted x=(n(x)) y=(n(top + PREDICTED_Y)) width=(n(w)) height=(n(PREDICTED_H)) {}
            }
            @match step.span {
                Some(span) => {
                    @let (x, w) = scale.bar(span.start_s, span.end_s, MIN_BAR);
                    rect class=(class) x=(n(x)) y=(n(top + BAR_Y)) width=(n(w)) height=(n(BAR_H)) data-step=(step.id) {
                        title { (step_title(step, critical, secrets)) }
                    }
                    @for h in step.host_spans.iter().filter(|h| h.outcome == StepOutcome::Failed) {
                        @let (x, w) = scale.bar(h.span.end_s, h.span.end_s, 3.0);
                        rect.host-failed x=(n(x)) y=(n(top + 1.0)) width=(n(w)) height=(n(BAR_H + 4.0)) {
                            title { (format!("{} failed on {} at {}", step.id, h.host, seconds(h.span.end_s))) }
                        }
                    }
                }
                None => {
                    text.note x=(n(LABEL + 4.0)) y=(n(top + 14.0)) {
                        (step.outcome.as_str())
                        title { (step_title(step, false, secrets)) }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::gantt;
    use crate::html::scale::Scale;
    use crate::timeline::{PhaseLane, Span, StepBar, StepOutcome, Timeline};

    fn step(id: &str, after: &[&str], span: Option<Span>, outcome: StepOutcome) -> StepBar {
        StepBar {
            id: id.to_owned(),
            hosts: vec!["ctl".to_owned()],
            commands: vec![format!("run {id}")],
            after: after.iter().map(|a| (*a).to_owned()).collect(),
            outcome,
            span,
            estimate_s: 2.0,
            predicted: span.map(|s| Span::new(s.start_s, s.start_s + 2.0)),
            host_spans: Vec::new(),
        }
    }

    /// A measured run as a journal would give it: fractions of seconds, a prediction beside each
    /// bar, a step in doubt and one still running.
    #[test]
    fn a_measured_run_draws_its_predictions_ratios_and_every_outcome() {
        let timeline = Timeline {
            phases: vec![
                PhaseLane {
                    name: "nova".to_owned(),
                    steps: vec![
                        step(
                            "nova.stop",
                            &[],
                            Some(Span::new(0.0, 1.5)),
                            StepOutcome::Succeeded,
                        ),
                        step(
                            "nova.sync",
                            &["nova.stop"],
                            Some(Span::new(1.5, 4.5)),
                            StepOutcome::InDoubt,
                        ),
                    ],
                },
                PhaseLane {
                    name: "finish".to_owned(),
                    steps: vec![
                        step(
                            "finish.check",
                            &["nova.sync"],
                            Some(Span::new(4.5, 5.0)),
                            StepOutcome::Running,
                        ),
                        step("finish.unpin", &["finish.check"], None, StepOutcome::NotRun),
                    ],
                },
            ],
            capabilities: Vec::new(),
            end_s: 5.0,
        };
        let html = gantt(&timeline, &Scale::new(timeline.end_s), &[], true).into_string();
        assert_eq!(html.matches("<rect class=\"predicted\"").count(), 2 + 3);
        // nova took 4.5 s against 1.5 + 2 predicted: 4.5 / 3.5.
        assert!(html.contains("×1.29 of predicted"), "{html}");
        assert!(html.contains("measured / predicted: 1.29"), "{html}");
        assert!(
            html.contains("class=\"bar step in_doubt on-path\""),
            "{html}"
        );
        assert!(
            html.contains("class=\"bar step running on-path\""),
            "{html}"
        );
        assert!(
            html.contains("data-phase=\"nova\" data-outcome=\"in_doubt\""),
            "{html}"
        );
        assert!(html.contains("1.5s → 4.5s (3s)"), "{html}");
        assert!(html.contains(">not run<"), "{html}");
    }
}
