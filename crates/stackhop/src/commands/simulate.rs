//! `stackhop simulate (-i FILE | --example NAME) -s SCENARIO [--seed N] [--fault F...]
//! [--workload NAME=RATE...] [--format text|json|html|trace]`: rehearses the scenario's plan
//! on the digital twin.
//!
//! The twin runs on a virtual clock: no time passes here, and the same seed gives the same
//! output byte for byte. The HTML page also shows the check's findings and the verifier's
//! verdict on the plan, so it is the whole review document; the trace is the run as Chrome
//! trace events. Exit 1 when the run did not complete (a fault, a failing step), broke
//! a hard invariant or took a running instance down; a scenario the check refuses prints the
//! findings and exits 1 too.

use stackhop_report::{SimulatePage, Verdict, simulate_html, simulate_text, simulate_trace};
use stackhop_sim::{SimOptions, Workload};

use crate::cli::{SimulateArgs, TwinArgs, TwinFormat};
use crate::error::{CommandError, Outcome};
use crate::output::print;

impl TwinArgs {
    /// The catalog's workload with the `--workload` overrides.
    pub(crate) fn workload(&self) -> Result<Workload, CommandError> {
        self.workload
            .iter()
            .try_fold(Workload::defaults(), |w, text| w.set_from(text))
            .map_err(CommandError::Sim)
    }
}

pub(crate) fn run(args: &SimulateArgs) -> Result<Outcome, CommandError> {
    let loaded = args.inventory.load()?;
    let scenario = args.scenario.scenario;
    let format = super::twin_findings_format(args.format);
    let refused = "; nothing was simulated";
    let Some(plan) = super::plan_or_refuse(&loaded, scenario, format, refused)? else {
        return Ok(Outcome::ProblemFound);
    };
    stackhop_sim::check_faults(&plan, &args.fault).map_err(CommandError::Sim)?;
    let options = SimOptions {
        seed: args.twin.seed,
        workload: args.twin.workload()?,
        faults: args.fault.clone(),
        ..SimOptions::default()
    };
    let report = stackhop_sim::simulate(loaded.transition, &loaded.inventory, &plan, &options)
        .map_err(CommandError::Sim)?;
    let secrets = super::secrets(&loaded);
    print(&match args.format {
        TwinFormat::Text => simulate_text(&report),
        TwinFormat::Json => report.to_json(),
        TwinFormat::Trace => simulate_trace(&plan, &report, &secrets),
        TwinFormat::Html => {
            let findings = stackhop_plan::check(loaded.transition, &loaded.inventory, scenario);
            let verified = super::verify_for_page(&loaded, &plan);
            simulate_html(&SimulatePage {
                plan: &plan,
                report: &report,
                findings: &findings,
                verdict: Verdict::of(&verified),
                secrets: &secrets,
            })
        }
    })?;
    let sound =
        report.completed() && report.hard_violations.is_empty() && report.instances_disrupted == 0;
    Ok(if sound {
        Outcome::Success
    } else {
        Outcome::ProblemFound
    })
}
