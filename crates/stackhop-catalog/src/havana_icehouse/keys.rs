//! Config options this transition touches. Source sections are given where each is used.

use stackhop_model::ConfigKey;

pub(crate) const NOVA_CONF: &str = "/etc/nova/nova.conf";
pub(crate) const NEUTRON_CONF: &str = "/etc/neutron/neutron.conf";
pub(crate) const GLANCE_API_CONF: &str = "/etc/glance/glance-api.conf";
pub(crate) const DASHBOARD_SETTINGS: &str = "/etc/openstack-dashboard/local_settings";

pub(crate) fn compute_pin() -> ConfigKey {
    ConfigKey::new(NOVA_CONF, "upgrade_levels", "compute")
}
pub(crate) fn network_pin() -> ConfigKey {
    ConfigKey::new(NOVA_CONF, "upgrade_levels", "network")
}
pub(crate) fn vif_fatal() -> ConfigKey {
    ConfigKey::new(NOVA_CONF, "DEFAULT", "vif_plugging_is_fatal")
}
pub(crate) fn vif_timeout() -> ConfigKey {
    ConfigKey::new(NOVA_CONF, "DEFAULT", "vif_plugging_timeout")
}
pub(crate) fn neutron(key: &str) -> ConfigKey {
    ConfigKey::new(NEUTRON_CONF, "DEFAULT", key)
}
pub(crate) fn notify_status() -> ConfigKey {
    neutron("notify_nova_on_port_status_changes")
}
pub(crate) fn notify_data() -> ConfigKey {
    neutron("notify_nova_on_port_data_changes")
}
pub(crate) const NEUTRON_CREDENTIALS: [&str; 4] = [
    "nova_admin_username",
    "nova_admin_password",
    "nova_admin_tenant_id",
    "nova_admin_auth_url",
];
pub(crate) fn nova_region() -> ConfigKey {
    neutron("nova_region_name")
}
pub(crate) fn rpc_backend(file: &str) -> ConfigKey {
    ConfigKey::new(file, "DEFAULT", "rpc_backend")
}
pub(crate) fn dashboard(key: &str) -> ConfigKey {
    ConfigKey::new(DASHBOARD_SETTINGS, "", key)
}

/// The region of the parallel Nova (reference §1, `parallel-nova.md`, with the release fixed).
pub(crate) const PARALLEL_REGION: &str = "Icehouse";
