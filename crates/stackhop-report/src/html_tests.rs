//! The HTML pages and the trace over the built-in examples and over runs that went wrong: every
//! phase, step and capability drawn, bars inside their charts, outcomes and the critical path
//! marked, commands masked, the same bytes for the same input.

use std::collections::{BTreeMap, BTreeSet};

use stackhop_catalog::{Finding, Scenario, Transition};
use stackhop_inventory::Inventory;
use stackhop_plan::{Plan, PlanError, check, make_plan};
use stackhop_sim::{Constraints, Fault, SimOptions, SimReport, Workload, compare, simulate};
use stackhop_verify::verify;

use crate::tests::example;
use crate::{
    ComparePage, MASK, ScenarioReview, SimulatePage, Span, StepOutcome, Timeline, Verdict,
    compare_html, compare_trace, simulate_html, simulate_trace,
};

/// The width every chart's `viewBox` has.
const CHART_WIDTH: f64 = 1100.0;

struct Run {
    inventory: Inventory,
    transition: &'static dyn Transition,
    plan: Plan,
    report: SimReport,
}

fn run(name: &str, scenario: Scenario, faults: Vec<Fault>) -> Option<Run> {
    let (inventory, transition, source) = example(name);
    let plan = match make_plan(transition, &inventory, name, source, scenario) {
        Ok(plan) => plan,
        Err(PlanError::Refused { .. }) => return None,
        Err(other) => panic!("{name} {scenario}: {other}"),
    };
    let options = SimOptions {
        faults,
        ..SimOptions::seeded(3)
    };
    let report = simulate(transition, &inventory, &plan, &options)
        .unwrap_or_else(|e| panic!("{name} {scenario}: {e}"));
    Some(Run {
        inventory,
        transition,
        plan,
        report,
    })
}

fn page(run: &Run, findings: &[Finding], verdict: Verdict<'_>, secrets: &[String]) -> String {
    simulate_html(&SimulatePage {
        plan: &run.plan,
        report: &run.report,
        findings,
        verdict,
        secrets,
    })
}

/// The value of `name="…"` in a tag's text.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[start..].find('"')? + start;
    Some(&tag[start..end])
}

/// Every opening tag `<name …>` of the page, as its text.
fn tags<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name} ");
    html.match_indices(&open)
        .filter_map(|(at, _)| html[at..].find('>').map(|end| &html[at..at + end]))
        .collect()
}

fn number(tag: &str, name: &str) -> f64 {
    attribute(tag, name)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no number {name} in {tag}"))
}

/// Asserts that every rectangle lies within the charts' width and that every phase, step and
/// capability of the run is drawn once; returns the step bars' classes by step id.
fn assert_drawn(what: &str, html: &str, run: &Run) -> BTreeMap<String, String> {
    for rect in tags(html, "rect") {
        let (x, w) = (number(rect, "x"), number(rect, "width"));
        assert!(
            x >= 0.0 && w >= 0.0 && x + w <= CHART_WIDTH,
            "{what}: {rect}"
        );
    }
    let phases: BTreeSet<&str> = tags(html, "details")
        .into_iter()
        .filter_map(|t| attribute(t, "data-phase"))
        .collect();
    let planned: BTreeSet<&str> = run.plan.steps.iter().map(|s| s.phase.as_str()).collect();
    assert_eq!(phases, planned, "{what}: a row per phase");
    let rows: Vec<&str> = tags(html, "g")
        .into_iter()
        .filter_map(|t| attribute(t, "data-step"))
        .collect();
    assert_eq!(rows.len(), run.plan.steps.len(), "{what}: a row per step");
    let capabilities: Vec<&str> = tags(html, "g")
        .into_iter()
        .filter_map(|t| attribute(t, "data-capability"))
        .collect();
    let offered: Vec<&str> = run.report.capabilities.iter().map(|(n, _)| n).collect();
    assert_eq!(capabilities, offered, "{what}: a band per capability");
    tags(html, "rect")
        .into_iter()
        .filter(|t| attribute(t, "class").is_some_and(|c| c.starts_with("bar step ")))
        .filter_map(|t| {
            Some((
                attribute(t, "data-step")?.to_owned(),
                attribute(t, "class")?.to_owned(),
            ))
        })
        .collect()
}

