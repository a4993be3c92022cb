//! Which probe runs on which host, and what the hosts' answers say, host by host.

use std::collections::BTreeMap;

use stackhop_catalog::{Discovery, ProbeOn, Reading};
use stackhop_inventory::{Inventory, Role, Version};

use super::read;

/// The probes one host runs, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostJob {
    pub host: String,
    /// Each probe's index in the [`Discovery`].
    pub probes: Vec<usize>,
    /// Each probe's script for this host, `{host}` filled in.
    pub scripts: Vec<String>,
}

/// What one probe printed on one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub host: String,
    /// The probe's index in the [`Discovery`].
    pub probe: usize,
    /// `None` when it was killed by a signal.
    pub exit_code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Answer {
    fn failed(&self) -> bool {
        self.exit_code != Some(0)
    }

    /// Why the probe gave nothing to read.
    fn why(&self) -> String {
        let said = if self.stderr.trim().is_empty() {
            &self.stdout
        } else {
            &self.stderr
        };
        let code = self
            .exit_code
            .map_or_else(|| "killed".to_owned(), |c| format!("exit {c}"));
        format!("{} ({code})", read::last_words(said, "no output"))
    }
}

/// One fact about a host.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Fact<T> {
    /// No probe of the profile asks it of this host.
    #[default]
    NotAsked,
    Read(T),
    /// A probe asked, and why its answer could not be read.
    Unread(String),
}

impl<T> Fact<T> {
    pub fn read(&self) -> Option<&T> {
        match self {
            Fact::Read(v) => Some(v),
            Fact::NotAsked | Fact::Unread(_) => None,
        }
    }
}

/// A service of the catalog's, as the host's service manager reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceState {
    pub service: String,
    pub running: bool,
    /// The manager's word: `RUNNING`, `STOPPED`, `active`, `inactive`, `absent`, …
    pub state: String,
}

/// Everything the probes said about one host.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HostFacts {
    pub name: String,
    /// As the inventory writes it (`debian-12`).
    pub os: Fact<String>,
    /// Each project whose code the host has, and its version (or why it cannot be told).
    pub versions: Fact<BTreeMap<String, Result<Version, String>>>,
    /// The catalog's services the host's manager knows, in the catalog's order.
    pub services: Fact<Vec<ServiceState>>,
    /// Computes only.
    pub instances: Fact<u32>,
}

/// Everything the probes said.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CloudFacts {
    /// In the inventory's order.
    pub hosts: Vec<HostFacts>,
    /// Keys of the inventory's `database:`, with the text of their value.
    pub database: Vec<(String, Fact<String>)>,
}

fn probe_hosts(on: ProbeOn, inventory: &Inventory) -> Vec<&str> {
    let names = |role: Option<Role>| {
        inventory
            .hosts
            .iter()
            .filter(move |h| role.is_none_or(|r| h.has_role(r)))
            .map(|h| h.name.as_str())
    };
    match on {
        ProbeOn::Hosts => names(None).collect(),
        ProbeOn::Computes => names(Some(Role::Compute)).collect(),
        ProbeOn::Controller => names(Some(Role::Controller)).take(1).collect(),
    }
}

/// The probes each host runs; hosts without any are left out.
pub fn jobs(discovery: &Discovery, inventory: &Inventory) -> Vec<HostJob> {
    let mut jobs: Vec<HostJob> = inventory
        .hosts
        .iter()
        .map(|h| HostJob {
            host: h.name.clone(),
            probes: Vec::new(),
            scripts: Vec::new(),
        })
        .collect();
    for (i, probe) in discovery.probes.iter().enumerate() {
        for host in probe_hosts(probe.on, inventory) {
            if let Some(job) = jobs.iter_mut().find(|j| j.host == host) {
                job.probes.push(i);
                job.scripts.push(probe.command.replace("{host}", host));
            }
        }
    }
    jobs.retain(|j| !j.probes.is_empty());
    jobs
}

/// The answers, by reading and host.
struct Answers<'a> {
    discovery: &'a Discovery,
    answers: &'a [Answer],
}

