//! How the playbook names what it runs.

/// The ids with what differs between them as `*`: `nova-computes.*.stop`.
pub(crate) fn common_pattern(ids: &[&str]) -> String {
    let Some(first) = ids.first() else {
        return String::new();
    };
    if ids.iter().all(|id| id == first) {
        return (*first).to_owned();
    }
    let prefix = ids.iter().fold(first.len(), |n, id| {
        n.min(
            first
                .bytes()
                .zip(id.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        )
    });
    let suffix = ids.iter().fold(first.len() - prefix, |n, id| {
        n.min(
            first
                .bytes()
                .rev()
                .zip(id.bytes().rev())
                .take_while(|(a, b)| a == b)
                .count(),
        )
    });
    let prefix = &first[..floor_char(first, prefix)];
    let suffix = &first[ceil_char(first, first.len() - suffix)..];
    format!("{prefix}*{suffix}")
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::common_pattern;

    #[test]
    fn patterns_of_ids() {
        assert_eq!(
            common_pattern(&["nova-computes.canary.stop", "nova-computes.b01.stop"]),
            "nova-computes.*.stop"
        );
        assert_eq!(common_pattern(&["a.b"]), "a.b");
        assert_eq!(common_pattern(&["x1", "x12"]), "x1*");
    }
}
