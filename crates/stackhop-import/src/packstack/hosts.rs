//! The hosts an answer file names, the roles each key gives them, and their inventory names.

use std::collections::{BTreeMap, HashMap, HashSet};

use stackhop_inventory::{ALL_IN_ONE_ROLES, Mark, Role, Sink};

use super::answers::{Answer, Answers};
use crate::address::{self, HostForm};
use crate::draft::{Entry, Sourced, cite};

/// One host of the file, as it is written there (an address or a name).
#[derive(Debug)]
struct Known {
    text: String,
    form: HostForm,
    /// The keys that gave each role, in the order read.
    roles: BTreeMap<Role, Vec<String>>,
    /// Where each role was first given.
    role_marks: BTreeMap<Role, Mark>,
    /// The first infrastructure key naming it, and what that key installs.
    infrastructure: Option<(Mark, String)>,
}

/// Past this many bad items in one list, the rest are counted rather than each reported.
const MAX_BAD_ITEMS: usize = 5;

/// The hosts one key names, and where the key is.
#[derive(Debug, Clone)]
pub(super) struct Named {
    pub(super) hosts: Vec<String>,
    /// `KEY, line N`.
    pub(super) from: String,
    pub(super) mark: Mark,
}

/// Every host named, in the order first named.
#[derive(Debug, Default)]
pub(super) struct Book {
    hosts: Vec<Known>,
    index: HashMap<String, usize>,
    /// A host value could not be read, so "no controller" may be a false alarm.
    pub(super) uncertain: bool,
}

impl Book {
    /// Reads `key`'s host list and gives each host `role`; `None` when the key is absent.
    /// `with_device`: items may be `HOST/DEVICE` (swift's storage hosts).
    pub(super) fn add(
        &mut self,
        sink: &mut Sink<'_>,
        answers: &Answers,
        key: &str,
        role: Role,
    ) -> Option<Vec<String>> {
        let named = self.named(sink, answers, key, false)?;
        self.give(&named, role);
        Some(named.hosts)
    }

    /// Reads `key`'s host list (registering its hosts, giving them no role yet); `None` when
    /// the key is absent. `with_device`: items may be `HOST/DEVICE` (swift's storage hosts).
    pub(super) fn named(
        &mut self,
        sink: &mut Sink<'_>,
        answers: &Answers,
        key: &str,
        with_device: bool,
    ) -> Option<Named> {
        let answer = answers.get(key)?;
        Some(Named {
            hosts: self.read(sink, answer, with_device),
            from: cite(&answer.key, answer.line()),
            mark: answer.key_mark,
        })
    }

    /// Notes hosts that `key` names for infrastructure only (`what` it installs there).
    pub(super) fn add_infrastructure(
        &mut self,
        sink: &mut Sink<'_>,
        answers: &Answers,
        key: &str,
        what: &str,
    ) {
        let Some(answer) = answers.get(key) else {
            return;
        };
        for host in self.read(sink, answer, false) {
            if let Some(&i) = self.index.get(&host) {
                let known = &mut self.hosts[i];
                if known.infrastructure.is_none() {
                    let from = format!("{what} ({})", cite(&answer.key, answer.line()));
                    known.infrastructure = Some((answer.key_mark, from));
                }
            }
        }
    }

    /// Gives `role` to the hosts a key named.
    pub(super) fn give(&mut self, named: &Named, role: Role) {
        for host in &named.hosts {
            if let Some(&i) = self.index.get(host) {
                let known = &mut self.hosts[i];
                known.role_marks.entry(role).or_insert(named.mark);
                known
                    .roles
                    .entry(role)
                    .or_default()
                    .push(named.from.clone());
            }
        }
    }

    /// The hosts with `role`, with where each first got it, in the order first named.
    pub(super) fn with_role(&self, role: Role) -> Vec<(&str, Mark)> {
        self.hosts
            .iter()
            .filter_map(|h| Some((h.text.as_str(), *h.role_marks.get(&role)?)))
            .collect()
    }

    pub(super) fn has_role(&self, host: &str, role: Role) -> bool {
        self.index
            .get(host)
            .is_some_and(|&i| self.hosts[i].roles.contains_key(&role))
    }

    pub(super) fn any_with(&self, role: Role) -> bool {
        self.hosts.iter().any(|h| h.roles.contains_key(&role))
    }

    /// The valid hosts of a comma-separated list, each registered; the others reported.
    fn read(&mut self, sink: &mut Sink<'_>, answer: &Answer, with_device: bool) -> Vec<String> {
        let mut hosts = Vec::new();
        let mut bad = 0usize;
        let text = answer.value.text.clone();
        let mut start = 0;
        for item in text.split(',') {
            let item_start = start + (item.len() - item.trim_start().len());
            start += item.len() + 1;
            let trimmed = item.trim();
            // packstack's split_hosts drops empty items.
            if trimmed.is_empty() {
                continue;
            }
            let host = if with_device {
                trimmed.split('/').next().unwrap_or(trimmed)
            } else {
                trimmed
            };
            match address::classify(host) {
                Ok(form) => {
                    self.register(host, form);
                    hosts.push(host.to_owned());
                }
                Err(problem) => {
                    self.uncertain = true;
                    bad += 1;
                    if bad > MAX_BAD_ITEMS {
                        continue;
                    }
                    let mark = answer.mark(sink, item_start, item_start + host.len());
                    sink.error(
                        mark,
                        format!("`{host}` in `{}`: {problem}", answer.key),
                        Some(
                            "packstack takes IP addresses (or host names), separated by commas"
                                .to_owned(),
                        ),
                    );
                }
            }
        }
        if bad > MAX_BAD_ITEMS {
            sink.error(
                answer.key_mark,
                format!(
                    "`{}` has {} more items that are not hosts",
                    answer.key,
                    bad - MAX_BAD_ITEMS
                ),
                Some(
                    "packstack takes IP addresses (or host names), separated by commas".to_owned(),
                ),
            );
        }
        hosts
    }

