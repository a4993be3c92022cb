//! Havana → Icehouse on RDO: the transition this project was founded for.
//! Every fact comes from `shared/reference/havana-to-icehouse.md`; section numbers are cited
//! where each is used.

mod commands;
mod discovery;
mod durations;
mod events;
mod hazards;
mod keys;
mod levels;
mod procedures;
mod rules;
mod services;
#[cfg(test)]
mod tests;
mod workload;

use std::sync::OnceLock;

use stackhop_inventory::{Host, Inventory, Network, Role};
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

pub(crate) struct HavanaIcehouse;

fn model() -> &'static DurationModel {
    static MODEL: OnceLock<DurationModel> = OnceLock::new();
    MODEL.get_or_init(durations::model)
}

impl Transition for HavanaIcehouse {
    fn id(&self) -> &'static str {
        "havana-icehouse/rdo"
    }

    fn old_release(&self) -> &'static str {
        "havana"
    }

    fn new_release(&self) -> &'static str {
        "icehouse"
    }

    fn profile(&self) -> &'static str {
        "rdo"
    }

    fn version(&self) -> &'static str {
        "havana-icehouse/rdo@1"
    }

    fn assumed_os(&self) -> &'static str {
        // reference §4: the RHEL procedure assumes RHEL 6.5 or a derivative on every node.
        "centos-6.5"
    }

    fn service_names(&self) -> Vec<&'static str> {
        services::SERVICES.iter().map(|s| s.name).collect()
    }

    fn discovery(&self, inventory: &Inventory) -> crate::Discovery {
        discovery::discovery(inventory)
    }

    fn host_services(&self, inventory: &Inventory, host: &Host) -> Vec<&'static str> {
        services::host_services(inventory, host)
    }

    fn rules(&self, inventory: &Inventory) -> RuleBook {
        rules::rule_book(inventory)
    }

    fn initial_state(&self, inventory: &Inventory, rules: &RuleBook) -> CloudState {
        let hosts = inventory
            .hosts
            .iter()
            .map(|h| host_state(inventory, rules, h))
            .collect();
        let mut global = Global::default();
        for (i, project) in rules.projects.iter().enumerate() {
            let used = inventory.hosts.iter().any(|h| {
                services::host_services(inventory, h)
                    .iter()
                    .any(|s| services::project_of(s) == Some(project.name.as_str()))
            });
            if !project.has_db || !used {
                continue;
            }
            let utf8 = match project.name.as_str() {
                "glance" => inventory.database.glance_tables_utf8.unwrap_or(false),
                "neutron" => inventory.database.neutron_tables_utf8.unwrap_or(true),
                _ => true,
            };
            let key = DbKey {
                project: u16::try_from(i).unwrap_or(0),
                env: 0,
            };
            global.databases.insert(
                key,
                DbState {
                    schema: 0,
                    utf8,
                    tokens_flushed: project.name != "keystone",
                    backed_up: false,
                    online_pending: false,
                },
            );
        }
        CloudState::from_hosts(global, hosts)
    }

    fn preflight(&self, inventory: &Inventory, scenario: Scenario) -> Vec<Finding> {
        hazards::preflight(inventory, scenario)
    }

    fn procedures(&self, inventory: &Inventory) -> Vec<ProjectProcedure> {
        procedures::procedures(inventory)
    }

    fn prepare_config(&self, inventory: &Inventory) -> Vec<ConfigChange> {
        procedures::prepare_config(inventory, &rules::rule_book(inventory))
    }

    fn live(&self, inventory: &Inventory) -> LiveRolling {
        procedures::live(inventory)
    }

    fn parallel(&self, inventory: &Inventory) -> ParallelDeployment {
        procedures::parallel(inventory)
    }

    fn event_links(&self, inventory: &Inventory) -> Vec<EventLink> {
        procedures::event_links(inventory)
    }

    fn capability_of(&self, project: &str) -> Option<&'static str> {
        procedures::capability_of(project)
    }

    fn secret_variables(&self) -> &'static [&'static str] {
        // The Neutron -> Nova credentials of the event link (reference §3).
        &["NOVA_ADMIN_PASSWORD"]
    }

    fn final_upgrade(&self) -> bool {
        true
    }

    fn cite(&self, citation: Citation) -> &'static str {
        match citation {
            Citation::Backup => "rhos5 database-upgrades.md; ops guide",
            Citation::NewCode => "rhos5 upgrade-1.md step 1",
            Citation::UpgradeEverything => "rhos5 upgrade-1.md step 3",
            Citation::FinalUpgrade => "rhos5 final-package-upgrade.md",
            Citation::LiveStopControllers | Citation::LiveUpgradeControllers => {
                "upgrade-4.md step 2"
            }
            Citation::LiveStartPinned => "upgrade-4.md step 5",
            Citation::LiveFinalOthers => "upgrade-4.md step 1",
            Citation::ParallelFinalOthers => "upgrade-3.md step 1",
            Citation::LiveBatch => "upgrade-4.md step 7",
            Citation::LiveUnpin => "upgrade-4.md step 9",
            Citation::ParallelDeploy => "upgrade-3.md step 2",
            Citation::ParallelDatabase => "parallel-nova.md",
            Citation::ParallelMove => "upgrade-3.md step 3",
            Citation::ParallelReinstall => "upgrade-3.md step 4",
            Citation::OfflineOrLive => "reference §1, RDO wiki \"Offline or live\"",
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

    fn risk_notes(&self, scenario: Scenario, inventory: &Inventory) -> Vec<&'static str> {
        match scenario {
            Scenario::AllAtOnce => vec![
                "simple, but every service is down together; large databases make that long \
                 (rhos5 overview)",
                "lower risk and well tested, but every host must share one base OS (RDO wiki)",
            ],
            Scenario::ServiceByService => vec![
                "outages are staged per service and can be scheduled separately; Nova's API and \
                 computes still see an interruption (rhos5 overview)",
            ],
            Scenario::ParallelCompute => vec![
                "needs extra hardware; existing instances keep running and there is no wait for \
                 the old Nova database's migration (rhos5 overview)",
                "instances move by snapshot and re-boot unless live migration is possible; each \
                 snapshot move is an outage for that instance (upgrade-3.md)",
            ],
            Scenario::LiveCompute => vec![
                "minimal disruption, but the features are very new and may not be as well tested \
                 (rhos5 overview, RDO wiki)",
                if inventory.network == Network::Neutron {
                    "with Neutron, the event cap while pinned is an inference from the code with \
                     no public report (reference §3)"
                } else {
                    "with nova-network, the network RPC cap (havana) while Havana nova-network \
                     remains is an inference from the code (nova 2014.1 network/rpcapi.py)"
                },
            ],
        }
    }
}

fn host_state(inventory: &Inventory, rules: &RuleBook, host: &Host) -> HostState {
    let spare = host.roles.contains(&Role::Spare) && host.roles.len() == 1;
    let nova = levels::nova_level(host.nova_version.as_ref());
    let mut services: Vec<ServiceState> = services::host_services(inventory, host)
        .into_iter()
        .filter_map(|name| {
            let id = rules.service_id(name)?;
            let installed = if services::project_of(name) == Some("nova") {
                nova
            } else {
                levels::HAVANA
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
    HostState {
        env: 0,
        repo: 0,
        clients: 0,
        provisioned: !spare,
        instances: host.instances,
        disrupted: 0,
        services,
        config: Default::default(),
    }
}
