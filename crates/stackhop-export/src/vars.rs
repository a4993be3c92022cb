//! The files the operator fills in: the plan's placeholders as Ansible variables, secrets apart
//! in a file ready for `ansible-vault encrypt`.

use stackhop_plan::Plan;

use crate::placeholders::{Placeholder, placeholders};
use crate::yaml::Doc;

pub(crate) const VARS_FILE: &str = "group_vars/all/vars.yml";
pub(crate) const VAULT_FILE: &str = "group_vars/all/vault.yml";

/// Every placeholder of the plan's commands, in name order.
pub(crate) fn plan_placeholders(plan: &Plan, catalog_secrets: &[&str]) -> Vec<Placeholder> {
    let mut all: Vec<Placeholder> = plan
        .steps
        .iter()
        .flat_map(|s| s.commands.iter())
        .flat_map(|c| placeholders(c, catalog_secrets))
        .collect();
    all.sort();
    all.dedup();
    all
}

/// The text of the vars file (`secret` false) or the vault file (`secret` true), or `None` when
/// the plan needs no such value.
pub(crate) fn vars_file(plan: &Plan, all: &[Placeholder], secret: bool) -> Option<String> {
    let wanted: Vec<&Placeholder> = all.iter().filter(|p| p.secret == secret).collect();
    if wanted.is_empty() {
        return None;
    }
    let mut d = Doc::new();
    if secret {
        d.comment(
            0,
            &format!(
                "Secrets the commands of plan {} read from their environment. Fill them in, then \
                 encrypt this file before anything else: `ansible-vault encrypt {VAULT_FILE}`, \
                 and run with --ask-vault-pass. They never appear in site.yml, and the tasks that \
                 use them do not log.",
                plan.digest
            ),
        );
    } else {
        d.comment(
            0,
            &format!(
                "Values the commands of plan {} read from their environment. Fill them in; the \
                 playbook's first play stops the run while one is empty.",
                plan.digest
            ),
        );
    }
    for p in wanted {
        let steps: Vec<&str> = plan
            .steps
            .iter()
            .filter(|s| {
                s.commands
                    .iter()
                    .any(|c| placeholders(c, &[]).iter().any(|q| q.name == p.name))
            })
            .map(|s| s.id.as_str())
            .collect();
        d.blank();
        d.comment(0, &format!("${}, read by {}", p.name, steps.join(", ")));
        d.entry(0, &p.variable(), "");
    }
    Some(d.finish())
}
