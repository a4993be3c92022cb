//! Pre-flight checks: what in this cloud will break or slow the scenario the operator has in mind.

use stackhop_catalog::{Citation, Finding, Scenario, Severity, Transition, collapse_hosts};
use stackhop_inventory::{Inventory, Role};

/// Every finding for a scenario: the scenario's own demands, then the transition's hazards.
/// Errors come first; the order is stable so output can be diffed.
pub fn check(
    transition: &dyn Transition,
    inventory: &Inventory,
    scenario: Scenario,
) -> Vec<Finding> {
    let mut out = scenario_demands(transition, inventory, scenario);
    out.extend(transition.preflight(inventory, scenario));
    out.sort_by_key(|f| f.severity);
    out
}

pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

fn computes(inventory: &Inventory) -> Vec<&stackhop_inventory::Host> {
    inventory
        .hosts
        .iter()
        .filter(|h| h.has_role(Role::Compute))
        .collect()
}

fn scenario_demands(
    transition: &dyn Transition,
    inventory: &Inventory,
    scenario: Scenario,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let spares = inventory
        .hosts
        .iter()
        .filter(|h| h.has_role(Role::Spare))
        .count();
    if scenario == Scenario::ParallelCompute && spares == 0 {
        out.push(
            Finding::new("parallel-no-spare", Severity::Error, "hosts")
                .message(
                    "parallel-compute builds a new Nova on spare hardware, and this cloud \
                          lists no host with the spare role",
                )
                .help(
                    "add at least one host with `roles: [spare]` (two let the new controller and \
                       the first compute be separate), or choose another scenario",
                )
                .source(transition.cite(Citation::ParallelDeploy)),
        );
    }
    if scenario == Scenario::ParallelCompute && spares == 1 {
        out.push(
            Finding::new("parallel-one-spare", Severity::Info, "hosts")
                .message("with one spare host, the new Nova's controller is also its first compute")
                .help("add a second spare host to keep them apart")
                .source("design.md, the scenarios as plans"),
        );
    }
    if scenario.is_offline() {
        let mut releases: Vec<&str> = inventory
            .hosts
            .iter()
            .filter(|h| !h.has_role(Role::Spare))
            .map(|h| h.os.text.as_str())
            .collect();
        releases.sort_unstable();
        releases.dedup();
        if releases.len() > 1 {
            out.push(
                Finding::new("offline-mixed-os", Severity::Error, releases.join(", "))
                    .message(format!(
                        "an offline upgrade needs every host on the same base OS release, and \
                         this cloud has {}",
                        releases.len()
                    ))
                    .help(
                        "bring every host to one OS release first, or use live-compute, which \
                           upgrades computes one batch at a time",
                    )
                    .source(transition.cite(Citation::OfflineOrLive)),
            );
        }
    }
    let computes = computes(inventory);
    if scenario == Scenario::LiveCompute {
        let dedicated = computes
            .iter()
            .filter(|h| !h.has_role(Role::Controller))
            .count();
        if !computes.is_empty() && dedicated == 0 {
            let names: Vec<&str> = computes.iter().map(|h| h.name.as_str()).collect();
            out.push(
                Finding::new("live-no-benefit", Severity::Warning, collapse_hosts(&names))
                    .message(
                        "every compute is also a controller, so the live upgrade stops them \
                              with the controllers: no benefit over an offline scenario",
                    )
                    .help(
                        "use all-at-once or service-by-service, which are simpler and better \
                           tested",
                    )
                    .source(transition.cite(Citation::OfflineOrLive)),
            );
        }
        let batch = inventory.options.compute_batch.size(dedicated);
        if dedicated > 1
            && batch + usize::try_from(inventory.options.canary).unwrap_or(0) >= dedicated
        {
            out.push(
                Finding::new(
                    "batch-covers-all-computes",
                    Severity::Info,
                    "options.compute_batch",
                )
                .message(format!(
                    "a batch of {batch} after the canary covers all {dedicated} computes"
                ))
                .help(
                    "lower options.compute_batch to keep most computes serving while a batch \
                           upgrades",
                )
                .source("stackhop"),
            );
        }
    }
    if computes.is_empty() {
        out.push(
            Finding::new("no-compute", Severity::Warning, "hosts")
                .message("the inventory lists no compute host")
                .help(
                    "add the computes with `roles: [compute]`; stackhop plans only what it is told",
                )
                .source("stackhop"),
        );
    }
    out
}
