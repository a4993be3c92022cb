//! The planner's own plans, edited the way a hurried operator would: each broken edit is caught
//! with the right invariant, and harmless edits still verify. Every edited plan goes through its
//! JSON text and `verify_plan_json`, as `stackhop verify --plan` reads a file edited by hand.

mod common;

use common::*;
use stackhop_catalog::Scenario;
use stackhop_model::Action;
use stackhop_plan::{Plan, make_plan};
use stackhop_verify::{VerifyReport, verify_plan_json};

fn planned(scenario: Scenario) -> Plan {
    let (inventory, source) = example("small");
    make_plan(
        transition(&inventory),
        &inventory,
        "small",
        source,
        scenario,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Verifies an edited plan as `stackhop verify --plan` reads it once the operator has resealed
/// it with `stackhop reseal --render-commands`: the commands follow the edited actions, the
/// digest is recomputed, everything else is as edited.
fn run(plan: &Plan) -> VerifyReport {
    let mut plan = plan.clone();
    let (inventory, _) = example("small");
    stackhop_plan::render_commands(&mut plan, transition(&inventory), &inventory);
    plan.seal();
    verify_plan_json(&plan.to_json(), "edited.json").unwrap_or_else(|e| panic!("{e}"))
}

fn live() -> Plan {
    planned(Scenario::LiveCompute)
}

fn by_id_prefix(plan: &Plan, prefix: &str, suffix: &str) -> String {
    find(plan, &format!("{prefix}*{suffix}"), |s| {
        s.id.starts_with(prefix) && s.id.ends_with(suffix)
    })
}

fn last_batch_disable(plan: &Plan) -> String {
    plan.steps
        .iter()
        .rev()
        .find(|s| s.phase == "nova-computes" && matches!(s.action, Action::DisableCompute {}))
        .map(|s| s.id.clone())
        .unwrap_or_else(|| panic!("no batch"))
}

fn broken_cases() -> Vec<(&'static str, Plan, &'static str)> {
    let plan = live();
    let pin = find(&plan, "the pin", |s| sets_key(s, "compute"));
    let unpin = find(&plan, "the unpin", |s| unsets_key(s, "compute"));
    let unpin_restart = find(&plan, "the unpin restart", |s| {
        s.phase == "unpin" && matches!(s.action, Action::RestartService { .. })
    });
    let last_disable = last_batch_disable(&plan);
    let before_last = plan
        .steps
        .iter()
        .find(|s| s.id == last_disable)
        .and_then(|s| s.after.first().cloned())
        .unwrap_or_default();
    let controllers_stop = find(&plan, "the controllers' stop", |s| {
        s.phase == "nova-controllers" && matches!(s.action, Action::StopService { .. })
    });
    let before_controllers = plan
        .steps
        .iter()
        .find(|s| s.id == controllers_stop)
        .and_then(|s| s.after.first().cloned())
        .unwrap_or_default();
    let canary_first = by_id_prefix(&plan, "nova-computes.canary.", ".disable");
    let canary_last = by_id_prefix(&plan, "nova-computes.canary.", ".enable");
    let nova_sync = find(
        &plan,
        "the nova sync",
        |s| matches!(&s.action, Action::SyncDatabase { project } if project == "nova"),
    );
    let glance_utf8 = find(&plan, "the glance conversion", |s| {
        matches!(s.action, Action::ConvertUtf8 { .. })
    });
    let glance_sync = find(
        &plan,
        "the glance sync",
        |s| matches!(&s.action, Action::SyncDatabase { project } if project == "glance"),
    );
    let cmp1 = vec!["cmp1".to_owned()];
    vec![
        (
            "the pin step removed",
            without(&plan, &pin),
            "compute_rpc_compatible",
        ),
        (
            "the unpin moved before the last batch",
            move_chain(&plan, &unpin, &unpin_restart, &before_last),
            "compute_rpc_compatible",
        ),
        (
            "a compute upgraded before the conductor",
            move_chain(&plan, &canary_first, &canary_last, &before_controllers),
            "conductor_not_older_than_compute",
        ),
        (
            "Icehouse computes with fatal vif plugging while the API is pinned (the RDO documents)",
            without_all(&plan, |s| {
                s.phase == "nova-computes"
                    && (sets_key(s, "vif_plugging_is_fatal") || sets_key(s, "vif_plugging_timeout"))
            }),
            "vif_events_deliverable",
        ),
        (
            "the nova sync while the Havana controllers still run",
            move_after(&plan, &nova_sync, &before_controllers),
            "schema_matches_code",
        ),
        (
            "the nova database never synced",
            without(&plan, &nova_sync),
            "schema_matches_code",
        ),
        (
            "glance's utf8 conversion left out",
            without(&plan, &glance_utf8),
            "utf8_before_sync",
        ),
        (
            "glance's sync moved before the utf8 conversion",
            move_after(&plan, &glance_utf8, &glance_sync),
            "utf8_before_sync",
        ),
        (
            "a reinstall of a compute that hosts instances",
            insert_after(
                &plan,
                &canary_last,
                "edit.reinstall",
                Action::ReinstallHost {
                    env: 0,
                    services: vec!["openstack-nova-compute".into()],
                },
                &cmp1,
            ),
            "instances_untouched",
        ),
        (
            "qpid left implicit for Icehouse Nova",
            without_all(&plan, |s| {
                s.phase == "prepare" && s.id.contains("nova.rpc_backend")
            }),
            "rpc_backend_explicit",
        ),
        (
            "Icehouse Horizon without ALLOWED_HOSTS",
            without_all(&plan, |s| sets_key(s, "ALLOWED_HOSTS")),
            "horizon_allowed_hosts",
        ),
        (
            "the unpin before any compute is upgraded",
            move_chain(&plan, &unpin, &unpin_restart, &canary_first_anchor(&plan)),
            "compute_rpc_compatible",
        ),
        (
            "a health check of the compute API while Nova is stopped",
            insert_after(
                &plan,
                &controllers_stop,
                "edit.check.compute_api",
                Action::HealthCheck {
                    capability: "compute_api".into(),
                },
                &controllers(&example("small").0),
            ),
            "health_check_passes",
        ),
    ]
}

fn canary_first_anchor(plan: &Plan) -> String {
    let first = by_id_prefix(plan, "nova-computes.canary.", ".disable");
    plan.steps
        .iter()
        .find(|s| s.id == first)
        .and_then(|s| s.after.first().cloned())
        .unwrap_or_default()
}

#[test]
fn the_planners_own_live_plan_verifies() {
    let report = run(&live());
    assert!(report.verified, "{:#?}", report.violations);
    assert!(report.goal_reached, "{:?}", report.unmet_goals);
}

#[test]
fn broken_edits_of_the_live_plan_are_caught_with_the_right_invariant() {
    let cases = broken_cases();
    assert!(cases.len() >= 12, "#4 asks for at least twelve");
    for (what, plan, invariant) in cases {
        let report = run(&plan);
        assert!(!report.verified, "{what}: verified");
        let Some(v) = report.violations.iter().find(|v| v.invariant == invariant) else {
            panic!("{what}: expected {invariant}, got {:#?}", report.violations);
        };
        assert!(!v.trace.is_empty() && !v.hosts.is_empty(), "{what}: {v:?}");
    }
}

#[test]
fn neutron_events_to_a_havana_api_are_degraded_not_broken() {
    // Service by service upgrades Neutron before Nova: sending events to the Havana API only
    // makes Neutron log failures (the catalog's `events_reach_new_api` is degraded).
    let plan = planned(Scenario::ServiceByService);
    let mut edited = plan.clone();
    for s in &mut edited.steps {
        if let Action::SetConfig { key, value, .. } = &mut s.action
            && key.starts_with("notify_nova_on_port")
        {
            *value = "True".into();
        }
    }
    let report = run(&edited);
    assert!(report.verified, "{:#?}", report.violations);
    let d = report
        .degraded
        .iter()
        .find(|d| d.invariant == "events_reach_new_api")
        .unwrap_or_else(|| panic!("{:#?}", report.degraded));
    assert!(d.phases.iter().any(|p| p == "neutron"), "{d:?}");
}

#[test]
fn harmless_edits_of_the_live_plan_still_verify() {
    let plan = live();
    let split = {
        // The first batch split in two batches of one host each, one after the other.
        let mut p = plan.clone();
        let batch: Vec<usize> = (0..p.steps.len())
            .filter(|&i| p.steps[i].id.starts_with("nova-computes.b01."))
            .collect();
        let hosts = p.steps[batch[0]].hosts.clone();
        assert!(hosts.len() >= 2, "{hosts:?}");
        let mut second: Vec<_> = batch.iter().map(|&i| p.steps[i].clone()).collect();
        for &i in &batch {
            p.steps[i].hosts = hosts[..1].to_vec();
        }
        let last_first = p.steps[*batch.last().unwrap_or(&0)].id.clone();
        for s in &mut second {
            s.hosts = hosts[1..].to_vec();
            s.id = s.id.replacen("b01", "b01b", 1);
            s.after = s
                .after
                .iter()
                .map(|a| a.replacen("b01", "b01b", 1))
                .collect();
        }
        second[0].after = vec![last_first.clone()];
        let second_last = second.last().map(|s| s.id.clone()).unwrap_or_default();
        for s in &mut p.steps {
            for a in &mut s.after {
                if *a == last_first {
                    *a = second_last.clone();
                }
            }
        }
        let at = batch.last().copied().unwrap_or(0) + 1;
        for (k, s) in second.into_iter().enumerate() {
            p.steps.insert(at + k, s);
        }
        p
    };
    let cases: Vec<(&str, Plan)> = vec![
        (
            "health checks removed",
            without_all(&plan, |s| matches!(s.action, Action::HealthCheck { .. })),
        ),
        ("a batch split in two", split),
        ("two independent steps reordered", {
            let a = find(&plan, "ALLOWED_HOSTS", |s| sets_key(s, "ALLOWED_HOSTS"));
            let b = find(&plan, "member role", |s| {
                sets_key(s, "OPENSTACK_KEYSTONE_DEFAULT_ROLE")
            });
            move_after(&plan, &a, &b)
        }),
    ];
    for (what, plan) in cases {
        let report = run(&plan);
        assert!(report.verified, "{what}: {:#?}", report.violations);
        assert!(report.goal_reached, "{what}: {:?}", report.unmet_goals);
    }
}

#[test]
#[ignore = "prints what verify says about each broken edit, for people to read"]
fn print_broken_cases() {
    for (what, plan, _) in broken_cases() {
        let report = run(&plan);
        println!("== {what}: {} states", report.states);
        for v in &report.violations {
            println!(
                "  {} at `{}` on {}: {}\n    trace: ..{:?}\n    {}",
                v.invariant,
                v.step,
                v.hosts,
                v.message,
                &v.trace[v.trace.len().saturating_sub(4)..],
                v.differs
            );
        }
    }
}
