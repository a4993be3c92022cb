//! What the tests share: a vocabulary like the catalog's, and parse helpers.

#![allow(dead_code, unreachable_pub)]

use stackhop_inventory::{
    Diagnostics, Inventory, ProfilePaths, ReleaseVocabulary, Vocabulary, parse,
};

pub fn vocabulary() -> Vocabulary {
    Vocabulary {
        releases: vec![
            ReleaseVocabulary {
                release: "havana".to_owned(),
                profiles: vec!["rdo".to_owned()],
                services: [
                    "openstack-keystone",
                    "openstack-glance-api",
                    "openstack-glance-registry",
                    "openstack-nova-api",
                    "openstack-nova-scheduler",
                    "openstack-nova-conductor",
                    "openstack-nova-compute",
                    "neutron-server",
                    "neutron-openvswitch-agent",
                    "openstack-cinder-volume",
                ]
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
                paths: vec![],
            },
            ReleaseVocabulary {
                release: "zed".to_owned(),
                profiles: vec!["debian-venv".to_owned()],
                services: [
                    "placement-api",
                    "nova-api",
                    "nova-conductor",
                    "nova-scheduler",
                    "nova-compute",
                ]
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
                paths: vec![ProfilePaths {
                    profile: "debian-venv".to_owned(),
                    keys: ["host_root", "deploy_root", "supervisor_conf", "admin_rc"]
                        .iter()
                        .map(|k| (*k).to_owned())
                        .collect(),
                }],
            },
        ],
    }
}

pub fn ok(source: &str) -> Inventory {
    match parse(source, "test.yaml", &vocabulary()) {
        Ok(inventory) => inventory,
        Err(diagnostics) => panic!("unexpected diagnostics:\n{diagnostics}"),
    }
}

pub fn errors(source: &str) -> Diagnostics {
    match parse(source, "test.yaml", &vocabulary()) {
        Ok(inventory) => panic!("expected diagnostics, parsed {inventory:?}"),
        Err(diagnostics) => diagnostics,
    }
}

/// A valid inventory header to which a test appends its `hosts:` entries.
pub const HEADER: &str = "name: t\nrelease: havana\nhosts:\n";

/// A controller entry so that host tests do not also trip "no controller".
pub const CONTROLLER: &str = "  - name: ctl1\n    roles: [controller]\n    os: centos-6.5\n";
