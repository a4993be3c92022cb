//! The plan: a DAG of steps, its inputs' digest, and the JSON contract `stackhop.plan/v1`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use stackhop_catalog::Scenario;
use stackhop_model::Action;

use crate::error::PlanError;
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
        let mut ids = BTreeMap::new();
        for (i, step) in plan.steps.iter().enumerate() {
            if ids.insert(step.id.as_str(), i).is_some() {
                let path = [Seg::Key("steps"), Seg::Index(i), Seg::Key("id")];
                return Err(shape(&path, format!("two steps have the id `{}`", step.id)));
            }
            if step.hosts.is_empty() {
                let path = [Seg::Key("steps"), Seg::Index(i), Seg::Key("hosts")];
                return Err(shape(&path, format!("step `{}` names no host", step.id)));
            }
        }
        for (i, step) in plan.steps.iter().enumerate() {
            if let Some((j, bad)) = step
                .after
                .iter()
                .enumerate()
                .find(|(_, a)| !ids.contains_key(a.as_str()))
            {
                let path = [
                    Seg::Key("steps"),
                    Seg::Index(i),
                    Seg::Key("after"),
                    Seg::Index(j),
                ];
                return Err(shape(
                    &path,
                    format!(
                        "step `{}` waits for `{bad}`, which is not a step of this plan",
                        step.id
                    ),
                ));
            }
        }
        if let Some(cycle) = plan.find_cycle() {
            // Point at the first edge of the cycle: its first step waiting for the second.
            let path = cycle.first().zip(cycle.get(1)).and_then(|(a, b)| {
                let i = *ids.get(a.as_str())?;
                let j = plan.steps[i].after.iter().position(|x| x == b)?;
                Some([
                    Seg::Key("steps"),
                    Seg::Index(i),
                    Seg::Key("after"),
                    Seg::Index(j),
                ])
            });
            return Err(shape(
                path.as_ref().map_or(&[][..], |p| &p[..]),
                format!(
                    "the steps wait for each other in a cycle: {} (each waits for the next)",
                    cycle.join(" -> ")
                ),
            ));
        }
        Ok(plan)
    }

    /// Step indices in an order that respects `after` (Kahn, ties by position), or `None` on a cycle.
    pub fn topological_order(&self) -> Option<Vec<usize>> {
        let index: BTreeMap<&str, usize> = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let mut waiting: Vec<usize> = self.steps.iter().map(|s| s.after.len()).collect();
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); self.steps.len()];
        for (i, s) in self.steps.iter().enumerate() {
            for a in &s.after {
                let &j = index.get(a.as_str())?;
                dependents[j].push(i);
            }
        }
        let mut ready: BTreeSet<usize> =
            (0..self.steps.len()).filter(|i| waiting[*i] == 0).collect();
        let mut order = Vec::with_capacity(self.steps.len());
        while let Some(i) = ready.pop_first() {
            order.push(i);
            for &d in &dependents[i] {
                waiting[d] -= 1;
                if waiting[d] == 0 {
                    ready.insert(d);
                }
            }
        }
        (order.len() == self.steps.len()).then_some(order)
    }

    fn find_cycle(&self) -> Option<Vec<String>> {
        if self.topological_order().is_some() {
            return None;
        }
        let index: BTreeMap<&str, usize> = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        // Walk `after` edges from any step until a step repeats: every node on a cycle has one.
        let mut state = vec![0u8; self.steps.len()];
        let mut stack: Vec<usize> = Vec::new();
        fn visit(
            plan: &Plan,
            index: &BTreeMap<&str, usize>,
            i: usize,
            state: &mut [u8],
            stack: &mut Vec<usize>,
        ) -> Option<Vec<String>> {
            state[i] = 1;
            stack.push(i);
            for a in &plan.steps[i].after {
                let j = *index.get(a.as_str())?;
                if state[j] == 1 {
                    let from = stack.iter().position(|&k| k == j).unwrap_or(0);
                    let mut cycle: Vec<String> = stack[from..]
                        .iter()
                        .map(|&k| plan.steps[k].id.clone())
                        .collect();
                    cycle.push(plan.steps[j].id.clone());
                    return Some(cycle);
                }
                if state[j] == 0
                    && let Some(c) = visit(plan, index, j, state, stack)
                {
                    return Some(c);
                }
            }
            stack.pop();
            state[i] = 2;
            None
        }
        (0..self.steps.len()).find_map(|i| {
            if state[i] == 0 {
                visit(self, &index, i, &mut state, &mut stack)
            } else {
                None
            }
        })
    }

    /// Longest path through the DAG by step estimates.
    pub fn critical_path_s(&self) -> u64 {
        let Some(order) = self.topological_order() else {
            return 0;
        };
        let index: BTreeMap<&str, usize> = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let mut finish = vec![0u64; self.steps.len()];
        for i in order {
            let start = self.steps[i]
                .after
                .iter()
                .filter_map(|a| index.get(a.as_str()).map(|&j| finish[j]))
                .max()
                .unwrap_or(0);
            finish[i] = start + self.steps[i].estimate_s;
        }
        finish.into_iter().max().unwrap_or(0)
    }

    /// Whether step `a` must finish before step `b` starts (through any chain of `after`).
    pub fn precedes(&self, a: &str, b: &str) -> bool {
        let index: BTreeMap<&str, usize> = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let Some(&target) = index.get(a) else {
            return false;
        };
        let Some(&from) = index.get(b) else {
            return false;
        };
        let mut seen = vec![false; self.steps.len()];
        let mut stack = vec![from];
        while let Some(i) = stack.pop() {
            for dep in &self.steps[i].after {
                if let Some(&j) = index.get(dep.as_str()) {
                    if j == target {
                        return true;
                    }
                    if !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        false
    }
}
