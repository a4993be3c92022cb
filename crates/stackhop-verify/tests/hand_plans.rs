//! Plans written by hand on the `small` example: one correct, and edits that break it.

mod common;

use common::*;
use stackhop_model::Action;
use stackhop_plan::Plan;
use stackhop_verify::{VerifyError, VerifyReport, verify};

fn run(plan: &Plan) -> VerifyReport {
    let (inventory, _) = example("small");
    match verify(transition(&inventory), &inventory, plan) {
        Ok(r) => r,
        Err(e) => panic!("verify failed: {e}"),
    }
}

fn small_plan() -> Plan {
    let (inventory, _) = example("small");
    all_at_once_by_hand(&inventory)
}

#[test]
fn a_correct_all_at_once_plan_verifies_and_reaches_the_goal() {
    let report = run(&small_plan());
    assert!(report.verified, "{:#?}", report.violations);
    assert!(report.goal_reached, "{:?}", report.unmet_goals);
    assert_eq!(report.final_states, 1);
    assert_eq!(report.schema, "stackhop.verify/v1");
    // The outage: the API is down from the stop until the start, never before.
    let api = &report.capabilities["compute_api"];
    assert!(!api.available);
    assert_eq!(
        api.unavailable_during,
        ["stop", "upgrade", "databases", "start"]
    );
    assert!(
        report.capabilities["identity"]
            .unavailable_during
            .iter()
            .all(|p| p != "config")
    );
    assert!(report.states > 0 && report.classes == 3, "{report:?}");
}

#[test]
fn an_unpinned_icehouse_controller_with_havana_computes_is_caught_with_a_shortest_trace() {
    let (inventory, _) = example("small");
    let ctl = controllers(&inventory);
    let mut b = PlanBuilder::new(&inventory);
    b.then(
        "repo",
        "prepare",
        Action::InstallRepo {
            release: "icehouse".into(),
        },
        &ctl,
    )
    .then(
        "rpc",
        "prepare",
        set(NOVA_CONF, "DEFAULT", "rpc_backend", "qpid"),
        &ctl,
    )
    .then("stop", "nova", stop("nova"), &ctl)
    .then("upgrade", "nova", upgrade(Some("nova")), &ctl)
    .then("sync", "nova", sync("nova"), &ctl)
    .then("start", "nova", start("nova"), &ctl);
    let report = run(&b.build());
    assert!(!report.verified);
    let v = report
        .violations
        .iter()
        .find(|v| v.invariant == "compute_rpc_compatible")
        .unwrap_or_else(|| panic!("{:#?}", report.violations));
    assert_eq!(v.trace, ["repo", "rpc", "stop", "upgrade", "sync", "start"]);
    assert_eq!(v.step, "start");
    assert!(
        v.hosts.contains("ctl1") && v.hosts.contains("cmp[1:3]"),
        "{}",
        v.hosts
    );
    assert!(
        v.differs
            .contains("openstack-nova-api running stopped -> icehouse"),
        "{}",
        v.differs
    );
    assert!(!v.refused);
}

