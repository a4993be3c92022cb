//! What Ansible does with an exported playbook, for the part of Ansible the export uses: plays in
//! turn, each over its hosts (an inventory pattern) in `serial:` batches, tasks in turn over the
//! batch's hosts (the linear strategy), `run_once`, `delegate_to`, `when:` on the batch, and the
//! templating of `{{ inventory_hostname }}`. Anything else in the files fails the test, so the
//! export cannot grow a feature this model does not account for.
//!
//! Written from Ansible's documentation, independently of the exporter; the CI script
//! (`crates/stackhop-export/ansible/check.sh`) holds it against real Ansible in check mode.

use std::collections::BTreeMap;

use super::yaml_tree::Node;

/// One command run (or one manual step confirmed) for a host of a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Run {
    pub(crate) step: String,
    /// The host the step acts on.
    pub(crate) host: String,
    /// Where the command runs (the host itself, or a controller for `runs_on`).
    pub(crate) on: String,
    /// The command as the shell gets it; `None` for a manual step's confirmation.
    pub(crate) command: Option<String>,
    /// Environment variables handed to the command, each an Ansible variable's name.
    pub(crate) environment: BTreeMap<String, String>,
    pub(crate) no_log: bool,
    /// Which play, which of its batches and which of its tasks ran it.
    pub(crate) play: usize,
    pub(crate) batch: usize,
    pub(crate) task: usize,
}

pub(crate) struct Inventory {
    pub(crate) hosts: Vec<String>,
    pub(crate) groups: BTreeMap<String, Vec<String>>,
}

impl Inventory {
    pub(crate) fn read(root: &Node) -> Inventory {
        let all = root.get("all").expect("inventory: all");
        let hosts: Vec<String> = all
            .get("hosts")
            .expect("all.hosts")
            .keys()
            .into_iter()
            .map(str::to_owned)
            .collect();
        let mut groups = BTreeMap::new();
        if let Some(children) = all.get("children") {
            for (name, group) in children.entries() {
                let members: Vec<String> = group
                    .get("hosts")
                    .expect("group hosts")
                    .keys()
                    .into_iter()
                    .map(str::to_owned)
                    .collect();
                for m in &members {
                    assert!(hosts.contains(m), "group {name} names unknown host {m}");
                }
                groups.insert(name.clone(), members);
            }
        }
        Inventory { hosts, groups }
    }

    /// The hosts of a play's `hosts:` pattern, in Ansible's order for it.
    pub(crate) fn resolve(&self, pattern: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for part in pattern.split(':') {
            let hosts = if part == "all" {
                self.hosts.clone()
            } else if let Some(members) = self.groups.get(part) {
                members.clone()
            } else if self.hosts.iter().any(|h| h == part) {
                vec![part.to_owned()]
            } else {
                panic!("pattern {pattern}: {part} is neither a group nor a host");
            };
            for h in hosts {
                if !out.contains(&h) {
                    out.push(h);
                }
            }
        }
        out
    }
}

/// Ansible's batches of `hosts` for a play's `serial:` (absent: one batch of all).
fn batches(hosts: &[String], serial: Option<&Node>) -> Vec<Vec<String>> {
    let sizes: Vec<usize> = match serial {
        None => vec![hosts.len().max(1)],
        Some(Node::Seq(items)) => items
            .iter()
            .map(|n| n.number().expect("serial size"))
            .collect(),
        Some(n) => vec![n.number().expect("serial")],
    };
    let mut out = Vec::new();
    let mut rest = hosts;
    let mut k = 0;
    while !rest.is_empty() {
        let size = sizes[k.min(sizes.len() - 1)].clamp(1, rest.len());
        out.push(rest[..size].to_vec());
        rest = &rest[size..];
        k += 1;
    }
    out
}

const PLAY_KEYS: &[&str] = &[
    "name",
    "hosts",
    "strategy",
    "serial",
    "max_fail_percentage",
    "gather_facts",
    "any_errors_fatal",
    "vars",
    "tasks",
];
const TASK_KEYS: &[&str] = &[
    "name",
    "ansible.builtin.command",
    "ansible.builtin.shell",
    "ansible.builtin.pause",
    "ansible.builtin.debug",
    "ansible.builtin.assert",
    "vars",
    "environment",
    "when",
    "delegate_to",
    "run_once",
    "throttle",
    "no_log",
    "register",
    "changed_when",
    "failed_when",
];

