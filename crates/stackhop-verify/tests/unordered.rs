//! The planner's live-compute plan for the `medium` cloud (40 computes), with most of its
//! ordering removed the way a hurried operator might: every one is caught with the right
//! invariant and a trace, although none of them can be explored completely.

mod common;

use common::*;
use stackhop_catalog::Scenario;
use stackhop_plan::{Plan, Step, make_plan};
use stackhop_verify::{Limit, VerifyReport, verify_plan_json};

fn live() -> Plan {
    let (inventory, source) = example("medium");
    make_plan(
        transition(&inventory),
        &inventory,
        "medium",
        source,
        Scenario::LiveCompute,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Verifies the edited plan as `stackhop verify --plan` reads it once the operator has resealed
/// it (only `after` lists change here, so the commands are still the catalog's).
fn run(plan: &Plan) -> VerifyReport {
    let mut sealed = plan.clone();
    sealed.seal();
    verify_plan_json(&sealed.to_json(), "edited.json").unwrap_or_else(|e| panic!("{e}"))
}

/// A step of the computes' phase that acts on computes only (not the canary's boot check).
fn on_computes(step: &Step, computes: &[String]) -> bool {
    step.phase == "nova-computes" && step.hosts.iter().all(|h| computes.contains(h))
}

/// The edit: every step on the computes (disable, stop, upgrade, config, start, enable)
/// waits for nothing.
fn compute_steps_unordered(plan: &Plan) -> Plan {
    let computes = computes(&example("medium").0);
    let mut edited = plan.clone();
    for s in edited
        .steps
        .iter_mut()
        .filter(|s| on_computes(s, &computes))
    {
        s.after.clear();
    }
    edited
}

/// Every `after` list of one phase cleared.
fn phase_unordered(plan: &Plan, phase: &str) -> Plan {
    let mut edited = plan.clone();
    let mut cleared = 0;
    for s in edited.steps.iter_mut().filter(|s| s.phase == phase) {
        s.after.clear();
        cleared += 1;
    }
    assert!(cleared > 2, "{phase}: {cleared} steps");
    edited
}

/// The computes' phase starts when the controllers' does, rather than after it and Neutron.
fn computes_beside_controllers(plan: &Plan) -> Plan {
    let mut edited = plan.clone();
    let first = |phase: &str| {
        edited
            .steps
            .iter()
            .position(|s| s.phase == phase)
            .unwrap_or_else(|| panic!("no {phase}"))
    };
    let (controllers, computes) = (first("nova-controllers"), first("nova-computes"));
    edited.steps[computes].after = edited.steps[controllers].after.clone();
    edited
}

/// The canary and every batch merged: one step per action on all computes, and no order among
/// those steps (each waits only for what the canary's first step waited for).
fn batches_merged(plan: &Plan) -> Plan {
    let hosts = computes(&example("medium").0);
    let batch: Vec<&Step> = plan
        .steps
        .iter()
        .filter(|s| on_computes(s, &hosts))
        .collect();
    let first_after = batch[0].after.clone();
    let mut merged: Vec<Step> = Vec::new();
    let mut renamed: Vec<(String, String)> = Vec::new();
    for s in &batch {
        // `nova-computes.b03.set.vif_plugging_timeout` → `set.vif_plugging_timeout`.
        let action = s.id.splitn(3, '.').nth(2).unwrap_or_default().to_owned();
        let id = format!("nova-computes.all.{action}");
        renamed.push((s.id.clone(), id.clone()));
        if merged.iter().all(|m| m.id != id) {
            let mut step = (*s).clone();
            step.id = id;
            step.hosts = hosts.clone();
            step.after = first_after.clone();
            merged.push(step);
        }
    }
    let last = merged.last().map(|s| s.id.clone()).unwrap_or_default();
    let mut edited = plan.clone();
    let at = edited
        .steps
        .iter()
        .position(|s| s.id == batch[0].id)
        .unwrap_or(0);
    edited
        .steps
        .retain(|s| !renamed.iter().any(|(old, _)| *old == s.id));
    for (k, step) in merged.into_iter().enumerate() {
        edited.steps.insert(at + k, step);
    }
    for s in &mut edited.steps {
        for a in &mut s.after {
            if renamed.iter().any(|(old, _)| old == a) {
                a.clone_from(&last);
            }
        }
        s.after.dedup();
    }
    edited
}

/// Exit 1 with the right invariant and a trace, from an exploration that could not finish.
fn caught(plan: &Plan, invariant: &str) -> VerifyReport {
    let report = run(plan);
    assert!(!report.verified);
    let Some(v) = report.violations.iter().find(|v| v.invariant == invariant) else {
        panic!("expected {invariant}, got {:#?}", report.violations);
    };
    assert!(!v.trace.is_empty() && !v.hosts.is_empty(), "{v:?}");
    assert_eq!(v.trace.last(), Some(&v.step), "{v:?}");
    // Each has more states than the proof explores before it looks for a counterexample.
    assert!(!report.complete);
    assert_eq!(report.stopped_by, Some(Limit::Counterexample));
    report
}

#[test]
fn every_compute_step_unordered_starts_a_compute_before_its_conductor() {
    let report = caught(
        &compute_steps_unordered(&live()),
        "conductor_not_older_than_compute",
    );
    let v = report
        .violations
        .iter()
        .find(|v| v.invariant == "conductor_not_older_than_compute")
        .unwrap_or_else(|| panic!("{:#?}", report.violations));
    // The repositories, then the canary stopped, upgraded and started before any controller.
    assert_eq!(v.step, "nova-computes.canary.start");
    assert!(v.trace.len() <= 12, "{:?}", v.trace);
    assert!(
        !v.trace.iter().any(|s| s.starts_with("nova-controllers.")),
        "{:?}",
        v.trace
    );
    assert!(report.counterexample_search_states > 0);
}

#[test]
fn the_controllers_phase_unordered_syncs_under_running_code() {
    caught(
        &phase_unordered(&live(), "nova-controllers"),
        "schema_matches_code",
    );
}

#[test]
fn the_computes_beside_the_controllers_start_a_compute_before_its_conductor() {
    caught(
        &computes_beside_controllers(&live()),
        "conductor_not_older_than_compute",
    );
}

#[test]
fn every_batch_merged_and_unordered_starts_computes_that_wait_for_events() {
    caught(&batches_merged(&live()), "vif_events_deliverable");
}

#[test]
fn glances_phase_unordered_syncs_before_the_conversion() {
    caught(&phase_unordered(&live(), "glance"), "utf8_before_sync");
}

#[test]
fn neutrons_phase_unordered_syncs_under_running_code() {
    caught(&phase_unordered(&live(), "neutron"), "schema_matches_code");
}

#[test]
fn keystones_phase_unordered_syncs_under_running_code() {
    caught(&phase_unordered(&live(), "keystone"), "schema_matches_code");
}
