//! What a valid inventory turns into: defaults, ranges, roles, positions.

mod common;

use common::{CONTROLLER, HEADER, ok};
use stackhop_inventory::{
    Batch, ComputeDriver, Connection, Database, InstanceMoves, Network, Options, OsFamily, Role,
    RpcBackend, Version,
};

fn names(source: &str) -> Vec<String> {
    ok(source).hosts.into_iter().map(|h| h.name).collect()
}

#[test]
fn defaults() {
    let inventory = ok(&format!("{HEADER}{CONTROLLER}"));
    assert_eq!(inventory.name, "t");
    assert_eq!(inventory.profile, "rdo");
    assert_eq!(inventory.network, Network::Neutron);
    assert_eq!(inventory.rpc_backend, RpcBackend::Rabbit);
    assert_eq!(inventory.options, Options::default());
    assert_eq!(inventory.options.compute_batch, Batch::Hosts(5));
    assert_eq!(inventory.options.canary, 1);
    assert_eq!(inventory.options.instance_moves, InstanceMoves::Snapshot);
    assert!(!inventory.options.allow_migrations);
    assert_eq!(inventory.database, Database::default());
    let host = &inventory.hosts[0];
    assert_eq!(host.instances, 0);
    assert_eq!(host.nova_version, None);
    assert_eq!(host.services, None);
    assert_eq!((host.line, host.entry), (4, 0));
}

#[test]
fn empty_optional_values_mean_the_default() {
    let inventory = ok(&format!(
        "name: t\nrelease: havana\nprofile:\nnetwork: ~\noptions:\ndatabase:\n  size_gb: null\nhosts:\n{CONTROLLER}"
    ));
    assert_eq!(inventory.profile, "rdo");
    assert_eq!(inventory.options, Options::default());
    assert_eq!(inventory.database, Database::default());
}

#[test]
fn every_setting() {
    let inventory = ok(&format!(
        "name: east-1\nrelease: havana\nprofile: rdo\nnetwork: nova-network\nrpc_backend: qpid\n\
         options:\n  compute_batch: \"10%\"\n  canary: 0\n  instance_moves: live\n  allow_migrations: true\n  \
         check_flavor: m1.tiny\n  check_image: cirros\n\
         database:\n  keystone_tokens: 1\n  nova_instance_actions_events: 2\n  nova_instances: 3\n  \
         glance_images: 4\n  cinder_volumes: 5\n  neutron_ports: 6\n  size_gb: 7.5\n  \
         glance_tables_utf8: false\n  neutron_tables_utf8: True\n\
         hosts:\n{CONTROLLER}"
    ));
    assert_eq!(inventory.network, Network::NovaNetwork);
    assert_eq!(inventory.rpc_backend, RpcBackend::Qpid);
    assert_eq!(
        inventory.options,
        Options {
            compute_batch: Batch::Percent(10),
            canary: 0,
            instance_moves: InstanceMoves::Live,
            allow_migrations: true,
            check_flavor: Some("m1.tiny".to_owned()),
            check_image: Some("cirros".to_owned()),
            check_network: None,
        }
    );
    assert_eq!(
        inventory.database,
        Database {
            keystone_tokens: Some(1),
            nova_instance_actions_events: Some(2),
            nova_instances: Some(3),
            glance_images: Some(4),
            cinder_volumes: Some(5),
            neutron_ports: Some(6),
            size_gb: Some(7.5),
            glance_tables_utf8: Some(false),
            neutron_tables_utf8: Some(true),
        }
    );
    let plain_percent = ok(&format!(
        "name: t\nrelease: havana\noptions:\n  compute_batch: 100%\nhosts:\n{CONTROLLER}"
    ));
    assert_eq!(plain_percent.options.compute_batch, Batch::Percent(100));
}

