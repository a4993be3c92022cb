//! `apply`, `resume` and `status` on the command line: the main job, the refusals and their
//! exit codes (2 bad input, 3 could not continue), and that a refused command loses nothing in
//! the journal.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use stackhop_exec::{Access, Journal, RowCounts};

use crate::common::{crate_dir, fixture, json, stackhop_in, temp_dir, write};

fn counts(journal: &Path) -> RowCounts {
    Journal::open(journal, Access::ReadOnly)
        .and_then(|j| j.row_counts())
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", journal.display()))
}

fn apply_medium(dir: &Path, journal: &str, extra: &[&str]) -> crate::common::Run {
    let mut args = vec![
        "apply",
        "--example",
        "medium",
        "-s",
        "live-compute",
        "--yes",
        "--journal",
        journal,
    ];
    args.extend_from_slice(extra);
    stackhop_in(dir, args)
}

#[test]
fn the_main_job_runs_the_medium_cloud_and_status_reports_it() {
    let dir = temp_dir();
    let run = stackhop_in(
        dir.path(),
        [
            "apply",
            "--example",
            "medium",
            "-s",
            "live-compute",
            "--yes",
        ],
    );
    run.assert_code(0);
    assert!(run.stdout.contains("run 1 succeeded"), "{}", run.report());
    assert!(run.stdout.contains("capability downtime observed"));
    // Not a terminal: one line per step start and end.
    assert!(run.stderr.contains("start  prepare.backup (1 host)"));
    assert!(run.stderr.contains("done   finish.check.boot"));
    assert!(
        dir.path().join("stackhop-run.db").exists(),
        "the default journal"
    );

    let status = json(&stackhop_in(dir.path(), ["status", "--format", "json"]));
    assert_eq!(status["schema"], "stackhop.status/v1");
    assert_eq!(status["state"], "succeeded");
    let steps = status["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 165);
    assert!(
        steps
            .iter()
            .all(|s| s["state"] == "succeeded" && s["attempts"].as_u64() >= Some(1))
    );
    assert!(status["cloud"]["groups"].is_array());

    let text = stackhop_in(dir.path(), ["status"]);
    text.assert_code(0);
    assert!(text.stdout.contains("nova-computes"), "{}", text.report());
    assert!(
        text.stdout
            .lines()
            .any(|l| l.split_whitespace().take(2).eq(["total", "165"])),
        "{}",
        text.report()
    );

    // The same plan again on the sim target: a new run in the same journal.
    let again = stackhop_in(
        dir.path(),
        [
            "apply",
            "--example",
            "medium",
            "-s",
            "live-compute",
            "--yes",
        ],
    );
    again.assert_code(0);
    assert!(
        again.stdout.contains("run 2 succeeded"),
        "{}",
        again.report()
    );
    // Nothing to resume.
    stackhop_in(dir.path(), ["resume"]).assert_code(0);
}

#[test]
fn without_yes_and_without_a_terminal_apply_refuses() {
    let dir = temp_dir();
    let run = stackhop_in(
        dir.path(),
        ["apply", "--example", "small", "-s", "live-compute"],
    );
    run.assert_code(2);
    assert!(
        run.stderr.contains("refusing to apply without --yes"),
        "{}",
        run.report()
    );
    assert!(!dir.path().join("stackhop-run.db").exists());
}

#[test]
fn a_failed_step_fails_the_run_and_status_shows_output_and_resume() {
    let dir = temp_dir();
    let run = apply_medium(
        dir.path(),
        "run.db",
        &["--fault", "nova-computes.b02.upgrade@cmp008"],
    );
    run.assert_code(1);
    assert!(
        run.stdout
            .contains("failed: nova-computes.b02.upgrade on cmp008")
    );
    assert!(
        run.stdout
            .contains("resume with: stackhop resume --journal run.db")
    );
    let status = stackhop_in(dir.path(), ["status", "--journal", "run.db"]);
    status.assert_code(1);
    assert!(
        status
            .stdout
            .contains("run 1 of live-compute on dc1-prod (target sim): failed")
    );
    assert!(
        status.stdout.contains("injected fault"),
        "{}",
        status.report()
    );
    assert!(
        status
            .stdout
            .contains("resume with: stackhop resume --journal run.db")
    );
    let resumed = stackhop_in(dir.path(), ["resume", "--journal", "run.db"]);
    resumed.assert_code(0);
    assert!(resumed.stdout.contains("run 1 succeeded"));
}

#[test]
fn max_fail_lets_a_batch_tolerate_a_failed_host() {
    let dir = temp_dir();
    let run = apply_medium(
        dir.path(),
        "run.db",
        &[
            "--fault",
            "nova-computes.b02.upgrade@cmp008",
            "--max-fail",
            "1",
        ],
    );
    run.assert_code(0);
    assert!(
        run.stdout
            .contains("tolerated by --max-fail, left out of later steps: cmp008"),
        "{}",
        run.report()
    );
}

#[test]
fn dry_run_prints_commands_and_touches_nothing() {
    let dir = temp_dir();
    let run = stackhop_in(
        dir.path(),
        [
            "apply",
            "--example",
            "allinone",
            "-s",
            "all-at-once",
            "--target",
            "local",
            "--dry-run",
        ],
    );
    run.assert_code(0);
    assert!(run.stdout.contains("nothing is run"), "{}", run.report());
    assert!(run.stdout.contains("[packstack] "), "{}", run.report());
    assert!(!dir.path().join("stackhop-run.db").exists());
}

#[test]
fn a_corrupt_journal_is_refused_and_left_as_it_was() {
    let dir = temp_dir();
    let bytes: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let journal = write(dir.path(), "junk.db", &bytes);
    for args in [
        vec![
            "apply",
            "--example",
            "medium",
            "-s",
            "live-compute",
            "--yes",
            "--journal",
            "junk.db",
        ],
        vec!["resume", "--journal", "junk.db"],
        vec!["status", "--journal", "junk.db"],
    ] {
        let run = stackhop_in(dir.path(), &args);
        run.assert_code(2);
        assert!(
            run.stderr
                .contains("junk.db is not a stackhop journal: not an SQLite database"),
            "{}",
            run.report()
        );
        assert!(!run.stderr.contains("panicked"));
    }
    assert_eq!(std::fs::read(&journal).expect("read"), bytes);
}

#[test]
fn a_truncated_journal_is_refused_and_left_as_it_was() {
    let dir = temp_dir();
    apply_medium(dir.path(), "run.db", &[]).assert_code(0);
    let path = dir.path().join("run.db");
    let bytes = std::fs::read(&path).expect("read");
    let cut = bytes[..bytes.len() / 2].to_vec();
    std::fs::write(&path, &cut).expect("truncate");
    for args in [
        vec!["resume", "--journal", "run.db"],
        vec!["status", "--journal", "run.db"],
        vec![
            "apply",
            "--example",
            "medium",
            "-s",
            "live-compute",
            "--yes",
            "--journal",
            "run.db",
        ],
    ] {
        let run = stackhop_in(dir.path(), &args);
        run.assert_code(2);
        assert!(
            run.stderr.contains("the journal run.db is damaged")
                || run.stderr.contains("run.db is not a stackhop journal"),
            "{}",
            run.report()
        );
        assert!(!run.stderr.contains("panicked"));
    }
    assert_eq!(std::fs::read(&path).expect("read"), cut);
}

#[test]
fn a_journal_of_another_plan_is_refused_and_loses_nothing() {
    let dir = temp_dir();
    let d = dir.path();
    apply_medium(d, "run.db", &["--fault", "keystone.sync"]).assert_code(1);
    let before = counts(&d.join("run.db"));
    stackhop_in(
        d,
        [
            "plan",
            "--example",
            "medium",
            "-s",
            "service-by-service",
            "--out",
            "other.json",
        ],
    )
    .assert_code(0);

    let other_scenario = stackhop_in(
        d,
        [
            "apply",
            "--example",
            "medium",
            "-s",
            "service-by-service",
            "--yes",
            "--journal",
            "run.db",
        ],
    );
    other_scenario.assert_code(2);
    assert!(
        other_scenario.stderr.contains("belongs to another plan"),
        "{}",
        other_scenario.report()
    );
    let other_plan = stackhop_in(
        d,
        [
            "apply",
            "--plan",
            "other.json",
            "--yes",
            "--journal",
            "run.db",
        ],
    );
    other_plan.assert_code(2);
    assert!(other_plan.stderr.contains("belongs to another plan"));
    let resume_other = stackhop_in(d, ["resume", "--journal", "run.db", "--plan", "other.json"]);
    resume_other.assert_code(2);
    assert!(resume_other.stderr.contains("belongs to another plan"));
    // The same plan, unfinished: apply points at resume.
    let same = apply_medium(d, "run.db", &[]);
    same.assert_code(2);
    assert!(
        same.stderr
            .contains("continue it with `stackhop resume --journal run.db`"),
        "{}",
        same.report()
    );
    assert_eq!(counts(&d.join("run.db")), before);
}

#[test]
fn an_unreadable_inventory_is_refused_before_the_journal_is_touched() {
    let dir = temp_dir();
    let d = dir.path();
    apply_medium(d, "run.db", &["--fault", "keystone.sync"]).assert_code(1);
    let before = counts(&d.join("run.db"));
    let missing = stackhop_in(
        d,
        [
            "apply",
            "-i",
            "missing.yaml",
            "-s",
            "live-compute",
            "--yes",
            "--journal",
            "run.db",
        ],
    );
    missing.assert_code(2);
    assert!(
        missing.stderr.contains("cannot read missing.yaml"),
        "{}",
        missing.report()
    );
    write(d, "broken.yaml", "name: [unclosed\nhosts: 3\n");
    let broken = stackhop_in(
        d,
        [
            "apply",
            "-i",
            "broken.yaml",
            "-s",
            "live-compute",
            "--yes",
            "--journal",
            "run.db",
        ],
    );
    broken.assert_code(2);
    assert!(
        broken.stderr.contains("broken.yaml:"),
        "{}",
        broken.report()
    );
    assert_eq!(counts(&d.join("run.db")), before);
}

#[test]
fn a_reviewed_plan_is_refused_when_its_inventory_changed() {
    let dir = temp_dir();
    let d = dir.path();
    let source = stackhop_in(d, ["init", "--example", "small"]);
    write(d, "cloud.yaml", &source.stdout);
    stackhop_in(
        d,
        [
            "plan",
            "-i",
            "cloud.yaml",
            "-s",
            "live-compute",
            "--out",
            "plan.json",
        ],
    )
    .assert_code(0);
    write(
        d,
        "cloud.yaml",
        source.stdout.replace("instances: 8 ", "instances: 9 "),
    );
    let run = stackhop_in(
        d,
        [
            "apply",
            "--plan",
            "plan.json",
            "-i",
            "cloud.yaml",
            "--yes",
            "--journal",
            "run.db",
        ],
    );
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("cloud.yaml has changed since the plan was made"),
        "{}",
        run.report()
    );
    assert!(!d.join("run.db").exists());
    // Unchanged, the reviewed plan applies.
    write(d, "cloud.yaml", &source.stdout);
    stackhop_in(
        d,
        [
            "apply",
            "--plan",
            "plan.json",
            "-i",
            "cloud.yaml",
            "--yes",
            "--journal",
            "run.db",
        ],
    )
    .assert_code(0);
}

