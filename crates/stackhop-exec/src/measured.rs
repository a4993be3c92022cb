//! A recorded run laid out on its own clock, for its page, its text and its trace (`stackhop
//! report`, `status --format html|trace`): each host's attempts as measured spans, each step's
//! outcome, the twin's prediction for the plan beside them, and the capability bands (the `sim`
//! target's twin replayed from the journal, `replay`; for a real cloud the prediction's).
//!
//! The clock is the `sim` target's virtual one, which resumes where the run stopped, or the
//! wall clock since the run was created, with the time between a stop and its resume cut out
//! so that a run stopped overnight is not measured as a night long. An attempt that has no
//! result ends where the journal last heard of the run.

use stackhop_report::{
    BandSource, HostBar, MeasuredRun, Prediction, RunBasis, RunClock, Span, StepOutcome,
    StepRecord, Timeline,
};
use stackhop_sim::SimOptions;

use crate::journal::{AttemptRecord, AttemptState, EventRecord};
use crate::progress::StepState;
use crate::status::StatusReport;
use crate::wall::now_ms;

/// A resume, and the last moment the journal heard of the run before it, on both clocks.
#[derive(Debug, Clone, Copy)]
struct Resume {
    at_ms: i64,
    stopped_ms: i64,
    stopped_virtual_ms: i64,
}

/// How a journal's times map onto the page's axis.
#[derive(Debug)]
pub(crate) struct Axis {
    pub(crate) clock: RunClock,
    origin_ms: i64,
    resumes: Vec<Resume>,
    /// Where attempts without a result end, on the clock read.
    pub(crate) last_ms: i64,
}

/// What the axis is read from: the journal's records of one run.
struct Records<'a> {
    clock: RunClock,
    created_ms: i64,
    attempts: &'a [AttemptRecord],
    events: &'a [EventRecord],
    /// The simulated cloud's clock (`sim`).
    cloud_virtual_ms: Option<i64>,
    /// Now, while a process runs it.
    live_now_ms: Option<i64>,
}

impl Axis {
    fn of(report: &StatusReport) -> Axis {
        Axis::read(&Records {
            clock: if report.run.target == "sim" {
                RunClock::Virtual
            } else {
                RunClock::Wall
            },
            created_ms: report.run.created_ms,
            attempts: &report.attempts,
            events: &report.events,
            cloud_virtual_ms: report.cloud.as_ref().map(|c| c.virtual_ms),
            live_now_ms: report.holder.is_some().then(now_ms),
        })
    }

    fn read(r: &Records<'_>) -> Axis {
        let resumes = r
            .events
            .iter()
            .filter(|e| e.kind == "resumed")
            .map(|e| {
                let before = |t: Option<i64>| t.filter(|&t| t < e.at_ms);
                let stopped_ms = r
                    .attempts
                    .iter()
                    .flat_map(|a| [before(Some(a.started_ms)), before(a.finished_ms)])
                    .chain(r.events.iter().map(|x| before(Some(x.at_ms))))
                    .flatten()
                    .fold(r.created_ms, i64::max);
                let stopped_virtual_ms = r
                    .attempts
                    .iter()
                    .flat_map(|a| {
                        [
                            before(Some(a.started_ms)).and(a.virtual_start_ms),
                            before(a.finished_ms).and(a.virtual_end_ms),
                        ]
                    })
                    .flatten()
                    .fold(0, i64::max);
                Resume {
                    at_ms: e.at_ms,
                    stopped_ms,
                    stopped_virtual_ms,
                }
            })
            .collect();
        let last_ms = match (r.clock, r.live_now_ms) {
            (RunClock::Wall, Some(now)) => now,
            (RunClock::Wall, None) => r
                .attempts
                .iter()
                .flat_map(|a| [Some(a.started_ms), a.finished_ms])
                .chain(r.events.iter().map(|e| Some(e.at_ms)))
                .flatten()
                .fold(r.created_ms, i64::max),
            (RunClock::Virtual, _) => r
                .attempts
                .iter()
                .flat_map(|a| [a.virtual_start_ms, a.virtual_end_ms])
                .flatten()
                .chain(r.cloud_virtual_ms)
                .fold(0, i64::max),
        };
        Axis {
            clock: r.clock,
            origin_ms: r.created_ms,
            resumes,
            last_ms,
        }
    }

    /// Seconds on the axis of a moment on the clock read.
    pub(crate) fn seconds(&self, ms: i64) -> f64 {
        let ms = match self.clock {
            RunClock::Virtual => ms,
            RunClock::Wall => {
                let paused: i64 = self
                    .resumes
                    .iter()
                    .filter(|r| r.at_ms <= ms)
                    .map(|r| r.at_ms - r.stopped_ms)
                    .sum();
                ms - self.origin_ms - paused
            }
        };
        ms.max(0) as f64 / 1000.0
    }

