//! Invariants: what must hold in every state a plan can reach.

use serde::{Deserialize, Serialize};

use crate::rules::{ConfigExpectation, Delivery, RpcChannel};
use crate::view::View;

/// `Hard` means broken: the verifier fails. `Degraded` means it works but loses a feature or logs
/// errors: reported, not failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    Hard,
    Degraded,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Violation {
    pub invariant: String,
    pub class: Class,
    pub message: String,
    /// The view tags (host groups) involved.
    pub tags: Vec<usize>,
}

impl Violation {
    pub fn new(invariant: &str, class: Class, message: String, tags: Vec<usize>) -> Self {
        Violation {
            invariant: invariant.to_owned(),
            class,
            message,
            tags,
        }
    }
}

/// Every invariant the rule book defines, checked in one state.
pub fn check_invariants(view: &View<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    schema_matches_code(view, &mut out);
    no_instance_disrupted(view, &mut out);
    no_stale_clients(view, &mut out);
    for channel in &view.rules.channels {
        rpc_compatible(view, channel, &mut out);
    }
    config_rules(view, &mut out);
    for custom in &view.rules.custom {
        (custom.check)(view, &mut out);
    }
    out
}

fn schema_matches_code(view: &View<'_>, out: &mut Vec<Violation>) {
    let rules = view.rules;
    for h in &view.hosts {
        for svc in &h.state.services {
            let Some(level) = svc.running else { continue };
            let info = rules.service(svc.id);
            if !info.reads_db || !rules.project(info.project).has_db {
                continue;
            }
            let code = rules.release_of(level);
            let message = match view.db_for(h.state, svc.id) {
                Some(db) if db.schema == code => continue,
                Some(db) => format!(
                    "{} runs {} code on a {} database schema",
                    info.name,
                    rules.level_name(level),
                    rules.release_name(db.schema)
                ),
                None => format!("{} runs but its database does not exist yet", info.name),
            };
            out.push(Violation::new(
                "schema_matches_code",
                crate::Class::Hard,
                message,
                vec![h.tag],
            ));
        }
    }
}

fn no_instance_disrupted(view: &View<'_>, out: &mut Vec<Violation>) {
    for h in view.hosts.iter().filter(|h| h.state.disrupted > 0) {
        out.push(Violation::new(
            "instances_untouched",
            Class::Hard,
            format!(
                "{} running instance(s) were taken down by a reboot, reinstall or stop of their host",
                h.state.disrupted
            ),
            vec![h.tag],
        ));
    }
}

fn no_stale_clients(view: &View<'_>, out: &mut Vec<Violation>) {
    for h in &view.hosts {
        for svc in h
            .state
            .services
            .iter()
            .filter(|s| s.stale && s.running.is_some())
        {
            out.push(Violation::new(
                "clients_loaded_fresh",
                Class::Degraded,
                format!(
                    "{} still runs with the client libraries that were upgraded under it; \
                     restart it",
                    view.rules.service(svc.id).name
                ),
                vec![h.tag],
            ));
        }
    }
}

fn rpc_compatible(view: &View<'_>, channel: &RpcChannel, out: &mut Vec<Violation>) {
    let rules = view.rules;
    // Distinct (env, sent version, sender name) first: thousands of identical senders are one.
    let mut sent = Vec::new();
    for h in &view.hosts {
        for svc in h
            .state
            .services
            .iter()
            .filter(|s| channel.senders.contains(&s.id))
        {
            let Some(level) = svc.running else { continue };
            let version = channel.sent_by(view, h.state, level);
            sent.push((h.state.env, version, svc.id, level, h.tag));
        }
    }
    let Delivery::AllReceivers = channel.delivery;
    for h in &view.hosts {
        for svc in h
            .state
            .services
            .iter()
            .filter(|s| channel.receivers.contains(&s.id))
        {
            let Some(level) = svc.running else { continue };
            for (env, version, sender, sender_level, tag) in &sent {
                if *env != h.state.env || channel.accepted_by(level, *version) {
                    continue;
                }
                let mut tags = vec![*tag, h.tag];
                tags.dedup();
                out.push(Violation::new(
                    channel.id,
                    channel.class,
                    format!(
                        "{} ({}) sends {} that {} ({}) cannot accept: {}",
                        rules.service(*sender).name,
                        rules.level_name(*sender_level),
                        channel.describe(*version),
                        rules.service(svc.id).name,
                        rules.level_name(level),
                        channel.reason
                    ),
                    tags,
                ));
            }
        }
    }
}

fn config_rules(view: &View<'_>, out: &mut Vec<Violation>) {
    for rule in &view.rules.config_rules {
        for h in &view.hosts {
            let runs_affected = h.state.services.iter().any(|s| {
                rule.services.contains(&s.id)
                    && s.running
                        .is_some_and(|l| l >= rule.min_level && l <= rule.max_level)
            });
            if !runs_affected {
                continue;
            }
            let value = view.config(h.state, &rule.key);
            let ok = match &rule.expect {
                ConfigExpectation::OneOf(wanted) => {
                    value.is_some_and(|v| wanted.iter().any(|w| w == v))
                }
                ConfigExpectation::Present => value.is_some(),
                ConfigExpectation::Absent { harmless } => {
                    value.is_none_or(|v| harmless.iter().any(|x| x == v))
                }
                ConfigExpectation::NoneOf(banned) => {
                    value.is_none_or(|v| banned.iter().all(|b| b != v))
                }
            };
            if !ok {
                out.push(Violation::new(
                    rule.id,
                    rule.class,
                    rule.message.clone(),
                    vec![h.tag],
                ));
            }
        }
    }
}
