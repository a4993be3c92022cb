//! The places in a transition's documents that the planners' structural steps come from.
//!
//! A planner knows *that* a live upgrade stops the controllers first; which page of which
//! release's documents says so is release knowledge, so each transition answers it here.

/// A structural step of a scenario whose reason names its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Citation {
    /// Back up every database before any schema migration.
    Backup,
    /// Make the new release's code available on every host.
    NewCode,
    /// All at once: upgrade everything everywhere.
    UpgradeEverything,
    /// The final upgrade of the client libraries, and the restarts it needs.
    FinalUpgrade,
    /// Live: stop the project on its controllers only.
    LiveStopControllers,
    /// Live: upgrade the controllers.
    LiveUpgradeControllers,
    /// Live: start the controllers pinned.
    LiveStartPinned,
    /// Live: the final upgrade on hosts without the rolled project.
    LiveFinalOthers,
    /// Parallel: the final upgrade on hosts without the redeployed project.
    ParallelFinalOthers,
    /// Live: disable, upgrade and enable one batch of hypervisors.
    LiveBatch,
    /// Live: the pin comes off once every hypervisor runs the new release.
    LiveUnpin,
    /// Parallel: a new deployment on spare hardware.
    ParallelDeploy,
    /// Parallel: the new deployment's own database.
    ParallelDatabase,
    /// Parallel: instances move to the new deployment.
    ParallelMove,
    /// Parallel: emptied hypervisors rejoin the new deployment; the old one retires.
    ParallelReinstall,
    /// An offline scenario needs one base OS everywhere; a live one does not.
    OfflineOrLive,
}

/// `Havana`, `Zed`, `2023.1`: a release or project name as it starts a sentence.
pub fn title(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::title;

    #[test]
    fn titles() {
        assert_eq!(title("havana"), "Havana");
        assert_eq!(title("2023.1"), "2023.1");
        assert_eq!(title(""), "");
    }
}
