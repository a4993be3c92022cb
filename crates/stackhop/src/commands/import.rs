//! `stackhop import packstack FILE` and `stackhop import ansible FILE [--release R]`, each with
//! `[--out FILE] [--name NAME]`: an inventory written from what already describes the cloud.
//!
//! The inventory goes to standard output, or to `--out` (which is never the input file); the
//! import's warnings and notes go to standard error. Mistakes in the file: all of them, with
//! line and column, and exit 2.

use std::path::Path;

use stackhop_import::{Imported, Options};

use crate::cli::{ImportCommand, ImportOutputArgs};
use crate::error::{CommandError, Outcome};
use crate::output::print;

pub(crate) fn run(command: &ImportCommand) -> Result<Outcome, CommandError> {
    let (file, output, release) = match command {
        ImportCommand::Packstack(args) => (&args.file, &args.output, None),
        ImportCommand::Ansible(args) => (&args.file, &args.output, args.release.clone()),
    };
    if let Some(out) = &output.out
        && same_file(file, out)
    {
        return Err(CommandError::Usage(format!(
            "--out {} is the file being imported; write the inventory to another file",
            out.display()
        )));
    }
    let label = file.display().to_string();
    let source = std::fs::read_to_string(file).map_err(|source| CommandError::Read {
        path: label.clone(),
        source,
    })?;
    let options = Options {
        name: output.name.clone(),
        release,
    };
    let imported = match command {
        ImportCommand::Packstack(_) => stackhop_import::packstack(&source, &label, &options),
        ImportCommand::Ansible(_) => stackhop_import::ansible(&source, &label, &options),
    }
    .map_err(CommandError::Import)?;
    eprint!("{}", imported.notes);
    write(&imported, output)?;
    Ok(Outcome::Success)
}

fn write(imported: &Imported, output: &ImportOutputArgs) -> Result<(), CommandError> {
    let Some(path) = &output.out else {
        return print(&imported.text);
    };
    std::fs::write(path, &imported.text).map_err(|source| CommandError::Write {
        path: path.display().to_string(),
        source,
    })?;
    eprintln!(
        "wrote the inventory ({} hosts, {} values marked `{}`) to {}",
        imported.hosts,
        imported.to_discover,
        stackhop_import::DISCOVER_MARKER,
        path.display()
    );
    Ok(())
}

/// Whether writing `out` would overwrite `input`: the same path once links are resolved, or
/// another name (a hard link) for the same file.
pub(super) fn same_file(input: &Path, out: &Path) -> bool {
    if let (Ok(a), Ok(b)) = (std::fs::canonicalize(input), std::fs::canonicalize(out))
        && a == b
    {
        return true;
    }
    same_inode(input, out)
}

#[cfg(unix)]
fn same_inode(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_inode(_: &Path, _: &Path) -> bool {
    false
}
