//! Writing YAML by hand: scalars quoted so that YAML 1.1 (PyYAML, what Ansible reads) and YAML
//! 1.2 read back exactly the text given, long values wrapped without changing them, comments
//! wrapped to a readable width.
//!
//! A hand-written emitter, rather than a serializer, because the files are meant to be read: the
//! step's reason as a comment above its task, the plan's digest in a header, keys in the order
//! Ansible's documentation uses.

/// Where long double-quoted values wrap; ansible-lint's yamllint allows 160 columns.
pub(crate) const VALUE_WIDTH: usize = 120;
/// Where comments wrap.
pub(crate) const COMMENT_WIDTH: usize = 100;

/// Words YAML 1.1 reads as booleans or null when they are not quoted.
const SPECIAL_WORDS: &[&str] = &[
    "y", "yes", "n", "no", "true", "false", "on", "off", "null", "~",
];

/// Whether `text` reads back as this very string when written without quotes, in YAML 1.1 and
/// 1.2: a letter, `_` or `/` first, then letters, digits and `_ . / -` only, and not a word
/// YAML 1.1 turns into a boolean or null.
pub(crate) fn is_plain(text: &str) -> bool {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_' || first == '/')
        && chars.all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c))
        && !SPECIAL_WORDS.contains(&text.to_ascii_lowercase().as_str())
}

/// The escaped form of one character inside double quotes.
fn escape(c: char) -> String {
    match c {
        '"' => "\\\"".to_owned(),
        '\\' => "\\\\".to_owned(),
        '\n' => "\\n".to_owned(),
        '\t' => "\\t".to_owned(),
        '\r' => "\\r".to_owned(),
        // Not printable in YAML (C0, DEL, C1, the Unicode line separators, a BOM): escaped so
        // that the file stays valid and shows them.
        c if (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32)) => {
            format!("\\x{:02x}", c as u32)
        }
        '\u{2028}' | '\u{2029}' | '\u{feff}' => format!("\\u{:04x}", c as u32),
        c => c.to_string(),
    }
}

/// `text` as a YAML scalar starting at column `column` (0-based): plain when that is safe and
/// fits, else double-quoted and wrapped below `VALUE_WIDTH` at the start of a word (inside a word
/// only when the word is longer than a line). A continuation line starts with `indent` spaces and
/// an escaped line break ends the line before it, so the value read back is `text` exactly: YAML
/// drops an escaped line break and the next line's leading spaces, and no line starts with a space
/// of the value.
pub(crate) fn scalar(text: &str, column: usize, indent: usize) -> String {
    if is_plain(text) && column + text.len() <= VALUE_WIDTH {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut width = column + 1;
    for word in words(text) {
        let pieces: Vec<String> = word.chars().map(escape).collect();
        let word_width: usize = pieces.iter().map(|p| p.chars().count()).sum();
        // Room for the word, and for a closing quote or a trailing backslash after it.
        if width + word_width + 1 > VALUE_WIDTH && width > indent + 1 && !word.starts_with(' ') {
            out.push_str("\\\n");
            out.push_str(&" ".repeat(indent));
            width = indent;
        }
        for (c, piece) in word.chars().zip(&pieces) {
            let piece_width = piece.chars().count();
            if width + piece_width + 1 > VALUE_WIDTH && c != ' ' && width > indent + 1 {
                out.push_str("\\\n");
                out.push_str(&" ".repeat(indent));
                width = indent;
            }
            out.push_str(piece);
            width += piece_width;
        }
    }
    out.push('"');
    out
}

/// `text` cut before each character that follows a space, except inside a Jinja expression
/// (`{{ inventory_hostname }}` stays on one line): every piece but the first starts with a
/// character that is not a space.
fn words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    let mut previous = '\0';
    for (i, c) in text.char_indices() {
        if text[i..].starts_with("{{") {
            depth += 1;
        } else if text[..i].ends_with("}}") && depth > 0 && previous == '}' {
            depth -= 1;
        }
        if previous == ' ' && c != ' ' && depth == 0 && i > start {
            out.push(&text[start..i]);
            start = i;
        }
        previous = c;
    }
    out.push(&text[start..]);
    out
}

/// Builds a YAML document line by line.
#[derive(Debug, Default)]
pub(crate) struct Doc {
    text: String,
}

impl Doc {
    pub(crate) fn new() -> Doc {
        Doc {
            text: String::from("---\n"),
        }
    }

    pub(crate) fn finish(self) -> String {
        self.text
    }

    /// `# text`, wrapped at `COMMENT_WIDTH`, each line at `indent`.
    pub(crate) fn comment(&mut self, indent: usize, text: &str) {
        let pad = " ".repeat(indent);
        let first = format!("{pad}# ");
        for line in stackhop_report::wrap(text, COMMENT_WIDTH.max(indent + 40), &first, &first) {
            self.text.push_str(line.trim_end());
            self.text.push('\n');
        }
    }

    /// A blank line, between plays.
    pub(crate) fn blank(&mut self) {
        self.text.push('\n');
    }

