//! Host keys: what OpenSSH says when one is wrong, what a host presents (learned without trusting
//! it, for its fingerprint), and recording the keys an operator confirms.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::ExecError;

use super::{Endpoint, SshSettings};

/// What OpenSSH refused about a host's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyProblem {
    /// No key is known for the host.
    Unknown,
    /// The host presents another key than the one recorded.
    Changed,
}

impl KeyProblem {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyProblem::Unknown => "its host key is not known",
            KeyProblem::Changed => "its host key CHANGED since it was trusted",
        }
    }
}

/// Reads OpenSSH's complaint (its log or standard error) about a host key, if that is what
/// stopped it.
pub(crate) fn key_problem(ssh_said: &str) -> Option<KeyProblem> {
    if ssh_said.contains("REMOTE HOST IDENTIFICATION HAS CHANGED")
        || ssh_said.contains("Host key for ") && ssh_said.contains("has changed")
    {
        Some(KeyProblem::Changed)
    } else if ssh_said.contains("Host key verification failed")
        || ssh_said.contains("host key is known for")
    {
        Some(KeyProblem::Unknown)
    } else {
        None
    }
}

/// The keys a host (and any jump host on the way) presents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Learned {
    pub endpoint: Endpoint,
    /// `SHA256:… (ED25519) for ADDRESS`, one per key.
    pub fingerprints: Vec<String>,
    /// The known_hosts lines that trust them.
    pub lines: Vec<String>,
    /// Why nothing could be learned (the host did not answer).
    pub error: Option<String>,
}

/// Connects with `accept-new` into a scratch known_hosts, so that OpenSSH itself (with the
/// operator's config, jump hosts and port) records what the host presents; trusts nothing.
pub fn learn(settings: &SshSettings, endpoint: &Endpoint) -> Learned {
    let learned = |fingerprints, lines, error| Learned {
        endpoint: endpoint.clone(),
        fingerprints,
        lines,
        error,
    };
    let scratch_dir = match tempfile::TempDir::new() {
        Ok(d) => d,
        Err(e) => {
            return learned(
                Vec::new(),
                Vec::new(),
                Some(format!("no scratch directory: {e}")),
            );
        }
    };
    let scratch = scratch_dir.path().join("known_hosts");
    let options = [
        "StrictHostKeyChecking=accept-new".to_owned(),
        format!("UserKnownHostsFile={}", scratch.display()),
        "GlobalKnownHostsFile=/dev/null".to_owned(),
        // Readable lines: the fingerprints are shown with the host they are for.
        "HashKnownHosts=no".to_owned(),
    ];
    // Jump hosts learn into the same scratch file: their keys are shown and trusted too.
    let settings = match settings.for_every_hop(scratch_dir.path(), &options) {
        Ok(s) => s,
        Err(e) => return learned(Vec::new(), Vec::new(), Some(format!("ssh config: {e}"))),
    };
    let output = settings
        .command_with(endpoint, &options)
        .arg(&endpoint.address)
        .arg("true")
        .stdin(Stdio::null())
        .output();
    let said = output
        .as_ref()
        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        .unwrap_or_else(|e| format!("cannot run ssh: {e}"));
    let lines: Vec<String> = std::fs::read_to_string(&scratch)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    if lines.is_empty() {
        let why = said.lines().last().unwrap_or("no answer").trim().to_owned();
        return learned(Vec::new(), Vec::new(), Some(why));
    }
    learned(fingerprints(&scratch), lines, None)
}

/// `ssh-keygen -l` of a known_hosts file: `SHA256:… (TYPE) for HOST` per key.
fn fingerprints(file: &Path) -> Vec<String> {
    let Ok(out) = Command::new("ssh-keygen")
        .arg("-l")
        .arg("-f")
        .arg(file)
        .output()
    else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            // `256 SHA256:abc… 10.0.0.1 (ED25519)`
            let mut parts = line.split_whitespace();
            let _bits = parts.next()?;
            let fp = parts.next()?;
            let host = parts.next()?;
            let kind = parts.next().unwrap_or("");
            Some(format!("{fp} {kind} for {host}"))
        })
        .collect()
}

/// The known_hosts file keys are checked against and recorded in.
pub fn known_hosts_file(settings: &SshSettings) -> PathBuf {
    settings.known_hosts.clone().unwrap_or_else(|| {
        std::env::var_os("HOME")
            .map_or_else(|| PathBuf::from(".ssh"), PathBuf::from)
            .join(".ssh/known_hosts")
    })
}

/// Records learned keys, replacing what the file held for those hosts (a changed key the
/// operator confirmed replaces the old one). Answers the file written.
pub fn trust(settings: &SshSettings, learned: &[Learned]) -> Result<PathBuf, ExecError> {
    let file = known_hosts_file(settings);
    let io = |source: std::io::Error| ExecError::Io {
        path: file.clone(),
        source,
    };
    if let Some(dir) = file.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    if file.exists() {
        for l in learned {
            // `ssh-keygen -R` knows hashed entries and the `[host]:port` form.
            let _ = Command::new("ssh-keygen")
                .arg("-R")
                .arg(l.endpoint.display())
                .arg("-f")
                .arg(&file)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
    let mut text = std::fs::read_to_string(&file).unwrap_or_default();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    for line in learned.iter().flat_map(|l| &l.lines) {
        if !text.lines().any(|existing| existing == line) {
            text.push_str(line);
            text.push('\n');
        }
    }
    std::fs::write(&file, text).map_err(io)?;
    Ok(file)
}
