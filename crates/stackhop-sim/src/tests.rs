//! The twin against the built-in examples: reproducibility, the jitter bound, safety under
//! faults, and the relations between scenarios that the documents state.

use proptest::prelude::*;
use stackhop_catalog::{Scenario, Transition, find, vocabulary};
use stackhop_inventory::{Inventory, examples};
use stackhop_model::{CAPABILITIES, Class};
use stackhop_plan::{Plan, make_plan};

use crate::{
    Constraints, Fault, JITTER, RunState, SimOptions, SimReport, Twin, Workload, compare, simulate,
};

fn parse(name: &str, source: &str) -> (Inventory, &'static dyn Transition) {
    let inventory =
        stackhop_inventory::parse(source, name, &vocabulary()).unwrap_or_else(|e| panic!("{e}"));
    let transition = find(&inventory.release, &inventory.profile).expect("a transition");
    (inventory, transition)
}

fn example(name: &str) -> &'static str {
    examples::source(name).unwrap_or_else(|| panic!("no example {name}"))
}

fn plan_of(name: &str, source: &str, scenario: Scenario) -> Option<Plan> {
    let (inventory, transition) = parse(name, source);
    make_plan(transition, &inventory, name, source, scenario).ok()
}

fn run_source(name: &str, source: &str, scenario: Scenario, options: &SimOptions) -> SimReport {
    let (inventory, transition) = parse(name, source);
    let plan = make_plan(transition, &inventory, name, source, scenario)
        .unwrap_or_else(|e| panic!("{name} {scenario}: {e}"));
    simulate(transition, &inventory, &plan, options)
        .unwrap_or_else(|e| panic!("{name} {scenario}: {e}"))
}

fn run(name: &str, scenario: Scenario, options: &SimOptions) -> SimReport {
    run_source(name, example(name), scenario, options)
}

fn no_jitter() -> SimOptions {
    SimOptions {
        jitter: 0.0,
        ..SimOptions::default()
    }
}

fn downtime(report: &SimReport, capability: &str) -> u64 {
    report
        .capabilities
        .get(capability)
        .unwrap_or_else(|| panic!("{} has no {capability}", report.scenario))
        .downtime_s
}

/// The seeds the relation tests hold for, besides the jitter-free run.
const SEEDS: [u64; 6] = [0, 1, 2, 7, 42, 2014];

fn relation_runs(scenario: Scenario) -> Vec<SimReport> {
    let mut runs = vec![run("medium", scenario, &no_jitter())];
    runs.extend(
        SEEDS
            .iter()
            .map(|&seed| run("medium", scenario, &SimOptions::seeded(seed))),
    );
    runs
}

#[test]
fn the_same_seed_gives_byte_identical_json() {
    for scenario in Scenario::ALL {
        let options = SimOptions::seeded(42);
        let a = run("medium", scenario, &options).to_json();
        let b = run("medium", scenario, &options).to_json();
        assert_eq!(a, b, "{scenario}");
    }
    let (inventory, transition) = parse("medium", example("medium"));
    let compare_once = || {
        compare(
            transition,
            &inventory,
            "example:medium",
            example("medium"),
            7,
            &Workload::defaults(),
            &Constraints::default(),
        )
        .to_json()
    };
    assert_eq!(compare_once(), compare_once());
}

