//! The verifier's result: the JSON contract `stackhop.verify/v1`.

use std::collections::BTreeMap;

use serde::Serialize;
use stackhop_model::Class;
use stackhop_plan::EditedStep;

use crate::limits::Limit;

pub const VERIFY_SCHEMA: &str = "stackhop.verify/v1";

/// What `verify` found for one plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Always [`VERIFY_SCHEMA`].
    pub schema: &'static str,
    pub scenario: String,
    /// The catalog transition, e.g. `havana-icehouse/rdo`.
    pub transition: String,
    /// The inventory's `name`.
    pub cloud: String,
    /// No reachable state breaks a hard invariant and no step is refused in any reachable state:
    /// `complete` and no violation.
    pub verified: bool,
    /// Every reachable state was explored (up to the symmetry and partial-order reductions, which
    /// lose none that matters). When `false`, `violations` holds what was found before the
    /// exploration stopped, and the capabilities, degraded windows and goals are over the states
    /// explored.
    pub complete: bool,
    /// Why the exploration stopped before it was complete: `states`, `memory`, `time`, or
    /// `counterexample` (a violation was found and the rest of a large state graph was not
    /// explored); `null` when it is complete.
    pub stopped_by: Option<Limit>,
    /// The phases whose every reachable state was explored, in plan order: every phase when
    /// `complete`.
    pub phases_explored: Vec<String>,
    /// Distinct abstract states explored by the proof (hosts that are alike are counted, not
    /// named).
    pub states: usize,
    /// Distinct abstract states explored by the counterexample search, which runs only when the
    /// proof is long (0 when it did not run).
    pub counterexample_search_states: usize,
    /// Host completions explored (edges between states, refused ones included).
    pub transitions: usize,
    /// Where the states come from: per phase (in plan order), the states first reached by one of
    /// its steps; the initial state counts under `(before any step)`.
    pub states_by_phase: Vec<PhaseStates>,
    /// Classes of hosts that start alike and take part in the same steps of the plan.
    pub classes: usize,
    /// Blocks of steps explored one after the other: a step that every other step precedes or
    /// follows ends one.
    pub blocks: usize,
    /// The most classes of interchangeable hosts within one block (hosts alike when the block
    /// starts and taking part in the same steps of it); what a state costs.
    pub block_classes: usize,
    /// The first (shortest) violation of each hard invariant, in the order found.
    pub violations: Vec<ViolationReport>,
    /// Degraded invariants seen, with the phases during which they hold.
    pub degraded: Vec<DegradedReport>,
    /// Every capability the cloud offers, and whether the plan keeps it available.
    pub capabilities: BTreeMap<String, CapabilityReport>,
    /// The state after every step satisfies every goal of the transition.
    pub goal_reached: bool,
    /// What keeps the final state(s) from being the finished upgrade.
    pub unmet_goals: Vec<String>,
    /// Distinct reachable states in which every step is complete (one for a deterministic plan).
    pub final_states: usize,
    /// Steps whose commands (or where and how they run) are not what the catalog renders for
    /// their action: verify proves actions, so these make the plan unverified unless accepted.
    pub edited_steps: Vec<EditedStep>,
    /// The operator accepted the edited steps (`--accept-edited`).
    pub edits_accepted: bool,
}

/// One broken hard invariant, or one step that would fail, with the shortest run reaching it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViolationReport {
    pub invariant: String,
    /// Always `hard`: degraded invariants are reported in `degraded`.
    pub class: Class,
    pub message: String,
    /// Step ids in the order their hosts completed, consecutive repeats collapsed: a step that
    /// appears last may have completed on only some of its hosts.
    pub trace: Vec<String>,
    /// `proof` when the proof found it: the trace is a shortest run to such a state, up to
    /// completions that no invariant observes, which may come earlier than they need to.
    /// `counterexample_search` when the counterexample search found it: a real run, shortest
    /// among the orders that search explores.
    pub found_by: Search,
    /// The hosts involved, e.g. `ctl1; one of cmp[1:3]`.
    pub hosts: String,
    /// The step whose completion (on one host) broke it, or that would fail; empty when the
    /// cloud is already broken before any step.
    pub step: String,
    /// What differs from the safe state just before.
    pub differs: String,
    /// The step itself cannot succeed in this state (its command would fail on the cloud).
    pub refused: bool,
}

/// Which exploration found a violation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Search {
    Proof,
    CounterexampleSearch,
}

/// A degraded invariant: the cloud works but loses a feature or logs errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DegradedReport {
    pub invariant: String,
    pub message: String,
    /// The phases of the steps whose completion led to a state where it holds, in plan order.
    pub phases: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CapabilityReport {
    /// Up in every reachable state.
    pub available: bool,
    /// The phases of the steps whose completion led to a state where it is down, in plan order.
    pub unavailable_during: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseStates {
    pub phase: String,
    pub states: usize,
}
