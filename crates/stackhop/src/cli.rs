//! The command line, as clap definitions only: what each command accepts. What a command
//! does is in `commands/`.
//!
//! Arguments shared by several commands are `Args` structs meant to be flattened into each
//! command's own arguments (`InventoryArgs`, `ScenarioArg`).

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use stackhop_catalog::Scenario;
use stackhop_inventory::examples;
use stackhop_sim::{Fault, parse_duration};

/// Plan, check, verify, simulate and run OpenStack release upgrades (Havana to Icehouse first).
#[derive(Debug, Parser)]
#[command(
    name = "stackhop",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Print an example inventory to start from.
    #[command(next_line_help = true)]
    Init(InitArgs),
    /// Write an inventory from a packstack answer file or an Ansible inventory.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Read the hosts over SSH and write the inventory as they describe it; --check compares.
    #[command(next_line_help = true)]
    Discover(DiscoverArgs),
    /// Pre-flight checks: what in this cloud will break or slow a scenario.
    Check(CheckArgs),
    /// Plan a scenario: the steps, their order, hosts and estimates, and why each exists.
    Plan(PlanArgs),
    /// Prove a plan safe: every order its steps may run in, stopped after any step.
    #[command(next_line_help = true)]
    Verify(VerifyArgs),
    /// Record the digest of a saved plan edited on purpose, and show what the edit changed.
    #[command(next_line_help = true)]
    Reseal(ResealArgs),
    /// Rehearse a plan on the digital twin: timeline, downtime per capability, faults.
    #[command(next_line_help = true)]
    Simulate(SimulateArgs),
    /// All four scenarios side by side for this cloud, and the one to use.
    #[command(next_line_help = true)]
    Compare(CompareArgs),
    /// Run a plan on the simulated cloud (default), this host or the hosts over SSH, journaled.
    #[command(next_line_help = true)]
    Apply(ApplyArgs),
    /// Continue the run recorded in a journal after a failure, a stop or a crash.
    #[command(next_line_help = true)]
    Resume(ResumeArgs),
    /// Where the run recorded in a journal stands.
    #[command(next_line_help = true)]
    Status(StatusArgs),
    /// A recorded run measured against the twin's prediction: a page, a trace, a table.
    #[command(next_line_help = true)]
    Report(ReportArgs),
    /// Show each host's SSH key and record the ones you confirm, for `apply --target ssh`.
    #[command(next_line_help = true)]
    TrustHosts(TrustHostsArgs),
    /// Write a verified plan as files another engine runs (an Ansible playbook).
    #[command(subcommand)]
    Export(ExportCommand),
}

/// A parser that accepts only the built-in example names and lists them when it refuses.
fn example_name() -> PossibleValuesParser {
    PossibleValuesParser::new(examples::NAMES.iter().copied())
}

/// A parser for scenario names and their aliases `1` to `4`.
fn scenario() -> impl TypedValueParser<Value = Scenario> {
    const ALIASES: [&str; 4] = ["1", "2", "3", "4"];
    let values = Scenario::ALL
        .iter()
        .zip(ALIASES)
        .map(|(scenario, alias)| PossibleValue::new(scenario.as_str()).alias(alias));
    PossibleValuesParser::new(values).try_map(|name| name.parse::<Scenario>())
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// The example: allinone, small, medium, large (Havana), lab, zed (Zed).
    #[arg(
        long,
        value_name = "NAME",
        default_value = "small",
        value_parser = example_name(),
        hide_possible_values = true
    )]
    pub(crate) example: String,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ImportCommand {
    /// From the answer file packstack installed the cloud with (Havana or Icehouse era).
    #[command(next_line_help = true)]
    Packstack(ImportPackstackArgs),
    /// From an Ansible inventory, INI or YAML (kolla-ansible and openstack-ansible groups).
    #[command(next_line_help = true)]
    Ansible(ImportAnsibleArgs),
}

