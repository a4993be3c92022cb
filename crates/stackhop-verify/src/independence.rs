//! Which host completions commute, from what the model's `apply_host` reads and writes.
//!
//! Every action reads and writes some *cells* of the host it runs on (its repository, one
//! service's running code, one config option, ...) and some cells of the cloud's databases; a few
//! actions also look at every other host (a health check asks whether a capability is up, a
//! migration looks for an enabled hypervisor elsewhere). [`footprint`] lists them, action by
//! action, as `stackhop_model::apply_host` implements it. Two completions *conflict* when one
//! writes a cell the other reads or writes (two writes of the same flag to "true", such as two
//! backups, do not: either order gives the same cloud). Completions that do not conflict commute:
//! in either order they reach the same state, and neither changes whether the other is refused.
//! Whether a step *may* run is the plan's business (its `after` steps), which no completion can
//! undo, so commuting completions never disable each other either.

use std::collections::HashMap;

use stackhop_model::{Action, ConfigKey, ProjectId, RuleBook, ServiceId, ServiceKind, Services};

use crate::bits::Bits;
use crate::setup::StepInfo;

/// One thing a completion can read or write on its own host.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum HostCell {
    Repo,
    Clients,
    Env,
    Instances,
    Running(ServiceId),
    Installed(ServiceId),
    Stale(ServiceId),
    Retired(ServiceId),
    Enabled(ServiceId),
    Config(ConfigKey),
}

/// One field of one project's databases (every environment's: a conservative simplification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum DbField {
    /// Whether it exists and its schema.
    Schema,
    Utf8,
    Tokens,
    Backup,
    Online,
}

const DB_FIELDS: [DbField; 5] = [
    DbField::Schema,
    DbField::Utf8,
    DbField::Tokens,
    DbField::Backup,
    DbField::Online,
];

/// What one step's action reads and writes, on its host and in the databases.
#[derive(Debug, Clone, Default)]
struct Footprint {
    host_reads: Vec<HostCell>,
    host_writes: Vec<HostCell>,
    /// Reads everything about its own host (a whole-host comparison or a rule over the view).
    reads_whole_host: bool,
    /// Replaces everything about its host (a fresh install).
    writes_whole_host: bool,
    /// Reads every other host too (capabilities, an upgrade gate, a migration's destination).
    reads_view: bool,
    db_reads: Vec<(ProjectId, DbField)>,
    db_writes: Vec<(ProjectId, DbField)>,
    /// Flags set to `true`, which commute with each other.
    db_sets: Vec<(ProjectId, DbField)>,
}

/// The services an action's service name selects, as `apply_host` selects them; `None` when the
/// name is unknown (then the step fails in every state and setup has refused it).
fn selected(rules: &RuleBook, services: &Services) -> Option<Vec<ServiceId>> {
    let ids = 0..u16::try_from(rules.services.len()).unwrap_or(u16::MAX);
    let name = match services {
        Services::All => return Some(ids.filter(|&s| rules.service(s).bulk_managed).collect()),
        Services::Named(name) => name.as_str(),
    };
    if let Some(p) = rules.project_id(name) {
        return Some(ids.filter(|&s| rules.service(s).project == p).collect());
    }
    rules.service_id(name).map(|s| vec![s])
}

fn of_project(rules: &RuleBook, project: Option<&str>) -> Vec<ServiceId> {
    let p = project.and_then(|p| rules.project_id(p));
    (0..u16::try_from(rules.services.len()).unwrap_or(u16::MAX))
        .filter(|&s| project.is_none() || Some(rules.service(s).project) == p)
        .collect()
}

fn projects(rules: &RuleBook, project: Option<&str>) -> Vec<ProjectId> {
    match project {
        Some(name) => rules.project_id(name).into_iter().collect(),
        None => (0..u16::try_from(rules.projects.len()).unwrap_or(u16::MAX)).collect(),
    }
}

fn cells(services: &[ServiceId], cell: fn(ServiceId) -> HostCell) -> Vec<HostCell> {
    services.iter().map(|&s| cell(s)).collect()
}

