//! Reading a packstack answer file the way packstack's Python 2 `ConfigParser` reads it, but
//! keeping where every key and value is.
//!
//! Why not an INI crate: neither `rust-ini` nor `configparser` says where a key or value is
//! (only `rust-ini`'s first syntax error has a line), and both stop at the first error, while
//! every comment of the output cites a line and every error must be reported in one run. The
//! dialect is small: `[section]` headers, `KEY=VALUE` or `KEY: VALUE`, whole-line `#`/`;`
//! comments, ` ;` comments after a value, indented continuation lines, case-insensitive keys.

use std::collections::HashMap;

use stackhop_inventory::{Mark, Sink};

/// The only section packstack reads.
const GENERAL: &str = "general";

/// A value as read: its text (continuation lines joined by `\n`) and where each piece of it
/// is in the source, so that a part of it can be pointed at.
#[derive(Debug, Clone)]
pub(crate) struct Text {
    pub(crate) text: String,
    /// (index in `text`, byte offset in the source) where each piece starts.
    pieces: Vec<(usize, usize)>,
}

impl Text {
    /// The source offset of byte `index` of the text.
    pub(crate) fn source_offset(&self, index: usize) -> usize {
        let piece = self
            .pieces
            .iter()
            .rev()
            .find(|(start, _)| *start <= index)
            .or(self.pieces.first());
        piece.map_or(0, |(start, offset)| offset + index.saturating_sub(*start))
    }
}

/// One `KEY=VALUE` of the `[general]` section.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    /// As written.
    pub(crate) key: String,
    pub(crate) key_mark: Mark,
    pub(crate) value: Text,
    /// Where the value starts (its whole extent on the key's line).
    pub(crate) value_mark: Mark,
}

impl Answer {
    pub(crate) fn line(&self) -> u32 {
        self.key_mark.line
    }

    /// The mark of bytes `start..end` of the value.
    pub(crate) fn mark(&self, sink: &Sink<'_>, start: usize, end: usize) -> Mark {
        let from = self.value.source_offset(start);
        let to = self
            .value
            .text
            .get(start..end)
            .and_then(|part| part.char_indices().last())
            .map_or(from, |(i, c)| {
                self.value.source_offset(start + i) + c.len_utf8()
            });
        sink.map().span(from, to)
    }
}

/// The `[general]` answers by upper-cased key; the last one wins, as in packstack.
#[derive(Debug, Default)]
pub(crate) struct Answers {
    by_key: HashMap<String, Answer>,
}

impl Answers {
    pub(crate) fn get(&self, key: &str) -> Option<&Answer> {
        self.by_key.get(key)
    }
}

/// Reads every line, reporting each one packstack could not read.
pub(crate) fn read(sink: &mut Sink<'_>) -> Answers {
    let lines: Vec<(u32, usize, String)> = sink
        .map()
        .lines()
        .map(|(n, start, text)| (n, start, text.to_owned()))
        .collect();
    let mut reader = Reader::default();
    for (_, start, text) in &lines {
        reader.line(sink, *start, text);
    }
    reader.finish()
}

/// Where the reader is.
#[derive(Default)]
struct Reader {
    answers: Answers,
    /// `None` before the first header; `Some(true)` inside `[general]`.
    in_general: Option<bool>,
    /// The key a continuation line would extend.
    current: Option<String>,
    reported_missing_header: bool,
}

