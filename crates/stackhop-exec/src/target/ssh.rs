//! `ssh`: a step's commands for one host over that host's SSH session (or the session of the
//! controller it runs on), one command after the other. Each runs as `sh -c` with the journal,
//! step and host in its environment (so that `resume` can find it on the host if the run dies),
//! the catalog's secret variables read from its standard input (never on a command line the
//! host's `ps` shows), standard error joined to standard output.
//!
//! A lost connection leaves the attempt in doubt: the command may have finished on the host.

use openssh::Session;
use stackhop_plan::Step;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::orphans::{HOST_VAR, JOURNAL_VAR, STEP_VAR};
use crate::ssh::pool::SshPool;

use super::{Outcome, Secrets};

/// Runs the step for `host` on `on` (the host itself, or the controller it runs on).
pub(super) async fn run(
    pool: &SshPool,
    step: &Step,
    host: &str,
    journal: &str,
    secrets: &Secrets,
    clock: &crate::clock::Clock,
) -> Outcome {
    let on = step.runs_on.as_deref().unwrap_or(host);
    let outcome = |ok, exit_code, output: String, in_doubt| {
        Outcome::of_host(ok, exit_code, output, in_doubt, clock)
    };
    let mut output = String::new();
    for command in &step.commands {
        let command = command.replace("{host}", host);
        output.push_str(&format!("$ {command}\n"));
        let script = script(step, host, journal, secrets, &command);
        // A master that went away while its host was idle (ControlPersist) is opened again: the
        // command had not started, so nothing is in doubt.
        let mut result = Err(RunError::NotStarted(String::new()));
        for _ in 0..2 {
            let session = match pool.session(on).await {
                Ok(s) => s,
                Err(why) => {
                    output.push_str(&format!("not run: {why}\n"));
                    return outcome(false, None, output, false);
                }
            };
            result = run_one(&session, &script, secrets).await;
            if let Err(RunError::NotStarted(_)) = &result {
                pool.forget(on).await;
                continue;
            }
            break;
        }
        match result {
            Ok((0, text)) => output.push_str(&text),
            Ok((code, text)) => {
                output.push_str(&text);
                output.push_str(&format!("\nexit status {code}\n"));
                return outcome(false, Some(code), output, false);
            }
            Err(RunError::NotStarted(why)) => {
                output.push_str(&format!("not run: cannot start it on {on}: {why}\n"));
                return outcome(false, None, output, false);
            }
            Err(RunError::Lost(why)) => {
                pool.forget(on).await;
                let address = pool.endpoint(on).map_or_else(String::new, |e| e.display());
                output.push_str(&format!(
                    "\nlost the connection to {on} ({address}) while the command ran: {why}; \
                     whether it finished on the host is not known\n"
                ));
                return outcome(false, None, output, true);
            }
        }
    }
    outcome(true, Some(0), output, false)
}

/// The remote script: the run's marks in the environment, the secrets read from standard input,
/// then the command with nothing more to read.
fn script(step: &Step, host: &str, journal: &str, secrets: &Secrets, command: &str) -> String {
    let q = |s: &str| shell_escape::unix::escape(s.to_owned().into()).into_owned();
    let mut s = format!(
        "export {JOURNAL_VAR}={} {STEP_VAR}={} {HOST_VAR}={}\n",
        q(journal),
        q(&step.id),
        q(host)
    );
    for (name, _) in secrets.iter() {
        s.push_str(&format!("IFS= read -r {name}; export {name}\n"));
    }
    s.push_str("exec </dev/null 2>&1\n");
    s.push_str(command);
    s.push('\n');
    s
}

/// Why a command did not give its exit code.
enum RunError {
    /// It never reached the host: the session could not open a channel.
    NotStarted(String),
    /// The connection went away while it ran.
    Lost(String),
}

/// Runs one script; answers its exit code and output, or why the connection failed.
async fn run_one(
    session: &Session,
    script: &str,
    secrets: &Secrets,
) -> Result<(i32, String), RunError> {
    let mut child = session
        .command("sh")
        .arg("-c")
        .arg(script)
        .stdin(openssh::Stdio::piped())
        .stdout(openssh::Stdio::piped())
        .stderr(openssh::Stdio::null())
        .spawn()
        .await
        .map_err(|e| RunError::NotStarted(e.to_string()))?;
    if let Some(mut stdin) = child.stdin().take() {
        let values: String = secrets.iter().map(|(_, v)| format!("{v}\n")).collect();
        // A command that exits before reading its secrets closes the pipe: not an error.
        let _ = stdin.write_all(values.as_bytes()).await;
        drop(stdin);
    }
    let mut buf = Vec::new();
    if let Some(mut stdout) = child.stdout().take() {
        let mut chunk = [0u8; 8192];
        loop {
            match stdout.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    buf.extend_from_slice(&chunk[..n]);
                    if buf.len() > 4 * crate::journal::OUTPUT_TAIL_BYTES {
                        let cut = buf.len() - 2 * crate::journal::OUTPUT_TAIL_BYTES;
                        buf.drain(..cut);
                    }
                }
            }
        }
    }
    let status = child
        .wait()
        .await
        .map_err(|e| RunError::Lost(e.to_string()))?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    // A command killed by a signal has no code; OpenSSH's own failure is 255 with nothing to say.
    Ok((status.code().unwrap_or(-1), text))
}
