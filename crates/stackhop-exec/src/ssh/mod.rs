//! Reaching real hosts over SSH with the operator's own OpenSSH: their `~/.ssh/config` (or the
//! inventory's `ssh_config`), agent, keys and known_hosts. Host keys are checked strictly: an
//! unknown or changed key refuses the run before any command runs anywhere, naming the host and
//! the key's fingerprint; `stackhop trust-hosts` records the keys an operator confirms.
//!
//! Run sessions go through the `openssh` crate (one ControlMaster per host, commands over its
//! native mux); one-shot commands (learning a key, looking for a killed run's commands on a
//! host) run the `ssh` binary with the same options.

pub(crate) mod keys;
pub(crate) mod pool;
pub(crate) mod probe;
pub(crate) mod remote;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use openssh::{KnownHosts, SessionBuilder};
use stackhop_inventory::Inventory;

/// Seconds an SSH connection may take to come up.
pub(crate) const CONNECT_TIMEOUT_S: u64 = 10;
/// Keepalive interval: a host whose link went down is found within a few of these.
pub(crate) const ALIVE_INTERVAL_S: u64 = 5;

/// How to reach one host of the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The inventory's host name.
    pub host: String,
    pub address: String,
    pub user: Option<String>,
    pub port: Option<u16>,
}

impl Endpoint {
    /// `address` or `[address]:port`, as known_hosts and messages write it.
    pub fn display(&self) -> String {
        match self.port {
            Some(port) if port != 22 => format!("[{}]:{port}", self.address),
            _ => self.address.clone(),
        }
    }
}

/// The inventory's `connection:` settings, for every ssh invocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SshSettings {
    pub config_file: Option<PathBuf>,
    pub identity_file: Option<PathBuf>,
    pub jump: Vec<String>,
    /// Where host keys are checked and trusted; `None`: OpenSSH's own choice.
    pub known_hosts: Option<PathBuf>,
}

