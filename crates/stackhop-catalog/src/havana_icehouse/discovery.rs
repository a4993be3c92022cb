//! What `discover` asks an RDO host: the OS (`/etc/redhat-release` on EL6, which has no
//! os-release), the OpenStack packages `rpm` has, which services run (SysV init on EL6, systemd
//! on EL7 and Fedora), instances per compute, and on the controller the table sizes the
//! duration model reads.
//!
//! Versions: Havana is 2013.2.x and Icehouse 2014.1.x for every integrated project (swift
//! numbers its own: 1.10.0 shipped with Havana, 1.13.1 with Icehouse); an inventory that states
//! no `nova_version` means Havana's latest stable, which accepts compute RPC 3.0 (2013.2.2 and
//! later, reference §2; levels.rs).

use stackhop_inventory::{ComputeDriver, Inventory};

use super::services::SERVICES;
use crate::discovery::{
    Discovery, Probe, ProbeOn, ProjectVersions, Reading, database_probe, instances_probe, os_probe,
    span, unit_states_probe,
};

/// The package that carries each project's code (`rpm -q openstack-nova-common` is what the
/// check's help asks for).
const PACKAGES: &[(&str, &str)] = &[
    ("openstack-keystone", "keystone"),
    ("openstack-swift", "swift"),
    ("openstack-cinder", "cinder"),
    ("openstack-glance", "glance"),
    ("openstack-neutron", "neutron"),
    ("openstack-heat-common", "heat"),
    ("openstack-ceilometer-common", "ceilometer"),
    ("openstack-dashboard", "horizon"),
    ("openstack-nova-common", "nova"),
];

pub(crate) fn discovery(inventory: &Inventory) -> Discovery {
    let packages: Vec<&str> = PACKAGES.iter().map(|(p, _)| *p).collect();
    let units: Vec<&str> = SERVICES.iter().map(|s| s.name).collect();
    let mut versions: Vec<ProjectVersions> = PACKAGES
        .iter()
        .map(|(_, project)| ProjectVersions {
            project,
            releases: vec![
                span("havana", "2013.2", "2014.1"),
                span("icehouse", "2014.1", "2014.2"),
            ],
            unstated: None,
        })
        .collect();
    for v in &mut versions {
        match v.project {
            "swift" => {
                v.releases = vec![
                    span("havana", "1.10", "1.11"),
                    span("icehouse", "1.13", "1.14"),
                ];
            }
            "nova" => v.unstated = Some(span("havana", "2013.2.2", "2014.1")),
            _ => {}
        }
    }
    Discovery {
        probes: vec![
            os_probe(""),
            Probe {
                id: "packages",
                on: ProbeOn::Hosts,
                reading: Reading::Rpm,
                command: format!(
                    "rpm -q --qf '%{{NAME}} %{{VERSION}}\\n' {}; true",
                    packages.join(" ")
                ),
            },
            unit_states_probe(&units),
            instances_probe(inventory.compute_driver == ComputeDriver::Fake, "mysql"),
            database_probe(
                "mysql",
                &[
                    ("keystone_tokens", "SELECT COUNT(*) FROM keystone.token"),
                    (
                        "nova_instance_actions_events",
                        "SELECT COUNT(*) FROM nova.instance_actions_events",
                    ),
                    ("nova_instances", "SELECT COUNT(*) FROM nova.instances"),
                    ("glance_images", "SELECT COUNT(*) FROM glance.images"),
                    ("cinder_volumes", "SELECT COUNT(*) FROM cinder.volumes"),
                    (
                        "size_gb",
                        "SELECT ROUND(SUM(data_length + index_length) / 1e9, 3) FROM \
                         information_schema.TABLES",
                    ),
                    // Every table counts, migrate_version included: the conversion the plan
                    // runs when this is not true covers them all (reference §4).
                    (
                        "glance_tables_utf8",
                        "SELECT IF(COUNT(*) = 0, NULL, SUM(TABLE_COLLATION NOT LIKE \"utf8%\") \
                         = 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = \"glance\"",
                    ),
                ],
            ),
        ],
        packages: PACKAGES
            .iter()
            .map(|(p, project)| ((*p).to_owned(), *project))
            .collect(),
        distributions: Vec::new(),
        programs: units.iter().map(|u| ((*u).to_owned(), *u)).collect(),
        packaged_release: "havana",
        versions,
        stated_project: "nova",
    }
}
