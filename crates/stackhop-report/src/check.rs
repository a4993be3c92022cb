//! Pre-flight findings: a text report for people, `stackhop.check/v1` JSON for machines.

use serde::Serialize;
use stackhop_catalog::{Finding, Scenario, Severity};

use crate::text::{MAX_WIDTH, lines_to_text, wrap};

/// The schema of the JSON check report (design.md, "Machine-readable output").
pub const CHECK_SCHEMA: &str = "stackhop.check/v1";

/// Where the finding's message and help start, under the severity column.
const BODY_INDENT: &str = "         ";
/// Width of the severity column (`warning` and two spaces).
const SEVERITY_WIDTH: usize = BODY_INDENT.len();

/// The findings of one check, with what they were computed from.
#[derive(Debug, Clone, Copy)]
pub struct CheckReport<'a> {
    /// The inventory's `name`.
    pub cloud: &'a str,
    /// Where the inventory was read from (a path, or `example:NAME`).
    pub inventory_file: &'a str,
    /// The catalog transition, e.g. `havana-icehouse/rdo`.
    pub transition: &'a str,
    pub scenario: Scenario,
    /// As `stackhop_plan::check` returns them.
    pub findings: &'a [Finding],
}

#[derive(Serialize)]
struct CheckJson<'a> {
    schema: &'static str,
    inventory: &'a str,
    inventory_file: &'a str,
    transition: &'a str,
    scenario: Scenario,
    findings: Vec<&'a Finding>,
}

/// `2 errors, 3 warnings, 4 info`.
#[must_use]
pub fn count_summary(findings: &[Finding]) -> String {
    let count = |severity: Severity| findings.iter().filter(|f| f.severity == severity).count();
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    format!(
        "{}, {}, {} info",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        count(Severity::Info)
    )
}

impl CheckReport<'_> {
    /// The findings grouped by severity (errors first), keeping their order within a group.
    fn ordered(&self) -> Vec<&Finding> {
        let mut findings: Vec<&Finding> = self.findings.iter().collect();
        findings.sort_by_key(|f| f.severity);
        findings
    }

    /// The header line: cloud, transition and scenario.
    #[must_use]
    pub fn header(&self) -> String {
        format!(
            "check of {} ({}) for {}",
            self.cloud, self.transition, self.scenario
        )
    }

    /// The findings as text: a header, one block per finding (severity, id and subject, then
    /// the wrapped message and help), and a count of each severity. No line is wider than
    /// [`MAX_WIDTH`].
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut lines: Vec<String> = wrap(&self.header(), MAX_WIDTH, "", "    ");
        for finding in self.ordered() {
            lines.push(String::new());
            let head = format!(
                "{:<width$}{}  ",
                finding.severity.as_str(),
                finding.id,
                width = SEVERITY_WIDTH
            );
            lines.extend(wrap(&finding.subject, MAX_WIDTH, &head, BODY_INDENT));
            if !finding.message.is_empty() {
                lines.extend(wrap(&finding.message, MAX_WIDTH, BODY_INDENT, BODY_INDENT));
            }
            if !finding.help.is_empty() {
                let help_first = format!("{BODY_INDENT}help: ");
                let help_rest = format!("{BODY_INDENT}      ");
                lines.extend(wrap(&finding.help, MAX_WIDTH, &help_first, &help_rest));
            }
        }
        lines.push(String::new());
        lines.push(count_summary(self.findings));
        lines_to_text(lines)
    }

    /// The findings as `stackhop.check/v1` JSON, pretty-printed, ending in a line break.
    #[must_use]
    pub fn to_json(&self) -> String {
        let json = CheckJson {
            schema: CHECK_SCHEMA,
            inventory: self.cloud,
            inventory_file: self.inventory_file,
            transition: self.transition,
            scenario: self.scenario,
            findings: self.ordered(),
        };
        // Serialising plain strings and enums cannot fail; an empty string would show a bug
        // rather than hide it in a panic.
        let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
        text.push('\n');
        text
    }
}
