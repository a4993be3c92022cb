//! What the Ansible export itself costs: `large` against `medium` (both with their host counts),
//! for each scenario, measured in one run. The plan is made beforehand; only the export is timed.
//!
//! `cargo run --release -p stackhop-export --example export_ratio`

use std::time::{Duration, Instant};

use stackhop_catalog::{Scenario, find, vocabulary};
use stackhop_export::Options;
use stackhop_inventory::examples;
use stackhop_plan::make_plan;

/// The fastest of a few exports, and the bytes written.
fn time_export(name: &str, scenario: Scenario) -> Option<(Duration, usize, usize)> {
    let source = examples::source(name)?;
    let inventory = stackhop_inventory::parse(source, name, &vocabulary()).ok()?;
    let transition = find(&inventory.release, &inventory.profile)?;
    let plan = make_plan(transition, &inventory, name, source, scenario).ok()?;
    let options = Options::default();
    let mut best = Duration::MAX;
    let mut bytes = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let export = stackhop_export::ansible(&plan, &inventory, transition, &options).ok()?;
        best = best.min(start.elapsed());
        bytes = export.files.iter().map(|f| f.text.len()).sum();
    }
    Some((best, bytes, inventory.hosts.len()))
}

fn main() {
    let mut header = false;
    for scenario in Scenario::ALL {
        let (Some((m, mb, mh)), Some((l, lb, lh))) = (
            time_export("medium", scenario),
            time_export("large", scenario),
        ) else {
            continue;
        };
        if !header {
            println!(
                "{:<20} {:>22} {:>22} {:>7}",
                "scenario",
                format!("medium ({mh} hosts)"),
                format!("large ({lh} hosts)"),
                "ratio"
            );
            header = true;
        }
        println!(
            "{:<20} {:>9.1} ms {:>7} KB {:>9.1} ms {:>7} KB {:>6.1}x",
            scenario.as_str(),
            m.as_secs_f64() * 1e3,
            mb / 1024,
            l.as_secs_f64() * 1e3,
            lb / 1024,
            l.as_secs_f64() / m.as_secs_f64()
        );
    }
}
