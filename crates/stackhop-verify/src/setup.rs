//! From a plan and an inventory to what the exploration needs: steps with resolved hosts and
//! predecessors, and the classes of interchangeable hosts.

use std::collections::HashMap;

use stackhop_inventory::Inventory;
use stackhop_model::{
    Action, ApplyError, CAPABILITIES, CloudState, HostState, RuleBook, View, apply_host,
};
use stackhop_plan::Plan;

use crate::error::VerifyError;

/// One plan step, resolved.
pub(crate) struct StepInfo<'p> {
    pub(crate) id: &'p str,
    /// Index into [`Setup::phases`].
    pub(crate) phase: usize,
    pub(crate) action: &'p Action,
    /// Indices of the steps it waits for.
    pub(crate) after: Vec<usize>,
}

/// Hosts that are in the same state when a block of steps starts and take part in the same
/// steps of the block: any one of them can stand for any other until the block ends.
pub(crate) struct HostClass {
    /// Inventory indices, ascending.
    pub(crate) hosts: Vec<u32>,
    /// The steps of the block every host of the class is part of, ascending.
    pub(crate) steps: Vec<usize>,
    /// Host counts are exact up to this value; for a saturated class it means "this many or
    /// more".
    pub(crate) cap: u32,
    /// Too many hosts to count exactly: counts saturate at `cap`.
    pub(crate) saturated: bool,
}

impl HostClass {
    pub(crate) fn size(&self) -> usize {
        self.hosts.len()
    }

    /// The position of a plan step in this class's step list.
    pub(crate) fn position(&self, step: usize) -> Option<usize> {
        self.steps.binary_search(&step).ok()
    }
}

pub(crate) struct Setup<'p> {
    pub(crate) steps: Vec<StepInfo<'p>>,
    /// Phase names in plan order of first appearance.
    pub(crate) phases: Vec<String>,
    /// Per inventory host, the steps it is part of, ascending.
    pub(crate) host_steps: Vec<Vec<usize>>,
    /// Inventory host names.
    pub(crate) names: Vec<String>,
    /// The steps cut into blocks that run one after the other (see [`blocks`]).
    pub(crate) blocks: Vec<Vec<usize>>,
    pub(crate) initial: CloudState,
    /// Classes by state today and step set, over the whole plan (for the report).
    pub(crate) plan_classes: usize,
}

/// The count at which a large class's host counts saturate: "none" or "some".
pub(crate) const SATURATED_CAP: u32 = 1;

