//! `apply --target ssh` against real `sshd`s: one per host, each on its own loopback address
//! (all of 127/8 is this machine's; each test has its own ten), with keys made for the test. Needs root
//! (sshd) and Debian's openssh-server; where either is missing each test says why it is skipped,
//! and fails instead when `STACKHOP_REQUIRE_SSH_TESTS=1` (CI installs what they need).
//!
//! The plan is the lab's all-at-once plan with every command replaced by a harmless one (and
//! resealed, and accepted as edited), so nothing of OpenStack is needed; the hosts are
//! `fleet.rs`'s, which `apply` reads first as it reads real ones.

use std::path::Path;
use std::time::Duration;

use stackhop_exec::{Access, AttemptState, Journal};

use crate::common::{json, stackhop_in, temp_dir, write};
use crate::fleet::{Fleet, PORT, keygen, skipped};

fn attempts(journal: &Path) -> Vec<stackhop_exec::AttemptRecord> {
    let j = Journal::open(journal, Access::ReadOnly).expect("journal");
    let run = j.latest_run().expect("read").expect("a run");
    j.attempts(run.id).expect("attempts")
}

#[test]
fn unknown_and_changed_host_keys_stop_the_run_before_anything_runs() {
    if skipped("host keys") {
        return;
    }
    let mut fleet = Fleet::new(2, 11);
    fleet.inventory("");
    let plan = fleet.plan("true");
    // Nothing trusted yet: every host is unknown.
    let r = fleet.apply(&plan);
    r.assert_code(3);
    assert!(
        r.stderr
            .contains("cmp1 (127.0.0.12): its host key is not known")
            && r.stderr.contains("SHA256:")
            && r.stderr.contains("stackhop trust-hosts"),
        "{}",
        r.report()
    );
    assert!(!fleet.path().join("run.db").exists(), "no run was recorded");

    let trusted = fleet.run(&["trust-hosts", "-i", "inventory.yaml", "--yes"]);
    trusted.assert_code(0);
    assert!(
        trusted.stderr.contains("recorded the keys of 3 host(s)"),
        "{}",
        trusted.report()
    );

    // cmp2 gets a new key: apply refuses, naming it, and runs nothing anywhere.
    fleet.stop(2);
    keygen(&fleet.host_key(2));
    fleet.start(2);
    let r = fleet.apply(&plan);
    r.assert_code(3);
    assert!(
        r.stderr.contains("cmp2 (127.0.0.13): its host key CHANGED"),
        "{}",
        r.report()
    );
    assert!(
        !r.stderr.contains("cmp1 (127.0.0.12)"),
        "only cmp2: {}",
        r.report()
    );
    assert!(!fleet.path().join("run.db").exists());

    // Trusted again, the run goes through.
    fleet
        .run(&["trust-hosts", "-i", "inventory.yaml", "--yes"])
        .assert_code(0);
    fleet.apply(&plan).assert_code(0);
}

