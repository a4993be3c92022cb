//! The fields of one host entry: roles, operating system, Nova version, services.

use std::collections::HashSet;

use crate::diagnostic::Sink;
use crate::model::{ALL_IN_ONE, ALL_IN_ONE_ROLES, Role};
use crate::os::{ACCEPTED_OS_FORMS, Os};
use crate::suggest;
use crate::version::Version;
use crate::vocabulary::ReleaseVocabulary;
use crate::yaml::{Entry, Value};

use super::read::{self, Fields};

const ROLE_WORDS: &[&str] = &[
    "controller",
    "network",
    "compute",
    "storage",
    "spare",
    ALL_IN_ONE,
];

/// The entry's roles, and whether every role could be read (when not, "no controller" could
/// be a false alarm).
pub(super) fn roles(sink: &mut Sink<'_>, fields: &Fields<'_>) -> (Option<Vec<Role>>, bool) {
    let accepted = format!("roles: {}", ROLE_WORDS.join(", "));
    let help = format!("add e.g. `roles: [compute]`; {accepted}");
    let Some(entry) = fields.required(sink, "roles", help) else {
        return (None, false);
    };
    let items = match &entry.value.value {
        Value::Sequence(items) => items,
        Value::Invalid => return (None, false),
        Value::Scalar(s) => {
            sink.error(
                entry.value.mark,
                format!("`roles` must be a list, found {}", entry.value.describe()),
                Some(format!("write `roles: [{}]`", s.text)),
            );
            return (None, false);
        }
        Value::Mapping(_) => {
            sink.error(
                entry.value.mark,
                "`roles` must be a list, found a mapping",
                Some(format!("write e.g. `roles: [compute]`; {accepted}")),
            );
            return (None, false);
        }
    };
    if items.is_empty() {
        sink.error(
            entry.value.mark,
            "this host has no roles",
            Some(format!("give it at least one role; {accepted}")),
        );
        return (None, true);
    }
    let mut roles = Vec::new();
    let mut ok = true;
    for item in items {
        let Some(word) = read::scalar_text(sink, item, "a role") else {
            ok = false;
            continue;
        };
        if word == ALL_IN_ONE {
            roles.extend_from_slice(ALL_IN_ONE_ROLES);
        } else if let Some(role) = Role::from_name(word) {
            roles.push(role);
        } else {
            sink.error(
                item.mark,
                format!("unknown role `{word}`"),
                Some(suggest::help(word, ROLE_WORDS, "roles are")),
            );
            ok = false;
        }
    }
    roles.sort_unstable();
    roles.dedup();
    (ok.then_some(roles), ok)
}

pub(super) fn os(sink: &mut Sink<'_>, entry: &Entry) -> Option<Os> {
    let text = read::text(sink, entry)?;
    let os = Os::parse(text);
    if os.is_none() {
        let forms = ACCEPTED_OS_FORMS.join(", ");
        let help = match Os::suggest(text) {
            Some(fixed) => format!("write it as `{fixed}`; accepted forms: {forms}"),
            None => format!("write FAMILY-VERSION; accepted forms: {forms}"),
        };
        sink.error(
            entry.value.mark,
            format!("operating system `{text}` is not understood"),
            Some(help),
        );
    }
    os
}

pub(super) fn version(sink: &mut Sink<'_>, entry: &Entry) -> Option<Version> {
    let text = read::text(sink, entry)?;
    let version = Version::parse(text);
    if version.is_none() {
        sink.error(
            entry.value.mark,
            format!("`{text}` is not a version"),
            Some("write the dotted Nova package version, e.g. `nova_version: 2013.2.3`".to_owned()),
        );
    }
    version
}

pub(super) fn services(
    sink: &mut Sink<'_>,
    entry: &Entry,
    release: Option<&ReleaseVocabulary>,
) -> Option<Vec<String>> {
    let Value::Sequence(items) = &entry.value.value else {
        if !matches!(entry.value.value, Value::Invalid) {
            sink.error(
                entry.value.mark,
                format!(
                    "`services` must be a list, found {}",
                    entry.value.describe()
                ),
                Some("write e.g. `services: [openstack-nova-compute]`".to_owned()),
            );
        }
        return None;
    };
    let known: Option<Vec<&str>> = release.map(|r| r.services.iter().map(String::as_str).collect());
    let mut services: Vec<String> = Vec::with_capacity(items.len());
    let mut seen = HashSet::new();
    let mut ok = true;
    for item in items {
        let Some(name) = read::scalar_text(sink, item, "a service name") else {
            ok = false;
            continue;
        };
        if let (Some(known), Some(release)) = (&known, release)
            && !known.contains(&name)
        {
            sink.error(
                item.mark,
                format!("unknown service `{name}` for release `{}`", release.release),
                Some(suggest::help(name, known, "known services")),
            );
            ok = false;
            continue;
        }
        if seen.insert(name) {
            services.push(name.to_owned());
        }
    }
    ok.then_some(services)
}
