//! #4 item 3: the live-compute plan of the original RDO documents, checked. The documents pin
//! the controllers and leave `vif_plugging_is_fatal` at its default, so the first Icehouse
//! compute they start waits for events the pinned nova-api cannot pass on (reference §3,
//! Inference): verify finds it. stackhop's own plan for the same cloud verifies clean.
//!
//! The plan is also committed as JSON for `stackhop verify --plan` (the CLI snapshot and the
//! README run it); this test keeps that file equal to what the builder makes. After changing the
//! builder, rewrite it with `STACKHOP_WRITE_FIXTURES=1 cargo test -p stackhop-verify --test
//! rdo_documents`.

mod common;

use common::rdo_documents::{self, INVENTORY_FILE};
use common::{parse, transition};
use stackhop_catalog::Scenario;
use stackhop_plan::{Plan, make_plan};
use stackhop_verify::{VerifyOptions, VerifyReport, verify_plan_json, verify_with};

/// The documents' plan runs the documents' commands, not the catalog's: what is checked here is
/// its order of actions, so its edited commands are accepted.
fn verify(
    t: &dyn stackhop_catalog::Transition,
    inventory: &stackhop_inventory::Inventory,
    plan: &Plan,
) -> Result<VerifyReport, stackhop_verify::VerifyError> {
    let options = VerifyOptions {
        accept_edited: true,
        ..VerifyOptions::default()
    };
    verify_with(t, inventory, plan, &options)
}

fn inventory() -> stackhop_inventory::Inventory {
    parse(rdo_documents::inventory_source(), INVENTORY_FILE)
}

fn documents_plan() -> Plan {
    rdo_documents::plan(&inventory())
}

#[test]
fn the_committed_plan_file_is_the_documents_plan() {
    let json = documents_plan().to_json();
    if std::env::var_os("STACKHOP_WRITE_FIXTURES").is_some() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../stackhop/tests/fixtures/rdo-documents-live-compute.json"
        );
        std::fs::write(path, &json).unwrap_or_else(|e| panic!("{path}: {e}"));
        return;
    }
    assert!(
        rdo_documents::saved_plan() == json,
        "{} is not the builder's plan; rewrite it (see this file's header)",
        rdo_documents::PLAN_FILE
    );
}

#[test]
fn the_documents_plan_breaks_boots_at_the_first_compute_start() {
    let inventory = inventory();
    let plan = documents_plan();
    let report =
        verify(transition(&inventory), &inventory, &plan).unwrap_or_else(|e| panic!("{e}"));
    assert!(!report.verified);
    assert_eq!(
        report
            .violations
            .iter()
            .map(|v| v.invariant.as_str())
            .collect::<Vec<_>>(),
        ["vif_events_deliverable"],
        "{:#?}",
        report.violations
    );
    let v = &report.violations[0];
    assert_eq!(v.step, "nova-computes.cmp1.start");
    assert_eq!(v.trace.last(), Some(&v.step));
    assert!(!v.refused);
    assert!(v.hosts.contains("cmp1"), "{}", v.hosts);
    assert!(
        v.message.contains("pinned") && v.message.contains("3.23"),
        "the cause is the pin, not missing notifications: {}",
        v.message
    );
    // Everything up to the computes is as safe as stackhop's plan.
    for step in &v.trace[..v.trace.len() - 1] {
        assert!(!step.starts_with("nova-computes.cmp2"), "{:?}", v.trace);
    }
    // The saved file says the same on its own, and lists the documents' commands as edited.
    let again = verify_plan_json(rdo_documents::saved_plan(), rdo_documents::PLAN_FILE)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!again.edited_steps.is_empty() && !again.edits_accepted);
    assert_eq!(again.violations, report.violations);
}

#[test]
fn without_the_event_cap_the_documents_plan_would_verify() {
    // The control experiment: the same plan with each compute made non-fatal as it is upgraded
    // (what stackhop's planner does) has no violation left, so the cap is the only thing the
    // documents miss on this cloud.
    let inventory = inventory();
    let documents = documents_plan();
    let plan = common::computes(&inventory)
        .iter()
        .fold(documents, |plan, host| {
            common::insert_after(
                &plan,
                &format!("nova-computes.{host}.upgrade"),
                &format!("nova-computes.{host}.non-fatal"),
                common::set(
                    common::NOVA_CONF,
                    "DEFAULT",
                    "vif_plugging_is_fatal",
                    "False",
                ),
                std::slice::from_ref(host),
            )
        });
    let report =
        verify(transition(&inventory), &inventory, &plan).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.verified, "{:#?}", report.violations);
}

#[test]
fn stackhops_own_plan_for_the_same_cloud_verifies_clean() {
    let inventory = inventory();
    let t = transition(&inventory);
    let plan = make_plan(
        t,
        &inventory,
        INVENTORY_FILE,
        rdo_documents::inventory_source(),
        Scenario::LiveCompute,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let report = verify(t, &inventory, &plan).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.verified, "{:#?}", report.violations);
    assert!(report.goal_reached, "{:?}", report.unmet_goals);
}
