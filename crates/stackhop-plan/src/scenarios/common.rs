//! Pieces every scenario shares: preparation, one project's upgrade, config changes, health
//! checks and the final package upgrade.

use stackhop_catalog::{
    Citation, ConfigChange, ConfigOp, EventLink, ProjectProcedure, ProjectStyle,
};
use stackhop_model::{Action, CAPABILITIES, RuleBook, Services};

use crate::builder::{Builder, Spec, spec};

pub(crate) fn config_id(phase: &str, change: &ConfigChange) -> String {
    let verb = match change.op {
        ConfigOp::Set(_) => "set",
        ConfigOp::Delete => "unset",
    };
    format!("{phase}.{verb}.{}", change.key.key)
}

/// One step per distinct change, on the hosts its selectors name (restricted to `only`, when
/// given).
pub(crate) fn config_specs(
    b: &Builder<'_>,
    rules: &RuleBook,
    phase: &str,
    changes: &[ConfigChange],
    only: Option<&[usize]>,
) -> Vec<Spec> {
    let only = only.map(crate::hosts::mask);
    let resolved = changes
        .iter()
        .map(|c| {
            let mut hosts = b.hosts.select(rules, &c.hosts);
            if let Some(only) = &only {
                hosts.retain(|&h| only.get(h).copied().unwrap_or(false));
            }
            (c, hosts)
        })
        .collect();
    merge_config(phase, resolved)
}

/// The same change asked for on several host sets is one step on their union; the same option
/// in several files gets the file's name in its id.
pub(crate) fn merge_config(phase: &str, resolved: Vec<(&ConfigChange, Vec<usize>)>) -> Vec<Spec> {
    let mut merged: Vec<(&ConfigChange, Vec<usize>)> = Vec::new();
    for (c, hosts) in resolved {
        match merged
            .iter_mut()
            .find(|(m, _)| m.key == c.key && m.op == c.op)
        {
            Some((_, existing)) => {
                existing.extend(hosts);
                existing.sort_unstable();
                existing.dedup();
            }
            None => merged.push((c, hosts)),
        }
    }
    merged
        .iter()
        .map(|(c, hosts)| {
            let shared = merged
                .iter()
                .any(|(o, _)| o.key.key == c.key.key && o.key.file != c.key.file);
            let id = if shared {
                let stem = c.key.file.rsplit('/').next().unwrap_or_default();
                let stem = stem.strip_suffix(".conf").unwrap_or(stem);
                config_id(phase, c).replacen(".set.", &format!(".set.{stem}."), 1)
            } else {
                config_id(phase, c)
            };
            spec(id, c.action(), hosts.clone(), c.reason.clone())
        })
        .collect()
}

/// Puts a batch's label into step ids: `phase.set.key` becomes `phase.LABEL.set.key`.
pub(crate) fn in_batch(specs: Vec<Spec>, phase: &str, label: &str) -> Vec<Spec> {
    specs
        .into_iter()
        .map(|mut s| {
            s.id = s.id.replacen(phase, &format!("{phase}.{label}"), 1);
            s
        })
        .collect()
}

/// The inverse of a set of changes: each option set is removed again.
pub(crate) fn undo(changes: &[ConfigChange], reason: &str) -> Vec<ConfigChange> {
    changes
        .iter()
        .map(|c| ConfigChange {
            op: ConfigOp::Delete,
            reason: reason.to_owned(),
            ..c.clone()
        })
        .collect()
}

pub(crate) fn prepare(b: &mut Builder<'_>, rules: &RuleBook) {
    let phase = "prepare";
    let api = b.hosts.api_host();
    let backup_source = b.transition.cite(Citation::Backup);
    b.then(
        phase,
        spec(
            "prepare.backup",
            Action::BackupDatabase { project: None },
            api.into_iter().collect(),
            format!(
                "back up every database before any schema migration ({backup_source}); \
                 --single-transaction keeps the services up meanwhile"
            ),
        ),
    );
    let code_source = b.transition.cite(Citation::NewCode);
    let all = b.hosts.all();
    let release = b.transition.new_release().to_owned();
    let mut specs: Vec<Spec> = b
        .hosts
        .groups(&all)
        .into_iter()
        .map(|g| {
            let label = b.hosts.label(&g);
            spec(
                format!("prepare.repo.{label}"),
                Action::InstallRepo {
                    release: release.clone(),
                },
                g,
                format!(
                    "every host needs the {release} repository before any package upgrade \
                     ({code_source})"
                ),
            )
        })
        .collect();
    let prepare_config = b.transition.prepare_config(b.inventory);
    let mut chains: Vec<Vec<Spec>> = specs.drain(..).map(|s| vec![s]).collect();
    chains.push(config_specs(b, rules, phase, &prepare_config, None));
    b.chains(phase, chains);
}

