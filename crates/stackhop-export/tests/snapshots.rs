//! The files of two exports, held as snapshots to review: the lab's live compute upgrade (what
//! the lab's end-to-end stage runs) and the operator's files of a Havana cloud with secrets. They
//! follow the planners and the catalog: re-accept them after a change there
//! (`INSTA_UPDATE=always cargo test -p stackhop-export --test snapshots`, then review the diff).

use stackhop_catalog::{Scenario, find, vocabulary};
use stackhop_export::{Export, Options};
use stackhop_inventory::examples;
use stackhop_plan::make_plan;

fn export(name: &str, scenario: Scenario) -> Export {
    let source = examples::source(name).unwrap_or_default();
    let inventory = stackhop_inventory::parse(source, name, &vocabulary()).expect("inventory");
    let transition = find(&inventory.release, &inventory.profile).expect("transition");
    let plan = make_plan(transition, &inventory, name, source, scenario).expect("plan");
    let options = Options {
        generator: "stackhop (snapshot)".to_owned(),
        notes: Vec::new(),
    };
    stackhop_export::ansible(&plan, &inventory, transition, &options).expect("export")
}

fn files(export: &Export) -> String {
    export
        .files
        .iter()
        .map(|f| format!("===== {} ({:?})\n{}", f.path, f.kind, f.text))
        .collect()
}

#[test]
fn lab_live_compute() {
    insta::assert_snapshot!(files(&export("lab", Scenario::LiveCompute)));
}

#[test]
fn medium_parallel_compute_operator_files() {
    let export = export("medium", Scenario::ParallelCompute);
    let operator: Vec<_> = export
        .files
        .into_iter()
        .filter(|f| f.path.starts_with("group_vars/"))
        .collect();
    insta::assert_snapshot!(files(&Export {
        files: operator,
        summary: export.summary,
    }));
}
