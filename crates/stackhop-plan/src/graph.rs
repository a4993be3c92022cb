//! The plan's steps as a graph, derived once: the planner, the verifier, the twin and the
//! executor all read the DAG through [`StepGraph`] rather than each building its own id map.

use std::collections::{BTreeSet, HashMap};

use crate::plan::Plan;

/// A step's position in its plan's `steps`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StepIx(pub usize);

impl StepIx {
    pub fn get(self) -> usize {
        self.0
    }
}

/// Dependencies, dependents and a topological order of a plan's steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepGraph {
    index: HashMap<String, StepIx>,
    deps: Vec<Vec<StepIx>>,
    dependents: Vec<Vec<StepIx>>,
    /// `None` when the steps wait for each other in a cycle.
    order: Option<Vec<StepIx>>,
    /// `(step, position in its after list)` of every `after` id that names no step.
    unknown: Vec<(StepIx, usize)>,
}

impl StepGraph {
    /// The graph of a plan. Unknown `after` ids are left out (and listed by [`Self::unknown`]),
    /// so that a hand-edited plan can be told what is wrong with it; a repeated id keeps its
    /// first step.
    pub fn of(plan: &Plan) -> StepGraph {
        let n = plan.steps.len();
        let mut index = HashMap::with_capacity(n);
        for (i, s) in plan.steps.iter().enumerate() {
            index.entry(s.id.clone()).or_insert(StepIx(i));
        }
        let mut deps = vec![Vec::new(); n];
        let mut dependents = vec![Vec::new(); n];
        let mut unknown = Vec::new();
        for (i, s) in plan.steps.iter().enumerate() {
            for (k, a) in s.after.iter().enumerate() {
                match index.get(a.as_str()) {
                    Some(&j) => {
                        if !deps[i].contains(&j) {
                            deps[i].push(j);
                            dependents[j.0].push(StepIx(i));
                        }
                    }
                    None => unknown.push((StepIx(i), k)),
                }
            }
        }
        let order = kahn(&deps);
        StepGraph {
            index,
            deps,
            dependents,
            order,
            unknown,
        }
    }

    pub fn len(&self) -> usize {
        self.deps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.deps.is_empty()
    }

    pub fn index(&self, id: &str) -> Option<StepIx> {
        self.index.get(id).copied()
    }

    /// The steps `step` waits for.
    pub fn deps(&self, step: StepIx) -> &[StepIx] {
        &self.deps[step.0]
    }

    /// The steps that wait for `step`.
    pub fn dependents(&self, step: StepIx) -> &[StepIx] {
        &self.dependents[step.0]
    }

    /// The steps in an order that respects `after` (ties by position in the plan), or `None` on a
    /// cycle.
    pub fn order(&self) -> Option<&[StepIx]> {
        self.order.as_deref()
    }

    /// `after` ids that name no step: `(step, position in its after list)`.
    pub fn unknown(&self) -> &[(StepIx, usize)] {
        &self.unknown
    }

    /// Whether `a` must finish before `b` starts, through any chain of `after`.
    pub fn precedes(&self, a: StepIx, b: StepIx) -> bool {
        let mut seen = vec![false; self.len()];
        let mut stack = vec![b];
        while let Some(i) = stack.pop() {
            for &d in self.deps(i) {
                if d == a {
                    return true;
                }
                if !seen[d.0] {
                    seen[d.0] = true;
                    stack.push(d);
                }
            }
        }
        false
    }

    /// Every step that waits, directly or not, for `step`.
    pub fn descendants(&self, step: StepIx) -> BTreeSet<StepIx> {
        let mut out = BTreeSet::new();
        let mut stack = vec![step];
        while let Some(i) = stack.pop() {
            for &d in self.dependents(i) {
                if out.insert(d) {
                    stack.push(d);
                }
            }
        }
        out
    }

    /// The longest path through the DAG when each step takes `duration(step)`; 0 on a cycle.
    pub fn critical_path(&self, duration: impl Fn(StepIx) -> u64) -> u64 {
        let Some(order) = self.order() else {
            return 0;
        };
        let mut finish = vec![0u64; self.len()];
        for &i in order {
            let start = self.deps(i).iter().map(|d| finish[d.0]).max().unwrap_or(0);
            finish[i.0] = start + duration(i);
        }
        finish.into_iter().max().unwrap_or(0)
    }

    /// A cycle as step indices, each waiting for the next and the last for the first, when the
    /// steps have one.
    pub fn cycle(&self) -> Option<Vec<StepIx>> {
        self.order
            .as_ref()
            .map_or_else(|| self.find_cycle(), |_| None)
    }

    fn find_cycle(&self) -> Option<Vec<StepIx>> {
        // Walk `after` edges depth first; a step met again while still on the path closes one.
        let n = self.len();
        let mut state = vec![0u8; n];
        let mut path: Vec<StepIx> = Vec::new();
        for start in 0..n {
            if state[start] != 0 {
                continue;
            }
            let mut stack = vec![(StepIx(start), 0usize)];
            while let Some(&mut (i, ref mut next)) = stack.last_mut() {
                if *next == 0 {
                    state[i.0] = 1;
                    path.push(i);
                }
                if let Some(&d) = self.deps(i).get(*next) {
                    *next += 1;
                    match state[d.0] {
                        0 => stack.push((d, 0)),
                        1 => {
                            let from = path.iter().position(|&p| p == d).unwrap_or(0);
                            let mut cycle = path[from..].to_vec();
                            cycle.push(d);
                            return Some(cycle);
                        }
                        _ => {}
                    }
                } else {
                    state[i.0] = 2;
                    path.pop();
                    stack.pop();
                }
            }
        }
        None
    }
}

fn kahn(deps: &[Vec<StepIx>]) -> Option<Vec<StepIx>> {
    let plain: Vec<Vec<usize>> = deps
        .iter()
        .map(|d| d.iter().map(|i| i.0).collect())
        .collect();
    topological_order(&plain).map(|order| order.into_iter().map(StepIx).collect())
}

/// Kahn's algorithm over `deps[i]` (the nodes `i` waits for; duplicates are fine), ties broken by
/// position; `None` on a cycle. The verifier orders its own step lists with it too.
pub fn topological_order(deps: &[Vec<usize>]) -> Option<Vec<usize>> {
    let n = deps.len();
    let mut waiting: Vec<usize> = deps.iter().map(Vec::len).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, d) in deps.iter().enumerate() {
        for &j in d {
            dependents[j].push(i);
        }
    }
    let mut ready: BTreeSet<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(i) = ready.pop_first() {
        order.push(i);
        for &d in &dependents[i] {
            waiting[d] -= 1;
            if waiting[d] == 0 {
                ready.insert(d);
            }
        }
    }
    (order.len() == n).then_some(order)
}
