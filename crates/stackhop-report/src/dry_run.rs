//! `apply --dry-run`: every command a plan would run, in an order its DAG allows, host by host.

use stackhop_plan::Plan;

/// The commands of the plan in a topological order, each step headed by its id, phase and
/// whether it may be run twice (`idempotent[i]` for step `i`).
#[must_use]
pub fn dry_run_text(plan: &Plan, idempotent: &[bool]) -> String {
    let mut out = format!(
        "# dry run of {} for {} ({} steps); nothing is run\n",
        plan.scenario,
        plan.cloud,
        plan.steps.len()
    );
    let order = plan
        .topological_order()
        .unwrap_or_else(|| (0..plan.steps.len()).collect());
    for i in order {
        let step = &plan.steps[i];
        out.push_str(&format!(
            "\n# {}  [{}]{}{}\n",
            step.id,
            step.phase,
            if step.manual { "  (manual)" } else { "" },
            if idempotent.get(i).copied().unwrap_or(true) {
                ""
            } else {
                "  (not idempotent)"
            }
        ));
        for host in &step.hosts {
            let on = step.runs_on.as_deref().unwrap_or(host);
            for command in &step.commands {
                out.push_str(&format!("[{on}] {}\n", command.replace("{host}", host)));
            }
        }
    }
    out
}
