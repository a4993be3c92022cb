//! Alike hosts are counted, not named: the number of states does not grow with their number.

mod common;

use common::*;
use stackhop_catalog::Scenario;
use stackhop_plan::make_plan;
use stackhop_verify::{VerifyOptions, VerifyReport, verify, verify_with};

fn hand(n: usize) -> VerifyReport {
    let inventory = small_with_computes(n);
    let plan = all_at_once_by_hand(&inventory);
    verify(transition(&inventory), &inventory, &plan).unwrap_or_else(|e| panic!("{n}: {e}"))
}

fn planned(n: usize, scenario: Scenario) -> VerifyReport {
    let inventory = small_with_computes(n);
    let t = transition(&inventory);
    let plan = make_plan(t, &inventory, "small", "", scenario)
        .unwrap_or_else(|e| panic!("{n} {scenario}: {e}"));
    verify(t, &inventory, &plan).unwrap_or_else(|e| panic!("{n} {scenario}: {e}"))
}

#[test]
fn the_same_plan_over_more_alike_computes_has_the_same_states() {
    let (r3, r40, r400) = (hand(3), hand(40), hand(400));
    for r in [&r3, &r40, &r400] {
        assert!(r.verified && r.goal_reached, "{r:?}");
        assert_eq!(r.classes, 3);
    }
    // Beyond `exact_up_to` hosts a class counts "none or some": the count stops mattering.
    assert_eq!(r40.states, r400.states);
    assert_eq!(r40.transitions, r400.transitions);
    // Three hosts are counted exactly (one more state per multi-host step than a crowd); as a
    // crowd they cost what forty do.
    assert!(r3.states > r40.states);
    let inventory = small_with_computes(3);
    let plan = all_at_once_by_hand(&inventory);
    let crowd = VerifyOptions {
        exact_up_to: 2,
        ..VerifyOptions::default()
    };
    let r3_crowd = verify_with(transition(&inventory), &inventory, &plan, &crowd)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r3_crowd.states, r40.states);
}

#[test]
fn exact_counts_grow_linearly_with_the_hosts_of_a_step() {
    // Counting every host exactly (no crowd): each multi-host step adds one state per host.
    let options = |n| VerifyOptions {
        exact_up_to: n,
        ..VerifyOptions::default()
    };
    let states = |n: u32| {
        let inventory = small_with_computes(n as usize);
        let plan = all_at_once_by_hand(&inventory);
        verify_with(transition(&inventory), &inventory, &plan, &options(n))
            .unwrap_or_else(|e| panic!("{n}: {e}"))
            .states
    };
    let (s10, s20, s40) = (states(10), states(20), states(40));
    assert!(s10 < s20 && s20 < s40);
    // Linear: doubling the hosts adds the same number of states again.
    assert_eq!(s40 - s20, 2 * (s20 - s10), "{s10} {s20} {s40}");
}

#[test]
fn planner_plans_do_not_grow_with_the_computes_either() {
    for scenario in [Scenario::AllAtOnce, Scenario::ServiceByService] {
        let (a, b) = (planned(40, scenario), planned(400, scenario));
        assert!(a.verified && b.verified, "{scenario}");
        assert_eq!(a.states, b.states, "{scenario}");
    }
    // Live: batches are a fixed number of hosts, so more computes mean more batches (blocks),
    // each costing the same.
    let (a, b) = (
        planned(40, Scenario::LiveCompute),
        planned(400, Scenario::LiveCompute),
    );
    assert!(a.verified && b.verified);
    assert!(b.blocks > a.blocks);
    let per_block = |r: &VerifyReport| r.states as f64 / r.blocks as f64;
    assert!(per_block(&b) <= per_block(&a) * 1.5, "{a:?} {b:?}");
}

#[test]
fn distinct_compute_classes_in_one_step_multiply_only_their_progress() {
    // Computes in k ranges with different instance counts are k classes; a step over all of them
    // can be anywhere between "none started" and "all done" in each.
    let states = |k: usize| {
        let (_, source) = example("small");
        let ranges: String = (0..k)
            .map(|i| {
                format!(
                    "  - name: c{i}x[1:20]\n    roles: [compute]\n    os: centos-6.5\n    \
                     instances: {}\n",
                    i + 1
                )
            })
            .collect();
        let head = source
            .split("  - name: cmp[1:3]")
            .next()
            .unwrap_or_default();
        let inventory = parse(&format!("{head}{ranges}"), "ranges");
        let plan = all_at_once_by_hand(&inventory);
        let r = verify(transition(&inventory), &inventory, &plan)
            .unwrap_or_else(|e| panic!("{k}: {e}"));
        assert!(r.verified, "{k}: {:?}", r.violations);
        r.states
    };
    let s: Vec<usize> = (1..=3).map(states).collect();
    // Each of the k classes is "not started, some done, all done" within a step: at most 3^k
    // combinations per step, whatever the hosts per class.
    assert!(s[0] < s[1] && s[1] < s[2], "{s:?}");
    assert!(s[2] <= s[0] * 9, "{s:?}");
}
