//! Names for the host sets plays run on: `all`, a role's group when the set is exactly the
//! role's hosts, the host itself for one host, else a group of the inventory named after the
//! first play that needs it.

use std::collections::{BTreeSet, HashMap};

use stackhop_inventory::{Inventory, Role};

/// A group the inventory file must define, hosts in order.
#[derive(Debug)]
pub(crate) struct Group {
    pub(crate) name: String,
    pub(crate) hosts: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct Groups {
    /// Role groups first (controller, network, …), then the export's own.
    pub(crate) groups: Vec<Group>,
    /// Host set (in order) to the name a play uses for it.
    by_hosts: HashMap<Vec<String>, String>,
    taken: BTreeSet<String>,
    all: Vec<String>,
}

/// Roles in the order their groups are written.
const ROLES: [Role; 5] = [
    Role::Controller,
    Role::Network,
    Role::Compute,
    Role::Storage,
    Role::Spare,
];

impl Groups {
    pub(crate) fn new(inventory: &Inventory) -> Groups {
        let mut groups = Groups {
            groups: Vec::new(),
            by_hosts: HashMap::new(),
            taken: ["all", "ungrouped"].map(str::to_owned).into(),
            all: inventory.hosts.iter().map(|h| h.name.clone()).collect(),
        };
        for role in ROLES {
            let hosts: Vec<String> = inventory.hosts_with(role).map(|h| h.name.clone()).collect();
            if hosts.is_empty() {
                continue;
            }
            let name = role.as_str().to_owned();
            groups.taken.insert(name.clone());
            groups
                .by_hosts
                .entry(sorted(&hosts))
                .or_insert(name.clone());
            groups.groups.push(Group { name, hosts });
        }
        groups
    }

    /// The pattern a play over these hosts (in any order) uses; a new group when no name fits.
    pub(crate) fn pattern(&mut self, hosts: &[String], wanted: &str) -> String {
        if let [one] = hosts {
            return one.clone();
        }
        if hosts.len() == self.all.len() && sorted(hosts) == sorted(&self.all) {
            return "all".to_owned();
        }
        if let Some(name) = self.by_hosts.get(&sorted(hosts)) {
            return name.clone();
        }
        let name = self.add(hosts, wanted);
        self.by_hosts.insert(sorted(hosts), name.clone());
        name
    }

    /// A new group holding these hosts in this order (a rolling play's batches).
    pub(crate) fn ordered(&mut self, hosts: Vec<String>, wanted: &str) -> String {
        self.add(&hosts, wanted)
    }

    fn add(&mut self, hosts: &[String], wanted: &str) -> String {
        let base = group_name(wanted);
        let mut name = base.clone();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        self.groups.push(Group {
            name: name.clone(),
            hosts: hosts.to_vec(),
        });
        name
    }
}

fn sorted(hosts: &[String]) -> Vec<String> {
    let mut v = hosts.to_vec();
    v.sort_unstable();
    v
}

/// `stackhop_` and the text in lower case with every other character than a letter, a digit or
/// `_` as `_`: Ansible warns about group names that are not Python identifiers.
pub(crate) fn group_name(text: &str) -> String {
    let mut name = String::from("stackhop_");
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('_') {
            name.push('_');
        }
    }
    name.trim_end_matches('_').to_owned()
}

#[cfg(test)]
mod tests {
    use super::group_name;

    #[test]
    fn group_names_are_identifiers() {
        assert_eq!(
            group_name("prepare.repo.computes"),
            "stackhop_prepare_repo_computes"
        );
        assert_eq!(
            group_name("nova-computes batches"),
            "stackhop_nova_computes_batches"
        );
        assert_eq!(group_name("a..b-"), "stackhop_a_b");
    }
}
