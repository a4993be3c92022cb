//! "Did you mean" for misspelt keys and words.

/// Below this Jaro-Winkler similarity a candidate is more likely noise than a typo.
const THRESHOLD: f64 = 0.8;

/// The candidate closest to `input`, if it is close enough to be a likely typo.
pub(crate) fn closest<'c>(input: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let input = input.to_lowercase();
    let mut best: Option<(&'c str, f64)> = None;
    for &candidate in candidates {
        let score = strsim::jaro_winkler(&input, &candidate.to_lowercase());
        if score >= THRESHOLD && best.is_none_or(|(_, s)| score > s) {
            best = Some((candidate, score));
        }
    }
    best.map(|(c, _)| c)
}

/// "did you mean `x`? {what}: a, b, c", or just the list when nothing is close.
pub(crate) fn help(input: &str, candidates: &[&str], what: &str) -> String {
    let list = candidates.join(", ");
    match closest(input, candidates) {
        Some(c) => format!("did you mean `{c}`? {what}: {list}"),
        None => format!("{what}: {list}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_found() {
        let keys = [
            "name",
            "roles",
            "os",
            "nova_version",
            "instances",
            "services",
        ];
        assert_eq!(closest("rols", &keys), Some("roles"));
        assert_eq!(closest("Roles", &keys), Some("roles"));
        assert_eq!(closest("instance", &keys), Some("instances"));
        assert_eq!(closest("nova-version", &keys), Some("nova_version"));
        assert_eq!(closest("ram", &keys), None);
        assert_eq!(
            closest("controler", &["controller", "compute"]),
            Some("controller")
        );
        assert_eq!(
            help("rols", &keys[..2], "valid keys"),
            "did you mean `roles`? valid keys: name, roles"
        );
    }
}
