//! Which inventory hosts a selector means, and grouping of hosts that are alike.

use stackhop_catalog::{HostSelector, Transition};
use stackhop_inventory::{Inventory, Role};
use stackhop_model::{RuleBook, ServiceKind};

/// The services of every host, resolved once.
pub(crate) struct Hosts<'a> {
    pub(crate) inventory: &'a Inventory,
    pub(crate) services: Vec<Vec<&'static str>>,
}

impl<'a> Hosts<'a> {
    pub(crate) fn new(transition: &dyn Transition, inventory: &'a Inventory) -> Self {
        let services = inventory
            .hosts
            .iter()
            .map(|h| transition.host_services(inventory, h))
            .collect();
        Hosts {
            inventory,
            services,
        }
    }

    pub(crate) fn all(&self) -> Vec<usize> {
        (0..self.inventory.hosts.len())
            .filter(|&i| !self.is_spare(i))
            .collect()
    }

    pub(crate) fn is_spare(&self, i: usize) -> bool {
        let h = &self.inventory.hosts[i];
        h.roles.contains(&Role::Spare) && h.roles.len() == 1
    }

    pub(crate) fn spares(&self) -> Vec<usize> {
        (0..self.inventory.hosts.len())
            .filter(|&i| self.is_spare(i))
            .collect()
    }

    /// The host that runs API commands and migrations: the first controller.
    pub(crate) fn api_host(&self) -> Option<usize> {
        self.inventory
            .hosts
            .iter()
            .position(|h| h.roles.contains(&Role::Controller))
    }

    pub(crate) fn name(&self, i: usize) -> &str {
        &self.inventory.hosts[i].name
    }

    pub(crate) fn having(&self, service: &str) -> Vec<usize> {
        self.all()
            .into_iter()
            .filter(|&i| self.services[i].contains(&service))
            .collect()
    }

    /// Hosts running any service of a project whose kind passes `kind`.
    fn running(
        &self,
        rules: &RuleBook,
        project: &str,
        kind: impl Fn(ServiceKind) -> bool,
    ) -> Vec<usize> {
        let wanted: Vec<&str> = rules
            .services
            .iter()
            .filter(|s| rules.project(s.project).name == project && kind(s.kind))
            .map(|s| s.name.as_str())
            .collect();
        self.all()
            .into_iter()
            .filter(|&i| self.services[i].iter().any(|s| wanted.contains(s)))
            .collect()
    }

    /// Hosts with any service of a project (`hypervisor: None`), or only with its hypervisor
    /// (`Some(true)`), or with any of its other services (`Some(false)`).
    pub(crate) fn of_project(
        &self,
        rules: &RuleBook,
        project: &str,
        hypervisor: Option<bool>,
    ) -> Vec<usize> {
        self.running(rules, project, |kind| {
            hypervisor.is_none_or(|h| (kind == ServiceKind::Hypervisor) == h)
        })
    }

    /// Hosts with one of the project's servers (APIs, schedulers, conductors): its controllers.
    pub(crate) fn with_servers(&self, rules: &RuleBook, project: &str) -> Vec<usize> {
        self.running(rules, project, |kind| kind == ServiceKind::Server)
    }

    pub(crate) fn select(&self, rules: &RuleBook, selector: &HostSelector) -> Vec<usize> {
        match selector {
            HostSelector::Having(service) => self.having(service),
            HostSelector::ProjectControl(p) => self.of_project(rules, p, Some(false)),
            HostSelector::ProjectHypervisor(p) => self.of_project(rules, p, Some(true)),
        }
    }

    /// Splits hosts into groups that run the same services and hold the same roles, in order of
    /// first appearance: one step per group reads well and keeps alike hosts together.
    pub(crate) fn groups(&self, hosts: &[usize]) -> Vec<Vec<usize>> {
        let mut groups: Vec<(&[&'static str], &[Role], Vec<usize>)> = Vec::new();
        for &i in hosts {
            let key = (
                self.services[i].as_slice(),
                self.inventory.hosts[i].roles.as_slice(),
            );
            match groups.iter_mut().find(|(s, r, _)| (*s, *r) == key) {
                Some((_, _, members)) => members.push(i),
                None => groups.push((key.0, key.1, vec![i])),
            }
        }
        groups.into_iter().map(|(_, _, members)| members).collect()
    }

    /// A short label for a group: its main role.
    pub(crate) fn label(&self, group: &[usize]) -> &'static str {
        let Some(&first) = group.first() else {
            return "hosts";
        };
        let roles = &self.inventory.hosts[first].roles;
        if roles.contains(&Role::Controller) {
            "controllers"
        } else if roles.contains(&Role::Network) {
            "network"
        } else if roles.contains(&Role::Compute) {
            "computes"
        } else if roles.contains(&Role::Storage) {
            "storage"
        } else {
            "spares"
        }
    }
}

pub(crate) fn subtract(hosts: &[usize], remove: &[usize]) -> Vec<usize> {
    let removed = mask(remove);
    hosts
        .iter()
        .copied()
        .filter(|&h| !removed.get(h).copied().unwrap_or(false))
        .collect()
}

/// Membership by host index in constant time, so set operations stay linear in hosts.
pub(crate) fn mask(hosts: &[usize]) -> Vec<bool> {
    let mut m = vec![false; hosts.iter().max().map_or(0, |&h| h + 1)];
    for &h in hosts {
        m[h] = true;
    }
    m
}
