//! Scenario 3: every project but Nova service by service; a new Nova on spare hosts with its own
//! database, topics and region; instances moved off each old compute, which is then reinstalled
//! into the new Nova; the old Nova retired (reference §1 upgrade-3.md, parallel-nova.md).

use stackhop_catalog::{ConfigChange, HostSelector};
use stackhop_model::{Action, RuleBook};

use super::common::{self, Events};
use super::live_compute::batches;
use crate::builder::{Builder, Spec, spec};
use crate::hosts::subtract;

pub(crate) fn plan(b: &mut Builder<'_>, rules: &RuleBook) {
    common::prepare(b, rules);
    let links = b.transition.event_links(b.inventory);
    let procs = b.transition.procedures(b.inventory);
    let par = b.transition.parallel(b.inventory);
    let p = par.project;
    for proc in procs.iter().filter(|x| x.project != p) {
        common::unit(b, rules, proc, &links, Events::Off);
    }
    let all_nova = b.hosts.of_project(rules, p, None);
    let control = b.hosts.of_project(rules, p, Some(false));
    let hypervisors = b.hosts.of_project(rules, p, Some(true));
    let computes = subtract(&hypervisors, &control);
    let non_nova = subtract(&b.hosts.all(), &all_nova);
    b.per_group(
        "final-non-nova",
        "final-non-nova.upgrade",
        Action::UpgradePackages {
            packages: String::new(),
            project: None,
        },
        &non_nova,
        "the final package upgrade on hosts without Nova (upgrade-3.md step 1)",
    );

    let spares = b.hosts.spares();
    let Some(&new_controller) = spares.first() else {
        return;
    };
    let new_computes: Vec<usize> = if spares.len() > 1 {
        spares[1..].to_vec()
    } else {
        vec![new_controller]
    };
    let phase = "new-nova";
    let mut controller_services: Vec<String> = par
        .controller_services
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let hypervisor_services: Vec<String> = par
        .hypervisor_services
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    if spares.len() == 1 {
        controller_services.extend(hypervisor_services.iter().cloned());
    }
    let mut specs = vec![spec(
        "new-nova.provision.controller",
        Action::ProvisionHost {
            env: par.env,
            services: controller_services,
        },
        vec![new_controller],
        format!(
            "a new Nova controller on spare hardware, with its own region {} (upgrade-3.md step 2)",
            par.region
        ),
    )];
    if spares.len() > 1 {
        specs.push(spec(
            "new-nova.provision.computes",
            Action::ProvisionHost { env: par.env, services: hypervisor_services.clone() },
            new_computes.clone(),
            "the new Nova's first computes, so instances have somewhere to go (upgrade-3.md step 2)",
        ));
    }
    b.chain(phase, specs);
    let prepare = b.transition.prepare_config(b.inventory);
    let specs = env_config(
        rules,
        &par.env_config,
        &prepare,
        phase,
        &[new_controller],
        &new_computes,
    );
    b.chain(phase, specs);
    b.then(
        phase,
        spec(
            "new-nova.sync",
            Action::SyncDatabase {
                project: p.to_owned(),
            },
            vec![new_controller],
            "create the new Nova's own database at the new schema (parallel-nova.md)",
        ),
    );
    // Neutron sends its events to the new Nova before anything there waits for them; no Havana
    // API is in that region to answer 404.
    for link in links.iter().filter(|l| l.receiver_project == p) {
        common::enable_events(b, rules, phase, link, true);
    }
    b.then(
        phase,
        spec(
            "new-nova.start.controller",
            Action::StartService {
                service: "all".to_owned(),
            },
            vec![new_controller],
            "start the new Nova's control plane",
        ),
    );
    if spares.len() > 1 {
        b.then(
            phase,
            spec(
                "new-nova.start.computes",
                Action::StartService {
                    service: "all".to_owned(),
                },
                new_computes.clone(),
                "start the new Nova's computes once their conductor runs",
            ),
        );
    }
    common::health(b, rules, phase, &["compute_api", "boot"]);

    let moves = match b.inventory.options.instance_moves {
        stackhop_inventory::InstanceMoves::Live => stackhop_model::MoveMode::Live,
        stackhop_inventory::InstanceMoves::Snapshot => stackhop_model::MoveMode::Snapshot,
        stackhop_inventory::InstanceMoves::Wait => stackhop_model::MoveMode::Wait,
    };
    let phase = "move";
    for (label, hosts) in batches(b, &computes) {
        let id = |what: &str| format!("{phase}.{label}.{what}");
        b.then(
            phase,
            spec(
                id("disable"),
                Action::DisableCompute {},
                hosts.clone(),
                "no new instances land on a compute that is being emptied",
            ),
        );
        b.then(
            phase,
            spec(
                id("migrate"),
                Action::MigrateInstances {
                    mode: moves,
                    to_env: par.env,
                },
                hosts.clone(),
                "move its instances to the new Nova (upgrade-3.md step 3)",
            ),
        );
        b.then(
            phase,
            spec(
                id("reinstall"),
                Action::ReinstallHost {
                    env: par.env,
                    services: hypervisor_services.clone(),
                },
                hosts.clone(),
                "redeploy the emptied compute into the new Nova (upgrade-3.md step 4)",
            ),
        );
        let specs = common::in_batch(
            env_config(rules, &par.env_config, &prepare, phase, &[], &hosts),
            phase,
            &label,
        );
        b.chain(phase, specs);
        b.then(
            phase,
            spec(
                id("start"),
                Action::StartService {
                    service: "all".to_owned(),
                },
                hosts.clone(),
                "the reinstalled compute joins the new Nova",
            ),
        );
    }

    let phase = "retire";
    let is_hypervisor = crate::hosts::mask(&hypervisors);
    let both: Vec<usize> = control
        .iter()
        .copied()
        .filter(|&h| is_hypervisor.get(h).copied().unwrap_or(false))
        .collect();
    if !both.is_empty() {
        b.then(
            phase,
            spec(
                "retire.disable",
                Action::DisableCompute {},
                both.clone(),
                "a controller's own compute takes no new instances",
            ),
        );
        b.then(
            phase,
            spec(
                "retire.migrate",
                Action::MigrateInstances {
                    mode: moves,
                    to_env: par.env,
                },
                both.clone(),
                "move the controller's own instances to the new Nova",
            ),
        );
    }
    b.per_group(
        phase,
        "retire.stop",
        Action::StopService {
            service: p.to_owned(),
            permanent: true,
        },
        &control,
        "retire the old Nova once nothing runs on it (upgrade-3.md step 4)",
    );
    let mut everything = b.hosts.all();
    everything.extend(spares.iter().copied());
    let mut new_hypervisors = computes.clone();
    new_hypervisors.extend(new_computes.iter().copied());
    new_hypervisors.sort_unstable();
    new_hypervisors.dedup();
    common::finish(b, rules, &everything, &new_hypervisors);
}

