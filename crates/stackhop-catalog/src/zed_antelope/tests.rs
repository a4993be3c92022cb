use stackhop_model::{Action, CapabilitySet, View, apply, check_invariants};

use super::ZedAntelope;
use super::commands::{ServiceManager, render_with};
use crate::transition::{Transition, example};

#[test]
fn every_duration_parameter_the_estimates_use_exists() {
    let model = super::model();
    for name in [
        "fanout",
        "install_repo",
        "backup_fixed",
        "backup_per_gb",
        "stop_nova",
        "stop_other",
        "start_nova",
        "start_other",
        "restart_nova",
        "switch_code",
        "nova_sync_base",
        "nova_instances_per_thousand",
        "placement_sync",
        "upgrade_check",
        "online_base",
        "online_per_thousand_instances",
        "config_change",
        "scheduler_toggle",
        "live_migration",
        "snapshot_move",
        "wait_empty",
        "provision_host",
        "reinstall_host",
        "health_api",
        "health_boot",
    ] {
        assert!(model.has(name), "missing duration parameter {name}");
    }
    assert_eq!(
        model.params.len(),
        25,
        "a parameter without a name in this list"
    );
}

#[test]
fn the_cloud_as_it_is_today_is_sound_and_serves() {
    for name in ["lab", "zed"] {
        let inventory = example(name);
        let t = ZedAntelope;
        let rules = t.rules(&inventory);
        let state = t.initial_state(&inventory, &rules);
        let view = View::of(&rules, &state);
        assert!(check_invariants(&view).is_empty(), "{name}");
        let caps = CapabilitySet::of(&view);
        assert!(
            caps.is_up("compute_api") && caps.is_up("boot"),
            "{name}: {caps:?}"
        );
    }
}

/// The lab's cloud after its controllers ran `actions` (host 0 is `ctl`).
fn controllers_after(actions: &[Action]) -> Vec<String> {
    let inventory = example("lab");
    let t = ZedAntelope;
    let rules = t.rules(&inventory);
    let mut state = t.initial_state(&inventory, &rules);
    let all: Vec<u32> = (0..4).collect();
    state = apply(
        &rules,
        &state,
        &Action::InstallRepo {
            release: "2023.1".into(),
        },
        &all,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    for action in actions {
        state = apply(&rules, &state, action, &[0]).unwrap_or_else(|e| panic!("{e}"));
    }
    let mut broken: Vec<String> = check_invariants(&View::of(&rules, &state))
        .into_iter()
        .map(|v| v.invariant)
        .collect();
    broken.dedup();
    broken
}

fn upgrade_controllers(pin: Option<&str>) -> Vec<Action> {
    let mut actions = vec![
        Action::StopService {
            service: "nova".into(),
            permanent: false,
        },
        Action::UpgradePackages {
            packages: "nova".into(),
            project: Some("nova".into()),
        },
        Action::SyncDatabase {
            project: "nova".into(),
        },
    ];
    if let Some(value) = pin {
        actions.push(Action::SetConfig {
            file: "/etc/nova/nova.conf".into(),
            section: "upgrade_levels".into(),
            key: "compute".into(),
            value: value.into(),
        });
    }
    actions.push(Action::StartService {
        service: "nova".into(),
    });
    actions
}

#[test]
fn auto_follows_the_oldest_compute_and_a_release_name_pins_too() {
    assert_eq!(
        controllers_after(&upgrade_controllers(None)),
        ["compute_rpc_compatible"]
    );
    assert!(controllers_after(&upgrade_controllers(Some("auto"))).is_empty());
    assert!(controllers_after(&upgrade_controllers(Some("zed"))).is_empty());
    // `antelope` is not a pin that Zed computes understand.
    assert_eq!(
        controllers_after(&upgrade_controllers(Some("antelope"))),
        ["compute_rpc_compatible"]
    );
}

fn commands(action: &Action, manager: ServiceManager) -> Vec<String> {
    render_with(action, &example("lab"), manager).commands
}

#[test]
fn commands_follow_the_lab_layout() {
    let sv = ServiceManager::Supervisor;
    // each lab host runs its own supervisord: `{host}` in `supervisor_conf` is the step's host
    let s = "supervisorctl -c /opt/stackhop-lab/hosts/{host}/etc/supervisor/supervisord.conf";
    let stop = Action::StopService {
        service: "nova".into(),
        permanent: false,
    };
    assert_eq!(commands(&stop, sv), [format!("{s} stop 'nova-{{host}}:*'")]);
    let one = Action::RestartService {
        service: "nova-compute".into(),
    };
    assert_eq!(
        commands(&one, sv),
        [format!("{s} restart nova-{{host}}:nova-compute-{{host}}")]
    );
    let upgrade = Action::UpgradePackages {
        packages: "nova".into(),
        project: Some("nova".into()),
    };
    assert_eq!(
        commands(&upgrade, sv),
        ["ln -sfn /opt/stackhop-lab/releases/nova-2023.1 /opt/stackhop-lab/current/nova-{host}"]
    );
    let pin = Action::SetConfig {
        file: "/etc/nova/nova.conf".into(),
        section: "upgrade_levels".into(),
        key: "compute".into(),
        value: "auto".into(),
    };
    assert_eq!(
        commands(&pin, sv),
        [
            "crudini --set /opt/stackhop-lab/hosts/{host}/etc/nova/nova.conf upgrade_levels compute auto"
        ]
    );
    let gate = commands(
        &Action::UpgradeCheck {
            project: "nova".into(),
        },
        sv,
    );
    assert!(
        gate[0].contains("/venvs/nova-2023.1/bin/nova-status --config-file")
            && gate[0].ends_with("[ \"$rc\" -le 1 ]"),
        "{gate:?}"
    );
    let everything = commands(
        &Action::StartService {
            service: stackhop_model::Services::All,
        },
        sv,
    );
    assert_eq!(everything.len(), 2, "{everything:?}");
    assert!(everything[0].starts_with("if [ -L /opt/stackhop-lab/current/placement-{host} ]"));
}

#[test]
fn systemd_is_one_setting_away() {
    let sd = ServiceManager::Systemd;
    let stop = Action::StopService {
        service: "nova".into(),
        permanent: false,
    };
    assert_eq!(commands(&stop, sd), ["systemctl stop 'nova-*.service'"]);
    let one = Action::StartService {
        service: "nova-api".into(),
    };
    assert_eq!(commands(&one, sd), ["systemctl start nova-api.service"]);
}

#[test]
fn what_the_profile_cannot_do_fails_loudly() {
    for action in [
        Action::FlushTokens {
            project: "keystone".into(),
        },
        Action::UpgradeCheck {
            project: "placement".into(),
        },
    ] {
        let cmds = commands(&action, ServiceManager::Supervisor);
        assert!(cmds[0].ends_with("exit 1"), "{cmds:?}");
    }
}
