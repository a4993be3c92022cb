//! The synthetic workload the simulator drives by default against a Havana/Icehouse cloud.
//!
//! No source in the reference gives request rates for a cloud of this era, so every number here
//! is an estimate, stated so an operator can replace it with what their own API logs say
//! (`--workload NAME=RATE`). Rates grow with the number of instances, because users and their
//! tooling act on what they run, with a floor so a small cloud still has someone using it:
//!
//! | capability    | floor/min | per 1,000 instances/min | what a request is |
//! |---------------|-----------|-------------------------|-------------------|
//! | `identity`    | 30        | 60                      | token issue or validation by a user or service |
//! | `image`       | 5         | 5                       | image list, show or download |
//! | `volume`      | 5         | 5                       | volume create, attach or list |
//! | `object`      | 10        | 20                      | object GET or PUT |
//! | `network`     | 10        | 20                      | port, network or floating-IP call |
//! | `compute_api` | 20        | 40                      | server list, show or action |
//! | `boot`        | 1         | 0.2                     | one instance boot (instances live ~3.5 days) |
//! | `dashboard`   | 5         | 2                       | a page load |

use stackhop_inventory::Inventory;

/// (capability, floor per minute, per thousand instances per minute).
const RATES: [(&str, f64, f64); 8] = [
    ("identity", 30.0, 60.0),
    ("image", 5.0, 5.0),
    ("volume", 5.0, 5.0),
    ("object", 10.0, 20.0),
    ("network", 10.0, 20.0),
    ("compute_api", 20.0, 40.0),
    ("boot", 1.0, 0.2),
    ("dashboard", 5.0, 2.0),
];

pub(crate) fn defaults(inventory: &Inventory) -> Vec<(&'static str, f64)> {
    crate::workload::scaled(inventory, &RATES)
}

#[cfg(test)]
mod tests {
    use stackhop_inventory::examples;
    use stackhop_model::CAPABILITIES;

    use crate::transition::vocabulary;

    #[test]
    fn every_capability_has_a_rate_that_grows_with_the_cloud() {
        let parse = |name: &str| {
            stackhop_inventory::parse(
                examples::source(name).unwrap_or_default(),
                name,
                &vocabulary(),
            )
            .unwrap_or_else(|e| panic!("{e}"))
        };
        let small = super::defaults(&parse("small"));
        let large = super::defaults(&parse("large"));
        for cap in CAPABILITIES {
            let s = small.iter().find(|(n, _)| *n == cap).map(|(_, r)| *r);
            let l = large.iter().find(|(n, _)| *n == cap).map(|(_, r)| *r);
            assert!(s.is_some_and(|s| s > 0.0), "{cap}: {s:?}");
            assert!(l >= s, "{cap}: {l:?} < {s:?}");
        }
    }
}
