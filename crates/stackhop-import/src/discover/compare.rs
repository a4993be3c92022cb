//! What the hosts said against what the inventory says: each difference, whether it makes
//! `discover --check` fail and `apply` refuse, and the inventory with the hosts' values in it.

use stackhop_catalog::{Discovery, ProjectVersions, Transition};
use stackhop_inventory::{Host, Inventory, Os, Version};

use super::facts::{CloudFacts, Fact, HostFacts};

/// Which value a difference is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Os,
    NovaVersion,
    Services,
    Instances,
    /// The version of a project the inventory has no key for (it follows `release:`).
    Version(String),
    /// A key of `database:`.
    Database(String),
}

impl Field {
    /// As the JSON and the messages name it: `os`, `nova_version`, `version.keystone`,
    /// `database.size_gb`, …
    pub fn key(&self) -> String {
        match self {
            Field::Os => "os".to_owned(),
            Field::NovaVersion => "nova_version".to_owned(),
            Field::Services => "services".to_owned(),
            Field::Instances => "instances".to_owned(),
            Field::Version(project) => format!("version.{project}"),
            Field::Database(key) => format!("database.{key}"),
        }
    }
}

/// How a value the hosts gave relates to the inventory's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The inventory says something else.
    Disagrees,
    /// A probe asked and its answer could not be read, so the inventory's value stands
    /// unconfirmed.
    Unread,
    /// The inventory left the value out, and what the hosts say is what its default means.
    Filled,
    /// A size that moved; sizes only tune the estimates.
    Updated,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Disagrees => "disagrees",
            Kind::Unread => "unread",
            Kind::Filled => "filled",
            Kind::Updated => "updated",
        }
    }
}

/// One value the hosts and the inventory do not agree on (or that could not be confirmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// `None` for the cloud's database.
    pub host: Option<String>,
    pub field: Field,
    pub stated: Option<String>,
    pub found: Option<String>,
    pub kind: Kind,
    /// `discover --check` exits 1.
    pub fails_check: bool,
    /// `apply --target ssh` refuses to run a plan made from the inventory: the plan's proof or
    /// its steps depend on it.
    pub refuses_apply: bool,
    /// One line for people, naming the host.
    pub message: String,
}

/// The outcome of a discovery.
#[derive(Debug, Clone)]
pub struct Discovered {
    pub facts: CloudFacts,
    pub differences: Vec<Difference>,
    /// The inventory with what the hosts said in place of what it said.
    pub inventory: Inventory,
}

impl Discovered {
    /// Whether the inventory agrees with the cloud, as `discover --check` judges.
    pub fn agrees(&self) -> bool {
        !self.differences.iter().any(|d| d.fails_check)
    }

    /// The differences that make `apply` refuse a plan made from the inventory.
    pub fn refusing_apply(&self) -> impl Iterator<Item = &Difference> {
        self.differences.iter().filter(|d| d.refuses_apply)
    }
}

struct Differ<'a> {
    discovery: &'a Discovery,
    release: &'a str,
    out: Vec<Difference>,
}

impl Difference {
    /// A difference about `host` (or the database); what it fails follows from its kind: a
    /// disagreement fails both, a value that could not be read fails both unless it is a size.
    pub(super) fn new(host: Option<&str>, field: Field, kind: Kind, message: String) -> Difference {
        let fails = match kind {
            Kind::Disagrees => true,
            Kind::Unread => !matches!(field, Field::Database(_)),
            Kind::Filled | Kind::Updated => false,
        };
        Difference {
            host: host.map(str::to_owned),
            message: match host {
                Some(h) => format!("{h}: {message}"),
                None => message,
            },
            field,
            stated: None,
            found: None,
            kind,
            fails_check: fails,
            refuses_apply: fails,
        }
    }

    pub(super) fn values(mut self, stated: Option<String>, found: Option<String>) -> Difference {
        self.stated = stated;
        self.found = found;
        self
    }

