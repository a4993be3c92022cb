//! The release knowledge the engine needs, as data plus small rule functions.
//!
//! The catalog builds one [`RuleBook`] per transition and inventory; the engine only interprets it.

use std::fmt;
use std::sync::Arc;

use crate::ids::{Env, Level, ProjectId, Release, ServiceId};
use crate::invariant::{Class, Violation};
use crate::state::{ConfigKey, HostState};
use crate::view::View;

/// One code level: a release, or the part of a release before some fix that matters.
#[derive(Debug, Clone)]
pub struct CodeLevel {
    pub name: String,
    pub release: Release,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceKind {
    /// Answers requests from users or other services.
    Server,
    /// A per-host agent of a networking or storage project.
    Agent,
    /// The service that hosts instances; it can be disabled in the scheduler and must never take
    /// running instances down with it.
    Hypervisor,
}

#[derive(Debug, Clone)]
pub struct ServiceInfo {
    pub name: String,
    pub project: ProjectId,
    pub kind: ServiceKind,
    /// Reads and writes its project's database directly, so its code must match the schema.
    pub reads_db: bool,
    /// Started and stopped by the profile's bulk service tool (`openstack-service` on RDO).
    pub bulk_managed: bool,
    /// Loads client libraries at start and breaks when they are upgraded underneath it.
    pub reloads_clients: bool,
}

#[derive(Debug, Clone)]
pub struct ProjectInfo {
    pub name: String,
    pub has_db: bool,
    /// Each environment gets its own database (Nova in a parallel deployment).
    pub db_per_env: bool,
    /// The new release's schema migration refuses tables that are not utf8.
    pub sync_requires_utf8: bool,
    /// The new release moves data in the background after its schema migration, and that
    /// must be finished (once no old service of the project runs) before the upgrade is.
    pub online_migrations: bool,
}

/// An RPC interface version such as compute `3.23`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RpcVersion {
    pub major: u16,
    pub minor: u16,
}

impl RpcVersion {
    pub const fn new(major: u16, minor: u16) -> Self {
        RpcVersion { major, minor }
    }
}

impl fmt::Display for RpcVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionRange {
    pub min: RpcVersion,
    pub max: RpcVersion,
}

impl VersionRange {
    pub fn contains(&self, v: RpcVersion) -> bool {
        self.min <= v && v <= self.max
    }
}

/// Whether a message reaches one receiver or every receiver must be able to take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// A shared topic queue: any running receiver may get the message, so all must accept it.
    AllReceivers,
}

/// One RPC interface between services, with what each code level sends and accepts.
#[derive(Debug, Clone)]
pub struct RpcChannel {
    pub id: &'static str,
    pub class: Class,
    pub senders: Vec<ServiceId>,
    pub receivers: Vec<ServiceId>,
    pub delivery: Delivery,
    /// The newest version each level sends when not capped.
    pub sends: Vec<RpcVersion>,
    /// The versions each level accepts (several majors may be served side by side).
    pub accepts: Vec<Vec<VersionRange>>,
    /// The config option that caps what a sender sends, and the aliases it understands per level.
    pub cap_key: Option<ConfigKey>,
    pub cap_aliases: Vec<Vec<(String, RpcVersion)>>,
    /// A cap value that makes the sender speak the newest version every receiver of its
    /// environment sends itself (nova's `auto`, which follows the minimum service version).
    pub cap_auto: Option<&'static str>,
    /// The versions are a project's service versions (nova's 64, 66) rather than RPC versions.
    pub service_versions: bool,
    /// Why this channel matters, for messages.
    pub reason: &'static str,
}

