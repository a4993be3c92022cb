//! Ansible-style host ranges: `cmp[001:040]`, `rack[a:c]`, `r[1:2]-n[01:02]`, `n[0:10:2]`.

use std::fmt;

/// Why a host name pattern could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeError {
    /// `[` without a matching `]`.
    Unclosed,
    /// `]` without a `[` before it.
    Unopened,
    /// A bracket group that is not `[START:END]` or `[START:END:STEP]`.
    Malformed(String),
    /// A letter bound and a number bound in one group.
    Mixed(String),
    /// The end bound comes before the start bound.
    Reversed(String),
    /// Step 0.
    ZeroStep(String),
    /// The expansion would produce more than the allowed number of names.
    TooMany { limit: usize },
}

impl fmt::Display for RangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RangeError::Unclosed => write!(f, "unclosed `[`"),
            RangeError::Unopened => write!(f, "`]` without a matching `[`"),
            RangeError::Malformed(g) => write!(f, "malformed range `[{g}]`"),
            RangeError::Mixed(g) => write!(f, "range `[{g}]` mixes a letter and a number"),
            RangeError::Reversed(g) => {
                write!(f, "range `[{g}]` is empty: its end comes before its start")
            }
            RangeError::ZeroStep(g) => write!(f, "range `[{g}]` has a step of 0"),
            RangeError::TooMany { limit } => {
                write!(f, "it expands to more than {limit} hosts")
            }
        }
    }
}

impl RangeError {
    pub fn help(&self) -> String {
        match self {
            RangeError::Reversed(g) => {
                let mut parts = g.split(':');
                let start = parts.next().unwrap_or("");
                let end = parts.next().unwrap_or("");
                format!("write the smaller bound first: `[{end}:{start}]`")
            }
            RangeError::TooMany { .. } => {
                "split the range, or check the bounds for a typo".to_owned()
            }
            _ => "write a range as `[START:END]` with two numbers or two letters, e.g. \
                  `cmp[001:040]` or `rack[a:c]`"
                .to_owned(),
        }
    }
}

/// True when `pattern` contains a bracket group, i.e. stands for several hosts.
pub fn is_range(pattern: &str) -> bool {
    pattern.contains('[') || pattern.contains(']')
}

enum Segment<'p> {
    Literal(&'p str),
    Group(Group),
}

enum Group {
    Numbers {
        start: u64,
        count: u64,
        step: u64,
        width: usize,
    },
    Letters {
        start: u8,
        count: u64,
        step: u64,
    },
}

impl Group {
    fn count(&self) -> u64 {
        match self {
            Group::Numbers { count, .. } | Group::Letters { count, .. } => *count,
        }
    }

    fn value(&self, i: u64) -> String {
        match self {
            Group::Numbers {
                start, step, width, ..
            } => {
                let n = start.saturating_add(i.saturating_mul(*step));
                format!("{n:0width$}")
            }
            Group::Letters { start, step, .. } => {
                let offset = u8::try_from(i.saturating_mul(*step)).unwrap_or(0);
                char::from(start.saturating_add(offset)).to_string()
            }
        }
    }
}

/// How many names `pattern` stands for (saturating), without expanding it.
pub fn count(pattern: &str) -> Result<u64, RangeError> {
    Ok(total(&segments(pattern)?))
}

fn total(segments: &[Segment<'_>]) -> u64 {
    segments.iter().fold(1, |total, segment| match segment {
        Segment::Group(g) => total.saturating_mul(g.count()),
        Segment::Literal(_) => total,
    })
}

/// Expands `pattern` to the names it stands for, in Ansible's order (the first group varies
/// slowest). Refuses before allocating anything when there would be more than `limit`.
pub fn expand(pattern: &str, limit: usize) -> Result<Vec<String>, RangeError> {
    let segments = segments(pattern)?;
    if total(&segments) > u64::try_from(limit).unwrap_or(u64::MAX) {
        return Err(RangeError::TooMany { limit });
    }
    let mut names = vec![String::new()];
    for segment in &segments {
        match segment {
            Segment::Literal(text) => names.iter_mut().for_each(|n| n.push_str(text)),
            Segment::Group(group) => {
                let values: Vec<String> = (0..group.count()).map(|i| group.value(i)).collect();
                names = names
                    .iter()
                    .flat_map(|prefix| values.iter().map(move |v| format!("{prefix}{v}")))
                    .collect();
            }
        }
    }
    Ok(names)
}

fn segments(pattern: &str) -> Result<Vec<Segment<'_>>, RangeError> {
    let mut segments = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find(['[', ']']) {
        let (literal, tail) = rest.split_at(open);
        if tail.starts_with(']') {
            return Err(RangeError::Unopened);
        }
        let inner_and_after = tail.get(1..).unwrap_or("");
        let Some(close) = inner_and_after.find(']') else {
            return Err(RangeError::Unclosed);
        };
        let (inner, after) = inner_and_after.split_at(close);
        if inner.contains('[') {
            return Err(RangeError::Unclosed);
        }
        if !literal.is_empty() {
            segments.push(Segment::Literal(literal));
        }
        segments.push(Segment::Group(group(inner)?));
        rest = after.get(1..).unwrap_or("");
    }
    if !rest.is_empty() {
        segments.push(Segment::Literal(rest));
    }
    Ok(segments)
}