/// What every import takes besides its file.
#[derive(Debug, Args)]
pub(crate) struct ImportOutputArgs {
    /// Write the inventory to this file (never the input file) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// The cloud's name [default: the input file's name without its extension].
    #[arg(long, value_name = "NAME")]
    pub(crate) name: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ImportPackstackArgs {
    /// The answer file (`packstack --gen-answer-file`, or the one `--allinone` left behind).
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
    #[command(flatten)]
    pub(crate) output: ImportOutputArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ImportAnsibleArgs {
    /// The inventory file: YAML when it ends in .yml, .yaml or .json or looks like YAML,
    /// INI otherwise.
    #[arg(value_name = "FILE", verbatim_doc_comment)]
    pub(crate) file: PathBuf,
    #[command(flatten)]
    pub(crate) output: ImportOutputArgs,
    /// The release the cloud runs, one stackhop upgrades from
    /// [default: the newest, marked in the inventory to check]
    #[arg(long, value_name = "RELEASE", verbatim_doc_comment)]
    pub(crate) release: Option<String>,
}

/// How `discover` reaches the hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiscoverTarget {
    /// The inventory's hosts over SSH, as `apply --target ssh` reaches them.
    Ssh,
}

#[derive(Debug, Args)]
pub(crate) struct DiscoverArgs {
    #[command(flatten)]
    pub(crate) inventory: InventoryArgs,
    /// How to reach the hosts.
    #[arg(long, value_enum, default_value_t = DiscoverTarget::Ssh)]
    pub(crate) target: DiscoverTarget,
    /// Exit 1 when the inventory disagrees with the hosts: another OS, nova version or release,
    /// a service more or less, another instance count, a value that could not be read.
    #[arg(long)]
    pub(crate) check: bool,
    /// Write the discovered inventory to this file (never the inventory read) instead of
    /// standard output.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Output format: the inventory (text), or `stackhop.discover/v1` JSON.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub(crate) format: ReportFormat,
}

/// Where the inventory comes from: a file, or one of the built-in examples.
#[derive(Debug, Args)]
#[group(id = "inventory_source", required = true, multiple = false)]
pub(crate) struct InventoryArgs {
    /// The inventory file (YAML).
    #[arg(short = 'i', long = "inventory", value_name = "FILE")]
    pub(crate) file: Option<PathBuf>,
    /// A built-in example inventory instead of a file.
    #[arg(long, value_name = "NAME", value_parser = example_name())]
    pub(crate) example: Option<String>,
}

/// The upgrade scenario.
#[derive(Debug, Args)]
pub(crate) struct ScenarioArg {
    /// The upgrade scenario (aliases: 1 to 4, in this order).
    #[arg(short = 's', long, value_name = "SCENARIO", value_parser = scenario())]
    pub(crate) scenario: Scenario,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CheckFormat {
    /// For people: findings grouped by severity.
    Text,
    /// `stackhop.check/v1` JSON.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub(crate) inventory: InventoryArgs,
    #[command(flatten)]
    pub(crate) scenario: ScenarioArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub(crate) format: CheckFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PlanFormat {
    /// For people: a tree of phases and steps.
    Text,
    /// `stackhop.plan/v1` JSON, as `--out` writes it.
    Json,
    /// A Graphviz graph: `stackhop plan ... --format dot | dot -Tsvg > plan.svg`.
    Dot,
}

#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    #[command(flatten)]
    pub(crate) inventory: InventoryArgs,
    #[command(flatten)]
    pub(crate) scenario: ScenarioArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub(crate) format: PlanFormat,
    /// Also write the plan as JSON to this file, for `verify --plan` and `apply --plan`.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Show each step's commands in the text tree.
    #[arg(long)]
    pub(crate) commands: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// For people: tables that fit 100 columns.
    Text,
    /// The versioned JSON document (`stackhop.verify/v1`, `stackhop.simulate/v1`, ...).
    Json,
}

/// What `simulate` and `compare` print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TwinFormat {
    /// For people: tables that fit 100 columns.
    Text,
    /// The versioned JSON document (`stackhop.simulate/v1`, `stackhop.compare/v1`).
    Json,
    /// One self-contained HTML page: timeline, downtime bands, proof, findings.
    Html,
    /// Chrome trace events, for Perfetto or chrome://tracing.
    Trace,
}

/// A plan to work on: planned now from an inventory and a scenario, or read from a saved file
/// (checked against the inventory when one is given too). Shared by `verify` and `apply`.
#[derive(Debug, Args)]
pub(crate) struct PlanSourceArgs {
    /// The inventory file (YAML); with --plan, checked against the plan's.
    #[arg(
        short = 'i',
        long = "inventory",
        value_name = "FILE",
        required_unless_present_any = ["plan", "example"],
        conflicts_with = "example"
    )]
    pub(crate) file: Option<PathBuf>,
    /// A built-in example inventory instead of a file.
    #[arg(long, value_name = "NAME", value_parser = example_name())]
    pub(crate) example: Option<String>,
    /// The upgrade scenario (aliases: 1 to 4, in this order).
    #[arg(
        short = 's',
        long,
        value_name = "SCENARIO",
        value_parser = scenario(),
        required_unless_present = "plan",
        conflicts_with = "plan"
    )]
    pub(crate) scenario: Option<Scenario>,
    /// A saved plan (`stackhop plan --out`, reviewed, perhaps edited by hand)
    /// instead of planning the scenario now.
    #[arg(long, value_name = "FILE", verbatim_doc_comment)]
    pub(crate) plan: Option<PathBuf>,
    /// Accept commands edited by hand (verify proves actions, not text); they are listed.
    #[arg(long, requires = "plan")]
    pub(crate) accept_edited: bool,
}