/// Health checks for the capabilities the cloud has.
pub(crate) fn health(b: &mut Builder<'_>, rules: &RuleBook, phase: &str, capabilities: &[&str]) {
    health_at(b, rules, phase, phase, capabilities);
}

/// Health checks in `phase` whose ids start with `prefix` (a batch's own checks).
pub(crate) fn health_at(
    b: &mut Builder<'_>,
    rules: &RuleBook,
    phase: &str,
    prefix: &str,
    capabilities: &[&str],
) {
    let api: Vec<usize> = b.hosts.api_host().into_iter().collect();
    let specs = capabilities
        .iter()
        .filter(|c| rules.capabilities.iter().any(|k| k.name == **c))
        .map(|c| {
            spec(
                format!("{prefix}.check.{c}"),
                Action::HealthCheck {
                    capability: (*c).to_owned(),
                },
                api.clone(),
                format!("prove {c} works before going on"),
            )
        })
        .collect();
    b.together(phase, specs);
}

pub(crate) fn all_capabilities() -> Vec<&'static str> {
    CAPABILITIES.to_vec()
}

/// Whether a project runs anywhere in this cloud.
pub(crate) fn present(b: &Builder<'_>, rules: &RuleBook, project: &str) -> bool {
    !b.hosts.of_project(rules, project, None).is_empty()
}

/// Where a project's schema migration runs.
pub(crate) fn sync_host(b: &Builder<'_>, proc: &ProjectProcedure) -> Option<usize> {
    proc.sync_on
        .and_then(|s| b.hosts.having(s).first().copied())
}

/// The steps on the database host between the stop and the start: pre-sync actions, the sync.
pub(crate) fn migrate_chain(b: &Builder<'_>, proc: &ProjectProcedure) -> Vec<Spec> {
    let Some(host) = sync_host(b, proc) else {
        return Vec::new();
    };
    let p = proc.project;
    let mut chain: Vec<Spec> = proc
        .before_sync
        .iter()
        .map(|(action, reason)| {
            spec(
                format!("{p}.{}", action.kind().as_str()),
                action.clone(),
                vec![host],
                reason.clone(),
            )
        })
        .collect();
    chain.push(spec(
        format!("{p}.sync"),
        Action::SyncDatabase {
            project: p.to_owned(),
        },
        vec![host],
        format!(
            "migrate the {p} schema while none of its services runs ({})",
            proc.source
        ),
    ));
    chain
}

/// What a unit does about an event link whose sender it upgrades.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Events {
    /// Credentials set, sending off: the receiver cannot take the events yet.
    Off,
    /// Credentials set, sending on: the receiver's API already runs the new release.
    On,
}

fn link_for<'l>(links: &'l [EventLink], project: &str) -> Option<&'l EventLink> {
    links.iter().find(|l| l.sender_project == project)
}

/// The config a unit applies: the project's own, and for an event sender its credentials with
/// sending switched on or off.
fn unit_changes(proc: &ProjectProcedure, links: &[EventLink], events: Events) -> Vec<ConfigChange> {
    let mut changes = proc.config.clone();
    if let Some(link) = link_for(links, proc.project) {
        changes.extend(link.setup.iter().cloned());
        changes.extend(match events {
            Events::Off => link.disable.iter().cloned(),
            Events::On => link.enable.iter().cloned(),
        });
    }
    changes
}

/// Steps on the database host while the project still runs (a token flush).
pub(crate) fn before_stop(b: &Builder<'_>, proc: &ProjectProcedure) -> Vec<Spec> {
    let Some(host) = sync_host(b, proc) else {
        return Vec::new();
    };
    proc.before_stop
        .iter()
        .map(|(action, reason)| {
            spec(
                format!("{}.{}", proc.project, action.kind().as_str()),
                action.clone(),
                vec![host],
                reason.clone(),
            )
        })
        .collect()
}

