//! Read-only probes on the hosts, for `stackhop discover` and the check `apply` makes before a
//! run: one session per host (strict host keys, as for a run), `fanout` hosts at a time, each
//! host's scripts one after the other with `sh -c`. Nothing is journaled: nothing changes.

use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

use stackhop_inventory::Inventory;

use super::SshSettings;
use super::pool::SshPool;
use crate::error::ExecError;

/// How long one probe may take: a `COUNT(*)` over a large table is the slowest of them.
const PROBE_TIMEOUT: Duration = Duration::from_secs(300);

/// The scripts to run on one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeJob {
    pub host: String,
    pub scripts: Vec<String>,
}

/// What each script of a [`ProbeJob`] printed, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostAnswers {
    pub host: String,
    pub outputs: Vec<Output>,
}

/// What the hosts answered, and the hosts that did not (or stopped answering), with why.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Probed {
    pub answers: Vec<HostAnswers>,
    pub unreachable: Vec<(String, String)>,
}

/// Runs every job. A host key OpenSSH refuses is [`ExecError::HostKeys`] before anything runs
/// anywhere; a host that does not answer is left to the caller (`discover` cannot describe a
/// cloud without it, a run goes on and fails that host's steps).
pub fn run_probes(
    inventory: &Inventory,
    jobs: Vec<ProbeJob>,
    fanout: usize,
) -> Result<Probed, ExecError> {
    let pool = Arc::new(SshPool::new(
        SshSettings::of(inventory),
        SshSettings::endpoints(inventory),
    )?);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ExecError::Runtime)?;
    runtime.block_on(async move {
        let hosts: Vec<String> = jobs.iter().map(|j| j.host.clone()).collect();
        let mut unreachable = pool.open(&hosts, fanout).await?;
        let slots = Arc::new(tokio::sync::Semaphore::new(fanout.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for job in jobs {
            if unreachable.iter().any(|(h, _)| *h == job.host) {
                continue;
            }
            let (pool, slots) = (pool.clone(), slots.clone());
            tasks.spawn(async move {
                let _slot = slots.acquire_owned().await;
                let result = probe_host(&pool, &job).await;
                (job.host, result)
            });
        }
        let mut answers = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((host, Ok(outputs))) => answers.push(HostAnswers { host, outputs }),
                Ok((host, Err(why))) => unreachable.push((host, why)),
                Err(e) => unreachable.push(("?".to_owned(), format!("a probe task failed: {e}"))),
            }
        }
        pool.close().await;
        unreachable.sort();
        answers.sort_by(|a, b| a.host.cmp(&b.host));
        Ok(Probed {
            answers,
            unreachable,
        })
    })
}

async fn probe_host(pool: &SshPool, job: &ProbeJob) -> Result<Vec<Output>, String> {
    let session = pool.session(&job.host).await?;
    let mut outputs = Vec::with_capacity(job.scripts.len());
    for script in &job.scripts {
        let mut command = session.command("sh");
        command.arg("-c").arg(script);
        match tokio::time::timeout(PROBE_TIMEOUT, command.output()).await {
            Ok(Ok(output)) => outputs.push(output),
            Ok(Err(e)) => {
                return Err(format!(
                    "{}: lost the connection while reading it: {e}",
                    job.host
                ));
            }
            Err(_) => {
                return Err(format!(
                    "{}: a probe did not answer within {} s: {}",
                    job.host,
                    PROBE_TIMEOUT.as_secs(),
                    script.lines().next().unwrap_or("")
                ));
            }
        }
    }
    Ok(outputs)
}
