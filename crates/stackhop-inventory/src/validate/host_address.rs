//! A host entry's `address:`: expanded in step with its name, checked, and never shared by two
//! hosts.

use std::collections::HashMap;

use crate::diagnostic::{Mark, Sink};
use crate::yaml::Entry;
use crate::{address, range};

use super::MAX_HOSTS;
use super::read;

const RANGE_HELP: &str = "give each host its own address with a range as long as the name's, \
                          e.g. `name: cmp[1:40]` with `address: 10.0.0.[11:50]`, or leave \
                          `address` out to connect to the host names";

/// The entry's name as written and how many hosts it stands for, when it could be read.
#[derive(Clone, Copy)]
pub(super) struct Named<'a> {
    pub(super) raw: &'a str,
    pub(super) count: usize,
}

/// The addresses of an entry's hosts, in the order of its names.
pub(super) fn addresses(
    sink: &mut Sink<'_>,
    entry: &Entry,
    named: Option<Named<'_>>,
) -> Option<Vec<String>> {
    let raw = read::text(sink, entry)?;
    let mark = entry.value.mark;
    let expanded = if range::is_range(raw) {
        ranged(sink, raw, mark, named)?
    } else {
        if let Some(named) = named.filter(|n| n.count > 1) {
            sink.error(
                mark,
                format!(
                    "`{}` stands for {} hosts, but `address: {raw}` is a single address",
                    named.raw, named.count
                ),
                Some(RANGE_HELP.to_owned()),
            );
            return None;
        }
        vec![raw.to_owned()]
    };
    if let Some((bad, problem)) = expanded
        .iter()
        .find_map(|a| address::problem(a).map(|p| (a, p)))
    {
        let message = if range::is_range(raw) {
            format!(
                "address `{raw}` expands to `{bad}`, which is not an IP address or DNS name: {problem}"
            )
        } else {
            format!("`{raw}` is not an IP address or DNS name: {problem}")
        };
        sink.error(
            mark,
            message,
            Some(
                "write an IPv4 or IPv6 address (IPv6 without brackets), or a DNS name of \
                 letters, digits and `-` with `.` between its parts"
                    .to_owned(),
            ),
        );
        return None;
    }
    Some(expanded)
}

fn ranged(
    sink: &mut Sink<'_>,
    raw: &str,
    mark: Mark,
    named: Option<Named<'_>>,
) -> Option<Vec<String>> {
    let count = match range::count(raw) {
        Ok(count) => count,
        Err(error) => {
            let bracketed_ipv6 = raw
                .strip_prefix('[')
                .and_then(|r| r.strip_suffix(']'))
                .filter(|inner| inner.parse::<std::net::Ipv6Addr>().is_ok());
            let help = match bracketed_ipv6 {
                Some(inner) => format!("write the IPv6 address without brackets: `{inner}`"),
                None => error.help(),
            };
            sink.error(mark, format!("address `{raw}`: {error}"), Some(help));
            return None;
        }
    };
    // Without a readable name (reported already) only the addresses themselves are judged.
    if let Some(named) = named
        && usize::try_from(count).ok() != Some(named.count)
    {
        sink.error(
            mark,
            format!(
                "address `{raw}` stands for {count} address{}, but `{}` stands for {} host{}",
                if count == 1 { "" } else { "es" },
                named.raw,
                named.count,
                plural(named.count)
            ),
            Some(
                "make the address range as long as the name's: the n-th host gets the n-th \
                 address"
                    .to_owned(),
            ),
        );
        return None;
    }
    match range::expand(raw, MAX_HOSTS) {
        Ok(expanded) => Some(expanded),
        Err(error) => {
            sink.error(
                mark,
                format!("address `{raw}`: {error}"),
                Some(error.help()),
            );
            None
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Which host first claimed an address.
struct Claim {
    host: String,
    line: u32,
    /// Written as `address:`, not the host's name standing in for it.
    explicit: bool,
}

/// The addresses claimed so far, to report two hosts that would be one machine.
#[derive(Default)]
pub(super) struct Claims {
    first: HashMap<String, Claim>,
}

impl Claims {
    /// Claims each (host, address) of an entry; reports its first clash with an earlier host
    /// at `mark`. Two hosts whose names stand in for their addresses are left to the duplicate
    /// name check.
    pub(super) fn claim(
        &mut self,
        sink: &mut Sink<'_>,
        hosts: &[(&str, &str)],
        explicit: bool,
        mark: Mark,
        line: u32,
    ) {
        let mut clash: Option<(String, String, String, u32)> = None;
        let mut clashes = 0_usize;
        for &(host, address) in hosts {
            let key = address::key(address);
            match self.first.get(&key) {
                Some(first) if first.explicit || explicit => {
                    clashes += 1;
                    clash.get_or_insert_with(|| {
                        (
                            host.to_owned(),
                            address.to_owned(),
                            first.host.clone(),
                            first.line,
                        )
                    });
                }
                Some(_) => {}
                None => {
                    self.first.insert(
                        key,
                        Claim {
                            host: host.to_owned(),
                            line,
                            explicit,
                        },
                    );
                }
            }
        }
        let Some((host, address, other, other_line)) = clash else {
            return;
        };
        let help = if clashes > 1 {
            format!(
                "{clashes} hosts of this entry have addresses of hosts defined before; each \
                 host must be a machine of its own"
            )
        } else {
            "each host must be a machine of its own: fix the address, or remove the host \
             defined twice"
                .to_owned()
        };
        sink.error(
            mark,
            format!(
                "host `{host}` has the address `{address}` of host `{other}` (line {other_line})"
            ),
            Some(help),
        );
    }
}
