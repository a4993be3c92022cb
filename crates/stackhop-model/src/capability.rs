//! Capabilities: what users of the cloud can do in a state.

use std::collections::BTreeMap;

use crate::view::View;

/// The capability names of the `stackhop.verify/v1` and `stackhop.simulate/v1` contracts.
pub const CAPABILITIES: [&str; 8] = [
    "identity",
    "image",
    "volume",
    "object",
    "network",
    "compute_api",
    "boot",
    "dashboard",
];

/// Which capabilities work; a capability the cloud does not offer at all is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CapabilitySet {
    pub available: BTreeMap<&'static str, bool>,
}

impl CapabilitySet {
    pub fn of(view: &View<'_>) -> Self {
        let available = view
            .rules
            .capabilities
            .iter()
            .map(|c| (c.name, (c.check)(view)))
            .collect();
        CapabilitySet { available }
    }

    pub fn is_up(&self, name: &str) -> bool {
        self.available.get(name).copied().unwrap_or(false)
    }

    pub fn down(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.available
            .iter()
            .filter(|(_, up)| !**up)
            .map(|(n, _)| *n)
    }
}
