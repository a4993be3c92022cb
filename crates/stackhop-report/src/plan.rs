//! Plans as text trees for people and as `stackhop.plan/v1` JSON for machines.

use stackhop_catalog::collapse_hosts;
use stackhop_plan::{Plan, Step};

use crate::action::describe_action;
use crate::duration::human_duration;
use crate::text::{MAX_WIDTH, fit, lines_to_text, pad, width, wrap};

/// What `plan_text` shows besides the tree.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanTextOptions {
    /// Show each step's rendered commands under it.
    pub commands: bool,
}

/// The hosts of a step for people: collapsed ranges, and `×N` when there are several.
#[must_use]
pub fn hosts_summary(hosts: &[String]) -> String {
    let names = collapse_hosts(hosts);
    if hosts.len() > 1 {
        format!("{names} ×{}", hosts.len())
    } else {
        names
    }
}

/// The plan as `stackhop.plan/v1` JSON (the plan's own serialisation).
#[must_use]
pub fn plan_json(plan: &Plan) -> String {
    plan.to_json()
}

/// Phases in order of first appearance, each with the indices of its steps in plan order.
pub(crate) fn phases(plan: &Plan) -> Vec<(&str, Vec<usize>)> {
    let mut phases: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        match phases.iter_mut().find(|(name, _)| *name == step.phase) {
            Some((_, members)) => members.push(i),
            None => phases.push((step.phase.as_str(), vec![i])),
        }
    }
    phases
}

const BRANCH: &str = "├─ ";
const LAST_BRANCH: &str = "└─ ";
const STEM: &str = "│    ";
const NO_STEM: &str = "     ";
/// Columns the tree takes before a step's id.
const BRANCH_WIDTH: usize = 3;
/// Space between the columns of a step line.
const GAP: &str = "  ";
/// The id column is at most this wide; a longer id pushes the action to the right on its line.
const MAX_ID_COLUMN: usize = 30;
/// When the columns do not fit, the id column shrinks to this (after the hosts column).
const MIN_ID_COLUMN: usize = 24;
/// The hosts column is at most this wide; longer host lists wrap.
const MAX_HOSTS_COLUMN: usize = 24;
/// When the columns do not fit, the hosts column shrinks to this first.
const MIN_HOSTS_COLUMN: usize = 16;
/// A host list wraps onto at most this many lines, then ends in `… ×N`.
const MAX_HOST_LINES: usize = 3;
/// The narrowest column an action is wrapped to.
const MIN_ACTION: usize = 12;
/// `after:` lists every id up to this many; beyond, the first `AFTER_SHOWN` and how many more.
const MAX_AFTER: usize = 8;
const AFTER_SHOWN: usize = 6;

/// The cells of one step line.
struct Cells {
    id: String,
    action: String,
    /// Collapsed host names, with `×N` when there are several.
    hosts: String,
    host_count: usize,
    estimate: String,
}

impl Cells {
    fn of(step: &Step) -> Self {
        let mut action = describe_action(&step.action);
        if step.manual {
            action.push_str(" (manual)");
        }
        Cells {
            id: step.id.clone(),
            action,
            hosts: hosts_summary(&step.hosts),
            host_count: step.hosts.len(),
            estimate: human_duration(step.estimate_s),
        }
    }
}

/// Column widths shared by every step line of a plan, so that they line up.
struct Columns {
    id: usize,
    action: usize,
    hosts: usize,
    estimate: usize,
}

impl Columns {
    /// Each column as wide as its widest cell, within its bounds; when the line would be too
    /// wide, the hosts column gives way first, then the id column, then the action column.
    fn of(cells: &[Cells]) -> Self {
        let widest = |f: &dyn Fn(&Cells) -> usize| cells.iter().map(f).max().unwrap_or(0);
        let estimate = widest(&|c| width(&c.estimate));
        let mut id = widest(&|c| width(&c.id)).min(MAX_ID_COLUMN);
        let mut hosts = widest(&|c| width(&c.hosts)).min(MAX_HOSTS_COLUMN);
        let action = widest(&|c| width(&c.action));
        let budget = MAX_WIDTH.saturating_sub(BRANCH_WIDTH + 3 * GAP.len() + estimate);
        let mut excess = (id + hosts + action).saturating_sub(budget);
        let cut = excess.min(hosts.saturating_sub(MIN_HOSTS_COLUMN));
        hosts -= cut;
        excess -= cut;
        let cut = excess.min(id.saturating_sub(MIN_ID_COLUMN));
        id -= cut;
        let action = action
            .min(budget.saturating_sub(id + hosts))
            .max(MIN_ACTION);
        Columns {
            id,
            action,
            hosts,
            estimate,
        }
    }

