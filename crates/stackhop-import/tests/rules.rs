//! How packstack's layout becomes stackhop's roles, one rule at a time, on small answer files.

use stackhop_import::{Imported, Options};

fn import(answers: &str) -> Imported {
    let text = format!("[general]\n{answers}");
    match stackhop_import::packstack(&text, "answers.txt", &Options::default()) {
        Ok(imported) => imported,
        Err(e) => panic!("{e}"),
    }
}

/// The `roles:` line of the entry named `name`.
fn roles(imported: &Imported, name: &str) -> String {
    let entry = format!("  - name: {name}");
    let mut lines = imported
        .text
        .lines()
        .skip_while(|l| l.split(" #").next().map(str::trim_end) != Some(entry.as_str()));
    if lines.next().is_none() {
        panic!("no {name} in\n{}", imported.text);
    }
    lines
        .find_map(|l| l.trim_start().strip_prefix("roles: "))
        .map(|r| r.split(" #").next().unwrap_or(r).trim().to_owned())
        .unwrap_or_default()
}

fn messages(imported: &Imported) -> Vec<String> {
    imported
        .notes
        .items
        .iter()
        .map(|d| d.message.clone())
        .collect()
}

const HAVANA_CONTROL: &str = "CONFIG_KEYSTONE_HOST=10.0.0.1\nCONFIG_NOVA_API_HOST=10.0.0.1\n";

#[test]
fn computes_running_nova_network_need_no_network_role() {
    let imported = import(&format!(
        "{HAVANA_CONTROL}CONFIG_NEUTRON_INSTALL=n\nCONFIG_NOVA_COMPUTE_HOSTS=10.0.0.2,10.0.0.3\n\
         CONFIG_NOVA_NETWORK_HOSTS=10.0.0.2,10.0.0.3\n"
    ));
    assert_eq!(roles(&imported, "cmp1"), "[compute]");
    assert_eq!(roles(&imported, "cmp2"), "[compute]");
    assert!(imported.text.contains("network: nova-network"));
}

#[test]
fn a_split_control_plane_is_reported() {
    let imported = import(
        "CONFIG_KEYSTONE_HOST=10.0.0.1\nCONFIG_NOVA_API_HOST=10.0.0.2\n\
         CONFIG_NOVA_COMPUTE_HOSTS=10.0.0.3\n",
    );
    assert_eq!(roles(&imported, "ctl1"), "[controller]");
    assert_eq!(roles(&imported, "ctl2"), "[controller]");
    assert_eq!(
        messages(&imported),
        [
            "the control services are spread over 2 hosts (10.0.0.1, 10.0.0.2, …); stackhop's \
          controller role runs all of them on each"
        ]
    );
}

#[test]
fn storage_apart_from_the_controller_gets_the_storage_role() {
    let shared = import(&format!(
        "{HAVANA_CONTROL}CONFIG_CINDER_HOST=10.0.0.1\nCONFIG_SWIFT_STORAGE_HOSTS=10.0.0.1/sdb\n"
    ));
    assert_eq!(roles(&shared, "ctl1"), "[controller]");
    let apart = import(&format!(
        "{HAVANA_CONTROL}CONFIG_CINDER_HOST=10.0.0.1\n\
         CONFIG_SWIFT_STORAGE_HOSTS=10.0.0.1/sdb,10.0.0.9/sdb\n"
    ));
    assert_eq!(roles(&apart, "ctl1"), "[controller, storage]");
    assert_eq!(roles(&apart, "stor1"), "[storage]");
    let unsupported = import(
        "CONFIG_CONTROLLER_HOST=10.0.0.1\nCONFIG_UNSUPPORTED=y\nCONFIG_STORAGE_HOST=10.0.0.8\n",
    );
    assert_eq!(roles(&unsupported, "stor1"), "[storage]");
    let ignored = import("CONFIG_CONTROLLER_HOST=10.0.0.1\nCONFIG_STORAGE_HOST=10.0.0.8\n");
    assert!(!ignored.text.contains("stor1"), "{}", ignored.text);
}

#[test]
fn the_message_bus_of_each_era() {
    let havana = import(&format!("{HAVANA_CONTROL}CONFIG_QPID_HOST=10.0.0.1\n"));
    assert!(
        havana
            .text
            .contains("rpc_backend: qpid           # CONFIG_QPID_HOST, line 4")
    );
    let early_icehouse = import(&format!("{HAVANA_CONTROL}CONFIG_AMQP_SERVER=rabbitmq\n"));
    assert!(
        early_icehouse
            .text
            .contains("rpc_backend: rabbit         # CONFIG_AMQP_SERVER=rabbitmq")
    );
    assert!(
        messages(&early_icehouse)[0]
            .starts_with("`CONFIG_AMQP_SERVER` is a key of packstack's Icehouse era")
    );
    let icehouse_default = import("CONFIG_CONTROLLER_HOST=10.0.0.1\n");
    assert!(
        icehouse_default
            .text
            .contains("rpc_backend: rabbit         # CONFIG_AMQP_BACKEND absent")
    );
    let no_key = import(HAVANA_CONTROL);
    assert!(
        no_key
            .text
            .contains("rpc_backend: qpid           # TODO discover: rpc_backend")
    );
}

#[test]
fn what_roles_cannot_say_is_a_warning() {
    let imported = import(&format!(
        "{HAVANA_CONTROL}CONFIG_SWIFT_INSTALL=n\nCONFIG_NEUTRON_L2_PLUGIN=linuxbridge\n\
         CONFIG_VMWARE_BACKEND=y\nCONFIG_MYSQL_HOST=10.0.0.5\n"
    ));
    let notes: Vec<String> = imported
        .notes
        .items
        .iter()
        .map(|d| {
            format!(
                "{}: {}",
                d.severity,
                d.message.split(';').next().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        notes,
        [
            "warning: swift is not installed (`CONFIG_SWIFT_INSTALL=n`), but stackhop's roles run \
             its services: a plan would stop, upgrade and start them",
            "warning: Neutron runs the linuxbridge agent",
            "warning: the computes drive vCenter (`CONFIG_VMWARE_BACKEND=y`)",
            "info: host `10.0.0.5` runs only the database (CONFIG_MYSQL_HOST, line 7), which \
             stackhop does not upgrade",
        ]
    );
    assert!(
        imported.text.contains("# - line 4: swift is not installed"),
        "{}",
        imported.text
    );
}

#[test]
fn host_names_stay_and_addresses_get_names() {
    let imported = import(
        "CONFIG_CONTROLLER_HOST=ctl.example.com\n\
         CONFIG_COMPUTE_HOSTS=10.0.0.2,10.0.0.3,10.0.0.4,10.0.0.5,10.0.0.6,10.0.0.7,10.0.0.8,\
         10.0.0.9,10.0.0.10,10.0.0.11\n",
    );
    assert_eq!(roles(&imported, "ctl.example.com"), "[controller]");
    assert_eq!(roles(&imported, "cmp01"), "[compute]");
    assert_eq!(roles(&imported, "cmp10"), "[compute]");
    assert!(
        imported
            .text
            .contains("    address: 10.0.0.11      # CONFIG_COMPUTE_HOSTS, line 3"),
        "{}",
        imported.text
    );
}
