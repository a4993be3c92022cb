//! `simulate` and `compare` with `--format html` and `--format trace`: the same bytes for the
//! same seed (held in snapshots for the lab's cloud), and 2,000 computes drawn without a row
//! per host.

use crate::common::{json, stackhop};

fn lab(format: &str, seed: &str) -> crate::common::Run {
    let run = stackhop([
        "simulate",
        "--example",
        "lab",
        "-s",
        "all-at-once",
        "--seed",
        seed,
        "--format",
        format,
    ]);
    run.assert_code(0);
    run
}

#[test]
fn simulate_html_of_the_lab_is_the_same_for_the_same_seed() {
    let run = lab("html", "3");
    insta::assert_snapshot!("lab_all-at-once_html", run.report());
    assert_eq!(
        run.stdout,
        lab("html", "3").stdout,
        "the same seed, the same bytes"
    );
    assert_ne!(
        run.stdout,
        lab("html", "4").stdout,
        "another seed, other times"
    );
    assert!(run.stdout.starts_with("<!DOCTYPE html>"));
    assert!(run.stdout.contains("data-verdict=\"verified\""));
}

#[test]
fn simulate_trace_of_the_lab_is_the_same_for_the_same_seed() {
    let run = lab("trace", "3");
    insta::assert_snapshot!("lab_all-at-once_trace", run.report());
    assert_eq!(run.stdout, lab("trace", "3").stdout);
    let trace = json(&run);
    let events = trace["traceEvents"].as_array().cloned().unwrap_or_default();
    assert!(events.iter().any(|e| e["ph"] == "X" && e["cat"] == "host"));
    assert_eq!(trace["displayTimeUnit"], "ms");
}

#[test]
fn a_scenario_the_check_refuses_prints_its_findings_instead_of_a_page() {
    let run = stackhop([
        "simulate",
        "--example",
        "small",
        "-s",
        "parallel-compute",
        "--format",
        "html",
    ]);
    run.assert_code(1);
    assert!(run.stdout.contains("parallel-no-spare"), "{}", run.report());
    assert!(!run.stdout.contains("<html"));
}

#[test]
fn compare_large_html_draws_2000_computes_in_a_row_per_step() {
    let run = stackhop(["compare", "--example", "large", "--format", "html"]);
    run.assert_code(0);
    let rows = run.stdout.matches("<g class=\"step\"").count();
    let steps: usize = [
        "all-at-once",
        "service-by-service",
        "parallel-compute",
        "live-compute",
    ]
    .into_iter()
    .map(|scenario| {
        let plan = stackhop([
            "plan",
            "--example",
            "large",
            "-s",
            scenario,
            "--format",
            "json",
        ]);
        json(&plan)["steps"].as_array().map_or(0, Vec::len)
    })
    .sum();
    assert_eq!(rows, steps, "one row per step of the four plans");
    assert!(rows < 1000, "{rows} rows");
    // Hosts appear as ranges (`cmp[0001:2000] ×2000`), never one by one.
    assert!(run.stdout.contains("cmp[0001:2000] ×2000"));
    assert!(!run.stdout.contains("cmp1000"), "no host listed on its own");
    assert_eq!(
        run.stdout
            .matches("<svg class=\"chart bands stacked\"")
            .count(),
        4,
        "the four scenarios' bands stacked"
    );
    assert_eq!(run.stdout.matches("data-verdict=\"verified\"").count(), 4);
}
