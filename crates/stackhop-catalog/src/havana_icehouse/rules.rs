//! The rule book for Havana → Icehouse on RDO.

use std::sync::Arc;

use stackhop_inventory::{Inventory, Network, RpcBackend};
use stackhop_model::{
    CapabilityCheck, Class, CodeLevel, ConfigExpectation, ConfigRule, CustomInvariant, Delivery,
    RpcChannel, RuleBook, ServiceId, ServiceKind, View,
};

use super::events;
use super::keys;
use super::levels::{self, HAVANA, HAVANA_OLD, ICEHOUSE, range, v};
use super::services;

pub(crate) fn rule_book(inventory: &Inventory) -> RuleBook {
    let mut book = RuleBook {
        releases: vec!["havana".to_owned(), "icehouse".to_owned()],
        levels: levels::LEVEL_NAMES
            .iter()
            .map(|(name, release)| CodeLevel {
                name: (*name).to_owned(),
                release: *release,
            })
            .collect(),
        services: services::service_infos(),
        projects: services::project_infos(),
        channels: Vec::new(),
        config_rules: Vec::new(),
        custom: Vec::new(),
        capabilities: Vec::new(),
        gates: Vec::new(),
        config_defaults: defaults(),
        temporary_config: vec![keys::compute_pin(), keys::vif_fatal(), keys::vif_timeout()],
    };
    book.channels = channels(&book, inventory);
    book.config_rules = config_rules(&book, inventory);
    if inventory.network == Network::Neutron {
        let compute = book.channels[0].clone();
        book.custom.push(CustomInvariant {
            id: "vif_events_deliverable",
            check: Arc::new(move |view, out| events::vif_events(view, &compute, out)),
        });
        book.custom.push(CustomInvariant {
            id: "events_reach_new_api",
            check: Arc::new(events::events_to_old_api),
        });
    }
    book.capabilities = capabilities(&book, inventory);
    book
}

fn ids(book: &RuleBook, names: &[&str]) -> Vec<ServiceId> {
    names.iter().filter_map(|n| book.service_id(n)).collect()
}

/// Effective values nobody set: upstream defaults, or RDO's dist.conf where that differs.
fn defaults() -> Vec<(stackhop_model::ConfigKey, String)> {
    vec![
        // nova 2014.1 `nova/virt/driver.py` (reference §3).
        (keys::vif_fatal(), "True".to_owned()),
        (keys::vif_timeout(), "300".to_owned()),
        // openstack-neutron 2014.1.1-5 neutron-dist.conf turns both off (reference §3, aca8823).
        (keys::notify_status(), "False".to_owned()),
        (keys::notify_data(), "False".to_owned()),
        (
            keys::neutron("nova_url"),
            "http://127.0.0.1:8774/v2".to_owned(),
        ),
    ]
}

