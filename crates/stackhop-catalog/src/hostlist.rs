//! Host lists for people: `cmp[001:040]` instead of forty names.

/// Collapses names that differ only in a trailing number of one width into ranges, keeping the
/// input order of first appearance: `cmp001 … cmp040, net1` becomes `cmp[001:040], net1`.
pub fn collapse_hosts<S: AsRef<str>>(names: &[S]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut run: Option<(String, usize, u64, u64)> = None; // prefix, width, first, last
    let flush = |run: &mut Option<(String, usize, u64, u64)>, parts: &mut Vec<String>| {
        if let Some((prefix, width, first, last)) = run.take() {
            if first == last {
                parts.push(format!("{prefix}{first:0width$}"));
            } else {
                parts.push(format!("{prefix}[{first:0width$}:{last:0width$}]"));
            }
        }
    };
    for name in names {
        let name = name.as_ref();
        let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 || digits > 18 {
            flush(&mut run, &mut parts);
            parts.push(name.to_owned());
            continue;
        }
        let (prefix, number) = name.split_at(name.len() - digits);
        let Ok(n) = number.parse::<u64>() else {
            flush(&mut run, &mut parts);
            parts.push(name.to_owned());
            continue;
        };
        if let Some((p, w, _, last)) = &mut run
            && p == prefix
            && *w == digits
            && *last + 1 == n
        {
            *last = n;
            continue;
        }
        flush(&mut run, &mut parts);
        run = Some((prefix.to_owned(), digits, n, n));
    }
    flush(&mut run, &mut parts);
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::collapse_hosts;

    #[test]
    fn collapses_runs_and_keeps_padding() {
        let names: Vec<String> = (1..=40).map(|i| format!("cmp{i:03}")).collect();
        assert_eq!(collapse_hosts(&names), "cmp[001:040]");
        assert_eq!(
            collapse_hosts(&["ctl1", "net1", "cmp1", "cmp2", "cmp4"]),
            "ctl1, net1, cmp[1:2], cmp4"
        );
        assert_eq!(collapse_hosts(&["a", "b"]), "a, b");
        assert_eq!(collapse_hosts::<&str>(&[]), "");
    }
}