    /// The lines of one step, each at most [`MAX_WIDTH`] columns: id, action, hosts and
    /// estimate on the first; the action and the hosts wrap within their columns onto lines
    /// that start with `stem`. An id too long for its column pushes the action to the right on
    /// its line (the action column narrows to make room).
    fn lines(&self, branch: &str, stem: &str, cells: &Cells) -> Vec<String> {
        let estimate = format!("{:>width$}", cells.estimate, width = self.estimate);
        let right = GAP.len() + self.hosts + GAP.len() + self.estimate;
        let id_room = MAX_WIDTH.saturating_sub(BRANCH_WIDTH + GAP.len() + MIN_ACTION + right);
        let id = pad(&fit(&cells.id, id_room), self.id);
        let action_start = BRANCH_WIDTH + width(&id) + GAP.len();
        let action_column = self
            .action
            .min(MAX_WIDTH.saturating_sub(action_start + right))
            .max(1);
        let action = wrap(&cells.action, action_column, "", "");
        let hosts = host_lines(&cells.hosts, cells.host_count, self.hosts.max(1));
        let indent = format!(
            "{stem}{}",
            " ".repeat(action_start.saturating_sub(width(stem)))
        );
        (0..action.len().max(hosts.len()))
            .map(|k| {
                let cell = |lines: &[String]| lines.get(k).cloned().unwrap_or_default();
                let start = if k == 0 {
                    format!("{branch}{id}{GAP}")
                } else {
                    indent.clone()
                };
                let end = if k == 0 {
                    format!("{GAP}{estimate}")
                } else {
                    String::new()
                };
                let line = format!(
                    "{start}{}{GAP}{}{end}",
                    pad(&cell(&action), action_column),
                    pad(&cell(&hosts), self.hosts)
                );
                line.trim_end().to_owned()
            })
            .collect()
    }
}

/// A host list wrapped to `column`, on at most [`MAX_HOST_LINES`] lines; a longer one is cut and
/// ends in `… ×N`, so the count always shows.
fn host_lines(hosts: &str, count: usize, column: usize) -> Vec<String> {
    let mut lines = wrap(hosts, column, "", "");
    if lines.len() > MAX_HOST_LINES {
        lines.truncate(MAX_HOST_LINES);
        let suffix = format!("… ×{count}");
        let keep = column.saturating_sub(width(&suffix) + 1);
        if let Some(last) = lines.last_mut() {
            let kept: String = last.chars().take(keep).collect();
            *last = format!("{} {suffix}", kept.trim_end());
        }
    }
    lines
}

/// The ids a step waits for, for the `after:` line, or `None` when it simply follows the step
/// printed before it (or is the first step and waits for nothing).
fn after_text(step: &Step, previous: Option<&Step>) -> Option<String> {
    match (step.after.as_slice(), previous) {
        ([], None) => None,
        ([], Some(_)) => Some("nothing, starts with the plan".to_owned()),
        ([only], Some(previous)) if *only == previous.id => None,
        (after, _) => {
            let shown = if after.len() > MAX_AFTER {
                AFTER_SHOWN
            } else {
                after.len()
            };
            let mut text = after
                .iter()
                .take(shown)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ");
            if after.len() > shown {
                text.push_str(&format!(" and {} more", after.len() - shown));
            }
            Some(text)
        }
    }
}

/// The plan as a tree of phases and steps for people.
///
/// Each step shows its id, what it does, its hosts and its estimate, then why it exists;
/// `after:` when it waits for something else than the step above it; with
/// [`PlanTextOptions::commands`], its commands. A footer gives the step count and the
/// estimated duration along the critical path. No line is wider than [`MAX_WIDTH`].
#[must_use]
pub fn plan_text(plan: &Plan, options: &PlanTextOptions) -> String {
    let mut lines: Vec<String> = Vec::new();
    let header = format!(
        "plan of {} ({}) for {}",
        plan.cloud, plan.transition, plan.scenario
    );
    lines.extend(wrap(&header, MAX_WIDTH, "", "    "));
    lines.extend(wrap(&plan.digest, MAX_WIDTH, "digest: ", "        "));

    let cells: Vec<Cells> = plan.steps.iter().map(Cells::of).collect();
    let columns = Columns::of(&cells);
    let mut previous: Option<&Step> = None;
    let phases = phases(plan);
    if phases.is_empty() {
        lines.push(String::new());
        lines.push("(no steps)".to_owned());
    }
    for (phase, members) in phases {
        lines.push(String::new());
        lines.extend(wrap(phase, MAX_WIDTH, "", ""));
        for (position, &i) in members.iter().enumerate() {
            let step = &plan.steps[i];
            let last = position + 1 == members.len();
            let (branch, stem) = if last {
                (LAST_BRANCH, NO_STEM)
            } else {
                (BRANCH, STEM)
            };
            lines.extend(columns.lines(branch, stem, &cells[i]));
            let detail = |label: &str| {
                let first = format!("{stem}{label}: ");
                let rest = format!("{stem}{}", " ".repeat(width(label) + 2));
                (first, rest)
            };
            if !step.reason.is_empty() {
                let (first, rest) = detail("why");
                lines.extend(wrap(&step.reason, MAX_WIDTH, &first, &rest));
            }
            if let Some(after) = after_text(step, previous) {
                let (first, rest) = detail("after");
                lines.extend(wrap(&after, MAX_WIDTH, &first, &rest));
            }
            if options.commands {
                if let Some(host) = &step.runs_on {
                    let (first, rest) = detail("runs on");
                    let text = format!("{host}, once for each host of the step");
                    lines.extend(wrap(&text, MAX_WIDTH, &first, &rest));
                }
                for command in &step.commands {
                    let first = format!("{stem}$ ");
                    let rest = format!("{stem}    ");
                    lines.extend(wrap(command, MAX_WIDTH, &first, &rest));
                }
            }
            previous = Some(step);
        }
    }

    lines.push(String::new());
    let steps = plan.steps.len();
    let footer = format!(
        "{steps} step{}, estimated {} along the critical path",
        if steps == 1 { "" } else { "s" },
        human_duration(plan.estimate_s)
    );
    lines.extend(wrap(&footer, MAX_WIDTH, "", ""));

    lines_to_text(lines)
}
