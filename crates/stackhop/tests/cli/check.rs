//! `stackhop check`.

use crate::common::{json, stackhop};

#[test]
fn check_medium_live_compute_text() {
    let run = stackhop(["check", "--example", "medium", "-s", "live-compute"]);
    run.assert_code(0);
    insta::assert_snapshot!(run.report());
}

#[test]
fn check_medium_live_compute_json() {
    let run = stackhop([
        "check",
        "--example",
        "medium",
        "-s",
        "live-compute",
        "--format",
        "json",
    ]);
    run.assert_code(0);
    insta::assert_snapshot!(run.report());
    let value = json(&run);
    assert_eq!(value["schema"], "stackhop.check/v1");
    assert_eq!(value["inventory"], "dc1-prod");
    assert_eq!(value["scenario"], "live-compute");
}

/// `small` has no spare host, so parallel-compute has an error finding: exit 1.
#[test]
fn check_with_an_error_finding_exits_1() {
    let run = stackhop(["check", "--example", "small", "-s", "parallel-compute"]);
    run.assert_code(1);
    insta::assert_snapshot!(run.report());
}

#[test]
fn check_json_with_an_error_finding_exits_1() {
    let run = stackhop(["check", "--example", "small", "-s", "3", "--format", "json"]);
    run.assert_code(1);
    let value = json(&run);
    assert_eq!(value["findings"][0]["id"], "parallel-no-spare");
    assert_eq!(value["findings"][0]["severity"], "error");
}

#[test]
fn scenario_aliases_are_the_scenarios() {
    let names = [
        "all-at-once",
        "service-by-service",
        "parallel-compute",
        "live-compute",
    ];
    for (alias, name) in ["1", "2", "3", "4"].into_iter().zip(names) {
        let by_alias = stackhop(["check", "--example", "medium", "-s", alias]);
        let by_name = stackhop(["check", "--example", "medium", "--scenario", name]);
        assert_eq!(by_alias.report(), by_name.report(), "{alias} vs {name}");
        assert!(by_name.stdout.starts_with("check of dc1-prod"), "{name}");
        assert!(by_name.stdout.contains(&format!(" for {name}\n")), "{name}");
    }
}

#[test]
fn check_reads_an_inventory_file() {
    let run = stackhop([
        "check",
        "-i",
        "tests/fixtures/small-with-spares.yaml",
        "-s",
        "parallel-compute",
        "--format",
        "json",
    ]);
    run.assert_code(0);
    let value = json(&run);
    assert_eq!(value["inventory"], "small-spares");
    assert_eq!(
        value["inventory_file"],
        "tests/fixtures/small-with-spares.yaml"
    );
}
