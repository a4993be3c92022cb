//! The plan's DAG as the export reads it: the plan's own `StepGraph`, and the one topological
//! order of its steps the playbook runs them in.

use stackhop_plan::{Plan, StepGraph, StepIx};

use crate::error::ExportError;

pub(crate) struct Dag {
    graph: StepGraph,
    /// Step indices in the order the playbook runs them.
    pub(crate) order: Vec<usize>,
}

impl Dag {
    pub(crate) fn of(plan: &Plan) -> Result<Dag, ExportError> {
        let graph = plan.graph();
        let order = graph
            .order()
            .ok_or(ExportError::NotADag)?
            .iter()
            .map(|i| i.get())
            .collect();
        Ok(Dag { graph, order })
    }

    /// Whether step `b` waits, directly or not, for step `a`.
    pub(crate) fn precedes(&self, a: usize, b: usize) -> bool {
        self.graph.precedes(StepIx(a), StepIx(b))
    }
}
