//! Real answer files and Ansible inventories give inventories that parse, that `check`
//! accepts and that `plan` plans: the text (with where each value came from and what is left
//! to discover) and the notes are held in snapshots, with the scenarios each one accepts.

use stackhop_catalog::Scenario;
use stackhop_import::{DISCOVER_MARKER, Imported, Options};
use stackhop_plan::{check, has_errors, make_plan};

fn fixture(path: &str) -> String {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// The file name diagnostics and the header name: the fixture's, without its directory, so
/// that snapshots hold no path.
fn base(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// What an import must satisfy, and the report the snapshot holds: the inventory, the notes,
/// and for each scenario whether `check` and `plan` accept the inventory.
fn accepted(imported: &Imported, file: &str, hosts: usize) -> String {
    assert_eq!(imported.hosts, hosts, "hosts of {file}");
    assert!(!imported.notes.has_errors(), "{}", imported.notes);
    // The header shows the marker as `TODO discover: KEY`; each marked value names its key.
    let marked = imported
        .text
        .match_indices(DISCOVER_MARKER)
        .filter(|(i, m)| {
            imported.text[i + m.len()..].starts_with(' ')
                && imported.text[i + m.len() + 1..].starts_with(|c: char| c.is_ascii_lowercase())
        })
        .count();
    assert_eq!(imported.to_discover, marked, "markers of {file}");
    assert!(
        imported.text.lines().all(|l| l.chars().count() <= 100),
        "{}",
        imported.text
    );
    let vocabulary = stackhop_catalog::vocabulary();
    let inventory = stackhop_inventory::parse(&imported.text, file, &vocabulary)
        .unwrap_or_else(|d| panic!("{file} does not parse:\n{d}\n{}", imported.text));
    let transition = stackhop_catalog::find(&inventory.release, &inventory.profile)
        .unwrap_or_else(|| panic!("no transition for {file}"));
    let mut scenarios = String::new();
    for scenario in Scenario::ALL {
        let findings = check(transition, &inventory, scenario);
        let verdict = if has_errors(&findings) {
            let ids: Vec<&str> = findings
                .iter()
                .filter(|f| f.severity == stackhop_catalog::Severity::Error)
                .map(|f| f.id.as_str())
                .collect();
            format!("refused by check ({})", ids.join(", "))
        } else {
            match make_plan(transition, &inventory, file, &imported.text, scenario) {
                Ok(plan) => format!("planned, {} steps", plan.steps.len()),
                Err(e) => panic!("{file}: check accepted {scenario} but plan failed: {e}"),
            }
        };
        scenarios.push_str(&format!("{scenario}: {verdict}\n"));
    }
    for must in [Scenario::AllAtOnce, Scenario::ServiceByService] {
        assert!(
            scenarios.contains(&format!("{must}: planned")),
            "{file}: {must} refused\n{scenarios}"
        );
    }
    format!(
        "{}----- notes -----\n{}----- scenarios -----\n{scenarios}",
        imported.text, imported.notes
    )
}

fn packstack(path: &str, hosts: usize) -> String {
    let text = fixture(path);
    let file = base(path);
    let imported = stackhop_import::packstack(&text, file, &Options::default())
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    accepted(&imported, file, hosts)
}

fn ansible(path: &str, options: &Options, hosts: usize) -> String {
    let text = fixture(path);
    let file = base(path);
    let imported =
        stackhop_import::ansible(&text, file, options).unwrap_or_else(|e| panic!("{path}: {e}"));
    accepted(&imported, file, hosts)
}

#[test]
fn packstack_havana_all_in_one() {
    insta::assert_snapshot!(packstack("packstack/allinone-havana.txt", 1));
}

#[test]
fn packstack_havana_controller_network_node_and_computes_with_neutron() {
    insta::assert_snapshot!(packstack("packstack/havana-neutron-3-computes.txt", 5));
}

#[test]
fn packstack_havana_qpid_and_nova_network() {
    insta::assert_snapshot!(packstack("packstack/havana-qpid-nova-network.txt", 4));
}

#[test]
fn packstack_icehouse_controller_and_computes() {
    insta::assert_snapshot!(packstack("packstack/icehouse-controller-4-computes.txt", 6));
}

#[test]
fn ansible_ini_with_ranges_and_children() {
    let options = Options {
        name: Some("east-1".to_owned()),
        release: Some("havana".to_owned()),
    };
    insta::assert_snapshot!(ansible("ansible/ini-ranges-children.ini", &options, 46));
}

#[test]
fn ansible_yaml() {
    insta::assert_snapshot!(ansible("ansible/cloud.yml", &Options::default(), 8));
}

#[test]
fn ansible_kolla_multinode() {
    insta::assert_snapshot!(ansible("ansible/kolla-multinode", &Options::default(), 19));
}

#[test]
fn an_unknown_release_is_refused() {
    let options = Options {
        name: None,
        release: Some("icehouse".to_owned()),
    };
    let error = stackhop_import::ansible("[control]\nctl1\n", "hosts", &options).err();
    assert_eq!(
        error.map(|e| e.to_string()),
        Some("unknown release `icehouse`; stackhop upgrades from: havana, zed".to_owned())
    );
}
