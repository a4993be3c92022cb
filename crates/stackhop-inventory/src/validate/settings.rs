//! The `options:` and `database:` sections.

use std::collections::BTreeMap;

use crate::diagnostic::Sink;
use crate::model::{Batch, Database, InstanceMoves, Options};
use crate::suggest;
use crate::vocabulary::ReleaseVocabulary;
use crate::yaml::{Entry, Value};

use super::read::{self, Fields, Section, optional};

const OPTIONS: Section = Section {
    what: "`options`",
    place: "in `options`",
    keys: &[
        "compute_batch",
        "canary",
        "instance_moves",
        "allow_migrations",
        "check_flavor",
        "check_image",
        "check_network",
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
    let owned = |sink: &mut Sink<'_>, e: &Entry| read::text(sink, e).map(str::to_owned);
    let check_flavor = optional(sink, &fields, "check_flavor", owned);
    let check_image = optional(sink, &fields, "check_image", owned);
    let check_network = optional(sink, &fields, "check_network", owned);
    Some(Options {
        compute_batch: compute_batch?.unwrap_or(defaults.compute_batch),
        canary: canary?.unwrap_or(defaults.canary),
        instance_moves: instance_moves?.unwrap_or(defaults.instance_moves),
        allow_migrations: allow_migrations?.unwrap_or(defaults.allow_migrations),
        check_flavor: check_flavor?,
        check_image: check_image?,
        check_network: check_network?,
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

/// The `paths:` mapping: only the keys the profile defines, each a single value.
pub(crate) fn paths(
    sink: &mut Sink<'_>,
    entry: Option<&Entry>,
    release: Option<&ReleaseVocabulary>,
    profile: Option<&str>,
) -> Option<BTreeMap<String, String>> {
    let Some(entry) = entry else {
        return Some(BTreeMap::new());
    };
    // Unknown release or profile: reported already, and the keys cannot be judged.
    let (release, profile) = (release?, profile?);
    let keys: Vec<&str> = release
        .path_keys(profile)
        .iter()
        .map(String::as_str)
        .collect();
    let entries = match &entry.value.value {
        Value::Mapping(entries) => entries,
        Value::Invalid => return None,
        _ => {
            sink.error(
                entry.value.mark,
                format!(
                    "`paths` must be a mapping of `key: value` lines, found {}",
                    entry.value.describe()
                ),
                Some(paths_help(profile, &keys)),
            );
            return None;
        }
    };
    let mut out = BTreeMap::new();
    let mut ok = true;
    for e in entries {
        let key = e.key.text.as_str();
        if !keys.contains(&key) {
            let help = if keys.is_empty() {
                paths_help(profile, &keys)
            } else {
                suggest::help(key, &keys, "the paths this profile reads")
            };
            sink.error(
                e.key.mark,
                format!("unknown key `{key}` in `paths`"),
                Some(help),
            );
            ok = false;
            continue;
        }
        match read::text(sink, e) {
            Some(value) => {
                out.insert(key.to_owned(), value.to_owned());
            }
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn paths_help(profile: &str, keys: &[&str]) -> String {
    if keys.is_empty() {
        format!("profile `{profile}` reads no paths; remove `paths`")
    } else {
        format!("profile `{profile}` reads: {}", keys.join(", "))
    }
}
