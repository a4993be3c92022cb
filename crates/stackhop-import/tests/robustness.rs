//! No input makes an importer panic or hang; a failure is a well-formed list of located
//! errors, and a success is an inventory that parses (an `Unwritable` result would be a
//! defect of the importer, so it fails these tests).

use proptest::prelude::*;
use stackhop_import::{ImportError, Options};
use stackhop_inventory::{Severity, SourceMap};

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
    assert!(
        diagnostics.items.is_sorted_by_key(|d| (d.line, d.column)),
        "{diagnostics}"
    );
    // Line, column, offset and length agree: the offset and length are a whole-character
    // part of the text, on the line and at the column the diagnostic names.
    // (The YAML parser puts an error at the end of a text without a final line break on the
    // line after it; that position is left as it says.)
    let map = SourceMap::new(source);
    for d in &diagnostics.items {
        let again = map.span(d.offset, d.offset.saturating_add(d.len));
        let at_end = d.offset == source.len() && d.len == 0;
        assert!(
            at_end || (again.line, again.column) == (d.line, d.column),
            "{d:?} is at {}:{}",
            again.line,
            again.column
        );
        assert_eq!((again.offset, again.len), (d.offset, d.len), "{d:?}");
        assert!(d.severity != Severity::Error || d.help.is_some(), "{d:?}");
    }
}

/// Cut after any line (every third line of the long answer files, to keep the test quick).
#[test]
fn line_prefixes_of_every_fixture() {
    for path in PACKSTACK.iter().chain(ANSIBLE) {
        let source = fixture(path);
        let step = if PACKSTACK.contains(path) { 3 } else { 1 };
        let mut end = 0;
        for (i, line) in source.split_inclusive('\n').enumerate() {
            if i % step == 0 {
                check(&source[..end]);
            }
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

/// A change to one line of a file: what a hand edit gets wrong.
#[derive(Debug, Clone)]
enum Edit {
    /// A token put in at a character of the line.
    Insert(usize, &'static str),
    Delete,
    Duplicate,
    /// The line swapped with the next one.
    Swap,
}

impl Edit {
    fn apply(&self, lines: &mut Vec<String>, line: usize) {
        match self {
            Edit::Insert(at, token) => {
                let text = &mut lines[line];
                let at = text
                    .char_indices()
                    .map(|(i, _)| i)
                    .nth(*at)
                    .unwrap_or(text.len());
                text.insert_str(at, token);
            }
            Edit::Delete => {
                lines.remove(line);
            }
            Edit::Duplicate => {
                let copy = lines[line].clone();
                lines.insert(line, copy);
            }
            Edit::Swap if line + 1 < lines.len() => lines.swap(line, line + 1),
            Edit::Swap => {}
        }
    }
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..60usize, prop::sample::select(TOKENS)).prop_map(|(at, t)| Edit::Insert(at, t)),
        Just(Edit::Delete),
        Just(Edit::Duplicate),
        Just(Edit::Swap),
    ]
}

/// Arbitrary bytes, or the tokens of both formats run together or apart.
fn text() -> impl Strategy<Value = String> {
    let tokens = || prop::collection::vec(prop::sample::select(TOKENS), 0..80);
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512)
            .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        tokens().prop_map(|t| t.concat()),
        tokens().prop_map(|t| t.join(" ")),
    ]
}

// The default 256 cases per property; set PROPTEST_CASES for a longer run.
proptest! {
    #[test]
    fn random_text(source in text()) {
        check(&source);
    }

    #[test]
    fn mutated_fixtures(
        which in 0..7usize,
        edits in prop::collection::vec((any::<prop::sample::Index>(), edit()), 1..8),
    ) {
        let path = PACKSTACK.iter().chain(ANSIBLE).nth(which).copied().unwrap_or_default();
        let mut lines: Vec<String> = fixture(path).lines().map(str::to_owned).collect();
        for (at, edit) in edits {
            if lines.is_empty() {
                break;
            }
            let line = at.index(lines.len());
            edit.apply(&mut lines, line);
        }
        check(&lines.join("\n"));
    }
}
