//! What an export holds, for the command's report (`stackhop.export/v1`).

use serde::Serialize;

/// A rolling play: a phase carried out batch by batch with `serial:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rolling {
    pub phase: String,
    pub hosts: usize,
    /// The plan's batch sizes, in order.
    pub batches: Vec<usize>,
    /// The play's `serial:` list, which gives those sizes.
    pub serial: Vec<usize>,
}

/// An Ansible variable the operator fills in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Variable {
    /// The Ansible variable, e.g. `stackhop_nova_admin_password`.
    pub name: String,
    /// The environment variable the plan's commands read, e.g. `NOVA_ADMIN_PASSWORD`.
    pub env: String,
    /// Kept in the vault-ready file.
    pub secret: bool,
    /// The file it is defined in, relative to the export's directory.
    pub file: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Plays of `site.yml`, the first (the plan's digest, the variables' check) included.
    pub plays: usize,
    /// Tasks that carry out steps (a command each, or a manual step's confirmation).
    pub tasks: usize,
    pub rolling: Vec<Rolling>,
    pub variables: Vec<Variable>,
    /// Steps that do not wait for the step before them in the playbook: the plan lets them run
    /// together, Ansible runs them one after the other.
    pub serialized: usize,
    /// `forks` in `ansible.cfg`: the widest fan-out of the catalog.
    pub forks: u32,
}
