//! `inventory.yml`: every host of the stackhop inventory with where Ansible reaches it, and the
//! groups the plays name.

use stackhop_inventory::Inventory;

use crate::groups::Groups;
use crate::yaml::Doc;

pub(crate) fn inventory_file(inventory: &Inventory, groups: &Groups, digest: &str) -> String {
    let mut d = Doc::new();
    d.comment(
        0,
        &format!(
            "The hosts of {}, for the playbook of plan {digest} (stackhop export ansible). The \
             groups are the inventory's roles and the host sets the plays run on; a group named \
             `..._batches` lists its hosts in the order of the plan's batches.",
            inventory.name
        ),
    );
    d.open(0, "all");
    let ssh_args = ssh_arguments(inventory);
    let key = inventory.connection.identity_file.as_deref();
    if !ssh_args.is_empty() || key.is_some() {
        d.open(2, "vars");
        if !ssh_args.is_empty() {
            d.entry(4, "ansible_ssh_common_args", &ssh_args);
        }
        if let Some(key) = key {
            d.entry(4, "ansible_ssh_private_key_file", key);
        }
    }
    d.open(2, "hosts");
    for host in &inventory.hosts {
        let address = (host.address != host.name).then_some(host.address.as_str());
        if address.is_none() && host.ssh_user.is_none() && host.ssh_port.is_none() {
            d.line(4, &format!("{}:", crate::yaml::scalar(&host.name, 4, 6)));
            continue;
        }
        d.open(4, &host.name);
        if let Some(address) = address {
            d.entry(6, "ansible_host", address);
        }
        if let Some(user) = &host.ssh_user {
            d.entry(6, "ansible_user", user);
        }
        if let Some(port) = host.ssh_port {
            d.raw_entry(6, "ansible_port", &port.to_string());
        }
    }
    if !groups.groups.is_empty() {
        d.open(2, "children");
        for group in &groups.groups {
            d.open(4, &group.name);
            d.open(6, "hosts");
            for host in &group.hosts {
                d.line(8, &format!("{}:", crate::yaml::scalar(host, 8, 10)));
            }
        }
    }
    d.finish()
}

/// The OpenSSH options of the inventory's `connection:` that Ansible has no variable for.
fn ssh_arguments(inventory: &Inventory) -> String {
    let c = &inventory.connection;
    let mut args: Vec<String> = Vec::new();
    if let Some(config) = &c.ssh_config {
        args.push(format!("-F {config}"));
    }
    if let Some(known) = &c.known_hosts {
        args.push(format!(
            "-o UserKnownHostsFile={known} -o StrictHostKeyChecking=yes"
        ));
    }
    if let Some(jump) = &c.jump {
        args.push(format!("-o ProxyJump={jump}"));
    }
    args.join(" ")
}
