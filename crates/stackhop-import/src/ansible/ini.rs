//! Ansible's INI inventory format, read as Ansible's `ini` inventory plugin reads it.
//!
//! Not an INI crate: host lines are not `key=value` pairs but a host pattern followed by
//! shell-quoted `key=value` variables, and every error needs its line and column.
//!
//! Lines before any section belong to `ungrouped`. `[group]` lists host patterns,
//! `[group:children]` group names, `[group:vars]` `key=value` lines. A child group may be
//! declared after the section that names it; one never declared, like variables of a group
//! never declared, is an error (as in Ansible).

use std::collections::BTreeMap;

use stackhop_inventory::{Mark, Sink};

use super::model::{ALL, Model, UNGROUPED, Var};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Hosts,
    Children,
    Vars,
}

/// A group named before it is declared, and where: its `[…:vars]` header or the children
/// line naming it.
struct Pending {
    mark: Mark,
    message: String,
}

pub(super) fn read(sink: &mut Sink<'_>) -> Model {
    let lines: Vec<(usize, String)> = sink
        .map()
        .lines()
        .map(|(_, start, text)| (start, text.to_owned()))
        .collect();
    let mut model = Model::default();
    let top = sink.map().span(0, 0);
    model.group(ALL, top);
    let mut group = model.group(UNGROUPED, top);
    let mut state = State::Hosts;
    let mut declared: Vec<bool> = Vec::new();
    let mut pending: BTreeMap<String, Pending> = BTreeMap::new();
    for (start, text) in &lines {
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        let at = start + (text.len() - text.trim_start().len());
        if trimmed.starts_with('[') {
            let Some((name, kind)) = section(sink, at, trimmed) else {
                // Lines up to the next good header have no section to go to.
                state = State::Vars;
                group = usize::MAX;
                continue;
            };
            let mark = sink.map().span(at, at + trimmed.len());
            group = model.group(&name, mark);
            state = kind;
            declared.resize(model.groups.len(), false);
            if state == State::Vars {
                if !declared[group] && !pending.contains_key(&name) && name != ALL {
                    pending.insert(
                        name.clone(),
                        Pending {
                            mark,
                            message: format!(
                                "section `[{name}:vars]` is for a group never declared"
                            ),
                        },
                    );
                }
            } else {
                declared[group] = true;
                pending.remove(&name);
            }
            continue;
        }
        if group == usize::MAX {
            continue;
        }
        match state {
            State::Hosts => host_line(sink, &mut model, group, at, trimmed),
            State::Vars => {
                if let Some(var) = variable(sink, at, trimmed) {
                    model.groups[group].vars.push(var);
                }
            }
            State::Children => {
                let Some(child_name) = group_name(sink, at, trimmed) else {
                    continue;
                };
                let mark = sink.map().span(at, at + child_name.len());
                let child = model.group(&child_name, mark);
                declared.resize(model.groups.len(), false);
                if !declared[child] && child_name != ALL && child_name != UNGROUPED {
                    let parent = &model.groups[group].name;
                    pending.entry(child_name.clone()).or_insert(Pending {
                        mark,
                        message: format!(
                            "section `[{parent}:children]` names `{child_name}`, a group never \
                             declared"
                        ),
                    });
                }
                model.add_child(group, child, mark);
            }
        }
    }
    for (name, p) in pending {
        sink.error(
            p.mark,
            p.message,
            Some(format!(
                "declare it with a `[{name}]` section (even an empty one) or `[{name}:children]`"
            )),
        );
    }
    model
}

/// `[name]`, `[name:children]` or `[name:vars]`, optionally followed by a comment.
fn section(sink: &mut Sink<'_>, at: usize, line: &str) -> Option<(String, State)> {
    let mark = sink.map().span(at, at + line.len());
    let help = Some(
        "a section header is `[group]`, `[group:children]` or `[group:vars]`, with no spaces \
         inside the brackets"
            .to_owned(),
    );
    let Some(close) = line.find(']') else {
        sink.error(mark, "this section header has no closing `]`", help);
        return None;
    };
    let after = line[close + 1..].trim_start();
    if !(after.is_empty() || after.starts_with('#')) {
        sink.error(mark, "text after a section header", help);
        return None;
    }
    let inner = &line[1..close];
    let (name, kind) = match inner.split_once(':') {
        Some((name, kind)) => (name, Some(kind)),
        None => (inner, None),
    };
    if name.is_empty() || name.contains(char::is_whitespace) || name.contains('[') {
        sink.error(
            mark,
            format!("`[{inner}]` is not a valid section header"),
            help,
        );
        return None;
    }
    let state = match kind {
        None | Some("hosts") => State::Hosts,
        Some("children") => State::Children,
        Some("vars") => State::Vars,
        Some(other) => {
            let start = at + 1 + name.len() + 1;
            let kind_mark = sink.map().span(start, start + other.len());
            sink.error(
                kind_mark,
                format!("section `[{inner}]` has the unknown type `{other}`"),
                Some(format!(
                    "the section types are `[{name}:children]` and `[{name}:vars]`"
                )),
            );
            return None;
        }
    };
    Some((name.to_owned(), state))
}