/// One project's upgrade as the service-by-service procedure runs it: stopped everywhere, then
/// the group of hosts with its database upgraded, migrated, configured and started first, and
/// every other group started once that one runs. Other groups' package upgrades overlap the
/// migration instead of lengthening the outage.
pub(crate) fn unit(
    b: &mut Builder<'_>,
    rules: &RuleBook,
    proc: &ProjectProcedure,
    links: &[EventLink],
    events: Events,
) {
    let p = proc.project;
    let hosts = b.hosts.of_project(rules, p, None);
    if hosts.is_empty() {
        return;
    }
    let why = |text: &str| format!("{text} ({})", proc.source);
    let early = before_stop(b, proc);
    b.chain(p, early);
    let upgrade = Action::UpgradePackages {
        packages: proc.packages.to_owned(),
        project: Some(p.to_owned()),
    };
    let changes = unit_changes(proc, links, events);
    if proc.style == ProjectStyle::UpgradeRestart {
        b.per_group(
            p,
            &format!("{p}.upgrade"),
            upgrade,
            &hosts,
            &why("upgrade under the running service, which keeps serving"),
        );
        let specs = config_specs(b, rules, p, &changes, None);
        b.chain(p, specs);
        for service in &proc.restart {
            let on = b.hosts.having(service);
            b.per_group(
                p,
                &format!("{p}.restart.{service}"),
                Action::RestartService {
                    service: Services::named(*service),
                },
                &on,
                &why(&format!("load the new {p} code and settings")),
            );
        }
        if let Some(cap) = proc.health {
            health(b, rules, p, &[cap]);
        }
        return;
    }
    b.per_group(
        p,
        &format!("{p}.stop"),
        Action::StopService {
            service: Services::named(p),
            permanent: false,
        },
        &hosts,
        &why(&format!("stop {p} everywhere before its code changes")),
    );
    let stopped = b.frontier();
    let groups = b.hosts.groups(&hosts);
    let single = groups.len() == 1;
    let db_group = sync_host(b, proc).and_then(|h| groups.iter().position(|g| g.contains(&h)));
    let receiving: Vec<&EventLink> = links.iter().filter(|l| l.receiver_project == p).collect();
    let mut events_ready = stopped.clone();
    if db_group.is_none() {
        events_ready = switch_on(b, rules, p, &receiving, stopped.clone());
    }
    let order: Vec<usize> = db_group
        .into_iter()
        .chain((0..groups.len()).filter(|i| Some(*i) != db_group))
        .collect();
    let mut db_started: Vec<String> = Vec::new();
    let mut ends: Vec<String> = Vec::new();
    for gi in order {
        let group = groups[gi].clone();
        let label = if single {
            String::new()
        } else {
            format!(".{}", b.hosts.label(&group))
        };
        let is_db = Some(gi) == db_group;
        let mut last: Vec<String> = b
            .after(
                p,
                spec(
                    format!("{p}.upgrade{label}"),
                    upgrade.clone(),
                    group.clone(),
                    why(&format!("upgrade the {p} packages")),
                ),
                stopped.clone(),
            )
            .into_iter()
            .collect();
        if is_db {
            let chain = migrate_chain(b, proc);
            last = b.sequence(p, chain, last);
            // The API has its new code and schema and no old one runs: whoever sends it events
            // may start sending, before anything that waits for them starts.
            events_ready = switch_on(b, rules, p, &receiving, last.clone());
        }
        let config: Vec<Spec> = config_specs(b, rules, p, &changes, Some(&group))
            .into_iter()
            .map(|mut s| {
                s.id.push_str(&label);
                s
            })
            .collect();
        last = b.sequence(p, config, last);
        let mut start_after = last;
        start_after.extend(events_ready.iter().cloned());
        if !is_db {
            start_after.extend(db_started.iter().cloned());
        }
        start_after.sort();
        start_after.dedup();
        let reason = if is_db {
            why(&format!("start {p} on its new code and schema"))
        } else {
            why(&format!(
                "start {p} here once its database hosts run the new release"
            ))
        };
        let started = b.after(
            p,
            spec(
                format!("{p}.start{label}"),
                Action::StartService {
                    service: Services::named(p),
                },
                group,
                reason,
            ),
            start_after,
        );
        if is_db {
            db_started = started.iter().cloned().collect();
        }
        ends.extend(started);
    }
    b.set_frontier(ends);
    after_all(b, p, proc);
    if let Some(cap) = proc.health {
        health(b, rules, p, &[cap]);
    }
}

