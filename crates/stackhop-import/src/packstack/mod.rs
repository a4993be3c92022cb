//! packstack answer files: which hosts do what, the network service and the message bus.
//!
//! Roles follow the keys of either era (see `keys`). Three rules bridge packstack's layout and
//! stackhop's roles:
//! - every host of a Havana control-service key is a controller (a split control plane is
//!   reported: stackhop's controller role runs all of them);
//! - a host of a network key gets the `network` role (on a controller too: packstack said
//!   so), except a compute with nova-network, which runs nova-network in its compute role;
//! - storage keys give the `storage` role only when one of their hosts is not a controller:
//!   otherwise the controller runs cinder-volume and swift's storage itself, which is what
//!   stackhop's controller role does when no host has the storage role.

mod answers;
mod hosts;
mod keys;

use stackhop_inventory::{Network, Role, RpcBackend, Sink};

use crate::draft::{Draft, Kind, Sourced};
use crate::{ImportError, Options, cloud_name};

use answers::{Answer, Answers};
use hosts::Book;
use keys::Install;

/// The packaging profile packstack installs.
const RDO: &str = "rdo";

pub(crate) fn import(
    sink: &mut Sink<'_>,
    file_name: &str,
    options: &Options,
) -> Result<Option<Draft>, ImportError> {
    let transition =
        stackhop_catalog::with_profile(RDO)
            .next()
            .ok_or_else(|| ImportError::NoTransition {
                what: "packstack (RDO packages)".to_owned(),
            })?;
    let release = transition.old_release();
    let answers = answers::read(sink);
    let switches = Switches::read(sink, &answers);
    let icehouse = answers.get(keys::CONTROLLER_HOST).is_some();
    era(sink, &answers, release);

    let mut book = Book::default();
    controllers(sink, &answers, &switches, icehouse, &mut book);
    if switches.on(keys::NOVA) {
        let key = if answers.get(keys::COMPUTE_HOSTS).is_some() {
            keys::COMPUTE_HOSTS
        } else {
            keys::HAVANA_COMPUTE_HOSTS
        };
        book.add(sink, &answers, key, Role::Compute);
    }
    network_hosts(sink, &answers, &switches, &mut book);
    storage_hosts(sink, &answers, &switches, icehouse, &mut book);
    for (key, what) in keys::INFRASTRUCTURE {
        book.add_infrastructure(sink, &answers, key, what);
    }
    book.report_left_out(sink);
    what_roles_cannot_say(sink, &answers, &switches);

    if !book.any_with(Role::Controller) {
        if !book.uncertain {
            no_controller(sink, &answers);
        }
        return Ok(None);
    }
    let network = if switches.on(keys::NEUTRON) {
        Network::Neutron
    } else {
        Network::NovaNetwork
    };
    Ok(Some(Draft {
        kind: Kind::Packstack,
        name: cloud_name(file_name, options),
        release: Sourced::assumed(
            release.to_owned(),
            "release",
            format!("assumed: stackhop upgrades RDO from {release}"),
        ),
        profile: Sourced::read(RDO.to_owned(), "packstack installs RDO packages"),
        network: Sourced::read(network, switches.origin(keys::NEUTRON)),
        rpc_backend: rpc_backend(sink, &answers, icehouse),
        os: transition.assumed_os().to_owned(),
        entries: book.entries(),
    }))
}

/// The `CONFIG_<PROJECT>_INSTALL` switches.
struct Switches {
    read: Vec<(&'static str, bool, String)>,
}

impl Switches {
    fn read(sink: &mut Sink<'_>, answers: &Answers) -> Self {
        let all = [
            keys::NOVA,
            keys::NEUTRON,
            keys::GLANCE,
            keys::CINDER,
            keys::SWIFT,
            keys::HORIZON,
            keys::HEAT,
            keys::CEILOMETER,
        ];
        let read = all
            .iter()
            .map(|install| {
                let (on, origin) = yes_no(sink, answers, install.key, install.default);
                (install.key, on, origin)
            })
            .collect();
        Switches { read }
    }

    fn on(&self, install: Install) -> bool {
        self.read
            .iter()
            .find(|(key, ..)| *key == install.key)
            .is_none_or(|(_, on, _)| *on)
    }

