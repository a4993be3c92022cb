//! Every built-in example × every scenario its pre-flight check allows: the planner's own plan
//! verifies clean and reaches the goal.

mod common;

use common::*;
use stackhop_catalog::Scenario;
use stackhop_inventory::examples;
use stackhop_plan::{PlanError, make_plan};
use stackhop_verify::verify;

fn check_example(name: &str) {
    let (inventory, source) = example(name);
    let t = transition(&inventory);
    let mut planned = 0;
    for scenario in Scenario::ALL {
        let plan = match make_plan(t, &inventory, name, source, scenario) {
            Ok(plan) => plan,
            Err(PlanError::Refused { .. }) => continue,
            Err(e) => panic!("{name} {scenario}: {e}"),
        };
        planned += 1;
        assert!(!plan.steps.is_empty(), "{name} {scenario}: no steps");
        let report =
            verify(t, &inventory, &plan).unwrap_or_else(|e| panic!("{name} {scenario}: {e}"));
        assert!(
            report.verified,
            "{name} {scenario}: {:#?}",
            report.violations
        );
        assert!(
            report.goal_reached,
            "{name} {scenario}: {:?}",
            report.unmet_goals
        );
        assert_eq!(report.final_states, 1, "{name} {scenario}");
        assert_eq!(report.scenario, scenario.as_str());
        // A saved plan verifies the same on its own.
        let again = stackhop_verify::verify_plan_json(&plan.to_json(), "plan.json")
            .unwrap_or_else(|e| panic!("{name} {scenario} from JSON: {e}"));
        assert_eq!(again, report, "{name} {scenario}");
    }
    assert!(planned >= 3, "{name}: only {planned} scenarios planned");
}

#[test]
fn allinone_plans_verify() {
    check_example("allinone");
}

#[test]
fn small_plans_verify() {
    check_example("small");
}

#[test]
fn medium_plans_verify() {
    check_example("medium");
}

#[test]
fn large_plans_verify() {
    check_example("large");
}

#[test]
fn lab_plans_verify() {
    check_example("lab");
}

#[test]
fn zed_plans_verify() {
    check_example("zed");
}

#[test]
fn every_example_is_covered() {
    assert_eq!(
        examples::NAMES,
        ["allinone", "small", "medium", "large", "lab", "zed"]
    );
}
