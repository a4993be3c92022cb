//! Renderer properties over every built-in example and scenario, and over a plan made to be
//! awkward (long ids, host lists, values and reasons).

use stackhop_catalog::{Finding, Scenario, Severity, Transition, find, vocabulary};
use stackhop_inventory::{Inventory, examples};
use stackhop_model::{Action, MoveMode};
use stackhop_plan::{PLAN_SCHEMA, Plan, PlanError, Step, check, make_plan};

use crate::{CheckReport, MAX_WIDTH, PlanTextOptions, plan_dot, plan_text, width};

pub(crate) fn example(name: &str) -> (Inventory, &'static dyn Transition, &'static str) {
    let source = examples::source(name).unwrap_or_default();
    let inventory = match stackhop_inventory::parse(source, name, &vocabulary()) {
        Ok(inventory) => inventory,
        Err(e) => panic!("example {name} does not parse:\n{e}"),
    };
    let Some(transition) = find(&inventory.release, &inventory.profile) else {
        panic!("no transition for example {name}");
    };
    (inventory, transition, source)
}

pub(crate) fn assert_fits(what: &str, text: &str) {
    for (n, line) in text.lines().enumerate() {
        assert!(
            width(line) <= MAX_WIDTH,
            "{what}, line {}: {} columns\n{line}",
            n + 1,
            width(line)
        );
        assert_eq!(
            line,
            line.trim_end(),
            "{what}, line {}: trailing space",
            n + 1
        );
    }
}

#[test]
fn every_example_plan_and_check_fits_100_columns_and_is_deterministic() {
    for name in examples::NAMES {
        let (inventory, transition, source) = example(name);
        for scenario in Scenario::ALL {
            let what = format!("{name} {scenario}");
            let findings = check(transition, &inventory, scenario);
            let report = CheckReport {
                cloud: &inventory.name,
                inventory_file: name,
                transition: transition.id(),
                scenario,
                findings: &findings,
            };
            assert_fits(&format!("check {what}"), &report.to_text());
            assert_eq!(report.to_json(), report.to_json());

            match make_plan(transition, &inventory, name, source, scenario) {
                Ok(plan) => {
                    for commands in [false, true] {
                        let options = PlanTextOptions { commands };
                        let text = plan_text(&plan, &options);
                        assert_fits(&format!("plan {what} (commands: {commands})"), &text);
                        assert_eq!(text, plan_text(&plan, &options), "{what}");
                    }
                    assert_eq!(plan_dot(&plan), plan_dot(&plan), "{what}");
                }
                Err(PlanError::Refused { findings, .. }) => {
                    assert!(stackhop_plan::has_errors(&findings), "{what}");
                }
                Err(other) => panic!("{what}: {other}"),
            }
        }
    }
}

fn step(id: &str, phase: &str, action: Action, hosts: Vec<String>, after: &[&str]) -> Step {
    Step {
        id: id.to_owned(),
        phase: phase.to_owned(),
        action,
        hosts,
        after: after.iter().map(|s| (*s).to_owned()).collect(),
        commands: vec![
            "mysql -N -e \"SELECT table_name FROM information_schema.tables WHERE \
             table_schema='glance' AND table_collation NOT LIKE 'utf8%'\" | while read t; do \
             mysql glance -e \"ALTER TABLE $t CONVERT TO CHARACTER SET 'utf8'\"; done"
                .to_owned(),
            format!("echo {}", "x".repeat(150)),
        ],
        runs_on: Some("ctl1".to_owned()),
        estimate_s: 3900,
        reason: "a reason long enough to need wrapping across more than one line of the \
                 terminal, with a source at the end (reference §3, Inference; RDO wiki)"
            .to_owned(),
        manual: false,
    }
}

