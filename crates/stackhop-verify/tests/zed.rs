//! The second transition, Zed → 2023.1 with the debian-venv profile, through the same planner
//! and verifier: the lab's live plan verifies, and the edits an operator could make to it by
//! hand are caught with the rule they break.

mod common;

use common::*;
use stackhop_catalog::Scenario;
use stackhop_model::Action;
use stackhop_plan::{Plan, PlanError, make_plan};
use stackhop_verify::{VerifyReport, verify};

fn lab_plan(scenario: Scenario) -> Plan {
    let (inventory, source) = example("lab");
    make_plan(transition(&inventory), &inventory, "lab", source, scenario)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn run(plan: &Plan) -> VerifyReport {
    let (inventory, _) = example("lab");
    verify(transition(&inventory), &inventory, plan).unwrap_or_else(|e| panic!("{e}"))
}

fn step<'p>(plan: &'p Plan, id: &str) -> &'p stackhop_plan::Step {
    plan.steps
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no step {id}"))
}

#[test]
fn the_lab_plans_verify_and_reach_the_goal() {
    for scenario in [
        Scenario::AllAtOnce,
        Scenario::ServiceByService,
        Scenario::LiveCompute,
    ] {
        let report = run(&lab_plan(scenario));
        assert!(report.verified, "{scenario}: {:#?}", report.violations);
        assert!(report.goal_reached, "{scenario}: {:?}", report.unmet_goals);
        assert_eq!(report.transition, "zed-2023.1/debian-venv");
    }
}

