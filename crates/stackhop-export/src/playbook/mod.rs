//! `site.yml`: the plan as plays and tasks (see `layout` for how steps become plays).

use stackhop_catalog::{Transition, collapse_hosts};
use stackhop_inventory::Inventory;
use stackhop_plan::{Plan, Step};

use crate::dag::Dag;
use crate::groups::Groups;
use crate::jinja::HostRef;
use crate::layout::{Placement, Play, RollingPlay, StepPlay};
use crate::placeholders::Placeholder;
use crate::summary::{Rolling, Summary};
use crate::yaml::{Doc, number_list};

mod names;
mod serial;
mod tasks;

use names::common_pattern;
use serial::{describe_serial, serial_for};
use tasks::{StepRef, Task, fanout};

/// `run_once`, and why ansible-lint's warning about it does not apply: every play sets the linear
/// strategy, under which a run-once task runs once per batch, before the next task.
const RUN_ONCE: &str = "true  # noqa: run-once[task]";

pub(crate) struct Writer<'a> {
    pub(crate) plan: &'a Plan,
    pub(crate) inventory: &'a Inventory,
    pub(crate) transition: &'a dyn Transition,
    pub(crate) dag: &'a Dag,
    pub(crate) groups: &'a mut Groups,
    /// `forks` in ansible.cfg: the widest fan-out of any step.
    pub(crate) forks: u32,
    pub(crate) options: &'a crate::Options,
    pub(crate) summary: &'a mut Summary,
    doc: Doc,
    /// The step before the current one in the playbook's order.
    previous: Option<usize>,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(
        plan: &'a Plan,
        inventory: &'a Inventory,
        transition: &'a dyn Transition,
        dag: &'a Dag,
        groups: &'a mut Groups,
        options: &'a crate::Options,
        summary: &'a mut Summary,
    ) -> Writer<'a> {
        let forks = plan
            .steps
            .iter()
            .map(|s| fanout(transition, inventory, s))
            .max()
            .unwrap_or(1);
        Writer {
            plan,
            inventory,
            transition,
            dag,
            groups,
            forks,
            options,
            summary,
            doc: Doc::new(),
            previous: None,
        }
    }

    pub(crate) fn write(mut self, plays: &[Play], variables: &[Placeholder]) -> String {
        self.header(plays);
        self.preflight(variables);
        for play in plays {
            self.doc.blank();
            match play {
                Play::Steps(p) => self.step_play(p),
                Play::Rolling(p) => self.rolling_play(p),
            }
        }
        self.doc.finish()
    }

    fn header(&mut self, plays: &[Play]) {
        let plan = self.plan;
        let rolling = plays
            .iter()
            .filter(|p| matches!(p, Play::Rolling(_)))
            .count();
        let d = &mut self.doc;
        d.comment(
            0,
            &format!(
                "The {} plan of {} ({}), as an Ansible playbook.",
                plan.scenario, plan.cloud, plan.transition
            ),
        );
        d.comment(0, &format!("plan digest: {}", plan.digest));
        d.comment(
            0,
            &format!(
                "Written by {} (stackhop export ansible) from {}, catalog {}.",
                self.options.generator, plan.inventory_file, plan.catalog_version
            ),
        );
        for note in &self.options.notes {
            d.comment(0, &format!("NOTE: {note}"));
        }
        d.line(0, "#");
        d.comment(
            0,
            "Every task runs a command of that plan, verbatim, for the hosts of its step, in one \
             order of the steps that keeps every `after` of the plan; `stackhop verify --plan` \
             proved every such order safe. Each task names its step (`stackhop_step`). Edit the \
             plan and export it again rather than edit this file. A failure anywhere stops the \
             whole run (any_errors_fatal), as stackhop's own run stops. Every play sets the linear \
             strategy, whatever ansible.cfg or ANSIBLE_STRATEGY say: the order depends on it.",
        );
        d.line(0, "#");
        d.comment(
            0,
            &format!(
                "{} plays ({rolling} with serial batches), one per phase and host set; run from \
                 this directory: ansible-playbook site.yml (ansible.cfg names inventory.yml).",
                plays.len() + 1
            ),
        );
        d.blank();
    }

    /// The first play: the digest in the run's log, and the operator's values present before
    /// anything changes.
    fn preflight(&mut self, variables: &[Placeholder]) {
        let plan = self.plan;
        let d = &mut self.doc;
        d.item_entry(0, "name", &format!("Plan {}", plan.digest));
        d.entry(2, "hosts", "all");
        d.entry(2, "strategy", "linear");
        d.raw_entry(2, "gather_facts", "false");
        d.raw_entry(2, "any_errors_fatal", "true");
        d.open(2, "tasks");
        d.item_entry(
            4,
            "name",
            &format!("Carry out the {} plan {}", plan.scenario, plan.digest),
        );
        d.open(6, "ansible.builtin.debug");
        d.entry(
            8,
            "msg",
            &format!(
                "stackhop plan {} of {} ({}, {}), {} steps",
                plan.digest,
                plan.cloud,
                plan.transition,
                plan.scenario,
                plan.steps.len()
            ),
        );
        d.raw_entry(6, "run_once", RUN_ONCE);
        if variables.is_empty() {
            return;
        }
        d.item_entry(4, "name", "The values the plan's commands need are set");
        d.open(6, "ansible.builtin.assert");
        d.open(8, "that");
        for v in variables {
            d.item(10, &format!("{} | default('') | length > 0", v.variable()));
        }
        d.entry(
            8,
            "fail_msg",
            "set every variable of group_vars/all/vars.yml and group_vars/all/vault.yml",
        );
        d.raw_entry(8, "quiet", "true");
        d.raw_entry(6, "run_once", RUN_ONCE);
    }

    fn play_head(&mut self, name: &str, hosts: &str, phase: &str, serial: Option<&[usize]>) {
        let d = &mut self.doc;
        d.item_entry(0, "name", name);
        d.entry(2, "hosts", hosts);
        if let Some(serial) = serial {
            d.raw_entry(2, "serial", &number_list(serial));
            d.raw_entry(2, "max_fail_percentage", "0");
        }
        d.entry(2, "strategy", "linear");
        d.raw_entry(2, "gather_facts", "false");
        d.raw_entry(2, "any_errors_fatal", "true");
        d.open(2, "vars");
        d.entry(4, "stackhop_phase", phase);
        d.open(2, "tasks");
        self.summary.plays += 1;
    }

    fn step_play(&mut self, play: &StepPlay) {
        let hosts = self.groups.pattern(&play.hosts, &first_id(self.plan, play));
        let name = format!(
            "Phase {} on {}",
            play.phase,
            describe_hosts(&hosts, &play.hosts)
        );
        self.play_head(&name, &hosts, &play.phase, None);
        for (i, placement) in &play.steps {
            let step = &self.plan.steps[*i];
            self.independence_note(*i);
            self.comment_reason(step);
            let (host_ref, delegate, once) = match placement {
                Placement::EachHost => (HostRef::Current, step.runs_on.as_deref(), false),
                Placement::Once(host) => (HostRef::Named(host), Some(host.as_str()), true),
            };
            let task = Task {
                name: format!("Step {}", step.id),
                steps: StepRef::One(&step.id),
                step,
                host_ref,
                delegate,
                once,
                when: None,
            };
            self.tasks(&task);
        }
    }

    fn rolling_play(&mut self, play: &RollingPlay) {
        let plan = self.plan;
        let batch_hosts = play.hosts(plan);
        let sizes: Vec<usize> = batch_hosts.iter().map(|h| h.len()).collect();
        let serial = serial_for(&sizes);
        let all: Vec<String> = batch_hosts.iter().flat_map(|h| h.iter().cloned()).collect();
        let group = self.groups.ordered(all, &format!("{} batches", play.phase));
        let name = format!(
            "Phase {}, batch by batch: {} hosts in {} batches ({})",
            play.phase,
            sizes.iter().sum::<usize>(),
            sizes.len(),
            describe_serial(&serial)
        );
        self.play_head(&name, &group, &play.phase, Some(&serial));
        let d = &mut self.doc;
        d.comment(
            4,
            "Each batch of hosts goes through every task below before the next batch starts \
             (serial); the plan's batches, in order:",
        );
        for (b, hosts) in play.batches.iter().zip(&batch_hosts) {
            let ids: Vec<&str> = b.iter().map(|&i| plan.steps[i].id.as_str()).collect();
            d.comment(
                4,
                &format!(
                    "- {}: {}",
                    common_pattern(&ids),
                    count_hosts(&collapse_hosts(hosts), hosts.len())
                ),
            );
        }
        self.summary.rolling.push(Rolling {
            phase: play.phase.clone(),
            hosts: sizes.iter().sum(),
            batches: sizes.clone(),
            serial: serial.clone(),
        });
        for position in 0..play.batches[0].len() {
            let ids: Vec<&str> = play
                .batches
                .iter()
                .map(|b| plan.steps[b[position]].id.as_str())
                .collect();
            let step = &plan.steps[play.batches[0][position]];
            self.previous = Some(play.batches[0][position]);
            self.comment_reason(step);
            let task = Task {
                name: format!("Step {} of each batch", common_pattern(&ids)),
                steps: StepRef::PerBatch(&ids),
                step,
                host_ref: HostRef::Current,
                delegate: step.runs_on.as_deref(),
                once: false,
                when: None,
            };
            self.tasks(&task);
        }
        for &(batch, i) in &play.interludes {
            let step = &plan.steps[i];
            let first_host = &batch_hosts[batch][0];
            let host = &step.hosts[0];
            self.doc.comment(
                4,
                &format!(
                    "{} runs once, after the batch of {} only",
                    step.id,
                    collapse_hosts(batch_hosts[batch])
                ),
            );
            self.comment_reason(step);
            let when = format!("'{first_host}' in ansible_play_batch");
            let task = Task {
                name: format!("Step {}", step.id),
                steps: StepRef::One(&step.id),
                step,
                host_ref: HostRef::Named(host),
                delegate: Some(host),
                once: true,
                when: Some(&when),
            };
            self.tasks(&task);
        }
        self.previous = play.batches.last().and_then(|b| b.last()).copied();
    }

    /// Says when the step does not wait for the step before it: the plan lets them run together,
    /// the playbook runs them one after the other.
    fn independence_note(&mut self, i: usize) {
        if let Some(prev) = self.previous
            && !self.dag.precedes(prev, i)
        {
            let plan = self.plan;
            self.doc.comment(
                4,
                &format!(
                    "{} does not wait for {} in the plan: Ansible runs them one after the other",
                    plan.steps[i].id, plan.steps[prev].id
                ),
            );
            self.summary.serialized += 1;
        }
        self.previous = Some(i);
    }

    fn comment_reason(&mut self, step: &Step) {
        if !step.reason.is_empty() {
            self.doc.comment(4, &format!("why: {}", step.reason));
        }
    }
}

fn describe_hosts(pattern: &str, hosts: &[String]) -> String {
    count_hosts(pattern, hosts.len())
}

/// `ctl1`, or `compute (40 hosts)` for a group or range of several.
fn count_hosts(name: &str, n: usize) -> String {
    if n == 1 {
        name.to_owned()
    } else {
        format!("{name} ({n} hosts)")
    }
}
fn first_id(plan: &Plan, play: &StepPlay) -> String {
    play.steps
        .iter()
        .find(|(_, p)| *p == Placement::EachHost)
        .map_or_else(String::new, |(i, _)| plan.steps[*i].id.clone())
}
