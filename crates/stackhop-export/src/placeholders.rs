//! Values a plan's commands leave to the operator's environment, and which of them are secret.
//!
//! The catalog renders a value it cannot know as a shell variable for the operator to export:
//! `openstack-config --set /etc/neutron/neutron.conf DEFAULT nova_admin_password
//! "$NOVA_ADMIN_PASSWORD"`. In a playbook each becomes an Ansible variable handed to the task's
//! environment, so the command stays the one `verify` proved and no value is ever written into the
//! playbook. The catalog does not list these values yet; until it does, [`placeholders`] finds
//! them in the command text, and it is the one function to replace by the catalog's own list.

use std::collections::BTreeSet;

/// A value a command reads from its environment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Placeholder {
    /// The environment variable, e.g. `NOVA_ADMIN_PASSWORD`.
    pub name: String,
    /// A password, key or token: goes to the vault-ready vars file.
    pub secret: bool,
}

impl Placeholder {
    /// The Ansible variable that holds it: `stackhop_nova_admin_password`.
    #[must_use]
    pub fn variable(&self) -> String {
        format!("stackhop_{}", self.name.to_ascii_lowercase())
    }
}

/// Variables every shell has: a command that reads them reads its own environment, not a value
/// the operator supplies.
const SHELL_VARIABLES: &[&str] = &[
    "HOME", "PATH", "PWD", "OLDPWD", "USER", "LOGNAME", "SHELL", "HOSTNAME", "LANG", "TERM",
    "TMPDIR", "IFS", "PPID", "RANDOM", "LINENO", "SECONDS", "UID", "EUID", "OSTYPE",
];

/// What in a part of a variable's name (between `_`) makes its value a secret: `NOVA_DBPASS`,
/// `RABBIT_PASS`, `SECRET_KEY`, but not `KEYSTONE_HOST`.
fn is_secret(name: &str) -> bool {
    name.split('_').any(|part| {
        ["PASS", "SECRET", "TOKEN", "CREDENTIAL"]
            .iter()
            .any(|w| part.contains(w))
            || part == "KEY"
    })
}

/// The upper-case `$NAME` and `${NAME}` a command expands from its environment: outside single
/// quotes, not assigned earlier in the command (`NAME=...`, `for NAME in`, `read NAME`), and
/// not a variable every shell sets. Lower-case names are the command's own (`$rc`, `$link`), as
/// the catalogs write them. `catalog_secrets` are the names the transition declares secret.
#[must_use]
pub fn placeholders(command: &str, catalog_secrets: &[&str]) -> Vec<Placeholder> {
    let mut found = BTreeSet::new();
    let mut assigned: BTreeSet<String> = BTreeSet::new();
    let bytes = command.as_bytes();
    let mut i = 0;
    let mut single = false;
    let mut double = false;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\\' if !single => {
                i += 2;
                continue;
            }
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'$' if !single => {
                let braced = bytes.get(i + 1) == Some(&b'{');
                let start = if braced { i + 2 } else { i + 1 };
                let name = word_at(command, start);
                if is_upper_name(name) && !assigned.contains(name) {
                    found.insert(name.to_owned());
                }
                i = start + name.len();
                continue;
            }
            _ if !single && !double && starts_word(bytes, i) => {
                let word = word_at(command, i);
                let after = &command[i + word.len()..];
                if after.starts_with('=') {
                    assigned.insert(word.to_owned());
                } else if matches!(word, "for" | "read") {
                    let next = after.trim_start();
                    assigned.insert(word_at(next, 0).to_owned());
                }
                if !word.is_empty() {
                    i += word.len();
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
        .into_iter()
        .filter(|name| !SHELL_VARIABLES.contains(&name.as_str()))
        .map(|name| Placeholder {
            secret: catalog_secrets.contains(&name.as_str()) || is_secret(&name),
            name,
        })
        .collect()
}

/// The shell name (letters, digits, `_`) starting at byte `start` of `text`.
fn word_at(text: &str, start: usize) -> &str {
    let rest = text.get(start..).unwrap_or_default();
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// Whether a word starts at byte `i`: the command's start or after a separator.
fn starts_word(bytes: &[u8], i: usize) -> bool {
    (bytes[i].is_ascii_alphabetic() || bytes[i] == b'_')
        && (i == 0
            || matches!(
                bytes[i - 1],
                b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'('
            ))
}

fn is_upper_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    fn names(command: &str) -> Vec<(String, bool)> {
        placeholders(command, &[])
            .into_iter()
            .map(|p| (p.name, p.secret))
            .collect()
    }

    #[test]
    fn the_catalogs_placeholders() {
        assert_eq!(
            names(
                "openstack-config --set /etc/neutron/neutron.conf DEFAULT nova_admin_password \
                 \"$NOVA_ADMIN_PASSWORD\""
            ),
            [("NOVA_ADMIN_PASSWORD".to_owned(), true)]
        );
        assert_eq!(
            names(
                "openstack-config --set f database connection \"mysql://nova:${NOVA_DBPASS}@$DB_HOST/nova\""
            ),
            [
                ("DB_HOST".to_owned(), false),
                ("NOVA_DBPASS".to_owned(), true)
            ]
        );
        assert_eq!(
            names("x \"http://$KEYSTONE_HOST:35357/v2.0\" $RABBIT_PASS $SERVICE_TENANT_ID"),
            [
                ("KEYSTONE_HOST".to_owned(), false),
                ("RABBIT_PASS".to_owned(), true),
                ("SERVICE_TENANT_ID".to_owned(), false)
            ]
        );
    }

    #[test]
    fn a_name_the_catalog_declares_secret_is_secret_whatever_it_says() {
        let found = placeholders("echo \"$ADMIN_WORD $DB_HOST\"", &["ADMIN_WORD"]);
        let secret: Vec<(&str, bool)> = found.iter().map(|p| (p.name.as_str(), p.secret)).collect();
        assert_eq!(secret, [("ADMIN_WORD", true), ("DB_HOST", false)]);
    }

    #[test]
    fn the_commands_own_variables_are_not_placeholders() {
        for own in [
            "rc=0; nova-status upgrade check || rc=$?; [ \"$rc\" -le 1 ]",
            "for link in /x/*-{host}; do echo \"$link\" $p; done",
            "mysql -N -e 'SELECT 1' | while read t; do echo $t; done",
            "awk '{print $NF}' /etc/x",
            "echo \\$NOT_EXPANDED $HOME $PATH",
            "N=3; echo $N",
            "for NAME in a b; do echo $NAME; done",
            "trap 'rm $TMPFILE' EXIT",
            "echo $$ $1",
        ] {
            assert_eq!(names(own), [], "{own}");
        }
    }
}
