//! An Ansible inventory as both readers (INI and YAML) build it: groups with their hosts,
//! children and variables, hosts with theirs, each remembering where it was written.

use std::collections::HashMap;

use stackhop_inventory::{MAX_HOSTS, Mark, Sink, range};

/// A `key=value` variable, of a host or a group.
#[derive(Debug, Clone)]
pub(super) struct Var {
    pub(super) key: String,
    pub(super) value: String,
    pub(super) mark: Mark,
}

#[derive(Debug)]
pub(super) struct Group {
    pub(super) name: String,
    /// Where it is first written (its section header, its YAML key).
    pub(super) mark: Mark,
    /// The hosts it lists itself, in order.
    pub(super) hosts: Vec<usize>,
    /// Its child groups, each with where the inventory says so.
    pub(super) children: Vec<(usize, Mark)>,
    pub(super) parents: Vec<usize>,
    pub(super) vars: Vec<Var>,
}

#[derive(Debug)]
pub(super) struct Host {
    /// As Ansible knows it (its `inventory_hostname`).
    pub(super) name: String,
    /// Where it is first written.
    pub(super) mark: Mark,
    pub(super) vars: Vec<Var>,
    /// A `host:port` pattern's port.
    pub(super) port: Option<Var>,
    /// The groups that list it themselves, in order.
    pub(super) groups: Vec<usize>,
}

/// One host pattern as written (`cmp[01:40]`), and the hosts it first wrote.
#[derive(Debug)]
pub(super) struct Pattern {
    /// Without its `:port`.
    pub(super) text: String,
    pub(super) first_hosts: Vec<usize>,
}

#[derive(Debug, Default)]
pub(super) struct Model {
    pub(super) groups: Vec<Group>,
    group_index: HashMap<String, usize>,
    pub(super) hosts: Vec<Host>,
    host_index: HashMap<String, usize>,
    pub(super) patterns: Vec<Pattern>,
    /// A pattern could not be read, so missing roles may be false alarms.
    pub(super) uncertain: bool,
}

/// The implicit groups every Ansible inventory has.
pub(super) const ALL: &str = "all";
pub(super) const UNGROUPED: &str = "ungrouped";

impl Model {
    /// The group called `name`, created (at `mark`) when new.
    pub(super) fn group(&mut self, name: &str, mark: Mark) -> usize {
        if let Some(&i) = self.group_index.get(name) {
            return i;
        }
        let i = self.groups.len();
        self.group_index.insert(name.to_owned(), i);
        self.groups.push(Group {
            name: name.to_owned(),
            mark,
            hosts: Vec::new(),
            children: Vec::new(),
            parents: Vec::new(),
            vars: Vec::new(),
        });
        i
    }

    pub(super) fn find_group(&self, name: &str) -> Option<usize> {
        self.group_index.get(name).copied()
    }

    pub(super) fn add_child(&mut self, parent: usize, child: usize, mark: Mark) {
        if self.groups[parent]
            .children
            .iter()
            .any(|(c, _)| *c == child)
        {
            return;
        }
        self.groups[parent].children.push((child, mark));
        self.groups[child].parents.push(parent);
    }

    /// Adds the hosts of `pattern` (written at `mark`) to `group` with `vars`; reports a
    /// pattern that cannot be expanded.
    pub(super) fn add_hosts(
        &mut self,
        sink: &mut Sink<'_>,
        group: usize,
        pattern: &str,
        mark: Mark,
        vars: &[Var],
    ) {
        let Some((text, port)) = split_port(sink, pattern, mark) else {
            self.uncertain = true;
            return;
        };
        let names = match self.expand(text) {
            Ok(names) => names,
            Err(error) => {
                self.uncertain = true;
                sink.error(
                    mark,
                    format!("host pattern `{text}`: {error}"),
                    Some(error.help()),
                );
                return;
            }
        };
        let mut first_hosts = Vec::new();
        for name in names {
            let host = match self.host_index.get(&name) {
                Some(&h) => h,
                None => {
                    let h = self.hosts.len();
                    self.host_index.insert(name.clone(), h);
                    self.hosts.push(Host {
                        name,
                        mark,
                        vars: Vec::new(),
                        port: None,
                        groups: Vec::new(),
                    });
                    first_hosts.push(h);
                    h
                }
            };
            let entry = &mut self.hosts[host];
            entry.vars.extend(vars.iter().cloned());
            if port.is_some() {
                entry.port.clone_from(&port);
            }
            if !entry.groups.contains(&group) {
                entry.groups.push(group);
                self.groups[group].hosts.push(host);
            }
        }
        self.patterns.push(Pattern {
            text: text.to_owned(),
            first_hosts,
        });
    }

    fn expand(&self, pattern: &str) -> Result<Vec<String>, range::RangeError> {
        let left = MAX_HOSTS.saturating_sub(self.hosts.len());
        let count = range::count(pattern)?;
        if count > u64::try_from(left).unwrap_or(u64::MAX) {
            return Err(range::RangeError::TooMany { limit: MAX_HOSTS });
        }
        range::expand(pattern, left)
    }
}

/// `host:port` → (`host`, the port as a variable). A `:` inside a range's brackets is the
/// range's; only one outside them may give a port.
fn split_port<'p>(
    sink: &mut Sink<'_>,
    pattern: &'p str,
    mark: Mark,
) -> Option<(&'p str, Option<Var>)> {
    let mut depth = 0usize;
    let mut colons = Vec::new();
    for (i, c) in pattern.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ':' if depth == 0 => colons.push(i),
            _ => {}
        }
    }
    match colons.as_slice() {
        [] => Some((pattern, None)),
        [colon] => {
            let (host, port) = (&pattern[..*colon], &pattern[colon + 1..]);
            let valid = port.parse::<u16>().is_ok_and(|p| p > 0)
                && port.bytes().all(|b| b.is_ascii_digit());
            if valid && !host.is_empty() {
                let var = Var {
                    key: "port".to_owned(),
                    value: port.to_owned(),
                    mark,
                };
                return Some((host, Some(var)));
            }
            sink.error(
                mark,
                format!("host pattern `{pattern}`: `{port}` after `:` is not a port"),
                Some("write `HOST` or `HOST:PORT` with a port from 1 to 65535".to_owned()),
            );
            None
        }
        _ => {
            sink.error(
                mark,
                format!("host pattern `{pattern}` has more than one `:`"),
                Some(
                    "IPv6 addresses are not supported as host names; name the host and give \
                     its address in `ansible_host`"
                        .to_owned(),
                ),
            );
            None
        }
    }
}
