//! Verifies every built-in example × scenario and prints the state counts, blocks and times:
//! `cargo run --release -p stackhop-verify --example verify_examples [NAME...]`.

use std::time::Instant;

use stackhop_catalog::Scenario;
use stackhop_inventory::examples;

fn main() {
    let only: Vec<String> = std::env::args().skip(1).collect();
    println!(
        "{:<9} {:<19} {:>6} {:>8} {:>11} {:>7} {:>8} {:>9} {:>11}",
        "example",
        "scenario",
        "steps",
        "states",
        "transitions",
        "blocks",
        "classes",
        "verified",
        "time"
    );
    for name in examples::NAMES {
        if !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        let source = examples::source(name).unwrap_or_default();
        let inventory =
            match stackhop_inventory::parse(source, name, &stackhop_catalog::vocabulary()) {
                Ok(i) => i,
                Err(e) => panic!("{e}"),
            };
        let Some(t) = stackhop_catalog::find(&inventory.release, &inventory.profile) else {
            panic!("no transition for {name}");
        };
        for scenario in Scenario::ALL {
            let plan = match stackhop_plan::make_plan(t, &inventory, name, source, scenario) {
                Ok(plan) => plan,
                Err(e) => {
                    println!("{name:<9} {:<19} refused: {e}", scenario.as_str());
                    continue;
                }
            };
            let start = Instant::now();
            let result = stackhop_verify::verify(t, &inventory, &plan);
            let elapsed = start.elapsed();
            match result {
                Ok(r) => {
                    println!(
                        "{name:<9} {:<19} {:>6} {:>8} {:>11} {:>7} {:>8} {:>9} {:>11.2?}",
                        scenario.as_str(),
                        plan.steps.len(),
                        r.states,
                        r.transitions,
                        r.blocks,
                        r.block_classes,
                        if r.verified && r.goal_reached {
                            "yes"
                        } else {
                            "NO"
                        },
                        elapsed
                    );
                    for v in &r.violations {
                        println!(
                            "    {} at {} on {}: {}",
                            v.invariant, v.step, v.hosts, v.message
                        );
                    }
                }
                Err(e) => println!("{name:<9} {:<19} error: {e}", scenario.as_str()),
            }
        }
    }
}
