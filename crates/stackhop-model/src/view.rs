//! A read-only look at a cloud that rules, invariants and capabilities are written against.
//!
//! A view lists each distinct host state once with how many hosts share it, so the same rule code
//! serves the simulator (concrete hosts, grouped) and the verifier (counted hosts).

use crate::ids::{DbKey, Env, ServiceId};
use crate::rules::RuleBook;
use crate::state::{CloudState, ConfigKey, DbState, Global, HostState, ServiceState};

#[derive(Debug, Clone, Copy)]
pub struct HostRef<'a> {
    pub state: &'a HostState,
    pub count: u32,
    /// The caller's handle for these hosts (a group index), returned in violations.
    pub tag: usize,
}

#[derive(Debug, Clone)]
pub struct View<'a> {
    pub rules: &'a RuleBook,
    pub global: &'a Global,
    pub hosts: Vec<HostRef<'a>>,
}

impl<'a> View<'a> {
    pub fn of(rules: &'a RuleBook, state: &'a CloudState) -> Self {
        let hosts = state
            .groups
            .iter()
            .enumerate()
            .map(|(tag, g)| HostRef {
                state: &g.state,
                count: u32::try_from(g.hosts.len()).unwrap_or(u32::MAX),
                tag,
            })
            .collect();
        View {
            rules,
            global: &state.global,
            hosts,
        }
    }

    /// Hosts running a service, with the service's state.
    pub fn running(
        &self,
        service: ServiceId,
    ) -> impl Iterator<Item = (HostRef<'a>, &'a ServiceState)> + '_ {
        self.hosts.iter().filter_map(move |h| {
            h.state
                .service(service)
                .filter(|s| s.running.is_some())
                .map(|s| (*h, s))
        })
    }

    /// The effective value of an option on a host: set explicitly, or the rule book's default.
    pub fn config(&self, host: &'a HostState, key: &ConfigKey) -> Option<&'a str> {
        host.config.get(key).map(String::as_str).or_else(|| {
            self.rules
                .config_defaults
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        })
    }

    pub fn db_for(&self, host: &HostState, service: ServiceId) -> Option<&'a DbState> {
        let info = self.rules.service(service);
        let project = self.rules.project(info.project);
        let env: Env = if project.db_per_env { host.env } else { 0 };
        self.global.databases.get(&DbKey {
            project: info.project,
            env,
        })
    }

    /// Running, and if it reads a database, running code of the schema's release.
    pub fn healthy(&self, host: &HostState, svc: &ServiceState) -> bool {
        let Some(level) = svc.running else {
            return false;
        };
        let info = self.rules.service(svc.id);
        if !info.reads_db || !self.rules.project(info.project).has_db {
            return true;
        }
        self.db_for(host, svc.id)
            .is_some_and(|db| db.schema == self.rules.release_of(level))
    }

    /// Some host of an environment runs a healthy instance of the named service.
    pub fn healthy_somewhere(&self, service: &str, env: Option<Env>) -> bool {
        let Some(id) = self.rules.service_id(service) else {
            return false;
        };
        self.running(id)
            .any(|(h, s)| env.is_none_or(|e| h.state.env == e) && self.healthy(h.state, s))
    }

    /// The environments in which some host runs the named service.
    pub fn envs_running(&self, service: &str) -> Vec<Env> {
        let Some(id) = self.rules.service_id(service) else {
            return Vec::new();
        };
        let mut envs: Vec<Env> = self.running(id).map(|(h, _)| h.state.env).collect();
        envs.sort_unstable();
        envs.dedup();
        envs
    }
}