#[derive(Debug, Args)]
pub(crate) struct TrustHostsArgs {
    #[command(flatten)]
    pub(crate) inventory: InventoryArgs,
    /// Trust every key learned, without asking (for scripts: check the fingerprints first).
    #[arg(long)]
    pub(crate) yes: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ResealArgs {
    /// The saved plan (`stackhop plan --out`) to reseal in place.
    #[arg(value_name = "FILE")]
    pub(crate) plan: PathBuf,
    /// Also give every step the commands the catalog renders for its action.
    #[arg(long)]
    pub(crate) render_commands: bool,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    #[command(flatten)]
    pub(crate) source: PlanSourceArgs,
    /// Stop exploring after this many seconds and report what was found
    /// (the proof is then incomplete: exit 1 if a violation was found, else 3).
    #[arg(long, value_name = "SECONDS", value_parser = max_seconds, verbatim_doc_comment)]
    pub(crate) max_seconds: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub(crate) format: ReportFormat,
}

/// A parser for `--max-seconds`: a positive number of seconds.
fn max_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 => Ok(s),
        _ => Err(format!("`{text}` is not a positive number of seconds")),
    }
}

/// A parser for `--fault`, with the simulator's own syntax and message.
fn fault(text: &str) -> Result<Fault, String> {
    text.parse()
}

/// A parser for durations such as `30m`, `2h`, `1h30m` or seconds.
fn duration(text: &str) -> Result<u64, String> {
    parse_duration(text)
        .ok_or_else(|| format!("`{text}` is not a duration: use e.g. 90s, 30m, 2h or 1h30m"))
}

/// A parser for `--workload NAME=RATE`, checked by the simulator.
fn workload_rate(text: &str) -> Result<String, String> {
    stackhop_sim::Workload::defaults()
        .set_from(text)
        .map(|_| text.to_owned())
        .map_err(|e| e.to_string())
}

/// What the twin runs: a seed and the workload's overrides, shared by `simulate` and `compare`.
#[derive(Debug, Args)]
pub(crate) struct TwinArgs {
    /// Seeds the jitter and the fault draws: the same seed gives the same output, byte for byte.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub(crate) seed: u64,
    /// Requests per minute against a capability (boots per minute for `boot`),
    /// e.g. boot=20; repeat for several [default: the catalog's, for this cloud].
    #[arg(
        long,
        value_name = "NAME=RATE",
        value_parser = workload_rate,
        verbatim_doc_comment
    )]
    pub(crate) workload: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    #[command(flatten)]
    pub(crate) inventory: InventoryArgs,
    #[command(flatten)]
    pub(crate) scenario: ScenarioArg,
    #[command(flatten)]
    pub(crate) twin: TwinArgs,
    /// Inject a fault; repeat for several:
    ///   step:PATTERN[@P]  matching steps fail on each host with probability P
    ///                     (default 1); PATTERN is a step id or a glob, e.g.
    ///                     step:nova-computes.*.upgrade@0.05
    ///   host:NAME@TIME    the host goes down at that simulated time, e.g.
    ///                     host:cmp0001@2h
    #[arg(long, value_name = "FAULT", value_parser = fault, verbatim_doc_comment)]
    pub(crate) fault: Vec<Fault>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TwinFormat::Text)]
    pub(crate) format: TwinFormat,
}

#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    #[command(flatten)]
    pub(crate) inventory: InventoryArgs,
    #[command(flatten)]
    pub(crate) twin: TwinArgs,
    /// The longest any one capability may be down, e.g. `30m`.
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub(crate) max_downtime: Option<u64>,
    /// The longest the whole upgrade may take, e.g. `8h`.
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub(crate) max_duration: Option<u64>,
    /// Rule out scenarios that provision spare hardware.
    #[arg(long)]
    pub(crate) no_spare_hosts: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TwinFormat::Text)]
    pub(crate) format: TwinFormat,
}

/// The journal's help, shared by `apply`, `resume` and `status`.
const JOURNAL_HELP: &str =
    "The run's journal (SQLite) [default: stackhop-run.db in the current directory]";

