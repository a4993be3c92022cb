//! The journal: an SQLite file (WAL, `synchronous=FULL`) that records a run — its plan, every
//! step's intent on every host, the attempts with exit codes, output tails and timings, and for
//! the `sim` target the simulated cloud — so that a run can stop anywhere and be resumed exactly.
//!
//! Writes go through [`Writer`], a thread that owns the connection and commits whatever has
//! queued up in one `BEGIN IMMEDIATE` transaction (group commit): one fsync covers many step
//! records, which is what makes thousands of records per second possible with `FULL`. Requests
//! are committed in the order they were submitted, and a caller waits for its acknowledgement
//! before acting: an intent is on disk before its command runs (rule 4 of the house), and
//! everything submitted before it is too.
//!
//! Schema version 2 (`PRAGMA user_version`; a version 1 journal is migrated when a run opens it
//! for writing, and read as it is by `status`):
//!
//! - `runs`: one row per run: the plan JSON, its digest, a digest of its steps, the
//!   inventory's digest, target, state (`running`, `succeeded`, `failed`, `interrupted`), the
//!   tolerated failures per step, who ran it last, timestamps, and `notes` (JSON [`RunNotes`]:
//!   what the operator accepted when starting it, such as an unverified plan or edited commands;
//!   added in version 2).
//! - `attempts`: one row per attempt of a step on a host: `started` (the intent) then
//!   `succeeded` or `failed` with exit code, output tail and timings; `abandoned` for an attempt
//!   in flight when a run died and found not to have taken effect (a new attempt follows);
//!   `skipped` for a host left out after it failed in an earlier step (`--max-fail`).
//! - `cloud`: the simulated cloud of a `sim` run (JSON of `CloudState`) and its virtual clock,
//!   written in the same transaction as the step result that changed it.
//! - `events`: what happened to the run as a whole: started, resumed, in-doubt steps settled,
//!   stopped, finished.

use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};
use stackhop_model::CloudState;
use tokio::sync::oneshot;

use crate::error::ExecError;
use crate::wall::now_ms;

/// The schema this stackhop writes and reads.
pub const SCHEMA_VERSION: i64 = 2;

/// How many bytes of a step's output the journal keeps: the end, where the error usually is.
pub const OUTPUT_TAIL_BYTES: usize = 4096;

/// The `runs` table of schema version 2 under a given name (the migration builds it beside the
/// old one).
fn runs_table(name: &str) -> String {
    format!(
        "CREATE TABLE {name} (
    id               INTEGER PRIMARY KEY,
    plan_json        TEXT    NOT NULL,
    plan_digest      TEXT    NOT NULL,
    plan_sha256      TEXT    NOT NULL,
    inventory_digest TEXT    NOT NULL,
    scenario         TEXT    NOT NULL,
    target           TEXT    NOT NULL CHECK (target IN ('sim', 'local', 'ssh')),
    state            TEXT    NOT NULL
                     CHECK (state IN ('running', 'succeeded', 'failed', 'interrupted')),
    max_fail         INTEGER NOT NULL DEFAULT 0,
    holder           TEXT    NOT NULL,
    created_ms       INTEGER NOT NULL,
    updated_ms       INTEGER NOT NULL,
    finished_ms      INTEGER,
    notes            TEXT    NOT NULL DEFAULT '{{}}'
);
"
    )
}

/// Version 1 had no `notes` and knew only the `sim` and `local` targets; SQLite cannot change a
/// CHECK in place, so the table is rebuilt (the other tables refer to it by name and stay).
const MIGRATE_1_TO_2: &str = "
INSERT INTO runs_v2 (id, plan_json, plan_digest, plan_sha256, inventory_digest, scenario, target,
                     state, max_fail, holder, created_ms, updated_ms, finished_ms)
SELECT id, plan_json, plan_digest, plan_sha256, inventory_digest, scenario, target,
       state, max_fail, holder, created_ms, updated_ms, finished_ms FROM runs;
DROP TABLE runs;
ALTER TABLE runs_v2 RENAME TO runs;
";

