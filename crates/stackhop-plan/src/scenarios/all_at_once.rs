//! Scenario 1: stop everything, upgrade everything, migrate every database, start everything
//! (reference §1, rhos5 upgrade-1.md).

use stackhop_catalog::{Citation, ProjectStyle, title};
use stackhop_inventory::Role;
use stackhop_model::{Action, RuleBook, Services};

use super::common::{self, all_capabilities};
use crate::builder::Builder;

pub(crate) fn plan(b: &mut Builder<'_>, rules: &RuleBook) {
    common::prepare(b, rules);
    let procs = b.transition.procedures(b.inventory);
    let early: Vec<_> = procs
        .iter()
        .flat_map(|p| common::before_stop(b, p))
        .collect();
    b.chain("prepare", early);
    let all = b.hosts.all();
    b.per_group(
        "stop",
        "stop.all",
        Action::StopService {
            service: Services::All,
            permanent: false,
        },
        &all,
        "all at once: every OpenStack service stops together",
    );
    b.per_group(
        "upgrade",
        "upgrade.all",
        Action::UpgradePackages {
            packages: String::new(),
            project: None,
        },
        &all,
        &format!(
            "upgrade every package on every host, in parallel ({})",
            b.transition.cite(Citation::UpgradeEverything)
        ),
    );
    let present: Vec<_> = procs
        .iter()
        .filter(|p| common::present(b, rules, p.project))
        .collect();
    // The catalog's first project first (Keystone, which every other service authenticates
    // through; placement, which nova needs): the order is the catalog's.
    let leader = procs.first().map(|p| p.project);
    let (first, rest): (Vec<_>, Vec<_>) = present.iter().partition(|p| Some(p.project) == leader);
    for p in first {
        let chain = common::migrate_chain(b, p);
        b.chains("databases", vec![chain]);
    }
    let chains: Vec<_> = rest.iter().map(|p| common::migrate_chain(b, p)).collect();
    b.chains("databases", chains);

    let links = b.transition.event_links(b.inventory);
    let mut changes = Vec::new();
    for p in &present {
        changes.extend(p.config.iter().cloned());
    }
    for link in &links {
        changes.extend(link.setup.iter().cloned());
        changes.extend(link.enable.iter().cloned());
    }
    let specs = common::config_specs(b, rules, "configure", &changes, None);
    b.chain("configure", specs);

    // Controllers first, so Nova's API and conductor are up before any compute and Neutron's
    // events have a new API to go to.
    let computes_last = format!(
        "computes last, once their conductor runs {}",
        title(b.transition.new_release())
    );
    let is = |i: usize, role: Role| b.inventory.hosts[i].roles.contains(&role);
    let controllers: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&i| is(i, Role::Controller))
        .collect();
    let middle: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&i| !is(i, Role::Controller) && !is(i, Role::Compute))
        .collect();
    let computes: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&i| !is(i, Role::Controller) && is(i, Role::Compute))
        .collect();
    for (id, hosts, why) in [
        (
            "start.controllers",
            &controllers,
            "controllers first: identity, APIs, conductor",
        ),
        (
            "start.others",
            &middle,
            "network and storage hosts once the controllers serve",
        ),
        ("start.computes", &computes, computes_last.as_str()),
    ] {
        b.per_group(
            "start",
            id,
            Action::StartService {
                service: Services::All,
            },
            hosts,
            why,
        );
    }
    for p in present
        .iter()
        .filter(|p| p.style == ProjectStyle::UpgradeRestart)
    {
        for service in &p.restart {
            let on = b.hosts.having(service);
            b.per_group(
                "start",
                &format!("start.restart.{service}"),
                Action::RestartService {
                    service: Services::named(*service),
                },
                &on,
                &format!(
                    "load the new {} code and settings ({})",
                    p.project, p.source
                ),
            );
        }
    }
    for p in &present {
        common::after_all(b, "start", p);
    }
    common::health(b, rules, "start", &all_capabilities());
    let rolled = b.transition.live(b.inventory).project;
    let computes_all = b.hosts.of_project(rules, rolled, Some(true));
    common::finish(b, rules, &all, &computes_all);
}
