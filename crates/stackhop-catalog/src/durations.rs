//! Duration model: every number with its assumption and where it came from.

use stackhop_inventory::Inventory;

/// One parameter of a duration model.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub name: &'static str,
    pub seconds: f64,
    /// What one unit is ("per host", "per million rows", …).
    pub unit: &'static str,
    pub assumption: &'static str,
    pub source: &'static str,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DurationModel {
    pub params: Vec<Parameter>,
}

impl Parameter {
    pub const fn new(
        name: &'static str,
        seconds: f64,
        unit: &'static str,
        assumption: &'static str,
        source: &'static str,
    ) -> Self {
        Parameter {
            name,
            seconds,
            unit,
            assumption,
            source,
        }
    }
}

impl DurationModel {
    /// A parameter's value; unknown names cost nothing rather than panicking, and a test in each
    /// transition checks that every name it asks for exists.
    pub fn get(&self, name: &str) -> f64 {
        self.params
            .iter()
            .find(|p| p.name == name)
            .map_or(0.0, |p| p.seconds)
    }

    pub fn has(&self, name: &str) -> bool {
        self.params.iter().any(|p| p.name == name)
    }

    /// Seconds per host to move its instances off: the busiest host's instances at the
    /// model's `live_migration` or `snapshot_move` rate, or `wait_empty` for their owners.
    pub(crate) fn move_instances_s(
        &self,
        mode: stackhop_model::MoveMode,
        inventory: &Inventory,
    ) -> f64 {
        let instances = inventory
            .hosts
            .iter()
            .map(|h| h.instances)
            .max()
            .unwrap_or(0) as f64;
        match mode {
            stackhop_model::MoveMode::Live => self.get("live_migration") * instances,
            stackhop_model::MoveMode::Snapshot => self.get("snapshot_move") * instances,
            stackhop_model::MoveMode::Wait => self.get("wait_empty"),
        }
    }
}

/// A step's estimated duration, split so the simulator can spread hosts over time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Time on each host (hosts run in parallel up to `fanout`).
    pub per_host_s: f64,
    /// Time paid once for the step whatever its host count (a database migration).
    pub once_s: f64,
    /// How many hosts run at once.
    pub fanout: u32,
}

impl Estimate {
    pub fn total_s(&self, hosts: usize) -> f64 {
        let fanout = usize::try_from(self.fanout.max(1)).unwrap_or(1);
        let waves = hosts.div_ceil(fanout).max(1);
        self.once_s + self.per_host_s * waves as f64
    }
}
