//! A plan's digest: what identifies the reviewed plan in its file, the journal and the report.

use serde::Serialize;
use sha2::{Digest, Sha256};
use stackhop_catalog::Scenario;

use crate::plan::{Plan, Step};

/// What the digest covers: every field of the plan but the digest itself and the inventory
/// file's name as it was typed (`cloud.yaml` and `./cloud.yaml` make the same plan).
#[derive(Serialize)]
struct Sealed<'a> {
    schema: &'a str,
    scenario: Scenario,
    transition: &'a str,
    catalog_version: &'a str,
    cloud: &'a str,
    estimate_s: u64,
    steps: &'a [Step],
    inventory_source: &'a str,
}

/// `sha256:…` over every step (action, hosts, after, commands, …) and the inputs the plan was
/// made from, so an edit anywhere in a saved plan changes it.
pub fn digest(plan: &Plan) -> String {
    let sealed = Sealed {
        schema: &plan.schema,
        scenario: plan.scenario,
        transition: &plan.transition,
        catalog_version: &plan.catalog_version,
        cloud: &plan.cloud,
        estimate_s: plan.estimate_s,
        steps: &plan.steps,
        inventory_source: &plan.inventory_source,
    };
    sha256(&serde_json::to_string(&sealed).unwrap_or_default())
}

/// `sha256:…` of some text.
pub fn sha256(text: &str) -> String {
    let bytes = Sha256::digest(text.as_bytes());
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}
