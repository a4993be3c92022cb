//! The digital twin: a cloud state that plan steps change through the model's one transition
//! function. The simulator drives it on a virtual clock; the executor's `sim` target drives it
//! step by step.

use std::collections::BTreeMap;

use stackhop_catalog::Transition;
use stackhop_inventory::Inventory;
use stackhop_model::{
    Action, ApplyError, CapabilitySet, Class, CloudState, RuleBook, View, Violation, apply,
    check_invariants, unmet_goals,
};
use stackhop_plan::Step;

use crate::error::TwinError;

/// A simulated cloud: the transition's rules and the current state.
#[derive(Debug, Clone)]
pub struct Twin {
    rules: RuleBook,
    state: CloudState,
    /// Host names in inventory order; a host's id is its index.
    names: Vec<String>,
    ids: BTreeMap<String, u32>,
}

impl Twin {
    /// The cloud as the inventory describes it, before any step.
    pub fn new(transition: &dyn Transition, inventory: &Inventory) -> Self {
        let rules = transition.rules(inventory);
        let state = transition.initial_state(inventory, &rules);
        let names = inventory.hosts.iter().map(|h| h.name.clone()).collect();
        Twin::from_parts(rules, state, names)
    }

    /// A twin over a given state, e.g. one restored from a journal. `names[i]` is host `i`.
    pub fn from_parts(rules: RuleBook, state: CloudState, names: Vec<String>) -> Self {
        let ids = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        Twin {
            rules,
            state,
            names,
            ids,
        }
    }

    pub fn host_id(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    pub fn host_name(&self, id: u32) -> Option<&str> {
        self.names
            .get(usize::try_from(id).ok()?)
            .map(String::as_str)
    }

    /// Carries out one step on one of its hosts (by name). On an error the state is unchanged:
    /// the step failed there, as its command would on the real cloud.
    pub fn apply_host(&mut self, step: &Step, host: &str) -> Result<(), TwinError> {
        let id = self
            .host_id(host)
            .ok_or_else(|| TwinError::UnknownHost(host.to_owned()))?;
        Ok(self.apply_action(&step.action, id)?)
    }

    /// Carries out an action on one host (by id) with [`stackhop_model::apply`].
    pub fn apply_action(&mut self, action: &Action, host: u32) -> Result<(), ApplyError> {
        self.state = apply(&self.rules, &self.state, action, &[host])?;
        Ok(())
    }

    pub(crate) fn set_state(&mut self, state: CloudState) {
        self.state = state;
    }

    pub fn state(&self) -> &CloudState {
        &self.state
    }

    pub fn rules(&self) -> &RuleBook {
        &self.rules
    }

    pub fn view(&self) -> View<'_> {
        View::of(&self.rules, &self.state)
    }

    /// Which capabilities work now; one the cloud does not offer is absent.
    pub fn capabilities(&self) -> CapabilitySet {
        CapabilitySet::of(&self.view())
    }

    /// Every invariant violated now, hard and degraded.
    pub fn violations(&self) -> Vec<Violation> {
        check_invariants(&self.view())
    }

    /// No hard invariant is violated: nothing is broken.
    pub fn is_safe(&self) -> bool {
        self.violations().iter().all(|v| v.class != Class::Hard)
    }

    /// What keeps the current state from being the finished upgrade; empty when it is.
    pub fn unmet_goals(&self) -> Vec<String> {
        unmet_goals(&self.view())
    }

    /// Instances taken down by a reboot, reinstall or stop of their host, over all hosts.
    pub fn instances_disrupted(&self) -> u64 {
        self.state
            .groups
            .iter()
            .map(|g| u64::from(g.state.disrupted) * g.hosts.len() as u64)
            .sum()
    }

    /// Instances re-created from a snapshot by planned moves.
    pub fn instances_recreated(&self) -> u64 {
        self.state.global.recreated
    }
}