impl RpcChannel {
    /// What a sender at `level` sends given its cap option value. A pin names the version to
    /// speak, which can be a newer major than the sender's own (a Havana compute pinned to
    /// `icehouse-compat` speaks 3.0); a value the level does not know leaves it unpinned.
    pub fn sent_version(&self, level: Level, cap: Option<&str>) -> RpcVersion {
        let base = self
            .sends
            .get(usize::from(level))
            .copied()
            .unwrap_or(RpcVersion::new(0, 0));
        let Some(cap) = cap else { return base };
        let aliases = self.cap_aliases.get(usize::from(level));
        aliases
            .and_then(|list| list.iter().find(|(name, _)| name == cap).map(|(_, v)| *v))
            .or_else(|| parse_version(cap))
            .unwrap_or(base)
    }

    /// What a sender at `level` on `host` sends in this state: its cap option resolved, `auto`
    /// following the oldest receiver of its environment. A stopped receiver counts at the code it
    /// has installed, which is what it will speak when it starts.
    pub fn sent_by(&self, view: &View<'_>, host: &HostState, level: Level) -> RpcVersion {
        let cap = self.cap_key.as_ref().and_then(|k| view.config(host, k));
        if cap.is_some() && cap == self.cap_auto {
            let base = self.sent_version(level, None);
            let oldest = view
                .hosts
                .iter()
                .filter(|h| h.state.env == host.env)
                .flat_map(|h| h.state.services.iter())
                .filter(|s| self.receivers.contains(&s.id) && !s.retired)
                .map(|s| self.sent_version(s.running.unwrap_or(s.installed), None))
                .min();
            return oldest.map_or(base, |v| v.min(base));
        }
        self.sent_version(level, cap)
    }

    /// Every running sender of environment `env` sends what a receiver at `level` accepts.
    pub fn reaches(&self, view: &View<'_>, env: Env, level: Level) -> bool {
        view.hosts.iter().filter(|h| h.state.env == env).all(|h| {
            h.state
                .services
                .iter()
                .filter(|s| self.senders.contains(&s.id))
                .all(|s| {
                    s.running
                        .is_none_or(|sl| self.accepted_by(level, self.sent_by(view, h.state, sl)))
                })
        })
    }

    /// What a sender at `level` on `host` sends, every running receiver of its environment
    /// accepts.
    pub fn taken_from(&self, view: &View<'_>, host: &HostState, level: Level) -> bool {
        let sent = self.sent_by(view, host, level);
        view.hosts
            .iter()
            .filter(|h| h.state.env == host.env)
            .all(|h| {
                h.state
                    .services
                    .iter()
                    .filter(|s| self.receivers.contains(&s.id))
                    .all(|s| s.running.is_none_or(|rl| self.accepted_by(rl, sent)))
            })
    }

    /// A version as messages name it: `compute_rpc_compatible RPC 6.2`, `service version 66`.
    pub fn describe(&self, v: RpcVersion) -> String {
        if self.service_versions {
            format!("service version {}", v.major)
        } else {
            format!("{} RPC {v}", self.id)
        }
    }

    pub fn accepted_by(&self, level: Level, v: RpcVersion) -> bool {
        self.accepts
            .get(usize::from(level))
            .is_some_and(|ranges| ranges.iter().any(|r| r.contains(v)))
    }
}

fn parse_version(text: &str) -> Option<RpcVersion> {
    let (major, minor) = text.split_once('.')?;
    Some(RpcVersion::new(
        major.trim().parse().ok()?,
        minor.trim().parse().ok()?,
    ))
}

/// What a config rule wants of the option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigExpectation {
    /// Set, to one of these values.
    OneOf(Vec<String>),
    /// Set, to anything.
    Present,
    /// Not set (or set to one of the harmless values).
    Absent { harmless: Vec<String> },
    /// Set to anything but these (unset counts as the rule book's default).
    NoneOf(Vec<String>),
}

/// A running service between two levels needs (or must not have) a config option.
#[derive(Debug, Clone)]
pub struct ConfigRule {
    pub id: &'static str,
    pub class: Class,
    pub services: Vec<ServiceId>,
    pub min_level: Level,
    /// The newest level the rule applies to (`Level::MAX`: every level from `min_level` on).
    pub max_level: Level,
    pub key: ConfigKey,
    pub expect: ConfigExpectation,
    pub message: String,
}

