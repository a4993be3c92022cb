//! Reading what each probe printed (the catalog's `Reading`s), one function each. Every function
//! is handed the text and answers plain values; what they mean for the inventory is decided in
//! `facts.rs` and `compare.rs`.

use stackhop_catalog::REDHAT_RELEASE_MARK;
use stackhop_inventory::{Os, Version};

/// The inventory's `os:` for what `/etc/os-release` and `/etc/redhat-release` say. On the Red Hat
/// family `redhat-release` wins: it carries the minor release (`6.5`) that os-release lacks, and
/// EL6 has no os-release at all.
pub(crate) fn os(text: &str) -> Result<String, String> {
    let (os_release, redhat) = match text.split_once(REDHAT_RELEASE_MARK) {
        Some((a, b)) => (a, b.trim()),
        None => (text, ""),
    };
    if !redhat.is_empty() {
        return redhat_release(redhat);
    }
    let field = |key: &str| {
        os_release.lines().find_map(|l| {
            let value = l.trim().strip_prefix(key)?.strip_prefix('=')?;
            Some(value.trim().trim_matches(['"', '\'']).to_owned())
        })
    };
    let Some(id) = field("ID") else {
        return Err("neither /etc/os-release nor /etc/redhat-release could be read".to_owned());
    };
    let version = field("VERSION_ID").unwrap_or_default();
    let name = field("PRETTY_NAME")
        .or_else(|| field("NAME"))
        .unwrap_or_else(|| id.clone());
    let candidate = format!("{id}-{version}");
    match Os::parse(&candidate) {
        Some(os) => Ok(os.text),
        None => Err(format!(
            "the host runs {name} (ID={id}, VERSION_ID={version}), which stackhop does not know"
        )),
    }
}

/// `CentOS release 6.5 (Final)`, `CentOS Linux release 7.0.1406 (Core)`, `Red Hat Enterprise
/// Linux Server release 6.4 (Santiago)`, `Scientific Linux release 6.5 (Carbon)`, `Fedora release
/// 20 (Heisenbug)`.
fn redhat_release(line: &str) -> Result<String, String> {
    let line = line.lines().next().unwrap_or("").trim();
    let lower = line.to_ascii_lowercase();
    let family = if lower.starts_with("centos") {
        "centos"
    } else if lower.starts_with("red hat") {
        "rhel"
    } else if lower.starts_with("scientific") {
        "scientific"
    } else if lower.starts_with("fedora") {
        "fedora"
    } else {
        return Err(format!(
            "the host runs `{line}`, which stackhop does not know"
        ));
    };
    let number = lower
        .split_once(" release ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .unwrap_or("");
    let parts: Vec<&str> = number.split('.').take(2).collect();
    let version = if family == "fedora" {
        parts.first().copied().unwrap_or("").to_owned()
    } else {
        parts.join(".")
    };
    let candidate = format!("{family}-{version}");
    match Os::parse(&candidate) {
        Some(os) => Ok(os.text),
        None => Err(format!("`{line}` names no release stackhop can read")),
    }
}

/// Installed packages as `rpm -q --qf '%{NAME} %{VERSION}\n'` prints them: `(package, version)`;
/// `package P is not installed` lines are skipped.
pub(crate) fn rpm(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.starts_with("package "))
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let (name, version) = (words.next()?, words.next()?);
            words
                .next()
                .is_none()
                .then(|| (name.to_owned(), version.to_owned()))
        })
        .collect()
}

/// Installed packages as `dpkg-query -W -f '${Package} ${Version} ${db:Status-Abbrev}\n'`
/// prints them: `(package, upstream version)`. A package dpkg knows but has not installed has
/// no version and a status other than `?i`.
pub(crate) fn dpkg(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            let [name, version, status] = words.as_slice() else {
                return None;
            };
            let installed = status.as_bytes().get(1) == Some(&b'i');
            installed.then(|| (name.to_string(), upstream(version)))
        })
        .collect()
}

