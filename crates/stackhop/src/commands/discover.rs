//! `stackhop discover (-i FILE | --example NAME) [--target ssh] [--check] [--out FILE]
//! [--format text|json]`: reads every host of the inventory over SSH with the catalog's
//! read-only probes (OS, code versions, running services, instances, the database's sizes) and
//! writes the inventory as the hosts describe it, each value they changed marked beside it.
//!
//! The inventory goes to standard output (or `--out`), what differs to standard error; `--format
//! json` prints `stackhop.discover/v1` instead. With `--check` it exits 1 when the inventory
//! disagrees with the hosts. A host that does not answer, or whose key is not trusted, stops it
//! with exit 3: a description with a host missing is not one.
//!
//! [`confirm`] is the same discovery for `apply --target ssh`: a plan runs only on the cloud its
//! inventory describes.

use stackhop_exec::{ExecError, ProbeJob, run_probes};
use stackhop_import::discover::{Answer, Discovered, jobs};

use crate::cli::{DiscoverArgs, ReportFormat};
use crate::error::{CommandError, Outcome};
use crate::inventory::Loaded;
use crate::output::print;

pub(crate) fn run(args: &DiscoverArgs) -> Result<Outcome, CommandError> {
    if let (Some(out), Some(file)) = (&args.out, &args.inventory.file)
        && super::import::same_file(file, out)
    {
        return Err(CommandError::Usage(format!(
            "--out {} is the inventory being read; write the discovered one to another file",
            out.display()
        )));
    }
    let loaded = args.inventory.load()?;
    let (discovered, unreachable) = discover(&loaded)?;
    if !unreachable.is_empty() {
        return Err(CommandError::Exec(ExecError::Unreachable(unreachable)));
    }
    let text = stackhop_import::discover::inventory_text(&discovered, &loaded.file)
        .map_err(CommandError::Import)?;
    match args.format {
        ReportFormat::Text => {
            eprint!(
                "{}",
                stackhop_import::discover::summary(&discovered, &loaded.file)
            );
            if args.out.is_none() {
                print(&text)?;
            }
        }
        ReportFormat::Json => print(&stackhop_import::discover::json(&discovered, &loaded.file))?,
    }
    if let Some(path) = &args.out {
        std::fs::write(path, &text).map_err(|source| CommandError::Write {
            path: path.display().to_string(),
            source,
        })?;
        eprintln!("wrote the discovered inventory to {}", path.display());
    }
    Ok(if args.check && !discovered.agrees() {
        Outcome::ProblemFound
    } else {
        Outcome::Success
    })
}

/// Hosts that did not answer, and why.
type Unreachable = Vec<(String, String)>;

/// Runs the transition's probes on the inventory's hosts, `fanout` at a time, and compares what
/// they say with the inventory.
fn discover(loaded: &Loaded) -> Result<(Discovered, Unreachable), CommandError> {
    let discovery = loaded.transition.discovery(&loaded.inventory);
    let jobs = jobs(&discovery, &loaded.inventory);
    let probe_jobs = jobs
        .iter()
        .map(|j| ProbeJob {
            host: j.host.clone(),
            scripts: j.scripts.clone(),
        })
        .collect();
    // The run's own width: what the duration model assumes unless the inventory says.
    let fanout = loaded.inventory.options.fanout.map_or_else(
        || loaded.transition.durations().get("fanout") as usize,
        |f| f as usize,
    );
    let probed = run_probes(&loaded.inventory, probe_jobs, fanout).map_err(CommandError::Exec)?;
    let mut answers = Vec::new();
    for host in &probed.answers {
        let Some(job) = jobs.iter().find(|j| j.host == host.host) else {
            continue;
        };
        for (probe, output) in job.probes.iter().zip(&host.outputs) {
            answers.push(Answer {
                host: host.host.clone(),
                probe: *probe,
                exit_code: output.status.code(),
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            });
        }
    }
    let discovered =
        stackhop_import::discover::discover(loaded.transition, &loaded.inventory, &answers);
    Ok((discovered, probed.unreachable))
}

/// `apply --target ssh`: whether the hosts are the cloud the plan's inventory describes. What
/// would make the plan unsound (another version, OS or set of services, instances on a compute
/// the plan took for empty, tables it took for converted) refuses the run, each named; other
/// differences are noted. Hosts that do not answer are left for the run (their steps fail).
pub(crate) fn confirm(loaded: &Loaded) -> Result<bool, CommandError> {
    let (discovered, unreachable) = discover(loaded)?;
    for (host, why) in &unreachable {
        eprintln!("warning: {host} did not answer, so what it runs was not checked: {why}");
    }
    let refusing: Vec<&str> = discovered
        .refusing_apply()
        .map(|d| d.message.as_str())
        .collect();
    for d in discovered
        .differences
        .iter()
        .filter(|d| d.fails_check && !d.refuses_apply)
    {
        eprintln!("note: {} (the plan does not depend on it)", d.message);
    }
    if refusing.is_empty() {
        return Ok(true);
    }
    eprintln!(
        "error: the hosts are not the cloud the plan was made for ({}), so nothing was applied:",
        loaded.file
    );
    for message in refusing {
        eprintln!("  - {message}");
    }
    eprintln!(
        "  help: `stackhop discover -i INVENTORY --out cloud.yaml` writes what the hosts say; \
         review it, plan again from it, and apply that plan"
    );
    Ok(false)
}
