//! Where a value sits in a JSON text, as a line and column: serde gives positions only for
//! syntax and type errors, and a hand-edited plan's shape errors (an unknown `after` id, a cycle)
//! must point into the file too.

/// One step of a path into a JSON document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg<'a> {
    /// A member of an object.
    Key(&'a str),
    /// An element of an array.
    Index(usize),
}

/// The 1-based line and column (in characters) where the value at `path` starts, or `None` when
/// the text has no such value or is not JSON.
#[must_use]
pub fn locate(text: &str, path: &[Seg<'_>]) -> Option<(usize, usize)> {
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let offset = scanner.find(path, 0)?;
    let before = text.get(..offset)?;
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    Some((line, column))
}

/// Nesting deeper than this is not a plan; giving up keeps the recursion bounded.
const MAX_DEPTH: usize = 256;

struct Scanner<'t> {
    bytes: &'t [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn skip_ws(&mut self) {
        while self
            .bytes
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_whitespace())
        {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.skip_ws();
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// The offset of the value at `path`, starting at the value under the cursor.
    fn find(&mut self, path: &[Seg<'_>], depth: usize) -> Option<usize> {
        self.skip_ws();
        let Some((first, rest)) = path.split_first() else {
            return Some(self.pos);
        };
        if depth > MAX_DEPTH {
            return None;
        }
        match (first, self.peek()?) {
            (Seg::Key(wanted), b'{') => {
                self.pos += 1;
                loop {
                    self.skip_ws();
                    if self.peek()? == b'}' {
                        return None;
                    }
                    let key = self.string()?;
                    self.eat(b':')?;
                    if key == *wanted {
                        return self.find(rest, depth + 1);
                    }
                    self.skip_value(depth + 1)?;
                    self.eat(b',')?;
                }
            }
            (Seg::Index(wanted), b'[') => {
                self.pos += 1;
                for index in 0.. {
                    self.skip_ws();
                    if self.peek()? == b']' {
                        return None;
                    }
                    if index == *wanted {
                        return self.find(rest, depth + 1);
                    }
                    self.skip_value(depth + 1)?;
                    self.eat(b',')?;
                }
                None
            }
            _ => None,
        }
    }

    /// Reads a string under the cursor and returns its decoded text.
    fn string(&mut self) -> Option<String> {
        self.skip_ws();
        let start = self.pos;
        self.skip_string()?;
        serde_json::from_slice(&self.bytes[start..self.pos]).ok()
    }

    fn skip_string(&mut self) -> Option<()> {
        if self.peek()? != b'"' {
            return None;
        }
        self.pos += 1;
        loop {
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(());
                }
                b'\\' => self.pos += 2,
                _ => self.pos += 1,
            }
        }
    }

    fn skip_value(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_ws();
        match self.peek()? {
            b'"' => self.skip_string(),
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.pos += 1;
                self.skip_ws();
                if self.peek()? == close {
                    self.pos += 1;
                    return Some(());
                }
                loop {
                    if open == b'{' {
                        self.skip_string()?;
                        self.eat(b':')?;
                    }
                    self.skip_value(depth + 1)?;
                    self.skip_ws();
                    match self.peek()? {
                        b',' => {
                            self.pos += 1;
                            self.skip_ws();
                        }
                        b if b == close => {
                            self.pos += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            _ => {
                // A number, `true`, `false` or `null`: up to the next delimiter.
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
                {
                    self.pos += 1;
                }
                (self.pos > start).then_some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Seg, locate};

    const TEXT: &str = r#"{
  "schema": "x",
  "steps": [
    {"id": "a", "after": []},
    {
      "id": "b\"q",
      "after": ["a", "zz"],
      "n": -1.5e3, "t": true, "o": {"k": [1, {"x": null}]}
    }
  ]
}"#;

    #[test]
    fn finds_members_and_elements() {
        assert_eq!(locate(TEXT, &[]), Some((1, 1)));
        assert_eq!(locate(TEXT, &[Seg::Key("schema")]), Some((2, 13)));
        let after = [
            Seg::Key("steps"),
            Seg::Index(1),
            Seg::Key("after"),
            Seg::Index(1),
        ];
        assert_eq!(locate(TEXT, &after), Some((7, 22)));
        let id = [Seg::Key("steps"), Seg::Index(1), Seg::Key("id")];
        assert_eq!(locate(TEXT, &id), Some((6, 13)));
        let o = [Seg::Key("steps"), Seg::Index(1), Seg::Key("o")];
        assert_eq!(locate(TEXT, &o), Some((8, 36)));
    }

    #[test]
    fn missing_paths_and_bad_text_give_none() {
        assert_eq!(locate(TEXT, &[Seg::Key("nope")]), None);
        assert_eq!(locate(TEXT, &[Seg::Key("steps"), Seg::Index(5)]), None);
        assert_eq!(locate(TEXT, &[Seg::Index(0)]), None);
        for bad in ["", "{", "{\"a\"", "[1,", "\"abc", "{\"a\" 1}"] {
            assert_eq!(locate(bad, &[Seg::Key("a"), Seg::Index(0)]), None, "{bad}");
        }
        let deep = "[".repeat(10_000);
        assert_eq!(locate(&deep, &[Seg::Index(0); 300]), None);
    }

    /// A two-step plan with `after` lists as given.
    fn plan(a_after: &str, b_after: &str) -> String {
        let step = |id: &str, after: &str| {
            format!(
                r#"    {{
      "id": "{id}",
      "phase": "p",
      "action": {{ "kind": "enable_compute" }},
      "hosts": ["h"],
      "after": [{after}]
    }}"#
            )
        };
        format!(
            "{{\n  \"schema\": \"stackhop.plan/v1\",\n  \"scenario\": \"all-at-once\",\n  \
             \"transition\": \"t\",\n  \"cloud\": \"c\",\n  \"digest\": \"\",\n  \
             \"estimate_s\": 0,\n  \"steps\": [\n{},\n{}\n  ],\n  \
             \"inventory_file\": \"\",\n  \"inventory_source\": \"\"\n}}\n",
            step("a", a_after),
            step("b", b_after)
        )
    }

    #[test]
    fn shape_errors_of_a_saved_plan_point_into_the_file() {
        let error = |text: &str| match crate::Plan::from_json_unsealed(text, "p.json") {
            Err(e) => e.to_string(),
            Ok(_) => "accepted".to_owned(),
        };
        assert_eq!(error(&plan("", r#""a""#)), "accepted");
        let sealed = crate::Plan::from_json(&plan("", r#""a""#), "p.json").map(|_| ());
        assert!(
            matches!(
                sealed,
                Err(crate::PlanError::Digest {
                    at: Some((6, 13)),
                    ..
                })
            ),
            "an empty digest is refused where it stands: {sealed:?}"
        );
        assert_eq!(
            error(&plan("", r#""a", "zz""#)),
            "p.json:21:22: step `b` waits for `zz`, which is not a step of this plan"
        );
        assert_eq!(
            error(&plan(r#""b""#, r#""a""#)),
            "p.json:14:17: the steps wait for each other in a cycle: a -> b -> a (each waits for the next)"
        );
        let renamed = plan("", "").replace(r#""id": "b""#, r#""id": "a""#);
        assert_eq!(error(&renamed), "p.json:17:13: two steps have the id `a`");
    }
}