    fn refusing_apply(mut self, refuses: bool) -> Difference {
        self.refuses_apply = refuses;
        self
    }
}

impl Differ<'_> {
    fn push(&mut self, difference: Difference) {
        self.out.push(difference);
    }
}

/// Compares the facts with the inventory.
pub(super) fn compare(
    transition: &dyn Transition,
    discovery: &Discovery,
    inventory: &Inventory,
    facts: CloudFacts,
) -> Discovered {
    let mut differ = Differ {
        discovery,
        release: &inventory.release,
        out: Vec::new(),
    };
    let mut discovered = inventory.clone();
    for (host, found) in discovered.hosts.iter_mut().zip(&facts.hosts) {
        let services = transition.host_services(inventory, host);
        os(&mut differ, host, found);
        versions(&mut differ, host, found);
        running(&mut differ, host, found, &services);
        instances(&mut differ, host, found);
    }
    differ.out.extend(super::database::compare(
        &mut discovered.database,
        &facts.database,
    ));
    Discovered {
        facts,
        differences: differ.out,
        inventory: discovered,
    }
}

fn os(d: &mut Differ<'_>, host: &mut Host, found: &HostFacts) {
    let name = Some(host.name.as_str());
    match &found.os {
        Fact::NotAsked => {}
        Fact::Unread(why) => d.push(
            Difference::new(
                name,
                Field::Os,
                Kind::Unread,
                format!("os {} not confirmed: {why}", host.os),
            )
            .values(Some(host.os.text.clone()), None),
        ),
        Fact::Read(text) => {
            let Some(os) = Os::parse(text) else {
                return;
            };
            let same = os.family == host.os.family
                && os.major == host.os.major
                && (os.minor.is_none() || host.os.minor.is_none() || os.minor == host.os.minor);
            if !same {
                d.push(
                    Difference::new(
                        name,
                        Field::Os,
                        Kind::Disagrees,
                        format!("os {os}, the inventory says {}", host.os),
                    )
                    .values(Some(host.os.text.clone()), Some(os.text.clone())),
                );
                host.os = os;
            }
        }
    }
}

/// `26.2` states less than `26.2.2` but agrees with it.
fn states(stated: &Version, found: &Version) -> bool {
    found.parts.starts_with(&stated.parts)
}

fn release_word(versions: Option<&ProjectVersions>, v: &Version) -> &'static str {
    versions
        .and_then(|p| p.release_of(v))
        .unwrap_or("no release stackhop knows")
}

fn versions(d: &mut Differ<'_>, host: &mut Host, found: &HostFacts) {
    let name = host.name.clone();
    let name = Some(name.as_str());
    let stated_text = host.nova_version.as_ref().map(|v| v.text.clone());
    let projects = match &found.versions {
        Fact::NotAsked => return,
        Fact::Unread(why) => {
            d.push(
                Difference::new(
                    name,
                    Field::NovaVersion,
                    Kind::Unread,
                    format!("the installed versions could not be read: {why}"),
                )
                .values(stated_text, None),
            );
            return;
        }
        Fact::Read(projects) => projects,
    };
    for (project, version) in projects {
        let is_stated = project == d.discovery.stated_project;
        let v = match version {
            Ok(v) => v,
            Err(why) => {
                let (field, stated) = if is_stated {
                    (Field::NovaVersion, stated_text.clone())
                } else {
                    (Field::Version(project.clone()), None)
                };
                d.push(
                    Difference::new(
                        name,
                        field,
                        Kind::Unread,
                        format!("{project}'s version could not be told: {why}"),
                    )
                    .values(stated, None),
                );
                continue;
            }
        };
        let known = d.discovery.versions_of(project);
        let release = release_word(known, v);
        if !is_stated {
            if let Some(k) = known
                && k.releases.first().is_some_and(|r| !r.contains(v))
            {
                d.push(
                    Difference::new(
                        name,
                        Field::Version(project.clone()),
                        Kind::Disagrees,
                        format!(
                            "{project} {v} ({release}), the inventory's release is {}",
                            d.release
                        ),
                    )
                    .values(Some(d.release.to_owned()), Some(v.text.clone())),
                );
            }
            continue;
        }
        let difference = match &host.nova_version {
            Some(stated) if states(stated, v) => continue,
            Some(stated) => Difference::new(
                name,
                Field::NovaVersion,
                Kind::Disagrees,
                format!("{project} {v} ({release}), the inventory says nova_version {stated}"),
            ),
            None if known.is_none_or(|k| k.agrees_unstated(v)) => Difference::new(
                name,
                Field::NovaVersion,
                Kind::Filled,
                format!("nova_version {v} ({release}), left out of the inventory"),
            ),
            None => {
                let meaning = known
                    .and_then(|k| k.unstated.as_ref().or(k.releases.first()))
                    .map_or_else(String::new, |s| {
                        format!(
                            ", which stands for {} from {} to before {}",
                            s.release, s.from, s.below
                        )
                    });
                Difference::new(
                    name,
                    Field::NovaVersion,
                    Kind::Disagrees,
                    format!(
                        "{project} {v} ({release}); the inventory states no nova_version{meaning}"
                    ),
                )
            }
        };
        d.push(difference.values(stated_text.clone(), Some(v.text.clone())));
        host.nova_version = Some(v.clone());
    }
}

