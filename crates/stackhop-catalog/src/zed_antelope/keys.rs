//! Config options this transition touches.

use stackhop_model::ConfigKey;

pub(crate) const NOVA_CONF: &str = "/etc/nova/nova.conf";

/// `[upgrade_levels] compute`: `auto` follows the oldest nova-compute's service version.
pub(crate) fn compute_pin() -> ConfigKey {
    ConfigKey::new(NOVA_CONF, "upgrade_levels", "compute")
}

pub(crate) fn compute_driver() -> ConfigKey {
    ConfigKey::new(NOVA_CONF, "DEFAULT", "compute_driver")
}

/// Zed's fake driver; on 2023.1 it reports a new node UUID at every start (real-lab.md pitfall 5).
pub(crate) const FAKE_DRIVER: &str = "fake.FakeDriver";
/// The fake driver that keeps its node identity in `state_path/compute_id`; 2023.1 only.
pub(crate) const FAKE_DRIVER_STABLE: &str = "fake.FakeDriverWithoutFakeNodes";

/// The parallel deployment's region.
pub(crate) const PARALLEL_REGION: &str = "RegionAntelope";
