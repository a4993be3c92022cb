//! What `stackhop discover` asks the hosts, for one profile: a fixed set of read-only commands
//! (probes), where each runs, how its output is read, and what the versions it finds mean.
//!
//! The catalog only describes; the executor runs the probes over SSH and `stackhop-import`'s
//! `discover` module reads their output. Nothing here writes to a host: every probe is a query
//! (`cat`, `readlink`, `rpm -q`, `dpkg-query`, `supervisorctl status`, `systemctl is-active`,
//! `virsh list`, `SELECT`).

use stackhop_inventory::Version;

/// Which hosts a probe runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeOn {
    /// Every host of the inventory.
    Hosts,
    /// Every host with the compute role.
    Computes,
    /// The first controller: what only the cloud's database knows.
    Controller,
}

/// What a probe prints, and so how it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// `/etc/os-release`, then the line [`REDHAT_RELEASE_MARK`], then `/etc/redhat-release`;
    /// either part may be empty.
    Os,
    /// `rpm -q --qf '%{NAME} %{VERSION}\n' PACKAGE...`: a line per installed package,
    /// `package P is not installed` for the others.
    Rpm,
    /// `dpkg-query -W -f '${Package} ${Version} ${db:Status-Abbrev}\n' PACKAGE...`.
    Dpkg,
    /// `PROJECT TARGET` lines: where each project's code link on the host points.
    CodeLinks,
    /// Paths of the `NAME-VERSION.dist-info` directories of the projects' distributions in the
    /// venvs, `…/venvs/VENV/lib/pythonX.Y/site-packages/NAME-VERSION.dist-info`.
    VenvDists,
    /// `supervisorctl status`: `[GROUP:]PROGRAM STATE DESCRIPTION` lines.
    Supervisor,
    /// `UNIT STATE` lines, STATE as `systemctl is-active` words it (`active` runs).
    UnitStates,
    /// `virsh list --all --name`: one domain per line.
    Domains,
    /// `HOST COUNT` lines (tab or space separated): instances per compute in nova's database.
    InstancesPerHost,
    /// `KEY VALUE` lines, KEY a key of the inventory's `database:`, or `KEY ! WHY` when the
    /// value could not be read.
    DatabaseFacts,
}

/// The line between `/etc/os-release` and `/etc/redhat-release` in the [`Reading::Os`] probe.
pub const REDHAT_RELEASE_MARK: &str = "--- redhat-release";

/// One read-only command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// A short name for messages: `os`, `packages`, `services`, …
    pub id: &'static str,
    pub on: ProbeOn,
    pub reading: Reading,
    /// A shell script; `{host}` stands for the host's inventory name.
    pub command: String,
}

/// The versions one release carries of a project: `from` up to, not including, `below`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseSpan {
    pub release: &'static str,
    pub from: Version,
    pub below: Version,
}

impl ReleaseSpan {
    pub fn contains(&self, version: &Version) -> bool {
        *version >= self.from && *version < self.below
    }
}

/// What the versions of a project found on a host mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectVersions {
    pub project: &'static str,
    /// Each known release's span, oldest first; the first is the release the inventory names.
    pub releases: Vec<ReleaseSpan>,
    /// For the project whose version a host entry states (`nova_version`): what a host entry
    /// without one stands for (the release's latest stable); absent, any of the old release's.
    pub unstated: Option<ReleaseSpan>,
}

impl ProjectVersions {
    /// The release a version belongs to, if any known one.
    pub fn release_of(&self, version: &Version) -> Option<&'static str> {
        self.releases
            .iter()
            .find(|s| s.contains(version))
            .map(|s| s.release)
    }

    /// Whether a version found on a host agrees with an inventory that states none: it is
    /// what the inventory's release (or its latest stable) stands for.
    pub fn agrees_unstated(&self, version: &Version) -> bool {
        match (&self.unstated, self.releases.first()) {
            (Some(span), _) | (None, Some(span)) => span.contains(version),
            (None, None) => true,
        }
    }
}

