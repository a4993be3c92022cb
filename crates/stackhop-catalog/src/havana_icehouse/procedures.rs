//! How each scenario is carried out for Havana → Icehouse on RDO (reference §1, §3, §4).

use stackhop_inventory::{Inventory, Network, RpcBackend};
use stackhop_model::{Action, ConfigKey, RuleBook};

use super::keys;
use crate::procedure::{
    ConfigChange, EventLink, HostSelector, LiveRolling, ParallelDeployment, ProjectProcedure,
    ProjectStyle,
};

fn stop_upgrade_start(project: &'static str, packages: &'static str) -> ProjectProcedure {
    ProjectProcedure {
        project,
        packages,
        style: ProjectStyle::StopUpgradeStart,
        before_stop: Vec::new(),
        before_sync: Vec::new(),
        sync_on: None,
        after_all: Vec::new(),
        config: Vec::new(),
        restart: Vec::new(),
        health: None,
        source: "reference §1, rhos5 upgrade-2.md",
    }
}

pub(crate) fn procedures(inventory: &Inventory) -> Vec<ProjectProcedure> {
    let mut keystone = stop_upgrade_start("keystone", "\\*keystone\\*");
    keystone.sync_on = Some("openstack-keystone");
    keystone.health = Some("identity");
    keystone.before_stop.push((
        Action::FlushTokens {
            project: "keystone".to_owned(),
        },
        "Havana never purged expired tokens; a large token table makes the keystone schema \
         upgrade much slower (rhos5 upgrade-keystone.md); flushing deletes only expired tokens, \
         so it runs before the outage"
            .to_owned(),
    ));

    let mut swift = stop_upgrade_start("swift", "\\*swift\\*");
    swift.health = Some("object");

    let mut cinder = stop_upgrade_start("cinder", "\\*cinder\\*");
    cinder.sync_on = Some("openstack-cinder-api");
    cinder.health = Some("volume");

    let mut glance = stop_upgrade_start("glance", "\\*glance\\*");
    glance.sync_on = Some("openstack-glance-api");
    glance.health = Some("image");
    if inventory.database.glance_tables_utf8 != Some(true) {
        glance.before_sync.push((
            Action::ConvertUtf8 {
                project: "glance".to_owned(),
            },
            "Icehouse glance refuses to migrate tables that are not utf8 (Glance LP 1279000, \
             reference §4)"
                .to_owned(),
        ));
    }

    let mut neutron = stop_upgrade_start("neutron", "\\*neutron\\*");
    neutron.sync_on = Some("neutron-server");
    neutron.health = Some("network");
    if inventory.database.neutron_tables_utf8 == Some(false) {
        neutron.before_sync.push((
            Action::ConvertUtf8 {
                project: "neutron".to_owned(),
            },
            "the ops guide converts the neutron tables to utf8 before the migration".to_owned(),
        ));
    }

    let mut heat = stop_upgrade_start("heat", "\\*heat\\*");
    heat.sync_on = Some("openstack-heat-engine");
    heat.source = "reference §1: not covered by rhos5; heat-manage db_sync";
    let mut ceilometer = stop_upgrade_start("ceilometer", "\\*ceilometer\\*");
    ceilometer.sync_on = Some("openstack-ceilometer-collector");
    ceilometer.source = "reference §1: not covered by rhos5; ceilometer-dbsync";

    let horizon = ProjectProcedure {
        project: "horizon",
        packages: "\\*horizon\\* \\*openstack-dashboard\\*",
        style: ProjectStyle::UpgradeRestart,
        before_stop: Vec::new(),
        before_sync: Vec::new(),
        sync_on: None,
        after_all: Vec::new(),
        config: vec![
            ConfigChange::set(
                HostSelector::Having("httpd"),
                keys::dashboard("ALLOWED_HOSTS"),
                "['*']",
                "Django >= 1.5 refuses every request until ALLOWED_HOSTS is set (rhos5 \
                 upgrade-horizon.md); narrow it to the dashboard's name afterwards",
            ),
            ConfigChange::set(
                HostSelector::Having("httpd"),
                keys::dashboard("OPENSTACK_KEYSTONE_DEFAULT_ROLE"),
                "\"_member_\"",
                "the default member role changed from Member to _member_ (ops guide, reference \
                 §5)",
            ),
        ],
        restart: vec!["httpd"],
        health: Some("dashboard"),
        source: "reference §1, rhos5 upgrade-horizon.md and the ops guide",
    };

    let mut nova = stop_upgrade_start("nova", "\\*nova\\*");
    nova.sync_on = Some("openstack-nova-api");
    nova.health = Some("compute_api");
    for (section, key) in [("DEFAULT", "libvirt_vif_driver"), ("libvirt", "vif_driver")] {
        nova.config.push(ConfigChange::delete(
            HostSelector::ProjectHypervisor("nova"),
            ConfigKey::new(keys::NOVA_CONF, section, key),
            "deprecated in Icehouse; logs warnings unless it names LibvirtGenericVIFDriver \
             (rhos5 upgrade-nova.md)",
        ));
    }

    let mut out = vec![keystone, swift, cinder, glance];
    if inventory.network == Network::Neutron {
        out.push(neutron);
    }
    out.extend([heat, ceilometer, horizon, nova]);
    out
}