fn switch_on(
    b: &mut Builder<'_>,
    rules: &RuleBook,
    phase: &str,
    links: &[&EventLink],
    after: Vec<String>,
) -> Vec<String> {
    let mut ready = after.clone();
    for link in links {
        b.set_frontier(after.clone());
        enable_events(b, rules, phase, link, false);
        ready = b.frontier();
    }
    ready
}

/// Turns a link's events on once the receiver's API runs the new release.
pub(crate) fn enable_events(
    b: &mut Builder<'_>,
    rules: &RuleBook,
    phase: &str,
    link: &EventLink,
    retarget: bool,
) {
    let mut changes = Vec::new();
    if retarget {
        changes.extend(link.retarget.iter().cloned());
    }
    changes.extend(link.enable.iter().cloned());
    let specs = config_specs(b, rules, phase, &changes, None);
    b.chain(phase, specs);
    let on = b.hosts.having(link.sender_service);
    b.per_group(
        phase,
        &format!("{phase}.restart.{}", link.sender_service),
        Action::RestartService {
            service: Services::named(link.sender_service),
        },
        &on,
        &format!(
            "{} loads the event settings ({})",
            link.sender_service, link.source
        ),
    );
}

/// The final package upgrade on the hosts a rolled project does not run on, when the profile
/// has one.
pub(crate) fn final_others(
    b: &mut Builder<'_>,
    hosts: &[usize],
    project: &str,
    citation: Citation,
) {
    if !b.transition.final_upgrade() {
        return;
    }
    let phase = format!("final-non-{project}");
    b.per_group(
        &phase,
        &format!("{phase}.upgrade"),
        Action::UpgradePackages {
            packages: String::new(),
            project: None,
        },
        hosts,
        &format!(
            "the final package upgrade on hosts without {} ({})",
            stackhop_catalog::title(project),
            b.transition.cite(citation)
        ),
    );
}

/// Steps on the database host once every service of the project runs the new release (online
/// data migrations).
pub(crate) fn after_all(b: &mut Builder<'_>, phase: &str, proc: &ProjectProcedure) {
    let Some(host) = sync_host(b, proc) else {
        return;
    };
    let specs = proc
        .after_all
        .iter()
        .map(|(action, reason)| {
            spec(
                format!("{}.{}", proc.project, action.kind().as_str()),
                action.clone(),
                vec![host],
                reason.clone(),
            )
        })
        .collect();
    b.chain(phase, specs);
}

/// The final upgrade of every remaining package (clients) on every host, when the profile has
/// one, then a restart of the services that load client libraries; health checks in any case.
pub(crate) fn finish(b: &mut Builder<'_>, rules: &RuleBook, hosts: &[usize], restart_on: &[usize]) {
    let phase = "finish";
    if !b.transition.final_upgrade() {
        health(b, rules, phase, &all_capabilities());
        return;
    }
    let source = b.transition.cite(Citation::FinalUpgrade);
    b.per_group(
        phase,
        "finish.upgrade",
        Action::UpgradePackages {
            packages: String::new(),
            project: None,
        },
        hosts,
        &format!(
            "the final package upgrade brings the clients (python-*client) to the new release \
             ({source})"
        ),
    );
    let reloading: Vec<&str> = rules
        .services
        .iter()
        .filter(|s| s.reloads_clients)
        .map(|s| s.name.as_str())
        .collect();
    let mut specs = Vec::new();
    for service in reloading {
        let on: Vec<usize> = restart_on.to_vec();
        for g in b.hosts.groups(&on) {
            let label = b.hosts.label(&g);
            specs.push(spec(
                format!("finish.restart.{label}"),
                Action::RestartService {
                    service: Services::named(service),
                },
                g,
                format!(
                    "{service} loads the client libraries at start and fails once they change \
                     under it: restart it after the client upgrade ({source})"
                ),
            ));
        }
    }
    b.together(phase, specs);
    health(b, rules, phase, &all_capabilities());
}
