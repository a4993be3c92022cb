//! The `options:` and `database:` sections.

use crate::diagnostic::Sink;
use crate::model::{Batch, Database, InstanceMoves, Options};
use crate::yaml::{Entry, Value};

use super::read::{self, Fields, Section};

const OPTIONS: Section = Section {
    what: "`options`",
    place: "in `options`",
    keys: &[
        "compute_batch",
        "canary",
        "instance_moves",
        "allow_migrations",
    ],
};

const DATABASE: Section = Section {
    what: "`database`",
    place: "in `database`",
    keys: &[
        "keystone_tokens",
        "nova_instance_actions_events",
        "nova_instances",
        "glance_images",
        "cinder_volumes",
        "neutron_ports",
        "size_gb",
        "glance_tables_utf8",
        "neutron_tables_utf8",
    ],
};

const BATCH_HELP: &str = "write a number of hosts such as `5`, or a percentage of the computes \
                          such as \"10%\"";

/// Reads one optional key with `read`; `None` only when the key was present and wrong.
fn optional<T>(
    sink: &mut Sink<'_>,
    fields: &Fields<'_>,
    key: &str,
    read: impl FnOnce(&mut Sink<'_>, &Entry) -> Option<T>,
) -> Option<Option<T>> {
    match fields.get(key) {
        None => Some(None),
        Some(entry) => read(sink, entry).map(Some),
    }
}

pub(crate) fn options(sink: &mut Sink<'_>, entry: Option<&Entry>) -> Option<Options> {
    let defaults = Options::default();
    let Some(entry) = entry else {
        return Some(defaults);
    };
    let fields = Fields::new(sink, &entry.value, &OPTIONS)?;
    let compute_batch = optional(sink, &fields, "compute_batch", batch);
    let canary = optional(sink, &fields, "canary", read::u32);
    let instance_moves = optional(sink, &fields, "instance_moves", |sink, e| {
        let words: Vec<&str> = InstanceMoves::ALL.iter().map(|m| m.as_str()).collect();
        read::word(sink, e, InstanceMoves::from_name, &words)
    });
    let allow_migrations = optional(sink, &fields, "allow_migrations", read::boolean);
    Some(Options {
        compute_batch: compute_batch?.unwrap_or(defaults.compute_batch),
        canary: canary?.unwrap_or(defaults.canary),
        instance_moves: instance_moves?.unwrap_or(defaults.instance_moves),
        allow_migrations: allow_migrations?.unwrap_or(defaults.allow_migrations),
    })
}

fn batch(sink: &mut Sink<'_>, entry: &Entry) -> Option<Batch> {
    let node = &entry.value;
    let Value::Scalar(scalar) = &node.value else {
        return read::u32(sink, entry).map(Batch::Hosts);
    };
    if let Some(percent) = scalar.text.strip_suffix('%') {
        return match percent.trim().parse::<u32>() {
            Ok(p @ 1..=100) => Some(Batch::Percent(p)),
            _ => {
                sink.error(
                    node.mark,
                    format!(
                        "`compute_batch` percentage must be between 1% and 100%, found {}",
                        node.describe()
                    ),
                    Some(BATCH_HELP.to_owned()),
                );
                None
            }
        };
    }
    if scalar.plain && scalar.text.bytes().all(|b| b.is_ascii_digit()) && !scalar.text.is_empty() {
        let hosts = read::u32(sink, entry)?;
        if hosts == 0 {
            sink.error(
                node.mark,
                "`compute_batch` must be at least 1",
                Some(BATCH_HELP.to_owned()),
            );
            return None;
        }
        return Some(Batch::Hosts(hosts));
    }
    sink.error(
        node.mark,
        format!(
            "expected a number of hosts or a percentage for `compute_batch`, found {}",
            node.describe()
        ),
        Some(BATCH_HELP.to_owned()),
    );
    None
}

pub(crate) fn database(sink: &mut Sink<'_>, entry: Option<&Entry>) -> Option<Database> {
    let Some(entry) = entry else {
        return Some(Database::default());
    };
    let fields = Fields::new(sink, &entry.value, &DATABASE)?;
    let keystone_tokens = optional(sink, &fields, "keystone_tokens", read::u64);
    let events = optional(sink, &fields, "nova_instance_actions_events", read::u64);
    let nova_instances = optional(sink, &fields, "nova_instances", read::u64);
    let glance_images = optional(sink, &fields, "glance_images", read::u64);
    let cinder_volumes = optional(sink, &fields, "cinder_volumes", read::u64);
    let neutron_ports = optional(sink, &fields, "neutron_ports", read::u64);
    let size_gb = optional(sink, &fields, "size_gb", read::non_negative_number);
    let glance_utf8 = optional(sink, &fields, "glance_tables_utf8", read::boolean);
    let neutron_utf8 = optional(sink, &fields, "neutron_tables_utf8", read::boolean);
    Some(Database {
        keystone_tokens: keystone_tokens?,
        nova_instance_actions_events: events?,
        nova_instances: nova_instances?,
        glance_images: glance_images?,
        cinder_volumes: cinder_volumes?,
        neutron_ports: neutron_ports?,
        size_gb: size_gb?,
        glance_tables_utf8: glance_utf8?,
        neutron_tables_utf8: neutron_utf8?,
    })
}