/// Runs the playbook in the model: every command for every host, in Ansible's order.
pub(crate) fn run(playbook: &Node, inventory: &Inventory) -> Vec<Run> {
    let mut runs = Vec::new();
    for (p, play) in playbook.items().iter().enumerate() {
        for key in play.keys() {
            assert!(PLAY_KEYS.contains(&key), "play {p}: unknown key {key}");
        }
        assert_eq!(
            play.get("strategy").and_then(Node::text),
            Some("linear"),
            "play {p}: the order needs the linear strategy"
        );
        assert!(
            play.get("any_errors_fatal").is_some_and(Node::is_true),
            "play {p}: a failure must stop the run"
        );
        let pattern = play.get("hosts").and_then(Node::text).expect("hosts");
        let hosts = inventory.resolve(pattern);
        if let Some(serial) = play.get("serial") {
            assert_eq!(
                play.get("max_fail_percentage").and_then(Node::number),
                Some(0),
                "play {p}: a failed batch must stop the next"
            );
            assert!(
                serial.items().len() <= 64,
                "play {p}: serial lists every batch"
            );
        }
        let tasks = play.get("tasks").expect("tasks").items();
        for (b, batch) in batches(&hosts, play.get("serial")).iter().enumerate() {
            for (t, task) in tasks.iter().enumerate() {
                run_task(task, batch, (p, b, t), &mut runs);
            }
        }
    }
    runs
}

fn run_task(task: &Node, batch: &[String], at: (usize, usize, usize), runs: &mut Vec<Run>) {
    let (play, b, t) = at;
    let name = task.get("name").and_then(Node::text).expect("task name");
    for key in task.keys() {
        assert!(TASK_KEYS.contains(&key), "task {name}: unknown key {key}");
    }
    if task.get("ansible.builtin.debug").is_some() || task.get("ansible.builtin.assert").is_some() {
        assert_eq!(play, 0, "{name}: only the first play checks and reports");
        return;
    }
    if let Some(when) = task.get("when").and_then(Node::text) {
        let host = when
            .strip_prefix('\'')
            .and_then(|w| w.strip_suffix("' in ansible_play_batch"))
            .unwrap_or_else(|| panic!("{name}: a condition the model does not know: {when}"));
        if !batch.iter().any(|h| h == host) {
            return;
        }
    }
    let vars = task.get("vars").expect("vars");
    let step = match (vars.get("stackhop_step"), vars.get("stackhop_steps")) {
        (Some(id), None) => id.text().expect("id").to_owned(),
        (None, Some(ids)) => ids.items()[b].text().expect("id").to_owned(),
        _ => panic!("{name}: names no step"),
    };
    let once = task.get("run_once").is_some_and(Node::is_true);
    let delegate = task.get("delegate_to").and_then(Node::text);
    let environment: BTreeMap<String, String> = task
        .get("environment")
        .map(|env| {
            env.entries()
                .iter()
                .map(|(k, v)| {
                    let v = v.text().expect("env value");
                    let var = v
                        .strip_prefix("{{ ")
                        .and_then(|v| v.strip_suffix(" }}"))
                        .unwrap_or_else(|| panic!("{name}: {k} is not a variable: {v}"));
                    (k.clone(), var.to_owned())
                })
                .collect()
        })
        .unwrap_or_default();
    let no_log = task.get("no_log").is_some_and(Node::is_true);
    let record = |host: &str, on: &str, command: Option<String>| Run {
        step: step.clone(),
        host: host.to_owned(),
        on: on.to_owned(),
        command,
        environment: environment.clone(),
        no_log,
        play,
        batch: b,
        task: t,
    };
    if task.get("ansible.builtin.pause").is_some() {
        assert!(once, "{name}: a confirmation is asked once");
        let covered: Vec<String> = match delegate {
            Some(host) => vec![host.to_owned()],
            None => batch.to_vec(),
        };
        for host in covered {
            runs.push(record(&host, &host, None));
        }
        return;
    }
    let module = task
        .get("ansible.builtin.command")
        .or_else(|| task.get("ansible.builtin.shell"))
        .unwrap_or_else(|| panic!("{name}: no command"));
    for key in module.keys() {
        assert_eq!(
            key, "cmd",
            "{name}: the module gets its command as cmd only"
        );
    }
    let template = module.get("cmd").and_then(Node::text).expect("cmd");
    let hosts: &[String] = if once { &batch[..1] } else { batch };
    for current in hosts {
        let (host, on) = match (once, delegate) {
            (true, Some(d)) => (d, d),
            (true, None) => panic!("{name}: run once, but for which host?"),
            (false, Some(d)) => (current.as_str(), d),
            (false, None) => (current.as_str(), current.as_str()),
        };
        runs.push(record(host, on, Some(render(template, current))));
    }
}

/// Jinja as the export uses it: `{{ inventory_hostname }}` and `{{ '{' }}`; anything else that
/// Jinja would read fails the test.
pub(crate) fn render(template: &str, host: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(at) = rest.find(['{']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix("{{ inventory_hostname }}") {
            out.push_str(host);
            rest = after;
        } else if let Some(after) = rest.strip_prefix("{{ '{' }}") {
            out.push('{');
            rest = after;
        } else {
            assert!(
                !(rest.starts_with("{{") || rest.starts_with("{%") || rest.starts_with("{#")),
                "Jinja the model does not know in {template}"
            );
            out.push('{');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}
