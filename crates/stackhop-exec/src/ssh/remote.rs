//! The commands of a killed run that still live on a host: found by the journal each one names
//! in its environment, read from `/proc` on the host over SSH.

use std::process::Stdio;

use crate::orphans::JOURNAL_VAR;

use super::{Endpoint, SshSettings};

/// `pid command line` of every process on the host whose environment names the journal `key`.
pub(crate) fn commands_naming(
    settings: &SshSettings,
    endpoint: &Endpoint,
    key: &str,
) -> Result<Vec<String>, String> {
    let marker = shell_escape::unix::escape(format!("{JOURNAL_VAR}={key}").into());
    // The script itself does not carry the marker in its environment, only in its text.
    let script = format!(
        "for e in /proc/[0-9]*/environ; do \
           if tr '\\000' '\\n' < \"$e\" 2>/dev/null | grep -qxF -- {marker}; then \
             p=${{e#/proc/}}; p=${{p%/environ}}; \
             echo \"$p $(tr '\\000' ' ' < /proc/$p/cmdline 2>/dev/null)\"; \
           fi; \
         done"
    );
    let output = settings
        .command(endpoint)
        .arg(&endpoint.address)
        .arg(format!(
            "sh -c {}",
            shell_escape::unix::escape(script.into())
        ))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run ssh: {e}"))?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        return Err(said
            .lines()
            .last()
            .unwrap_or("ssh failed")
            .trim()
            .to_owned());
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .filter(|l| !l.is_empty())
        .collect())
}