#[test]
fn the_json_keeps_the_contract_fields_in_order() {
    let report = run("small", Scenario::AllAtOnce, &SimOptions::seeded(1));
    let json = report.to_json();
    let value: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let keys: Vec<&str> = value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys[..11],
        [
            "schema",
            "scenario",
            "seed",
            "makespan_s",
            "instances_disrupted",
            "instances_recreated",
            "extra_hosts",
            "manual_steps",
            "capabilities",
            "phases",
            "outcome"
        ]
    );
    assert_eq!(value["schema"], "stackhop.simulate/v1");
    assert_eq!(value["scenario"], "all-at-once");
    let caps: Vec<&str> = value["capabilities"]
        .as_object()
        .expect("capabilities")
        .keys()
        .map(String::as_str)
        .collect();
    let in_contract_order: Vec<&str> = CAPABILITIES
        .iter()
        .copied()
        .filter(|c| caps.contains(c))
        .collect();
    assert_eq!(caps, in_contract_order);
    for cap in caps {
        let c = &value["capabilities"][cap];
        for field in ["downtime_s", "failed_requests", "windows"] {
            assert!(!c[field].is_null(), "{cap}.{field}");
        }
    }
    assert_eq!(value["outcome"]["state"], "completed");
    assert!(value["outcome"]["remaining_steps"].is_array());
    assert_eq!(value["outcome"]["stopped_state_safe"], true);
}

#[test]
fn different_seeds_differ_but_stay_within_the_jitter_bound() {
    for name in ["small", "medium"] {
        for scenario in Scenario::ALL {
            let Some(plan) = plan_of(name, example(name), scenario) else {
                continue;
            };
            let nominal = run(name, scenario, &no_jitter());
            // Without jitter every step takes its estimate, so the run is the critical path
            // (each step's estimate is rounded to the second).
            let slack = plan.steps.len() as u64;
            assert!(
                nominal.makespan_s.abs_diff(plan.estimate_s) <= slack,
                "{name} {scenario}: {} vs the plan's {}",
                nominal.makespan_s,
                plan.estimate_s
            );
            let m = nominal.makespan_s as f64;
            let (low, high) = ((1.0 - JITTER) * m - 1.0, (1.0 + JITTER) * m + 1.0);
            let mut seen = std::collections::BTreeSet::new();
            for seed in 1..=6 {
                let r = run(name, scenario, &SimOptions::seeded(seed));
                let got = r.makespan_s as f64;
                assert!(
                    (low..=high).contains(&got),
                    "{name} {scenario} seed {seed}: {got} outside [{low}, {high}]"
                );
                seen.insert(r.makespan_s);
            }
            assert!(
                seen.len() > 1,
                "{name} {scenario}: every seed gave {seen:?}"
            );
        }
    }
}

#[test]
fn checking_only_distinct_states_and_batching_hosts_change_nothing() {
    for name in ["allinone", "small", "medium"] {
        for scenario in Scenario::ALL {
            if plan_of(name, example(name), scenario).is_none() {
                continue;
            }
            let faults = [
                Vec::new(),
                vec![Fault::Step {
                    pattern: "*.start*".into(),
                    probability: 0.2,
                }],
                vec![Fault::HostDown {
                    host: "ctl1".into(),
                    at_s: 1800,
                }],
            ];
            for (seed, faults) in faults.into_iter().enumerate() {
                let fast = SimOptions {
                    seed: seed as u64,
                    faults,
                    ..SimOptions::default()
                };
                let exhaustive = SimOptions {
                    exhaustive: true,
                    ..fast.clone()
                };
                if name == "allinone" && !fast.faults.is_empty() {
                    continue;
                }
                assert_eq!(
                    run(name, scenario, &fast).to_json(),
                    run(name, scenario, &exhaustive).to_json(),
                    "{name} {scenario} seed {seed}"
                );
            }
        }
    }
}

#[test]
fn every_built_in_plan_completes_safely_without_disrupting_instances() {
    for name in examples::NAMES {
        for scenario in Scenario::ALL {
            if plan_of(name, example(name), scenario).is_none() {
                continue;
            }
            let r = run(name, scenario, &SimOptions::seeded(3));
            assert_eq!(
                r.outcome.state,
                RunState::Completed,
                "{name} {scenario}: {:#?}",
                r.outcome
            );
            assert!(r.outcome.goal_reached, "{name} {scenario}");
            assert!(r.outcome.stopped_state_safe, "{name} {scenario}");
            assert!(
                r.hard_violations.is_empty(),
                "{name} {scenario}: {:#?}",
                r.hard_violations
            );
            assert_eq!(r.instances_disrupted, 0, "{name} {scenario}");
            for (cap, c) in r.capabilities.iter() {
                assert!(!c.down_at_end, "{name} {scenario}: {cap} down at the end");
                let sum: u64 = c.windows.iter().map(|w| w.end_s - w.start_s).sum();
                assert!(
                    sum.abs_diff(c.downtime_s) <= c.windows.len() as u64,
                    "{cap}"
                );
            }
        }
    }
}

