//! When an exploration has to stop before it finishes, and why.
//!
//! The verifier has no clock (rule 1 of the house): a deadline reaches it as a question it asks
//! the caller now and then, [`Budget::interrupted`].

use serde::Serialize;

use crate::error::VerifyError;

/// What stopped an exploration before it finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// [`crate::VerifyOptions::max_states`] distinct states were explored.
    States,
    /// The states kept would take more than [`crate::VerifyOptions::max_bytes`].
    Memory,
    /// The caller's deadline passed (`stackhop verify --max-seconds`).
    Time,
    /// A counterexample was found, and the proof was not pursued past
    /// [`crate::VerifyOptions::quick_search_after`] states: the plan is broken either way.
    Counterexample,
}

impl Limit {
    pub fn as_str(self) -> &'static str {
        match self {
            Limit::States => "states",
            Limit::Memory => "memory",
            Limit::Time => "time",
            Limit::Counterexample => "counterexample",
        }
    }
}

/// How far one exploration may go.
#[derive(Clone, Copy)]
pub(crate) struct Budget<'a> {
    pub(crate) max_states: usize,
    pub(crate) max_bytes: usize,
    pub(crate) interrupted: &'a dyn Fn() -> bool,
}

/// How often (in states) the caller is asked whether its deadline passed: often enough to stop
/// within a few milliseconds, rarely enough to cost nothing.
const ASK_EVERY: usize = 1024;

impl Budget<'_> {
    /// The limit reached once `states` states taking about `bytes` are kept, if any.
    pub(crate) fn reached(&self, states: usize, bytes: usize) -> Option<Limit> {
        if states >= self.max_states {
            return Some(Limit::States);
        }
        if bytes >= self.max_bytes {
            return Some(Limit::Memory);
        }
        (states.is_multiple_of(ASK_EVERY) && (self.interrupted)()).then_some(Limit::Time)
    }
}

/// Why an exploration ended early: a limit (its findings are kept), or bad input.
pub(crate) enum Stop {
    Limit(Limit),
    Error(VerifyError),
}

impl From<VerifyError> for Stop {
    fn from(e: VerifyError) -> Self {
        Stop::Error(e)
    }
}