#[test]
fn every_example_page_draws_every_phase_step_and_capability_within_its_charts() {
    for name in ["allinone", "small", "medium", "lab", "zed"] {
        for scenario in Scenario::ALL {
            let Some(run) = run(name, scenario, Vec::new()) else {
                continue;
            };
            let what = format!("{name} {scenario}");
            let html = page(&run, &[], Verdict::NotRun("not asked"), &[]);
            assert!(html.starts_with("<!DOCTYPE html>"), "{what}");
            for loads in ["<script", " src=", "<link", "@import", "url("] {
                assert!(!html.contains(loads), "{what}: loads nothing ({loads})");
            }
            let bars = assert_drawn(&what, &html, &run);
            assert_eq!(
                bars.len(),
                run.report.steps.len(),
                "{what}: a bar per step that ran"
            );
            assert!(bars.values().all(|c| c.contains("succeeded")), "{what}");
            assert_eq!(
                html,
                page(&run, &[], Verdict::NotRun("not asked"), &[]),
                "{what}"
            );
        }
    }
}

#[test]
fn a_failed_step_is_drawn_failed_the_steps_after_it_not_run() {
    let faults = vec![Fault::Step {
        pattern: "nova.sync".into(),
        probability: 1.0,
    }];
    let Some(run) = run("medium", Scenario::ServiceByService, faults) else {
        panic!("medium plans service-by-service");
    };
    let html = page(&run, &[], Verdict::NotRun("not asked"), &[]);
    let bars = assert_drawn("faulted", &html, &run);
    assert_eq!(bars["nova.sync"], "bar step failed on-path", "{html}");
    assert!(html.contains("data-outcome=\"stopped\""));
    let not_run = tags(&html, "g")
        .into_iter()
        .filter(|t| attribute(t, "data-outcome") == Some("not_run"))
        .count();
    assert_eq!(not_run, run.report.outcome.remaining_steps.len());
    assert!(not_run > 0);
    let phase = tags(&html, "details")
        .into_iter()
        .find(|t| attribute(t, "data-phase") == Some("nova"))
        .and_then(|t| attribute(t, "data-outcome"));
    assert_eq!(phase, Some("failed"));
    assert!(
        html.contains("failed on: "),
        "the hosts that failed are named"
    );
}

#[test]
fn the_critical_path_runs_back_from_the_last_step_through_what_it_waited_for() {
    let Some(run) = run("medium", Scenario::LiveCompute, Vec::new()) else {
        panic!("medium plans live-compute");
    };
    let timeline = Timeline::simulated(&run.plan, &run.report);
    let path = timeline.critical_path();
    let last = run
        .report
        .steps
        .iter()
        .max_by_key(|s| s.end_s)
        .map(|s| s.id.as_str());
    assert!(last.is_some_and(|id| path.contains(id)), "{path:?}");
    let first = timeline
        .steps()
        .filter(|s| path.contains(s.id.as_str()))
        .find(|s| s.after.iter().all(|a| !path.contains(a.as_str())));
    assert!(
        first.is_some_and(|s| s.after.is_empty()),
        "the path starts at a step that waited for nothing"
    );
    // Each step of the path but the first started after one it waited for on the path ended.
    let spans: BTreeMap<&str, Span> = timeline
        .steps()
        .filter_map(|s| Some((s.id.as_str(), s.span?)))
        .collect();
    for step in timeline.steps().filter(|s| path.contains(s.id.as_str())) {
        if step.after.is_empty() {
            continue;
        }
        let gate = step
            .after
            .iter()
            .filter(|a| path.contains(a.as_str()))
            .filter_map(|a| spans.get(a.as_str()))
            .map(|s| s.end_s)
            .fold(f64::NAN, f64::max);
        let start = step.span.map_or(f64::NAN, |s| s.start_s);
        assert!(
            gate <= start,
            "{}: gated by the path ({gate} <= {start})",
            step.id
        );
    }
    let marked = tags(&page(&run, &[], Verdict::NotRun("-"), &[]), "rect")
        .into_iter()
        .filter(|t| attribute(t, "class").is_some_and(|c| c.ends_with(" on-path")))
        .count();
    assert_eq!(marked, path.len());
    let steps: usize = timeline.phases.iter().map(|p| p.steps.len()).sum();
    assert_eq!(steps, run.plan.steps.len());
    assert!(
        timeline
            .steps()
            .all(|s| s.outcome == StepOutcome::Succeeded)
    );
}

