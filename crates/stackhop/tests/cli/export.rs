//! `stackhop export ansible`: the files it writes, what it refuses to overwrite, and that only a
//! verified plan is exported. What the playbook holds is checked in `stackhop-export`'s tests.

use std::path::Path;

use crate::common::{fixture, json, stackhop, stackhop_in, temp_dir, write};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn export(dir: &Path, args: &[&str]) -> crate::common::Run {
    let mut all = vec!["export", "ansible", "--out", "out"];
    all.extend_from_slice(args);
    stackhop_in(dir, all)
}

#[test]
fn export_writes_the_playbook_inventory_and_settings() {
    let dir = temp_dir();
    let run = export(dir.path(), &["--example", "lab", "-s", "live-compute"]);
    run.assert_code(0);
    insta::assert_snapshot!("lab_live-compute_text", run.report());
    let out = dir.path().join("out");
    let site = read(&out.join("site.yml"));
    assert!(site.starts_with("---\n# The live-compute plan of stackhop-lab"));
    assert!(site.contains("serial: [1]"));
    for file in [
        "inventory.yml",
        "ansible.cfg",
        ".ansible-lint",
        ".stackhop-export.json",
    ] {
        assert!(out.join(file).exists(), "{file}");
    }
    // the lab's commands read no value from the environment: nothing for the operator to fill in
    assert!(!out.join("group_vars").exists());
}

#[test]
fn export_json_names_the_files_batches_and_variables() {
    let dir = temp_dir();
    let run = export(
        dir.path(),
        &[
            "--example",
            "medium",
            "-s",
            "parallel-compute",
            "--format",
            "json",
        ],
    );
    run.assert_code(0);
    let value = json(&run);
    assert_eq!(value["schema"], "stackhop.export/v1");
    assert_eq!(value["target"], "ansible");
    let files: Vec<&str> = value["files"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(
        files,
        [
            "site.yml",
            "inventory.yml",
            "ansible.cfg",
            ".ansible-lint",
            "group_vars/all/vars.yml",
            "group_vars/all/vault.yml"
        ]
    );
    let rolling = &value["summary"]["rolling"];
    assert!(
        rolling
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| r["phase"] == "move" && r["serial"] == serde_json::json!([1, 5])),
        "{rolling}"
    );
    let secret = value["summary"]["variables"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| v["env"] == "NOVA_ADMIN_PASSWORD")
        .cloned()
        .unwrap_or_default();
    assert_eq!(secret["secret"], true);
    assert_eq!(secret["file"], "group_vars/all/vault.yml");
}

#[test]
fn export_again_replaces_its_own_files_and_keeps_what_the_operator_filled_in() {
    let dir = temp_dir();
    let args = ["--example", "medium", "-s", "parallel-compute"];
    export(dir.path(), &args).assert_code(0);
    let out = dir.path().join("out");
    let vault = out.join("group_vars/all/vault.yml");
    let filled = read(&vault).replace(
        "stackhop_nova_admin_password: \"\"",
        "stackhop_nova_admin_password: \"s3cret\"",
    );
    write(&out, "group_vars/all/vault.yml", &filled);
    // the same plan again: nothing changes, the operator's file stays
    let again = export(dir.path(), &args);
    again.assert_code(0);
    assert!(
        again.stdout.contains("unchanged site.yml"),
        "{}",
        again.report()
    );
    assert!(
        again.stdout.contains("kept      group_vars/all/vault.yml"),
        "{}",
        again.report()
    );
    assert_eq!(read(&vault), filled);
    // another plan replaces the files the earlier export wrote
    let other = export(dir.path(), &["--example", "medium", "-s", "live-compute"]);
    other.assert_code(0);
    assert!(
        other.stdout.contains("replaced  site.yml"),
        "{}",
        other.report()
    );
    assert_eq!(read(&vault), filled);
    assert!(!read(&out.join("site.yml")).contains("s3cret"));
}

#[test]
fn export_refuses_to_overwrite_files_it_did_not_write_unless_forced() {
    let dir = temp_dir();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap_or_else(|e| panic!("{e}"));
    write(&out, "site.yml", "# the operator's own playbook\n");
    let args = ["--example", "lab", "-s", "live-compute"];
    let run = export(dir.path(), &args);
    run.assert_code(2);
    insta::assert_snapshot!("refuses_foreign_files", run.report());
    assert_eq!(
        read(&out.join("site.yml")),
        "# the operator's own playbook\n"
    );
    assert!(!out.join("inventory.yml").exists(), "nothing is written");

    let mut forced = args.to_vec();
    forced.push("--force");
    export(dir.path(), &forced).assert_code(0);
    assert!(read(&out.join("site.yml")).contains("stackhop_step"));

    // an exported file edited by hand is not the export's any more
    write(&out, "inventory.yml", "---\nall: {}\n");
    export(dir.path(), &args).assert_code(2);
    assert_eq!(read(&out.join("inventory.yml")), "---\nall: {}\n");
}

#[test]
fn export_refuses_a_plan_that_does_not_verify() {
    let dir = temp_dir();
    let plan = std::fs::canonicalize(fixture("rdo-documents-live-compute.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let plan = plan.to_string_lossy();
    let run = export(dir.path(), &["--plan", &plan]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("nothing was exported"),
        "{}",
        run.report()
    );
    assert!(!dir.path().join("out").exists());

    let run = export(dir.path(), &["--plan", &plan, "--unverified"]);
    run.assert_code(0);
    let site = read(&dir.path().join("out/site.yml"));
    assert!(
        site.contains("# NOTE: exported with --unverified: stackhop verify does NOT accept"),
        "{site}"
    );
}

#[test]
fn export_of_a_scenario_the_check_refuses_writes_nothing() {
    let dir = temp_dir();
    let run = stackhop([
        "export",
        "ansible",
        "--example",
        "small",
        "-s",
        "parallel-compute",
        "--out",
        &dir.path().join("out").to_string_lossy(),
    ]);
    run.assert_code(1);
    assert!(run.stderr.contains("cannot be planned"), "{}", run.report());
    assert!(!dir.path().join("out").exists());
}
