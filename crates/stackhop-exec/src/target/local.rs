//! `local`: a step's commands for one host with `sh -c` on this machine, one host's commands at
//! a time, each command in a process group of its own that names the journal in its
//! environment (`STACKHOP_JOURNAL`), so that `resume` can find what a killed run left running.

use std::process::Stdio;
use std::sync::{Arc, Mutex};

use stackhop_plan::Step;
use tokio::io::AsyncReadExt;

use super::{Outcome, lock};

/// Runs the step for one host, or takes the operator's answer for a manual step.
pub(super) async fn run(
    step: &Step,
    host: &str,
    journal: &str,
    manual_ok: Option<bool>,
    clock: &crate::clock::Clock,
) -> Outcome {
    if let Some(ok) = manual_ok {
        return manual(ok, clock);
    }
    let (ok, exit_code, output) = run_commands(step, host, journal).await;
    Outcome::of_host(ok, exit_code, output, false, clock)
}

/// A manual step: the operator's answer is its result.
pub(super) fn manual(confirmed: bool, clock: &crate::clock::Clock) -> Outcome {
    let output = if confirmed {
        "confirmed by the operator"
    } else {
        "manual step: the operator did not confirm it (it needs a terminal)"
    };
    Outcome::of_host(confirmed, None, output.to_owned(), false, clock)
}

/// Runs the step's commands for one host with `sh -c`, stopping at the first that fails.
/// Answers success, the failing exit code, and the combined output (with each command).
async fn run_commands(step: &Step, host: &str, journal: &str) -> (bool, Option<i32>, String) {
    let mut output = String::new();
    for command in &step.commands {
        let command = command.replace("{host}", host);
        output.push_str(&format!("$ {command}\n"));
        let child = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(format!("exec 2>&1\n{command}"))
            .env(crate::orphans::STEP_VAR, &step.id)
            .env(crate::orphans::HOST_VAR, host)
            .env(crate::orphans::JOURNAL_VAR, journal)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // Its own process group: the operator's Ctrl-C reaches stackhop, which lets
            // running steps finish, not the commands themselves.
            .process_group(0)
            .kill_on_drop(true)
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => {
                output.push_str(&format!("cannot start sh: {e}\n"));
                return (false, None, output);
            }
        };
        // Stopping now (a second Ctrl-C) drops this job: take the command's whole group down.
        let group = child.id().map(|pid| GroupGuard { pid, done: false });
        let buf: Arc<Mutex<Vec<u8>>> = Arc::default();
        let reader = child.stdout.take().map(|stdout| {
            let buf = buf.clone();
            tokio::spawn(read_tail(stdout, buf))
        });
        let status = child.wait().await;
        if let Some(mut g) = group {
            g.done = true;
        }
        // A daemon the command started may hold the output open: do not wait for it long.
        if let Some(reader) = reader
            && tokio::time::timeout(std::time::Duration::from_secs(2), reader)
                .await
                .is_err()
        {
            output.push_str("(the output stays open, held by a background process)\n");
        }
        output.push_str(&String::from_utf8_lossy(&lock(&buf)));
        match status {
            Ok(status) if status.success() => {}
            Ok(status) => {
                let code = status.code();
                output.push_str(&format!(
                    "\n{}\n",
                    code.map_or_else(
                        || "killed by a signal".to_owned(),
                        |c| format!("exit status {c}")
                    )
                ));
                return (false, code.or(Some(-1)), output);
            }
            Err(e) => {
                output.push_str(&format!("cannot wait for sh: {e}\n"));
                return (false, None, output);
            }
        }
    }
    (true, Some(0), output)
}

/// Reads a command's output to its end, keeping only the tail the journal will.
async fn read_tail(mut stdout: tokio::process::ChildStdout, buf: Arc<Mutex<Vec<u8>>>) {
    let mut chunk = [0u8; 8192];
    loop {
        match stdout.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let mut buf = lock(&buf);
                buf.extend_from_slice(&chunk[..n]);
                if buf.len() > 4 * crate::journal::OUTPUT_TAIL_BYTES {
                    let cut = buf.len() - 2 * crate::journal::OUTPUT_TAIL_BYTES;
                    buf.drain(..cut);
                }
            }
        }
    }
}

/// Kills a command's process group if the job is dropped before the command ended.
struct GroupGuard {
    pid: u32,
    done: bool,
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if !self.done {
            // No `unsafe` here (`killpg`): the `kill` utility signals a group given `-PGID`.
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.pid)])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}
