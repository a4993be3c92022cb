//! Which Ansible groups stand for which stackhop roles: the host groups of kolla-ansible's
//! `multinode` inventory (`control`, `network`, `compute`, `storage`, …) and the `*_hosts`
//! groups of openstack-ansible, plus the plain words people use.

use stackhop_inventory::{ALL_IN_ONE_ROLES, Role};

/// What a group name tells stackhop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Meaning {
    /// Its hosts have these roles.
    Roles(&'static [Role]),
    /// A known group whose hosts run nothing stackhop upgrades, and what they run.
    NoRole(&'static str),
    /// A group stackhop does not know.
    Unknown,
}

const CONTROLLER: &[Role] = &[Role::Controller];
const NETWORK: &[Role] = &[Role::Network];
const COMPUTE: &[Role] = &[Role::Compute];
const STORAGE: &[Role] = &[Role::Storage];
const SPARE: &[Role] = &[Role::Spare];

const TABLE: &[(&str, Meaning)] = &[
    // kolla-ansible's host groups, and the plain words
    ("control", Meaning::Roles(CONTROLLER)),
    ("controller", Meaning::Roles(CONTROLLER)),
    ("controllers", Meaning::Roles(CONTROLLER)),
    ("network", Meaning::Roles(NETWORK)),
    ("compute", Meaning::Roles(COMPUTE)),
    ("computes", Meaning::Roles(COMPUTE)),
    ("hypervisors", Meaning::Roles(COMPUTE)),
    ("storage", Meaning::Roles(STORAGE)),
    ("spare", Meaning::Roles(SPARE)),
    ("spares", Meaning::Roles(SPARE)),
    ("all-in-one", Meaning::Roles(ALL_IN_ONE_ROLES)),
    ("allinone", Meaning::Roles(ALL_IN_ONE_ROLES)),
    ("aio", Meaning::Roles(ALL_IN_ONE_ROLES)),
    ("monitoring", Meaning::NoRole("monitoring")),
    ("deployment", Meaning::NoRole("the deployment tools")),
    // openstack-ansible's host groups
    ("identity_hosts", Meaning::Roles(CONTROLLER)),
    ("os-infra_hosts", Meaning::Roles(CONTROLLER)),
    ("compute-infra_hosts", Meaning::Roles(CONTROLLER)),
    ("placement-infra_hosts", Meaning::Roles(CONTROLLER)),
    ("image_hosts", Meaning::Roles(CONTROLLER)),
    ("dashboard_hosts", Meaning::Roles(CONTROLLER)),
    ("orchestration_hosts", Meaning::Roles(CONTROLLER)),
    ("network-infra_hosts", Meaning::Roles(CONTROLLER)),
    ("storage-infra_hosts", Meaning::Roles(CONTROLLER)),
    ("metering-infra_hosts", Meaning::Roles(CONTROLLER)),
    ("swift-proxy_hosts", Meaning::Roles(CONTROLLER)),
    ("network_hosts", Meaning::Roles(NETWORK)),
    ("network-agent_hosts", Meaning::Roles(NETWORK)),
    ("network-gateway_hosts", Meaning::Roles(NETWORK)),
    ("compute_hosts", Meaning::Roles(COMPUTE)),
    ("storage_hosts", Meaning::Roles(STORAGE)),
    ("swift_hosts", Meaning::Roles(STORAGE)),
    (
        "shared-infra_hosts",
        Meaning::NoRole("the database and the message bus"),
    ),
    (
        "repo-infra_hosts",
        Meaning::NoRole("the package repository"),
    ),
    ("haproxy_hosts", Meaning::NoRole("the load balancer")),
    ("load_balancer_hosts", Meaning::NoRole("the load balancer")),
    ("log_hosts", Meaning::NoRole("logging")),
];

pub(super) fn meaning(group: &str) -> Meaning {
    TABLE
        .iter()
        .find(|(name, _)| *name == group)
        .map_or(Meaning::Unknown, |(_, meaning)| *meaning)
}

/// The group names that give `role`, for help messages.
pub(super) fn giving(role: Role) -> Vec<&'static str> {
    TABLE
        .iter()
        .filter(|(_, m)| matches!(m, Meaning::Roles(roles) if roles.contains(&role)))
        .map(|(name, _)| *name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kolla_and_openstack_ansible_groups() {
        assert_eq!(meaning("control"), Meaning::Roles(CONTROLLER));
        assert_eq!(meaning("compute_hosts"), Meaning::Roles(COMPUTE));
        assert_eq!(meaning("aio"), Meaning::Roles(ALL_IN_ONE_ROLES));
        assert!(matches!(meaning("monitoring"), Meaning::NoRole(_)));
        assert_eq!(meaning("nova-api"), Meaning::Unknown);
        assert!(giving(Role::Controller).contains(&"identity_hosts"));
        let mut names: Vec<&str> = TABLE.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TABLE.len(), "a group is listed twice");
    }
}
