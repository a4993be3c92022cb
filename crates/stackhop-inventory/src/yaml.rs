//! A small YAML tree that remembers where every node came from.
//!
//! Built from `saphyr-parser` events so that the validator can point at any key or value.
//! Public so that other readers of operator YAML (the Ansible inventory importer) point into
//! their files the same way. Aliases are refused rather than expanded: an inventory never needs them, and expanding
//! them is how a few hundred bytes become gigabytes ("billion laughs").

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::diagnostic::{Mark, Sink};

/// Deeper than any inventory needs; stops hostile input from building a huge stack.
const MAX_DEPTH: usize = 64;

/// A value and where it is.
#[derive(Debug)]
pub struct Node {
    pub mark: Mark,
    pub value: Value,
}

/// What a node holds.
#[derive(Debug)]
pub enum Value {
    Scalar(Scalar),
    Sequence(Vec<Node>),
    Mapping(Vec<Entry>),
    /// Something already reported (an alias); validators skip it silently.
    Invalid,
}

/// A scalar's text, as written (without quotes).
#[derive(Debug)]
pub struct Scalar {
    pub text: String,
    /// Only unquoted scalars can be numbers, booleans or null.
    pub plain: bool,
}

impl Scalar {
    /// `key:`, `key: ~`, `key: null`: no value.
    #[must_use]
    pub fn is_null(&self) -> bool {
        self.plain && matches!(self.text.as_str(), "" | "~" | "null" | "Null" | "NULL")
    }
}

/// A mapping key: scalar keys only.
#[derive(Debug)]
pub struct Key {
    pub text: String,
    pub mark: Mark,
}

/// One `key: value` of a mapping, in file order.
#[derive(Debug)]
pub struct Entry {
    pub key: Key,
    pub value: Node,
}

impl Node {
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(s) if s.is_null())
    }

    /// What the node is, for "expected X, found Y" messages.
    #[must_use]
    pub fn describe(&self) -> String {
        match &self.value {
            Value::Scalar(s) if s.is_null() => "nothing".to_owned(),
            Value::Scalar(s) if s.plain => format!("`{}`", s.text),
            Value::Scalar(s) => format!("the quoted string \"{}\"", s.text),
            Value::Sequence(_) => "a list".to_owned(),
            Value::Mapping(_) => "a mapping".to_owned(),
            Value::Invalid => "an alias".to_owned(),
        }
    }
}

enum Frame {
    Sequence {
        mark: Mark,
        items: Vec<Node>,
    },
    Mapping {
        mark: Mark,
        entries: Vec<Entry>,
        /// Line of each key's first occurrence, to report duplicates.
        seen: HashMap<String, u32>,
        /// `Some(None)` when the pending key was refused: its value is dropped.
        pending: Option<Option<Key>>,
    },
}

/// Parses the single document of `source`. Returns `None` after reporting why when there is
/// no usable tree (syntax error, empty file, too deep).
pub fn load(source: &str, sink: &mut Sink<'_>) -> Option<Node> {
    let mut parser = Parser::new_from_str(source);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(pair) => pair,
            Err(error) => {
                let mark = sink.map().mark_at(*error.marker());
                sink.error(
                    mark,
                    format!("YAML syntax error: {}", error.info()),
                    Some(
                        "fix the YAML syntax here; indentation and `:` are the usual culprits"
                            .to_owned(),
                    ),
                );
                return None;
            }
        };
        let mark = sink.map().mark(span);
        let node = match event {
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    sink.error(
                        mark,
                        "an inventory is a single YAML document",
                        Some(
                            "remove this `---` and everything after it, or move it to another file"
                                .to_owned(),
                        ),
                    );
                    break;
                }
                continue;
            }
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => continue,
            Event::Alias(_) => {
                sink.error(
                    mark,
                    "aliases are not supported in an inventory",
                    Some(
                        "write the value out instead of referring to an anchor with `*`".to_owned(),
                    ),
                );
                Node {
                    mark,
                    value: Value::Invalid,
                }
            }
            Event::Scalar(text, style, _, _) => Node {
                mark,
                value: Value::Scalar(Scalar {
                    text: text.into_owned(),
                    plain: style == ScalarStyle::Plain,
                }),
            },
            Event::SequenceStart(_, _) | Event::MappingStart(_, _) => {
                if stack.len() >= MAX_DEPTH {
                    sink.error(
                        mark,
                        format!("the document nests more than {MAX_DEPTH} levels deep"),
                        Some("an inventory needs only a few levels of nesting".to_owned()),
                    );
                    return None;
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Sequence {
                        mark,
                        items: Vec::new(),
                    }
                } else {
                    Frame::Mapping {
                        mark,
                        entries: Vec::new(),
                        seen: HashMap::new(),
                        pending: None,
                    }
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Sequence { mark, items }) => Node {
                    mark,
                    value: Value::Sequence(items),
                },
                Some(Frame::Mapping { mark, entries, .. }) => Node {
                    mark,
                    value: Value::Mapping(entries),
                },
                None => continue,
            },
        };
        match stack.last_mut() {
            None => {
                if root.is_none() {
                    root = Some(node);
                }
            }
            Some(frame) => attach(frame, node, sink),
        }
    }
    if root.is_none() && sink.is_empty() {
        sink.error(
            Mark {
                line: 1,
                column: 1,
                ..Mark::default()
            },
            "the inventory is empty",
            Some("start from an example: `stackhop init --example small`".to_owned()),
        );
    }
    root
}

