//! The two explorations behind one verification: the proof, and a search for a counterexample
//! when the proof is long.
//!
//! The proof explores every state, up to symmetry and the sound partial-order reduction (see
//! `por`). Most plans are proven within [`VerifyOptions::quick_search_after`] states. When a plan
//! is not — a plan whose ordering was removed can have more states than any budget — the proof
//! pauses and the *counterexample search* explores the same plan the way CHESS explores threads
//! (Musuvathi and Qadeer, iterative context bounding): the host that completed a step last goes
//! on with its own steps until it has none left that the plan allows, and only then may any
//! other host take over; taking over earlier is a *preemption*, and a run may have at most
//! [`MAX_PREEMPTIONS`] of them. Every state it reaches is reachable (its violations are real, its
//! traces real runs, breadth-first so shortest among those runs); most wrong orders show within
//! a preemption or two, far deeper than the proof gets with the same number of states. A
//! violation found by either ends the verification there: the plan is broken, and the report says
//! the exploration is incomplete. Otherwise the proof starts again with the whole budget.

use stackhop_model::RuleBook;

use crate::VerifyOptions;
use crate::error::VerifyError;
use crate::explore::{Engine, Mode, Outcome};
use crate::independence::Independence;
use crate::limits::{Budget, Limit};
use crate::report::ViolationReport;
use crate::setup::Setup;

/// The most preemptions a run of the counterexample search may have: it tries runs without
/// any first, then with one, and so on while its budget lasts.
pub(crate) const MAX_PREEMPTIONS: u32 = 2;

/// What the explorations found.
pub(crate) struct Found {
    /// The last run of the proof.
    pub(crate) proof: Outcome,
    /// What the counterexample search found, when it ran.
    pub(crate) counterexamples: Vec<ViolationReport>,
    /// The states the counterexample search explored (0 when it did not run).
    pub(crate) counterexample_states: usize,
    /// Why the proof is incomplete, if it is.
    pub(crate) stopped_by: Option<Limit>,
}

pub(crate) fn search(
    rules: &RuleBook,
    setup: &Setup<'_>,
    options: &VerifyOptions,
    interrupted: &dyn Fn() -> bool,
) -> Result<Found, VerifyError> {
    let independence = Independence::of(rules, &setup.steps);
    let run = |mode: Mode, max_states: usize| {
        let budget = Budget {
            max_states,
            max_bytes: options.max_bytes,
            interrupted,
        };
        Engine::new(
            rules,
            setup,
            &independence,
            mode,
            budget,
            options.exact_up_to,
        )
        .run()
    };
    let proof_mode = Mode::Proof {
        partial_order: options.partial_order,
    };
    let first = options.quick_search_after.min(options.max_states);
    let proof = run(proof_mode, first)?;
    let Some(limit) = proof.stopped_by else {
        return Ok(Found {
            proof,
            counterexamples: Vec::new(),
            counterexample_states: 0,
            stopped_by: None,
        });
    };
    let mut counterexamples: Vec<ViolationReport> = Vec::new();
    let mut counterexample_states = 0;
    for preemptions in 0..=MAX_PREEMPTIONS {
        let outcome = run(
            Mode::Counterexample { preemptions },
            first - counterexample_states,
        )?;
        counterexample_states += outcome.states;
        counterexamples.extend(outcome.violations);
        // Found something, or its budget is spent.
        if !counterexamples.is_empty() || outcome.stopped_by.is_some() {
            break;
        }
    }
    let found = !proof.violations.is_empty() || !counterexamples.is_empty();
    if found || limit != Limit::States || first == options.max_states {
        let stopped_by = if found && limit == Limit::States && first < options.max_states {
            Limit::Counterexample
        } else {
            limit
        };
        return Ok(Found {
            proof,
            counterexamples,
            counterexample_states,
            stopped_by: Some(stopped_by),
        });
    }
    let proof = run(proof_mode, options.max_states)?;
    let stopped_by = proof.stopped_by;
    Ok(Found {
        proof,
        counterexamples,
        counterexample_states,
        stopped_by,
    })
}
