//! The transition function: the one place where an action changes a cloud.

use crate::action::{Action, MoveMode, ServiceSelector, Services};
use crate::capability::CapabilitySet;
use crate::ids::{DbKey, Env, ProjectId};
use crate::invariant::{Class, Violation};
use crate::rules::{RuleBook, ServiceKind};
use crate::state::{CloudState, ConfigKey, DbState, Global, HostState, ServiceState};
use crate::view::View;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    #[error("unknown service or project `{0}`")]
    UnknownService(String),
    #[error("unknown project `{0}`")]
    UnknownProject(String),
    #[error("unknown release `{0}`")]
    UnknownRelease(String),
    #[error("unknown host {0}")]
    UnknownHost(u32),
    /// The step cannot succeed in this state: the command would fail on the real cloud.
    #[error("{}", .0.message)]
    Refused(Violation),
}

/// Applies an action to some hosts of a cloud. Global effects (databases) apply once per host,
/// in host order, which is how the executor runs a multi-host step's commands.
pub fn apply(
    rules: &RuleBook,
    state: &CloudState,
    action: &Action,
    hosts: &[u32],
) -> Result<CloudState, ApplyError> {
    let view = View::of(rules, state);
    let mut global = state.global.clone();
    let mut changed = Vec::with_capacity(hosts.len());
    for &id in hosts {
        let before = state.host(id).ok_or(ApplyError::UnknownHost(id))?;
        changed.push((id, apply_host(&view, &mut global, before, action)?));
    }
    let mut next = state.clone();
    next.global = global;
    next.regroup(changed);
    Ok(next)
}

/// The cloud while an action is under way on some hosts, when that differs from both the cloud
/// before and after it: a restart takes the restarted services down until they are back. Only
/// capabilities are judged in this state (nothing runs that did not run before), so verify and
/// the simulator can report the brief outage of a restart that the states before and after the
/// step do not show.
pub fn in_flight(
    rules: &RuleBook,
    state: &CloudState,
    action: &Action,
    hosts: &[u32],
) -> Result<Option<CloudState>, ApplyError> {
    let mut changed = Vec::with_capacity(hosts.len());
    for &id in hosts {
        let before = state.host(id).ok_or(ApplyError::UnknownHost(id))?;
        if let Some(during) = in_flight_host(rules, before, action)? {
            changed.push((id, during));
        }
    }
    if changed.is_empty() {
        return Ok(None);
    }
    let mut next = state.clone();
    next.regroup(changed);
    Ok(Some(next))
}

/// One host's state while an action runs on it, when it passes through one (see [`in_flight`]).
pub fn in_flight_host(
    rules: &RuleBook,
    host: &HostState,
    action: &Action,
) -> Result<Option<HostState>, ApplyError> {
    let Action::RestartService { service } = action else {
        return Ok(None);
    };
    let sel = selector(rules, service)?;
    let mut h = host.clone();
    let mut any = false;
    for s in selected(rules, &mut h, &sel) {
        if s.running.is_some() {
            s.running = None;
            any = true;
        }
    }
    Ok(any.then_some(h))
}

