//! Every kind of mistake is reported at the right place, with a message and a help.

mod common;

use common::{CONTROLLER, HEADER, errors};

/// (what, source, expected diagnostics as (line, column, part of the message, part of the help)).
type Case = (
    &'static str,
    String,
    &'static [(u32, u32, &'static str, &'static str)],
);

fn host(lines: &str) -> String {
    format!("{HEADER}{CONTROLLER}{lines}")
}

fn top(lines: &str) -> String {
    format!("{lines}hosts:\n{CONTROLLER}")
}

fn cases() -> Vec<Case> {
    vec![
        (
            "unknown key in a host entry",
            format!("{HEADER}  - name: ctl1\n    rols: [controller]\n    os: centos-6.5\n"),
            &[
                (4, 5, "missing required key `roles`", "roles: [compute]"),
                (
                    5,
                    5,
                    "unknown key `rols` in a host entry",
                    "did you mean `roles`? valid keys here: name, roles, os",
                ),
            ],
        ),
        (
            "unknown top-level key",
            top("name: t\nrelease: havana\nnetwrok: neutron\n"),
            &[(
                3,
                1,
                "unknown key `netwrok` at the top level",
                "did you mean `network`?",
            )],
        ),
        (
            "a paths key the profile does not read",
            top("name: t\nrelease: zed\npaths:\n  host_roots: /srv\n"),
            &[(
                4,
                3,
                "unknown key `host_roots` in `paths`",
                "did you mean `host_root`? the paths this profile reads: host_root, deploy_root, \
                 supervisor_conf, admin_rc",
            )],
        ),
        (
            "paths for a profile that reads none",
            top("name: t\nrelease: havana\npaths:\n  host_root: /srv\n"),
            &[(
                4,
                3,
                "unknown key `host_root` in `paths`",
                "profile `rdo` reads no paths; remove `paths`",
            )],
        ),
        (
            "paths that are not a mapping",
            top("name: t\nrelease: zed\npaths: /srv\n"),
            &[(
                3,
                8,
                "`paths` must be a mapping",
                "profile `debian-venv` reads: host_root, deploy_root, supervisor_conf, admin_rc",
            )],
        ),
        (
            "an unknown compute driver",
            top("name: t\nrelease: havana\ncompute_driver: fkae\n"),
            &[(
                3,
                17,
                "unknown compute_driver `fkae`",
                "did you mean `fake`?",
            )],
        ),
        (
            "unknown key in options",
            top("name: t\nrelease: havana\noptions:\n  canery: 2\n"),
            &[(
                4,
                3,
                "unknown key `canery` in `options`",
                "did you mean `canary`?",
            )],
        ),
        (
            "unknown key in database",
            top("name: t\nrelease: havana\ndatabase:\n  keystone_token: 5\n"),
            &[(
                4,
                3,
                "unknown key `keystone_token` in `database`",
                "did you mean `keystone_tokens`?",
            )],
        ),
        (
            "unknown key, nothing close",
            top("name: t\nrelease: havana\nzzz: 1\n"),
            &[(
                3,
                1,
                "unknown key `zzz`",
                "valid keys here: name, release, profile, network, rpc_backend, compute_driver, paths, options, database, connection, hosts",
            )],
        ),
        (
            "unknown role",
            format!("{HEADER}  - name: ctl1\n    roles: [controler]\n    os: centos-6.5\n"),
            &[(
                5,
                13,
                "unknown role `controler`",
                "did you mean `controller`? roles are: controller, network, compute, storage, spare, all-in-one",
            )],
        ),
        (
            "wrong type for instances",
            host("  - name: cmp1\n    roles: [compute]\n    os: centos-6.5\n    instances: lots\n"),
            &[(
                10,
                16,
                "expected a non-negative integer for `instances`, found `lots`",
                "instances: 20",
            )],
        ),
        (
            "negative instances",
            host("  - name: cmp1\n    roles: [compute]\n    os: centos-6.5\n    instances: -1\n"),
            &[(10, 16, "expected a non-negative integer", "")],
        ),
        (
            "quoted number",
            host(
                "  - name: cmp1\n    roles: [compute]\n    os: centos-6.5\n    instances: \"20\"\n",
            ),
            &[(
                10,
                16,
                "found the quoted string \"20\"",
                "remove the quotes",
            )],
        ),
        (
            "too large a number",
            host(
                "  - name: cmp1\n    roles: [compute]\n    os: centos-6.5\n    instances: 99999999999\n",
            ),
            &[(10, 16, "`instances` is too large", "4294967295")],
        ),
        (
            "malformed range",
            host("  - name: cmp[1-4]\n    roles: [compute]\n    os: centos-6.5\n"),
            &[(
                7,
                11,
                "host name `cmp[1-4]`: malformed range `[1-4]`",
                "[START:END]",
            )],
        ),
        (
            "reversed range",
            host("  - name: cmp[4:1]\n    roles: [compute]\n    os: centos-6.5\n"),
            &[(7, 11, "range `[4:1]` is empty", "`[1:4]`")],
        ),
        (
            "mixed range",
            host("  - name: cmp[a:3]\n    roles: [compute]\n    os: centos-6.5\n"),
            &[(7, 11, "range `[a:3]` mixes a letter and a number", "")],
        ),
        (
            "unclosed range",
            host("  - name: cmp[1:4\n    roles: [compute]\n    os: centos-6.5\n"),
            &[(7, 11, "host name `cmp[1:4`: unclosed `[`", "")],
        ),
        (
            "huge range",
            host("  - name: cmp[1:999999999]\n    roles: [compute]\n    os: centos-6.5\n"),
            &[(7, 11, "expands to more than 100000 hosts", "typo")],
        ),
        (
            "invalid host name",
            host("  - name: cmp_1\n    roles: [compute]\n    os: centos-6.5\n"),
            &[(7, 11, "`cmp_1` is not a valid host name", "letters, digits")],
        ),
        (
            "invalid host name after expansion",
            host("  - name: -cmp[1:2]\n    roles: [compute]\n    os: centos-6.5\n"),
            &[(
                7,
                11,
                "`-cmp[1:2]` expands to `-cmp1`, which is not a valid host name",
                "",
            )],
        ),
        (
            "duplicate host",
            host("  - name: ctl1\n    roles: [compute]\n    os: centos-6.5\n"),
            &[(
                7,
                11,
                "host `ctl1` is also defined at line 4",
                "defined once",
            )],
        ),
        (
            "overlapping ranges",
            host(
                "  - name: cmp[001:010]\n    roles: [compute]\n    os: centos-6.5\n\
                 \x20 - name: cmp[005:020]\n    roles: [compute]\n    os: centos-6.5\n",
            ),
            &[(
                10,
                11,
                "host `cmp005` is also defined at line 7 (by `cmp[001:010]`)",
                "6 host names",
            )],
        ),
        (
            "a range overlapping a single host",
            host(
                "  - name: cmp007\n    roles: [compute]\n    os: centos-6.5\n\
                 \x20 - name: cmp[001:010]\n    roles: [compute]\n    os: centos-6.5\n",
            ),
            &[(10, 11, "host `cmp007` is also defined at line 7", "")],
        ),
        (
            "a range producing one name twice",
            host("  - name: x[1:12][1:21]\n    roles: [compute]\n    os: centos-6.5\n"),
            &[(
                7,
                11,
                "host `x111` is produced twice by `x[1:12][1:21]`",
                "separator",
            )],
        ),
        (
            "no controller",
            format!("{HEADER}  - name: cmp1\n    roles: [compute]\n    os: centos-6.5\n"),
            &[(3, 1, "no host has the `controller` role", "all-in-one")],
        ),
        (
            "os not understood",
            host("  - name: cmp1\n    roles: [compute]\n    os: CentOS 6.5\n"),
            &[(
                9,
                9,
                "operating system `CentOS 6.5` is not understood",
                "write it as `centos-6.5`; accepted forms: centos-6.5, rhel-6.4, scientific-6.5, fedora-19, fedora-20, centos-7.0, debian-12, ubuntu-12.04",
            )],
        ),
        (
            "os unknown family",
            host("  - name: cmp1\n    roles: [compute]\n    os: windows-2012\n"),
            &[(
                9,
                9,
                "operating system `windows-2012` is not understood",
                "FAMILY-VERSION",
            )],
        ),
        (
            "unknown release",
            top("name: t\nrelease: grizzly\n"),
            &[(
                2,
                10,
                "unknown release `grizzly`",
                "stackhop knows the transitions from: havana",
            )],
        ),
        (
            "misspelt release",
            top("name: t\nrelease: havanna\n"),
            &[(2, 10, "unknown release `havanna`", "did you mean `havana`?")],
        ),
        (
            "unknown profile",
            top("name: t\nrelease: havana\nprofile: packstack\n"),
            &[(
                3,
                10,
                "unknown profile `packstack` for release `havana`",
                "profiles for `havana`: rdo",
            )],
        ),
        (
            "unknown network",
            top("name: t\nrelease: havana\nnetwork: nova\n"),
            &[(
                3,
                10,
                "unknown network `nova`",
                "accepted values: neutron, nova-network",
            )],
        ),
        (
            "unknown rpc_backend",
            top("name: t\nrelease: havana\nrpc_backend: rabbitmq\n"),
            &[(
                3,
                14,
                "unknown rpc_backend `rabbitmq`",
                "did you mean `rabbit`?",
            )],
        ),
        (
            "unknown instance_moves",
            top("name: t\nrelease: havana\noptions:\n  instance_moves: migrate\n"),
            &[(
                4,
                19,
                "unknown instance_moves `migrate`",
                "live, snapshot, wait",
            )],
        ),
        (
            "batch of 0",
            top("name: t\nrelease: havana\noptions:\n  compute_batch: 0\n"),
            &[(4, 18, "`compute_batch` must be at least 1", "\"10%\"")],
        ),
        (
            "percent out of range",
            top("name: t\nrelease: havana\noptions:\n  compute_batch: 150%\n"),
            &[(4, 18, "percentage must be between 1% and 100%", "")],
        ),
        (
            "percent of zero",
            top("name: t\nrelease: havana\noptions:\n  compute_batch: \"0%\"\n"),
            &[(4, 18, "percentage must be between 1% and 100%", "")],
        ),
        (
            "batch not a number",
            top("name: t\nrelease: havana\noptions:\n  compute_batch: some\n"),
            &[(4, 18, "expected a number of hosts or a percentage", "")],
        ),
        (
            "not a boolean",
            top("name: t\nrelease: havana\noptions:\n  allow_migrations: yes\n"),
            &[(
                4,
                21,
                "expected true or false for `allow_migrations`, found `yes`",
                "",
            )],
        ),
        (
            "negative size",
            top("name: t\nrelease: havana\ndatabase:\n  size_gb: -3\n"),
            &[(4, 12, "expected a non-negative number for `size_gb`", "")],
        ),
        (
            "options not a mapping",
            top("name: t\nrelease: havana\noptions: 5\n"),
            &[(3, 10, "`options` must be a mapping", "compute_batch")],
        ),
        (
            "missing top-level keys",
            "hosts:\n  - name: ctl1\n    roles: [controller]\n    os: centos-6.5\n".to_owned(),
            &[
                (1, 1, "missing required key `name`", ""),
                (1, 1, "missing required key `release`", "havana"),
            ],
        ),
        (
            "missing hosts",
            "name: t\nrelease: havana\n".to_owned(),
            &[(1, 1, "missing required key `hosts`", "")],
        ),
        (
            "empty value for a required key",
            top("name:\nrelease: havana\n"),
            &[(1, 1, "`name` has no value", "")],
        ),
        (
            "missing os",
            host("  - name: cmp1\n    roles: [compute]\n"),
            &[(7, 5, "missing required key `os`", "os: centos-6.5")],
        ),
        (
            "no roles",
            host("  - name: cmp1\n    roles: []\n    os: centos-6.5\n"),
            &[(8, 12, "this host has no roles", "controller, network")],
        ),
        (
            "roles not a list",
            host("  - name: cmp1\n    roles: compute\n    os: centos-6.5\n"),
            &[(
                8,
                12,
                "`roles` must be a list, found `compute`",
                "roles: [compute]",
            )],
        ),
        (
            "empty hosts",
            "name: t\nrelease: havana\nhosts: []\n".to_owned(),
            &[(3, 1, "`hosts` is empty", "")],
        ),
        (
            "hosts not a list",
            "name: t\nrelease: havana\nhosts: ctl1\n".to_owned(),
            &[(3, 8, "`hosts` must be a list", "- name:")],
        ),
        (
            "host entry not a mapping",
            host("  - cmp1\n"),
            &[(7, 5, "a host entry must be a mapping", "name, roles, os")],
        ),
        (
            "bad nova version",
            host(
                "  - name: cmp1\n    roles: [compute]\n    os: centos-6.5\n    nova_version: latest\n",
            ),
            &[(10, 19, "`latest` is not a version", "2013.2.3")],
        ),
        (
            "unknown service",
            host(
                "  - name: cmp1\n    roles: [compute]\n    os: centos-6.5\n    services: [openstack-nova-compte]\n",
            ),
            &[(
                10,
                16,
                "unknown service `openstack-nova-compte` for release `havana`",
                "did you mean `openstack-nova-compute`?",
            )],
        ),
        (
            "duplicate key",
            host("  - name: cmp1\n    roles: [compute]\n    os: centos-6.5\n    os: centos-6.4\n"),
            &[(10, 5, "duplicate key `os`", "already set at line 9")],
        ),
        (
            "alias",
            format!(
                "{HEADER}  - name: ctl1\n    roles: &r [controller]\n    os: centos-6.5\n  - name: ctl2\n    roles: *r\n    os: centos-6.5\n"
            ),
            &[(8, 12, "aliases are not supported in an inventory", "")],
        ),
        (
            "an address range shorter than the name's",
            host(
                "  - name: cmp[1:3]\n    roles: [compute]\n    os: centos-6.5\n    address: 10.0.0.[11:12]\n",
            ),
            &[(
                10,
                14,
                "address `10.0.0.[11:12]` stands for 2 addresses, but `cmp[1:3]` stands for 3 hosts",
                "the n-th host gets the n-th address",
            )],
        ),
        (
            "one address for a range of hosts",
            host(
                "  - name: cmp[1:3]\n    roles: [compute]\n    os: centos-6.5\n    address: 10.0.0.11\n",
            ),
            &[(
                10,
                14,
                "`cmp[1:3]` stands for 3 hosts, but `address: 10.0.0.11` is a single address",
                "address: 10.0.0.[11:50]",
            )],
        ),
        (
            "two hosts with one address",
            format!(
                "{HEADER}  - name: ctl1\n    roles: [controller]\n    os: centos-6.5\n    address: 10.0.0.10\n\
                 \x20 - name: cmp[1:2]\n    roles: [compute]\n    os: centos-6.5\n    address: 10.0.0.[9:10]\n"
            ),
            &[(
                11,
                14,
                "host `cmp2` has the address `10.0.0.10` of host `ctl1` (line 4)",
                "a machine of its own",
            )],
        ),
        (
            "an address that is another host's name",
            host("  - name: cmp1\n    roles: [compute]\n    os: centos-6.5\n    address: CTL1\n"),
            &[(
                10,
                14,
                "host `cmp1` has the address `CTL1` of host `ctl1` (line 4)",
                "",
            )],
        ),
        (
            "an address that is not one",
            host(
                "  - name: cmp1\n    roles: [compute]\n    os: centos-6.5\n    address: \"10.0.0.1; reboot\"\n",
            ),
            &[(
                10,
                14,
                "`10.0.0.1; reboot` is not an IP address or DNS name",
                "IPv6 without brackets",
            )],
        ),
        (
            "an address range expanding to a bad address",
            host(
                "  - name: cmp[1:2]\n    roles: [compute]\n    os: centos-6.5\n    address: 10.0.0.[255:256]\n",
            ),
            &[(
                10,
                14,
                "address `10.0.0.[255:256]` expands to `10.0.0.256`, which is not an IP address",
                "",
            )],
        ),
        (
            "an IPv6 address in brackets",
            host(
                "  - name: cmp1\n    roles: [compute]\n    os: centos-6.5\n    address: '[fd00::1]'\n",
            ),
            &[(10, 14, "address `[fd00::1]`", "without brackets: `fd00::1`")],
        ),
        (
            "port 0",
            top("name: t\nrelease: havana\nconnection:\n  port: 0\n"),
            &[(
                4,
                9,
                "`port` must be a TCP port from 1 to 65535, found 0",
                "port 22",
            )],
        ),
        (
            "a port above 65535",
            host(
                "  - name: cmp1\n    roles: [compute]\n    os: centos-6.5\n    connection:\n      port: 70000\n",
            ),
            &[(11, 13, "from 1 to 65535, found 70000", "")],
        ),
        (
            "a port by name",
            top("name: t\nrelease: havana\nconnection:\n  port: ssh\n"),
            &[(
                4,
                9,
                "expected a non-negative integer for `port`, found `ssh`",
                "",
            )],
        ),
        (
            "a hostile user name",
            top("name: t\nrelease: havana\nconnection:\n  user: root;rm\n"),
            &[(
                4,
                9,
                "`root;rm` is not a valid user name: `;` is not allowed",
                "starts with a letter or `_`",
            )],
        ),
        (
            "a hostile user name on a host",
            host(
                "  - name: cmp1\n    roles: [compute]\n    os: centos-6.5\n    connection: {user: \"$(reboot)\"}\n",
            ),
            &[(
                10,
                24,
                "`$(reboot)` is not a valid user name: `$` is not allowed",
                "",
            )],
        ),
        (
            "unknown key under connection",
            top("name: t\nrelease: havana\nconnection:\n  usr: root\n"),
            &[(
                4,
                3,
                "unknown key `usr` in `connection`",
                "did you mean `user`? valid keys here: user, port, jump, identity_file, ssh_config, known_hosts",
            )],
        ),
        (
            "unknown key under a host's connection",
            host(
                "  - name: cmp1\n    roles: [compute]\n    os: centos-6.5\n    connection:\n      prot: 22\n",
            ),
            &[(
                11,
                7,
                "unknown key `prot` in a host's `connection`",
                "did you mean `port`? valid keys here: user, port",
            )],
        ),
        (
            "a whole-cloud key under a host's connection",
            host(
                "  - name: cmp1\n    roles: [compute]\n    os: centos-6.5\n    connection:\n      jump: bastion\n",
            ),
            &[(
                11,
                7,
                "`jump` cannot be set in a host's `connection`",
                "set it in the top-level `connection:`",
            )],
        ),
        (
            "connection not a mapping",
            top("name: t\nrelease: havana\nconnection: root@bastion\n"),
            &[(3, 13, "`connection` must be a mapping", "user, port, jump")],
        ),
        (
            "a path with shell characters",
            top("name: t\nrelease: havana\nconnection:\n  identity_file: ~/.ssh/id;reboot\n"),
            &[(
                4,
                18,
                "`identity_file` is not an acceptable path: `;` is not allowed",
                "no value can run a command",
            )],
        ),
        (
            "a path with a space",
            top("name: t\nrelease: havana\nconnection:\n  ssh_config: /etc/my ssh\n"),
            &[(
                4,
                15,
                "`ssh_config` is not an acceptable path: a space is not allowed",
                "",
            )],
        ),
        (
            "a jump host with a command in it",
            top("name: t\nrelease: havana\nconnection:\n  jump: \"bastion;reboot\"\n"),
            &[(
                4,
                9,
                "`jump: bastion;reboot` is not a jump host: host `bastion;reboot`",
                "[user@]host[:port]",
            )],
        ),
        (
            "YAML syntax error",
            format!("{HEADER}  - name: ctl1\n    roles: [controller\n    os: centos-6.5\n"),
            &[(6, 7, "YAML syntax error", "")],
        ),
        (
            "not a mapping at all",
            "- a\n- b\n".to_owned(),
            &[(1, 1, "the inventory must be a mapping", "name, release")],
        ),
        (
            "empty file",
            "\n# nothing here\n".to_owned(),
            &[(1, 1, "the inventory is empty", "stackhop init")],
        ),
    ]
}

