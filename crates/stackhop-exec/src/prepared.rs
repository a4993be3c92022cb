//! A plan made ready to run: its inventory parsed back from the text the plan carries, the
//! catalog transition found, the DAG indexed, each step's estimate and idempotence looked up.

use stackhop_catalog::{Estimate, Transition};
use stackhop_inventory::Inventory;
use stackhop_plan::{Plan, StepGraph};

use crate::error::ExecError;

/// What the executor needs to know about one step beyond the plan.
#[derive(Debug, Clone)]
pub struct StepInfo {
    /// Running it twice is as running it once (`Action::is_idempotent`).
    pub idempotent: bool,
    pub estimate: Estimate,
}

pub struct PreparedPlan {
    pub plan: Plan,
    pub inventory: Inventory,
    pub transition: &'static dyn Transition,
    pub steps: Vec<StepInfo>,
    pub graph: StepGraph,
    /// Phases in order of first appearance, with their step indices.
    pub phases: Vec<(String, Vec<usize>)>,
    /// The plan as JSON, exactly as the journal stores it.
    pub json: String,
}

impl std::fmt::Debug for PreparedPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedPlan")
            .field("digest", &self.plan.digest)
            .field("steps", &self.steps.len())
            .finish()
    }
}

pub use stackhop_plan::sha256;

impl PreparedPlan {
    pub fn new(plan: Plan) -> Result<PreparedPlan, ExecError> {
        let inventory = stackhop_inventory::parse(
            &plan.inventory_source,
            &plan.inventory_file,
            &stackhop_catalog::vocabulary(),
        )
        .map_err(ExecError::Inventory)?;
        let transition = stackhop_catalog::find(&inventory.release, &inventory.profile)
            .ok_or_else(|| ExecError::NoTransition {
                release: inventory.release.clone(),
                profile: inventory.profile.clone(),
            })?;
        let hosts: std::collections::HashSet<&str> =
            inventory.hosts.iter().map(|h| h.name.as_str()).collect();
        let mut steps: Vec<StepInfo> = Vec::with_capacity(plan.steps.len());
        for step in &plan.steps {
            if let Some(bad) = step.hosts.iter().find(|h| !hosts.contains(h.as_str())) {
                return Err(ExecError::UnknownHost {
                    step: step.id.clone(),
                    host: bad.clone(),
                });
            }
            steps.push(StepInfo {
                idempotent: step.action.is_idempotent(),
                estimate: transition.estimate(&step.action, &inventory),
            });
        }
        let mut phases: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, step) in plan.steps.iter().enumerate() {
            match phases.iter_mut().find(|(p, _)| *p == step.phase) {
                Some((_, members)) => members.push(i),
                None => phases.push((step.phase.clone(), vec![i])),
            }
        }
        let json = plan.to_json();
        let graph = plan.graph();
        Ok(PreparedPlan {
            plan,
            inventory,
            transition,
            steps,
            graph,
            phases,
            json,
        })
    }

    /// The digest the journal compares to refuse another plan: of the plan JSON itself, so a
    /// hand-edited plan with the same inputs is another plan too.
    pub fn plan_sha256(&self) -> String {
        sha256(&self.json)
    }

    pub fn inventory_digest(&self) -> String {
        sha256(&self.plan.inventory_source)
    }

    /// Host jobs in the whole plan: one per host of each step.
    pub fn host_jobs(&self) -> usize {
        self.plan.steps.iter().map(|s| s.hosts.len()).sum()
    }
}

/// `--plan` with `-i`: refuses when the inventory is not the one the plan was made from (or the
/// catalog changed since), saying which.
pub fn check_inventory(
    plan: &Plan,
    inventory_file: &str,
    inventory_source: &str,
    catalog_version: &str,
) -> Result<(), ExecError> {
    if inventory_source != plan.inventory_source {
        return Err(ExecError::StalePlan(format!(
            "{inventory_file} has changed since the plan was made from {} (inventory {} then, \
             {} now): make and review a new plan with `stackhop plan`",
            plan.inventory_file,
            short(&sha256(&plan.inventory_source)),
            short(&sha256(inventory_source)),
        )));
    }
    if catalog_version != plan.catalog_version {
        return Err(ExecError::StalePlan(format!(
            "the plan was made with catalog version `{}`, this stackhop's is `{catalog_version}`: \
             make and review a new plan with `stackhop plan`",
            plan.catalog_version
        )));
    }
    Ok(())
}

/// The first 12 hex digits of a `sha256:` digest, enough to tell two apart in a message.
fn short(digest: &str) -> &str {
    digest.get(..19).unwrap_or(digest)
}
