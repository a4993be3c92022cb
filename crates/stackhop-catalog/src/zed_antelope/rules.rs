//! The rule book for Zed → 2023.1 with the debian-venv profile.

use std::sync::Arc;

use stackhop_inventory::{ComputeDriver, Inventory};
use stackhop_model::{
    CapabilityCheck, Class, CodeLevel, ConfigExpectation, ConfigRule, Delivery, Gate, Level,
    RpcChannel, RuleBook, ServiceId, ServiceKind, View,
};

use super::keys;
use super::levels::{
    self, ANTELOPE, COMPUTE_RPC, OLDEST_SUPPORTED, SERVICE_VERSION, YOGA, ZED, range, v,
};
use super::services;

pub(crate) const COMPUTE_CHANNEL: usize = 0;
pub(crate) const CONDUCTOR_CHANNEL: usize = 1;

const CONTROL: [&str; 3] = ["nova-api", "nova-conductor", "nova-scheduler"];

pub(crate) fn rule_book(inventory: &Inventory) -> RuleBook {
    let mut book = RuleBook {
        releases: vec!["zed".to_owned(), "2023.1".to_owned()],
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
        config_defaults: Vec::new(),
        // `compute = auto` is upstream's lasting recommendation, not scaffolding.
        temporary_config: Vec::new(),
    };
    book.channels = channels(&book, inventory);
    book.config_rules = config_rules(&book, inventory);
    book.gates = vec![Gate {
        project: "nova".to_owned(),
        check: Arc::new(nova_status),
    }];
    book.capabilities = capabilities(&book);
    book
}

fn ids(book: &RuleBook, names: &[&str]) -> Vec<ServiceId> {
    names.iter().filter_map(|n| book.service_id(n)).collect()
}

/// Each level's own version and everything below it: what a receiver at that level accepts.
fn up_to(versions: &[stackhop_model::RpcVersion]) -> Vec<Vec<stackhop_model::VersionRange>> {
    versions
        .iter()
        .map(|&max| vec![range(v(0, 0), max)])
        .collect()
}

fn channels(book: &RuleBook, inventory: &Inventory) -> Vec<RpcChannel> {
    let control = ids(book, &CONTROL);
    let compute = ids(book, &["nova-compute"]);
    let conductor = ids(book, &["nova-conductor"]);
    let aliases: Vec<_> = (0..SERVICE_VERSION.len())
        .map(|l| levels::compute_aliases(Level::try_from(l).unwrap_or(0)))
        .collect();
    // Every level serves 6.0 up to its own version (nova/compute/manager.py `Target`).
    let compute_accepts: Vec<_> = COMPUTE_RPC
        .iter()
        .map(|&max| vec![range(v(6, 0), max)])
        .collect();
    let peer_class = if inventory.options.allow_migrations {
        Class::Hard
    } else {
        Class::Degraded
    };
    vec![
        RpcChannel {
            id: "compute_rpc_compatible",
            class: Class::Hard,
            senders: control.clone(),
            receivers: compute.clone(),
            delivery: Delivery::AllReceivers,
            sends: COMPUTE_RPC.to_vec(),
            accepts: compute_accepts.clone(),
            cap_key: Some(keys::compute_pin()),
            cap_aliases: aliases.clone(),
            cap_auto: Some("auto"),
            service_versions: false,
            reason: "unpinned, 2023.1 control services send rebuild_instance (rebuilds, \
                     evacuations) at compute RPC 6.2, which a Zed compute (6.1) refuses: set \
                     [upgrade_levels] compute = auto on them before they start (nova 27 \
                     compute/rpcapi.py)",
        },
        RpcChannel {
            id: "conductor_not_older_than_compute",
            class: Class::Hard,
            senders: compute.clone(),
            receivers: conductor,
            delivery: Delivery::AllReceivers,
            sends: SERVICE_VERSION.to_vec(),
            accepts: up_to(&SERVICE_VERSION),
            cap_key: None,
            cap_aliases: Vec::new(),
            cap_auto: None,
            service_versions: true,
            reason: "a compute sends the conductor objects at its own service version, which an \
                     older conductor cannot read: upgrade the conductors before any compute",
        },
        RpcChannel {
            id: "computes_not_older_than_supported",
            class: Class::Hard,
            senders: compute.clone(),
            receivers: control,
            delivery: Delivery::AllReceivers,
            sends: SERVICE_VERSION.to_vec(),
            accepts: vec![vec![range(OLDEST_SUPPORTED, v(u16::MAX, 0))]; SERVICE_VERSION.len()],
            cap_key: None,
            cap_aliases: Vec::new(),
            cap_auto: None,
            service_versions: true,
            reason: "nova's control services refuse to start while a compute older than Yoga \
                     is registered (nova/utils.py raise_if_old_compute; \
                     OLDEST_SUPPORTED_SERVICE_VERSION = 'Yoga')",
        },
        RpcChannel {
            id: "compute_peers_compatible",
            class: peer_class,
            senders: compute.clone(),
            receivers: compute,
            delivery: Delivery::AllReceivers,
            sends: COMPUTE_RPC.to_vec(),
            accepts: compute_accepts,
            cap_key: Some(keys::compute_pin()),
            cap_aliases: aliases,
            cap_auto: Some("auto"),
            service_versions: false,
            reason: "a 2023.1 compute sends its peers compute RPC up to 6.2 during resizes and \
                     migrations: with Zed computes left, the computes need [upgrade_levels] \
                     compute = auto too",
        },
    ]
}