#[test]
fn the_page_shows_the_digest_the_findings_and_a_violation_with_its_trace() {
    let Some(mut run) = run("small", Scenario::LiveCompute, Vec::new()) else {
        panic!("small plans live-compute");
    };
    let findings = check(run.transition, &run.inventory, Scenario::LiveCompute);
    assert!(!findings.is_empty());
    let Some(pin) = run.plan.steps.iter().position(
        |s| matches!(&s.action, stackhop_model::Action::SetConfig { key, .. } if key == "compute"),
    ) else {
        panic!("no pin");
    };
    let removed = run.plan.steps.remove(pin);
    for s in &mut run.plan.steps {
        if s.after.contains(&removed.id) {
            s.after = removed.after.clone();
        }
    }
    let proof = verify(run.transition, &run.inventory, &run.plan).unwrap_or_else(|e| panic!("{e}"));
    let html = page(&run, &findings, Verdict::Explored(&proof), &[]);
    assert!(html.contains(&run.plan.digest));
    for f in &findings {
        assert!(
            html.contains(&format!("data-finding=\"{}\"", f.id)),
            "{}",
            f.id
        );
    }
    assert!(html.contains("data-verdict=\"not-verified\""));
    assert!(
        html.contains("Violation 1: <code>compute_rpc_compatible</code>"),
        "{html}"
    );
    assert!(html.contains("<ol class=\"trace\">"));
    let unfinished = page(&run, &findings, Verdict::Unfinished("too many states"), &[]);
    assert!(unfinished.contains("could not finish: too many states"));
}

#[test]
fn commands_are_masked_in_the_page_and_the_trace() {
    let Some(run) = run("small", Scenario::ServiceByService, Vec::new()) else {
        panic!("small plans service-by-service");
    };
    let secret = "keystone-manage";
    assert!(
        run.plan
            .steps
            .iter()
            .any(|s| s.commands.iter().any(|c| c.contains(secret)))
    );
    let secrets = vec![secret.to_owned()];
    let html = page(&run, &[], Verdict::NotRun("-"), &secrets);
    assert!(!html.contains(secret));
    assert!(html.contains(MASK));
    let trace = simulate_trace(&run.plan, &run.report, &secrets);
    assert!(!trace.contains(secret));
    assert!(trace.contains(MASK));
    let plain = page(&run, &[], Verdict::NotRun("-"), &[]);
    assert!(plain.contains(secret), "shown when not secret");
}

/// `(pid, tid)` → the complete events on that thread, `(ts, dur)`.
fn threads(trace: &serde_json::Value) -> BTreeMap<(u64, u64), Vec<(u64, u64)>> {
    let mut threads: BTreeMap<(u64, u64), Vec<(u64, u64)>> = BTreeMap::new();
    let events = trace["traceEvents"].as_array().cloned().unwrap_or_default();
    for e in events.iter().filter(|e| e["ph"] == "X") {
        let key = (
            e["pid"].as_u64().unwrap_or(0),
            e["tid"].as_u64().unwrap_or(0),
        );
        let span = (
            e["ts"].as_u64().unwrap_or(0),
            e["dur"].as_u64().unwrap_or(0),
        );
        threads.entry(key).or_default().push(span);
    }
    threads
}

