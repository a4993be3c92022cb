//! The inventory an importer has read, before it is written out: each value with the comment
//! that says where it came from, or why it is only assumed.

use stackhop_inventory::{ALL_IN_ONE_ROLES, Network, Role, RpcBackend};

/// Where a value came from, as the comment beside it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Read from the file (or given on the command line): `CONFIG_COMPUTE_HOSTS, line 12`.
    Read(String),
    /// Not in the file: assumed until the operator or `discover` says otherwise. `key` is the
    /// inventory key, `why` says what was assumed and why.
    Discover { key: &'static str, why: String },
}

/// A value and its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sourced<T> {
    pub(crate) value: T,
    pub(crate) origin: Origin,
}

impl<T> Sourced<T> {
    pub(crate) fn read(value: T, from: impl Into<String>) -> Self {
        Sourced {
            value,
            origin: Origin::Read(from.into()),
        }
    }

    pub(crate) fn assumed(value: T, key: &'static str, why: impl Into<String>) -> Self {
        Sourced {
            value,
            origin: Origin::Discover {
                key,
                why: why.into(),
            },
        }
    }
}

/// What kind of file the inventory was imported from, for the words of the comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Packstack,
    Ansible,
}

impl Kind {
    /// The `stackhop import` subcommand.
    pub(crate) fn command(self) -> &'static str {
        match self {
            Kind::Packstack => "packstack",
            Kind::Ansible => "ansible",
        }
    }

    /// "an answer file", for "… does not name it".
    pub(crate) fn a_file(self) -> &'static str {
        match self {
            Kind::Packstack => "an answer file",
            Kind::Ansible => "an Ansible inventory",
        }
    }
}

/// The whole imported cloud.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub(crate) kind: Kind,
    pub(crate) name: Sourced<String>,
    pub(crate) release: Sourced<String>,
    pub(crate) profile: Sourced<String>,
    pub(crate) network: Sourced<Network>,
    pub(crate) rpc_backend: Sourced<RpcBackend>,
    /// The `os:` every host is assumed to run.
    pub(crate) os: String,
    pub(crate) entries: Vec<Entry>,
}

/// One `hosts:` entry: one host, or a range of hosts that the file describes alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// A host name or a range such as `cmp[01:40]`.
    pub(crate) name: String,
    /// Said beside the name, e.g. how the file knows the host.
    pub(crate) name_note: Option<String>,
    /// Where to reach the host, when the file says so.
    pub(crate) address: Option<Sourced<String>>,
    /// Sorted and deduplicated.
    pub(crate) roles: Vec<Role>,
    /// Where the roles came from.
    pub(crate) roles_from: String,
    /// How to connect (user, port), each with where it came from; written as a comment until
    /// the inventory has a `connection:` block.
    pub(crate) connection: Vec<String>,
}

impl Entry {
    /// How `roles:` is written: `[all-in-one]` for exactly the all-in-one roles.
    pub(crate) fn roles_text(&self) -> String {
        let words: Vec<&str> = if self.roles.as_slice() == ALL_IN_ONE_ROLES {
            vec![stackhop_inventory::ALL_IN_ONE]
        } else {
            self.roles.iter().map(|r| r.as_str()).collect()
        };
        format!("[{}]", words.join(", "))
    }

    /// Whether the host runs nova, so that its version matters.
    pub(crate) fn runs_nova(&self) -> bool {
        self.roles.contains(&Role::Controller) || self.roles.contains(&Role::Compute)
    }
}

/// "`key`, line N", the way every comment cites the file.
pub(crate) fn cite(what: &str, line: u32) -> String {
    format!("{what}, line {line}")
}
