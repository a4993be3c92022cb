//! Release knowledge. Each transition (`havana-icehouse/rdo`, …) is one module that turns the
//! reference material into data the engine interprets: projects and services, the commands of each
//! action for its packaging profile, the compatibility rules, the hazards checked before a run,
//! the procedure each scenario follows, and the duration model.
//!
//! Nothing outside this crate knows a release name, a package glob or a config option.

mod citation;
mod discovery;
mod durations;
mod finding;
mod havana_icehouse;
mod hostlist;
mod procedure;
mod render;
mod scenario;
mod transition;
mod workload;
mod zed_antelope;

pub use citation::{Citation, title};
pub use discovery::{
    Discovery, Probe, ProbeOn, ProjectVersions, REDHAT_RELEASE_MARK, Reading, ReleaseSpan,
};
pub use durations::{DurationModel, Estimate, Parameter};
pub use finding::{Finding, Severity};
pub use hostlist::collapse_hosts;
pub use procedure::{
    ConfigChange, ConfigOp, EventLink, HostSelector, LiveRolling, ParallelDeployment,
    ProjectProcedure, ProjectStyle,
};
pub use render::{Rendered, RunsOn};
pub use scenario::Scenario;
pub use transition::{Transition, find, vocabulary, with_profile};