    /// `key: value` with the value quoted as needed.
    pub(crate) fn entry(&mut self, indent: usize, key: &str, value: &str) {
        self.raw_entry(
            indent,
            key,
            &scalar(value, indent + key.len() + 2, indent + 2),
        );
    }

    /// `key: value` with the value written as given (a number, `true`, a flow list).
    pub(crate) fn raw_entry(&mut self, indent: usize, key: &str, value: &str) {
        self.line(
            indent,
            &format!("{}: {value}", scalar(key, indent, indent + 2)),
        );
    }

    /// `key:` opening a nested block.
    pub(crate) fn open(&mut self, indent: usize, key: &str) {
        self.line(indent, &format!("{}:", scalar(key, indent, indent + 2)));
    }

    /// `- key: value`, the first entry of a mapping in a sequence.
    pub(crate) fn item_entry(&mut self, indent: usize, key: &str, value: &str) {
        let value = scalar(value, indent + key.len() + 4, indent + 4);
        self.line(indent, &format!("- {key}: {value}"));
    }

    /// `- value`, a scalar in a sequence.
    pub(crate) fn item(&mut self, indent: usize, value: &str) {
        let value = scalar(value, indent + 2, indent + 2);
        self.line(indent, &format!("- {value}"));
    }

    /// A line as given, after `indent` spaces.
    pub(crate) fn line(&mut self, indent: usize, text: &str) {
        self.text.push_str(&" ".repeat(indent));
        self.text.push_str(text);
        self.text.push('\n');
    }
}

/// `[a, b, c]` for a list of small numbers.
pub(crate) fn number_list(values: &[usize]) -> String {
    let items: Vec<String> = values.iter().map(ToString::to_string).collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use saphyr_parser::{Event, Parser};

    use super::{is_plain, scalar};

    /// The scalar values of a YAML document, in order, as a real parser reads them.
    fn scalars(text: &str) -> Vec<String> {
        let mut parser = Parser::new_from_str(text);
        let mut out = Vec::new();
        while let Some(event) = parser.next_event() {
            match event {
                Ok((Event::Scalar(value, ..), _)) => out.push(value.into_owned()),
                Ok(_) => {}
                Err(e) => panic!("{e:?} in\n{text}"),
            }
        }
        out
    }

    proptest! {
        #[test]
        fn every_string_reads_back_as_itself(
            text in prop_oneof![
                "\\PC*",
                ".*",
                "[ a-z{}\"'\\\\:#$-]{0,400}",
            ],
            indent in 0usize..12,
        ) {
            let key_column = indent;
            let value = scalar(&text, key_column + 3, key_column + 2);
            let doc = format!("---\n{}k: {value}\n", " ".repeat(indent));
            prop_assert_eq!(scalars(&doc), vec!["k".to_owned(), text]);
        }
    }

    #[test]
    fn plain_only_when_it_reads_back_as_text() {
        for plain in [
            "ctl1",
            "cmp0001",
            "nova-computes",
            "/etc/nova/nova.conf",
            "a_b",
        ] {
            assert!(is_plain(plain), "{plain}");
        }
        for quoted in [
            "", "yes", "No", "ON", "y", "null", "~", "10.0.0.1", "1e3", "0x1f", "a b", "a: b",
            "a #b", "-x", "{{ x }}", "*x", "&x", "!x", "'x", "\"x", "x:", "@x", "`x", "%x",
        ] {
            assert!(!is_plain(quoted), "{quoted:?}");
        }
    }

    #[test]
    fn escapes_and_wraps() {
        assert_eq!(scalar("a \"b\" \\c", 0, 2), "\"a \\\"b\\\" \\\\c\"");
        assert_eq!(scalar("tab\there\n", 0, 2), "\"tab\\there\\n\"");
        let long = "x".repeat(300);
        let wrapped = scalar(&long, 10, 6);
        assert!(wrapped.lines().count() > 2, "{wrapped}");
        assert!(wrapped.lines().all(|l| l.len() <= super::VALUE_WIDTH));
        for line in wrapped.lines().skip(1) {
            assert!(line.starts_with("      x"), "{line}");
        }
    }

    #[test]
    fn wraps_between_words_and_keeps_jinja_together() {
        let text = format!(
            "{} x{{{{ inventory_hostname }}}}y {}",
            "w ".repeat(50),
            "z".repeat(20)
        );
        let wrapped = scalar(&text, 0, 4);
        assert!(wrapped.lines().count() > 1, "{wrapped}");
        assert!(wrapped.contains("{{ inventory_hostname }}"), "{wrapped}");
        for line in wrapped.lines() {
            assert!(line.ends_with('\\') || line.ends_with('"'), "{line}");
        }
    }

    #[test]
    fn never_starts_a_continuation_line_with_a_space_of_the_value() {
        let text = format!("{} {}", "a".repeat(117), "b".repeat(10));
        let wrapped = scalar(&text, 0, 4);
        for line in wrapped.lines().skip(1) {
            assert!(!line[4..].starts_with(' '), "{wrapped}");
        }
    }
}
