//! Secrets out of what people see: every command a report shows passes through [`mask`].

use std::borrow::Cow;

/// What a secret is replaced with.
pub const MASK: &str = "••••••";

/// `text` with every occurrence of each secret replaced by [`MASK`]. Longer secrets are
/// replaced first, so a secret that contains another is masked whole; empty secrets are
/// ignored. Borrowed when nothing had to be masked.
#[must_use]
pub fn mask<'a, S: AsRef<str>>(text: &'a str, secrets: &[S]) -> Cow<'a, str> {
    let mut found: Vec<&str> = secrets
        .iter()
        .map(AsRef::as_ref)
        .filter(|s| !s.is_empty() && text.contains(*s))
        .collect();
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    found.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut masked = text.to_owned();
    for secret in found {
        masked = masked.replace(secret, MASK);
    }
    Cow::Owned(masked)
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::{MASK, mask};

    #[test]
    fn nothing_to_mask_borrows() {
        let none: [&str; 0] = [];
        assert!(matches!(
            mask("nova-manage db sync", &none),
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            mask("nova-manage db sync", &["", "s3cret"]),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn every_occurrence_of_every_secret_is_masked_longest_first() {
        let text = "mysql -p'hunter2' -e 'x' && echo hunter22 hunter2";
        let masked = mask(text, &["hunter2", "hunter22"]);
        assert_eq!(
            masked,
            format!("mysql -p'{MASK}' -e 'x' && echo {MASK} {MASK}")
        );
        assert!(!masked.contains("hunter"));
    }
}
