//! `stackhop plan`.
//!
//! The snapshots of this module (`snapshots/cli__plan__*.snap`) show the planners' output and
//! change with them: after a planner change, review and re-accept them with
//! `INSTA_UPDATE=always cargo test -p stackhop --test cli plan::` (or `cargo insta review`).

use crate::common::{each_small_scenario, fixture, json, stackhop, stackhop_in, temp_dir};

#[test]
fn plan_small_text_for_each_scenario() {
    // parallel-compute is refused (see below).
    each_small_scenario("plan", |scenario, run| {
        insta::assert_snapshot!(format!("small_{scenario}_text"), run.report());
    });
}

#[test]
fn plan_parallel_compute_with_spares_text() {
    let run = stackhop([
        "plan",
        "-i",
        &fixture("small-with-spares.yaml"),
        "-s",
        "parallel-compute",
    ]);
    run.assert_code(0);
    insta::assert_snapshot!("small_with_spares_parallel-compute_text", run.report());
}

#[test]
fn plan_small_live_compute_json() {
    let run = stackhop([
        "plan",
        "--example",
        "small",
        "-s",
        "live-compute",
        "--format",
        "json",
    ]);
    run.assert_code(0);
    insta::assert_snapshot!("small_live-compute_json", run.report());
    let value = json(&run);
    assert_eq!(value["schema"], "stackhop.plan/v1");
    assert_eq!(value["scenario"], "live-compute");
    assert!(value["steps"].is_array());
}

#[test]
fn plan_small_live_compute_dot() {
    let run = stackhop([
        "plan",
        "--example",
        "small",
        "-s",
        "live-compute",
        "--format",
        "dot",
    ]);
    run.assert_code(0);
    assert!(run.stdout.starts_with("digraph plan {\n"));
    assert!(run.stdout.ends_with("}\n"));
    insta::assert_snapshot!("small_live-compute_dot", run.report());
}

#[test]
fn plan_small_all_at_once_with_commands() {
    let run = stackhop([
        "plan",
        "--example",
        "small",
        "-s",
        "all-at-once",
        "--commands",
    ]);
    run.assert_code(0);
    insta::assert_snapshot!("small_all-at-once_commands", run.report());
}

/// The same inputs give byte-identical output, in every format.
#[test]
fn plans_are_deterministic() {
    for format in ["text", "json", "dot"] {
        for (example, scenario) in [("medium", "live-compute"), ("allinone", "all-at-once")] {
            let args = [
                "plan",
                "--example",
                example,
                "-s",
                scenario,
                "--format",
                format,
                "--commands",
            ];
            let first = stackhop(args);
            first.assert_code(0);
            let second = stackhop(args);
            assert!(
                first.stdout == second.stdout,
                "{example} {scenario} {format} differs between two runs"
            );
        }
    }
}

/// A scenario whose check has errors is not planned: the findings are printed as `check`
/// prints them, and the exit code is 1.
#[test]
fn plan_refused_prints_the_findings_and_exits_1() {
    let run = stackhop(["plan", "--example", "small", "-s", "parallel-compute"]);
    run.assert_code(1);
    let check = stackhop(["check", "--example", "small", "-s", "parallel-compute"]);
    assert_eq!(run.stdout, check.stdout);
    assert_eq!(
        run.stderr,
        "error: parallel-compute cannot be planned for small: the check found errors\n"
    );
}

#[test]
fn plan_refused_as_json_prints_the_check_json() {
    let args = [
        "--example",
        "small",
        "-s",
        "parallel-compute",
        "--format",
        "json",
    ];
    let plan = stackhop(["plan"].into_iter().chain(args));
    plan.assert_code(1);
    let check = stackhop(["check"].into_iter().chain(args));
    assert_eq!(plan.stdout, check.stdout);
    assert_eq!(json(&plan)["schema"], "stackhop.check/v1");
}

/// `--out` writes the JSON plan, confirms on standard error, and still prints the plan.
#[test]
fn plan_out_writes_the_json_plan() {
    let dir = temp_dir();
    let text = stackhop_in(
        dir.path(),
        [
            "plan",
            "--example",
            "small",
            "-s",
            "live-compute",
            "--out",
            "plan.json",
        ],
    );
    text.assert_code(0);
    let expected_text = stackhop(["plan", "--example", "small", "-s", "live-compute"]);
    assert_eq!(text.stdout, expected_text.stdout);
    assert!(
        text.stderr.starts_with("wrote the plan (") && text.stderr.ends_with(" to plan.json\n"),
        "{}",
        text.report()
    );
    let written = std::fs::read_to_string(dir.path().join("plan.json")).unwrap_or_default();
    let json = stackhop([
        "plan",
        "--example",
        "small",
        "-s",
        "live-compute",
        "--format",
        "json",
    ]);
    assert_eq!(written, json.stdout);
}

#[test]
fn plan_out_to_an_impossible_path_exits_2() {
    let dir = temp_dir();
    let run = stackhop_in(
        dir.path(),
        [
            "plan",
            "--example",
            "small",
            "-s",
            "1",
            "--out",
            "no/such/dir/plan.json",
        ],
    );
    run.assert_code(2);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .starts_with("error: cannot write no/such/dir/plan.json: "),
        "{}",
        run.report()
    );
}

#[test]
fn a_refused_plan_writes_no_file() {
    let dir = temp_dir();
    let run = stackhop_in(
        dir.path(),
        [
            "plan",
            "--example",
            "small",
            "-s",
            "3",
            "--out",
            "plan.json",
        ],
    );
    run.assert_code(1);
    assert!(!dir.path().join("plan.json").exists());
}
