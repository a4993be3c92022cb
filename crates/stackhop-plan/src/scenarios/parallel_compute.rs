//! Scenario 3: every project but Nova service by service; a new Nova on spare hosts with its own
//! database, topics and region; instances moved off each old compute, which is then reinstalled
//! into the new Nova; the old Nova retired (reference §1 upgrade-3.md, parallel-nova.md).

use stackhop_catalog::{Citation, ConfigChange, HostSelector};
use stackhop_model::{Action, RuleBook, Services};

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
    common::final_others(b, &non_nova, p, Citation::ParallelFinalOthers);
    let t = b.transition;
    let project = stackhop_catalog::title(p);

    let spares = b.hosts.spares();
    let Some(&new_controller) = spares.first() else {
        return;
    };
    let new_computes: Vec<usize> = if spares.len() > 1 {
        spares[1..].to_vec()
    } else {
        vec![new_controller]
    };
    let phase = format!("new-{p}");
    let phase = phase.as_str();
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
        format!("{phase}.provision.controller"),
        Action::ProvisionHost {
            env: par.env,
            services: controller_services,
        },
        vec![new_controller],
        format!(
            "a new {project} controller on spare hardware, with its own region {} ({})",
            par.region,
            t.cite(Citation::ParallelDeploy)
        ),
    )];
    if spares.len() > 1 {
        specs.push(spec(
            format!("{phase}.provision.computes"),
            Action::ProvisionHost {
                env: par.env,
                services: hypervisor_services.clone(),
            },
            new_computes.clone(),
            format!(
                "the new {project}'s first computes, so instances have somewhere to go ({})",
                t.cite(Citation::ParallelDeploy)
            ),
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
            format!("{phase}.sync"),
            Action::SyncDatabase {
                project: p.to_owned(),
            },
            vec![new_controller],
            format!(
                "create the new {project}'s own database at the new schema ({})",
                t.cite(Citation::ParallelDatabase)
            ),
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
            format!("{phase}.start.controller"),
            Action::StartService {
                service: Services::All,
            },
            vec![new_controller],
            format!("start the new {project}'s control plane"),
        ),
    );
    if spares.len() > 1 {
        b.then(
            phase,
            spec(
                format!("{phase}.start.computes"),
                Action::StartService {
                    service: Services::All,
                },
                new_computes.clone(),
                format!("start the new {project}'s computes once their conductor runs"),
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
                format!(
                    "move its instances to the new {project} ({})",
                    t.cite(Citation::ParallelMove)
                ),
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
                format!(
                    "redeploy the emptied compute into the new {project} ({})",
                    t.cite(Citation::ParallelReinstall)
                ),
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
                    service: Services::All,
                },
                hosts.clone(),
                format!("the reinstalled compute joins the new {project}"),
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
                format!("move the controller's own instances to the new {project}"),
            ),
        );
    }
    b.per_group(
        phase,
        "retire.stop",
        Action::StopService {
            service: Services::named(p),
            permanent: true,
        },
        &control,
        &format!(
            "retire the old {project} once nothing runs on it ({})",
            t.cite(Citation::ParallelReinstall)
        ),
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
