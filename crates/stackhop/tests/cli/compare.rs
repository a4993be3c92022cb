//! `stackhop compare`: the four scenarios side by side and the recommendation.

use crate::common::{json, stackhop};

#[test]
fn compare_text_for_each_example() {
    for example in ["allinone", "small", "medium", "large"] {
        let run = stackhop(["compare", "--example", example]);
        run.assert_code(0);
        insta::assert_snapshot!(format!("{example}_text"), run.report());
    }
}

#[test]
fn compare_small_json_shows_the_unusable_scenario() {
    let run = stackhop(["compare", "--example", "small", "--format", "json"]);
    run.assert_code(0);
    insta::assert_snapshot!("small_json", run.report());
    let value = json(&run);
    assert_eq!(value["schema"], "stackhop.compare/v1");
    let scenarios = value["scenarios"].as_array().cloned().unwrap_or_default();
    assert_eq!(scenarios.len(), 4, "all four, none dropped");
    let parallel = &scenarios[2];
    assert_eq!(parallel["scenario"], "parallel-compute");
    assert_eq!(parallel["usable"], false);
    assert_eq!(parallel["findings"][0]["id"], "parallel-no-spare");
    assert_eq!(scenarios[0]["schema"], "stackhop.simulate/v1");
    assert!(value["recommended"].is_string());
}

#[test]
fn compare_recommends_under_constraints() {
    let free = json(&stackhop([
        "compare",
        "--example",
        "medium",
        "--format",
        "json",
    ]));
    // parallel-compute keeps boot down least, but medium moves instances by snapshot: each of
    // them would have an outage of its own.
    assert_eq!(free["recommended"], "live-compute");
    let reason = free["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("parallel-compute keeps it down less") && reason.contains("re-creates 800"),
        "{reason}"
    );
    // Moved by live migration, nothing is re-created: the parallel deployment may win.
    let zed = json(&stackhop([
        "compare",
        "--example",
        "zed",
        "--format",
        "json",
    ]));
    assert_eq!(zed["recommended"], "parallel-compute");

    let args = [
        "compare",
        "--example",
        "medium",
        "--max-downtime",
        "20m",
        "--no-spare-hosts",
    ];
    let run = stackhop(args);
    run.assert_code(0);
    insta::assert_snapshot!("medium_max_downtime_no_spares_text", run.report());
    let run = stackhop(args.iter().chain(&["--format", "json"]));
    let value = json(&run);
    assert_eq!(value["recommended"], "live-compute");
    assert_eq!(value["constraints"]["max_downtime_s"], 1200);
    assert_eq!(value["constraints"]["no_spare_hosts"], true);
    let excluded = |n: usize| value["scenarios"][n]["excluded_by"].to_string();
    assert!(excluded(0).contains("max downtime"), "{}", excluded(0));
    assert!(
        excluded(2).contains("spare hosts are ruled out"),
        "{}",
        excluded(2)
    );

    let impossible = stackhop(["compare", "--example", "medium", "--max-duration", "1m"]);
    impossible.assert_code(1);
    assert!(
        impossible
            .stdout
            .contains("recommended: none\n  No usable scenario meets the constraints."),
        "{}",
        impossible.report()
    );
}

#[test]
fn the_same_seed_gives_the_same_comparison() {
    let args = ["compare", "--example", "medium", "--seed", "5"];
    assert!(stackhop(args).stdout == stackhop(args).stdout);
}

#[test]
fn bad_constraints_are_usage_errors() {
    for extra in [["--max-downtime", "soon"], ["--max-duration", "1h1h"]] {
        let run = stackhop(["compare", "--example", "small"].iter().chain(&extra));
        run.assert_code(2);
        assert!(run.stderr.contains("is not a duration"), "{}", run.stderr);
    }
}