pub type InvariantFn = dyn Fn(&View<'_>, &mut Vec<Violation>) + Send + Sync;
pub type CapabilityFn = dyn Fn(&View<'_>) -> bool + Send + Sync;
/// Why a project's upgrade check would block in a state, or `None` when it passes.
pub type GateFn = dyn Fn(&View<'_>) -> Option<String> + Send + Sync;

/// A project's own pre-upgrade check (`nova-status upgrade check`), as the cloud would answer it.
#[derive(Clone)]
pub struct Gate {
    pub project: String,
    pub check: Arc<GateFn>,
}

impl fmt::Debug for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gate")
            .field("project", &self.project)
            .finish_non_exhaustive()
    }
}

/// A release-specific invariant too particular for the data-driven ones.
#[derive(Clone)]
pub struct CustomInvariant {
    pub id: &'static str,
    pub check: Arc<InvariantFn>,
}

impl fmt::Debug for CustomInvariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomInvariant")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// How to tell whether a capability works in a state.
#[derive(Clone)]
pub struct CapabilityCheck {
    pub name: &'static str,
    pub check: Arc<CapabilityFn>,
}

impl fmt::Debug for CapabilityCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CapabilityCheck")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Everything the engine knows about one release transition, for one inventory.
#[derive(Debug, Clone)]
pub struct RuleBook {
    pub releases: Vec<String>,
    pub levels: Vec<CodeLevel>,
    pub services: Vec<ServiceInfo>,
    pub projects: Vec<ProjectInfo>,
    pub channels: Vec<RpcChannel>,
    pub config_rules: Vec<ConfigRule>,
    pub custom: Vec<CustomInvariant>,
    pub capabilities: Vec<CapabilityCheck>,
    /// The upgrade checks an `upgrade_check` step runs.
    pub gates: Vec<Gate>,
    /// Effective values of options nobody set explicitly.
    pub config_defaults: Vec<(ConfigKey, String)>,
    /// Options that are scaffolding for the upgrade and must be gone when it ends.
    pub temporary_config: Vec<ConfigKey>,
}

impl RuleBook {
    pub fn target_release(&self) -> Release {
        u8::try_from(self.releases.len().saturating_sub(1)).unwrap_or(u8::MAX)
    }

    pub fn release_of(&self, level: Level) -> Release {
        self.levels.get(usize::from(level)).map_or(0, |l| l.release)
    }

    /// The level `yum upgrade` reaches with a release's repository: its newest level.
    pub fn latest_level(&self, release: Release) -> Level {
        let found = self
            .levels
            .iter()
            .rposition(|l| l.release <= release)
            .unwrap_or(0);
        u8::try_from(found).unwrap_or(u8::MAX)
    }

    pub fn service_id(&self, name: &str) -> Option<ServiceId> {
        self.services
            .iter()
            .position(|s| s.name == name)
            .and_then(|i| u16::try_from(i).ok())
    }

    pub fn project_id(&self, name: &str) -> Option<ProjectId> {
        self.projects
            .iter()
            .position(|p| p.name == name)
            .and_then(|i| u16::try_from(i).ok())
    }

    pub fn release_id(&self, name: &str) -> Option<Release> {
        self.releases
            .iter()
            .position(|r| r == name)
            .and_then(|i| u8::try_from(i).ok())
    }

    pub fn service(&self, id: ServiceId) -> &ServiceInfo {
        &self.services[usize::from(id)]
    }

    pub fn project(&self, id: ProjectId) -> &ProjectInfo {
        &self.projects[usize::from(id)]
    }

    pub fn level_name(&self, level: Level) -> &str {
        self.levels
            .get(usize::from(level))
            .map_or("?", |l| l.name.as_str())
    }

    pub fn release_name(&self, release: Release) -> &str {
        self.releases
            .get(usize::from(release))
            .map_or("?", String::as_str)
    }

    pub fn config_default(&self, key: &ConfigKey) -> Option<&str> {
        self.config_defaults
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}
