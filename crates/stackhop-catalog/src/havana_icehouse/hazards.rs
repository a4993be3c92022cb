//! Pre-flight findings specific to Havana → Icehouse on RDO.

use stackhop_inventory::{Host, Inventory, Network, OsFamily, Role, RpcBackend};

use super::levels::accepts_compat;
use super::services;
use crate::finding::{Finding, Severity};
use crate::hostlist::collapse_hosts;
use crate::scenario::Scenario;

fn names(hosts: &[&Host]) -> String {
    let names: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
    collapse_hosts(&names)
}

pub(crate) fn preflight(inventory: &Inventory, scenario: Scenario) -> Vec<Finding> {
    let mut out = Vec::new();
    os_findings(inventory, &mut out);
    nova_versions(inventory, scenario, &mut out);
    database(inventory, scenario, &mut out);
    messaging(inventory, scenario, &mut out);
    events(inventory, scenario, &mut out);
    uncovered_projects(inventory, &mut out);
    always(inventory, &mut out);
    out
}

fn os_findings(inventory: &Inventory, out: &mut Vec<Finding>) {
    let too_old: Vec<&Host> = inventory
        .hosts
        .iter()
        .filter(|h| match h.os.family {
            OsFamily::Centos | OsFamily::Rhel | OsFamily::Scientific => {
                (h.os.major, h.os.minor.unwrap_or(0)) < (6, 5)
            }
            OsFamily::Fedora => h.os.major < 20,
            _ => false,
        })
        .collect();
    if !too_old.is_empty() {
        out.push(
            Finding::new(
                "os-below-icehouse-minimum",
                Severity::Error,
                names(&too_old),
            )
            .message(format!(
                "{} host(s) run an OS older than RDO Icehouse supports (RHEL 6.5 or an \
                     equivalent, or Fedora 20)",
                too_old.len()
            ))
            .help("update these hosts to EL 6.5 (yum update) or Fedora 20 before the window")
            .source("reference §4, RDO Icehouse Quickstart"),
        );
    }
    let foreign: Vec<&Host> = inventory
        .hosts
        .iter()
        .filter(|h| matches!(h.os.family, OsFamily::Debian | OsFamily::Ubuntu))
        .collect();
    if !foreign.is_empty() {
        out.push(
            Finding::new("os-not-rdo", Severity::Error, names(&foreign))
                .message("RDO packages are built for RHEL, its derivatives and Fedora only")
                .help("describe these hosts with their real OS, or use a profile for their distribution")
                .source("reference §4"),
        );
    }
    let el7: Vec<&Host> = inventory
        .hosts
        .iter()
        .filter(|h| {
            matches!(
                h.os.family,
                OsFamily::Centos | OsFamily::Rhel | OsFamily::Scientific
            ) && h.os.major >= 7
                && !h.roles.contains(&Role::Spare)
        })
        .collect();
    if !el7.is_empty() {
        out.push(
            Finding::new("os-not-a-havana-platform", Severity::Warning, names(&el7))
                .message("RDO Havana was published for EL6 and Fedora; these hosts claim EL7")
                .help("check the OS these hosts really run; the inventory must describe today's cloud")
                .source("reference §4, RDO Havana Quickstart"),
        );
    }
    let el6 = inventory.hosts.iter().any(|h| {
        matches!(
            h.os.family,
            OsFamily::Centos | OsFamily::Rhel | OsFamily::Scientific
        ) && h.os.major == 6
    });
    if el6 {
        out.push(
            Finding::new("el6-ends-at-icehouse", Severity::Info, "base OS")
                .message(
                    "Icehouse is the last RDO release on EL6 and there is no in-place EL6 to \
                          EL7 upgrade",
                )
                .help(
                    "plan the move to EL7 after this upgrade; the live-compute scenario lets \
                       you rebuild computes one at a time",
                )
                .source("reference §4, rhos6 rhel6-rhel7.md and CERN"),
        );
    }
}