#[test]
fn a_second_apply_on_a_journal_in_use_exits_3_and_names_the_holder() {
    let dir = temp_dir();
    let d = dir.path();
    let mut first = Command::new(env!("CARGO_BIN_EXE_stackhop"))
        .args([
            "apply",
            "--example",
            "medium",
            "-s",
            "live-compute",
            "--yes",
            "--journal",
            "run.db",
            "--speed",
            "100",
        ])
        .current_dir(d)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("first apply");
    // Wait until the first run is recorded and holds the journal.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = stackhop_in(d, ["status", "--journal", "run.db", "--format", "json"]);
        if status.code == Some(0) && json(&status)["holder"].is_string() {
            break;
        }
        assert!(Instant::now() < deadline, "the first apply never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    let second = apply_medium(d, "run.db", &[]);
    let resume = stackhop_in(d, ["resume", "--journal", "run.db"]);
    let _ = first.kill();
    let _ = first.wait();
    second.assert_code(3);
    assert!(
        second
            .stderr
            .contains("the journal run.db is in use by pid"),
        "{}",
        second.report()
    );
    assert!(
        second.stderr.contains("stackhop apply"),
        "{}",
        second.report()
    );
    resume.assert_code(3);
    let runs = counts(&d.join("run.db")).runs;
    assert_eq!(runs, 1, "the second apply recorded nothing");
    // The first run, killed, resumes to the end.
    stackhop_in(d, ["resume", "--journal", "run.db"]).assert_code(0);
}

#[test]
fn run_commands_help_fits_100_columns() {
    for command in ["apply", "resume", "status", "report"] {
        let run = crate::common::stackhop([command, "--help"]);
        run.assert_code(0);
        for line in run.stdout.lines() {
            assert!(line.chars().count() <= 100, "{command}: {line}");
        }
    }
    let run = crate::common::stackhop(["apply", "--help"]);
    assert!(
        run.stdout
            .contains("stackhop-run.db in the current directory")
    );
}

#[test]
fn a_plan_that_does_not_verify_is_refused_before_anything_runs() {
    let dir = temp_dir();
    let plan = crate_dir()
        .join(fixture("rdo-documents-live-compute.json"))
        .display()
        .to_string();
    for target in ["sim", "local"] {
        let run = stackhop_in(
            dir.path(),
            [
                "apply",
                "--plan",
                &plan,
                "--target",
                target,
                "--yes",
                "--journal",
                "run.db",
            ],
        );
        run.assert_code(1);
        assert!(
            run.stdout.contains(
                "violation 1: vif_events_deliverable after step `nova-computes.cmp1.start`"
            ),
            "{}",
            run.report()
        );
        assert!(
            run.stderr
                .contains("the plan does not verify, so nothing was applied"),
            "{}",
            run.report()
        );
        assert!(
            !dir.path().join("run.db").exists(),
            "{target}: a journal was written"
        );
    }
    // The operator who knows better can still run it, on the twin here.
    let run = stackhop_in(
        dir.path(),
        [
            "apply",
            "--plan",
            &plan,
            "--unverified",
            "--yes",
            "--journal",
            "run.db",
        ],
    );
    assert!(
        run.stderr.contains("running it anyway (--unverified)"),
        "{}",
        run.report()
    );
    assert!(dir.path().join("run.db").exists(), "{}", run.report());
}
