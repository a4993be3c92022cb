//! The stackhop inventory: YAML text in, a validated [`Inventory`] or every problem with its
//! file, line and column out.
//!
//! This crate does no IO and knows nothing about releases: the caller hands it the text, a
//! file name for diagnostics, and the [`Vocabulary`] of releases, profiles and services.
//!
//! ```
//! use stackhop_inventory::{parse, ReleaseVocabulary, Vocabulary};
//!
//! let vocabulary = Vocabulary {
//!     releases: vec![ReleaseVocabulary {
//!         release: "havana".into(),
//!         profiles: vec!["rdo".into()],
//!         services: vec![],
//!         paths: vec![],
//!     }],
//! };
//! let source = stackhop_inventory::examples::source("small").unwrap_or_default();
//! let inventory = parse(source, "example:small", &vocabulary).expect("valid");
//! assert_eq!(inventory.hosts.len(), 5);
//! ```

#[macro_use]
mod macros;

mod address;
mod diagnostic;
pub mod examples;
pub mod hostname;
mod model;
mod os;
pub mod range;
mod suggest;
mod validate;
mod version;
mod vocabulary;
pub mod yaml;

pub use diagnostic::{Diagnostic, Diagnostics, Mark, Severity, Sink, SourceMap};
pub use model::{
    ALL_IN_ONE, ALL_IN_ONE_ROLES, Batch, ComputeDriver, Connection, Database, Host, InstanceMoves,
    Inventory, Network, Options, Role, RpcBackend,
};
pub use os::{ACCEPTED_OS_FORMS, Os, OsFamily};
pub use validate::MAX_HOSTS;
pub use version::Version;
pub use vocabulary::{ProfilePaths, ReleaseVocabulary, Vocabulary};

/// Parses and validates an inventory.
///
/// `file_name` only labels the diagnostics. On failure every problem found in the file is
/// returned, sorted by position; a YAML syntax error stops the reading, so it comes alone
/// (with any problem found before it).
pub fn parse(
    source: &str,
    file_name: &str,
    vocabulary: &Vocabulary,
) -> Result<Inventory, Diagnostics> {
    let mut sink = diagnostic::Sink::new(source);
    let inventory = yaml::load(source, &mut sink)
        .and_then(|root| validate::inventory(&mut sink, &root, vocabulary));
    match inventory {
        Some(inventory) if sink.is_empty() => Ok(inventory),
        _ => {
            if sink.is_empty() {
                // Every path that gives up reports why; this keeps the "never empty" promise
                // should one ever forget.
                sink.error(
                    diagnostic::Mark {
                        line: 1,
                        column: 1,
                        offset: 0,
                        len: 0,
                    },
                    "the inventory could not be read",
                    None,
                );
            }
            Err(sink.finish(file_name))
        }
    }
}
