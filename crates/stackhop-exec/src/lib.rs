//! Running a plan: the executor, its journal and its targets.
//!
//! - [`Session::start`] (`apply`) records a new run of a plan in a journal, [`Session::resume`]
//!   reopens the latest one and [`Session::settle`] decides what to do with steps that were in
//!   flight when it stopped. Both take the journal's lock first ([`RunLock`]).
//! - [`execute`] walks the plan's DAG on tokio against a target — `sim`, the digital twin of
//!   `stackhop-sim` changed only through `stackhop_model::apply`, instantly or at `--speed`;
//!   or `local`, `sh -c` on this host — committing every step's intent to the [`Journal`]
//!   before running it (rule 4 of the house), and reports [`Event`]s to whoever shows progress.
//! - [`load_status`] reads where a run stands without taking the lock;
//!   [`StatusReport::measured`] lays it out on its clock beside the twin's prediction, for
//!   `stackhop report` and the run's page.
//!
//! This crate and the binary are the only ones that use tokio; it does IO (the journal, `sh`),
//! reads the clock, and knows no release: steps come from the plan, their durations from the
//! catalog's estimates.

mod belief;
mod clock;
mod dispatch;
mod error;
mod events;
mod faults;
mod journal;
mod lock;
mod measured;
mod options;
mod orphans;
mod prepared;
mod progress;
mod replay;
mod session;
mod ssh;
mod status;
mod target;
mod wall;
mod world;

pub use dispatch::execute;
pub use error::{ErrorClass, ExecError};
pub use events::{ConfirmRequest, Event, PhaseInfo, RunReport, StepOutcome};
pub use faults::check_faults;
pub use journal::{
    Access, Ack, AttemptRecord, AttemptState, CloudRecord, EventRecord, Journal, NewRun,
    OUTPUT_TAIL_BYTES, Op, RowCounts, RunNotes, RunRecord, RunState, SCHEMA_VERSION, Writer,
    WriterHandle,
};
pub use lock::{RunLock, lock_path};
pub use options::{ExecOptions, StopRequest};
pub use prepared::{PreparedPlan, StepInfo, check_inventory, sha256};
pub use progress::{HostStatus, StepProgress, StepState, progress};
pub use session::{Session, Settlement, TargetKind, resume_command, steps_digest};
pub use ssh::keys::{KeyProblem, Learned, known_hosts_file, learn, trust};
pub use ssh::pool::{KeyRefusal, SshPool};
pub use ssh::probe::{HostAnswers, ProbeJob, Probed, run_probes};
pub use ssh::{Endpoint, SshSettings};
pub use status::{StatusReport, load_status};
pub use target::secret_values;
pub use wall::{fmt_utc, now_ms};
pub use world::CapabilityChange;

/// The journal a run uses when none is named: `stackhop-run.db` in the current directory.
pub const DEFAULT_JOURNAL: &str = "stackhop-run.db";
