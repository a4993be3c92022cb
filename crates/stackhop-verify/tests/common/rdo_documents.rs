//! The live-compute upgrade exactly as the original RDO documents describe it for a cloud with
//! Neutron (reference §1: rhos5 `upgrade-4.md` and the service pages it points to, with the
//! Nova → Neutron → computes order of the RDO wiki): the pin on the controllers only, Neutron
//! upgraded with notifications to Nova on, the computes one at a time with the default
//! `vif_plugging_is_fatal=True`, the pin removed at the end. Every step carries the documents'
//! own commands and says where it comes from.
//!
//! The cloud (`crates/stackhop/tests/fixtures/rdo-documents.yaml`) runs RabbitMQ and has utf8
//! glance tables, so the only hazard left for the documents to miss is the one under test: the
//! event cap while pinned (reference §3, Inference).

use stackhop_catalog::{RunsOn, Scenario};
use stackhop_inventory::Inventory;
use stackhop_model::Action;
use stackhop_plan::{PLAN_SCHEMA, Plan, Step};

use super::{
    NEUTRON_CONF, NOVA_CONF, computes, controllers, having, having_any, non_spare, set, start,
    stop, sync, transition, upgrade,
};

/// Where the fixture's inventory and plan live, relative to the `stackhop` crate (the CLI tests
/// run there) and to the repository (the README's commands).
pub const INVENTORY_FILE: &str = "tests/fixtures/rdo-documents.yaml";
pub const PLAN_FILE: &str = "tests/fixtures/rdo-documents-live-compute.json";

/// The inventory's text, as the CLI tests and the README read it.
pub fn inventory_source() -> &'static str {
    include_str!("../../../stackhop/tests/fixtures/rdo-documents.yaml")
}

/// The saved plan as committed.
pub fn saved_plan() -> &'static str {
    include_str!("../../../stackhop/tests/fixtures/rdo-documents-live-compute.json")
}

struct Documents<'i> {
    inventory: &'i Inventory,
    steps: Vec<Step>,
}

impl Documents<'_> {
    /// A step after the previous one (or after `after` when given), with the documents'
    /// commands and where they say so.
    fn step(
        &mut self,
        id: &str,
        phase: &str,
        action: Action,
        hosts: &[String],
        commands: &[&str],
        source: &str,
    ) -> &mut Self {
        let after = self
            .steps
            .last()
            .map(|s| s.id.clone())
            .into_iter()
            .collect();
        self.step_after(id, phase, action, hosts, after, commands, source)
    }

    #[allow(clippy::too_many_arguments)]
    fn step_after(
        &mut self,
        id: &str,
        phase: &str,
        action: Action,
        hosts: &[String],
        after: Vec<String>,
        commands: &[&str],
        source: &str,
    ) -> &mut Self {
        let t = transition(self.inventory);
        let estimate = t.estimate(&action, self.inventory);
        let runs_on = match t.render(&action, self.inventory).runs_on {
            RunsOn::EachHost => None,
            RunsOn::Controller => controllers(self.inventory).first().cloned(),
        };
        self.steps.push(Step {
            id: id.to_owned(),
            phase: phase.to_owned(),
            action,
            hosts: hosts.to_vec(),
            after,
            commands: commands.iter().map(|c| (*c).to_owned()).collect(),
            runs_on,
            estimate_s: estimate.total_s(hosts.len()).round() as u64,
            reason: source.to_owned(),
            manual: false,
        });
        self
    }

    fn last(&self) -> String {
        self.steps.last().map(|s| s.id.clone()).unwrap_or_default()
    }

    /// `openstack-service stop|upgrade|db|start` for one project on its hosts (upgrade-2.md).
    fn project(&mut self, project: &str, hosts: &[String], db: bool, page: &str) -> &mut Self {
        let db_host = controllers(self.inventory)[..1].to_vec();
        let source = format!("rhos5 {page}, as upgrade-4.md step 1 says (scenario 2)");
        let stop_cmd = format!("openstack-service stop {project}");
        let upgrade_cmd = format!("yum -d1 -y upgrade \\*{project}\\*");
        let db_cmd = format!("openstack-db --service {project} --update");
        let start_cmd = format!("openstack-service start {project}");
        self.step(
            &format!("{project}.stop"),
            project,
            stop(project),
            hosts,
            &[&stop_cmd],
            &source,
        );
        self.step(
            &format!("{project}.upgrade"),
            project,
            upgrade(Some(project)),
            hosts,
            &[&upgrade_cmd],
            &source,
        );
        if project == "keystone" {
            self.step(
                "keystone.token_flush",
                project,
                Action::FlushTokens {
                    project: "keystone".to_owned(),
                },
                &db_host,
                &["keystone-manage token_flush"],
                &source,
            );
        }
        if db {
            self.step(
                &format!("{project}.db"),
                project,
                sync(project),
                &db_host,
                &[&db_cmd],
                &source,
            );
        }
        self.step(
            &format!("{project}.start"),
            project,
            start(project),
            hosts,
            &[&start_cmd],
            &source,
        )
    }
}

