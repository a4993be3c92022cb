//! The time axis every chart of a page shares: seconds to x, and ticks that read in seconds,
//! minutes or hours as the run's length asks.

use maud::{Markup, html};
use stackhop_sim::fmt_duration;

/// Every chart is this wide in SVG units; the page scales them all alike.
pub(crate) const WIDTH: f64 = 1100.0;
/// The label column on the left of every chart.
pub(crate) const LABEL: f64 = 300.0;
/// Room on the right of the last tick's label.
const RIGHT: f64 = 24.0;
/// Height of the axis strip.
const AXIS: f64 = 22.0;
/// At most this many intervals between ticks.
const MAX_TICKS: f64 = 10.0;
/// Tick intervals, in seconds: seconds, then minutes, then hours, then days.
const STEPS: [u64; 21] = [
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
    172_800, 604_800, 2_592_000,
];

/// Maps seconds since the start onto the chart area.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    end_s: f64,
}

impl Scale {
    /// An axis from 0 to `end_s` (at least one second, so that a run of no time still draws).
    pub(crate) fn new(end_s: f64) -> Self {
        Scale {
            end_s: if end_s.is_finite() {
                end_s.max(1.0)
            } else {
                1.0
            },
        }
    }

    pub(crate) fn end_s(&self) -> f64 {
        self.end_s
    }

    /// The x of a time, clamped to the chart area.
    pub(crate) fn x(&self, seconds: f64) -> f64 {
        let fraction = (seconds / self.end_s).clamp(0.0, 1.0);
        LABEL + fraction * (WIDTH - LABEL - RIGHT)
    }

    /// The x and width of an interval; at least `min` wide so an instant stays visible, and
    /// never past the chart's right edge.
    pub(crate) fn bar(&self, start_s: f64, end_s: f64, min: f64) -> (f64, f64) {
        let x = self.x(start_s);
        let right = WIDTH - RIGHT;
        let width = (self.x(end_s) - x).max(min).min(right - LABEL);
        (x.min(right - width), width)
    }

    /// Tick times and labels: `0`, then `30s`, `1m`, `1m30s` or `2h`, `4h` …, at most
    /// [`MAX_TICKS`] intervals.
    pub(crate) fn ticks(&self) -> Vec<(f64, String)> {
        let step = STEPS
            .iter()
            .copied()
            .find(|&s| self.end_s / s as f64 <= MAX_TICKS)
            .unwrap_or(STEPS[STEPS.len() - 1]);
        (0..)
            .map(|k| k * step)
            .take_while(|&t| t as f64 <= self.end_s)
            .map(|t| {
                let label = if t == 0 {
                    "0".to_owned()
                } else {
                    fmt_duration(t)
                };
                (t as f64, label)
            })
            .collect()
    }

    /// Vertical grid lines at the ticks, `height` tall.
    pub(crate) fn grid(&self, height: f64) -> Markup {
        html! {
            g.grid {
                @for (t, _) in self.ticks() {
                    line x1=(n(self.x(t))) x2=(n(self.x(t))) y1="0" y2=(n(height)) {}
                }
            }
        }
    }

    /// The axis: tick labels over the chart area, with `title` in the label column.
    pub(crate) fn axis(&self, title: &str) -> Markup {
        html! {
            svg.chart.axis viewBox=(format!("0 0 {} {}", n(WIDTH), n(AXIS))) role="img" aria-label=(format!("time axis, 0 to {}", fmt_duration(self.end_s as u64))) {
                text.axis-title x="4" y="15" { (title) }
                @for (t, label) in self.ticks() {
                    text.tick x=(n(self.x(t))) y="15" { (label) }
                    line x1=(n(self.x(t))) x2=(n(self.x(t))) y1="18" y2=(n(AXIS)) {}
                }
            }
        }
    }
}

/// A time or a length for people: `45s`, `12m`, `1h31m`; under ten seconds with its tenth
/// (`2.4s`), for a real run's short steps.
pub(crate) fn seconds(s: f64) -> String {
    let s = if s.is_finite() { s.max(0.0) } else { 0.0 };
    if s < 10.0 && (s * 10.0).round() % 10.0 != 0.0 {
        format!("{s:.1}s")
    } else {
        fmt_duration(s.round() as u64)
    }
}

/// A coordinate with at most one decimal, `12`, `12.5`: short and the same bytes every time.
pub(crate) fn n(value: f64) -> String {
    let tenths = (value * 10.0).round() / 10.0;
    if tenths.fract() == 0.0 {
        format!("{tenths:.0}")
    } else {
        format!("{tenths:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::{LABEL, Scale, WIDTH, n};

    fn labels(end_s: f64) -> Vec<String> {
        Scale::new(end_s)
            .ticks()
            .into_iter()
            .map(|(_, l)| l)
            .collect()
    }

    #[test]
    fn ticks_switch_from_seconds_to_minutes_to_hours() {
        assert_eq!(
            labels(40.0),
            ["0", "5s", "10s", "15s", "20s", "25s", "30s", "35s", "40s"]
        );
        assert_eq!(
            labels(270.0),
            [
                "0", "30s", "1m", "1m30s", "2m", "2m30s", "3m", "3m30s", "4m", "4m30s"
            ]
        );
        assert_eq!(labels(3000.0)[1..3], ["5m", "10m"]);
        assert_eq!(labels(5.5 * 3600.0), ["0", "1h", "2h", "3h", "4h", "5h"]);
        assert_eq!(labels(2.5 * 3600.0)[1..4], ["15m", "30m", "45m"]);
        assert_eq!(labels(2.5 * 3600.0)[4], "1h");
        for end in [1.0, 59.0, 61.0, 7199.0, 86_400.0 * 3.0] {
            let ticks = Scale::new(end).ticks();
            assert!((2..=11).contains(&ticks.len()), "{end}: {ticks:?}");
        }
    }

    #[test]
    fn bars_stay_within_the_chart() {
        let scale = Scale::new(100.0);
        assert_eq!(scale.x(0.0), LABEL);
        let (x, w) = scale.bar(100.0, 100.0, 2.0);
        assert!(x >= LABEL && x + w <= WIDTH, "{x} {w}");
        assert_eq!(w, 2.0);
        let (x, w) = scale.bar(-5.0, 500.0, 2.0);
        assert!(x >= LABEL && x + w <= WIDTH, "{x} {w}");
        assert_eq!(n(12.0), "12");
        assert_eq!(n(12.25), "12.3");
    }
}
