//! How a command ends, and the exit code each ending maps to (design.md, "Command line").

use std::io;
use std::process::ExitCode;

use crate::exit;

use stackhop_import::ImportError;
use stackhop_inventory::Diagnostics;
use stackhop_plan::PlanError;
use stackhop_sim::SimError;
use stackhop_verify::VerifyError;

/// A command that ran to the end: it either found nothing wrong or found a problem (error
/// findings, a refused plan) that it has already reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Exit code 0.
    Success,
    /// Exit code 1: the command worked and found a problem.
    ProblemFound,
    /// Exit code 3: the command reported what it could, but could not finish its work (verify
    /// stopped at a limit before it found anything wrong).
    Unfinished,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Success => ExitCode::from(exit::SUCCESS),
            Outcome::ProblemFound => ExitCode::from(exit::PROBLEM),
            Outcome::Unfinished => ExitCode::from(exit::CANNOT_CONTINUE),
        }
    }
}

/// A command that could not do its work. Each variant says which exit code it ends with.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CommandError {
    /// The inventory file could not be read (missing, a directory, not UTF-8, …).
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: io::Error },
    /// An output file could not be written.
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: io::Error },
    /// Standard output went away for another reason than a closed pipe.
    #[error("cannot write to standard output: {0}")]
    Stdout(io::Error),
    /// The inventory has problems; all of them, with file, line and column.
    #[error("{0}")]
    Inventory(Diagnostics),
    /// The inventory names a release and profile no catalog transition starts from.
    #[error("no catalog transition starts from release `{release}` with profile `{profile}`")]
    NoTransition { release: String, profile: String },
    /// A name that is not one of the built-in examples.
    #[error("unknown example `{name}`; the examples are: {}", stackhop_inventory::examples::NAMES.join(", "))]
    UnknownExample { name: String },
    /// Arguments clap let through but the command cannot use.
    #[error("{0}")]
    Usage(String),
    /// The planner could not make or read a plan.
    #[error(transparent)]
    Plan(PlanError),
    /// `verify` could not prove anything: the plan names what the cloud does not have (exit 2),
    /// or the exploration was stopped (exit 3). `file` and `at` say where in a saved plan.
    #[error("{}{error}", place(.file.as_deref(), *.at))]
    Verify {
        file: Option<String>,
        at: Option<(usize, usize)>,
        error: Box<VerifyError>,
    },
    /// `simulate`, `compare`: a fault, a workload or a plan the twin cannot run.
    #[error(transparent)]
    Sim(SimError),
    /// `apply`, `resume`, `status`: the journal, its lock, the run (2 or 3 by its class).
    #[error(transparent)]
    Exec(stackhop_exec::ExecError),
    /// `export`: the plan cannot be written for the engine.
    #[error(transparent)]
    Export(stackhop_export::ExportError),
    /// `export`: files of the directory that no earlier export wrote, or that were changed since.
    #[error(
        "refusing to overwrite in {dir}: {} (not written by `stackhop export`, or changed since); \
         choose another --out, or pass --force to overwrite",
        files.join(", ")
    )]
    Occupied { dir: String, files: Vec<String> },
    /// `import`: the file has mistakes, or names what no transition starts from (exit 2);
    /// or what was written is not an inventory, a defect (exit 3).
    #[error(transparent)]
    Import(ImportError),
    /// A run stopped before its end (Ctrl-C, `--step` answered no); exit code 3.
    #[error("the run stopped before its end; continue it with `{resume}`")]
    Interrupted { resume: String },
}

impl CommandError {
    /// 2 for bad input or usage; 1 for a refused plan (a problem found in the cloud).
    pub(crate) fn exit_code(&self) -> ExitCode {
        match self {
            CommandError::Plan(PlanError::Refused { .. }) => ExitCode::from(exit::PROBLEM),
            CommandError::Read { .. }
            | CommandError::Write { .. }
            | CommandError::Stdout(_)
            | CommandError::Inventory(_)
            | CommandError::NoTransition { .. }
            | CommandError::UnknownExample { .. }
            | CommandError::Usage(_)
            | CommandError::Export(_)
            | CommandError::Occupied { .. }
            | CommandError::Plan(_) => ExitCode::from(exit::BAD_INPUT),
            CommandError::Exec(e) => match e.class() {
                stackhop_exec::ErrorClass::BadInput => ExitCode::from(exit::BAD_INPUT),
                stackhop_exec::ErrorClass::CannotContinue => ExitCode::from(exit::CANNOT_CONTINUE),
            },
            CommandError::Verify { .. } => ExitCode::from(exit::BAD_INPUT),
            CommandError::Sim(SimError::Inconsistent) => ExitCode::from(exit::CANNOT_CONTINUE),
            CommandError::Sim(_) => ExitCode::from(exit::BAD_INPUT),
            CommandError::Interrupted { .. } => ExitCode::from(exit::CANNOT_CONTINUE),
            CommandError::Import(ImportError::Unwritable(_)) => {
                ExitCode::from(exit::CANNOT_CONTINUE)
            }
            CommandError::Import(_) => ExitCode::from(exit::BAD_INPUT),
        }
    }

    /// Writes the error to standard error: inventory diagnostics exactly as they display
    /// (they carry their own `error:` prefixes), anything else as one `error: …` line.
    pub(crate) fn report(&self) {
        match self {
            CommandError::Inventory(diagnostics)
            | CommandError::Exec(stackhop_exec::ExecError::Inventory(diagnostics))
            | CommandError::Import(ImportError::Input(diagnostics)) => eprint!("{diagnostics}"),
            other => eprintln!("error: {other}"),
        }
    }
}

/// `file:line:column: `, `file: ` or nothing, before a message about a saved plan.
fn place(file: Option<&str>, at: Option<(usize, usize)>) -> String {
    match (file, at) {
        (Some(file), Some((line, column))) => format!("{file}:{line}:{column}: "),
        (Some(file), None) => format!("{file}: "),
        (None, _) => String::new(),
    }
}
