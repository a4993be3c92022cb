//! Scenario 4: upgrade the controllers and pin their compute RPC, upgrade the projects that must
//! come between (Neutron, sending events), then the computes canary first and in batches, then
//! unpin (reference §1 upgrade-4.md, §2, §3).

use stackhop_catalog::{Citation, ConfigChange, title};
use stackhop_model::{Action, RuleBook, Services};

use super::common::{self, Events};
use crate::builder::{Builder, spec};
use crate::hosts::subtract;

pub(crate) fn plan(b: &mut Builder<'_>, rules: &RuleBook) {
    common::prepare(b, rules);
    let t = b.transition;
    let old = title(t.old_release());
    let new = t.new_release();
    let links = b.transition.event_links(b.inventory);
    let procs = b.transition.procedures(b.inventory);
    let live = b.transition.live(b.inventory);
    let migrations = b.inventory.options.allow_migrations;
    let Some(nova) = procs.iter().find(|p| p.project == live.project) else {
        return;
    };
    let p = nova.project;
    for proc in procs
        .iter()
        .filter(|x| x.project != p && !live.between.contains(&x.project))
    {
        common::unit(b, rules, proc, &links, Events::Off);
    }

    let all_nova = b.hosts.of_project(rules, p, None);
    let hypervisors = b.hosts.of_project(rules, p, Some(true));
    // A compute's own agents (nova-network in multi-host mode) roll with its hypervisor; a host
    // with one of the project's servers is a controller, even when it hosts instances too.
    let computes = subtract(&hypervisors, &b.hosts.with_servers(rules, p));
    let control = subtract(&all_nova, &computes);

    if migrations && !computes.is_empty() {
        let phase = "pin-computes";
        let specs = common::config_specs(b, rules, phase, &live.pin_hypervisors, Some(&computes));
        b.chain(phase, specs);
        restart(
            b,
            phase,
            &computes,
            &format!(
                "the {old} computes load the pin before any {} code runs",
                title(new)
            ),
        );
    }

    let phase = format!("{p}-controllers");
    let phase = phase.as_str();
    let gate = common::before_stop(b, nova);
    b.chain(phase, gate);
    let project = title(p);
    b.per_group(
        phase,
        &format!("{phase}.stop"),
        Action::StopService {
            service: Services::named(p),
            permanent: false,
        },
        &control,
        &format!(
            "stop {project} on the controllers only; computes keep running {old} ({})",
            t.cite(Citation::LiveStopControllers)
        ),
    );
    b.per_group(
        phase,
        &format!("{phase}.upgrade"),
        Action::UpgradePackages {
            packages: nova.packages.to_owned(),
            project: Some(p.to_owned()),
        },
        &control,
        &format!(
            "upgrade {project} on the controllers ({})",
            t.cite(Citation::LiveUpgradeControllers)
        ),
    );
    let chain = common::migrate_chain(b, nova);
    b.chains(phase, vec![chain]);
    // A controller that is also a compute starts its compute on the new release here.
    let is_hypervisor = crate::hosts::mask(&hypervisors);
    let both: Vec<usize> = control
        .iter()
        .copied()
        .filter(|&h| is_hypervisor.get(h).copied().unwrap_or(false))
        .collect();
    let mut changes: Vec<ConfigChange> = live.pin.clone();
    let mut specs = common::config_specs(b, rules, phase, &changes, Some(&control));
    if !both.is_empty() {
        changes = live.while_pinned.clone();
        changes.extend(nova.config.iter().cloned());
        specs.extend(common::config_specs(b, rules, phase, &changes, Some(&both)));
    }
    b.chain(phase, specs);
    b.per_group(
        phase,
        &format!("{phase}.start"),
        Action::StartService {
            service: Services::named(p),
        },
        &control,
        &format!(
            "start the controllers pinned, so {old} computes still understand them ({})",
            t.cite(Citation::LiveStartPinned)
        ),
    );
    common::health(b, rules, phase, &["compute_api"]);

    for proc in procs.iter().filter(|x| live.between.contains(&x.project)) {
        common::unit(b, rules, proc, &links, Events::On);
    }
    let non_nova = subtract(&b.hosts.all(), &all_nova);
    common::final_others(b, &non_nova, p, Citation::LiveFinalOthers);

    rolling(b, rules, nova, &live, &computes, migrations);

    let phase = "unpin";
    let unpin_source = t.cite(Citation::LiveUnpin);
    if !live.pin_stays {
        let specs = common::config_specs(
            b,
            rules,
            phase,
            &common::undo(
                &live.pin,
                &format!("every compute runs the new release: remove the pin ({unpin_source})"),
            ),
            Some(&control),
        );
        b.chain(phase, specs);
    }
    let why = if live.pin_stays {
        format!(
            "every compute runs the new release: the controllers restart to follow the pin to \
             the newest compute RPC ({unpin_source})"
        )
    } else {
        "the controllers speak the full new compute RPC again".to_owned()
    };
    restart(b, phase, &control, &why);
    common::after_all(b, phase, nova);
    let mut cleanup = common::undo(
        &live.while_pinned,
        "the controllers speak the new release to every compute again: undo what the computes \
         needed while they were pinned",
    );
    if migrations {
        cleanup.extend(common::undo(
            &live.pin_hypervisors,
            "remove the pin from the computes too",
        ));
    }
    let specs = common::config_specs(b, rules, phase, &cleanup, Some(&hypervisors));
    b.chain(phase, specs);

    let all = b.hosts.all();
    common::finish(b, rules, &all, &hypervisors);
}

