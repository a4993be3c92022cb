//! Just enough of an HTML reader for the DOM a browser serialises (`chromium --dump-dom`):
//! elements with their attributes, parents and children. Not for HTML in general: it trusts
//! the browser to have closed every element it opened.

/// HTML elements that have no end tag.
const VOID: [&str; 13] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];
/// Elements whose content is text up to their end tag.
const RAW: [&str; 2] = ["script", "style"];

#[derive(Debug, Default)]
pub(crate) struct Element {
    pub(crate) name: String,
    pub(crate) attributes: Vec<(String, String)>,
    pub(crate) parent: Option<usize>,
}

impl Element {
    pub(crate) fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn has_class(&self, class: &str) -> bool {
        self.attribute("class")
            .is_some_and(|c| c.split_whitespace().any(|x| x == class))
    }

    /// A number attribute; the test fails when it is missing or not a number.
    #[track_caller]
    pub(crate) fn number(&self, name: &str) -> f64 {
        match self.attribute(name).map(str::parse::<f64>) {
            Some(Ok(n)) => n,
            _ => panic!(
                "<{}> has no number {name}: {:?}",
                self.name, self.attributes
            ),
        }
    }
}

/// Every element of a page, in document order; an element's parent comes before it.
pub(crate) struct Dom {
    pub(crate) elements: Vec<Element>,
}

impl Dom {
    pub(crate) fn parse(html: &str) -> Dom {
        let mut elements: Vec<Element> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        let mut rest = html;
        while let Some(at) = rest.find('<') {
            rest = &rest[at..];
            if let Some(comment) = rest.strip_prefix("<!--") {
                rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            } else if rest.starts_with("<!") {
                rest = rest.find('>').map_or("", |end| &rest[end + 1..]);
            } else if let Some(closing) = rest.strip_prefix("</") {
                let end = closing.find('>').unwrap_or(closing.len());
                let name = closing[..end].trim().to_ascii_lowercase();
                if let Some(k) = open.iter().rposition(|&e| elements[e].name == name) {
                    open.truncate(k);
                }
                rest = closing.get(end + 1..).unwrap_or("");
            } else {
                let (element, self_closing, after) = tag(&rest[1..]);
                let name = element.name.clone();
                let index = elements.len();
                elements.push(Element {
                    parent: open.last().copied(),
                    ..element
                });
                rest = after;
                if RAW.contains(&name.as_str()) {
                    let end = format!("</{name}>");
                    rest = rest.find(&end).map_or("", |k| &rest[k + end.len()..]);
                } else if !self_closing && !VOID.contains(&name.as_str()) {
                    open.push(index);
                }
            }
        }
        Dom { elements }
    }

    /// The elements named `name`, with their indices.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = (usize, &'a Element)> {
        self.elements
            .iter()
            .enumerate()
            .filter(move |(_, e)| e.name == name)
    }

    /// The ancestors of an element, nearest first.
    pub(crate) fn ancestors(&self, mut index: usize) -> Vec<&Element> {
        let mut out = Vec::new();
        while let Some(parent) = self.elements[index].parent {
            out.push(&self.elements[parent]);
            index = parent;
        }
        out
    }

    /// The nearest ancestor named `name`.
    pub(crate) fn ancestor(&self, index: usize, name: &str) -> Option<&Element> {
        self.ancestors(index).into_iter().find(|e| e.name == name)
    }
}

/// The tag at the start of `text` (after its `<`): the element, whether it ends in `/>`, and
/// the text after it.
fn tag(text: &str) -> (Element, bool, &str) {
    let name_end = text
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(text.len());
    let mut element = Element {
        name: text[..name_end].to_ascii_lowercase(),
        ..Element::default()
    };
    let mut rest = &text[name_end..];
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("/>") {
            return (element, true, after);
        }
        if let Some(after) = rest.strip_prefix('>') {
            return (element, false, after);
        }
        if rest.is_empty() {
            return (element, false, rest);
        }
        if let Some(after) = rest.strip_prefix('/') {
            rest = after;
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '>' || c == '/')
            .unwrap_or(rest.len())
            .max(1);
        let name = rest[..end].to_ascii_lowercase();
        rest = &rest[end..];
        let mut value = String::new();
        if let Some(after) = rest.trim_start().strip_prefix('=') {
            let after = after.trim_start();
            let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'');
            let (raw, next) = match quote {
                Some(q) => {
                    let body = &after[1..];
                    let close = body.find(q).unwrap_or(body.len());
                    (&body[..close], body.get(close + 1..).unwrap_or(""))
                }
                None => {
                    let close = after
                        .find(|c: char| c.is_whitespace() || c == '>')
                        .unwrap_or(after.len());
                    (&after[..close], &after[close..])
                }
            };
            value = unescape(raw);
            rest = next;
        }
        element.attributes.push((name, value));
    }
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

#[test]
fn the_reader_keeps_nesting_attributes_and_raw_text() {
    let dom = Dom::parse(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>a > b { x: y }</style></head>\
         <body><!-- c --><svg viewBox=\"0 0 10 5\"><g class=\"a b\"><rect x=\"1\" \
         data-step=\"x &amp; y\"></rect><line/></g></svg><p>t</p></body></html>",
    );
    let names: Vec<&str> = dom.elements.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "html", "head", "meta", "style", "body", "svg", "g", "rect", "line", "p"
        ]
    );
    let (rect, element) = dom.all("rect").next().expect("a rect");
    assert_eq!(element.attribute("data-step"), Some("x & y"));
    assert_eq!(element.number("x"), 1.0);
    assert!(dom.ancestor(rect, "g").is_some_and(|g| g.has_class("b")));
    let (p, _) = dom.all("p").next().expect("a p");
    assert_eq!(dom.ancestors(p)[0].name, "body", "the line closed itself");
}
