use thiserror::Error;

/// Why a plan could not be simulated.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SimError {
    #[error("step `{step}` names host `{host}`, which is not in the inventory")]
    UnknownHost { step: String, host: String },
    #[error("step `{step}` waits for `{after}`, which is not a step of this plan")]
    UnknownStep { step: String, after: String },
    #[error("fault names host `{0}`, which is not in the inventory")]
    UnknownFaultHost(String),
    #[error(
        "fault `step:{0}` matches no step of the plan; give a step id or a glob over them, e.g. \
         `step:nova-computes.*.upgrade` (`stackhop plan` lists the ids)"
    )]
    UnmatchedFault(String),
    #[error("the plan's steps wait for each other in a cycle")]
    Cycle,
    /// Batched and one-host-at-a-time application disagreed; a bug in the simulator.
    #[error("the simulation could not be carried out consistently")]
    Inconsistent,
    #[error("`{0}` is not a capability; use one of {caps}", caps = stackhop_model::CAPABILITIES.join(", "))]
    UnknownCapability(String),
    #[error("`{rate}` is not a rate for {capability}: give requests per minute, e.g. boot=20")]
    BadRate { capability: String, rate: String },
}

/// Why the twin could not apply a step to a host.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TwinError {
    #[error("host `{0}` is not in the inventory")]
    UnknownHost(String),
    /// The transition function refused: the command would fail on the real cloud.
    #[error(transparent)]
    Apply(#[from] stackhop_model::ApplyError),
}
