//! How a transition wants each scenario carried out, as data the planners interpret.

use stackhop_model::{Action, ConfigKey};

/// Which hosts a change applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostSelector {
    /// Hosts that have this service.
    Having(&'static str),
    /// Hosts that have any service of this project other than its hypervisor.
    ProjectControl(&'static str),
    /// Hosts that run this project's hypervisor service.
    ProjectHypervisor(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigOp {
    Set(String),
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigChange {
    pub hosts: HostSelector,
    pub key: ConfigKey,
    pub op: ConfigOp,
    /// The rule or hazard that makes this change necessary, with its source.
    pub reason: String,
}

impl ConfigChange {
    pub fn set(hosts: HostSelector, key: ConfigKey, value: &str, reason: &str) -> Self {
        ConfigChange {
            hosts,
            key,
            op: ConfigOp::Set(value.to_owned()),
            reason: reason.to_owned(),
        }
    }

    pub fn delete(hosts: HostSelector, key: ConfigKey, reason: &str) -> Self {
        ConfigChange {
            hosts,
            key,
            op: ConfigOp::Delete,
            reason: reason.to_owned(),
        }
    }

    pub fn action(&self) -> Action {
        let ConfigKey { file, section, key } = self.key.clone();
        match &self.op {
            ConfigOp::Set(value) => Action::SetConfig {
                file,
                section,
                key,
                value: value.clone(),
            },
            ConfigOp::Delete => Action::DeleteConfig { file, section, key },
        }
    }
}

/// How a project's services take new code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectStyle {
    /// Stop, upgrade, migrate the database, start: the project is down in between.
    StopUpgradeStart,
    /// Upgrade under the running service, then restart it (a web server keeps serving).
    UpgradeRestart,
}

/// One project's upgrade, as the service-by-service procedure runs it.
#[derive(Debug, Clone)]
pub struct ProjectProcedure {
    pub project: &'static str,
    /// Package glob for this project alone.
    pub packages: &'static str,
    pub style: ProjectStyle,
    /// Actions on the database host while the project still runs, with their reasons.
    pub before_stop: Vec<(Action, String)>,
    /// Actions on the database host after the stop and before the sync, with their reasons.
    pub before_sync: Vec<(Action, String)>,
    /// The service whose first host runs the schema migration; `None` if there is no database.
    pub sync_on: Option<&'static str>,
    /// Actions on the database host once every service of the project runs the new release
    /// (online data migrations), with their reasons.
    pub after_all: Vec<(Action, String)>,
    pub config: Vec<ConfigChange>,
    /// Services restarted after the upgrade (for `UpgradeRestart`).
    pub restart: Vec<&'static str>,
    /// The capability a health check proves afterwards.
    pub health: Option<&'static str>,
    /// Where the procedure comes from.
    pub source: &'static str,
}

/// A rolling upgrade of one project's hypervisors under upgraded, pinned controllers.
#[derive(Debug, Clone)]
pub struct LiveRolling {
    pub project: &'static str,
    /// Set on the controllers before they start on the new release.
    pub pin: Vec<ConfigChange>,
    /// Also set on the hypervisors, when instances migrate between old and new ones.
    pub pin_hypervisors: Vec<ConfigChange>,
    /// Projects upgraded after the controllers and before the first hypervisor.
    pub between: Vec<&'static str>,
    /// Set on each hypervisor before it starts on the new release while the pin is in place,
    /// and removed once the pin is gone.
    pub while_pinned: Vec<ConfigChange>,
    /// The pin is the lasting recommended setting (it follows the oldest hypervisor by itself):
    /// after the last hypervisor the controllers restart to speak the newest version, and the
    /// option stays.
    pub pin_stays: bool,
}

/// A second deployment of one project on spare hardware.
#[derive(Debug, Clone)]
pub struct ParallelDeployment {
    pub project: &'static str,
    pub env: u8,
    pub controller_services: Vec<&'static str>,
    pub hypervisor_services: Vec<&'static str>,
    /// Applied to every host of the new deployment (own database, topics, region).
    pub env_config: Vec<ConfigChange>,
    pub region: &'static str,
}

/// One project notifying another (Neutron sending port events to Nova).
#[derive(Debug, Clone)]
pub struct EventLink {
    pub sender_service: &'static str,
    pub sender_project: &'static str,
    pub receiver_project: &'static str,
    /// Credentials and endpoint, set when the sender is upgraded.
    pub setup: Vec<ConfigChange>,
    /// Turn sending on; only once the receiver's API runs the new release.
    pub enable: Vec<ConfigChange>,
    /// Keep sending off while the receiver cannot take the events.
    pub disable: Vec<ConfigChange>,
    /// Point the sender at the parallel deployment.
    pub retarget: Vec<ConfigChange>,
    pub source: &'static str,
}
