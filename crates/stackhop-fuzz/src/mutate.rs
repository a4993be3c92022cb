//! Mutations of a text input: bytes, tokens of YAML and JSON, lines, numbers, splices from other
//! inputs, and for JSON whole subtrees.

use rand::Rng;
use rand::seq::IndexedRandom;
use serde_json::Value;

/// Fragments that parsers treat specially: YAML's indicators, anchors, tags and documents,
/// JSON's punctuation and escapes, host ranges, numbers at the edges, odd characters.
const TOKENS: &[&str] = &[
    ":",
    ": ",
    "- ",
    "-",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\"",
    "'",
    "#",
    "&a ",
    "*a",
    "<<: *a",
    "!!str ",
    "!!binary ",
    "!tag ",
    "~",
    "null",
    "true",
    "false",
    "? ",
    "|\n",
    ">-\n",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "\t",
    "\r\n",
    "\n",
    "  ",
    "\u{feff}",
    "\u{0}",
    "\u{202e}",
    "é",
    "𝄞",
    "\\u0000",
    "\\ud800",
    "\\",
    "0",
    "-1",
    "-0",
    "1e309",
    "0x7f",
    "4294967296",
    "18446744073709551616",
    "99999999999999999999",
    "NaN",
    ".inf",
    "cmp[1:99999999]",
    "cmp[0:0]",
    "h[9:1]",
    "h[01:1]",
    "h[a:z]",
    "[1:3]",
    "%",
    "50%",
    "1000%",
    "0%",
    "{\"a\":",
    "[[[[[[[[",
    "]]]]]]]]",
    "{{{{{{",
    "\"kind\":",
    "\"after\":[",
    "\"hosts\":[]",
    "\"steps\":[]",
    "\"id\":\"",
    "\"\"",
];

/// Applies one to four random mutations; `others` are the rest of the corpus, for splices.
pub fn mutate(rng: &mut impl Rng, input: &str, others: &[String], json: bool) -> String {
    let mut text = input.to_owned();
    for _ in 0..rng.random_range(1..=4) {
        text = match rng.random_range(0..10) {
            0 if json => tree(rng, &text).unwrap_or(text),
            0 | 1 => token(rng, &text),
            2 => delete(rng, &text),
            3 => duplicate(rng, &text),
            4 => splice(rng, &text, others),
            5 => lines(rng, &text),
            6 => number(rng, &text),
            7 => character(rng, &text),
            8 if json => tree(rng, &text).unwrap_or(text),
            _ => token(rng, &text),
        };
    }
    text
}

