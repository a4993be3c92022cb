//! Fuzzing the loaders on a stable toolchain: the inventory parser and the saved-plan loader.
//!
//! cargo-fuzz needs a nightly toolchain, which this project does not use, so the driver (the
//! `stackhop-fuzz` binary) runs the targets in-process: it mutates a corpus grown from the
//! built-in examples and the plans made for them ([`seeds`]), with byte, token, line and (for
//! plans) JSON-tree mutations ([`mutate`]), keeps a mutant that gives an outcome not seen before
//! (a new diagnostic, a new stage reached: a coarse stand-in for coverage), and records every
//! panic and every input slower than the hang threshold. A target ([`run`]) must never panic,
//! whatever its input: bad input is an error naming file, line and column.
//!
//! The regression inputs (`regressions/<target>/`) are the crashes found so far; the crate's test
//! replays them.

mod mutate;

use std::collections::BTreeSet;

pub use mutate::mutate;

use stackhop_catalog::Scenario;
use stackhop_inventory::examples;

/// What is fuzzed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `stackhop_inventory::parse`, as `-i FILE` reads an inventory.
    Inventory,
    /// `stackhop_plan::Plan::from_json`, then the inventory the plan embeds, then a short
    /// verification, as `stackhop verify --plan` and `apply --plan` load a saved plan.
    Plan,
}

impl Target {
    pub const ALL: [Target; 2] = [Target::Inventory, Target::Plan];

    pub fn name(self) -> &'static str {
        match self {
            Target::Inventory => "inventory",
            Target::Plan => "plan",
        }
    }

    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// The states a fuzzed plan's verification may explore: enough to reach its exploration code,
/// little enough for thousands of inputs a second.
const VERIFY_STATES: usize = 300;

/// Runs a target on one input; returns what happened, as features: words that stand for the
/// outcome (the stage reached, each diagnostic with its numbers taken out).
pub fn run(target: Target, text: &str) -> BTreeSet<String> {
    let mut features = BTreeSet::new();
    match target {
        Target::Inventory => {
            inventory(text, &mut features);
        }
        Target::Plan => plan(text, &mut features),
    }
    features
}

/// A message up to the first name or value it quotes from the input, numbers taken out, so one
/// kind of problem is one feature.
fn feature(stage: &str, message: &str) -> String {
    let mut out = String::from(stage);
    out.push(':');
    for c in message
        .chars()
        .take_while(|c| !matches!(c, '`' | '"' | '\''))
        .take(60)
    {
        if c.is_ascii_digit() {
            if !out.ends_with('#') {
                out.push('#');
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn inventory(text: &str, features: &mut BTreeSet<String>) -> Option<stackhop_inventory::Inventory> {
    match stackhop_inventory::parse(text, "fuzz.yaml", &stackhop_catalog::vocabulary()) {
        Ok(inventory) => {
            features.insert(format!("inventory:ok:{}", inventory.hosts.len().min(64)));
            Some(inventory)
        }
        Err(diagnostics) => {
            // The messages only: the excerpts of the file under them are the input itself.
            for line in diagnostics.to_string().lines() {
                if let Some((_, message)) = line.split_once("error: ") {
                    features.insert(feature("inventory", message));
                }
            }
            None
        }
    }
}

fn plan(text: &str, features: &mut BTreeSet<String>) {
    let plan = match stackhop_plan::Plan::from_json(text, "fuzz.json") {
        Ok(plan) => plan,
        Err(e) => {
            features.insert(feature("plan", &e.to_string()));
            return;
        }
    };
    features.insert(format!("plan:ok:{}", plan.steps.len().min(64)));
    let Some(inventory) = inventory(&plan.inventory_source, features) else {
        return;
    };
    let Some(transition) = stackhop_catalog::find(&inventory.release, &inventory.profile) else {
        features.insert("plan:no-transition".to_owned());
        return;
    };
    let options = stackhop_verify::VerifyOptions {
        max_states: VERIFY_STATES,
        quick_search_after: VERIFY_STATES,
        ..stackhop_verify::VerifyOptions::default()
    };
    match stackhop_verify::verify_with(transition, &inventory, &plan, &options) {
        Ok(report) => {
            features.insert(format!(
                "verify:{}:{}:{}",
                report.verified,
                report.complete,
                report.violations.len()
            ));
            for v in &report.violations {
                features.insert(format!("violation:{}", v.invariant));
            }
        }
        Err(e) => {
            features.insert(feature("verify", &e.to_string()));
        }
    }
}

/// The seeds of a target's corpus: the built-in examples, and the plans the planners make for
/// them (`large` left out: its plans are megabytes).
pub fn seeds(target: Target) -> Vec<String> {
    let mut out = Vec::new();
    for name in examples::NAMES {
        let Some(source) = examples::source(name) else {
            continue;
        };
        match target {
            Target::Inventory => out.push(source.to_owned()),
            Target::Plan => {
                if *name == "large" {
                    continue;
                }
                let vocabulary = stackhop_catalog::vocabulary();
                let Ok(inventory) = stackhop_inventory::parse(source, name, &vocabulary) else {
                    continue;
                };
                let Some(t) = stackhop_catalog::find(&inventory.release, &inventory.profile) else {
                    continue;
                };
                for scenario in Scenario::ALL {
                    if let Ok(plan) =
                        stackhop_plan::make_plan(t, &inventory, name, source, scenario)
                    {
                        out.push(plan.to_json());
                    }
                }
            }
        }
    }
    out
}
