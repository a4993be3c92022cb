//! A simulated run for people: the timeline, downtime per capability, totals and how it ended.
//! Its JSON is the report's own (`SimReport::to_json`).

use stackhop_sim::{CapabilityReport, Outcome, RunState, SimReport, Window, fmt_duration};

use crate::text::{MAX_WIDTH, fit, lines_to_text, thousands, wrap};

/// Windows of one capability listed in full up to this many; beyond, the first few and a count.
const MAX_WINDOWS: usize = 4;
/// Remaining steps listed by id up to this many.
const MAX_REMAINING: usize = 12;
/// The phase column is at most this wide.
const MAX_PHASE_COLUMN: usize = 40;

/// A rate as people read it: `20`, `0.5`.
pub(crate) fn rate(per_minute: f64) -> String {
    let text = format!("{per_minute:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn window(w: &Window) -> String {
    let span = format!("{}..{}", fmt_duration(w.start_s), fmt_duration(w.end_s));
    format!("{span:<15} {}", w.phase)
}

/// One line per window, `12m..52m  nova-controllers`; beyond [`MAX_WINDOWS`], the first few
/// and a count.
pub(crate) fn windows_lines(c: &CapabilityReport) -> Vec<String> {
    let shown = if c.windows.len() > MAX_WINDOWS {
        MAX_WINDOWS - 1
    } else {
        c.windows.len()
    };
    let mut lines: Vec<String> = c.windows[..shown].iter().map(window).collect();
    if c.windows.len() > shown {
        lines.push(format!("and {} more", c.windows.len() - shown));
    }
    if c.down_at_end {
        lines.push("still down at the end".to_owned());
    }
    lines
}

/// The run as text: what ran, the timeline of phases, each capability's downtime and windows,
/// the totals, what was degraded and how the run ended. No line is wider than [`MAX_WIDTH`].
#[must_use]
pub fn simulate_text(report: &SimReport) -> String {
    let mut lines: Vec<String> = Vec::new();
    let header = format!(
        "simulation of {} for {}, seed {}, durations ±{:.0}% around the estimates",
        report.cloud,
        report.scenario,
        report.seed,
        report.jitter * 100.0
    );
    lines.extend(wrap(&header, MAX_WIDTH, "", "    "));
    let workload = report
        .workload
        .iter()
        .map(|(name, r)| format!("{name}={}", rate(*r)))
        .collect::<Vec<_>>()
        .join(", ");
    lines.extend(wrap(
        &workload,
        MAX_WIDTH,
        "workload, requests per minute (boots for boot): ",
        "    ",
    ));
    if !report.faults.is_empty() {
        let faults: Vec<String> = report.faults.iter().map(ToString::to_string).collect();
        lines.extend(wrap(&faults.join(", "), MAX_WIDTH, "faults: ", "    "));
    }

    timeline_lines(report, &mut lines);
    downtime_lines(report, &mut lines);

    lines.push(String::new());
    lines.push("totals:".to_owned());
    let failed: u64 = report
        .capabilities
        .iter()
        .map(|(_, c)| c.failed_requests)
        .sum();
    let totals = [
        (
            "makespan",
            format!(
                "{} (the plan's estimate without jitter: {})",
                fmt_duration(report.makespan_s),
                fmt_duration(report.estimate_s)
            ),
        ),
        (
            "instances disrupted",
            format!(
                "{} (re-created from snapshots by planned moves: {})",
                thousands(report.instances_disrupted),
                thousands(report.instances_recreated)
            ),
        ),
        ("extra hosts", report.extra_hosts.to_string()),
        ("manual steps", report.manual_steps.to_string()),
        ("failed requests", thousands(failed)),
    ];
    for (label, value) in totals {
        let first = format!("  {label:<21}");
        lines.extend(wrap(&value, MAX_WIDTH, &first, &" ".repeat(first.len())));
    }

    observation_lines(
        "degraded (the cloud works but loses a feature or logs errors; not a failure):",
        &report.degraded,
        &mut lines,
    );
    observation_lines(
        "HARD INVARIANTS BROKEN (the verifier should have caught this plan):",
        &report.hard_violations,
        &mut lines,
    );
    outcome_lines(&report.outcome, &mut lines);
    lines_to_text(lines)
}

fn timeline_lines(report: &SimReport, lines: &mut Vec<String>) {
    lines.push(String::new());
    let column = report
        .phases
        .iter()
        .map(|p| p.name.chars().count())
        .max()
        .unwrap_or(0)
        .clamp("timeline".len(), MAX_PHASE_COLUMN);
    lines.push(format!(
        "{:<width$}  {:>7}  {:>7}  {:>7}",
        "timeline",
        "start",
        "end",
        "length",
        width = column + 2
    ));
    for p in &report.phases {
        lines.push(format!(
            "  {:<column$}  {:>7}  {:>7}  {:>7}",
            fit(&p.name, column),
            fmt_duration(p.start_s),
            fmt_duration(p.end_s),
            fmt_duration(p.end_s.saturating_sub(p.start_s)),
        ));
    }
}

fn downtime_lines(report: &SimReport, lines: &mut Vec<String>) {
    lines.push(String::new());
    const NAME: usize = 13;
    lines.push(format!(
        "{:<width$} {:>7}  {:>9}  when            phase that took it down",
        "downtime",
        "total",
        "failed",
        width = NAME + 2
    ));
    for (name, c) in report.capabilities.iter() {
        let first = format!(
            "  {:<NAME$} {:>7}  {:>9}  ",
            name,
            if c.downtime_s == 0 {
                "-".to_owned()
            } else {
                fmt_duration(c.downtime_s)
            },
            thousands(c.failed_requests)
        );
        let rest = " ".repeat(first.len());
        let windows = if c.windows.is_empty() {
            vec!["never down".to_owned()]
        } else {
            windows_lines(c)
        };
        for (k, text) in windows.iter().enumerate() {
            let prefix = if k == 0 { &first } else { &rest };
            lines.push(fit(&format!("{prefix}{text}"), MAX_WIDTH));
        }
    }
}

fn observation_lines(title: &str, list: &[stackhop_sim::Observation], lines: &mut Vec<String>) {
    if list.is_empty() {
        return;
    }
    lines.push(String::new());
    lines.push(title.to_owned());
    for o in list {
        let head = format!("{} from {} ({})", o.invariant, fmt_duration(o.at_s), o.step);
        lines.extend(wrap(&head, MAX_WIDTH, "  ", "      "));
        lines.extend(wrap(&o.message, MAX_WIDTH, "      ", "      "));
    }
}

fn outcome_lines(outcome: &Outcome, lines: &mut Vec<String>) {
    const INDENT: &str = "               ";
    lines.push(String::new());
    let text = match (outcome.state, outcome.failures.first()) {
        (RunState::Completed, _) => {
            if outcome.goal_reached {
                "completed; the cloud is at the finished upgrade".to_owned()
            } else {
                "completed, but the cloud is not at the finished upgrade".to_owned()
            }
        }
        (RunState::Stopped, Some(f)) => format!(
            "stopped: {} failed on {} at {} ({}); no step started after it, running steps \
             finished",
            f.step,
            f.host,
            fmt_duration(f.at_s),
            f.reason
        ),
        (RunState::Stopped, None) => "stopped before every step ran".to_owned(),
    };
    lines.extend(wrap(&text, MAX_WIDTH, "outcome:       ", INDENT));
    if outcome.state == RunState::Completed {
        return;
    }
    let safe = if outcome.stopped_state_safe {
        "safe: the cloud it stopped in breaks no hard invariant"
    } else {
        "NOT SAFE: the cloud it stopped in breaks a hard invariant"
    };
    lines.extend(wrap(safe, MAX_WIDTH, "stopped state: ", INDENT));
    for f in outcome.failures.iter().skip(1) {
        let text = format!(
            "{} on {} at {} ({})",
            f.step,
            f.host,
            fmt_duration(f.at_s),
            f.reason
        );
        lines.extend(wrap(&text, MAX_WIDTH, "also failed:   ", INDENT));
    }
    let remaining = &outcome.remaining_steps;
    if !remaining.is_empty() {
        let mut text = format!("{} steps never started: ", remaining.len());
        text.push_str(
            &remaining
                .iter()
                .take(MAX_REMAINING)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        );
        if remaining.len() > MAX_REMAINING {
            text.push_str(&format!(", and {} more", remaining.len() - MAX_REMAINING));
        }
        lines.extend(wrap(&text, MAX_WIDTH, "remaining:     ", INDENT));
    }
}
