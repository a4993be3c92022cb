//! A real run's page, JSON, text and trace, over a run made up from a simulation of the small
//! cloud: the measured bars laid out beside the prediction, the outcomes only a real run has,
//! predicted bands labelled so, and secrets masked in commands and output everywhere.

use stackhop_catalog::Scenario;
use stackhop_plan::{Plan, make_plan};
use stackhop_sim::{SimOptions, SimReport, simulate};

use crate::tests::example;
use crate::{
    BandSource, FailureStatus, HostBar, MASK, MeasuredRun, Prediction, RunBasis, RunClock, RunPage,
    STATUS_SCHEMA, Span, StatusDoc, StepOutcome, StepRecord, Timeline, Verdict, measured_json,
    measured_text, measured_trace, run_html,
};

fn planned() -> (Plan, SimReport) {
    let (inventory, transition, source) = example("small");
    let plan = make_plan(
        transition,
        &inventory,
        "small",
        source,
        Scenario::ServiceByService,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let report = simulate(transition, &inventory, &plan, &SimOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    (plan, report)
}

fn status(plan: &Plan, state: &'static str, output: &str) -> StatusDoc {
    StatusDoc {
        schema: STATUS_SCHEMA,
        journal: "run.db".to_owned(),
        run: 1,
        state,
        target: "local".to_owned(),
        scenario: plan.scenario.to_string(),
        cloud_name: plan.cloud.clone(),
        plan_digest: plan.digest.clone(),
        holder: None,
        started_at: "2026-01-01 00:00:00 UTC".to_owned(),
        updated_at: "2026-01-01 01:00:00 UTC".to_owned(),
        finished_at: None,
        steps: Vec::new(),
        failure: (state == "failed").then(|| FailureStatus {
            step: "keystone.sync".to_owned(),
            host: "ctl1".to_owned(),
            exit_code: Some(1),
            output: output.to_owned(),
        }),
        resume: Some("stackhop resume --journal run.db".to_owned()),
        unverified: false,
        edited_steps: Vec::new(),
        left_out: Vec::new(),
        blocked: Vec::new(),
        cloud_safe: true,
        cloud_broken: Vec::new(),
        cloud: None,
        unsettled: Vec::new(),
        orphaned: false,
        simulated_ms: None,
    }
}

/// The run as if each step took twice its predicted time, up to `stop` steps in plan order
/// with the last of them given `last`; the steps after it not run.
fn measured(plan: &Plan, report: &SimReport, stop: usize, last: StepOutcome) -> Timeline {
    let records = plan
        .steps
        .iter()
        .enumerate()
        .map(|(k, step)| {
            let predicted = report.steps.iter().find(|s| s.id == step.id);
            match predicted {
                Some(p) if k < stop => StepRecord {
                    outcome: if k + 1 == stop {
                        last
                    } else {
                        StepOutcome::Succeeded
                    },
                    hosts: step
                        .hosts
                        .iter()
                        .map(|h| HostBar {
                            host: h.clone(),
                            span: Span::new(2.0 * p.start_s as f64, 2.0 * p.end_s as f64),
                            outcome: StepOutcome::Succeeded,
                        })
                        .collect(),
                },
                _ => StepRecord {
                    outcome: StepOutcome::NotRun,
                    hosts: Vec::new(),
                },
            }
        })
        .collect();
    Timeline::measured(plan, records, Some(report), Timeline::bands_of(report), 0.0)
}

fn basis(bands: BandSource) -> RunBasis {
    RunBasis {
        clock: RunClock::Wall,
        paused_s: 0.0,
        resumed_at_s: Vec::new(),
        prediction: Ok(Prediction {
            seed: 0,
            jitter: 0.15,
            makespan_s: 100.0,
        }),
        bands,
    }
}

fn page(run: &MeasuredRun, plan: &Plan, secrets: &[String]) -> String {
    run_html(&RunPage {
        run,
        plan,
        findings: &[],
        verdict: Verdict::NotRun("not asked"),
        secrets,
    })
}

#[test]
fn a_finished_run_is_twice_its_prediction_phase_by_phase() {
    let (plan, report) = planned();
    let timeline = measured(&plan, &report, plan.steps.len(), StepOutcome::Succeeded);
    let run = MeasuredRun::new(
        &status(&plan, "succeeded", ""),
        basis(BandSource::Predicted),
        timeline,
    );
    assert_eq!(run.phases.len(), run.timeline.phases.len());
    for p in run.phases.iter().chain([&run.run]) {
        // Predicted spans to the millisecond against measured whole seconds doubled: close to 2.
        let ratio = p.ratio.unwrap_or_else(|| panic!("{p:?}"));
        assert!((1.9..=2.1).contains(&ratio), "{p:?}");
    }
    let starts: Vec<f64> = run
        .timeline
        .phases
        .iter()
        .filter_map(|p| p.span().map(|s| s.start_s))
        .collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "by first start");
    let html = page(&run, &plan, &[]);
    assert!(html.contains("data-state=\"succeeded\""));
    assert_eq!(
        html.matches("<tr data-phase=").count(),
        run.phases.len() + 1
    );
    assert!(html.contains("data-bands=\"predicted\""));
    assert!(html.contains("Capabilities, predicted"));
    assert!(html.contains("Started 2026-01-01 00:00:00 UTC"));
}

#[test]
fn a_stopped_run_draws_what_only_a_real_run_has() {
    let (plan, report) = planned();
    let timeline = measured(&plan, &report, 10, StepOutcome::Interrupted);
    let run = MeasuredRun::new(
        &status(&plan, "interrupted", ""),
        RunBasis {
            clock: RunClock::Virtual,
            ..basis(BandSource::Twin)
        },
        timeline,
    );
    let html = page(&run, &plan, &[]);
    assert!(
        html.contains("var(--interrupted)\">interrupted</span>"),
        "the legend"
    );
    assert_eq!(html.matches("class=\"bar step interrupted").count(), 1);
    assert!(html.contains("data-outcome=\"not_run\""));
    assert!(
        !html.contains("UTC"),
        "a sim run's page shows no wall clock"
    );
    assert!(html.contains("data-bands=\"twin\""));
    assert_eq!(run.run.ratio, None);
    let never_started: Vec<&str> = run
        .timeline
        .phases
        .iter()
        .filter(|p| p.span().is_none())
        .map(|p| p.name.as_str())
        .collect();
    let last: Vec<&str> = run.timeline.phases[run.timeline.phases.len() - never_started.len()..]
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(last, never_started, "phases that never started come last");
}

#[test]
fn secrets_are_masked_in_the_page_json_text_and_trace_of_a_run() {
    let (plan, report) = planned();
    let secret = "keystone-manage";
    let Some(first) = plan
        .steps
        .iter()
        .position(|s| s.commands.iter().any(|c| c.contains(secret)))
    else {
        panic!("no step runs {secret}");
    };
    // The run fails at the first step that shows the secret: the trace draws only what ran.
    let timeline = measured(&plan, &report, first + 1, StepOutcome::Failed);
    let output = format!("$ {secret} db_sync\nERROR: {secret} cannot reach the database");
    let run = MeasuredRun::new(
        &status(&plan, "failed", &output),
        basis(BandSource::Predicted),
        timeline,
    );
    let secrets = vec![secret.to_owned()];
    for (what, text) in [
        ("page", page(&run, &plan, &secrets)),
        ("json", measured_json(&run, &secrets)),
        ("text", measured_text(&run, &secrets)),
        ("trace", measured_trace(&run, &secrets)),
    ] {
        assert!(!text.contains(secret), "{what}");
        assert!(text.contains(MASK), "{what}");
    }
    let plain = page(&run, &plan, &[]);
    assert!(
        plain.contains(&format!("ERROR: {secret}")),
        "shown when not secret"
    );
    let text = measured_text(&run, &[]);
    crate::tests::assert_fits("measured text", &text);
}
