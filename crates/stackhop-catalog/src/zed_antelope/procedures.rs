//! How each scenario is carried out for Zed → 2023.1: placement first, then nova with its gate,
//! its two schema syncs, `compute = auto` and its online data migrations.
//!
//! Sources: nova's and placement's upgrade documentation for 2023.1 ("Upgrades": placement
//! before nova; controllers before computes with `[upgrade_levels] compute = auto`; online data
//! migrations once every service runs the new release), `nova-status upgrade check` exit codes
//! (0 success, 1 warning, 2 failure), and the lab run recorded in real-lab.md.

use stackhop_inventory::{ComputeDriver, Inventory};
use stackhop_model::{Action, ConfigKey};

use super::keys;
use crate::procedure::{
    ConfigChange, EventLink, HostSelector, LiveRolling, ParallelDeployment, ProjectProcedure,
    ProjectStyle,
};

const UPGRADE_DOCS: &str = "nova 2023.1 upgrade docs";

fn stop_upgrade_start(project: &'static str, service: &'static str) -> ProjectProcedure {
    ProjectProcedure {
        project,
        packages: project,
        style: ProjectStyle::StopUpgradeStart,
        before_stop: Vec::new(),
        before_sync: Vec::new(),
        sync_on: Some(service),
        after_all: Vec::new(),
        config: Vec::new(),
        restart: Vec::new(),
        health: None,
        source: UPGRADE_DOCS,
    }
}

pub(crate) fn procedures(inventory: &Inventory) -> Vec<ProjectProcedure> {
    let mut placement = stop_upgrade_start("placement", "placement-api");
    placement.source = "placement and nova upgrade docs: placement first";

    let mut nova = stop_upgrade_start("nova", "nova-api");
    nova.health = Some("compute_api");
    nova.before_stop.push((
        Action::UpgradeCheck {
            project: "nova".to_owned(),
        },
        "nova-status upgrade check of the new release, against the running cloud: exit 0 or 1 \
         (warnings) lets the upgrade go on, 2 stops it before anything changed (nova-status(1))"
            .to_owned(),
    ));
    nova.after_all.push((
        Action::OnlineMigrations {
            project: "nova".to_owned(),
        },
        "every nova service runs 2023.1: move the remaining rows to the new format, repeated \
         until nothing is left; the next upgrade's schema sync refuses to run before (nova \
         2023.1 upgrade docs, nova-manage(1))"
            .to_owned(),
    ));
    if inventory.compute_driver == ComputeDriver::Fake {
        nova.config.push(ConfigChange::set(
            HostSelector::ProjectHypervisor("nova"),
            keys::compute_driver(),
            keys::FAKE_DRIVER_STABLE,
            "nova 2023.1's fake.FakeDriver makes up a node UUID at every start and the compute \
             dies on the duplicate node record; the stable class does not exist in Zed, so it is \
             switched between the stop and the start on 2023.1 (real-lab.md pitfall 5)",
        ));
    }
    vec![placement, nova]
}

pub(crate) fn live() -> LiveRolling {
    let pin = |hosts: HostSelector, reason: &str| {
        ConfigChange::set(hosts, keys::compute_pin(), "auto", reason)
    };
    LiveRolling {
        project: "nova",
        pin: vec![pin(
            HostSelector::ProjectControl("nova"),
            "2023.1 controllers must speak compute RPC 6.1 while Zed computes remain; `auto` \
             follows the oldest compute's service version (nova 2023.1 upgrade docs)",
        )],
        pin_hypervisors: vec![pin(
            HostSelector::ProjectHypervisor("nova"),
            "instances migrate between Zed and 2023.1 computes, so the computes follow the \
             oldest compute too (nova 2023.1 upgrade docs)",
        )],
        between: Vec::new(),
        while_pinned: Vec::new(),
        pin_stays: true,
    }
}

pub(crate) fn parallel() -> ParallelDeployment {
    let db = |section: &str, database: &str| {
        ConfigChange::set(
            HostSelector::ProjectControl("nova"),
            ConfigKey::new(keys::NOVA_CONF, section, "connection"),
            &format!("mysql+pymysql://nova:$NOVA_DBPASS@$DB_HOST/{database}"),
            "the parallel nova has its own API and cell databases",
        )
    };
    let transport = |hosts: HostSelector| {
        ConfigChange::set(
            hosts,
            ConfigKey::new(keys::NOVA_CONF, "DEFAULT", "transport_url"),
            "rabbit://nova:$RABBIT_PASS@$RABBIT_HOST:5672/nova_antelope",
            "the parallel nova talks on its own message bus vhost",
        )
    };
    ParallelDeployment {
        project: "nova",
        env: 1,
        controller_services: vec!["nova-api", "nova-conductor", "nova-scheduler"],
        hypervisor_services: vec!["nova-compute"],
        env_config: vec![
            db("api_database", "nova_api_antelope"),
            db("database", "nova_antelope"),
            transport(HostSelector::ProjectControl("nova")),
            transport(HostSelector::ProjectHypervisor("nova")),
        ],
        region: keys::PARALLEL_REGION,
    }
}

/// Neutron's port events reach nova through its API and compute RPC, which `auto` caps for
/// the computes that still run Zed: nothing to switch for this hop.
pub(crate) fn event_links() -> Vec<EventLink> {
    Vec::new()
}

pub(crate) fn capability_of(project: &str) -> Option<&'static str> {
    match project {
        "nova" => Some("compute_api"),
        _ => None,
    }
}
