//! `stackhop import packstack|ansible FILE [--out FILE] [--name NAME]`. What each file gives
//! is held in stackhop-import's own snapshots; these tests are about the command: where the
//! inventory and the notes go, exit codes, and that `check` and `plan` take the output.

use crate::common::{stackhop, stackhop_in, temp_dir, write};

/// stackhop-import's test inputs, relative to this crate's directory.
fn input(path: &str) -> String {
    format!("../stackhop-import/tests/fixtures/{path}")
}

#[test]
fn import_prints_an_inventory_that_check_and_plan_take() {
    let dir = temp_dir();
    for (kind, path) in [
        ("packstack", "packstack/havana-neutron-3-computes.txt"),
        ("packstack", "packstack/havana-qpid-nova-network.txt"),
        ("ansible", "ansible/kolla-multinode"),
    ] {
        let run = stackhop(["import", kind, &input(path)]);
        run.assert_code(0);
        assert!(run.stdout.contains("TODO discover: os"), "{}", run.report());
        write(dir.path(), "inventory.yaml", &run.stdout);
        for command in ["check", "plan"] {
            let run = stackhop_in(
                dir.path(),
                [command, "-i", "inventory.yaml", "-s", "service-by-service"],
            );
            run.assert_code(0);
        }
    }
}

#[test]
fn out_writes_the_file_and_says_so() {
    let dir = temp_dir();
    let out = dir.path().join("east.yaml");
    let out = out.to_string_lossy();
    let run = stackhop([
        "import",
        "ansible",
        &input("ansible/ini-ranges-children.ini"),
        "--out",
        &out,
        "--name",
        "east-1",
        "--release",
        "havana",
    ]);
    run.assert_code(0);
    assert_eq!(run.stdout, "");
    let written = std::fs::read_to_string(out.as_ref()).unwrap_or_default();
    assert!(written.contains("name: east-1"), "{written}");
    assert!(
        written.contains("release: havana             # --release"),
        "{written}"
    );
    // The notes (here: a host in no group) and the confirmation, on standard error.
    let stderr = run.stderr.replace(out.as_ref(), "OUT");
    insta::assert_snapshot!(stderr);
}

#[test]
fn mistakes_are_all_reported_with_exit_2() {
    let run = stackhop([
        "import",
        "packstack",
        &input("malformed/packstack-mistakes.txt"),
    ]);
    run.assert_code(2);
    assert_eq!(run.stdout, "");
    insta::assert_snapshot!(run.report());
}

#[test]
fn out_never_overwrites_the_input() {
    let dir = temp_dir();
    let source = std::fs::read_to_string(input("ansible/cloud.yml")).unwrap_or_default();
    let path = write(dir.path(), "cloud.yml", &source);
    let path = path.to_string_lossy();
    let hard_link = dir.path().join("same.yml");
    let linked = std::fs::hard_link(path.as_ref(), &hard_link).is_ok();
    let mut outs = vec![
        path.to_string(),
        format!("{}/./cloud.yml", dir.path().display()),
    ];
    if linked {
        outs.push(hard_link.to_string_lossy().into_owned());
    }
    for out in outs {
        let run = stackhop(["import", "ansible", path.as_ref(), "--out", &out]);
        run.assert_code(2);
        assert!(
            run.stderr.contains("is the file being imported"),
            "{}",
            run.report()
        );
        assert_eq!(
            std::fs::read_to_string(path.as_ref()).ok().as_deref(),
            Some(source.as_str())
        );
    }
}

#[test]
fn a_missing_file_or_an_unknown_release_is_bad_input() {
    let run = stackhop(["import", "packstack", "no-such-answers.txt"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .starts_with("error: cannot read no-such-answers.txt"),
        "{}",
        run.report()
    );
    let run = stackhop([
        "import",
        "ansible",
        &input("ansible/cloud.yml"),
        "--release",
        "icehouse",
    ]);
    run.assert_code(2);
    assert_eq!(
        run.stderr,
        "error: unknown release `icehouse`; stackhop upgrades from: havana, zed\n"
    );
}
