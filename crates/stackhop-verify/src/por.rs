//! Partial-order reduction: from a state, which host completions the proof must explore.
//!
//! A *stubborn set* (Valmari) is a set of moves — a move is one host completing one step,
//! allowed by the plan yet or not — closed under two rules:
//!
//! - with an allowed move, every pending move that conflicts with it (see
//!   [`crate::independence`]): on the same host by the cells both touch, on other hosts by what
//!   one reads of every host or by the databases;
//! - with a move the plan does not allow yet, the completion of one step it waits for on one
//!   host where that step is still pending (a *necessary enabling set*: it cannot become allowed
//!   before that completion).
//!
//! No run from the state can then do anything outside the set that affects a move inside it
//! before some move of the set is taken: the moves left out commute with the ones taken.
//! Invariants are checked in *every* state and a run may stop anywhere, so one more condition
//! is needed: every allowed move of the set must be *invisible* (see [`crate::visibility`]),
//! otherwise every allowed move is explored. This is the ample-set condition C2 of Peled and of
//! SPIN: the moves left out are only ever reordered behind completions that observe nothing, so
//! every sequence of observations of the full state graph occurs in the reduced one (stuttering
//! equivalence), and every broken state, degraded state and capability outage is still reached,
//! as is every state in which all steps are complete. The state graph has no cycles (every move
//! completes a step on a host), so the cycle proviso holds trivially.
//!
//! Symmetry composes with it: a move is drawn for one host of a class's local state, so the
//! *other* hosts in that local state are other processes. A move of the set conflicts with the
//! same steps on them as across hosts, and with every other step of its own host as on one.

use crate::bits::{Bits, ones};
use crate::independence::Independence;
use crate::setup::StepInfo;

/// One state as the reduction sees it.
pub(crate) struct Frame<'a> {
    /// Per entry (a class's local state present in the state): its pending steps.
    pub(crate) pending: Vec<&'a [u64]>,
    /// Per entry: it may hold more than one host.
    pub(crate) multi: Vec<bool>,
    /// The steps still pending on some host.
    pub(crate) incomplete: &'a [u64],
    /// The plan's steps, for what each waits for.
    pub(crate) steps: &'a [StepInfo<'a>],
    /// The enabled moves, `(entry, step)`.
    pub(crate) moves: &'a [(usize, u32)],
}

/// The moves (indices into `frame.moves`) to explore, when fewer than all of them will do.
/// `invisible` tells whether an enabled move is invisible.
pub(crate) fn reduce(
    independence: &Independence,
    frame: &Frame<'_>,
    invisible: &mut dyn FnMut(usize) -> bool,
) -> Option<Vec<usize>> {
    if frame.moves.len() < 2 {
        return None;
    }
    let steps = independence.same_host.len();
    let mut enabled: Vec<Bits> = vec![Bits::new(steps); frame.pending.len()];
    for &(e, s) in frame.moves {
        enabled[e].insert(s as usize);
    }
    let mut known: Vec<Option<bool>> = vec![None; frame.moves.len()];
    let mut accept = |m: usize| {
        let quiet = independence.quiet[frame.moves[m].1 as usize];
        quiet && *known[m].get_or_insert_with(|| invisible(m))
    };
    let mut best: Option<Vec<usize>> = None;
    for seed in 0..frame.moves.len() {
        if !independence.quiet[frame.moves[seed].1 as usize] {
            continue;
        }
        let limit = best.as_ref().map_or(frame.moves.len(), Vec::len);
        let Some(set) = closure(independence, frame, &enabled, seed, limit, &mut accept) else {
            continue;
        };
        let single = set.len() == 1;
        best = Some(set);
        if single {
            break;
        }
    }
    best
}

/// The stubborn set grown from one enabled move, as move indices; `None` when it would hold
/// `limit` enabled moves or more, or an enabled move `accept` refuses.
fn closure(
    independence: &Independence,
    frame: &Frame<'_>,
    enabled: &[Bits],
    seed: usize,
    limit: usize,
    accept: &mut dyn FnMut(usize) -> bool,
) -> Option<Vec<usize>> {
    let steps = independence.same_host.len();
    let mut chosen: Vec<Bits> = vec![Bits::new(steps); frame.pending.len()];
    let (e0, s0) = frame.moves[seed];
    let mut stack: Vec<(usize, usize)> = vec![(e0, s0 as usize)];
    let mut count = 0;
    let mut mask: Vec<u64> = Vec::new();
    while let Some((e, s)) = stack.pop() {
        if chosen[e].contains(s) {
            continue;
        }
        chosen[e].insert(s);
        if enabled[e].contains(s) {
            count += 1;
            if count >= limit {
                return None;
            }
            let m = frame
                .moves
                .iter()
                .position(|&(me, ms)| me == e && ms as usize == s)
                .unwrap_or(seed);
            if !accept(m) {
                return None;
            }
            let same = independence.same_host[s].words();
            let other = independence.other_host[s].words();
            for (j, pending) in frame.pending.iter().enumerate() {
                mask.clear();
                for (w, &p) in pending.iter().enumerate() {
                    let conflicts = if j == e {
                        same[w] | if frame.multi[e] { other[w] } else { 0 }
                    } else {
                        other[w]
                    };
                    mask.push(conflicts & p & !chosen[j].words()[w]);
                }
                stack.extend(ones(&mask).map(|p| (j, p)));
            }
        } else {
            // Waits for a step still pending somewhere: one host's completion of it is needed
            // first.
            let blocker = frame.steps[s]
                .after
                .iter()
                .copied()
                .find(|&q| frame.incomplete[q / 64] & (1 << (q % 64)) != 0);
            if let Some(q) = blocker {
                let holder = (0..frame.pending.len())
                    .filter(|&j| frame.pending[j][q / 64] & (1 << (q % 64)) != 0)
                    .min_by_key(|&j| !enabled[j].contains(q));
                if let Some(j) = holder {
                    stack.push((j, q));
                }
            }
        }
    }
    Some(
        frame
            .moves
            .iter()
            .enumerate()
            .filter(|&(_, &(e, s))| chosen[e].contains(s as usize))
            .map(|(m, _)| m)
            .collect(),
    )
}