fn channels(book: &RuleBook, inventory: &Inventory) -> Vec<RpcChannel> {
    let controllers = ids(
        book,
        &[
            "openstack-nova-api",
            "openstack-nova-scheduler",
            "openstack-nova-conductor",
        ],
    );
    let compute = ids(book, &["openstack-nova-compute"]);
    let conductor = ids(book, &["openstack-nova-conductor"]);
    let aliases = vec![
        levels::compute_aliases(HAVANA_OLD),
        levels::compute_aliases(HAVANA),
        levels::compute_aliases(ICEHOUSE),
    ];
    let compute_accepts = vec![
        vec![range(v(2, 0), v(2, 47))],
        // stable/havana a7e2a411 `ComputeV3Proxy` (2013.2.2).
        vec![range(v(2, 0), v(2, 47)), range(v(3, 0), v(3, 0))],
        vec![range(v(3, 0), v(3, 23))],
    ];
    let compute_sends = vec![v(2, 47), v(2, 47), v(3, 23)];
    let peer_class = if inventory.options.allow_migrations {
        Class::Hard
    } else {
        Class::Degraded
    };
    let mut out = vec![
        RpcChannel {
            id: "compute_rpc_compatible",
            class: Class::Hard,
            senders: controllers,
            receivers: compute.clone(),
            delivery: Delivery::AllReceivers,
            sends: compute_sends.clone(),
            accepts: compute_accepts.clone(),
            cap_key: Some(keys::compute_pin()),
            cap_aliases: aliases.clone(),
            cap_auto: None,
            service_versions: false,
            reason: "pin [upgrade_levels] compute=icehouse-compat on Icehouse controllers while \
                     Havana computes remain, and upgrade controllers before computes",
        },
        RpcChannel {
            id: "conductor_not_older_than_compute",
            class: Class::Hard,
            senders: compute.clone(),
            receivers: conductor,
            delivery: Delivery::AllReceivers,
            sends: vec![v(1, 58), v(1, 58), v(2, 0)],
            // Icehouse conductor serves 1.64 and a 2.0 proxy (reference §2).
            accepts: vec![
                vec![range(v(1, 0), v(1, 58))],
                vec![range(v(1, 0), v(1, 58))],
                vec![range(v(1, 0), v(1, 64)), range(v(2, 0), v(2, 0))],
            ],
            cap_key: None,
            cap_aliases: Vec::new(),
            cap_auto: None,
            service_versions: false,
            reason: "a compute must never run newer code than the conductor it reaches the \
                     database through",
        },
        RpcChannel {
            id: "compute_peers_compatible",
            class: peer_class,
            senders: compute.clone(),
            receivers: compute,
            delivery: Delivery::AllReceivers,
            sends: compute_sends,
            accepts: compute_accepts,
            cap_key: Some(keys::compute_pin()),
            cap_aliases: aliases,
            cap_auto: None,
            service_versions: false,
            reason: "resize and migration between Havana and Icehouse computes need \
                     [upgrade_levels] compute=icehouse-compat on the computes too",
        },
    ];
    if inventory.network == Network::NovaNetwork {
        out.push(network_channel(book));
    }
    out
}

/// Icehouse nova-api and nova-compute call nova-network over RPC 1.11 and 1.12
/// (`deallocate_for_instance`, `deallocate_fixed_ip`), which a Havana nova-network refuses: while
/// one remains they must be capped with `[upgrade_levels] network=havana`.
fn network_channel(book: &RuleBook) -> RpcChannel {
    RpcChannel {
        id: "network_rpc_compatible",
        class: Class::Hard,
        senders: ids(book, &["openstack-nova-api", "openstack-nova-compute"]),
        receivers: ids(book, &["openstack-nova-network"]),
        delivery: Delivery::AllReceivers,
        sends: vec![v(1, 10), v(1, 10), v(1, 12)],
        accepts: vec![
            vec![range(v(1, 0), v(1, 10))],
            vec![range(v(1, 0), v(1, 10))],
            vec![range(v(1, 0), v(1, 12))],
        ],
        cap_key: Some(keys::network_pin()),
        cap_aliases: vec![
            levels::network_aliases(HAVANA_OLD),
            levels::network_aliases(HAVANA),
            levels::network_aliases(ICEHOUSE),
        ],
        cap_auto: None,
        service_versions: false,
        reason: "pin [upgrade_levels] network=havana on Icehouse nova services while a Havana \
                 nova-network remains",
    }
}

