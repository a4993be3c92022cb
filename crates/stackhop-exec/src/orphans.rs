//! Commands of a run that outlived it. `local` commands run in process groups of their own, so
//! a `stackhop` killed hard (SIGKILL, a lost session) leaves them running; resuming would start
//! the same step again beside them. Every command carries the journal it belongs to in its
//! environment (`STACKHOP_JOURNAL`), which is how `resume` finds them: it reads `/proc`.

use std::path::Path;

/// The variables each `local` command gets: which journal, step and host it is for.
pub(crate) const JOURNAL_VAR: &str = "STACKHOP_JOURNAL";
pub(crate) const STEP_VAR: &str = "STACKHOP_STEP";
pub(crate) const HOST_VAR: &str = "STACKHOP_HOST";

/// A process of an earlier run of this journal that is still alive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Orphan {
    pub(crate) pid: u32,
    /// Its process group: the one `sh` the executor started, and what it started.
    pub(crate) group: Option<u32>,
    pub(crate) step: String,
    pub(crate) host: String,
}

/// The journal as commands name it: absolute, so a resume from another directory matches.
pub(crate) fn journal_key(journal: &Path) -> String {
    std::path::absolute(journal)
        .unwrap_or_else(|_| journal.to_owned())
        .display()
        .to_string()
}

/// Every live process whose environment names this journal. Where `/proc` cannot be read
/// (another OS, or no permission for a process) nothing is found for it.
pub(crate) fn find(journal: &Path) -> Vec<Orphan> {
    let key = journal_key(journal);
    let own = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found: Vec<Orphan> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| pid != own)
        .filter_map(|pid| {
            // A zombie's environment reads empty: it runs nothing any more.
            let environ = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
            let mut orphan = orphan_of(pid, &environ, &key)?;
            orphan.group = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| process_group(&stat));
            Some(orphan)
        })
        .collect();
    found.sort_by_key(|o| o.pid);
    found
}

/// The process's step and host, when its environment (`/proc/PID/environ`, NUL-separated) names
/// the journal `key`.
fn orphan_of(pid: u32, environ: &[u8], key: &str) -> Option<Orphan> {
    let mut journal = None;
    let (mut step, mut host) = (String::new(), String::new());
    for var in environ.split(|b| *b == 0) {
        let var = String::from_utf8_lossy(var);
        let Some((name, value)) = var.split_once('=') else {
            continue;
        };
        match name {
            JOURNAL_VAR => journal = Some(value.to_owned()),
            STEP_VAR => step = value.to_owned(),
            HOST_VAR => host = value.to_owned(),
            _ => {}
        }
    }
    (journal.as_deref() == Some(key)).then_some(Orphan {
        pid,
        group: None,
        step,
        host,
    })
}

/// The process group in `/proc/PID/stat`: the fifth field, counted after the command name,
/// which is in parentheses and may hold spaces or parentheses itself.
fn process_group(stat: &str) -> Option<u32> {
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(2)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_is_an_orphan_of_the_journal_its_environment_names() {
        let env = b"PATH=/bin\0STACKHOP_JOURNAL=/srv/run.db\0STACKHOP_STEP=nova.sync\0STACKHOP_HOST=ctl\0";
        assert_eq!(
            orphan_of(7, env, "/srv/run.db"),
            Some(Orphan {
                pid: 7,
                group: None,
                step: "nova.sync".into(),
                host: "ctl".into()
            })
        );
        assert_eq!(orphan_of(7, env, "/srv/other.db"), None);
        assert_eq!(orphan_of(7, b"PATH=/bin\0", "/srv/run.db"), None);
    }

    #[test]
    fn the_process_group_is_read_past_an_odd_command_name() {
        assert_eq!(process_group("8251 (sleep) S 8250 8250 1105 0"), Some(8250));
        assert_eq!(process_group("9 (a) b (c) R 1 42 42"), Some(42));
        assert_eq!(process_group("garbage"), None);
    }

    #[test]
    fn a_live_command_of_the_journal_is_found_and_a_finished_one_is_not() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let journal = dir.path().join("run.db");
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .env(JOURNAL_VAR, journal_key(&journal))
            .env(STEP_VAR, "s")
            .env(HOST_VAR, "h")
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        let found = find(&journal);
        let _ = child.kill();
        let _ = child.wait();
        if std::fs::metadata("/proc/self/environ").is_ok() {
            assert!(
                found
                    .iter()
                    .any(|o| o.pid == child.id() && o.step == "s" && o.host == "h"),
                "{found:?}"
            );
        }
        assert!(find(&journal).iter().all(|o| o.pid != child.id()));
    }
}