fn attach(frame: &mut Frame, node: Node, sink: &mut Sink<'_>) {
    match frame {
        Frame::Sequence { items, .. } => items.push(node),
        Frame::Mapping {
            entries,
            seen,
            pending,
            ..
        } => match pending.take() {
            Some(Some(key)) => entries.push(Entry { key, value: node }),
            Some(None) => {}
            None => *pending = Some(accept_key(node, seen, sink)),
        },
    }
}

fn accept_key(node: Node, seen: &mut HashMap<String, u32>, sink: &mut Sink<'_>) -> Option<Key> {
    let text = match node.value {
        Value::Scalar(s) => s.text,
        Value::Invalid => return None,
        Value::Sequence(_) | Value::Mapping(_) => {
            sink.error(
                node.mark,
                "a key must be a plain word, not a list or a mapping",
                Some("write keys as `name: value`".to_owned()),
            );
            return None;
        }
    };
    if let Some(first) = seen.get(&text) {
        sink.error(
            node.mark,
            format!("duplicate key `{text}`"),
            Some(format!(
                "`{text}` is already set at line {first}; a key may appear once per mapping"
            )),
        );
        return None;
    }
    seen.insert(text.clone(), node.mark.line);
    Some(Key {
        text,
        mark: node.mark,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(source: &str) -> (Option<Node>, Vec<String>) {
        let mut sink = Sink::new(source);
        let node = load(source, &mut sink);
        let messages = sink
            .finish("t")
            .items
            .into_iter()
            .map(|d| format!("{}:{} {}", d.line, d.column, d.message))
            .collect();
        (node, messages)
    }

    #[test]
    fn marks_are_one_based() {
        let (node, errors) = load_str("a:\n  b: [x, 'y']\n");
        assert!(errors.is_empty());
        let Some(Node {
            value: Value::Mapping(entries),
            ..
        }) = node
        else {
            panic!("not a mapping")
        };
        let inner = &entries[0].value;
        assert_eq!((inner.mark.line, inner.mark.column), (2, 3));
        let Value::Mapping(inner) = &inner.value else {
            panic!("not a mapping")
        };
        let Value::Sequence(items) = &inner[0].value.value else {
            panic!("not a list")
        };
        assert_eq!((items[1].mark.line, items[1].mark.column), (2, 10));
        assert_eq!(items[1].mark.offset, 12);
        assert_eq!(items[1].mark.len, 3);
    }

    #[test]
    fn aliases_are_refused_not_expanded() {
        let (_, errors) = load_str("a: &x [1]\nb: *x\n");
        assert_eq!(errors, ["2:4 aliases are not supported in an inventory"]);
    }

    #[test]
    fn duplicate_and_complex_keys_are_reported() {
        let (_, errors) = load_str("a: 1\na: 2\n? [c]\n: d\n");
        assert_eq!(
            errors,
            [
                "2:1 duplicate key `a`",
                "3:3 a key must be a plain word, not a list or a mapping"
            ]
        );
    }

    #[test]
    fn empty_syntax_error_second_document_and_depth() {
        assert_eq!(load_str("# nothing\n").1, ["1:1 the inventory is empty"]);
        let (node, errors) = load_str("a: [1\n");
        assert!(node.is_none());
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("YAML syntax error"), "{errors:?}");
        assert_eq!(
            load_str("a: 1\n---\nb: 2\n").1,
            ["2:1 an inventory is a single YAML document"]
        );
        let deep = "- ".repeat(200) + "x\n";
        assert_eq!(load_str(&deep).1.len(), 1);
    }
}
