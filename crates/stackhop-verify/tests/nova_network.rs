//! The live compute upgrade of a nova-network cloud: stackhop's plan verifies, and without the
//! network RPC cap an Icehouse nova-api or compute would talk 1.11+ to a Havana nova-network.

mod common;

use common::*;
use stackhop_catalog::Scenario;
use stackhop_plan::{Plan, make_plan};
use stackhop_verify::{VerifyReport, verify};

const SOURCE: &str = "name: nn-live\nrelease: havana\nnetwork: nova-network\noptions:\n  canary: 1\n  compute_batch: 2\nhosts:\n  - name: ctl1\n    roles: [controller]\n    os: centos-6.5\n  - name: net1\n    roles: [network]\n    os: centos-6.5\n  - name: cmp[1:5]\n    roles: [compute]\n    os: centos-6.5\n    instances: 2\n";

fn live() -> (stackhop_inventory::Inventory, Plan) {
    let inventory = parse(SOURCE, "nn-live.yaml");
    let plan = make_plan(
        transition(&inventory),
        &inventory,
        "nn-live.yaml",
        SOURCE,
        Scenario::LiveCompute,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    (inventory, plan)
}

fn run(inventory: &stackhop_inventory::Inventory, plan: &Plan) -> VerifyReport {
    let mut plan = plan.clone();
    stackhop_plan::render_commands(&mut plan, transition(inventory), inventory);
    plan.seal();
    verify(transition(inventory), inventory, &plan).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_planners_nova_network_live_plan_verifies_and_finishes() {
    let (inventory, plan) = live();
    let report = run(&inventory, &plan);
    assert!(report.verified, "{:#?}", report.violations);
    assert!(report.goal_reached, "{:?}", report.unmet_goals);
    assert!(report.edited_steps.is_empty());
}

#[test]
fn without_the_network_cap_havana_nova_network_is_sent_what_it_refuses() {
    let (inventory, plan) = live();
    for (what, edited) in [
        (
            "the controllers' cap removed",
            without(&plan, "nova-controllers.set.network"),
        ),
        (
            "the canary's cap removed",
            without(&plan, "nova-computes.canary.set.network"),
        ),
    ] {
        let report = run(&inventory, &edited);
        assert!(!report.verified, "{what}: verified");
        let v = report
            .violations
            .iter()
            .find(|v| v.invariant == "network_rpc_compatible")
            .unwrap_or_else(|| panic!("{what}: {:#?}", report.violations));
        assert!(!v.trace.is_empty(), "{what}: {v:?}");
    }
}
