//! The `hosts:` list: entries, ranges, roles, and the checks across entries.

use std::collections::HashMap;

use crate::diagnostic::{Mark, Sink};
use crate::model::{Connection, Host, Role};
use crate::os::{ACCEPTED_OS_FORMS, Os};
use crate::version::Version;
use crate::vocabulary::ReleaseVocabulary;
use crate::yaml::{Entry, Node, Value};
use crate::{hostname, range};

use super::connection::{self, Override};
use super::host_address::{self, Claims, Named};
use super::host_fields;
use super::read::{self, Fields, Section};

const HOST: Section = Section {
    what: "a host entry",
    place: "in a host entry",
    keys: &[
        "name",
        "roles",
        "os",
        "nova_version",
        "instances",
        "services",
        "address",
        "connection",
    ],
};

/// Far above any real cloud, low enough that a typo like `cmp[1:9999999]` fails fast.
pub const MAX_HOSTS: usize = 100_000;

/// One `hosts:` entry, read; `names` are its expanded host names.
struct HostEntry {
    names: Vec<String>,
    line: u32,
    roles: Vec<Role>,
    os: Os,
    nova_version: Option<Version>,
    instances: u32,
    services: Option<Vec<String>>,
    /// One per name, in the same order; `None` when the names are the addresses.
    addresses: Option<Vec<String>>,
    ssh: Override,
}

/// Where a host name was first defined, for duplicate reports.
struct FirstDefinition {
    entry: usize,
    line: u32,
}

pub(crate) fn hosts(
    sink: &mut Sink<'_>,
    hosts: &Entry,
    release: Option<&ReleaseVocabulary>,
    connection: &Connection,
) -> Option<Vec<Host>> {
    let items = match &hosts.value.value {
        Value::Sequence(items) => items,
        Value::Invalid => return None,
        _ => {
            sink.error(
                hosts.value.mark,
                format!(
                    "`hosts` must be a list of host entries, found {}",
                    hosts.value.describe()
                ),
                Some("start each host entry with `- name:`".to_owned()),
            );
            return None;
        }
    };
    if items.is_empty() {
        sink.error(
            hosts.key.mark,
            "`hosts` is empty",
            Some("list at least one host; a cloud needs a `controller`".to_owned()),
        );
        return None;
    }
    let mut state = Across::default();
    let mut entries = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        entries.push(host_entry(sink, item, index, release, &mut state));
    }
    if !state.has_controller && !state.roles_uncertain {
        sink.error(
            hosts.key.mark,
            "no host has the `controller` role",
            Some(
                "add `controller` (or `all-in-one`) to the roles of the host that runs the \
                 OpenStack APIs"
                    .to_owned(),
            ),
        );
    }
    let mut out = Vec::with_capacity(state.total);
    for (index, entry) in entries.into_iter().enumerate() {
        let entry = entry?;
        let addresses = entry.addresses.unwrap_or_else(|| entry.names.clone());
        for (name, address) in entry.names.into_iter().zip(addresses) {
            out.push(Host {
                name,
                address,
                ssh_user: entry.ssh.user.clone().or_else(|| connection.user.clone()),
                ssh_port: entry.ssh.port.or(connection.port),
                roles: entry.roles.clone(),
                os: entry.os.clone(),
                nova_version: entry.nova_version.clone(),
                instances: entry.instances,
                services: entry.services.clone(),
                line: entry.line,
                entry: index,
            });
        }
    }
    Some(out)
}

/// What the checks across entries need to remember.
#[derive(Default)]
struct Across {
    first: HashMap<String, FirstDefinition>,
    addresses: Claims,
    /// Raw `name:` of each entry read so far, by entry index.
    raw_names: HashMap<usize, String>,
    total: usize,
    has_controller: bool,
    /// A role could not be read, so "no controller" might be a false alarm.
    roles_uncertain: bool,
}

impl Across {
    /// Reports, once per earlier entry, the names this entry shares with it.
    fn check_duplicates(
        &mut self,
        sink: &mut Sink<'_>,
        index: usize,
        raw_name: &str,
        names: &[String],
        mark: Mark,
        line: u32,
    ) {
        // Earlier entry -> (first shared name, its line, how many names are shared).
        let mut clashes: Vec<(usize, String, u32, usize)> = Vec::new();
        for name in names {
            match self.first.get(name) {
                Some(first) => match clashes.iter_mut().find(|c| c.0 == first.entry) {
                    Some(clash) => clash.3 += 1,
                    None => clashes.push((first.entry, name.clone(), first.line, 1)),
                },
                None => {
                    self.first
                        .insert(name.clone(), FirstDefinition { entry: index, line });
                }
            }
        }
        self.raw_names.insert(index, raw_name.to_owned());
        for (first_entry, name, line, count) in clashes {
            let by = self.raw_names.get(&first_entry).map_or("", String::as_str);
            let message = if first_entry == index {
                format!("host `{name}` is produced twice by `{by}`")
            } else if by == name {
                format!("host `{name}` is also defined at line {line}")
            } else {
                format!("host `{name}` is also defined at line {line} (by `{by}`)")
            };
            let help = if first_entry == index {
                format!(
                    "{count} names repeat because two ranges run together; put a separator \
                     between them, e.g. `node[1:12]-[1:21]`"
                )
            } else if count > 1 {
                format!(
                    "{count} host names are defined by both entries; each host must be \
                     defined once, so narrow one of the ranges"
                )
            } else {
                "each host must be defined once; remove or rename one of them".to_owned()
            };
            sink.error(mark, message, Some(help));
        }
    }
}

