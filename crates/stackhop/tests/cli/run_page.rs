//! `stackhop report --journal` and `status --format html|trace`: a recorded run measured
//! against the twin's prediction. A `sim` run's page uses only the twin's clock, so the same
//! plan gives the same bytes whenever it runs (held in a snapshot); a `local` run's page is
//! on the wall clock and is checked by its structure: killed midway (a step in doubt, the
//! rest not run), resumed (the pause cut out), and failed (the failed step marked failed).

use std::path::Path;

use crate::common::{
    Run, apply_local_plan, apply_local_plan_failing_sync, json, lab_plan_running, stackhop_in,
    temp_dir,
};

/// `apply --example lab -s all-at-once` on the sim target, into `dir/run.db`.
fn apply_lab_sim(dir: &Path) {
    stackhop_in(
        dir,
        [
            "apply",
            "--example",
            "lab",
            "-s",
            "all-at-once",
            "--yes",
            "--journal",
            "run.db",
        ],
    )
    .assert_code(0);
}

fn report(dir: &Path, format: &str) -> Run {
    stackhop_in(dir, ["report", "--journal", "run.db", "--format", format])
}

/// Every step of a `stackhop.report/v1` document's timeline.
fn steps(doc: &serde_json::Value) -> Vec<serde_json::Value> {
    doc["timeline"]["phases"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["steps"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// The step ids whose bar has class `outcome` in a page.
fn bars(html: &str, outcome: &str) -> Vec<String> {
    let class = format!("class=\"bar step {outcome}");
    html.match_indices(&class)
        .filter_map(|(at, _)| {
            let tag = &html[at..at + html[at..].find('>')?];
            let start = tag.find("data-step=\"")? + 11;
            Some(tag[start..start + tag[start..].find('"')?].to_owned())
        })
        .collect()
}

#[test]
fn the_page_of_a_sim_run_is_the_same_bytes_for_the_same_plan() {
    let first = temp_dir();
    apply_lab_sim(first.path());
    let page = report(first.path(), "html");
    page.assert_code(0);
    insta::assert_snapshot!("lab_all-at-once_sim_run_html", page.report());
    // Another run of the same plan, at another moment: the page does not know the wall clock.
    let second = temp_dir();
    apply_lab_sim(second.path());
    assert_eq!(page.stdout, report(second.path(), "html").stdout);
    let status = stackhop_in(
        first.path(),
        ["status", "--journal", "run.db", "--format", "html"],
    );
    status.assert_code(0);
    assert_eq!(status.stdout, page.stdout, "status draws the same page");

    let doc = json(&report(first.path(), "json"));
    assert_eq!(doc["schema"], "stackhop.report/v1");
    assert_eq!(doc["clock"], "virtual");
    assert_eq!(doc["bands"], "twin");
    assert_eq!(doc["prediction"]["seed"], 0);
    assert_eq!(doc["run"]["phase"], "run");
    let phases = doc["phases"].as_array().cloned().unwrap_or_default();
    assert_eq!(phases.len(), 7);
    for p in &phases {
        assert_eq!(p["outcome"], "succeeded", "{p}");
        assert!(p["measured_s"].is_number() && p["predicted_s"].is_number());
    }
    assert!(
        doc["run"]["ratio"]
            .as_f64()
            .is_some_and(|r| r > 0.5 && r < 2.0)
    );
    // The twin's compute API goes down when the controllers stop, and is back when they start.
    let api = &doc["timeline"]["capabilities"]
        .as_array()
        .and_then(|c| c.iter().find(|b| b["name"] == "compute_api").cloned())
        .unwrap_or_default();
    assert_eq!(api["windows"][0]["phase"], "stop", "{api}");
    assert_eq!(api["down_at_end"], false);

    let text = report(first.path(), "text");
    text.assert_code(0);
    let table: Vec<&str> = text
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("phase  "))
        .skip_while(|l| !l.contains("measured_s"))
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(table.len(), 1 + 7 + 1, "{}", text.report());
    assert!(table[8].starts_with("run ") && table[8].contains("succeeded"));
    assert!(text.stdout.lines().all(|l| l.chars().count() <= 100));

    let trace = json(&report(first.path(), "trace"));
    assert_eq!(trace["otherData"]["clock"], "virtual");
    assert!(
        trace["traceEvents"]
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e["cat"] == "host"))
    );
}