impl<'a> Answers<'a> {
    fn of(&self, host: &str, reading: Reading) -> Option<&'a Answer> {
        self.answers.iter().find(|a| {
            a.host == host
                && self
                    .discovery
                    .probes
                    .get(a.probe)
                    .is_some_and(|p| p.reading == reading)
        })
    }

    /// The first of `readings` this discovery has, answered on `host`.
    fn any_of(&self, host: &str, readings: &[Reading]) -> Option<(Reading, &'a Answer)> {
        readings
            .iter()
            .find_map(|r| self.of(host, *r).map(|a| (*r, a)))
    }

    fn has(&self, reading: Reading) -> bool {
        self.discovery.probes.iter().any(|p| p.reading == reading)
    }
}

/// Reads every answer into facts about each host and the cloud's database.
pub(super) fn facts(
    discovery: &Discovery,
    inventory: &Inventory,
    answers: &[Answer],
) -> CloudFacts {
    let answers = Answers { discovery, answers };
    let per_host = instances_from_database(&answers, inventory);
    let hosts = inventory
        .hosts
        .iter()
        .map(|h| {
            let name = h.name.as_str();
            HostFacts {
                name: name.to_owned(),
                os: answers.of(name, Reading::Os).map_or(Fact::NotAsked, |a| {
                    match read::os(&a.stdout) {
                        Ok(os) => Fact::Read(os),
                        Err(why) => Fact::Unread(why),
                    }
                }),
                versions: versions(&answers, name),
                services: services(&answers, name),
                instances: match answers.of(name, Reading::Domains) {
                    Some(a) if a.failed() => Fact::Unread(a.why()),
                    Some(a) => Fact::Read(read::domains(&a.stdout)),
                    None if h.has_role(Role::Compute) => per_host(name),
                    None => Fact::NotAsked,
                },
            }
        })
        .collect();
    CloudFacts {
        hosts,
        database: database(&answers, inventory),
    }
}

/// Each project's version on a host. Where the profile chooses code with links, the link says
/// which release a project runs: the packages' release reads the package's version, another the
/// venv of that release; elsewhere the installed packages say it.
fn versions(answers: &Answers<'_>, host: &str) -> Fact<BTreeMap<String, Result<Version, String>>> {
    let d = answers.discovery;
    let project_of_package = |package: &str| {
        d.packages
            .iter()
            .find(|(p, _)| p == package)
            .map(|(_, project)| *project)
    };
    let packaged: Fact<Vec<(String, String)>> =
        match answers.any_of(host, &[Reading::Rpm, Reading::Dpkg]) {
            None => Fact::NotAsked,
            Some((_, a)) if a.failed() => Fact::Unread(a.why()),
            Some((Reading::Rpm, a)) => Fact::Read(read::rpm(&a.stdout)),
            Some((_, a)) => Fact::Read(read::dpkg(&a.stdout)),
        };
    let package_version = |project: &str| -> Result<Version, String> {
        let Fact::Read(installed) = &packaged else {
            return Err(match &packaged {
                Fact::Unread(why) => format!("the packages could not be listed: {why}"),
                _ => "no probe lists the packages".to_owned(),
            });
        };
        installed
            .iter()
            .find(|(p, _)| project_of_package(p) == Some(project))
            .ok_or_else(|| format!("no package of {project} is installed"))
            .and_then(|(p, v)| {
                read::version(v).ok_or_else(|| format!("{p} has version `{v}`, not a number"))
            })
    };
    if !answers.has(Reading::CodeLinks) {
        return match &packaged {
            Fact::Read(installed) => Fact::Read(
                installed
                    .iter()
                    .filter_map(|(p, _)| project_of_package(p))
                    .map(|project| (project.to_owned(), package_version(project)))
                    .collect(),
            ),
            Fact::Unread(why) => Fact::Unread(why.clone()),
            Fact::NotAsked => Fact::NotAsked,
        };
    }
    let Some(links) = answers.of(host, Reading::CodeLinks) else {
        return Fact::NotAsked;
    };
    if links.failed() {
        return Fact::Unread(links.why());
    }
    let dists: Vec<&str> = d.distributions.iter().map(|(name, _)| *name).collect();
    let venvs = answers
        .of(host, Reading::VenvDists)
        .map(|a| read::venv_dists(&a.stdout, &dists))
        .unwrap_or_default();
    let venv_version = |project: &str, release: &str| -> Result<Version, String> {
        let venv = format!("{project}-{release}");
        venvs
            .iter()
            .find(|(v, dist, _)| {
                *v == venv
                    && d.distributions
                        .iter()
                        .any(|(name, p)| name == dist && *p == project)
            })
            .ok_or_else(|| {
                format!("its {project} link chooses {release}, and venv {venv} has no {project}")
            })
            .and_then(|(_, dist, version)| {
                read::version(version).ok_or_else(|| {
                    format!("{dist} in {venv} has version `{version}`, not a number")
                })
            })
    };
    Fact::Read(
        read::code_links(&links.stdout)
            .into_iter()
            .map(|(project, release)| {
                let version = release.and_then(|release| {
                    if release == d.packaged_release {
                        package_version(&project)
                    } else {
                        venv_version(&project, &release)
                    }
                });
                (project, version)
            })
            .collect(),
    )
}

