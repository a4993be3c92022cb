//! Commands of each action with the debian-venv profile: Debian's Zed packages, each project's
//! 2023.1 in its own venv, processes under a service manager, config edited with crudini.
//!
//! What a project's programs on a host run is the link `{deploy_root}/current/{project}-{host}`
//! to `{deploy_root}/releases/{project}-{release}`: upgrading the code is re-pointing that link,
//! which takes effect at the next start, installs nothing and can be run again. The programs are
//! named `{service}-{host}` and grouped as `{project}-{host}`. lab/README.md describes the layout
//! the lab builds.

use stackhop_inventory::Inventory;
use stackhop_model::{Action, MoveMode, Services};

use super::keys;
use super::paths::Paths;
use super::services;
use crate::render::Rendered;

/// How the profile starts and stops processes. Debian's supervisor runs without systemd (the
/// lab, containers); `Systemd` is one line away for hosts that have it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ServiceManager {
    Supervisor,
    #[cfg_attr(not(test), allow(dead_code))]
    Systemd,
}

pub(crate) const SERVICE_MANAGER: ServiceManager = ServiceManager::Supervisor;

const OLD: &str = "zed";
const NEW: &str = "2023.1";

/// The program name a service has on a host, for the service manager.
fn program(service: &str) -> String {
    format!("{service}-{{host}}")
}

fn group(project: &str) -> String {
    format!("{project}-{{host}}")
}

struct Manager<'a> {
    kind: ServiceManager,
    paths: &'a Paths,
}

impl Manager<'_> {
    /// One verb on a project's programs of this host, or on one of its services.
    fn command(&self, verb: &str, project: &str, service: Option<&str>) -> String {
        match (self.kind, service) {
            (ServiceManager::Supervisor, None) => format!(
                "supervisorctl -c {} {verb} '{}:*'",
                self.paths.supervisor_conf,
                group(project)
            ),
            (ServiceManager::Supervisor, Some(s)) => format!(
                "supervisorctl -c {} {verb} {}:{}",
                self.paths.supervisor_conf,
                group(project),
                program(s)
            ),
            (ServiceManager::Systemd, None) => format!("systemctl {verb} '{project}-*.service'"),
            (ServiceManager::Systemd, Some(s)) => format!("systemctl {verb} {s}.service"),
        }
    }

    /// Whether a project has programs on this host, as a shell test.
    fn present(&self, project: &str) -> String {
        format!(
            "[ -L {}/current/{} ]",
            self.paths.deploy_root,
            group(project)
        )
    }

    /// A verb on a service, a project, or `all` (every project of this transition that has
    /// programs on the host; never the database or the message bus).
    fn verb(&self, verb: &str, target: &Services) -> Vec<String> {
        let Services::Named(target) = target else {
            return services::PROJECTS
                .iter()
                .map(|p| {
                    format!(
                        "if {}; then {}; fi",
                        self.present(p),
                        self.command(verb, p, None)
                    )
                })
                .collect();
        };
        match services::project_of(target) {
            Some(project) => vec![self.command(verb, project, Some(target))],
            None => vec![self.command(verb, target, None)],
        }
    }
}

/// Single quotes for the shell, unless the value is plain.
fn quote(value: &str) -> String {
    if !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c))
    {
        return value.to_owned();
    }
    // Double quotes keep `$VARIABLES` for the operator's environment to fill in.
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

pub(crate) fn render(action: &Action, inventory: &Inventory) -> Rendered {
    render_with(action, inventory, SERVICE_MANAGER)
}

