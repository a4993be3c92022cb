//! `stackhop verify`: the planner's plans, saved plans edited by hand, and plans that are not
//! plans. Text snapshots leave out the time taken (`Run::report_untimed`).

use serde_json::Value;

use crate::common::{
    SCENARIOS, each_small_scenario, fixture, json, stackhop, stackhop_in, temp_dir, write,
};

#[test]
fn verify_small_text_for_each_scenario() {
    // parallel-compute is refused by its check and not verified, as `plan` refuses it.
    each_small_scenario("verify", |scenario, run| {
        insta::assert_snapshot!(format!("small_{scenario}_text"), run.report_untimed());
    });
}

#[test]
fn verify_medium_and_large_live_compute_text() {
    for example in ["medium", "large"] {
        let run = stackhop(["verify", "--example", example, "-s", "live-compute"]);
        run.assert_code(0);
        assert!(run.stdout.lines().any(|l| l.starts_with("time:")));
        insta::assert_snapshot!(format!("{example}_live-compute_text"), run.report_untimed());
    }
}

#[test]
fn verify_small_live_compute_json() {
    let args = [
        "verify",
        "--example",
        "small",
        "-s",
        "4",
        "--format",
        "json",
    ];
    let run = stackhop(args);
    run.assert_code(0);
    insta::assert_snapshot!("small_live-compute_json", run.report());
    let value = json(&run);
    assert_eq!(value["schema"], "stackhop.verify/v1");
    assert_eq!(value["verified"], true);
    assert!(value["states"].as_u64().is_some_and(|n| n > 0));
    assert!(value["violations"].as_array().is_some_and(Vec::is_empty));
    assert!(value["capabilities"]["boot"]["unavailable_during"].is_array());
    // The JSON carries no time: the same plan gives the same bytes.
    assert_eq!(stackhop(args).stdout, run.stdout);
}

#[test]
fn every_example_and_scenario_verifies_from_the_command_line() {
    for example in ["allinone", "small", "medium", "large"] {
        for scenario in SCENARIOS {
            let run = stackhop(["verify", "--example", example, "-s", scenario]);
            match run.code {
                Some(0) => assert!(run.stdout.contains("\nverified: yes"), "{}", run.report()),
                // Refused by the check: the findings, no verification.
                Some(1) => assert!(
                    run.stderr
                        .contains("the check found errors; nothing was verified"),
                    "{example} {scenario}: {}",
                    run.report()
                ),
                _ => panic!("{example} {scenario}: {}", run.report()),
            }
        }
    }
}

/// #4 item 3: the live-compute plan as the RDO documents describe it fails at the first compute
/// that starts on Icehouse; stackhop's plan for the same cloud verifies (README, "What verify
/// is for").
#[test]
fn the_rdo_documents_plan_fails_and_stackhops_verifies() {
    let documents = stackhop([
        "verify",
        "--plan",
        &fixture("rdo-documents-live-compute.json"),
    ]);
    documents.assert_code(1);
    assert!(
        documents
            .stdout
            .contains("violation 1: vif_events_deliverable after step `nova-computes.cmp1.start`")
    );
    insta::assert_snapshot!("rdo_documents_text", documents.report_untimed());

    let ours = stackhop([
        "verify",
        "-i",
        &fixture("rdo-documents.yaml"),
        "-s",
        "live-compute",
    ]);
    ours.assert_code(0);
    insta::assert_snapshot!("rdo_documents_stackhop_text", ours.report_untimed());

    let as_json = stackhop([
        "verify",
        "--plan",
        &fixture("rdo-documents-live-compute.json"),
        "--format",
        "json",
    ]);
    as_json.assert_code(1);
    let value = json(&as_json);
    assert_eq!(value["verified"], false);
    assert_eq!(
        value["violations"][0]["invariant"],
        "vif_events_deliverable"
    );
    assert_eq!(value["violations"][0]["step"], "nova-computes.cmp1.start");
}

/// The planner's live-compute plan for `small`, as `plan --out` writes it, parsed.
fn saved_plan(dir: &std::path::Path) -> Value {
    stackhop_in(
        dir,
        [
            "plan",
            "--example",
            "small",
            "-s",
            "live-compute",
            "--out",
            "plan.json",
        ],
    )
    .assert_code(0);
    let text = std::fs::read_to_string(dir.join("plan.json")).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("plan.json: {e}"))
}

fn steps(plan: &mut Value) -> &mut Vec<Value> {
    match plan["steps"].as_array_mut() {
        Some(steps) => steps,
        None => panic!("no steps"),
    }
}

/// Removes a step; what waited for it waits for what it waited for.
fn remove_step(plan: &mut Value, id: &str) {
    let steps = steps(plan);
    let Some(pos) = steps.iter().position(|s| s["id"] == id) else {
        panic!("no step {id}");
    };
    let removed = steps.remove(pos);
    for s in steps.iter_mut() {
        let Some(after) = s["after"].as_array_mut() else {
            continue;
        };
        if let Some(i) = after.iter().position(|a| a == id) {
            after.remove(i);
            for a in removed["after"].as_array().into_iter().flatten() {
                if !after.contains(a) {
                    after.push(a.clone());
                }
            }
        }
    }
}

