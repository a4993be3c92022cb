//! Writing a [`Draft`] as inventory v1 text: every value with its origin beside it, every
//! assumption marked `TODO discover: KEY (why)`, lines within 100 columns.

use stackhop_inventory::{Diagnostic, Severity};

use crate::DISCOVER_MARKER;
use crate::draft::{Draft, Entry, Origin, Sourced};

/// Human output fits 100 columns (design.md).
const WIDTH: usize = 100;
/// Where the comments beside values start, as in the built-in examples.
const COMMENT_COLUMN: usize = 28;

/// The text and how many `TODO discover:` markers it holds.
pub(crate) struct Written {
    pub(crate) text: String,
    pub(crate) to_discover: usize,
}

pub(crate) fn write(draft: &Draft, file: &str, notes: &[Diagnostic]) -> Written {
    let mut out = Out::default();
    header(&mut out, draft, file, notes);
    out.blank();
    out.value(
        "",
        "name",
        &yaml_word(&draft.name.value),
        &draft.name.origin,
    );
    out.value("", "release", &draft.release.value, &draft.release.origin);
    out.value("", "profile", &draft.profile.value, &draft.profile.origin);
    let network = sourced_word(&draft.network, |n| n.as_str());
    out.value("", "network", &network.value, &network.origin);
    let rpc = sourced_word(&draft.rpc_backend, |r| r.as_str());
    out.value("", "rpc_backend", &rpc.value, &rpc.origin);
    out.blank();
    out.left_out(
        "",
        "database",
        "table sizes, for the estimates; left out, defaults apply",
    );
    out.blank();
    out.line("hosts:", None);
    for (i, entry) in draft.entries.iter().enumerate() {
        if i > 0 {
            out.blank();
        }
        host(&mut out, draft, entry);
    }
    Written {
        text: out.text,
        to_discover: out.markers,
    }
}

fn sourced_word<T: Copy>(value: &Sourced<T>, word: fn(T) -> &'static str) -> Sourced<String> {
    Sourced {
        value: word(value.value).to_owned(),
        origin: value.origin.clone(),
    }
}

fn header(out: &mut Out, draft: &Draft, file: &str, notes: &[Diagnostic]) {
    let command = draft.kind.command();
    out.comment(
        "",
        &format!("stackhop inventory (v1), imported from {file} by `stackhop import {command}`."),
    );
    out.line("#", None);
    out.comment(
        "",
        &format!(
            "The comment beside each value says where in the file it came from. What the file \
             cannot say is marked `{DISCOVER_MARKER} KEY (why)`: written as an assumption where \
             the inventory needs a value, left out (so that its default applies) where it does \
             not. Check these and fill them in; `stackhop discover` is to read them from the \
             hosts."
        ),
    );
    if draft.entries.iter().any(|e| !e.connection.is_empty()) {
        out.line("#", None);
        out.comment(
            "",
            "The `# connection:` lines say how the source logs in; where a host needs another \
             user or port than the others, write it as `connection: {user: U, port: P}`.",
        );
    }
    let warnings: Vec<&Diagnostic> = notes
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .collect();
    if !warnings.is_empty() {
        out.line("#", None);
        out.comment("", "The import warned:");
        for d in warnings {
            out.wrap("# - ", "#   ", &format!("line {}: {}", d.line, d.message));
        }
    }
}

fn host(out: &mut Out, draft: &Draft, entry: &Entry) {
    let name = format!("  - name: {}", entry.name);
    out.line(&name, entry.name_note.as_deref());
    if let Some(address) = &entry.address {
        let comment = out.origin_text(&address.origin);
        out.line(&format!("    address: {}", address.value), Some(&comment));
    }
    if !entry.connection.is_empty() {
        out.comment(
            "    ",
            &format!("connection: {}", entry.connection.join("; ")),
        );
    }
    out.line(
        &format!("    roles: {}", entry.roles_text()),
        Some(&entry.roles_from),
    );
    out.value(
        "    ",
        "os",
        &draft.os,
        &Origin::Discover {
            key: "os",
            why: format!("assumed: {} does not name it", draft.kind.a_file()),
        },
    );
    if entry.runs_nova() {
        out.left_out(
            "    ",
            "nova_version",
            "left out, the release's latest stable is assumed",
        );
    }
    if entry.roles.contains(&stackhop_inventory::Role::Compute) {
        out.left_out("    ", "instances", "left out, 0 is assumed");
    }
}

/// A YAML scalar for a free-form word, a path or an address: plain when it cannot be misread
/// (as a number, a boolean, null or YAML syntax), quoted otherwise.
pub(crate) fn yaml_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '-' | '_'
                        | '.'
                        | '/'
                        | '{'
                        | '}'
                        | '['
                        | ']'
                        | '@'
                        | '%'
                        | '+'
                        | '='
                        | ','
                        | ':'
                        | '~'
                )
        })
        && (text.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '/')
            || text.starts_with("~/"))
        && !text.ends_with(':')
        && text.parse::<f64>().is_err()
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain {
        return text.to_owned();
    }
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// The text being written, and the markers counted on the way.
#[derive(Default)]
pub(crate) struct Out {
    pub(crate) text: String,
    markers: usize,
}

