//! The validated inventory handed to the rest of stackhop.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::os::Os;
use crate::version::Version;

/// A cloud as the operator described it, validated and with host ranges expanded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inventory {
    pub name: String,
    /// What every host runs today; one of the vocabulary's releases.
    pub release: String,
    /// Packaging profile; one of the release's profiles.
    pub profile: String,
    pub network: Network,
    /// The message bus the cloud uses today.
    pub rpc_backend: RpcBackend,
    /// The virt driver the computes run.
    pub compute_driver: ComputeDriver,
    /// Where the profile finds config, code and tools on the hosts; keys are the profile's.
    pub paths: BTreeMap<String, String>,
    pub options: Options,
    pub database: Database,
    /// How stackhop reaches the hosts over SSH; every field optional.
    #[serde(skip_serializing_if = "Connection::is_unset")]
    pub connection: Connection,
    /// Ranges expanded, in file order.
    pub hosts: Vec<Host>,
    /// The roles some host has, gathered once: the catalog asks for every controller, and a
    /// scan of the hosts each time made an inventory of 50,000 controllers take a minute.
    #[serde(skip)]
    pub(crate) roles: Vec<Role>,
}

impl Inventory {
    /// Whether some host has `role`.
    pub fn has_host_with(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The roles the hosts have, for [`Inventory::has_host_with`].
    pub(crate) fn roles_of(hosts: &[Host]) -> Vec<Role> {
        let mut roles: Vec<Role> = hosts.iter().flat_map(|h| h.roles.iter().copied()).collect();
        roles.sort_unstable_by_key(|r| r.as_str());
        roles.dedup();
        roles
    }

    /// The hosts that have `role`, in file order.
    pub fn hosts_with(&self, role: Role) -> impl Iterator<Item = &Host> {
        self.hosts.iter().filter(move |h| h.has_role(role))
    }
}

word_enum! {
    /// Which network service the cloud runs.
    #[derive(Default)]
    pub enum Network {
        #[default]
        Neutron => "neutron",
        NovaNetwork => "nova-network",
    }
}

word_enum! {
    /// The message bus.
    #[derive(Default)]
    pub enum RpcBackend {
        Qpid => "qpid",
        #[default]
        Rabbit => "rabbit",
    }
}

word_enum! {
    /// The virt driver of the computes.
    #[derive(Default)]
    pub enum ComputeDriver {
        #[default]
        Libvirt => "libvirt",
        /// Nova's in-memory test driver, as labs run it.
        Fake => "fake",
    }
}

/// Per-scenario knobs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Options {
    /// Computes upgraded at once by a live compute upgrade.
    pub compute_batch: Batch,
    /// Computes upgraded first, alone, before the batches.
    pub canary: u32,
    /// How a parallel compute upgrade moves instances to the new computes.
    pub instance_moves: InstanceMoves,
    /// Whether instances may be migrated between old and new computes during a live upgrade.
    pub allow_migrations: bool,
    /// The flavor a `boot` health check boots; absent, the profile's default.
    pub check_flavor: Option<String>,
    /// The image a `boot` health check boots; absent, the profile's default.
    pub check_image: Option<String>,
    /// The network a `boot` health check attaches; absent, none (where the profile allows it).
    pub check_network: Option<String>,
    /// Hosts a step works on at once, and hosts in flight over all steps on the SSH target;
    /// absent, the duration model's own figure (so the twin and a real run agree either way).
    pub fanout: Option<u32>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            compute_batch: Batch::default(),
            canary: 1,
            instance_moves: InstanceMoves::default(),
            allow_migrations: false,
            check_flavor: None,
            check_image: None,
            check_network: None,
            fanout: None,
        }
    }
}

/// How many computes are upgraded at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Batch {
    /// A fixed number of hosts, at least 1.
    Hosts(u32),
    /// A percentage of the computes, 1 to 100.
    Percent(u32),
}

impl Default for Batch {
    fn default() -> Self {
        Batch::Hosts(5)
    }
}

impl Batch {
    /// Hosts per batch among `computes`: a percentage rounds up; never below 1 nor (when
    /// there are computes) above their number.
    #[must_use]
    pub fn size(&self, computes: usize) -> usize {
        let size = match *self {
            Batch::Hosts(n) => usize::try_from(n).unwrap_or(usize::MAX),
            Batch::Percent(p) => {
                let p = usize::try_from(p.min(100)).unwrap_or(100);
                computes.saturating_mul(p).div_ceil(100)
            }
        };
        size.min(computes).max(1)
    }
}