#[test]
fn all_at_once_takes_every_capability_down_in_one_common_window() {
    for r in relation_runs(Scenario::AllAtOnce) {
        let (mut start, mut end) = (0, u64::MAX);
        for (cap, c) in r.capabilities.iter() {
            // The one outage, and at most the blip of a service restarted after the start
            // (httpd, which the bulk stop leaves running, loads the new Horizon).
            let (outage, rest) = c.windows.split_first().unwrap_or_else(|| panic!("{cap}"));
            for blip in rest {
                assert!(
                    blip.phase == "start" && blip.end_s - blip.start_s <= 60,
                    "{cap} is down outside the one window: {:?}",
                    c.windows
                );
            }
            start = start.max(outage.start_s);
            end = end.min(outage.end_s);
        }
        assert!(r.capabilities.len() >= 7, "{:?}", r.capabilities);
        assert!(
            start < end,
            "seed {}: no instant has every capability down",
            r.seed
        );
    }
}

#[test]
fn service_by_service_keeps_identity_down_for_less_than_all_at_once() {
    let sbs = relation_runs(Scenario::ServiceByService);
    let aao = relation_runs(Scenario::AllAtOnce);
    for (s, a) in sbs.iter().zip(&aao) {
        assert!(
            downtime(s, "identity") < downtime(a, "identity"),
            "seed {}: {} vs {}",
            s.seed,
            downtime(s, "identity"),
            downtime(a, "identity")
        );
    }
}

#[test]
fn live_compute_keeps_boot_down_for_less_than_service_by_service() {
    let live = relation_runs(Scenario::LiveCompute);
    let sbs = relation_runs(Scenario::ServiceByService);
    for (l, s) in live.iter().zip(&sbs) {
        assert!(
            downtime(l, "boot") < downtime(s, "boot"),
            "seed {}: {} vs {}",
            l.seed,
            downtime(l, "boot"),
            downtime(s, "boot")
        );
    }
}

#[test]
fn parallel_compute_needs_extra_hosts_and_keeps_compute_api_down_least() {
    let runs: Vec<Vec<SimReport>> = Scenario::ALL.into_iter().map(relation_runs).collect();
    for k in 0..=SEEDS.len() {
        let parallel = &runs[2][k];
        assert_eq!(parallel.scenario, Scenario::ParallelCompute);
        assert!(parallel.extra_hosts > 0);
        for other in runs.iter().map(|r| &r[k]) {
            if other.scenario == Scenario::ParallelCompute {
                continue;
            }
            assert_eq!(other.extra_hosts, 0, "{}", other.scenario);
            assert!(
                downtime(parallel, "compute_api") < downtime(other, "compute_api"),
                "seed {}: parallel-compute {} vs {} {}",
                parallel.seed,
                downtime(parallel, "compute_api"),
                other.scenario,
                downtime(other, "compute_api")
            );
        }
    }
}

#[test]
fn doubling_the_nova_tables_lengthens_the_offline_nova_outage() {
    let source = example("medium");
    let doubled = source
        .replace(
            "nova_instance_actions_events: 4000000",
            "nova_instance_actions_events: 8000000",
        )
        .replace("nova_instances: 60000", "nova_instances: 120000");
    assert_ne!(source, doubled, "the medium example's nova sizes moved");
    for scenario in [Scenario::AllAtOnce, Scenario::ServiceByService] {
        for options in std::iter::once(no_jitter()).chain(SEEDS.map(SimOptions::seeded)) {
            let base = run_source("medium", source, scenario, &options);
            let big = run_source("medium", &doubled, scenario, &options);
            assert!(
                downtime(&big, "compute_api") > downtime(&base, "compute_api"),
                "{scenario} seed {}: {} vs {}",
                options.seed,
                downtime(&big, "compute_api"),
                downtime(&base, "compute_api")
            );
        }
    }
}

