//! Times `verify` of the live-compute plan on the `large` example (2,000 computes) against the
//! same cloud with 200 computes, and prints the ratio and the state counts. Timing belongs here,
//! not in a test: run with `cargo run --release -p stackhop-verify --example verify_ratio`.

use std::time::{Duration, Instant};

use stackhop_catalog::Scenario;
use stackhop_inventory::examples;

fn inventory_text(computes_per_range: [(u32, u32); 3]) -> String {
    let source = examples::source("large").unwrap_or_default();
    let mut text = source.to_owned();
    for (old, (first, last)) in ["cmp[0001:0800]", "cmp[0801:1600]", "cmp[1601:2000]"]
        .into_iter()
        .zip(computes_per_range)
    {
        text = text.replace(old, &format!("cmp[{first:04}:{last:04}]"));
    }
    text
}

fn measure(text: &str, scenario: Scenario) -> (Duration, stackhop_verify::VerifyReport, usize) {
    let vocabulary = stackhop_catalog::vocabulary();
    let inventory = match stackhop_inventory::parse(text, "large", &vocabulary) {
        Ok(i) => i,
        Err(e) => panic!("{e}"),
    };
    let Some(t) = stackhop_catalog::find(&inventory.release, &inventory.profile) else {
        panic!("no transition");
    };
    let plan = match stackhop_plan::make_plan(t, &inventory, "large", text, scenario) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    let mut best = Duration::MAX;
    let mut report = None;
    for _ in 0..5 {
        let start = Instant::now();
        let r = match stackhop_verify::verify(t, &inventory, &plan) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        best = best.min(start.elapsed());
        report = Some(r);
    }
    let Some(report) = report else {
        panic!("no run");
    };
    (best, report, inventory.hosts.len())
}

fn main() {
    let small = inventory_text([(1, 80), (81, 160), (161, 200)]);
    let large = inventory_text([(1, 800), (801, 1600), (1601, 2000)]);
    println!(
        "{:<20} {:>6} {:>8} {:>7} {:>11}   {:>6} {:>8} {:>7} {:>11}   {:>6}",
        "scenario",
        "hosts",
        "states",
        "blocks",
        "time",
        "hosts",
        "states",
        "blocks",
        "time",
        "ratio"
    );
    for scenario in Scenario::ALL {
        let (t1, r1, h1) = measure(&small, scenario);
        let (t2, r2, h2) = measure(&large, scenario);
        assert!(r1.verified && r2.verified, "{scenario} does not verify");
        println!(
            "{:<20} {:>6} {:>8} {:>7} {:>11.2?}   {:>6} {:>8} {:>7} {:>11.2?}   {:>5.1}x",
            scenario.as_str(),
            h1,
            r1.states,
            r1.blocks,
            t1,
            h2,
            r2.states,
            r2.blocks,
            t2,
            t2.as_secs_f64() / t1.as_secs_f64()
        );
    }
}