fn nova_versions(inventory: &Inventory, scenario: Scenario, out: &mut Vec<Finding>) {
    let nova_hosts: Vec<&Host> = inventory
        .hosts
        .iter()
        .filter(|h| {
            services::host_services(inventory, h)
                .iter()
                .any(|s| s.starts_with("openstack-nova"))
        })
        .collect();
    let not_havana: Vec<&Host> = nova_hosts
        .iter()
        .copied()
        .filter(|h| {
            h.nova_version
                .as_ref()
                .is_some_and(|v| v.parts.get(..2) != Some(&[2013, 2]))
        })
        .collect();
    if !not_havana.is_empty() {
        out.push(
            Finding::new(
                "nova-version-not-havana",
                Severity::Error,
                names(&not_havana),
            )
            .message("nova_version is not a Havana (2013.2.x) release")
            .help(
                "set nova_version to what `rpm -q openstack-nova-common` reports, or bring \
                       these hosts to Havana first",
            )
            .source("reference §2"),
        );
    }
    let computes: Vec<&Host> = nova_hosts
        .iter()
        .copied()
        .filter(|h| h.has_role(Role::Compute))
        .collect();
    let old: Vec<&Host> = computes
        .iter()
        .copied()
        .filter(|h| {
            h.nova_version
                .as_ref()
                .is_some_and(|v| v.parts.get(..2) == Some(&[2013, 2]) && !accepts_compat(v))
        })
        .collect();
    if scenario == Scenario::LiveCompute && !old.is_empty() {
        out.push(
            Finding::new("live-compute-old-nova", Severity::Error, names(&old))
                .message(format!(
                    "{} compute(s) run nova older than 2013.2.2 and cannot accept the compute RPC \
                     3.0 messages that pinned Icehouse controllers send",
                    old.len()
                ))
                .help(
                    "yum update openstack-nova-compute to the latest Havana (2013.2.3 or later) \
                       on these computes first, or choose an offline scenario",
                )
                .source("reference §2, stable/havana a7e2a411 and 2c63cae9 (bug 1258253)"),
        );
    }
    let unknown = nova_hosts
        .iter()
        .filter(|h| h.nova_version.is_none())
        .count();
    if unknown > 0 && scenario == Scenario::LiveCompute {
        out.push(
            Finding::new(
                "nova-version-assumed",
                Severity::Info,
                format!("{unknown} nova host(s)"),
            )
            .message(
                "nova_version is not given; stackhop assumes the latest Havana stable \
                          release, which accepts compute RPC 3.0",
            )
            .help("add nova_version (rpm -q openstack-nova-common) so the check can prove it")
            .source("reference §2"),
        );
    }
}

fn database(inventory: &Inventory, scenario: Scenario, out: &mut Vec<Finding>) {
    let db = &inventory.database;
    match db.glance_tables_utf8 {
        Some(false) => out.push(
            Finding::new(
                "glance-tables-not-utf8",
                Severity::Warning,
                "glance database",
            )
            .message(
                "the glance tables are not utf8, and Icehouse glance refuses to migrate \
                          them (\"Tables ... have non utf8 collation\")",
            )
            .help(
                "nothing to do: the plan converts them with ALTER TABLE ... CONVERT TO \
                       CHARACTER SET utf8 before glance's sync",
            )
            .source("reference §4, Glance LP 1279000"),
        ),
        None => out.push(
            Finding::new(
                "glance-tables-utf8-unknown",
                Severity::Info,
                "glance database",
            )
            .message("the inventory does not say whether the glance tables are utf8")
            .help(
                "the plan converts any table that is not utf8 before glance's sync; set \
                       database.glance_tables_utf8 to skip that step",
            )
            .source("reference §4, Glance LP 1279000"),
        ),
        Some(true) => {}
    }
    let tokens = db.keystone_tokens.unwrap_or(0);
    if tokens > 1_000_000 {
        let minutes = (30.0 + 20.0 * tokens as f64 / 1e6) / 60.0;
        out.push(
            Finding::new(
                "keystone-token-table-large",
                Severity::Warning,
                "keystone database",
            )
            .message(format!(
                "{:.1} million tokens: an unflushed token table makes keystone's schema \
                     upgrade much slower",
                tokens as f64 / 1e6
            ))
            .help(format!(
                "the plan runs keystone-manage token_flush before the sync (about {minutes:.0} \
                     min); running it the day before shortens the window"
            ))
            .source("reference §1 rhos5 upgrade-keystone.md, §5"),
        );
    }
    let events = db.nova_instance_actions_events.unwrap_or(0);
    if scenario != Scenario::ParallelCompute && events > 10_000_000 {
        out.push(
            Finding::new("nova-tables-large", Severity::Warning, "nova database")
                .message(format!(
                    "{:.0} million instance action events: Icehouse migration 230 rewrites that \
                     table and its shadow while Nova's API is down",
                    events as f64 / 1e6
                ))
                .help(
                    "archive deleted rows (nova-manage db archive_deleted_rows) before the window, \
                       or use parallel-compute, which needs no migration of the old database",
                )
                .source("reference §4 (Nova schema), §5 (CERN)"),
        );
    }
    if inventory.network == Network::Neutron {
        out.push(
            Finding::new("neutron-db-stamp", Severity::Info, "neutron database")
                .message(
                    "a Neutron database created without alembic stamping must be stamped \
                          havana before `upgrade head`",
                )
                .help(
                    "nothing to do: the plan stamps it only if `neutron-db-manage current` shows \
                       no revision",
                )
                .source("reference §4"),
        );
    }
}

