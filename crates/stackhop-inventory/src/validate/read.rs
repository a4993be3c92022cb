//! Typed reads of YAML nodes; each failed read reports one diagnostic and yields `None`.

use crate::diagnostic::Sink;
use crate::suggest;
use crate::yaml::{Entry, Node, Value};

/// A mapping the inventory format defines: which keys it takes and how to name it.
pub(crate) struct Section {
    /// Subject of "... must be a mapping", e.g. "`options`".
    pub(crate) what: &'static str,
    /// Where an unknown key was found, e.g. "in `options`".
    pub(crate) place: &'static str,
    pub(crate) keys: &'static [&'static str],
}

/// The entries of a mapping whose keys were checked against a [`Section`].
pub(crate) struct Fields<'n> {
    node: &'n Node,
    entries: &'n [Entry],
}

impl<'n> Fields<'n> {
    /// Reports a node that is not a mapping, and every unknown key.
    pub(crate) fn new(sink: &mut Sink<'_>, node: &'n Node, section: &Section) -> Option<Self> {
        Self::with_misplaced(sink, node, section, &[])
    }

    /// Like [`Fields::new`], but a key of `misplaced` (key, help) is reported as belonging
    /// elsewhere, with that help, instead of as a likely typo.
    pub(crate) fn with_misplaced(
        sink: &mut Sink<'_>,
        node: &'n Node,
        section: &Section,
        misplaced: &[(&str, &str)],
    ) -> Option<Self> {
        let entries = match &node.value {
            Value::Mapping(entries) => entries.as_slice(),
            Value::Invalid => return None,
            _ => {
                sink.error(
                    node.mark,
                    format!(
                        "{} must be a mapping of `key: value` lines, found {}",
                        section.what,
                        node.describe()
                    ),
                    Some(format!("valid keys: {}", section.keys.join(", "))),
                );
                return None;
            }
        };
        for entry in entries {
            let key = entry.key.text.as_str();
            if let Some((_, help)) = misplaced.iter().find(|(k, _)| *k == key) {
                sink.error(
                    entry.key.mark,
                    format!("`{key}` cannot be set {}", section.place),
                    Some((*help).to_owned()),
                );
            } else if !section.keys.contains(&key) {
                sink.error(
                    entry.key.mark,
                    format!("unknown key `{key}` {}", section.place),
                    Some(suggest::help(key, section.keys, "valid keys here")),
                );
            }
        }
        Some(Fields { node, entries })
    }

    /// The entry for `key`, unless it is absent or has no value (`key:` or `key: ~`).
    pub(crate) fn get(&self, key: &str) -> Option<&'n Entry> {
        self.entries
            .iter()
            .find(|e| e.key.text == key)
            .filter(|e| !e.value.is_null())
    }

    /// Like [`Fields::get`], but reports a missing key at the mapping and an empty value at
    /// its key.
    pub(crate) fn required(
        &self,
        sink: &mut Sink<'_>,
        key: &str,
        help: String,
    ) -> Option<&'n Entry> {
        match self.entries.iter().find(|e| e.key.text == key) {
            None => {
                sink.error(
                    self.node.mark,
                    format!("missing required key `{key}`"),
                    Some(help),
                );
                None
            }
            Some(e) if e.value.is_null() => {
                sink.error(e.key.mark, format!("`{key}` has no value"), Some(help));
                None
            }
            Some(e) => Some(e),
        }
    }
}

/// Reads one optional key with `read`; `None` only when the key was present and wrong.
pub(crate) fn optional<T>(
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

/// Any scalar, quoted or not.
pub(crate) fn text<'n>(sink: &mut Sink<'_>, entry: &'n Entry) -> Option<&'n str> {
    scalar_text(sink, &entry.value, &format!("`{}`", entry.key.text))
}

/// The text of a scalar, without reporting anything when it is not one (already reported).
pub(crate) fn scalar_text_quiet(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Scalar(s) if !s.is_null() => Some(s.text.as_str()),
        _ => None,
    }
}

