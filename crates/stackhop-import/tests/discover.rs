//! `discover` without hosts: answers recorded from real ones (the lab's four machines, an RDO
//! Havana cloud) are read, compared with the inventory and written back; and every built-in
//! example inventory comes back unchanged through discover's writer when the hosts agree.

use stackhop_catalog::Transition;
use stackhop_import::discover::{Answer, Discovered, Field, Kind, discover, inventory_text, jobs};
use stackhop_inventory::Inventory;

fn example(name: &str) -> (Inventory, &'static dyn Transition) {
    let source = stackhop_inventory::examples::source(name).unwrap_or_default();
    let inventory = stackhop_inventory::parse(source, name, &stackhop_catalog::vocabulary())
        .unwrap_or_else(|d| panic!("{name}: {d}"));
    let transition = stackhop_catalog::find(&inventory.release, &inventory.profile)
        .unwrap_or_else(|| panic!("no transition for {name}"));
    (inventory, transition)
}

/// Hosts without their source lines, which a rewritten file moves.
fn unplaced(inventory: &Inventory) -> Inventory {
    let mut i = inventory.clone();
    for h in &mut i.hosts {
        h.line = 0;
        h.entry = 0;
    }
    i
}

/// What makes `discover --check` fail, as it says it.
fn failing(discovered: &Discovered) -> Vec<&str> {
    discovered
        .differences
        .iter()
        .filter(|d| d.fails_check)
        .map(|d| d.message.as_str())
        .collect()
}

fn reparsed(text: &str) -> Inventory {
    stackhop_inventory::parse(text, "discovered", &stackhop_catalog::vocabulary())
        .unwrap_or_else(|d| panic!("the discovered inventory does not parse:\n{d}\n{text}"))
}

#[test]
fn every_example_round_trips_through_the_writer() {
    for name in stackhop_inventory::examples::NAMES {
        let (inventory, transition) = example(name);
        let discovered = discover(transition, &inventory, &[]);
        assert!(discovered.differences.is_empty(), "{name}");
        let text = inventory_text(&discovered, name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            text.lines().all(|l| l.chars().count() <= 100),
            "{name}:\n{text}"
        );
        assert_eq!(
            unplaced(&reparsed(&text)),
            unplaced(&inventory),
            "{name}:\n{text}"
        );
        // Ranges stay ranges: `large` has 2,000 computes in one entry.
        let entries = text.matches("  - name: ").count();
        let written: std::collections::BTreeSet<usize> =
            inventory.hosts.iter().map(|h| h.entry).collect();
        assert_eq!(entries, written.len(), "{name}:\n{text}");
    }
}

/// Each host's answers by probe id, as the hosts printed them.
struct Recorded<'a> {
    hosts: Vec<(&'a str, Vec<(&'a str, String)>)>,
}

impl Recorded<'_> {
    fn answers(&self, transition: &dyn Transition, inventory: &Inventory) -> Vec<Answer> {
        let discovery = transition.discovery(inventory);
        let mut answers = Vec::new();
        for job in jobs(&discovery, inventory) {
            for &probe in &job.probes {
                let id = discovery.probes[probe].id;
                let said = self
                    .hosts
                    .iter()
                    .find(|(h, _)| *h == job.host)
                    .and_then(|(_, probes)| probes.iter().find(|(p, _)| *p == id));
                let (exit_code, stdout) = match said {
                    Some((_, text)) => (Some(0), text.clone()),
                    None => (Some(127), String::new()),
                };
                answers.push(Answer {
                    host: job.host.clone(),
                    probe,
                    exit_code,
                    stdout,
                    stderr: if exit_code == Some(0) {
                        String::new()
                    } else {
                        format!("{id}: not recorded")
                    },
                });
            }
        }
        answers
    }
}

const DEBIAN_12: &str = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
                         VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nID=debian\n\
                         --- redhat-release\n";
const LAB: &str = "/opt/stackhop-lab";

