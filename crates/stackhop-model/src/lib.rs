//! The shared model of a cloud under upgrade.
//!
//! Everything that reasons about an upgrade — the planner's own self-test, the verifier, the
//! simulator and the executor's simulated target — goes through [`apply`] and the checks in
//! [`invariant`]. Release knowledge is not here: it arrives as a [`RuleBook`] built by the catalog,
//! so a new release transition adds data, not engine code.

mod action;
mod apply;
mod capability;
mod goal;
mod ids;
mod invariant;
mod rules;
mod state;
mod view;

pub use action::{Action, ActionKind, MoveMode, ServiceSelector, Services};
pub use apply::{ApplyError, apply, apply_host, in_flight, in_flight_host};
pub use capability::{CAPABILITIES, CapabilitySet};
pub use goal::unmet_goals;
pub use ids::{DbKey, Env, Level, ProjectId, Release, ServiceId};
pub use invariant::{Class, Violation, check_invariants};
pub use rules::{
    CapabilityCheck, CapabilityFn, CodeLevel, ConfigExpectation, ConfigRule, CustomInvariant,
    Delivery, Gate, GateFn, InvariantFn, ProjectInfo, RpcChannel, RpcVersion, RuleBook,
    ServiceInfo, ServiceKind, VersionRange,
};
pub use state::{CloudState, ConfigKey, DbState, Global, Group, HostState, ServiceState};
pub use view::{HostRef, View};
