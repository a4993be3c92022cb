//! No input makes the parser panic, hang or blow up, and failures are well-formed.

mod common;

use proptest::prelude::*;
use stackhop_inventory::{examples, parse};

/// Parses and checks what any result must satisfy.
fn check(source: &str) {
    let Err(diagnostics) = parse(source, "fuzz.yaml", &common::vocabulary()) else {
        return;
    };
    assert!(!diagnostics.items.is_empty());
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
    }
    let rendered = diagnostics.to_string();
    assert!(rendered.starts_with("fuzz.yaml:"));
}

#[test]
fn every_prefix_of_every_example() {
    for name in examples::NAMES {
        let source = examples::source(name).unwrap_or_default();
        for (i, _) in source.char_indices() {
            check(&source[..i]);
        }
        check(source);
    }
}

#[test]
fn billion_laughs_is_refused_quickly() {
    let mut source = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for level in b'b'..=b'z' {
        let prev = char::from(level - 1);
        let this = char::from(level);
        let refs = vec![format!("*{prev}"); 9].join(",");
        source.push_str(&format!("{this}: &{this} [{refs}]\n"));
    }
    let diagnostics = parse(&source, "lol.yaml", &common::vocabulary()).err();
    let items = diagnostics.map(|d| d.items).unwrap_or_default();
    assert!(
        items
            .iter()
            .any(|d| d.message == "aliases are not supported in an inventory")
    );
}

#[test]
fn deep_nesting_is_refused() {
    for source in [
        "[".repeat(100_000),
        "- ".repeat(10_000),
        "a:\n".to_owned() + &" a:\n".repeat(5000),
    ] {
        check(&source);
    }
}

const TOKENS: &[&str] = &[
    "name:",
    "release:",
    "havana",
    "profile:",
    "rdo",
    "network:",
    "rpc_backend:",
    "options:",
    "database:",
    "hosts:",
    "compute_batch:",
    "10%",
    "0",
    "canary:",
    "size_gb:",
    "-1.5",
    "roles:",
    "os:",
    "centos-6.5",
    "instances:",
    "services:",
    "nova_version:",
    "2013.2.3",
    "controller",
    "compute",
    "all-in-one",
    "cmp[001:040]",
    "n[a:c]",
    "x[1:",
    "]",
    "[",
    "{",
    "}",
    ",",
    ":",
    "- ",
    "  ",
    "    ",
    "\n",
    "\n  - ",
    "\t",
    "'",
    "\"",
    "#",
    "&a ",
    "*a",
    "---",
    "...",
    "? ",
    "|",
    ">",
    "!!str ",
    "~",
    "é",
    "\r\n",
    "\r",
    "\u{feff}",
    "%YAML 1.2\n",
    "@",
];

fn yamlish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..80)
        .prop_map(|t| t.join(" ").replace("  \n", "\n"))
}

fn yamlish_tight() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..80).prop_map(|t| t.concat())
}

// The default 256 cases per property; set PROPTEST_CASES for a longer run.
proptest! {
    #[test]
    fn random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn random_yamlish_text(source in yamlish()) {
        check(&source);
    }

    #[test]
    fn random_yamlish_text_without_spaces(source in yamlish_tight()) {
        check(&source);
    }

    #[test]
    fn mutated_examples(
        which in 0..4usize,
        edits in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(TOKENS)), 1..6),
    ) {
        let mut source = examples::source(examples::NAMES[which]).unwrap_or_default().to_owned();
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
