//! What `discover` asks a host of the debian-venv profile: the OS, where each project's code link
//! points (and so whether it runs Debian's Zed packages or a venv), the programs its service
//! manager runs, and on the controller what nova's database holds.
//!
//! Versions: Debian bookworm's Zed is nova 26.2.2 and placement 8.0.0; 2023.1 is nova 27.x and
//! placement 9.x (the venvs the lab builds: 27.5.1, 9.0.0). See levels.rs.

use stackhop_inventory::{ComputeDriver, Inventory};

use super::commands::{SERVICE_MANAGER, ServiceManager};
use super::paths::Paths;
use super::services::{PROJECTS, SERVICES};
use crate::discovery::{
    Discovery, Probe, ProbeOn, ProjectVersions, Reading, database_probe, instances_probe, os_probe,
    span, unit_states_probe,
};

/// Debian's package and the Python distribution of each project.
const PACKAGES: &[(&str, &str)] = &[("python3-nova", "nova"), ("python3-placement", "placement")];
const DISTRIBUTIONS: &[(&str, &str)] = &[("nova", "nova"), ("openstack-placement", "placement")];

pub(crate) fn discovery(inventory: &Inventory) -> Discovery {
    let paths = Paths::of(inventory);
    let root = &paths.deploy_root;
    let mysql = format!("mysql --defaults-file={}", paths.on_host("/root/.my.cnf"));
    let projects = PROJECTS.join(" ");
    let packages: Vec<&str> = PACKAGES.iter().map(|(p, _)| *p).collect();
    let dist_globs: Vec<String> = DISTRIBUTIONS
        .iter()
        .map(|(d, _)| {
            // pip writes `openstack_placement-9.0.0.dist-info`, older tools the name as it is.
            format!(
                "{root}/venvs/*/lib/python3*/site-packages/{}-[0-9]*.dist-info",
                d.replace('-', "[-_]")
            )
        })
        .collect();
    let services = match SERVICE_MANAGER {
        ServiceManager::Supervisor => Probe {
            id: "services",
            on: ProbeOn::Hosts,
            reading: Reading::Supervisor,
            command: format!("supervisorctl -c {} status", paths.supervisor_conf),
        },
        ServiceManager::Systemd => {
            let units: Vec<&str> = SERVICES.iter().map(|s| s.name).collect();
            unit_states_probe(&units)
        }
    };
    let programs = SERVICES
        .iter()
        .map(|s| match SERVICE_MANAGER {
            ServiceManager::Supervisor => (format!("{}-{{host}}", s.name), s.name),
            ServiceManager::Systemd => (s.name.to_owned(), s.name),
        })
        .collect();
    Discovery {
        probes: vec![
            os_probe(&paths.host_root),
            Probe {
                id: "code links",
                on: ProbeOn::Hosts,
                reading: Reading::CodeLinks,
                command: format!(
                    "for p in {projects}; do l={root}/current/$p-{{host}}; \
                     if [ -L \"$l\" ]; then echo \"$p $(readlink \"$l\")\"; fi; done"
                ),
            },
            Probe {
                id: "packages",
                on: ProbeOn::Hosts,
                reading: Reading::Dpkg,
                command: format!(
                    "dpkg-query -W -f '${{Package}} ${{Version}} ${{db:Status-Abbrev}}\\n' {} \
                     2>/dev/null; true",
                    packages.join(" ")
                ),
            },
            Probe {
                id: "venvs",
                on: ProbeOn::Hosts,
                reading: Reading::VenvDists,
                command: format!("ls -d {} 2>/dev/null; true", dist_globs.join(" ")),
            },
            services,
            instances_probe(inventory.compute_driver == ComputeDriver::Fake, &mysql),
            database_probe(
                &mysql,
                &[
                    ("nova_instances", "SELECT COUNT(*) FROM nova.instances"),
                    (
                        "nova_instance_actions_events",
                        "SELECT COUNT(*) FROM nova.instance_actions_events",
                    ),
                    (
                        "size_gb",
                        "SELECT ROUND(SUM(data_length + index_length) / 1e9, 3) FROM \
                         information_schema.TABLES",
                    ),
                ],
            ),
        ],
        packages: PACKAGES
            .iter()
            .map(|(p, project)| ((*p).to_owned(), *project))
            .collect(),
        distributions: DISTRIBUTIONS.to_vec(),
        programs,
        packaged_release: "zed",
        versions: vec![
            ProjectVersions {
                project: "nova",
                releases: vec![span("zed", "26", "27"), span("2023.1", "27", "28")],
                unstated: None,
            },
            ProjectVersions {
                project: "placement",
                releases: vec![span("zed", "8", "9"), span("2023.1", "9", "10")],
                unstated: None,
            },
        ],
        stated_project: "nova",
    }
}
