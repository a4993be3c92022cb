//! A real run read from its journal and laid out on a time axis: the `stackhop.report/v1`
//! document and its text (where the run stands, then measured against predicted, phase by
//! phase). Its page is `html::run`, its trace [`crate::measured_trace`]. stackhop-exec builds
//! it; nothing here reads a journal or a clock.
//!
//! ```text
//! {schema: "stackhop.report/v1",
//!  status: <stackhop.status/v1, without the simulated cloud>,
//!  clock: "virtual" (sim target: the twin's clock) | "wall" (since the run started),
//!  paused_s (wall: the time between stops and their resumes, cut out of the axis),
//!  resumed_at_s: [seconds on that clock],
//!  prediction: {seed, jitter, makespan_s} | null, prediction_error: "..." (when null),
//!  bands: "twin" (sim: the twin's capabilities as each host's change landed) | "predicted"
//!         (other targets: the journal holds no probe) | "none",
//!  phases: [{phase, outcome, steps, measured_s, predicted_s, ratio}], run: {the same, phase "run"},
//!  timeline: {phases: [{name, steps: [{id, hosts, commands, after, outcome, span: {start_s,
//!             end_s} | null, estimate_s, predicted, host_spans: [{host, span, outcome}]}]}],
//!             capabilities: [{name, rate_per_min, windows: [{span, phase, failed_requests}],
//!             down_at_end}], end_s}}
//! ```
//!
//! Outcomes are `succeeded`, `running`, `in_doubt`, `interrupted`, `failed`, `not_run`. A
//! `ratio` (measured / predicted, three decimals) is given only for a phase whose every step
//! succeeded.

use std::fmt::Write as _;

use serde::Serialize;

use crate::html::seconds;
use crate::mask::mask;
use crate::ratio::PhaseRatio;
use crate::status::{StatusDoc, status_text};
use crate::text::{MAX_WIDTH, thousands, wrap};
use crate::timeline::Timeline;

pub const REPORT_SCHEMA: &str = "stackhop.report/v1";

/// What a real run's times are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunClock {
    /// The `sim` target: the twin's virtual clock, the one the estimates are written in.
    Virtual,
    /// Any other target: wall-clock time since the run started, with the time between a stop
    /// and its resume cut out.
    Wall,
}

/// Where a real run's capability bands come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BandSource {
    /// The `sim` target's twin: the capabilities it offered as each host's change landed.
    Twin,
    /// The twin's prediction for the plan: a real run's journal holds no probe.
    Predicted,
    /// Neither: the plan could not be simulated.
    None,
}

/// The simulation the run is measured against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    pub seed: u64,
    /// Each host's duration drawn within ± this fraction of its estimate.
    pub jitter: f64,
    pub makespan_s: f64,
}

/// A real run, measured, beside what was predicted: `stackhop.report/v1`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasuredRun {
    pub schema: &'static str,
    /// Where the run stands.
    pub status: StatusDoc,
    pub clock: RunClock,
    /// Wall clock: the seconds cut out between stops and their resumes.
    pub paused_s: f64,
    /// When the run was resumed, on `clock`.
    pub resumed_at_s: Vec<f64>,
    pub prediction: Option<Prediction>,
    /// Why there is no prediction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prediction_error: Option<String>,
    pub bands: BandSource,
    /// Each phase measured against its prediction, in the order drawn.
    pub phases: Vec<PhaseRatio>,
    /// The whole run measured against its prediction.
    pub run: PhaseRatio,
    pub timeline: Timeline,
}

/// How the run's clock was read, and what it is measured against.
#[derive(Debug, Clone, PartialEq)]
pub struct RunBasis {
    pub clock: RunClock,
    pub paused_s: f64,
    pub resumed_at_s: Vec<f64>,
    pub prediction: Result<Prediction, String>,
    pub bands: BandSource,
}

impl MeasuredRun {
    /// The run's document: the status (without the simulated cloud, which has a page of its
    /// own in `status --format json`), and the ratios worked out from `timeline`.
    #[must_use]
    pub fn new(status: &StatusDoc, basis: RunBasis, timeline: Timeline) -> MeasuredRun {
        let mut status = status.clone();
        status.cloud = None;
        let (prediction, prediction_error) = match basis.prediction {
            Ok(p) => (Some(p), None),
            Err(e) => (None, Some(e)),
        };
        MeasuredRun {
            schema: REPORT_SCHEMA,
            status,
            clock: basis.clock,
            paused_s: basis.paused_s,
            resumed_at_s: basis.resumed_at_s,
            prediction,
            prediction_error,
            bands: basis.bands,
            phases: timeline.phase_ratios(),
            run: timeline.run_ratio(),
            timeline,
        }
    }

