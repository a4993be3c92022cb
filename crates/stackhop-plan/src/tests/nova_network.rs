//! The live compute upgrade of a nova-network cloud is a rolling upgrade like the Neutron one:
//! the computes (with the nova-network each runs in multi-host mode) go canary first and in
//! batches after the controllers, and the network RPC cap holds while Havana nova-network does.

use stackhop_catalog::Scenario;
use stackhop_model::Action;

use super::{all_before, ids_with, kind, plan, run};
use crate::Plan;

pub(super) const SOURCE: &str = "name: nn-live\nrelease: havana\nnetwork: nova-network\noptions:\n  canary: 1\n  compute_batch: 2\nhosts:\n  - name: ctl1\n    roles: [controller]\n    os: centos-6.5\n  - name: net1\n    roles: [network]\n    os: centos-6.5\n  - name: cmp[1:5]\n    roles: [compute]\n    os: centos-6.5\n    instances: 2\n  - name: spare1\n    roles: [spare]\n    os: centos-6.5\n";

fn live_plan() -> Plan {
    plan("nn-live", Scenario::LiveCompute).expect("plan")
}

fn hosts_of<'p>(plan: &'p Plan, id: &str) -> &'p [String] {
    plan.steps
        .iter()
        .find(|s| s.id == id)
        .map_or(&[][..], |s| s.hosts.as_slice())
}

fn is_network_pin(step: &crate::Step, set: bool) -> bool {
    match &step.action {
        Action::SetConfig { section, key, .. } => {
            set && section == "upgrade_levels" && key == "network"
        }
        Action::DeleteConfig { section, key, .. } => {
            !set && section == "upgrade_levels" && key == "network"
        }
        _ => false,
    }
}

#[test]
fn the_computes_roll_in_batches_after_the_controllers() {
    let plan = live_plan();
    let controllers_stopped: Vec<&str> = plan
        .steps
        .iter()
        .filter(|s| s.phase == "nova-controllers" && kind(s) == "stop_service")
        .flat_map(|s| s.hosts.iter().map(String::as_str))
        .collect();
    assert!(
        controllers_stopped.iter().all(|h| !h.starts_with("cmp")),
        "the controllers' stop takes computes down: {controllers_stopped:?}"
    );
    assert_eq!(hosts_of(&plan, "nova-computes.canary.upgrade"), ["cmp1"]);
    assert_eq!(
        hosts_of(&plan, "nova-computes.b01.upgrade"),
        ["cmp2", "cmp3"]
    );
    assert_eq!(
        hosts_of(&plan, "nova-computes.b02.upgrade"),
        ["cmp4", "cmp5"]
    );
    let controllers_start = ids_with(&plan, |s| {
        s.phase == "nova-controllers" && kind(s) == "start_service"
    });
    let compute_starts = ids_with(&plan, |s| {
        s.phase == "nova-computes" && kind(s) == "start_service"
    });
    assert_eq!(compute_starts.len(), 3, "{compute_starts:?}");
    all_before(
        &plan,
        &controllers_start,
        &compute_starts,
        "controllers before computes",
    );
    run("nn-live", &plan);
}

#[test]
fn the_network_cap_holds_until_every_nova_network_runs_icehouse() {
    let plan = live_plan();
    let set = ids_with(&plan, |s| is_network_pin(s, true));
    let unset = ids_with(&plan, |s| is_network_pin(s, false));
    // The controllers before they start, each batch before it starts.
    assert!(set.contains(&"nova-controllers.set.network"), "{set:?}");
    all_before(
        &plan,
        &["nova-controllers.set.network"],
        &ids_with(&plan, |s| {
            s.phase == "nova-controllers" && kind(s) == "start_service"
        }),
        "cap before the controllers start",
    );
    for batch in ["canary", "b01", "b02"] {
        let cap = format!("nova-computes.{batch}.set.network");
        let start = format!("nova-computes.{batch}.start");
        assert!(plan.precedes(&cap, &start), "{cap} before {start}");
    }
    let last = ids_with(&plan, |s| {
        s.phase == "nova-computes" && kind(s) == "enable_compute"
    });
    assert!(!unset.is_empty());
    all_before(&plan, &last, &unset, "cap removed after the last compute");
}

#[test]
fn checks_and_reasons_speak_of_nova_network_not_neutron() {
    let plan = live_plan();
    let check = plan
        .steps
        .iter()
        .find(|s| s.id == "finish.check.network")
        .expect("a network check");
    assert!(
        check.commands.iter().all(|c| !c.contains("neutron")),
        "{:?}",
        check.commands
    );
    assert!(
        check
            .commands
            .iter()
            .any(|c| c.contains("nova network-list"))
    );
    for step in &plan.steps {
        assert!(
            !step.reason.contains("Neutron"),
            "{}: {}",
            step.id,
            step.reason
        );
    }
}
