//! Zed → 2023.1 (Antelope) with the debian-venv profile: Debian bookworm's Zed packages, each
//! project's 2023.1 in a venv of its own, processes under supervisord. Facts come from the code
//! the lab runs (nova 26.2.2 and 27.5.1), `shared/reference/real-lab.md` and nova's 2023.1
//! upgrade documentation; each is cited where it is used.

mod commands;
mod discovery;
mod durations;
mod hazards;
mod keys;
mod levels;
mod paths;
mod procedures;
mod rules;
mod services;
#[cfg(test)]
mod tests;
mod workload;

use std::sync::OnceLock;

use stackhop_inventory::{ComputeDriver, Host, Inventory, Role};
use stackhop_model::{
    Action, CloudState, DbKey, DbState, Global, HostState, RuleBook, ServiceState,
};

use crate::citation::Citation;
use crate::durations::{DurationModel, Estimate};
use crate::finding::Finding;
use crate::procedure::{
    ConfigChange, EventLink, LiveRolling, ParallelDeployment, ProjectProcedure,
};
use crate::render::Rendered;
use crate::scenario::Scenario;
use crate::transition::Transition;

pub(crate) struct ZedAntelope;

fn model() -> &'static DurationModel {
    static MODEL: OnceLock<DurationModel> = OnceLock::new();
    MODEL.get_or_init(durations::model)
}

const UPGRADE_DOCS: &str = "nova 2023.1 upgrade docs";

