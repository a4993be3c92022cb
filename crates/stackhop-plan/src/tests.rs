//! Every built-in example × scenario: the plan, run step by step in one topological order through
//! the transition function, reaches the goal without breaking a hard invariant.

use std::collections::BTreeMap;

use stackhop_catalog::{Scenario, Transition, find, vocabulary};
use stackhop_inventory::{Inventory, examples};
use stackhop_model::{Class, View, apply, check_invariants, unmet_goals};

use crate::{Plan, make_plan};

fn load(name: &str) -> (Inventory, &'static str, &'static dyn Transition) {
    let source = examples::source(name)
        .or_else(|| EDGE_CASES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s))
        .unwrap_or_default();
    let inventory =
        stackhop_inventory::parse(source, name, &vocabulary()).unwrap_or_else(|e| panic!("{e}"));
    let transition = find(&inventory.release, &inventory.profile).expect("transition");
    (inventory, source, transition)
}

fn plan(name: &str, scenario: Scenario) -> Option<Plan> {
    let (inventory, source, transition) = load(name);
    make_plan(transition, &inventory, name, source, scenario).ok()
}

/// Runs the plan in its topological order, one host at a time, checking every state.
fn run(name: &str, plan: &Plan) {
    let (inventory, _, transition) = load(name);
    let rules = transition.rules(&inventory);
    let mut state = transition.initial_state(&inventory, &rules);
    let index: BTreeMap<&str, u32> = inventory
        .hosts
        .iter()
        .enumerate()
        .map(|(i, h)| (h.name.as_str(), u32::try_from(i).unwrap_or(0)))
        .collect();
    let order = plan.topological_order().expect("a DAG");
    for i in order {
        let step = &plan.steps[i];
        for host in &step.hosts {
            let id = index[host.as_str()];
            state = apply(&rules, &state, &step.action, &[id]).unwrap_or_else(|e| {
                panic!("{name} {}: step {} refused: {e}", plan.scenario, step.id)
            });
            let view = View::of(&rules, &state);
            let hard: Vec<_> = check_invariants(&view)
                .into_iter()
                .filter(|v| v.class == Class::Hard)
                .collect();
            assert!(
                hard.is_empty(),
                "{name} {}: after {} on {host}: {hard:#?}",
                plan.scenario,
                step.id
            );
        }
    }
    let view = View::of(&rules, &state);
    let unmet = unmet_goals(&view);
    assert!(
        unmet.is_empty(),
        "{name} {}: goal not reached: {unmet:#?}",
        plan.scenario
    );
}

#[test]
fn every_example_and_scenario_reaches_the_goal_safely() {
    let mut planned = 0;
    for name in examples::NAMES {
        for scenario in Scenario::ALL {
            let Some(plan) = plan(name, scenario) else {
                continue;
            };
            run(name, &plan);
            planned += 1;
        }
    }
    // allinone, small and medium in every scenario they allow; large in all four.
    assert!(planned >= 12, "only {planned} plans");
}

/// Shapes the examples do not have: one spare host, a controller that is also a compute, qpid
/// and nova-network.
const EDGE_CASES: &[(&str, &str)] = &[
    (
        "one-spare",
        "name: one-spare\nrelease: havana\nrpc_backend: qpid\nhosts:\n  - name: ctl1\n    roles: [controller]\n    os: centos-6.5\n  - name: cmp[1:2]\n    roles: [compute]\n    os: centos-6.5\n    instances: 3\n  - name: spare1\n    roles: [spare]\n    os: centos-6.5\n",
    ),
    (
        "aio-plus",
        "name: aio-plus\nrelease: havana\nhosts:\n  - name: aio\n    roles: [all-in-one]\n    os: centos-6.5\n    instances: 2\n  - name: cmp1\n    roles: [compute]\n    os: centos-6.5\n    instances: 2\n  - name: spare[1:2]\n    roles: [spare]\n    os: centos-6.5\n",
    ),
    (
        "nova-network",
        "name: nn\nrelease: havana\nnetwork: nova-network\noptions:\n  allow_migrations: true\n  compute_batch: 2\nhosts:\n  - name: ctl1\n    roles: [controller]\n    os: centos-6.5\n  - name: cmp[1:5]\n    roles: [compute]\n    os: centos-6.5\n    instances: 1\n  - name: spare1\n    roles: [spare]\n    os: centos-6.5\n",
    ),
    ("nn-live", nova_network::SOURCE),
];

#[test]
fn edge_cases_reach_the_goal_safely() {
    for (name, _) in EDGE_CASES {
        for scenario in Scenario::ALL {
            let plan = plan(name, scenario).unwrap_or_else(|| panic!("{name} {scenario} refused"));
            run(name, &plan);
        }
    }
}

#[test]
fn scenarios_the_check_refuses_are_not_planned() {
    assert!(
        plan("small", Scenario::ParallelCompute).is_none(),
        "small has no spare host"
    );
    assert!(plan("medium", Scenario::ParallelCompute).is_some());
}

#[test]
fn the_same_input_gives_the_same_plan() {
    for scenario in Scenario::ALL {
        let a = plan("medium", scenario).map(|p| p.to_json());
        let b = plan("medium", scenario).map(|p| p.to_json());
        assert_eq!(a, b);
    }
}

