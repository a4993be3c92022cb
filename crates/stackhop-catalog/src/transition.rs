use stackhop_inventory::{Host, Inventory, ProfilePaths, ReleaseVocabulary, Vocabulary};
use stackhop_model::{Action, CloudState, RuleBook};

use crate::citation::Citation;
use crate::discovery::Discovery;
use crate::durations::{DurationModel, Estimate};
use crate::finding::Finding;
use crate::procedure::{EventLink, LiveRolling, ParallelDeployment, ProjectProcedure};
use crate::render::Rendered;
use crate::scenario::Scenario;

/// One release transition for one packaging profile.
pub trait Transition: Sync + Send {
    /// `from-to/profile`, e.g. `havana-icehouse/rdo`.
    fn id(&self) -> &'static str;
    fn old_release(&self) -> &'static str;
    fn new_release(&self) -> &'static str;
    fn profile(&self) -> &'static str;
    /// Changes whenever the catalog's data changes, so a plan's digest notices.
    fn version(&self) -> &'static str;
    /// The `os:` an imported inventory assumes for hosts its source file says nothing about
    /// (packstack answer files and Ansible inventories never name the OS), until the operator
    /// or `discover` gives the real one: the platform the transition's documents assume.
    fn assumed_os(&self) -> &'static str;
    /// Every service name an inventory may list under `services:`.
    fn service_names(&self) -> Vec<&'static str>;
    /// The keys the profile reads under the inventory's `paths:`.
    fn path_keys(&self) -> &'static [&'static str] {
        &[]
    }

    /// Whether every host of this inventory has a root of its own on one machine (a lab that
    /// runs all its hosts there), so that the `local` target can carry out a plan for several
    /// hosts. Real hosts share nothing: the default is no.
    fn hosts_share_one_machine(&self, _inventory: &Inventory) -> bool {
        false
    }

    /// Environment variables whose values are secrets the rendered commands use (written as
    /// `$NAME` in them, never as a value). The executor hands each one it has to the commands
    /// that run, and masks its value in every output it keeps or shows.
    fn secret_variables(&self) -> &'static [&'static str] {
        &[]
    }

    /// What `stackhop discover` asks the hosts of this inventory, and what the answers mean.
    fn discovery(&self, inventory: &Inventory) -> Discovery;

    /// The services a host runs today.
    fn host_services(&self, inventory: &Inventory, host: &Host) -> Vec<&'static str>;
    /// The rules for this inventory (some depend on it: qpid, Neutron, migrations).
    fn rules(&self, inventory: &Inventory) -> RuleBook;
    /// The cloud as the inventory describes it, before any step.
    fn initial_state(&self, inventory: &Inventory, rules: &RuleBook) -> CloudState;
    /// Release-specific pre-flight findings.
    fn preflight(&self, inventory: &Inventory, scenario: Scenario) -> Vec<Finding>;

    /// Projects in the service-by-service order, with how each is upgraded.
    fn procedures(&self, inventory: &Inventory) -> Vec<ProjectProcedure>;
    /// Config set everywhere before any new code starts; harmless to the old release.
    fn prepare_config(&self, inventory: &Inventory) -> Vec<crate::ConfigChange>;
    fn live(&self, inventory: &Inventory) -> LiveRolling;
    fn parallel(&self, inventory: &Inventory) -> ParallelDeployment;
    fn event_links(&self, inventory: &Inventory) -> Vec<EventLink>;
    /// The capability each project provides, for health checks.
    fn capability_of(&self, project: &str) -> Option<&'static str>;
    /// Whether the profile ends with an upgrade of every remaining package (clients included)
    /// on every host; a profile whose new code brings its own libraries has none.
    fn final_upgrade(&self) -> bool;
    /// Where a scenario's structural step comes from, for its reason.
    fn cite(&self, citation: Citation) -> &'static str;

    /// The commands that carry an action out with this profile.
    fn render(&self, action: &Action, inventory: &Inventory) -> Rendered;
    fn durations(&self) -> &DurationModel;
    fn estimate(&self, action: &Action, inventory: &Inventory) -> Estimate;
    /// What the reference says about a scenario's risks, for `compare`.
    fn risk_notes(&self, scenario: Scenario, inventory: &Inventory) -> Vec<&'static str>;
    /// The synthetic workload the simulator drives by default for this cloud: requests per
    /// minute per capability (for `boot`, instance boots per minute). The operator overrides
    /// any of them; a capability the cloud does not offer is ignored.
    fn workload(&self, inventory: &Inventory) -> Vec<(&'static str, f64)>;
}

static HAVANA_ICEHOUSE_RDO: crate::havana_icehouse::HavanaIcehouse =
    crate::havana_icehouse::HavanaIcehouse;
static ZED_ANTELOPE_DEBIAN_VENV: crate::zed_antelope::ZedAntelope =
    crate::zed_antelope::ZedAntelope;

fn all() -> [&'static dyn Transition; 2] {
    [&HAVANA_ICEHOUSE_RDO, &ZED_ANTELOPE_DEBIAN_VENV]
}

/// The transition that starts from this release with this profile.
pub fn find(release: &str, profile: &str) -> Option<&'static dyn Transition> {
    all()
        .into_iter()
        .find(|t| t.old_release() == release && t.profile() == profile)
}

/// The transitions whose old release runs this packaging profile, in the catalog's order.
pub fn with_profile(profile: &str) -> impl Iterator<Item = &'static dyn Transition> {
    all().into_iter().filter(move |t| t.profile() == profile)
}

/// What inventories may say, for the inventory parser.
pub fn vocabulary() -> Vocabulary {
    let mut releases: Vec<ReleaseVocabulary> = Vec::new();
    for t in all() {
        let services = t.service_names().into_iter().map(str::to_owned);
        let paths = ProfilePaths {
            profile: t.profile().to_owned(),
            keys: t.path_keys().iter().map(|k| (*k).to_owned()).collect(),
        };
        match releases.iter_mut().find(|r| r.release == t.old_release()) {
            Some(r) => {
                r.profiles.push(t.profile().to_owned());
                r.services.extend(services);
                r.paths.push(paths);
            }
            None => releases.push(ReleaseVocabulary {
                release: t.old_release().to_owned(),
                profiles: vec![t.profile().to_owned()],
                services: services.collect(),
                paths: vec![paths],
            }),
        }
    }
    Vocabulary { releases }
}

/// A built-in example, parsed with this catalog's vocabulary, for the catalog's own tests.
#[cfg(test)]
pub(crate) fn example(name: &str) -> Inventory {
    let source = stackhop_inventory::examples::source(name).unwrap_or_default();
    match stackhop_inventory::parse(source, name, &vocabulary()) {
        Ok(inventory) => inventory,
        Err(e) => panic!("example {name} does not parse:\n{e}"),
    }
}
