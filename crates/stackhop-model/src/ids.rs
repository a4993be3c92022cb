use serde::{Deserialize, Serialize};

/// Index into the rule book's releases, oldest first (`0` is what the cloud runs today).
pub type Release = u8;
/// Index into the rule book's code levels; a level is a release plus what a point release added
/// (for example "havana before 2013.2.2" cannot accept the messages a pinned Icehouse sends).
pub type Level = u8;
/// Index into the rule book's services.
pub type ServiceId = u16;
/// Index into the rule book's projects.
pub type ProjectId = u16;
/// Which deployment of a project a host belongs to: `0` is the cloud as it is; a parallel
/// deployment (a second Nova on spare hardware) gets its own number, database and topics.
pub type Env = u8;

/// A project's database in one environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DbKey {
    pub project: ProjectId,
    pub env: Env,
}
