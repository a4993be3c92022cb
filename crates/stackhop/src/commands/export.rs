//! `stackhop export ansible (-i FILE | --example NAME) -s SCENARIO | --plan plan.json --out DIR
//! [--force] [--unverified] [--format text|json]`: writes the plan as an Ansible inventory and
//! playbook (see `stackhop-export`).
//!
//! The plan is verified first, as `apply` does: a plan that can break the cloud or does not finish
//! the upgrade is refused (exit 1) unless `--unverified`; steps edited by hand need
//! `--accept-edited`, and the playbook's header names them. Files are written only where nothing
//! would be lost: a file of the directory is replaced when an earlier export wrote it and nobody
//! changed it since (`.stackhop-export.json` records what each export wrote); anything else is
//! refused (exit 2) unless `--force`. The files the operator fills in (group_vars/all/vars.yml,
//! vault.yml) are never replaced once they exist.

use std::path::Path;

use serde::{Deserialize, Serialize};
use stackhop_export::{Export, ExportFile, FileKind, Options, Summary};
use stackhop_report::{VerifyTextOptions, verify_text};

use crate::cli::{ExportAnsibleArgs, ReportFormat};
use crate::error::{CommandError, Outcome};
use crate::output::print;

/// Where an export records what it wrote.
const MANIFEST: &str = ".stackhop-export.json";
const MANIFEST_SCHEMA: &str = "stackhop.export-manifest/v1";

pub(crate) fn ansible(args: &ExportAnsibleArgs) -> Result<Outcome, CommandError> {
    let format = super::findings_format(args.format);
    let Some(sourced) = super::plan_from(&args.source, format, "; nothing was exported")? else {
        return Ok(Outcome::ProblemFound);
    };
    let loaded = sourced.loaded()?;
    let Some(notes) = verified(&sourced, &loaded, args.unverified)? else {
        return Ok(Outcome::ProblemFound);
    };
    let options = Options {
        generator: format!("stackhop {}", env!("CARGO_PKG_VERSION")),
        notes,
    };
    let export = stackhop_export::ansible(
        &sourced.plan,
        &loaded.inventory,
        loaded.transition,
        &options,
    )
    .map_err(CommandError::Export)?;
    let written = write(&args.out, &export, &sourced.plan.digest, args.force)?;
    warn_missing_variables(&args.out, &written, &export.summary)?;
    let report = Report {
        schema: "stackhop.export/v1",
        target: "ansible",
        digest: &sourced.plan.digest,
        out: args.out.display().to_string(),
        files: written,
        summary: &export.summary,
    };
    let text = match args.format {
        ReportFormat::Text => report.text(),
        ReportFormat::Json => {
            let mut json = serde_json::to_string_pretty(&report).unwrap_or_default();
            json.push('\n');
            json
        }
    };
    print(&text)?;
    Ok(Outcome::Success)
}

/// The playbook header's notes, or `None` when the plan does not verify and `--unverified` was
/// not given (what verify found is printed, and why nothing was written).
fn verified(
    sourced: &super::Sourced,
    loaded: &crate::inventory::Loaded,
    unverified: bool,
) -> Result<Option<Vec<String>>, CommandError> {
    let report = match sourced.verify(loaded) {
        Ok(report) => report,
        Err(error) if unverified => {
            eprintln!(
                "warning: exporting a plan that could not be verified (--unverified): {error}"
            );
            return Ok(Some(vec![format!(
                "exported with --unverified: verify could not check this plan ({error})"
            )]));
        }
        Err(error) => return Err(error),
    };
    let mut notes: Vec<String> = report
        .edited_steps
        .iter()
        .map(|s| {
            format!(
                "step {} runs commands edited by hand (--accept-edited); verify proved its \
                 action, not its text",
                s.id
            )
        })
        .collect();
    for note in &notes {
        eprintln!("warning: {note}");
    }
    if report.verified && report.goal_reached {
        return Ok(Some(notes));
    }
    let plan = sourced
        .saved
        .as_ref()
        .map_or("stackhop's own", |s| s.file.as_str());
    print(&verify_text(
        &report,
        &VerifyTextOptions {
            plan,
            elapsed: None,
        },
    ))?;
    if !unverified {
        eprintln!(
            "error: the plan does not verify, so nothing was exported; fix it (`stackhop verify` \
             shows the same), or pass --unverified to export it anyway"
        );
        return Ok(None);
    }
    eprintln!("warning: the plan does not verify; exporting it anyway (--unverified)");
    notes.push("exported with --unverified: stackhop verify does NOT accept this plan".to_owned());
    Ok(Some(notes))
}

/// What an export wrote, file by file.
#[derive(Debug, Serialize)]
struct Written {
    path: String,
    kind: FileKind,
    /// `written` (new), `replaced` (an earlier export's), `unchanged`, or `kept` (a file the
    /// operator fills in, already there).
    state: &'static str,
    bytes: usize,
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    schema: &'static str,
    target: &'static str,
    digest: &'a str,
    out: String,
    files: Vec<Written>,
    summary: &'a Summary,
}

