//! From what the explorations found to the `stackhop.verify/v1` report.

use std::collections::BTreeMap;

use stackhop_plan::Plan;

use crate::report::{CapabilityReport, DegradedReport, PhaseStates, VERIFY_SCHEMA, VerifyReport};
use crate::search::Found;
use crate::setup::Setup;

pub(crate) fn report(plan: &Plan, setup: &Setup<'_>, found: Found) -> VerifyReport {
    let Found {
        proof: outcome,
        counterexamples,
        counterexample_states,
        stopped_by,
    } = found;
    let complete = stopped_by.is_none();
    let phase_name = |p: Option<usize>| match p {
        Some(p) => setup.phases[p].clone(),
        None => "(before any step)".to_owned(),
    };
    let capabilities: BTreeMap<String, CapabilityReport> = outcome
        .capabilities
        .into_iter()
        .map(|(name, available, phases)| {
            (
                name,
                CapabilityReport {
                    available,
                    unavailable_during: phases.into_iter().map(phase_name).collect(),
                },
            )
        })
        .collect();
    let degraded = outcome
        .degraded
        .into_iter()
        .map(|(invariant, message, phases)| DegradedReport {
            invariant,
            message,
            phases: phases.into_iter().map(phase_name).collect(),
        })
        .collect();
    let mut unmet_goals: Vec<String> = outcome.unmet.into_iter().collect();
    if !complete {
        unmet_goals.push("not known: the exploration stopped before every run was explored".into());
    } else if outcome.final_states == 0 {
        unmet_goals.push(
            "no explored run completes every step (a violation or a refused step stops them)"
                .to_owned(),
        );
    }
    let mut violations = outcome.violations;
    for v in counterexamples {
        if !violations
            .iter()
            .any(|known| known.invariant == v.invariant)
        {
            violations.push(v);
        }
    }
    let phases_explored = if complete {
        setup.phases.clone()
    } else {
        let mut explored = vec![true; setup.phases.len()];
        let mut done = vec![false; setup.steps.len()];
        for &s in &outcome.explored_steps {
            done[s] = true;
        }
        for (s, step) in setup.steps.iter().enumerate() {
            explored[step.phase] &= done[s];
        }
        setup
            .phases
            .iter()
            .zip(explored)
            .filter(|(_, e)| *e)
            .map(|(p, _)| p.clone())
            .collect()
    };
    VerifyReport {
        schema: VERIFY_SCHEMA,
        scenario: plan.scenario.as_str().to_owned(),
        transition: plan.transition.clone(),
        cloud: plan.cloud.clone(),
        verified: complete && violations.is_empty(),
        complete,
        stopped_by,
        phases_explored,
        states: outcome.states,
        counterexample_search_states: counterexample_states,
        transitions: outcome.transitions,
        states_by_phase: outcome
            .states_by_phase
            .into_iter()
            .map(|(p, states)| PhaseStates {
                phase: phase_name(p),
                states,
            })
            .collect(),
        classes: setup.plan_classes,
        blocks: outcome.blocks,
        block_classes: outcome.max_classes,
        violations,
        degraded,
        capabilities,
        goal_reached: unmet_goals.is_empty(),
        unmet_goals,
        final_states: outcome.final_states,
        edited_steps: Vec::new(),
        edits_accepted: false,
    }
}
