//! The Icehouse Nova/Neutron event interaction (reference §3).
//!
//! An Icehouse libvirt compute on Neutron starts each instance paused and waits for
//! `network-vif-plugged`; with `vif_plugging_is_fatal` (the default) a boot fails when the event
//! never comes. Events travel Neutron → nova-api (`os-server-external-events`, Icehouse only) →
//! compute RPC 3.23, which a nova-api pinned to `icehouse-compat` (3.0) cannot send.

use stackhop_model::{Class, Env, HostRef, RpcChannel, View, Violation};

use super::keys;
use super::levels::EXTERNAL_EVENT;

fn is_false(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.eq_ignore_ascii_case("false"))
}

fn is_true(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The environment a Neutron server sends its events to.
fn target_env(view: &View<'_>, host: &HostRef<'_>) -> Env {
    match view.config(host.state, &keys::nova_region()) {
        Some(r) if r == keys::PARALLEL_REGION => 1,
        _ => 0,
    }
}

/// Why events cannot reach the computes of `env`, or `None` if they can.
pub(crate) fn event_path_broken(
    view: &View<'_>,
    compute_channel: &RpcChannel,
    env: Env,
) -> Option<String> {
    let rules = view.rules;
    let server = rules.service_id("neutron-server")?;
    let api = rules.service_id("openstack-nova-api")?;
    let senders: Vec<_> = view
        .running(server)
        .filter(|(h, s)| {
            s.running.is_some_and(|l| rules.release_of(l) >= 1)
                && target_env(view, h) == env
                && is_true(view.config(h.state, &keys::notify_status()))
                && keys::NEUTRON_CREDENTIALS
                    .iter()
                    .all(|k| view.config(h.state, &keys::neutron(k)).is_some())
        })
        .collect();
    if senders.is_empty() {
        return Some(
            "no Icehouse neutron-server sends port events to this Nova (Neutron is Havana, or \
             notify_nova_on_port_status_changes or the nova_admin_* credentials are not set)"
                .to_owned(),
        );
    }
    let apis: Vec<_> = view
        .running(api)
        .filter(|(h, _)| h.state.env == env)
        .collect();
    if apis.is_empty() {
        return Some("no nova-api runs to receive the events".to_owned());
    }
    for (h, s) in &apis {
        let level = s.running.unwrap_or_default();
        if rules.release_of(level) == 0 {
            return Some(
                "a Havana nova-api has no os-server-external-events and answers 404".to_owned(),
            );
        }
        let cap = compute_channel
            .cap_key
            .as_ref()
            .and_then(|k| view.config(h.state, k));
        let sent = compute_channel.sent_version(level, cap);
        if sent < EXTERNAL_EVENT {
            return Some(format!(
                "nova-api's compute RPC is pinned to {sent}, and external_instance_event needs \
                 {EXTERNAL_EVENT} (RPCVersionCapError)"
            ));
        }
    }
    None
}

/// Whether a compute host's boots wait for events, fatally.
pub(crate) fn waits_fatally(view: &View<'_>, host: &HostRef<'_>) -> bool {
    !is_false(view.config(host.state, &keys::vif_fatal()))
        && view.config(host.state, &keys::vif_timeout()) != Some("0")
}

fn neutron_running(view: &View<'_>) -> bool {
    view.rules
        .service_id("neutron-server")
        .is_some_and(|id| view.running(id).next().is_some())
}

/// Icehouse computes that would fail every boot: hard. Non-fatal waits: degraded.
pub(crate) fn vif_events(view: &View<'_>, compute_channel: &RpcChannel, out: &mut Vec<Violation>) {
    let rules = view.rules;
    let Some(compute) = rules.service_id("openstack-nova-compute") else {
        return;
    };
    // With no Neutron server at all, boots fail at port creation whatever the compute waits for.
    if !neutron_running(view) {
        return;
    }
    for (h, s) in view.running(compute) {
        if s.running.is_none_or(|l| rules.release_of(l) == 0) {
            continue;
        }
        let Some(why) = event_path_broken(view, compute_channel, h.state.env) else {
            continue;
        };
        if waits_fatally(view, &h) {
            out.push(Violation::new(
                "vif_events_deliverable",
                Class::Hard,
                format!(
                    "an Icehouse nova-compute waits for network-vif-plugged with \
                     vif_plugging_is_fatal=True, but {why}; every boot on it fails"
                ),
                vec![h.tag],
            ));
        } else if view.config(h.state, &keys::vif_timeout()) != Some("0") {
            out.push(Violation::new(
                "vif_events_deliverable",
                Class::Degraded,
                format!(
                    "boots on an Icehouse nova-compute wait vif_plugging_timeout, because {why}"
                ),
                vec![h.tag],
            ));
        }
    }
}

/// Icehouse Neutron notifying a Havana nova-api: logged failures, nothing breaks.
pub(crate) fn events_to_old_api(view: &View<'_>, out: &mut Vec<Violation>) {
    let rules = view.rules;
    let (Some(server), Some(api)) = (
        rules.service_id("neutron-server"),
        rules.service_id("openstack-nova-api"),
    ) else {
        return;
    };
    for (h, s) in view.running(server) {
        let sends = s.running.is_some_and(|l| rules.release_of(l) >= 1)
            && is_true(view.config(h.state, &keys::notify_status()));
        if !sends {
            continue;
        }
        let env = target_env(view, &h);
        let old_api = view.running(api).find(|(a, sa)| {
            a.state.env == env && sa.running.is_some_and(|l| rules.release_of(l) == 0)
        });
        if let Some((a, _)) = old_api {
            out.push(Violation::new(
                "events_reach_new_api",
                Class::Degraded,
                "Icehouse Neutron sends port events to a Havana nova-api, which answers 404; \
                 Neutron logs \"Failed to notify nova on events\""
                    .to_owned(),
                vec![h.tag, a.tag],
            ));
        }
    }
}