fn group(inner: &str) -> Result<Group, RangeError> {
    let malformed = || RangeError::Malformed(inner.to_owned());
    let mut parts = inner.split(':');
    let (Some(start), Some(end)) = (parts.next(), parts.next()) else {
        return Err(malformed());
    };
    let step = match parts.next() {
        None => 1,
        Some(s) => number(s).ok_or_else(malformed)?,
    };
    if parts.next().is_some() {
        return Err(malformed());
    }
    if step == 0 {
        return Err(RangeError::ZeroStep(inner.to_owned()));
    }
    match (number(start), number(end), letter(start), letter(end)) {
        (Some(s), Some(e), _, _) => {
            if e < s {
                return Err(RangeError::Reversed(inner.to_owned()));
            }
            Ok(Group::Numbers {
                start: s,
                count: (e - s) / step + 1,
                step,
                width: start.len(),
            })
        }
        (_, _, Some(s), Some(e)) => {
            if s.is_ascii_lowercase() != e.is_ascii_lowercase() {
                return Err(malformed());
            }
            if e < s {
                return Err(RangeError::Reversed(inner.to_owned()));
            }
            Ok(Group::Letters {
                start: s,
                count: u64::from(e - s) / step + 1,
                step,
            })
        }
        (Some(_), _, _, Some(_)) | (_, Some(_), Some(_), _) => {
            Err(RangeError::Mixed(inner.to_owned()))
        }
        _ => Err(malformed()),
    }
}

/// Digits only, and few enough that no range computation can overflow.
fn number(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn letter(s: &str) -> Option<u8> {
    match s.as_bytes() {
        [b] if b.is_ascii_alphabetic() => Some(*b),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(pattern: &str) -> Vec<String> {
        expand(pattern, 100_000).unwrap_or_else(|e| panic!("{pattern}: {e}"))
    }

    #[test]
    fn expansions() {
        let cases: &[(&str, &[&str])] = &[
            ("ctl1", &["ctl1"]),
            ("node[1:3]", &["node1", "node2", "node3"]),
            ("n[8:11]", &["n8", "n9", "n10", "n11"]),
            ("cmp[008:011]", &["cmp008", "cmp009", "cmp010", "cmp011"]),
            ("rack[a:c]", &["racka", "rackb", "rackc"]),
            ("R[X:Z]-1", &["RX-1", "RY-1", "RZ-1"]),
            ("r[1:2]-n[01:02]", &["r1-n01", "r1-n02", "r2-n01", "r2-n02"]),
            ("n[0:10:5]", &["n0", "n5", "n10"]),
            ("[1:2].example.com", &["1.example.com", "2.example.com"]),
            ("x[3:3]", &["x3"]),
        ];
        for (pattern, expected) in cases {
            assert_eq!(ok(pattern), *expected, "{pattern}");
        }
    }

    #[test]
    fn zero_padding_follows_the_start_bound() {
        let names = ok("cmp[001:040]");
        assert_eq!(names.len(), 40);
        assert_eq!(names.first().map(String::as_str), Some("cmp001"));
        assert_eq!(names.last().map(String::as_str), Some("cmp040"));
        assert_eq!(ok("c[0998:1001]"), ["c0998", "c0999", "c1000", "c1001"]);
    }

    #[test]
    fn errors() {
        let cases: &[(&str, RangeError)] = &[
            ("cmp[1-4]", RangeError::Malformed("1-4".into())),
            ("cmp[4:1]", RangeError::Reversed("4:1".into())),
            ("cmp[c:a]", RangeError::Reversed("c:a".into())),
            ("cmp[a:3]", RangeError::Mixed("a:3".into())),
            ("cmp[1:4", RangeError::Unclosed),
            ("cmp[1:[2:3]", RangeError::Unclosed),
            ("cmp1:4]", RangeError::Unopened),
            ("cmp[]", RangeError::Malformed("".into())),
            ("cmp[:4]", RangeError::Malformed(":4".into())),
            ("cmp[1:4:0]", RangeError::ZeroStep("1:4:0".into())),
            ("cmp[1:4:1:1]", RangeError::Malformed("1:4:1:1".into())),
            ("cmp[a:Z]", RangeError::Malformed("a:Z".into())),
            ("cmp[ab:cd]", RangeError::Malformed("ab:cd".into())),
            ("n[0:999999999999]", RangeError::TooMany { limit: 100_000 }),
            ("a[0:999]b[0:999]", RangeError::TooMany { limit: 100_000 }),
        ];
        for (pattern, expected) in cases {
            assert_eq!(
                expand(pattern, 100_000).as_ref(),
                Err(expected),
                "{pattern}"
            );
        }
        assert_eq!(count("a[0:999]b[0:999]"), Ok(1_000_000));
        let huge = "n[0:999999999999]x[0:999999999999]y[0:999999999999]";
        assert_eq!(count(huge), Ok(u64::MAX));
    }
}