#[test]
fn secrets_are_masked_in_the_journal_and_in_status() {
    if skipped("secrets") {
        return;
    }
    let fleet = Fleet::new(1, 21);
    fleet.inventory("");
    fleet
        .run(&["trust-hosts", "-i", "inventory.yaml", "--yes"])
        .assert_code(0);
    let plan = fleet.plan("echo \"password is $OS_PASSWORD\"; false");
    let secret = "s3cr3t-Value-42";
    let output = assert_cmd::cargo::cargo_bin_cmd!("stackhop")
        .args([
            "apply",
            "--plan",
            &plan,
            "--accept-edited",
            "--target",
            "ssh",
            "--yes",
            "--journal",
            "run.db",
        ])
        .current_dir(fleet.path())
        .env("OS_PASSWORD", secret)
        .write_stdin("")
        .timeout(Duration::from_secs(120))
        .output()
        .expect("stackhop runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("password is ***"), "{stdout}");
    assert!(!stdout.contains(secret) && !stderr.contains(secret));
    let status = fleet.run(&["status", "--journal", "run.db", "--format", "json"]);
    assert!(
        status.stdout.contains("password is ***"),
        "{}",
        status.report()
    );
    assert!(!status.stdout.contains(secret));
    let bytes = std::fs::read(fleet.path().join("run.db")).unwrap_or_default();
    let wal = std::fs::read(fleet.path().join("run.db-wal")).unwrap_or_default();
    for file in [bytes, wal] {
        assert!(
            !file.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the secret is in the journal's files"
        );
    }
}

#[test]
fn hosts_in_flight_never_exceed_the_fanout() {
    if skipped("fanout") {
        return;
    }
    let fleet = Fleet::new(5, 31);
    fleet.inventory("  fanout: 2\n");
    fleet
        .run(&["trust-hosts", "-i", "inventory.yaml", "--yes"])
        .assert_code(0);
    let plan = fleet.plan("sleep 0.3");
    fleet.apply(&plan).assert_code(0);
    let attempts = attempts(&fleet.path().join("run.db"));
    assert!(attempts.len() > 20, "{} attempts", attempts.len());
    let mut edges: Vec<(i64, i32)> = Vec::new();
    for a in &attempts {
        assert_eq!(a.state, AttemptState::Succeeded, "{a:?}");
        edges.push((a.started_ms, 1));
        edges.push((a.finished_ms.expect("finished"), -1));
    }
    // Ends before starts at the same millisecond: a host handed over is not two in flight.
    edges.sort_by_key(|&(t, d)| (t, d));
    let (mut now, mut most) = (0, 0);
    for (_, d) in edges {
        now += d;
        most = most.max(now);
    }
    assert!(most <= 2, "{most} hosts in flight with fanout 2");
    assert_eq!(most, 2, "the fanout is used");
}

#[test]
fn a_jump_host_gets_the_inventorys_key_and_known_hosts_and_carries_every_connection() {
    if skipped("jump host") {
        return;
    }
    let mut fleet = Fleet::new(1, 51);
    let inventory = fleet.inventory("");
    let bastion = format!("127.0.0.{}", 51 + 9);
    let text = std::fs::read_to_string(&inventory).unwrap_or_default();
    let jumping = text.replacen(
        "connection:\n",
        &format!("connection:\n  jump: root@{bastion}:{PORT}\n"),
        1,
    );
    assert_ne!(text, jumping, "the inventory has a connection block");
    write(fleet.path(), "inventory.yaml", jumping);

    // No bastion yet: nothing is reached, though every host answers directly.
    let r = fleet.run(&["trust-hosts", "-i", "inventory.yaml", "--yes"]);
    r.assert_code(1);
    assert!(
        r.stderr
            .contains("cmp1 ([127.0.0.52]:2222): no key learned"),
        "{}",
        r.report()
    );

    // The bastion's key is learned and recorded through the same scratch file as the hosts',
    // in the inventory's known_hosts (OpenSSH would check a hop against its default file).
    fleet.start_bastion();
    let r = fleet.run(&["trust-hosts", "-i", "inventory.yaml", "--yes"]);
    r.assert_code(0);
    assert!(
        r.stderr.contains(&format!("for [{bastion}]:{PORT}")),
        "the bastion's fingerprint is shown: {}",
        r.report()
    );
    let known = std::fs::read_to_string(fleet.path().join("known_hosts")).unwrap_or_default();
    assert!(known.contains(&format!("[{bastion}]:{PORT} ")), "{known}");

    let plan = fleet.plan("true");
    fleet.apply(&plan).assert_code(0);
    let log = fleet.bastion_log();
    for host in ["127.0.0.51", "127.0.0.52"] {
        assert!(
            log.contains("server_request_direct_tcpip: originator")
                && log.contains(&format!("target {host} port {PORT}")),
            "the connection to {host} went through the bastion:\n{log}"
        );
    }
}

#[test]
fn a_host_that_cannot_be_reached_fails_its_step_and_is_named() {
    if skipped("unreachable host") {
        return;
    }
    let mut fleet = Fleet::new(2, 41);
    fleet.inventory("");
    fleet
        .run(&["trust-hosts", "-i", "inventory.yaml", "--yes"])
        .assert_code(0);
    let plan = fleet.plan("true");
    fleet.stop(2);
    let r = fleet.apply(&plan);
    r.assert_code(1);
    assert!(
        r.stderr.contains("warning: cmp2 did not answer"),
        "{}",
        r.report()
    );
    assert!(r.stdout.contains("on cmp2"), "{}", r.report());
    let status = json(&fleet.run(&["status", "--journal", "run.db", "--format", "json"]));
    assert_eq!(status["state"], "failed");
    assert_eq!(status["failure"]["host"], "cmp2");
    assert!(
        status["failure"]["output"]
            .as_str()
            .is_some_and(|o| o.contains("cannot reach cmp2")),
        "{status}"
    );
}

#[test]
fn a_connection_lost_while_a_command_runs_leaves_it_in_doubt_and_status_names_it() {
    if skipped("lost connection") {
        return;
    }
    let fleet = Fleet::new(1, 81);
    fleet.inventory("");
    fleet
        .run(&["trust-hosts", "-i", "inventory.yaml", "--yes"])
        .assert_code(0);
    // On cmp1's sshd only, the command kills the session processes carrying it (as a link that
    // goes down does) and goes on running for a while on the host.
    let plan = fleet.plan(&format!(
        "case \"$SSH_CONNECTION\" in *\" {} {PORT}\") pkill -9 -P {}; sleep 2;; esac",
        fleet.address(1),
        fleet.sshd_pid(1),
    ));
    let r = fleet.apply(&plan);
    r.assert_code(1);
    assert!(
        r.stdout.contains("lost the connection to cmp1"),
        "{}",
        r.report()
    );
    let status = json(&fleet.run(&["status", "--journal", "run.db", "--format", "json"]));
    assert_eq!(status["state"], "failed");
    assert_eq!(status["failure"]["host"], "cmp1", "{status}");
    assert_eq!(status["failure"]["exit_code"], serde_json::Value::Null);
    assert!(
        status["failure"]["output"]
            .as_str()
            .is_some_and(|o| o.contains("whether it finished on the host is not known")),
        "{status}"
    );
    let step = status["failure"]["step"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let in_doubt: Vec<_> = attempts(&fleet.path().join("run.db"))
        .into_iter()
        .filter(|a| a.step == step && a.host == "cmp1")
        .collect();
    assert_eq!(in_doubt.len(), 1, "{in_doubt:?}");
    assert_eq!(
        in_doubt[0].state,
        AttemptState::Started,
        "no result is recorded"
    );
    let text = fleet.run(&["status", "--journal", "run.db"]);
    assert!(
        text.stdout.contains(&format!("in doubt: {step}@cmp1")),
        "{}",
        text.report()
    );
}

#[test]
fn a_host_name_with_shell_in_it_is_refused_by_the_inventory() {
    let dir = temp_dir();
    write(
        dir.path(),
        "bad.yaml",
        "name: x\nrelease: zed\nprofile: debian-venv\nhosts:\n  - name: ctl;reboot\n    \
         roles: [controller]\n    os: debian-12\n",
    );
    let r = stackhop_in(dir.path(), ["check", "-i", "bad.yaml", "-s", "all-at-once"]);
    r.assert_code(2);
    assert!(r.stderr.contains("bad.yaml:5:11"), "{}", r.report());
}
