//! Bad input and usage: exit code 2, a message on standard error, nothing on standard output,
//! and never a panic.

use crate::common::{fixture, stackhop, temp_dir, write};

/// Every problem in the file is reported, each with file, line and column, exactly as the
/// inventory's diagnostics display.
#[test]
fn an_inventory_with_mistakes_reports_all_of_them() {
    let run = stackhop(["check", "-i", &fixture("broken.yaml"), "-s", "1"]);
    run.assert_code(2);
    assert_eq!(run.stdout, "");
    insta::assert_snapshot!(run.report());
    let source = std::fs::read_to_string(crate::common::crate_dir().join(fixture("broken.yaml")))
        .unwrap_or_default();
    let expected = stackhop_inventory::parse(
        &source,
        &fixture("broken.yaml"),
        &stackhop_catalog::vocabulary(),
    )
    .err()
    .map(|diagnostics| diagnostics.to_string());
    assert_eq!(Some(run.stderr.clone()), expected);
}

#[test]
fn plan_reports_inventory_mistakes_the_same_way() {
    let check = stackhop(["check", "-i", &fixture("broken.yaml"), "-s", "1"]);
    let plan = stackhop(["plan", "-i", &fixture("broken.yaml"), "-s", "1"]);
    plan.assert_code(2);
    assert_eq!(plan.report(), check.report());
}

#[test]
fn a_missing_file_cannot_be_read() {
    let run = stackhop(["check", "-i", "tests/fixtures/missing.yaml", "-s", "1"]);
    run.assert_code(2);
    insta::assert_snapshot!(run.report());
}

#[test]
fn a_directory_cannot_be_read() {
    let run = stackhop(["plan", "-i", "tests/fixtures", "-s", "1"]);
    run.assert_code(2);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .starts_with("error: cannot read tests/fixtures: "),
        "{}",
        run.report()
    );
}

#[test]
fn a_file_that_is_not_utf8_cannot_be_read() {
    let dir = temp_dir();
    let path = write(
        dir.path(),
        "latin1.yaml",
        b"name: caf\xe9\nrelease: havana\n",
    );
    let path = path.display().to_string();
    let run = stackhop(["check", "-i", &path, "-s", "1"]);
    run.assert_code(2);
    assert!(
        run.stderr.starts_with("error: cannot read ") && run.stderr.contains("UTF-8"),
        "{}",
        run.report()
    );
}

#[test]
fn garbage_and_hostile_yaml_are_diagnosed_not_panicked_on() {
    let dir = temp_dir();
    let cases: [(&str, Vec<u8>); 6] = [
        ("empty", Vec::new()),
        ("binary", (0u8..=255).collect()),
        ("deep", "[".repeat(100_000).into_bytes()),
        ("nested-maps", format!("a: {}", "{b: ".repeat(5_000)).into_bytes()),
        (
            "aliases",
            b"a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]\n".to_vec(),
        ),
        ("list", b"- 1\n- 2\n".to_vec()),
    ];
    for (name, contents) in cases {
        let path = write(dir.path(), &format!("{name}.yaml"), contents);
        let path = path.display().to_string();
        for command in ["check", "plan"] {
            let run = stackhop([command, "-i", &path, "-s", "4"]);
            run.assert_code(2);
            assert_eq!(run.stdout, "", "{name}");
            assert!(!run.stderr.contains("panicked"), "{name}: {}", run.report());
            assert!(!run.stderr.is_empty(), "{name}");
        }
    }
}

#[test]
fn an_inventory_is_required() {
    let run = stackhop(["check", "-s", "1"]);
    run.assert_code(2);
    insta::assert_snapshot!(run.report());
}

#[test]
fn a_file_and_an_example_are_mutually_exclusive() {
    let run = stackhop([
        "plan",
        "-i",
        &fixture("small-with-spares.yaml"),
        "--example",
        "small",
        "-s",
        "1",
    ]);
    run.assert_code(2);
    insta::assert_snapshot!(run.report());
}

#[test]
fn an_unknown_example_lists_the_examples() {
    let run = stackhop(["check", "--example", "smal", "-s", "1"]);
    run.assert_code(2);
    insta::assert_snapshot!(run.report());
}

#[test]
fn an_unknown_scenario_lists_the_scenarios() {
    let run = stackhop(["check", "--example", "small", "-s", "rolling"]);
    run.assert_code(2);
    insta::assert_snapshot!(run.report());
}

#[test]
fn the_scenario_is_required() {
    for command in ["check", "plan"] {
        let run = stackhop([command, "--example", "small"]);
        run.assert_code(2);
        assert!(
            run.stderr.contains("--scenario <SCENARIO>"),
            "{}",
            run.report()
        );
    }
}

#[test]
fn an_unknown_format_or_command_is_a_usage_error() {
    stackhop(["check", "--example", "small", "-s", "1", "--format", "dot"]).assert_code(2);
    stackhop(["plan", "--example", "small", "-s", "1", "--format", "yaml"]).assert_code(2);
    stackhop(["frobnicate"]).assert_code(2);
    stackhop(Vec::<&str>::new()).assert_code(2);
}

#[test]
fn help_and_version_succeed() {
    for args in [vec!["--help"], vec!["--version"], vec!["plan", "--help"]] {
        let run = stackhop(&args);
        run.assert_code(0);
        assert!(!run.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn plan_help_fits_100_columns() {
    for command in ["init", "check", "plan", "verify", "simulate", "compare"] {
        let run = stackhop([command, "--help"]);
        run.assert_code(0);
        for line in run.stdout.lines() {
            assert!(line.chars().count() <= 100, "{command}: {line}");
        }
    }
}