/// A position in `text` on a character boundary.
fn at(rng: &mut impl Rng, text: &str) -> usize {
    let mut i = rng.random_range(0..=text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A range of `text` on character boundaries, at most `max` bytes long.
fn range(rng: &mut impl Rng, text: &str, max: usize) -> (usize, usize) {
    let start = at(rng, text);
    let mut end = (start + rng.random_range(0..=max)).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (start, end.max(start))
}

fn token(rng: &mut impl Rng, text: &str) -> String {
    let i = at(rng, text);
    let t = TOKENS.choose(rng).copied().unwrap_or(":");
    format!("{}{t}{}", &text[..i], &text[i..])
}

fn delete(rng: &mut impl Rng, text: &str) -> String {
    let (a, b) = range(rng, text, 64);
    format!("{}{}", &text[..a], &text[b..])
}

fn duplicate(rng: &mut impl Rng, text: &str) -> String {
    let (a, b) = range(rng, text, 256);
    let times = if rng.random_bool(0.1) { 50 } else { 1 };
    format!("{}{}{}", &text[..b], text[a..b].repeat(times), &text[b..])
}

fn splice(rng: &mut impl Rng, text: &str, others: &[String]) -> String {
    let Some(other) = others.choose(rng) else {
        return text.to_owned();
    };
    let (a, b) = range(rng, text, 128);
    let (c, d) = range(rng, other, 512);
    format!("{}{}{}", &text[..a], &other[c..d], &text[b..])
}

/// Deletes, repeats, swaps or re-indents whole lines.
fn lines(rng: &mut impl Rng, text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if lines.is_empty() {
        return text.to_owned();
    }
    let i = rng.random_range(0..lines.len());
    let j = rng.random_range(0..lines.len());
    match rng.random_range(0..4) {
        0 => {
            lines.remove(i);
        }
        1 => {
            let line = lines[i].clone();
            lines.insert(j, line);
        }
        2 => lines.swap(i, j),
        _ => {
            let trimmed = lines[i].trim_start().to_owned();
            lines[i] = format!("{}{trimmed}", " ".repeat(rng.random_range(0..12)));
        }
    }
    lines.join("\n")
}

/// Replaces a run of digits with a number at an edge.
fn number(rng: &mut impl Rng, text: &str) -> String {
    let starts: Vec<usize> = text
        .char_indices()
        .filter(|&(i, c)| c.is_ascii_digit() && !text[..i].ends_with(|p: char| p.is_ascii_digit()))
        .map(|(i, _)| i)
        .collect();
    let Some(&start) = starts.choose(rng) else {
        return token(rng, text);
    };
    let end = text[start..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(text.len(), |n| start + n);
    let edges = [
        "0",
        "1",
        "255",
        "256",
        "65535",
        "65536",
        "2147483647",
        "4294967295",
        "4294967296",
        "18446744073709551615",
        "99999999999999999999999",
    ];
    let n = edges.choose(rng).copied().unwrap_or("0");
    format!("{}{n}{}", &text[..start], &text[end..])
}

/// Replaces one character with a random one, often ASCII punctuation.
fn character(rng: &mut impl Rng, text: &str) -> String {
    let i = at(rng, text);
    let Some(old) = text[i..].chars().next() else {
        return token(rng, text);
    };
    let new = if rng.random_bool(0.8) {
        char::from(rng.random_range(b' '..=b'~'))
    } else {
        char::from_u32(rng.random_range(0..0x11_0000)).unwrap_or('\u{fffd}')
    };
    format!("{}{new}{}", &text[..i], &text[i + old.len_utf8()..])
}

/// Parses JSON and changes one node of the tree: another type, a key removed, an element
/// repeated, an edge number, a string from the tokens, or another node's value.
fn tree(rng: &mut impl Rng, text: &str) -> Option<String> {
    let mut value: Value = serde_json::from_str(text).ok()?;
    let mut count = 0;
    count_nodes(&value, &mut count);
    let target = rng.random_range(0..count.max(1));
    let mut donor = pick(&value, rng.random_range(0..count.max(1))).cloned();
    let mut seen = 0;
    change(&mut value, target, &mut seen, rng, &mut donor);
    Some(if rng.random_bool(0.5) {
        serde_json::to_string_pretty(&value).ok()?
    } else {
        serde_json::to_string(&value).ok()?
    })
}

fn count_nodes(v: &Value, count: &mut usize) {
    *count += 1;
    match v {
        Value::Array(a) => a.iter().for_each(|x| count_nodes(x, count)),
        Value::Object(o) => o.values().for_each(|x| count_nodes(x, count)),
        _ => {}
    }
}

fn pick(v: &Value, n: usize) -> Option<&Value> {
    fn walk<'v>(v: &'v Value, n: usize, seen: &mut usize) -> Option<&'v Value> {
        if *seen == n {
            return Some(v);
        }
        *seen += 1;
        match v {
            Value::Array(a) => a.iter().find_map(|x| walk(x, n, seen)),
            Value::Object(o) => o.values().find_map(|x| walk(x, n, seen)),
            _ => None,
        }
    }
    walk(v, n, &mut 0)
}

fn change(
    v: &mut Value,
    target: usize,
    seen: &mut usize,
    rng: &mut impl Rng,
    donor: &mut Option<Value>,
) {
    if *seen == target {
        *v = match rng.random_range(0..8) {
            0 => Value::Null,
            1 => Value::from(-1),
            2 => Value::from(u64::MAX),
            3 => Value::from(TOKENS.choose(rng).copied().unwrap_or("")),
            4 => Value::Array(Vec::new()),
            5 => Value::Object(serde_json::Map::new()),
            6 => donor.take().unwrap_or(Value::Bool(true)),
            _ => match v.take() {
                Value::Array(mut a) if !a.is_empty() => {
                    let i = rng.random_range(0..a.len());
                    if rng.random_bool(0.5) {
                        a.remove(i);
                    } else {
                        let x = a[i].clone();
                        a.push(x);
                    }
                    Value::Array(a)
                }
                Value::Object(mut o) if !o.is_empty() => {
                    let i = rng.random_range(0..o.len());
                    let key = o.keys().nth(i).cloned().unwrap_or_default();
                    o.remove(&key);
                    Value::Object(o)
                }
                other => other,
            },
        };
        *seen = usize::MAX;
        return;
    }
    *seen = seen.saturating_add(1);
    match v {
        Value::Array(a) => {
            for x in a {
                if *seen == usize::MAX {
                    return;
                }
                change(x, target, seen, rng, donor);
            }
        }
        Value::Object(o) => {
            for x in o.values_mut() {
                if *seen == usize::MAX {
                    return;
                }
                change(x, target, seen, rng, donor);
            }
        }
        _ => {}
    }
}
