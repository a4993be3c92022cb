//! The typed changes a plan makes to a cloud.

use serde::{Deserialize, Serialize};

use crate::ids::Env;

/// How instances leave a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoveMode {
    /// Live migration: the instance keeps running.
    Live,
    /// Snapshot, delete, boot from the snapshot elsewhere: a planned outage per instance.
    Snapshot,
    /// Wait for the owners to delete or move their instances.
    Wait,
}

/// The services a stop, start or restart acts on: every OpenStack service of the host, or one
/// service or project by name. Written `"all"` or the name in the plan's JSON, and read from it
/// once, here.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Services {
    All,
    Named(String),
}

impl Services {
    pub fn named(name: impl Into<String>) -> Services {
        Services::Named(name.into())
    }

    /// The name as the plan writes it.
    pub fn as_str(&self) -> &str {
        match self {
            Services::All => "all",
            Services::Named(name) => name,
        }
    }
}

impl From<String> for Services {
    fn from(text: String) -> Services {
        if text == "all" {
            Services::All
        } else {
            Services::Named(text)
        }
    }
}

impl From<&str> for Services {
    fn from(text: &str) -> Services {
        Services::from(text.to_owned())
    }
}

impl From<Services> for String {
    fn from(services: Services) -> String {
        match services {
            Services::All => "all".to_owned(),
            Services::Named(name) => name,
        }
    }
}

impl std::fmt::Display for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change to the cloud, applied to every host of a step.
///
/// The JSON form is `{"kind": "stop_service", "service": "nova"}`; the set of kinds is part of the
/// `stackhop.plan/v1` contract.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    InstallRepo {
        release: String,
    },
    BackupDatabase {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        project: Option<String>,
    },
    StopService {
        service: Services,
        /// Stopped for good (the service is retired from the host).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        permanent: bool,
    },
    StartService {
        service: Services,
    },
    RestartService {
        service: Services,
    },
    UpgradePackages {
        /// The package glob as the operator would type it.
        packages: String,
        /// Only this project's code; absent means every package, clients included.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        project: Option<String>,
    },
    SyncDatabase {
        project: String,
    },
    SetConfig {
        file: String,
        section: String,
        key: String,
        value: String,
    },
    DeleteConfig {
        file: String,
        section: String,
        key: String,
    },
    FlushTokens {
        project: String,
    },
    ConvertUtf8 {
        project: String,
    },
    DisableCompute {},
    EnableCompute {},
    MigrateInstances {
        mode: MoveMode,
        to_env: Env,
    },
    ProvisionHost {
        env: Env,
        services: Vec<String>,
    },
    ReinstallHost {
        env: Env,
        services: Vec<String>,
    },
    HealthCheck {
        capability: String,
    },
    /// The project's own pre-upgrade check (`nova-status upgrade check`); it blocks the run
    /// when the cloud is not ready for the new release.
    UpgradeCheck {
        project: String,
    },
    /// The data migrations a project runs after its schema migration, once every one of its
    /// services runs the new release (`nova-manage db online_data_migrations`).
    OnlineMigrations {
        project: String,
    },
}

/// The kind of an action without its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActionKind {
    InstallRepo,
    BackupDatabase,
    StopService,
    StartService,
    RestartService,
    UpgradePackages,
    SyncDatabase,
    SetConfig,
    DeleteConfig,
    FlushTokens,
    ConvertUtf8,
    DisableCompute,
    EnableCompute,
    MigrateInstances,
    ProvisionHost,
    ReinstallHost,
    HealthCheck,
    UpgradeCheck,
    OnlineMigrations,
}

impl ActionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::InstallRepo => "install_repo",
            ActionKind::BackupDatabase => "backup_database",
            ActionKind::StopService => "stop_service",
            ActionKind::StartService => "start_service",
            ActionKind::RestartService => "restart_service",
            ActionKind::UpgradePackages => "upgrade_packages",
            ActionKind::SyncDatabase => "sync_database",
            ActionKind::SetConfig => "set_config",
            ActionKind::DeleteConfig => "delete_config",
            ActionKind::FlushTokens => "flush_tokens",
            ActionKind::ConvertUtf8 => "convert_utf8",
            ActionKind::DisableCompute => "disable_compute",
            ActionKind::EnableCompute => "enable_compute",
            ActionKind::MigrateInstances => "migrate_instances",
            ActionKind::ProvisionHost => "provision_host",
            ActionKind::ReinstallHost => "reinstall_host",
            ActionKind::HealthCheck => "health_check",
            ActionKind::UpgradeCheck => "upgrade_check",
            ActionKind::OnlineMigrations => "online_migrations",
        }
    }
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::InstallRepo { .. } => ActionKind::InstallRepo,
            Action::BackupDatabase { .. } => ActionKind::BackupDatabase,
            Action::StopService { .. } => ActionKind::StopService,
            Action::StartService { .. } => ActionKind::StartService,
            Action::RestartService { .. } => ActionKind::RestartService,
            Action::UpgradePackages { .. } => ActionKind::UpgradePackages,
            Action::SyncDatabase { .. } => ActionKind::SyncDatabase,
            Action::SetConfig { .. } => ActionKind::SetConfig,
            Action::DeleteConfig { .. } => ActionKind::DeleteConfig,
            Action::FlushTokens { .. } => ActionKind::FlushTokens,
            Action::ConvertUtf8 { .. } => ActionKind::ConvertUtf8,
            Action::DisableCompute {} => ActionKind::DisableCompute,
            Action::EnableCompute {} => ActionKind::EnableCompute,
            Action::MigrateInstances { .. } => ActionKind::MigrateInstances,
            Action::ProvisionHost { .. } => ActionKind::ProvisionHost,
            Action::ReinstallHost { .. } => ActionKind::ReinstallHost,
            Action::HealthCheck { .. } => ActionKind::HealthCheck,
            Action::UpgradeCheck { .. } => ActionKind::UpgradeCheck,
            Action::OnlineMigrations { .. } => ActionKind::OnlineMigrations,
        }
    }

    /// Whether running it twice leaves the cloud as running it once does. Resume re-runs an
    /// in-flight idempotent step; any other step needs its probe first.
    pub fn is_idempotent(&self) -> bool {
        !matches!(
            self,
            Action::MigrateInstances { .. } | Action::ReinstallHost { .. }
        )
    }
}

/// Which services of a host a service action touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceSelector {
    /// Every service the bulk tool manages (`openstack-service stop`).
    All,
    /// Every service of one project (`openstack-service stop nova`).
    Project(u16),
    /// One service by name.
    Service(u16),
}