fn pretty(plan: &Value) -> String {
    serde_json::to_string_pretty(plan).unwrap_or_default()
}

/// Saves an edited plan as `edited.json` and reseals it, as the operator who edits on purpose
/// does (`stackhop reseal`): until then every command refuses the file.
fn save_edited(dir: &std::path::Path, plan: &Value) {
    write(dir, "edited.json", pretty(plan));
    stackhop_in(dir, ["reseal", "edited.json"]).assert_code(0);
}

#[test]
fn a_hand_edited_plan_without_the_pin_fails_naming_the_invariant() {
    let dir = temp_dir();
    let mut plan = saved_plan(dir.path());
    remove_step(&mut plan, "nova-controllers.set.compute");
    save_edited(dir.path(), &plan);
    let run = stackhop_in(dir.path(), ["verify", "--plan", "edited.json"]);
    run.assert_code(1);
    assert!(
        run.stdout
            .contains("violation 1: compute_rpc_compatible after step `nova-controllers.start`"),
        "{}",
        run.report()
    );
    insta::assert_snapshot!("edited_without_pin_text", run.report_untimed());
    let run = stackhop_in(
        dir.path(),
        ["verify", "--plan", "edited.json", "--format", "json"],
    );
    run.assert_code(1);
    assert_eq!(
        json(&run)["violations"][0]["invariant"],
        "compute_rpc_compatible"
    );
}

#[test]
fn a_harmless_hand_edit_still_verifies() {
    let dir = temp_dir();
    let mut plan = saved_plan(dir.path());
    for id in ["keystone.check.identity", "finish.check.boot"] {
        remove_step(&mut plan, id);
    }
    save_edited(dir.path(), &plan);
    let run = stackhop_in(dir.path(), ["verify", "--plan", "edited.json"]);
    run.assert_code(0);
    assert!(run.stdout.contains("\nverified: yes"), "{}", run.report());
}

/// Saves `text` as `plan.json` in a fresh directory and verifies it from there, so messages
/// name the file as `plan.json`.
/// The file is resealed first where its shape allows (`reseal` refuses a malformed file and
/// leaves it alone), so that what verify reports is the edit, not the stale digest.
fn verify_text(name: &str, text: &str) -> crate::common::Run {
    let dir = temp_dir();
    write(dir.path(), name, text);
    let _ = stackhop_in(dir.path(), ["reseal", name]);
    stackhop_in(dir.path(), ["verify", "--plan", name])
}

/// The 1-based line `line` of `text`, from column `column` on.
fn at(text: &str, line: usize, column: usize) -> String {
    let l = text.lines().nth(line - 1).unwrap_or_default();
    l.chars().skip(column - 1).collect()
}

/// `file:line:col` from the start of an error line.
fn position(stderr: &str, file: &str) -> (usize, usize) {
    let rest = stderr
        .strip_prefix(&format!("error: {file}:"))
        .unwrap_or_else(|| panic!("no position: {stderr}"));
    let mut parts = rest.splitn(3, ':');
    let mut next = || -> usize {
        parts
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no position: {stderr}"))
    };
    (next(), next())
}

#[test]
fn malformed_plans_exit_2_pointing_into_the_file() {
    let dir = temp_dir();
    let plan = saved_plan(dir.path());
    let text = pretty(&plan);
    let mut report = String::new();

    let mut unknown_after = plan.clone();
    steps(&mut unknown_after)[5]["after"] = serde_json::json!(["prepare.bakup"]);
    let mut cycle = plan.clone();
    let third = steps(&mut cycle)[2]["id"].clone();
    steps(&mut cycle)[0]["after"] = serde_json::json!([third]);
    let mut unknown_host = plan.clone();
    if let Some(hosts) = steps(&mut unknown_host)[3]["hosts"].as_array_mut() {
        hosts.push("cmp9".into());
    }
    let mut unknown_service = plan.clone();
    steps(&mut unknown_service)[8]["action"]["service"] = "frobnicator".into();
    // Shape errors point at the offending value; serde's syntax and type errors at the place
    // it stopped reading, on the offending line.
    let cases: Vec<(&str, String, String, bool)> = vec![
        (
            "unknown-after.json",
            pretty(&unknown_after),
            "\"prepare.bakup\"".into(),
            true,
        ),
        ("cycle.json", pretty(&cycle), third.to_string(), true),
        (
            "unknown-kind.json",
            text.replacen("\"install_repo\"", "\"install_repos\"", 1),
            "\"install_repos\"".into(),
            false,
        ),
        (
            "unknown-host.json",
            pretty(&unknown_host),
            "\"cmp9\"".into(),
            true,
        ),
        (
            "unknown-service.json",
            pretty(&unknown_service),
            "{".into(),
            true,
        ),
        (
            "not-json.json",
            text.replacen("\"phase\": ", "\"phase\" ", 1),
            "\"phase\"".into(),
            false,
        ),
        (
            "truncated.json",
            text[..text.len() / 2].to_owned(),
            String::new(),
            false,
        ),
    ];
    for (name, edited, points_at, exact) in &cases {
        let run = verify_text(name, edited);
        run.assert_code(2);
        assert!(run.stdout.is_empty(), "{name}: {}", run.report());
        let (line, column) = position(&run.stderr, name);
        let there = at(edited, line, column);
        let line_text = at(edited, line, 1);
        if *exact {
            assert!(
                there.starts_with(points_at.as_str()),
                "{name}: {line}:{column} points at {there:?}, not {points_at:?}"
            );
        } else {
            assert!(
                line_text.contains(points_at.as_str()),
                "{name}: line {line} is {line_text:?}, without {points_at:?}"
            );
        }
        report.push_str(&format!("{name}\n{}\n", run.stderr));
    }
    insta::assert_snapshot!("malformed_plans", report);
}

