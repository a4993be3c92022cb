//! Host names as the tools that will reach these hosts accept them (RFC 1123).

/// Why a name is not a valid host name, or `None` when it is.
pub fn problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("it is empty");
    }
    if name.len() > 253 {
        return Some("it is longer than 253 characters");
    }
    for label in name.split('.') {
        if label.is_empty() {
            return Some("it has an empty part between dots");
        }
        if label.len() > 63 {
            return Some("a part between dots is longer than 63 characters");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Some("it may contain only letters, digits, `-` and `.`");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some("a part cannot start or end with `-`");
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn accepts_and_rejects() {
        for good in ["ctl1", "cmp001", "a", "node-1.east.example.com", "1node"] {
            assert_eq!(problem(good), None, "{good}");
        }
        let long_label = "a".repeat(64);
        for bad in [
            "",
            "cmp_1",
            "-a",
            "a-",
            "a..b",
            "a b",
            "é",
            long_label.as_str(),
        ] {
            assert!(problem(bad).is_some(), "{bad}");
        }
    }
}
