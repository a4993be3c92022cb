//! Durations as people write them: `45s`, `30m`, `2h05m`, `1d`.

/// Formats seconds compactly: `45s`, `3m20s`, `2h05m`, `1d02h`. Coarser units drop the finest
/// part (hours show minutes, not seconds), which is what a timeline needs.
pub fn fmt_duration(s: u64) -> String {
    const MINUTE: u64 = 60;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    if s < MINUTE {
        format!("{s}s")
    } else if s < HOUR {
        let (m, r) = (s / MINUTE, s % MINUTE);
        if r == 0 {
            format!("{m}m")
        } else {
            format!("{m}m{r:02}s")
        }
    } else if s < DAY {
        let (h, m) = (s / HOUR, (s % HOUR) / MINUTE);
        if m == 0 {
            format!("{h}h")
        } else {
            format!("{h}h{m:02}m")
        }
    } else {
        let (d, h) = (s / DAY, (s % DAY) / HOUR);
        if h == 0 {
            format!("{d}d")
        } else {
            format!("{d}d{h:02}h")
        }
    }
}

/// Reads a duration such as `90`, `90s`, `30m`, `2h`, `1h30m` or `1d` as seconds. A bare number
/// is seconds. `None` when the text is not a duration.
pub fn parse_duration(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(n) = text.parse::<u64>() {
        return Some(n);
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    let mut last_unit = u64::MAX;
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return None,
        };
        // Units from coarse to fine, each once: `1h30m`, not `30m1h` or `1h1h`.
        if number.is_empty() || unit >= last_unit {
            return None;
        }
        last_unit = unit;
        let n: u64 = number.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        number.clear();
    }
    if !number.is_empty() {
        return None;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(fmt_duration(0), "0s");
        assert_eq!(fmt_duration(45), "45s");
        assert_eq!(fmt_duration(180), "3m");
        assert_eq!(fmt_duration(200), "3m20s");
        assert_eq!(fmt_duration(7500), "2h05m");
        assert_eq!(fmt_duration(7200), "2h");
        assert_eq!(fmt_duration(93_600), "1d02h");
    }

    #[test]
    fn parses() {
        assert_eq!(parse_duration("90"), Some(90));
        assert_eq!(parse_duration("90s"), Some(90));
        assert_eq!(parse_duration("30m"), Some(1800));
        assert_eq!(parse_duration("1h30m"), Some(5400));
        assert_eq!(parse_duration("2h05m"), Some(7500));
        assert_eq!(parse_duration("1d"), Some(86_400));
        for bad in ["", "m", "30x", "30m1h", "1h1h", "1h30", "-5"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        for s in [0, 59, 60, 61, 3599, 3600, 86_399, 86_400] {
            let text = fmt_duration(s);
            // Formatting drops seconds from hours and minutes from days; the rest round-trips.
            if s < 3600 {
                assert_eq!(parse_duration(&text), Some(s), "{text}");
            }
        }
    }
}