#[test]
fn every_kind_of_mistake_is_reported() {
    let mut failures = Vec::new();
    for (what, source, expected) in cases() {
        let found = errors(&source);
        let got: Vec<String> = found
            .items
            .iter()
            .map(|d| {
                format!(
                    "{}:{} {} | help: {}",
                    d.line,
                    d.column,
                    d.message,
                    d.help.as_deref().unwrap_or("")
                )
            })
            .collect();
        let matches =
            got.len() == expected.len()
                && found.items.iter().zip(expected.iter()).all(
                    |(d, (line, column, message, help))| {
                        d.line == *line
                            && d.column == *column
                            && d.message.contains(message)
                            && d.help.as_deref().is_some_and(|h| h.contains(help))
                    },
                );
        if !matches {
            failures.push(format!(
                "{what}:\n  expected {expected:?}\n  got      {got:#?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn offsets_and_lengths_are_bytes_of_the_offending_text() {
    for (what, source, _) in cases() {
        for d in errors(&source).items {
            let text = source.get(d.offset..d.offset + d.len);
            assert!(text.is_some(), "{what}: {d:?}");
            let line = source.lines().nth(d.line as usize - 1).unwrap_or("");
            assert_eq!(d.source_line, line, "{what}");
        }
    }
    let source =
        host("  - name: cmp1\n    roles: [compute]\n    os: centos-6.5\n    instances: lots\n");
    let d = &errors(&source).items[0];
    assert_eq!(&source[d.offset..d.offset + d.len], "lots");
}

/// Five unrelated mistakes, all reported in one run at their positions.
#[test]
fn five_mistakes_five_diagnostics() {
    let source = "\
name: east-1
release: havana
rpc_backend: zeromq
options:
  compute_batch: 0
hosts:
  - name: ctl1
    roles: [controller]
    os: centos-6.5
  - name: cmp[01:10]
    rols: [compute]
    roles: [compute]
    os: centos-6.5
    instances: many
  - name: cmp[08:12]
    roles: [compute]
    os: centos-6.5
";
    let found = errors(source);
    let got: Vec<(u32, u32)> = found.items.iter().map(|d| (d.line, d.column)).collect();
    assert_eq!(
        got,
        [(3, 14), (5, 18), (11, 5), (14, 16), (15, 11)],
        "{found}"
    );
    assert!(
        found.items[4]
            .message
            .contains("`cmp08` is also defined at line 10 (by `cmp[01:10]`)")
    );
}

#[test]
fn display_format() {
    let source = format!("{HEADER}  - name: ctl1\n    roles: [controler]\n    os: centos-6.5\n");
    let rendered = errors(&source).to_string();
    assert_eq!(
        rendered,
        "test.yaml:5:13: error: unknown role `controler`\n  \
         help: did you mean `controller`? roles are: controller, network, compute, storage, \
         spare, all-in-one\n    \
         5 |     roles: [controler]\n      \
         |             ^\n"
    );
}

#[test]
fn rendered_snapshots() {
    let bad_files = [
        (
            "several_mistakes",
            "name: east-1\nrelease: icehouse\nprofile: rdo\nhosts:\n  - name: cmp[001:010]\n    roles: [compute, storge]\n    os: centos 6.5\n  - name: cmp[005:012]\n    roles: [compute]\n    os: centos-6.5\n    instances: lots\n",
        ),
        (
            "ranges",
            "name: t\nrelease: havana\nhosts:\n  - name: ctl1\n    roles: [all-in-one]\n    os: centos-6.5\n  - name: cmp[1-4]\n    roles: [compute]\n    os: centos-6.5\n  - name: cmp[4:1]\n    roles: [compute]\n    os: centos-6.5\n  - name: rack[a:3]\n    roles: [compute]\n    os: centos-6.5\n",
        ),
        (
            "syntax_error",
            "name: t\nrelease: havana\nhosts:\n  - name: ctl1\n   roles: [controller]\n",
        ),
        (
            "connection_mistakes",
            "name: t\nrelease: havana\nconnection:\n  user: root;rm\n  port: 0\n  identity_flie: ~/.ssh/id\n  jump: bastion:ssh\nhosts:\n  - name: ctl1\n    roles: [controller]\n    os: centos-6.5\n    address: 10.0.0.10\n  - name: cmp[1:40]\n    roles: [compute]\n    os: centos-6.5\n    address: 10.0.0.[11:49]\n  - name: cmp41\n    roles: [compute]\n    os: centos-6.5\n    address: 10.0.0.10\n    connection:\n      known_hosts: /tmp/kh\n      port: 65536\n",
        ),
        (
            "tabs_and_unicode",
            "name: t\nrelease: havana\nhosts:\n  - name: ctl1\n    roles: [controller]\n    os: centos-6.5\n  - {name: \"nœud1\", roles: [\tcontroler], os: centos-6.5}\n",
        ),
    ];
    for (name, source) in bad_files {
        let rendered =
            stackhop_inventory::parse(source, &format!("{name}.yaml"), &common::vocabulary())
                .err()
                .map(|d| d.to_string())
                .unwrap_or_else(|| "parsed".to_owned());
        insta::assert_snapshot!(name, rendered);
    }
}
