//! Where SSH connects: an IP address or a DNS name, and never text a shell would read.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::hostname;

/// Why `text` is neither an IP address nor a DNS name, or `None` when it is one of them.
pub(crate) fn problem(text: &str) -> Option<&'static str> {
    if text.contains(':') {
        return text
            .parse::<Ipv6Addr>()
            .err()
            .map(|_| "it is not a valid IPv6 address");
    }
    // Dotted numbers are meant as IPv4: `10.0.0.256` is a typo, not a host name.
    let dotted_numbers = !text.is_empty()
        && text
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
    if dotted_numbers {
        return text.parse::<Ipv4Addr>().err().map(
            |_| "it is not a valid IPv4 address: four numbers from 0 to 255, without leading zeros",
        );
    }
    hostname::problem(text)
}

/// The form in which two addresses are the same machine: an IP in its canonical spelling, a
/// name in lower case.
pub(crate) fn key(text: &str) -> String {
    match text.parse::<IpAddr>() {
        Ok(ip) => ip.to_string(),
        Err(_) => text.to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::{key, problem};

    #[test]
    fn addresses_and_names() {
        for good in [
            "10.0.0.11",
            "::1",
            "fd00::11",
            "cmp1",
            "cmp1.east.example.com",
            "1node",
        ] {
            assert_eq!(problem(good), None, "{good}");
        }
        for bad in [
            "10.0.0.256",
            "10.0.0",
            "10.0.0.011",
            "fd00:::1",
            "cmp 1",
            "root;rm",
            "$(reboot)",
            "",
        ] {
            assert!(problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn the_same_machine_spelt_twice() {
        assert_eq!(key("fd00:0:0::11"), key("fd00::11"));
        assert_eq!(key("CMP1.example.com"), key("cmp1.example.com"));
        assert_ne!(key("10.0.0.1"), key("10.0.0.10"));
    }
}
