//! The synthetic workload: requests per minute per capability, checked against the model.

use stackhop_catalog::Transition;
use stackhop_inventory::Inventory;
use stackhop_model::CAPABILITIES;

use crate::error::SimError;

/// The operator's overrides of the catalog's default workload. Empty means the defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Workload {
    overrides: Vec<(String, f64)>,
}

impl Workload {
    /// The catalog's defaults for the cloud.
    pub fn defaults() -> Self {
        Workload::default()
    }

    /// Sets one capability's rate (requests per minute; boots per minute for `boot`). The name
    /// must be one of [`CAPABILITIES`] and the rate finite and not negative.
    pub fn set(mut self, capability: &str, per_minute: f64) -> Result<Self, SimError> {
        if !CAPABILITIES.contains(&capability) {
            return Err(SimError::UnknownCapability(capability.to_owned()));
        }
        if !per_minute.is_finite() || per_minute < 0.0 {
            return Err(SimError::BadRate {
                capability: capability.to_owned(),
                rate: per_minute.to_string(),
            });
        }
        self.overrides.retain(|(n, _)| n != capability);
        self.overrides.push((capability.to_owned(), per_minute));
        Ok(self)
    }

    /// Reads `NAME=RATE` (as the `--workload` flag gives it) and sets it.
    pub fn set_from(self, text: &str) -> Result<Self, SimError> {
        let (name, rate) = text.split_once('=').ok_or_else(|| SimError::BadRate {
            capability: text.to_owned(),
            rate: String::new(),
        })?;
        let rate_value = rate.trim().parse::<f64>().map_err(|_| SimError::BadRate {
            capability: name.trim().to_owned(),
            rate: rate.trim().to_owned(),
        })?;
        self.set(name.trim(), rate_value)
    }

    pub fn overrides(&self) -> &[(String, f64)] {
        &self.overrides
    }

    /// The rate of every capability, in [`CAPABILITIES`] order: the override, else the
    /// catalog's default for this cloud, else 0.
    pub fn resolve(
        &self,
        transition: &dyn Transition,
        inventory: &Inventory,
    ) -> Vec<(&'static str, f64)> {
        let defaults = transition.workload(inventory);
        CAPABILITIES
            .iter()
            .map(|&name| {
                let rate = self
                    .overrides
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, r)| *r)
                    .or_else(|| defaults.iter().find(|(n, _)| *n == name).map(|(_, r)| *r))
                    .unwrap_or(0.0);
                (name, rate)
            })
            .collect()
    }
}
