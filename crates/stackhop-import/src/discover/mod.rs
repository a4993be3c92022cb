//! `stackhop discover`, the part without IO: which read-only probes each host runs (from the
//! catalog's [`Discovery`](stackhop_catalog::Discovery)), what their output says (`read`,
//! `facts`), how that compares with the inventory (`compare`), and the inventory written back
//! with the hosts' values marked (`text`), as a summary for people and as
//! `stackhop.discover/v1` JSON.
//!
//! The executor runs the probes; this module is handed what they printed.

mod compare;
mod database;
mod facts;
mod ranges;
mod read;
mod text;

use std::collections::BTreeMap;

use serde_json::{Value, json};
use stackhop_catalog::{Transition, collapse_hosts};
use stackhop_inventory::Inventory;

pub use compare::{Difference, Discovered, Field, Kind};
pub use facts::{Answer, CloudFacts, Fact, HostFacts, HostJob, ServiceState, jobs};

use crate::ImportError;

/// The JSON document's schema.
pub const SCHEMA: &str = "stackhop.discover/v1";

/// Reads the probes' answers and compares them with the inventory.
pub fn discover(
    transition: &dyn Transition,
    inventory: &Inventory,
    answers: &[Answer],
) -> Discovered {
    let discovery = transition.discovery(inventory);
    let facts = facts::facts(&discovery, inventory, answers);
    compare::compare(transition, &discovery, inventory, facts)
}

/// The discovered inventory as inventory v1 text. It is parsed before it is returned, so
/// discover never hands out an inventory that does not read.
pub fn inventory_text(discovered: &Discovered, file: &str) -> Result<String, ImportError> {
    let text = text::inventory_text(discovered, file);
    stackhop_inventory::parse(
        &text,
        &format!("{file} (discovered)"),
        &stackhop_catalog::vocabulary(),
    )
    .map_err(ImportError::Unwritable)?;
    Ok(text)
}

/// What discover found, for people (standard error), lines within 100 columns.
pub fn summary(discovered: &Discovered, file: &str) -> String {
    let mut out = crate::write::Out::default();
    let hosts = discovered.facts.hosts.len();
    let (failing, rest): (Vec<&Difference>, Vec<&Difference>) =
        discovered.differences.iter().partition(|d| d.fails_check);
    if failing.is_empty() {
        out.wrap(
            "",
            "  ",
            &format!("the {hosts} hosts of {file} agree with it"),
        );
    } else {
        out.wrap(
            "",
            "  ",
            &format!(
                "{file} disagrees with its hosts ({} difference(s)):",
                failing.len()
            ),
        );
        for d in &failing {
            out.wrap("  - ", "    ", &d.message);
        }
    }
    // Filled values come per host and can be thousands: one line per key, hosts collapsed.
    let mut filled: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut tables: Vec<String> = Vec::new();
    for d in rest.iter().filter(|d| d.kind == Kind::Filled) {
        match (&d.host, &d.field) {
            (Some(host), field) => filled.entry(field.key()).or_default().push(host),
            (None, Field::Database(key)) => tables.push(key.clone()),
            (None, field) => tables.push(field.key()),
        }
    }
    for (key, hosts) in &filled {
        out.wrap(
            "filled in: ",
            "  ",
            &format!(
                "{key} on {} (the inventory left it out)",
                collapse_hosts(hosts)
            ),
        );
    }
    if !tables.is_empty() {
        out.wrap(
            "filled in: ",
            "  ",
            &format!(
                "database: {} (the inventory left them out)",
                tables.join(", ")
            ),
        );
    }
    for d in rest.iter().filter(|d| d.kind != Kind::Filled) {
        out.wrap("note: ", "  ", &d.message);
    }
    out.text
}

/// A fact as JSON: its value, or `null` when it could not be read.
fn fact<T>(f: &Fact<T>, value: impl Fn(&T) -> Value) -> Option<Value> {
    match f {
        Fact::NotAsked => None,
        Fact::Read(v) => Some(value(v)),
        Fact::Unread(_) => Some(Value::Null),
    }
}

/// `stackhop.discover/v1`: what each host said, the database, and every difference.
pub fn json(discovered: &Discovered, file: &str) -> String {
    let hosts: Vec<Value> = discovered
        .facts
        .hosts
        .iter()
        .zip(&discovered.inventory.hosts)
        .map(|(f, host)| {
            let mut found = serde_json::Map::new();
            let mut unread = serde_json::Map::new();
            let mut put = |key: &str, value: Option<Value>, why: Option<&String>| {
                if let Some(v) = value {
                    found.insert(key.to_owned(), v);
                }
                if let Some(why) = why {
                    unread.insert(key.to_owned(), json!(why));
                }
            };
            put("os", fact(&f.os, |os| json!(os)), unread_of(&f.os).as_ref());
            put(
                "versions",
                fact(&f.versions, |projects| {
                    Value::Object(
                        projects
                            .iter()
                            .map(|(p, v)| {
                                (p.clone(), v.as_ref().map_or(Value::Null, |v| json!(v.text)))
                            })
                            .collect(),
                    )
                }),
                unread_of(&f.versions).as_ref(),
            );
            put(
                "services",
                fact(&f.services, |states| {
                    json!(
                        states
                            .iter()
                            .filter(|s| s.running)
                            .map(|s| s.service.as_str())
                            .collect::<Vec<_>>()
                    )
                }),
                unread_of(&f.services).as_ref(),
            );
            put(
                "instances",
                fact(&f.instances, |n| json!(n)),
                unread_of(&f.instances).as_ref(),
            );
            json!({
                "name": f.name,
                "address": host.address,
                "found": found,
                "unread": unread,
            })
        })
        .collect();
    let database: serde_json::Map<String, Value> = discovered
        .facts
        .database
        .iter()
        .map(|(k, v)| {
            let typed = |text: &String| match database::db_value(k, text) {
                Some(database::DbValue::Count(n)) => json!(n),
                Some(database::DbValue::Size(gb)) => json!(gb),
                Some(database::DbValue::Flag(b)) => json!(b),
                None => Value::Null,
            };
            (k.clone(), fact(v, typed).unwrap_or(Value::Null))
        })
        .collect();
    let differences: Vec<Value> = discovered
        .differences
        .iter()
        .map(|d| {
            json!({
                "host": d.host,
                "key": d.field.key(),
                "stated": d.stated,
                "found": d.found,
                "kind": d.kind.as_str(),
                "fails_check": d.fails_check,
                "refuses_apply": d.refuses_apply,
                "message": d.message,
            })
        })
        .collect();
    let doc = json!({
        "schema": SCHEMA,
        "inventory": file,
        "cloud": discovered.inventory.name,
        "agrees": discovered.agrees(),
        "hosts": hosts,
        "database": database,
        "differences": differences,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

fn unread_of<T>(f: &Fact<T>) -> Option<String> {
    match f {
        Fact::Unread(why) => Some(why.clone()),
        Fact::NotAsked | Fact::Read(_) => None,
    }
}
