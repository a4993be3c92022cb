//! The scale targets of issue #13, measured in one run and printed as ratios:
//!
//! 1. the live-compute plan with every compute step unordered (the edit) gives its
//!    counterexample for `medium` (40 computes) and for `large` (2,000 computes);
//! 2. every plan the planners make verifies completely for `large` (2,000 computes) and for the
//!    same cloud with 20,000 computes, and the time grows at most tenfold;
//! 3. what the partial-order reduction saves on those plans (without it, each of the 2,000
//!    computes installs its repository in every order with everything else; the unreduced runs
//!    are timed once, they take a while).
//!
//! Timing belongs here, not in a test:
//! `cargo run --release -p stackhop-verify --example verify_scale`. Each time is the best of a
//! few runs, so that other work on the machine weighs less.

use std::time::{Duration, Instant};

use stackhop_catalog::{Scenario, Transition};
use stackhop_inventory::{Inventory, examples};
use stackhop_plan::{Plan, make_plan};
use stackhop_verify::{VerifyOptions, VerifyReport, verify_with};

const RUNS: usize = 3;

fn inventory(name: &str, text: &str) -> (Inventory, &'static dyn Transition) {
    let inventory = stackhop_inventory::parse(text, name, &stackhop_catalog::vocabulary())
        .unwrap_or_else(|e| panic!("{e}"));
    let t = stackhop_catalog::find(&inventory.release, &inventory.profile)
        .unwrap_or_else(|| panic!("no transition for {name}"));
    (inventory, t)
}

/// The `large` example with each of its three ranges of computes `factor` times as long.
fn large_times(factor: u32) -> String {
    let source = examples::source("large").unwrap_or_default();
    let mut text = source.to_owned();
    for (old, first, last) in [
        ("cmp[0001:0800]", 1, 800),
        ("cmp[0801:1600]", 801, 1600),
        ("cmp[1601:2000]", 1601, 2000),
    ] {
        let range = format!("cmp[{:05}:{:05}]", (first - 1) * factor + 1, last * factor);
        text = text.replace(old, &range);
    }
    text
}

/// The edit: every step of the computes' phase that acts on computes only waits for
/// nothing.
fn unordered_computes(plan: &Plan, inventory: &Inventory) -> Plan {
    let computes: Vec<&str> = inventory
        .hosts
        .iter()
        .filter(|h| h.name.starts_with("cmp"))
        .map(|h| h.name.as_str())
        .collect();
    let mut edited = plan.clone();
    for s in &mut edited.steps {
        if s.phase == "nova-computes" && s.hosts.iter().all(|h| computes.contains(&h.as_str())) {
            s.after.clear();
        }
    }
    edited
}

fn timed(t: &dyn Transition, inventory: &Inventory, plan: &Plan) -> (Duration, VerifyReport) {
    timed_with(t, inventory, plan, &VerifyOptions::default())
}

fn timed_with(
    t: &dyn Transition,
    inventory: &Inventory,
    plan: &Plan,
    options: &VerifyOptions,
) -> (Duration, VerifyReport) {
    let runs = if options.partial_order { RUNS } else { 1 };
    let mut best = Duration::MAX;
    let mut report = None;
    for _ in 0..runs {
        let start = Instant::now();
        let r = verify_with(t, inventory, plan, options).unwrap_or_else(|e| panic!("{e}"));
        best = best.min(start.elapsed());
        report = Some(r);
    }
    (best, report.unwrap_or_else(|| panic!("no run")))
}

fn counterexample(name: &str, text: &str) -> Duration {
    let (inventory, t) = inventory(name, text);
    let plan = make_plan(t, &inventory, name, text, Scenario::LiveCompute)
        .unwrap_or_else(|e| panic!("{e}"));
    let edited = unordered_computes(&plan, &inventory);
    let (time, report) = timed(t, &inventory, &edited);
    let v = report
        .violations
        .iter()
        .find(|v| v.invariant == "conductor_not_older_than_compute")
        .unwrap_or_else(|| panic!("{name}: no counterexample: {:#?}", report.violations));
    println!(
        "{:<8} {:>6} {:>8} {:>8} {:>10.0?}   {} after {} steps",
        name,
        inventory.hosts.len(),
        report.states,
        report.counterexample_search_states,
        time,
        v.invariant,
        v.trace.len()
    );
    time
}

