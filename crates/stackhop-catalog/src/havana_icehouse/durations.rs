//! The duration model for Havana → Icehouse on RDO.
//!
//! Calibration (reference §5): CERN's Nova API was down about six hours for thousands of VMs and
//! hypervisors, offline backups and schema migrations included; a modern upgrader takes two to
//! three minutes per control-plane application (stop + package upgrade + start here: 165 s).
//!
//! Checked with `stackhop compare --example large` (2,000 computes, 120 M instance-action events,
//! seed 0): service-by-service keeps Nova's API down 2 h 05 min, 1 h 59 min of it for Nova itself
//! (stop, a 1 h 49 min schema migration estimated, start); the computes' package upgrade runs
//! during the migration. stackhop's plans take the backup (1 h 36 min of every database here)
//! online before any outage; counted inside the outage, as CERN took it, that is about 3 h 35
//! min, some 40% short of CERN's six hours: the row rates are estimates, and CERN's order of work
//! is not known in that detail. Swift, cinder and glance (at the example's sizes) are down 3 to 6
//! minutes each; horizon's dashboard stays up.
//! Database row rates are kept consistent with Nova's: ~20k narrow rows/s, ~3k wide rows/s.

use stackhop_inventory::Inventory;
use stackhop_model::Action;

use crate::durations::{DurationModel, Estimate, Parameter};

pub(crate) fn model() -> DurationModel {
    let p = Parameter::new;
    DurationModel {
        params: vec![
            p(
                "fanout",
                25.0,
                "hosts at once",
                "hosts one step works on concurrently",
                "stackhop default",
            ),
            p(
                "install_repo",
                45.0,
                "per host",
                "release rpm and openstack-utils from a near mirror",
                "estimate",
            ),
            p(
                "backup_fixed",
                30.0,
                "per dump",
                "mysqldump start-up and lock",
                "estimate",
            ),
            p(
                "backup_per_gb",
                30.0,
                "per GB",
                "mysqldump at about 33 MB/s to local disk",
                "calibrated on CERN's several-hour backups (§5)",
            ),
            p(
                "nova_share_of_db",
                0.8,
                "fraction",
                "nova holds most of the rows of a large cloud",
                "estimate",
            ),
            p(
                "stop_service",
                15.0,
                "per host",
                "graceful stop of a host's services",
                "estimate",
            ),
            p(
                "start_service",
                30.0,
                "per host",
                "start and first report to the bus",
                "estimate",
            ),
            p(
                "restart_service",
                40.0,
                "per host",
                "stop plus start",
                "estimate",
            ),
            p(
                "upgrade_project",
                120.0,
                "per host",
                "yum upgrade of one project's 20-40 packages",
                "2-3 min per application (§5)",
            ),
            p(
                "upgrade_all",
                420.0,
                "per host",
                "a full yum upgrade: clients, libraries, maybe a kernel",
                "estimate",
            ),
            p(
                "sync_base",
                30.0,
                "per project",
                "a schema migration with small tables",
                "estimate",
            ),
            p(
                "keystone_per_million_tokens",
                6.0,
                "per million tokens in the inventory",
                "every plan flushes the tokens first, so the sync migrates only the unexpired ones: \
                 taken as a tenth of the table (keystone's Havana default [token] expiration is a \
                 day, and an unpurged table holds weeks), at 60 s per million rows, the rate of an \
                 unflushed table",
                "rhos5: a large token table dramatically slows the migration, hence the flush \
                 (§5); the one-day default is keystone's, not the reference's; the tenth is an \
                 estimate",
            ),
            p(
                "flush_per_million_tokens",
                20.0,
                "per million tokens",
                "token_flush deletes expired rows in bulk",
                "estimate",
            ),
            p(
                "nova_events_per_million",
                50.0,
                "per million rows",
                "migration 230 copies instance_actions_events and its shadow (~20k rows/s)",
                "calibrated on CERN's six-hour outage (§5)",
            ),
            p(
                "nova_instances_per_thousand",
                0.33,
                "per thousand rows",
                "migration 231 alters instances and shadow_instances (~3k rows/s)",
                "estimate",
            ),
            p(
                "glance_per_thousand_images",
                3.0,
                "per thousand images",
                "the utf8 conversion copies every glance table, and the migrations touch images \
                 and their properties: ~8 rows per image at ~3k wide rows/s, the row rate of \
                 Nova's migration 231",
                "estimate, consistent with the Nova rates calibrated on CERN (§5)",
            ),
            p(
                "cinder_per_thousand_volumes",
                1.0,
                "per thousand volumes",
                "cinder migrations over volumes, their metadata and snapshots: ~3 wide rows per \
                 volume at ~3k rows/s",
                "estimate, consistent with the Nova rates calibrated on CERN (§5)",
            ),
            p(
                "neutron_per_thousand_ports",
                0.5,
                "per thousand ports",
                "neutron alembic migrations over ports and their bindings and allocations: ~10 \
                 narrow rows per port at ~20k rows/s",
                "estimate, consistent with the Nova rates calibrated on CERN (§5)",
            ),
            p(
                "config_change",
                3.0,
                "per host",
                "one openstack-config call",
                "estimate",
            ),
            p(
                "scheduler_toggle",
                5.0,
                "per host",
                "nova service-disable / service-enable",
                "estimate",
            ),
            p(
                "live_migration",
                60.0,
                "per instance",
                "one live migration with shared storage",
                "estimate",
            ),
            p(
                "snapshot_move",
                300.0,
                "per instance",
                "snapshot, boot elsewhere, reassign floating IP",
                "upgrade-3.md procedure",
            ),
            p(
                "wait_empty",
                3600.0,
                "per host",
                "owners move their instances themselves",
                "estimate",
            ),
            p(
                "provision_host",
                1800.0,
                "per host",
                "OS install and Icehouse packages on spare hardware",
                "estimate",
            ),
            p(
                "reinstall_host",
                600.0,
                "per host",
                "repurpose an emptied compute into the new Nova",
                "estimate",
            ),
            p(
                "health_check",
                10.0,
                "per check",
                "one API call",
                "estimate",
            ),
        ],
    }
}

