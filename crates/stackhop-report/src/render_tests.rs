//! The renderings of verify, simulate and compare over the built-in examples and over runs
//! that went wrong: within 100 columns, no trailing spaces, the same bytes for the same input.

use std::time::Duration;

use stackhop_catalog::Scenario;
use stackhop_inventory::examples;
use stackhop_plan::{PlanError, make_plan};
use stackhop_sim::{Constraints, Fault, SimOptions, Workload, compare, simulate};
use stackhop_verify::verify;

use crate::tests::{assert_fits, example};
use crate::{VerifyTextOptions, compare_text, simulate_text, verify_text};

const OPTIONS: VerifyTextOptions<'static> = VerifyTextOptions {
    plan: "a plan file with a name long enough to wrap onto the next line of its paragraph, \
           which it then does",
    elapsed: Some(Duration::from_millis(1234)),
};

#[test]
fn verify_simulate_and_compare_fit_and_are_deterministic_on_every_example() {
    for name in ["allinone", "small", "medium", "lab", "zed"] {
        let (inventory, transition, source) = example(name);
        for scenario in Scenario::ALL {
            let what = format!("{name} {scenario}");
            let plan = match make_plan(transition, &inventory, name, source, scenario) {
                Ok(plan) => plan,
                Err(PlanError::Refused { .. }) => continue,
                Err(other) => panic!("{what}: {other}"),
            };
            let report = verify(transition, &inventory, &plan).unwrap_or_else(|e| panic!("{e}"));
            let text = verify_text(&report, &OPTIONS);
            assert_fits(&format!("verify {what}"), &text);
            assert!(text.contains("\ntime:     1.23 s\n"), "{text}");
            assert_eq!(text, verify_text(&report, &OPTIONS));

            let faults = [
                vec![],
                vec![Fault::Step {
                    pattern: "*.start*".into(),
                    probability: 0.3,
                }],
                vec![Fault::HostDown {
                    host: inventory.hosts[0].name.clone(),
                    at_s: 1200,
                }],
            ];
            for faults in faults {
                let options = SimOptions {
                    faults,
                    ..SimOptions::seeded(3)
                };
                let report = simulate(transition, &inventory, &plan, &options)
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                let text = simulate_text(&report);
                assert_fits(&format!("simulate {what}"), &text);
                assert_eq!(text, simulate_text(&report));
            }
        }
        let report = compare(
            transition,
            &inventory,
            name,
            source,
            1,
            &Workload::defaults(),
            &Constraints {
                max_downtime_s: Some(600),
                no_spare_hosts: true,
                max_duration_s: Some(3600),
            },
        );
        let text = compare_text(&report);
        assert_fits(&format!("compare {name}"), &text);
        assert_eq!(text, compare_text(&report));
    }
    assert_eq!(
        examples::NAMES.len(),
        6,
        "large is covered by the CLI snapshots"
    );
}

#[test]
fn a_violation_shows_its_invariant_hosts_change_and_trace() {
    let (inventory, transition, source) = example("small");
    let mut plan = make_plan(
        transition,
        &inventory,
        "small",
        source,
        Scenario::LiveCompute,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let Some(pin) = plan.steps.iter().position(
        |s| matches!(&s.action, stackhop_model::Action::SetConfig { key, .. } if key == "compute"),
    ) else {
        panic!("no pin");
    };
    let removed = plan.steps.remove(pin);
    for s in &mut plan.steps {
        if s.after.contains(&removed.id) {
            s.after = removed.after.clone();
        }
    }
    let report = verify(transition, &inventory, &plan).unwrap_or_else(|e| panic!("{e}"));
    let text = verify_text(&report, &VerifyTextOptions::default());
    assert_fits("verify without the pin", &text);
    assert!(
        text.contains("verified: NO, 1 hard invariant is broken"),
        "{text}"
    );
    assert!(
        text.contains("violation 1: compute_rpc_compatible after step `nova-controllers.start`"),
        "{text}"
    );
    for label in ["    why:", "    hosts:", "    changed:", "    trace:"] {
        assert!(text.contains(label), "{label}: {text}");
    }
    assert!(!text.contains("\ntime:"), "no time given, none shown");
    // The trace's arrows end lines; none starts one.
    assert!(
        text.lines().all(|l| !l.trim_start().starts_with('→')),
        "{text}"
    );
}
