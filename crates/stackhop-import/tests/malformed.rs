//! Files with mistakes: every mistake of a file in one run, each with its line, column and a
//! hint (held in snapshots as the command prints them).

use stackhop_import::{ImportError, Options};
use stackhop_inventory::Diagnostics;

fn diagnostics(kind: &str, name: &str) -> Diagnostics {
    let path = format!(
        "{}/tests/fixtures/malformed/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let result = match kind {
        "packstack" => stackhop_import::packstack(&text, name, &Options::default()),
        _ => stackhop_import::ansible(&text, name, &Options::default()),
    };
    match result {
        Err(ImportError::Input(diagnostics)) => diagnostics,
        Err(other) => panic!("{name}: expected located errors, got {other}"),
        Ok(imported) => panic!("{name}: expected errors, imported:\n{}", imported.text),
    }
}

/// The rendering, after checking that every error has a position inside the file and a hint.
fn rendered(diagnostics: &Diagnostics, errors: usize) -> String {
    let counted = diagnostics
        .items
        .iter()
        .filter(|d| d.severity == stackhop_inventory::Severity::Error)
        .count();
    assert_eq!(counted, errors, "{diagnostics}");
    for d in &diagnostics.items {
        assert!(d.line >= 1 && d.column >= 1, "{d:?}");
        assert!(
            d.severity != stackhop_inventory::Severity::Error || d.help.is_some(),
            "an error without a hint: {d:?}"
        );
    }
    diagnostics.to_string()
}

#[test]
fn packstack_mistakes() {
    let d = diagnostics("packstack", "packstack-mistakes.txt");
    insta::assert_snapshot!(rendered(&d, 6));
}

#[test]
fn packstack_without_a_controller() {
    let d = diagnostics("packstack", "packstack-no-controller.txt");
    insta::assert_snapshot!(rendered(&d, 2));
}

#[test]
fn ansible_ini_mistakes() {
    let d = diagnostics("ansible", "ansible-mistakes.ini");
    insta::assert_snapshot!(rendered(&d, 6));
}

#[test]
fn ansible_yaml_mistakes() {
    let d = diagnostics("ansible", "ansible-mistakes.yml");
    insta::assert_snapshot!(rendered(&d, 3));
}

#[test]
fn ansible_yaml_syntax_error() {
    let d = diagnostics("ansible", "ansible-syntax.yml");
    insta::assert_snapshot!(rendered(&d, 1));
}
