//! A run laid out on a time axis: what the HTML report's Gantt and capability bands, and the
//! Chrome trace, are drawn from.
//!
//! The type is plain data so that every kind of run can fill it: a simulation
//! ([`Timeline::simulated`]), and a real run read from its journal, whose bars are measured and
//! may carry the twin's prediction beside them ([`StepBar::predicted`]). Times are seconds since
//! the run started, as `f64` so that a real run's short steps keep their fractions.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use stackhop_plan::Plan;
use stackhop_sim::{SimReport, StepState};

/// Everything drawn about one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// Phases in the order drawn: by first start; phases that never started last, in plan order.
    pub phases: Vec<PhaseLane>,
    /// One band per capability the cloud offers, in the contract's order.
    pub capabilities: Vec<CapabilityBand>,
    /// Where the axis ends: the run's end (for a run still going, now), at least the latest bar.
    pub end_s: f64,
}

/// The steps of one phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseLane {
    pub name: String,
    /// In the order drawn: by start; steps that never started last, in plan order.
    pub steps: Vec<StepBar>,
}

/// One step of the plan and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepBar {
    pub id: String,
    /// Every host the step acts on; drawn collapsed (`cmp[0001:2000] ×2000`).
    pub hosts: Vec<String>,
    /// The step's commands as the plan has them; they are masked before they are shown.
    pub commands: Vec<String>,
    /// The steps it waited for (the plan's `after`), for the critical path.
    pub after: Vec<String>,
    pub outcome: StepOutcome,
    /// When it ran; `None` if it never started.
    pub span: Option<Span>,
    /// The plan's estimate of its length.
    pub estimate_s: f64,
    /// What the twin predicted for it, drawn beside a measured bar; `None` for a simulation.
    pub predicted: Option<Span>,
    /// Each host's part of the step, in launch order (the trace shows them; the Gantt marks
    /// the failed ones).
    pub host_spans: Vec<HostBar>,
}

/// One host's part of a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostBar {
    pub host: String,
    pub span: Span,
    pub outcome: StepOutcome,
}

/// An interval in seconds since the run started.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub start_s: f64,
    pub end_s: f64,
}

impl Span {
    #[must_use]
    pub fn new(start_s: f64, end_s: f64) -> Self {
        Span { start_s, end_s }
    }

    #[must_use]
    pub fn length_s(&self) -> f64 {
        (self.end_s - self.start_s).max(0.0)
    }
}

/// How a step (or one host's part of it) ended; the bar's colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepOutcome {
    Succeeded,
    /// Still running (a live run's page).
    Running,
    /// Running when the run stopped: whether it took effect is not known.
    InDoubt,
    Failed,
    NotRun,
}

impl StepOutcome {
    /// The CSS class and the word people read.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            StepOutcome::Succeeded => "succeeded",
            StepOutcome::Running => "running",
            StepOutcome::InDoubt => "in doubt",
            StepOutcome::Failed => "failed",
            StepOutcome::NotRun => "not run",
        }
    }

    pub(crate) fn class(self) -> &'static str {
        match self {
            StepOutcome::InDoubt => "in_doubt",
            StepOutcome::NotRun => "not_run",
            other => other.as_str(),
        }
    }
}

/// When one capability was down.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapabilityBand {
    /// `identity`, `image`, …, `dashboard`.
    pub name: String,
    /// The workload's requests per minute against it (boots for `boot`).
    pub rate_per_min: f64,
    pub windows: Vec<DownWindow>,
    /// Still down when the run ended.
    pub down_at_end: bool,
}

impl CapabilityBand {
    #[must_use]
    pub fn downtime_s(&self) -> f64 {
        self.windows.iter().map(|w| w.span.length_s()).sum()
    }

    #[must_use]
    pub fn failed_requests(&self) -> u64 {
        self.windows.iter().map(|w| w.failed_requests).sum()
    }
}

/// One interval a capability was down.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DownWindow {
    pub span: Span,
    /// The phase whose step took it down.
    pub phase: String,
    /// The workload's requests that failed in it.
    pub failed_requests: u64,
}

/// Requests failed at `rate_per_min` over `seconds`, rounded.
#[must_use]
pub fn failed_requests(rate_per_min: f64, seconds: f64) -> u64 {
    let n = (rate_per_min * seconds / 60.0).round();
    if n.is_finite() && n > 0.0 {
        n as u64
    } else {
        0
    }
}

fn outcome_of(state: StepState) -> StepOutcome {
    match state {
        StepState::Completed => StepOutcome::Succeeded,
        StepState::Failed => StepOutcome::Failed,
    }
}