#[test]
fn a_failed_step_stops_the_run_in_a_safe_state() {
    let options = SimOptions {
        faults: vec!["step:nova.sync".parse().expect("a fault")],
        ..SimOptions::seeded(5)
    };
    let r = run("medium", Scenario::ServiceByService, &options);
    assert_eq!(r.outcome.state, RunState::Stopped);
    assert_eq!(r.outcome.failed_step.as_deref(), Some("nova.sync"));
    assert!(r.outcome.stopped_state_safe);
    assert!(!r.outcome.goal_reached);
    for later in ["nova.start.controllers", "finish.check.boot"] {
        assert!(
            r.outcome.remaining_steps.iter().any(|s| s == later),
            "{later} should remain: {:?}",
            r.outcome.remaining_steps
        );
    }
    let api = r.capabilities.get("compute_api").expect("compute_api");
    assert!(api.down_at_end);
    assert_eq!(api.windows.last().map(|w| w.end_s), Some(r.makespan_s));
    assert!(
        r.capabilities
            .get("identity")
            .is_some_and(|c| !c.down_at_end)
    );
}

#[test]
fn a_host_that_goes_down_fails_the_steps_that_act_on_it() {
    let options = SimOptions {
        faults: vec!["host:cmp007@0".parse().expect("a fault")],
        ..SimOptions::seeded(9)
    };
    let r = run("medium", Scenario::LiveCompute, &options);
    assert_eq!(r.outcome.state, RunState::Stopped);
    let first = r.outcome.failures.first().expect("a failure");
    assert_eq!(first.host, "cmp007");
    assert!(
        first.reason.contains("cmp007 went down"),
        "{}",
        first.reason
    );
    assert!(r.outcome.stopped_state_safe);
    // Running steps finished: every step that started has an end.
    assert!(r.steps.iter().all(|s| s.end_s >= s.start_s));
}

/// Each host's span lies within its step's, a step's hosts are each launched once, and the hosts
/// marked failed are the run's failures.
fn assert_host_spans(r: &SimReport) {
    let mut failed: Vec<(String, String)> = Vec::new();
    for step in &r.steps {
        let hosts: Vec<&crate::HostSpan> = r.hosts.iter().filter(|h| h.step == step.id).collect();
        for h in &hosts {
            assert!(
                step.start_s <= h.start_s && h.start_s <= h.end_s && h.end_s <= step.end_s,
                "{}: {h:?}",
                step.id
            );
        }
        let mut names: Vec<&str> = hosts.iter().map(|h| h.host.as_str()).collect();
        names.sort_unstable();
        let launched = names.len();
        names.dedup();
        assert_eq!(names.len(), launched, "{}: a host launched twice", step.id);
        failed.extend(
            hosts
                .iter()
                .filter(|h| h.state == crate::StepState::Failed)
                .map(|h| (h.step.clone(), h.host.clone())),
        );
    }
    let mut failures: Vec<(String, String)> = r
        .outcome
        .failures
        .iter()
        .map(|f| (f.step.clone(), f.host.clone()))
        .collect();
    failed.sort();
    failures.sort();
    assert_eq!(failed, failures);
}