/// Set before any Icehouse code starts; the values work on Havana too.
pub(crate) fn prepare_config(inventory: &Inventory, book: &RuleBook) -> Vec<ConfigChange> {
    if inventory.rpc_backend != RpcBackend::Qpid {
        return Vec::new();
    }
    super::rules::qpid_files(book)
        .into_iter()
        .filter_map(|(file, services, values)| {
            let service = services.first().map(|id| book.service(*id).name.clone())?;
            let project = super::services::project_of(&service)?;
            let hosts = match project {
                "glance" => HostSelector::Having("openstack-glance-api"),
                _ => HostSelector::ProjectControl(project),
            };
            let mut changes = vec![ConfigChange::set(
                hosts.clone(),
                keys::rpc_backend(file),
                values.first()?,
                "RDO Icehouse packages no longer default to qpid; without an explicit \
                 rpc_backend the service tries RabbitMQ (reference §4, Inference)",
            )];
            if project != "glance" {
                changes.push(ConfigChange::set(
                    HostSelector::ProjectHypervisor(project),
                    keys::rpc_backend(file),
                    values.first()?,
                    "the computes read the same option (reference §4)",
                ));
            }
            Some(changes)
        })
        .flatten()
        .collect()
}

pub(crate) fn live(inventory: &Inventory) -> LiveRolling {
    let pin = |hosts: HostSelector, reason: &str| {
        ConfigChange::set(hosts, keys::compute_pin(), "icehouse-compat", reason)
    };
    let mut while_pinned = Vec::new();
    if inventory.network == Network::Neutron {
        let reason = "while nova-api is pinned to 3.0 it cannot pass Neutron's events on \
                      (external_instance_event is 3.23), so an upgraded compute must not wait \
                      for them (reference §3, Inference)";
        while_pinned.push(ConfigChange::set(
            HostSelector::ProjectHypervisor("nova"),
            keys::vif_fatal(),
            "False",
            reason,
        ));
        while_pinned.push(ConfigChange::set(
            HostSelector::ProjectHypervisor("nova"),
            keys::vif_timeout(),
            "0",
            reason,
        ));
    }
    let mut pins = vec![pin(
        HostSelector::ProjectControl("nova"),
        "Icehouse controllers must speak compute RPC 3.0 while Havana computes remain \
         (rhos5 upgrade-4.md; nova 2014.1 compute/rpcapi.py)",
    )];
    if inventory.network == Network::NovaNetwork {
        let network_pin = |hosts: HostSelector, reason: &str| {
            ConfigChange::set(hosts, keys::network_pin(), "havana", reason)
        };
        pins.push(network_pin(
            HostSelector::ProjectControl("nova"),
            "Icehouse nova-api sends network RPC 1.11+, which the Havana nova-network of the \
             computes refuses; cap it at havana (1.10) until they are upgraded (nova 2014.1 \
             network/rpcapi.py, Inference)",
        ));
        while_pinned.push(network_pin(
            HostSelector::ProjectHypervisor("nova"),
            "an Icehouse compute calls nova-network over RPC 1.11+, which Havana nova-network \
             refuses; cap it at havana (1.10) while any remains (nova 2014.1 \
             network/rpcapi.py, Inference)",
        ));
    }
    LiveRolling {
        project: "nova",
        pin: pins,
        pin_hypervisors: vec![pin(
            HostSelector::ProjectHypervisor("nova"),
            "instances migrate between Havana and Icehouse computes, so the computes need the \
             pin too (rhos5 upgrade-4.md step 8, RDO wiki)",
        )],
        between: if inventory.network == Network::Neutron {
            vec!["neutron"]
        } else {
            Vec::new()
        },
        while_pinned,
        pin_stays: false,
    }
}

