//! `stackhop trust-hosts (-i FILE | --example NAME) [--yes]`: shows the key every host of the
//! inventory presents (learned through the operator's own OpenSSH, jump hosts included, without
//! trusting it) and records in the inventory's `known_hosts` (or OpenSSH's own) the ones the
//! operator confirms; `--yes` confirms all, for scripts. The SSH target checks keys strictly
//! against that file and refuses to run anything on a host whose key is unknown or changed.

use std::io::IsTerminal;

use stackhop_exec::{Learned, SshSettings, known_hosts_file, learn, trust};

use crate::cli::TrustHostsArgs;
use crate::error::{CommandError, Outcome};

pub(crate) fn run(args: &TrustHostsArgs) -> Result<Outcome, CommandError> {
    let loaded = args.inventory.load()?;
    let settings = SshSettings::of(&loaded.inventory);
    let endpoints = SshSettings::endpoints(&loaded.inventory);
    if !args.yes && !std::io::stdin().is_terminal() {
        return Err(CommandError::Usage(
            "standard input is not a terminal, so nobody can confirm the keys; check the \
             fingerprints another way and pass --yes"
                .to_owned(),
        ));
    }
    // One ssh per host, a few at a time: learning is waiting on the network.
    let mut learned: Vec<Learned> = Vec::with_capacity(endpoints.len());
    for chunk in endpoints.chunks(16) {
        std::thread::scope(|scope| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|e| scope.spawn(|| learn(&settings, e)))
                .collect();
            learned.extend(handles.into_iter().filter_map(|h| h.join().ok()));
        });
    }
    let mut confirmed: Vec<Learned> = Vec::new();
    let mut failed = 0;
    for l in learned {
        let who = format!("{} ({})", l.endpoint.host, l.endpoint.display());
        if let Some(why) = &l.error {
            eprintln!("{who}: no key learned: {why}");
            failed += 1;
            continue;
        }
        for fp in &l.fingerprints {
            eprintln!("{who}: {fp}");
        }
        if args.yes || super::progress::ask(&format!("trust {who}?")) {
            confirmed.push(l);
        }
    }
    if !confirmed.is_empty() {
        let file = trust(&settings, &confirmed).map_err(CommandError::Exec)?;
        eprintln!(
            "recorded the keys of {} host(s) in {}",
            confirmed.len(),
            file.display()
        );
    } else {
        eprintln!(
            "nothing recorded in {}",
            known_hosts_file(&settings).display()
        );
    }
    Ok(if failed > 0 {
        Outcome::ProblemFound
    } else {
        Outcome::Success
    })
}
