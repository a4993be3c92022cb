//! Proof that the export is the plan: for every built-in example and scenario, the generated
//! playbook is read back with a YAML parser, carried out in a model of Ansible, and
//!
//! - every task names a step of the plan, and runs that step's commands, verbatim (`{host}` as the
//!   host), where the step says (its hosts, or its `runs_on` controller);
//! - every host of every step gets the step's commands exactly once, in order;
//! - the order keeps every `after`: a step's first command comes after the last of each step it
//!   waits for, so the playbook is one of the orders `verify` explored;
//! - the batches of a rolling play are the plan's batches;
//! - replayed through the transition function task by task (the hosts of one task at once: Ansible
//!   runs them together, and `verify` explored every order of them), no state breaks a hard
//!   invariant and the last one is the finished upgrade.

mod support;

use std::collections::{BTreeMap, HashMap};

use stackhop_catalog::{Scenario, Transition, find, vocabulary};
use stackhop_export::{Export, Options};
use stackhop_inventory::{Inventory, examples};
use stackhop_model::{Class, View, apply, check_invariants, unmet_goals};
use stackhop_plan::{Plan, make_plan};
use support::ansible::{self, Run};
use support::yaml_tree::load;

fn planned(name: &str, scenario: Scenario) -> Option<(Inventory, &'static dyn Transition, Plan)> {
    let source = examples::source(name)?;
    let inventory = stackhop_inventory::parse(source, name, &vocabulary()).ok()?;
    let transition = find(&inventory.release, &inventory.profile)?;
    let plan = make_plan(transition, &inventory, name, source, scenario).ok()?;
    Some((inventory, transition, plan))
}

fn export(inventory: &Inventory, transition: &dyn Transition, plan: &Plan) -> Export {
    let options = Options {
        generator: "stackhop test".to_owned(),
        notes: Vec::new(),
    };
    stackhop_export::ansible(plan, inventory, transition, &options).expect("export")
}

fn file<'e>(export: &'e Export, path: &str) -> &'e str {
    &export
        .files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .text
}

/// The playbook's runs, in Ansible's order.
fn runs_of(export: &Export) -> Vec<Run> {
    let playbook = load(file(export, "site.yml"), "site.yml");
    let inventory = ansible::Inventory::read(&load(file(export, "inventory.yml"), "inventory.yml"));
    ansible::run(&playbook, &inventory)
}

