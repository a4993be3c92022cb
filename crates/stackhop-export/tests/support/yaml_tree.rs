//! A YAML document as a tree, read with saphyr-parser: what the tests check the export against is
//! what a real YAML parser reads, not what the emitter meant to write.

use saphyr_parser::{Event, Parser, ScalarStyle};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// The text, and whether it was written without quotes (so could be a number or a bool).
    Scalar(String, bool),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(crate) fn keys(&self) -> Vec<&str> {
        match self {
            Node::Map(entries) => entries.iter().map(|(k, _)| k.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    pub(crate) fn entries(&self) -> &[(String, Node)] {
        match self {
            Node::Map(entries) => entries,
            _ => &[],
        }
    }

    pub(crate) fn items(&self) -> &[Node] {
        match self {
            Node::Seq(items) => items,
            _ => &[],
        }
    }

    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Node::Scalar(text, _) => Some(text),
            _ => None,
        }
    }

    pub(crate) fn is_true(&self) -> bool {
        matches!(self, Node::Scalar(text, true) if text == "true")
    }

    pub(crate) fn number(&self) -> Option<usize> {
        match self {
            Node::Scalar(text, true) => text.parse().ok(),
            _ => None,
        }
    }
}

/// The one document of `text`; panics (with the text's name) on anything a test should not see.
pub(crate) fn load(text: &str, name: &str) -> Node {
    enum Frame {
        Seq(Vec<Node>),
        Map(Vec<(String, Node)>, Option<String>),
    }
    fn attach(stack: &mut [Frame], node: Node, root: &mut Option<Node>, name: &str) {
        match stack.last_mut() {
            None => *root = Some(node),
            Some(Frame::Seq(items)) => items.push(node),
            Some(Frame::Map(entries, pending)) => match pending.take() {
                None => match node {
                    Node::Scalar(key, _) => {
                        assert!(
                            entries.iter().all(|(k, _)| *k != key),
                            "{name}: duplicate key {key}"
                        );
                        *pending = Some(key);
                    }
                    other => panic!("{name}: a key that is not a scalar: {other:?}"),
                },
                Some(key) => entries.push((key, node)),
            },
        }
    }
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root = None;
    while let Some(event) = parser.next_event() {
        let (event, _) = event.unwrap_or_else(|e| panic!("{name}: not YAML: {e:?}"));
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                assert!(anchor == 0 && tag.is_none(), "{name}: anchors or tags");
                let node = Node::Scalar(value.into_owned(), style == ScalarStyle::Plain);
                attach(&mut stack, node, &mut root, name);
            }
            Event::SequenceStart(..) => stack.push(Frame::Seq(Vec::new())),
            Event::MappingStart(..) => stack.push(Frame::Map(Vec::new(), None)),
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match stack.pop() {
                    Some(Frame::Seq(items)) => Node::Seq(items),
                    Some(Frame::Map(entries, None)) => Node::Map(entries),
                    other => panic!("{name}: unbalanced: {}", other.is_some()),
                };
                attach(&mut stack, node, &mut root, name);
            }
            Event::Alias(_) => panic!("{name}: an alias"),
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd => {}
            Event::Nothing => {}
        }
    }
    root.unwrap_or_else(|| panic!("{name}: empty"))
}