/// Cuts the plan at its *cut steps*, the steps every other step either precedes or follows: the
/// steps between two cuts (and each cut itself) form a block, and a block starts only once every
/// step of the blocks before it is complete. Blocks come in run order; a plan without cuts is one
/// block.
pub(crate) fn blocks(steps: &[StepInfo<'_>]) -> Vec<Vec<usize>> {
    let n = steps.len();
    if n == 0 {
        return Vec::new();
    }
    let words = n.div_ceil(64);
    // Steps are not necessarily listed in run order: take a topological order first.
    let deps: Vec<Vec<usize>> = steps.iter().map(|s| s.after.clone()).collect();
    let order = stackhop_plan::topological_order(&deps).unwrap_or_default();
    let mut ancestors = vec![vec![0u64; words]; n];
    for &i in &order {
        let mut bits = vec![0u64; words];
        for &a in &steps[i].after {
            bits[a / 64] |= 1 << (a % 64);
            for (w, x) in bits.iter_mut().zip(&ancestors[a]) {
                *w |= x;
            }
        }
        ancestors[i] = bits;
    }
    let mut descendants = vec![0usize; n];
    for bits in &ancestors {
        for (w, &word) in bits.iter().enumerate() {
            let mut x = word;
            while x != 0 {
                let b = x.trailing_zeros() as usize;
                descendants[w * 64 + b] += 1;
                x &= x - 1;
            }
        }
    }
    let ancestor_count: Vec<usize> = ancestors
        .iter()
        .map(|a| a.iter().map(|w| w.count_ones() as usize).sum())
        .collect();
    let mut blocks = Vec::new();
    let mut current = Vec::new();
    for &i in &order {
        if ancestor_count[i] + descendants[i] + 1 == n {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
            blocks.push(vec![i]);
        } else {
            current.push(i);
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    for b in &mut blocks {
        b.sort_unstable();
    }
    blocks
}

pub(crate) fn setup<'p>(
    rules: &RuleBook,
    initial: CloudState,
    inventory: &Inventory,
    plan: &'p Plan,
) -> Result<Setup<'p>, VerifyError> {
    let graph = plan.graph();
    let mut ids = std::collections::HashSet::new();
    for s in &plan.steps {
        if !ids.insert(s.id.as_str()) {
            return Err(VerifyError::Shape(format!(
                "two steps have the id `{}`",
                s.id
            )));
        }
    }
    if let Some(&(step, k)) = graph.unknown().first() {
        let s = &plan.steps[step.get()];
        return Err(VerifyError::Shape(format!(
            "step `{}` waits for `{}`, which is not a step of this plan",
            s.id, s.after[k]
        )));
    }
    let by_name: HashMap<&str, u32> = inventory
        .hosts
        .iter()
        .enumerate()
        .map(|(i, h)| (h.name.as_str(), u32::try_from(i).unwrap_or(u32::MAX)))
        .collect();

    let mut phases: Vec<String> = Vec::new();
    let mut steps = Vec::with_capacity(plan.steps.len());
    // For every host, the steps it is part of (ascending, since steps are visited in order).
    let mut host_steps: Vec<Vec<usize>> = vec![Vec::new(); inventory.hosts.len()];
    for (i, s) in plan.steps.iter().enumerate() {
        let mut after: Vec<usize> = graph
            .deps(stackhop_plan::StepIx(i))
            .iter()
            .map(|d| d.get())
            .collect();
        after.sort_unstable();
        if s.hosts.is_empty() {
            return Err(VerifyError::NoHosts { step: s.id.clone() });
        }
        for name in &s.hosts {
            let &h = by_name
                .get(name.as_str())
                .ok_or_else(|| VerifyError::UnknownHost {
                    step: s.id.clone(),
                    host: name.clone(),
                })?;
            let list = &mut host_steps[h as usize];
            if list.last() == Some(&i) {
                return Err(VerifyError::DuplicateHost {
                    step: s.id.clone(),
                    host: name.clone(),
                });
            }
            list.push(i);
        }
        if let Action::HealthCheck { capability } = &s.action
            && !CAPABILITIES.contains(&capability.as_str())
        {
            return Err(VerifyError::UnknownCapability {
                step: s.id.clone(),
                capability: capability.clone(),
            });
        }
        let phase = match phases.iter().position(|p| *p == s.phase) {
            Some(p) => p,
            None => {
                phases.push(s.phase.clone());
                phases.len() - 1
            }
        };
        steps.push(StepInfo {
            id: s.id.as_str(),
            phase,
            action: &s.action,
            after,
        });
    }
    if graph.order().is_none() {
        return Err(VerifyError::Shape(
            "the steps wait for each other in a cycle".to_owned(),
        ));
    }

    let plan_classes = {
        let states = initial.hosts();
        let mut keys: Vec<(&HostState, &[usize])> = states
            .iter()
            .zip(&host_steps)
            .map(|(s, steps)| (*s, steps.as_slice()))
            .collect();
        keys.sort();
        keys.dedup();
        keys.len()
    };
    let blocks = blocks(&steps);
    check_names(rules, &initial, plan, &steps, &by_name)?;
    Ok(Setup {
        steps,
        phases,
        host_steps,
        names: inventory.hosts.iter().map(|h| h.name.clone()).collect(),
        blocks,
        initial,
        plan_classes,
    })
}

/// A step naming a service, project or release the transition does not know fails in every
/// state: report it as bad input up front, reachable or not.
fn check_names(
    rules: &RuleBook,
    initial: &CloudState,
    plan: &Plan,
    steps: &[StepInfo<'_>],
    by_name: &HashMap<&str, u32>,
) -> Result<(), VerifyError> {
    let view = View::of(rules, initial);
    for (s, info) in plan.steps.iter().zip(steps) {
        let Some(host) = s
            .hosts
            .first()
            .and_then(|n| by_name.get(n.as_str()))
            .and_then(|&h| initial.host(h))
        else {
            continue;
        };
        let mut global = initial.global.clone();
        match apply_host(&view, &mut global, host, info.action) {
            Ok(_) | Err(ApplyError::Refused(_)) => {}
            Err(e) => {
                return Err(VerifyError::Action {
                    step: s.id.clone(),
                    message: e.to_string(),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{StepInfo, blocks};
    use stackhop_model::Action;

    fn steps<'a>(action: &'a Action, after: &[&[usize]]) -> Vec<StepInfo<'a>> {
        after
            .iter()
            .enumerate()
            .map(|(i, a)| StepInfo {
                id: ["s0", "s1", "s2", "s3", "s4", "s5"][i],
                phase: 0,
                action,
                after: a.to_vec(),
            })
            .collect()
    }

    #[test]
    fn a_chain_is_one_block_per_step_and_a_fork_is_one_block() {
        let a = Action::EnableCompute {};
        assert_eq!(
            blocks(&steps(&a, &[&[], &[0], &[1]])),
            vec![vec![0], vec![1], vec![2]]
        );
        // s0, then s1 ‖ s2, then s3 after both, then s4 ‖ s5 to the end.
        assert_eq!(
            blocks(&steps(&a, &[&[], &[0], &[0], &[1, 2], &[3], &[3]])),
            vec![vec![0], vec![1, 2], vec![3], vec![4, 5]]
        );
        // Listed out of run order.
        assert_eq!(blocks(&steps(&a, &[&[1], &[]])), vec![vec![1], vec![0]]);
        assert!(blocks(&steps(&a, &[])).is_empty());
    }
}