#[test]
fn a_local_run_killed_midway_shows_the_step_in_doubt_and_the_rest_not_run() {
    let dir = temp_dir();
    let d = dir.path();
    // The database sync kills stackhop (its parent) the first time: its intent is in the
    // journal, its result never is.
    lab_plan_running(d, |id| {
        if id == "nova.sync" {
            "if [ -e killed ]; then true; else touch killed; kill -9 $PPID; fi".to_owned()
        } else {
            "true".to_owned()
        }
    });
    let killed = apply_local_plan(d);
    assert_eq!(killed.code, None, "killed by a signal: {}", killed.report());

    let doc = json(&report(d, "json"));
    assert_eq!(doc["status"]["state"], "interrupted");
    assert_eq!(doc["clock"], "wall");
    assert_eq!(doc["bands"], "predicted");
    let steps = steps(&doc);
    let outcome = |id: &str| {
        steps
            .iter()
            .find(|s| s["id"] == id)
            .and_then(|s| s["outcome"].as_str())
    };
    assert_eq!(outcome("nova.sync"), Some("in_doubt"));
    assert_eq!(outcome("prepare.backup"), Some("succeeded"));
    assert_eq!(outcome("finish.check.boot"), Some("not_run"));
    let databases = doc["phases"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["phase"] == "databases").cloned())
        .unwrap_or_default();
    assert_eq!(databases["outcome"], "in_doubt");
    assert!(
        databases["ratio"].is_null(),
        "no ratio for a phase cut short"
    );
    assert!(doc["run"]["ratio"].is_null());
    // Its bar ends where the journal last heard of the run.
    let sync = steps
        .iter()
        .find(|s| s["id"] == "nova.sync")
        .cloned()
        .unwrap_or_default();
    assert!(sync["span"]["end_s"].as_f64() <= doc["timeline"]["end_s"].as_f64());

    let text = report(d, "text");
    text.assert_code(0);
    assert!(
        text.stdout.contains("in doubt: nova.sync@ctl"),
        "{}",
        text.report()
    );
    assert!(
        text.stdout
            .lines()
            .any(|l| l.starts_with("databases") && l.contains("in_doubt")),
        "{}",
        text.report()
    );
    assert!(
        text.stdout
            .lines()
            .any(|l| l.starts_with("finish") && l.contains("not_run"))
    );
    assert!(
        text.stdout
            .contains("as predicted (no probe in the journal)")
    );

    let page = report(d, "html");
    page.assert_code(0);
    assert_eq!(bars(&page.stdout, "in_doubt"), ["nova.sync"]);
    assert!(page.stdout.contains("data-state=\"interrupted\""));
    assert!(page.stdout.contains("data-bands=\"predicted\""));
    assert!(page.stdout.contains("PREDICTED, not measured"));
    assert!(page.stdout.contains("data-outcome=\"not_run\""));

    // Resumed: the sync runs again and the run ends; the pause is cut out of the axis.
    stackhop_in(d, ["resume", "--journal", "run.db"]).assert_code(0);
    let doc = json(&report(d, "json"));
    assert_eq!(doc["status"]["state"], "succeeded");
    assert_eq!(doc["resumed_at_s"].as_array().map(Vec::len), Some(1));
    assert!(doc["paused_s"].as_f64().is_some_and(|p| p >= 0.0));
    assert!(doc["resumed_at_s"][0].as_f64() <= doc["run"]["measured_s"].as_f64());
    assert!(doc["run"]["ratio"].is_number(), "{}", doc["run"]);
}

#[test]
fn a_failed_local_run_marks_its_failed_step_and_shows_its_output() {
    let dir = temp_dir();
    let d = dir.path();
    apply_local_plan_failing_sync(d);
    let page = stackhop_in(
        d,
        [
            "report",
            "--journal",
            "run.db",
            "--format",
            "html",
            "--out",
            "report.html",
        ],
    );
    page.assert_code(1);
    assert!(
        page.stderr
            .contains("wrote the report of run 1 (failed) to report.html"),
        "{}",
        page.report()
    );
    assert!(page.stdout.is_empty());
    let html = std::fs::read_to_string(d.join("report.html")).expect("report.html");
    assert_eq!(bars(&html, "failed"), ["nova.sync"]);
    assert!(html.contains("data-state=\"failed\""));
    assert!(html.contains("sync: table nova.instances is locked"));
    assert!(html.contains("Resume with"));
    let text = report(d, "text");
    text.assert_code(1);
    assert!(
        text.stdout
            .lines()
            .any(|l| l.starts_with("databases") && l.contains("failed")),
        "{}",
        text.report()
    );
}

#[test]
fn report_needs_a_journal_that_exists() {
    let dir = temp_dir();
    let missing = report(dir.path(), "html");
    missing.assert_code(2);
    assert!(missing.stdout.is_empty());
    let bare = stackhop_in(dir.path(), ["report"]);
    bare.assert_code(2);
    assert!(bare.stderr.contains("--journal"), "{}", bare.report());
}

/// The catalog's secret variables (`OS_PASSWORD` for the lab's transition) set when the report
/// is written are masked in the commands and the output it shows, in every format, even where
/// the journal kept them (the run that wrote it did not have them).
#[test]
fn the_secrets_set_for_the_report_are_masked_in_every_format() {
    let dir = temp_dir();
    let d = dir.path();
    let secret = "s3cr3t-Value-42";
    lab_plan_running(d, |id| {
        if id == "nova.sync" {
            format!("echo 'access denied for {secret}'; exit 3")
        } else {
            "true".to_owned()
        }
    });
    apply_local_plan(d).assert_code(1);
    let run = |command: &str, format: &str, with_secret: bool| {
        let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("stackhop");
        cmd.args([command, "--journal", "run.db", "--format", format])
            .current_dir(d)
            .write_stdin("");
        if with_secret {
            cmd.env("OS_PASSWORD", secret);
        }
        let output = cmd.output().expect("stackhop runs");
        assert_eq!(output.status.code(), Some(1), "{command} {format}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    for (command, format) in [
        ("report", "text"),
        ("report", "json"),
        ("report", "html"),
        ("report", "trace"),
        ("status", "text"),
        ("status", "json"),
        ("status", "html"),
    ] {
        let masked = run(command, format, true);
        assert!(!masked.contains(secret), "{command} {format}");
        assert!(masked.contains(stackhop_report::MASK), "{command} {format}");
        assert!(
            run(command, format, false).contains(secret),
            "{command} {format}: shown when not secret"
        );
    }
}