/// A children line: one group name, optionally followed by a comment.
fn group_name(sink: &mut Sink<'_>, at: usize, line: &str) -> Option<String> {
    let end = line.find(char::is_whitespace).unwrap_or(line.len());
    let (name, rest) = line.split_at(end);
    let rest = rest.trim_start();
    if name.contains([':', ']']) || !(rest.is_empty() || rest.starts_with('#')) {
        let mark = sink.map().span(at, at + line.len());
        sink.error(
            mark,
            format!("expected a group name, found `{line}`"),
            Some("a `:children` section lists one group name per line".to_owned()),
        );
        return None;
    }
    Some(name.to_owned())
}

/// A `[group:vars]` line: `key=value`.
fn variable(sink: &mut Sink<'_>, at: usize, line: &str) -> Option<Var> {
    let Some((key, value)) = line.split_once('=') else {
        let mark = sink.map().span(at, at + line.len());
        sink.error(
            mark,
            format!("expected `key=value`, found `{line}`"),
            Some(
                "a `:vars` section sets one variable per line, e.g. `ansible_user=centos`"
                    .to_owned(),
            ),
        );
        return None;
    };
    let key = key.trim();
    let mark = sink.map().span(at, at + key.len());
    Some(Var {
        key: key.to_owned(),
        value: unquote(value.trim()).to_owned(),
        mark,
    })
}

/// A host line: a pattern, then shell-quoted `key=value` variables.
fn host_line(sink: &mut Sink<'_>, model: &mut Model, group: usize, at: usize, line: &str) {
    let tokens = match tokens(line) {
        Ok(tokens) => tokens,
        Err(at_quote) => {
            let mark = sink.map().span(at + at_quote, at + at_quote + 1);
            sink.error(
                mark,
                "this quote is never closed",
                Some("close the quote, or escape it with `\\`".to_owned()),
            );
            return;
        }
    };
    let Some(((pattern_at, pattern), variables)) = tokens.split_first() else {
        return;
    };
    let mut vars = Vec::new();
    for (token_at, token) in variables {
        let mark = sink.map().span(at + token_at, at + token_at + token.len());
        match token.split_once('=') {
            Some((key, value)) if !key.is_empty() => vars.push(Var {
                key: key.to_owned(),
                value: value.to_owned(),
                mark,
            }),
            _ => {
                // One per line: the rest of a line that went wrong is seldom news.
                sink.error(
                    mark,
                    format!("expected a `key=value` host variable, found `{token}`"),
                    Some(
                        "after the host come its variables, e.g. `cmp01 ansible_host=10.0.0.5`; \
                         quote a value that has spaces"
                            .to_owned(),
                    ),
                );
                return;
            }
        }
    }
    let mark = sink
        .map()
        .span(at + pattern_at, at + pattern_at + pattern.len());
    model.add_hosts(sink, group, pattern, mark, &vars);
}

/// Splits a line as a POSIX shell would (quotes, backslashes, `#` comments), giving each
/// word with the byte offset where it starts; `Err` is the offset of an unclosed quote.
fn tokens(line: &str) -> Result<Vec<(usize, String)>, usize> {
    let mut words = Vec::new();
    let mut current: Option<(usize, String)> = None;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                words.extend(current.take());
                continue;
            }
            '#' if current.is_none() => break,
            _ => {}
        }
        let word = &mut current.get_or_insert_with(|| (i, String::new())).1;
        match c {
            '\'' => loop {
                match chars.next() {
                    Some((_, '\'')) => break,
                    Some((_, inner)) => word.push(inner),
                    None => return Err(i),
                }
            },
            '"' => loop {
                match chars.next() {
                    Some((_, '"')) => break,
                    Some((_, '\\')) => match chars.next() {
                        Some((_, escaped)) => word.push(escaped),
                        None => return Err(i),
                    },
                    Some((_, inner)) => word.push(inner),
                    None => return Err(i),
                }
            },
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    word.push(escaped);
                }
            }
            other => word.push(other),
        }
    }
    words.extend(current);
    Ok(words)
}

/// A `:vars` value as Ansible reads a quoted string literal: without its quotes.
fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_with_positions() {
        let words = tokens(r#"cmp01 a=1 b="two words" c='x y'\z # comment"#);
        let words = words.unwrap_or_default();
        let texts: Vec<&str> = words.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(texts, ["cmp01", "a=1", "b=two words", "c=x yz"]);
        let starts: Vec<usize> = words.iter().map(|(i, _)| *i).collect();
        assert_eq!(starts, [0, 6, 10, 24]);
        assert_eq!(tokens("a b=\"open"), Err(4));
    }

    #[test]
    fn sections_children_and_pending_groups() {
        let source = "loose\n[compute]\ncmp[1:2] ansible_user=centos\n[all:vars]\nx=1\n\
                      [cloud:children]\ncompute\nlater\n[later]\n[nope:vars]\ny=2\n\
                      [bad:kind]\n[cloud:children]\nmissing\n";
        let mut sink = Sink::new(source);
        let model = read(&mut sink);
        let messages: Vec<String> = sink
            .finish("i")
            .items
            .iter()
            .map(|d| format!("{}:{} {}", d.line, d.column, d.message))
            .collect();
        assert_eq!(
            messages,
            [
                "10:1 section `[nope:vars]` is for a group never declared",
                "12:6 section `[bad:kind]` has the unknown type `kind`",
                "14:1 section `[cloud:children]` names `missing`, a group never declared",
            ]
        );
        let names: Vec<&str> = model.hosts.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["loose", "cmp1", "cmp2"]);
        let cloud = model
            .find_group("cloud")
            .map(|g| model.groups[g].children.len());
        assert_eq!(cloud, Some(3));
        assert_eq!(model.hosts[1].vars[0].value, "centos");
    }
}
