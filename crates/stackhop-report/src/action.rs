//! One short line per action, for plan trees and graphs.

use stackhop_model::{Action, MoveMode, Services};

/// The last part of a path: `/etc/nova/nova.conf` becomes `nova.conf`.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `service` as people say it.
fn service_name(service: &Services) -> String {
    match service {
        Services::All => "all services".to_owned(),
        Services::Named(name) => name.clone(),
    }
}

fn environment(env: u8) -> String {
    if env == 0 {
        "the current cloud".to_owned()
    } else {
        format!("env {env}")
    }
}

/// A short description of what an action does, e.g. `stop nova`, `sync nova database` or
/// `set nova.conf [upgrade_levels] compute = icehouse-compat`.
#[must_use]
pub fn describe_action(action: &Action) -> String {
    match action {
        Action::InstallRepo { release } => format!("install the {release} repository"),
        Action::BackupDatabase { project: None } => "back up all databases".to_owned(),
        Action::BackupDatabase {
            project: Some(project),
        } => format!("back up {project} database"),
        Action::StopService {
            service,
            permanent: false,
        } => format!("stop {}", service_name(service)),
        Action::StopService {
            service,
            permanent: true,
        } => format!("stop {} for good", service_name(service)),
        Action::StartService { service } => format!("start {}", service_name(service)),
        Action::RestartService { service } => format!("restart {}", service_name(service)),
        Action::UpgradePackages { packages, .. } if packages.trim().is_empty() => {
            "upgrade all packages".to_owned()
        }
        Action::UpgradePackages { packages, .. } => format!("upgrade {packages}"),
        Action::SyncDatabase { project } => format!("sync {project} database"),
        Action::SetConfig {
            file,
            section,
            key,
            value,
        } if section.is_empty() => format!("set {} {key} = {value}", file_name(file)),
        Action::SetConfig {
            file,
            section,
            key,
            value,
        } => format!("set {} [{section}] {key} = {value}", file_name(file)),
        Action::DeleteConfig { file, section, key } if section.is_empty() => {
            format!("delete {} {key}", file_name(file))
        }
        Action::DeleteConfig { file, section, key } => {
            format!("delete {} [{section}] {key}", file_name(file))
        }
        Action::FlushTokens { project } => format!("flush expired {project} tokens"),
        Action::ConvertUtf8 { project } => format!("convert {project} tables to utf8"),
        Action::DisableCompute {} => "disable nova-compute scheduling".to_owned(),
        Action::EnableCompute {} => "enable nova-compute scheduling".to_owned(),
        Action::MigrateInstances { mode, to_env } => {
            let how = match mode {
                MoveMode::Live => "live-migrate instances",
                MoveMode::Snapshot => "move instances by snapshot",
                MoveMode::Wait => "wait for instances to leave",
            };
            if *to_env == 0 {
                how.to_owned()
            } else {
                format!("{how} to {}", environment(*to_env))
            }
        }
        Action::ProvisionHost { env, services } => format!(
            "provision for {} ({} services)",
            environment(*env),
            services.len()
        ),
        Action::ReinstallHost { env, services } => format!(
            "reinstall into {} ({} services)",
            environment(*env),
            services.len()
        ),
        Action::HealthCheck { capability } => format!("health-check {capability}"),
        Action::UpgradeCheck { project } => format!("{project} upgrade check (gate)"),
        Action::OnlineMigrations { project } => format!("{project} online data migrations"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions() {
        let set = Action::SetConfig {
            file: "/etc/nova/nova.conf".to_owned(),
            section: "upgrade_levels".to_owned(),
            key: "compute".to_owned(),
            value: "icehouse-compat".to_owned(),
        };
        assert_eq!(
            describe_action(&set),
            "set nova.conf [upgrade_levels] compute = icehouse-compat"
        );
        let dashboard = Action::SetConfig {
            file: "/etc/openstack-dashboard/local_settings".to_owned(),
            section: String::new(),
            key: "ALLOWED_HOSTS".to_owned(),
            value: "['*']".to_owned(),
        };
        assert_eq!(
            describe_action(&dashboard),
            "set local_settings ALLOWED_HOSTS = ['*']"
        );
        let cases = [
            (
                Action::StopService {
                    service: Services::named("nova"),
                    permanent: false,
                },
                "stop nova",
            ),
            (
                Action::StopService {
                    service: Services::All,
                    permanent: false,
                },
                "stop all services",
            ),
            (
                Action::UpgradePackages {
                    packages: "\\*nova\\*".to_owned(),
                    project: Some("nova".to_owned()),
                },
                "upgrade \\*nova\\*",
            ),
            (
                Action::UpgradePackages {
                    packages: String::new(),
                    project: None,
                },
                "upgrade all packages",
            ),
            (
                Action::SyncDatabase {
                    project: "nova".to_owned(),
                },
                "sync nova database",
            ),
            (
                Action::MigrateInstances {
                    mode: MoveMode::Snapshot,
                    to_env: 1,
                },
                "move instances by snapshot to env 1",
            ),
            (
                Action::BackupDatabase { project: None },
                "back up all databases",
            ),
        ];
        for (action, expected) in cases {
            assert_eq!(describe_action(&action), expected);
        }
    }
}
