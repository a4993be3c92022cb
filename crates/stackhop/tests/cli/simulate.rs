//! `stackhop simulate`: the timeline and downtime of a plan on the digital twin, with faults.

use crate::common::{MEDIUM_NOVA_SYNC_FAILS, SCENARIOS, json, stackhop};

#[test]
fn simulate_medium_text_for_each_scenario() {
    for scenario in SCENARIOS {
        let run = stackhop(["simulate", "--example", "medium", "-s", scenario]);
        run.assert_code(0);
        insta::assert_snapshot!(format!("medium_{scenario}_text"), run.report());
    }
}

#[test]
fn simulate_large_live_compute_text() {
    let run = stackhop(["simulate", "--example", "large", "-s", "live-compute"]);
    run.assert_code(0);
    insta::assert_snapshot!("large_live-compute_text", run.report());
}

#[test]
fn simulate_small_live_compute_json() {
    let run = stackhop([
        "simulate",
        "--example",
        "small",
        "-s",
        "live-compute",
        "--seed",
        "3",
        "--format",
        "json",
    ]);
    run.assert_code(0);
    insta::assert_snapshot!("small_live-compute_json", run.report());
    let value = json(&run);
    assert_eq!(value["schema"], "stackhop.simulate/v1");
    assert_eq!(value["scenario"], "live-compute");
    assert_eq!(value["seed"], 3);
    assert_eq!(value["instances_disrupted"], 0);
    for field in ["makespan_s", "extra_hosts"] {
        assert!(value[field].is_u64(), "{field}");
    }
    for field in ["downtime_s", "failed_requests"] {
        assert!(
            value["capabilities"]["compute_api"][field].is_u64(),
            "{field}"
        );
    }
}

#[test]
fn the_same_seed_gives_byte_identical_output_and_another_seed_differs() {
    for format in ["text", "json"] {
        let args = |seed: &'static str| {
            [
                "simulate",
                "--example",
                "medium",
                "-s",
                "live-compute",
                "--seed",
                seed,
                "--format",
                format,
                "--fault",
                "step:nova-computes.*.upgrade@0.02",
            ]
        };
        let a = stackhop(args("7"));
        let b = stackhop(args("7"));
        assert!(a.code.is_some(), "{}", a.report());
        assert!(a.stdout == b.stdout, "seed 7, {format}: two runs differ");
        let c = stackhop(args("8"));
        assert!(a.stdout != c.stdout, "seeds 7 and 8 give the same {format}");
    }
}

#[test]
fn a_failing_step_stops_the_run_and_says_what_remains_and_that_it_is_safe() {
    let run = stackhop(MEDIUM_NOVA_SYNC_FAILS);
    run.assert_code(1);
    assert!(
        run.stdout
            .contains("outcome:       stopped: nova.sync failed on ctl1")
    );
    assert!(run.stdout.contains("stopped state: safe"));
    assert!(run.stdout.contains("remaining:     19 steps never started"));
    insta::assert_snapshot!("medium_service-by-service_nova_sync_fails", run.report());

    let run = stackhop(MEDIUM_NOVA_SYNC_FAILS.iter().chain(&["--format", "json"]));
    run.assert_code(1);
    let value = json(&run);
    assert_eq!(value["outcome"]["state"], "stopped");
    assert_eq!(value["outcome"]["failed_step"], "nova.sync");
    assert_eq!(value["outcome"]["stopped_state_safe"], true);
    assert_eq!(value["faults"][0]["kind"], "step");
    assert!(
        value["outcome"]["remaining_steps"]
            .as_array()
            .is_some_and(|r| r.iter().any(|s| s == "nova.start.controllers"))
    );
}

#[test]
fn a_host_that_goes_down_stops_the_run_safely() {
    let args = [
        "simulate",
        "--example",
        "medium",
        "-s",
        "live-compute",
        "--fault",
        "host:cmp007@50m",
    ];
    let run = stackhop(args);
    run.assert_code(1);
    assert!(
        run.stdout.contains("stopped state: safe"),
        "{}",
        run.report()
    );
    let value = json(&stackhop(args.iter().chain(&["--format", "json"])));
    let failure = &value["outcome"]["failures"][0];
    assert_eq!(failure["host"], "cmp007");
    assert_eq!(failure["reason"], "cmp007 went down at 50m");
    assert_eq!(value["outcome"]["stopped_state_safe"], true);
    assert_eq!(value["instances_disrupted"], 0);
}

#[test]
fn workload_overrides_change_the_failed_requests_not_the_timeline() {
    let run = |workload: &[&str]| {
        let mut args = vec![
            "simulate",
            "--example",
            "small",
            "-s",
            "all-at-once",
            "--format",
            "json",
        ];
        for w in workload {
            args.extend(["--workload", w]);
        }
        let run = stackhop(&args);
        run.assert_code(0);
        json(&run)
    };
    let base = run(&[]);
    let busy = run(&["boot=60", "identity=0"]);
    assert_eq!(busy["capabilities"]["boot"]["rate_per_min"], 60.0);
    assert_eq!(busy["capabilities"]["identity"]["failed_requests"], 0);
    assert_eq!(base["makespan_s"], busy["makespan_s"]);
    assert_ne!(
        base["capabilities"]["boot"]["failed_requests"],
        busy["capabilities"]["boot"]["failed_requests"]
    );
}

#[test]
fn bad_faults_and_workloads_are_usage_errors() {
    let base = ["simulate", "--example", "small", "-s", "1"];
    for extra in [
        ["--fault", "nova.sync"],
        ["--fault", "step:x@2"],
        ["--fault", "host:cmp1"],
        ["--workload", "teleport=1"],
        ["--workload", "boot=fast"],
        ["--seed", "-1"],
    ] {
        let run = stackhop(base.iter().chain(&extra));
        run.assert_code(2);
        assert!(run.stdout.is_empty(), "{extra:?}");
    }
    let run = stackhop(base.iter().chain(&["--fault", "step:x@2"]));
    assert!(
        run.stderr.contains("use step:PATTERN[@PROBABILITY]"),
        "{}",
        run.stderr
    );
    // A well-formed fault naming a host the cloud does not have.
    let run = stackhop(base.iter().chain(&["--fault", "host:nowhere@1h"]));
    run.assert_code(2);
    assert_eq!(
        run.stderr,
        "error: fault names host `nowhere`, which is not in the inventory\n"
    );
}

#[test]
fn a_scenario_the_check_refuses_is_not_simulated() {
    let run = stackhop(["simulate", "--example", "small", "-s", "parallel-compute"]);
    run.assert_code(1);
    assert_eq!(
        run.stderr,
        "error: parallel-compute cannot be planned for small: the check found errors; nothing \
         was simulated\n"
    );
    let check = stackhop(["check", "--example", "small", "-s", "parallel-compute"]);
    assert_eq!(run.stdout, check.stdout);
}
