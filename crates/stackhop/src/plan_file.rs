//! Reading a saved plan (`stackhop plan --out`, perhaps edited by hand): the file, its shape,
//! the inventory it embeds, and where in the file a problem with one of its steps lies.

use std::path::Path;

use stackhop_plan::{Plan, Seg, locate};
use stackhop_verify::VerifyError;

use crate::error::CommandError;
use crate::inventory::{Loaded, load_text};

/// A plan read from a file, with the text it came from.
pub(crate) struct SavedPlan {
    /// The path as given, for messages.
    pub(crate) file: String,
    text: String,
    pub(crate) plan: Plan,
}

/// Reads and checks a plan file; bad JSON, unknown action kinds, unknown `after` ids, cycles
/// and a digest that is not the content's are errors that name the file, line and column
/// (exit 2).
pub(crate) fn read(path: &Path) -> Result<SavedPlan, CommandError> {
    read_with(path, Plan::from_json)
}

/// [`read`] without the digest check, for `reseal`.
pub(crate) fn read_unsealed(path: &Path) -> Result<SavedPlan, CommandError> {
    read_with(path, Plan::from_json_unsealed)
}

fn read_with(
    path: &Path,
    parse: fn(&str, &str) -> Result<Plan, stackhop_plan::PlanError>,
) -> Result<SavedPlan, CommandError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| CommandError::Read {
        path: file.clone(),
        source,
    })?;
    let plan = parse(&text, &file).map_err(CommandError::Plan)?;
    Ok(SavedPlan { file, text, plan })
}

impl SavedPlan {
    /// The inventory the plan was made from, as it embeds it, and the transition that upgrades
    /// it.
    pub(crate) fn inventory(&self) -> Result<Loaded, CommandError> {
        load_text(
            self.plan.inventory_file.clone(),
            self.plan.inventory_source.clone(),
        )
    }

    /// The line and column in the file of what a verify error is about.
    pub(crate) fn locate(&self, error: &VerifyError) -> Option<(usize, usize)> {
        let step = |id: &str| self.plan.steps.iter().position(|s| s.id == id);
        let host = |i: usize, name: &str, nth: usize| {
            let j = self.plan.steps[i]
                .hosts
                .iter()
                .enumerate()
                .filter(|(_, h)| *h == name)
                .nth(nth)?
                .0;
            locate(
                &self.text,
                &[
                    Seg::Key("steps"),
                    Seg::Index(i),
                    Seg::Key("hosts"),
                    Seg::Index(j),
                ],
            )
        };
        let in_step = |i: usize, keys: &[&str]| {
            let mut path = vec![Seg::Key("steps"), Seg::Index(i)];
            path.extend(keys.iter().map(|k| Seg::Key(k)));
            locate(&self.text, &path)
        };
        match error {
            VerifyError::UnknownHost { step: id, host: h } => host(step(id)?, h, 0),
            VerifyError::DuplicateHost { step: id, host: h } => host(step(id)?, h, 1),
            VerifyError::NoHosts { step: id } => in_step(step(id)?, &["hosts"]),
            VerifyError::Action { step: id, .. } => in_step(step(id)?, &["action"]),
            VerifyError::UnknownCapability { step: id, .. } => {
                in_step(step(id)?, &["action", "capability"])
            }
            VerifyError::TransitionMismatch { .. } => locate(&self.text, &[Seg::Key("transition")]),
            VerifyError::Inventory(_) | VerifyError::NoTransition { .. } => {
                locate(&self.text, &[Seg::Key("inventory_source")])
            }
            VerifyError::Plan(_) | VerifyError::Shape(_) => None,
        }
    }
}
