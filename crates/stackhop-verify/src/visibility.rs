//! Which changes the verifier's observations can see.
//!
//! The verifier observes, in every state, the hard and degraded invariants and the capabilities
//! (and, in the states where every step is complete, the goals). A host completion that changes
//! none of what they read is *invisible*: it cannot make a state broken or safe, nor take a
//! capability down or bring it back, in whatever state it happens. Partial-order reduction may
//! only postpone or advance invisible completions past others.
//!
//! The model's own checks are read here (`stackhop_model::check_invariants` and the RPC channels).
//! The catalog's custom invariants and capabilities are closures; the reduction relies on the
//! facts below, which every one of them keeps today and the test of this module checks over
//! every state of every built-in plan:
//!
//! - no invariant or capability reads a host's `repo`, `clients` or `instances` (`disrupted`, the
//!   instances taken down, is what they read);
//! - none reads a service's `installed` level, except through an RPC channel's `cap_auto` (nova's
//!   `compute = auto` follows the code the computes have installed);
//! - none reads a database's `utf8`, `tokens_flushed`, `backed_up` or `online_pending` flags
//!   (actions do: a sync refuses non-utf8 tables; the independence relation sees that).
//!
//! The explorer keeps a tripwire as well: a completion it took for invisible that changes what is
//! observed in the state it is taken from makes it explore every order after all.

use stackhop_model::{Global, HostState, RuleBook};

/// Whether a change of one host (and of the databases) can be seen by an invariant or a
/// capability.
pub(crate) fn observed_change(
    rules: &RuleBook,
    before: &HostState,
    after: &HostState,
    global_before: &Global,
    global_after: &Global,
) -> bool {
    let installed_seen = rules.channels.iter().any(|c| c.cap_auto.is_some());
    let host = before.env != after.env
        || before.provisioned != after.provisioned
        || before.disrupted != after.disrupted
        || before.config != after.config
        || before.services.len() != after.services.len()
        || before.services.iter().zip(&after.services).any(|(b, a)| {
            b.id != a.id
                || b.running != a.running
                || b.enabled != a.enabled
                || b.stale != a.stale
                || b.retired != a.retired
                || (installed_seen && b.installed != a.installed)
        });
    let databases = global_before.databases.len() != global_after.databases.len()
        || global_before
            .databases
            .iter()
            .zip(&global_after.databases)
            .any(|((kb, b), (ka, a))| kb != ka || b.schema != a.schema);
    host || databases
}

#[cfg(test)]
mod tests {
    use super::observed_change;
    use stackhop_catalog::Scenario;
    use stackhop_inventory::examples;
    use stackhop_model::{
        CapabilitySet, CloudState, Global, HostState, RuleBook, View, apply, check_invariants,
    };

    /// Everything the verifier observes in a state.
    fn observed(rules: &RuleBook, state: &CloudState) -> (Vec<String>, Vec<&'static str>) {
        let view = View::of(rules, state);
        let mut invariants: Vec<String> = check_invariants(&view)
            .into_iter()
            .map(|v| format!("{} {}", v.invariant, v.message))
            .collect();
        invariants.sort();
        // A host set apart is a group of its own: the same violation twice is one observation.
        invariants.dedup();
        let caps = CapabilitySet::of(&view);
        (invariants, caps.down().collect())
    }

    /// The fields the module doc says nobody observes, changed on one host and in the databases.
    fn perturbed(rules: &RuleBook, state: &CloudState, host: u32) -> CloudState {
        let installed_seen = rules.channels.iter().any(|c| c.cap_auto.is_some());
        let hosts: Vec<HostState> = state
            .hosts()
            .into_iter()
            .enumerate()
            .map(|(i, h)| {
                let mut h = h.clone();
                if i == host as usize {
                    h.repo = h.repo.wrapping_add(1);
                    h.clients = h.clients.wrapping_add(1);
                    h.instances = h.instances.wrapping_add(7);
                    if !installed_seen {
                        for s in &mut h.services {
                            s.installed = s.installed.wrapping_add(1);
                        }
                    }
                }
                h
            })
            .collect();
        let mut global: Global = state.global.clone();
        for db in global.databases.values_mut() {
            db.utf8 = !db.utf8;
            db.tokens_flushed = !db.tokens_flushed;
            db.backed_up = !db.backed_up;
            db.online_pending = !db.online_pending;
        }
        CloudState::from_hosts(global, hosts)
    }

    /// Every state the planner's plans pass through in plan order, for every built-in example
    /// and scenario: no change to the unobserved fields changes what is observed, and
    /// `observed_change` agrees that none was made.
    #[test]
    fn the_fields_taken_for_unobserved_are_not_observed() {
        let vocabulary = stackhop_catalog::vocabulary();
        let mut checked = 0;
        // `large` has the rules of `medium`, with more hosts to copy.
        for name in examples::NAMES.iter().filter(|n| **n != "large") {
            let source = examples::source(name).unwrap_or_default();
            let inventory = stackhop_inventory::parse(source, name, &vocabulary)
                .unwrap_or_else(|e| panic!("{e}"));
            let t = stackhop_catalog::find(&inventory.release, &inventory.profile)
                .unwrap_or_else(|| panic!("no transition"));
            let rules = t.rules(&inventory);
            for scenario in Scenario::ALL {
                let Ok(plan) = stackhop_plan::make_plan(t, &inventory, name, source, scenario)
                else {
                    continue;
                };
                let ids: std::collections::HashMap<&str, u32> = inventory
                    .hosts
                    .iter()
                    .enumerate()
                    .map(|(i, h)| (h.name.as_str(), u32::try_from(i).unwrap_or(0)))
                    .collect();
                let mut state = t.initial_state(&inventory, &rules);
                let order = plan.topological_order().unwrap_or_default();
                for i in order {
                    let step = &plan.steps[i];
                    let hosts: Vec<u32> = step.hosts.iter().map(|h| ids[h.as_str()]).collect();
                    // Only a few hosts: every group's first host is enough to cover its state.
                    for g in &state.groups {
                        let host = g.hosts[0];
                        let other = perturbed(&rules, &state, host);
                        assert_eq!(
                            observed(&rules, &state),
                            observed(&rules, &other),
                            "{name} {scenario} before {}",
                            step.id
                        );
                        let before = state.host(host).unwrap_or_else(|| panic!("host"));
                        let after = other.host(host).unwrap_or_else(|| panic!("host"));
                        assert!(!observed_change(
                            &rules,
                            before,
                            after,
                            &state.global,
                            &other.global
                        ));
                        checked += 1;
                    }
                    state = apply(&rules, &state, &step.action, &hosts)
                        .unwrap_or_else(|e| panic!("{name} {scenario} {}: {e}", step.id));
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }
}