const SCHEMA: &str = "
CREATE TABLE attempts (
    id               INTEGER PRIMARY KEY,
    run_id           INTEGER NOT NULL REFERENCES runs (id),
    step             TEXT    NOT NULL,
    host             TEXT    NOT NULL,
    attempt          INTEGER NOT NULL,
    state            TEXT    NOT NULL
                     CHECK (state IN ('started', 'succeeded', 'failed', 'abandoned', 'skipped')),
    idempotent       INTEGER NOT NULL,
    exit_code        INTEGER,
    output_tail      TEXT    NOT NULL DEFAULT '',
    note             TEXT    NOT NULL DEFAULT '',
    started_ms       INTEGER NOT NULL,
    finished_ms      INTEGER,
    virtual_start_ms INTEGER,
    virtual_end_ms   INTEGER,
    UNIQUE (run_id, step, host, attempt)
);
CREATE TABLE cloud (
    run_id     INTEGER PRIMARY KEY REFERENCES runs (id),
    state_json TEXT    NOT NULL,
    virtual_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE TABLE events (
    id      INTEGER PRIMARY KEY,
    run_id  INTEGER NOT NULL REFERENCES runs (id),
    at_ms   INTEGER NOT NULL,
    kind    TEXT    NOT NULL,
    message TEXT    NOT NULL
);
";

/// The state of a run as the journal records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    Running,
    Succeeded,
    Failed,
    Interrupted,
}

impl RunState {
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Succeeded => "succeeded",
            RunState::Failed => "failed",
            RunState::Interrupted => "interrupted",
        }
    }

    fn parse(s: &str) -> RunState {
        match s {
            "succeeded" => RunState::Succeeded,
            "failed" => RunState::Failed,
            "interrupted" => RunState::Interrupted,
            _ => RunState::Running,
        }
    }
}

/// The state of one attempt of a step on a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptState {
    /// The intent: committed before the command runs; without a result it is in doubt.
    Started,
    Succeeded,
    Failed,
    /// Was in flight when a run died and was found not to have taken effect.
    Abandoned,
    /// Left out: the host failed an earlier step that tolerated it (`--max-fail`).
    Skipped,
}

impl AttemptState {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptState::Started => "started",
            AttemptState::Succeeded => "succeeded",
            AttemptState::Failed => "failed",
            AttemptState::Abandoned => "abandoned",
            AttemptState::Skipped => "skipped",
        }
    }

    fn parse(s: &str) -> AttemptState {
        match s {
            "succeeded" => AttemptState::Succeeded,
            "failed" => AttemptState::Failed,
            "abandoned" => AttemptState::Abandoned,
            "skipped" => AttemptState::Skipped,
            _ => AttemptState::Started,
        }
    }
}

/// What the operator accepted when starting a run, beyond a verified plan run as planned.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RunNotes {
    /// `apply --unverified`: the plan did not verify and was run anyway.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unverified: bool,
    /// `--accept-edited`: steps whose commands are not the catalog's rendering of their action.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edited_steps: Vec<String>,
}

impl RunNotes {
    /// What qualifies a run's outcome, for messages: empty for a verified plan run as planned.
    pub fn caveat(&self) -> String {
        let mut parts = Vec::new();
        if self.unverified {
            parts.push("the plan did not verify (--unverified)".to_owned());
        }
        if !self.edited_steps.is_empty() {
            parts.push(format!(
                "commands edited by hand in {} (--accept-edited)",
                self.edited_steps.join(", ")
            ));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!(", but {}", parts.join("; "))
        }
    }

    fn parse(text: &str) -> RunNotes {
        serde_json::from_str(text).unwrap_or_default()
    }

    fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

/// A run as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    pub id: i64,
    pub plan_json: String,
    pub plan_digest: String,
    pub plan_sha256: String,
    pub inventory_digest: String,
    pub scenario: String,
    pub target: String,
    pub state: RunState,
    pub max_fail: u32,
    pub holder: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub finished_ms: Option<i64>,
    pub notes: RunNotes,
}

/// What a new run records.
#[derive(Debug, Clone)]
pub struct NewRun<'a> {
    pub plan_json: &'a str,
    pub plan_digest: &'a str,
    pub plan_sha256: &'a str,
    pub inventory_digest: &'a str,
    pub scenario: &'a str,
    pub target: &'a str,
    pub max_fail: u32,
    pub holder: &'a str,
    /// The simulated cloud before any step (`sim` target).
    pub cloud_json: Option<&'a str>,
    pub notes: &'a RunNotes,
}

/// One attempt as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    pub id: i64,
    pub step: String,
    pub host: String,
    pub attempt: u32,
    pub state: AttemptState,
    pub idempotent: bool,
    pub exit_code: Option<i32>,
    pub output_tail: String,
    pub note: String,
    pub started_ms: i64,
    pub finished_ms: Option<i64>,
    pub virtual_start_ms: Option<i64>,
    pub virtual_end_ms: Option<i64>,
}

/// The simulated cloud of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudRecord {
    pub state_json: String,
    pub virtual_ms: i64,
}

/// A run-level event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub at_ms: i64,
    pub kind: String,
    pub message: String,
}

/// Rows per table, for "nothing was lost" checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RowCounts {
    pub runs: i64,
    pub attempts: i64,
    pub cloud: i64,
    pub events: i64,
}