/// A parser for `--speed`: a positive number.
fn speed(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 => Ok(n),
        _ => Err(format!(
            "`{text}` is not a speed: give simulated seconds per real second, e.g. 600"
        )),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TargetArg {
    /// The simulated cloud (the digital twin), recorded in the journal.
    Sim,
    /// This host: each step's commands with `sh -c`, for an all-in-one lab.
    Local,
    /// The inventory's hosts over SSH (your OpenSSH config, agent and known_hosts).
    Ssh,
}

#[derive(Debug, Args)]
pub(crate) struct ApplyArgs {
    #[command(flatten)]
    pub(crate) source: PlanSourceArgs,
    /// Where to run it.
    #[arg(long, value_enum, default_value_t = TargetArg::Sim)]
    pub(crate) target: TargetArg,
    #[arg(long, value_name = "FILE", default_value = stackhop_exec::DEFAULT_JOURNAL, help = JOURNAL_HELP, hide_default_value = true)]
    pub(crate) journal: PathBuf,
    /// Start without asking (required when standard input is not a terminal).
    #[arg(long)]
    pub(crate) yes: bool,
    /// Ask before each phase.
    #[arg(long)]
    pub(crate) step: bool,
    /// sim: real time, N simulated seconds a second (600: 10 min/s) [default: instant].
    #[arg(long, value_name = "N", value_parser = speed)]
    pub(crate) speed: Option<f64>,
    /// Let a step tolerate N failed hosts; they are left out of later steps.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub(crate) max_fail: u32,
    /// Print every command the plan would run, in order, and run nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Run even if `verify` finds the plan unsafe or unfinished (ssh: hosts not compared).
    #[arg(long)]
    pub(crate) unverified: bool,
    /// Testing: make these steps fail on the sim target (`STEP` or `STEP@HOST`, globs).
    #[arg(long, value_name = "STEP[@HOST]", hide = true)]
    pub(crate) fault: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ResumeArgs {
    #[arg(long, value_name = "FILE", default_value = stackhop_exec::DEFAULT_JOURNAL, help = JOURNAL_HELP, hide_default_value = true)]
    pub(crate) journal: PathBuf,
    /// Refuse unless the journal's run is of this plan.
    #[arg(long, value_name = "FILE")]
    pub(crate) plan: Option<PathBuf>,
    /// A step in doubt (running when the run stopped) took effect: do not run it again.
    #[arg(long, value_name = "STEP[@HOST]")]
    pub(crate) mark_done: Vec<String>,
    /// A step in doubt did not take effect (or is safe to repeat): run it again.
    #[arg(long, value_name = "STEP[@HOST]")]
    pub(crate) rerun: Vec<String>,
    /// Ask before each phase.
    #[arg(long)]
    pub(crate) step: bool,
    /// sim: real time, N simulated seconds a second (600: 10 min/s) [default: instant].
    #[arg(long, value_name = "N", value_parser = speed)]
    pub(crate) speed: Option<f64>,
    /// Failed hosts a step tolerates [default: the run's own setting].
    #[arg(long, value_name = "N")]
    pub(crate) max_fail: Option<u32>,
    /// Testing: make these steps fail on the sim target.
    #[arg(long, value_name = "STEP[@HOST]", hide = true)]
    pub(crate) fault: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum StatusFormat {
    /// For people: steps per phase, the failure, the command that resumes.
    Text,
    /// `stackhop.status/v1` JSON.
    Json,
    /// The run's page, as `stackhop report --format html` writes it.
    Html,
    /// Chrome trace events of the run, for Perfetto or chrome://tracing.
    Trace,
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    #[arg(long, value_name = "FILE", default_value = stackhop_exec::DEFAULT_JOURNAL, help = JOURNAL_HELP, hide_default_value = true)]
    pub(crate) journal: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatusFormat::Text)]
    pub(crate) format: StatusFormat,
}

/// What `report` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum RunReportFormat {
    /// Where the run stands, then per phase: measured, predicted seconds, ratio.
    Text,
    /// `stackhop.report/v1` JSON.
    Json,
    /// One self-contained HTML page: measured against predicted, timeline, bands, proof.
    Html,
    /// Chrome trace events, for Perfetto or chrome://tracing.
    Trace,
}

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// The run's journal (SQLite): its latest run, finished, stopped or running.
    #[arg(long, value_name = "FILE")]
    pub(crate) journal: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RunReportFormat::Text)]
    pub(crate) format: RunReportFormat,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
}

/// What `export` writes.
#[derive(Debug, Subcommand)]
pub(crate) enum ExportCommand {
    /// An Ansible inventory and playbook that carry out exactly the verified plan.
    #[command(next_line_help = true)]
    Ansible(ExportAnsibleArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ExportAnsibleArgs {
    #[command(flatten)]
    pub(crate) source: PlanSourceArgs,
    /// Where to write site.yml, inventory.yml, ansible.cfg, ... (created if needed).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Overwrite files no earlier export wrote, or that were edited since.
    #[arg(long)]
    pub(crate) force: bool,
    /// Export the plan even if `verify` finds that it can break the cloud or leaves it unfinished.
    #[arg(long)]
    pub(crate) unverified: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub(crate) format: ReportFormat,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
