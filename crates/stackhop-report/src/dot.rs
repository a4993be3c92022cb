//! Plans as Graphviz graphs: `stackhop plan --format dot | dot -Tsvg > plan.svg`.

use stackhop_plan::Plan;

use crate::action::describe_action;
use crate::duration::human_duration;
use crate::plan::{hosts_summary, phases};
use crate::text::fit;

/// Longest line in a node label; graphs with very long labels are unreadable.
const MAX_LABEL_LINE: usize = 60;

/// A DOT string literal: quotes and backslashes escaped, line breaks as `\n`.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The plan as a `digraph`: one node per step (id, action and hosts), one cluster per phase in
/// order of first appearance, and an edge from each step to every step that waits for it.
#[must_use]
pub fn plan_dot(plan: &Plan) -> String {
    let mut out = String::new();
    out.push_str("digraph plan {\n");
    out.push_str(&format!(
        "  label={};\n",
        quoted(&format!(
            "{} ({}) for {}: {} steps, {}",
            plan.cloud,
            plan.transition,
            plan.scenario,
            plan.steps.len(),
            human_duration(plan.estimate_s)
        ))
    ));
    out.push_str("  labelloc=t;\n");
    out.push_str("  rankdir=TB;\n");
    out.push_str("  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n");
    out.push_str("  edge [arrowsize=0.6];\n");
    for (n, (phase, members)) in phases(plan).into_iter().enumerate() {
        out.push_str(&format!("  subgraph cluster_{n} {{\n"));
        out.push_str(&format!("    label={};\n", quoted(phase)));
        for i in members {
            let step = &plan.steps[i];
            let label = [
                fit(&step.id, MAX_LABEL_LINE),
                fit(&describe_action(&step.action), MAX_LABEL_LINE),
                format!(
                    "{}, {}",
                    fit(&hosts_summary(&step.hosts), MAX_LABEL_LINE),
                    human_duration(step.estimate_s)
                ),
            ]
            .join("\n");
            let style = if step.manual { ", style=dashed" } else { "" };
            out.push_str(&format!(
                "    {} [label={}{style}];\n",
                quoted(&step.id),
                quoted(&label)
            ));
        }
        out.push_str("  }\n");
    }
    for step in &plan.steps {
        for after in &step.after {
            out.push_str(&format!("  {} -> {};\n", quoted(after), quoted(&step.id)));
        }
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::quoted;

    #[test]
    fn quoting() {
        assert_eq!(quoted("a\"b\\*c\nd"), "\"a\\\"b\\\\*c\\nd\"");
    }
}
