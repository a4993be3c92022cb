//! Times planning of the 2,000-compute `large` example against a 200-compute variant, in one
//! run, and prints the ratio: timings on a shared machine are noisy, ratios much less so.
//!
//! `cargo run --release -p stackhop-plan --example plan_ratio`

use std::time::{Duration, Instant};

use stackhop_catalog::{Scenario, find, vocabulary};

fn shrink(source: &str, factor: usize) -> String {
    // The large example's compute ranges end at 0800, 1600 and 2000.
    source
        .replace("cmp[0001:0800]", &format!("cmp[0001:{:04}]", 800 / factor))
        .replace(
            "cmp[0801:1600]",
            &format!("cmp[0801:{:04}]", 800 + 800 / factor),
        )
        .replace(
            "cmp[1601:2000]",
            &format!("cmp[1601:{:04}]", 1600 + 400 / factor),
        )
}

fn time(source: &str, scenario: Scenario, rounds: u32) -> (Duration, usize, usize) {
    let inventory = match stackhop_inventory::parse(source, "bench", &vocabulary()) {
        Ok(i) => i,
        Err(e) => panic!("{e}"),
    };
    let transition = find(&inventory.release, &inventory.profile).expect("transition");
    // The fastest of several rounds: what other processes on a shared machine add is noise.
    let mut steps = 0;
    let mut best = Duration::MAX;
    for _ in 0..rounds {
        let start = Instant::now();
        let plan = stackhop_plan::make_plan(transition, &inventory, "bench", source, scenario)
            .expect("plan");
        best = best.min(start.elapsed());
        steps = plan.steps.len();
    }
    (best, inventory.hosts.len(), steps)
}

fn main() {
    let large = stackhop_inventory::examples::source("large").expect("large example");
    let small = shrink(large, 10);
    println!(
        "{:<20} {:>8} {:>8} {:>12} {:>8} {:>8} {:>12} {:>7}",
        "scenario", "hosts", "steps", "time", "hosts", "steps", "time", "ratio"
    );
    let only: Option<Scenario> = std::env::args().nth(1).and_then(|s| s.parse().ok());
    for scenario in Scenario::ALL
        .into_iter()
        .filter(|s| only.is_none_or(|o| o == *s))
    {
        let _ = time(&small, scenario, 1);
        let (t_small, h_small, s_small) = time(&small, scenario, 30);
        let (t_large, h_large, s_large) = time(large, scenario, 30);
        println!(
            "{:<20} {:>8} {:>8} {:>12?} {:>8} {:>8} {:>12?} {:>6.1}x",
            scenario.as_str(),
            h_small,
            s_small,
            t_small,
            h_large,
            s_large,
            t_large,
            t_large.as_secs_f64() / t_small.as_secs_f64()
        );
    }
}