/// Checks the runs against the plan (see the file's doc) and returns, in order, each step with the
/// hosts that finished it in one task.
fn check(label: &str, plan: &Plan, secrets: &[&str], runs: &[Run]) -> Vec<(usize, Vec<String>)> {
    let index: HashMap<&str, usize> = plan
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    // (step, host) -> positions of its runs
    let mut seen: BTreeMap<(usize, &str), Vec<usize>> = BTreeMap::new();
    for (pos, run) in runs.iter().enumerate() {
        let &i = index
            .get(run.step.as_str())
            .unwrap_or_else(|| panic!("{label}: a task names {}, no step of the plan", run.step));
        let step = &plan.steps[i];
        assert!(
            step.hosts.contains(&run.host),
            "{label}: {} runs for {}, not a host of the step",
            step.id,
            run.host
        );
        assert_eq!(run.command.is_none(), step.manual, "{label}: {}", step.id);
        if !step.manual {
            let expected_on = step.runs_on.as_deref().unwrap_or(&run.host);
            assert_eq!(
                run.on, expected_on,
                "{label}: {} runs in the wrong place",
                step.id
            );
        }
        for (env, var) in &run.environment {
            let p = stackhop_export::placeholders(&step.commands.join("\n"), secrets);
            let placeholder = p.iter().find(|p| &p.name == env).unwrap_or_else(|| {
                panic!(
                    "{label}: {} hands {env} to a command that does not read it",
                    step.id
                )
            });
            assert_eq!(&placeholder.variable(), var);
            assert!(
                !placeholder.secret || run.no_log,
                "{label}: {} logs a secret",
                step.id
            );
        }
        seen.entry((i, run.host.as_str())).or_default().push(pos);
    }
    let mut finished = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        for host in &step.hosts {
            let positions = seen
                .get(&(i, host.as_str()))
                .unwrap_or_else(|| panic!("{label}: {} never runs on {host}", step.id));
            if step.manual {
                assert_eq!(positions.len(), 1, "{label}: {} confirmed twice", step.id);
            } else {
                let commands: Vec<String> = positions
                    .iter()
                    .map(|&p| runs[p].command.clone().unwrap_or_default())
                    .collect();
                let expected: Vec<String> = step
                    .commands
                    .iter()
                    .map(|c| c.replace("{host}", host))
                    .collect();
                assert_eq!(commands, expected, "{label}: {} on {host}", step.id);
            }
            finished.push((*positions.last().unwrap_or(&0), i, host.clone()));
        }
    }
    // Every `after`: a step starts on any host only once each step it waits for is done on all.
    let first = |i: usize| {
        plan.steps[i]
            .hosts
            .iter()
            .map(|h| seen[&(i, h.as_str())][0])
            .min()
            .unwrap_or(0)
    };
    let last = |i: usize| {
        plan.steps[i]
            .hosts
            .iter()
            .filter_map(|h| seen[&(i, h.as_str())].last().copied())
            .max()
            .unwrap_or(0)
    };
    for (i, step) in plan.steps.iter().enumerate() {
        for dep in &step.after {
            let d = index[dep.as_str()];
            assert!(
                last(d) < first(i),
                "{label}: {} starts before {dep}, which it waits for, is done",
                step.id
            );
        }
    }
    finished.sort();
    // (step, hosts, the (play, batch, task) that finished them)
    type Group = (usize, Vec<String>, (usize, usize, usize));
    let mut groups: Vec<Group> = Vec::new();
    for (pos, i, host) in finished {
        let at = (runs[pos].play, runs[pos].batch, runs[pos].task);
        match groups.last_mut() {
            Some((step, hosts, task)) if *step == i && *task == at => hosts.push(host),
            _ => groups.push((i, vec![host], at)),
        }
    }
    groups.into_iter().map(|(i, hosts, _)| (i, hosts)).collect()
}

/// The batches of each rolling play are the plan's: the hosts a task's step runs for in a batch
/// are the batch, and its step's hosts.
fn check_batches(label: &str, plan: &Plan, runs: &[Run]) {
    let mut by_batch: BTreeMap<(usize, usize, &str), Vec<&str>> = BTreeMap::new();
    for run in runs {
        by_batch
            .entry((run.play, run.batch, run.step.as_str()))
            .or_default()
            .push(run.host.as_str());
    }
    for ((_, _, id), mut hosts) in by_batch {
        hosts.sort_unstable();
        hosts.dedup();
        let step = plan.steps.iter().find(|s| s.id == id).expect("step");
        let mut expected: Vec<&str> = step.hosts.iter().map(String::as_str).collect();
        expected.sort_unstable();
        assert_eq!(hosts, expected, "{label}: {id} is split over batches");
    }
}

/// Applies each step on the hosts that finish it in one task, in the order the playbook does.
fn replay(
    label: &str,
    inventory: &Inventory,
    transition: &dyn Transition,
    plan: &Plan,
    done: &[(usize, Vec<String>)],
) {
    let rules = transition.rules(inventory);
    let mut state = transition.initial_state(inventory, &rules);
    let index: HashMap<&str, u32> = inventory
        .hosts
        .iter()
        .enumerate()
        .map(|(i, h)| (h.name.as_str(), u32::try_from(i).unwrap_or(u32::MAX)))
        .collect();
    for (i, hosts) in done {
        let step = &plan.steps[*i];
        let ids: Vec<u32> = hosts.iter().map(|h| index[h.as_str()]).collect();
        let host = stackhop_catalog::collapse_hosts(hosts);
        state = apply(&rules, &state, &step.action, &ids)
            .unwrap_or_else(|e| panic!("{label}: {} refused on {host}: {e}", step.id));
        let view = View::of(&rules, &state);
        let hard: Vec<_> = check_invariants(&view)
            .into_iter()
            .filter(|v| v.class == Class::Hard)
            .collect();
        assert!(
            hard.is_empty(),
            "{label}: after {} on {host}: {hard:#?}",
            step.id
        );
    }
    let unmet = unmet_goals(&View::of(&rules, &state));
    assert!(
        unmet.is_empty(),
        "{label}: the playbook does not finish the upgrade: {unmet:#?}"
    );
}

