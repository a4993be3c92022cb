//! Pre-flight checks and the scenario planners: an inventory and a scenario in, a reviewed-able
//! [`Plan`] out. Planners read the transition's procedures from the catalog; they know no
//! release, package or option by name.

mod builder;
mod check;
mod digest;
mod error;
mod graph;
mod hosts;
mod locate;
mod plan;
mod rendering;
mod scenarios;
mod schedule;
#[cfg(test)]
mod tests;

pub use check::{check, has_errors};
pub use digest::{digest, sha256};
pub use error::PlanError;
pub use graph::{StepGraph, StepIx, topological_order};
pub use locate::{Seg, locate};
pub use plan::{PLAN_SCHEMA, Plan, Step};
pub use rendering::{EditedStep, edited_steps, render_commands};
pub use scenarios::make_plan;
pub use schedule::{Scheduler, StepStage};
