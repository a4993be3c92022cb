//! Builds a plan step by step, keeping a frontier: the steps the next step waits for.

use std::collections::BTreeSet;

use stackhop_catalog::Transition;
use stackhop_inventory::Inventory;
use stackhop_model::Action;

use crate::hosts::Hosts;
use crate::plan::Step;
use crate::rendering::render_step;

pub(crate) struct Builder<'a> {
    pub(crate) transition: &'a dyn Transition,
    pub(crate) inventory: &'a Inventory,
    pub(crate) hosts: &'a Hosts<'a>,
    pub(crate) steps: Vec<Step>,
    frontier: Vec<String>,
    ids: BTreeSet<String>,
}

/// What one step does, before it is placed in the DAG.
pub(crate) struct Spec {
    pub(crate) id: String,
    pub(crate) action: Action,
    pub(crate) hosts: Vec<usize>,
    pub(crate) reason: String,
}

pub(crate) fn spec(
    id: impl Into<String>,
    action: Action,
    hosts: Vec<usize>,
    reason: impl Into<String>,
) -> Spec {
    Spec {
        id: id.into(),
        action,
        hosts,
        reason: reason.into(),
    }
}

impl<'a> Builder<'a> {
    pub(crate) fn new(
        transition: &'a dyn Transition,
        inventory: &'a Inventory,
        hosts: &'a Hosts<'a>,
    ) -> Self {
        Builder {
            transition,
            inventory,
            hosts,
            steps: Vec::new(),
            frontier: Vec::new(),
            ids: BTreeSet::new(),
        }
    }

    /// The id, or when taken the id with the hosts' role (`unpin.unset.network.computes`), or
    /// with a number.
    fn unique(&mut self, id: String, hosts: &[usize]) -> String {
        if self.ids.insert(id.clone()) {
            return id;
        }
        let labelled = format!("{id}.{}", self.hosts.label(hosts));
        if self.ids.insert(labelled.clone()) {
            return labelled;
        }
        let mut n = 2;
        loop {
            let candidate = format!("{id}.{n}");
            if self.ids.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }

    fn make(&mut self, phase: &str, spec: Spec, after: Vec<String>) -> Option<String> {
        if spec.hosts.is_empty() {
            return None;
        }
        let id = self.unique(spec.id, &spec.hosts);
        let rendered = render_step(self.transition, self.inventory, &spec.action);
        let estimate = self.transition.estimate(&spec.action, self.inventory);
        let estimate_s = estimate.total_s(spec.hosts.len()).round() as u64;
        self.steps.push(Step {
            id: id.clone(),
            phase: phase.to_owned(),
            action: spec.action,
            hosts: spec
                .hosts
                .iter()
                .map(|&i| self.hosts.name(i).to_owned())
                .collect(),
            after,
            commands: rendered.commands,
            runs_on: rendered.runs_on,
            estimate_s,
            reason: spec.reason,
            manual: rendered.manual,
        });
        Some(id)
    }

    pub(crate) fn frontier(&self) -> Vec<String> {
        self.frontier.clone()
    }

    pub(crate) fn set_frontier(&mut self, ids: Vec<String>) {
        self.frontier = ids;
    }

    /// One step after the given steps, leaving the frontier alone.
    pub(crate) fn after(&mut self, phase: &str, spec: Spec, after: Vec<String>) -> Option<String> {
        self.make(phase, spec, after)
    }

    /// Steps one after another, each after the one before, starting after `after`; returns the
    /// last one (or `after` when there was nothing to do). Edits of one config file must never
    /// run at the same time: the tools rewrite the whole file.
    pub(crate) fn sequence(
        &mut self,
        phase: &str,
        specs: Vec<Spec>,
        after: Vec<String>,
    ) -> Vec<String> {
        let mut last = after;
        for spec in specs {
            if let Some(id) = self.make(phase, spec, last.clone()) {
                last = vec![id];
            }
        }
        last
    }

    /// Steps one after another after the frontier; the last becomes the frontier.
    pub(crate) fn chain(&mut self, phase: &str, specs: Vec<Spec>) {
        let start = self.frontier.clone();
        self.frontier = self.sequence(phase, specs, start);
    }

    /// One step after the frontier; it becomes the frontier.
    pub(crate) fn then(&mut self, phase: &str, spec: Spec) {
        let after = self.frontier.clone();
        if let Some(id) = self.make(phase, spec, after) {
            self.frontier = vec![id];
        }
    }

    /// Steps that may run together after the frontier; all of them become the frontier.
    pub(crate) fn together(&mut self, phase: &str, specs: Vec<Spec>) {
        let after = self.frontier.clone();
        let ids: Vec<String> = specs
            .into_iter()
            .filter_map(|s| self.make(phase, s, after.clone()))
            .collect();
        if !ids.is_empty() {
            self.frontier = ids;
        }
    }

    /// Chains that may run side by side after the frontier; their last steps become the frontier.
    pub(crate) fn chains(&mut self, phase: &str, chains: Vec<Vec<Spec>>) {
        let start = self.frontier.clone();
        let mut ends = Vec::new();
        for chain in chains {
            let mut after = start.clone();
            for spec in chain {
                if let Some(id) = self.make(phase, spec, after.clone()) {
                    after = vec![id];
                }
            }
            if after != start {
                ends.extend(after);
            }
        }
        if !ends.is_empty() {
            self.frontier = ends;
        }
    }

    /// One step per group of alike hosts, together.
    pub(crate) fn per_group(
        &mut self,
        phase: &str,
        id: &str,
        action: Action,
        hosts: &[usize],
        reason: &str,
    ) {
        let groups = self.hosts.groups(hosts);
        let single = groups.len() == 1;
        let specs = groups
            .into_iter()
            .map(|g| {
                let label = self.hosts.label(&g);
                let id = if single {
                    id.to_owned()
                } else {
                    format!("{id}.{label}")
                };
                spec(id, action.clone(), g, reason)
            })
            .collect();
        self.together(phase, specs);
    }
}