/// How a journal is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `status`: never writes, never creates.
    ReadOnly,
    /// `resume`: the journal must exist.
    Existing,
    /// `apply`: created when missing.
    Create,
}

/// An open journal. Reads happen here; the run's writes go through [`Journal::into_writer`].
pub struct Journal {
    conn: Connection,
    path: PathBuf,
    /// As found on disk: `status` reads a version 1 journal without migrating it.
    version: i64,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("path", &self.path).finish()
    }
}

fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

impl Journal {
    /// Tells a missing file, a directory, an empty file and one that is no SQLite database
    /// from a journal without opening it (so without creating or changing anything beside it).
    pub fn precheck(path: &Path) -> Result<(), ExecError> {
        let meta = std::fs::metadata(path).map_err(|_| ExecError::Missing {
            path: path.to_owned(),
        })?;
        if meta.is_dir() {
            return Err(ExecError::NotAJournal {
                path: path.to_owned(),
                detail: "it is a directory".to_owned(),
            });
        }
        if meta.len() == 0 {
            return Err(ExecError::NoRun {
                path: path.to_owned(),
            });
        }
        let mut header = [0u8; 16];
        let read = std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header));
        if read.is_err() || &header != b"SQLite format 3\0" {
            return Err(ExecError::NotAJournal {
                path: path.to_owned(),
                detail: "not an SQLite database (random bytes, or another kind of file)".to_owned(),
            });
        }
        Ok(())
    }

    /// Opens a journal, checking before anything is written that it is one: an SQLite file of a
    /// schema this stackhop knows, that passes `PRAGMA quick_check`. A file that fails any of
    /// these is left exactly as it was.
    pub fn open(path: &Path, access: Access) -> Result<Journal, ExecError> {
        let exists = path.exists();
        if !exists && access != Access::Create {
            return Err(ExecError::Missing {
                path: path.to_owned(),
            });
        }
        if path.is_dir() {
            return Err(ExecError::NotAJournal {
                path: path.to_owned(),
                detail: "it is a directory".to_owned(),
            });
        }
        let sqlite = |source: rusqlite::Error| {
            if is_corruption(&source) {
                classify_corruption(path, &source)
            } else {
                ExecError::Sqlite {
                    path: path.to_owned(),
                    source,
                }
            }
        };
        let flags = match access {
            Access::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            Access::Existing => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            Access::Create => {
                OpenFlags::SQLITE_OPEN_READ_WRITE
                    | OpenFlags::SQLITE_OPEN_CREATE
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX
            }
        };
        let conn = Connection::open_with_flags(path, flags).map_err(sqlite)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(sqlite)?;
        // Reading the header is what tells random bytes from a database.
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sqlite)?;
        if version > SCHEMA_VERSION {
            return Err(ExecError::NewerSchema {
                path: path.to_owned(),
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(sqlite)?;
        if version == 0 && tables > 0 {
            return Err(ExecError::NotAJournal {
                path: path.to_owned(),
                detail: "an SQLite database of something else".to_owned(),
            });
        }
        if version > 0 {
            check_integrity(&conn, path)?;
        }
        let mut journal = Journal {
            conn,
            path: path.to_owned(),
            version,
        };
        // Only `apply` makes a journal of a file: `resume` and `status` leave an empty file as
        // it is.
        if version == 0 && access != Access::Create {
            return Err(ExecError::NoRun {
                path: path.to_owned(),
            });
        }
        if access != Access::ReadOnly {
            // Before foreign keys are on: the migration drops the table the others refer to.
            if version == 1 {
                journal.migrate_1_to_2()?;
            }
            journal.set_pragmas()?;
            if version == 0 {
                journal.create_schema()?;
            }
        }
        Ok(journal)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sqlite(&self) -> impl Fn(rusqlite::Error) -> ExecError + '_ {
        move |source| {
            if is_corruption(&source) {
                classify_corruption(&self.path, &source)
            } else {
                ExecError::Sqlite {
                    path: self.path.clone(),
                    source,
                }
            }
        }
    }

    fn set_pragmas(&mut self) -> Result<(), ExecError> {
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(self.sqlite())?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(ExecError::JournalWrite {
                path: self.path.clone(),
                detail: format!("the file system does not allow WAL mode (got `{mode}`)"),
            });
        }
        self.conn
            .execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
            .map_err(self.sqlite())
    }

    fn create_schema(&mut self) -> Result<(), ExecError> {
        self.upgrade_schema(0, SCHEMA_VERSION, &[&runs_table("runs"), SCHEMA])
    }

    fn migrate_1_to_2(&mut self) -> Result<(), ExecError> {
        self.upgrade_schema(1, 2, &[&runs_table("runs_v2"), MIGRATE_1_TO_2])
    }

    /// Runs `statements` and records version `to`, in one immediate transaction, if the journal
    /// is still at version `from` once locked: another process may have done it between our
    /// look at the version and our lock.
    fn upgrade_schema(&mut self, from: i64, to: i64, statements: &[&str]) -> Result<(), ExecError> {
        let path = self.path.clone();
        let sqlite = |source| ExecError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sqlite)?;
        let version: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sqlite)?;
        if version == from {
            for statement in statements {
                tx.execute_batch(statement).map_err(sqlite)?;
            }
            tx.pragma_update(None, "user_version", to).map_err(sqlite)?;
        }
        tx.commit().map_err(sqlite)?;
        self.version = to;
        Ok(())
    }

    /// The most recent run, if any.
    pub fn latest_run(&self) -> Result<Option<RunRecord>, ExecError> {
        let notes = if self.version >= 2 { "notes" } else { "'{}'" };
        self.conn
            .query_row(
                &format!(
                    "SELECT id, plan_json, plan_digest, plan_sha256, inventory_digest, scenario,
                            target, state, max_fail, holder, created_ms, updated_ms, finished_ms,
                            {notes}
                     FROM runs ORDER BY id DESC LIMIT 1"
                ),
                [],
                |r| {
                    Ok(RunRecord {
                        id: r.get(0)?,
                        plan_json: r.get(1)?,
                        plan_digest: r.get(2)?,
                        plan_sha256: r.get(3)?,
                        inventory_digest: r.get(4)?,
                        scenario: r.get(5)?,
                        target: r.get(6)?,
                        state: RunState::parse(&r.get::<_, String>(7)?),
                        max_fail: r.get(8)?,
                        holder: r.get(9)?,
                        created_ms: r.get(10)?,
                        updated_ms: r.get(11)?,
                        finished_ms: r.get(12)?,
                        notes: RunNotes::parse(&r.get::<_, String>(13)?),
                    })
                },
            )
            .optional()
            .map_err(self.sqlite())
    }

    /// Records a new run (and its simulated cloud) in one transaction.
    pub fn insert_run(&mut self, run: &NewRun<'_>) -> Result<i64, ExecError> {
        let now = now_ms();
        let path = self.path.clone();
        let sqlite = |source| ExecError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sqlite)?;
        tx.execute(
            "INSERT INTO runs (plan_json, plan_digest, plan_sha256, inventory_digest, scenario,
                               target, state, max_fail, holder, created_ms, updated_ms, notes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'running', ?7, ?8, ?9, ?9, ?10)",
            params![
                run.plan_json,
                run.plan_digest,
                run.plan_sha256,
                run.inventory_digest,
                run.scenario,
                run.target,
                run.max_fail,
                run.holder,
                now,
                run.notes.to_json()
            ],
        )
        .map_err(sqlite)?;
        let id = tx.last_insert_rowid();
        if let Some(cloud) = run.cloud_json {
            tx.execute(
                "INSERT INTO cloud (run_id, state_json, virtual_ms, updated_ms)
                 VALUES (?1, ?2, 0, ?3)",
                params![id, cloud, now],
            )
            .map_err(sqlite)?;
        }
        tx.execute(
            "INSERT INTO events (run_id, at_ms, kind, message) VALUES (?1, ?2, 'started', ?3)",
            params![id, now, format!("started by {}", run.holder)],
        )
        .map_err(sqlite)?;
        tx.commit().map_err(sqlite)?;
        Ok(id)
    }

    /// Every attempt of a run, oldest first.
    pub fn attempts(&self, run_id: i64) -> Result<Vec<AttemptRecord>, ExecError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, step, host, attempt, state, idempotent, exit_code, output_tail, note,
                        started_ms, finished_ms, virtual_start_ms, virtual_end_ms
                 FROM attempts WHERE run_id = ?1 ORDER BY id",
            )
            .map_err(self.sqlite())?;
        let rows = stmt
            .query_map([run_id], |r| {
                Ok(AttemptRecord {
                    id: r.get(0)?,
                    step: r.get(1)?,
                    host: r.get(2)?,
                    attempt: r.get(3)?,
                    state: AttemptState::parse(&r.get::<_, String>(4)?),
                    idempotent: r.get(5)?,
                    exit_code: r.get(6)?,
                    output_tail: r.get(7)?,
                    note: r.get(8)?,
                    started_ms: r.get(9)?,
                    finished_ms: r.get(10)?,
                    virtual_start_ms: r.get(11)?,
                    virtual_end_ms: r.get(12)?,
                })
            })
            .map_err(self.sqlite())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.sqlite())
    }

    pub fn cloud(&self, run_id: i64) -> Result<Option<CloudRecord>, ExecError> {
        self.conn
            .query_row(
                "SELECT state_json, virtual_ms FROM cloud WHERE run_id = ?1",
                [run_id],
                |r| {
                    Ok(CloudRecord {
                        state_json: r.get(0)?,
                        virtual_ms: r.get(1)?,
                    })
                },
            )
            .optional()
            .map_err(self.sqlite())
    }

    pub fn events(&self, run_id: i64) -> Result<Vec<EventRecord>, ExecError> {
        let mut stmt = self
            .conn
            .prepare("SELECT at_ms, kind, message FROM events WHERE run_id = ?1 ORDER BY id")
            .map_err(self.sqlite())?;
        let rows = stmt
            .query_map([run_id], |r| {
                Ok(EventRecord {
                    at_ms: r.get(0)?,
                    kind: r.get(1)?,
                    message: r.get(2)?,
                })
            })
            .map_err(self.sqlite())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.sqlite())
    }

    pub fn row_counts(&self) -> Result<RowCounts, ExecError> {
        let count = |table: &str| -> Result<i64, ExecError> {
            self.conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .map_err(self.sqlite())
        };
        Ok(RowCounts {
            runs: count("runs")?,
            attempts: count("attempts")?,
            cloud: count("cloud")?,
            events: count("events")?,
        })
    }

    /// Settles attempts that were in flight when a run died, and marks the run running again
    /// under a new holder, in one transaction.
    pub fn reopen_run(
        &mut self,
        run_id: i64,
        holder: &str,
        max_fail: u32,
        settled: &[(i64, AttemptState, String)],
        note: &str,
    ) -> Result<(), ExecError> {
        let now = now_ms();
        let path = self.path.clone();
        let sqlite = |source| ExecError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sqlite)?;
        for (id, state, why) in settled {
            tx.execute(
                "UPDATE attempts SET state = ?2, note = ?3, finished_ms = ?4
                 WHERE id = ?1 AND state = 'started'",
                params![id, state.as_str(), why, now],
            )
            .map_err(sqlite)?;
        }
        tx.execute(
            "UPDATE runs SET state = 'running', holder = ?2, max_fail = ?3, updated_ms = ?4,
                             finished_ms = NULL
             WHERE id = ?1",
            params![run_id, holder, max_fail, now],
        )
        .map_err(sqlite)?;
        tx.execute(
            "INSERT INTO events (run_id, at_ms, kind, message) VALUES (?1, ?2, 'resumed', ?3)",
            params![run_id, now, note],
        )
        .map_err(sqlite)?;
        tx.commit().map_err(sqlite)
    }

    /// Hands the connection to a writer thread for the run.
    pub fn into_writer(self) -> Writer {
        Writer::spawn(self)
    }
}

