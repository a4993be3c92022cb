//! The duration model for Zed → 2023.1 with the debian-venv profile.
//!
//! Calibrated on the lab (`lab/e2e.sh`, one controller and three fake-driver computes on a
//! 2-core machine shared with builds): each parameter marked `LAB` is the median of the step's
//! wall time over four runs' journals (12 compute and 4 controller stops and starts). A group
//! stop of the controller's three nova programs took 2.3 s, a compute's 1 s; a start is
//! supervisord's 5 s `startsecs` and a little more; `api_db sync` and `db sync` 3.2 s together on
//! a near-empty database; `nova-status upgrade check` 1.6 s. The first calibration, taken from
//! `upgrade-by-hand.sh` before the lab bounded uwsgi's shutdown, was 2.7x too slow (an estimate
//! of 234 s against 85 to 89 s measured). Row rates for larger databases are estimates, stated
//! so an operator can replace them.
//!
//! The twin's outages are upper bounds: a start counts until supervisord declares the program
//! up, a second or two after the API answers, and a restart counts whole although the API is
//! gone for only part of it.

use stackhop_inventory::Inventory;
use stackhop_model::{Action, Services};

use crate::durations::{DurationModel, Estimate, Parameter};

const LAB: &str = "median of four lab/e2e.sh runs on the lab";

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
                0.01,
                "per host",
                "checks that the 2023.1 release trees exist",
                LAB,
            ),
            p(
                "backup_fixed",
                0.5,
                "per dump",
                "mysqldump of a small cloud's databases",
                LAB,
            ),
            p(
                "backup_per_gb",
                30.0,
                "per GB",
                "mysqldump at about 33 MB/s to local disk",
                "estimate",
            ),
            p(
                "stop_nova",
                1.5,
                "per host",
                "graceful group stop: 2.3 s the controller's three programs, 1 s a compute",
                LAB,
            ),
            p(
                "stop_other",
                1.4,
                "per host",
                "graceful stop of placement's WSGI program",
                LAB,
            ),
            p(
                "start_nova",
                5.6,
                "per host",
                "supervisord's 5 s startsecs; by then the API answers and a compute reports",
                LAB,
            ),
            p(
                "start_other",
                5.8,
                "per host",
                "supervisord's startsecs plus the first answer",
                LAB,
            ),
            p(
                "restart_nova",
                9.5,
                "per host",
                "stop plus start of the controller's nova programs",
                LAB,
            ),
            p(
                "switch_code",
                0.01,
                "per host",
                "re-point the current/ link",
                LAB,
            ),
            p(
                "nova_sync_base",
                3.2,
                "per sync",
                "api_db sync and db sync of a near-empty database",
                LAB,
            ),
            p(
                "nova_instances_per_thousand",
                0.33,
                "per thousand rows",
                "a schema change that rewrites instances and shadow_instances (~3k rows/s)",
                "estimate",
            ),
            p(
                "placement_sync",
                0.45,
                "per sync",
                "placement-manage db sync with nothing to migrate",
                LAB,
            ),
            p(
                "upgrade_check",
                1.6,
                "per run",
                "nova-status upgrade check",
                LAB,
            ),
            p(
                "online_base",
                2.2,
                "per run",
                "online_data_migrations with nothing left to move",
                LAB,
            ),
            p(
                "online_per_thousand_instances",
                1.0,
                "per thousand rows",
                "batches of 50 rows per call, a few ms each",
                "estimate",
            ),
            p("config_change", 0.03, "per host", "one crudini call", LAB),
            p(
                "scheduler_toggle",
                1.0,
                "per host",
                "one openstack CLI call",
                LAB,
            ),
            p(
                "live_migration",
                30.0,
                "per instance",
                "one live migration with shared storage",
                "estimate",
            ),
            p(
                "snapshot_move",
                300.0,
                "per instance",
                "snapshot, boot elsewhere, delete the original",
                "estimate",
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
                "Debian 12 and the 2023.1 venvs on spare hardware",
                "estimate",
            ),
            p(
                "reinstall_host",
                600.0,
                "per host",
                "repurpose an emptied compute into the new nova",
                "estimate",
            ),
            p(
                "health_api",
                1.5,
                "per check",
                "one openstack CLI call",
                LAB,
            ),
            p(
                "health_boot",
                12.4,
                "per check",
                "boot with --wait, then delete with --wait",
                LAB,
            ),
        ],
    }
}

fn thousands(n: Option<u64>) -> f64 {
    n.unwrap_or(0) as f64 / 1_000.0
}

fn is_nova(target: &Services) -> bool {
    match target {
        Services::All => true,
        Services::Named(name) => name == "nova" || name.starts_with("nova-"),
    }
}

pub(crate) fn estimate(model: &DurationModel, action: &Action, inventory: &Inventory) -> Estimate {
    let db = &inventory.database;
    let fanout = model.get("fanout") as u32;
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
    let by_project = |target: &Services, nova: &str, other: &str| {
        per_host(model.get(if is_nova(target) { nova } else { other }))
    };
    match action {
        Action::InstallRepo { .. } => per_host(model.get("install_repo")),
        Action::BackupDatabase { .. } => {
            once(model.get("backup_fixed") + model.get("backup_per_gb") * db.size_gb.unwrap_or(0.1))
        }
        Action::StopService { service, .. } => by_project(service, "stop_nova", "stop_other"),
        Action::StartService { service } => by_project(service, "start_nova", "start_other"),
        Action::RestartService { service } => per_host(if is_nova(service) {
            model.get("restart_nova")
        } else {
            model.get("stop_other") + model.get("start_other")
        }),
        Action::UpgradePackages { .. } => per_host(model.get("switch_code")),
        Action::SyncDatabase { project } => once(match project.as_str() {
            "nova" => {
                model.get("nova_sync_base")
                    + model.get("nova_instances_per_thousand") * thousands(db.nova_instances)
            }
            _ => model.get("placement_sync"),
        }),
        Action::SetConfig { .. } | Action::DeleteConfig { .. } => {
            per_host(model.get("config_change"))
        }
        Action::FlushTokens { .. } | Action::ConvertUtf8 { .. } => once(0.0),
        Action::DisableCompute {} | Action::EnableCompute {} => {
            per_host(model.get("scheduler_toggle"))
        }
        Action::MigrateInstances { mode, .. } => per_host(model.move_instances_s(*mode, inventory)),
        Action::ProvisionHost { .. } => per_host(model.get("provision_host")),
        Action::ReinstallHost { .. } => per_host(model.get("reinstall_host")),
        Action::HealthCheck { capability } => once(if capability == "boot" {
            model.get("health_boot")
        } else {
            model.get("health_api")
        }),
        Action::UpgradeCheck { .. } => once(model.get("upgrade_check")),
        Action::OnlineMigrations { .. } => once(
            model.get("online_base")
                + model.get("online_per_thousand_instances") * thousands(db.nova_instances),
        ),
    }
}