fn ids_with(plan: &Plan, f: impl Fn(&crate::Step) -> bool) -> Vec<&str> {
    plan.steps
        .iter()
        .filter(|s| f(s))
        .map(|s| s.id.as_str())
        .collect()
}

fn kind(step: &crate::Step) -> &'static str {
    step.action.kind().as_str()
}

fn project_of(step: &crate::Step) -> Option<String> {
    serde_json::to_value(&step.action).ok().and_then(|v| {
        v.get("project")
            .or_else(|| v.get("service"))
            .and_then(|p| p.as_str().map(str::to_owned))
    })
}

fn all_before(plan: &Plan, first: &[&str], then: &[&str], what: &str) {
    assert!(
        !first.is_empty() && !then.is_empty(),
        "{}: {what}: nothing to compare",
        plan.scenario
    );
    for a in first {
        for b in then {
            assert!(
                plan.precedes(a, b),
                "{}: {what}: {a} must come before {b}",
                plan.scenario
            );
        }
    }
}

#[test]
fn nova_api_is_icehouse_before_neutron_sends_events() {
    for scenario in [
        Scenario::ServiceByService,
        Scenario::LiveCompute,
        Scenario::ParallelCompute,
    ] {
        let plan = plan("medium", scenario).expect("plan");
        let notify_on = ids_with(&plan, |s| {
            matches!(&s.action, stackhop_model::Action::SetConfig { key, value, .. }
                if key == "notify_nova_on_port_status_changes" && value == "True")
        });
        // The API that will receive the events has its Icehouse code: upgraded in place, or
        // provisioned new.
        let api_icehouse = ids_with(&plan, |s| {
            (kind(s) == "upgrade_packages"
                && s.hosts.iter().any(|h| h == "ctl1")
                && project_of(s).as_deref() == Some("nova"))
                || kind(s) == "provision_host"
        });
        // And no Havana API runs when events start: stopped or retargeted.
        let havana_api_stopped = ids_with(&plan, |s| {
            (kind(s) == "stop_service"
                && s.hosts.iter().any(|h| h == "ctl1")
                && project_of(s).as_deref() == Some("nova"))
                || matches!(&s.action, stackhop_model::Action::SetConfig { key, .. } if key == "nova_region_name")
        });
        assert!(!notify_on.is_empty(), "{scenario}: events never turned on");
        for n in &notify_on {
            assert!(
                api_icehouse.iter().any(|a| plan.precedes(a, n)),
                "{scenario}: {n} before the API is Icehouse"
            );
            assert!(
                havana_api_stopped.iter().any(|a| plan.precedes(a, n)),
                "{scenario}: {n} while a Havana API takes events"
            );
        }
    }
}

#[test]
fn no_compute_runs_icehouse_before_the_conductor() {
    let plan = plan("medium", Scenario::LiveCompute).expect("plan");
    let ctl_start = ids_with(&plan, |s| s.id == "nova-controllers.start");
    let compute_starts = ids_with(&plan, |s| {
        s.phase == "nova-computes" && kind(s) == "start_service"
    });
    all_before(
        &plan,
        &ctl_start,
        &compute_starts,
        "conductor before computes",
    );
}

#[test]
fn the_pin_is_in_place_before_icehouse_controllers_start_and_removed_after_the_last_compute() {
    let plan = plan("medium", Scenario::LiveCompute).expect("plan");
    let pin = ids_with(
        &plan,
        |s| matches!(&s.action, stackhop_model::Action::SetConfig { section, key, .. } if section == "upgrade_levels" && key == "compute"),
    );
    let unpin = ids_with(
        &plan,
        |s| matches!(&s.action, stackhop_model::Action::DeleteConfig { section, key, .. } if section == "upgrade_levels" && key == "compute"),
    );
    all_before(
        &plan,
        &pin,
        &["nova-controllers.start"],
        "pin before controllers start",
    );
    let last_compute = ids_with(&plan, |s| {
        s.phase == "nova-computes" && kind(s) == "enable_compute"
    });
    all_before(&plan, &last_compute, &unpin, "unpin after the last compute");
}

#[test]
fn keystone_migrates_first_in_all_at_once() {
    let plan = plan("medium", Scenario::AllAtOnce).expect("plan");
    let syncs = ids_with(&plan, |s| kind(s) == "sync_database");
    assert_eq!(syncs.first(), Some(&"keystone.sync"));
    let others: Vec<&str> = syncs
        .iter()
        .copied()
        .filter(|s| *s != "keystone.sync")
        .collect();
    all_before(&plan, &["keystone.sync"], &others, "keystone's sync first");
}

#[test]
fn tokens_are_flushed_and_glance_converted_before_their_syncs() {
    for scenario in Scenario::ALL {
        let Some(plan) = plan("medium", scenario) else {
            continue;
        };
        all_before(
            &plan,
            &["keystone.flush_tokens"],
            &["keystone.sync"],
            "flush before keystone sync",
        );
        all_before(
            &plan,
            &["glance.convert_utf8"],
            &["glance.sync"],
            "utf8 before glance sync",
        );
    }
}

mod nova_network;
