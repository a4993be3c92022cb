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
//! # Partial-order reduction
//!
//! Host completions that touch different cells of the cloud commute: which cells each action reads
//! and writes is derived from the model's `apply_host` (see `independence`), not from step names.
//! From each state only a *stubborn set* of moves is explored (see `por`): moves closed under
//! conflict and under "what must happen before a move the plan does not allow yet". For the proof
//! every move so explored alone must be *invisible* — change nothing an invariant or a capability
//! reads (see `visibility`) — so every sequence of observations, hence every broken state and every
//! outage, is still reached. It composes with the symmetry reduction: a move is one host of a
//! class's local state, and the other hosts of that local state are separate processes.
//!
//! Breadth-first search over the reduced graph gives *near-shortest* traces: a violation's trace
//! is no longer than a shortest run to such a state plus the invisible completions (repository
//! installs, package upgrades, database backups) that the reduction took earlier than that run
//! needs them; leaving those out, it is a shortest one.
//!
//! # Limits, and the counterexample search
//!
//! The exploration stops at [`VerifyOptions::max_states`] states, at about
//! [`VerifyOptions::max_bytes`] bytes, or when the caller says its time is up; what it found is
//! kept and reported with `complete: false`. A plan with its ordering removed can have more states
//! than any budget: when the proof passes [`VerifyOptions::quick_search_after`] states, a second
//! exploration looks for a counterexample among the runs in which hosts take turns (see
//! `search`), far deeper for the same number of states. A violation either finds ends the
//! verification, incomplete; otherwise the proof goes on to its limits.

mod assemble;
mod bits;
mod describe;
mod error;
mod explore;
mod fxhash;
mod independence;
mod limits;
mod por;
mod remaining;
mod report;
mod search;
mod setup;
mod visibility;

use stackhop_catalog::Transition;
use stackhop_inventory::Inventory;
use stackhop_model::{CloudState, RuleBook};
use stackhop_plan::Plan;

pub use error::VerifyError;
pub use limits::Limit;
pub use remaining::{Blocked, RunPosition, blocked_steps};
pub use report::{
    CapabilityReport, DegradedReport, PhaseStates, Search, VERIFY_SCHEMA, VerifyReport,
    ViolationReport,
};

/// Knobs of the exploration; [`VerifyOptions::default`] is what `stackhop verify` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Stop past this many distinct states (the report says `stopped_by: states`).
    pub max_states: usize,
    /// Stop when the states kept would take about this many bytes (`stopped_by: memory`).
    pub max_bytes: usize,
    /// Past this many states the proof pauses for a counterexample search (see the crate doc).
    pub quick_search_after: usize,
    /// Explore only a stubborn set of moves from each state (see the crate doc); `false`
    /// explores every order, to measure or cross-check the reduction.
    pub partial_order: bool,
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
            max_bytes: 2 << 30,
            quick_search_after: 20_000,
            partial_order: true,
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
    verify_until(transition, inventory, plan, options, &|| false)
}

/// [`verify_with`], stopping (with what it found) once `interrupted` says so; it is asked every
/// thousand states or so. The caller owns the clock.
pub fn verify_until(
    transition: &dyn Transition,
    inventory: &Inventory,
    plan: &Plan,
    options: &VerifyOptions,
    interrupted: &dyn Fn() -> bool,
) -> Result<VerifyReport, VerifyError> {
    same_transition(transition, plan)?;
    let rules = transition.rules(inventory);
    let initial = transition.initial_state(inventory, &rules);
    let mut report = explore_from(&rules, initial, inventory, plan, options, interrupted)?;
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
    same_transition(transition, plan)?;
    let rules = transition.rules(inventory);
    explore_from(&rules, initial, inventory, plan, options, &|| false)
}

/// A plan is verified only against the catalog of the transition it was made for.
fn same_transition(transition: &dyn Transition, plan: &Plan) -> Result<(), VerifyError> {
    if plan.transition == transition.id() {
        return Ok(());
    }
    Err(VerifyError::TransitionMismatch {
        plan: plan.transition.clone(),
        catalog: transition.id().to_owned(),
    })
}

fn explore_from(
    rules: &RuleBook,
    initial: CloudState,
    inventory: &Inventory,
    plan: &Plan,
    options: &VerifyOptions,
    interrupted: &dyn Fn() -> bool,
) -> Result<VerifyReport, VerifyError> {
    let setup = setup::setup(rules, initial, inventory, plan)?;
    let found = search::search(rules, &setup, options, interrupted)?;
    Ok(assemble::report(plan, &setup, found))
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