/// The documents' live-compute plan for `inventory` (made from [`inventory_source`]).
pub fn plan(inventory: &Inventory) -> Plan {
    let ctl = controllers(inventory);
    let db_host = ctl[..1].to_vec();
    let all = non_spare(inventory);
    let cmp = computes(inventory);
    let mut d = Documents {
        inventory,
        steps: Vec::new(),
    };

    d.step(
        "prepare.backup",
        "prepare",
        Action::BackupDatabase { project: None },
        &db_host,
        &["mysqldump -u root -p --opt --add-drop-database --all-databases > havana-db-backup.sql"],
        "back up before the schema migrations (rhos5 database-upgrades.md; ops guide)",
    );
    d.step(
        "prepare.repo",
        "prepare",
        Action::InstallRepo {
            release: "icehouse".to_owned(),
        },
        &all,
        &["yum install -y http://rdo.fedorapeople.org/openstack-icehouse/rdo-release-icehouse.rpm"],
        "install the Icehouse repository on every host (upgrade-2.md, which says Havana by mistake)",
    );

    // Scenario 2 through Horizon, without Nova and, as the RDO wiki orders it, without Neutron.
    d.project(
        "keystone",
        &having_any(inventory, "openstack-keystone"),
        true,
        "upgrade-keystone.md",
    );
    d.project(
        "swift",
        &having_any(inventory, "openstack-swift"),
        false,
        "upgrade-swift.md",
    );
    d.project(
        "cinder",
        &having_any(inventory, "openstack-cinder"),
        true,
        "upgrade-cinder.md",
    );
    d.project(
        "glance",
        &having_any(inventory, "openstack-glance"),
        true,
        "upgrade-glance.md",
    );
    let httpd = having(inventory, "httpd");
    let horizon = "rhos5 upgrade-horizon.md";
    d.step(
        "horizon.upgrade",
        "horizon",
        Action::UpgradePackages {
            packages: "\\*horizon\\* \\*openstack-dashboard\\*".to_owned(),
            project: Some("horizon".to_owned()),
        },
        &httpd,
        &["yum upgrade \\*horizon\\* \\*openstack-dashboard\\*"],
        horizon,
    );
    d.step(
        "horizon.local_settings",
        "horizon",
        set(
            "/etc/openstack-dashboard/local_settings",
            "",
            "OPENSTACK_KEYSTONE_DEFAULT_ROLE",
            "\"_member_\"",
        ),
        &httpd,
        &["cp /etc/openstack-dashboard/local_settings.rpmnew /etc/openstack-dashboard/local_settings"],
        "rhos5 upgrade-horizon.md: replace local_settings with local_settings.rpmnew (whose \
         default role is _member_) and carry SECRET_KEY and OPENSTACK_HOST over",
    );
    d.step(
        "horizon.allowed_hosts",
        "horizon",
        set(
            "/etc/openstack-dashboard/local_settings",
            "",
            "ALLOWED_HOSTS",
            "['dashboard.example.com']",
        ),
        &httpd,
        &["ALLOWED_HOSTS=['dashboard.example.com'] in /etc/openstack-dashboard/local_settings"],
        "rhos5 upgrade-horizon.md: Django >= 1.5 needs ALLOWED_HOSTS",
    );
    d.step(
        "horizon.restart",
        "horizon",
        Action::RestartService {
            service: "httpd".into(),
        },
        &httpd,
        &["service httpd restart"],
        "the ops guide's restart; the rhos5 page has none, but the new code needs one",
    );

    // upgrade-4.md steps 2 to 5: the Nova controllers, pinned.
    let nova_controllers = having_any(inventory, "openstack-nova-api");
    let step4 = "rhos5 upgrade-4.md";
    d.step(
        "nova-controllers.stop",
        "nova-controllers",
        stop("nova"),
        &nova_controllers,
        &["openstack-service stop nova"],
        &format!("{step4} step 2"),
    );
    d.step(
        "nova-controllers.upgrade",
        "nova-controllers",
        upgrade(Some("nova")),
        &nova_controllers,
        &["yum -y upgrade \\*nova\\*"],
        &format!("{step4} step 2"),
    );
    d.step(
        "nova-controllers.db",
        "nova-controllers",
        sync("nova"),
        &db_host,
        &["openstack-db --service nova --update"],
        &format!("{step4} step 3, on one controller"),
    );
    d.step(
        "nova-controllers.pin",
        "nova-controllers",
        set(NOVA_CONF, "upgrade_levels", "compute", "icehouse-compat"),
        &nova_controllers,
        &["[upgrade_levels] compute = icehouse-compat in /etc/nova/nova.conf"],
        &format!("{step4} step 4, on the controllers"),
    );
    d.step(
        "nova-controllers.start",
        "nova-controllers",
        start("nova"),
        &nova_controllers,
        &["openstack-service start nova"],
        &format!("{step4} step 5"),
    );

    // upgrade-4.md step 6: Neutron (rhos5 upgrade-neutron.md), then the notifications.
    let neutron_hosts = having_any(inventory, "neutron");
    let server = having(inventory, "neutron-server");
    let neutron = "rhos5 upgrade-neutron.md, as upgrade-4.md step 6 says";
    d.step(
        "neutron.stop",
        "neutron",
        stop("neutron"),
        &neutron_hosts,
        &["openstack-service stop neutron"],
        neutron,
    );
    d.step(
        "neutron.upgrade",
        "neutron",
        upgrade(Some("neutron")),
        &neutron_hosts,
        &["yum upgrade \\*neutron\\*"],
        neutron,
    );
    d.step(
        "neutron.db",
        "neutron",
        sync("neutron"),
        &db_host,
        &["openstack-db --service neutron --update"],
        neutron,
    );
    d.step(
        "neutron.start",
        "neutron",
        start("neutron"),
        &neutron_hosts,
        &["openstack-service start neutron"],
        neutron,
    );
    for (key, value) in [
        ("nova_url", "http://controller:8774/v2"),
        ("nova_admin_username", "nova"),
        ("nova_admin_password", "NOVA_PASS"),
        ("nova_admin_tenant_id", "SERVICE_TENANT_ID"),
        ("nova_admin_auth_url", "http://controller:35357/v2.0"),
        ("notify_nova_on_port_status_changes", "True"),
        ("notify_nova_on_port_data_changes", "True"),
    ] {
        let command =
            format!("openstack-config --set /etc/neutron/neutron.conf DEFAULT {key} {value}");
        d.step(
            &format!("neutron.notify.{key}"),
            "neutron",
            set(NEUTRON_CONF, "DEFAULT", key, value),
            &server,
            &[&command],
            "the Nova notification settings (reference §3), with the ops guide's option names: \
             rhos5 and the RDO wiki misspell the first as notify_nova_port_status_change",
        );
    }
    d.step(
        "neutron.restart",
        "neutron",
        Action::RestartService {
            service: "neutron-server".into(),
        },
        &server,
        &["openstack-service restart neutron"],
        "restart the Neutron services to load the notification settings (RDO wiki, step 8)",
    );
    let non_nova: Vec<String> = all
        .iter()
        .filter(|h| !nova_controllers.contains(h) && !cmp.contains(h))
        .cloned()
        .collect();
    d.step(
        "final-non-nova.upgrade",
        "final-non-nova",
        upgrade(None),
        &non_nova,
        &["yum upgrade"],
        "the final package upgrade on the non-Nova systems (upgrade-4.md step 1; after Neutron, \
         which these hosts also run)",
    );

    // upgrade-4.md step 7: each compute, one at a time, with Icehouse's defaults.
    for host in &cmp {
        let one = vec![host.clone()];
        let disable = format!("nova service-disable --reason upgrade {host} nova-compute");
        let enable = format!("nova service-enable {host} nova-compute");
        let source = format!("{step4} step 7, for each compute node");
        d.step(
            &format!("nova-computes.{host}.disable"),
            "nova-computes",
            Action::DisableCompute {},
            &one,
            &[&disable],
            &source,
        );
        d.step(
            &format!("nova-computes.{host}.stop"),
            "nova-computes",
            stop("nova"),
            &one,
            &["openstack-service stop nova"],
            &source,
        );
        d.step(
            &format!("nova-computes.{host}.upgrade"),
            "nova-computes",
            upgrade(Some("nova")),
            &one,
            &["yum upgrade \\*nova\\*"],
            &source,
        );
        for (section, key) in [("DEFAULT", "libvirt_vif_driver"), ("libvirt", "vif_driver")] {
            let command = format!("openstack-config --del /etc/nova/nova.conf {section} {key}");
            d.step(
                &format!("nova-computes.{host}.unset.{key}"),
                "nova-computes",
                Action::DeleteConfig {
                    file: NOVA_CONF.to_owned(),
                    section: section.to_owned(),
                    key: key.to_owned(),
                },
                &one,
                &[&command],
                "deprecated in Icehouse (rhos5 upgrade-nova.md)",
            );
        }
        d.step(
            &format!("nova-computes.{host}.start"),
            "nova-computes",
            start("nova"),
            &one,
            &["openstack-service start nova"],
            &source,
        );
        d.step(
            &format!("nova-computes.{host}.enable"),
            "nova-computes",
            Action::EnableCompute {},
            &one,
            &[&enable],
            &source,
        );
    }

    // upgrade-4.md step 9: unpin, restart Nova everywhere, the final package upgrade.
    let nova_hosts: Vec<String> = all
        .iter()
        .filter(|h| nova_controllers.contains(h) || cmp.contains(h))
        .cloned()
        .collect();
    d.step(
        "unpin.comment_out",
        "unpin",
        Action::DeleteConfig {
            file: NOVA_CONF.to_owned(),
            section: "upgrade_levels".to_owned(),
            key: "compute".to_owned(),
        },
        &nova_controllers,
        &["# compute = icehouse-compat in /etc/nova/nova.conf"],
        &format!("{step4} step 9"),
    );
    d.step(
        "unpin.restart",
        "unpin",
        Action::RestartService {
            service: "nova".into(),
        },
        &nova_hosts,
        &["openstack-service restart nova"],
        &format!("{step4} step 9, on every host"),
    );
    let unpinned = d.last();
    d.step_after(
        "final.upgrade",
        "final",
        upgrade(None),
        &nova_hosts,
        vec![unpinned],
        &["yum upgrade"],
        "the final package upgrade on the computes and controllers (upgrade-4.md step 9)",
    );
    d.step(
        "final.restart-compute",
        "final",
        Action::RestartService {
            service: "openstack-nova-compute".into(),
        },
        &cmp,
        &["service openstack-nova-compute restart"],
        "nova-compute must be restarted after the client upgrade (rhos5 final-package-upgrade.md)",
    );

    let t = transition(inventory);
    let mut plan = Plan {
        schema: PLAN_SCHEMA.to_owned(),
        scenario: Scenario::LiveCompute,
        transition: t.id().to_owned(),
        catalog_version: t.version().to_owned(),
        cloud: inventory.name.clone(),
        digest: String::new(),
        estimate_s: 0,
        steps: d.steps,
        inventory_file: INVENTORY_FILE.to_owned(),
        inventory_source: inventory_source().to_owned(),
    };
    plan.estimate_s = plan.critical_path_s();
    plan.seal();
    plan
}
