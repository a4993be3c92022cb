//! The built-in examples parse cleanly and say what the brief says they say.

mod common;

use stackhop_inventory::{
    Batch, InstanceMoves, Network, OsFamily, Role, RpcBackend, Version, examples, parse,
};

fn example(name: &str) -> stackhop_inventory::Inventory {
    let source = examples::source(name).unwrap_or_else(|| panic!("no example {name}"));
    match parse(source, &examples::file_name(name), &common::vocabulary()) {
        Ok(inventory) => inventory,
        Err(diagnostics) => panic!("{diagnostics}"),
    }
}

fn count(inventory: &stackhop_inventory::Inventory, role: Role) -> usize {
    inventory.hosts_with(role).count()
}

const HAVANA: [&str; 4] = ["allinone", "small", "medium", "large"];
const ZED: [&str; 2] = ["lab", "zed"];

#[test]
fn every_example_is_a_havana_or_a_zed_cloud() {
    let all: Vec<&str> = HAVANA.iter().chain(ZED.iter()).copied().collect();
    assert_eq!(examples::NAMES, all.as_slice());
}

#[test]
fn the_zed_examples_are_debian_venv_clouds() {
    for name in ZED {
        let inventory = example(name);
        assert_eq!(inventory.release, "zed", "{name}");
        assert_eq!(inventory.profile, "debian-venv", "{name}");
        assert_eq!(inventory.rpc_backend, RpcBackend::Rabbit, "{name}");
        assert!(inventory.paths.contains_key("deploy_root"), "{name}");
        for host in &inventory.hosts {
            assert_eq!(
                (host.os.family, host.os.major),
                (OsFamily::Debian, 12),
                "{name}"
            );
        }
    }
    let lab = example("lab");
    assert_eq!(lab.compute_driver, stackhop_inventory::ComputeDriver::Fake);
    assert_eq!(
        lab.paths.get("host_root").map(String::as_str),
        Some("/opt/stackhop-lab/hosts/{host}")
    );
}

#[test]
fn every_example_parses_with_a_havana_rdo_vocabulary() {
    for name in HAVANA {
        let inventory = example(name);
        assert_eq!(inventory.release, "havana", "{name}");
        assert_eq!(inventory.profile, "rdo", "{name}");
        assert_eq!(inventory.network, Network::Neutron, "{name}");
        assert_eq!(inventory.rpc_backend, RpcBackend::Qpid, "{name}");
        assert_eq!(count(&inventory, Role::Controller).min(1), 1, "{name}");
        for host in &inventory.hosts {
            assert_eq!(host.os.family, OsFamily::Centos);
            assert_eq!((host.os.major, host.os.minor), (6, Some(5)));
            if let Some(version) = &host.nova_version {
                assert_eq!(version.text, "2013.2.3");
            }
        }
    }
    assert_eq!(examples::source("nope"), None);
}

#[test]
fn allinone() {
    let inventory = example("allinone");
    assert_eq!(inventory.hosts.len(), 1);
    let host = &inventory.hosts[0];
    assert_eq!(host.roles, [Role::Controller, Role::Network, Role::Compute]);
    assert!(host.instances > 0);
}

#[test]
fn small() {
    let inventory = example("small");
    let names: Vec<&str> = inventory.hosts.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["ctl1", "net1", "cmp1", "cmp2", "cmp3"]);
    assert_eq!(count(&inventory, Role::Compute), 3);
}

#[test]
fn medium() {
    let inventory = example("medium");
    assert_eq!(count(&inventory, Role::Controller), 1);
    assert_eq!(count(&inventory, Role::Network), 1);
    assert_eq!(count(&inventory, Role::Storage), 1);
    assert_eq!(count(&inventory, Role::Compute), 40);
    assert_eq!(count(&inventory, Role::Spare), 2);
    let computes: Vec<_> = inventory.hosts_with(Role::Compute).collect();
    assert_eq!(computes[0].name, "cmp001");
    assert_eq!(computes[39].name, "cmp040");
    assert!(computes.iter().all(|h| h.instances == 20));
    assert!(
        computes
            .iter()
            .all(|h| h.nova_version == Version::parse("2013.2.3"))
    );
    let db = &inventory.database;
    assert_eq!(db.keystone_tokens, Some(2_500_000));
    assert_eq!(db.nova_instance_actions_events, Some(4_000_000));
    assert_eq!(db.nova_instances, Some(60_000));
    assert_eq!(db.glance_tables_utf8, Some(false));
    assert_eq!(db.size_gb, Some(12.0));
    assert_eq!(inventory.options.compute_batch, Batch::Hosts(5));
    assert_eq!(inventory.options.canary, 1);
    assert_eq!(inventory.options.instance_moves, InstanceMoves::Snapshot);
    // every connection key, documented where `init --example medium` shows it
    let connection = &inventory.connection;
    assert_eq!(connection.user.as_deref(), Some("root"));
    assert_eq!(connection.jump.as_deref(), Some("ops@bastion1"));
    assert!(connection.identity_file.is_some() && connection.ssh_config.is_some());
    assert!(connection.known_hosts.is_some());
    assert_eq!(inventory.hosts[0].address, "10.0.0.10");
    assert_eq!(
        (computes[39].address.as_str(), computes[39].ssh_port),
        ("10.0.1.40", Some(2222))
    );
    let net = &inventory.hosts[1];
    assert_eq!((net.address.as_str(), net.ssh_port), ("net1", Some(22)));
}

#[test]
fn large() {
    let inventory = example("large");
    assert_eq!(count(&inventory, Role::Controller), 3);
    assert_eq!(count(&inventory, Role::Network), 2);
    assert_eq!(count(&inventory, Role::Compute), 2000);
    assert_eq!(count(&inventory, Role::Spare), 4);
    let instances: u32 = inventory.hosts.iter().map(|h| h.instances).sum();
    assert_eq!(instances, 800 * 25 + 800 * 30 + 400 * 20);
    assert_eq!(inventory.options.compute_batch, Batch::Percent(5));
    assert_eq!(inventory.options.compute_batch.size(2000), 100);
    assert_eq!(inventory.options.canary, 2);
    assert_eq!(inventory.database.keystone_tokens, Some(40_000_000));
    assert_eq!(inventory.database.size_gb, Some(180.0));
    let entries: Vec<usize> = inventory.hosts.iter().map(|h| h.entry).collect();
    assert!(entries.windows(2).all(|w| w[0] <= w[1]), "file order");
}

/// Large ranges expand completely; how the cost grows is measured by the `bench` command,
/// never by a timing threshold here.
#[test]
fn a_twenty_thousand_host_range_expands() {
    let source = "name: t\nrelease: havana\nhosts:\n  - name: ctl1\n    roles: [controller]\n    \
                  os: centos-6.5\n  - name: cmp[1:20000]\n    roles: [compute]\n    os: centos-6.5\n";
    let inventory = parse(source, "t", &common::vocabulary()).expect("valid");
    assert_eq!(inventory.hosts.len(), 20_001);
    assert_eq!(inventory.hosts[20_000].name, "cmp20000");
}

#[test]
fn many_separate_entries_parse() {
    let mut source = String::from(common::HEADER);
    source.push_str(common::CONTROLLER);
    for i in 0..4000 {
        source.push_str(&format!(
            "  - name: cmp{i}\n    roles: [compute]\n    os: centos-6.5\n"
        ));
    }
    assert_eq!(common::ok(&source).hosts.len(), 4001);
}