impl Out {
    pub(crate) fn blank(&mut self) {
        self.text.push('\n');
    }

    /// `key: value` with its origin beside it.
    pub(crate) fn value(&mut self, indent: &str, key: &str, value: &str, origin: &Origin) {
        let comment = self.origin_text(origin);
        self.line(&format!("{indent}{key}: {value}"), Some(&comment));
    }

    /// A marker for an optional key the file cannot give.
    fn left_out(&mut self, indent: &str, key: &'static str, why: &str) {
        let comment = self.origin_text(&Origin::Discover {
            key,
            why: why.to_owned(),
        });
        self.comment(indent, &comment);
    }

    fn origin_text(&mut self, origin: &Origin) -> String {
        match origin {
            Origin::Read(from) => from.clone(),
            Origin::Discover { key, why } => {
                self.markers += 1;
                format!("{DISCOVER_MARKER} {key} ({why})")
            }
        }
    }

    /// `code`, with `comment` beside it when the two fit in the width, else above it.
    pub(crate) fn line(&mut self, code: &str, comment: Option<&str>) {
        let Some(comment) = comment else {
            self.push(code);
            return;
        };
        let pad = COMMENT_COLUMN.saturating_sub(code.chars().count()).max(1);
        let joined = format!("{code}{}# {comment}", " ".repeat(pad));
        if joined.chars().count() <= WIDTH {
            self.push(&joined);
        } else {
            let indent: String = code.chars().take_while(|c| *c == ' ').collect();
            let indent = if code.trim_start().starts_with("- ") {
                format!("{indent}  ")
            } else {
                indent
            };
            // A comment above `- name:` must not break the list item apart: put it after.
            if code.trim_start().starts_with("- ") {
                self.push(code);
                self.comment(&indent, comment);
            } else {
                self.comment(&indent, comment);
                self.push(code);
            }
        }
    }

    /// A comment, wrapped at word boundaries to the width.
    pub(crate) fn comment(&mut self, indent: &str, text: &str) {
        self.wrap(&format!("{indent}# "), &format!("{indent}#   "), text);
    }

    /// `text` after `first`, continued on lines that start with `rest`.
    pub(crate) fn wrap(&mut self, first: &str, rest: &str, text: &str) {
        let mut current = first.to_owned();
        let mut empty = true;
        for word in text.split(' ').filter(|w| !w.is_empty()) {
            let fits = current.chars().count() + 1 + word.chars().count() <= WIDTH;
            if !empty && !fits {
                self.push(&current);
                current = rest.to_owned();
                empty = true;
            }
            if !empty {
                current.push(' ');
            }
            current.push_str(word);
            empty = false;
        }
        self.push(current.trim_end());
    }

    /// One line of the output. A character YAML refuses in a document (a control character, a
    /// byte order mark) is written escaped: it can only come from a comment quoting the file.
    pub(crate) fn push(&mut self, line: &str) {
        for c in line.chars() {
            if c.is_control() || c == '\u{feff}' {
                self.text.extend(c.escape_unicode());
            } else {
                self.text.push(c);
            }
        }
        self.text.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_only_when_needed() {
        assert_eq!(yaml_word("east-1"), "east-1");
        assert_eq!(yaml_word("yes"), "\"yes\"");
        assert_eq!(yaml_word("1"), "\"1\"");
        assert_eq!(yaml_word("a b: \"c\""), "\"a b: \\\"c\\\"\"");
        assert_eq!(yaml_word(""), "\"\"");
        assert_eq!(yaml_word("/opt/lab/hosts/{host}"), "/opt/lab/hosts/{host}");
        assert_eq!(yaml_word("~/.ssh/config"), "~/.ssh/config");
        assert_eq!(yaml_word("26.2.2"), "26.2.2");
        assert_eq!(yaml_word("1.5"), "\"1.5\"");
        assert_eq!(yaml_word("a:"), "\"a:\"");
        assert_eq!(yaml_word("~"), "\"~\"");
    }

    #[test]
    fn long_comments_move_and_wrap() {
        let mut out = Out::default();
        out.line("    roles: [compute]", Some(&"x ".repeat(60)));
        out.line("name: a", Some("short"));
        let lines: Vec<&str> = out.text.lines().collect();
        assert!(
            lines.iter().all(|l| l.chars().count() <= WIDTH),
            "{lines:?}"
        );
        assert!(lines[0].starts_with("    # x x"), "{lines:?}");
        assert!(lines[1].starts_with("    #   x"), "{lines:?}");
        assert_eq!(lines[2], "    roles: [compute]");
        assert_eq!(lines[3], format!("name: a{}# short", " ".repeat(21)));
    }
}
