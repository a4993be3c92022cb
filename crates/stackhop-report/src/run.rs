//! The end of a run (`apply`, `resume`), for people: how long, what ran, what failed or was
//! blocked, the downtime the twin observed, and how to go on.

use crate::duration::duration_ms;
use crate::text::{MAX_WIDTH, wrap};

/// A capability's downtime during a run, on the virtual clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downtime {
    pub capability: &'static str,
    pub down_ms: u64,
    /// How many times it went down.
    pub windows: u32,
    /// Still down at the end.
    pub down_at_end: bool,
}

/// The step that failed a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureReport {
    pub step: String,
    pub host: String,
    pub exit_code: Option<i32>,
    pub output: String,
}

/// What the summary shows of a run (this session of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    pub run_id: i64,
    /// `succeeded`, `failed`, `interrupted`.
    pub state: &'static str,
    /// Said right after the state: an unverified plan, edited commands.
    pub caveat: String,
    /// Wall-clock milliseconds of this session.
    pub real_ms: u64,
    /// Virtual milliseconds the twin's clock advanced (`sim` target only).
    pub simulated_ms: Option<u64>,
    pub steps_total: usize,
    pub steps_succeeded: usize,
    pub steps_failed: usize,
    pub steps_incomplete: usize,
    pub steps_not_started: usize,
    pub hosts_succeeded: usize,
    pub hosts_failed: usize,
    pub hosts_skipped: usize,
    pub host_jobs_run: usize,
    /// `(step, host)` failures `--max-fail` tolerated.
    pub tolerated: Vec<(String, String)>,
    /// `(step, why)` steps not run because they are unsafe without the hosts left out.
    pub blocked: Vec<(String, String)>,
    pub left_out: Vec<String>,
    pub downtime: Vec<Downtime>,
    pub failure: Option<FailureReport>,
    /// Where the journal is, as given.
    pub journal: String,
    /// The command that resumes the run, shown when it did not succeed.
    pub resume: Option<String>,
}

/// The summary, every line within [`MAX_WIDTH`] columns but the failed command's output.
#[must_use]
pub fn run_summary_text(s: &RunSummary) -> String {
    let mut out: Vec<String> = vec![String::new()];
    let simulated = s
        .simulated_ms
        .map(|ms| format!(" (simulated {} on the twin)", duration_ms(ms)))
        .unwrap_or_default();
    out.extend(wrap(
        &format!(
            "run {} {} in {}{simulated}{}",
            s.run_id,
            s.state,
            duration_ms(s.real_ms),
            s.caveat
        ),
        MAX_WIDTH,
        "",
        "    ",
    ));
    out.push(format!(
        "steps: {} succeeded, {} failed, {} unfinished, {} not started (of {})",
        s.steps_succeeded, s.steps_failed, s.steps_incomplete, s.steps_not_started, s.steps_total
    ));
    out.push(format!(
        "hosts: {} succeeded, {} failed, {} left out ({} run now)",
        s.hosts_succeeded, s.hosts_failed, s.hosts_skipped, s.host_jobs_run
    ));
    if !s.tolerated.is_empty() {
        let list: Vec<String> = s
            .tolerated
            .iter()
            .map(|(step, host)| format!("{host} ({step})"))
            .collect();
        out.extend(wrap(
            &format!(
                "tolerated by --max-fail, left out of later steps: {}",
                list.join(", ")
            ),
            MAX_WIDTH,
            "",
            "    ",
        ));
    }
    if !s.blocked.is_empty() {
        out.extend(blocked_lines(&s.left_out, &s.blocked));
        if let Some(resume) = &s.resume {
            out.extend(wrap(
                &format!("bring the hosts back and retry them with `{resume} --max-fail 0`"),
                MAX_WIDTH,
                "  ",
                "    ",
            ));
        }
    }
    if !s.downtime.is_empty() {
        out.push("capability downtime observed (simulated time):".to_owned());
        for d in &s.downtime {
            let windows = match d.windows {
                0 => String::new(),
                1 => "  in 1 window".to_owned(),
                n => format!("  in {n} windows"),
            };
            let end = if d.down_at_end { "  (still down)" } else { "" };
            let down = if d.down_ms == 0 {
                "none".to_owned()
            } else {
                duration_ms(d.down_ms)
            };
            out.push(format!("  {:<12} {down:>8}{windows}{end}", d.capability));
        }
    }
    if let Some(f) = &s.failure {
        out.extend(failure_lines(f));
    }
    out.push(format!(
        "journal: {}  (`stackhop status --journal {}`)",
        s.journal, s.journal
    ));
    if let Some(resume) = &s.resume {
        out.push(format!("resume with: {resume}"));
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// `failed: STEP on HOST (exit N)` and the last 20 lines of its output.
pub(crate) fn failure_lines(f: &FailureReport) -> Vec<String> {
    let mut out = vec![format!(
        "failed: {} on {} ({})",
        f.step,
        f.host,
        f.exit_code
            .map_or_else(|| "no exit code".to_owned(), |c| format!("exit {c}"))
    )];
    let lines: Vec<&str> = f.output.lines().collect();
    for line in &lines[lines.len().saturating_sub(20)..] {
        out.push(format!("  | {line}"));
    }
    out
}

/// The steps blocked by hosts left out, and how many wait behind them.
pub(crate) fn blocked_lines(left_out: &[String], blocked: &[(String, String)]) -> Vec<String> {
    let mut out = wrap(
        &format!(
            "blocked: without {} these steps would break the cloud, so they did not run:",
            stackhop_catalog::collapse_hosts(left_out)
        ),
        MAX_WIDTH,
        "",
        "    ",
    );
    let (after, causes): (Vec<_>, Vec<_>) = blocked
        .iter()
        .partition(|(_, why)| why.starts_with("waits for "));
    for (step, why) in causes {
        out.extend(wrap(&format!("{step}: {why}"), MAX_WIDTH, "  ", "      "));
    }
    if !after.is_empty() {
        out.push(format!("  and {} step(s) after them", after.len()));
    }
    out
}
