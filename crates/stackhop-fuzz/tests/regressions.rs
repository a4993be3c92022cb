//! Every input that once crashed a loader, and every seed of the corpus, runs through its target
//! without a panic.

use std::path::Path;

use stackhop_fuzz::{Target, run, seeds};

fn inputs(target: Target) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("regressions")
        .join(target.name());
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = entries
        .filter_map(Result::ok)
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap_or_default();
            (
                e.path().display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_regression_inputs_and_the_seeds_run_without_a_panic() {
    for target in Target::ALL {
        let seeds = seeds(target);
        assert!(seeds.len() >= 6, "{}: {} seeds", target.name(), seeds.len());
        for seed in &seeds {
            // A seed is a built-in example or a plan made for one: it loads.
            let outcome = run(target, seed);
            assert!(
                outcome.iter().any(|f| f.contains(":ok")),
                "{}: {outcome:?}",
                target.name()
            );
        }
        for (file, text) in inputs(target) {
            let outcome = run(target, &text);
            assert!(!outcome.is_empty(), "{file}");
        }
    }
}

#[test]
fn mutants_are_text_the_targets_take() {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let seeds = seeds(Target::Plan);
    let mut changed = 0;
    for seed in seeds.iter().take(3) {
        for _ in 0..50 {
            let mutant = stackhop_fuzz::mutate(&mut rng, seed, &seeds, true);
            if mutant != *seed {
                changed += 1;
            }
            run(Target::Plan, &mutant);
        }
    }
    assert!(changed > 100, "{changed}");
}