/// A plan whose every cell is too long for its column.
fn awkward_plan() -> Plan {
    let computes: Vec<String> = (1..=2000)
        .filter(|i| i % 3 != 0)
        .map(|i| format!("compute-node-{i:04}.east.example.com"))
        .collect();
    let long_id = format!("nova-computes.{}.upgrade", "b".repeat(90));
    let steps = vec![
        step(
            "backup",
            "backup",
            Action::BackupDatabase { project: None },
            vec!["ctl1".to_owned()],
            &[],
        ),
        step(
            "nova.database.connection.for-the-parallel-environment",
            "a phase name that is rather long for a heading but still has to fit the terminal \
             width of one hundred columns",
            Action::SetConfig {
                file: "/etc/nova/nova.conf".to_owned(),
                section: "database".to_owned(),
                key: "connection".to_owned(),
                value: "mysql://nova:$NOVA_DBPASS@$DB_HOST/nova_icehouse?charset=utf8&x=y"
                    .to_owned(),
            },
            computes.clone(),
            &["backup"],
        ),
        step(
            &long_id,
            "computes",
            Action::MigrateInstances {
                mode: MoveMode::Snapshot,
                to_env: 1,
            },
            computes,
            &["backup", "a", "b", "c", "d", "e", "f", "g", "h"],
        ),
        step(
            "last",
            "computes",
            Action::HealthCheck {
                capability: "boot".to_owned(),
            },
            vec!["ctl1".to_owned()],
            &[],
        ),
    ];
    let mut plan = Plan {
        schema: PLAN_SCHEMA.to_owned(),
        scenario: Scenario::ParallelCompute,
        transition: "havana-icehouse/rdo".to_owned(),
        catalog_version: String::new(),
        cloud: "c".repeat(120),
        digest: format!("sha256:{}", "0".repeat(64)),
        estimate_s: 0,
        steps,
        inventory_file: "inventory.yaml".to_owned(),
        inventory_source: String::new(),
    };
    plan.estimate_s = plan.critical_path_s();
    plan
}

#[test]
fn an_awkward_plan_still_fits() {
    let plan = awkward_plan();
    for commands in [false, true] {
        let text = plan_text(&plan, &PlanTextOptions { commands });
        assert_fits(&format!("awkward plan (commands: {commands})"), &text);
        assert!(text.contains("… ×1334"), "{text}");
        assert!(text.lines().count() < 80, "{text}");
        assert!(text.contains("and 3 more"), "{text}");
        assert!(
            text.contains("after: nothing, starts with the plan"),
            "{text}"
        );
    }
    let dot = plan_dot(&plan);
    assert!(dot.starts_with("digraph plan {\n"));
    assert!(dot.contains("subgraph cluster_2 {"));
    assert!(
        dot.contains("\"backup\" -> \"nova.database.connection.for-the-parallel-environment\";")
    );
}

#[test]
fn after_is_shown_only_when_it_is_not_the_step_above() {
    let hosts = || vec!["ctl1".to_owned()];
    let action = || Action::HealthCheck {
        capability: "identity".to_owned(),
    };
    let mut plan = awkward_plan();
    plan.steps = vec![
        step("one", "p", action(), hosts(), &[]),
        step("two", "p", action(), hosts(), &["one"]),
        step("three", "p", action(), hosts(), &["one"]),
    ];
    let text = plan_text(&plan, &PlanTextOptions::default());
    let afters: Vec<&str> = text.lines().filter(|l| l.contains("after:")).collect();
    assert_eq!(afters, vec!["     after: one"], "{text}");
}

#[test]
fn check_text_groups_by_severity_and_counts() {
    let findings = vec![
        Finding::new("b-info", Severity::Info, "x")
            .message("m")
            .help("h"),
        Finding::new("a-error", Severity::Error, "y".repeat(150)).message("word ".repeat(40)),
        Finding::new("c-warning", Severity::Warning, "z").help("help ".repeat(40)),
    ];
    let report = CheckReport {
        cloud: "small",
        inventory_file: "example:small",
        transition: "havana-icehouse/rdo",
        scenario: Scenario::LiveCompute,
        findings: &findings,
    };
    let text = report.to_text();
    assert_fits("check", &text);
    let order: Vec<usize> = ["error    a-error", "warning  c-warning", "info     b-info"]
        .iter()
        .filter_map(|head| text.find(head))
        .collect();
    assert_eq!(order.len(), 3, "{text}");
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(text.ends_with("\n1 error, 1 warning, 1 info\n"), "{text}");
    let json: serde_json::Value = match serde_json::from_str(&report.to_json()) {
        Ok(json) => json,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(json["schema"], "stackhop.check/v1");
    assert_eq!(json["inventory"], "small");
    assert_eq!(json["scenario"], "live-compute");
    assert_eq!(json["findings"][0]["id"], "a-error");
    assert_eq!(json["findings"][2]["severity"], "info");
}
