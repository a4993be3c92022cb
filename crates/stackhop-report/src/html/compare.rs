//! The page of a comparison: the recommendation and why, the four scenarios side by side, their
//! capability bands stacked on one time axis, then each scenario's own review (its Gantt, proof
//! and findings).

use maud::{Markup, html};
use stackhop_catalog::{Finding, Scenario};
use stackhop_sim::{CompareReport, ScenarioEntry, SimReport};

use crate::compare::offered_capabilities;
use crate::html::bands::bands;
use crate::html::gantt::gantt;
use crate::html::review::{Verdict, findings, plan_facts, verdict};
use crate::html::scale::{Scale, seconds};
use crate::html::{OPEN_STEPS, footer, legend, page};
use crate::text::thousands;
use crate::timeline::Timeline;

/// What the page shows about one scenario besides its simulation.
#[derive(Debug, Clone, Copy)]
pub struct ScenarioReview<'a> {
    pub scenario: Scenario,
    /// The check's findings for it (an unusable scenario's errors are in the report already).
    pub findings: &'a [Finding],
    pub verdict: Verdict<'a>,
}

/// Everything the page of a comparison shows.
#[derive(Debug, Clone, Copy)]
pub struct ComparePage<'a> {
    pub report: &'a CompareReport,
    /// Per scenario; one that is missing shows no findings and no verdict.
    pub reviews: &'a [ScenarioReview<'a>],
    /// Values masked wherever a command is shown (none are marked secret yet).
    pub secrets: &'a [String],
}

/// A scenario that was planned and simulated, with its timeline.
struct Simulated<'a> {
    entry: &'a ScenarioEntry,
    report: &'a SimReport,
    timeline: Timeline,
}

/// The comparison as one self-contained HTML page; the same input gives the same bytes.
#[must_use]
pub fn compare_html(input: &ComparePage<'_>) -> String {
    let report = input.report;
    let simulated: Vec<Simulated<'_>> = report
        .scenarios
        .iter()
        .filter_map(|entry| {
            let (plan, sim) = (entry.plan.as_ref()?, entry.report.as_ref()?);
            Some(Simulated {
                entry,
                report: sim,
                timeline: Timeline::simulated(plan, sim),
            })
        })
        .collect();
    let shared = Scale::new(
        simulated
            .iter()
            .map(|s| s.timeline.end_s)
            .fold(0.0, f64::max),
    );
    let title = format!("{} · the four scenarios compared", report.cloud);
    let body = html! {
        header {
            h1 { "The four upgrade scenarios for " (report.cloud) }
            p.sub {
                "Each planned and simulated on the digital twin with seed " (report.seed)
                " and the same workload. Constraints: " (constraints_text(report)) "."
            }
        }
        div.banner.recommendation.(if report.recommended.is_some() { "ok" } else { "bad" }) data-recommended=(report.recommended.map_or("none", Scenario::as_str)) {
            strong { "Recommended: " (report.recommended.map_or("none", Scenario::as_str)) "." }
            " " (report.reason)
        }
        section id="side-by-side" {
            h2 { "Side by side" }
            (summary_table(report, input.reviews))
        }
        section id="capabilities" {
            h2 { "Capabilities, the four scenarios stacked" }
            p.note {
                "One time axis for all four: a band is shaded where the capability is down; the "
                "figures are the downtime and the workload's failed requests. Grey: that scenario "
                "has already finished."
            }
            (shared.axis("scenario, capability: down · failed"))
            @for entry in &report.scenarios {
                @match simulated.iter().find(|s| s.entry.scenario == entry.scenario) {
                    Some(s) => (bands(&s.timeline, &shared, Some(&heading(report, s)))),
                    None => p.note.unusable data-scenario=(entry.scenario) {
                        strong { (entry.scenario) } ": " (entry.excluded_by.join("; "))
                    },
                }
            }
        }
        section id="scenarios" {
            h2 { "Each scenario" }
            (legend(false, &[]))
            @for entry in &report.scenarios {
                (scenario_details(input, entry, simulated.iter().find(|s| s.entry.scenario == entry.scenario), review_of(input.reviews, entry.scenario)))
            }
        }
        (footer())
    };
    page(&title, body)
}

fn constraints_text(report: &CompareReport) -> String {
    let c = &report.constraints;
    let mut parts = Vec::new();
    if let Some(d) = c.max_downtime_s {
        parts.push(format!("max downtime {}", seconds(d as f64)));
    }
    if let Some(d) = c.max_duration_s {
        parts.push(format!("max duration {}", seconds(d as f64)));
    }
    if c.no_spare_hosts {
        parts.push("no spare hosts".to_owned());
    }
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
}

/// `live-compute (recommended) · 5h12m`.
fn heading(report: &CompareReport, s: &Simulated<'_>) -> String {
    format!(
        "{}{} · {}",
        s.entry.scenario,
        if Some(s.entry.scenario) == report.recommended {
            " (recommended)"
        } else {
            ""
        },
        seconds(s.report.makespan_s as f64)
    )
}

