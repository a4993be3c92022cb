//! No input makes an importer panic or hang; a failure is a well-formed list of located
//! errors, and a success is an inventory that parses (an `Unwritable` result would be a
//! defect of the importer, so it fails these tests).

use proptest::prelude::*;
use stackhop_import::{ImportError, Options};
use stackhop_inventory::Severity;

const PACKSTACK: &[&str] = &[
    "packstack/allinone-havana.txt",
    "packstack/havana-neutron-3-computes.txt",
    "packstack/havana-qpid-nova-network.txt",
    "packstack/icehouse-controller-4-computes.txt",
];
const ANSIBLE: &[&str] = &[
    "ansible/ini-ranges-children.ini",
    "ansible/cloud.yml",
    "ansible/kolla-multinode",
];

fn fixture(path: &str) -> String {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// Imports `source` both ways (as an answer file, as an INI and as a YAML inventory) and
/// checks what any result must satisfy.
fn check(source: &str) {
    let options = Options::default();
    check_result(
        source,
        stackhop_import::packstack(source, "fuzz.txt", &options),
    );
    check_result(source, stackhop_import::ansible(source, "fuzz", &options));
    check_result(
        source,
        stackhop_import::ansible(source, "fuzz.yml", &options),
    );
}

fn check_result(source: &str, result: Result<stackhop_import::Imported, ImportError>) {
    let diagnostics = match result {
        Ok(imported) => {
            assert!(!imported.notes.has_errors());
            assert!(imported.hosts >= 1);
            imported.notes
        }
        Err(ImportError::Input(diagnostics)) => {
            assert!(
                diagnostics.has_errors(),
                "failed without an error: {diagnostics}"
            );
            diagnostics
        }
        Err(other) => panic!("{other}\n--- input ---\n{source}"),
    };
    let positions: Vec<(u32, u32)> = diagnostics
        .items
        .iter()
        .map(|d| (d.line, d.column))
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] <= w[1]),
        "unsorted: {positions:?}"
    );
    for d in &diagnostics.items {
        assert!(d.line >= 1 && d.column >= 1, "{d:?}");
        assert!(
            source.get(d.offset..d.offset + d.len).is_some(),
            "span {}+{} outside the text or not on a character boundary: {d:?}",
            d.offset,
            d.len
        );
        assert!(d.severity != Severity::Error || d.help.is_some(), "{d:?}");
    }
}

#[test]
fn every_line_prefix_of_every_fixture() {
    for path in PACKSTACK.iter().chain(ANSIBLE) {
        let source = fixture(path);
        let mut end = 0;
        for line in source.split_inclusive('\n') {
            check(&source[..end]);
            end += line.len();
        }
        check(&source);
    }
}

#[test]
fn every_character_prefix_of_the_ansible_fixtures() {
    for path in ANSIBLE {
        let source = fixture(path);
        for (i, _) in source.char_indices() {
            check(&source[..i]);
        }
    }
}

#[test]
fn hostile_shapes_are_refused_quickly() {
    let deep_children: String = (0..5000)
        .map(|i| format!("[g{i}:children]\ng{}\n", i + 1))
        .collect();
    let cycle = "[a:children]\nb\n[b:children]\nc\n[c:children]\na\n[control]\nx\n";
    for source in [
        "[control]\nn[0:999999999999]\n".to_owned(),
        "[control]\na[0:999]b[0:999]\n".to_owned(),
        deep_children + "[g5000]\nctl1\n[control:children]\ng0\n",
        cycle.to_owned(),
        "[".repeat(10_000),
        "- ".repeat(10_000),
        "a:\n".to_owned() + &" a:\n".repeat(5000),
        format!(
            "[general]\nCONFIG_CONTROLLER_HOST={}\n",
            "1,".repeat(50_000)
        ),
    ] {
        check(&source);
    }
}

const TOKENS: &[&str] = &[
    "[general]",
    "[control]",
    "[compute:children]",
    "[compute:vars]",
    "[x:bad]",
    "CONFIG_CONTROLLER_HOST=",
    "CONFIG_NOVA_API_HOST=",
    "CONFIG_COMPUTE_HOSTS=",
    "CONFIG_NOVA_COMPUTE_HOSTS=",
    "CONFIG_NETWORK_HOSTS=",
    "CONFIG_NEUTRON_INSTALL=",
    "CONFIG_CINDER_HOST=",
    "CONFIG_SWIFT_STORAGE_HOSTS=",
    "CONFIG_AMQP_BACKEND=",
    "CONFIG_UNSUPPORTED=y",
    "CONFIG_STORAGE_HOST=",
    "10.0.0.1",
    "10.0.0.2/sdb",
    "999.1.1.1",
    "ctl1",
    "cmp[01:40]",
    "n[a:c]",
    "x[1:",
    ":2222",
    "ansible_host=10.0.0.5",
    "ansible_user=\"a b\"",
    "all:",
    "children:",
    "hosts:",
    "vars:",
    "control:",
    "compute:",
    "monitoring",
    "y",
    "n",
    "qpid",
    "rabbitmq",
    ",",
    "=",
    ":",
    "- ",
    "  ",
    "    ",
    "\n",
    "\n  ",
    "\t",
    "'",
    "\"",
    "#",
    ";",
    "\\",
    "&a ",
    "*a",
    "---",
    "é",
    "\r\n",
    "\r",
    "\u{feff}",
];

fn tokens() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..80).prop_map(|t| t.concat())
}

fn spaced_tokens() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..80).prop_map(|t| t.join(" "))
}

// The default 256 cases per property; set PROPTEST_CASES for a longer run.
proptest! {
    #[test]
    fn random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn random_token_text(source in tokens()) {
        check(&source);
    }

    #[test]
    fn random_spaced_token_text(source in spaced_tokens()) {
        check(&source);
    }

    #[test]
    fn mutated_fixtures(
        which in 0..7usize,
        edits in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(TOKENS)), 1..6),
    ) {
        let path = PACKSTACK.iter().chain(ANSIBLE).nth(which).copied().unwrap_or_default();
        let mut source = fixture(path);
        for (at, token) in edits {
            let boundaries: Vec<usize> = source.char_indices().map(|(i, _)| i).collect();
            if boundaries.is_empty() {
                break;
            }
            let i = boundaries[at.index(boundaries.len())];
            source.insert_str(i, token);
        }
        check(&source);
    }
}
