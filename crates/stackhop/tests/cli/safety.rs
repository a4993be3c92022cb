//! What `apply` runs is what `verify` proved: the defects a new user found on 9863de4, one test
//! each (#18). Every test here failed there.

use std::path::{Path, PathBuf};

use crate::common::{Run, json, stackhop_in, temp_dir, write};

/// `small`'s live-compute plan saved in `dir`, as JSON to edit.
fn saved_plan(dir: &Path) -> (PathBuf, serde_json::Value) {
    let path = dir.join("plan.json");
    let out = path.display().to_string();
    stackhop_in(
        dir,
        [
            "plan",
            "--example",
            "small",
            "-s",
            "live-compute",
            "--out",
            &out,
        ],
    )
    .assert_code(0);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    (path, value)
}

fn step_mut<'v>(plan: &'v mut serde_json::Value, id: &str) -> &'v mut serde_json::Value {
    plan["steps"]
        .as_array_mut()
        .and_then(|steps| steps.iter_mut().find(|s| s["id"] == id))
        .unwrap_or_else(|| panic!("no step {id}"))
}

fn save(path: &Path, plan: &serde_json::Value) {
    write(
        path.parent().unwrap_or(Path::new(".")),
        &path.file_name().unwrap_or_default().to_string_lossy(),
        serde_json::to_string_pretty(plan).unwrap_or_default(),
    );
}

fn run(dir: &Path, args: &[&str]) -> Run {
    stackhop_in(dir, args)
}

#[test]
fn edited_commands_are_refused_until_resealed_and_then_until_accepted() {
    let dir = temp_dir();
    let (path, mut plan) = saved_plan(dir.path());
    step_mut(&mut plan, "keystone.stop")["commands"] = serde_json::json!(["rm -rf /some/dir"]);
    save(&path, &plan);
    let file = path.display().to_string();

    // The digest no longer matches: bad input, naming the digest's place in the file.
    for args in [
        vec!["verify", "--plan", &file],
        vec!["apply", "--plan", &file, "--dry-run"],
        vec!["apply", "--plan", &file, "--yes"],
    ] {
        let r = run(dir.path(), &args);
        r.assert_code(2);
        assert!(
            r.stderr.contains("plan.json:")
                && r.stderr.contains("is not the digest of its content"),
            "{args:?}: {}",
            r.report()
        );
        assert!(!r.stdout.contains("rm -rf"), "{}", r.report());
    }

    run(dir.path(), &["reseal", &file]).assert_code(0);
    // Resealed, the edit is seen for what it is: exit 1 with the difference.
    let r = run(dir.path(), &["verify", "--plan", &file]);
    r.assert_code(1);
    assert!(
        r.stdout.contains("edited:   keystone.stop"),
        "{}",
        r.report()
    );
    assert!(
        r.stdout.contains("    + rm -rf /some/dir"),
        "{}",
        r.report()
    );
    assert!(r.stdout.contains("    - openstack-service stop keystone"));
    let v = json(&run(
        dir.path(),
        &["verify", "--plan", &file, "--format", "json"],
    ));
    assert_eq!(v["verified"], false);
    assert_eq!(v["edited_steps"][0]["id"], "keystone.stop");
    let r = run(dir.path(), &["apply", "--plan", &file, "--yes"]);
    r.assert_code(1);
    assert!(!dir.path().join("stackhop-run.db").exists(), "nothing ran");

    // Accepted, it runs, and the journal and status say so.
    let r = run(
        dir.path(),
        &["apply", "--plan", &file, "--yes", "--accept-edited"],
    );
    r.assert_code(0);
    assert!(
        r.stdout
            .contains("commands edited by hand in keystone.stop"),
        "{}",
        r.report()
    );
    let status = json(&run(dir.path(), &["status", "--format", "json"]));
    assert_eq!(status["edited_steps"], serde_json::json!(["keystone.stop"]));
    let text = run(dir.path(), &["status"]);
    assert!(
        text.stdout.contains("commands edited by hand"),
        "{}",
        text.report()
    );
}