#[test]
fn a_profile_reads_its_paths_and_the_compute_driver() {
    let inventory = ok(&format!(
        "name: lab\nrelease: zed\nprofile: debian-venv\ncompute_driver: fake\npaths:\n  \
         host_root: /opt/lab/hosts/{{host}}\n  deploy_root: /opt/lab\nhosts:\n{CONTROLLER}"
    ));
    assert_eq!(inventory.compute_driver, ComputeDriver::Fake);
    assert_eq!(
        inventory.paths.get("host_root").map(String::as_str),
        Some("/opt/lab/hosts/{host}")
    );
    assert_eq!(inventory.paths.len(), 2);
    let plain = ok(&format!("{HEADER}{CONTROLLER}"));
    assert_eq!(plain.compute_driver, ComputeDriver::Libvirt);
    assert!(plain.paths.is_empty());
}

#[test]
fn zero_padding_is_kept() {
    let names = names(&format!(
        "{HEADER}{CONTROLLER}  - name: cmp[008:012]\n    roles: [compute]\n    os: centos-6.5\n"
    ));
    assert_eq!(
        names,
        ["ctl1", "cmp008", "cmp009", "cmp010", "cmp011", "cmp012"]
    );
}

#[test]
fn cartesian_and_alphabetic_ranges() {
    let names = names(&format!(
        "{HEADER}  - name: r[1:2]-n[01:02]\n    roles: [controller]\n    os: centos-6.5\n\
         \x20 - name: rack[a:c]\n    roles: [storage]\n    os: centos-6.5\n"
    ));
    assert_eq!(
        names,
        [
            "r1-n01", "r1-n02", "r2-n01", "r2-n02", "racka", "rackb", "rackc"
        ]
    );
}

#[test]
fn hosts_keep_file_order_entry_and_line() {
    let inventory = ok(&format!(
        "{HEADER}{CONTROLLER}\n  - name: cmp[1:2]\n    roles: [compute]\n    os: centos-6.5\n"
    ));
    let placed: Vec<(&str, usize, u32)> = inventory
        .hosts
        .iter()
        .map(|h| (h.name.as_str(), h.entry, h.line))
        .collect();
    assert_eq!(placed, [("ctl1", 0, 4), ("cmp1", 1, 8), ("cmp2", 1, 8)]);
}

#[test]
fn roles_are_expanded_deduplicated_and_sorted() {
    let inventory = ok(&format!(
        "{HEADER}  - name: aio\n    roles: [spare, compute, all-in-one, controller]\n    os: centos-6.5\n"
    ));
    assert_eq!(
        inventory.hosts[0].roles,
        [Role::Controller, Role::Network, Role::Compute, Role::Spare]
    );
    assert_eq!(Role::Network.to_string(), "network");
}

#[test]
fn host_details() {
    let inventory = ok(&format!(
        "{HEADER}{CONTROLLER}  - name: cmp1.east.example.com\n    roles:\n      - compute\n    \
         os: ubuntu-12.04\n    nova_version: 2013.2.3\n    instances: 20\n    \
         services: [openstack-nova-compute, neutron-openvswitch-agent, openstack-nova-compute]\n"
    ));
    let host = &inventory.hosts[1];
    assert_eq!(host.name, "cmp1.east.example.com");
    assert_eq!(host.os.family, OsFamily::Ubuntu);
    assert_eq!((host.os.major, host.os.minor), (12, Some(4)));
    assert_eq!(host.os.text, "ubuntu-12.04");
    assert_eq!(host.nova_version, Version::parse("2013.2.3"));
    assert_eq!(host.instances, 20);
    assert_eq!(
        host.services.as_deref(),
        Some(
            &[
                "openstack-nova-compute".to_owned(),
                "neutron-openvswitch-agent".to_owned()
            ][..]
        )
    );
}

#[test]
fn flow_style_and_quoting_are_fine() {
    let inventory = ok(
        "{name: 't', release: \"havana\", hosts: [{name: ctl1, roles: [controller], os: 'centos-6.5'}]}",
    );
    assert_eq!(inventory.hosts[0].name, "ctl1");
}