fn host_entry(
    sink: &mut Sink<'_>,
    node: &Node,
    index: usize,
    release: Option<&ReleaseVocabulary>,
    state: &mut Across,
) -> Option<HostEntry> {
    let Some(fields) = Fields::new(sink, node, &HOST) else {
        state.roles_uncertain = true;
        return None;
    };
    let name = fields
        .required(
            sink,
            "name",
            "add `name: HOST` or a range such as `name: cmp[001:040]`".to_owned(),
        )
        .and_then(|e| names(sink, e, index, state));
    let (roles, roles_certain) = host_fields::roles(sink, &fields);
    state.roles_uncertain |= !roles_certain;
    if let Some(roles) = &roles {
        state.has_controller |= roles.contains(&Role::Controller);
    }
    let os = fields
        .required(
            sink,
            "os",
            format!(
                "add e.g. `os: centos-6.5`; accepted forms: {}",
                ACCEPTED_OS_FORMS.join(", ")
            ),
        )
        .and_then(|e| host_fields::os(sink, e));
    let nova_version = match fields.get("nova_version") {
        None => Some(None),
        Some(e) => host_fields::version(sink, e).map(Some),
    };
    let instances = match fields.get("instances") {
        None => Some(0),
        Some(e) => read::u32(sink, e),
    };
    let services = match fields.get("services") {
        None => Some(None),
        Some(e) => host_fields::services(sink, e, release).map(Some),
    };
    let addresses = entry_addresses(sink, &fields, name.as_ref(), state);
    let ssh = connection::host(sink, fields.get("connection"));
    let (names, line) = name?;
    Some(HostEntry {
        names,
        line,
        roles: roles?,
        os: os?,
        nova_version: nova_version?,
        instances: instances?,
        services: services?,
        addresses: addresses?,
        ssh: ssh?,
    })
}

/// The entry's `address:` read against its names, and every address claimed; `Some(None)`
/// when the names are the addresses.
fn entry_addresses(
    sink: &mut Sink<'_>,
    fields: &Fields<'_>,
    names: Option<&(Vec<String>, u32)>,
    state: &mut Across,
) -> Option<Option<Vec<String>>> {
    let name_entry = fields.get("name");
    let named = names.zip(name_entry).and_then(|((expanded, _), entry)| {
        let raw = read::scalar_text_quiet(&entry.value)?;
        Some(Named {
            raw,
            count: expanded.len(),
        })
    });
    let explicit = fields.get("address");
    let addresses = match explicit {
        None => None,
        Some(entry) => Some(host_address::addresses(sink, entry, named)?),
    };
    if let (Some((expanded, line)), Some(mark)) =
        (names, explicit.or(name_entry).map(|entry| entry.value.mark))
    {
        let claimed = addresses.as_ref().unwrap_or(expanded);
        let pairs: Vec<(&str, &str)> = expanded
            .iter()
            .map(String::as_str)
            .zip(claimed.iter().map(String::as_str))
            .collect();
        state
            .addresses
            .claim(sink, &pairs, explicit.is_some(), mark, *line);
    }
    Some(addresses)
}

/// The entry's raw name, its expansion, and where it is. Duplicates are checked here, so
/// that they are reported even when the rest of the entry has mistakes.
fn names(
    sink: &mut Sink<'_>,
    entry: &Entry,
    index: usize,
    state: &mut Across,
) -> Option<(Vec<String>, u32)> {
    let raw = read::text(sink, entry)?;
    let mark = entry.value.mark;
    let max = u64::try_from(MAX_HOSTS).unwrap_or(u64::MAX);
    let already = u64::try_from(state.total).unwrap_or(u64::MAX);
    let expanded = match range::count(raw) {
        Ok(count) if count > max => Err(range::RangeError::TooMany { limit: MAX_HOSTS }),
        Ok(count) if count.saturating_add(already) > max => {
            sink.error(
                mark,
                format!(
                    "host name `{raw}`: the inventory would define more than {MAX_HOSTS} hosts"
                ),
                Some("check the range bounds for a typo".to_owned()),
            );
            return None;
        }
        Ok(_) => range::expand(raw, MAX_HOSTS),
        Err(error) => Err(error),
    };
    let expanded = match expanded {
        Ok(names) => names,
        Err(error) => {
            sink.error(
                mark,
                format!("host name `{raw}`: {error}"),
                Some(error.help()),
            );
            return None;
        }
    };
    if let Some((bad, problem)) = expanded
        .iter()
        .find_map(|n| hostname::problem(n).map(|p| (n, p)))
    {
        let message = if range::is_range(raw) {
            format!(
                "host name `{raw}` expands to `{bad}`, which is not a valid host name: {problem}"
            )
        } else {
            format!("`{raw}` is not a valid host name: {problem}")
        };
        sink.error(
            mark,
            message,
            Some("use letters, digits and `-`, with `.` between domain parts".to_owned()),
        );
        return None;
    }
    state.total += expanded.len();
    let line = entry.key.mark.line;
    state.check_duplicates(sink, index, raw, &expanded, mark, line);
    Some((expanded, line))
}