#[test]
fn the_trace_has_phases_as_processes_and_hosts_as_threads_none_overlapping() {
    let Some(run) = run("medium", Scenario::LiveCompute, Vec::new()) else {
        panic!("medium plans live-compute");
    };
    let text = simulate_trace(&run.plan, &run.report, &[]);
    assert_eq!(text, simulate_trace(&run.plan, &run.report, &[]));
    let trace: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let events = trace["traceEvents"].as_array().cloned().unwrap_or_default();
    let names = |meta: &str| -> BTreeSet<String> {
        events
            .iter()
            .filter(|e| e["name"] == meta)
            .filter_map(|e| e["args"]["name"].as_str().map(str::to_owned))
            .collect()
    };
    let processes = names("process_name");
    for p in &run.report.phases {
        assert!(processes.contains(&p.name), "{}", p.name);
    }
    assert!(processes.contains("capabilities down"));
    let hosts = names("thread_name");
    for h in &run.report.hosts {
        assert!(hosts.contains(&h.host), "{}", h.host);
    }
    let host_events = events.iter().filter(|e| e["cat"] == "host").count();
    assert_eq!(host_events, run.report.hosts.len());
    for ((pid, tid), mut spans) in threads(&trace) {
        spans.sort_unstable();
        for pair in spans.windows(2) {
            assert!(pair[0].0 + pair[0].1 <= pair[1].0, "{pid}/{tid}: {pair:?}");
        }
    }
    let most = events
        .iter()
        .filter(|e| e["ph"] == "C")
        .filter_map(|e| e["args"]["hosts"].as_i64())
        .max();
    assert!(
        most.is_some_and(|n| n > 1),
        "hosts run side by side: {most:?}"
    );
    assert!(
        events
            .iter()
            .filter(|e| e["ph"] == "C")
            .all(|e| e["args"]["hosts"].as_i64() >= Some(0))
    );
}

#[test]
fn the_comparison_page_stacks_the_bands_of_every_usable_scenario() {
    let (inventory, transition, source) = example("small");
    let report = compare(
        transition,
        &inventory,
        "small",
        source,
        5,
        &Workload::defaults(),
        &Constraints::default(),
    );
    let findings: Vec<(Scenario, Vec<Finding>)> = Scenario::ALL
        .into_iter()
        .map(|s| (s, check(transition, &inventory, s)))
        .collect();
    let reviews: Vec<ScenarioReview<'_>> = findings
        .iter()
        .map(|(scenario, findings)| ScenarioReview {
            scenario: *scenario,
            findings,
            verdict: Verdict::NotRun("not asked"),
        })
        .collect();
    let input = ComparePage {
        report: &report,
        reviews: &reviews,
        secrets: &[],
    };
    let html = compare_html(&input);
    assert_eq!(html, compare_html(&input));
    let usable = report.scenarios.iter().filter(|e| e.usable).count();
    assert_eq!(usable, 3, "small has no spare host for parallel-compute");
    assert_eq!(
        html.matches("<svg class=\"chart bands stacked\"").count(),
        usable
    );
    assert!(html.contains("class=\"note unusable\" data-scenario=\"parallel-compute\""));
    let recommended = report
        .recommended
        .map(|s| s.to_string())
        .unwrap_or_default();
    assert!(html.contains(&format!("data-recommended=\"{recommended}\"")));
    assert!(html.contains(&report.reason.replace('\'', "&#39;")) || html.contains(&report.reason));
    for rect in tags(&html, "rect") {
        let (x, w) = (number(rect, "x"), number(rect, "width"));
        assert!(x >= 0.0 && x + w <= CHART_WIDTH, "{rect}");
    }
    let trace: serde_json::Value =
        serde_json::from_str(&compare_trace(&report, &[])).unwrap_or_else(|e| panic!("{e}"));
    let processes = trace["traceEvents"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .filter(|e| e["name"] == "process_name")
                .count()
        })
        .unwrap_or(0);
    assert!(
        processes > 3 * 5,
        "each usable scenario's phases: {processes}"
    );
}