fn config_rules(book: &RuleBook, inventory: &Inventory) -> Vec<ConfigRule> {
    let mut rules = Vec::new();
    if inventory.rpc_backend == RpcBackend::Qpid {
        // Reference §4: Icehouse dist.conf files no longer carry the qpid default.
        for (file, names, values) in qpid_files(book) {
            rules.push(ConfigRule {
                id: "rpc_backend_explicit",
                class: Class::Hard,
                services: names,
                min_level: ICEHOUSE,
                max_level: stackhop_model::Level::MAX,
                key: keys::rpc_backend(file),
                expect: ConfigExpectation::OneOf(values),
                message: format!(
                    "an Icehouse service runs without rpc_backend in {file}: RDO Icehouse \
                     defaults to RabbitMQ, so it drops off this cloud's qpid bus"
                ),
            });
        }
    }
    let httpd = ids(book, &["httpd"]);
    rules.push(ConfigRule {
        id: "horizon_allowed_hosts",
        class: Class::Hard,
        services: httpd.clone(),
        min_level: ICEHOUSE,
        max_level: stackhop_model::Level::MAX,
        key: keys::dashboard("ALLOWED_HOSTS"),
        expect: ConfigExpectation::Present,
        message: "Icehouse Horizon (Django >= 1.5) answers every request with 400 until \
                  ALLOWED_HOSTS is set"
            .to_owned(),
    });
    rules.push(ConfigRule {
        id: "horizon_member_role",
        class: Class::Degraded,
        services: httpd,
        min_level: ICEHOUSE,
        max_level: stackhop_model::Level::MAX,
        key: keys::dashboard("OPENSTACK_KEYSTONE_DEFAULT_ROLE"),
        expect: ConfigExpectation::OneOf(vec!["\"_member_\"".to_owned()]),
        message: "Horizon's OPENSTACK_KEYSTONE_DEFAULT_ROLE must become \"_member_\"".to_owned(),
    });
    let compute = ids(book, &["openstack-nova-compute"]);
    for (section, key) in [("DEFAULT", "libvirt_vif_driver"), ("libvirt", "vif_driver")] {
        rules.push(ConfigRule {
            id: "libvirt_vif_driver_removed",
            class: Class::Degraded,
            services: compute.clone(),
            min_level: ICEHOUSE,
            max_level: stackhop_model::Level::MAX,
            key: stackhop_model::ConfigKey::new(keys::NOVA_CONF, section, key),
            expect: ConfigExpectation::Absent {
                harmless: vec!["nova.virt.libvirt.vif.LibvirtGenericVIFDriver".to_owned()],
            },
            message: format!("{section}/{key} is deprecated in Icehouse and logs warnings"),
        });
    }
    rules
}

/// The files that need an explicit qpid `rpc_backend`, the services reading them, and the values
/// both releases understand.
pub(crate) fn qpid_files(book: &RuleBook) -> Vec<(&'static str, Vec<ServiceId>, Vec<String>)> {
    let of_project = |p: &str| -> Vec<ServiceId> {
        book.services
            .iter()
            .enumerate()
            .filter(|(_, s)| book.project(s.project).name == p)
            .filter_map(|(i, _)| u16::try_from(i).ok())
            .collect()
    };
    vec![
        (
            keys::NOVA_CONF,
            of_project("nova"),
            vec![
                "nova.openstack.common.rpc.impl_qpid".to_owned(),
                "qpid".to_owned(),
            ],
        ),
        (
            keys::NEUTRON_CONF,
            of_project("neutron"),
            vec!["neutron.openstack.common.rpc.impl_qpid".to_owned()],
        ),
        (
            keys::GLANCE_API_CONF,
            ids(book, &["openstack-glance-api"]),
            vec!["qpid".to_owned()],
        ),
    ]
}

fn present(book: &RuleBook, inventory: &Inventory, service: &str) -> bool {
    let _ = book;
    inventory
        .hosts
        .iter()
        .any(|h| services::host_services(inventory, h).contains(&service))
}

fn up(view: &View<'_>, names: &[&str]) -> bool {
    names.iter().all(|n| view.healthy_somewhere(n, None))
}