    fn origin(&self, install: Install) -> String {
        self.read
            .iter()
            .find(|(key, ..)| *key == install.key)
            .map(|(.., origin)| origin.clone())
            .unwrap_or_default()
    }
}

/// A `y`/`n` answer and where it came from (or packstack's default when absent).
fn yes_no(sink: &mut Sink<'_>, answers: &Answers, key: &str, default: bool) -> (bool, String) {
    let word = |on: bool| if on { "y" } else { "n" };
    let Some(answer) = answers.get(key) else {
        let origin = format!("{key} absent: packstack's default {}", word(default));
        return (default, origin);
    };
    let on = match answer.value.text.to_ascii_lowercase().as_str() {
        "y" => true,
        "n" => false,
        other => {
            sink.error(
                answer.value_mark,
                format!("`{}` must be `y` or `n`, found `{other}`", answer.key),
                Some(
                    "packstack takes `y` or `n` here, with nothing after it (`#` does not start \
                     a comment after a value)"
                        .to_owned(),
                ),
            );
            default
        }
    };
    (
        on,
        format!("{}={}, line {}", answer.key, word(on), answer.line()),
    )
}

/// Warns when the file comes from a packstack of the Icehouse era: the cloud it installed
/// may run Icehouse already.
fn era(sink: &mut Sink<'_>, answers: &Answers, release: &str) {
    let Some(answer) = keys::ICEHOUSE_ERA.iter().find_map(|k| answers.get(k)) else {
        return;
    };
    sink.warning(
        answer.key_mark,
        format!(
            "`{}` is a key of packstack's Icehouse era: the cloud this file installed may run \
             Icehouse already",
            answer.key
        ),
        Some(format!(
            "stackhop upgrades RDO clouds from {release}; keep `release: {release}` only if the \
             hosts run {release} (rpm -q openstack-nova-common)"
        )),
    );
}

fn controllers(
    sink: &mut Sink<'_>,
    answers: &Answers,
    switches: &Switches,
    icehouse: bool,
    book: &mut Book,
) {
    if icehouse {
        book.add(sink, answers, keys::CONTROLLER_HOST, Role::Controller);
        if let Some(old) = keys::HAVANA_CONTROL
            .iter()
            .find_map(|(key, _)| answers.get(key))
        {
            sink.info(
                old.key_mark,
                format!(
                    "`{}` and the other per-service host keys are ignored: packstack reads them \
                     only when `{}` is absent",
                    old.key,
                    keys::CONTROLLER_HOST
                ),
                None,
            );
        }
        return;
    }
    for (key, install) in keys::HAVANA_CONTROL {
        if install.is_none_or(|i| switches.on(i)) {
            book.add(sink, answers, key, Role::Controller);
        }
    }
    let control = book.with_role(Role::Controller);
    if let [(first, _), rest @ ..] = control.as_slice()
        && let Some((second, mark)) = rest.first()
    {
        sink.warning(
            *mark,
            format!(
                "the control services are spread over {} hosts ({first}, {second}, …); \
                 stackhop's controller role runs all of them on each",
                control.len()
            ),
            Some(
                "list each controller's `services:` in the inventory to say which it runs"
                    .to_owned(),
            ),
        );
    }
}

fn network_hosts(sink: &mut Sink<'_>, answers: &Answers, switches: &Switches, book: &mut Book) {
    let neutron = switches.on(keys::NEUTRON);
    if !neutron && !switches.on(keys::NOVA) {
        return;
    }
    let network_keys: &[&str] = if answers.get(keys::NETWORK_HOSTS).is_some() {
        &[keys::NETWORK_HOSTS]
    } else if neutron {
        keys::HAVANA_NEUTRON_AGENTS
    } else {
        &[keys::HAVANA_NOVA_NETWORK_HOSTS]
    };
    for key in network_keys {
        let Some(mut named) = book.named(sink, answers, key, false) else {
            continue;
        };
        // A compute runs nova-network itself in stackhop's roles (multi-host), so only the
        // other hosts of a nova-network list need the network role.
        if !neutron {
            named
                .hosts
                .retain(|host| !book.has_role(host, Role::Compute));
        }
        book.give(&named, Role::Network);
    }
}

fn storage_hosts(
    sink: &mut Sink<'_>,
    answers: &Answers,
    switches: &Switches,
    icehouse: bool,
    book: &mut Book,
) {
    let mut named = Vec::new();
    if icehouse {
        let (unsupported, _) = yes_no(sink, answers, keys::UNSUPPORTED, false);
        let used = switches.on(keys::CINDER) || switches.on(keys::GLANCE);
        match answers.get(keys::STORAGE_HOST) {
            Some(_) if unsupported && used => {
                named.extend(book.named(sink, answers, keys::STORAGE_HOST, false));
            }
            Some(answer) if used && !same_value(answer, answers.get(keys::CONTROLLER_HOST)) => {
                storage_host_ignored(sink, answer);
            }
            _ => {}
        }
    } else {
        if switches.on(keys::CINDER) {
            named.extend(book.named(sink, answers, keys::HAVANA_CINDER_HOST, false));
        }
        if switches.on(keys::SWIFT) {
            named.extend(book.named(sink, answers, keys::HAVANA_SWIFT_STORAGE_HOSTS, true));
        }
    }
    let apart = named
        .iter()
        .flat_map(|n| n.hosts.iter())
        .any(|host| !book.has_role(host, Role::Controller));
    if !apart {
        return;
    }
    for n in &named {
        book.give(n, Role::Storage);
    }
    if let Some(cinder) = named
        .iter()
        .find(|n| n.from.starts_with(keys::HAVANA_CINDER_HOST))
        && let Some(host) = cinder.hosts.first()
        && !book.has_role(host, Role::Controller)
    {
        sink.warning(
            cinder.mark,
            format!(
                "Havana's packstack runs all of cinder (API, scheduler, volume) on `{host}`; \
                 stackhop's roles run cinder-volume there and the API and scheduler on the \
                 controller"
            ),
            Some("list the hosts' `services:` in the inventory to say where each runs".to_owned()),
        );
    }
}

fn same_value(answer: &Answer, other: Option<&Answer>) -> bool {
    other.is_some_and(|o| o.value.text.trim() == answer.value.text.trim())
}

fn storage_host_ignored(sink: &mut Sink<'_>, answer: &Answer) {
    sink.info(
        answer.key_mark,
        format!(
            "`{}` is ignored: packstack uses it only with `{}=y`, and puts glance and cinder \
             on the controller otherwise",
            answer.key,
            keys::UNSUPPORTED
        ),
        None,
    );
}

/// What the roles cannot express: projects packstack did not install, vCenter computes, the
/// linuxbridge agent.
fn what_roles_cannot_say(sink: &mut Sink<'_>, answers: &Answers, switches: &Switches) {
    for install in keys::ROLE_PROJECTS {
        if switches.on(*install) {
            continue;
        }
        if let Some(answer) = answers.get(install.key) {
            sink.warning(
                answer.value_mark,
                format!(
                    "{} is not installed (`{}=n`), but stackhop's roles run its services: a \
                     plan would stop, upgrade and start them",
                    install.project, answer.key
                ),
                Some(format!(
                    "list the hosts' `services:` in the inventory to leave {} out",
                    install.project
                )),
            );
        }
    }
    if let Some(answer) = answers.get(keys::VMWARE_BACKEND)
        && answer.value.text.eq_ignore_ascii_case("y")
    {
        sink.warning(
            answer.value_mark,
            "the computes drive vCenter (`CONFIG_VMWARE_BACKEND=y`); stackhop models libvirt \
             computes",
            None,
        );
    }
    if switches.on(keys::NEUTRON)
        && let Some((answer, agent)) = l2_agent(answers)
        && agent.eq_ignore_ascii_case("linuxbridge")
    {
        sink.warning(
            answer.value_mark,
            "Neutron runs the linuxbridge agent; stackhop's roles run \
             neutron-openvswitch-agent",
            Some("list the hosts' `services:` in the inventory to say which agent runs".to_owned()),
        );
    }
}

/// The L2 agent and the answer that names it: Havana's plugin, or ML2's agent.
fn l2_agent(answers: &Answers) -> Option<(&Answer, &str)> {
    let plugin = answers.get(keys::NEUTRON_L2_PLUGIN)?;
    if plugin.value.text.eq_ignore_ascii_case("ml2") {
        let agent = answers.get(keys::NEUTRON_L2_AGENT)?;
        return Some((agent, agent.value.text.as_str()));
    }
    Some((plugin, plugin.value.text.as_str()))
}

fn rpc_backend(sink: &mut Sink<'_>, answers: &Answers, icehouse: bool) -> Sourced<RpcBackend> {
    if let Some(answer) = keys::AMQP_KEYS.iter().find_map(|k| answers.get(k)) {
        let backend = match answer.value.text.to_ascii_lowercase().as_str() {
            "qpid" => RpcBackend::Qpid,
            "rabbitmq" => RpcBackend::Rabbit,
            other => {
                sink.error(
                    answer.value_mark,
                    format!(
                        "`{}` must be `qpid` or `rabbitmq`, found `{other}`",
                        answer.key
                    ),
                    Some("packstack installs qpid or rabbitmq as the message bus".to_owned()),
                );
                RpcBackend::default()
            }
        };
        let from = format!(
            "{}={}, line {}",
            answer.key,
            answer.value.text,
            answer.line()
        );
        return Sourced::read(backend, from);
    }
    if let Some(answer) = answers.get(keys::QPID_HOST) {
        let from = format!(
            "{}, line {}: Havana's packstack installs qpid",
            answer.key,
            answer.line()
        );
        return Sourced::read(RpcBackend::Qpid, from);
    }
    if icehouse {
        return Sourced::read(
            RpcBackend::Rabbit,
            "CONFIG_AMQP_BACKEND absent: packstack's default rabbitmq",
        );
    }
    Sourced::assumed(
        RpcBackend::Qpid,
        "rpc_backend",
        "assumed: Havana's packstack installs qpid",
    )
}

fn no_controller(sink: &mut Sink<'_>, answers: &Answers) {
    if let Some(answer) = answers.get(keys::CONTROLLER_HOST) {
        sink.error(
            answer.value_mark,
            format!("`{}` names no host", answer.key),
            Some(
                "give the controller's IP address, e.g. `CONFIG_CONTROLLER_HOST=192.168.0.10`"
                    .to_owned(),
            ),
        );
        return;
    }
    let first_line = sink.map().span(0, 0);
    sink.error(
        first_line,
        "the answer file names no controller host",
        Some(
            "packstack's Icehouse answer files name it in CONFIG_CONTROLLER_HOST, Havana's in \
             CONFIG_NOVA_API_HOST, CONFIG_KEYSTONE_HOST and the other per-service keys"
                .to_owned(),
        ),
    );
}
