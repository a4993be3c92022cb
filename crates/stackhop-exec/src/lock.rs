//! One run per journal at a time: an exclusive OS lock (`flock`) on a sidecar file next to the
//! journal, `run.db-lock`, which also says who holds it.
//!
//! Why a file lock rather than a row with pid, host and start time checked for liveness: the
//! kernel drops the lock the moment its holder dies, however it dies (SIGKILL, power loss of a
//! laptop that comes back, OOM), so there is never a stale lock to break and no guessing about
//! pid reuse or a holder on another host. The price: the journal must live on a local file
//! system (flock over NFS is not reliable), which is where an operator's journal lives anyway.
//! The lock file is never deleted: unlinking a lock file races with the next process locking it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::thread::sleep;
use std::time::Duration;

use crate::error::ExecError;
use crate::wall::{fmt_utc, now_ms};

/// The lock file of a journal: `run.db` → `run.db-lock`.
pub fn lock_path(journal: &Path) -> PathBuf {
    let mut name = journal.as_os_str().to_owned();
    name.push("-lock");
    PathBuf::from(name)
}

/// Who we are, as the lock file and the journal record it.
pub(crate) fn holder_description(command: &str) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "an unknown host".to_owned());
    format!(
        "pid {} on {host} (`stackhop {command}`, since {})",
        std::process::id(),
        fmt_utc(now_ms())
    )
}

/// Held for as long as the run goes on; dropping it (or dying) releases the lock.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
    holder: String,
}

impl RunLock {
    /// Takes the journal's lock or says who holds it. Retries for half a second, so that a
    /// `status` that looks at the lock at the same moment does not make `apply` fail.
    pub fn acquire(journal: &Path, command: &str) -> Result<RunLock, ExecError> {
        let path = lock_path(journal);
        let io = |source| ExecError::Io {
            path: path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        let mut tries = 0;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if tries < 10 => {
                    tries += 1;
                    sleep(Duration::from_millis(50));
                }
                Err(TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    let _ = file.read_to_string(&mut holder);
                    let holder = holder.trim();
                    return Err(ExecError::Locked {
                        path: journal.to_owned(),
                        holder: if holder.is_empty() {
                            "another process".to_owned()
                        } else {
                            holder.to_owned()
                        },
                    });
                }
                Err(TryLockError::Error(e)) => return Err(io(e)),
            }
        }
        let holder = holder_description(command);
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(format!("{holder}\n").as_bytes())
            .and_then(|()| file.flush())
            .map_err(io)?;
        Ok(RunLock {
            _file: file,
            holder,
        })
    }

    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Who holds a journal's lock now, if anyone: for `status`, which never takes it. A shared
    /// lock is taken and dropped at once; it fails only while an exclusive holder lives.
    pub fn probe(journal: &Path) -> Option<String> {
        let path = lock_path(journal);
        let mut file = File::open(&path).ok()?;
        match file.try_lock_shared() {
            Ok(()) => {
                let _ = file.unlock();
                None
            }
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                Some(holder.trim().to_owned()).filter(|h| !h.is_empty())
            }
            Err(TryLockError::Error(_)) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_and_told_who_holds_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let journal = dir.path().join("run.db");
        let first = RunLock::acquire(&journal, "apply").expect("first lock");
        assert!(RunLock::probe(&journal).is_some_and(|h| h.contains("pid")));
        match RunLock::acquire(&journal, "apply") {
            Err(ExecError::Locked { holder, .. }) => {
                assert!(
                    holder.contains(&format!("pid {}", std::process::id())),
                    "{holder}"
                );
            }
            other => panic!("expected Locked, got {other:?}"),
        }
        drop(first);
        assert!(RunLock::probe(&journal).is_none());
        let again = RunLock::acquire(&journal, "resume").expect("lock after release");
        assert!(again.holder().contains("stackhop resume"));
    }
}