fn verdict_word(report: &CompareReport, entry: &ScenarioEntry) -> &'static str {
    if !entry.usable {
        "unusable (check)"
    } else if Some(entry.scenario) == report.recommended {
        "recommended"
    } else if entry.excluded_by.is_empty() {
        "usable"
    } else {
        "passed over"
    }
}

fn review_of<'r, 'a>(
    reviews: &'r [ScenarioReview<'a>],
    scenario: Scenario,
) -> Option<&'r ScenarioReview<'a>> {
    reviews.iter().find(|r| r.scenario == scenario)
}

fn summary_table(report: &CompareReport, reviews: &[ScenarioReview<'_>]) -> Markup {
    let entries = &report.scenarios;
    let offered = offered_capabilities(entries);
    let class = |e: &ScenarioEntry| {
        if Some(e.scenario) == report.recommended {
            "num recommended"
        } else {
            "num"
        }
    };
    let metric = |label: &str, value: &dyn Fn(&SimReport) -> String| {
        html! {
            tr {
                th { (label) }
                @for e in entries {
                    td class=(class(e)) { @match &e.report { Some(r) => (value(r)), None => "–" } }
                }
            }
        }
    };
    html! {
        table.scenarios {
            thead {
                tr {
                    th {}
                    @for e in entries {
                        th class=(class(e)) data-scenario=(e.scenario) { (e.scenario) }
                    }
                }
            }
            tbody {
                tr {
                    th { "verdict" }
                    @for e in entries { td class=(class(e)) { (verdict_word(report, e)) } }
                }
                tr {
                    th { "proof" }
                    @for e in entries {
                        @match review_of(reviews, e.scenario) {
                            Some(r) => td class=(format!("{} {}", class(e), r.verdict.class())) { (r.verdict.short()) },
                            None => td class=(class(e)) { "–" },
                        }
                    }
                }
                (metric("total duration", &|r| seconds(r.makespan_s as f64)))
                @for cap in &offered {
                    (metric(&format!("{cap} down"), &|r| match r.capabilities.get(cap) {
                        Some(c) if c.downtime_s > 0 => seconds(c.downtime_s as f64),
                        Some(_) => "–".to_owned(),
                        None => "n/a".to_owned(),
                    }))
                }
                (metric("failed requests", &|r| thousands(r.capabilities.iter().map(|(_, c)| c.failed_requests).sum())))
                (metric("instances disrupted", &|r| thousands(r.instances_disrupted)))
                (metric("instances re-created", &|r| thousands(r.instances_recreated)))
                (metric("extra hosts", &|r| r.extra_hosts.to_string()))
                (metric("manual steps", &|r| r.manual_steps.to_string()))
                tr {
                    th { "plan digest" }
                    @for e in entries {
                        td class=(class(e)) {
                            @match &e.plan {
                                Some(p) => code title=(p.digest) { (short_digest(&p.digest)) },
                                None => "–",
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `sha256:feb76d46b056…`: enough to tell plans apart in a table; the full one is its title.
fn short_digest(digest: &str) -> String {
    let keep = digest.find(':').map_or(12, |colon| colon + 13);
    match digest.char_indices().nth(keep) {
        Some((at, _)) => format!("{}…", &digest[..at]),
        None => digest.to_owned(),
    }
}

fn scenario_details(
    input: &ComparePage<'_>,
    entry: &ScenarioEntry,
    simulated: Option<&Simulated<'_>>,
    review: Option<&ScenarioReview<'_>>,
) -> Markup {
    let report = input.report;
    let recommended = Some(entry.scenario) == report.recommended;
    html! {
        details.scenario open[recommended] data-scenario=(entry.scenario) {
            summary { (entry.scenario) " — " (verdict_word(report, entry)) }
            @if !entry.excluded_by.is_empty() {
                ul.bad { @for why in &entry.excluded_by { li { "Passed over: " (why) } } }
            }
            @if !entry.risk_notes.is_empty() {
                ul.risks { @for note in &entry.risk_notes { li { "Risk: " (note) } } }
            }
            @if let Some(plan) = &entry.plan { (plan_facts(plan)) }
            @if let Some(s) = simulated {
                @let own = Scale::new(s.timeline.end_s);
                h3 { "Timeline" }
                (gantt(&s.timeline, &own, input.secrets, s.timeline.steps().count() <= OPEN_STEPS))
                h3 { "Capabilities" }
                (own.axis("capability"))
                (bands(&s.timeline, &own, None))
            }
            @if let Some(r) = review {
                h3 { "Proof" }
                (verdict(&r.verdict))
            }
            h3 { "Pre-flight check" }
            @if entry.usable {
                (findings(review.map_or(&[][..], |r| r.findings)))
            } @else {
                (findings(&entry.findings))
            }
        }
    }
}
