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
    /// Pre-flight checks: what in this cloud will break or slow a scenario.
    Check(CheckArgs),
    /// Plan a scenario: the steps, their order, hosts and estimates, and why each exists.
    Plan(PlanArgs),
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
    /// The example to print.
    #[arg(long, value_name = "NAME", default_value = "small", value_parser = example_name())]
    pub(crate) example: String,
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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