/// Each edit a hurried operator might make, and the invariant that catches it.
#[test]
fn broken_edits_are_caught_with_the_right_invariant() {
    let plan = small_plan();
    let (inventory, _) = example("small");
    let cmp1 = vec!["cmp1".to_owned()];
    let cases: Vec<(&str, Plan, &str, bool)> = vec![
        (
            "glance sync before the utf8 conversion",
            without(&plan, "glance.convert_utf8"),
            "utf8_before_sync",
            true,
        ),
        (
            "a compute with instances reinstalled",
            insert_after(
                &plan,
                "upgrade.all",
                "reinstall.cmp1",
                Action::ReinstallHost {
                    env: 0,
                    services: vec!["openstack-nova-compute".into()],
                },
                &cmp1,
            ),
            "instances_untouched",
            false,
        ),
        (
            "the nova database never synced",
            without(&plan, "nova.sync"),
            "schema_matches_code",
            false,
        ),
        (
            "services started before their database is migrated",
            move_after(&plan, "start.all", "upgrade.all"),
            "schema_matches_code",
            false,
        ),
        (
            "qpid left implicit for nova",
            without(&plan, "config.nova.rpc_backend"),
            "rpc_backend_explicit",
            false,
        ),
        (
            "horizon restarted without ALLOWED_HOSTS",
            without(&plan, "config.horizon.allowed_hosts"),
            "horizon_allowed_hosts",
            false,
        ),
        (
            "neutron never told to send events",
            without(&plan, "config.events.notify_nova_on_port_status_changes"),
            "vif_events_deliverable",
            false,
        ),
        (
            "a health check while the cloud is down",
            insert_after(
                &plan,
                "stop.all",
                "check.identity",
                Action::HealthCheck {
                    capability: "identity".into(),
                },
                &controllers(&inventory),
            ),
            "health_check_passes",
            true,
        ),
    ];
    for (what, plan, invariant, refused) in cases {
        let report = run(&plan);
        assert!(!report.verified, "{what}: verified");
        let found = report.violations.iter().find(|v| v.invariant == invariant);
        let Some(v) = found else {
            panic!("{what}: expected {invariant}, got {:#?}", report.violations);
        };
        assert_eq!(v.refused, refused, "{what}: {v:?}");
        assert!(
            !v.trace.is_empty() && !v.step.is_empty() && !v.hosts.is_empty(),
            "{what}: {v:?}"
        );
        assert_eq!(v.trace.last(), Some(&v.step), "{what}");
    }
}

#[test]
fn glance_sync_before_conversion_names_the_step_and_host() {
    let report = run(&without(&small_plan(), "glance.convert_utf8"));
    let v = &report.violations[0];
    assert_eq!(v.invariant, "utf8_before_sync");
    assert_eq!(v.step, "glance.sync");
    assert_eq!(v.hosts, "ctl1");
    assert!(v.refused);
    assert_eq!(v.trace.last().map(String::as_str), Some("glance.sync"));
    assert!(!report.goal_reached);
}

#[test]
fn harmless_edits_still_verify() {
    let plan = small_plan();
    let (inventory, _) = example("small");
    let all = non_spare(&inventory);
    let cases: Vec<(&str, Plan)> = vec![
        ("health check removed", without(&plan, "finish.check.boot")),
        (
            "two config steps swapped",
            move_after(
                &plan,
                "config.nova.rpc_backend",
                "config.glance.rpc_backend",
            ),
        ),
        ("a config step run alongside another", {
            let mut p = plan.clone();
            for s in &mut p.steps {
                if s.id == "config.horizon.member_role" {
                    s.after = vec!["config.glance.rpc_backend".into()];
                }
                if s.id == "config.events.nova_url" {
                    s.after = vec![
                        "config.horizon.allowed_hosts".into(),
                        "config.horizon.member_role".into(),
                    ];
                }
            }
            p
        }),
        ("the stop split in two", {
            let mut p = plan.clone();
            let pos = p.steps.iter().position(|s| s.id == "stop.all").unwrap_or(0);
            let mut second = p.steps[pos].clone();
            second.id = "stop.all.part2".into();
            second.hosts = all[3..].to_vec();
            p.steps[pos].hosts = all[..3].to_vec();
            for s in &mut p.steps {
                if s.after.iter().any(|a| a == "stop.all") {
                    s.after.push("stop.all.part2".into());
                }
            }
            p.steps.insert(pos + 1, second);
            p
        }),
    ];
    for (what, plan) in cases {
        let report = run(&plan);
        assert!(report.verified, "{what}: {:#?}", report.violations);
        assert!(report.goal_reached, "{what}: {:?}", report.unmet_goals);
    }
}

