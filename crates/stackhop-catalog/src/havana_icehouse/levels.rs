//! Code levels and RPC version facts. Source: reference §2 (nova `compute/rpcapi.py` at 2014.1,
//! stable/havana a7e2a411 and 2c63cae9, conductor aliases).

use stackhop_inventory::Version;
use stackhop_model::{Level, RpcVersion, VersionRange};

/// Havana before 2013.2.2 cannot accept compute RPC 3.0.
pub(crate) const HAVANA_OLD: Level = 0;
pub(crate) const HAVANA: Level = 1;
pub(crate) const ICEHOUSE: Level = 2;

pub(crate) const LEVEL_NAMES: [(&str, u8); 3] =
    [("havana<2013.2.2", 0), ("havana", 0), ("icehouse", 1)];

/// The first Havana release whose computes accept the 3.0 messages a pinned Icehouse sends.
pub(crate) fn accepts_compat(version: &Version) -> bool {
    version.parts.as_slice() >= [2013, 2, 2].as_slice()
}

pub(crate) fn nova_level(version: Option<&Version>) -> Level {
    match version {
        Some(v) if !accepts_compat(v) => HAVANA_OLD,
        _ => HAVANA,
    }
}

pub(crate) const fn v(major: u16, minor: u16) -> RpcVersion {
    RpcVersion::new(major, minor)
}

pub(crate) const fn range(min: RpcVersion, max: RpcVersion) -> VersionRange {
    VersionRange { min, max }
}

/// `external_instance_event` is compute RPC 3.23: a nova-api capped below it cannot pass Neutron's
/// events on (reference §3, *Inference*: `RPCVersionCapError`).
pub(crate) const EXTERNAL_EVENT: RpcVersion = v(3, 23);

pub(crate) fn compute_aliases(level: Level) -> Vec<(String, RpcVersion)> {
    let mut out = vec![
        ("grizzly".to_owned(), v(2, 27)),
        ("havana".to_owned(), v(2, 47)),
    ];
    if level >= HAVANA {
        out.push(("icehouse-compat".to_owned(), v(3, 0)));
    }
    out
}

/// nova `network/rpcapi.py`: Havana 2013.2.3 knows only the `grizzly` alias; Icehouse 2014.1 adds
/// `havana` = 1.10, the newest network RPC a Havana nova-network serves (its manager's
/// `RPC_API_VERSION`), while Icehouse sends up to 1.12 (reference §2, *Inference* from the code).
pub(crate) fn network_aliases(level: Level) -> Vec<(String, RpcVersion)> {
    let mut out = vec![("grizzly".to_owned(), v(1, 9))];
    if level >= ICEHOUSE {
        out.push(("havana".to_owned(), v(1, 10)));
    }
    out
}
