//! Partial-order reduction loses nothing: with and without it, every plan (the planner's own and
//! broken edits of them) gives the same violations, capabilities, degraded windows, final states
//! and goals; only the number of states differs.

mod common;

use std::collections::BTreeSet;

use common::*;
use stackhop_catalog::Scenario;
use stackhop_model::Action;
use stackhop_plan::{Plan, PlanError, make_plan};
use stackhop_verify::{CapabilityReport, VerifyOptions, VerifyReport, verify_with};

/// What a report says about the plan, as opposed to how the exploration went.
#[derive(Debug, PartialEq, Eq)]
struct Verdict {
    invariants: BTreeSet<String>,
    capabilities: Vec<(String, CapabilityReport)>,
    degraded: Vec<(String, Vec<String>)>,
    goal_reached: bool,
    unmet_goals: Vec<String>,
    final_states: usize,
}

fn verdict(r: &VerifyReport) -> Verdict {
    Verdict {
        invariants: r.violations.iter().map(|v| v.invariant.clone()).collect(),
        capabilities: r
            .capabilities
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        degraded: r
            .degraded
            .iter()
            .map(|d| (d.invariant.clone(), d.phases.clone()))
            .collect(),
        goal_reached: r.goal_reached,
        unmet_goals: r.unmet_goals.clone(),
        final_states: r.final_states,
    }
}

fn both(name: &str, plan: &Plan) -> (VerifyReport, VerifyReport) {
    let (inventory, _) = example(name);
    let t = transition(&inventory);
    let options = |partial_order| VerifyOptions {
        partial_order,
        // The proof alone, to the end.
        quick_search_after: usize::MAX,
        ..VerifyOptions::default()
    };
    let run = |partial_order| {
        verify_with(t, &inventory, plan, &options(partial_order)).unwrap_or_else(|e| panic!("{e}"))
    };
    (run(true), run(false))
}

fn plans(name: &str) -> Vec<(String, Plan)> {
    let (inventory, source) = example(name);
    let t = transition(&inventory);
    let mut out = Vec::new();
    for scenario in Scenario::ALL {
        match make_plan(t, &inventory, name, source, scenario) {
            Ok(plan) => out.push((format!("{name} {scenario}"), plan)),
            Err(PlanError::Refused { .. }) => {}
            Err(e) => panic!("{e}"),
        }
    }
    out
}

/// Broken edits whose every order can be explored without the reduction too (a phase left
/// unordered cannot: its steps multiply with everything else the cloud's hosts do).
fn edits(plan: &Plan) -> Vec<(&'static str, Plan)> {
    let pin = find(plan, "the pin", |s| sets_key(s, "compute"));
    let utf8 = find(plan, "the conversion", |s| {
        matches!(s.action, Action::ConvertUtf8 { .. })
    });
    let sync = find(
        plan,
        "the nova sync",
        |s| matches!(&s.action, Action::SyncDatabase { project } if project == "nova"),
    );
    let first = plan.steps[0].id.clone();
    vec![
        ("the pin removed", without(plan, &pin)),
        ("glance's conversion removed", without(plan, &utf8)),
        ("the nova sync first", move_after(plan, &sync, &first)),
    ]
}

#[test]
fn with_and_without_the_reduction_every_plan_gets_the_same_verdict() {
    let mut cases: Vec<(String, &str, Plan)> = Vec::new();
    for name in ["small", "lab", "zed"] {
        for (what, plan) in plans(name) {
            if name == "small" && what.ends_with("live-compute") {
                for (edit, edited) in edits(&plan) {
                    cases.push((format!("{what}, {edit}"), name, edited));
                }
            }
            cases.push((what, name, plan));
        }
    }
    let mut fewer = 0;
    for (what, name, plan) in &cases {
        let (reduced, full) = both(name, plan);
        assert!(reduced.complete && full.complete, "{what}");
        assert_eq!(verdict(&reduced), verdict(&full), "{what}");
        assert!(reduced.states <= full.states, "{what}");
        if reduced.states < full.states {
            fewer += 1;
        }
    }
    // It does something: most plans run a repository install or an upgrade beside other steps.
    assert!(fewer * 2 > cases.len(), "{fewer} of {}", cases.len());
}
