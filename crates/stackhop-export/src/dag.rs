//! The plan's DAG as the export reads it: one topological order, and whether one step waits for
//! another through any chain of `after`.

use std::collections::HashMap;

use stackhop_plan::Plan;

use crate::error::ExportError;

pub(crate) struct Dag {
    /// Step indices in the order the playbook runs them.
    pub(crate) order: Vec<usize>,
    /// The steps each step waits for directly.
    deps: Vec<Vec<usize>>,
}

impl Dag {
    pub(crate) fn of(plan: &Plan) -> Result<Dag, ExportError> {
        let order = plan.topological_order().ok_or(ExportError::NotADag)?;
        let index: HashMap<&str, usize> = plan
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let deps = plan
            .steps
            .iter()
            .map(|s| {
                s.after
                    .iter()
                    .filter_map(|a| index.get(a.as_str()).copied())
                    .collect()
            })
            .collect();
        Ok(Dag { order, deps })
    }

    /// Whether step `b` waits, directly or not, for step `a`.
    pub(crate) fn precedes(&self, a: usize, b: usize) -> bool {
        if self.deps[b].contains(&a) {
            return true;
        }
        let mut seen = vec![false; self.deps.len()];
        let mut stack = vec![b];
        while let Some(i) = stack.pop() {
            for &d in &self.deps[i] {
                if d == a {
                    return true;
                }
                if !seen[d] {
                    seen[d] = true;
                    stack.push(d);
                }
            }
        }
        false
    }
}
