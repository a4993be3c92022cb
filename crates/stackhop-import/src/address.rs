//! What a file may give as a host: an IPv4 address or a host name.

/// How a host is written in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostForm {
    Ipv4,
    Name,
}

/// What `text` is, or why it is neither an IPv4 address nor a host name.
pub(crate) fn classify(text: &str) -> Result<HostForm, String> {
    if text.contains(':') {
        return Err("IPv6 addresses are not supported; give the host's IPv4 address".to_owned());
    }
    if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return if is_ipv4(text) {
            Ok(HostForm::Ipv4)
        } else {
            Err(
                "it is not an IPv4 address: four numbers from 0 to 255, e.g. 192.168.0.10"
                    .to_owned(),
            )
        };
    }
    match stackhop_inventory::hostname::problem(text) {
        None => Ok(HostForm::Name),
        Some(problem) => Err(format!("it is not a host name: {problem}")),
    }
}

fn is_ipv4(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u16>().is_ok_and(|n| n <= 255))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_problems() {
        assert_eq!(classify("192.168.0.10"), Ok(HostForm::Ipv4));
        assert_eq!(classify("ctl1.example.com"), Ok(HostForm::Name));
        assert_eq!(classify("10.0.0.1a"), Ok(HostForm::Name));
        for bad in [
            "10.0.0.256",
            "10.0.0",
            "10..0.1",
            "cmp_1",
            "fe80::1",
            "",
            "0001.1.1.1",
        ] {
            assert!(classify(bad).is_err(), "{bad}");
        }
    }
}
