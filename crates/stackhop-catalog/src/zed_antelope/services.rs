//! Projects and services of a Zed cloud on Debian, as far as this transition upgrades it, and
//! which roles run them.
//!
//! Only placement and nova change release here. Keystone, glance, neutron, the database and the
//! message bus keep running Zed (or whatever they run): their APIs are stable across the hop,
//! and nova 27 works with Zed's placement, keystone and glance (real-lab.md).

use stackhop_inventory::{Host, Role};
use stackhop_model::{ProjectInfo, ServiceInfo, ServiceKind};

pub(crate) struct ServiceDef {
    pub(crate) name: &'static str,
    pub(crate) project: &'static str,
    pub(crate) kind: ServiceKind,
    pub(crate) reads_db: bool,
}

const fn server(name: &'static str, project: &'static str) -> ServiceDef {
    ServiceDef {
        name,
        project,
        kind: ServiceKind::Server,
        reads_db: true,
    }
}

/// Every service of the transition; the order is the rule book's service ids.
pub(crate) const SERVICES: &[ServiceDef] = &[
    server("placement-api", "placement"),
    server("nova-api", "nova"),
    server("nova-conductor", "nova"),
    server("nova-scheduler", "nova"),
    // Computes reach the database only through nova-conductor.
    ServiceDef {
        kind: ServiceKind::Hypervisor,
        reads_db: false,
        ..server("nova-compute", "nova")
    },
];

/// Projects in upgrade order: placement before nova (nova's upgrade documentation, and
/// `nova-status upgrade check` asks placement for the microversion nova needs).
pub(crate) const PROJECTS: &[&str] = &["placement", "nova"];

pub(crate) fn service_infos() -> Vec<ServiceInfo> {
    SERVICES
        .iter()
        .map(|s| ServiceInfo {
            name: s.name.to_owned(),
            project: project_index(s.project),
            kind: s.kind,
            reads_db: s.reads_db,
            bulk_managed: true,
            reloads_clients: false,
        })
        .collect()
}

pub(crate) fn project_infos() -> Vec<ProjectInfo> {
    PROJECTS
        .iter()
        .map(|name| ProjectInfo {
            name: (*name).to_owned(),
            has_db: true,
            db_per_env: *name == "nova",
            sync_requires_utf8: false,
            // `nova-manage db online_data_migrations` after the last service is upgraded.
            online_migrations: *name == "nova",
        })
        .collect()
}

fn project_index(name: &str) -> u16 {
    PROJECTS
        .iter()
        .position(|p| *p == name)
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
    "placement-api",
    "nova-api",
    "nova-conductor",
    "nova-scheduler",
];

/// What a host runs: a controller the control plane, a compute `nova-compute`. An explicit
/// `services:` wins.
pub(crate) fn host_services(host: &Host) -> Vec<&'static str> {
    if let Some(explicit) = &host.services {
        return SERVICES
            .iter()
            .filter(|s| explicit.iter().any(|e| e == s.name))
            .map(|s| s.name)
            .collect();
    }
    let mut out: Vec<&'static str> = Vec::new();
    for role in &host.roles {
        match role {
            Role::Controller => out.extend(CONTROLLER),
            Role::Compute => out.push("nova-compute"),
            Role::Network | Role::Storage | Role::Spare => {}
        }
    }
    SERVICES
        .iter()
        .map(|s| s.name)
        .filter(|n| out.contains(n))
        .collect()
}

/// The projects a host runs something of, in upgrade order.
pub(crate) fn host_projects(host: &Host) -> Vec<&'static str> {
    let services = host_services(host);
    PROJECTS
        .iter()
        .copied()
        .filter(|p| services.iter().any(|s| project_of(s) == Some(p)))
        .collect()
}