impl Timeline {
    /// A simulated run of `plan`: its steps' and hosts' spans as the twin measured them, and
    /// each capability's windows with the failed requests the workload saw in each.
    #[must_use]
    pub fn simulated(plan: &Plan, report: &SimReport) -> Timeline {
        let spans: BTreeMap<&str, &stackhop_sim::StepSpan> =
            report.steps.iter().map(|s| (s.id.as_str(), s)).collect();
        let mut hosts: BTreeMap<&str, Vec<HostBar>> = BTreeMap::new();
        for h in &report.hosts {
            hosts.entry(h.step.as_str()).or_default().push(HostBar {
                host: h.host.clone(),
                span: Span::new(h.start_s as f64, h.end_s as f64),
                outcome: outcome_of(h.state),
            });
        }
        let mut phases: Vec<PhaseLane> = report
            .phases
            .iter()
            .map(|p| PhaseLane {
                name: p.name.clone(),
                steps: Vec::new(),
            })
            .collect();
        for step in &plan.steps {
            let ran = spans.get(step.id.as_str());
            let bar = StepBar {
                id: step.id.clone(),
                hosts: step.hosts.clone(),
                commands: step.commands.clone(),
                after: step.after.clone(),
                outcome: ran.map_or(StepOutcome::NotRun, |s| outcome_of(s.state)),
                span: ran.map(|s| Span::new(s.start_s as f64, s.end_s as f64)),
                estimate_s: step.estimate_s as f64,
                predicted: None,
                host_spans: hosts.remove(step.id.as_str()).unwrap_or_default(),
            };
            match phases.iter_mut().find(|p| p.name == step.phase) {
                Some(phase) => phase.steps.push(bar),
                None => phases.push(PhaseLane {
                    name: step.phase.clone(),
                    steps: vec![bar],
                }),
            }
        }
        for phase in &mut phases {
            sort_by_start(&mut phase.steps);
        }
        let capabilities = report
            .capabilities
            .iter()
            .map(|(name, c)| CapabilityBand {
                name: name.to_owned(),
                rate_per_min: c.rate_per_min,
                windows: c
                    .windows
                    .iter()
                    .map(|w| {
                        let span = Span::new(w.start_s as f64, w.end_s as f64);
                        DownWindow {
                            span,
                            phase: w.phase.clone(),
                            failed_requests: failed_requests(c.rate_per_min, span.length_s()),
                        }
                    })
                    .collect(),
                down_at_end: c.down_at_end,
            })
            .collect();
        let mut timeline = Timeline {
            phases,
            capabilities,
            end_s: report.makespan_s as f64,
        };
        timeline.end_s = timeline.latest_end();
        timeline
    }

    /// The end of the axis: `end_s`, or the latest bar or window if one ends later.
    #[must_use]
    pub fn latest_end(&self) -> f64 {
        let bars = self
            .steps()
            .flat_map(|s| s.span.iter().chain(s.predicted.iter()))
            .map(|s| s.end_s);
        let windows = self
            .capabilities
            .iter()
            .flat_map(|c| c.windows.iter().map(|w| w.span.end_s));
        bars.chain(windows).fold(self.end_s, f64::max)
    }

    /// Every step, phase by phase.
    pub fn steps(&self) -> impl Iterator<Item = &StepBar> {
        self.phases.iter().flat_map(|p| p.steps.iter())
    }

    /// The steps that set the run's length: from the step that ended last, back through the
    /// step it waited for that ended last, to one that waited for nothing that ran.
    #[must_use]
    pub fn critical_path(&self) -> BTreeSet<&str> {
        let ran: BTreeMap<&str, (Span, &StepBar)> = self
            .steps()
            .filter_map(|s| s.span.map(|span| (s.id.as_str(), (span, s))))
            .collect();
        let latest = |ids: &mut dyn Iterator<Item = &str>| {
            ids.filter_map(|id| ran.get(id).map(|(span, s)| (span.end_s, *s)))
                .fold(None::<(f64, &StepBar)>, |best, (end, s)| match best {
                    Some((b, _)) if b >= end => best,
                    _ => Some((end, s)),
                })
                .map(|(_, s)| s)
        };
        let mut path = BTreeSet::new();
        let mut current = latest(&mut ran.keys().copied());
        while let Some(step) = current {
            if !path.insert(step.id.as_str()) {
                break;
            }
            current = latest(&mut step.after.iter().map(String::as_str));
        }
        path
    }
}

/// Started steps by start (ties keep their order), then the others in their order.
fn sort_by_start(steps: &mut [StepBar]) {
    steps.sort_by(|a, b| match (a.span, b.span) {
        (Some(x), Some(y)) => x.start_s.total_cmp(&y.start_s),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
}
