use stackhop_model::{Action, CapabilitySet, Class, View, apply, check_invariants};

use super::HavanaIcehouse;
use crate::scenario::Scenario;
use crate::transition::{Transition, example};

#[test]
fn every_duration_parameter_the_estimates_use_exists() {
    let model = super::model();
    for name in [
        "fanout",
        "install_repo",
        "backup_fixed",
        "backup_per_gb",
        "nova_share_of_db",
        "stop_service",
        "start_service",
        "restart_service",
        "upgrade_project",
        "upgrade_all",
        "sync_base",
        "keystone_per_million_tokens",
        "flush_per_million_tokens",
        "nova_events_per_million",
        "nova_instances_per_thousand",
        "glance_per_thousand_images",
        "cinder_per_thousand_volumes",
        "neutron_per_thousand_ports",
        "config_change",
        "scheduler_toggle",
        "live_migration",
        "snapshot_move",
        "wait_empty",
        "provision_host",
        "reinstall_host",
        "health_check",
    ] {
        assert!(model.has(name), "missing duration parameter {name}");
    }
}

#[test]
fn the_cloud_as_it_is_today_breaks_no_invariant_and_offers_every_capability() {
    for name in ["allinone", "small", "medium", "large"] {
        let inventory = example(name);
        let t = HavanaIcehouse;
        let rules = t.rules(&inventory);
        let state = t.initial_state(&inventory, &rules);
        let view = View::of(&rules, &state);
        let violations = check_invariants(&view);
        assert!(violations.is_empty(), "{name}: {violations:?}");
        let caps = CapabilitySet::of(&view);
        assert!(caps.down().next().is_none(), "{name}: {caps:?}");
    }
}

#[test]
fn an_unpinned_icehouse_controller_breaks_havana_computes() {
    let inventory = example("small");
    let t = HavanaIcehouse;
    let rules = t.rules(&inventory);
    let mut state = t.initial_state(&inventory, &rules);
    let ctl = 0u32;
    for action in [
        Action::InstallRepo {
            release: "icehouse".into(),
        },
        Action::StopService {
            service: "nova".into(),
            permanent: false,
        },
        Action::UpgradePackages {
            packages: "\\*nova\\*".into(),
            project: Some("nova".into()),
        },
        Action::SyncDatabase {
            project: "nova".into(),
        },
        Action::StartService {
            service: "nova".into(),
        },
    ] {
        state = apply(&rules, &state, &action, &[ctl]).unwrap_or_else(|e| panic!("{e}"));
    }
    let view = View::of(&rules, &state);
    let hard: Vec<_> = check_invariants(&view)
        .into_iter()
        .filter(|v| v.class == Class::Hard)
        .collect();
    assert!(
        hard.iter().any(|v| v.invariant == "compute_rpc_compatible"),
        "{hard:?}"
    );
}

#[test]
fn glance_refuses_to_migrate_non_utf8_tables() {
    let inventory = example("medium");
    let t = HavanaIcehouse;
    let rules = t.rules(&inventory);
    let mut state = t.initial_state(&inventory, &rules);
    for action in [
        Action::InstallRepo {
            release: "icehouse".into(),
        },
        Action::StopService {
            service: "glance".into(),
            permanent: false,
        },
        Action::UpgradePackages {
            packages: "\\*glance\\*".into(),
            project: Some("glance".into()),
        },
    ] {
        state = apply(&rules, &state, &action, &[0]).unwrap_or_else(|e| panic!("{e}"));
    }
    let sync = Action::SyncDatabase {
        project: "glance".into(),
    };
    assert!(apply(&rules, &state, &sync, &[0]).is_err());
    let converted = apply(
        &rules,
        &state,
        &Action::ConvertUtf8 {
            project: "glance".into(),
        },
        &[0],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(apply(&rules, &converted, &sync, &[0]).is_ok());
}

#[test]
fn live_compute_refuses_computes_older_than_2013_2_2() {
    let mut inventory = example("small");
    for h in &mut inventory.hosts {
        h.nova_version = stackhop_inventory::Version::parse("2013.2.1");
    }
    let ids: Vec<String> = HavanaIcehouse
        .preflight(&inventory, Scenario::LiveCompute)
        .into_iter()
        .map(|f| f.id)
        .collect();
    assert!(ids.contains(&"live-compute-old-nova".to_owned()), "{ids:?}");
    let ids: Vec<String> = HavanaIcehouse
        .preflight(&inventory, Scenario::AllAtOnce)
        .into_iter()
        .map(|f| f.id)
        .collect();
    assert!(
        !ids.contains(&"live-compute-old-nova".to_owned()),
        "{ids:?}"
    );
}
