//! The end state every plan must reach.

use crate::invariant::{Class, check_invariants};
use crate::view::View;

/// What keeps a state from being the finished upgrade: every provisioned host's services on the
/// target release and running, clients upgraded, databases migrated, no upgrade scaffolding left
/// in config, no instance on a retired hypervisor and nothing broken.
pub fn unmet_goals(view: &View<'_>) -> Vec<String> {
    let rules = view.rules;
    let target = rules.target_release();
    let mut unmet = Vec::new();
    for h in view.hosts.iter().filter(|h| h.state.provisioned) {
        for s in h.state.services.iter().filter(|s| !s.retired) {
            let name = &rules.service(s.id).name;
            if rules.release_of(s.installed) != target {
                unmet.push(format!("{name} is still {}", rules.level_name(s.installed)));
            }
            if s.running != Some(s.installed) {
                unmet.push(format!("{name} is not running its installed code"));
            }
            if s.stale {
                unmet.push(format!("{name} needs a restart after the client upgrade"));
            }
        }
        if h.state.clients != target {
            unmet.push("client packages are not upgraded".to_owned());
        }
        let retired_hypervisor = h.state.services.iter().any(|s| {
            s.retired && rules.service(s.id).kind == crate::rules::ServiceKind::Hypervisor
        });
        if retired_hypervisor && h.state.instances > 0 {
            unmet.push("instances remain on a retired hypervisor".to_owned());
        }
        for key in &rules.temporary_config {
            if h.state.config.contains_key(key) {
                unmet.push(format!("{key} is still set"));
            }
        }
    }
    for (key, db) in &view.global.databases {
        // A database no live service of its project uses any more (the old Nova after a
        // parallel deployment took over) is left as it was.
        let in_use = view.hosts.iter().any(|h| {
            (!rules.project(key.project).db_per_env || h.state.env == key.env)
                && h.state.services.iter().any(|s| {
                    !s.retired
                        && rules.service(s.id).project == key.project
                        && rules.service(s.id).reads_db
                })
        });
        if in_use && db.schema != target {
            unmet.push(format!(
                "the {} database is not migrated",
                rules.project(key.project).name
            ));
        }
        if in_use && db.online_pending {
            unmet.push(format!(
                "the {} online data migrations have not run",
                rules.project(key.project).name
            ));
        }
    }
    for v in check_invariants(view)
        .into_iter()
        .filter(|v| v.class == Class::Hard)
    {
        unmet.push(v.message);
    }
    unmet.sort();
    unmet.dedup();
    unmet
}