/// What `apply_host` reads and writes for an action (see the module doc). Anything the action
/// names that the rule book does not know makes it touch everything: such a step is refused up
/// front, and touching everything is never wrong.
fn footprint(rules: &RuleBook, action: &Action) -> Footprint {
    let mut f = Footprint::default();
    let everything = Footprint {
        reads_whole_host: true,
        writes_whole_host: true,
        reads_view: true,
        db_reads: all_db(rules),
        db_writes: all_db(rules),
        ..Footprint::default()
    };
    match action {
        Action::InstallRepo { .. } => {
            f.host_reads.push(HostCell::Repo);
            f.host_writes.push(HostCell::Repo);
        }
        Action::BackupDatabase { project } => {
            for p in projects(rules, project.as_deref()) {
                f.db_reads.push((p, DbField::Schema));
                f.db_sets.push((p, DbField::Backup));
            }
        }
        Action::StopService { service, permanent } => {
            let Some(services) = selected(rules, service) else {
                return everything;
            };
            f.host_writes.extend(cells(&services, HostCell::Running));
            if *permanent {
                f.host_reads.extend(cells(&services, HostCell::Retired));
                f.host_writes.extend(cells(&services, HostCell::Retired));
            }
        }
        Action::StartService { service } | Action::RestartService { service } => {
            let Some(services) = selected(rules, service) else {
                return everything;
            };
            f.host_reads.extend(cells(&services, HostCell::Retired));
            f.host_reads.extend(cells(&services, HostCell::Running));
            f.host_reads.extend(cells(&services, HostCell::Installed));
            f.host_writes.extend(cells(&services, HostCell::Running));
            f.host_writes.extend(cells(&services, HostCell::Stale));
        }
        Action::UpgradePackages { project, .. } => {
            let services = of_project(rules, project.as_deref());
            f.host_reads.push(HostCell::Repo);
            f.host_reads.extend(cells(&services, HostCell::Installed));
            f.host_writes.extend(cells(&services, HostCell::Installed));
            if project.is_none() {
                f.host_reads.push(HostCell::Clients);
                f.host_writes.push(HostCell::Clients);
                f.host_reads.extend(cells(&services, HostCell::Running));
                f.host_writes.extend(cells(&services, HostCell::Stale));
            }
        }
        Action::SyncDatabase { project } => {
            let Some(p) = rules.project_id(project) else {
                return everything;
            };
            f.host_reads.push(HostCell::Env);
            f.host_reads.extend(cells(
                &of_project(rules, Some(project)),
                HostCell::Installed,
            ));
            // A sync creates a missing database with every field set.
            for field in DB_FIELDS {
                f.db_reads.push((p, field));
                f.db_writes.push((p, field));
            }
        }
        Action::SetConfig {
            file, section, key, ..
        }
        | Action::DeleteConfig { file, section, key } => {
            f.host_writes
                .push(HostCell::Config(ConfigKey::new(file, section, key)));
        }
        Action::FlushTokens { project } | Action::ConvertUtf8 { project } => {
            let Some(p) = rules.project_id(project) else {
                return everything;
            };
            let field = if matches!(action, Action::FlushTokens { .. }) {
                DbField::Tokens
            } else {
                DbField::Utf8
            };
            f.host_reads.push(HostCell::Env);
            f.db_reads.push((p, DbField::Schema));
            f.db_sets.push((p, field));
        }
        Action::DisableCompute {} | Action::EnableCompute {} => {
            let hypervisors: Vec<ServiceId> = (0..u16::try_from(rules.services.len())
                .unwrap_or(u16::MAX))
                .filter(|&s| rules.service(s).kind == ServiceKind::Hypervisor)
                .collect();
            f.host_writes.extend(cells(&hypervisors, HostCell::Enabled));
        }
        Action::MigrateInstances { .. } => {
            // It looks for a destination unlike this host among all hosts.
            f.reads_whole_host = true;
            f.reads_view = true;
            f.db_reads = all_db(rules);
            f.host_writes.push(HostCell::Instances);
        }
        Action::ProvisionHost { .. } | Action::ReinstallHost { .. } => {
            f.reads_whole_host = true;
            f.writes_whole_host = true;
        }
        Action::HealthCheck { .. } | Action::UpgradeCheck { .. } => {
            f.reads_whole_host = true;
            f.reads_view = true;
            f.db_reads = all_db(rules);
        }
        Action::OnlineMigrations { project } => {
            let Some(p) = rules.project_id(project) else {
                return everything;
            };
            f.reads_whole_host = true;
            f.reads_view = true;
            f.db_reads.push((p, DbField::Schema));
            f.db_reads.push((p, DbField::Online));
            f.db_writes.push((p, DbField::Online));
        }
    }
    f
}