/// The new deployment's settings, and the preparation every host got before any new code ran
/// (a fresh install starts from empty config): control-side settings on its controller,
/// hypervisor-side ones on its computes.
fn env_config(
    rules: &RuleBook,
    env: &[ConfigChange],
    prepare: &[ConfigChange],
    phase: &str,
    controllers: &[usize],
    computes: &[usize],
) -> Vec<Spec> {
    let project_has_hypervisor = |p: &str| {
        rules.services.iter().any(|s| {
            rules.project(s.project).name == p && s.kind == stackhop_model::ServiceKind::Hypervisor
        })
    };
    let resolved = env
        .iter()
        .chain(prepare)
        .filter_map(|c| {
            let hosts = match c.hosts {
                HostSelector::ProjectHypervisor(_) => computes.to_vec(),
                // A project without a hypervisor (Neutron's agents) is on the computes too.
                HostSelector::ProjectControl(p) if !project_has_hypervisor(p) => {
                    let mut all = controllers.to_vec();
                    all.extend(computes);
                    all.sort_unstable();
                    all.dedup();
                    all
                }
                HostSelector::ProjectControl(_) => controllers.to_vec(),
                HostSelector::Having(_) => return None,
            };
            (!hosts.is_empty()).then_some((c, hosts))
        })
        .collect();
    common::merge_config(phase, resolved)
}