    fn paused_s(&self) -> f64 {
        match self.clock {
            RunClock::Virtual => 0.0,
            RunClock::Wall => {
                let ms: i64 = self.resumes.iter().map(|r| r.at_ms - r.stopped_ms).sum();
                ms as f64 / 1000.0
            }
        }
    }

    fn resumed_at_s(&self) -> Vec<f64> {
        self.resumes
            .iter()
            .map(|r| match self.clock {
                RunClock::Virtual => r.stopped_virtual_ms as f64 / 1000.0,
                RunClock::Wall => self.seconds(r.at_ms),
            })
            .collect()
    }

    /// The resume that settled an attempt (its result was written then, not by its command).
    fn settled_by(&self, a: &AttemptRecord) -> Option<&Resume> {
        self.resumes.iter().find(|r| a.finished_ms == Some(r.at_ms))
    }

    /// An attempt's span, on the clock read: a settled one ends where the run stopped, one
    /// without a result where the journal last heard of the run (or now, while it runs).
    pub(crate) fn attempt_ms(&self, a: &AttemptRecord) -> (i64, i64) {
        let settled = self.settled_by(a);
        let (start, end) = match self.clock {
            RunClock::Virtual => (
                a.virtual_start_ms.unwrap_or(0),
                match settled {
                    Some(r) => Some(r.stopped_virtual_ms),
                    None => a.virtual_end_ms,
                },
            ),
            RunClock::Wall => (
                a.started_ms,
                match settled {
                    Some(r) => Some(r.stopped_ms),
                    None => a.finished_ms,
                },
            ),
        };
        let end = end.unwrap_or(self.last_ms).max(start);
        (start, end)
    }
}

fn step_outcome(state: StepState) -> StepOutcome {
    match state {
        StepState::Pending => StepOutcome::NotRun,
        StepState::Running => StepOutcome::Running,
        StepState::Succeeded => StepOutcome::Succeeded,
        StepState::Failed => StepOutcome::Failed,
        StepState::InDoubt => StepOutcome::InDoubt,
        StepState::Interrupted => StepOutcome::Interrupted,
    }
}

impl StatusReport {
    /// The run measured on its own clock beside the twin's prediction for its plan (the plan
    /// simulated with the default seed).
    pub fn measured(&self) -> MeasuredRun {
        let axis = Axis::of(self);
        let prepared = &self.prepared;
        let options = SimOptions::default();
        let prediction = stackhop_sim::simulate(
            prepared.transition,
            &prepared.inventory,
            &prepared.plan,
            &options,
        );
        let (bands, capabilities) = match (axis.clock, &prediction) {
            (RunClock::Virtual, _) => (BandSource::Twin, crate::replay::bands(self, &axis)),
            (RunClock::Wall, Ok(simulated)) => {
                (BandSource::Predicted, Timeline::bands_of(simulated))
            }
            (RunClock::Wall, Err(_)) => (BandSource::None, Vec::new()),
        };
        let timeline = Timeline::measured(
            &prepared.plan,
            self.step_records(&axis),
            prediction.as_ref().ok(),
            capabilities,
            axis.seconds(axis.last_ms),
        );
        let basis = RunBasis {
            clock: axis.clock,
            paused_s: axis.paused_s(),
            resumed_at_s: axis.resumed_at_s(),
            prediction: prediction
                .map(|r| Prediction {
                    seed: options.seed,
                    jitter: options.jitter,
                    makespan_s: r
                        .steps
                        .iter()
                        .map(|s| s.end_ms as f64 / 1e3)
                        .fold(0.0, f64::max),
                })
                .map_err(|e| e.to_string()),
            bands,
        };
        MeasuredRun::new(&self.doc(), basis, timeline)
    }