fn main() {
    println!("1. the live-compute plan with every compute step unordered: its counterexample");
    println!(
        "{:<8} {:>6} {:>8} {:>8} {:>10}   violation",
        "cloud", "hosts", "proof", "search", "time"
    );
    let medium = counterexample("medium", examples::source("medium").unwrap_or_default());
    let large = counterexample("large", &large_times(1));
    println!(
        "2,000 computes against 40: {:.1}x the time\n",
        large.as_secs_f64() / medium.as_secs_f64()
    );

    println!("2. every planner's plan, verified completely");
    println!(
        "{:<20} {:>8} {:>7} {:>10}   {:>8} {:>7} {:>10}   {:>6}",
        "scenario", "states", "hosts", "time", "states", "hosts", "time", "ratio"
    );
    let text_2k = large_times(1);
    let text_20k = large_times(10);
    let (inv_2k, t_2k) = inventory("large", &text_2k);
    let (inv_20k, t_20k) = inventory("large-20k", &text_20k);
    let (mut sum_2k, mut sum_20k) = (Duration::ZERO, Duration::ZERO);
    for scenario in Scenario::ALL {
        let plan_2k =
            make_plan(t_2k, &inv_2k, "large", &text_2k, scenario).unwrap_or_else(|e| panic!("{e}"));
        let plan_20k = make_plan(t_20k, &inv_20k, "large-20k", &text_20k, scenario)
            .unwrap_or_else(|e| panic!("{e}"));
        let (time_2k, r_2k) = timed(t_2k, &inv_2k, &plan_2k);
        let (time_20k, r_20k) = timed(t_20k, &inv_20k, &plan_20k);
        for r in [&r_2k, &r_20k] {
            assert!(r.verified && r.complete && r.goal_reached, "{scenario}");
        }
        sum_2k += time_2k;
        sum_20k += time_20k;
        println!(
            "{:<20} {:>8} {:>7} {:>10.0?}   {:>8} {:>7} {:>10.0?}   {:>5.1}x",
            scenario.as_str(),
            r_2k.states,
            inv_2k.hosts.len(),
            time_2k,
            r_20k.states,
            inv_20k.hosts.len(),
            time_20k,
            time_20k.as_secs_f64() / time_2k.as_secs_f64()
        );
    }
    println!(
        "all four: {:.0?} against {:.0?}, 20,000 computes against 2,000: {:.1}x the time\n",
        sum_20k,
        sum_2k,
        sum_20k.as_secs_f64() / sum_2k.as_secs_f64()
    );

    println!("3. the partial-order reduction on the plans for 2,000 computes");
    println!(
        "{:<20} {:>8} {:>10}   {:>8} {:>10}   {:>6} {:>6}",
        "scenario", "states", "time", "without", "time", "fewer", "faster"
    );
    let without = VerifyOptions {
        partial_order: false,
        ..VerifyOptions::default()
    };
    for scenario in Scenario::ALL {
        let plan =
            make_plan(t_2k, &inv_2k, "large", &text_2k, scenario).unwrap_or_else(|e| panic!("{e}"));
        let (time, r) = timed(t_2k, &inv_2k, &plan);
        let (time_full, r_full) = timed_with(t_2k, &inv_2k, &plan, &without);
        println!(
            "{:<20} {:>8} {:>10.0?}   {:>8} {:>10.0?}   {:>5.0}x {:>5.0}x",
            scenario.as_str(),
            r.states,
            time,
            r_full.states,
            time_full,
            r_full.states as f64 / r.states as f64,
            time_full.as_secs_f64() / time.as_secs_f64()
        );
    }
}
