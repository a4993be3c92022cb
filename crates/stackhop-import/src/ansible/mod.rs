//! Ansible inventories (INI or YAML): hosts get roles from the groups they are in, directly
//! or through `children`; `ansible_host` gives the address; `ansible_user` and `ansible_port`
//! how to connect.

mod groups;
mod ini;
mod model;
mod resolve;
mod yaml;

use std::collections::HashMap;

use stackhop_inventory::{Network, Role, RpcBackend, Sink};

use crate::address;
use crate::draft::{Draft, Entry, Kind, Sourced, cite};
use crate::{ImportError, Options, cloud_name};

use groups::Meaning;
use model::{ALL, Model, UNGROUPED};
use resolve::Roles;

/// The two file formats of an Ansible inventory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ini,
    Yaml,
}

impl Format {
    /// By the file's extension (`.yml`, `.yaml`, `.json`: YAML), else by its first line that
    /// is not blank or a comment: YAML when it is `---` or a `key:`, INI otherwise. Ansible
    /// itself tries its plugins in turn; an INI host pattern never ends with `:`.
    #[must_use]
    pub fn detect(file_name: &str, source: &str) -> Format {
        let lower = file_name.to_ascii_lowercase();
        if [".yml", ".yaml", ".json"]
            .iter()
            .any(|e| lower.ends_with(e))
        {
            return Format::Yaml;
        }
        let first = source
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with(['#', ';']));
        match first {
            Some(line) if line.starts_with("---") => Format::Yaml,
            Some(line) if !line.starts_with('[') && line.trim_end().ends_with(':') => Format::Yaml,
            _ => Format::Ini,
        }
    }
}

/// Variables that say where and how to reach a host (old names after new ones).
const ADDRESS: &[&str] = &["ansible_host", "ansible_ssh_host"];
const USER: &[&str] = &["ansible_user", "ansible_ssh_user"];
const PORT: &[&str] = &["ansible_port", "ansible_ssh_port"];
const CONNECTION: &[&str] = &["ansible_connection"];

pub(crate) fn import(
    sink: &mut Sink<'_>,
    format: Format,
    file_name: &str,
    options: &Options,
    source: &str,
) -> Result<Option<Draft>, ImportError> {
    let (release, profile) = release_and_profile(options)?;
    let transition = stackhop_catalog::find(&release.value, &profile.value).ok_or_else(|| {
        ImportError::NoTransition {
            what: format!("release {} with profile {}", release.value, profile.value),
        }
    })?;
    if source.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#') || (format == Format::Ini && l.starts_with(';'))
    }) {
        sink.error(
            sink.map().span(0, 0),
            "the Ansible inventory is empty",
            Some("give the inventory your playbooks use (`ansible-playbook -i FILE`)".to_owned()),
        );
        return Ok(None);
    }
    let model = match format {
        Format::Ini => ini::read(sink),
        Format::Yaml => yaml::read(sink, source),
    };
    let group_roles = resolve::group_roles(sink, &model);
    let roles: Vec<Roles> = (0..model.hosts.len())
        .map(|h| resolve::host_roles(&model, h, &group_roles))
        .collect();
    report_groups(sink, &model, &group_roles, &roles);
    let names = names(sink, &model, &roles);
    if !roles.iter().any(|r| r.contains_key(&Role::Controller)) {
        if !model.uncertain && !sink.has_errors() {
            no_controller(sink);
        }
        return Ok(None);
    }
    let Some(names) = names else {
        return Ok(None);
    };
    Ok(Some(Draft {
        kind: Kind::Ansible,
        name: cloud_name(file_name, options),
        release,
        profile,
        network: Sourced::assumed(
            Network::Neutron,
            "network",
            "assumed: the inventory does not say",
        ),
        rpc_backend: Sourced::assumed(
            RpcBackend::Rabbit,
            "rpc_backend",
            "assumed: the inventory does not say",
        ),
        os: transition.assumed_os().to_owned(),
        entries: entries(sink, &model, &roles, &names),
    }))
}