/// `~/x` under the home directory; other paths as they are.
fn expand(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

impl SshSettings {
    pub fn of(inventory: &Inventory) -> SshSettings {
        let c = &inventory.connection;
        SshSettings {
            config_file: c.ssh_config.as_deref().map(expand),
            identity_file: c.identity_file.as_deref().map(expand),
            jump: c
                .jump
                .as_deref()
                .map(|j| j.split(',').map(str::to_owned).collect())
                .unwrap_or_default(),
            known_hosts: c.known_hosts.as_deref().map(expand),
        }
    }

    /// Every host of the inventory, with its address, user and port.
    pub fn endpoints(inventory: &Inventory) -> Vec<Endpoint> {
        inventory
            .hosts
            .iter()
            .map(|h| Endpoint {
                host: h.name.clone(),
                address: h.address.clone(),
                user: h.ssh_user.clone(),
                port: h.ssh_port,
            })
            .collect()
    }

    /// A ControlMaster session builder for the host, strict about host keys.
    pub(crate) fn builder(
        &self,
        endpoint: &Endpoint,
        control_dir: &std::path::Path,
    ) -> SessionBuilder {
        let mut b = SessionBuilder::default();
        b.known_hosts_check(KnownHosts::Strict)
            .control_directory(control_dir)
            .connect_timeout(Duration::from_secs(CONNECT_TIMEOUT_S))
            .server_alive_interval(Duration::from_secs(ALIVE_INTERVAL_S))
            // A master left by a killed run goes away on its own.
            .control_persist(openssh::ControlPersist::IdleFor(
                std::num::NonZeroUsize::new(60).unwrap_or(std::num::NonZeroUsize::MIN),
            ));
        if let Some(user) = &endpoint.user {
            b.user(user.clone());
        }
        if let Some(port) = endpoint.port {
            b.port(port);
        }
        if let Some(f) = &self.config_file {
            b.config_file(f);
        }
        if let Some(k) = &self.identity_file {
            b.keyfile(k);
        }
        if let Some(k) = &self.known_hosts {
            b.user_known_hosts_file(k);
        }
        if !self.jump.is_empty() {
            b.jump_hosts(&self.jump);
        }
        b
    }

    /// `ssh` with the same options as the sessions (strict host keys against the inventory's
    /// known_hosts, batch mode), ready for a destination and a remote command.
    pub(crate) fn command(&self, endpoint: &Endpoint) -> Command {
        self.command_with(endpoint, &self.strict_host_keys())
    }

    /// Host keys checked strictly, against the inventory's known_hosts if it names one.
    pub(crate) fn strict_host_keys(&self) -> Vec<String> {
        let mut keys = vec!["StrictHostKeyChecking=yes".to_owned()];
        if let Some(k) = &self.known_hosts {
            keys.push(format!("UserKnownHostsFile={}", k.display()));
        }
        keys
    }

    /// These settings as every hop must see them. OpenSSH hands a ProxyJump hop only the `-F`
    /// file, not `-o`, `-i` or batch mode: without this a bastion's key would be checked against
    /// OpenSSH's default known_hosts (or asked about on a terminal) and the inventory's key not
    /// offered to it. So with jump hosts, `host_key_options`, batch mode and the identity are
    /// written at the top of a config file in `dir` (the first value OpenSSH reads wins), which
    /// then includes the operator's config; the settings returned point `-F` at it. Without jump
    /// hosts nothing is written.
    pub(crate) fn for_every_hop(
        &self,
        dir: &std::path::Path,
        host_key_options: &[String],
    ) -> std::io::Result<SshSettings> {
        if self.jump.is_empty() {
            return Ok(self.clone());
        }
        // `ssh -F` refuses a missing file; an `Include` of one would say nothing.
        if let Some(f) = &self.config_file {
            std::fs::metadata(f)?;
        }
        let file = dir.join("ssh_config");
        std::fs::write(&file, self.hop_config(host_key_options))?;
        Ok(SshSettings {
            config_file: Some(file),
            ..self.clone()
        })
    }

    fn hop_config(&self, host_key_options: &[String]) -> String {
        let quoted = |p: &std::path::Path| format!("\"{}\"", p.display());
        let mut text =
            "# Written by stackhop for one run: OpenSSH gives ProxyJump hops only -F.\n".to_owned();
        for option in host_key_options {
            text.push_str(&option.replacen('=', " ", 1));
            text.push('\n');
        }
        text.push_str(&format!(
            "BatchMode yes\nConnectTimeout {CONNECT_TIMEOUT_S}\nServerAliveInterval {ALIVE_INTERVAL_S}\n"
        ));
        if let Some(k) = &self.identity_file {
            text.push_str(&format!("IdentitiesOnly yes\nIdentityFile {}\n", quoted(k)));
        }
        // What `ssh` reads without -F: the user's config, then the system's.
        let included = match &self.config_file {
            Some(f) => vec![f.clone()],
            None => {
                let mut files: Vec<PathBuf> = std::env::var_os("HOME")
                    .map(|home| PathBuf::from(home).join(".ssh/config"))
                    .into_iter()
                    .collect();
                files.push(PathBuf::from("/etc/ssh/ssh_config"));
                // Missing, they are not read either way.
                files.retain(|f| f.exists());
                files
            }
        };
        for f in &included {
            text.push_str(&format!("Include {}\n", quoted(f)));
        }
        text
    }

    /// `ssh` with these host key options; they come first, because for each option OpenSSH
    /// takes the first value it is given.
    pub(crate) fn command_with(&self, endpoint: &Endpoint, host_key_options: &[String]) -> Command {
        let mut c = Command::new("ssh");
        for o in host_key_options {
            c.arg("-o").arg(o);
        }
        c.args(["-o", "BatchMode=yes"])
            .arg("-o")
            .arg(format!("ConnectTimeout={CONNECT_TIMEOUT_S}"));
        if let Some(f) = &self.config_file {
            c.arg("-F").arg(f);
        }
        if let Some(k) = &self.identity_file {
            c.args(["-o", "IdentitiesOnly=yes", "-i"]).arg(k);
        }
        if !self.jump.is_empty() {
            c.arg("-J").arg(self.jump.join(","));
        }
        if let Some(port) = endpoint.port {
            c.arg("-p").arg(port.to_string());
        }
        if let Some(user) = &endpoint.user {
            c.arg("-l").arg(user);
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(jump: &[&str], config_file: Option<PathBuf>) -> SshSettings {
        SshSettings {
            config_file,
            identity_file: Some(PathBuf::from("/keys/id_ed25519")),
            jump: jump.iter().map(|j| (*j).to_owned()).collect(),
            known_hosts: Some(PathBuf::from("/keys/known_hosts")),
        }
    }

    #[test]
    fn without_jump_hosts_nothing_is_written() {
        let dir = tempfile::TempDir::new().expect("temp dir");
        let s = settings(&[], None);
        let same = s.for_every_hop(dir.path(), &s.strict_host_keys());
        assert_eq!(same.ok(), Some(s));
        assert!(!dir.path().join("ssh_config").exists());
    }

    #[test]
    fn every_hop_reads_the_host_key_options_and_identity_before_the_operators_config() {
        let dir = tempfile::TempDir::new().expect("temp dir");
        let operator = dir.path().join("operator_config");
        std::fs::write(&operator, "Host bastion\n  User ops\n").expect("write");
        let s = settings(&["ops@bastion:2200"], Some(operator.clone()));
        let hop = s
            .for_every_hop(dir.path(), &s.strict_host_keys())
            .expect("written");
        let written = dir.path().join("ssh_config");
        assert_eq!(hop.config_file.as_ref(), Some(&written));
        assert_eq!(hop.jump, s.jump);
        let text = std::fs::read_to_string(&written).expect("read");
        let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            lines,
            [
                "StrictHostKeyChecking yes",
                "UserKnownHostsFile /keys/known_hosts",
                "BatchMode yes",
                &format!("ConnectTimeout {CONNECT_TIMEOUT_S}"),
                &format!("ServerAliveInterval {ALIVE_INTERVAL_S}"),
                "IdentitiesOnly yes",
                "IdentityFile \"/keys/id_ed25519\"",
                &format!("Include \"{}\"", operator.display()),
            ]
        );
    }

    #[test]
    fn a_missing_operator_config_is_an_error_as_ssh_f_makes_it() {
        let dir = tempfile::TempDir::new().expect("temp dir");
        let s = settings(&["bastion"], Some(dir.path().join("nope")));
        let e = s.for_every_hop(dir.path(), &s.strict_host_keys());
        assert_eq!(
            e.err().map(|e| e.kind()),
            Some(std::io::ErrorKind::NotFound)
        );
    }
}
