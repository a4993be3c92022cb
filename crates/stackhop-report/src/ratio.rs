//! A real run measured against the twin's prediction, phase by phase and as a whole: what the
//! run's page, its text and its JSON all give, so that a script reads the same figures a person
//! sees.

use serde::Serialize;

use crate::timeline::{PhaseLane, Span, StepBar, StepOutcome, Timeline, outcome_of};

/// How long a phase (or the whole run) took against how long the twin said it would.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseRatio {
    /// The phase's name, or `run` for the whole run.
    pub phase: String,
    pub outcome: StepOutcome,
    pub steps: usize,
    /// From its first step's start to its last step's end, as measured.
    pub measured_s: Option<f64>,
    /// The same in the twin's prediction.
    pub predicted_s: Option<f64>,
    /// `measured_s / predicted_s`, to three decimals; only when every step succeeded: part of a
    /// phase measured against the whole of it predicted says nothing.
    pub ratio: Option<f64>,
}

impl PhaseRatio {
    fn of(name: &str, steps: &[&StepBar]) -> PhaseRatio {
        let measured = Span::union(steps.iter().filter_map(|s| s.span));
        let predicted = Span::union(steps.iter().filter_map(|s| s.predicted));
        let outcome = outcome_of(steps.iter().copied());
        let all_succeeded = steps.iter().all(|s| s.outcome == StepOutcome::Succeeded);
        let ratio = match (measured, predicted) {
            (Some(m), Some(p)) if all_succeeded && p.length_s() > 0.0 => {
                Some((m.length_s() / p.length_s() * 1000.0).round() / 1000.0)
            }
            _ => None,
        };
        PhaseRatio {
            phase: name.to_owned(),
            outcome,
            steps: steps.len(),
            measured_s: measured.map(|s| s.length_s()),
            predicted_s: predicted.map(|s| s.length_s()),
            ratio,
        }
    }

    /// The phase's figures.
    #[must_use]
    pub fn of_phase(phase: &PhaseLane) -> PhaseRatio {
        let steps: Vec<&StepBar> = phase.steps.iter().collect();
        PhaseRatio::of(&phase.name, &steps)
    }
}

impl Timeline {
    /// Each phase measured against its prediction, in the order drawn.
    #[must_use]
    pub fn phase_ratios(&self) -> Vec<PhaseRatio> {
        self.phases.iter().map(PhaseRatio::of_phase).collect()
    }

    /// The whole run measured against its prediction, named `run`.
    #[must_use]
    pub fn run_ratio(&self) -> PhaseRatio {
        let steps: Vec<&StepBar> = self.steps().collect();
        PhaseRatio::of("run", &steps)
    }
}

#[cfg(test)]
mod tests {
    use crate::timeline::{PhaseLane, Span, StepBar, StepOutcome, Timeline};

    fn step(outcome: StepOutcome, span: Option<(f64, f64)>, predicted: (f64, f64)) -> StepBar {
        StepBar {
            id: format!("s{}", predicted.0),
            hosts: vec!["ctl".to_owned()],
            commands: Vec::new(),
            after: Vec::new(),
            outcome,
            span: span.map(|(a, b)| Span::new(a, b)),
            estimate_s: 1.0,
            predicted: Some(Span::new(predicted.0, predicted.1)),
            host_spans: Vec::new(),
        }
    }

    #[test]
    fn a_ratio_only_for_phases_whose_every_step_succeeded() {
        let timeline = Timeline {
            phases: vec![
                PhaseLane {
                    name: "done".to_owned(),
                    steps: vec![
                        step(StepOutcome::Succeeded, Some((0.0, 3.0)), (0.0, 2.0)),
                        step(StepOutcome::Succeeded, Some((3.0, 9.0)), (2.0, 8.0)),
                    ],
                },
                PhaseLane {
                    name: "cut".to_owned(),
                    steps: vec![
                        step(StepOutcome::Succeeded, Some((9.0, 10.0)), (8.0, 9.0)),
                        step(StepOutcome::InDoubt, Some((10.0, 11.0)), (9.0, 20.0)),
                        step(StepOutcome::NotRun, None, (20.0, 30.0)),
                    ],
                },
            ],
            capabilities: Vec::new(),
            end_s: 11.0,
        };
        let ratios = timeline.phase_ratios();
        assert_eq!(ratios[0].measured_s, Some(9.0));
        assert_eq!(ratios[0].predicted_s, Some(8.0));
        assert_eq!(ratios[0].ratio, Some(1.125));
        assert_eq!(ratios[0].outcome, StepOutcome::Succeeded);
        assert_eq!(ratios[1].outcome, StepOutcome::InDoubt);
        assert_eq!(ratios[1].measured_s, Some(2.0));
        assert_eq!(ratios[1].ratio, None);
        let run = timeline.run_ratio();
        assert_eq!((run.phase.as_str(), run.steps), ("run", 5));
        assert_eq!(run.ratio, None, "the run did not finish");
        assert_eq!(run.predicted_s, Some(30.0));
    }
}