fn restart(b: &mut Builder<'_>, phase: &str, hosts: &[usize], why: &str) {
    let nova = b.transition.live(b.inventory).project;
    b.per_group(
        phase,
        &format!("{phase}.restart"),
        Action::RestartService {
            service: Services::named(nova),
        },
        hosts,
        why,
    );
}

/// Batches of computes: the canary alone first, then `options.compute_batch` at a time.
pub(crate) fn batches(b: &Builder<'_>, computes: &[usize]) -> Vec<(String, Vec<usize>)> {
    let canary = usize::try_from(b.inventory.options.canary)
        .unwrap_or(0)
        .min(computes.len());
    let mut out = Vec::new();
    if canary > 0 {
        out.push(("canary".to_owned(), computes[..canary].to_vec()));
    }
    let rest = &computes[canary..];
    let size = b.inventory.options.compute_batch.size(rest.len()).max(1);
    let width = rest.len().div_ceil(size).to_string().len().max(2);
    for (n, chunk) in rest.chunks(size).enumerate() {
        out.push((format!("b{:0width$}", n + 1), chunk.to_vec()));
    }
    out
}

fn rolling(
    b: &mut Builder<'_>,
    rules: &RuleBook,
    nova: &stackhop_catalog::ProjectProcedure,
    live: &stackhop_catalog::LiveRolling,
    computes: &[usize],
    migrations: bool,
) {
    let p = nova.project;
    let phase = format!("{p}-computes");
    let phase = phase.as_str();
    let source = b.transition.cite(Citation::LiveBatch);
    let project = title(p);
    // What a batch's stop takes down with the hypervisor: the project's agents on the computes.
    let stopped: Vec<&str> = computes.first().map_or_else(Vec::new, |&h| {
        b.hosts.services[h]
            .iter()
            .copied()
            .filter(|name| {
                rules.services.iter().any(|s| {
                    s.name == *name
                        && rules.project(s.project).name == p
                        && s.kind != stackhop_model::ServiceKind::Server
                })
            })
            .collect()
    });
    for (label, hosts) in batches(b, computes) {
        let id = |what: &str| format!("{phase}.{label}.{what}");
        b.then(
            phase,
            spec(
                id("disable"),
                Action::DisableCompute {},
                hosts.clone(),
                format!("no new instances land here while it upgrades ({source})"),
            ),
        );
        b.then(
            phase,
            spec(
                id("stop"),
                Action::StopService {
                    service: Services::named(p),
                    permanent: false,
                },
                hosts.clone(),
                format!("stop {}; its instances keep running", stopped.join(", ")),
            ),
        );
        b.then(
            phase,
            spec(
                id("upgrade"),
                Action::UpgradePackages {
                    packages: nova.packages.to_owned(),
                    project: Some(p.to_owned()),
                },
                hosts.clone(),
                format!("upgrade {project} on this batch ({source})"),
            ),
        );
        let mut changes = live.while_pinned.clone();
        changes.extend(nova.config.iter().cloned());
        if migrations {
            changes.extend(live.pin_hypervisors.iter().cloned());
        }
        let specs = common::in_batch(
            common::config_specs(b, rules, phase, &changes, Some(&hosts)),
            phase,
            &label,
        );
        b.chain(phase, specs);
        b.then(
            phase,
            spec(
                id("start"),
                Action::StartService {
                    service: Services::named(p),
                },
                hosts.clone(),
                "start the batch on the new release; the conductor already runs it",
            ),
        );
        b.then(
            phase,
            spec(
                id("enable"),
                Action::EnableCompute {},
                hosts.clone(),
                format!("take new instances again ({source})"),
            ),
        );
        if label == "canary" {
            common::health_at(b, rules, phase, &format!("{phase}.canary"), &["boot"]);
        }
    }
}
