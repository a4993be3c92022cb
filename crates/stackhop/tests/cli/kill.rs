//! Crash resume: `apply` is killed with SIGKILL at seeded random moments of a paced run on the
//! sim target, then `resume` finishes it. Wherever the kill lands — before the journal exists,
//! between an intent and its result, after the end — the final simulated cloud equals that of a
//! run never killed, every step ran to success exactly once per host, and no step that is not
//! idempotent ran twice.
//!
//! The run is paced with `--speed` so that it lasts about two seconds (the plan's estimate
//! divided by the speed); `resume` runs instantly.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use stackhop_exec::{Access, AttemptState, Journal};

use crate::common::{APPLY_LOCAL_PLAN, json, lab_plan_running, stackhop_in, temp_dir};

/// A small deterministic generator: the kill moments are the same on every run of the test.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

#[test]
fn live_compute_killed_at_twenty_moments_resumes_to_the_same_cloud() {
    kill_and_resume("live-compute", 20, 2_500, 0x5eed_0001);
}

#[test]
fn parallel_compute_killed_during_steps_that_cannot_run_twice_resumes_to_the_same_cloud() {
    kill_and_resume("parallel-compute", 5, 30_000, 0x5eed_0002);
}

fn kill_and_resume(scenario: &str, kills: usize, speed: u64, seed: u64) {
    let dir = temp_dir();
    let dir = dir.path();
    let apply = |journal: &str| -> Vec<String> {
        [
            "apply",
            "--example",
            "medium",
            "-s",
            scenario,
            "--yes",
            "--journal",
            journal,
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
    };
    stackhop_in(dir, apply("reference.db")).assert_code(0);
    let reference = json(&stackhop_in(
        dir,
        ["status", "--journal", "reference.db", "--format", "json"],
    ))["cloud"]
        .clone();
    assert!(reference.is_object(), "the sim target records its cloud");

    let plan = json(&stackhop_in(
        dir,
        [
            "plan",
            "--example",
            "medium",
            "-s",
            scenario,
            "--format",
            "json",
        ],
    ));
    let estimate_s = plan["estimate_s"].as_u64().unwrap_or(0);
    let window_ms = estimate_s * 1000 / speed + 300;

    let mut rng = Lcg(seed);
    for k in 0..kills {
        let journal = format!("kill{k}.db");
        let delay = rng.next() % window_ms;
        let mut args = apply(&journal);
        args.extend(["--speed".to_owned(), speed.to_string()]);
        let mut child = Command::new(env!("CARGO_BIN_EXE_stackhop"))
            .args(&args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start stackhop: {e}"));
        std::thread::sleep(Duration::from_millis(delay));
        // SIGKILL: no destructor, no last journal write.
        let _ = child.kill();
        let _ = child.wait();

        let resumed = stackhop_in(dir, ["resume", "--journal", &journal]);
        match resumed.code {
            Some(0) => {}
            // Killed before a run was recorded: nothing ran (intent first), so start it.
            Some(2)
                if resumed.stderr.contains("holds no run")
                    || resumed.stderr.contains("no journal") =>
            {
                stackhop_in(dir, apply(&journal)).assert_code(0);
            }
            _ => panic!(
                "kill {k} after {delay} ms: resume failed\n{}",
                resumed.report()
            ),
        }
        let status = json(&stackhop_in(
            dir,
            ["status", "--journal", &journal, "--format", "json"],
        ));
        assert_eq!(
            status["state"], "succeeded",
            "kill {k} after {delay} ms: {status}"
        );
        assert!(
            status["cloud"] == reference,
            "kill {k} after {delay} ms: the resumed run's cloud differs from the reference"
        );
        check_attempts(&dir.join(&journal), k, delay);
    }
}

/// Every host of every step succeeded exactly once; a step that is not idempotent never ran to a
/// result twice on a host (an attempt cut short is `abandoned` only after the probe found no
/// effect of it).
fn check_attempts(journal: &Path, k: usize, delay: u64) {
    let journal = Journal::open(journal, Access::ReadOnly).expect("journal");
    let run = journal.latest_run().expect("read").expect("a run");
    let mut succeeded: HashMap<(String, String), usize> = HashMap::new();
    let mut ran: HashMap<(String, String), usize> = HashMap::new();
    for a in journal.attempts(run.id).expect("attempts") {
        let key = (a.step.clone(), a.host.clone());
        match a.state {
            AttemptState::Succeeded => *succeeded.entry(key.clone()).or_default() += 1,
            AttemptState::Started => panic!("kill {k} after {delay} ms: {key:?} still in doubt"),
            _ => {}
        }
        if !a.idempotent && matches!(a.state, AttemptState::Succeeded | AttemptState::Failed) {
            *ran.entry(key).or_default() += 1;
        }
    }
    let twice: Vec<_> = succeeded.iter().filter(|(_, n)| **n != 1).collect();
    assert!(
        twice.is_empty(),
        "kill {k} after {delay} ms: succeeded more than once: {twice:?}"
    );
    let twice: Vec<_> = ran.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "kill {k} after {delay} ms: not idempotent, ran twice: {twice:?}"
    );
}

/// A `local` command runs in its own process group, so it outlives an `apply` killed with
/// SIGKILL. `resume` must not start its step again beside it: it refuses (exit 3), naming the
/// process, until the command is gone, and then finishes the run.
#[test]
fn resume_waits_for_a_command_that_outlived_a_killed_apply() {
    let dir = temp_dir();
    let dir = dir.path();
    // Nothing real runs on this machine: the backup sleeps the first time (resume runs it again,
    // it is idempotent), every other command does nothing.
    let slow_once = "if [ -e slept ]; then true; else touch slept; sleep 60; fi";
    lab_plan_running(dir, |id| {
        if id == "prepare.backup" {
            slow_once
        } else {
            "true"
        }
        .to_owned()
    });

    let mut child = Command::new(env!("CARGO_BIN_EXE_stackhop"))
        .args(APPLY_LOCAL_PLAN)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start stackhop: {e}"));
    let started = (0..200).any(|_| {
        std::thread::sleep(Duration::from_millis(50));
        Journal::open(&dir.join("run.db"), Access::ReadOnly)
            .and_then(|j| {
                let run = j.latest_run()?;
                Ok(run
                    .map(|r| j.attempts(r.id))
                    .transpose()?
                    .unwrap_or_default())
            })
            .is_ok_and(|attempts| {
                attempts
                    .iter()
                    .any(|a| a.step == "prepare.backup" && a.state == AttemptState::Started)
            })
    });
    assert!(started, "the backup never started");
    // Give `sh` a moment to exec the sleep, then kill stackhop and nothing else.
    std::thread::sleep(Duration::from_millis(300));
    let _ = child.kill();
    let _ = child.wait();

    let refused = stackhop_in(dir, ["resume", "--journal", "run.db"]);
    let pids: Vec<i32> = refused
        .stderr
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pid "))
        .filter_map(|l| l.split([':', ' ']).next()?.parse().ok())
        .collect();
    // The orphans die whatever the assertions say.
    for pid in &pids {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    }
    assert_eq!(refused.code, Some(3), "{}", refused.report());
    assert!(
        refused.stderr.contains("still running") && refused.stderr.contains("prepare.backup@ctl"),
        "{}",
        refused.report()
    );
    assert!(!pids.is_empty(), "no pid named: {}", refused.report());
    // Killed, they may stay zombies for a while (nothing may reap them here): those run nothing.
    let resumed = stackhop_in(dir, ["resume", "--journal", "run.db"]);
    resumed.assert_code(0);
}
