//! Words for people: which hosts, and what one host completion changed.

use stackhop_model::{Global, HostState, Level, RuleBook};

use crate::setup::HostClass;

/// Hosts of a class that share one local state, `count` of them (saturated: at least `count`).
pub(crate) fn some_hosts(class: &HostClass, label: &str, count: u32) -> String {
    let size = class.size();
    if size == 1 || (!class.saturated && count as usize == size) {
        return label.to_owned();
    }
    match count {
        _ if class.saturated => format!("some of {label}"),
        1 => format!("one of {label}"),
        n => format!("{n} of {label}"),
    }
}

/// The host that completes a step, out of its class.
pub(crate) fn one_host(class: &HostClass, label: &str) -> String {
    if class.size() == 1 {
        label.to_owned()
    } else {
        format!("one of {label}")
    }
}

fn level(rules: &RuleBook, level: Option<Level>) -> String {
    match level {
        Some(l) => rules.level_name(l).to_owned(),
        None => "stopped".to_owned(),
    }
}

/// What changed on one host.
pub(crate) fn host_diff(rules: &RuleBook, before: &HostState, after: &HostState) -> Vec<String> {
    let mut out = Vec::new();
    if before.env != after.env {
        out.push(format!("environment {} -> {}", before.env, after.env));
    }
    if before.repo != after.repo {
        out.push(format!(
            "repository {} -> {}",
            rules.release_name(before.repo),
            rules.release_name(after.repo)
        ));
    }
    if before.clients != after.clients {
        out.push(format!(
            "client libraries {} -> {}",
            rules.release_name(before.clients),
            rules.release_name(after.clients)
        ));
    }
    if before.provisioned != after.provisioned {
        out.push(format!(
            "provisioned {} -> {}",
            before.provisioned, after.provisioned
        ));
    }
    if before.instances != after.instances {
        out.push(format!(
            "instances {} -> {}",
            before.instances, after.instances
        ));
    }
    if before.disrupted != after.disrupted {
        out.push(format!(
            "instances taken down {} -> {}",
            before.disrupted, after.disrupted
        ));
    }
    for s in &after.services {
        let name = &rules.service(s.id).name;
        let Some(b) = before.service(s.id) else {
            out.push(format!(
                "{name} installed at {}",
                rules.level_name(s.installed)
            ));
            continue;
        };
        if b.installed != s.installed {
            out.push(format!(
                "{name} installed {} -> {}",
                rules.level_name(b.installed),
                rules.level_name(s.installed)
            ));
        }
        if b.running != s.running {
            out.push(format!(
                "{name} running {} -> {}",
                level(rules, b.running),
                level(rules, s.running)
            ));
        }
        if b.enabled != s.enabled {
            out.push(format!(
                "{name} {}",
                if s.enabled { "enabled" } else { "disabled" }
            ));
        }
        if b.stale != s.stale {
            out.push(format!(
                "{name} {}",
                if s.stale {
                    "runs with client libraries replaced under it"
                } else {
                    "reloaded its client libraries"
                }
            ));
        }
        if b.retired != s.retired {
            out.push(format!("{name} retired"));
        }
    }
    for b in &before.services {
        if after.service(b.id).is_none() {
            out.push(format!("{} removed", rules.service(b.id).name));
        }
    }
    for (key, value) in &after.config {
        match before.config.get(key) {
            Some(old) if old == value => {}
            Some(old) => out.push(format!("{key}: {old} -> {value}")),
            None => out.push(format!("{key}: (unset) -> {value}")),
        }
    }
    for (key, old) in &before.config {
        if !after.config.contains_key(key) {
            out.push(format!("{key}: {old} -> (unset)"));
        }
    }
    out
}

/// What changed in the databases.
pub(crate) fn global_diff(rules: &RuleBook, before: &Global, after: &Global) -> Vec<String> {
    let mut out = Vec::new();
    for (key, db) in &after.databases {
        let mut name = format!("{} database", rules.project(key.project).name);
        if key.env != 0 {
            name.push_str(&format!(" (environment {})", key.env));
        }
        let Some(old) = before.databases.get(key) else {
            out.push(format!(
                "{name} created at {}",
                rules.release_name(db.schema)
            ));
            continue;
        };
        if old.schema != db.schema {
            out.push(format!(
                "{name} schema {} -> {}",
                rules.release_name(old.schema),
                rules.release_name(db.schema)
            ));
        }
        if old.utf8 != db.utf8 {
            out.push(format!("{name} converted to utf8"));
        }
        if old.tokens_flushed != db.tokens_flushed {
            out.push(format!("{name} tokens flushed"));
        }
        if old.backed_up != db.backed_up {
            out.push(format!("{name} backed up"));
        }
    }
    out
}