/// A Debian version's upstream part: no epoch (`2:`), no revision (`-1~deb12u5`).
pub(crate) fn upstream(version: &str) -> String {
    let no_epoch = version.split_once(':').map_or(version, |(_, v)| v);
    let no_revision = no_epoch.rsplit_once('-').map_or(no_epoch, |(v, _)| v);
    // `26.2.2~rc1`, `9.0.0+dfsg`: the numbers before any suffix.
    let numbers: String = no_revision
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let numbers = numbers.trim_end_matches('.');
    if numbers.is_empty() {
        no_revision.to_owned()
    } else {
        numbers.to_owned()
    }
}

/// A version that [`Version::parse`] accepts, from what a package manager printed: rpm's
/// `%{VERSION}` is already plain; anything with a suffix keeps its leading numbers.
pub(crate) fn version(text: &str) -> Option<Version> {
    Version::parse(text).or_else(|| Version::parse(&upstream(text)))
}

/// `PROJECT TARGET` lines: each project's release, from the last component of where its link
/// points (`…/releases/nova-zed` is `zed`).
pub(crate) fn code_links(text: &str) -> Vec<(String, Result<String, String>)> {
    text.lines()
        .filter_map(|l| {
            let (project, target) = l.trim().split_once(' ')?;
            let base = target
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("");
            let release = base
                .strip_prefix(project)
                .and_then(|r| r.strip_prefix('-'))
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| {
                    format!(
                        "its {project} link points to {target}, not to a {project}-RELEASE tree"
                    )
                });
            Some((project.to_owned(), release))
        })
        .collect()
}

/// A Python distribution name as pip compares them: lower case, runs of `-_.` as one `-`.
fn normalized(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// `(venv, distribution, version)` for each `…/venvs/VENV/…/NAME-VERSION.dist-info` path whose
/// NAME is one of `distributions`.
pub(crate) fn venv_dists(text: &str, distributions: &[&str]) -> Vec<(String, String, String)> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim().trim_end_matches('/');
            let (_, under) = l.split_once("/venvs/")?;
            let venv = under.split('/').next()?;
            let file = l.rsplit('/').next()?.strip_suffix(".dist-info")?;
            let (name, version) = file.rsplit_once('-')?;
            let dist = distributions
                .iter()
                .find(|d| normalized(d) == normalized(name))?;
            Some((venv.to_owned(), (*dist).to_owned(), version.to_owned()))
        })
        .collect()
}

/// What supervisord says its programs are doing.
const SUPERVISOR_STATES: &[&str] = &[
    "STOPPED", "STARTING", "RUNNING", "BACKOFF", "STOPPING", "EXITED", "FATAL", "UNKNOWN",
];

/// `(program, state)` from `supervisorctl status` (`GROUP:PROGRAM STATE …`, the group left off);
/// `Err` with what it said when no line is a program's status and it failed.
pub(crate) fn supervisor(text: &str, failed: bool) -> Result<Vec<(String, String)>, String> {
    let states: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let name = words.next()?;
            let state = words.next()?;
            SUPERVISOR_STATES.contains(&state).then(|| {
                let program = name.rsplit(':').next().unwrap_or(name);
                (program.to_owned(), state.to_owned())
            })
        })
        .collect();
    if states.is_empty() && failed {
        return Err(last_words(text, "supervisorctl status failed"));
    }
    Ok(states)
}

/// `(unit, state)` lines.
pub(crate) fn unit_states(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            Some((words.next()?.to_owned(), words.next()?.to_owned()))
        })
        .collect()
}

/// Domains `virsh list --all --name` names (it ends with an empty line).
pub(crate) fn domains(text: &str) -> u32 {
    let n = text.lines().filter(|l| !l.trim().is_empty()).count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `(host, count)` lines as `mysql -N -B` prints them.
pub(crate) fn instances_per_host(text: &str) -> Result<Vec<(String, u32)>, String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut words = l.split_whitespace();
            let host = words.next().unwrap_or("");
            let count = words.next().and_then(|c| c.parse().ok());
            match (count, words.next()) {
                (Some(count), None) => Ok((host.to_owned(), count)),
                _ => Err(format!("`{}` is not `HOST COUNT`", l.trim())),
            }
        })
        .collect()
}