/// Everything `discover` needs to know about one transition's profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    pub probes: Vec<Probe>,
    /// Installed package (rpm or deb) → the project it carries.
    pub packages: Vec<(String, &'static str)>,
    /// Python distribution in a venv → its project.
    pub distributions: Vec<(&'static str, &'static str)>,
    /// Program or unit name (`{host}` for the host's name) → the service it runs.
    pub programs: Vec<(String, &'static str)>,
    /// The release the distribution's packages carry; a code link to another release's tree
    /// runs the venv of that release.
    pub packaged_release: &'static str,
    pub versions: Vec<ProjectVersions>,
    /// The project whose version a host entry states as `nova_version`.
    pub stated_project: &'static str,
}

impl Discovery {
    pub fn versions_of(&self, project: &str) -> Option<&ProjectVersions> {
        self.versions.iter().find(|v| v.project == project)
    }
}

/// A version from a literal of the catalog's own tables.
pub(crate) fn version(text: &str) -> Version {
    Version::parse(text).unwrap_or_else(|| Version {
        parts: Vec::new(),
        text: text.to_owned(),
    })
}

pub(crate) fn span(release: &'static str, from: &str, below: &str) -> ReleaseSpan {
    ReleaseSpan {
        release,
        from: version(from),
        below: version(below),
    }
}

/// The OS probe: the host's own `/etc` under `root` first (a lab that gives each host a root of
/// its own on one machine), else the machine's.
pub(crate) fn os_probe(root: &str) -> Probe {
    let first = |file: &str| {
        if root.is_empty() {
            format!("cat {file} 2>/dev/null")
        } else {
            format!("cat {root}{file} 2>/dev/null || cat {file} 2>/dev/null")
        }
    };
    Probe {
        id: "os",
        on: ProbeOn::Hosts,
        reading: Reading::Os,
        command: format!(
            "{}; echo '{REDHAT_RELEASE_MARK}'; {}; true",
            first("/etc/os-release"),
            first("/etc/redhat-release")
        ),
    }
}

/// The database probe: each `(inventory key, SQL)` through `mysql`, one line per key.
pub(crate) fn database_probe(mysql: &str, queries: &[(&str, &str)]) -> Probe {
    let mut command = format!(
        "q() {{ out=$({mysql} -N -B -e \"$2\" 2>&1); if [ $? -eq 0 ]; then echo \"$1 $out\"; \
         else echo \"$1 ! $(echo \"$out\" | tail -n 1)\"; fi; }}"
    );
    for (key, sql) in queries {
        command.push_str(&format!("; q {key} '{sql}'"));
    }
    Probe {
        id: "database",
        on: ProbeOn::Controller,
        reading: Reading::DatabaseFacts,
        command,
    }
}

/// Whether each unit runs: `systemctl is-active` where systemd is the init, else SysV init's
/// `service UNIT status` (EL6); `UNIT STATE` lines, `absent` for a unit neither knows.
pub(crate) fn unit_states_probe(units: &[&str]) -> Probe {
    Probe {
        id: "services",
        on: ProbeOn::Hosts,
        reading: Reading::UnitStates,
        command: format!(
            "for u in {}; do if [ -d /run/systemd/system ]; then \
             s=$(systemctl is-active \"$u\" 2>/dev/null); elif [ -x \"/etc/init.d/$u\" ]; then \
             if service \"$u\" status >/dev/null 2>&1; then s=active; else s=inactive; fi; \
             else s=absent; fi; echo \"$u ${{s:-unknown}}\"; done",
            units.join(" ")
        ),
    }
}

/// How many instances each compute has: the hypervisor's domains, or, for a driver that has
/// none (nova's fake driver), nova's database.
pub(crate) fn instances_probe(fake_driver: bool, mysql: &str) -> Probe {
    if fake_driver {
        Probe {
            id: "instances",
            on: ProbeOn::Controller,
            reading: Reading::InstancesPerHost,
            command: format!(
                "{mysql} -N -B -e 'SELECT host, COUNT(*) FROM nova.instances WHERE deleted = 0 \
                 AND host IS NOT NULL GROUP BY host'"
            ),
        }
    } else {
        Probe {
            id: "instances",
            on: ProbeOn::Computes,
            reading: Reading::Domains,
            command: "virsh list --all --name".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_unstated_versions() {
        let nova = ProjectVersions {
            project: "nova",
            releases: vec![
                span("havana", "2013.2", "2014.1"),
                span("icehouse", "2014.1", "2014.2"),
            ],
            unstated: Some(span("havana", "2013.2.2", "2014.1")),
        };
        assert_eq!(nova.release_of(&version("2013.2.3")), Some("havana"));
        assert_eq!(nova.release_of(&version("2014.1.1")), Some("icehouse"));
        assert_eq!(nova.release_of(&version("2012.2")), None);
        assert!(nova.agrees_unstated(&version("2013.2.3")));
        assert!(!nova.agrees_unstated(&version("2013.2.1")));
        let placement = ProjectVersions {
            project: "placement",
            releases: vec![span("zed", "8", "9")],
            unstated: None,
        };
        assert!(placement.agrees_unstated(&version("8.0.0")));
        assert!(!placement.agrees_unstated(&version("9.0.0")));
    }

    /// Every probe of every example only reads: no writes, no service verbs, no SQL that
    /// changes anything, no redirection but to /dev/null.
    #[test]
    fn every_probe_only_reads() {
        let writes = [
            " rm ", " ln ", " mv ", " cp ", "tee ", "crudini", "sed -i", " start", " stop",
            " restart", "INSERT", "UPDATE", "DELETE", "ALTER", "DROP", "CREATE",
        ];
        for name in stackhop_inventory::examples::NAMES {
            let inventory = crate::transition::example(name);
            let t = crate::find(&inventory.release, &inventory.profile).expect("transition");
            let d = t.discovery(&inventory);
            assert!(d.versions_of(d.stated_project).is_some(), "{name}");
            for p in &d.probes {
                let padded = format!(" {} ", p.command);
                for w in writes {
                    assert!(
                        !padded.contains(w),
                        "{name}: probe {} has `{w}`: {}",
                        p.id,
                        p.command
                    );
                }
                let redirects = padded.matches('>').count();
                let harmless = padded.matches(">/dev/null").count() + padded.matches(">&1").count();
                assert_eq!(redirects, harmless, "{name}: probe {}: {}", p.id, p.command);
            }
        }
    }

    #[test]
    fn the_lab_probes_read_the_lab_layout() {
        let inventory = crate::transition::example("lab");
        let t = crate::find("zed", "debian-venv").expect("transition");
        let d = t.discovery(&inventory);
        let command = |id: &str| {
            d.probes
                .iter()
                .find(|p| p.id == id)
                .map(|p| (p.on, p.command.clone()))
                .unwrap_or_else(|| panic!("no probe {id}"))
        };
        let (on, links) = command("code links");
        assert_eq!(on, ProbeOn::Hosts);
        assert!(
            links.contains("l=/opt/stackhop-lab/current/$p-{host}"),
            "{links}"
        );
        let (_, services) = command("services");
        assert_eq!(
            services,
            "supervisorctl -c /opt/stackhop-lab/hosts/{host}/etc/supervisor/supervisord.conf status"
        );
        // The fake driver has no domains: nova's database counts the instances.
        let (on, instances) = command("instances");
        assert_eq!(on, ProbeOn::Controller);
        assert!(
            instances
                .starts_with("mysql --defaults-file=/opt/stackhop-lab/hosts/{host}/root/.my.cnf"),
            "{instances}"
        );
        let (_, os) = command("os");
        assert!(os.starts_with("cat /opt/stackhop-lab/hosts/{host}/etc/os-release 2>/dev/null || cat /etc/os-release"), "{os}");
        assert_eq!(
            d.programs[0],
            ("placement-api-{host}".to_owned(), "placement-api")
        );
    }

    #[test]
    fn the_database_probe_reports_each_key_or_why_not() {
        let p = database_probe("mysql", &[("keystone_tokens", "SELECT 1")]);
        assert!(
            p.command.contains("q keystone_tokens 'SELECT 1'"),
            "{}",
            p.command
        );
        assert_eq!(p.on, ProbeOn::Controller);
    }
}
