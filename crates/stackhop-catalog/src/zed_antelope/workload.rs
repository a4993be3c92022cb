//! The synthetic workload the simulator drives by default against a Zed/2023.1 cloud: the two
//! capabilities this transition touches. Estimates, like the Havana ones: rates grow with the
//! instances, with a floor so a lab still has someone using it (`--workload NAME=RATE` to
//! replace them).
//!
//! | capability    | floor/min | per 1,000 instances/min | what a request is |
//! |---------------|-----------|-------------------------|-------------------|
//! | `compute_api` | 20        | 40                      | server list, show or action |
//! | `boot`        | 1         | 0.2                     | one instance boot |

use stackhop_inventory::Inventory;

const RATES: [(&str, f64, f64); 2] = [("compute_api", 20.0, 40.0), ("boot", 1.0, 0.2)];

pub(crate) fn defaults(inventory: &Inventory) -> Vec<(&'static str, f64)> {
    crate::workload::scaled(inventory, &RATES)
}