/// Applies an action to one host. `view` is the cloud before the step, for preconditions that
/// look beyond the host; `global` is updated in place.
pub fn apply_host(
    view: &View<'_>,
    global: &mut Global,
    host: &HostState,
    action: &Action,
) -> Result<HostState, ApplyError> {
    let rules = view.rules;
    let mut h = host.clone();
    match action {
        Action::InstallRepo { release } => {
            let r = rules
                .release_id(release)
                .ok_or_else(|| ApplyError::UnknownRelease(release.clone()))?;
            h.repo = h.repo.max(r);
        }
        Action::BackupDatabase { project } => {
            let only = project
                .as_deref()
                .map(|p| project_id(rules, p))
                .transpose()?;
            for (key, db) in &mut global.databases {
                if only.is_none_or(|p| p == key.project) {
                    db.backed_up = true;
                }
            }
        }
        Action::StopService { service, permanent } => {
            let sel = selector(rules, service)?;
            for s in selected(rules, &mut h, &sel) {
                s.running = None;
                s.retired |= *permanent;
            }
        }
        Action::StartService { service } => {
            let sel = selector(rules, service)?;
            for s in selected(rules, &mut h, &sel) {
                if !s.retired && s.running.is_none() {
                    s.running = Some(s.installed);
                    s.stale = false;
                }
            }
        }
        Action::RestartService { service } => {
            let sel = selector(rules, service)?;
            for s in selected(rules, &mut h, &sel) {
                if !s.retired {
                    s.running = Some(s.installed);
                    s.stale = false;
                }
            }
        }
        Action::UpgradePackages { project, .. } => {
            let only = project
                .as_deref()
                .map(|p| project_id(rules, p))
                .transpose()?;
            let target = rules.latest_level(h.repo);
            for s in &mut h.services {
                if only.is_none_or(|p| rules.service(s.id).project == p) {
                    s.installed = s.installed.max(target);
                }
            }
            if only.is_none() && h.clients < h.repo {
                h.clients = h.repo;
                for s in &mut h.services {
                    if s.running.is_some() && rules.service(s.id).reloads_clients {
                        s.stale = true;
                    }
                }
            }
        }
        Action::SyncDatabase { project } => sync_database(rules, global, &h, project)?,
        Action::SetConfig {
            file,
            section,
            key,
            value,
        } => {
            h.config
                .insert(ConfigKey::new(file, section, key), value.clone());
        }
        Action::DeleteConfig { file, section, key } => {
            h.config.remove(&ConfigKey::new(file, section, key));
        }
        Action::FlushTokens { project } => {
            let key = db_key(rules, &h, project_id(rules, project)?);
            if let Some(db) = global.databases.get_mut(&key) {
                db.tokens_flushed = true;
            }
        }
        Action::ConvertUtf8 { project } => {
            let key = db_key(rules, &h, project_id(rules, project)?);
            if let Some(db) = global.databases.get_mut(&key) {
                db.utf8 = true;
            }
        }
        Action::DisableCompute {} | Action::EnableCompute {} => {
            let enable = matches!(action, Action::EnableCompute {});
            for s in &mut h.services {
                if rules.service(s.id).kind == ServiceKind::Hypervisor {
                    s.enabled = enable;
                }
            }
        }
        Action::MigrateInstances { mode, to_env } => {
            migrate(view, global, &mut h, *mode, *to_env)?;
        }
        Action::ProvisionHost { env, services } | Action::ReinstallHost { env, services } => {
            install_fresh(rules, &mut h, *env, services)?;
        }
        Action::HealthCheck { capability } => {
            let caps = CapabilitySet::of(view);
            if caps.available.contains_key(capability.as_str()) && !caps.is_up(capability) {
                return Err(ApplyError::Refused(Violation::new(
                    "health_check_passes",
                    Class::Hard,
                    format!("the {capability} health check fails: {capability} is down here"),
                    Vec::new(),
                )));
            }
        }
        Action::UpgradeCheck { project } => {
            project_id(rules, project)?;
            if !rules.gates.iter().any(|g| g.project == *project) {
                return Err(refused(
                    "upgrade_check_exists",
                    format!("the new release has no upgrade check for {project}"),
                ));
            }
            let blocked = rules
                .gates
                .iter()
                .filter(|g| g.project == *project)
                .find_map(|g| (g.check)(view));
            if let Some(why) = blocked {
                return Err(refused(
                    "upgrade_check_passes",
                    format!("the {project} upgrade check blocks: {why}"),
                ));
            }
        }
        Action::OnlineMigrations { project } => {
            online_migrations(view, global, &h, project)?;
        }
    }
    Ok(h)
}

/// Online data migrations move rows to the new release's format, which old code cannot read:
/// they run only once every service of the project runs, or will start on, the new release.
fn online_migrations(
    view: &View<'_>,
    global: &mut Global,
    host: &HostState,
    project: &str,
) -> Result<(), ApplyError> {
    let rules = view.rules;
    let pid = project_id(rules, project)?;
    if !rules.project(pid).online_migrations {
        return Err(refused(
            "online_migrations_exist",
            format!("the new release has no online data migrations for {project}"),
        ));
    }
    let key = db_key(rules, host, pid);
    let Some(db) = global.databases.get(&key) else {
        return Err(refused(
            "online_migrations_after_sync",
            format!("the {project} database does not exist here"),
        ));
    };
    let behind = view
        .hosts
        .iter()
        .filter(|h| !rules.project(pid).db_per_env || h.state.env == host.env)
        .flat_map(|h| h.state.services.iter())
        .filter(|s| rules.service(s.id).project == pid && !s.retired)
        .find(|s| {
            let oldest = s.running.map_or(s.installed, |r| r.min(s.installed));
            rules.release_of(oldest) < db.schema
        });
    if let Some(old) = behind {
        let level = old.running.map_or(old.installed, |r| r.min(old.installed));
        return Err(refused(
            "online_migrations_after_last_service",
            format!(
                "{project}'s online data migrations must wait for its last old service: {} still \
                 runs {}",
                rules.service(old.id).name,
                rules.level_name(level)
            ),
        ));
    }
    if let Some(db) = global.databases.get_mut(&key) {
        db.online_pending = false;
    }
    Ok(())
}

fn project_id(rules: &RuleBook, name: &str) -> Result<ProjectId, ApplyError> {
    rules
        .project_id(name)
        .ok_or_else(|| ApplyError::UnknownProject(name.to_owned()))
}

fn db_key(rules: &RuleBook, host: &HostState, project: ProjectId) -> DbKey {
    let env = if rules.project(project).db_per_env {
        host.env
    } else {
        0
    };
    DbKey { project, env }
}

