//! What can stop `apply`, `resume` and `status`, and whether it is the operator's input or the
//! run that could not go on (the binary maps the two to exit codes 2 and 3).

use std::path::PathBuf;

use stackhop_inventory::Diagnostics;

/// The two kinds of failure the command line tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Bad input or usage: a journal that is not one, of another plan, a changed inventory.
    BadInput,
    /// The run could not continue: the journal is locked or cannot be written, steps are in
    /// doubt and need the operator, the run was interrupted.
    CannotContinue,
}

#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// Another process holds the journal's lock.
    #[error(
        "the journal {} is in use by {holder}; wait for that run to end (or stop it) and try again",
        path.display()
    )]
    Locked { path: PathBuf, holder: String },
    #[error("no journal at {}: start a run with `stackhop apply`", path.display())]
    Missing { path: PathBuf },
    #[error("{} is not a stackhop journal: {detail}", path.display())]
    NotAJournal { path: PathBuf, detail: String },
    #[error(
        "the journal {} is damaged ({detail}); it was left as it is: keep a copy, and start a \
         new run with another --journal",
        path.display()
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "the journal {} was written by a newer stackhop (schema {found}, this one reads up to {known})",
        path.display()
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("the journal {} holds no run: start one with `stackhop apply`", path.display())]
    NoRun { path: PathBuf },
    /// The journal's run is of another plan than the one given.
    #[error(
        "the journal {} belongs to another plan ({journal}, scenario {scenario}); this plan is \
         {given}: use another --journal for this plan",
        path.display()
    )]
    OtherPlan {
        path: PathBuf,
        journal: String,
        scenario: String,
        given: String,
    },
    /// `apply` on a journal whose run is not finished.
    #[error(
        "the journal {} holds an unfinished run of this plan ({state}); continue it with \
         `{resume}`, or use another --journal",
        path.display()
    )]
    Unfinished {
        path: PathBuf,
        state: String,
        resume: String,
    },
    /// `apply` again on a journal whose run already changed a real cloud.
    #[error(
        "the journal {} records a finished run of this plan on the {target} target; a second \
         run would repeat every command: use another --journal if you really mean it",
        path.display()
    )]
    AlreadyApplied { path: PathBuf, target: String },
    /// `--plan` with `-i`: the inventory is not the one the plan was made from.
    #[error("{0}")]
    StalePlan(String),
    /// OpenSSH refused hosts' keys: nothing ran anywhere.
    #[error("{}", host_keys_message(known_hosts, refusals))]
    HostKeys {
        known_hosts: PathBuf,
        refusals: Vec<crate::ssh::pool::KeyRefusal>,
    },
    /// Hosts that did not answer, or stopped answering, while they were read (`discover`, the
    /// check before an SSH run): what they run is not known.
    #[error("{}", unreachable_message(.0))]
    Unreachable(Vec<(String, String)>),
    /// `--target local` with a plan for several hosts that do not live on this machine.
    #[error(
        "--target local runs every command on this machine, and this plan acts on {count} hosts \
         ({hosts}); profile `{profile}` gives them no roots of their own here: use --target sim \
         to rehearse it, an all-in-one inventory for a one-host lab, or a profile whose \
         `paths.host_root` maps each host to a directory (`{{host}}`)"
    )]
    LocalMultiHost {
        count: usize,
        hosts: String,
        profile: String,
    },
    /// A `--fault STEP[@HOST]` that matches no step (or no host of a matching step).
    #[error(
        "--fault {0} matches no step of the plan (or no host of one); give STEP or STEP@HOST, \
         globs allowed, e.g. nova-computes.*.upgrade@cmp2 (`stackhop plan` lists the ids)"
    )]
    UnmatchedFault(String),
    #[error("cannot use the journal {}: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot use {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Writing a step's intent or result failed during the run: nothing more is started.
    #[error("the journal {} could not be written ({detail}); the run stopped", path.display())]
    JournalWrite { path: PathBuf, detail: String },
    /// The plan's inventory text does not parse with this stackhop's catalog.
    #[error("{0}")]
    Inventory(Diagnostics),
    #[error("no catalog transition starts from release `{release}` with profile `{profile}`")]
    NoTransition { release: String, profile: String },
    /// The plan stored in the journal (or given) is not a valid plan.
    #[error("{0}")]
    Plan(#[from] stackhop_plan::PlanError),
    #[error("step `{step}` names host `{host}`, which is not in the plan's inventory")]
    UnknownHost { step: String, host: String },
    /// Steps were in flight when the last run stopped and nothing can tell whether they ran.
    #[error("{0}")]
    InDoubt(String),
    /// Commands of the run that stopped are still running (its `stackhop` was killed).
    #[error("{0}")]
    StillRunning(String),
    /// `--mark-done`/`--rerun` named something that is not in doubt.
    #[error("{0}")]
    BadMark(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

impl ExecError {
    pub fn class(&self) -> ErrorClass {
        match self {
            ExecError::Locked { .. }
            | ExecError::Sqlite { .. }
            | ExecError::Io { .. }
            | ExecError::JournalWrite { .. }
            | ExecError::InDoubt(_)
            | ExecError::StillRunning(_)
            | ExecError::HostKeys { .. }
            | ExecError::Unreachable(_)
            | ExecError::Runtime(_) => ErrorClass::CannotContinue,
            ExecError::Missing { .. }
            | ExecError::NotAJournal { .. }
            | ExecError::Corrupt { .. }
            | ExecError::NewerSchema { .. }
            | ExecError::NoRun { .. }
            | ExecError::OtherPlan { .. }
            | ExecError::Unfinished { .. }
            | ExecError::AlreadyApplied { .. }
            | ExecError::StalePlan(_)
            | ExecError::UnmatchedFault(_)
            | ExecError::LocalMultiHost { .. }
            | ExecError::Inventory(_)
            | ExecError::NoTransition { .. }
            | ExecError::Plan(_)
            | ExecError::UnknownHost { .. }
            | ExecError::BadMark(_) => ErrorClass::BadInput,
        }
    }
}

fn unreachable_message(hosts: &[(String, String)]) -> String {
    let mut text = format!(
        "{} host(s) could not be read, so what the cloud runs is not known:",
        hosts.len()
    );
    for (_, why) in hosts {
        text.push_str(&format!("\n  {why}"));
    }
    text.push_str(
        "\n  help: check that each host answers `ssh` with the inventory's connection settings, \
         then try again",
    );
    text
}

fn host_keys_message(
    known_hosts: &std::path::Path,
    refusals: &[crate::ssh::pool::KeyRefusal],
) -> String {
    let mut text = format!(
        "the host keys of {} host(s) are not trusted, so nothing was run on any host (checked \
         against {}):",
        refusals.len(),
        known_hosts.display()
    );
    for r in refusals {
        let presents = if r.fingerprints.is_empty() {
            "(it presented no key stackhop could read)".to_owned()
        } else {
            format!("it presents {}", r.fingerprints.join(", "))
        };
        text.push_str(&format!(
            "\n  {} ({}): {}; {presents}",
            r.host,
            r.address,
            r.problem.as_str()
        ));
    }
    text.push_str(
        "\n  help: compare each fingerprint with the host's own (`ssh-keygen -lf \
         /etc/ssh/ssh_host_ed25519_key.pub` on it), then `stackhop trust-hosts -i INVENTORY` \
         records the ones you confirm",
    );
    text
}