fn running(d: &mut Differ<'_>, host: &mut Host, found: &HostFacts, expected: &[&'static str]) {
    let name = host.name.clone();
    let name = Some(name.as_str());
    let states = match &found.services {
        Fact::NotAsked => return,
        Fact::Unread(why) => {
            d.push(
                Difference::new(
                    name,
                    Field::Services,
                    Kind::Unread,
                    format!("the services could not be read: {why}"),
                )
                .values(Some(expected.join(", ")), None),
            );
            return;
        }
        Fact::Read(states) => states,
    };
    let runs: Vec<String> = states
        .iter()
        .filter(|s| s.running)
        .map(|s| s.service.clone())
        .collect();
    let mut differs = false;
    for service in expected.iter().filter(|s| !runs.iter().any(|r| r == *s)) {
        differs = true;
        let state = states
            .iter()
            .find(|s| s.service == *service)
            .map_or("not there", |s| s.state.as_str());
        d.push(
            Difference::new(
                name,
                Field::Services,
                Kind::Disagrees,
                format!("{service} does not run ({state}); the inventory says it does"),
            )
            .values(Some((*service).to_owned()), Some(state.to_owned())),
        );
    }
    for service in runs.iter().filter(|r| !expected.contains(&r.as_str())) {
        differs = true;
        d.push(
            Difference::new(
                name,
                Field::Services,
                Kind::Disagrees,
                format!("{service} runs; the inventory does not say so"),
            )
            .values(None, Some(service.clone())),
        );
    }
    if differs {
        host.services = Some(runs);
    }
}

fn instances(d: &mut Differ<'_>, host: &mut Host, found: &HostFacts) {
    let name = host.name.clone();
    let name = Some(name.as_str());
    let stated = Some(host.instances.to_string());
    match &found.instances {
        Fact::NotAsked => {}
        Fact::Unread(why) => d.push(
            Difference::new(
                name,
                Field::Instances,
                Kind::Unread,
                format!("instances not counted: {why}"),
            )
            .values(stated, None)
            .refusing_apply(false),
        ),
        Fact::Read(n) if *n == host.instances => {}
        Fact::Read(n) => {
            // The plans do not depend on how many instances a compute has, only the estimates
            // do; but a compute the plan was made for as empty must still be empty.
            let refuses = host.instances == 0;
            d.push(
                Difference::new(
                    name,
                    Field::Instances,
                    Kind::Disagrees,
                    format!("{n} instances, the inventory says {}", host.instances),
                )
                .values(stated, Some(n.to_string()))
                .refusing_apply(refuses),
            );
            host.instances = *n;
        }
    }
}
