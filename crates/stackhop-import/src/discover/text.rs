//! The discovered inventory as inventory v1 text: every key the inventory had, the hosts'
//! values in place of its own, each such value marked beside it with what the inventory said.
//! Host entries keep their ranges where their hosts still agree (`cmp[1:3]`), and split where
//! one differs.

use std::collections::BTreeMap;

use stackhop_inventory::{ALL_IN_ONE, ALL_IN_ONE_ROLES, Batch, Host, Inventory, Options};

use super::compare::{Difference, Discovered, Field, Kind};
use super::ranges::collapse;
use crate::write::{Out, yaml_word};

/// What to say beside values, from the differences: per host and key, per database key, and
/// lines under a host entry (versions the inventory has no key for).
#[derive(Default)]
struct Marks {
    values: BTreeMap<(String, String), Vec<String>>,
    notes: BTreeMap<String, Vec<String>>,
    database: BTreeMap<String, Vec<String>>,
}

impl Marks {
    fn of(differences: &[Difference]) -> Marks {
        let mut marks = Marks::default();
        for d in differences {
            let detail = match &d.host {
                Some(h) => d
                    .message
                    .strip_prefix(&format!("{h}: "))
                    .unwrap_or(&d.message),
                None => &d.message,
            };
            let said = d.stated.as_deref().unwrap_or("nothing");
            let text = match (&d.field, d.kind) {
                (_, Kind::Unread) => format!("not confirmed: {detail}"),
                (Field::Services | Field::Version(_), _) => format!("discovered: {detail}"),
                (_, Kind::Filled) => "discovered".to_owned(),
                (_, Kind::Disagrees | Kind::Updated) => {
                    format!("discovered; the inventory said {said}")
                }
            };
            match (&d.host, &d.field) {
                (None, Field::Database(key)) => {
                    marks.database.entry(key.clone()).or_default().push(text);
                }
                (Some(h), Field::Version(_)) => {
                    marks.notes.entry(h.clone()).or_default().push(text)
                }
                (Some(h), field) => marks
                    .values
                    .entry((h.clone(), field.key()))
                    .or_default()
                    .push(text),
                (None, _) => {}
            }
        }
        marks
    }

    fn value(&self, host: &str, field: &Field) -> Option<String> {
        self.values
            .get(&(host.to_owned(), field.key()))
            .map(|t| t.join("; "))
    }
}

/// The discovered inventory, as text that parses to it.
pub(crate) fn inventory_text(discovered: &Discovered, file: &str) -> String {
    let inv = &discovered.inventory;
    let marks = Marks::of(&discovered.differences);
    let mut out = Out::default();
    out.comment(
        "",
        &format!(
            "stackhop inventory (v1): {file} as its hosts describe it, written by `stackhop \
             discover`."
        ),
    );
    out.line("#", None);
    out.comment(
        "",
        "A value the hosts gave where the inventory said something else, or nothing, is marked \
         `discovered` beside it, with what the inventory said; a value that could not be read \
         from them is kept and marked `not confirmed`. The comments of the inventory are not \
         carried over.",
    );
    out.blank();
    out.line(&format!("name: {}", yaml_word(&inv.name)), None);
    out.line(&format!("release: {}", yaml_word(&inv.release)), None);
    out.line(&format!("profile: {}", yaml_word(&inv.profile)), None);
    out.line(&format!("network: {}", inv.network.as_str()), None);
    out.line(&format!("rpc_backend: {}", inv.rpc_backend.as_str()), None);
    if inv.compute_driver != Default::default() {
        out.line(
            &format!("compute_driver: {}", inv.compute_driver.as_str()),
            None,
        );
    }
    section(
        &mut out,
        "paths",
        inv.paths
            .iter()
            .map(|(k, v)| (k.clone(), yaml_word(v), None))
            .collect(),
    );
    section(&mut out, "options", options(&inv.options));
    section(&mut out, "database", database(inv, &marks));
    section(&mut out, "connection", connection(inv));
    out.blank();
    out.line("hosts:", None);
    for (i, group) in groups(inv, &marks).iter().enumerate() {
        if i > 0 {
            out.blank();
        }
        write_group(&mut out, group);
    }
    out.text
}

