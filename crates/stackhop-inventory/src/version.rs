//! Dotted package versions such as `2013.2.3`.

use std::cmp::Ordering;
use std::fmt;

use serde::Serialize;

/// A dotted numeric version. Compared (and equal) by its numbers, so `2013.02.3` equals
/// `2013.2.3`; `text` keeps what the operator wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    pub parts: Vec<u32>,
    pub text: String,
}

impl Version {
    /// Parses `2013.2.3`-style text: one or more numbers separated by dots.
    #[must_use]
    pub fn parse(text: &str) -> Option<Version> {
        let parts = text
            .split('.')
            .map(|p| {
                if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                    None
                } else {
                    p.parse().ok()
                }
            })
            .collect::<Option<Vec<u32>>>()?;
        Some(Version {
            parts,
            text: text.to_owned(),
        })
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.parts == other.parts
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.parts.cmp(&other.parts)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::Version;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap_or_else(|| panic!("{s}"))
    }

    #[test]
    fn parses_and_orders_by_numbers() {
        assert_eq!(v("2013.2.3").parts, [2013, 2, 3]);
        assert!(v("2013.2.10") > v("2013.2.3"));
        assert!(v("2014.1") > v("2013.2.3"));
        assert_eq!(v("2013.02.3"), v("2013.2.3"));
        for bad in [
            "",
            "2013..2",
            "2013.2.",
            "v2013",
            "2013.2.3a",
            "99999999999",
        ] {
            assert_eq!(Version::parse(bad), None, "{bad}");
        }
    }
}