/// `KEY VALUE` lines; `KEY ! WHY` when the value could not be read.
pub(crate) fn database_facts(text: &str) -> Vec<(String, Result<String, String>)> {
    text.lines()
        .filter_map(|l| {
            let (key, rest) = l.trim().split_once(' ')?;
            let rest = rest.trim();
            Some((
                key.to_owned(),
                match rest.strip_prefix('!') {
                    Some(why) => Err(why.trim().to_owned()),
                    None if rest.is_empty() || rest == "NULL" => {
                        Err("the database has nothing to count".to_owned())
                    }
                    None => Ok(rest.to_owned()),
                },
            ))
        })
        .collect()
}

/// The last line of what a failed command said, or `otherwise`.
pub(crate) fn last_words(text: &str, otherwise: &str) -> String {
    text.lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(otherwise)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os_of(os_release: &str, redhat: &str) -> Result<String, String> {
        os(&format!("{os_release}\n{REDHAT_RELEASE_MARK}\n{redhat}"))
    }

    #[test]
    fn debian_and_ubuntu_from_os_release() {
        // Debian 12's /etc/os-release, as shipped.
        let debian = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
                      VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\n\
                      ID=debian\nHOME_URL=\"https://www.debian.org/\"\n";
        assert_eq!(os_of(debian, "").as_deref(), Ok("debian-12"));
        let ubuntu = "NAME=\"Ubuntu\"\nVERSION=\"12.04.5 LTS, Precise Pangolin\"\nID=ubuntu\n\
                      ID_LIKE=debian\nPRETTY_NAME=\"Ubuntu precise (12.04.5 LTS)\"\n\
                      VERSION_ID=\"12.04\"\n";
        assert_eq!(os_of(ubuntu, "").as_deref(), Ok("ubuntu-12.04"));
        let alpine = "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n";
        let err = os_of(alpine, "").expect_err("alpine is unknown");
        assert!(
            err.contains("Alpine Linux") && err.contains("ID=alpine"),
            "{err}"
        );
        assert!(os_of("", "").is_err());
    }

    #[test]
    fn the_red_hat_family_from_redhat_release() {
        // EL6 has no os-release; EL7 has one without the minor release.
        assert_eq!(
            os_of("", "CentOS release 6.5 (Final)").as_deref(),
            Ok("centos-6.5")
        );
        let el7 = "NAME=\"CentOS Linux\"\nVERSION=\"7 (Core)\"\nID=\"centos\"\nVERSION_ID=\"7\"\n";
        assert_eq!(
            os_of(el7, "CentOS Linux release 7.0.1406 (Core)").as_deref(),
            Ok("centos-7.0")
        );
        assert_eq!(
            os_of("", "Red Hat Enterprise Linux Server release 6.4 (Santiago)").as_deref(),
            Ok("rhel-6.4")
        );
        assert_eq!(
            os_of("", "Scientific Linux release 6.5 (Carbon)").as_deref(),
            Ok("scientific-6.5")
        );
        assert_eq!(
            os_of("", "Fedora release 20 (Heisenbug)").as_deref(),
            Ok("fedora-20")
        );
        assert!(os_of("", "Oracle Linux Server release 6.5").is_err());
    }

    #[test]
    fn rpm_query_output() {
        // rpm -q --qf '%{NAME} %{VERSION}\n' on an RDO Havana compute.
        let text = "package openstack-keystone is not installed\n\
                    openstack-nova-common 2013.2.3\n\
                    package openstack-glance is not installed\n";
        assert_eq!(
            rpm(text),
            vec![("openstack-nova-common".to_owned(), "2013.2.3".to_owned())]
        );
    }

    #[test]
    fn dpkg_query_output() {
        // What the lab's machine says (Debian bookworm's Zed), and a package dpkg knows only
        // as removed.
        let text = "python3-nova 2:26.2.2-1~deb12u5 ii \npython3-placement 8.0.0-2 ii \n\
                    python3-glance  un \n";
        assert_eq!(
            dpkg(text),
            vec![
                ("python3-nova".to_owned(), "26.2.2".to_owned()),
                ("python3-placement".to_owned(), "8.0.0".to_owned()),
            ]
        );
        assert_eq!(upstream("1:9.0.0+dfsg-1"), "9.0.0");
        assert_eq!(upstream("27.0.0~rc1-1"), "27.0.0");
        assert_eq!(version("2013.2.3").map(|v| v.parts), Some(vec![2013, 2, 3]));
    }

    #[test]
    fn code_links_name_their_release() {
        let text = "placement /opt/stackhop-lab/releases/placement-zed\n\
                    nova /opt/stackhop-lab/releases/nova-2023.1\n\
                    nova-extra /somewhere/else\n";
        let links = code_links(text);
        assert_eq!(links[0], ("placement".to_owned(), Ok("zed".to_owned())));
        assert_eq!(links[1], ("nova".to_owned(), Ok("2023.1".to_owned())));
        assert!(links[2].1.is_err());
    }

    #[test]
    fn dist_info_directories_of_the_venvs() {
        let text = "/opt/stackhop-lab/venvs/nova-2023.1/lib/python3.11/site-packages/\
                    nova-27.5.1.dist-info\n\
                    /opt/stackhop-lab/venvs/placement-2023.1/lib/python3.11/site-packages/\
                    openstack_placement-9.0.0.dist-info\n\
                    /opt/x/venvs/nova-2023.1/lib/python3.11/site-packages/novaclient-18.3.0.dist-info\n";
        assert_eq!(
            venv_dists(text, &["nova", "openstack-placement"]),
            vec![
                (
                    "nova-2023.1".to_owned(),
                    "nova".to_owned(),
                    "27.5.1".to_owned()
                ),
                (
                    "placement-2023.1".to_owned(),
                    "openstack-placement".to_owned(),
                    "9.0.0".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn supervisorctl_status_output() {
        // The lab's ctl after up.sh (infra programs have no group).
        let text = "epmd                             RUNNING   pid 1201, uptime 0:05:12\n\
                    mariadb                          RUNNING   pid 1202, uptime 0:05:12\n\
                    nova-ctl:nova-api-ctl            RUNNING   pid 2301, uptime 0:02:01\n\
                    nova-ctl:nova-conductor-ctl      STOPPED   Dec 05 06:42 PM\n\
                    placement-ctl:placement-api-ctl  FATAL     Exited too quickly (process log may have details)\n";
        let states = supervisor(text, true).expect("status lines");
        assert_eq!(states.len(), 5);
        assert_eq!(states[2], ("nova-api-ctl".to_owned(), "RUNNING".to_owned()));
        assert_eq!(states[3].1, "STOPPED");
        assert_eq!(states[4].1, "FATAL");
        let down = "unix:///opt/stackhop-lab/hosts/ctl/run/supervisor.sock no such file\n";
        assert_eq!(supervisor(down, true), Err(down.trim().to_owned()));
        assert_eq!(supervisor("", false), Ok(Vec::new()));
    }

    #[test]
    fn unit_states_domains_and_counts() {
        assert_eq!(
            unit_states("openstack-nova-api active\nhttpd inactive\n"),
            vec![
                ("openstack-nova-api".to_owned(), "active".to_owned()),
                ("httpd".to_owned(), "inactive".to_owned())
            ]
        );
        // `virsh list --all --name` ends with an empty line.
        assert_eq!(domains("instance-0000000a\ninstance-0000000c\n\n"), 2);
        assert_eq!(domains("\n"), 0);
        assert_eq!(
            instances_per_host("cmp1\t1\ncmp3\t2\n"),
            Ok(vec![("cmp1".to_owned(), 1), ("cmp3".to_owned(), 2)])
        );
        assert!(instances_per_host("ERROR 1146 (42S02) at line 1\n").is_err());
    }

    #[test]
    fn database_fact_lines() {
        let text = "nova_instances 3\nkeystone_tokens ! ERROR 1146 (42S02): Table \
                    'keystone.token' doesn't exist\nglance_tables_utf8 NULL\nsize_gb 0.012\n";
        let facts = database_facts(text);
        assert_eq!(facts[0], ("nova_instances".to_owned(), Ok("3".to_owned())));
        assert!(facts[1].1.as_ref().is_err_and(|e| e.contains("1146")));
        assert!(facts[2].1.is_err());
        assert_eq!(facts[3].1.as_deref(), Ok("0.012"));
    }
}