#[test]
fn serializes_with_yaml_words() {
    let inventory = ok(&format!(
        "name: t\nrelease: havana\nnetwork: nova-network\noptions:\n  compute_batch: 10%\n\
         hosts:\n{CONTROLLER}    nova_version: 2013.2.3\n"
    ));
    insta::assert_json_snapshot!("serialized_inventory", inventory);
}

#[test]
fn the_host_name_is_the_address_unless_one_is_given() {
    let inventory = ok(&format!(
        "{HEADER}{CONTROLLER}    address: 192.0.2.10\n  - name: cmp[1:3]\n    roles: [compute]\n    \
         os: centos-6.5\n    address: 10.0.0.[11:13]\n  - name: net[a:b]\n    roles: [network]\n    \
         os: centos-6.5\n  - name: stor1\n    roles: [storage]\n    os: centos-6.5\n    \
         address: stor1.east.example.com\n  - name: v6-[1:2]\n    roles: [storage]\n    os: centos-6.5\n    \
         address: fd00::[a:b]\n"
    ));
    let placed: Vec<(&str, &str)> = inventory
        .hosts
        .iter()
        .map(|h| (h.name.as_str(), h.address.as_str()))
        .collect();
    assert_eq!(
        placed,
        [
            ("ctl1", "192.0.2.10"),
            ("cmp1", "10.0.0.11"),
            ("cmp2", "10.0.0.12"),
            ("cmp3", "10.0.0.13"),
            ("neta", "neta"),
            ("netb", "netb"),
            ("stor1", "stor1.east.example.com"),
            ("v6-1", "fd00::a"),
            ("v6-2", "fd00::b"),
        ]
    );
}

#[test]
fn connection_settings_and_per_host_overrides() {
    let inventory = ok(&format!(
        "name: t\nrelease: havana\nconnection:\n  user: stack\n  port: 2222\n  \
         jump: ops@bastion.example.com:22\n  identity_file: ~/.ssh/stackhop_ed25519\n  \
         ssh_config: /etc/stackhop/ssh_config\n  known_hosts: /etc/stackhop/known_hosts\n\
         hosts:\n{CONTROLLER}  - name: cmp[1:2]\n    roles: [compute]\n    os: centos-6.5\n    \
         connection:\n      user: root\n  - name: cmp3\n    roles: [compute]\n    os: centos-6.5\n    \
         connection: {{port: 22}}\n"
    ));
    assert_eq!(
        inventory.connection,
        Connection {
            user: Some("stack".to_owned()),
            port: Some(2222),
            jump: Some("ops@bastion.example.com:22".to_owned()),
            identity_file: Some("~/.ssh/stackhop_ed25519".to_owned()),
            ssh_config: Some("/etc/stackhop/ssh_config".to_owned()),
            known_hosts: Some("/etc/stackhop/known_hosts".to_owned()),
        }
    );
    let ssh: Vec<(&str, Option<&str>, Option<u16>)> = inventory
        .hosts
        .iter()
        .map(|h| (h.name.as_str(), h.ssh_user.as_deref(), h.ssh_port))
        .collect();
    assert_eq!(
        ssh,
        [
            ("ctl1", Some("stack"), Some(2222)),
            ("cmp1", Some("root"), Some(2222)),
            ("cmp2", Some("root"), Some(2222)),
            ("cmp3", Some("stack"), Some(22)),
        ]
    );
}

#[test]
fn without_connection_settings_openssh_decides() {
    let inventory = ok(&format!("{HEADER}{CONTROLLER}"));
    assert!(inventory.connection.is_unset());
    let host = &inventory.hosts[0];
    assert_eq!(
        (host.address.as_str(), &host.ssh_user, host.ssh_port),
        ("ctl1", &None, None)
    );
}

#[test]
fn serializes_connection_settings_only_when_given() {
    let inventory = ok(&format!(
        "name: t\nrelease: havana\nconnection:\n  user: stack\n  known_hosts: ~/.ssh/lab_known_hosts\n\
         hosts:\n{CONTROLLER}    address: 10.0.0.10\n    connection:\n      port: 2200\n"
    ));
    insta::assert_json_snapshot!("serialized_connection", inventory);
}
