//! Where the debian-venv profile finds things on a host, from the inventory's `paths:`.
//!
//! The layout is openstack-ansible's: each project's new release in its own venv, config in the
//! host's `/etc` shared by both releases, and a per-project link choosing the code a host runs.

use stackhop_inventory::Inventory;

/// The keys `paths:` may hold for this profile.
pub(crate) const KEYS: &[&str] = &["host_root", "deploy_root", "supervisor_conf", "admin_rc"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Paths {
    /// Prefix of every host-local path (`/etc/nova/nova.conf`); empty on real hosts, one
    /// directory per host in a lab that runs all its hosts on one machine. May hold `{host}`.
    pub(crate) host_root: String,
    /// Holds `venvs/`, `releases/` and `current/`.
    pub(crate) deploy_root: String,
    /// The config `supervisorctl -c` reads. May hold `{host}`: in the lab every host runs its
    /// own supervisord, and the hosts share one machine's files.
    pub(crate) supervisor_conf: String,
    /// Admin credentials to source before API calls.
    pub(crate) admin_rc: String,
}

impl Paths {
    pub(crate) fn of(inventory: &Inventory) -> Paths {
        let get = |key: &str, default: &str| {
            inventory.paths.get(key).map_or_else(
                || default.to_owned(),
                |v| v.trim_end_matches('/').to_owned(),
            )
        };
        Paths {
            host_root: get("host_root", ""),
            deploy_root: get("deploy_root", "/openstack"),
            supervisor_conf: get("supervisor_conf", "/etc/supervisor/supervisord.conf"),
            admin_rc: get("admin_rc", "/root/admin-openrc"),
        }
    }

    /// A host-local path such as `/etc/nova/nova.conf`, under the host's root.
    pub(crate) fn on_host(&self, path: &str) -> String {
        format!("{}{path}", self.host_root)
    }

    pub(crate) fn venv(&self, project: &str, release: &str) -> String {
        format!("{}/venvs/{project}-{release}", self.deploy_root)
    }

    pub(crate) fn release(&self, project: &str, release: &str) -> String {
        format!("{}/releases/{project}-{release}", self.deploy_root)
    }

    /// The link that chooses what a project's programs on this host run.
    pub(crate) fn current(&self, project: &str) -> String {
        format!("{}/current/{project}-{{host}}", self.deploy_root)
    }
}
