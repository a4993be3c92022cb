//! Rule 2 of the house: the verifier and the twin apply the same transition function, and the
//! twin never reaches a state the verifier calls broken.
//!
//! Every built-in example × scenario is verified, then simulated with several seeds and with
//! faults. The twin's run is replayed host change by host change, in the order its changes
//! reached it: each change comes after every host of every step it waits for (so the twin's
//! order is one of the interleavings verify explores), the transition function accepts it as
//! the verifier's does, and the state after it breaks no hard invariant (the verifier's
//! judgement of a state).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{example, transition};
use stackhop_catalog::Scenario;
use stackhop_model::{Class, View, apply, check_invariants};
use stackhop_plan::{Plan, make_plan};
use stackhop_sim::{Fault, SimOptions, simulate};

fn replay(name: &str, plan: &Plan, applied: &[(String, String)]) -> usize {
    let (inventory, _) = example(name);
    let t = transition(&inventory);
    let rules = t.rules(&inventory);
    let mut state = t.initial_state(&inventory, &rules);
    let host_id: BTreeMap<&str, u32> = inventory
        .hosts
        .iter()
        .enumerate()
        .map(|(i, h)| (h.name.as_str(), u32::try_from(i).unwrap_or(u32::MAX)))
        .collect();
    let graph = plan.graph();
    let mut done: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); plan.steps.len()];
    for (step_id, host) in applied {
        let i = graph.index(step_id).expect("a step of the plan");
        for d in graph.deps(i) {
            let dep = &plan.steps[d.get()];
            assert_eq!(
                done[d.get()].len(),
                dep.hosts.len(),
                "{name} {}: {step_id} on {host} before {} was complete",
                plan.scenario,
                dep.id
            );
        }
        let step = &plan.steps[i.get()];
        state =
            apply(&rules, &state, &step.action, &[host_id[host.as_str()]]).unwrap_or_else(|e| {
                panic!(
                    "{name} {}: the model refuses {step_id} on {host}: {e}",
                    plan.scenario
                )
            });
        let broken: Vec<_> = check_invariants(&View::of(&rules, &state))
            .into_iter()
            .filter(|v| v.class == Class::Hard)
            .collect();
        assert!(
            broken.is_empty(),
            "{name} {}: after {step_id} on {host}: {broken:#?}",
            plan.scenario
        );
        assert!(done[i.get()].insert(host), "{step_id} on {host} twice");
    }
    applied.len()
}

#[test]
fn every_state_the_twin_reaches_is_one_verify_covers_and_judges_safe() {
    let mut changes = 0;
    let mut runs = 0;
    for name in ["allinone", "small", "medium", "lab", "zed"] {
        let (inventory, source) = example(name);
        let t = transition(&inventory);
        for scenario in Scenario::ALL {
            let Ok(plan) = make_plan(t, &inventory, name, source, scenario) else {
                continue;
            };
            let report = stackhop_verify::verify(t, &inventory, &plan).expect("verify runs");
            assert!(
                report.verified,
                "{name} {scenario}: {:#?}",
                report.violations
            );
            let middle = &plan.steps[plan.steps.len() / 2].id;
            let runs_of_plan = [
                SimOptions::seeded(0),
                SimOptions::seeded(7),
                SimOptions {
                    faults: vec![Fault::Step {
                        pattern: middle.clone(),
                        probability: 1.0,
                    }],
                    ..SimOptions::seeded(3)
                },
                SimOptions {
                    exhaustive: true,
                    ..SimOptions::seeded(11)
                },
            ];
            for options in runs_of_plan {
                let sim = simulate(t, &inventory, &plan, &options).expect("the twin runs");
                changes += replay(name, &plan, &sim.applied);
                runs += 1;
            }
        }
    }
    assert!(runs >= 60, "only {runs} runs");
    assert!(changes > 10_000, "only {changes} host changes replayed");
}