fn all_db(rules: &RuleBook) -> Vec<(ProjectId, DbField)> {
    projects(rules, None)
        .into_iter()
        .flat_map(|p| DB_FIELDS.map(|f| (p, f)))
        .collect()
}

/// The host cells the facts of `visibility` say no invariant or capability reads.
fn unobserved(cell: &HostCell, installed_seen: bool) -> bool {
    match cell {
        HostCell::Repo | HostCell::Clients | HostCell::Instances => true,
        HostCell::Installed(_) => !installed_seen,
        _ => false,
    }
}

/// A footprint over numbered cells, for fast intersection.
struct Compiled {
    host_reads: Bits,
    host_writes: Bits,
    reads_view: bool,
    db_reads: Bits,
    db_writes: Bits,
    db_sets: Bits,
}

impl Compiled {
    fn writes_host(&self) -> bool {
        !self.host_writes.is_empty()
    }

    fn db_conflict(&self, other: &Compiled) -> bool {
        self.db_writes.intersects(&other.db_reads)
            || self.db_writes.intersects(&other.db_writes)
            || self.db_writes.intersects(&other.db_sets)
            || other.db_writes.intersects(&self.db_sets)
            || other.db_writes.intersects(&self.db_reads)
            || self.db_sets.intersects(&other.db_reads)
            || other.db_sets.intersects(&self.db_reads)
    }

    fn same_host_conflict(&self, other: &Compiled) -> bool {
        self.host_writes.intersects(&other.host_reads)
            || self.host_writes.intersects(&other.host_writes)
            || other.host_writes.intersects(&self.host_reads)
            || self.db_conflict(other)
    }

    fn other_host_conflict(&self, other: &Compiled) -> bool {
        (self.reads_view && other.writes_host())
            || (other.reads_view && self.writes_host())
            || self.db_conflict(other)
    }
}

/// The independence relation over the steps of one plan.
pub(crate) struct Independence {
    /// Per step: the steps that do not commute with it when both complete on one host.
    pub(crate) same_host: Vec<Bits>,
    /// Per step: the steps that do not commute with it when they complete on two hosts.
    pub(crate) other_host: Vec<Bits>,
    /// Per step: it writes only cells that no invariant or capability reads (see
    /// `visibility`), and is never refused, so its completions may be invisible.
    pub(crate) quiet: Vec<bool>,
}

