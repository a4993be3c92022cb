//! A limit stops the exploration, never the report: what was found is kept, and the report says
//! the proof is incomplete and which phases were explored to the end.

mod common;

use common::*;
use stackhop_catalog::Scenario;
use stackhop_plan::{Plan, make_plan};
use stackhop_verify::{Limit, VerifyOptions, VerifyReport, verify_until, verify_with};

fn live() -> Plan {
    let (inventory, source) = example("small");
    make_plan(
        transition(&inventory),
        &inventory,
        "small",
        source,
        Scenario::LiveCompute,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn run(plan: &Plan, options: &VerifyOptions) -> VerifyReport {
    let (inventory, _) = example("small");
    verify_with(transition(&inventory), &inventory, plan, options).unwrap_or_else(|e| panic!("{e}"))
}

/// The proof alone, at most `max_states` states.
fn proof(max_states: usize) -> VerifyOptions {
    VerifyOptions {
        max_states,
        quick_search_after: usize::MAX,
        ..VerifyOptions::default()
    }
}

#[test]
fn a_correct_plan_stopped_early_is_not_proven() {
    let plan = live();
    let whole = run(&plan, &VerifyOptions::default());
    assert!(whole.verified && whole.complete && whole.stopped_by.is_none());
    assert_eq!(
        whole.phases_explored.len(),
        12,
        "{:?}",
        whole.phases_explored
    );

    let cut = run(&plan, &proof(whole.states / 2));
    assert!(!cut.verified && !cut.complete && !cut.goal_reached);
    assert_eq!(cut.stopped_by, Some(Limit::States));
    assert!(cut.violations.is_empty());
    assert!(cut.states <= whole.states / 2);
    // The first phases were explored to the end, the last were not.
    assert!(!cut.phases_explored.is_empty(), "{cut:?}");
    assert!(cut.phases_explored.len() < whole.phases_explored.len());
    assert_eq!(
        cut.phases_explored[..],
        whole.phases_explored[..cut.phases_explored.len()]
    );
}

#[test]
fn a_violation_found_before_a_limit_is_reported() {
    let plan = live();
    let pin = find(&plan, "the pin", |s| sets_key(s, "compute"));
    let broken = without(&plan, &pin);
    let whole = run(&broken, &proof(usize::MAX));
    assert!(whole.complete && !whole.verified);
    let first = whole
        .violations
        .iter()
        .find(|v| v.invariant == "compute_rpc_compatible")
        .unwrap_or_else(|| panic!("{:#?}", whole.violations));
    // Any limit past the state that broke it keeps it (its trace may come from a block explored
    // once alone, then again with the next one).
    let mut kept = 0;
    for limit in (1..whole.states).rev().step_by(3) {
        let cut = run(&broken, &proof(limit));
        assert_eq!(cut.stopped_by, Some(Limit::States), "{limit}");
        assert!(!cut.complete && !cut.verified, "{limit}");
        match cut
            .violations
            .iter()
            .find(|v| v.invariant == first.invariant)
        {
            Some(v) => {
                assert_eq!(v.step, first.step, "{limit}");
                assert_eq!(v.trace.last(), Some(&v.step), "{limit}");
                kept += 1;
            }
            None => break,
        }
    }
    assert!(kept > 0);
}

#[test]
fn the_callers_deadline_and_the_memory_limit_stop_it_too() {
    let plan = live();
    let (inventory, _) = example("small");
    let t = transition(&inventory);
    let options = VerifyOptions::default();
    let late =
        verify_until(t, &inventory, &plan, &options, &|| true).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(late.stopped_by, Some(Limit::Time));
    assert!(!late.complete && !late.verified);

    let small = VerifyOptions {
        max_bytes: 1,
        ..VerifyOptions::default()
    };
    let full = run(&plan, &small);
    assert_eq!(full.stopped_by, Some(Limit::Memory));
    assert!(!full.complete && !full.verified);
}