/// Any scalar; `what` names the thing expected, e.g. "a role name".
pub(crate) fn scalar_text<'n>(sink: &mut Sink<'_>, node: &'n Node, what: &str) -> Option<&'n str> {
    match &node.value {
        Value::Scalar(s) if !s.is_null() => Some(s.text.as_str()),
        Value::Invalid => None,
        _ => {
            sink.error(
                node.mark,
                format!(
                    "expected a single value for {what}, found {}",
                    node.describe()
                ),
                Some("write a single word or number here".to_owned()),
            );
            None
        }
    }
}

/// An unquoted whole number, at most `max`.
fn unsigned(sink: &mut Sink<'_>, entry: &Entry, max: u64) -> Option<u64> {
    let node = &entry.value;
    let key = &entry.key.text;
    let digits = match &node.value {
        Value::Scalar(s)
            if s.plain && !s.text.is_empty() && s.text.bytes().all(|b| b.is_ascii_digit()) =>
        {
            s.text.as_str()
        }
        Value::Invalid => return None,
        Value::Scalar(s) if !s.plain && s.text.parse::<u64>().is_ok() => {
            sink.error(
                node.mark,
                format!(
                    "expected a non-negative integer for `{key}`, found {}",
                    node.describe()
                ),
                Some(format!("remove the quotes: `{key}: {}`", s.text)),
            );
            return None;
        }
        _ => {
            sink.error(
                node.mark,
                format!(
                    "expected a non-negative integer for `{key}`, found {}",
                    node.describe()
                ),
                Some(format!("write a whole number, e.g. `{key}: 20`")),
            );
            return None;
        }
    };
    match digits.parse::<u64>() {
        Ok(n) if n <= max => Some(n),
        _ => {
            sink.error(
                node.mark,
                format!("`{key}` is too large"),
                Some(format!("the largest accepted value is {max}")),
            );
            None
        }
    }
}

pub(crate) fn u64(sink: &mut Sink<'_>, entry: &Entry) -> Option<u64> {
    unsigned(sink, entry, u64::MAX)
}

pub(crate) fn u32(sink: &mut Sink<'_>, entry: &Entry) -> Option<u32> {
    unsigned(sink, entry, u64::from(u32::MAX)).and_then(|n| u32::try_from(n).ok())
}

/// An unquoted `true` or `false`.
pub(crate) fn boolean(sink: &mut Sink<'_>, entry: &Entry) -> Option<bool> {
    let node = &entry.value;
    match &node.value {
        Value::Scalar(s) if s.plain && matches!(s.text.as_str(), "true" | "True" | "TRUE") => {
            Some(true)
        }
        Value::Scalar(s) if s.plain && matches!(s.text.as_str(), "false" | "False" | "FALSE") => {
            Some(false)
        }
        Value::Invalid => None,
        _ => {
            sink.error(
                node.mark,
                format!(
                    "expected true or false for `{}`, found {}",
                    entry.key.text,
                    node.describe()
                ),
                Some("write `true` or `false`, without quotes".to_owned()),
            );
            None
        }
    }
}

/// An unquoted finite number, zero or more.
pub(crate) fn non_negative_number(sink: &mut Sink<'_>, entry: &Entry) -> Option<f64> {
    let node = &entry.value;
    let parsed = match &node.value {
        Value::Scalar(s) if s.plain => s.text.parse::<f64>().ok(),
        Value::Invalid => return None,
        _ => None,
    };
    match parsed {
        Some(x) if x.is_finite() && x >= 0.0 => Some(x),
        _ => {
            sink.error(
                node.mark,
                format!(
                    "expected a non-negative number for `{}`, found {}",
                    entry.key.text,
                    node.describe()
                ),
                Some(format!("write a number, e.g. `{}: 12.5`", entry.key.text)),
            );
            None
        }
    }
}

/// One of a fixed set of words.
pub(crate) fn word<T>(
    sink: &mut Sink<'_>,
    entry: &Entry,
    parse: fn(&str) -> Option<T>,
    words: &[&str],
) -> Option<T> {
    let text = text(sink, entry)?;
    let value = parse(text);
    if value.is_none() {
        sink.error(
            entry.value.mark,
            format!("unknown {} `{text}`", entry.key.text),
            Some(suggest::help(text, words, "accepted values")),
        );
    }
    value
}
