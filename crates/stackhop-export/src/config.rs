//! `ansible.cfg` and `.ansible-lint` for the export's directory.

pub(crate) fn ansible_cfg(forks: u32, digest: &str) -> String {
    format!(
        "# Ansible settings for the playbook of plan {digest} (stackhop export ansible).\n\
         [defaults]\n\
         inventory = inventory.yml\n\
         # the catalog's fan-out: how many hosts one step works on at once\n\
         forks = {forks}\n\
         gathering = explicit\n\
         retry_files_enabled = False\n\
         \n\
         [ssh_connection]\n\
         pipelining = True\n"
    )
}

/// ansible-lint's settings: two rules ask for changes to the commands themselves, which would
/// make the playbook run something `stackhop verify` did not prove.
pub(crate) fn ansible_lint() -> String {
    "---\n\
     # stackhop export ansible: every task runs a command of a plan `stackhop verify` proved,\n\
     # verbatim. Two rules would change those commands, so they do not apply here:\n\
     skip_list:\n  \
       # a module in place of the command (yum, service, sed, supervisorctl, ...) runs other code\n  \
       - command-instead-of-module\n  \
       # `set -o pipefail` changes what a pipe in the plan's command means (and sh lacks it)\n  \
       - risky-shell-pipe\n"
        .to_owned()
}