fn messaging(inventory: &Inventory, scenario: Scenario, out: &mut Vec<Finding>) {
    if inventory.rpc_backend != RpcBackend::Qpid {
        return;
    }
    out.push(
        Finding::new("qpid-default-changed", Severity::Warning, "rpc_backend")
            .message(
                "RDO Icehouse packages default to RabbitMQ; a service that relied on the \
                      Havana dist.conf qpid default would leave the bus",
            )
            .help(
                "nothing to do: the plan sets rpc_backend explicitly in nova.conf, neutron.conf \
                   and glance-api.conf before any Icehouse service starts; move to RabbitMQ later \
                   with qpid-to-rabbitmq.md",
            )
            .source("reference §4 (nova-dist.conf e203465, neutron-dist.conf 47874a0)"),
    );
    if scenario == Scenario::LiveCompute {
        out.push(
            Finding::new(
                "qpid-topology-version",
                Severity::Info,
                "qpid_topology_version",
            )
            .message(
                "Havana defaults to qpid_topology_version=1 and version 2 needs a clean \
                          break; controllers and computes must agree while they are mixed",
            )
            .help("leave it unset everywhere, or set the same value on every host")
            .source("reference §4"),
        );
    }
}

fn events(inventory: &Inventory, scenario: Scenario, out: &mut Vec<Finding>) {
    if inventory.network != Network::Neutron {
        out.push(
            Finding::new("nova-network-no-events", Severity::Info, "network")
                .message("with nova-network, Icehouse computes do not wait for port events")
                .help("nothing to do")
                .source("reference §3"),
        );
        return;
    }
    out.push(
        Finding::new("neutron-notify-options", Severity::Info, "neutron.conf")
            .message(
                "the original documents misspell the option as notify_nova_port_status_change; \
                      without the real notify_nova_on_port_status_changes new boots fail",
            )
            .help(
                "nothing to do: the plan sets notify_nova_on_port_status_changes, \
                   notify_nova_on_port_data_changes and the nova_admin_* credentials; export \
                   NOVA_ADMIN_PASSWORD and SERVICE_TENANT_ID for it",
            )
            .source("reference §3, §6"),
    );
    if scenario == Scenario::LiveCompute {
        out.push(
            Finding::new("live-event-cap", Severity::Warning, "nova-api pin")
                .message(
                    "while nova-api is pinned to icehouse-compat (3.0) it cannot pass \
                          Neutron's events to computes (external_instance_event is RPC 3.23), so \
                          an upgraded compute with vif_plugging_is_fatal=True fails every boot",
                )
                .help(
                    "nothing to do: the plan sets vif_plugging_is_fatal=False and \
                       vif_plugging_timeout=0 on each compute as it is upgraded and restores the \
                       defaults after the pin is removed",
                )
                .source("reference §3 (Inference; the RDO test harness ran without Neutron)"),
        );
    }
}

fn uncovered_projects(inventory: &Inventory, out: &mut Vec<Finding>) {
    let hosts: Vec<&Host> = inventory
        .hosts
        .iter()
        .filter(|h| {
            services::host_services(inventory, h)
                .iter()
                .any(|s| s.contains("heat") || s.contains("ceilometer"))
        })
        .collect();
    if !hosts.is_empty() {
        out.push(
            Finding::new(
                "heat-ceilometer-not-covered",
                Severity::Warning,
                names(&hosts),
            )
            .message("the RDO Havana to Icehouse documents do not cover Heat or Ceilometer")
            .help(
                "the plan upgrades them like the others (heat-manage db_sync, \
                       ceilometer-dbsync); rehearse on a copy of their databases first",
            )
            .source("reference §1 (database-upgrades.md)"),
        );
    }
}

fn always(inventory: &Inventory, out: &mut Vec<Finding>) {
    if inventory
        .hosts
        .iter()
        .any(|h| services::host_services(inventory, h).contains(&"httpd"))
    {
        out.push(
            Finding::new("horizon-local-settings", Severity::Info, "local_settings")
                .message(
                    "Icehouse Horizon needs ALLOWED_HOSTS and the _member_ default role; its \
                          local_settings.rpmnew carries other new defaults",
                )
                .help(
                    "the plan sets both; afterwards merge local_settings.rpmnew, keeping \
                       SECRET_KEY and OPENSTACK_HOST, and narrow ALLOWED_HOSTS",
                )
                .source("reference §1 (upgrade-horizon.md), §5"),
        );
    }
    out.push(
        Finding::new(
            "final-upgrade-kernel",
            Severity::Info,
            "final package upgrade",
        )
        .message("the final yum upgrade may install a new kernel; stackhop never reboots a host")
        .help("reboot hosts later, computes only once their instances have moved")
        .source("reference §1 (final-package-upgrade.md)"),
    );
}
