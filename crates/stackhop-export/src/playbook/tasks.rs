//! The tasks of one step: a command task per command, or a confirmation for a manual step.

use stackhop_catalog::{Transition, collapse_hosts};
use stackhop_inventory::Inventory;
use stackhop_model::Action;
use stackhop_plan::Step;
use stackhop_report::describe_action;

use super::names::common_pattern;
use super::{RUN_ONCE, Writer};
use crate::jinja::{self, HostRef};
use crate::placeholders::placeholders;
use crate::yaml::Doc;

/// The variable a gate's or health check's result is registered in.
const CHECK_RESULT: &str = "stackhop_check";
/// The variable a manual step's confirmation is registered in.
const CONFIRMATION: &str = "stackhop_confirmation";

impl Writer<'_> {
    /// The tasks of one step: one per command, or a confirmation for a manual step.
    pub(super) fn tasks(&mut self, task: &Task<'_>) {
        let step = task.step;
        let what = describe_action(&step.action);
        if step.manual {
            self.manual(task, &what);
            return;
        }
        let n = step.commands.len();
        for (k, command) in step.commands.iter().enumerate() {
            let count = if n > 1 {
                format!(" ({}/{n})", k + 1)
            } else {
                String::new()
            };
            let name = format!("{}{count}: {what}", task.name);
            self.command(task, &name, command);
        }
    }

    fn command(&mut self, task: &Task<'_>, name: &str, command: &str) {
        let step = task.step;
        let check = matches!(
            step.action,
            Action::HealthCheck { .. } | Action::UpgradeCheck { .. }
        );
        let found = placeholders(command, self.transition.secret_variables());
        let module = if needs_shell(command) {
            "ansible.builtin.shell"
        } else {
            "ansible.builtin.command"
        };
        let fanout = fanout(self.transition, self.inventory, step);
        let d = &mut self.doc;
        d.item_entry(4, "name", &jinja::literal(name));
        d.open(6, module);
        d.entry(8, "cmd", &jinja::template(command, task.host_ref));
        task.step_vars(d);
        if !found.is_empty() {
            d.open(6, "environment");
            for p in &found {
                d.entry(8, &p.name, &format!("{{{{ {} }}}}", p.variable()));
            }
        }
        task.placement(d);
        if fanout < self.forks {
            d.raw_entry(6, "throttle", &fanout.to_string());
        }
        if found.iter().any(|p| p.secret) {
            d.raw_entry(6, "no_log", "true");
        }
        if check {
            d.entry(6, "register", CHECK_RESULT);
            d.raw_entry(6, "changed_when", "false");
            d.entry(6, "failed_when", &format!("{CHECK_RESULT}.rc != 0"));
        } else {
            d.raw_entry(6, "changed_when", "true");
        }
        self.summary.tasks += 1;
    }

    /// A manual step: the operator does it by hand and confirms, as `stackhop apply` asks.
    fn manual(&mut self, task: &Task<'_>, what: &str) {
        let step = task.step;
        // In a rolling play the prompt is the same for every batch: it names the batch's hosts as
        // Ansible has them, and the step by the pattern of its ids.
        let (id, hosts) = match task.steps {
            StepRef::One(id) => (id.to_owned(), jinja::literal(&collapse_hosts(&step.hosts))),
            StepRef::PerBatch(ids) => (
                common_pattern(ids),
                "the hosts of this batch, {{ ansible_play_batch | join(' ') }}".to_owned(),
            ),
        };
        let mut prompt = jinja::literal(&format!(
            "{id} is a manual step: {what}. {}\nDo it by hand on ",
            step.reason
        ));
        prompt.push_str(&hosts);
        if !step.commands.is_empty() {
            prompt.push_str(" ({host} below is each of them):");
            for c in &step.commands {
                prompt.push_str("\n  $ ");
                prompt.push_str(&jinja::literal(c));
            }
        }
        prompt.push_str("\nthen type yes when it is done");
        let d = &mut self.doc;
        d.item_entry(
            4,
            "name",
            &jinja::literal(&format!("{} (manual): {what}", task.name)),
        );
        d.open(6, "ansible.builtin.pause");
        d.entry(8, "prompt", &prompt);
        task.step_vars(d);
        d.entry(6, "register", CONFIRMATION);
        d.raw_entry(6, "changed_when", "false");
        d.entry(
            6,
            "failed_when",
            &format!("({CONFIRMATION}.user_input | default('')) != 'yes'"),
        );
        if let Some(when) = task.when {
            d.entry(6, "when", when);
        }
        if let Some(host) = task.delegate.filter(|_| task.once) {
            d.entry(6, "delegate_to", host);
        }
        d.raw_entry(6, "run_once", RUN_ONCE);
        self.summary.tasks += 1;
    }
}

/// Which step ids a task carries out.
pub(super) enum StepRef<'s> {
    One(&'s str),
    /// One id per batch of a rolling play, in batch order.
    PerBatch(&'s [&'s str]),
}

pub(super) struct Task<'s> {
    pub(super) name: String,
    pub(super) steps: StepRef<'s>,
    pub(super) step: &'s Step,
    pub(super) host_ref: HostRef<'s>,
    pub(super) delegate: Option<&'s str>,
    pub(super) once: bool,
    pub(super) when: Option<&'s str>,
}

impl Task<'_> {
    fn step_vars(&self, d: &mut Doc) {
        d.open(6, "vars");
        match self.steps {
            StepRef::One(id) => d.entry(8, "stackhop_step", id),
            StepRef::PerBatch(ids) => {
                d.open(8, "stackhop_steps");
                for id in ids {
                    d.item(10, id);
                }
            }
        }
    }

    fn placement(&self, d: &mut Doc) {
        if let Some(when) = self.when {
            d.entry(6, "when", when);
        }
        if let Some(host) = self.delegate {
            d.entry(6, "delegate_to", host);
        }
        if self.once {
            d.raw_entry(6, "run_once", RUN_ONCE);
        }
    }
}

/// How many hosts of the step run at once: the catalog's fan-out.
pub(crate) fn fanout(transition: &dyn Transition, inventory: &Inventory, step: &Step) -> u32 {
    transition.estimate(&step.action, inventory).fanout.max(1)
}

/// Whether the command needs a shell: any character `sh` reads differently from a plain
/// word split (pipes, redirections, expansions, globs, comments, separators).
fn needs_shell(command: &str) -> bool {
    let command = command.replace("{host}", "h");
    command
        .chars()
        .any(|c| "|&;<>()$`\\*?[]~#!{}\n\t".contains(c))
        || command
            .split_whitespace()
            .next()
            .is_some_and(|word| word.contains('='))
}

#[cfg(test)]
mod tests {
    use super::needs_shell;

    #[test]
    fn shell_only_when_needed() {
        assert!(!needs_shell(
            "ln -sfn /opt/r/nova-2023.1 /opt/current/nova-{host}"
        ));
        assert!(!needs_shell(
            "openstack-config --set /etc/x.conf DEFAULT a \"b c\""
        ));
        assert!(needs_shell("supervisorctl stop 'nova-{host}:*'"));
        assert!(needs_shell("a && b"));
        assert!(needs_shell("echo \"$X\""));
    }
}