/// Runs `PRAGMA quick_check`: a truncated or overwritten journal fails here, before any write.
fn check_integrity(conn: &Connection, path: &Path) -> Result<(), ExecError> {
    let result: Result<Vec<String>, rusqlite::Error> =
        conn.prepare("PRAGMA quick_check").and_then(|mut stmt| {
            stmt.query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()
        });
    match result {
        Ok(lines) if lines.len() == 1 && lines[0] == "ok" => {}
        Ok(lines) => {
            return Err(ExecError::Corrupt {
                path: path.to_owned(),
                detail: lines.into_iter().take(3).collect::<Vec<_>>().join("; "),
            });
        }
        Err(e) => return Err(classify_corruption(path, &e)),
    }
    // The tables a journal has: a file with the right version number but not these is not one.
    for table in ["runs", "attempts", "cloud", "events"] {
        let found: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get(0),
            )
            .map_err(|e| classify_corruption(path, &e))?;
        if found == 0 {
            return Err(ExecError::NotAJournal {
                path: path.to_owned(),
                detail: format!("it has no `{table}` table"),
            });
        }
    }
    Ok(())
}

fn classify_corruption(path: &Path, e: &rusqlite::Error) -> ExecError {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => ExecError::NotAJournal {
            path: path.to_owned(),
            detail: "not an SQLite database (random bytes, or another kind of file)".to_owned(),
        },
        _ => ExecError::Corrupt {
            path: path.to_owned(),
            detail: e.to_string(),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// The writer.

/// A write the run asks for.
#[derive(Debug)]
pub enum Op {
    /// The intent: committed before the step runs on the host. Answers the attempt's row id.
    Start {
        run_id: i64,
        step: Arc<str>,
        host: Arc<str>,
        attempt: u32,
        idempotent: bool,
        virtual_ms: Option<i64>,
    },
    /// The result of an attempt, with the simulated cloud after it (`sim` target).
    Finish {
        id: i64,
        state: AttemptState,
        exit_code: Option<i32>,
        output_tail: String,
        virtual_ms: Option<i64>,
        cloud: Option<Arc<CloudState>>,
    },
    /// A host left out of a step.
    Skip {
        run_id: i64,
        step: Arc<str>,
        host: Arc<str>,
        attempt: u32,
        idempotent: bool,
        note: String,
    },
    RunState {
        run_id: i64,
        state: RunState,
    },
    Event {
        run_id: i64,
        kind: &'static str,
        message: String,
    },
}

struct Request {
    op: Op,
    ack: Option<oneshot::Sender<Result<i64, String>>>,
}

/// The acknowledgement of a submitted write: resolves once it is committed (or failed).
#[derive(Debug)]
pub struct Ack {
    rx: oneshot::Receiver<Result<i64, String>>,
}

impl Ack {
    /// Waits until the write is on disk; answers the row id it made, if any.
    pub async fn wait(self) -> Result<i64, String> {
        self.rx
            .await
            .unwrap_or_else(|_| Err("the journal writer stopped".to_owned()))
    }

    /// The same, for callers outside an async runtime.
    pub fn blocking_wait(self) -> Result<i64, String> {
        self.rx
            .blocking_recv()
            .unwrap_or_else(|_| Err("the journal writer stopped".to_owned()))
    }
}

/// The journal's single writer: a thread that owns the connection and group-commits.
pub struct Writer {
    tx: Option<mpsc::Sender<Request>>,
    thread: Option<JoinHandle<Journal>>,
    path: PathBuf,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").field("path", &self.path).finish()
    }
}

/// A cheap handle that submits writes; clone one per task.
#[derive(Clone, Debug)]
pub struct WriterHandle {
    tx: mpsc::Sender<Request>,
}

impl WriterHandle {
    /// Queues a write; the returned [`Ack`] resolves when it is committed. Writes are committed
    /// in submission order.
    pub fn submit(&self, op: Op) -> Ack {
        let (ack, rx) = oneshot::channel();
        if let Err(mpsc::SendError(request)) = self.tx.send(Request { op, ack: Some(ack) })
            && let Some(ack) = request.ack
        {
            let _ = ack.send(Err("the journal writer stopped".to_owned()));
        }
        Ack { rx }
    }
}

/// Most requests one transaction takes; more wait for the next one.
const MAX_BATCH: usize = 4096;

impl Writer {
    fn spawn(journal: Journal) -> Writer {
        let (tx, rx) = mpsc::channel::<Request>();
        let path = journal.path.clone();
        let thread = std::thread::Builder::new()
            .name("stackhop-journal".to_owned())
            .spawn(move || writer_loop(journal, rx))
            .ok();
        Writer {
            tx: Some(tx),
            thread,
            path,
        }
    }

    pub fn handle(&self) -> WriterHandle {
        WriterHandle {
            tx: self
                .tx
                .clone()
                .unwrap_or_else(|| mpsc::channel::<Request>().0),
        }
    }

    /// Commits what is queued, stops the thread and gives the journal back. Every
    /// [`WriterHandle`] must be dropped first: the thread ends when the last sender goes.
    pub fn close(mut self) -> Option<Journal> {
        self.tx.take();
        self.thread.take().and_then(|t| t.join().ok())
    }
}

fn writer_loop(mut journal: Journal, rx: mpsc::Receiver<Request>) -> Journal {
    let mut batch: Vec<Request> = Vec::new();
    while let Ok(first) = rx.recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        match write_batch(&mut journal.conn, &batch) {
            Ok(ids) => {
                for (request, id) in batch.drain(..).zip(ids) {
                    if let Some(ack) = request.ack {
                        let _ = ack.send(Ok(id));
                    }
                }
            }
            Err(_) => {
                // Find the culprit: one transaction per request, so one bad request does not
                // fail the others.
                for request in batch.drain(..) {
                    let result = write_batch(&mut journal.conn, std::slice::from_ref(&request))
                        .map(|ids| ids.first().copied().unwrap_or(0))
                        .map_err(|e| e.to_string());
                    if let Some(ack) = request.ack {
                        let _ = ack.send(result);
                    }
                }
            }
        }
    }
    journal
}