impl Reader {
    fn line(&mut self, sink: &mut Sink<'_>, start: usize, text: &str) {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            self.current = None;
            return;
        }
        if trimmed.starts_with(['#', ';']) {
            return;
        }
        let indent = text.len() - text.trim_start().len();
        if indent > 0
            && let Some(key) = &self.current
            && let Some(answer) = self.answers.by_key.get_mut(key)
        {
            let value = answer_text(text.trim());
            answer.value.text.push('\n');
            let index = answer.value.text.len();
            answer.value.text.push_str(value);
            answer.value.pieces.push((index, start + indent));
            return;
        }
        self.current = None;
        if trimmed.starts_with('[') {
            self.header(sink, start + indent, trimmed);
        } else {
            self.option(sink, start + indent, trimmed);
        }
    }

    fn header(&mut self, sink: &mut Sink<'_>, at: usize, trimmed: &str) {
        let Some(close) = trimmed.find(']') else {
            let mark = sink.map().span(at, at + trimmed.len());
            sink.error(
                mark,
                "this section header has no closing `]`",
                Some("write the section as `[general]`".to_owned()),
            );
            self.in_general = Some(false);
            return;
        };
        let name = &trimmed[1..close];
        let mark = sink.map().span(at, at + close + 1);
        if name.trim().is_empty() {
            sink.error(
                mark,
                "this section header has no name",
                Some("packstack reads the `[general]` section".to_owned()),
            );
            self.in_general = Some(false);
            return;
        }
        let general = name == GENERAL;
        if !general {
            sink.warning(
                mark,
                format!("packstack reads only `[general]`; section `[{name}]` is ignored"),
                Some(
                    "move the keys of this section under `[general]` if packstack used them"
                        .to_owned(),
                ),
            );
        }
        self.in_general = Some(general);
    }

    fn option(&mut self, sink: &mut Sink<'_>, at: usize, trimmed: &str) {
        let Some(separator) = trimmed.find([':', '=']) else {
            let mark = sink.map().span(at, at + trimmed.len());
            sink.error(
                mark,
                "this line is not `KEY=VALUE`, a `[section]` header or a `#` comment",
                Some(
                    "write the answer as `CONFIG_NAME=value`, or start the line with `#` to \
                     make it a comment"
                        .to_owned(),
                ),
            );
            return;
        };
        let key = trimmed[..separator].trim_end();
        let key_mark = sink.map().span(at, at + key.len());
        if key.is_empty() {
            sink.error(
                key_mark,
                "this line has a value but no key",
                Some("write the answer as `CONFIG_NAME=value`".to_owned()),
            );
            return;
        }
        match self.in_general {
            None => {
                if !self.reported_missing_header {
                    self.reported_missing_header = true;
                    sink.error(
                        key_mark,
                        "answers before any section header",
                        Some(
                            "an answer file starts with `[general]`, as `packstack \
                             --gen-answer-file` writes it"
                                .to_owned(),
                        ),
                    );
                }
            }
            Some(false) => return,
            Some(true) => {}
        }
        let after = &trimmed[separator + 1..];
        let value_start = separator + 1 + (after.len() - after.trim_start().len());
        let value = answer_text(after.trim());
        let value_offset = at + value_start;
        let value_mark = sink.map().span(value_offset, value_offset + value.len());
        let upper = key.to_ascii_uppercase();
        if let Some(earlier) = self.answers.by_key.get(&upper) {
            sink.warning(
                key_mark,
                format!("`{key}` is set again; packstack uses this last value"),
                Some(format!(
                    "remove one of the two: the first is at line {}",
                    earlier.line()
                )),
            );
        }
        self.answers.by_key.insert(
            upper.clone(),
            Answer {
                key: key.to_owned(),
                key_mark,
                value: Text {
                    text: value.to_owned(),
                    pieces: vec![(0, value_offset)],
                },
                value_mark,
            },
        );
        self.current = Some(upper);
    }

    fn finish(self) -> Answers {
        self.answers
    }
}

/// A value as Python 2's `ConfigParser` keeps it: a ` ;` starts a comment, `""` is empty.
fn answer_text(value: &str) -> &str {
    let mut cut = value.len();
    for (i, c) in value.char_indices() {
        if c == ';' && value[..i].ends_with(char::is_whitespace) {
            cut = i;
            break;
        }
    }
    let value = value[..cut].trim_end();
    if value == "\"\"" { "" } else { value }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(source: &str) -> (Answers, Vec<String>) {
        let mut sink = Sink::new(source);
        let answers = read(&mut sink);
        let messages = sink
            .finish("a.txt")
            .items
            .iter()
            .map(|d| format!("{}:{} {}: {}", d.line, d.column, d.severity, d.message))
            .collect();
        (answers, messages)
    }

    #[test]
    fn keys_values_and_positions() {
        let source = "[general]\n# c\nconfig_a = x ; note\nCONFIG_B: y\nCONFIG_C=\"\"\n\
                      CONFIG_D=1,\n  2\n";
        let (answers, messages) = answers(source);
        assert!(messages.is_empty(), "{messages:?}");
        let a = answers.get("CONFIG_A").map(|a| a.value.text.as_str());
        assert_eq!(a, Some("x"));
        assert_eq!(
            answers.get("CONFIG_B").map(|a| a.value.text.as_str()),
            Some("y")
        );
        assert_eq!(
            answers.get("CONFIG_C").map(|a| a.value.text.as_str()),
            Some("")
        );
        let d = answers.get("CONFIG_D").map(|a| a.value.clone());
        assert_eq!(d.as_ref().map(|d| d.text.as_str()), Some("1,\n2"));
        let two = d.map(|d| d.source_offset(3));
        assert_eq!(two, source.rfind('2'));
        let b = answers
            .get("CONFIG_B")
            .map(|b| (b.key_mark.line, b.value_mark.column));
        assert_eq!(b, Some((4, 11)));
    }

    #[test]
    fn mistakes_are_all_reported() {
        let source = "CONFIG_A=1\n[general\n[general]\nnot an answer\n=x\nCONFIG_B=1\n\
                      CONFIG_B=2\n[other]\nCONFIG_C=3\n";
        let (answers, messages) = answers(source);
        assert_eq!(
            messages,
            [
                "1:1 error: answers before any section header",
                "2:1 error: this section header has no closing `]`",
                "4:1 error: this line is not `KEY=VALUE`, a `[section]` header or a `#` comment",
                "5:1 error: this line has a value but no key",
                "7:1 warning: `CONFIG_B` is set again; packstack uses this last value",
                "8:1 warning: packstack reads only `[general]`; section `[other]` is ignored",
            ]
        );
        assert_eq!(
            answers.get("CONFIG_B").map(|b| b.value.text.as_str()),
            Some("2")
        );
        assert!(answers.get("CONFIG_C").is_none());
    }
}
