//! The `connection:` mappings: how stackhop's SSH target reaches the hosts.
//!
//! Every value ends up on an ssh command line or in its config, so each is held to a shape
//! (a port, a POSIX user name, `[user@]host[:port]`, a path) that leaves no room for a
//! shell metacharacter, whatever the executor later does with it.

use crate::address;
use crate::diagnostic::Sink;
use crate::model::Connection;
use crate::yaml::Entry;

use super::read::{self, Fields, Section, optional};

const TOP: Section = Section {
    what: "`connection`",
    place: "in `connection`",
    keys: &[
        "user",
        "port",
        "jump",
        "identity_file",
        "ssh_config",
        "known_hosts",
    ],
};

const HOST: Section = Section {
    what: "a host's `connection`",
    place: "in a host's `connection`",
    keys: &["user", "port"],
};

/// The top-level keys a host entry may not override: one client setup for the whole cloud.
const WHOLE_CLOUD_ONLY: &[(&str, &str)] = &[
    (
        "jump",
        "`jump` applies to every host: set it in the top-level `connection:`, or per host in \
         the ssh config file named by `ssh_config`",
    ),
    (
        "identity_file",
        "`identity_file` applies to every host: set it in the top-level `connection:`, or per \
         host in the ssh config file named by `ssh_config`",
    ),
    (
        "ssh_config",
        "`ssh_config` applies to every host: set it in the top-level `connection:`",
    ),
    (
        "known_hosts",
        "`known_hosts` applies to every host: set it in the top-level `connection:`",
    ),
];

/// Longest user name `useradd` accepts.
const MAX_USER: usize = 32;

const USER_HELP: &str = "a user name is letters, digits, `_`, `-` and `.`, starts with a letter \
                         or `_`, and has at most 32 characters";

const PATH_HELP: &str = "write the path with letters, digits and `/ . _ - + = , @ : %` only \
                         (`~/` may start it); spaces and shell characters such as \
                         `; & | $ ` ' \"` are refused so that no value can run a command";

const JUMP_HELP: &str = "write `[user@]host[:port]`, e.g. `jump: admin@bastion.example.com:2222`; \
                         separate several hops with commas; an IPv6 host goes in brackets";

/// A host entry's `connection:`: what it overrides of the top-level one.
#[derive(Debug, Clone, Default)]
pub(crate) struct Override {
    pub(crate) user: Option<String>,
    pub(crate) port: Option<u16>,
}

pub(crate) fn top(sink: &mut Sink<'_>, entry: Option<&Entry>) -> Option<Connection> {
    let Some(entry) = entry else {
        return Some(Connection::default());
    };
    let fields = Fields::new(sink, &entry.value, &TOP)?;
    let user = optional(sink, &fields, "user", user);
    let port = optional(sink, &fields, "port", port);
    let jump = optional(sink, &fields, "jump", jump);
    let identity_file = optional(sink, &fields, "identity_file", path);
    let ssh_config = optional(sink, &fields, "ssh_config", path);
    let known_hosts = optional(sink, &fields, "known_hosts", path);
    Some(Connection {
        user: user?,
        port: port?,
        jump: jump?,
        identity_file: identity_file?,
        ssh_config: ssh_config?,
        known_hosts: known_hosts?,
    })
}

pub(crate) fn host(sink: &mut Sink<'_>, entry: Option<&Entry>) -> Option<Override> {
    let Some(entry) = entry else {
        return Some(Override::default());
    };
    let fields = Fields::with_misplaced(sink, &entry.value, &HOST, WHOLE_CLOUD_ONLY)?;
    let user = optional(sink, &fields, "user", user);
    let port = optional(sink, &fields, "port", port);
    Some(Override {
        user: user?,
        port: port?,
    })
}

/// A text value whose `problem`, if any, is reported as "{what}: {problem}".
fn shaped(
    sink: &mut Sink<'_>,
    entry: &Entry,
    problem: fn(&str) -> Option<String>,
    what: &str,
    help: &str,
) -> Option<String> {
    let text = read::text(sink, entry)?;
    let Some(problem) = problem(text) else {
        return Some(text.to_owned());
    };
    sink.error(
        entry.value.mark,
        format!("{what}: {problem}"),
        Some(help.to_owned()),
    );
    None
}

fn user(sink: &mut Sink<'_>, entry: &Entry) -> Option<String> {
    let what = format!("`{}` is not a valid user name", scalar(entry));
    shaped(sink, entry, user_problem, &what, USER_HELP)
}

fn jump(sink: &mut Sink<'_>, entry: &Entry) -> Option<String> {
    let what = format!("`jump: {}` is not a jump host", scalar(entry));
    shaped(sink, entry, jump_problem, &what, JUMP_HELP)
}

fn path(sink: &mut Sink<'_>, entry: &Entry) -> Option<String> {
    let what = format!("`{}` is not an acceptable path", entry.key.text);
    shaped(sink, entry, path_problem, &what, PATH_HELP)
}

fn scalar(entry: &Entry) -> &str {
    read::scalar_text_quiet(&entry.value).unwrap_or_default()
}

