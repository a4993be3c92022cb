//! The four scenario planners.

mod all_at_once;
mod common;
mod live_compute;
mod parallel_compute;
mod service_by_service;

use stackhop_catalog::{Scenario, Transition};
use stackhop_inventory::Inventory;

use crate::builder::Builder;
use crate::check::{check, has_errors};
use crate::error::PlanError;
use crate::hosts::Hosts;
use crate::plan::{PLAN_SCHEMA, Plan};

/// Plans a scenario, or refuses with the check's findings when it has errors.
pub fn make_plan(
    transition: &dyn Transition,
    inventory: &Inventory,
    inventory_file: &str,
    inventory_source: &str,
    scenario: Scenario,
) -> Result<Plan, PlanError> {
    let findings = check(transition, inventory, scenario);
    if has_errors(&findings) {
        return Err(PlanError::Refused {
            scenario: scenario.to_string(),
            findings,
        });
    }
    let hosts = Hosts::new(transition, inventory);
    let mut b = Builder::new(transition, inventory, &hosts);
    let rules = transition.rules(inventory);
    match scenario {
        Scenario::AllAtOnce => all_at_once::plan(&mut b, &rules),
        Scenario::ServiceByService => service_by_service::plan(&mut b, &rules),
        Scenario::ParallelCompute => parallel_compute::plan(&mut b, &rules),
        Scenario::LiveCompute => live_compute::plan(&mut b, &rules),
    }
    let mut plan = Plan {
        schema: PLAN_SCHEMA.to_owned(),
        scenario,
        transition: transition.id().to_owned(),
        catalog_version: transition.version().to_owned(),
        cloud: inventory.name.clone(),
        digest: String::new(),
        estimate_s: 0,
        steps: b.steps,
        inventory_file: inventory_file.to_owned(),
        inventory_source: inventory_source.to_owned(),
    };
    plan.estimate_s = plan.critical_path_s();
    plan.seal();
    Ok(plan)
}
