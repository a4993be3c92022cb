//! What `verify` proved, for people; its JSON is the report's own serialisation.

use std::time::Duration;

use stackhop_model::CAPABILITIES;
use stackhop_verify::{Limit, Search, VerifyReport, ViolationReport};

use crate::text::{MAX_WIDTH, lines_to_text, thousands, wrap, wrap_list};

/// What the text shows besides the report.
#[derive(Debug, Clone, Copy, Default)]
pub struct VerifyTextOptions<'a> {
    /// Where the plan came from, e.g. a plan file, or the planner and the inventory it read.
    pub plan: &'a str,
    /// How long the exploration took, measured by the caller (this crate has no clock). Shown
    /// on a line of its own that starts with `time:`, so that tests can leave it out.
    pub elapsed: Option<Duration>,
}

/// The report as `stackhop.verify/v1` JSON, pretty-printed, ending in a line break.
#[must_use]
pub fn verify_json(report: &VerifyReport) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_default();
    text.push('\n');
    text
}

/// `0.8 ms`, `132 ms`, `1.52 s`.
fn elapsed_text(elapsed: Duration) -> String {
    if elapsed < Duration::from_millis(10) {
        format!("{:.1} ms", elapsed.as_secs_f64() * 1000.0)
    } else if elapsed < Duration::from_secs(1) {
        format!("{} ms", elapsed.as_millis())
    } else {
        format!("{:.2} s", elapsed.as_secs_f64())
    }
}

/// The report as text: the verdict, what was explored, each capability's availability, the
/// degraded windows, and each violation with its shortest trace. No line is wider than
/// [`MAX_WIDTH`].
#[must_use]
pub fn verify_text(report: &VerifyReport, options: &VerifyTextOptions<'_>) -> String {
    let mut lines: Vec<String> = Vec::new();
    let header = format!(
        "verify of {} ({}) for {}",
        report.cloud, report.transition, report.scenario
    );
    lines.extend(wrap(&header, MAX_WIDTH, "", "    "));
    lines.extend(wrap(options.plan, MAX_WIDTH, "plan: ", "      "));
    lines.push(String::new());

    let edited = report.edited_steps.len();
    let edited_text = format!(
        "{edited} step{} run{} commands that are not the catalog's for {} action (below)",
        if edited == 1 { "" } else { "s" },
        if edited == 1 { "s" } else { "" },
        if edited == 1 { "its" } else { "their" },
    );
    let verdict = if !report.violations.is_empty() {
        let n = report.violations.len();
        format!(
            "NO, {n} hard invariant{} broken in reachable states (below)",
            if n == 1 { " is" } else { "s are" }
        )
    } else if !report.complete {
        "NOT PROVEN, the exploration stopped before it was complete and found nothing wrong in \
         the states it explored"
            .to_owned()
    } else if edited > 0 && !report.edits_accepted {
        format!(
            "NO, {edited_text}: verify proves the actions, not text edited by hand; plan anew, \
             or accept the edits with --accept-edited"
        )
    } else {
        let mut text =
            "yes, no reachable state breaks a hard invariant, whatever the order of the \
                        steps and wherever the run stops"
                .to_owned();
        if edited > 0 {
            text.push_str(&format!(
                "; but {edited_text}, accepted with --accept-edited and not proved"
            ));
        }
        text
    };
    lines.extend(wrap(&verdict, MAX_WIDTH, "verified: ", "          "));
    let finished = if report.goal_reached {
        "yes, every run that completes all steps ends in the finished upgrade".to_owned()
    } else if !report.complete {
        "not known, the exploration stopped before every run was explored".to_owned()
    } else {
        format!("NO, {}", report.unmet_goals.join("; "))
    };
    lines.extend(wrap(&finished, MAX_WIDTH, "finished: ", "          "));
    let explored = format!(
        "{} ({} host completions, {} blocks, at most {} classes of alike hosts in a block)",
        thousands(report.states as u64),
        thousands(report.transitions as u64),
        report.blocks,
        report.block_classes
    );
    lines.extend(wrap(&explored, MAX_WIDTH, "states:   ", "          "));
    if !report.complete {
        incomplete_lines(report, &mut lines);
    }
    if let Some(elapsed) = options.elapsed {
        lines.push(format!("time:     {}", elapsed_text(elapsed)));
    }

    edited_lines(report, &mut lines);
    capability_lines(report, &mut lines);
    degraded_lines(report, &mut lines);
    for (n, v) in report.violations.iter().enumerate() {
        violation_lines(n + 1, v, &mut lines);
    }
    lines_to_text(lines)
}

/// Each edited step with what the catalog renders (`-`) and what the plan runs (`+`).
fn edited_lines(report: &VerifyReport, lines: &mut Vec<String>) {
    for step in &report.edited_steps {
        lines.push(String::new());
        lines.extend(wrap(&step.id, MAX_WIDTH, "edited:   ", "          "));
        for command in &step.expected {
            lines.extend(wrap(command, MAX_WIDTH, "    - ", "      "));
        }
        for command in &step.found {
            lines.extend(wrap(command, MAX_WIDTH, "    + ", "      "));
        }
        if let Some((want, found)) = &step.runs_on {
            let on = |h: &Option<String>| h.clone().unwrap_or_else(|| "each host".to_owned());
            let text = format!("runs on {} instead of {}", on(found), on(want));
            lines.extend(wrap(&text, MAX_WIDTH, "    ", "    "));
        }
        if let Some((want, found)) = step.manual {
            let text = format!("manual: {found} instead of {want}");
            lines.extend(wrap(&text, MAX_WIDTH, "    ", "    "));
        }
    }
}

