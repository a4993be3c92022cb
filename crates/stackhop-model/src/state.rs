//! Cloud state: what every host has installed, runs and is configured with, and the databases.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::{DbKey, Env, Level, Release, ServiceId};

/// One option in one config file, e.g. `nova.conf [upgrade_levels] compute`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ConfigKey {
    pub file: String,
    pub section: String,
    pub key: String,
}

impl ConfigKey {
    pub fn new(file: &str, section: &str, key: &str) -> Self {
        ConfigKey {
            file: file.to_owned(),
            section: section.to_owned(),
            key: key.to_owned(),
        }
    }
}

impl fmt::Display for ConfigKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}] {}", self.file, self.section, self.key)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ServiceState {
    pub id: ServiceId,
    /// The code on disk.
    pub installed: Level,
    /// The code in memory, if the service runs; it can lag `installed` until a restart.
    pub running: Option<Level>,
    /// Receives new work from the scheduler (only meaningful for hypervisors).
    pub enabled: bool,
    /// Client libraries were upgraded under the running process (RDO's glanceclient hazard).
    pub stale: bool,
    /// Stopped for good: the service has been retired from this host.
    pub retired: bool,
}

/// Everything about one host that the rules look at. Hosts with equal `HostState` are
/// interchangeable, which is what the verifier's symmetry reduction relies on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct HostState {
    pub env: Env,
    /// The newest release repository installed.
    pub repo: Release,
    /// The release of the client libraries.
    pub clients: Release,
    /// In service (a spare host is not, until provisioned).
    pub provisioned: bool,
    pub instances: u32,
    /// Instances this host has taken down (rebooted, reinstalled or stopped under them).
    pub disrupted: u32,
    /// Sorted by service id.
    pub services: Vec<ServiceState>,
    #[serde(with = "pairs")]
    pub config: BTreeMap<ConfigKey, String>,
}

impl HostState {
    pub fn service(&self, id: ServiceId) -> Option<&ServiceState> {
        self.services.iter().find(|s| s.id == id)
    }

    pub fn runs(&self, id: ServiceId) -> bool {
        self.service(id).is_some_and(|s| s.running.is_some())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DbState {
    pub schema: Release,
    pub utf8: bool,
    pub tokens_flushed: bool,
    pub backed_up: bool,
    /// The schema moved on and the project's online data migrations have not run since.
    #[serde(default)]
    pub online_pending: bool,
}

/// State that belongs to the cloud rather than to a host.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Global {
    #[serde(with = "pairs")]
    pub databases: BTreeMap<DbKey, DbState>,
    /// Instances moved into an environment that are not tracked per host any more.
    pub moved_instances: BTreeMap<Env, u64>,
    /// Instances re-created from a snapshot: each had a planned outage of its own.
    pub recreated: u64,
    /// Instances their owners deleted while the plan waited for hosts to empty.
    pub drained: u64,
}

/// Hosts that share one state. Host ids are indices into the inventory's host list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub state: HostState,
    pub hosts: Vec<u32>,
}

/// A whole cloud with its hosts grouped by state, so that rules cost what the number of
/// distinct host states costs, not the number of hosts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudState {
    pub global: Global,
    /// Sorted by state; host lists sorted; no two groups with equal state.
    pub groups: Vec<Group>,
}

impl CloudState {
    /// Builds a state from one state per host.
    pub fn from_hosts(global: Global, hosts: Vec<HostState>) -> Self {
        let mut map: BTreeMap<HostState, Vec<u32>> = BTreeMap::new();
        for (i, h) in hosts.into_iter().enumerate() {
            map.entry(h)
                .or_default()
                .push(u32::try_from(i).unwrap_or(u32::MAX));
        }
        let groups = map
            .into_iter()
            .map(|(state, hosts)| Group { state, hosts })
            .collect();
        CloudState { global, groups }
    }

    pub fn host_count(&self) -> usize {
        self.groups.iter().map(|g| g.hosts.len()).sum()
    }

    /// The state of one host.
    pub fn host(&self, id: u32) -> Option<&HostState> {
        self.groups
            .iter()
            .find(|g| g.hosts.binary_search(&id).is_ok())
            .map(|g| &g.state)
    }

    /// One state per host, in host order.
    pub fn hosts(&self) -> Vec<&HostState> {
        let mut out: Vec<(u32, &HostState)> = self
            .groups
            .iter()
            .flat_map(|g| g.hosts.iter().map(move |h| (*h, &g.state)))
            .collect();
        out.sort_by_key(|(h, _)| *h);
        out.into_iter().map(|(_, s)| s).collect()
    }

    /// Replaces the state of some hosts, keeping groups canonical.
    pub(crate) fn regroup(&mut self, changed: Vec<(u32, HostState)>) {
        if changed.is_empty() {
            return;
        }
        let mut moved: Vec<u32> = changed.iter().map(|(h, _)| *h).collect();
        moved.sort_unstable();
        for g in &mut self.groups {
            g.hosts.retain(|h| moved.binary_search(h).is_err());
        }
        let mut map: BTreeMap<HostState, Vec<u32>> = std::mem::take(&mut self.groups)
            .into_iter()
            .map(|g| (g.state, g.hosts))
            .collect();
        for (h, s) in changed {
            map.entry(s).or_default().push(h);
        }
        self.groups = map
            .into_iter()
            .filter(|(_, hosts)| !hosts.is_empty())
            .map(|(state, mut hosts)| {
                hosts.sort_unstable();
                Group { state, hosts }
            })
            .collect();
    }
}

/// Maps whose keys are structs, as a list of `[key, value]` pairs: JSON object keys must be
/// strings, and the journal stores a simulated cloud as JSON.
mod pairs {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<K: Serialize, V: Serialize, S: Serializer>(
        map: &BTreeMap<K, V>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(map.iter())
    }

    pub(super) fn deserialize<'de, K, V, D>(deserializer: D) -> Result<BTreeMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Ord,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(Vec::<(K, V)>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}