impl Report<'_> {
    fn text(&self) -> String {
        let s = self.summary;
        let mut out = format!(
            "exported to {} for Ansible: {} plays, {} tasks, forks {}\n  plan      {}\n",
            self.out, s.plays, s.tasks, s.forks, self.digest
        );
        for r in &s.rolling {
            out.push_str(&format!(
                "  batches   {}: {} hosts in {} batches, serial: {:?}\n",
                r.phase,
                r.hosts,
                r.batches.len(),
                r.serial
            ));
        }
        if s.serialized > 0 {
            out.push_str(&format!(
                "  in turn   {} steps run after one they do not wait for (one task at a time)\n",
                s.serialized
            ));
        }
        for f in &self.files {
            out.push_str(&format!("  {:<9} {}\n", f.state, f.path));
        }
        let fresh = |path: &str| {
            self.files
                .iter()
                .any(|f| f.path == path && f.state == "written")
        };
        for v in s.variables.iter().filter(|v| fresh(&v.file)) {
            let vault = if v.secret { ", then encrypt it" } else { "" };
            out.push_str(&format!(
                "  to do     set {} in {}{vault}\n",
                v.name, v.file
            ));
        }
        out.push_str(&format!(
            "  run it    cd {} && ansible-playbook site.yml\n",
            self.out
        ));
        out
    }
}

/// A vars file the operator filled in is kept; says which variable this plan needs that it does
/// not define (an encrypted file cannot be read: the playbook's first play checks it then).
fn warn_missing_variables(
    dir: &Path,
    written: &[Written],
    summary: &Summary,
) -> Result<(), CommandError> {
    for file in written.iter().filter(|f| f.state == "kept") {
        let Some(text) = read_optional(&dir.join(&file.path))? else {
            continue;
        };
        if text.starts_with("$ANSIBLE_VAULT") {
            continue;
        }
        for v in summary.variables.iter().filter(|v| v.file == file.path) {
            if !text.lines().any(|l| l.starts_with(&format!("{}:", v.name))) {
                eprintln!(
                    "warning: {} (kept) does not set {} (${})",
                    file.path, v.name, v.env
                );
            }
        }
    }
    Ok(())
}

/// The manifest: what the last export wrote into the directory.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    schema: String,
    digest: String,
    files: Vec<ManifestFile>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ManifestFile {
    path: String,
    sha256: String,
}

/// Writes the export into `dir` (see the module's doc for what it replaces), and the manifest.
fn write(
    dir: &Path,
    export: &Export,
    digest: &str,
    force: bool,
) -> Result<Vec<Written>, CommandError> {
    let manifest_path = dir.join(MANIFEST);
    let previous = match read_optional(&manifest_path)? {
        None => None,
        Some(text) => match serde_json::from_str::<Manifest>(&text) {
            Ok(m) if m.schema == MANIFEST_SCHEMA => Some(m),
            _ if force => None,
            _ => {
                return Err(CommandError::Occupied {
                    dir: dir.display().to_string(),
                    files: vec![MANIFEST.to_owned()],
                });
            }
        },
    };
    let ours = |path: &str, text: &str| {
        previous.as_ref().is_some_and(|m| {
            m.files
                .iter()
                .any(|f| f.path == path && f.sha256 == stackhop_plan::sha256(text))
        })
    };
    let mut plan: Vec<(&ExportFile, &'static str)> = Vec::new();
    let mut occupied = Vec::new();
    for file in &export.files {
        let state = match read_optional(&dir.join(&file.path))? {
            None => "written",
            Some(_) if file.kind == FileKind::OperatorFilled => "kept",
            Some(text) if text == file.text => "unchanged",
            Some(text) if ours(&file.path, &text) || force => "replaced",
            Some(_) => {
                occupied.push(file.path.clone());
                continue;
            }
        };
        plan.push((file, state));
    }
    if !occupied.is_empty() {
        return Err(CommandError::Occupied {
            dir: dir.display().to_string(),
            files: occupied,
        });
    }
    let mut written = Vec::new();
    let mut manifest = Manifest {
        schema: MANIFEST_SCHEMA.to_owned(),
        digest: digest.to_owned(),
        files: Vec::new(),
    };
    for (file, state) in plan {
        if matches!(state, "written" | "replaced") {
            write_file(&dir.join(&file.path), &file.text)?;
        }
        if file.kind == FileKind::Generated {
            manifest.files.push(ManifestFile {
                path: file.path.clone(),
                sha256: stackhop_plan::sha256(&file.text),
            });
        }
        written.push(Written {
            path: file.path.clone(),
            kind: file.kind,
            state,
            bytes: file.text.len(),
        });
    }
    let mut text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    text.push('\n');
    write_file(&manifest_path, &text)?;
    Ok(written)
}

/// The file's text, or `None` when there is no such file.
fn read_optional(path: &Path) -> Result<Option<String>, CommandError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(CommandError::Read {
            path: path.display().to_string(),
            source,
        }),
    }
}

fn write_file(path: &Path, text: &str) -> Result<(), CommandError> {
    let error = |source| CommandError::Write {
        path: path.display().to_string(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(error)?;
    }
    std::fs::write(path, text).map_err(error)
}
