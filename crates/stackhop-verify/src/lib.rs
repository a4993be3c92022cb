//! `stackhop verify`: every state a plan can reach, checked.
//!
//! Any step whose `after` steps are all complete may run; a step on several hosts completes host
//! by host, in any order, each host completion applying the step's action to that host with the
//! model's [`apply_host`](stackhop_model::apply_host); the run may stop after any host
//! completion. So every reachable state must be safe: no hard invariant broken, and no step
//! refused (a step whose command would fail in that state).
//!
//! # Symmetry reduction
//!
//! Hosts that start in the same state and take part in the same steps are interchangeable: they
//! form a *class*, and a state records per class how many hosts are in each local state (a host
//! state and the set of the class's steps done) rather than which. Counts are exact for classes
//! of up to [`VerifyOptions::exact_up_to`] hosts. Larger classes count "none, one, two or more":
//! the model's rules only ask whether some host is in a given state, never how many (no rule reads
//! [`HostRef::count`](stackhop_model::HostRef)), so a crowd of 40 or 2,000 alike hosts reaches
//! the same observable states as any crowd of three or more, and the state count does not grow
//! with the number of alike hosts. The abstraction can only add states, never lose one: a plan it
//! verifies is safe.
//!
//! The global tallies of moved, recreated and drained instances are not part of a state (no rule
//! reads them; they are the simulator's accounting).
//!
//! # Blocks
//!
//! A *cut step* is one that every other step either precedes or follows (`after`, transitively);
//! the steps between two cuts form a block, and blocks run strictly one after the other. So the
//! plan is explored block by block, from the concrete states the previous block ends in, and the
//! classes are drawn afresh for each block: two thousand computes that go through the first
//! blocks alike and are then upgraded in batches are one class (per state) until their ways
//! part, instead of one class per batch from the start, whose progress through a shared step
//! would multiply. When a class can end a block in several states (two steps racing to set one
//! option), the next block is explored together with it.
//!
//! # One partial-order reduction
//!
//! Installing a release repository changes only `HostState::repo`, which no invariant,
//! capability or goal reads (it feeds a later package upgrade). In a block that neither upgrades,
//! provisions nor reinstalls a class's hosts nor migrates instances, such a move is invisible and
//! independent of every other move, so it alone is explored from a state where it is possible
//! (the ample-set method; a tripwire explores everything if the move turns out to change what the
//! rules see). This keeps `prepare.repo.*` running alongside the configuration steps on the same
//! hosts from multiplying the states.
//!
//! Breadth-first search gives the shortest trace to each violation (shortest in host
//! completions; repository installs may come earlier in it than in other orders).

mod describe;
mod error;
mod explore;
mod fxhash;
mod remaining;
mod report;
mod setup;

use std::collections::BTreeMap;

use stackhop_catalog::Transition;
use stackhop_inventory::Inventory;
use stackhop_model::{CloudState, RuleBook};
use stackhop_plan::Plan;

pub use error::VerifyError;
pub use remaining::{Blocked, RunPosition, blocked_steps};
pub use report::{
    CapabilityReport, DegradedReport, PhaseStates, VERIFY_SCHEMA, VerifyReport, ViolationReport,
};

/// Knobs of the exploration; [`VerifyOptions::default`] is what `stackhop verify` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Stop with [`VerifyError::TooManyStates`] past this many distinct states.
    pub max_states: usize,
    /// Classes of up to this many alike hosts are counted exactly; larger ones as "none" or
    /// "some".
    pub exact_up_to: u32,
    /// Steps whose commands are not the catalog's rendering of their action are listed but do
    /// not make the plan unverified (`--accept-edited`).
    pub accept_edited: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            max_states: 4_000_000,
            exact_up_to: 8,
            accept_edited: false,
        }
    }
}

/// Explores every state the plan can reach on this inventory and reports what it found.
pub fn verify(
    transition: &dyn Transition,
    inventory: &Inventory,
    plan: &Plan,
) -> Result<VerifyReport, VerifyError> {
    verify_with(transition, inventory, plan, &VerifyOptions::default())
}