/// What the lab's hosts print after `lab/up.sh`, with cmp2's nova link on `cmp2_release`.
fn lab_answers(cmp2_release: &str) -> Recorded<'static> {
    let dpkg = "python3-nova 2:26.2.2-1~deb12u5 ii \npython3-placement 8.0.0-2 ii \n".to_owned();
    let venvs = format!(
        "{LAB}/venvs/nova-2023.1/lib/python3.11/site-packages/nova-27.5.1.dist-info\n\
         {LAB}/venvs/placement-2023.1/lib/python3.11/site-packages/openstack_placement-9.0.0.dist-info\n"
    );
    let common = |links: String, status: String| {
        vec![
            ("os", DEBIAN_12.to_owned()),
            ("code links", links),
            ("packages", dpkg.clone()),
            ("venvs", venvs.clone()),
            ("services", status),
        ]
    };
    let mut ctl = common(
        format!("placement {LAB}/releases/placement-zed\nnova {LAB}/releases/nova-zed\n"),
        "epmd                             RUNNING   pid 1201, uptime 0:05:12\n\
         mariadb                          RUNNING   pid 1202, uptime 0:05:12\n\
         rabbitmq                         RUNNING   pid 1240, uptime 0:05:01\n\
         keystone                         RUNNING   pid 1333, uptime 0:04:10\n\
         nova-ctl:nova-api-ctl            RUNNING   pid 2301, uptime 0:02:01\n\
         nova-ctl:nova-conductor-ctl      RUNNING   pid 2302, uptime 0:02:01\n\
         nova-ctl:nova-scheduler-ctl      RUNNING   pid 2303, uptime 0:02:01\n\
         placement-ctl:placement-api-ctl  RUNNING   pid 2101, uptime 0:03:00\n"
            .to_owned(),
    );
    ctl.push(("instances", "cmp1\t1\ncmp2\t1\ncmp3\t1\n".to_owned()));
    ctl.push((
        "database",
        "nova_instances 3\nnova_instance_actions_events 6\nsize_gb 0.012\n".to_owned(),
    ));
    let compute = |h: &str, release: &str| {
        common(
            format!("nova {LAB}/releases/nova-{release}\n"),
            format!("nova-{h}:nova-compute-{h}        RUNNING   pid 3001, uptime 0:01:40\n"),
        )
    };
    Recorded {
        hosts: vec![
            ("ctl", ctl),
            ("cmp1", compute("cmp1", "zed")),
            ("cmp2", compute("cmp2", cmp2_release)),
            ("cmp3", compute("cmp3", "zed")),
        ],
    }
}

fn lab(cmp2_release: &str) -> (Discovered, String) {
    let (inventory, transition) = example("lab");
    let answers = lab_answers(cmp2_release).answers(transition, &inventory);
    let discovered = discover(transition, &inventory, &answers);
    let text = inventory_text(&discovered, "lab.yaml").unwrap_or_else(|e| panic!("{e}"));
    (discovered, text)
}

#[test]
fn the_lab_as_up_sh_leaves_it_agrees_with_its_inventory() {
    let (discovered, text) = lab("zed");
    assert!(discovered.agrees(), "{:#?}", discovered.differences);
    assert_eq!(discovered.refusing_apply().count(), 0);
    let (stated, _) = example("lab");
    let found = reparsed(&text);
    // Hosts, OS, instances and the computes' versions are the inventory's; what it left out
    // (ctl's nova version, the table sizes) is filled in.
    for (s, f) in stated.hosts.iter().zip(&found.hosts) {
        assert_eq!(
            (&s.name, &s.address, &s.os, s.instances),
            (&f.name, &f.address, &f.os, f.instances)
        );
        assert_eq!(
            f.nova_version.as_ref().map(|v| v.text.as_str()),
            Some("26.2.2"),
            "{}",
            f.name
        );
    }
    assert_eq!(found.database.nova_instances, Some(3));
    assert_eq!(found.database.size_gb, Some(0.012));
    let filled: Vec<String> = discovered
        .differences
        .iter()
        .map(|d| {
            assert_eq!(d.kind, Kind::Filled, "{d:?}");
            d.message.clone()
        })
        .collect();
    assert!(
        filled.contains(&"ctl: nova_version 26.2.2 (zed), left out of the inventory".to_owned()),
        "{filled:?}"
    );
    insta::assert_snapshot!("lab_discovered", text);
}

#[test]
fn a_compute_switched_to_2023_1_by_hand_is_named() {
    let (discovered, text) = lab("2023.1");
    assert!(!discovered.agrees());
    let failing = failing(&discovered);
    assert_eq!(
        failing,
        ["cmp2: nova 27.5.1 (2023.1), the inventory says nova_version 26.2.2"]
    );
    let refusing: Vec<&Field> = discovered.refusing_apply().map(|d| &d.field).collect();
    assert_eq!(refusing, [&Field::NovaVersion]);
    // cmp[1:3] splits: cmp2 is written on its own, marked with what the inventory said.
    assert!(
        text.contains("  - name: cmp2\n    address: 10.213.0.12\n")
            && text.contains("nova_version: 27.5.1    # discovered; the inventory said 26.2.2"),
        "{text}"
    );
    let found = reparsed(&text);
    let cmp2 = found
        .hosts
        .iter()
        .find(|h| h.name == "cmp2")
        .map(|h| h.nova_version.clone());
    assert_eq!(cmp2.flatten().map(|v| v.text), Some("27.5.1".to_owned()));
}