impl Independence {
    pub(crate) fn of(rules: &RuleBook, steps: &[StepInfo<'_>]) -> Self {
        let footprints: Vec<Footprint> = steps.iter().map(|s| footprint(rules, s.action)).collect();
        let mut host_ix: HashMap<&HostCell, usize> = HashMap::new();
        for f in &footprints {
            for c in f.host_reads.iter().chain(&f.host_writes) {
                let next = host_ix.len();
                host_ix.entry(c).or_insert(next);
            }
        }
        // One more cell stands for "everything else": a whole-host reader or writer touches it
        // and every numbered cell.
        let host_len = host_ix.len() + 1;
        let db_len = rules.projects.len() * DB_FIELDS.len();
        let db_cell = |(p, field): &(ProjectId, DbField)| {
            usize::from(*p) * DB_FIELDS.len()
                + DB_FIELDS.iter().position(|f| f == field).unwrap_or(0)
        };
        let compiled: Vec<Compiled> = footprints
            .iter()
            .map(|f| {
                let host_set = |list: &[HostCell], whole: bool| {
                    if whole {
                        return Bits::full(host_len);
                    }
                    let mut bits = Bits::new(host_len);
                    for c in list {
                        bits.insert(host_ix[c]);
                    }
                    bits
                };
                let db_set = |list: &[(ProjectId, DbField)]| {
                    let mut bits = Bits::new(db_len);
                    for c in list {
                        bits.insert(db_cell(c));
                    }
                    bits
                };
                Compiled {
                    host_reads: host_set(&f.host_reads, f.reads_whole_host),
                    host_writes: host_set(&f.host_writes, f.writes_whole_host),
                    reads_view: f.reads_view,
                    db_reads: db_set(&f.db_reads),
                    db_writes: db_set(&f.db_writes),
                    db_sets: db_set(&f.db_sets),
                }
            })
            .collect();
        let n = steps.len();
        let mut same_host = vec![Bits::new(n); n];
        let mut other_host = vec![Bits::new(n); n];
        for a in 0..n {
            for b in a..n {
                if compiled[a].same_host_conflict(&compiled[b]) {
                    same_host[a].insert(b);
                    same_host[b].insert(a);
                }
                if compiled[a].other_host_conflict(&compiled[b]) {
                    other_host[a].insert(b);
                    other_host[b].insert(a);
                }
            }
        }
        let installed_seen = rules.channels.iter().any(|c| c.cap_auto.is_some());
        let quiet = footprints
            .iter()
            .zip(steps)
            .map(|(f, step)| {
                !f.writes_whole_host
                    && !f.reads_view
                    && !matches!(step.action, Action::SyncDatabase { .. })
                    && f.host_writes.iter().all(|c| unobserved(c, installed_seen))
                    && f.db_writes
                        .iter()
                        .chain(&f.db_sets)
                        .all(|(_, field)| *field != DbField::Schema)
            })
            .collect();
        Independence {
            same_host,
            other_host,
            quiet,
        }
    }
}

#[cfg(test)]
mod tests {
    use stackhop_model::Action;

    fn rules() -> stackhop_model::RuleBook {
        let source = stackhop_inventory::examples::source("small").unwrap_or_default();
        let inventory =
            stackhop_inventory::parse(source, "small.yaml", &stackhop_catalog::vocabulary())
                .unwrap_or_else(|e| panic!("{e}"));
        let t = stackhop_catalog::find(&inventory.release, &inventory.profile)
            .unwrap_or_else(|| panic!("no transition"));
        t.rules(&inventory)
    }

    fn set(key: &str) -> Action {
        Action::SetConfig {
            file: "/etc/nova/nova.conf".into(),
            section: "DEFAULT".into(),
            key: key.into(),
            value: "x".into(),
        }
    }

    #[test]
    fn conflicts_follow_the_cells_touched() {
        let rules = rules();
        let steps = [
            set("a"),
            set("b"),
            Action::StopService {
                service: "nova".into(),
                permanent: false,
            },
            Action::StartService {
                service: "nova".into(),
            },
            Action::UpgradePackages {
                packages: "openstack-nova*".into(),
                project: Some("nova".into()),
            },
            Action::HealthCheck {
                capability: "identity".into(),
            },
            Action::BackupDatabase { project: None },
            Action::FlushTokens {
                project: "keystone".into(),
            },
            Action::SyncDatabase {
                project: "keystone".into(),
            },
            Action::InstallRepo {
                release: "icehouse".into(),
            },
        ];
        let infos: Vec<crate::setup::StepInfo<'_>> = steps
            .iter()
            .enumerate()
            .map(|(i, a)| crate::setup::StepInfo {
                id: "s",
                phase: i,
                action: a,
                after: Vec::new(),
            })
            .collect();
        let ind = super::Independence::of(&rules, &infos);
        let same = |a: usize, b: usize| ind.same_host[a].contains(b);
        let other = |a: usize, b: usize| ind.other_host[a].contains(b);
        // Two options, or an option and a restart, commute on one host.
        assert!(!same(0, 1) && !same(0, 3) && same(0, 0));
        // Stop and start do not; stop and upgrade do; start and upgrade do not.
        assert!(same(2, 3) && !same(2, 4) && same(3, 4));
        // Nothing host-local conflicts across hosts, but a health check looks at every host.
        assert!(!other(2, 3) && other(5, 2) && !other(5, 5));
        // Backups and a token flush set flags; a sync reads and writes the database.
        assert!(!other(6, 7) && !other(6, 6) && other(7, 8) && other(6, 8));
        // A repository install only matters to the upgrade on its host.
        assert!(same(9, 4) && !same(9, 2) && !other(9, 4));
    }
}
