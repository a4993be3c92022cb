//! Pre-flight findings specific to Zed → 2023.1 with the debian-venv profile.

use stackhop_inventory::{ComputeDriver, Host, Inventory, Network, OsFamily, Role, RpcBackend};

use super::levels::{XENA, YOGA, nova_level};
use super::paths::KEYS;
use super::services;
use crate::finding::{Finding, Severity};
use crate::hostlist::collapse_hosts;

fn names(hosts: &[&Host]) -> String {
    let names: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
    collapse_hosts(&names)
}

/// No hazard of this hop depends on the scenario: each holds for all four.
pub(crate) fn preflight(inventory: &Inventory) -> Vec<Finding> {
    let mut out = Vec::new();
    base_os(inventory, &mut out);
    old_computes(inventory, &mut out);
    removed_features(inventory, &mut out);
    lab_driver(inventory, &mut out);
    defaulted_paths(inventory, &mut out);
    unmanaged(inventory, &mut out);
    out
}

fn base_os(inventory: &Inventory, out: &mut Vec<Finding>) {
    let other: Vec<&Host> = inventory
        .hosts
        .iter()
        .filter(|h| !(h.os.family == OsFamily::Debian && h.os.major == 12))
        .collect();
    if !other.is_empty() {
        out.push(
            Finding::new("os-not-bookworm", Severity::Error, names(&other))
                .message(format!(
                    "{} host(s) are not Debian 12: the debian-venv profile takes Zed from \
                     bookworm's packages and builds 2023.1 venvs with its Python 3.11",
                    other.len()
                ))
                .help("describe these hosts as `os: debian-12`, or use a profile for their OS")
                .source("design.md, the next transition; real-lab.md"),
        );
    }
}

fn old_computes(inventory: &Inventory, out: &mut Vec<Finding>) {
    let levels: Vec<(&Host, u8)> = inventory
        .hosts
        .iter()
        .filter(|h| h.has_role(Role::Compute))
        .map(|h| (h, nova_level(h.nova_version.as_ref())))
        .collect();
    let too_old: Vec<&Host> = levels
        .iter()
        .filter(|(_, l)| *l == XENA)
        .map(|(h, _)| *h)
        .collect();
    if !too_old.is_empty() {
        out.push(
            Finding::new("compute-older-than-yoga", Severity::Error, names(&too_old))
                .message(format!(
                    "{} compute(s) run nova older than Yoga (25.x): 2023.1's control services \
                     refuse to start and `nova-status upgrade check` fails on \"Older than N-1 \
                     computes\"",
                    too_old.len()
                ))
                .help("upgrade these computes to Zed first, or remove their services records")
                .source(
                    "nova 27 nova/utils.py raise_if_old_compute; OLDEST_SUPPORTED_SERVICE_VERSION",
                ),
        );
    }
    let yoga: Vec<&Host> = levels
        .iter()
        .filter(|(_, l)| *l == YOGA)
        .map(|(h, _)| *h)
        .collect();
    if !yoga.is_empty() {
        out.push(
            Finding::new("compute-on-yoga", Severity::Info, names(&yoga))
                .message(format!(
                    "{} compute(s) still run Yoga, so the Zed controllers must already run with \
                     `[upgrade_levels] compute = auto` (stackhop assumes they do); it keeps them \
                     on compute RPC 6.0 until these computes are upgraded",
                    yoga.len()
                ))
                .help(
                    "check nova.conf on the controllers; 2023.1 is a SLURP release and accepts \
                     Yoga computes",
                )
                .source("nova 27 nova/compute/rpcapi.py VERSION_ALIASES"),
        );
    }
}

fn removed_features(inventory: &Inventory, out: &mut Vec<Finding>) {
    if inventory.network == Network::NovaNetwork {
        out.push(
            Finding::new("nova-network-removed", Severity::Error, "network")
                .message("nova-network was removed from nova long before Zed")
                .help("a Zed cloud uses Neutron: write `network: neutron`")
                .source("nova release notes (Rocky)"),
        );
    }
    if inventory.rpc_backend == RpcBackend::Qpid {
        out.push(
            Finding::new("qpid-removed", Severity::Error, "rpc_backend")
                .message("oslo.messaging has had no qpid driver since Newton")
                .help("a Zed cloud talks to RabbitMQ: write `rpc_backend: rabbit`")
                .source("oslo.messaging release notes"),
        );
    }
}

fn lab_driver(inventory: &Inventory, out: &mut Vec<Finding>) {
    if inventory.compute_driver != ComputeDriver::Fake {
        return;
    }
    let finding = Finding::new("fake-driver-class", Severity::Info, "compute_driver")
        .message(
            "the computes run the fake driver, whose stable-identity class exists only from \
             2023.1: the plan switches each compute to fake.FakeDriverWithoutFakeNodes between its \
             stop and its start",
        )
        .help("nothing to do; on real hardware write `compute_driver: libvirt`")
        .source("real-lab.md pitfall 5");
    out.push(finding);
}

fn defaulted_paths(inventory: &Inventory, out: &mut Vec<Finding>) {
    let missing: Vec<&str> = KEYS
        .iter()
        .copied()
        .filter(|k| !inventory.paths.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        out.push(
            Finding::new("paths-defaulted", Severity::Info, "paths")
                .message(format!(
                    "no `paths:` for {}: the profile's defaults are used (host_root \"\", \
                     deploy_root /openstack, supervisor_conf /etc/supervisor/supervisord.conf, \
                     admin_rc /root/admin-openrc)",
                    missing.join(", ")
                ))
                .help("set them under `paths:` if this cloud keeps things elsewhere")
                .source("stackhop"),
        );
    }
}

fn unmanaged(inventory: &Inventory, out: &mut Vec<Finding>) {
    let stray: Vec<&Host> = inventory
        .hosts
        .iter()
        .filter(|h| {
            (h.has_role(Role::Network) || h.has_role(Role::Storage))
                && services::host_services(h).is_empty()
        })
        .collect();
    if !stray.is_empty() {
        out.push(
            Finding::new("hosts-left-alone", Severity::Info, names(&stray))
                .message(
                    "this transition upgrades placement and nova only; network and storage \
                     hosts keep their Zed services, whose APIs 2023.1 nova uses unchanged",
                )
                .help("upgrade neutron, cinder and the others with their own tools")
                .source("stackhop"),
        );
    }
}
