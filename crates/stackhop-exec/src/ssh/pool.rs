//! One SSH session (a ControlMaster) per host for the whole run, opened before anything runs so
//! that a wrong host key stops the run before any command, reopened when a connection is lost.

use std::collections::HashMap;
use std::sync::Arc;

use openssh::Session;
use tokio::sync::Mutex;

use crate::error::ExecError;

use super::keys::{KeyProblem, key_problem, known_hosts_file, learn};
use super::{Endpoint, SshSettings};

/// A host whose key OpenSSH refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRefusal {
    pub host: String,
    pub address: String,
    pub problem: KeyProblem,
    /// What the host presents now.
    pub fingerprints: Vec<String>,
}

/// Sessions to the hosts of a run.
pub struct SshPool {
    settings: SshSettings,
    endpoints: HashMap<String, Endpoint>,
    /// The control sockets; a short path, for the Unix socket length limit.
    control_dir: tempfile::TempDir,
    sessions: Mutex<HashMap<String, Arc<Session>>>,
}

impl std::fmt::Debug for SshPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SshPool")
            .field("hosts", &self.endpoints.len())
            .finish()
    }
}

impl SshPool {
    pub fn new(settings: SshSettings, endpoints: Vec<Endpoint>) -> Result<SshPool, ExecError> {
        let control_dir = tempfile::Builder::new()
            .prefix("stackhop-ssh.")
            .tempdir_in("/tmp")
            .map_err(|source| ExecError::Io {
                path: "/tmp".into(),
                source,
            })?;
        let settings = settings
            .for_every_hop(control_dir.path(), &settings.strict_host_keys())
            .map_err(|source| ExecError::Io {
                path: settings
                    .config_file
                    .clone()
                    .unwrap_or_else(|| control_dir.path().join("ssh_config")),
                source,
            })?;
        Ok(SshPool {
            settings,
            endpoints: endpoints.into_iter().map(|e| (e.host.clone(), e)).collect(),
            control_dir,
            sessions: Mutex::new(HashMap::new()),
        })
    }

    pub fn settings(&self) -> &SshSettings {
        &self.settings
    }

    pub fn endpoint(&self, host: &str) -> Option<&Endpoint> {
        self.endpoints.get(host)
    }

    /// Connects to `hosts`, `fanout` at a time. A host key OpenSSH refuses is an error that
    /// names every such host and what it presents; a host that does not answer is left for its
    /// steps to fail on.
    pub async fn open(
        self: &Arc<Self>,
        hosts: &[String],
        fanout: usize,
    ) -> Result<Vec<(String, String)>, ExecError> {
        let slots = Arc::new(tokio::sync::Semaphore::new(fanout.max(1)));
        let mut tries = tokio::task::JoinSet::new();
        for host in hosts {
            let (pool, host, slots) = (self.clone(), host.clone(), slots.clone());
            tries.spawn(async move {
                let _slot = slots.acquire_owned().await;
                let result = pool.connect(&host).await;
                (host, result)
            });
        }
        let mut unreachable = Vec::new();
        let mut refused = Vec::new();
        while let Some(joined) = tries.join_next().await {
            let Ok((host, result)) = joined else {
                continue;
            };
            match result {
                Ok(session) => {
                    self.sessions.lock().await.insert(host, session);
                }
                Err(Failure::Key(problem)) => refused.push((host, problem)),
                Err(Failure::Other(why)) => unreachable.push((host, why)),
            }
        }
        unreachable.sort();
        refused.sort_by(|a, b| a.0.cmp(&b.0));
        if refused.is_empty() {
            return Ok(unreachable);
        }
        let settings = self.settings.clone();
        let endpoints: Vec<(Endpoint, KeyProblem)> = refused
            .iter()
            .filter_map(|(h, p)| Some((self.endpoints.get(h)?.clone(), *p)))
            .collect();
        let refusals = tokio::task::spawn_blocking(move || {
            endpoints
                .into_iter()
                .map(|(e, problem)| {
                    let learned = learn(&settings, &e);
                    KeyRefusal {
                        host: e.host,
                        address: e.address,
                        problem,
                        fingerprints: learned.fingerprints,
                    }
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        Err(ExecError::HostKeys {
            known_hosts: known_hosts_file(&self.settings),
            refusals,
        })
    }

    /// The session to a host, opened again if it was lost.
    pub async fn session(&self, host: &str) -> Result<Arc<Session>, String> {
        if let Some(s) = self.sessions.lock().await.get(host) {
            return Ok(s.clone());
        }
        match self.connect(host).await {
            Ok(session) => {
                self.sessions
                    .lock()
                    .await
                    .insert(host.to_owned(), session.clone());
                Ok(session)
            }
            Err(Failure::Key(problem)) => Err(format!("{host}: {}", problem.as_str())),
            Err(Failure::Other(why)) => Err(why),
        }
    }

    /// Drops a host's session after its connection was lost: the next use reconnects.
    pub async fn forget(&self, host: &str) {
        self.sessions.lock().await.remove(host);
    }

    /// Closes every master connection.
    pub async fn close(&self) {
        let sessions: Vec<Arc<Session>> =
            self.sessions.lock().await.drain().map(|(_, s)| s).collect();
        for s in sessions {
            if let Ok(s) = Arc::try_unwrap(s) {
                let _ = s.close().await;
            }
        }
    }

    async fn connect(&self, host: &str) -> Result<Arc<Session>, Failure> {
        let endpoint = self
            .endpoints
            .get(host)
            .ok_or_else(|| Failure::Other(format!("{host} is not in the inventory")))?;
        let builder = self.settings.builder(endpoint, self.control_dir.path());
        match builder.connect_mux(&endpoint.address).await {
            Ok(session) => Ok(Arc::new(session)),
            Err(e) => {
                let said = error_text(&e);
                Err(match key_problem(&said) {
                    Some(problem) => Failure::Key(problem),
                    None => Failure::Other(format!(
                        "cannot reach {host} at {}: {}",
                        endpoint.display(),
                        said.lines().last().unwrap_or("no answer").trim()
                    )),
                })
            }
        }
    }
}

enum Failure {
    Key(KeyProblem),
    Other(String),
}

/// The error and every source under it: OpenSSH's own words are in the innermost one.
fn error_text(e: &openssh::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push('\n');
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