fn millions(n: Option<u64>) -> f64 {
    n.unwrap_or(0) as f64 / 1_000_000.0
}

fn thousands(n: Option<u64>) -> f64 {
    n.unwrap_or(0) as f64 / 1_000.0
}

pub(crate) fn estimate(model: &DurationModel, action: &Action, inventory: &Inventory) -> Estimate {
    let db = &inventory.database;
    let fanout = inventory
        .options
        .fanout
        .unwrap_or(model.get("fanout") as u32);
    let per_host = |s: f64| Estimate {
        per_host_s: s,
        once_s: 0.0,
        fanout,
    };
    let once = |s: f64| Estimate {
        per_host_s: 0.0,
        once_s: s,
        fanout,
    };
    match action {
        Action::InstallRepo { .. } => per_host(model.get("install_repo")),
        Action::BackupDatabase { project } => {
            let gb = db.size_gb.unwrap_or(1.0);
            let share = match project.as_deref() {
                None => 1.0,
                Some("nova") => model.get("nova_share_of_db"),
                Some(_) => (1.0 - model.get("nova_share_of_db")) / 4.0,
            };
            once(model.get("backup_fixed") + model.get("backup_per_gb") * gb * share)
        }
        Action::StopService { .. } => per_host(model.get("stop_service")),
        Action::StartService { .. } => per_host(model.get("start_service")),
        Action::RestartService { .. } => per_host(model.get("restart_service")),
        Action::UpgradePackages { project, .. } => per_host(if project.is_some() {
            model.get("upgrade_project")
        } else {
            model.get("upgrade_all")
        }),
        Action::SyncDatabase { project } => {
            let base = model.get("sync_base");
            once(match project.as_str() {
                "keystone" => {
                    base + model.get("keystone_per_million_tokens") * millions(db.keystone_tokens)
                }
                "nova" => {
                    base + model.get("nova_events_per_million")
                        * millions(db.nova_instance_actions_events)
                        + model.get("nova_instances_per_thousand") * thousands(db.nova_instances)
                }
                "glance" => {
                    base + model.get("glance_per_thousand_images") * thousands(db.glance_images)
                }
                "cinder" => {
                    base + model.get("cinder_per_thousand_volumes") * thousands(db.cinder_volumes)
                }
                "neutron" => {
                    base + model.get("neutron_per_thousand_ports") * thousands(db.neutron_ports)
                }
                _ => base,
            })
        }
        Action::SetConfig { .. } | Action::DeleteConfig { .. } => {
            per_host(model.get("config_change"))
        }
        Action::FlushTokens { .. } => once(
            model.get("sync_base")
                + model.get("flush_per_million_tokens") * millions(db.keystone_tokens),
        ),
        Action::ConvertUtf8 { .. } => once(
            model.get("sync_base")
                + model.get("glance_per_thousand_images") * thousands(db.glance_images),
        ),
        Action::DisableCompute {} | Action::EnableCompute {} => {
            per_host(model.get("scheduler_toggle"))
        }
        Action::MigrateInstances { mode, .. } => per_host(model.move_instances_s(*mode, inventory)),
        Action::ProvisionHost { .. } => per_host(model.get("provision_host")),
        Action::ReinstallHost { .. } => per_host(model.get("reinstall_host")),
        Action::HealthCheck { .. }
        | Action::UpgradeCheck { .. }
        | Action::OnlineMigrations { .. } => once(model.get("health_check")),
    }
}