fn port(sink: &mut Sink<'_>, entry: &Entry) -> Option<u16> {
    let number = read::u64(sink, entry)?;
    match u16::try_from(number) {
        Ok(port) if port > 0 => Some(port),
        _ => {
            sink.error(
                entry.value.mark,
                format!(
                    "`{}` must be a TCP port from 1 to 65535, found {number}",
                    entry.key.text
                ),
                Some("SSH listens on port 22 unless its server says otherwise".to_owned()),
            );
            None
        }
    }
}

/// Why `name` is not a portable POSIX user name, or `None`.
fn user_problem(name: &str) -> Option<String> {
    let Some(first) = name.chars().next() else {
        return Some("it is empty".to_owned());
    };
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Some(format!("{} is not allowed", describe(bad)));
    }
    if !(first.is_ascii_alphabetic() || first == '_') {
        return Some("it must start with a letter or `_`".to_owned());
    }
    if name.len() > MAX_USER {
        return Some(format!("it is longer than {MAX_USER} characters"));
    }
    None
}

/// Why `text` is not a file path stackhop passes on, or `None`.
fn path_problem(text: &str) -> Option<String> {
    if text.is_empty() {
        return Some("it is empty".to_owned());
    }
    if text.starts_with('-') {
        return Some("it must not start with `-`".to_owned());
    }
    let body = text.strip_prefix('~').unwrap_or(text);
    if body.len() != text.len() && !body.starts_with('/') {
        return Some("`~` may only start a path as `~/`".to_owned());
    }
    body.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "/._-+=,@:%".contains(*c)))
        .map(|bad| format!("{} is not allowed", describe(bad)))
}

/// Why `text` is not a ProxyJump list (`[user@]host[:port]`, comma-separated), or `None`.
fn jump_problem(text: &str) -> Option<String> {
    for hop in text.split(',') {
        if hop.is_empty() {
            return Some("it has an empty hop between commas".to_owned());
        }
        let (user, rest) = match hop.split_once('@') {
            Some((user, rest)) => (Some(user), rest),
            None => (None, hop),
        };
        if let Some(problem) = user.and_then(user_problem) {
            return Some(format!("its user {problem}"));
        }
        let (host, port) = match split_port(rest) {
            Ok(split) => split,
            Err(problem) => return Some(problem.to_owned()),
        };
        if let Some(problem) = address::problem(host) {
            return Some(format!("host `{host}`: {problem}"));
        }
        if let Some(port) = port
            && !matches!(port.parse::<u16>(), Ok(p) if p > 0)
        {
            return Some(format!("`{port}` is not a TCP port from 1 to 65535"));
        }
    }
    None
}

/// `host[:port]` or `[ipv6][:port]`.
fn split_port(hop: &str) -> Result<(&str, Option<&str>), &'static str> {
    if let Some(bracketed) = hop.strip_prefix('[') {
        let (host, tail) = bracketed
            .split_once(']')
            .ok_or("an IPv6 host has `[` but no `]`")?;
        return match tail {
            "" => Ok((host, None)),
            _ => tail
                .strip_prefix(':')
                .map(|port| (host, Some(port)))
                .ok_or("only `:PORT` may follow `]`"),
        };
    }
    match hop.split_once(':') {
        Some((_, rest)) if rest.contains(':') => Err("an IPv6 host must be written in brackets"),
        Some((host, port)) => Ok((host, Some(port))),
        None => Ok((hop, None)),
    }
}

fn describe(c: char) -> String {
    match c {
        ' ' => "a space".to_owned(),
        '\t' => "a tab".to_owned(),
        c if c.is_control() => "a control character".to_owned(),
        c => format!("`{c}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names() {
        for good in ["root", "_svc", "stack-user", "a.b", "Admin1"] {
            assert_eq!(user_problem(good), None, "{good}");
        }
        for bad in ["", "root;rm", "1root", "-x", "a b", "$(id)", "ro`ot", "é"] {
            assert!(user_problem(bad).is_some(), "{bad}");
        }
        assert!(user_problem(&"a".repeat(33)).is_some());
    }

    #[test]
    fn paths() {
        for good in [
            "~/.ssh/id_ed25519",
            "/etc/ssh/ssh_config",
            "keys/lab-key",
            "/a/b%d",
        ] {
            assert_eq!(path_problem(good), None, "{good}");
        }
        for bad in [
            "",
            "-oProxyCommand=id",
            "~root/x",
            "/a b",
            "/a;rm -rf /",
            "$HOME/x",
            "/a/`id`",
            "/x'y",
            "/a\nb",
        ] {
            assert!(path_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn jump_hosts() {
        for good in [
            "bastion",
            "admin@bastion.example.com:2222",
            "10.0.0.1,ops@10.0.1.1:22",
            "[fd00::1]:2222",
            "[fd00::1]",
        ] {
            assert_eq!(jump_problem(good), None, "{good}");
        }
        for bad in [
            "",
            "a,,b",
            "root;rm@host",
            "host:0",
            "host:ssh",
            "fd00::1",
            "[fd00::1",
            "[fd00::1]x",
            "host;reboot",
            "-oProxyCommand=id",
        ] {
            assert!(jump_problem(bad).is_some(), "{bad}");
        }
    }
}
