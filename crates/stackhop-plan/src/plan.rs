//! The plan: a DAG of steps, its inputs' digest, and the JSON contract `stackhop.plan/v1`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use stackhop_catalog::Scenario;
use stackhop_model::Action;

use crate::error::PlanError;
use crate::graph::StepGraph;
use crate::locate::{Seg, locate};

pub const PLAN_SCHEMA: &str = "stackhop.plan/v1";

/// One action bound to hosts, with its commands, estimate and reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Unique and readable, e.g. `nova-computes.b003.upgrade`; `after` refers to it.
    pub id: String,
    pub phase: String,
    pub action: Action,
    pub hosts: Vec<String>,
    #[serde(default)]
    pub after: Vec<String>,
    /// Commands for the transition's profile; `{host}` is each host of the step.
    #[serde(default)]
    pub commands: Vec<String>,
    /// Where the commands run when not on each host: a controller with admin credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs_on: Option<String>,
    #[serde(default)]
    pub estimate_s: u64,
    /// The rule or hazard that put the step here.
    #[serde(default)]
    pub reason: String,
    /// Needs a person; the executor waits for confirmation.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub manual: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub schema: String,
    pub scenario: Scenario,
    /// The catalog transition, e.g. `havana-icehouse/rdo`.
    pub transition: String,
    /// The catalog's data version the commands were rendered with.
    #[serde(default)]
    pub catalog_version: String,
    /// The inventory's `name`.
    pub cloud: String,
    pub digest: String,
    /// Critical path through the DAG, in seconds.
    pub estimate_s: u64,
    pub steps: Vec<Step>,
    /// Where the inventory was read from, and its text: a saved plan can be verified and
    /// applied on its own, and its digest checked against the inventory later.
    pub inventory_file: String,
    pub inventory_source: String,
}

impl Plan {
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Records the digest of the plan as it is now (see [`digest`](crate::digest())).
    pub fn seal(&mut self) {
        self.digest = crate::digest::digest(self);
    }

    /// Reads a saved plan, checking its shape (schema, unique ids, known `after` ids, no cycle)
    /// and that its digest is that of its content.
    pub fn from_json(text: &str, file: &str) -> Result<Plan, PlanError> {
        let plan = Plan::from_json_unsealed(text, file)?;
        let content = crate::digest::digest(&plan);
        if content != plan.digest {
            return Err(PlanError::Digest {
                file: file.to_owned(),
                at: locate(text, &[Seg::Key("digest")]),
                recorded: plan.digest,
                content,
            });
        }
        Ok(plan)
    }

    /// Reads a plan checking its shape only: for `reseal`, and for the copy a journal keeps (the
    /// journal has its own digest of that text).
    pub fn from_json_unsealed(text: &str, file: &str) -> Result<Plan, PlanError> {
        let plan: Plan = serde_json::from_str(text).map_err(|e| PlanError::Json {
            file: file.to_owned(),
            line: e.line(),
            column: e.column(),
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_owned(),
        })?;
        let shape = |path: &[Seg<'_>], message: String| PlanError::Shape {
            file: file.to_owned(),
            at: locate(text, path),
            message,
        };
        if plan.schema != PLAN_SCHEMA {
            return Err(shape(
                &[Seg::Key("schema")],
                format!(
                    "schema is `{}`, this stackhop reads `{PLAN_SCHEMA}`",
                    plan.schema
                ),
            ));
        }
        let mut ids = BTreeSet::new();
        for (i, step) in plan.steps.iter().enumerate() {
            if !ids.insert(step.id.as_str()) {
                let path = [Seg::Key("steps"), Seg::Index(i), Seg::Key("id")];
                return Err(shape(&path, format!("two steps have the id `{}`", step.id)));
            }
            if step.hosts.is_empty() {
                let path = [Seg::Key("steps"), Seg::Index(i), Seg::Key("hosts")];
                return Err(shape(&path, format!("step `{}` names no host", step.id)));
            }
        }
        let graph = plan.graph();
        if let Some(&(step, k)) = graph.unknown().first() {
            let i = step.get();
            let path = [
                Seg::Key("steps"),
                Seg::Index(i),
                Seg::Key("after"),
                Seg::Index(k),
            ];
            return Err(shape(
                &path,
                format!(
                    "step `{}` waits for `{}`, which is not a step of this plan",
                    plan.steps[i].id, plan.steps[i].after[k]
                ),
            ));
        }
        if let Some(cycle) = graph.cycle() {
            // Point at the first edge of the cycle: its first step waiting for the second.
            let path = cycle.first().zip(cycle.get(1)).and_then(|(a, b)| {
                let i = a.get();
                let j = plan.steps[i]
                    .after
                    .iter()
                    .position(|x| *x == plan.steps[b.get()].id)?;
                Some([
                    Seg::Key("steps"),
                    Seg::Index(i),
                    Seg::Key("after"),
                    Seg::Index(j),
                ])
            });
            let names: Vec<&str> = cycle
                .iter()
                .map(|i| plan.steps[i.get()].id.as_str())
                .collect();
            return Err(shape(
                path.as_ref().map_or(&[][..], |p| &p[..]),
                format!(
                    "the steps wait for each other in a cycle: {} (each waits for the next)",
                    names.join(" -> ")
                ),
            ));
        }
        Ok(plan)
    }

    /// The steps as a graph: dependencies, dependents, a topological order.
    pub fn graph(&self) -> StepGraph {
        StepGraph::of(self)
    }

    /// Step indices in an order that respects `after` (Kahn, ties by position), or `None` on a cycle.
    pub fn topological_order(&self) -> Option<Vec<usize>> {
        self.graph()
            .order()
            .map(|order| order.iter().map(|i| i.get()).collect())
    }

    /// Longest path through the DAG by step estimates.
    pub fn critical_path_s(&self) -> u64 {
        self.graph()
            .critical_path(|i| self.steps[i.get()].estimate_s)
    }

    /// Whether step `a` must finish before step `b` starts (through any chain of `after`).
    pub fn precedes(&self, a: &str, b: &str) -> bool {
        let graph = self.graph();
        match (graph.index(a), graph.index(b)) {
            (Some(a), Some(b)) => graph.precedes(a, b),
            _ => false,
        }
    }
}
