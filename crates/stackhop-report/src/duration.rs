//! Durations for people, in one place. Measured and simulated times are exact
//! ([`duration_ms`]: `0.4s`, `7m05s`, `1h32m`, written as the twin writes its timeline);
//! estimates are rounded to the minute ([`human_duration`]), which is all an estimate knows.

/// A measured or simulated time: tenths of a second below ten seconds, then as
/// [`stackhop_sim::fmt_duration`] writes it.
#[must_use]
pub fn duration_ms(ms: u64) -> String {
    if ms < 10_000 {
        return format!("{:.1}s", ms as f64 / 1000.0);
    }
    stackhop_sim::fmt_duration(ms / 1000)
}

/// An estimate: `45s`, `12m`, `1h05m`. Minutes are rounded to the nearest.
#[must_use]
pub fn human_duration(seconds: u64) -> String {
    if seconds < 60 {
        return format!("{seconds}s");
    }
    let minutes = seconds.saturating_add(30) / 60;
    if minutes < 60 {
        return format!("{minutes}m");
    }
    format!("{}h{:02}m", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::{duration_ms, human_duration};

    #[test]
    fn measured_times_are_exact_and_estimates_rounded() {
        assert_eq!(duration_ms(400), "0.4s");
        assert_eq!(duration_ms(12_000), "12s");
        assert_eq!(duration_ms(425_000), "7m05s");
        assert_eq!(duration_ms(5_572_000), "1h32m");
    }

    #[test]
    fn durations() {
        assert_eq!(human_duration(0), "0s");
        assert_eq!(human_duration(45), "45s");
        assert_eq!(human_duration(59), "59s");
        assert_eq!(human_duration(60), "1m");
        assert_eq!(human_duration(89), "1m");
        assert_eq!(human_duration(90), "2m");
        assert_eq!(human_duration(12 * 60 + 10), "12m");
        assert_eq!(human_duration(3569), "59m");
        assert_eq!(human_duration(3570), "1h00m");
        assert_eq!(human_duration(3900), "1h05m");
        assert_eq!(human_duration(26 * 3600 + 40 * 60), "26h40m");
        assert_eq!(human_duration(u64::MAX), human_duration(u64::MAX));
    }
}