impl Transition for ZedAntelope {
    fn id(&self) -> &'static str {
        "zed-2023.1/debian-venv"
    }

    fn old_release(&self) -> &'static str {
        "zed"
    }

    fn new_release(&self) -> &'static str {
        "2023.1"
    }

    fn profile(&self) -> &'static str {
        "debian-venv"
    }

    fn version(&self) -> &'static str {
        "zed-2023.1/debian-venv@1"
    }

    fn assumed_os(&self) -> &'static str {
        // the profile takes Zed from Debian bookworm's packages.
        "debian-12"
    }

    fn service_names(&self) -> Vec<&'static str> {
        services::SERVICES.iter().map(|s| s.name).collect()
    }

    fn path_keys(&self) -> &'static [&'static str] {
        paths::KEYS
    }

    fn hosts_share_one_machine(&self, inventory: &Inventory) -> bool {
        paths::Paths::of(inventory).host_root.contains("{host}")
    }

    fn discovery(&self, inventory: &Inventory) -> crate::Discovery {
        discovery::discovery(inventory)
    }

    fn host_services(&self, _inventory: &Inventory, host: &Host) -> Vec<&'static str> {
        services::host_services(host)
    }

    fn rules(&self, inventory: &Inventory) -> RuleBook {
        rules::rule_book(inventory)
    }

    fn initial_state(&self, inventory: &Inventory, rules: &RuleBook) -> CloudState {
        // A Zed control plane with older computes works today only because it is pinned
        // already. Asked once: per host, it made the initial state quadratic in the hosts.
        let older_computes = inventory.hosts.iter().any(|h| {
            h.has_role(Role::Compute) && levels::nova_level(h.nova_version.as_ref()) < levels::ZED
        });
        let hosts = inventory
            .hosts
            .iter()
            .map(|h| host_state(inventory, rules, h, older_computes))
            .collect();
        let mut global = Global::default();
        for (i, project) in rules.projects.iter().enumerate() {
            let used = inventory
                .hosts
                .iter()
                .any(|h| services::host_projects(h).contains(&project.name.as_str()));
            if !used {
                continue;
            }
            // The previous upgrade finished its online data migrations: 2023.1's `db sync`
            // refuses to run otherwise.
            global.databases.insert(
                DbKey {
                    project: u16::try_from(i).unwrap_or(0),
                    env: 0,
                },
                DbState {
                    schema: 0,
                    utf8: true,
                    tokens_flushed: true,
                    backed_up: false,
                    online_pending: false,
                },
            );
        }
        CloudState::from_hosts(global, hosts)
    }

    fn preflight(&self, inventory: &Inventory, _scenario: Scenario) -> Vec<Finding> {
        hazards::preflight(inventory)
    }

    fn procedures(&self, inventory: &Inventory) -> Vec<ProjectProcedure> {
        procedures::procedures(inventory)
    }

    fn prepare_config(&self, _inventory: &Inventory) -> Vec<ConfigChange> {
        Vec::new()
    }

    fn live(&self, _inventory: &Inventory) -> LiveRolling {
        procedures::live()
    }

    fn parallel(&self, _inventory: &Inventory) -> ParallelDeployment {
        procedures::parallel()
    }

    fn event_links(&self, _inventory: &Inventory) -> Vec<EventLink> {
        procedures::event_links()
    }

    fn capability_of(&self, project: &str) -> Option<&'static str> {
        procedures::capability_of(project)
    }

    fn secret_variables(&self) -> &'static [&'static str] {
        // The admin credentials the API commands source from `admin_rc`.
        &["OS_PASSWORD"]
    }

    fn final_upgrade(&self) -> bool {
        // Each venv brings its own client libraries; Debian's stay as they are.
        false
    }

    fn cite(&self, citation: Citation) -> &'static str {
        match citation {
            Citation::Backup => "nova 2023.1 upgrade docs: back up before the schema syncs",
            Citation::NewCode => "openstack-ansible: one venv per project and release, built ahead",
            Citation::UpgradeEverything => "switch every project's code link on every host",
            Citation::FinalUpgrade | Citation::LiveFinalOthers | Citation::ParallelFinalOthers => {
                "the venvs bring their own libraries"
            }
            Citation::LiveStopControllers
            | Citation::LiveUpgradeControllers
            | Citation::LiveStartPinned
            | Citation::LiveBatch
            | Citation::LiveUnpin => UPGRADE_DOCS,
            Citation::ParallelDeploy
            | Citation::ParallelDatabase
            | Citation::ParallelMove
            | Citation::ParallelReinstall => "a second nova region on spare hardware",
            Citation::OfflineOrLive => UPGRADE_DOCS,
        }
    }

    fn render(&self, action: &Action, inventory: &Inventory) -> Rendered {
        commands::render(action, inventory)
    }

    fn durations(&self) -> &DurationModel {
        model()
    }

    fn estimate(&self, action: &Action, inventory: &Inventory) -> Estimate {
        durations::estimate(model(), action, inventory)
    }

    fn workload(&self, inventory: &Inventory) -> Vec<(&'static str, f64)> {
        workload::defaults(inventory)
    }

    fn risk_notes(&self, scenario: Scenario, _inventory: &Inventory) -> Vec<&'static str> {
        match scenario {
            Scenario::AllAtOnce => vec![
                "every nova and placement service is down together; simple, and nothing runs \
                 mixed",
            ],
            Scenario::ServiceByService => {
                vec!["placement, then nova; nova's API and every compute are down for nova's part"]
            }
            Scenario::ParallelCompute => vec![
                "needs spare hosts and a second region; instances move by live migration or \
                 snapshot",
            ],
            Scenario::LiveCompute => vec![
                "upstream's rolling upgrade: the API is down only while the controllers switch \
                 and sync; `compute = auto` keeps Zed computes working meanwhile",
            ],
        }
    }
}

fn host_state(
    inventory: &Inventory,
    rules: &RuleBook,
    host: &Host,
    older_computes: bool,
) -> HostState {
    let spare = host.roles.contains(&Role::Spare) && host.roles.len() == 1;
    let nova = levels::nova_level(host.nova_version.as_ref());
    let mut services: Vec<ServiceState> = services::host_services(host)
        .into_iter()
        .filter_map(|name| {
            let id = rules.service_id(name)?;
            let installed = if name == "nova-compute" {
                nova
            } else {
                levels::ZED
            };
            Some(ServiceState {
                id,
                installed,
                running: Some(installed),
                enabled: true,
                stale: false,
                retired: false,
            })
        })
        .collect();
    services.sort();
    let mut config = std::collections::BTreeMap::new();
    if inventory.compute_driver == ComputeDriver::Fake && host.has_role(Role::Compute) {
        config.insert(keys::compute_driver(), keys::FAKE_DRIVER.to_owned());
    }
    if older_computes && host.has_role(Role::Controller) {
        config.insert(keys::compute_pin(), "auto".to_owned());
    }
    HostState {
        env: 0,
        repo: 0,
        // The new release's libraries come with its venvs: nothing to upgrade on the host.
        clients: 1,
        provisioned: !spare,
        instances: host.instances,
        disrupted: 0,
        services,
        config,
    }
}