#[test]
fn a_zeroed_digest_is_bad_input() {
    let dir = temp_dir();
    let (path, mut plan) = saved_plan(dir.path());
    plan["digest"] = serde_json::json!(format!("sha256:{}", "0".repeat(64)));
    save(&path, &plan);
    let r = run(
        dir.path(),
        &["verify", "--plan", &path.display().to_string()],
    );
    r.assert_code(2);
    assert!(r.stderr.contains(&"0".repeat(64)), "{}", r.report());
}

#[test]
fn resume_names_two_digests_for_plans_that_differ_only_in_commands() {
    let dir = temp_dir();
    let (path, mut plan) = saved_plan(dir.path());
    let file = path.display().to_string();
    // A run that stopped early: a failure injected at the first step.
    run(
        dir.path(),
        &[
            "apply",
            "--plan",
            &file,
            "--yes",
            "--fault",
            "prepare.backup",
        ],
    )
    .assert_code(1);
    step_mut(&mut plan, "keystone.stop")["commands"] = serde_json::json!(["true"]);
    let edited = dir.path().join("edited.json");
    save(&edited, &plan);
    let edited = edited.display().to_string();
    run(dir.path(), &["reseal", &edited]).assert_code(0);
    let r = run(dir.path(), &["resume", "--plan", &edited]);
    r.assert_code(2);
    let digests: Vec<&str> = r
        .stderr
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',' || c == ';')
        .filter(|w| w.starts_with("sha256:"))
        .collect();
    assert_eq!(digests.len(), 2, "{}", r.report());
    assert_ne!(digests[0], digests[1], "{}", r.report());
}

#[test]
fn hosts_left_out_block_the_steps_that_need_them_and_the_run_fails() {
    let dir = temp_dir();
    let r = run(
        dir.path(),
        &[
            "apply",
            "--example",
            "small",
            "-s",
            "live-compute",
            "--yes",
            "--max-fail",
            "2",
            "--fault",
            "prepare.repo.computes@cmp2",
            "--fault",
            "prepare.repo.computes@cmp3",
        ],
    );
    r.assert_code(1);
    assert!(r.stdout.contains("run 1 failed"), "{}", r.report());
    assert!(
        r.stdout
            .contains("unpin.unset.compute: compute_rpc_compatible"),
        "{}",
        r.report()
    );
    // The unpin never ran: the Havana computes were never cut off.
    assert!(
        !r.stderr.contains("start  unpin.unset.compute"),
        "{}",
        r.report()
    );
    // The other compute was upgraded meanwhile.
    assert!(r.stderr.contains("done   nova-computes.canary.start"));

    let status = run(dir.path(), &["status"]);
    status.assert_code(1);
    assert!(status.stdout.contains("failed"), "{}", status.report());
    assert!(
        status.stdout.contains("blocked: without cmp[2:3]")
            && status
                .stdout
                .contains("unpin.unset.compute: compute_rpc_compatible"),
        "{}",
        status.report()
    );
    let j = json(&run(dir.path(), &["status", "--format", "json"]));
    assert_eq!(j["state"], "failed");
    assert!(
        j["blocked"]
            .as_array()
            .is_some_and(|b| b.iter().any(|x| x["step"] == "unpin.unset.compute")),
        "{j}"
    );
}

#[test]
fn local_refuses_a_plan_for_several_hosts_of_other_machines() {
    let dir = temp_dir();
    let r = run(
        dir.path(),
        &[
            "apply",
            "--example",
            "small",
            "-s",
            "live-compute",
            "--yes",
            "--target",
            "local",
        ],
    );
    r.assert_code(2);
    assert!(
        r.stderr
            .contains("--target local runs every command on this machine")
            && r.stderr.contains("5 hosts"),
        "{}",
        r.report()
    );
    assert!(!dir.path().join("stackhop-run.db").exists(), "nothing ran");
}