/// The catalog's services the host's manager knows, and whether each runs.
fn services(answers: &Answers<'_>, host: &str) -> Fact<Vec<ServiceState>> {
    let Some((reading, a)) = answers.any_of(host, &[Reading::Supervisor, Reading::UnitStates])
    else {
        return Fact::NotAsked;
    };
    let states = if reading == Reading::Supervisor {
        match read::supervisor(&a.stdout, a.failed()) {
            Ok(states) => states,
            Err(why) => return Fact::Unread(why),
        }
    } else {
        read::unit_states(&a.stdout)
    };
    Fact::Read(
        answers
            .discovery
            .programs
            .iter()
            .filter_map(|(program, service)| {
                let program = program.replace("{host}", host);
                let (_, state) = states.iter().find(|(p, _)| *p == program)?;
                Some(ServiceState {
                    service: (*service).to_owned(),
                    running: state == "RUNNING" || state == "active",
                    state: state.clone(),
                })
            })
            .collect(),
    )
}

/// Instances per compute as the controller's database has them, for a driver without domains.
fn instances_from_database(
    answers: &Answers<'_>,
    inventory: &Inventory,
) -> impl Fn(&str) -> Fact<u32> + use<> {
    let controller = probe_hosts(ProbeOn::Controller, inventory)
        .first()
        .map(|h| (*h).to_owned());
    let answer = controller.and_then(|c| answers.of(&c, Reading::InstancesPerHost).cloned());
    let counts: Option<Result<Vec<(String, u32)>, String>> = answer.map(|a| {
        if a.failed() {
            Err(a.why())
        } else {
            read::instances_per_host(&a.stdout)
        }
    });
    move |host: &str| match &counts {
        None => Fact::NotAsked,
        Some(Err(why)) => Fact::Unread(why.clone()),
        // nova names a compute by its `host` option, often the machine's full name.
        Some(Ok(counts)) => Fact::Read(
            counts
                .iter()
                .filter(|(h, _)| h == host || h.split('.').next() == Some(host))
                .map(|(_, n)| *n)
                .sum(),
        ),
    }
}

fn database(answers: &Answers<'_>, inventory: &Inventory) -> Vec<(String, Fact<String>)> {
    let Some(controller) = probe_hosts(ProbeOn::Controller, inventory).first().copied() else {
        return Vec::new();
    };
    let Some(a) = answers.of(controller, Reading::DatabaseFacts) else {
        return Vec::new();
    };
    read::database_facts(&a.stdout)
        .into_iter()
        .map(|(key, value)| {
            let fact = match value {
                Ok(v) => Fact::Read(v),
                Err(why) => Fact::Unread(why),
            };
            (key, fact)
        })
        .collect()
}
