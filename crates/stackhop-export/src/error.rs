/// Why a plan cannot be exported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// The steps wait for each other in a cycle (a plan read with `Plan::from_json` has none).
    #[error("the plan's steps wait for each other in a cycle: it has no order to run them in")]
    NotADag,
    /// A step names a host the inventory does not have.
    #[error("step `{step}` runs on `{host}`, which is not a host of the inventory")]
    UnknownHost { step: String, host: String },
    /// A step runs its commands on a host the inventory does not have.
    #[error("step `{step}` runs its commands on `{host}`, which is not a host of the inventory")]
    UnknownRunsOn { step: String, host: String },
}
