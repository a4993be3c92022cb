//! Start from what the operator already has: a packstack answer file or an Ansible inventory
//! in, stackhop inventory v1 text out.
//!
//! Every value written says where it came from (`# CONFIG_COMPUTE_HOSTS, line 12`). What the
//! file cannot say is marked with [`DISCOVER_MARKER`] and the inventory key:
//!
//! - a key the inventory requires (`os`) is written with an assumed value, the marker beside it:
//!   `os: centos-6.5   # TODO discover: os (assumed: an answer file does not name it)`;
//! - an optional key (`nova_version`, `instances`, `database`) is left out, so that its
//!   documented default applies, and the marker is a comment line where the key would go:
//!   `# TODO discover: instances (left out, 0 is assumed)`;
//! - a top-level choice the file does not settle (`release`, or `network` for Ansible) is
//!   written with the assumption and the marker beside it.
//!
//! So the output parses, and `check` and `plan` accept it as it is, while a person (or, later,
//! `stackhop discover`, which reads the hosts) can find every assumption by its marker.
//!
//! Like the inventory crate, this crate is handed text and a file name for its diagnostics; it
//! reads no file. Errors come as [`Diagnostics`]: every problem of the file, each with line,
//! column and a hint.
//!
//! ```
//! let answers = "[general]\nCONFIG_CONTROLLER_HOST=192.168.0.10\n\
//!                CONFIG_COMPUTE_HOSTS=192.168.0.11,192.168.0.12\n\
//!                CONFIG_NETWORK_HOSTS=192.168.0.10\n";
//! let imported = stackhop_import::packstack(answers, "answers.txt", &Default::default())
//!     .expect("a valid answer file");
//! assert_eq!(imported.hosts, 3);
//! assert!(imported.text.contains("# CONFIG_COMPUTE_HOSTS, line 3"));
//! ```

mod address;
mod ansible;
pub mod discover;
mod draft;
mod packstack;
mod write;

use stackhop_inventory::{Diagnostics, Sink};

pub use ansible::Format as AnsibleFormat;

/// Marks, in the imported inventory, every value the file could not give.
pub const DISCOVER_MARKER: &str = "TODO discover:";

/// What the command line adds to the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// The cloud's `name:`; absent, the file's name without its directory and extension.
    pub name: Option<String>,
    /// Ansible only: the release the cloud runs (one the catalog upgrades from); absent, the
    /// newest the catalog knows, marked to discover. An answer file's release follows from
    /// packstack's packaging (RDO).
    pub release: Option<String>,
}

/// An imported inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// Inventory v1 YAML, with comments.
    pub text: String,
    /// Warnings and notes about the file (never errors); empty `items` when there are none.
    pub notes: Diagnostics,
    /// Hosts in the inventory, ranges expanded.
    pub hosts: usize,
    /// How many [`DISCOVER_MARKER`]s the text holds.
    pub to_discover: usize,
}

/// Why a file could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The file has problems: all of them (warnings included), with line and column.
    #[error("{0}")]
    Input(Diagnostics),
    /// `--release` names a release no catalog transition starts from.
    #[error("unknown release `{release}`; stackhop upgrades from: {known}")]
    UnknownRelease { release: String, known: String },
    /// The catalog has no transition for what the file describes.
    #[error("no catalog transition starts from a cloud installed by {what}")]
    NoTransition { what: String },
    /// What was written does not parse as an inventory: a defect of this crate, with the
    /// inventory parser's diagnostics of the written text.
    #[error("the imported inventory does not parse; please report this with the input file:\n{0}")]
    Unwritable(Diagnostics),
}

/// Imports a packstack answer file (Havana or Icehouse era).
pub fn packstack(
    source: &str,
    file_name: &str,
    options: &Options,
) -> Result<Imported, ImportError> {
    let mut sink = Sink::new(source);
    let draft = packstack::import(&mut sink, file_name, options)?;
    finish(sink, draft, file_name)
}

/// Imports an Ansible inventory, INI or YAML as [`AnsibleFormat::detect`] decides.
pub fn ansible(source: &str, file_name: &str, options: &Options) -> Result<Imported, ImportError> {
    let mut sink = Sink::new(source);
    let format = AnsibleFormat::detect(file_name, source);
    let draft = ansible::import(&mut sink, format, file_name, options, source)?;
    finish(sink, draft, file_name)
}

/// Writes the draft unless the file had errors, and makes sure the text is an inventory.
fn finish(
    mut sink: Sink<'_>,
    draft: Option<draft::Draft>,
    file_name: &str,
) -> Result<Imported, ImportError> {
    if draft.is_none() && !sink.has_errors() {
        // Every path that gives up reports why; this keeps the "errors, never none" promise
        // should one ever forget.
        let start = sink.map().span(0, 0);
        sink.error(
            start,
            "the file could not be imported",
            Some("please report this with the file".to_owned()),
        );
    }
    let has_errors = sink.has_errors();
    let notes = sink.finish(file_name);
    let draft = match draft {
        Some(draft) if !has_errors => draft,
        _ => return Err(ImportError::Input(notes)),
    };
    let written = write::write(&draft, file_name, &notes.items);
    let vocabulary = stackhop_catalog::vocabulary();
    let output_name = format!("{file_name} (imported)");
    let inventory = stackhop_inventory::parse(&written.text, &output_name, &vocabulary)
        .map_err(ImportError::Unwritable)?;
    Ok(Imported {
        text: written.text,
        notes,
        hosts: inventory.hosts.len(),
        to_discover: written.to_discover,
    })
}

/// The cloud's name: the option, or the file's name without directory and extension.
fn cloud_name(file_name: &str, options: &Options) -> draft::Sourced<String> {
    if let Some(name) = &options.name {
        return draft::Sourced::read(name.clone(), "--name");
    }
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = match base.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => base,
    };
    let stem = if stem.trim().is_empty() {
        "imported"
    } else {
        stem
    };
    draft::Sourced::read(stem.to_owned(), "the file's name; --name sets another")
}
