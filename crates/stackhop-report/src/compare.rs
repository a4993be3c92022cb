//! The four scenarios side by side, for people. Its JSON is the report's own
//! (`CompareReport::to_json`).

use stackhop_model::CAPABILITIES;
use stackhop_sim::{CompareReport, ScenarioEntry, SimReport, fmt_duration};

use crate::text::{MAX_WIDTH, fit, lines_to_text, thousands, wrap};

/// The row labels' column.
const LABEL: usize = 22;
/// Each scenario's column (`service-by-service` and a space).
const COLUMN: usize = 19;

fn row(label: &str, cells: &[String]) -> String {
    let mut line = format!("{:<LABEL$}", fit(label, LABEL - 1));
    for cell in cells {
        line.push_str(&format!("{:<COLUMN$}", fit(cell, COLUMN - 1)));
    }
    line
}

/// One row: the value of each usable scenario, `-` for the others.
fn metric(label: &str, entries: &[ScenarioEntry], value: impl Fn(&SimReport) -> String) -> String {
    let cells: Vec<String> = entries
        .iter()
        .map(|e| e.report.as_ref().map_or_else(|| "-".to_owned(), &value))
        .collect();
    row(label, &cells)
}

/// The capabilities at least one scenario's run measured, in the contract's order.
pub(crate) fn offered_capabilities(entries: &[ScenarioEntry]) -> Vec<&'static str> {
    CAPABILITIES
        .iter()
        .copied()
        .filter(|c| {
            entries
                .iter()
                .filter_map(|e| e.report.as_ref())
                .any(|r| r.capabilities.get(c).is_some())
        })
        .collect()
}

fn downtime(report: &SimReport, capability: &str) -> String {
    match report.capabilities.get(capability) {
        Some(c) if c.downtime_s > 0 => fmt_duration(c.downtime_s),
        Some(_) => "-".to_owned(),
        None => "n/a".to_owned(),
    }
}

fn constraints_text(report: &CompareReport) -> String {
    let c = &report.constraints;
    let mut parts = Vec::new();
    if let Some(d) = c.max_downtime_s {
        parts.push(format!("max downtime {}", fmt_duration(d)));
    }
    if let Some(d) = c.max_duration_s {
        parts.push(format!("max duration {}", fmt_duration(d)));
    }
    if c.no_spare_hosts {
        parts.push("no spare hosts".to_owned());
    }
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
}

/// The comparison as text: a table with a column per scenario, the recommendation and its
/// reason, then per scenario what passed it over and the reference's risk notes (and, for a
/// scenario the cloud cannot use, the check's errors). No line is wider than [`MAX_WIDTH`].
#[must_use]
pub fn compare_text(report: &CompareReport) -> String {
    let entries = &report.scenarios;
    let mut lines: Vec<String> = Vec::new();
    let header = format!(
        "compare of {}: the four scenarios on the digital twin, seed {}",
        report.cloud, report.seed
    );
    lines.extend(wrap(&header, MAX_WIDTH, "", "    "));
    lines.extend(wrap(
        &constraints_text(report),
        MAX_WIDTH,
        "constraints: ",
        "    ",
    ));
    lines.push(String::new());

    let names: Vec<String> = entries.iter().map(|e| e.scenario.to_string()).collect();
    lines.push(row("", &names));
    let verdicts: Vec<String> = entries
        .iter()
        .map(|e| {
            if !e.usable {
                "unusable (check)"
            } else if Some(e.scenario) == report.recommended {
                "recommended"
            } else if e.excluded_by.is_empty() {
                "usable"
            } else {
                "passed over"
            }
            .to_owned()
        })
        .collect();
    lines.push(row("verdict", &verdicts));
    lines.push(metric("total duration", entries, |r| {
        fmt_duration(r.makespan_s)
    }));
    lines.push(row("downtime", &[]));
    let offered = offered_capabilities(entries);
    for capability in offered {
        lines.push(metric(&format!("  {capability}"), entries, |r| {
            downtime(r, capability)
        }));
    }
    lines.push(metric("failed requests", entries, |r| {
        thousands(r.capabilities.iter().map(|(_, c)| c.failed_requests).sum())
    }));
    lines.push(metric("instances disrupted", entries, |r| {
        thousands(r.instances_disrupted)
    }));
    lines.push(metric("instances re-created", entries, |r| {
        thousands(r.instances_recreated)
    }));
    lines.push(metric("extra hosts", entries, |r| {
        r.extra_hosts.to_string()
    }));
    lines.push(metric("manual steps", entries, |r| {
        r.manual_steps.to_string()
    }));

    lines.push(String::new());
    let recommended = match report.recommended {
        Some(s) => s.to_string(),
        None => "none".to_owned(),
    };
    lines.push(format!("recommended: {recommended}"));
    lines.extend(wrap(&report.reason, MAX_WIDTH, "  ", "  "));

    for e in entries {
        lines.push(String::new());
        let title = if e.usable {
            e.scenario.to_string()
        } else {
            format!("{} (this cloud cannot use it)", e.scenario)
        };
        lines.push(title);
        for f in &e.findings {
            let head = format!("  {} {}: ", f.severity.as_str(), f.id);
            let message = if f.message.is_empty() {
                &f.subject
            } else {
                &f.message
            };
            lines.extend(wrap(message, MAX_WIDTH, &head, "    "));
        }
        if e.usable {
            for why in &e.excluded_by {
                lines.extend(wrap(why, MAX_WIDTH, "  passed over: ", "    "));
            }
        }
        for note in &e.risk_notes {
            lines.extend(wrap(note, MAX_WIDTH, "  risk: ", "        "));
        }
    }
    lines_to_text(lines)
}
