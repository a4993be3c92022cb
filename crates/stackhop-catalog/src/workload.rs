//! Default request rates that grow with the cloud: users and their tooling act on what they run.

use stackhop_inventory::Inventory;

/// Each `(capability, floor per minute, per thousand instances per minute)` rate for this
/// inventory, rounded to two decimals (plenty for an estimate, and short JSON).
pub(crate) fn scaled(
    inventory: &Inventory,
    rates: &[(&'static str, f64, f64)],
) -> Vec<(&'static str, f64)> {
    let instances: u64 = inventory.hosts.iter().map(|h| u64::from(h.instances)).sum();
    let thousands = instances as f64 / 1000.0;
    rates
        .iter()
        .map(|&(name, floor, per_thousand)| {
            let rate = (per_thousand * thousands).max(floor);
            (name, (rate * 100.0).round() / 100.0)
        })
        .collect()
}
