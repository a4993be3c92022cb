//! Each pre-flight finding the issue names, triggered and not triggered, through the binary.
//!
//! The fixtures are in `tests/fixtures/findings/`: `baseline.yaml` is a small cloud, and each
//! other fixture changes one fact of it, so a positive case and its negative differ in exactly
//! what the finding is about.

use crate::common::{fixture, json, stackhop};

/// One row: run `check -i findings/FIXTURE -s SCENARIO --format json` and expect the finding
/// `id` with this severity, or (`None`) expect it absent.
struct Case {
    fixture: &'static str,
    scenario: &'static str,
    id: &'static str,
    expect: Option<&'static str>,
}

const fn present(
    fixture: &'static str,
    scenario: &'static str,
    id: &'static str,
    severity: &'static str,
) -> Case {
    Case {
        fixture,
        scenario,
        id,
        expect: Some(severity),
    }
}

const fn absent(fixture: &'static str, scenario: &'static str, id: &'static str) -> Case {
    Case {
        fixture,
        scenario,
        id,
        expect: None,
    }
}

const CASES: &[Case] = &[
    // Computes on CentOS 6.4: RDO Icehouse needs EL 6.5.
    present(
        "os-old",
        "live-compute",
        "os-below-icehouse-minimum",
        "error",
    ),
    present(
        "os-old",
        "all-at-once",
        "os-below-icehouse-minimum",
        "error",
    ),
    absent("baseline", "live-compute", "os-below-icehouse-minimum"),
    // Computes on nova 2013.2.1 cannot take the pinned controllers' RPC 3.0 messages…
    present("old-nova", "live-compute", "live-compute-old-nova", "error"),
    absent("baseline", "live-compute", "live-compute-old-nova"),
    // …which matters only while old computes run under new controllers.
    absent("old-nova", "all-at-once", "live-compute-old-nova"),
    // CentOS 6.5 and Scientific Linux 6.5 together: fine for a live upgrade only.
    present("mixed-os", "all-at-once", "offline-mixed-os", "error"),
    present(
        "mixed-os",
        "service-by-service",
        "offline-mixed-os",
        "error",
    ),
    absent("mixed-os", "live-compute", "offline-mixed-os"),
    absent("baseline", "all-at-once", "offline-mixed-os"),
    // parallel-compute needs spare hardware.
    present("baseline", "parallel-compute", "parallel-no-spare", "error"),
    absent("with-spare", "parallel-compute", "parallel-no-spare"),
    // RDO Icehouse defaults to RabbitMQ.
    present(
        "baseline",
        "service-by-service",
        "qpid-default-changed",
        "warning",
    ),
    absent("rabbit", "service-by-service", "qpid-default-changed"),
    // Icehouse glance refuses tables that are not utf8.
    present(
        "glance-latin1",
        "all-at-once",
        "glance-tables-not-utf8",
        "warning",
    ),
    absent("baseline", "all-at-once", "glance-tables-not-utf8"),
    // A large token table slows keystone's migration.
    present(
        "many-tokens",
        "all-at-once",
        "keystone-token-table-large",
        "warning",
    ),
    absent("baseline", "all-at-once", "keystone-token-table-large"),
    // A pinned nova-api cannot pass Neutron's events on.
    present("baseline", "live-compute", "live-event-cap", "warning"),
    absent("nova-network", "live-compute", "live-event-cap"),
    absent("baseline", "service-by-service", "live-event-cap"),
    // Live upgrade of a cloud whose only compute is the controller.
    present("allinone", "live-compute", "live-no-benefit", "warning"),
    absent("baseline", "live-compute", "live-no-benefit"),
];

#[test]
fn each_finding_is_triggered_and_not_triggered() {
    let mut failures = Vec::new();
    for case in CASES {
        let file = fixture(&format!("findings/{}.yaml", case.fixture));
        let run = stackhop([
            "check",
            "-i",
            &file,
            "-s",
            case.scenario,
            "--format",
            "json",
        ]);
        let value = json(&run);
        let findings = value["findings"].as_array().cloned().unwrap_or_default();
        let severity_of = |id: &str| {
            findings
                .iter()
                .find(|f| f["id"] == id)
                .and_then(|f| f["severity"].as_str().map(str::to_owned))
        };
        let label = format!("{} -s {}: {}", case.fixture, case.scenario, case.id);
        let found = severity_of(case.id);
        if found.as_deref() != case.expect {
            let ids: Vec<&str> = findings.iter().filter_map(|f| f["id"].as_str()).collect();
            failures.push(format!(
                "{label}: expected {:?}, found {found:?} among {ids:?}",
                case.expect
            ));
        }
        let has_error = findings.iter().any(|f| f["severity"] == "error");
        let expected_code = if has_error { 1 } else { 0 };
        if run.code != Some(expected_code) {
            failures.push(format!(
                "{label}: exit code {:?}, expected {expected_code}",
                run.code
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every fixture is used, so none rots unnoticed.
#[test]
fn every_finding_fixture_is_used() {
    let dir = crate::common::crate_dir().join("tests/fixtures/findings");
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) => panic!("cannot list {}: {e}", dir.display()),
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let stem = name.trim_end_matches(".yaml");
        assert!(
            CASES.iter().any(|c| c.fixture == stem),
            "fixture {name} is not used by any case"
        );
    }
}
