//! From the YAML tree to an [`Inventory`], reporting every problem on the way.

mod connection;
mod host_address;
mod host_fields;
mod hosts;
mod read;
mod settings;

pub use hosts::MAX_HOSTS;

use crate::diagnostic::Sink;
use crate::model::{ComputeDriver, Inventory, Network, RpcBackend};
use crate::suggest;
use crate::vocabulary::{ReleaseVocabulary, Vocabulary};
use crate::yaml::{Entry, Node};

use read::{Fields, Section};

const TOP: Section = Section {
    what: "the inventory",
    place: "at the top level",
    keys: &[
        "name",
        "release",
        "profile",
        "network",
        "rpc_backend",
        "compute_driver",
        "paths",
        "options",
        "database",
        "connection",
        "hosts",
    ],
};

/// Returns the inventory when it could be built; the caller still treats any reported
/// diagnostic as failure.
pub(crate) fn inventory(
    sink: &mut Sink<'_>,
    root: &Node,
    vocabulary: &Vocabulary,
) -> Option<Inventory> {
    let fields = Fields::new(sink, root, &TOP)?;
    let known: Vec<&str> = vocabulary
        .releases
        .iter()
        .map(|r| r.release.as_str())
        .collect();
    let known_list = known.join(", ");

    let name = fields
        .required(
            sink,
            "name",
            "add `name: east-1`: a name for this cloud".to_owned(),
        )
        .and_then(|e| read::text(sink, e));
    let release = fields
        .required(
            sink,
            "release",
            format!("add `release:` with what every host runs today; stackhop knows the transitions from: {known_list}"),
        )
        .and_then(|e| release(sink, e, vocabulary, &known));
    let profile = profile(sink, fields.get("profile"), release);
    let network = match fields.get("network") {
        None => Some(Network::default()),
        Some(e) => read::word(
            sink,
            e,
            Network::from_name,
            &words(Network::ALL, |n| n.as_str()),
        ),
    };
    let rpc_backend = match fields.get("rpc_backend") {
        None => Some(RpcBackend::default()),
        Some(e) => read::word(
            sink,
            e,
            RpcBackend::from_name,
            &words(RpcBackend::ALL, |r| r.as_str()),
        ),
    };
    let compute_driver = match fields.get("compute_driver") {
        None => Some(ComputeDriver::default()),
        Some(e) => read::word(
            sink,
            e,
            ComputeDriver::from_name,
            &words(ComputeDriver::ALL, |d| d.as_str()),
        ),
    };
    let paths = settings::paths(sink, fields.get("paths"), release, profile.as_deref());
    let options = settings::options(sink, fields.get("options"));
    let database = settings::database(sink, fields.get("database"));
    let connection = connection::top(sink, fields.get("connection"));
    let hosts = fields
        .required(
            sink,
            "hosts",
            "add `hosts:` with one entry per host or range of hosts".to_owned(),
        )
        .and_then(|e| {
            let resolve = connection.clone().unwrap_or_default();
            hosts::hosts(sink, e, release, &resolve)
        });

    let hosts = hosts?;
    Some(Inventory {
        roles: Inventory::roles_of(&hosts),
        name: name?.to_owned(),
        release: release?.release.clone(),
        profile: profile?,
        network: network?,
        rpc_backend: rpc_backend?,
        compute_driver: compute_driver?,
        paths: paths?,
        options: options?,
        database: database?,
        connection: connection?,
        hosts,
    })
}

fn words<T: Copy>(all: &[T], as_str: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|&v| as_str(v)).collect()
}

fn release<'v>(
    sink: &mut Sink<'_>,
    entry: &Entry,
    vocabulary: &'v Vocabulary,
    known: &[&str],
) -> Option<&'v ReleaseVocabulary> {
    let text = read::text(sink, entry)?;
    let found = vocabulary.release(text);
    if found.is_none() {
        let help = suggest::help(text, known, "stackhop knows the transitions from");
        sink.error(
            entry.value.mark,
            format!("unknown release `{text}`"),
            Some(help),
        );
    }
    found
}

/// The profile named, or the release's first one. Checked only when the release is known.
fn profile(
    sink: &mut Sink<'_>,
    entry: Option<&Entry>,
    release: Option<&ReleaseVocabulary>,
) -> Option<String> {
    let Some(entry) = entry else {
        return Some(release?.profiles.first().cloned().unwrap_or_default());
    };
    let text = read::text(sink, entry)?;
    let release = release?;
    if release.profiles.iter().any(|p| p == text) {
        return Some(text.to_owned());
    }
    let profiles: Vec<&str> = release.profiles.iter().map(String::as_str).collect();
    let what = format!("profiles for `{}`", release.release);
    sink.error(
        entry.value.mark,
        format!("unknown profile `{text}` for release `{}`", release.release),
        Some(suggest::help(text, &profiles, &what)),
    );
    None
}