    /// The same run with every secret masked in the commands and the output it shows.
    #[must_use]
    pub fn masked(&self, secrets: &[String]) -> MeasuredRun {
        let mut run = self.clone();
        run.status = self.status.masked(secrets);
        for phase in &mut run.timeline.phases {
            for step in &mut phase.steps {
                for c in &mut step.commands {
                    *c = mask(c, secrets).into_owned();
                }
            }
        }
        run
    }

    /// `the twin's virtual clock` or `wall clock ...`: what the times are, for people.
    #[must_use]
    pub fn clock_text(&self) -> String {
        match self.clock {
            RunClock::Virtual => "the twin's virtual clock, from the run's start".to_owned(),
            RunClock::Wall if self.paused_s > 0.0 => format!(
                "wall clock from the run's start, without the {} between a stop and its resume",
                seconds(self.paused_s)
            ),
            RunClock::Wall => "wall clock from the run's start".to_owned(),
        }
    }

    /// What the run is measured against, for people.
    #[must_use]
    pub fn prediction_text(&self) -> String {
        match (&self.prediction, &self.prediction_error) {
            (Some(p), _) => format!(
                "the digital twin's run of this plan, seed {}, each host within ±{:.0}% of its \
                 estimate: {}",
                p.seed,
                p.jitter * 100.0,
                seconds(p.makespan_s)
            ),
            (None, Some(e)) => format!("none: the twin could not run the plan ({e})"),
            (None, None) => "none".to_owned(),
        }
    }
}

/// `stackhop.report/v1`, commands and output masked.
#[must_use]
pub fn measured_json(run: &MeasuredRun, secrets: &[String]) -> String {
    let mut text = serde_json::to_string_pretty(&run.masked(secrets)).unwrap_or_default();
    text.push('\n');
    text
}

/// Where the run stands (as `status` says it), then each phase measured against predicted in
/// a table a script can read (`phase outcome steps measured_s predicted_s ratio`, `-` where a
/// figure is missing, the whole run last as `run`), then the capabilities' downtime.
#[must_use]
pub fn measured_text(run: &MeasuredRun, secrets: &[String]) -> String {
    let mut out = status_text(&run.status.masked(secrets));
    let mut lines: Vec<String> = vec![String::new()];
    lines.extend(wrap(
        &format!("times: {}", run.clock_text()),
        MAX_WIDTH,
        "",
        "    ",
    ));
    lines.extend(wrap(
        &format!("predicted: {}", run.prediction_text()),
        MAX_WIDTH,
        "",
        "    ",
    ));
    lines.push(String::new());
    lines.extend(ratio_table(run));
    lines.push(String::new());
    lines.extend(wrap(&bands_line(run), MAX_WIDTH, "", "    "));
    for line in lines {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn ratio_table(run: &MeasuredRun) -> Vec<String> {
    let width = run
        .phases
        .iter()
        .map(|p| p.phase.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let number = |v: Option<f64>, decimals: usize| {
        v.map_or_else(|| "-".to_owned(), |v| format!("{v:.decimals$}"))
    };
    let row = |p: &PhaseRatio| {
        format!(
            "{:<width$}  {:<11}  {:>5}  {:>10}  {:>11}  {:>5}",
            p.phase,
            p.outcome.class(),
            p.steps,
            number(p.measured_s, 2),
            number(p.predicted_s, 2),
            number(p.ratio, 2)
        )
    };
    let mut out = vec![format!(
        "{:<width$}  {:<11}  {:>5}  {:>10}  {:>11}  {:>5}",
        "phase", "outcome", "steps", "measured_s", "predicted_s", "ratio"
    )];
    out.extend(run.phases.iter().map(row));
    out.push(row(&run.run));
    out
}

/// `capabilities down (...): identity 12s in 1 window, 15 failed requests; ...`.
fn bands_line(run: &MeasuredRun) -> String {
    let source = match run.bands {
        BandSource::Twin => "capabilities down on the twin",
        BandSource::Predicted => "capabilities down as predicted (no probe in the journal)",
        BandSource::None => {
            return "capabilities: not known (the plan could not be simulated)".to_owned();
        }
    };
    let down: Vec<String> = run
        .timeline
        .capabilities
        .iter()
        .filter(|b| !b.windows.is_empty())
        .map(|b| {
            let mut text = format!(
                "{} {} in {} window{}, {} failed requests",
                b.name,
                seconds(b.downtime_s()),
                b.windows.len(),
                if b.windows.len() == 1 { "" } else { "s" },
                thousands(b.failed_requests())
            );
            if b.down_at_end {
                text.push_str(", still down at the end");
            }
            text
        })
        .collect();
    let mut line = format!("{source}: ");
    if down.is_empty() {
        line.push_str("none");
    } else {
        let _ = write!(line, "{}", down.join("; "));
    }
    line
}
