//! Commands of each action with the RDO profile (reference §1, `service.md`,
//! `database-upgrades.md`, the per-project pages; openstack-utils 2014.1-3).

use stackhop_inventory::{Inventory, Network};
use stackhop_model::{Action, MoveMode, Services};

use super::keys;
use super::services;
use crate::render::Rendered;

const ICEHOUSE_REPO_RPM: &str = "http://repos.fedorapeople.org/repos/openstack/\
                                 openstack-icehouse/rdo-release-icehouse-3.noarch.rpm";
const ADMIN_RC: &str = ". /root/keystonerc_admin";
const NEUTRON_DB_MANAGE: &str = "neutron-db-manage --config-file /usr/share/neutron/neutron-dist.conf \
                                 --config-file /etc/neutron/neutron.conf --config-file \
                                 /etc/neutron/plugin.ini";

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

fn service_cmd(verb: &str, service: &Services) -> String {
    let Services::Named(name) = service else {
        return format!("openstack-service {verb}");
    };
    match name.as_str() {
        "httpd" => format!("service httpd {verb}"),
        name if services::project_of(name).is_some() => format!("service {name} {verb}"),
        project => format!("openstack-service {verb} {project}"),
    }
}

pub(crate) fn render(action: &Action, inventory: &Inventory) -> Rendered {
    match action {
        Action::InstallRepo { .. } => Rendered::each(vec![
            format!("yum -y install {ICEHOUSE_REPO_RPM}"),
            "yum -y erase rdo-release-havana".to_owned(),
            // openstack-service comes from openstack-utils (rhos5 service.md).
            "yum -y install openstack-utils".to_owned(),
        ]),
        Action::BackupDatabase { project } => {
            let what = project.as_deref().map_or_else(
                || "--all-databases".to_owned(),
                |p| format!("--databases {p}"),
            );
            let tag = project.as_deref().unwrap_or("all");
            Rendered::each(vec![format!(
                "mysqldump --opt --single-transaction --add-drop-database {what} > \
                 /root/stackhop-backup-{tag}-havana.sql"
            )])
        }
        Action::StopService { service, permanent } => {
            let mut cmds = vec![service_cmd("stop", service)];
            if *permanent {
                cmds.push(format!(
                    "for s in $(openstack-service list {service}); do chkconfig $s off; done"
                ));
            }
            Rendered::each(cmds)
        }
        Action::StartService { service } => Rendered::each(vec![service_cmd("start", service)]),
        Action::RestartService { service } => Rendered::each(vec![service_cmd("restart", service)]),
        Action::UpgradePackages { packages, .. } => {
            if packages.is_empty() {
                Rendered::each(vec!["yum -d1 -y upgrade".to_owned()])
            } else {
                Rendered::each(vec![format!("yum -d1 -y upgrade {packages}")])
            }
        }
        Action::SyncDatabase { project } => Rendered::each(sync(project)),
        Action::SetConfig {
            file,
            section,
            key,
            value,
        } => {
            if file == keys::DASHBOARD_SETTINGS {
                let line = format!("{key} = {value}");
                return Rendered::each(vec![format!(
                    "grep -q '^{key}' {file} && sed -i 's|^{key}.*|{line}|' {file} || echo \
                     {} >> {file}",
                    quote(&line)
                )]);
            }
            Rendered::each(vec![format!(
                "openstack-config --set {file} {section} {key} {}",
                quote(value)
            )])
        }
        Action::DeleteConfig { file, section, key } => Rendered::each(vec![format!(
            "openstack-config --del {file} {section} {key}"
        )]),
        Action::FlushTokens { .. } => Rendered::each(vec![
            "su -s /bin/sh -c 'keystone-manage token_flush' keystone".to_owned(),
        ]),
        Action::ConvertUtf8 { project } => Rendered::each(vec![format!(
            "mysql -N -e \"SELECT table_name FROM information_schema.tables WHERE \
             table_schema='{project}' AND table_collation NOT LIKE 'utf8%'\" | while read t; do \
             mysql {project} -e \"SET foreign_key_checks=0; ALTER TABLE $t CONVERT TO CHARACTER \
             SET 'utf8'; SET foreign_key_checks=1\"; done"
        )]),
        Action::DisableCompute {} => Rendered::controller(vec![format!(
            "{ADMIN_RC} && nova service-disable --reason stackhop-upgrade {{host}} nova-compute"
        )]),
        Action::EnableCompute {} => Rendered::controller(vec![format!(
            "{ADMIN_RC} && nova service-enable {{host}} nova-compute"
        )]),
        Action::MigrateInstances { mode, to_env } => migrate(*mode, *to_env),
        Action::ProvisionHost { services, .. } => Rendered::each(vec![
            format!("yum -y install {ICEHOUSE_REPO_RPM}"),
            format!("yum -y install openstack-utils {}", services.join(" ")),
        ])
        .manual(),
        Action::ReinstallHost { services, .. } => Rendered::each(vec![
            "openstack-service stop".to_owned(),
            "rm -f /etc/nova/nova.conf.stackhop-old && cp -a /etc/nova/nova.conf \
             /etc/nova/nova.conf.stackhop-old"
                .to_owned(),
            "yum -d1 -y upgrade".to_owned(),
            format!("yum -y install {}", services.join(" ")),
        ]),
        Action::HealthCheck { capability } => health(capability, inventory.network),
        // Icehouse ships neither: a hand-edited plan that asks for them must fail loudly.
        Action::UpgradeCheck { project } | Action::OnlineMigrations { project } => {
            Rendered::each(vec![format!(
                "echo 'Icehouse {project} has no such command ({})' >&2; exit 1",
                action.kind().as_str()
            )])
        }
    }
}

