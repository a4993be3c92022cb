//! A step's commands as the catalog renders them, for the planner and for checking a saved plan:
//! what `apply` runs must be what `verify` proved, and verify proves actions, not text.

use serde::Serialize;
use stackhop_catalog::{RunsOn, Transition};
use stackhop_inventory::{Inventory, Role};
use stackhop_model::Action;

use crate::plan::Plan;

/// What the catalog makes of one action for one inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StepRendering {
    pub(crate) commands: Vec<String>,
    /// The host that runs the commands when not each host of the step.
    pub(crate) runs_on: Option<String>,
    pub(crate) manual: bool,
}

/// The host API commands run on: the first controller.
fn api_host(inventory: &Inventory) -> String {
    inventory
        .hosts
        .iter()
        .find(|h| h.has_role(Role::Controller))
        .map(|h| h.name.clone())
        .unwrap_or_default()
}

pub(crate) fn render_step(
    transition: &dyn Transition,
    inventory: &Inventory,
    action: &Action,
) -> StepRendering {
    let rendered = transition.render(action, inventory);
    StepRendering {
        commands: rendered.commands,
        runs_on: match rendered.runs_on {
            RunsOn::EachHost => None,
            RunsOn::Controller => Some(api_host(inventory)),
        },
        manual: rendered.manual,
    }
}

/// A step of a saved plan whose commands are not the catalog's rendering of its action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EditedStep {
    pub id: String,
    /// What the catalog renders for the step's action.
    pub expected: Vec<String>,
    /// What the plan says.
    pub found: Vec<String>,
    /// Where the commands run, when that was edited: (expected, found); `None` is each host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs_on: Option<(Option<String>, Option<String>)>,
    /// Whether the step waits for a person, when that was edited: (expected, found).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manual: Option<(bool, bool)>,
}

/// Every step whose commands, `runs_on` or `manual` differ from what the catalog renders for its
/// action on this inventory, in plan order.
pub fn edited_steps(
    plan: &Plan,
    transition: &dyn Transition,
    inventory: &Inventory,
) -> Vec<EditedStep> {
    plan.steps
        .iter()
        .filter_map(|step| {
            let want = render_step(transition, inventory, &step.action);
            let runs_on = (want.runs_on != step.runs_on)
                .then(|| (want.runs_on.clone(), step.runs_on.clone()));
            let manual = (want.manual != step.manual).then_some((want.manual, step.manual));
            (want.commands != step.commands || runs_on.is_some() || manual.is_some()).then(|| {
                EditedStep {
                    id: step.id.clone(),
                    expected: want.commands,
                    found: step.commands.clone(),
                    runs_on,
                    manual,
                }
            })
        })
        .collect()
}

/// Gives every step the commands the catalog renders for its action, as the planner does: for
/// plans written as actions by hand.
pub fn render_commands(plan: &mut Plan, transition: &dyn Transition, inventory: &Inventory) {
    for step in &mut plan.steps {
        let rendered = render_step(transition, inventory, &step.action);
        step.commands = rendered.commands;
        step.runs_on = rendered.runs_on;
        step.manual = rendered.manual;
    }
}