#[test]
fn bad_input_is_an_error_not_a_violation() {
    let plan = small_plan();
    let (inventory, _) = example("small");
    let t = transition(&inventory);

    let mut unknown_host = plan.clone();
    unknown_host.steps[1].hosts.push("cmp9".into());
    assert!(matches!(
        verify(t, &inventory, &unknown_host),
        Err(VerifyError::UnknownHost { host, .. }) if host == "cmp9"
    ));

    let mut unknown_service = plan.clone();
    unknown_service.steps[1].action = stop("openstack-nova-frobnicator");
    assert!(matches!(
        verify(t, &inventory, &unknown_service),
        Err(VerifyError::Action { .. })
    ));

    let mut unknown_after = plan.clone();
    unknown_after.steps[1].after = vec!["nope".into()];
    assert!(matches!(
        verify(t, &inventory, &unknown_after),
        Err(VerifyError::Shape(_))
    ));

    let mut cycle = plan.clone();
    cycle.steps[0].after = vec![cycle.steps[1].id.clone()];
    assert!(matches!(
        verify(t, &inventory, &cycle),
        Err(VerifyError::Shape(_))
    ));

    let mut capability = plan.clone();
    let last = capability.steps.len() - 1;
    capability.steps[last].action = Action::HealthCheck {
        capability: "teleport".into(),
    };
    assert!(matches!(
        verify(t, &inventory, &capability),
        Err(VerifyError::UnknownCapability { .. })
    ));
}

#[test]
fn the_report_serializes_to_the_v1_contract() {
    let report = run(&without(&small_plan(), "glance.convert_utf8"));
    let json = serde_json::to_value(&report).unwrap_or_default();
    for key in [
        "schema",
        "verified",
        "states",
        "violations",
        "capabilities",
        "degraded",
        "goal_reached",
    ] {
        assert!(json.get(key).is_some(), "missing {key}: {json}");
    }
    let v = &json["violations"][0];
    assert_eq!(v["class"], "hard");
    assert!(v["trace"].is_array());
    assert!(json["capabilities"]["boot"]["unavailable_during"].is_array());
}

#[test]
#[ignore = "prints a report for people to read"]
fn print_small_report() {
    let report = run(&small_plan());
    println!(
        "{}",
        serde_json::to_string_pretty(&report).unwrap_or_default()
    );
    let report = run(&without(
        &small_plan(),
        "config.events.notify_nova_on_port_status_changes",
    ));
    println!(
        "{}",
        serde_json::to_string_pretty(&report).unwrap_or_default()
    );
}

#[test]
fn steps_that_race_on_the_same_hosts_leave_every_outcome_reachable() {
    // Two steps set one option to different values on the same computes at the same time, then
    // a later step runs: each compute ends with either value, so there are 4 final states (0 to
    // 3 computes with the first value), and the blocks around the race are explored together.
    let (inventory, _) = example("small");
    let cmp = computes(&inventory);
    let ctl = controllers(&inventory);
    let mut b = PlanBuilder::new(&inventory);
    b.then(
        "repo",
        "prepare",
        Action::InstallRepo {
            release: "icehouse".into(),
        },
        &ctl,
    )
    .step_after(
        "a",
        "race",
        set(NOVA_CONF, "DEFAULT", "foo", "1"),
        &cmp,
        &["repo"],
    )
    .step_after(
        "b",
        "race",
        set(NOVA_CONF, "DEFAULT", "foo", "2"),
        &cmp,
        &["repo"],
    )
    .step_after(
        "after",
        "after",
        set(NOVA_CONF, "DEFAULT", "bar", "1"),
        &cmp,
        &["a", "b"],
    )
    .then("last", "after", set(NOVA_CONF, "DEFAULT", "baz", "1"), &ctl);
    let report = run(&b.build());
    assert!(report.verified, "{:?}", report.violations);
    assert_eq!(report.final_states, 4);
}

#[test]
fn a_plan_without_steps_leaves_the_cloud_as_it_is() {
    let (inventory, _) = example("small");
    let report = run(&PlanBuilder::new(&inventory).build());
    assert!(report.verified);
    assert_eq!((report.states, report.final_states), (1, 1));
    assert!(!report.goal_reached);
    assert!(report.capabilities.values().all(|c| c.available));
}
