//! Scenario 4: upgrade the controllers and pin their compute RPC, upgrade the projects that must
//! come between (Neutron, sending events), then the computes canary first and in batches, then
//! unpin (reference §1 upgrade-4.md, §2, §3).

use stackhop_catalog::ConfigChange;
use stackhop_model::{Action, RuleBook};

use super::common::{self, Events};
use crate::builder::{Builder, spec};
use crate::hosts::subtract;

pub(crate) fn plan(b: &mut Builder<'_>, rules: &RuleBook) {
    common::prepare(b, rules);
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
    let control = b.hosts.of_project(rules, p, Some(false));
    let hypervisors = b.hosts.of_project(rules, p, Some(true));
    let computes = subtract(&hypervisors, &control);

    if migrations && !computes.is_empty() {
        let phase = "pin-computes";
        let specs = common::config_specs(b, rules, phase, &live.pin_hypervisors, Some(&computes));
        b.chain(phase, specs);
        restart(
            b,
            phase,
            &computes,
            "the Havana computes load the pin before any Icehouse code runs",
        );
    }

    let phase = "nova-controllers";
    b.per_group(
        phase,
        &format!("{phase}.stop"),
        Action::StopService {
            service: p.to_owned(),
            permanent: false,
        },
        &control,
        "stop Nova on the controllers only; computes keep running Havana (upgrade-4.md step 2)",
    );
    b.per_group(
        phase,
        &format!("{phase}.upgrade"),
        Action::UpgradePackages {
            packages: nova.packages.to_owned(),
            project: Some(p.to_owned()),
        },
        &control,
        "upgrade Nova on the controllers (upgrade-4.md step 2)",
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
        Action::StartService { service: p.to_owned() },
        &control,
        "start the controllers pinned, so Havana computes still understand them (upgrade-4.md step 5)",
    );
    common::health(b, rules, phase, &["compute_api"]);

    for proc in procs.iter().filter(|x| live.between.contains(&x.project)) {
        common::unit(b, rules, proc, &links, Events::On);
    }
    let non_nova = subtract(&b.hosts.all(), &all_nova);
    b.per_group(
        "final-non-nova",
        "final-non-nova.upgrade",
        Action::UpgradePackages {
            packages: String::new(),
            project: None,
        },
        &non_nova,
        "the final package upgrade on hosts without Nova (upgrade-4.md step 1)",
    );

    rolling(b, rules, nova, &live, &computes, migrations);

    let phase = "unpin";
    let specs = common::config_specs(
        b,
        rules,
        phase,
        &common::undo(
            &live.pin,
            "every compute runs the new release: remove the pin (upgrade-4.md step 9)",
        ),
        Some(&control),
    );
    b.chain(phase, specs);
    restart(
        b,
        phase,
        &control,
        "the controllers speak the full new compute RPC again",
    );
    let mut cleanup = common::undo(
        &live.while_pinned,
        "events reach the computes again: restore the defaults",
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
            service: nova.to_owned(),
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
    let phase = "nova-computes";
    for (label, hosts) in batches(b, computes) {
        let id = |what: &str| format!("{phase}.{label}.{what}");
        b.then(
            phase,
            spec(
                id("disable"),
                Action::DisableCompute {},
                hosts.clone(),
                "no new instances land here while it upgrades (upgrade-4.md step 7)",
            ),
        );
        b.then(
            phase,
            spec(
                id("stop"),
                Action::StopService {
                    service: p.to_owned(),
                    permanent: false,
                },
                hosts.clone(),
                "stop nova-compute; its instances keep running",
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
                "upgrade Nova on this batch (upgrade-4.md step 7)",
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
                    service: p.to_owned(),
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
                "take new instances again (upgrade-4.md step 7)",
            ),
        );
        if label == "canary" {
            common::health(b, rules, &format!("{phase}.canary"), &["boot"]);
        }
    }
}
