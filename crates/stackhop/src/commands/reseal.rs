//! `stackhop reseal FILE`: records the digest of a saved plan edited on purpose, in place.
//!
//! A plan's digest covers every step, so any edit makes `verify` and `apply` refuse the file
//! (exit 2) until it is resealed: an edit is always an act, never an accident. The shape is
//! checked as on every load; what the edit changed against the catalog's rendering is shown,
//! because `verify` and `apply` refuse edited commands unless `--accept-edited`;
//! `--render-commands` replaces every step's commands with the catalog's rendering of its action.

use crate::cli::ResealArgs;
use crate::error::{CommandError, Outcome};

pub(crate) fn run(args: &ResealArgs) -> Result<Outcome, CommandError> {
    let saved = crate::plan_file::read_unsealed(&args.plan)?;
    let loaded = saved.inventory()?;
    let mut plan = saved.plan.clone();
    let before = plan.digest.clone();
    if args.render_commands {
        stackhop_plan::render_commands(&mut plan, loaded.transition, &loaded.inventory);
    }
    plan.seal();
    if plan == saved.plan {
        eprintln!(
            "{}: the digest is already that of its content ({before})",
            saved.file
        );
        return Ok(Outcome::Success);
    }
    let edited = stackhop_plan::edited_steps(&plan, loaded.transition, &loaded.inventory);
    std::fs::write(&args.plan, plan.to_json()).map_err(|source| CommandError::Write {
        path: saved.file.clone(),
        source,
    })?;
    eprintln!("{}: digest {before} -> {}", saved.file, plan.digest);
    for step in &edited {
        eprintln!(
            "  step {} runs commands that are not the catalog's for its action: verify and \
             apply refuse it unless --accept-edited",
            step.id
        );
    }
    Ok(Outcome::Success)
}
