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
        let mut keys = vec!["StrictHostKeyChecking=yes".to_owned()];
        if let Some(k) = &self.known_hosts {
            keys.push(format!("UserKnownHostsFile={}", k.display()));
        }
        self.command_with(endpoint, &keys)
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