/// `KEY:` and its indented `key: value` lines, or nothing when there are none.
fn section(out: &mut Out, key: &str, lines: Vec<(String, String, Option<String>)>) {
    if lines.is_empty() {
        return;
    }
    out.blank();
    out.line(&format!("{key}:"), None);
    for (k, v, comment) in lines {
        out.line(&format!("  {k}: {v}"), comment.as_deref());
    }
}

/// The options that differ from their defaults.
fn options(o: &Options) -> Vec<(String, String, Option<String>)> {
    let d = Options::default();
    let mut lines: Vec<(&str, String)> = Vec::new();
    if o.compute_batch != d.compute_batch {
        lines.push((
            "compute_batch",
            match o.compute_batch {
                Batch::Hosts(n) => n.to_string(),
                Batch::Percent(p) => format!("\"{p}%\""),
            },
        ));
    }
    if o.canary != d.canary {
        lines.push(("canary", o.canary.to_string()));
    }
    if o.instance_moves != d.instance_moves {
        lines.push(("instance_moves", o.instance_moves.as_str().to_owned()));
    }
    if o.allow_migrations != d.allow_migrations {
        lines.push(("allow_migrations", o.allow_migrations.to_string()));
    }
    for (key, value) in [
        ("check_flavor", &o.check_flavor),
        ("check_image", &o.check_image),
        ("check_network", &o.check_network),
    ] {
        if let Some(v) = value {
            lines.push((key, yaml_word(v)));
        }
    }
    if let Some(f) = o.fanout {
        lines.push(("fanout", f.to_string()));
    }
    lines
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v, None))
        .collect()
}

fn database(inv: &Inventory, marks: &Marks) -> Vec<(String, String, Option<String>)> {
    let db = &inv.database;
    let counts = [
        ("keystone_tokens", db.keystone_tokens),
        (
            "nova_instance_actions_events",
            db.nova_instance_actions_events,
        ),
        ("nova_instances", db.nova_instances),
        ("glance_images", db.glance_images),
        ("cinder_volumes", db.cinder_volumes),
        ("neutron_ports", db.neutron_ports),
    ];
    let mut lines: Vec<(&str, String)> = counts
        .iter()
        .filter_map(|(k, v)| v.map(|v| (*k, v.to_string())))
        .collect();
    if let Some(gb) = db.size_gb {
        lines.push(("size_gb", gb.to_string()));
    }
    for (k, v) in [
        ("glance_tables_utf8", db.glance_tables_utf8),
        ("neutron_tables_utf8", db.neutron_tables_utf8),
    ] {
        if let Some(v) = v {
            lines.push((k, v.to_string()));
        }
    }
    lines
        .into_iter()
        .map(|(k, v)| {
            let comment = marks.database.get(k).map(|t| t.join("; "));
            (k.to_owned(), v, comment)
        })
        .collect()
}

fn connection(inv: &Inventory) -> Vec<(String, String, Option<String>)> {
    let c = &inv.connection;
    let mut lines: Vec<(&str, String)> = Vec::new();
    if let Some(u) = &c.user {
        lines.push(("user", yaml_word(u)));
    }
    if let Some(p) = c.port {
        lines.push(("port", p.to_string()));
    }
    for (key, value) in [
        ("jump", &c.jump),
        ("identity_file", &c.identity_file),
        ("ssh_config", &c.ssh_config),
        ("known_hosts", &c.known_hosts),
    ] {
        if let Some(v) = value {
            lines.push((key, yaml_word(v)));
        }
    }
    lines
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v, None))
        .collect()
}

/// A host entry's lines after `name:` and `address:`, with their comments.
type Body = Vec<(String, Option<String>)>;

/// Hosts written as one entry.
struct Group<'i> {
    hosts: Vec<&'i Host>,
    body: Body,
    notes: Vec<String>,
}

