//! A fleet of hosts for the SSH tests: one real `sshd` per host, each on its own loopback
//! address (all of 127/8 is this machine's; each test has its own ten) with keys made for the
//! test, and each host laid out as the lab's are (`lab/README.md`), in a temporary directory:
//! its own root (`hosts/<host>/` with an os-release and its supervisord's status), the code
//! links and release trees, the 2023.1 venvs' distributions, and fake `supervisorctl`,
//! `dpkg-query` and `mysql` on the sshds' PATH answering as the lab's hosts do. So `discover`
//! and `apply` read these hosts as they read the lab, without OpenStack.
//!
//! Needs root (sshd) and Debian's openssh-server; where either is missing each test says why it
//! is skipped, and fails instead when `STACKHOP_REQUIRE_SSH_TESTS=1` (CI installs what they
//! need).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Run, stackhop_in, temp_dir, write};

pub(crate) const PORT: u16 = 2222;

/// Why these tests cannot run here, if they cannot.
pub(crate) fn unavailable() -> Option<String> {
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
pub(crate) fn skipped(test: &str) -> bool {
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

pub(crate) fn keygen(path: &Path) {
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
pub(crate) struct Fleet {
    dir: tempfile::TempDir,
    hosts: Vec<String>,
    daemons: Vec<Option<Child>>,
    bastion: Option<Child>,
    /// The last byte of `ctl`'s address; the computes follow it.
    base: usize,
}

impl Fleet {
    /// `base` keeps the tests that run at once on addresses of their own.
    pub(crate) fn new(computes: usize, base: usize) -> Fleet {
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
            bastion: None,
            base,
        };
        fleet.lay_out();
        for i in 0..fleet.hosts.len() {
            keygen(&fleet.host_key(i));
            fleet.daemons.push(None);
            fleet.start(i);
        }
        fleet
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn address(&self, i: usize) -> String {
        format!("127.0.0.{}", self.base + i)
    }

    pub(crate) fn host_key(&self, i: usize) -> PathBuf {
        self.path().join(format!("hostkey-{}", self.hosts[i]))
    }

    pub(crate) fn start(&mut self, i: usize) {
        let child = self.sshd(&self.hosts[i], &self.address(i), "LogLevel ERROR\n");
        self.daemons[i] = Some(child);
    }

    /// A bastion for `connection: {jump: ...}`, outside the inventory, on the test's tenth
    /// address; its sshd logs each channel it forwards. Answers its address.
    pub(crate) fn start_bastion(&mut self) -> String {
        let address = format!("127.0.0.{}", self.base + 9);
        keygen(&self.path().join("hostkey-bastion"));
        self.bastion = Some(self.sshd("bastion", &address, "LogLevel DEBUG1\n"));
        address
    }

    /// What the bastion's sshd logged.
    pub(crate) fn bastion_log(&self) -> String {
        std::fs::read_to_string(self.path().join("sshd-bastion.log")).unwrap_or_default()
    }

    /// An sshd for `name` on `address`, listening when this returns.
    fn sshd(&self, name: &str, address: &str, logging: &str) -> Child {
        let d = self.path();
        let config = format!(
            "ListenAddress {address}:{PORT}\nHostKey {}\nPidFile {}\nAuthorizedKeysFile {}\n\
             PermitRootLogin prohibit-password\nPasswordAuthentication no\nUsePAM no\n\
             StrictModes no\n{logging}SetEnv PATH={}/bin:/usr/local/sbin:/usr/local/bin:\
             /usr/sbin:/usr/bin:/sbin:/bin\n",
            d.join(format!("hostkey-{name}")).display(),
            d.join(format!("sshd-{name}.pid")).display(),
            d.join("authorized_keys").display(),
            d.display(),
        );
        let file = write(d, &format!("sshd-{name}.conf"), config);
        let child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-E"])
            .arg(d.join(format!("sshd-{name}.log")))
            .arg("-f")
            .arg(&file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start sshd: {e}"));
        let deadline = Instant::now() + Duration::from_secs(10);
        let listening = format!("{address}:{PORT}");
        while std::net::TcpStream::connect(&listening).is_err() {
            assert!(
                Instant::now() < deadline,
                "sshd on {listening} never listened"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        child
    }

    /// The process id of host `i`'s listening sshd: its children carry the host's sessions.
    pub(crate) fn sshd_pid(&self, i: usize) -> u32 {
        self.daemons[i].as_ref().map_or(0, Child::id)
    }

    pub(crate) fn stop(&mut self, i: usize) {
        if let Some(mut c) = self.daemons[i].take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// The lab's inventory for these hosts, with the fleet's layout as `paths:`; `options` adds
    /// lines under `options:`.
    pub(crate) fn inventory(&self, options: &str) -> PathBuf {
        let d = self.path();
        let computes = self.hosts.len() - 1;
        let text = format!(
            "name: ssh-test\nrelease: zed\nprofile: debian-venv\ncompute_driver: fake\n\
             paths:\n  host_root: {root}/hosts/{{host}}\n  deploy_root: {root}\n  \
             supervisor_conf: {root}/hosts/{{host}}/etc/supervisor/supervisord.conf\n  \
             admin_rc: {root}/adminrc\n\
             options:\n  compute_batch: 1\n{options}\
             connection:\n  user: root\n  port: {PORT}\n  identity_file: {id}\n  \
             known_hosts: {known}\n\
             hosts:\n  - name: ctl\n    address: {ctl}\n    roles: [controller]\n    \
             os: debian-12\n  - name: cmp[1:{computes}]\n    address: 127.0.0.[{first}:{last}]\n    \
             roles: [compute]\n    os: debian-12\n    nova_version: 26.2.2\n    instances: 1\n",
            root = d.display(),
            id = d.join("id").display(),
            known = d.join("known_hosts").display(),
            ctl = self.address(0),
            first = self.base + 1,
            last = self.base + computes,
        );
        write(d, "inventory.yaml", text)
    }

    /// Each host as `lab/up.sh` leaves the lab's: Debian 12, every project's link on Zed, the
    /// 2023.1 venvs built, its programs running, one instance per compute; and the tools the
    /// probes call, answering from those files.
    fn lay_out(&self) {
        let d = self.path();
        let dir = |p: &Path| {
            std::fs::create_dir_all(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        };
        let tool = |name: &str, script: &str| {
            dir(&d.join("bin"));
            let path = write(&d.join("bin"), name, format!("#!/bin/sh\n{script}"));
            let made = Command::new("chmod").arg("+x").arg(&path).status();
            assert!(made.is_ok_and(|s| s.success()), "chmod {}", path.display());
        };
        // supervisorctl -c CONF status: the status file beside the host's CONF.
        tool("supervisorctl", "exec cat \"$(dirname \"$2\")/status\"\n");
        tool(
            "dpkg-query",
            "printf 'python3-nova 2:26.2.2-1~deb12u5 ii \\npython3-placement 8.0.0-2 ii \\n'\n",
        );
        // mysql --defaults-file=ROOT/.my.cnf -N -B -e SQL: instances per compute from ROOT.
        tool(
            "mysql",
            "for a; do case $a in --defaults-file=*) root=$(dirname \"${a#*=}\");; esac; \
             sql=$a; done\ncase $sql in\n  *'GROUP BY host'*) cat \"$root/instances\";;\n  \
             *ROUND*) echo 0.001;;\n  *) echo 3;;\nesac\n",
        );
        for release in ["zed", "2023.1"] {
            for project in ["nova", "placement"] {
                dir(&d.join(format!("releases/{project}-{release}")));
            }
        }
        let site = "lib/python3.11/site-packages";
        dir(&d.join(format!("venvs/nova-2023.1/{site}/nova-27.5.1.dist-info")));
        dir(&d.join(format!(
            "venvs/placement-2023.1/{site}/openstack_placement-9.0.0.dist-info"
        )));
        dir(&d.join("current"));
        let mut instances = String::new();
        for (i, host) in self.hosts.iter().enumerate() {
            let root = d.join("hosts").join(host);
            dir(&root.join("etc/supervisor"));
            write(
                &root.join("etc"),
                "os-release",
                "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\nID=debian\n",
            );
            write(&root.join("etc/supervisor"), "supervisord.conf", "");
            let status = if i == 0 {
                self.switch(host, "placement", "zed");
                format!(
                    "mariadb RUNNING pid 11, uptime 0:05:00\n\
                     placement-{host}:placement-api-{host} RUNNING pid 12, uptime 0:03:00\n\
                     nova-{host}:nova-api-{host} RUNNING pid 13, uptime 0:02:00\n\
                     nova-{host}:nova-conductor-{host} RUNNING pid 14, uptime 0:02:00\n\
                     nova-{host}:nova-scheduler-{host} RUNNING pid 15, uptime 0:02:00\n"
                )
            } else {
                instances.push_str(&format!("{host}\t1\n"));
                format!("nova-{host}:nova-compute-{host} RUNNING pid 21, uptime 0:01:00\n")
            };
            write(&root.join("etc/supervisor"), "status", status);
            self.switch(host, "nova", "zed");
        }
        let ctl_root = d.join("hosts").join(&self.hosts[0]).join("root");
        dir(&ctl_root);
        write(&ctl_root, ".my.cnf", "");
        write(&ctl_root, "instances", instances);
    }

    /// Points a host's code link for `project` at `release`, as an upgrade (or a hand) does.
    pub(crate) fn switch(&self, host: &str, project: &str, release: &str) {
        let d = self.path();
        let link = d.join(format!("current/{project}-{host}"));
        let _ = std::fs::remove_file(&link);
        let target = d.join(format!("releases/{project}-{release}"));
        if let Err(e) = std::os::unix::fs::symlink(&target, &link) {
            panic!("{} -> {}: {e}", link.display(), target.display());
        }
    }

    pub(crate) fn run(&self, args: &[&str]) -> Run {
        stackhop_in(self.path(), args)
    }

    /// The all-at-once plan with every command replaced by `command`, resealed.
    pub(crate) fn plan(&self, command: &str) -> String {
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

    pub(crate) fn apply(&self, plan: &str) -> Run {
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
        if let Some(mut c) = self.bastion.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
