//! `stackhop init`.

use stackhop_inventory::examples;

use crate::common::{stackhop, stackhop_in, temp_dir, write};

#[test]
fn init_prints_each_example() {
    for name in examples::NAMES {
        let run = stackhop(["init", "--example", name]);
        run.assert_code(0);
        assert_eq!(Some(run.stdout.as_str()), examples::source(name), "{name}");
        assert_eq!(run.stderr, "", "{name}");
    }
}

#[test]
fn init_defaults_to_the_small_example() {
    let run = stackhop(["init"]);
    run.assert_code(0);
    assert_eq!(Some(run.stdout.as_str()), examples::source("small"));
}

#[test]
fn init_refuses_an_unknown_example_and_lists_the_names() {
    let run = stackhop(["init", "--example", "huge"]);
    run.assert_code(2);
    insta::assert_snapshot!(run.report());
}

/// What `init` writes is an inventory `check` accepts: the starting point works as is.
#[test]
fn init_output_is_a_valid_inventory() {
    let dir = temp_dir();
    for name in examples::NAMES {
        let run = stackhop(["init", "--example", name]);
        write(dir.path(), "inventory.yaml", &run.stdout);
        let check = stackhop_in(
            dir.path(),
            ["check", "-i", "inventory.yaml", "-s", "all-at-once"],
        );
        assert!(
            matches!(check.code, Some(0 | 1)),
            "{name}: {}",
            check.report()
        );
    }
}