fn write_batch(conn: &mut Connection, batch: &[Request]) -> Result<Vec<i64>, rusqlite::Error> {
    let now = now_ms();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut ids = Vec::with_capacity(batch.len());
    // Only the newest simulated cloud of the batch needs writing: the transaction commits all
    // the results that led to it at once.
    let last_cloud = batch
        .iter()
        .rposition(|r| matches!(r.op, Op::Finish { cloud: Some(_), .. }));
    for (i, request) in batch.iter().enumerate() {
        let id = match &request.op {
            Op::Start {
                run_id,
                step,
                host,
                attempt,
                idempotent,
                virtual_ms,
            } => {
                let mut stmt = tx.prepare_cached(
                    "INSERT INTO attempts (run_id, step, host, attempt, state, idempotent,
                                           started_ms, virtual_start_ms)
                     VALUES (?1, ?2, ?3, ?4, 'started', ?5, ?6, ?7)",
                )?;
                stmt.execute(params![
                    run_id,
                    step.as_ref(),
                    host.as_ref(),
                    attempt,
                    idempotent,
                    now,
                    virtual_ms
                ])?;
                tx.last_insert_rowid()
            }
            Op::Finish {
                id,
                state,
                exit_code,
                output_tail,
                virtual_ms,
                cloud,
            } => {
                let mut stmt = tx.prepare_cached(
                    "UPDATE attempts SET state = ?2, exit_code = ?3, output_tail = ?4,
                                         finished_ms = ?5, virtual_end_ms = ?6
                     WHERE id = ?1",
                )?;
                stmt.execute(params![
                    id,
                    state.as_str(),
                    exit_code,
                    output_tail,
                    now,
                    virtual_ms
                ])?;
                if Some(i) == last_cloud
                    && let Some(cloud) = cloud
                {
                    let json = serde_json::to_string(cloud.as_ref())
                        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
                    let mut stmt = tx.prepare_cached(
                        "UPDATE cloud SET state_json = ?2, virtual_ms = ?3, updated_ms = ?4
                         WHERE run_id = (SELECT run_id FROM attempts WHERE id = ?1)",
                    )?;
                    stmt.execute(params![id, json, virtual_ms.unwrap_or(0), now])?;
                }
                *id
            }
            Op::Skip {
                run_id,
                step,
                host,
                attempt,
                idempotent,
                note,
            } => {
                let mut stmt = tx.prepare_cached(
                    "INSERT INTO attempts (run_id, step, host, attempt, state, idempotent, note,
                                           started_ms, finished_ms)
                     VALUES (?1, ?2, ?3, ?4, 'skipped', ?5, ?6, ?7, ?7)",
                )?;
                stmt.execute(params![
                    run_id,
                    step.as_ref(),
                    host.as_ref(),
                    attempt,
                    idempotent,
                    note,
                    now
                ])?;
                tx.last_insert_rowid()
            }
            Op::RunState { run_id, state } => {
                let finished = (*state != RunState::Running).then_some(now);
                let mut stmt = tx.prepare_cached(
                    "UPDATE runs SET state = ?2, updated_ms = ?3, finished_ms = ?4 WHERE id = ?1",
                )?;
                stmt.execute(params![run_id, state.as_str(), now, finished])?;
                *run_id
            }
            Op::Event {
                run_id,
                kind,
                message,
            } => {
                let mut stmt = tx.prepare_cached(
                    "INSERT INTO events (run_id, at_ms, kind, message) VALUES (?1, ?2, ?3, ?4)",
                )?;
                stmt.execute(params![run_id, now, kind, message])?;
                tx.last_insert_rowid()
            }
        };
        ids.push(id);
    }
    tx.commit()?;
    Ok(ids)
}

