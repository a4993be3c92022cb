//! Scenario 2: one project at a time in the rhos5 order. Nova comes last; Neutron's events are
//! switched on only once no Havana Nova API runs, and Nova's computes start after its
//! controllers (reference §1 upgrade-2.md, §3).

use stackhop_model::RuleBook;

use super::common::{self, Events};
use crate::builder::Builder;

pub(crate) fn plan(b: &mut Builder<'_>, rules: &RuleBook) {
    common::prepare(b, rules);
    let links = b.transition.event_links(b.inventory);
    for proc in b.transition.procedures(b.inventory) {
        common::unit(b, rules, &proc, &links, Events::Off);
    }
    let all = b.hosts.all();
    let live = b.transition.live(b.inventory);
    let computes = b.hosts.of_project(rules, live.project, Some(true));
    common::finish(b, rules, &all, &computes);
}