#[test]
fn host_spans_lie_within_their_steps_and_mark_the_failures() {
    let whole = run("medium", Scenario::LiveCompute, &SimOptions::seeded(4));
    assert_host_spans(&whole);
    let planned: usize = plan_of("medium", example("medium"), Scenario::LiveCompute)
        .map(|p| p.steps.iter().map(|s| s.hosts.len()).sum())
        .unwrap_or(0);
    assert_eq!(whole.hosts.len(), planned, "every host of every step");
    for fault in ["step:nova-computes.b0*.upgrade@0.2", "host:cmp007@0"] {
        let options = SimOptions {
            faults: vec![fault.parse().expect("a fault")],
            ..SimOptions::seeded(9)
        };
        let r = run("medium", Scenario::LiveCompute, &options);
        assert_eq!(r.outcome.state, RunState::Stopped, "{fault}");
        assert_host_spans(&r);
    }
}

#[test]
fn a_refused_change_such_as_a_failing_health_check_stops_the_run() {
    // Take cinder's start out of the plan: its health check then finds volume down, and the
    // transition function refuses it as the real check would fail.
    let (inventory, transition) = parse("medium", example("medium"));
    let mut plan =
        plan_of("medium", example("medium"), Scenario::ServiceByService).expect("a plan");
    let starts: Vec<(String, Vec<String>)> = plan
        .steps
        .iter()
        .filter(|s| s.id.starts_with("cinder.start"))
        .map(|s| (s.id.clone(), s.after.clone()))
        .collect();
    assert!(!starts.is_empty());
    plan.steps.retain(|s| !s.id.starts_with("cinder.start"));
    for step in &mut plan.steps {
        for (id, after) in &starts {
            if step.after.contains(id) {
                step.after.retain(|a| a != id);
                step.after.extend(after.iter().cloned());
            }
        }
        step.after.retain(|a| !starts.iter().any(|(id, _)| id == a));
        step.after.sort();
        step.after.dedup();
    }
    let r = simulate(transition, &inventory, &plan, &SimOptions::seeded(5)).expect("a run");
    assert_eq!(r.outcome.state, RunState::Stopped);
    assert_eq!(
        r.outcome.failed_step.as_deref(),
        Some("cinder.check.volume")
    );
    let failure = &r.outcome.failures[0];
    assert!(failure.reason.contains("volume"), "{}", failure.reason);
    assert!(
        r.outcome
            .remaining_steps
            .iter()
            .any(|s| s.starts_with("glance."))
    );
    assert!(r.outcome.stopped_state_safe);
    assert!(r.capabilities.get("volume").is_some_and(|c| c.down_at_end));
}

#[test]
fn unknown_hosts_and_capabilities_are_errors() {
    let (inventory, transition) = parse("small", example("small"));
    let plan = plan_of("small", example("small"), Scenario::AllAtOnce).expect("a plan");
    let options = SimOptions {
        faults: vec![Fault::HostDown {
            host: "nowhere".into(),
            at_s: 0,
        }],
        ..SimOptions::default()
    };
    assert!(simulate(transition, &inventory, &plan, &options).is_err());
    let mut bad = plan.clone();
    bad.steps[0].hosts = vec!["nowhere".into()];
    assert!(simulate(transition, &inventory, &bad, &SimOptions::default()).is_err());
    assert!(Workload::defaults().set("teleport", 1.0).is_err());
    assert!(Workload::defaults().set("boot", -1.0).is_err());
    assert!(Workload::defaults().set_from("boot=fast").is_err());
}

#[test]
fn failed_requests_follow_the_workload() {
    let base = run("small", Scenario::AllAtOnce, &SimOptions::seeded(4));
    let workload = Workload::defaults()
        .set_from("boot=60")
        .and_then(|w| w.set("identity", 0.0))
        .expect("a workload");
    let busy = run(
        "small",
        Scenario::AllAtOnce,
        &SimOptions {
            workload,
            ..SimOptions::seeded(4)
        },
    );
    let boot = busy.capabilities.get("boot").expect("boot");
    assert_eq!(boot.rate_per_min, 60.0);
    assert_eq!(
        boot.failed_requests,
        (60.0 * boot.downtime_s as f64 / 60.0).round() as u64
    );
    assert_eq!(
        busy.capabilities.get("identity").map(|c| c.failed_requests),
        Some(0)
    );
    assert_eq!(base.makespan_s, busy.makespan_s);
}

