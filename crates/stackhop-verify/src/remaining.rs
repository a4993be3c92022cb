//! What is left of a run once hosts were left out (`apply --max-fail`): which of the steps not
//! yet done may still run without breaking the cloud, decided by exploring the rest of the plan,
//! without the hosts left out, from the cloud as the run has left it.
//!
//! A step whose completion breaks a hard invariant in some order of the rest (or that would be
//! refused) is blocked, with every step that waits for it; the rest is explored again without
//! them, until what remains is safe. So a run that lost two computes still upgrades the others,
//! and stops before the unpin that would cut the Havana computes off.

use std::collections::{BTreeMap, BTreeSet};

use stackhop_catalog::Transition;
use stackhop_inventory::Inventory;
use stackhop_model::CloudState;
use stackhop_plan::{Plan, Step, StepGraph, StepIx};

use crate::{VerifyOptions, verify_from};

/// Where a run stands, step by step (indices into the plan's steps).
#[derive(Debug, Clone)]
pub struct RunPosition<'a> {
    /// The step is complete: every host succeeded, or failed within `--max-fail`.
    pub complete: &'a [bool],
    /// Per step, per host (the step's `hosts` order): the host finished the step.
    pub host_done: &'a [Vec<bool>],
    /// Hosts left out of every step still to run.
    pub left_out: &'a BTreeSet<String>,
}

/// A step that must not run, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    /// Index into the plan's steps.
    pub step: usize,
    /// The broken invariant (or `refused`), or `waits for STEP` for a step after a blocked one.
    pub why: String,
    /// What verify says about it, for people.
    pub detail: String,
}

/// The steps not yet complete that must not run, in plan order; empty when the rest of the plan
/// is safe without the hosts left out.
pub fn blocked_steps(
    transition: &dyn Transition,
    inventory: &Inventory,
    plan: &Plan,
    state: &CloudState,
    position: &RunPosition<'_>,
) -> Vec<Blocked> {
    let mut blocked: BTreeMap<usize, Blocked> = BTreeMap::new();
    let graph = plan.graph();
    // Each round blocks at least one step, so this ends.
    loop {
        let (rest, origin) = remaining(plan, &graph, position, &blocked);
        if rest.steps.is_empty() {
            break;
        }
        let culprits: Vec<(usize, String, String)> = match verify_from(
            transition,
            inventory,
            &rest,
            state.clone(),
            &VerifyOptions::default(),
        ) {
            Ok(report) if report.violations.is_empty() => break,
            Ok(report) => report
                .violations
                .iter()
                .map(|v| {
                    let at = rest.steps.iter().position(|s| s.id == v.step);
                    let why = if v.refused {
                        format!("{} (the step would fail)", v.invariant)
                    } else {
                        v.invariant.clone()
                    };
                    (at.map_or(usize::MAX, |k| origin[k]), why, v.message.clone())
                })
                .collect(),
            Err(e) => vec![(
                usize::MAX,
                "unverifiable".to_owned(),
                format!("the rest of the plan could not be verified: {e}"),
            )],
        };
        let before = blocked.len();
        for (step, why, detail) in culprits {
            if step == usize::MAX {
                // Broken before any remaining step, or not explorable: nothing more may run.
                for &k in &origin {
                    blocked.entry(k).or_insert_with(|| Blocked {
                        step: k,
                        why: why.clone(),
                        detail: detail.clone(),
                    });
                }
                continue;
            }
            blocked.entry(step).or_insert(Blocked { step, why, detail });
            block_dependents(plan, &graph, step, &mut blocked);
        }
        if blocked.len() == before {
            break;
        }
    }
    blocked.into_values().collect()
}

fn block_dependents(
    plan: &Plan,
    graph: &StepGraph,
    from: usize,
    blocked: &mut BTreeMap<usize, Blocked>,
) {
    let mut stack = vec![from];
    while let Some(i) = stack.pop() {
        for d in graph.dependents(StepIx(i)).iter().map(|d| d.get()) {
            if let std::collections::btree_map::Entry::Vacant(slot) = blocked.entry(d) {
                slot.insert(Blocked {
                    step: d,
                    why: format!("waits for {}", plan.steps[i].id),
                    detail: String::new(),
                });
                stack.push(d);
            }
        }
    }
}

/// The steps still to run, on the hosts still to do, without the hosts left out and the blocked
/// steps; with, per step of the result, its index in the plan. A step with no host left is as
/// good as complete: the steps after it wait for what it waited for.
fn remaining(
    plan: &Plan,
    graph: &StepGraph,
    position: &RunPosition<'_>,
    blocked: &BTreeMap<usize, Blocked>,
) -> (Plan, Vec<usize>) {
    let n = plan.steps.len();
    let hosts_left: Vec<Vec<String>> = (0..n)
        .map(|i| {
            if position.complete[i] || blocked.contains_key(&i) {
                return Vec::new();
            }
            plan.steps[i]
                .hosts
                .iter()
                .enumerate()
                .filter(|(pos, h)| {
                    !position.host_done[i].get(*pos).copied().unwrap_or(false)
                        && !position.left_out.contains(*h)
                })
                .map(|(_, h)| h.clone())
                .collect()
        })
        .collect();
    // What each step waits for among the steps that stay, through the ones that drop out.
    let mut waits: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    let order: Vec<usize> = graph
        .order()
        .map_or_else(|| (0..n).collect(), |o| o.iter().map(|i| i.get()).collect());
    for &i in &order {
        let mut set = BTreeSet::new();
        for j in graph.deps(StepIx(i)).iter().map(|d| d.get()) {
            if hosts_left[j].is_empty() {
                set.extend(waits[j].iter().copied());
            } else {
                set.insert(j);
            }
        }
        waits[i] = set;
    }
    let origin: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| !hosts_left[i].is_empty())
        .collect();
    let steps: Vec<Step> = origin
        .iter()
        .map(|&i| Step {
            hosts: hosts_left[i].clone(),
            after: waits[i].iter().map(|&j| plan.steps[j].id.clone()).collect(),
            ..plan.steps[i].clone()
        })
        .collect();
    let rest = Plan {
        schema: plan.schema.clone(),
        scenario: plan.scenario,
        transition: plan.transition.clone(),
        catalog_version: plan.catalog_version.clone(),
        cloud: plan.cloud.clone(),
        digest: plan.digest.clone(),
        estimate_s: plan.estimate_s,
        steps,
        inventory_file: plan.inventory_file.clone(),
        inventory_source: plan.inventory_source.clone(),
    };
    (rest, origin)
}
