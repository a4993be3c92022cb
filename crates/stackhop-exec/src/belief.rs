//! What the model believes of the cloud during a run, on any target: every host that succeeded,
//! applied with the transition function in the order they finished. When hosts are left out,
//! the rest of the plan is judged from here.

use stackhop_sim::Twin;

use crate::journal::{AttemptRecord, AttemptState};
use crate::prepared::PreparedPlan;

/// The model's cloud after every attempt the journal records as succeeded.
pub(crate) fn belief(prepared: &PreparedPlan, attempts: &[AttemptRecord]) -> Twin {
    let mut twin = Twin::new(prepared.transition, &prepared.inventory);
    let mut done: Vec<&AttemptRecord> = attempts
        .iter()
        .filter(|a| a.state == AttemptState::Succeeded)
        .collect();
    done.sort_by_key(|a| (a.finished_ms, a.id));
    for a in done {
        if let Some(i) = prepared.graph.index(&a.step) {
            // A refusal is the model disagreeing with what ran; the run goes on regardless.
            let _ = twin.apply_host(&prepared.plan.steps[i.get()], &a.host);
        }
    }
    twin
}