/// The last `OUTPUT_TAIL_BYTES` of an output, cut at a character boundary.
pub(crate) fn tail(output: &str) -> String {
    if output.len() <= OUTPUT_TAIL_BYTES {
        return output.to_owned();
    }
    let mut start = output.len() - OUTPUT_TAIL_BYTES;
    while !output.is_char_boundary(start) {
        start += 1;
    }
    format!("…{}", &output[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    static NO_NOTES: RunNotes = RunNotes {
        unverified: false,
        edited_steps: Vec::new(),
    };

    fn new_run<'a>(json: &'a str) -> NewRun<'a> {
        NewRun {
            plan_json: json,
            plan_digest: "sha256:plan",
            plan_sha256: "sha256:json",
            inventory_digest: "sha256:inv",
            scenario: "live-compute",
            target: "sim",
            max_fail: 0,
            holder: "test",
            cloud_json: Some("{}"),
            notes: &NO_NOTES,
        }
    }

    #[test]
    fn a_new_journal_has_the_schema_and_wal() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("run.db");
        let mut journal = Journal::open(&path, Access::Create).expect("create");
        let mode: String = journal
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("mode");
        assert_eq!(mode, "wal");
        let sync: i64 = journal
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .expect("sync");
        assert_eq!(sync, 2, "FULL");
        assert!(journal.latest_run().expect("read").is_none());
        let id = journal.insert_run(&new_run("{}")).expect("insert");
        let run = journal.latest_run().expect("read").expect("a run");
        assert_eq!(run.id, id);
        assert_eq!(run.state, RunState::Running);
        drop(journal);
        let again = Journal::open(&path, Access::ReadOnly).expect("read-only");
        assert_eq!(again.row_counts().expect("counts").runs, 1);
    }

    #[test]
    fn the_writer_commits_in_order_and_keeps_the_newest_cloud() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("run.db");
        let mut journal = Journal::open(&path, Access::Create).expect("create");
        let run_id = journal.insert_run(&new_run("{}")).expect("insert");
        let writer = journal.into_writer();
        let handle = writer.handle();
        let step: Arc<str> = Arc::from("s1");
        let acks: Vec<Ack> = (0..50)
            .map(|i| {
                handle.submit(Op::Start {
                    run_id,
                    step: step.clone(),
                    host: Arc::from(format!("h{i}").as_str()),
                    attempt: 1,
                    idempotent: true,
                    virtual_ms: None,
                })
            })
            .collect();
        let ids: Vec<i64> = acks
            .into_iter()
            .map(|a| a.blocking_wait().expect("start"))
            .collect();
        let cloud = Arc::new(CloudState {
            global: stackhop_model::Global::default(),
            groups: Vec::new(),
        });
        let finishes: Vec<Ack> = ids
            .iter()
            .map(|&id| {
                handle.submit(Op::Finish {
                    id,
                    state: AttemptState::Succeeded,
                    exit_code: Some(0),
                    output_tail: String::new(),
                    virtual_ms: Some(id * 10),
                    cloud: Some(cloud.clone()),
                })
            })
            .collect();
        for f in finishes {
            f.blocking_wait().expect("finish");
        }
        drop(handle);
        let journal = writer.close().expect("journal back");
        let attempts = journal.attempts(run_id).expect("attempts");
        assert_eq!(attempts.len(), 50);
        assert!(attempts.iter().all(|a| a.state == AttemptState::Succeeded));
        let stored = journal.cloud(run_id).expect("cloud").expect("row");
        assert_eq!(stored.virtual_ms, ids[49] * 10, "the newest cloud wins");
    }

    #[test]
    fn random_bytes_and_other_databases_are_refused_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("junk.db");
        let bytes: Vec<u8> = (0..8192u32).map(|i| (i * 7919 % 251) as u8).collect();
        std::fs::write(&path, &bytes).expect("write");
        for access in [Access::ReadOnly, Access::Existing, Access::Create] {
            let err = Journal::open(&path, access).expect_err("junk");
            assert!(matches!(err, ExecError::NotAJournal { .. }), "{err:?}");
        }
        assert_eq!(std::fs::read(&path).expect("read"), bytes);

        let other = dir.path().join("other.db");
        Connection::open(&other)
            .and_then(|c| c.execute_batch("CREATE TABLE t (x)"))
            .expect("other db");
        let err = Journal::open(&other, Access::Create).expect_err("other");
        assert!(err.to_string().contains("something else"), "{err}");
    }

    #[test]
    fn a_truncated_journal_is_refused_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("run.db");
        let mut journal = Journal::open(&path, Access::Create).expect("create");
        let big = "x".repeat(50_000);
        let run_id = journal.insert_run(&new_run(&big)).expect("insert");
        let writer = journal.into_writer();
        let h = writer.handle();
        for i in 0..200 {
            h.submit(Op::Event {
                run_id,
                kind: "note",
                message: format!("{i} {}", "y".repeat(200)),
            });
        }
        drop(h);
        drop(writer.close());
        let len = std::fs::metadata(&path).expect("meta").len();
        let bytes = std::fs::read(&path).expect("read");
        let cut = &bytes[..usize::try_from(len / 2).expect("len")];
        std::fs::write(&path, cut).expect("truncate");
        for access in [Access::ReadOnly, Access::Existing] {
            let err = Journal::open(&path, access).expect_err("truncated");
            assert!(
                matches!(
                    err,
                    ExecError::Corrupt { .. } | ExecError::NotAJournal { .. }
                ),
                "{err:?}"
            );
        }
        assert_eq!(std::fs::read(&path).expect("read"), cut);
    }

    #[test]
    fn tails_keep_the_end() {
        let long = format!("{}END", "é".repeat(5000));
        let t = tail(&long);
        assert!(t.ends_with("END"));
        assert!(t.len() <= OUTPUT_TAIL_BYTES + 4);
    }
}
