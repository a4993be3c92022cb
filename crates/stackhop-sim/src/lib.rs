//! The digital twin: a discrete-event simulation of a plan on a virtual clock.
//!
//! [`simulate`] runs a [`Plan`](stackhop_plan::Plan) against the [`Twin`] of the inventory's
//! cloud. Each step takes the catalog's estimated duration with seeded jitter, steps run side by
//! side as the plan's DAG allows, hosts within a step run `fanout` at a time, and every host's
//! change goes through [`stackhop_model::apply`], the transition function the verifier uses. A
//! synthetic workload is checked against the model's capabilities after every change, so
//! downtime and failed requests are measured, not asserted per scenario. Faults can be injected;
//! a failure stops the run the way the executor stops.
//!
//! [`compare`] does that for the four scenarios and recommends one under the operator's
//! constraints.
//!
//! No IO, no clock, no threads: the same inputs and seed give byte-identical reports.

mod compare;
mod duration;
mod engine;
mod error;
mod fault;
mod jitter;
mod report;
mod twin;
mod workload;

#[cfg(test)]
mod tests;

pub use compare::{COMPARE_SCHEMA, CompareReport, Constraints, ScenarioEntry, compare};
pub use duration::{fmt_duration, parse_duration};
pub use engine::{JITTER, SimOptions, simulate};
pub use error::{SimError, TwinError};
pub use fault::{Fault, check_faults, glob_match};
pub use jitter::Jitter;
pub use report::{
    CapabilityReport, Failure, HostSpan, Named, Observation, Outcome, PhaseSpan, RunState,
    SIMULATE_SCHEMA, SimReport, StepSpan, StepState, Window,
};
pub use twin::Twin;
pub use workload::Workload;