#[test]
fn the_twin_applies_steps_by_host_name() {
    let (inventory, transition) = parse("small", example("small"));
    let plan = plan_of("small", example("small"), Scenario::AllAtOnce).expect("a plan");
    let mut twin = Twin::new(transition, &inventory);
    assert!(twin.capabilities().down().next().is_none());
    let stop = plan
        .steps
        .iter()
        .find(|s| s.id.starts_with("stop.all"))
        .expect("a stop step");
    assert!(twin.apply_host(stop, "nowhere").is_err());
    for order in plan.topological_order().expect("a DAG") {
        let step = &plan.steps[order];
        for host in &step.hosts {
            twin.apply_host(step, host)
                .unwrap_or_else(|e| panic!("{} on {host}: {e}", step.id));
            assert!(twin.is_safe(), "after {} on {host}", step.id);
        }
    }
    assert!(twin.unmet_goals().is_empty(), "{:?}", twin.unmet_goals());
    assert_eq!(twin.instances_disrupted(), 0);
    assert!(
        twin.violations().iter().all(|v| v.class != Class::Hard),
        "{:?}",
        twin.violations()
    );
}

#[test]
fn compare_shows_every_scenario_and_recommends_under_constraints() {
    let (inventory, transition) = parse("small", example("small"));
    let report = compare(
        transition,
        &inventory,
        "example:small",
        example("small"),
        1,
        &Workload::defaults(),
        &Constraints::default(),
    );
    assert_eq!(report.scenarios.len(), 4);
    let parallel = report.entry(Scenario::ParallelCompute).expect("listed");
    assert!(!parallel.usable, "small has no spare host");
    assert!(
        parallel
            .findings
            .iter()
            .any(|f| f.id == "parallel-no-spare")
    );
    assert!(!parallel.risk_notes.is_empty());
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).expect("JSON");
    assert_eq!(json["schema"], "stackhop.compare/v1");
    let entries = json["scenarios"].as_array().expect("scenarios");
    assert_eq!(entries[2]["usable"], false);
    assert!(
        entries[2]["findings"]
            .as_array()
            .is_some_and(|f| !f.is_empty())
    );
    assert_eq!(entries[0]["schema"], "stackhop.simulate/v1");
    assert_eq!(entries[0]["usable"], true);
    let recommended = report.recommended.expect("a recommendation");
    assert!(
        report.reason.starts_with(recommended.as_str()),
        "{}",
        report.reason
    );
    assert!(
        report.reason.contains("parallel-compute"),
        "{}",
        report.reason
    );

    let (inventory, transition) = parse("medium", example("medium"));
    let free = compare(
        transition,
        &inventory,
        "example:medium",
        example("medium"),
        1,
        &Workload::defaults(),
        &Constraints::default(),
    );
    assert!(free.scenarios.iter().all(|e| e.usable));
    let constrained = compare(
        transition,
        &inventory,
        "example:medium",
        example("medium"),
        1,
        &Workload::defaults(),
        &Constraints {
            no_spare_hosts: true,
            max_downtime_s: Some(20 * 60),
            max_duration_s: None,
        },
    );
    let parallel = constrained
        .entry(Scenario::ParallelCompute)
        .expect("listed");
    assert!(
        parallel.excluded_by.iter().any(|r| r.contains("spare")),
        "{:?}",
        parallel.excluded_by
    );
    let all = constrained.entry(Scenario::AllAtOnce).expect("listed");
    assert!(
        all.excluded_by.iter().any(|r| r.contains("max downtime")),
        "{:?}",
        all.excluded_by
    );
    assert_ne!(constrained.recommended, Some(Scenario::ParallelCompute));
    assert_ne!(constrained.recommended, Some(Scenario::AllAtOnce));
    assert!(
        constrained.reason.contains("Passed over"),
        "{}",
        constrained.reason
    );
    let impossible = compare(
        transition,
        &inventory,
        "example:medium",
        example("medium"),
        1,
        &Workload::defaults(),
        &Constraints {
            max_duration_s: Some(60),
            ..Constraints::default()
        },
    );
    assert_eq!(impossible.recommended, None);
    assert!(
        impossible.reason.starts_with("No usable scenario"),
        "{}",
        impossible.reason
    );
}