#[test]
fn a_saved_plan_is_checked_against_the_inventory_given_with_it() {
    let plan = fixture("rdo-documents-live-compute.json");
    let same = stackhop([
        "verify",
        "--plan",
        &plan,
        "-i",
        &fixture("rdo-documents.yaml"),
    ]);
    same.assert_code(1);
    assert!(same.stdout.contains("violation 1: vif_events_deliverable"));
    let other = stackhop(["verify", "--plan", &plan, "--example", "small"]);
    other.assert_code(2);
    assert!(other.stdout.is_empty(), "{}", other.report());
    assert!(other.stderr.starts_with("error: "), "{}", other.report());
}

#[test]
fn verify_without_a_plan_or_with_both_is_a_usage_error() {
    stackhop(["verify", "--example", "small"]).assert_code(2);
    stackhop(["verify", "-s", "1"]).assert_code(2);
    let both = stackhop([
        "verify",
        "--example",
        "small",
        "-s",
        "1",
        "--plan",
        "plan.json",
    ]);
    both.assert_code(2);
    let missing = stackhop(["verify", "--plan", "no-such-plan.json"]);
    missing.assert_code(2);
    assert!(
        missing
            .stderr
            .starts_with("error: cannot read no-such-plan.json:"),
        "{}",
        missing.stderr
    );
}

/// The `medium` live-compute plan saved as JSON, with `edit` applied to its steps, resealed.
fn edited_medium_plan(dir: &std::path::Path, edit: impl Fn(&mut Value)) -> std::path::PathBuf {
    let run = stackhop([
        "plan",
        "--example",
        "medium",
        "-s",
        "live-compute",
        "--format",
        "json",
    ]);
    run.assert_code(0);
    let mut plan = json(&run);
    if let Some(steps) = plan["steps"].as_array_mut() {
        steps.iter_mut().for_each(&edit);
    }
    save_edited(dir, &plan);
    dir.join("edited.json")
}

#[test]
fn a_plan_with_its_compute_steps_unordered_gives_its_counterexample_and_exit_1() {
    // The hurried operator's edit of issue #13: every step of the computes' phase on the
    // computes waits for nothing.
    let dir = temp_dir();
    let path = edited_medium_plan(dir.path(), |step| {
        let on_computes = step["hosts"].as_array().is_some_and(|h| {
            h.iter()
                .all(|h| h.as_str().is_some_and(|h| h.starts_with("cmp")))
        });
        if step["phase"] == "nova-computes" && on_computes {
            step["after"] = Value::Array(Vec::new());
        }
    });
    let plan = path.display().to_string();
    let run = stackhop(["verify", "--plan", &plan, "--format", "json"]);
    run.assert_code(1);
    let value = json(&run);
    assert_eq!(value["verified"], false);
    assert_eq!(value["complete"], false);
    assert_eq!(value["stopped_by"], "counterexample");
    let found = value["violations"].as_array().cloned().unwrap_or_default();
    assert!(
        found
            .iter()
            .any(|v| v["invariant"] == "conductor_not_older_than_compute"),
        "{}",
        run.report()
    );
    let text = stackhop(["verify", "--plan", &plan]);
    text.assert_code(1);
    assert!(text.stdout.contains("\ncomplete: NO"), "{}", text.report());
}

#[test]
fn max_seconds_stops_an_exploration_that_cannot_finish_with_exit_3() {
    // The repositories and the bus settings of `prepare` unordered: harmless, but the computes'
    // two settings in every order on 40 hosts are more states than the exploration can visit.
    let dir = temp_dir();
    let path = edited_medium_plan(dir.path(), |step| {
        if step["phase"] == "prepare" {
            step["after"] = Value::Array(Vec::new());
        }
    });
    let plan = path.display().to_string();
    let run = stackhop([
        "verify",
        "--plan",
        &plan,
        "--max-seconds",
        "2",
        "--format",
        "json",
    ]);
    run.assert_code(3);
    let value = json(&run);
    assert_eq!(value["verified"], false);
    assert_eq!(value["complete"], false);
    assert_eq!(value["stopped_by"], "time");
    assert!(value["violations"].as_array().is_some_and(Vec::is_empty));
    for bad in ["0", "-1", "soon"] {
        stackhop(["verify", "--plan", &plan, "--max-seconds", bad]).assert_code(2);
    }
}