    /// Per step in plan order: its outcome and each attempt on a host (skipped hosts did not
    /// run), in the order they started.
    fn step_records(&self, axis: &Axis) -> Vec<StepRecord> {
        let plan = &self.prepared.plan;
        let mut hosts: Vec<Vec<(i64, usize, HostBar)>> = vec![Vec::new(); plan.steps.len()];
        for a in &self.attempts {
            let Some(i) = self.prepared.graph.index(&a.step).map(|i| i.get()) else {
                continue;
            };
            let outcome = match a.state {
                AttemptState::Skipped => continue,
                AttemptState::Succeeded => StepOutcome::Succeeded,
                AttemptState::Failed => StepOutcome::Failed,
                AttemptState::Started if self.holder.is_some() => StepOutcome::Running,
                AttemptState::Started | AttemptState::Abandoned => StepOutcome::InDoubt,
            };
            let (start, end) = axis.attempt_ms(a);
            let pos = plan.steps[i]
                .hosts
                .iter()
                .position(|h| *h == a.host)
                .unwrap_or(usize::MAX);
            hosts[i].push((
                start,
                pos,
                HostBar {
                    host: a.host.clone(),
                    span: Span::new(axis.seconds(start), axis.seconds(end)),
                    outcome,
                },
            ));
        }
        hosts
            .into_iter()
            .enumerate()
            .map(|(i, mut bars)| {
                bars.sort_by_key(|(start, pos, _)| (*start, *pos));
                StepRecord {
                    outcome: step_outcome(self.step_state(i)),
                    hosts: bars.into_iter().map(|(_, _, bar)| bar).collect(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use stackhop_report::RunClock;

    use super::{Axis, Records};
    use crate::journal::{AttemptRecord, AttemptState, EventRecord};

    fn attempt(
        id: i64,
        state: AttemptState,
        started_ms: i64,
        finished_ms: Option<i64>,
    ) -> AttemptRecord {
        AttemptRecord {
            id,
            step: format!("s{id}"),
            host: "ctl".to_owned(),
            attempt: 1,
            state,
            idempotent: true,
            exit_code: None,
            output_tail: String::new(),
            note: String::new(),
            started_ms,
            finished_ms,
            virtual_start_ms: Some(started_ms / 10),
            virtual_end_ms: finished_ms.map(|f| f / 10),
        }
    }

    fn event(at_ms: i64, kind: &str) -> EventRecord {
        EventRecord {
            at_ms,
            kind: kind.to_owned(),
            message: String::new(),
        }
    }

    /// Killed at 3 s into an attempt, resumed 7 s later: the attempt cut short ends at the
    /// kill, the pause is cut out, and what ran after the resume follows on without it.
    #[test]
    fn the_time_between_a_stop_and_its_resume_is_cut_out_of_the_wall_clock() {
        let attempts = [
            attempt(1, AttemptState::Succeeded, 1_000, Some(3_000)),
            attempt(2, AttemptState::Abandoned, 3_000, Some(10_000)),
            attempt(3, AttemptState::Succeeded, 10_100, Some(12_100)),
        ];
        let events = [
            event(1_000, "started"),
            event(10_000, "resumed"),
            event(12_200, "succeeded"),
        ];
        let records = Records {
            clock: RunClock::Wall,
            created_ms: 1_000,
            attempts: &attempts,
            events: &events,
            cloud_virtual_ms: None,
            live_now_ms: None,
        };
        let axis = Axis::read(&records);
        assert_eq!(axis.paused_s(), 7.0);
        assert_eq!(axis.resumed_at_s(), [2.0]);
        let span = |a: &AttemptRecord| {
            let (s, e) = axis.attempt_ms(a);
            (axis.seconds(s), axis.seconds(e))
        };
        assert_eq!(span(&attempts[0]), (0.0, 2.0));
        assert_eq!(span(&attempts[1]), (2.0, 2.0), "cut short by the kill");
        assert_eq!(span(&attempts[2]), (2.1, 4.1));
        assert_eq!(axis.seconds(axis.last_ms), 4.2);

        // The same records on the virtual clock: no cut, the settled attempt ends at the
        // virtual moment of the stop.
        let axis = Axis::read(&Records {
            clock: RunClock::Virtual,
            cloud_virtual_ms: Some(1_210),
            ..records
        });
        assert_eq!(axis.paused_s(), 0.0);
        assert_eq!(axis.resumed_at_s(), [0.3]);
        assert_eq!(axis.attempt_ms(&attempts[1]), (300, 300));
        assert_eq!(axis.seconds(axis.last_ms), 1.21);
    }

    #[test]
    fn an_attempt_without_a_result_runs_to_now_while_the_run_is_live() {
        let attempts = [attempt(1, AttemptState::Started, 2_000, None)];
        let axis = Axis::read(&Records {
            clock: RunClock::Wall,
            created_ms: 1_000,
            attempts: &attempts,
            events: &[event(1_000, "started")],
            cloud_virtual_ms: None,
            live_now_ms: Some(9_000),
        });
        assert_eq!(axis.attempt_ms(&attempts[0]), (2_000, 9_000));
        assert_eq!(axis.seconds(9_000), 8.0);
    }
}
