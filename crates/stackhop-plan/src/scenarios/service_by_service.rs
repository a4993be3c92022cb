//! Scenario 2: one project at a time in the rhos5 order; Nova's controllers before Neutron's
//! events, and its computes after (reference §1 upgrade-2.md, §3).

use stackhop_model::{Action, RuleBook};

use super::common::{self, Events};
use crate::builder::Builder;
use crate::hosts::subtract;

pub(crate) fn plan(b: &mut Builder<'_>, rules: &RuleBook) {
    common::prepare(b, rules);
    let links = b.transition.event_links(b.inventory);
    let procs = b.transition.procedures(b.inventory);
    let live = b.transition.live(b.inventory);
    for proc in procs.iter().filter(|p| p.project != live.project) {
        common::unit(b, rules, proc, &links, Events::Off);
    }
    if let Some(nova) = procs.iter().find(|p| p.project == live.project) {
        let p = nova.project;
        let all = b.hosts.of_project(rules, p, None);
        let control = b.hosts.of_project(rules, p, Some(false));
        let computes = subtract(&all, &control);
        b.per_group(
            p,
            &format!("{p}.stop"),
            Action::StopService {
                service: p.to_owned(),
                permanent: false,
            },
            &all,
            &format!(
                "stop {p} on every host: no mixed versions in an offline upgrade ({})",
                nova.source
            ),
        );
        b.per_group(
            p,
            &format!("{p}.upgrade"),
            Action::UpgradePackages {
                packages: nova.packages.to_owned(),
                project: Some(p.to_owned()),
            },
            &all,
            &format!("upgrade the {p} packages ({})", nova.source),
        );
        let chain = common::migrate_chain(b, nova);
        b.chains(p, vec![chain]);
        let specs = common::config_specs(b, rules, p, &nova.config, None);
        b.together(p, specs);
        // No Havana API runs now, so events may flow before anything that waits for them starts.
        for link in links.iter().filter(|l| l.receiver_project == p) {
            common::enable_events(b, rules, p, link, false);
        }
        b.per_group(
            p,
            &format!("{p}.start.controllers"),
            Action::StartService {
                service: p.to_owned(),
            },
            &control,
            "controllers first: the API and conductor run before any compute",
        );
        b.per_group(
            p,
            &format!("{p}.start.computes"),
            Action::StartService {
                service: p.to_owned(),
            },
            &computes,
            "computes last: their conductor runs the new release and events are delivered",
        );
        common::health(b, rules, p, &["compute_api", "boot"]);
    }
    let all = b.hosts.all();
    let computes = b.hosts.of_project(rules, live.project, Some(true));
    common::finish(b, rules, &all, &computes);
}
