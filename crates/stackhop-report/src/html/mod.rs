//! One self-contained HTML page per run: inline CSS and hand-drawn SVG, no script, readable
//! offline and printable. Pages are built from parts any run can feed through a
//! [`Timeline`](crate::Timeline): the Gantt (`gantt`), the capability bands (`bands`), and the
//! review parts (`review`: digest, findings, verdict).

mod bands;
mod compare;
mod gantt;
mod review;
mod scale;
mod simulate;

use maud::{DOCTYPE, Markup, PreEscaped, html};

pub use compare::{ComparePage, ScenarioReview, compare_html};
pub use review::Verdict;
pub use simulate::{SimulatePage, simulate_html};

use crate::timeline::Timeline;

/// The page's style sheet, screen and print.
const STYLE: &str = include_str!("style.css");

/// Phases start open (their steps shown) when a page has at most this many steps in all;
/// beyond, a click opens one.
const OPEN_STEPS: usize = 120;

/// A whole page around `body`, ending in a line break.
fn page(title: &str, body: Markup) -> String {
    let mut text = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content="stackhop";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    }
    .into_string();
    text.push('\n');
    text
}

/// What the colours and marks of the charts mean; `predicted` when some bar has a prediction.
fn legend(predicted: bool) -> Markup {
    html! {
        div.legend {
            span style="--swatch: var(--succeeded)" { "succeeded" }
            span style="--swatch: var(--failed)" { "failed" }
            span style="--swatch: var(--not-run)" { "not run" }
            span style="--swatch: var(--in-doubt)" { "in doubt" }
            span.critical style="--swatch: var(--ink)" { "critical path" }
            @if predicted { span.predicted { "predicted" } }
            span style="--swatch: var(--down)" { "capability down" }
            i { "hover a bar for its hosts, times and commands; click a phase for its steps" }
        }
    }
}

fn has_predictions(timeline: &Timeline) -> bool {
    timeline.steps().any(|s| s.predicted.is_some())
}

fn footer() -> Markup {
    html! {
        footer {
            "Made by stackhop. Times are from the start of the run; the same inputs and seed give "
            "the same page, byte for byte."
        }
    }
}