fn sync(project: &str) -> Vec<String> {
    match project {
        // openstack-db accepts no neutron stamp and no ceilometer (reference §1).
        "neutron" => vec![
            format!(
                "{NEUTRON_DB_MANAGE} current 2>&1 | grep -qE '(havana|icehouse)' || \
                 {NEUTRON_DB_MANAGE} stamp havana"
            ),
            format!("{NEUTRON_DB_MANAGE} upgrade head"),
        ],
        "ceilometer" => vec!["ceilometer-dbsync".to_owned()],
        other => vec![format!("openstack-db --service {other} --update")],
    }
}

fn migrate(mode: MoveMode, to_env: u8) -> Rendered {
    let list = format!(
        "{ADMIN_RC} && nova list --all-tenants --host {{host}} --minimal | awk 'NR>3 && $2 {{print $2}}'"
    );
    match (mode, to_env) {
        (MoveMode::Live, 0) => Rendered::controller(vec![format!(
            "for i in $({list}); do nova live-migration $i; done"
        )]),
        (MoveMode::Live, _) => Rendered::controller(vec![format!(
            "# move each instance of {{host}} to region {}: live-migrate where shared storage \
             allows, as planned with the tenants",
            keys::PARALLEL_REGION
        )])
        .manual(),
        (MoveMode::Snapshot, _) => Rendered::controller(vec![
            format!("for i in $({list}); do nova image-create --poll $i stackhop-move-$i; done",),
            format!(
                "# boot each stackhop-move-* image in region {} with the instance's flavor and \
             network, reassign its floating IP, then delete the original (upgrade-3.md)",
                keys::PARALLEL_REGION
            ),
        ])
        .manual(),
        (MoveMode::Wait, _) => Rendered::controller(vec![format!(
            "while [ -n \"$({list})\" ]; do sleep 300; done"
        )]),
    }
}

fn health(capability: &str, network: Network) -> Rendered {
    let check = match capability {
        "network" if network == Network::NovaNetwork => "nova network-list",
        "identity" => "keystone token-get",
        "image" => "glance image-list",
        "volume" => "cinder list",
        "object" => "swift stat",
        "network" => "neutron agent-list",
        "compute_api" => "nova list",
        "boot" => "nova service-list --binary nova-compute",
        "dashboard" => "curl -sf -o /dev/null http://localhost/dashboard/",
        _ => "true",
    };
    Rendered::controller(vec![format!("{ADMIN_RC} && {check}")])
}