pub(crate) fn render_with(
    action: &Action,
    inventory: &Inventory,
    kind: ServiceManager,
) -> Rendered {
    let paths = Paths::of(inventory);
    let manager = Manager {
        kind,
        paths: &paths,
    };
    let nova_conf = paths.on_host(keys::NOVA_CONF);
    let nova_manage = format!(
        "{}/bin/nova-manage --config-file {nova_conf}",
        paths.venv("nova", NEW)
    );
    let admin = format!(". {} &&", paths.admin_rc);
    match action {
        Action::InstallRepo { .. } => Rendered::each(vec![format!(
            "for link in {root}/current/*-{{host}}; do [ -L \"$link\" ] || continue; \
             p=$(basename \"$link\" -{{host}}); test -x {root}/releases/$p-{NEW}/bin/python || \
             {{ echo \"no {NEW} code for $p: build {root}/venvs/$p-{NEW} and \
             {root}/releases/$p-{NEW} first\" >&2; exit 1; }}; done",
            root = paths.deploy_root
        )]),
        Action::BackupDatabase { project } => {
            let (what, tag) = match project.as_deref() {
                None => ("--all-databases".to_owned(), "all".to_owned()),
                Some("nova") => (
                    "--databases nova_api nova nova_cell0".to_owned(),
                    "nova".to_owned(),
                ),
                Some(p) => (format!("--databases {p}"), p.to_owned()),
            };
            Rendered::each(vec![format!(
                "mysqldump --defaults-file={} --single-transaction --routines {what} > \
                 {}",
                paths.on_host("/root/.my.cnf"),
                paths.on_host(&format!("/root/stackhop-backup-{tag}-{OLD}.sql"))
            )])
        }
        Action::StopService { service, permanent } => {
            let mut cmds = manager.verb("stop", service);
            if *permanent {
                let name = service.as_str();
                cmds.push(format!(
                    "rm -f {}",
                    services::project_of(name)
                        .map_or_else(|| paths.current(name), |p| paths.current(p))
                ));
            }
            Rendered::each(cmds)
        }
        Action::StartService { service } => Rendered::each(manager.verb("start", service)),
        Action::RestartService { service } => Rendered::each(manager.verb("restart", service)),
        Action::UpgradePackages { project, .. } => {
            let link = |p: &str| format!("ln -sfn {} {}", paths.release(p, NEW), paths.current(p));
            Rendered::each(match project {
                Some(p) => vec![link(p)],
                None => services::PROJECTS
                    .iter()
                    .map(|p| format!("if {}; then {}; fi", manager.present(p), link(p)))
                    .collect(),
            })
        }
        Action::SyncDatabase { project } => Rendered::each(match project.as_str() {
            "nova" => vec![
                format!("{nova_manage} api_db sync"),
                format!("{nova_manage} db sync"),
            ],
            "placement" => vec![format!(
                "{}/bin/placement-manage --config-file {} db sync",
                paths.venv("placement", NEW),
                paths.on_host("/etc/placement/placement.conf")
            )],
            other => vec![unsupported(other, "sync_database")],
        }),
        Action::SetConfig {
            file,
            section,
            key,
            value,
        } => Rendered::each(vec![format!(
            "crudini --set {} {} {key} {}",
            paths.on_host(file),
            section_name(section),
            quote(value)
        )]),
        Action::DeleteConfig { file, section, key } => Rendered::each(vec![format!(
            "crudini --del {} {} {key}",
            paths.on_host(file),
            section_name(section)
        )]),
        Action::FlushTokens { project } => {
            Rendered::each(vec![unsupported(project, "flush_tokens")])
        }
        Action::ConvertUtf8 { project } => {
            Rendered::each(vec![unsupported(project, "convert_utf8")])
        }
        Action::DisableCompute {} => Rendered::controller(vec![format!(
            "{admin} openstack compute service set --disable --disable-reason stackhop-upgrade \
             {{host}} nova-compute"
        )]),
        Action::EnableCompute {} => Rendered::controller(vec![format!(
            "{admin} openstack compute service set --enable {{host}} nova-compute"
        )]),
        Action::MigrateInstances { mode, to_env } => migrate(&admin, *mode, *to_env),
        Action::ProvisionHost { services, .. } | Action::ReinstallHost { services, .. } => {
            Rendered::each(vec![format!(
                "# install Debian 12 and the {NEW} venvs for {} on {{host}}, with the layout \
                 under {} (lab/README.md)",
                services.join(", "),
                paths.deploy_root
            )])
            .manual()
        }
        Action::HealthCheck { capability } => health(&admin, capability, inventory),
        Action::UpgradeCheck { project } if project == "nova" => Rendered::each(vec![format!(
            "rc=0; {}/bin/nova-status --config-file {nova_conf} upgrade check || rc=$?; \
             if [ \"$rc\" -eq 1 ]; then echo 'warnings only: the upgrade may go on'; fi; \
             [ \"$rc\" -le 1 ]",
            paths.venv("nova", NEW)
        )]),
        Action::OnlineMigrations { project } if project == "nova" => Rendered::each(vec![format!(
            "while :; do rc=0; {nova_manage} db online_data_migrations || rc=$?; \
                 [ \"$rc\" -eq 1 ] || break; done; [ \"$rc\" -eq 0 ]"
        )]),
        Action::UpgradeCheck { project } | Action::OnlineMigrations { project } => {
            Rendered::each(vec![unsupported(project, action.kind().as_str())])
        }
    }
}

fn section_name(section: &str) -> &str {
    if section.is_empty() {
        "DEFAULT"
    } else {
        section
    }
}

/// A command for something the profile cannot do: it fails, saying why.
fn unsupported(project: &str, what: &str) -> String {
    format!("echo 'the debian-venv profile has no {what} for {project}' >&2; exit 1")
}

fn migrate(admin: &str, mode: MoveMode, to_env: u8) -> Rendered {
    let list =
        format!("{admin} openstack server list --all-projects --host {{host}} -f value -c ID");
    match (mode, to_env) {
        (MoveMode::Live, 0) => Rendered::controller(vec![format!(
            "for i in $({list}); do openstack server migrate --live-migration --wait $i; done"
        )]),
        (MoveMode::Wait, _) => Rendered::controller(vec![format!(
            "while [ -n \"$({list})\" ]; do sleep 300; done"
        )]),
        (_, _) => Rendered::controller(vec![format!(
            "# move each instance of {{host}} to region {}: snapshot, boot the snapshot there \
             with the same flavor and network, then delete the original, as agreed with its \
             owner",
            keys::PARALLEL_REGION
        )])
        .manual(),
    }
}

fn health(admin: &str, capability: &str, inventory: &Inventory) -> Rendered {
    let options = &inventory.options;
    match capability {
        "compute_api" => Rendered::each(vec![format!(
            "{admin} openstack server list --all-projects -f value -c Name -c Status"
        )]),
        "boot" => {
            let flavor = options.check_flavor.as_deref().unwrap_or("m1.tiny");
            let image = options.check_image.as_deref().unwrap_or("cirros");
            let network = options.check_network.as_deref().map_or_else(
                || "--nic none".to_owned(),
                |n| format!("--network {}", quote(n)),
            );
            // Microversion 2.37 lets a server have no network; the name is unique per run.
            Rendered::each(vec![format!(
                "{admin} export OS_COMPUTE_API_VERSION=2.79 && n=stackhop-check-$$ && \
                 trap 'openstack server delete --wait \"$n\" >/dev/null 2>&1' EXIT && \
                 openstack server create --flavor {} --image {} {network} --wait \"$n\" \
                 -f value -c status",
                quote(flavor),
                quote(image)
            )])
        }
        other => Rendered::each(vec![format!(
            "echo 'the debian-venv profile has no {other} check' >&2; exit 1"
        )]),
    }
}