word_enum! {
    /// How a parallel compute upgrade moves instances off the old computes.
    #[derive(Default)]
    pub enum InstanceMoves {
        /// Live migration (needs shared storage).
        Live => "live",
        /// Snapshot and boot again on a new compute.
        #[default]
        Snapshot => "snapshot",
        /// Wait for the instances to go away.
        Wait => "wait",
    }
}

/// Table sizes and facts about the databases; they drive the duration model.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Database {
    pub keystone_tokens: Option<u64>,
    pub nova_instance_actions_events: Option<u64>,
    /// Rows in `nova.instances`, deleted ones included.
    pub nova_instances: Option<u64>,
    pub glance_images: Option<u64>,
    pub cinder_volumes: Option<u64>,
    pub neutron_ports: Option<u64>,
    /// All databases together, for the backup time.
    pub size_gb: Option<f64>,
    pub glance_tables_utf8: Option<bool>,
    pub neutron_tables_utf8: Option<bool>,
}

/// The top-level `connection:`: how stackhop's SSH target reaches the hosts. What is absent is
/// left to OpenSSH (its config, its defaults). Every value has been checked to hold no shell
/// metacharacter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Connection {
    /// The login user; a host entry's `connection.user` overrides it.
    pub user: Option<String>,
    /// The SSH port; a host entry's `connection.port` overrides it.
    pub port: Option<u16>,
    /// ProxyJump: `[user@]host[:port]`, several separated by commas.
    pub jump: Option<String>,
    /// The private key to offer (ssh `-i`).
    pub identity_file: Option<String>,
    /// An OpenSSH client config file passed to ssh as `-F`.
    pub ssh_config: Option<String>,
    /// The known_hosts file stackhop checks host keys against and `trust-hosts` writes; absent,
    /// OpenSSH's own (`~/.ssh/known_hosts`).
    pub known_hosts: Option<String>,
}

impl Connection {
    /// True when the inventory says nothing about connections.
    #[must_use]
    pub fn is_unset(&self) -> bool {
        *self == Connection::default()
    }
}

/// One host; a `hosts:` entry with a range gives several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Host {
    pub name: String,
    /// The IP address or DNS name SSH connects to: the entry's `address:` (a range expands in
    /// step with the name's), else the name.
    pub address: String,
    /// The entry's `connection.user`, else the top-level one; absent, OpenSSH decides.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssh_user: Option<String>,
    /// The entry's `connection.port`, else the top-level one; absent, OpenSSH decides.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssh_port: Option<u16>,
    /// Deduplicated and sorted; `all-in-one` is already expanded.
    pub roles: Vec<Role>,
    pub os: Os,
    /// Absent means the release's latest stable.
    pub nova_version: Option<Version>,
    pub instances: u32,
    /// Overrides the services its roles run.
    pub services: Option<Vec<String>>,
    /// Line of the `name:` of the entry this host came from.
    pub line: u32,
    /// Index of the `hosts:` entry this host came from.
    pub entry: usize,
}

impl Host {
    #[must_use]
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

word_enum! {
    /// What a host does in the cloud.
    pub enum Role {
        Controller => "controller",
        Network => "network",
        Compute => "compute",
        Storage => "storage",
        /// Empty hardware a parallel compute upgrade may use.
        Spare => "spare",
    }
}

/// The role shorthand for a packstack all-in-one host.
pub const ALL_IN_ONE: &str = "all-in-one";

/// The roles `all-in-one` stands for.
pub const ALL_IN_ONE_ROLES: &[Role] = &[Role::Controller, Role::Network, Role::Compute];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_sizes() {
        assert_eq!(Batch::Hosts(5).size(2000), 5);
        assert_eq!(Batch::Hosts(5).size(3), 3);
        assert_eq!(Batch::Hosts(5).size(0), 1);
        assert_eq!(Batch::Percent(5).size(2000), 100);
        assert_eq!(Batch::Percent(10).size(3), 1);
        assert_eq!(Batch::Percent(34).size(3), 2);
        assert_eq!(Batch::Percent(100).size(40), 40);
        assert_eq!(Batch::Percent(1).size(0), 1);
    }

    #[test]
    fn words_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_name(role.as_str()), Some(*role));
        }
        assert_eq!(Network::NovaNetwork.to_string(), "nova-network");
        assert_eq!(Network::default(), Network::Neutron);
        assert_eq!(RpcBackend::default(), RpcBackend::Rabbit);
        assert_eq!(InstanceMoves::default(), InstanceMoves::Snapshot);
    }
}