    fn register(&mut self, host: &str, form: HostForm) {
        if self.index.contains_key(host) {
            return;
        }
        self.index.insert(host.to_owned(), self.hosts.len());
        self.hosts.push(Known {
            text: host.to_owned(),
            form,
            roles: BTreeMap::new(),
            role_marks: BTreeMap::new(),
            infrastructure: None,
        });
    }

    /// Reports the hosts that run only infrastructure: they are left out.
    pub(super) fn report_left_out(&self, sink: &mut Sink<'_>) {
        for known in &self.hosts {
            if let (true, Some((mark, what))) = (known.roles.is_empty(), &known.infrastructure) {
                sink.info(
                    *mark,
                    format!(
                        "host `{}` runs only {what}, which stackhop does not upgrade; it is \
                         left out",
                        known.text
                    ),
                    None,
                );
            }
        }
    }

    /// The `hosts:` entries: controllers first, then network, compute and storage hosts, each
    /// in the order the file first names them. A host given by address gets a name after its
    /// first role (`ctl1`, `net1`, `stor1`, `cmp01`…) and keeps the address.
    pub(super) fn entries(&self) -> Vec<Entry> {
        let mut ordered: Vec<&Known> = self.hosts.iter().filter(|h| !h.roles.is_empty()).collect();
        ordered.sort_by_key(|h| h.roles.keys().next().copied());
        let names = self.names(&ordered);
        ordered
            .iter()
            .zip(names)
            .map(|(known, name)| {
                let roles: Vec<Role> = known.roles.keys().copied().collect();
                let roles_from = known
                    .roles
                    .iter()
                    .map(|(role, keys)| role_origin(*role, keys))
                    .collect::<Vec<_>>()
                    .join("; ");
                let by_address = known.form == HostForm::Ipv4;
                let first_key = known
                    .roles
                    .values()
                    .next()
                    .and_then(|keys| keys.first())
                    .cloned()
                    .unwrap_or_default();
                Entry {
                    name,
                    name_note: by_address.then(|| format!("{} in the answer file", known.text)),
                    address: by_address.then(|| Sourced::read(known.text.clone(), first_key)),
                    roles,
                    roles_from,
                    connection: Vec::new(),
                }
            })
            .collect()
    }

    /// Inventory names, in the order of `ordered`: a host name as it is, an address named
    /// after the host's roles, numbered per prefix, never reusing a name the file gives.
    fn names(&self, ordered: &[&Known]) -> Vec<String> {
        let prefix = |known: &Known| -> &'static str {
            let roles: Vec<Role> = known.roles.keys().copied().collect();
            if roles.as_slice() == ALL_IN_ONE_ROLES {
                return "aio";
            }
            match roles.first() {
                Some(Role::Controller) => "ctl",
                Some(Role::Network) => "net",
                Some(Role::Storage) => "stor",
                Some(Role::Spare) => "spare",
                Some(Role::Compute) | None => "cmp",
            }
        };
        let mut per_prefix: HashMap<&str, usize> = HashMap::new();
        for known in ordered.iter().filter(|k| k.form == HostForm::Ipv4) {
            *per_prefix.entry(prefix(known)).or_default() += 1;
        }
        let mut taken: HashSet<String> = ordered
            .iter()
            .filter(|k| k.form == HostForm::Name)
            .map(|k| k.text.clone())
            .collect();
        let mut next: HashMap<&str, usize> = HashMap::new();
        ordered
            .iter()
            .map(|known| {
                if known.form == HostForm::Name {
                    return known.text.clone();
                }
                let prefix = prefix(known);
                let width = per_prefix
                    .get(prefix)
                    .copied()
                    .unwrap_or(1)
                    .to_string()
                    .len();
                let counter = next.entry(prefix).or_default();
                loop {
                    *counter += 1;
                    let name = format!("{prefix}{:0width$}", *counter);
                    if taken.insert(name.clone()) {
                        return name;
                    }
                }
            })
            .collect()
    }
}

/// `controller: CONFIG_NOVA_API_HOST, line 148 (and 6 other keys)`.
fn role_origin(role: Role, keys: &[String]) -> String {
    let first = keys.first().map_or("", String::as_str);
    match keys.len() {
        0 | 1 => format!("{role}: {first}"),
        2 => format!("{role}: {first} (and 1 other key)"),
        n => format!("{role}: {first} (and {} other keys)", n - 1),
    }
}
