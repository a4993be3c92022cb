//! `apply --target ssh` against real `sshd`s: one per host, each on its own loopback address
//! (all of 127/8 is this machine's; each test has its own ten), with keys made for the test. Needs root
//! (sshd) and Debian's openssh-server; where either is missing each test says why it is skipped,
//! and fails instead when `STACKHOP_REQUIRE_SSH_TESTS=1` (CI installs what they need).
//!
//! The plan is the lab's all-at-once plan with every command replaced by a harmless one (and
//! resealed, and accepted as edited), so nothing of OpenStack is needed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use stackhop_exec::{Access, AttemptState, Journal};

use crate::common::{Run, json, stackhop_in, temp_dir, write};

const PORT: u16 = 2222;

/// Why these tests cannot run here, if they cannot.
fn unavailable() -> Option<String> {
    let uid = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Some("they need root to run sshd".to_owned());
    }
    if !Path::new("/usr/sbin/sshd").exists() {
        return Some("/usr/sbin/sshd is missing (Debian's openssh-server)".to_owned());
    }
    None
}

/// `true` when the test must stop here: it said why on standard error.
fn skipped(test: &str) -> bool {
    let Some(why) = unavailable() else {
        return false;
    };
    assert!(
        std::env::var_os("STACKHOP_REQUIRE_SSH_TESTS").is_none(),
        "{test}: the ssh tests must run here but {why}"
    );
    eprintln!("ssh test {test} skipped: {why}");
    true
}

fn keygen(path: &Path) {
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_file(path.with_extension("pub"));
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "ssh-keygen {}", path.display());
}

/// Hosts `ctl`, `cmp1`..`cmpN` with an sshd each; killed when dropped.
struct Fleet {
    dir: tempfile::TempDir,
    hosts: Vec<String>,
    daemons: Vec<Option<Child>>,
    /// The last byte of `ctl`'s address; the computes follow it.
    base: usize,
}

impl Fleet {
    /// `base` keeps the tests that run at once on addresses of their own.
    fn new(computes: usize, base: usize) -> Fleet {
        let dir = temp_dir();
        let mut hosts = vec!["ctl".to_owned()];
        hosts.extend((1..=computes).map(|i| format!("cmp{i}")));
        keygen(&dir.path().join("id"));
        let public = std::fs::read_to_string(dir.path().join("id.pub")).unwrap_or_default();
        write(dir.path(), "authorized_keys", public);
        std::fs::create_dir_all("/run/sshd").ok();
        let mut fleet = Fleet {
            dir,
            hosts,
            daemons: Vec::new(),
            base,
        };
        for i in 0..fleet.hosts.len() {
            keygen(&fleet.host_key(i));
            fleet.daemons.push(None);
            fleet.start(i);
        }
        fleet
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn address(&self, i: usize) -> String {
        format!("127.0.0.{}", self.base + i)
    }

    fn host_key(&self, i: usize) -> PathBuf {
        self.path().join(format!("hostkey-{}", self.hosts[i]))
    }

    fn start(&mut self, i: usize) {
        let d = self.path();
        let config = format!(
            "ListenAddress {}:{PORT}\nHostKey {}\nPidFile {}\nAuthorizedKeysFile {}\n\
             PermitRootLogin prohibit-password\nPasswordAuthentication no\nUsePAM no\n\
             StrictModes no\nLogLevel ERROR\n",
            self.address(i),
            self.host_key(i).display(),
            d.join(format!("sshd-{}.pid", self.hosts[i])).display(),
            d.join("authorized_keys").display(),
        );
        let file = write(d, &format!("sshd-{}.conf", self.hosts[i]), config);
        let child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(&file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start sshd: {e}"));
        self.daemons[i] = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        let address = format!("{}:{PORT}", self.address(i));
        while std::net::TcpStream::connect(&address).is_err() {
            assert!(
                Instant::now() < deadline,
                "sshd on {address} never listened"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&mut self, i: usize) {
        if let Some(mut c) = self.daemons[i].take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// A lab-like inventory of these hosts; `options` adds lines under `options:`.
    fn inventory(&self, options: &str) -> PathBuf {
        let d = self.path();
        let computes = self.hosts.len() - 1;
        let text = format!(
            "name: ssh-test\nrelease: zed\nprofile: debian-venv\ncompute_driver: fake\n\
             options:\n  compute_batch: 1\n{options}\
             connection:\n  user: root\n  port: {PORT}\n  identity_file: {id}\n  \
             known_hosts: {known}\n\
             hosts:\n  - name: ctl\n    address: {ctl}\n    roles: [controller]\n    \
             os: debian-12\n  - name: cmp[1:{computes}]\n    address: 127.0.0.[{first}:{last}]\n    \
             roles: [compute]\n    os: debian-12\n    instances: 1\n",
            id = d.join("id").display(),
            known = d.join("known_hosts").display(),
            ctl = self.address(0),
            first = self.base + 1,
            last = self.base + computes,
        );
        write(d, "inventory.yaml", text)
    }

    fn run(&self, args: &[&str]) -> Run {
        stackhop_in(self.path(), args)
    }

    /// The all-at-once plan with every command replaced by `command`, resealed.
    fn plan(&self, command: &str) -> String {
        self.run(&[
            "plan",
            "-i",
            "inventory.yaml",
            "-s",
            "all-at-once",
            "--out",
            "plan.json",
        ])
        .assert_code(0);
        let text = std::fs::read_to_string(self.path().join("plan.json")).unwrap_or_default();
        let mut plan: serde_json::Value = serde_json::from_str(&text).expect("plan JSON");
        for step in plan["steps"].as_array_mut().expect("steps") {
            step["commands"] = serde_json::json!([command]);
        }
        write(self.path(), "plan.json", plan.to_string());
        self.run(&["reseal", "plan.json"]).assert_code(0);
        "plan.json".to_owned()
    }

    fn apply(&self, plan: &str) -> Run {
        self.run(&[
            "apply",
            "--plan",
            plan,
            "--accept-edited",
            "--target",
            "ssh",
            "--yes",
            "--journal",
            "run.db",
        ])
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for i in 0..self.daemons.len() {
            self.stop(i);
        }
    }
}

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