#[test]
fn the_lab_cannot_use_a_parallel_deployment_without_spares() {
    let (inventory, source) = example("lab");
    let refused = make_plan(
        transition(&inventory),
        &inventory,
        "lab",
        source,
        Scenario::ParallelCompute,
    );
    match refused {
        Err(PlanError::Refused { findings, .. }) => {
            assert!(
                findings.iter().any(|f| f.id == "parallel-no-spare"),
                "{findings:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_live_plan_is_placement_then_the_gate_then_controllers_then_computes() {
    let plan = lab_plan(Scenario::LiveCompute);
    let position = |id: &str| {
        plan.steps
            .iter()
            .position(|s| s.id == id)
            .unwrap_or(usize::MAX)
    };
    let order = [
        "placement.start",
        "nova.upgrade_check",
        "nova-controllers.stop",
        "nova.sync",
        "nova-controllers.set.compute",
        "nova-controllers.start",
        "nova-computes.canary.stop",
        "nova-computes.canary.set.compute_driver",
        "nova-computes.canary.start",
        "nova-computes.b02.enable",
        "unpin.restart",
        "nova.online_migrations",
    ];
    for pair in order.windows(2) {
        assert!(position(pair[0]) < position(pair[1]), "{pair:?}");
    }
    // `compute = auto` is the lasting setting: nothing removes it.
    assert!(
        !plan.steps.iter().any(|s| unsets_key(s, "compute")),
        "the pin is removed"
    );
    let sync = step(&plan, "nova.sync");
    assert!(
        sync.commands[0].ends_with("api_db sync"),
        "{:?}",
        sync.commands
    );
    assert!(
        sync.commands[1].ends_with(" db sync"),
        "{:?}",
        sync.commands
    );
}

fn broken_cases() -> Vec<(&'static str, Plan, &'static str)> {
    let plan = lab_plan(Scenario::LiveCompute);
    let before_gate = step(&plan, "nova.upgrade_check").after[0].clone();
    vec![
        (
            "the controllers' pin removed",
            without(&plan, "nova-controllers.set.compute"),
            "compute_rpc_compatible",
        ),
        (
            "a compute upgraded before the conductor",
            move_chain(
                &plan,
                "nova-computes.canary.disable",
                "nova-computes.canary.enable",
                &before_gate,
            ),
            "conductor_not_older_than_compute",
        ),
        (
            "online data migrations before the last compute",
            move_after(
                &plan,
                "nova.online_migrations",
                "nova-computes.canary.enable",
            ),
            "online_migrations_after_last_service",
        ),
        (
            "the gate run while placement is stopped",
            move_after(&plan, "nova.upgrade_check", "placement.stop"),
            "upgrade_check_passes",
        ),
        (
            "the driver class switched before the compute stops",
            move_after(
                &plan,
                "nova-computes.canary.set.compute_driver",
                "nova-computes.canary.disable",
            ),
            "fake_driver_exists",
        ),
        (
            "the driver class never switched",
            without_all(&plan, |s| sets_key(s, "compute_driver")),
            "fake_driver_keeps_node_identity",
        ),
        (
            "the nova database never synced",
            without(&plan, "nova.sync"),
            "schema_matches_code",
        ),
        (
            "placement started before its database is synced",
            move_after(&plan, "placement.sync", "placement.start"),
            "schema_matches_code",
        ),
    ]
}

#[test]
fn broken_edits_of_the_lab_plan_are_caught_with_the_right_invariant() {
    for (what, plan, invariant) in broken_cases() {
        let report = run(&plan);
        assert!(!report.verified, "{what}: verified");
        let Some(v) = report.violations.iter().find(|v| v.invariant == invariant) else {
            panic!("{what}: expected {invariant}, got {:#?}", report.violations);
        };
        assert!(!v.trace.is_empty() && !v.hosts.is_empty(), "{what}: {v:?}");
    }
}

#[test]
fn skipping_the_online_migrations_leaves_the_upgrade_unfinished() {
    let plan = without(&lab_plan(Scenario::LiveCompute), "nova.online_migrations");
    let report = run(&plan);
    assert!(report.verified, "{:#?}", report.violations);
    assert!(!report.goal_reached);
    assert!(
        report
            .unmet_goals
            .iter()
            .any(|g| g.contains("online data migrations")),
        "{:?}",
        report.unmet_goals
    );
}

#[test]
fn harmless_edits_of_the_lab_plan_still_verify() {
    let plan = lab_plan(Scenario::LiveCompute);
    let cases: Vec<(&str, Plan)> = vec![
        (
            "health checks removed",
            without_all(&plan, |s| matches!(s.action, Action::HealthCheck { .. })),
        ),
        ("the backup removed", without(&plan, "prepare.backup")),
        (
            "the controllers' restart after the last compute removed",
            without(&plan, "unpin.restart"),
        ),
    ];
    for (what, plan) in cases {
        let report = run(&plan);
        assert!(report.verified, "{what}: {:#?}", report.violations);
        assert!(report.goal_reached, "{what}: {:?}", report.unmet_goals);
    }
}

#[test]
fn a_compute_older_than_yoga_is_refused_before_planning() {
    let (_, source) = example("lab");
    let text = source.replace("nova_version: 26.2.2", "nova_version: 24.2.0");
    let inventory = parse(&text, "old-lab.yaml");
    let refused = make_plan(
        transition(&inventory),
        &inventory,
        "old-lab.yaml",
        &text,
        Scenario::LiveCompute,
    );
    match refused {
        Err(PlanError::Refused { findings, .. }) => {
            assert!(
                findings.iter().any(|f| f.id == "compute-older-than-yoga"),
                "{findings:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn without_the_pin_a_yoga_compute_is_still_reached() {
    // `auto` follows the oldest compute: with one compute on Yoga the controllers speak 6.0.
    let (_, source) = example("lab");
    let text = source.replacen("nova_version: 26.2.2", "nova_version: 25.2.1", 1);
    let inventory = parse(&text, "yoga-lab.yaml");
    let plan = make_plan(
        transition(&inventory),
        &inventory,
        "yoga-lab.yaml",
        &text,
        Scenario::LiveCompute,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let report =
        verify(transition(&inventory), &inventory, &plan).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.verified, "{:#?}", report.violations);
    assert!(report.goal_reached, "{:?}", report.unmet_goals);
}

#[test]
#[ignore = "prints what verify says about each broken edit, for people to read"]
fn print_broken_cases() {
    for (what, plan, _) in broken_cases() {
        let report = run(&plan);
        println!("== {what}: {} states", report.states);
        for v in &report.violations {
            println!(
                "  {} at `{}` on {}: {}\n    {}",
                v.invariant, v.step, v.hosts, v.message, v.differs
            );
        }
    }
}

#[test]
fn a_restart_of_the_only_controller_is_a_short_outage_verify_reports() {
    // After the last compute the controllers restart; with one controller, the API is gone
    // until it is back, which the lab's probe sees (lab/e2e.sh).
    let report = run(&lab_plan(Scenario::LiveCompute));
    let api = &report.capabilities["compute_api"];
    assert_eq!(api.unavailable_during, ["nova-controllers", "unpin"]);
    let without = run(&without(&lab_plan(Scenario::LiveCompute), "unpin.restart"));
    assert_eq!(
        without.capabilities["compute_api"].unavailable_during,
        ["nova-controllers"]
    );
}