fn body(inv: &Inventory, host: &Host, marks: &Marks) -> Body {
    let mark = |field: Field| marks.value(&host.name, &field);
    let mut body: Body = Vec::new();
    let user = host
        .ssh_user
        .as_ref()
        .filter(|u| inv.connection.user.as_ref() != Some(*u));
    let port = host.ssh_port.filter(|p| inv.connection.port != Some(*p));
    let mut connection: Vec<String> = Vec::new();
    if let Some(u) = user {
        connection.push(format!("user: {}", yaml_word(u)));
    }
    if let Some(p) = port {
        connection.push(format!("port: {p}"));
    }
    if !connection.is_empty() {
        body.push((format!("connection: {{{}}}", connection.join(", ")), None));
    }
    let roles: Vec<&str> = if host.roles.as_slice() == ALL_IN_ONE_ROLES {
        vec![ALL_IN_ONE]
    } else {
        host.roles.iter().map(|r| r.as_str()).collect()
    };
    body.push((format!("roles: [{}]", roles.join(", ")), None));
    body.push((format!("os: {}", yaml_word(&host.os.text)), mark(Field::Os)));
    let version_mark = mark(Field::NovaVersion);
    if let Some(v) = &host.nova_version {
        body.push((
            format!("nova_version: {}", yaml_word(&v.text)),
            version_mark,
        ));
    } else if let Some(m) = version_mark {
        body.push((format!("# nova_version: {m}"), None));
    }
    let instances_mark = mark(Field::Instances);
    if host.instances != 0 || instances_mark.is_some() {
        body.push((format!("instances: {}", host.instances), instances_mark));
    }
    let services_mark = mark(Field::Services);
    if let Some(services) = &host.services {
        let names: Vec<String> = services.iter().map(|s| yaml_word(s)).collect();
        body.push((format!("services: [{}]", names.join(", ")), services_mark));
    } else if let Some(m) = services_mark {
        body.push((format!("# services: {m}"), None));
    }
    body
}

/// Consecutive hosts of one inventory entry that are written alike, as one entry each.
fn groups<'i>(inv: &'i Inventory, marks: &Marks) -> Vec<Group<'i>> {
    let mut groups: Vec<Group<'i>> = Vec::new();
    for host in &inv.hosts {
        let body = body(inv, host, marks);
        let notes = marks.notes.get(&host.name).cloned().unwrap_or_default();
        if let Some(last) = groups.last_mut()
            && last.hosts[0].entry == host.entry
            && last.body == body
            && last.notes == notes
        {
            last.hosts.push(host);
            continue;
        }
        groups.push(Group {
            hosts: vec![host],
            body,
            notes,
        });
    }
    groups
        .into_iter()
        .flat_map(|g| {
            if g.hosts.len() == 1 || entry_names(&g).is_some() {
                vec![g]
            } else {
                // No range writes these hosts back: one entry each.
                g.hosts
                    .iter()
                    .map(|h| Group {
                        hosts: vec![*h],
                        body: g.body.clone(),
                        notes: g.notes.clone(),
                    })
                    .collect()
            }
        })
        .collect()
}

/// The `name:` and `address:` of a group's entry: a host's own, or ranges that expand to them.
fn entry_names(group: &Group<'_>) -> Option<(String, Option<String>)> {
    let own_address = |h: &Host| (h.address != h.name).then(|| h.address.clone());
    if let [host] = group.hosts.as_slice() {
        return Some((host.name.clone(), own_address(host)));
    }
    let names: Vec<&str> = group.hosts.iter().map(|h| h.name.as_str()).collect();
    let name = collapse(&names)?;
    let addressed = group.hosts.iter().filter(|h| h.address != h.name).count();
    let address = match addressed {
        0 => None,
        n if n == group.hosts.len() => {
            let addresses: Vec<&str> = group.hosts.iter().map(|h| h.address.as_str()).collect();
            Some(collapse(&addresses)?)
        }
        _ => return None,
    };
    Some((name, address))
}

fn write_group(out: &mut Out, group: &Group<'_>) {
    let Some((name, address)) = entry_names(group) else {
        return;
    };
    out.line(&format!("  - name: {}", yaml_word(&name)), None);
    if let Some(address) = address {
        out.line(&format!("    address: {}", yaml_word(&address)), None);
    }
    for (line, comment) in &group.body {
        match line.strip_prefix("# ") {
            Some(text) => out.comment("    ", text),
            None => out.line(&format!("    {line}"), comment.as_deref()),
        }
    }
    for note in &group.notes {
        out.comment("    ", note);
    }
}