/// Why the exploration is incomplete and what it did explore.
fn incomplete_lines(report: &VerifyReport, lines: &mut Vec<String>) {
    let why = match report.stopped_by {
        Some(Limit::States) => "it reached its limit of states".to_owned(),
        Some(Limit::Memory) => "it reached its memory limit".to_owned(),
        Some(Limit::Time) => "its time (--max-seconds) was up".to_owned(),
        Some(Limit::Counterexample) | None => {
            "a counterexample was found; the rest of a large state graph was not explored"
                .to_owned()
        }
    };
    let mut text = format!("NO, {why}");
    if report.counterexample_search_states > 0 {
        text.push_str(&format!(
            "; the counterexample search explored {} more states",
            thousands(report.counterexample_search_states as u64)
        ));
    }
    lines.extend(wrap(&text, MAX_WIDTH, "complete: ", "          "));
    let phases = if report.phases_explored.is_empty() {
        "none".to_owned()
    } else {
        report.phases_explored.join(", ")
    };
    let indent = " ".repeat(10);
    lines.extend(wrap(
        &format!("phases fully explored: {phases}"),
        MAX_WIDTH,
        &indent,
        &indent,
    ));
}

/// The report's capabilities in the contract's order, any others after them.
pub(crate) fn capability_names(report: &VerifyReport) -> Vec<&str> {
    let known = CAPABILITIES
        .iter()
        .copied()
        .filter(|c| report.capabilities.contains_key(*c));
    let others = report
        .capabilities
        .keys()
        .map(String::as_str)
        .filter(|c| !CAPABILITIES.contains(c));
    known.chain(others).collect()
}

fn capability_lines(report: &VerifyReport, lines: &mut Vec<String>) {
    lines.push(String::new());
    lines.push(if report.complete {
        "capabilities, over every reachable state:".to_owned()
    } else {
        "capabilities, over the states explored:".to_owned()
    });
    let names = capability_names(report);
    let column = names.iter().map(|n| n.len()).max().unwrap_or(0) + 2;
    for name in names {
        let c = &report.capabilities[name];
        let first = format!("  {name:<column$}");
        let rest = " ".repeat(first.len());
        let text = if c.available {
            "available throughout".to_owned()
        } else {
            format!("down during {}", c.unavailable_during.join(", "))
        };
        lines.extend(wrap(&text, MAX_WIDTH, &first, &rest));
    }
}

fn degraded_lines(report: &VerifyReport, lines: &mut Vec<String>) {
    if report.degraded.is_empty() {
        return;
    }
    lines.push(String::new());
    lines.push(
        "degraded (the cloud works but loses a feature or logs errors; not a failure):".into(),
    );
    for d in &report.degraded {
        let head = format!("{} during {}", d.invariant, d.phases.join(", "));
        lines.extend(wrap(&head, MAX_WIDTH, "  ", "      "));
        lines.extend(wrap(&d.message, MAX_WIDTH, "      ", "      "));
    }
}

fn violation_lines(n: usize, v: &ViolationReport, lines: &mut Vec<String>) {
    lines.push(String::new());
    let at = if v.step.is_empty() {
        "before any step".to_owned()
    } else if v.refused {
        format!("step `{}` would fail", v.step)
    } else {
        format!("after step `{}`", v.step)
    };
    lines.extend(wrap(
        &format!("{} {at}", v.invariant),
        MAX_WIDTH,
        &format!("violation {n}: "),
        "    ",
    ));
    let field = |label: &str, text: &str, lines: &mut Vec<String>| {
        let first = format!("    {label:<9}");
        lines.extend(wrap(text, MAX_WIDTH, &first, &" ".repeat(first.len())));
    };
    field("why:", &v.message, lines);
    field("hosts:", &v.hosts, lines);
    if v.found_by == Search::CounterexampleSearch {
        field(
            "found:",
            "by the counterexample search: a real run, perhaps not the shortest",
            lines,
        );
    }
    if !v.differs.is_empty() {
        field("changed:", &v.differs, lines);
    }
    let first = format!(
        "    {:<9}({} step{}) ",
        "trace:",
        v.trace.len(),
        if v.trace.len() == 1 { "" } else { "s" }
    );
    let rest = " ".repeat(13);
    lines.extend(wrap_list(&v.trace, " →", MAX_WIDTH, &first, &rest));
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::elapsed_text;

    #[test]
    fn times_read_well_at_every_scale() {
        assert_eq!(elapsed_text(Duration::from_micros(840)), "0.8 ms");
        assert_eq!(elapsed_text(Duration::from_micros(9_940)), "9.9 ms");
        assert_eq!(elapsed_text(Duration::from_millis(132)), "132 ms");
        assert_eq!(elapsed_text(Duration::from_millis(1_523)), "1.52 s");
    }
}
