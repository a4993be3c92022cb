//! Projects and services of an RDO Havana cloud, and which roles run them.
//! Source: reference §1 (`service.md`, per-project pages) and packstack's layout.

use stackhop_inventory::{Host, Inventory, Network, Role};
use stackhop_model::{ProjectInfo, ServiceInfo, ServiceKind};

pub(crate) struct ServiceDef {
    pub(crate) name: &'static str,
    pub(crate) project: &'static str,
    pub(crate) kind: ServiceKind,
    pub(crate) reads_db: bool,
    pub(crate) bulk_managed: bool,
    pub(crate) reloads_clients: bool,
}

const fn svc(name: &'static str, project: &'static str, reads_db: bool) -> ServiceDef {
    ServiceDef {
        name,
        project,
        kind: ServiceKind::Server,
        reads_db,
        bulk_managed: true,
        reloads_clients: false,
    }
}

const fn agent(name: &'static str, project: &'static str) -> ServiceDef {
    ServiceDef {
        kind: ServiceKind::Agent,
        ..svc(name, project, false)
    }
}

/// Every service stackhop knows for this transition. Order is the rule book's service ids.
pub(crate) const SERVICES: &[ServiceDef] = &[
    svc("openstack-keystone", "keystone", true),
    svc("openstack-swift-proxy", "swift", false),
    agent("openstack-swift-account", "swift"),
    agent("openstack-swift-container", "swift"),
    agent("openstack-swift-object", "swift"),
    svc("openstack-cinder-api", "cinder", true),
    svc("openstack-cinder-scheduler", "cinder", true),
    svc("openstack-cinder-volume", "cinder", true),
    svc("openstack-glance-api", "glance", true),
    svc("openstack-glance-registry", "glance", true),
    svc("neutron-server", "neutron", true),
    agent("neutron-openvswitch-agent", "neutron"),
    agent("neutron-l3-agent", "neutron"),
    agent("neutron-dhcp-agent", "neutron"),
    agent("neutron-metadata-agent", "neutron"),
    svc("openstack-heat-api", "heat", true),
    svc("openstack-heat-engine", "heat", true),
    svc("openstack-ceilometer-api", "ceilometer", true),
    svc("openstack-ceilometer-collector", "ceilometer", true),
    svc("openstack-ceilometer-central", "ceilometer", false),
    // Horizon runs inside httpd, which `openstack-service` does not manage.
    ServiceDef {
        bulk_managed: false,
        ..svc("httpd", "horizon", false)
    },
    svc("openstack-nova-api", "nova", true),
    svc("openstack-nova-scheduler", "nova", true),
    svc("openstack-nova-conductor", "nova", true),
    svc("openstack-nova-cert", "nova", true),
    svc("openstack-nova-consoleauth", "nova", false),
    svc("openstack-nova-novncproxy", "nova", false),
    // Havana computes reach the database through nova-conductor (reference §2, "Conductor's
    // role"), and the glanceclient upgrade breaks a running one (rhos5 final-package-upgrade).
    ServiceDef {
        kind: ServiceKind::Hypervisor,
        reloads_clients: true,
        ..svc("openstack-nova-compute", "nova", false)
    },
    agent("openstack-nova-network", "nova"),
];

/// Projects in the rhos5 service-by-service order (reference §1, Scenario 2), then those the
/// rhos5 documents do not cover.
pub(crate) const PROJECTS: &[(&str, bool)] = &[
    ("keystone", true),
    ("swift", false),
    ("cinder", true),
    ("glance", true),
    ("neutron", true),
    ("heat", true),
    ("ceilometer", true),
    ("horizon", false),
    ("nova", true),
];

pub(crate) fn service_infos() -> Vec<ServiceInfo> {
    SERVICES
        .iter()
        .map(|s| ServiceInfo {
            name: s.name.to_owned(),
            project: project_index(s.project),
            kind: s.kind,
            reads_db: s.reads_db,
            bulk_managed: s.bulk_managed,
            reloads_clients: s.reloads_clients,
        })
        .collect()
}

pub(crate) fn project_infos() -> Vec<ProjectInfo> {
    PROJECTS
        .iter()
        .map(|(name, has_db)| ProjectInfo {
            name: (*name).to_owned(),
            has_db: *has_db,
            db_per_env: *name == "nova",
            // Glance LP 1279000: Icehouse refuses non-utf8 tables (reference §4).
            sync_requires_utf8: *name == "glance",
            online_migrations: false,
        })
        .collect()
}

fn project_index(name: &str) -> u16 {
    PROJECTS
        .iter()
        .position(|(p, _)| *p == name)
        .and_then(|i| u16::try_from(i).ok())
        .unwrap_or(0)
}

pub(crate) fn project_of(service: &str) -> Option<&'static str> {
    SERVICES
        .iter()
        .find(|s| s.name == service)
        .map(|s| s.project)
}

const CONTROLLER: &[&str] = &[
    "openstack-keystone",
    "openstack-swift-proxy",
    "openstack-cinder-api",
    "openstack-cinder-scheduler",
    "openstack-glance-api",
    "openstack-glance-registry",
    "httpd",
    "openstack-nova-api",
    "openstack-nova-scheduler",
    "openstack-nova-conductor",
    "openstack-nova-cert",
    "openstack-nova-consoleauth",
    "openstack-nova-novncproxy",
];
const STORAGE: &[&str] = &[
    "openstack-cinder-volume",
    "openstack-swift-account",
    "openstack-swift-container",
    "openstack-swift-object",
];
const NEUTRON_NETWORK: &[&str] = &[
    "neutron-openvswitch-agent",
    "neutron-l3-agent",
    "neutron-dhcp-agent",
    "neutron-metadata-agent",
];

/// What a host runs today, packstack-style: a controller also carries storage and network
/// services when the cloud has no host of that role. An explicit `services:` wins.
pub(crate) fn host_services(inventory: &Inventory, host: &Host) -> Vec<&'static str> {
    if let Some(explicit) = &host.services {
        return SERVICES
            .iter()
            .filter(|s| explicit.iter().any(|e| e == s.name))
            .map(|s| s.name)
            .collect();
    }
    let has_role = |role: Role| inventory.has_host_with(role);
    let neutron = inventory.network == Network::Neutron;
    let mut out: Vec<&'static str> = Vec::new();
    for role in &host.roles {
        match role {
            Role::Controller => {
                out.extend(CONTROLLER);
                if neutron {
                    out.push("neutron-server");
                }
                if !has_role(Role::Storage) {
                    out.extend(STORAGE);
                }
                if !has_role(Role::Network) {
                    out.extend(network_services(neutron));
                }
            }
            Role::Network => out.extend(network_services(neutron)),
            Role::Compute => {
                out.push("openstack-nova-compute");
                out.push(if neutron {
                    "neutron-openvswitch-agent"
                } else {
                    "openstack-nova-network"
                });
            }
            Role::Storage => out.extend(STORAGE),
            Role::Spare => {}
        }
    }
    // Keep the table's order so equal hosts get equal service lists.
    SERVICES
        .iter()
        .map(|s| s.name)
        .filter(|n| out.contains(n))
        .collect()
}

fn network_services(neutron: bool) -> &'static [&'static str] {
    if neutron {
        NEUTRON_NETWORK
    } else {
        &["openstack-nova-network"]
    }
}