/// `--release` (checked), or the newest release the catalog upgrades from; the release's
/// first profile.
fn release_and_profile(
    options: &Options,
) -> Result<(Sourced<String>, Sourced<String>), ImportError> {
    let vocabulary = stackhop_catalog::vocabulary();
    let known = || {
        vocabulary
            .releases
            .iter()
            .map(|r| r.release.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (entry, release) = match &options.release {
        Some(name) => {
            let entry = vocabulary
                .release(name)
                .ok_or_else(|| ImportError::UnknownRelease {
                    release: name.clone(),
                    known: known(),
                })?;
            (entry, Sourced::read(name.clone(), "--release"))
        }
        None => {
            let entry = vocabulary
                .releases
                .last()
                .ok_or_else(|| ImportError::NoTransition {
                    what: "an Ansible inventory".to_owned(),
                })?;
            let release = Sourced::assumed(
                entry.release.clone(),
                "release",
                "assumed: the newest stackhop knows; --release sets it",
            );
            (entry, release)
        }
    };
    let profile = entry.profiles.first().cloned().unwrap_or_default();
    let profile = Sourced::assumed(profile, "profile", "assumed: the release's first profile");
    Ok((release, profile))
}

/// Reports the groups whose hosts are left out (no role), and the groups stackhop does not
/// know; the many groups kolla builds from other groups only (`nova-api:children`) are
/// structure, not news, and go unmentioned.
fn report_groups(sink: &mut Sink<'_>, model: &Model, group_roles: &[Roles], roles: &[Roles]) {
    let mut left_out: HashMap<usize, Vec<&str>> = HashMap::new();
    for (h, host) in model.hosts.iter().enumerate() {
        if !roles[h].is_empty() {
            continue;
        }
        let named: Vec<usize> = host
            .groups
            .iter()
            .copied()
            .filter(|&g| !matches!(model.groups[g].name.as_str(), ALL | UNGROUPED))
            .collect();
        if named.is_empty() {
            sink.warning(
                host.mark,
                format!(
                    "host `{}` is in no group, so it has no role; it is left out",
                    host.name
                ),
                Some(role_help()),
            );
        }
        for g in named {
            left_out.entry(g).or_default().push(&host.name);
        }
    }
    for (g, group) in model.groups.iter().enumerate() {
        if group.hosts.is_empty() || matches!(group.name.as_str(), ALL | UNGROUPED) {
            continue;
        }
        let hosts = left_out.get(&g).map(|h| listing(h));
        match (groups::meaning(&group.name), hosts) {
            (Meaning::NoRole(what), Some(hosts)) => sink.info(
                group.mark,
                format!(
                    "group `{}` runs {what}, which stackhop does not upgrade; left out: {hosts}",
                    group.name
                ),
                None,
            ),
            (Meaning::Unknown, Some(hosts)) if group_roles[g].is_empty() => sink.warning(
                group.mark,
                format!(
                    "group `{}` is not one stackhop maps to a role, so its hosts with no other \
                     role are left out: {hosts}",
                    group.name
                ),
                Some(role_help()),
            ),
            (Meaning::Unknown, None) if group_roles[g].is_empty() => sink.info(
                group.mark,
                format!(
                    "group `{}` is not one stackhop maps to a role; its hosts take their roles \
                     from their other groups",
                    group.name
                ),
                None,
            ),
            _ => {}
        }
    }
}

fn role_help() -> String {
    "put it in a group stackhop maps to a role: `control` or `controller`, `network`, `compute`, \
     `storage` (as kolla-ansible names them), or openstack-ansible's `*_hosts` groups"
        .to_owned()
}

/// Up to five names, then how many more.
fn listing(names: &[&str]) -> String {
    let shown: Vec<&str> = names.iter().take(5).copied().collect();
    match names.len().saturating_sub(shown.len()) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

fn no_controller(sink: &mut Sink<'_>) {
    sink.error(
        sink.map().span(0, 0),
        "no host is in a group stackhop maps to the controller role",
        Some(format!(
            "the groups that give it: {}",
            groups::giving(Role::Controller).join(", ")
        )),
    );
}

/// The inventory name of each host with a role: its Ansible name, or (reported) that name
/// made a valid host name; `None` when two hosts would share one.
fn names(sink: &mut Sink<'_>, model: &Model, roles: &[Roles]) -> Option<Vec<String>> {
    let mut taken: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(model.hosts.len());
    let mut ok = true;
    for (h, host) in model.hosts.iter().enumerate() {
        let name = if address::classify(&host.name).is_ok() || roles[h].is_empty() {
            host.name.clone()
        } else {
            let fixed = valid_name(&host.name);
            match address::classify(&fixed) {
                Ok(_) => {
                    sink.warning(
                        host.mark,
                        format!(
                            "`{}` is not a valid host name for stackhop; it is imported as \
                             `{fixed}`",
                            host.name
                        ),
                        Some(
                            "host names take letters, digits, `-` and `.`; the Ansible name \
                             stays the address unless `ansible_host` gives one"
                                .to_owned(),
                        ),
                    );
                    fixed
                }
                Err(problem) => {
                    sink.error(
                        host.mark,
                        format!("`{}` cannot be a stackhop host name: {problem}", host.name),
                        Some("rename the host in the Ansible inventory".to_owned()),
                    );
                    ok = false;
                    host.name.clone()
                }
            }
        };
        if !roles[h].is_empty()
            && let Some(&other) = taken.get(&name)
        {
            sink.error(
                host.mark,
                format!(
                    "`{}` and `{}` would both be imported as `{name}`",
                    model.hosts[other].name, host.name
                ),
                Some("rename one of them in the Ansible inventory".to_owned()),
            );
            ok = false;
        }
        taken.entry(name.clone()).or_insert(h);
        out.push(name);
    }
    ok.then_some(out)
}

/// Every character a host name may not hold becomes `-`, and no part starts or ends with one.
fn valid_name(name: &str) -> String {
    name.split('.')
        .map(|label| {
            let replaced: String = label
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            replaced.trim_matches('-').to_owned()
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// One host as the inventory will describe it, before hosts alike are merged into ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shape {
    roles: Vec<Role>,
    roles_from: String,
    address: Option<Sourced<String>>,
    connection: Vec<String>,
}

/// The entries, in the order of the patterns that first wrote their hosts. The hosts of one
/// pattern that the inventory describes alike stay one entry (the pattern itself, or a range
/// made from their names); the others get one entry each.
fn entries(sink: &mut Sink<'_>, model: &Model, roles: &[Roles], names: &[String]) -> Vec<Entry> {
    let mut out = Vec::new();
    for pattern in &model.patterns {
        let hosts: Vec<usize> = pattern
            .first_hosts
            .iter()
            .copied()
            .filter(|&h| !roles[h].is_empty())
            .collect();
        let shapes: Vec<Shape> = hosts
            .iter()
            .map(|&h| shape(sink, model, h, &roles[h], &names[h]))
            .collect();
        let whole = hosts.len() == pattern.first_hosts.len()
            && hosts.iter().all(|&h| names[h] == model.hosts[h].name)
            && shapes.windows(2).all(|w| w[0] == w[1])
            && shapes.first().is_some_and(|s| s.address.is_none());
        if whole && let Some(shape) = shapes.first() {
            out.push(entry(pattern.text.clone(), shape.clone()));
            continue;
        }
        let mut i = 0;
        while i < hosts.len() {
            let mut j = i + 1;
            while j < hosts.len() && shapes[j] == shapes[i] && shapes[i].address.is_none() {
                j += 1;
            }
            let run: Vec<&str> = hosts[i..j].iter().map(|&h| names[h].as_str()).collect();
            match as_range(&run) {
                Some(range) => out.push(entry(range, shapes[i].clone())),
                None => {
                    for (k, name) in run.iter().enumerate() {
                        out.push(entry((*name).to_owned(), shapes[i + k].clone()));
                    }
                }
            }
            i = j;
        }
    }
    out
}

fn entry(name: String, shape: Shape) -> Entry {
    Entry {
        name,
        name_note: None,
        address: shape.address,
        roles: shape.roles,
        roles_from: shape.roles_from,
        connection: shape.connection,
    }
}

fn shape(sink: &mut Sink<'_>, model: &Model, h: usize, roles: &Roles, name: &str) -> Shape {
    let host = &model.hosts[h];
    let roles_from = roles
        .iter()
        .map(|(role, &g)| {
            let group = &model.groups[g];
            format!(
                "{role}: {}",
                cite(&format!("group {}", group.name), group.mark.line)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let address = match resolve::variable(model, h, ADDRESS) {
        Some(var) => match address::classify(&var.value) {
            Ok(_) => Some(Sourced::read(
                var.value.clone(),
                cite(&var.key, var.mark.line),
            )),
            Err(problem) => {
                sink.warning(
                    var.mark,
                    format!(
                        "`{}` of host `{}` is not an address stackhop can use ({problem}); \
                         it is left out",
                        var.key, host.name
                    ),
                    None,
                );
                None
            }
        },
        // A renamed host keeps its Ansible name as its address, if SSH can reach that.
        None if name != host.name => match address::classify(&host.name) {
            Ok(_) => Some(Sourced::read(
                host.name.clone(),
                cite("the Ansible host name", host.mark.line),
            )),
            Err(problem) => {
                sink.warning(
                    host.mark,
                    format!(
                        "host `{}` is written `{name}` in the inventory, and its Ansible name is \
                         no address SSH can use ({problem}); give it `ansible_host`",
                        host.name
                    ),
                    None,
                );
                None
            }
        },
        None => None,
    };
    let mut connection = Vec::new();
    if let Some(var) = resolve::variable(model, h, USER) {
        connection.push(format!(
            "user {} ({})",
            var.value,
            cite(&var.key, var.mark.line)
        ));
    }
    let port = host
        .port
        .as_ref()
        .or_else(|| resolve::variable(model, h, PORT));
    if let Some(var) = port {
        let key = if var.key == "port" {
            "host:port"
        } else {
            var.key.as_str()
        };
        connection.push(format!("port {} ({})", var.value, cite(key, var.mark.line)));
    }
    if let Some(var) = resolve::variable(model, h, CONNECTION) {
        connection.push(format!("{} ({})", var.value, cite(&var.key, var.mark.line)));
    }
    Shape {
        roles: roles.keys().copied().collect(),
        roles_from,
        address,
        connection,
    }
}

/// `cmp01, cmp02, cmp03` → `cmp[01:03]`: names that differ only in a trailing number of one
/// width, consecutive. `None` for a single name or anything else.
fn as_range(names: &[&str]) -> Option<String> {
    if names.len() < 2 {
        return None;
    }
    let split = |name: &str| -> Option<(String, usize, u64)> {
        let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 || digits > 12 {
            return None;
        }
        let (prefix, number) = name.split_at(name.len() - digits);
        if prefix.contains(['[', ']']) {
            return None;
        }
        Some((prefix.to_owned(), digits, number.parse().ok()?))
    };
    let (prefix, width, first) = split(names[0])?;
    for (i, name) in names.iter().enumerate() {
        let (p, w, n) = split(name)?;
        let expected = first.checked_add(u64::try_from(i).ok()?)?;
        if p != prefix || w != width || n != expected {
            return None;
        }
    }
    let last = first + u64::try_from(names.len() - 1).ok()?;
    Some(format!("{prefix}[{first:0width$}:{last:0width$}]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_apart() {
        assert_eq!(Format::detect("hosts.yml", "[x]"), Format::Yaml);
        assert_eq!(
            Format::detect("hosts", "# c\n\n[control]\nctl1\n"),
            Format::Ini
        );
        assert_eq!(Format::detect("hosts", "all:\n  hosts:\n"), Format::Yaml);
        assert_eq!(Format::detect("hosts", "---\nall:\n"), Format::Yaml);
        assert_eq!(Format::detect("hosts", "ctl1:2222\n"), Format::Ini);
    }

    #[test]
    fn names_and_ranges() {
        assert_eq!(
            valid_name("compute_01.example.com"),
            "compute-01.example.com"
        );
        assert_eq!(valid_name("_x_"), "x");
        assert_eq!(
            as_range(&["cmp01", "cmp02", "cmp03"]).as_deref(),
            Some("cmp[01:03]")
        );
        assert_eq!(as_range(&["n8", "n9", "n10"]).as_deref(), None);
        assert_eq!(
            as_range(&["n08", "n09", "n10"]).as_deref(),
            Some("n[08:10]")
        );
        assert_eq!(as_range(&["a1", "a3"]), None);
        assert_eq!(as_range(&["a1"]), None);
        assert_eq!(as_range(&["a1", "b2"]), None);
    }
}
