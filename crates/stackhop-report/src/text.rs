//! Text helpers: display width, word wrapping, truncation and human durations.
//!
//! Widths are counted in characters. Everything stackhop prints itself (box-drawing
//! characters, `×`, `…`) is one column wide, and host names are ASCII (the inventory enforces
//! RFC 1123), so a character count is a column count for all but exotic catalog text.

/// The widest line the text renderers produce (design.md, rule 6).
pub const MAX_WIDTH: usize = 100;

/// The display width of `text`, in columns.
#[must_use]
pub fn width(text: &str) -> usize {
    text.chars().count()
}

/// `text` cut to at most `max` columns, ending in `…` when something was cut.
#[must_use]
pub fn fit(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// `text` padded with spaces to `columns` (never cut).
pub(crate) fn pad(text: &str, columns: usize) -> String {
    format!("{text:<columns$}")
}

/// Wraps `text` into lines of at most `max` columns. The first line starts with `first`, the
/// others with `rest`; runs of whitespace (line breaks included) become one space. A word longer
/// than a line is broken. Always returns at least one line (the bare prefix for empty text).
///
/// The prefixes are expected to leave room on the line; a prefix as wide as `max` still gets one
/// character per line rather than looping forever.
#[must_use]
pub fn wrap(text: &str, max: usize, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_owned();
    let mut line_width = width(first);
    let mut has_word = false;
    for word in text.split_whitespace() {
        let word_width = width(word);
        if has_word && line_width + 1 + word_width <= max {
            line.push(' ');
            line.push_str(word);
            line_width += 1 + word_width;
            continue;
        }
        if !has_word && line_width + word_width <= max {
            line.push_str(word);
            line_width += word_width;
            has_word = true;
            continue;
        }
        if has_word {
            lines.push(std::mem::take(&mut line));
            line = rest.to_owned();
            line_width = width(rest);
            if line_width + word_width <= max {
                line.push_str(word);
                line_width += word_width;
                continue;
            }
        }
        // The word does not fit on a line of its own: break it.
        let mut chars = word.chars().peekable();
        while chars.peek().is_some() {
            let room = max.saturating_sub(line_width).max(1);
            let chunk: String = chars.by_ref().take(room).collect();
            line_width += width(&chunk);
            line.push_str(&chunk);
            if chars.peek().is_some() {
                lines.push(std::mem::take(&mut line));
                line = rest.to_owned();
                line_width = width(rest);
            }
        }
        has_word = true;
    }
    lines.push(line);
    lines
}

/// Items on lines of at most `max` columns, `separator` after every item but the last, never
/// breaking inside an item or before a separator (so a trace's arrows end lines). The first line
/// starts with `first`, the others with `rest`; an item too long for a line is wrapped on its own.
#[must_use]
pub(crate) fn wrap_list(
    items: &[String],
    separator: &str,
    max: usize,
    first: &str,
    rest: &str,
) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_owned();
    let mut empty = true;
    for (k, item) in items.iter().enumerate() {
        let unit = if k + 1 < items.len() {
            format!("{item}{separator}")
        } else {
            item.clone()
        };
        let space = usize::from(!empty);
        if width(&line) + space + width(&unit) <= max {
            if !empty {
                line.push(' ');
            }
            line.push_str(&unit);
            empty = false;
            continue;
        }
        if !empty {
            lines.push(std::mem::take(&mut line));
            line = rest.to_owned();
        }
        if width(&line) + width(&unit) <= max {
            line.push_str(&unit);
            empty = false;
        } else {
            let mut pieces = wrap(&unit, max, &line, rest);
            line = pieces.pop().unwrap_or_default();
            lines.extend(pieces);
            empty = false;
        }
    }
    lines.push(line);
    lines
}

/// `1234567` as `1,234,567`.
#[must_use]
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Lines joined into a text, each without trailing spaces and ending in a line break.
pub(crate) fn lines_to_text(lines: Vec<String>) -> String {
    let mut out = String::new();
    for line in lines {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_wrap_between_items_with_the_separator_at_the_end_of_a_line() {
        let items: Vec<String> = ["alpha", "beta", "gamma", "delta"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(
            wrap_list(&items, " →", 16, "t: ", "   "),
            vec!["t: alpha →", "   beta →", "   gamma → delta"]
        );
        let lines = wrap_list(&items, " →", 18, "t: ", "   ");
        assert_eq!(lines, vec!["t: alpha → beta →", "   gamma → delta"]);
        assert_eq!(wrap_list(&[], ",", 10, "x: ", "  "), vec!["x: "]);
        let long = vec!["a".repeat(30), "b".to_owned()];
        for line in wrap_list(&long, ",", 12, "", "  ") {
            assert!(width(&line) <= 12, "{line}");
        }
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn fit_cuts_with_an_ellipsis() {
        assert_eq!(fit("abcdef", 6), "abcdef");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abcdef", 1), "…");
        assert_eq!(fit("abcdef", 0), "");
        assert_eq!(width(&fit("é×…abc", 3)), 3);
    }

    #[test]
    fn wrap_fills_lines_and_keeps_prefixes() {
        let lines = wrap(
            "the quick brown fox jumps over the lazy dog",
            20,
            "> ",
            "  ",
        );
        assert_eq!(
            lines,
            vec!["> the quick brown", "  fox jumps over the", "  lazy dog"]
        );
        for line in &lines {
            assert!(width(line) <= 20);
        }
    }

    #[test]
    fn wrap_breaks_long_words_and_collapses_whitespace() {
        let lines = wrap("a  abcdefghijklmnop\n b", 8, "", "..");
        assert_eq!(lines, vec!["a", "..abcdef", "..ghijkl", "..mnop b"]);
        assert_eq!(wrap("", 10, "x: ", "   "), vec!["x: "]);
        assert_eq!(wrap("abcdefgh", 4, "", ""), vec!["abcd", "efgh"]);
    }

    #[test]
    fn wrap_never_exceeds_the_width_when_prefixes_leave_room() {
        let text = "word ".repeat(50) + &"x".repeat(250) + " tail";
        for max in 5..40 {
            for line in wrap(&text, max, "ab ", "cd  ") {
                assert!(width(&line) <= max, "{max}: {line:?}");
            }
        }
    }

    #[test]
    fn wrap_with_a_full_prefix_still_terminates() {
        let lines = wrap("abc", 2, "12", "12");
        assert!(lines.len() >= 3);
    }
}