fn selector(rules: &RuleBook, services: &Services) -> Result<ServiceSelector, ApplyError> {
    let Services::Named(name) = services else {
        return Ok(ServiceSelector::All);
    };
    if let Some(p) = rules.project_id(name) {
        return Ok(ServiceSelector::Project(p));
    }
    rules
        .service_id(name)
        .map(ServiceSelector::Service)
        .ok_or_else(|| ApplyError::UnknownService(name.to_owned()))
}

fn selected<'h>(
    rules: &'h RuleBook,
    host: &'h mut HostState,
    sel: &'h ServiceSelector,
) -> impl Iterator<Item = &'h mut ServiceState> + 'h {
    host.services.iter_mut().filter(move |s| {
        let info = rules.service(s.id);
        match sel {
            ServiceSelector::All => info.bulk_managed,
            ServiceSelector::Project(p) => info.project == *p,
            ServiceSelector::Service(id) => s.id == *id,
        }
    })
}

fn refused(invariant: &str, message: String) -> ApplyError {
    ApplyError::Refused(Violation::new(invariant, Class::Hard, message, Vec::new()))
}

fn sync_database(
    rules: &RuleBook,
    global: &mut Global,
    host: &HostState,
    project: &str,
) -> Result<(), ApplyError> {
    let pid = project_id(rules, project)?;
    let code = host
        .services
        .iter()
        .filter(|s| rules.service(s.id).project == pid)
        .map(|s| rules.release_of(s.installed))
        .max()
        .ok_or_else(|| {
            refused(
                "sync_runs_where_code_is",
                format!("the {project} database sync runs on a host without {project} installed"),
            )
        })?;
    let info = rules.project(pid);
    let key = db_key(rules, host, pid);
    let Some(db) = global.databases.get_mut(&key) else {
        let fresh = DbState {
            schema: code,
            utf8: true,
            tokens_flushed: true,
            backed_up: false,
            online_pending: false,
        };
        global.databases.insert(key, fresh);
        return Ok(());
    };
    if code < db.schema {
        return Err(refused(
            "sync_moves_forward",
            format!(
                "the {project} database is already at {}; {} code cannot migrate it",
                rules.release_name(db.schema),
                rules.release_name(code)
            ),
        ));
    }
    if code > db.schema.saturating_add(1) {
        return Err(refused(
            "sync_one_release_at_a_time",
            format!(
                "the {project} database must be at {} before {} can migrate it",
                rules.release_name(code.saturating_sub(1)),
                rules.release_name(code)
            ),
        ));
    }
    if code > db.schema && info.sync_requires_utf8 && !db.utf8 {
        return Err(refused(
            "utf8_before_sync",
            format!(
                "the {} {project} schema migration refuses tables that are not utf8; convert \
                 them first",
                rules.release_name(code)
            ),
        ));
    }
    if code > db.schema {
        db.online_pending = info.online_migrations;
    }
    db.schema = code;
    Ok(())
}

fn migrate(
    view: &View<'_>,
    global: &mut Global,
    host: &mut HostState,
    mode: MoveMode,
    to_env: Env,
) -> Result<(), ApplyError> {
    if host.instances == 0 {
        return Ok(());
    }
    if mode != MoveMode::Wait {
        let rules = view.rules;
        let destination = view.hosts.iter().any(|h| {
            h.state.env == to_env
                && *h.state != *host
                && h.state.services.iter().any(|s| {
                    rules.service(s.id).kind == ServiceKind::Hypervisor
                        && s.enabled
                        && view.healthy(h.state, s)
                })
        });
        if !destination {
            return Err(refused(
                "migration_has_destination",
                format!(
                    "no enabled, running hypervisor in environment {to_env} can take instances"
                ),
            ));
        }
    }
    let n = u64::from(host.instances);
    *global.moved_instances.entry(to_env).or_default() += n;
    match mode {
        MoveMode::Live => {}
        MoveMode::Snapshot => global.recreated += n,
        MoveMode::Wait => global.drained += n,
    }
    host.instances = 0;
    Ok(())
}

fn install_fresh(
    rules: &RuleBook,
    host: &mut HostState,
    env: Env,
    services: &[String],
) -> Result<(), ApplyError> {
    // A fresh install takes down whatever ran on the host, instances included.
    host.disrupted += host.instances;
    host.instances = 0;
    let target = rules.target_release();
    host.env = env;
    host.repo = target;
    host.clients = target;
    host.provisioned = true;
    host.config.clear();
    let level = rules.latest_level(target);
    let mut fresh = Vec::with_capacity(services.len());
    for name in services {
        let id = rules
            .service_id(name)
            .ok_or_else(|| ApplyError::UnknownService(name.clone()))?;
        fresh.push(ServiceState {
            id,
            installed: level,
            running: None,
            enabled: true,
            stale: false,
            retired: false,
        });
    }
    fresh.sort();
    fresh.dedup_by_key(|s| s.id);
    host.services = fresh;
    Ok(())
}