/// Faults for the property test: step patterns that hit every kind of step, hosts of the cloud.
fn fault_strategy(hosts: Vec<String>, horizon_s: u64) -> impl Strategy<Value = Vec<Fault>> {
    let patterns = prop::sample::select(vec![
        "*",
        "*.stop*",
        "*.upgrade*",
        "*.sync",
        "*.start*",
        "*.set.*",
        "*.unset.*",
        "*.restart*",
        "*.check.*",
        "prepare.*",
        "finish.*",
        "nova*",
        "neutron*",
        "move.*",
        "new-nova.*",
        "nova-computes.*",
        "keystone.*",
    ]);
    let step = (patterns, 0.0..=1.0f64).prop_map(|(p, probability)| Fault::Step {
        pattern: p.to_owned(),
        probability,
    });
    let host = (prop::sample::select(hosts), 0..=horizon_s)
        .prop_map(|(host, at_s)| Fault::HostDown { host, at_s });
    prop::collection::vec(prop_oneof![step, host], 0..3)
}

fn cases() -> Vec<(&'static str, Scenario)> {
    let mut out = Vec::new();
    for name in ["small", "medium"] {
        for scenario in Scenario::ALL {
            if plan_of(name, example(name), scenario).is_some() {
                out.push((name, scenario));
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn no_seed_or_fault_breaks_the_cloud_or_its_instances(
        (case, seed, faults) in (0..cases().len()).prop_flat_map(|k| {
            let (name, _) = cases()[k];
            let (inventory, _) = parse(name, example(name));
            let hosts: Vec<String> = inventory.hosts.iter().map(|h| h.name.clone()).collect();
            (Just(k), any::<u64>(), fault_strategy(hosts, 20 * 3600))
        })
    ) {
        let (name, scenario) = cases()[case];
        let options = SimOptions { seed, faults: faults.clone(), exhaustive: true, ..SimOptions::default() };
        let r = run(name, scenario, &options);
        prop_assert!(r.hard_violations.is_empty(), "{name} {scenario} {faults:?}: {:#?}", r.hard_violations);
        prop_assert_eq!(r.instances_disrupted, 0);
        prop_assert!(r.outcome.stopped_state_safe, "{name} {scenario} {faults:?}: {:#?}", r.outcome);
        match r.outcome.state {
            RunState::Completed => prop_assert!(r.outcome.failures.is_empty() && r.outcome.goal_reached),
            RunState::Stopped => prop_assert!(r.outcome.failed_step.is_some()),
        }
    }
}

#[test]
fn a_restart_takes_its_capability_down_for_as_long_as_it_runs() {
    // The lab has one controller: restarting nova there after the last compute is an outage of
    // the compute API, as long as the restart's estimate without jitter.
    let r = run("lab", Scenario::LiveCompute, &no_jitter());
    let api = &r
        .capabilities
        .get("compute_api")
        .expect("compute_api")
        .windows;
    let restart = api
        .iter()
        .find(|w| w.phase == "unpin")
        .unwrap_or_else(|| panic!("{api:?}"));
    let (inventory, transition) = parse("lab", example("lab"));
    let plan = make_plan(
        transition,
        &inventory,
        "lab",
        example("lab"),
        Scenario::LiveCompute,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let step = plan
        .steps
        .iter()
        .find(|s| s.id == "unpin.restart")
        .expect("the restart");
    assert_eq!(restart.end_s - restart.start_s, step.estimate_s);
}
