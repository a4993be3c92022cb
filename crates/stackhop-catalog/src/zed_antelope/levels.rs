//! Code levels and the version numbers nova uses to tell them apart.
//!
//! Read from the code that runs in the lab: nova 26.2.2 (Debian bookworm's Zed) and nova 27.5.1
//! (2023.1 from PyPI). `nova/objects/service.py`: `SERVICE_VERSION` 64 (Zed) and 66 (2023.1);
//! `SERVICE_VERSION_ALIASES` Yoga 61, Zed 64, Antelope 66; `OLDEST_SUPPORTED_SERVICE_VERSION =
//! 'Yoga'` in both. `nova/compute/rpcapi.py` `VERSION_ALIASES`: yoga 6.0, zed 6.1, antelope 6.2;
//! `nova/compute/manager.py` serves `Target(version='6.1')` (Zed) and `'6.2'` (2023.1).

use stackhop_inventory::Version;
use stackhop_model::{Level, RpcVersion, VersionRange};

/// Computes older than Yoga: neither Zed nor 2023.1 control services accept them.
pub(crate) const XENA: Level = 0;
pub(crate) const YOGA: Level = 1;
pub(crate) const ZED: Level = 2;
pub(crate) const ANTELOPE: Level = 3;

pub(crate) const LEVEL_NAMES: [(&str, u8); 4] =
    [("xena", 0), ("yoga", 0), ("zed", 0), ("2023.1", 1)];

/// A nova package version's level: 24.x Xena (and older), 25.x Yoga, 26.x and absent Zed.
pub(crate) fn nova_level(version: Option<&Version>) -> Level {
    match version.and_then(|v| v.parts.first()) {
        Some(major) if *major <= 24 => XENA,
        Some(25) => YOGA,
        _ => ZED,
    }
}

pub(crate) const fn v(major: u16, minor: u16) -> RpcVersion {
    RpcVersion::new(major, minor)
}

pub(crate) const fn range(min: RpcVersion, max: RpcVersion) -> VersionRange {
    VersionRange { min, max }
}

/// The compute RPC each level sends unpinned and serves, by level.
pub(crate) const COMPUTE_RPC: [RpcVersion; 4] = [v(6, 0), v(6, 0), v(6, 1), v(6, 2)];

/// A nova service version (`SERVICE_VERSION`), written as an RPC version with minor 0 so the
/// engine's version windows carry it.
pub(crate) const fn service_version(n: u16) -> RpcVersion {
    RpcVersion::new(n, 0)
}

pub(crate) const SERVICE_VERSION: [RpcVersion; 4] = [
    service_version(57),
    service_version(61),
    service_version(64),
    service_version(66),
];

/// Yoga's service version: the oldest compute either release's control services accept.
pub(crate) const OLDEST_SUPPORTED: RpcVersion = service_version(61);

/// Release names `[upgrade_levels] compute` accepts at each level.
pub(crate) fn compute_aliases(level: Level) -> Vec<(String, RpcVersion)> {
    let mut out = vec![
        ("wallaby".to_owned(), v(6, 0)),
        ("xena".to_owned(), v(6, 0)),
        ("yoga".to_owned(), v(6, 0)),
    ];
    if level >= ZED {
        out.push(("zed".to_owned(), v(6, 1)));
    }
    if level >= ANTELOPE {
        out.push(("antelope".to_owned(), v(6, 2)));
    }
    out
}