#[test]
fn every_export_is_a_safe_linearization_of_its_plan() {
    let mut exported = 0;
    let mut rolling = 0;
    for name in examples::NAMES {
        for scenario in Scenario::ALL {
            let Some((inventory, transition, plan)) = planned(name, scenario) else {
                continue;
            };
            let label = format!("{name} {scenario}");
            let export = export(&inventory, transition, &plan);
            let runs = runs_of(&export);
            let done = check(&label, &plan, transition.secret_variables(), &runs);
            check_batches(&label, &plan, &runs);
            replay(&label, &inventory, transition, &plan, &done);
            exported += 1;
            rolling += export.summary.rolling.len();
        }
    }
    // allinone, small and lab in the three scenarios they allow; medium, large and zed in four.
    assert_eq!(exported, 21, "examples × scenarios exported");
    assert!(rolling >= 10, "only {rolling} rolling plays");
}

#[test]
fn compute_batches_are_serial_plays() {
    let (inventory, transition, plan) = planned("large", Scenario::LiveCompute).expect("plan");
    let export = export(&inventory, transition, &plan);
    let rolling = &export.summary.rolling;
    assert_eq!(rolling.len(), 1, "{rolling:?}");
    let batches = &rolling[0];
    assert_eq!(batches.phase, "nova-computes");
    assert_eq!(batches.hosts, 2000);
    // the canary alone first, then `compute_batch` (5% of the rest) at a time
    assert_eq!(batches.serial, [2, 100]);
    assert_eq!(batches.batches.len(), 21);
    // The playbook names groups, not hosts: a handful of compute names (in comments and the
    // canary's condition), not 2,000.
    let site = file(&export, "site.yml");
    let named = (1..=2000)
        .filter(|n| site.contains(&format!("cmp{n:04}")))
        .count();
    assert!(named <= 50, "site.yml names {named} computes");
    assert!(site.contains("serial: [2, 100]"));
}

fn secrets(export: &Export) -> Vec<&str> {
    export
        .summary
        .variables
        .iter()
        .filter(|v| v.secret)
        .map(|v| v.env.as_str())
        .collect()
}

#[test]
fn the_secrets_are_variables_in_the_vault_file() {
    let (inventory, transition, plan) = planned("zed", Scenario::ParallelCompute).expect("plan");
    let zed = export(&inventory, transition, &plan);
    assert_eq!(secrets(&zed), ["NOVA_DBPASS", "RABBIT_PASS"]);
    let (inventory, transition, plan) = planned("medium", Scenario::ParallelCompute).expect("plan");
    let export = export(&inventory, transition, &plan);
    assert_eq!(secrets(&export), ["NOVA_ADMIN_PASSWORD", "NOVA_DBPASS"]);
    let vault = load(file(&export, "group_vars/all/vault.yml"), "vault.yml");
    for (name, value) in vault.entries() {
        assert!(name.starts_with("stackhop_"), "{name}");
        assert_eq!(value.text(), Some(""), "{name} has a value");
    }
    let vars = load(file(&export, "group_vars/all/vars.yml"), "vars.yml");
    assert!(vars.get("stackhop_keystone_host").is_some());
    assert!(vars.get("stackhop_nova_admin_password").is_none());
    // the commands keep reading their environment, which the tasks fill from the variables
    let site = file(&export, "site.yml");
    assert!(site.contains("NOVA_ADMIN_PASSWORD: \"{{ stackhop_nova_admin_password }}\""));
    assert!(site.contains("stackhop_nova_admin_password | default('') | length > 0"));
}