#[test]
fn apply_unverified_says_so_at_the_end_and_in_status() {
    let dir = temp_dir();
    let (path, mut plan) = saved_plan(dir.path());
    // The controllers' pin removed: verify refuses the plan.
    let steps = plan["steps"].as_array_mut().expect("steps");
    let pos = steps
        .iter()
        .position(|s| s["id"] == "nova-controllers.set.compute")
        .expect("the pin");
    let removed = steps.remove(pos);
    for s in steps.iter_mut() {
        let Some(after) = s["after"].as_array_mut() else {
            continue;
        };
        if let Some(i) = after
            .iter()
            .position(|a| a == "nova-controllers.set.compute")
        {
            after.remove(i);
            after.extend(removed["after"].as_array().into_iter().flatten().cloned());
        }
    }
    save(&path, &plan);
    let file = path.display().to_string();
    run(dir.path(), &["reseal", &file]).assert_code(0);
    run(dir.path(), &["apply", "--plan", &file, "--yes"]).assert_code(1);
    let r = run(
        dir.path(),
        &["apply", "--plan", &file, "--yes", "--unverified"],
    );
    assert!(
        r.stdout.contains("the plan did not verify (--unverified)"),
        "{}",
        r.report()
    );
    let status = run(dir.path(), &["status"]);
    assert!(
        status.stdout.contains("applied with --unverified"),
        "{}",
        status.report()
    );
    assert_eq!(
        json(&run(dir.path(), &["status", "--format", "json"]))["unverified"],
        true
    );
}

#[test]
fn plan_out_never_overwrites_its_inventory() {
    let dir = temp_dir();
    let init = run(dir.path(), &["init", "--example", "small"]);
    let inventory = write(dir.path(), "cloud.yaml", &init.stdout);
    let before = std::fs::read_to_string(&inventory).unwrap_or_default();
    let r = run(
        dir.path(),
        &[
            "plan",
            "-i",
            "cloud.yaml",
            "-s",
            "live-compute",
            "--out",
            "./cloud.yaml",
        ],
    );
    r.assert_code(2);
    assert!(r.stderr.contains("is the inventory"), "{}", r.report());
    assert_eq!(
        std::fs::read_to_string(&inventory).unwrap_or_default(),
        before
    );
}

#[test]
fn resume_leaves_missing_empty_and_foreign_files_as_they_were() {
    let dir = temp_dir();
    let empty = write(dir.path(), "empty.db", "");
    let random = write(
        dir.path(),
        "random.db",
        [7u8, 1, 200, 3, 99, 0, 42].repeat(100),
    );
    for name in ["missing.db", "empty.db", "random.db"] {
        let r = run(dir.path(), &["resume", "--journal", name]);
        r.assert_code(2);
    }
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    assert_eq!(
        names,
        ["empty.db", "random.db"],
        "no lock file, no journal made"
    );
    assert_eq!(std::fs::metadata(&empty).map(|m| m.len()).ok(), Some(0));
    assert_eq!(std::fs::metadata(&random).map(|m| m.len()).ok(), Some(700));
}

#[test]
fn a_fault_that_matches_nothing_is_refused() {
    let dir = temp_dir();
    let r = run(
        dir.path(),
        &[
            "simulate",
            "--example",
            "small",
            "-s",
            "live-compute",
            "--fault",
            "step:nosuch",
        ],
    );
    r.assert_code(2);
    assert!(r.stderr.contains("matches no step"), "{}", r.report());
    let r = run(
        dir.path(),
        &[
            "apply",
            "--example",
            "small",
            "-s",
            "live-compute",
            "--yes",
            "--fault",
            "step:nosuch",
        ],
    );
    r.assert_code(2);
    assert!(r.stderr.contains("matches no step"), "{}", r.report());
    assert!(!dir.path().join("stackhop-run.db").exists());
}

#[test]
fn compare_does_not_name_neutron_risks_for_a_nova_network_cloud() {
    let r = crate::common::stackhop([
        "compare",
        "-i",
        "tests/fixtures/findings/nova-network.yaml",
        "--format",
        "json",
    ]);
    let v = json(&r);
    let notes = v.to_string();
    assert!(!notes.contains("with Neutron, the event cap"), "{notes}");
    assert!(notes.contains("nova-network"), "{notes}");
}
