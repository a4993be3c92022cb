//! Prints what the twin measures for each scenario on a built-in example: the calibration table
//! of the README (downtime of `compute_api`, `boot` and `identity`, and the makespan) and every
//! capability's down windows.
//!
//! `cargo run --release -p stackhop-sim --example calibrate [-- EXAMPLE [SEED]]`

use stackhop_catalog::{Scenario, find, vocabulary};
use stackhop_inventory::examples;
use stackhop_plan::make_plan;
use stackhop_sim::{SimOptions, SimReport, fmt_duration, simulate};

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "large".to_owned());
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let source = examples::source(&name).unwrap_or_else(|| panic!("no example named {name}"));
    let inventory =
        stackhop_inventory::parse(source, &name, &vocabulary()).unwrap_or_else(|e| panic!("{e}"));
    let transition = find(&inventory.release, &inventory.profile).expect("a transition");
    let mut reports: Vec<SimReport> = Vec::new();
    for scenario in Scenario::ALL {
        match make_plan(transition, &inventory, &name, source, scenario) {
            Ok(plan) => reports.push(
                simulate(transition, &inventory, &plan, &SimOptions::seeded(seed))
                    .unwrap_or_else(|e| panic!("{scenario}: {e}")),
            ),
            Err(e) => println!("{scenario}: unusable: {e}"),
        }
    }
    println!("`{name}`, seed {seed}:\n");
    println!("| scenario | compute_api down | boot down | identity down | makespan |");
    println!("|---|---|---|---|---|");
    let down = |r: &SimReport, cap: &str| {
        r.capabilities
            .get(cap)
            .map_or("-".to_owned(), |c| fmt_duration(c.downtime_s))
    };
    for r in &reports {
        println!(
            "| {} | {} | {} | {} | {} |",
            r.scenario,
            down(r, "compute_api"),
            down(r, "boot"),
            down(r, "identity"),
            fmt_duration(r.makespan_s)
        );
    }
    for r in &reports {
        println!("\n{} ({:?}):", r.scenario, r.outcome.state);
        for (cap, c) in r.capabilities.iter() {
            let windows: Vec<String> = c
                .windows
                .iter()
                .map(|w| {
                    format!(
                        "{} {}..{}",
                        w.phase,
                        fmt_duration(w.start_s),
                        fmt_duration(w.end_s)
                    )
                })
                .collect();
            println!(
                "  {cap:12} {:>7}  {}",
                fmt_duration(c.downtime_s),
                windows.join(", ")
            );
        }
    }
}
