//! Reading an inventory (IO lives in the binary) and finding the catalog transition for it.

use stackhop_catalog::Transition;
use stackhop_inventory::{Inventory, examples};

use crate::cli::InventoryArgs;
use crate::error::CommandError;

/// An inventory ready for the planners: its text, where it came from, its parsed form and the
/// transition that upgrades it.
#[derive(Clone)]
pub(crate) struct Loaded {
    /// The name diagnostics and plans give the inventory: the path as given, or `example:NAME`.
    pub(crate) file: String,
    pub(crate) source: String,
    pub(crate) inventory: Inventory,
    pub(crate) transition: &'static dyn Transition,
}

impl InventoryArgs {
    /// Reads and parses the inventory named on the command line.
    pub(crate) fn load(&self) -> Result<Loaded, CommandError> {
        let (file, source) = match (&self.file, &self.example) {
            (Some(path), _) => {
                let file = path.display().to_string();
                let source =
                    std::fs::read_to_string(path).map_err(|source| CommandError::Read {
                        path: file.clone(),
                        source,
                    })?;
                (file, source)
            }
            (None, Some(name)) => {
                let source = examples::source(name)
                    .ok_or_else(|| CommandError::UnknownExample { name: name.clone() })?;
                (examples::file_name(name), source.to_owned())
            }
            // clap requires one of the two; say so rather than panic should that change.
            (None, None) => {
                return Err(CommandError::Usage(
                    "give an inventory with `-i FILE` or `--example NAME`".to_owned(),
                ));
            }
        };
        load_text(file, source)
    }
}

/// Parses inventory text with the catalog's vocabulary and finds its transition.
pub(crate) fn load_text(file: String, source: String) -> Result<Loaded, CommandError> {
    let inventory = stackhop_inventory::parse(&source, &file, &stackhop_catalog::vocabulary())
        .map_err(CommandError::Inventory)?;
    let transition =
        stackhop_catalog::find(&inventory.release, &inventory.profile).ok_or_else(|| {
            CommandError::NoTransition {
                release: inventory.release.clone(),
                profile: inventory.profile.clone(),
            }
        })?;
    Ok(Loaded {
        file,
        source,
        inventory,
        transition,
    })
}