#[test]
fn a_stopped_compute_and_an_unreadable_database_on_the_lab() {
    let (inventory, transition) = example("lab");
    let mut recorded = lab_answers("zed");
    for (host, probes) in &mut recorded.hosts {
        for (id, text) in probes.iter_mut() {
            if *host == "cmp3" && *id == "services" {
                *text = "nova-cmp3:nova-compute-cmp3        STOPPED   Dec 05 06:42 PM\n".to_owned();
            }
        }
        if *host == "ctl" {
            probes.retain(|(id, _)| *id != "instances" && *id != "database");
        }
    }
    let answers = recorded.answers(transition, &inventory);
    let discovered = discover(transition, &inventory, &answers);
    let messages: Vec<(&str, bool, bool)> = discovered
        .differences
        .iter()
        .filter(|d| d.kind != Kind::Filled)
        .map(|d| (d.message.as_str(), d.fails_check, d.refuses_apply))
        .collect();
    assert!(
        messages.contains(&(
            "cmp3: nova-compute does not run (STOPPED); the inventory says it does",
            true,
            true
        )),
        "{messages:#?}"
    );
    // No count of instances: --check cannot confirm them, apply does not depend on them.
    assert!(
        messages.contains(&(
            "cmp1: instances not counted: instances: not recorded (exit 127)",
            true,
            false
        )),
        "{messages:#?}"
    );
    let text = inventory_text(&discovered, "lab.yaml").unwrap_or_else(|e| panic!("{e}"));
    assert!(text.contains("    services: []"), "{text}");
    assert!(reparsed(&text).hosts[3].services.as_deref() == Some(&[][..]));
}

/// `small` (RDO Havana): ctl1 already has keystone at Icehouse, cmp3 runs an older Havana
/// nova than the inventory states, and cmp2 has one instance more.
#[test]
fn an_rdo_cloud_read_with_rpm_redhat_release_and_init_scripts() {
    let (inventory, transition) = example("small");
    let el6 = "--- redhat-release\nCentOS release 6.5 (Final)\n".to_owned();
    let services = |running: &[&str]| {
        transition
            .service_names()
            .iter()
            .map(|s| {
                let state = if running.contains(s) {
                    "active"
                } else {
                    "absent"
                };
                format!("{s} {state}\n")
            })
            .collect::<String>()
    };
    let rpm = |nova: Option<&str>, keystone: Option<&str>| {
        let mut text = String::new();
        for p in [
            "openstack-keystone",
            "openstack-glance",
            "openstack-nova-common",
        ] {
            let v = match p {
                "openstack-keystone" => keystone,
                "openstack-nova-common" => nova,
                _ => None,
            };
            match v {
                Some(v) => text.push_str(&format!("{p} {v}\n")),
                None => text.push_str(&format!("package {p} is not installed\n")),
            }
        }
        text
    };
    let ctl = inventory
        .hosts
        .iter()
        .find(|h| h.name == "ctl1")
        .map(|h| transition.host_services(&inventory, h))
        .unwrap_or_default();
    let net = inventory
        .hosts
        .iter()
        .find(|h| h.name == "net1")
        .map(|h| transition.host_services(&inventory, h))
        .unwrap_or_default();
    let cmp = ["openstack-nova-compute", "neutron-openvswitch-agent"];
    let compute = |nova: &str, domains: &str| {
        vec![
            ("os", el6.clone()),
            ("packages", rpm(Some(nova), None)),
            ("services", services(&cmp)),
            ("instances", domains.to_owned()),
        ]
    };
    let eight: String = (1..=8).map(|i| format!("instance-{i:08x}\n")).collect();
    let recorded = Recorded {
        hosts: vec![
            (
                "ctl1",
                vec![
                    ("os", el6.clone()),
                    ("packages", rpm(Some("2013.2.3"), Some("2014.1.1"))),
                    ("services", services(&ctl)),
                    (
                        "database",
                        "keystone_tokens 2600000\nnova_instance_actions_events 120000\n\
                         nova_instances 40\nglance_images 12\ncinder_volumes ! ERROR 1146 \
                         (42S02) at line 1: Table 'cinder.volumes' doesn't exist\n\
                         size_gb 1.2\nglance_tables_utf8 0\n"
                            .to_owned(),
                    ),
                ],
            ),
            (
                "net1",
                vec![
                    ("os", el6.clone()),
                    ("packages", rpm(None, None)),
                    ("services", services(&net)),
                ],
            ),
            ("cmp1", compute("2013.2.3", &eight)),
            (
                "cmp2",
                compute("2013.2.3", &format!("{eight}instance-00000009\n\n")),
            ),
            ("cmp3", compute("2013.2.1", &eight)),
        ],
    };
    let answers = recorded.answers(transition, &inventory);
    let discovered = discover(transition, &inventory, &answers);
    let failing = failing(&discovered);
    assert_eq!(
        failing,
        [
            "ctl1: keystone 2014.1.1 (icehouse), the inventory's release is havana",
            "cmp2: 9 instances, the inventory says 8",
            "cmp3: nova 2013.2.1 (havana), the inventory says nova_version 2013.2.3",
        ]
    );
    // Only the versions refuse a plan; one instance more changes estimates, not steps.
    assert_eq!(discovered.refusing_apply().count(), 2);
    let text = inventory_text(&discovered, "small.yaml").unwrap_or_else(|e| panic!("{e}"));
    insta::assert_snapshot!("small_discovered", text);
    let found = reparsed(&text);
    assert_eq!(found.database.keystone_tokens, Some(2_600_000));
    assert_eq!(found.database.glance_tables_utf8, Some(false));
    assert_eq!(found.database.cinder_volumes, None);
}