fn capabilities(book: &RuleBook, inventory: &Inventory) -> Vec<CapabilityCheck> {
    let mut caps = Vec::new();
    let mut add = |name: &'static str, check: Arc<stackhop_model::CapabilityFn>| {
        caps.push(CapabilityCheck { name, check });
    };
    add(
        "identity",
        Arc::new(|view| up(view, &["openstack-keystone"])),
    );
    add(
        "image",
        Arc::new(|view| {
            up(
                view,
                &[
                    "openstack-keystone",
                    "openstack-glance-api",
                    "openstack-glance-registry",
                ],
            )
        }),
    );
    if present(book, inventory, "openstack-cinder-volume") {
        add(
            "volume",
            Arc::new(|view| {
                up(
                    view,
                    &[
                        "openstack-keystone",
                        "openstack-cinder-api",
                        "openstack-cinder-scheduler",
                        "openstack-cinder-volume",
                    ],
                )
            }),
        );
    }
    if present(book, inventory, "openstack-swift-proxy") {
        add(
            "object",
            Arc::new(|view| {
                up(
                    view,
                    &[
                        "openstack-keystone",
                        "openstack-swift-proxy",
                        "openstack-swift-object",
                    ],
                )
            }),
        );
    }
    let neutron = inventory.network == Network::Neutron;
    add("network", Arc::new(move |view| network_up(view, neutron)));
    add(
        "compute_api",
        Arc::new(|view| {
            up(view, &["openstack-keystone"])
                && [0, 1]
                    .iter()
                    .any(|env| view.healthy_somewhere("openstack-nova-api", Some(*env)))
        }),
    );
    let compute_channel = book.channels[0].clone();
    let conductor_channel = book.channels[1].clone();
    add(
        "boot",
        Arc::new(move |view| boot_up(view, neutron, &compute_channel, &conductor_channel)),
    );
    add(
        "dashboard",
        Arc::new(|view| up(view, &["openstack-keystone", "httpd"]) && dashboard_configured(view)),
    );
    caps
}

fn network_up(view: &View<'_>, neutron: bool) -> bool {
    if neutron {
        up(
            view,
            &[
                "openstack-keystone",
                "neutron-server",
                "neutron-openvswitch-agent",
            ],
        )
    } else {
        up(view, &["openstack-keystone"]) && view.healthy_somewhere("openstack-nova-network", None)
    }
}

fn dashboard_configured(view: &View<'_>) -> bool {
    let Some(httpd) = view.rules.service_id("httpd") else {
        return false;
    };
    view.running(httpd).any(|(h, s)| {
        s.running.is_some_and(|l| l < ICEHOUSE)
            || view
                .config(h.state, &keys::dashboard("ALLOWED_HOSTS"))
                .is_some()
    })
}

/// A boot needs identity, image, network, a healthy Nova control plane in some environment and
/// an enabled compute there whose messages and events all get through.
fn boot_up(
    view: &View<'_>,
    neutron: bool,
    compute_channel: &RpcChannel,
    conductor_channel: &RpcChannel,
) -> bool {
    if !up(
        view,
        &[
            "openstack-keystone",
            "openstack-glance-api",
            "openstack-glance-registry",
        ],
    ) || !network_up(view, neutron)
    {
        return false;
    }
    let rules = view.rules;
    let Some(compute) = rules.service_id("openstack-nova-compute") else {
        return false;
    };
    [0u8, 1].into_iter().any(|env| {
        let control = [
            "openstack-nova-api",
            "openstack-nova-scheduler",
            "openstack-nova-conductor",
        ]
        .iter()
        .all(|n| view.healthy_somewhere(n, Some(env)));
        control
            && view.running(compute).any(|(h, s)| {
                h.state.env == env
                    && s.enabled
                    && rules.service(s.id).kind == ServiceKind::Hypervisor
                    && reachable(view, compute_channel, conductor_channel, h.state, s)
                    && (!neutron
                        || s.running.is_none_or(|l| l < ICEHOUSE)
                        || events::event_path_broken(view, compute_channel, env).is_none()
                        || !events::waits_fatally(view, &h))
            })
    })
}

/// The control plane's compute messages reach this compute and its conductor calls are taken.
fn reachable(
    view: &View<'_>,
    compute_channel: &RpcChannel,
    conductor_channel: &RpcChannel,
    host: &stackhop_model::HostState,
    svc: &stackhop_model::ServiceState,
) -> bool {
    svc.running.is_some_and(|level| {
        compute_channel.reaches(view, host.env, level)
            && conductor_channel.taken_from(view, host, level)
    })
}
