//! The cloud's database as the controller's `mysql` reports it, against the inventory's
//! `database:`. Sizes only tune the estimates: filled in or updated, never a disagreement;
//! whether glance's tables are utf8 decides a step of the plan, so it can disagree.

use stackhop_inventory::Database;

use super::compare::{Difference, Field, Kind};
use super::facts::Fact;

/// A `database:` value, typed as the inventory reads it.
pub(super) enum DbValue {
    Count(u64),
    Size(f64),
    Flag(bool),
}

pub(super) fn db_value(key: &str, text: &str) -> Option<DbValue> {
    match key {
        "size_gb" => text
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .map(DbValue::Size),
        "glance_tables_utf8" | "neutron_tables_utf8" => match text {
            "1" | "true" => Some(DbValue::Flag(true)),
            "0" | "false" => Some(DbValue::Flag(false)),
            _ => None,
        },
        _ => text.parse().ok().map(DbValue::Count),
    }
}

/// The inventory's `database:` fields, by key.
fn db_slot<'d>(db: &'d mut Database, key: &str) -> Option<DbSlot<'d>> {
    Some(match key {
        "keystone_tokens" => DbSlot::Count(&mut db.keystone_tokens),
        "nova_instance_actions_events" => DbSlot::Count(&mut db.nova_instance_actions_events),
        "nova_instances" => DbSlot::Count(&mut db.nova_instances),
        "glance_images" => DbSlot::Count(&mut db.glance_images),
        "cinder_volumes" => DbSlot::Count(&mut db.cinder_volumes),
        "neutron_ports" => DbSlot::Count(&mut db.neutron_ports),
        "size_gb" => DbSlot::Size(&mut db.size_gb),
        "glance_tables_utf8" => DbSlot::Flag(&mut db.glance_tables_utf8),
        "neutron_tables_utf8" => DbSlot::Flag(&mut db.neutron_tables_utf8),
        _ => return None,
    })
}

enum DbSlot<'d> {
    Count(&'d mut Option<u64>),
    Size(&'d mut Option<f64>),
    Flag(&'d mut Option<bool>),
}

/// The database's facts against the inventory's `database:`, which takes the hosts' values.
pub(super) fn compare(db: &mut Database, found: &[(String, Fact<String>)]) -> Vec<Difference> {
    let mut out = Vec::new();
    for (key, fact) in found {
        let field = Field::Database(key.clone());
        let Some(slot) = db_slot(db, key) else {
            continue;
        };
        let text = match fact {
            Fact::Read(text) => text,
            Fact::NotAsked => continue,
            Fact::Unread(why) => {
                out.push(Difference::new(
                    None,
                    field,
                    Kind::Unread,
                    format!("database.{key} not read: {why}"),
                ));
                continue;
            }
        };
        // (stated, found, whether a plan depends on it)
        let (stated, value, plan_relevant): (Option<String>, String, bool) =
            match (slot, db_value(key, text)) {
                (DbSlot::Count(slot), Some(DbValue::Count(n))) => {
                    let stated = slot.map(|s| s.to_string());
                    if *slot == Some(n) {
                        continue;
                    }
                    *slot = Some(n);
                    (stated, n.to_string(), false)
                }
                (DbSlot::Size(slot), Some(DbValue::Size(gb))) => {
                    let stated = slot.map(|s| s.to_string());
                    if *slot == Some(gb) {
                        continue;
                    }
                    *slot = Some(gb);
                    (stated, gb.to_string(), false)
                }
                (DbSlot::Flag(slot), Some(DbValue::Flag(b))) => {
                    let stated = slot.map(|s| s.to_string());
                    if *slot == Some(b) {
                        continue;
                    }
                    *slot = Some(b);
                    // Whether tables are converted before a sync is a step of the plan.
                    (stated, b.to_string(), true)
                }
                _ => {
                    out.push(Difference::new(
                        None,
                        field,
                        Kind::Unread,
                        format!("database.{key}: `{text}` is not a value it can take"),
                    ));
                    continue;
                }
            };
        let kind = match (&stated, plan_relevant) {
            (None, _) => Kind::Filled,
            (Some(_), true) => Kind::Disagrees,
            (Some(_), false) => Kind::Updated,
        };
        let message = match &stated {
            None => format!("database.{key}: {value}, left out of the inventory"),
            Some(s) => format!("database.{key}: {value}, the inventory says {s}"),
        };
        out.push(Difference::new(None, field, kind, message).values(stated, Some(value)));
    }
    out
}
