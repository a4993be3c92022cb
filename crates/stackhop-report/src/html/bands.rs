//! One band per capability, shaded where it was down, with the requests of the workload that
//! failed in each window and the phase that took it down; and the same as a table, for print.

use maud::{Markup, html};

use crate::html::scale::{LABEL, Scale, WIDTH, n, seconds};
use crate::simulate::rate;
use crate::text::{fit, thousands};
use crate::timeline::{CapabilityBand, DownWindow, Timeline};

const ROW: f64 = 22.0;
const BAND_Y: f64 = 3.0;
const BAND_H: f64 = 15.0;
/// A window this wide or wider has its failed requests written in it.
const TEXT_MIN: f64 = 64.0;
/// Roughly how wide one character of the band's text is.
const CHAR: f64 = 6.2;
/// Windows listed per capability in the table; beyond, a count.
const MAX_ROWS: usize = 8;

fn window_title(band: &CapabilityBand, w: &DownWindow, last: bool) -> String {
    let mut title = format!(
        "{} down {} → {} ({})\nabout {} failed requests at {}/min\ntaken down by {}",
        band.name,
        seconds(w.span.start_s),
        seconds(w.span.end_s),
        seconds(w.span.length_s()),
        thousands(w.failed_requests),
        rate(band.rate_per_min),
        if w.phase.is_empty() { "?" } else { &w.phase },
    );
    if last && band.down_at_end {
        title.push_str("\nstill down when the run ended");
    }
    title
}

/// `40m · 800 failed`, or `never down`.
fn band_summary(band: &CapabilityBand) -> String {
    if band.windows.is_empty() {
        "never down".to_owned()
    } else {
        format!(
            "{} · {} failed",
            seconds(band.downtime_s()),
            thousands(band.failed_requests())
        )
    }
}

/// The bands of one run as one chart; with a `heading` (a scenario's name) on a row above them.
/// The part of the axis after the run's end (when runs of different lengths share it) is
/// greyed.
pub(crate) fn bands(timeline: &Timeline, scale: &Scale, heading: Option<&str>) -> Markup {
    let top = if heading.is_some() { ROW } else { 0.0 };
    let height = top + ROW * timeline.capabilities.len() as f64;
    let end = timeline.end_s;
    html! {
        svg class=(if heading.is_some() { "chart bands stacked" } else { "chart bands" }) viewBox=(format!("0 0 {} {}", n(WIDTH), n(height))) role="img" aria-label=(heading.unwrap_or("capability bands")) {
            (scale.grid(height))
            @if let Some(h) = heading {
                text.label.band-heading x="4" y="15" { (h) }
            }
            @for (k, band) in timeline.capabilities.iter().enumerate() {
                @let y = top + ROW * k as f64;
                g.band data-capability=(band.name) data-down=(n(band.downtime_s())) data-failed=(band.failed_requests()) {
                    text.label x="16" y=(n(y + 15.0)) { (band.name) }
                    text.label.count x=(n(LABEL - 8.0)) y=(n(y + 15.0)) { (band_summary(band)) }
                    @let (x, w) = scale.bar(0.0, end, 1.0);
                    rect.up x=(n(x)) y=(n(y + BAND_Y)) width=(n(w)) height=(n(BAND_H)) {
                        title { (format!("{}: {}", band.name, band_summary(band))) }
                    }
                    @if end < scale.end_s() {
                        @let (x, w) = scale.bar(end, scale.end_s(), 0.0);
                        rect.after x=(n(x)) y=(n(y + BAND_Y)) width=(n(w)) height=(n(BAND_H)) {}
                    }
                    @for (j, win) in band.windows.iter().enumerate() {
                        @let (x, w) = scale.bar(win.span.start_s, win.span.end_s, 1.5);
                        rect.down x=(n(x)) y=(n(y + BAND_Y)) width=(n(w)) height=(n(BAND_H)) data-phase=(win.phase) data-failed=(win.failed_requests) {
                            title { (window_title(band, win, j + 1 == band.windows.len())) }
                        }
                        @if w >= TEXT_MIN {
                            text.in-band x=(n(x + 3.0)) y=(n(y + 14.5)) {
                                (fit(&format!("{} failed · {}", thousands(win.failed_requests), win.phase), ((w - 6.0) / CHAR) as usize))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Each capability's windows as a table: when, how long, the failed requests and the phase.
pub(crate) fn windows_table(timeline: &Timeline) -> Markup {
    html! {
        table.windows {
            thead {
                tr { th { "capability" } th { "down" } th.num { "failed requests" } th { "windows: when, failed requests, the phase that took it down" } }
            }
            tbody {
                @for band in &timeline.capabilities {
                    tr data-capability=(band.name) {
                        td { (band.name) }
                        td { @if band.windows.is_empty() { "never" } @else { (seconds(band.downtime_s())) } }
                        td.num { (thousands(band.failed_requests())) }
                        td {
                            @for win in band.windows.iter().take(MAX_ROWS) {
                                div {
                                    (format!("{} → {}", seconds(win.span.start_s), seconds(win.span.end_s)))
                                    " · " (thousands(win.failed_requests)) " · " (win.phase)
                                }
                            }
                            @if band.windows.len() > MAX_ROWS {
                                div.note { (format!("and {} more", band.windows.len() - MAX_ROWS)) }
                            }
                            @if band.down_at_end {
                                div.bad { "still down when the run ended" }
                            }
                        }
                    }
                }
            }
        }
    }
}