/// [`verify`] with explicit options.
pub fn verify_with(
    transition: &dyn Transition,
    inventory: &Inventory,
    plan: &Plan,
    options: &VerifyOptions,
) -> Result<VerifyReport, VerifyError> {
    if plan.transition != transition.id() {
        return Err(VerifyError::TransitionMismatch {
            plan: plan.transition.clone(),
            catalog: transition.id().to_owned(),
        });
    }
    let rules = transition.rules(inventory);
    let initial = transition.initial_state(inventory, &rules);
    let mut report = explore_from(&rules, initial, inventory, plan, options)?;
    report.edited_steps = stackhop_plan::edited_steps(plan, transition, inventory);
    report.edits_accepted = options.accept_edited && !report.edited_steps.is_empty();
    report.verified &= report.edited_steps.is_empty() || options.accept_edited;
    Ok(report)
}

/// Explores the plan from a given cloud rather than the one the inventory describes: what is left
/// of a run, from where the run stands. Commands are not compared with the catalog's here.
pub fn verify_from(
    transition: &dyn Transition,
    inventory: &Inventory,
    plan: &Plan,
    initial: CloudState,
    options: &VerifyOptions,
) -> Result<VerifyReport, VerifyError> {
    if plan.transition != transition.id() {
        return Err(VerifyError::TransitionMismatch {
            plan: plan.transition.clone(),
            catalog: transition.id().to_owned(),
        });
    }
    explore_from(
        &transition.rules(inventory),
        initial,
        inventory,
        plan,
        options,
    )
}

fn explore_from(
    rules: &RuleBook,
    initial: CloudState,
    inventory: &Inventory,
    plan: &Plan,
    options: &VerifyOptions,
) -> Result<VerifyReport, VerifyError> {
    let setup = setup::setup(rules, initial, inventory, plan)?;
    let outcome =
        explore::Engine::new(rules, &setup, options.max_states, options.exact_up_to).run()?;

    let phase_name = |p: Option<usize>| match p {
        Some(p) => setup.phases[p].clone(),
        None => "(before any step)".to_owned(),
    };
    let capabilities: BTreeMap<String, CapabilityReport> = outcome
        .capabilities
        .into_iter()
        .map(|(name, available, phases)| {
            (
                name,
                CapabilityReport {
                    available,
                    unavailable_during: phases.into_iter().map(phase_name).collect(),
                },
            )
        })
        .collect();
    let degraded = outcome
        .degraded
        .into_iter()
        .map(|(invariant, message, phases)| DegradedReport {
            invariant,
            message,
            phases: phases.into_iter().map(phase_name).collect(),
        })
        .collect();
    let mut unmet_goals: Vec<String> = outcome.unmet.into_iter().collect();
    if outcome.final_states == 0 {
        unmet_goals.push(
            "no explored run completes every step (a violation or a refused step stops them)"
                .to_owned(),
        );
    }
    Ok(VerifyReport {
        schema: VERIFY_SCHEMA,
        scenario: plan.scenario.as_str().to_owned(),
        transition: plan.transition.clone(),
        cloud: plan.cloud.clone(),
        verified: outcome.violations.is_empty(),
        states: outcome.states,
        transitions: outcome.transitions,
        states_by_phase: outcome
            .states_by_phase
            .into_iter()
            .map(|(p, states)| PhaseStates {
                phase: phase_name(p),
                states,
            })
            .collect(),
        classes: setup.plan_classes,
        blocks: outcome.blocks,
        block_classes: outcome.max_classes,
        violations: outcome.violations,
        degraded,
        capabilities,
        goal_reached: unmet_goals.is_empty(),
        unmet_goals,
        final_states: outcome.final_states,
        edited_steps: Vec::new(),
        edits_accepted: false,
    })
}

/// Verifies a saved (possibly hand-edited) plan on its own: the plan's shape is checked, the
/// inventory it embeds is parsed, and the catalog transition it names is used.
pub fn verify_plan_json(text: &str, file: &str) -> Result<VerifyReport, VerifyError> {
    let plan = Plan::from_json(text, file)?;
    let inventory = stackhop_inventory::parse(
        &plan.inventory_source,
        &plan.inventory_file,
        &stackhop_catalog::vocabulary(),
    )
    .map_err(VerifyError::Inventory)?;
    let transition =
        stackhop_catalog::find(&inventory.release, &inventory.profile).ok_or_else(|| {
            VerifyError::NoTransition {
                release: inventory.release.clone(),
                profile: inventory.profile.clone(),
            }
        })?;
    verify(transition, &inventory, &plan)
}