pub(crate) fn parallel(inventory: &Inventory) -> ParallelDeployment {
    let topic = |key: &str, value: &str| {
        ConfigChange::set(
            HostSelector::ProjectControl("nova"),
            ConfigKey::new(keys::NOVA_CONF, "DEFAULT", key),
            value,
            "the parallel Nova keeps its own AMQP topics (parallel-nova.md)",
        )
    };
    let mut env_config = vec![
        topic("compute_topic", "compute_icehouse"),
        topic("scheduler_topic", "scheduler_icehouse"),
        topic("cert_topic", "cert_icehouse"),
        topic("console_topic", "console_icehouse"),
        topic("consoleauth_topic", "consoleauth_icehouse"),
        topic("notifications_topic", "notifications_icehouse"),
        ConfigChange::set(
            HostSelector::ProjectControl("nova"),
            ConfigKey::new(keys::NOVA_CONF, "conductor", "conductor_topic"),
            "conductor_icehouse",
            "the parallel Nova keeps its own AMQP topics (parallel-nova.md)",
        ),
        ConfigChange::set(
            HostSelector::ProjectControl("nova"),
            ConfigKey::new(keys::NOVA_CONF, "database", "connection"),
            "mysql://nova:$NOVA_DBPASS@$DB_HOST/nova_icehouse",
            "the parallel Nova has its own database (parallel-nova.md)",
        ),
    ];
    let hypervisor_topics: Vec<ConfigChange> = env_config
        .iter()
        .filter(|c| c.key.key.ends_with("_topic"))
        .map(|c| ConfigChange {
            hosts: HostSelector::ProjectHypervisor("nova"),
            ..c.clone()
        })
        .collect();
    env_config.extend(hypervisor_topics);
    ParallelDeployment {
        project: "nova",
        env: 1,
        controller_services: vec![
            "openstack-nova-api",
            "openstack-nova-scheduler",
            "openstack-nova-conductor",
            "openstack-nova-cert",
            "openstack-nova-consoleauth",
            "openstack-nova-novncproxy",
        ],
        hypervisor_services: vec![
            "openstack-nova-compute",
            if inventory.network == Network::Neutron {
                "neutron-openvswitch-agent"
            } else {
                "openstack-nova-network"
            },
        ],
        env_config,
        region: keys::PARALLEL_REGION,
    }
}

pub(crate) fn event_links(inventory: &Inventory) -> Vec<EventLink> {
    if inventory.network != Network::Neutron {
        return Vec::new();
    }
    let server = || HostSelector::Having("neutron-server");
    let reason = "Icehouse Nova waits for Neutron's port events; Neutron needs nova_* \
                  credentials to send them (reference §3; the real option names, not rhos5's \
                  notify_nova_port_status_change)";
    let setup = [
        ("nova_url", "http://$NOVA_API_HOST:8774/v2"),
        ("nova_admin_username", "nova"),
        ("nova_admin_password", "$NOVA_ADMIN_PASSWORD"),
        ("nova_admin_tenant_id", "$SERVICE_TENANT_ID"),
        ("nova_admin_auth_url", "http://$KEYSTONE_HOST:35357/v2.0"),
    ]
    .into_iter()
    .map(|(k, val)| ConfigChange::set(server(), keys::neutron(k), val, reason))
    .collect();
    let switch = |value: &str, why: &str| {
        vec![
            ConfigChange::set(server(), keys::notify_status(), value, why),
            ConfigChange::set(server(), keys::notify_data(), value, why),
        ]
    };
    vec![EventLink {
        sender_service: "neutron-server",
        sender_project: "neutron",
        receiver_project: "nova",
        setup,
        enable: switch(
            "True",
            "Nova's API runs Icehouse now, so Neutron may send events (RDO wiki order: Nova \
             controllers, then Neutron sending events, then computes)",
        ),
        disable: switch(
            "False",
            "Nova's API is still Havana and would answer every event with 404 (reference §3)",
        ),
        retarget: vec![
            ConfigChange::set(
                server(),
                keys::neutron("nova_url"),
                "http://$PARALLEL_NOVA_API_HOST:8774/v2",
                "events go to the parallel Icehouse Nova",
            ),
            ConfigChange::set(
                server(),
                keys::nova_region(),
                keys::PARALLEL_REGION,
                "events go to the parallel Icehouse Nova's region",
            ),
        ],
        source: "reference §3",
    }]
}

pub(crate) fn capability_of(project: &str) -> Option<&'static str> {
    match project {
        "keystone" => Some("identity"),
        "swift" => Some("object"),
        "cinder" => Some("volume"),
        "glance" => Some("image"),
        "neutron" => Some("network"),
        "horizon" => Some("dashboard"),
        "nova" => Some("compute_api"),
        _ => None,
    }
}
