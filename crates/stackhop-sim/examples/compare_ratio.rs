//! Benchmark: `compare` (plan and simulate all four scenarios) on the 2,000-compute `large`
//! example against the same cloud cut to 200 computes, printed as a ratio so that it means
//! something on a noisy machine. Linear growth in hosts gives about 10.
//!
//! `cargo run --release -p stackhop-sim --example compare_ratio [-- ROUNDS]`

use std::time::{Duration, Instant};

use stackhop_catalog::{find, vocabulary};
use stackhop_inventory::examples;
use stackhop_sim::{Constraints, Workload, compare};

/// The best of `rounds` timings of one `compare`.
fn time_compare(name: &str, source: &str, rounds: usize) -> (Duration, usize) {
    let inventory = stackhop_inventory::parse(source, name, &vocabulary())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let transition = find(&inventory.release, &inventory.profile).expect("a transition");
    let mut best = Duration::MAX;
    for _ in 0..rounds {
        let start = Instant::now();
        let report = compare(
            transition,
            &inventory,
            name,
            source,
            1,
            &Workload::defaults(),
            &Constraints::default(),
        );
        best = best.min(start.elapsed());
        assert!(report.recommended.is_some(), "{name}: {}", report.reason);
    }
    (best, inventory.hosts.len())
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let large = examples::source("large").expect("the large example");
    // The same cloud with a tenth of the computes in each range.
    let small = large
        .replace("cmp[0001:0800]", "cmp[0001:0080]")
        .replace("cmp[0801:1600]", "cmp[0081:0160]")
        .replace("cmp[1601:2000]", "cmp[0161:0200]");
    assert_ne!(small, large, "the large example's compute ranges moved");
    let (t_small, n_small) = time_compare("large-200", &small, rounds);
    let (t_large, n_large) = time_compare("large", large, rounds);
    println!(
        "compare, best of {rounds}: {n_small} hosts {:.3} s, {n_large} hosts {:.3} s, \
         ratio {:.1} for {:.1}x the hosts",
        t_small.as_secs_f64(),
        t_large.as_secs_f64(),
        t_large.as_secs_f64() / t_small.as_secs_f64(),
        n_large as f64 / n_small as f64
    );
}
