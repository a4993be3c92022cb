//! A verified plan as the files another engine runs. `ansible` writes an Ansible inventory and a
//! playbook that carry out exactly the plan: its commands, verbatim, host by host, in one order
//! that keeps every `after`, compute batches as `serial:`, gates and health checks that stop the
//! run, the operator's values and secrets as variables, and the plan's digest in the header.
//!
//! Pure: handed a plan, its inventory and its transition, it returns file names and texts; the
//! binary writes them.

mod config;
mod dag;
mod error;
mod groups;
mod inventory;
mod jinja;
mod layout;
mod placeholders;
mod playbook;
mod summary;
mod vars;
mod yaml;

use stackhop_catalog::Transition;
use stackhop_inventory::Inventory;
use stackhop_plan::Plan;

pub use error::ExportError;
pub use placeholders::{Placeholder, placeholders};
pub use summary::{Rolling, Summary, Variable};

/// The playbook's file name.
pub const PLAYBOOK: &str = "site.yml";
/// The inventory's file name.
pub const INVENTORY: &str = "inventory.yml";

/// Who writes a file and who may change it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// Written from the plan; export it again rather than edit it.
    Generated,
    /// A template the operator fills in (values, secrets): never overwritten once it exists.
    OperatorFilled,
}

/// One file of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    /// Relative to the export's directory, `/`-separated.
    pub path: String,
    pub text: String,
    pub kind: FileKind,
}

/// An export: its files and what they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub files: Vec<ExportFile>,
    pub summary: Summary,
}

/// What the caller tells the export about itself and the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// The program, named in the playbook's header, e.g. `stackhop 0.1.0`.
    pub generator: String,
    /// Lines for the playbook's header: what the operator accepted about this plan (steps edited
    /// by hand, a plan that does not verify).
    pub notes: Vec<String>,
}

/// The Ansible export of `plan`, made for `inventory` (the one the plan was made from).
pub fn ansible(
    plan: &Plan,
    inventory: &Inventory,
    transition: &dyn Transition,
    options: &Options,
) -> Result<Export, ExportError> {
    check_hosts(plan, inventory)?;
    let dag = dag::Dag::of(plan)?;
    let plays = layout::plays(plan, &dag);
    let variables = vars::plan_placeholders(plan, transition.secret_variables());
    let mut groups = groups::Groups::new(inventory);
    let mut summary = Summary::default();
    let writer = playbook::Writer::new(
        plan,
        inventory,
        transition,
        &dag,
        &mut groups,
        options,
        &mut summary,
    );
    let forks = writer.forks;
    let site = writer.write(&plays, &variables);
    summary.forks = forks;
    summary.plays += 1;

    let generated = |path: &str, text: String| ExportFile {
        path: path.to_owned(),
        text,
        kind: FileKind::Generated,
    };
    let mut files = vec![
        generated(PLAYBOOK, site),
        generated(
            INVENTORY,
            inventory::inventory_file(inventory, &groups, &plan.digest),
        ),
        generated("ansible.cfg", config::ansible_cfg(forks, &plan.digest)),
        generated(".ansible-lint", config::ansible_lint()),
    ];
    for (secret, path) in [(false, vars::VARS_FILE), (true, vars::VAULT_FILE)] {
        if let Some(text) = vars::vars_file(plan, &variables, secret) {
            files.push(ExportFile {
                path: path.to_owned(),
                text,
                kind: FileKind::OperatorFilled,
            });
        }
    }
    summary.variables = variables
        .iter()
        .map(|p| Variable {
            name: p.variable(),
            env: p.name.clone(),
            secret: p.secret,
            file: if p.secret {
                vars::VAULT_FILE
            } else {
                vars::VARS_FILE
            }
            .to_owned(),
        })
        .collect();
    Ok(Export { files, summary })
}

fn check_hosts(plan: &Plan, inventory: &Inventory) -> Result<(), ExportError> {
    let known: std::collections::HashSet<&str> =
        inventory.hosts.iter().map(|h| h.name.as_str()).collect();
    for step in &plan.steps {
        if let Some(host) = step.hosts.iter().find(|h| !known.contains(h.as_str())) {
            return Err(ExportError::UnknownHost {
                step: step.id.clone(),
                host: host.clone(),
            });
        }
        if let Some(host) = step
            .runs_on
            .as_ref()
            .filter(|h| !known.contains(h.as_str()))
        {
            return Err(ExportError::UnknownRunsOn {
                step: step.id.clone(),
                host: host.clone(),
            });
        }
    }
    Ok(())
}
