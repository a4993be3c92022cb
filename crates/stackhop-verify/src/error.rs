//! Why a plan could not be verified at all (bad input, not a broken plan): the CLI exits 2.

use stackhop_inventory::Diagnostics;
use stackhop_plan::PlanError;

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// A saved plan is not valid plan JSON, or its DAG is malformed.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The inventory embedded in a saved plan does not parse.
    #[error("the inventory embedded in the plan does not parse:\n{0}")]
    Inventory(Diagnostics),
    /// No catalog transition starts from the inventory's release with its profile.
    #[error("no release transition starts from `{release}` with profile `{profile}`")]
    NoTransition { release: String, profile: String },
    /// The plan was made for another transition than the one it is verified against.
    #[error("the plan was made for transition `{plan}`, not `{catalog}`")]
    TransitionMismatch { plan: String, catalog: String },
    /// The plan's steps do not form a DAG over known step ids.
    #[error("the plan's shape is invalid: {0}")]
    Shape(String),
    #[error("step `{step}` names no host")]
    NoHosts { step: String },
    #[error("step `{step}` acts on host `{host}`, which is not in the inventory")]
    UnknownHost { step: String, host: String },
    #[error("step `{step}` names host `{host}` twice")]
    DuplicateHost { step: String, host: String },
    /// The action names a service, project or release the transition does not know.
    #[error("step `{step}`: {message}")]
    Action { step: String, message: String },
    #[error("step `{step}` checks capability `{capability}`, which does not exist")]
    UnknownCapability { step: String, capability: String },
}
