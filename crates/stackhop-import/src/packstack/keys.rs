//! The answer file keys the import reads, as packstack's own plugins name them
//! (`packstack/plugins/*.py` at the `havana-eol` and `icehouse-eol` tags).
//!
//! Havana's packstack names a host per service (`CONFIG_NOVA_API_HOST`, `CONFIG_QPID_HOST`, …)
//! and always installs qpid. The Icehouse development cycle added `CONFIG_AMQP_SERVER` and
//! `CONFIG_AMQP_HOST` (Mar 2014, "Add RabbitMQ as option for Qpid"), then replaced the
//! per-service hosts with `CONFIG_CONTROLLER_HOST`, `CONFIG_COMPUTE_HOSTS` and
//! `CONFIG_NETWORK_HOSTS`, renamed `CONFIG_AMQP_SERVER` to `CONFIG_AMQP_BACKEND` (May 2014,
//! "Plugins refactor"; the old names stayed readable through `DEPRECATES`), and added
//! `CONFIG_STORAGE_HOST`, used only with `CONFIG_UNSUPPORTED=y` (Sep 2014).

/// A `CONFIG_<PROJECT>_INSTALL` switch and packstack's default for it (`prescript_000.py`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Install {
    pub(super) key: &'static str,
    pub(super) project: &'static str,
    pub(super) default: bool,
}

pub(super) const NOVA: Install = install("CONFIG_NOVA_INSTALL", "nova", true);
pub(super) const NEUTRON: Install = install("CONFIG_NEUTRON_INSTALL", "neutron", true);
pub(super) const GLANCE: Install = install("CONFIG_GLANCE_INSTALL", "glance", true);
pub(super) const CINDER: Install = install("CONFIG_CINDER_INSTALL", "cinder", true);
pub(super) const SWIFT: Install = install("CONFIG_SWIFT_INSTALL", "swift", true);
pub(super) const HORIZON: Install = install("CONFIG_HORIZON_INSTALL", "horizon", true);
pub(super) const HEAT: Install = install("CONFIG_HEAT_INSTALL", "heat", false);
pub(super) const CEILOMETER: Install = install("CONFIG_CEILOMETER_INSTALL", "ceilometer", true);

const fn install(key: &'static str, project: &'static str, default: bool) -> Install {
    Install {
        key,
        project,
        default,
    }
}

/// The projects whose services stackhop's roles run: when packstack did not install one,
/// the inventory cannot say so by roles alone.
pub(super) const ROLE_PROJECTS: &[Install] = &[GLANCE, CINDER, SWIFT, HORIZON];

/// Icehouse: the one controller. Its presence makes the file an Icehouse-era one, whose
/// per-service host keys packstack no longer reads.
pub(super) const CONTROLLER_HOST: &str = "CONFIG_CONTROLLER_HOST";
pub(super) const COMPUTE_HOSTS: &str = "CONFIG_COMPUTE_HOSTS";
pub(super) const NETWORK_HOSTS: &str = "CONFIG_NETWORK_HOSTS";
pub(super) const STORAGE_HOST: &str = "CONFIG_STORAGE_HOST";
pub(super) const UNSUPPORTED: &str = "CONFIG_UNSUPPORTED";

/// Havana: the hosts of the control services, each with the project that must be installed
/// for packstack to use it (`None`: always installed).
pub(super) const HAVANA_CONTROL: &[(&str, Option<Install>)] = &[
    ("CONFIG_KEYSTONE_HOST", None),
    ("CONFIG_GLANCE_HOST", Some(GLANCE)),
    ("CONFIG_NOVA_API_HOST", Some(NOVA)),
    ("CONFIG_NOVA_CERT_HOST", Some(NOVA)),
    ("CONFIG_NOVA_VNCPROXY_HOST", Some(NOVA)),
    ("CONFIG_NOVA_CONDUCTOR_HOST", Some(NOVA)),
    ("CONFIG_NOVA_SCHED_HOST", Some(NOVA)),
    ("CONFIG_NEUTRON_SERVER_HOST", Some(NEUTRON)),
    ("CONFIG_HORIZON_HOST", Some(HORIZON)),
    ("CONFIG_SWIFT_PROXY_HOSTS", Some(SWIFT)),
    ("CONFIG_HEAT_HOST", Some(HEAT)),
    ("CONFIG_CEILOMETER_HOST", Some(CEILOMETER)),
];
pub(super) const HAVANA_COMPUTE_HOSTS: &str = "CONFIG_NOVA_COMPUTE_HOSTS";
/// Havana, with Neutron: where its agents run.
pub(super) const HAVANA_NEUTRON_AGENTS: &[&str] = &[
    "CONFIG_NEUTRON_L3_HOSTS",
    "CONFIG_NEUTRON_DHCP_HOSTS",
    "CONFIG_NEUTRON_METADATA_HOSTS",
];
/// Havana, without Neutron.
pub(super) const HAVANA_NOVA_NETWORK_HOSTS: &str = "CONFIG_NOVA_NETWORK_HOSTS";
/// Havana: all of cinder (API, scheduler, volume) runs on this host.
pub(super) const HAVANA_CINDER_HOST: &str = "CONFIG_CINDER_HOST";
/// Havana: swift's storage nodes, each `HOST` or `HOST/DEVICE`.
pub(super) const HAVANA_SWIFT_STORAGE_HOSTS: &str = "CONFIG_SWIFT_STORAGE_HOSTS";

/// Hosts of the infrastructure only (database, message bus, monitoring, clients): stackhop
/// upgrades none of it, so a host named only here is left out.
pub(super) const INFRASTRUCTURE: &[(&str, &str)] = &[
    ("CONFIG_MYSQL_HOST", "the database"),
    ("CONFIG_MARIADB_HOST", "the database"),
    ("CONFIG_QPID_HOST", "the message bus"),
    ("CONFIG_AMQP_HOST", "the message bus"),
    ("CONFIG_MONGODB_HOST", "ceilometer's MongoDB"),
    ("CONFIG_NAGIOS_HOST", "nagios"),
    ("CONFIG_OSCLIENT_HOST", "the command-line clients"),
];

/// The message bus: Icehouse's key, then its name during Icehouse's development.
pub(super) const AMQP_KEYS: &[&str] = &["CONFIG_AMQP_BACKEND", "CONFIG_AMQP_SERVER"];
/// Havana's packstack installs qpid on this host; the key proves a Havana-era file.
pub(super) const QPID_HOST: &str = "CONFIG_QPID_HOST";

/// Keys only packstacks of the Icehouse era (and later) write.
pub(super) const ICEHOUSE_ERA: &[&str] = &[
    CONTROLLER_HOST,
    "CONFIG_AMQP_BACKEND",
    "CONFIG_AMQP_SERVER",
    "CONFIG_AMQP_HOST",
    "CONFIG_MARIADB_HOST",
];

/// The hypervisor switch: `y` means vCenter, which stackhop does not model.
pub(super) const VMWARE_BACKEND: &str = "CONFIG_VMWARE_BACKEND";
/// Havana: the Neutron plugin; Icehouse: `ml2`, with the agent in `CONFIG_NEUTRON_L2_AGENT`.
pub(super) const NEUTRON_L2_PLUGIN: &str = "CONFIG_NEUTRON_L2_PLUGIN";
pub(super) const NEUTRON_L2_AGENT: &str = "CONFIG_NEUTRON_L2_AGENT";
