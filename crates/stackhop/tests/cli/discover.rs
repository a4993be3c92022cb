//! `stackhop discover` and the check `apply --target ssh` makes with it, on `fleet.rs`'s hosts
//! (real sshds, each host laid out as the lab's). Skipped, saying why, without root or sshd;
//! failing instead under `STACKHOP_REQUIRE_SSH_TESTS=1`.

use crate::common::{json, write};
use crate::fleet::{Fleet, skipped};

#[test]
fn discover_agrees_with_the_lab_layout_until_a_compute_is_switched_by_hand() {
    if skipped("discover") {
        return;
    }
    let mut fleet = Fleet::new(2, 61);
    fleet.inventory("");
    let check = ["discover", "-i", "inventory.yaml", "--check"];

    // No key trusted yet: nothing is read, as apply would refuse.
    let r = fleet.run(&check);
    r.assert_code(3);
    assert!(
        r.stderr
            .contains("ctl (127.0.0.61): its host key is not known"),
        "{}",
        r.report()
    );
    fleet
        .run(&["trust-hosts", "-i", "inventory.yaml", "--yes"])
        .assert_code(0);

    // As laid out: the inventory agrees; what it left out is filled in, ranges stay.
    let r = fleet.run(&check);
    r.assert_code(0);
    assert!(r.stderr.contains("agree with it"), "{}", r.report());
    assert!(
        r.stderr
            .contains("filled in: nova_version on ctl (the inventory left it out)"),
        "{}",
        r.report()
    );
    assert!(
        r.stdout.contains(
            "  - name: ctl\n    address: 127.0.0.61\n    roles: [controller]\n    \
             os: debian-12\n    nova_version: 26.2.2    # discovered\n"
        ) && r.stdout.contains(
            "  - name: cmp[1:2]\n    address: 127.0.0.[62:63]\n    roles: [compute]\n    \
             os: debian-12\n    nova_version: 26.2.2\n    instances: 1\n"
        ),
        "{}",
        r.report()
    );
    assert!(
        r.stdout
            .contains("  nova_instances: 3         # discovered")
    );

    let doc = json(&fleet.run(&["discover", "-i", "inventory.yaml", "--format", "json"]));
    assert_eq!(doc["schema"], "stackhop.discover/v1");
    assert_eq!(doc["agrees"], true);
    let ctl = &doc["hosts"][0]["found"];
    assert_eq!(ctl["os"], "debian-12");
    assert_eq!(ctl["versions"]["nova"], "26.2.2");
    assert_eq!(ctl["versions"]["placement"], "8.0.0");
    assert_eq!(
        ctl["services"],
        serde_json::json!([
            "placement-api",
            "nova-api",
            "nova-conductor",
            "nova-scheduler"
        ])
    );
    assert_eq!(doc["hosts"][2]["found"]["instances"], 1);
    assert_eq!(
        doc["hosts"][2]["found"]["services"],
        serde_json::json!(["nova-compute"])
    );

    // cmp2's link switched to 2023.1 by hand: --check names it and exits 1.
    fleet.switch("cmp2", "nova", "2023.1");
    let r = fleet.run(&[
        "discover",
        "-i",
        "inventory.yaml",
        "--check",
        "--out",
        "discovered.yaml",
    ]);
    r.assert_code(1);
    assert!(
        r.stderr
            .contains("cmp2: nova 27.5.1 (2023.1), the inventory says nova_version 26.2.2"),
        "{}",
        r.report()
    );
    assert!(!r.stderr.contains("cmp1:"), "{}", r.report());
    let written = std::fs::read_to_string(fleet.path().join("discovered.yaml")).unwrap_or_default();
    assert!(
        written.contains(
            "  - name: cmp2\n    address: 127.0.0.63\n    roles: [compute]\n    os: debian-12\n    \
             nova_version: 27.5.1    # discovered; the inventory said 26.2.2\n"
        ),
        "{written}"
    );
    // What discover wrote is what the hosts say.
    fleet
        .run(&[
            "discover",
            "-i",
            "discovered.yaml",
            "--check",
            "--out",
            "again.yaml",
        ])
        .assert_code(0);
    let r = fleet.run(&[
        "discover",
        "-i",
        "inventory.yaml",
        "--out",
        "inventory.yaml",
    ]);
    r.assert_code(2);

    // Switched back, it agrees again; a host that does not answer stops it.
    fleet.switch("cmp2", "nova", "zed");
    fleet.run(&check).assert_code(0);
    fleet.stop(2);
    let r = fleet.run(&check);
    r.assert_code(3);
    assert!(
        r.stderr.contains("1 host(s) could not be read") && r.stderr.contains("cannot reach cmp2"),
        "{}",
        r.report()
    );
}

#[test]
fn apply_refuses_a_plan_whose_hosts_changed_since_it_was_made() {
    if skipped("apply after discover") {
        return;
    }
    let fleet = Fleet::new(1, 71);
    fleet.inventory("");
    fleet
        .run(&["trust-hosts", "-i", "inventory.yaml", "--yes"])
        .assert_code(0);
    let plan = fleet.plan("true");

    fleet.switch("cmp1", "nova", "2023.1");
    let r = fleet.apply(&plan);
    r.assert_code(1);
    assert!(
        r.stderr
            .contains("error: the hosts are not the cloud the plan was made for (inventory.yaml)")
            && r.stderr
                .contains("  - cmp1: nova 27.5.1 (2023.1), the inventory says nova_version 26.2.2"),
        "{}",
        r.report()
    );
    assert!(
        !fleet.path().join("run.db").exists(),
        "nothing was recorded"
    );
    // --unverified is the operator answering for the plan: the hosts are not read, and it says so.
    let r = fleet.run(&[
        "apply",
        "--plan",
        &plan,
        "--accept-edited",
        "--unverified",
        "--target",
        "ssh",
        "--yes",
        "--journal",
        "unverified.db",
    ]);
    r.assert_code(0);
    assert!(
        r.stderr.contains(
            "warning: the hosts were not compared with the plan's inventory (--unverified)"
        ) && !r.stderr.contains("not the cloud the plan was made for"),
        "{}",
        r.report()
    );
    fleet.switch("cmp1", "nova", "zed");

    // A compute whose nova-compute stopped is not the cloud the plan was proven on either.
    let status = fleet.path().join("hosts/cmp1/etc/supervisor");
    write(
        &status,
        "status",
        "nova-cmp1:nova-compute-cmp1 STOPPED Dec 05 06:42 PM\n",
    );
    let r = fleet.apply(&plan);
    r.assert_code(1);
    assert!(
        r.stderr
            .contains("  - cmp1: nova-compute does not run (STOPPED); the inventory says it does"),
        "{}",
        r.report()
    );
    write(
        &status,
        "status",
        "nova-cmp1:nova-compute-cmp1 RUNNING pid 21, uptime 0:01:00\n",
    );

    // An instance more changes the estimates, not the plan: noted, and the run goes on.
    write(
        &fleet.path().join("hosts/ctl/root"),
        "instances",
        "cmp1\t2\n",
    );
    let r = fleet.apply(&plan);
    r.assert_code(0);
    assert!(
        r.stderr.contains(
            "note: cmp1: 2 instances, the inventory says 1 (the plan does not depend on it)"
        ),
        "{}",
        r.report()
    );
}
