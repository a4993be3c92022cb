//! What the caller knows about releases; this crate has no release knowledge of its own.

use serde::Serialize;

/// The releases, profiles and services an inventory may name, supplied by the catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Vocabulary {
    pub releases: Vec<ReleaseVocabulary>,
}

/// One release stackhop can upgrade from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReleaseVocabulary {
    /// As written in `release:`, e.g. `havana`.
    pub release: String,
    /// Packaging profiles; the first is the default when `profile:` is absent.
    pub profiles: Vec<String>,
    /// Service names a host's `services:` may list.
    pub services: Vec<String>,
    /// The keys each profile accepts under `paths:`; a profile not listed takes none.
    pub paths: Vec<ProfilePaths>,
}

/// Where a packaging profile keeps what it needs on the hosts (`paths:` in the inventory).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProfilePaths {
    pub profile: String,
    pub keys: Vec<String>,
}

impl ReleaseVocabulary {
    /// The `paths:` keys `profile` accepts.
    #[must_use]
    pub fn path_keys(&self, profile: &str) -> &[String] {
        self.paths
            .iter()
            .find(|p| p.profile == profile)
            .map_or(&[], |p| p.keys.as_slice())
    }
}

impl Vocabulary {
    /// The entry for `release`, if known.
    #[must_use]
    pub fn release(&self, release: &str) -> Option<&ReleaseVocabulary> {
        self.releases.iter().find(|r| r.release == release)
    }
}