fn config_rules(book: &RuleBook, inventory: &Inventory) -> Vec<ConfigRule> {
    if inventory.compute_driver != ComputeDriver::Fake {
        return Vec::new();
    }
    let compute = ids(book, &["nova-compute"]);
    vec![
        ConfigRule {
            id: "fake_driver_keeps_node_identity",
            class: Class::Hard,
            services: compute.clone(),
            min_level: ANTELOPE,
            max_level: Level::MAX,
            key: keys::compute_driver(),
            expect: ConfigExpectation::NoneOf(vec![keys::FAKE_DRIVER.to_owned()]),
            message: format!(
                "a 2023.1 compute on {} reports a new node UUID at every start and dies with \
                 \"Duplicate compute node record\"; it needs {} (real-lab.md pitfall 5)",
                keys::FAKE_DRIVER,
                keys::FAKE_DRIVER_STABLE
            ),
        },
        ConfigRule {
            id: "fake_driver_exists",
            class: Class::Hard,
            services: compute,
            min_level: 0,
            max_level: ZED,
            key: keys::compute_driver(),
            expect: ConfigExpectation::NoneOf(vec![keys::FAKE_DRIVER_STABLE.to_owned()]),
            message: format!(
                "Zed has no {}: a Zed compute configured with it cannot start; switch the driver \
                 between the compute's stop and its start on 2023.1",
                keys::FAKE_DRIVER_STABLE
            ),
        },
    ]
}

/// What `nova-status upgrade check` of nova 27 answers that the model can see: "Placement API"
/// (placement answers) and "Older than N-1 computes" (none below Yoga). Its other checks (cells
/// v2, the service user token, machine types) read things no inventory describes; the real
/// command runs them.
fn nova_status(view: &View<'_>) -> Option<String> {
    if !view.healthy_somewhere("placement-api", None) {
        return Some("Placement API: placement does not answer".to_owned());
    }
    let rules = view.rules;
    let compute = rules.service_id("nova-compute")?;
    let old = view
        .hosts
        .iter()
        .flat_map(|h| h.state.services.iter())
        .find(|s| s.id == compute && !s.retired && s.installed < YOGA);
    old.map(|s| {
        format!(
            "Older than N-1 computes: a nova-compute runs {}, older than Yoga, the oldest \
             2023.1 accepts",
            rules.level_name(s.installed)
        )
    })
}

fn up(view: &View<'_>, names: &[&str], env: Option<u8>) -> bool {
    names.iter().all(|n| view.healthy_somewhere(n, env))
}

fn capabilities(book: &RuleBook) -> Vec<CapabilityCheck> {
    let compute_channel = book.channels[COMPUTE_CHANNEL].clone();
    let conductor_channel = book.channels[CONDUCTOR_CHANNEL].clone();
    vec![
        CapabilityCheck {
            name: "compute_api",
            check: Arc::new(|view| [0, 1].iter().any(|env| up(view, &["nova-api"], Some(*env)))),
        },
        CapabilityCheck {
            name: "boot",
            check: Arc::new(move |view| boot_up(view, &compute_channel, &conductor_channel)),
        },
    ]
}

/// A boot needs placement, a healthy control plane in some environment and an enabled compute
/// there whose messages get through both ways.
fn boot_up(view: &View<'_>, compute_channel: &RpcChannel, conductor_channel: &RpcChannel) -> bool {
    if !up(view, &["placement-api"], None) {
        return false;
    }
    let Some(compute) = view.rules.service_id("nova-compute") else {
        return false;
    };
    [0u8, 1].into_iter().any(|env| {
        up(view, &CONTROL, Some(env))
            && view.running(compute).any(|(h, s)| {
                h.state.env == env
                    && s.enabled
                    && view.rules.service(s.id).kind == ServiceKind::Hypervisor
                    && s.running.is_some_and(|level| {
                        compute_channel.reaches(view, env, level)
                            && conductor_channel.taken_from(view, h.state, level)
                    })
            })
    })
}
