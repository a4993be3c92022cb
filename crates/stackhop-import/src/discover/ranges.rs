//! Writing hosts back as ranges: `cmp1`, `cmp2`, `cmp3` as `cmp[1:3]`, and their addresses
//! `10.0.0.11`..`13` as `10.0.0.[11:13]`, so that a discovered inventory keeps the shape of the
//! one it came from.

use stackhop_inventory::range;

/// The one range that expands to exactly `names`, in order, when they differ only in one number
/// counting up in a constant step (`cmp[001:040]`, `n[1:9:2]`); `None` otherwise.
pub(crate) fn collapse(names: &[&str]) -> Option<String> {
    if names.len() < 2 {
        return None;
    }
    let mut prefix = common_prefix(names);
    // The number starts where the digits do: `cmp1` and `cmp10` share `cmp1`, not a prefix.
    while prefix.ends_with(|c: char| c.is_ascii_digit()) {
        prefix.pop();
    }
    let tails: Vec<&str> = names.iter().map(|n| &n[prefix.len()..]).collect();
    let mut suffix = common_suffix(&tails);
    while suffix.starts_with(|c: char| c.is_ascii_digit()) {
        suffix.remove(0);
    }
    let numbers: Vec<&str> = tails.iter().map(|t| &t[..t.len() - suffix.len()]).collect();
    if numbers
        .iter()
        .any(|n| n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let values: Vec<u64> = numbers
        .iter()
        .map(|n| n.parse().ok())
        .collect::<Option<_>>()?;
    let step = values[1].checked_sub(values[0]).filter(|s| *s > 0)?;
    let last = numbers[numbers.len() - 1];
    let bounds = if step == 1 {
        format!("{}:{last}", numbers[0])
    } else {
        format!("{}:{last}:{step}", numbers[0])
    };
    let pattern = format!("{prefix}[{bounds}]{suffix}");
    // Whatever the widths and steps, the range is only right if it gives the names back.
    let expanded = range::expand(&pattern, names.len() + 1).ok()?;
    (expanded
        .iter()
        .map(String::as_str)
        .eq(names.iter().copied()))
    .then_some(pattern)
}

fn common_prefix(names: &[&str]) -> String {
    let first = names[0];
    let mut len = first.len();
    for n in &names[1..] {
        len = first
            .char_indices()
            .zip(n.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(len);
    }
    first[..len].to_owned()
}

fn common_suffix(names: &[&str]) -> String {
    let reversed: Vec<String> = names.iter().map(|n| n.chars().rev().collect()).collect();
    let refs: Vec<&str> = reversed.iter().map(String::as_str).collect();
    common_prefix(&refs).chars().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::collapse;

    #[test]
    fn ranges_that_give_the_names_back() {
        assert_eq!(
            collapse(&["cmp1", "cmp2", "cmp3"]).as_deref(),
            Some("cmp[1:3]")
        );
        assert_eq!(
            collapse(&["cmp001", "cmp002", "cmp003"]).as_deref(),
            Some("cmp[001:003]")
        );
        assert_eq!(
            collapse(&["cmp9", "cmp10", "cmp11"]).as_deref(),
            Some("cmp[9:11]")
        );
        assert_eq!(collapse(&["cmp10", "cmp11"]).as_deref(), Some("cmp[10:11]"));
        assert_eq!(collapse(&["n1", "n3", "n5"]).as_deref(), Some("n[1:5:2]"));
        assert_eq!(
            collapse(&["r1-n01.east", "r1-n02.east"]).as_deref(),
            Some("r1-n[01:02].east")
        );
        assert_eq!(
            collapse(&["10.213.0.11", "10.213.0.12", "10.213.0.13"]).as_deref(),
            Some("10.213.0.[11:13]")
        );
    }

    #[test]
    fn no_range_when_none_fits() {
        assert_eq!(collapse(&["cmp1"]), None);
        assert_eq!(collapse(&["cmp1", "cmp3", "cmp4"]), None);
        assert_eq!(collapse(&["cmpa", "cmpb"]), None);
        assert_eq!(collapse(&["cmp2", "cmp1"]), None);
        assert_eq!(collapse(&["a1", "b2"]), None);
        assert_eq!(collapse(&["cmp1", "cmp1"]), None);
    }
}
