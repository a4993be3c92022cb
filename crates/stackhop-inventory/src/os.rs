//! Operating system strings such as `centos-6.5`.

use std::fmt;

use serde::Serialize;

word_enum! {
    /// The distribution a host runs.
    pub enum OsFamily {
        Centos => "centos",
        Rhel => "rhel",
        Scientific => "scientific",
        Fedora => "fedora",
        Debian => "debian",
        Ubuntu => "ubuntu",
    }
}

/// Examples of what `os:` accepts, for help messages.
pub const ACCEPTED_OS_FORMS: &[&str] = &[
    "centos-6.5",
    "rhel-6.4",
    "scientific-6.5",
    "fedora-19",
    "fedora-20",
    "centos-7.0",
    "debian-12",
    "ubuntu-12.04",
];

/// A host's operating system: family and release number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Os {
    pub family: OsFamily,
    pub major: u32,
    pub minor: Option<u32>,
    /// As written in the inventory.
    pub text: String,
}

impl Os {
    /// Parses `FAMILY-MAJOR[.MINOR]`, e.g. `centos-6.5`, `fedora-20`, `ubuntu-12.04`.
    #[must_use]
    pub fn parse(text: &str) -> Option<Os> {
        let (family, version) = text.split_once('-')?;
        let family = OsFamily::from_name(family)?;
        let (major, minor) = match version.split_once('.') {
            Some((major, minor)) => (number(major)?, Some(number(minor)?)),
            None => (number(version)?, None),
        };
        Some(Os {
            family,
            major,
            minor,
            text: text.to_owned(),
        })
    }

    /// A spelling of `text` that [`Os::parse`] accepts, when the operator was close
    /// (`CentOS 6.5` -> `centos-6.5`).
    #[must_use]
    pub fn suggest(text: &str) -> Option<String> {
        let lowered = text.trim().to_ascii_lowercase();
        let candidate = match lowered.find(|c: char| c.is_ascii_digit()) {
            Some(i) => {
                let (name, version) = lowered.split_at(i);
                let name = name.trim_end_matches([' ', '-', '_']);
                let name = match name {
                    "red hat" | "redhat" | "red hat enterprise linux" => "rhel",
                    "scientific linux" | "sl" => "scientific",
                    other => other,
                };
                format!("{name}-{version}")
            }
            None => lowered,
        };
        (candidate != text && Os::parse(&candidate).is_some()).then_some(candidate)
    }
}

impl fmt::Display for Os {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn number(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms_parse() {
        for form in ACCEPTED_OS_FORMS {
            let os = Os::parse(form).unwrap_or_else(|| panic!("{form}"));
            assert_eq!(os.text, *form);
        }
        let os = Os::parse("ubuntu-12.04");
        assert_eq!(
            os.map(|o| (o.family, o.major, o.minor)),
            Some((OsFamily::Ubuntu, 12, Some(4)))
        );
        assert_eq!(Os::parse("fedora-20").and_then(|o| o.minor), None);
    }

    #[test]
    fn rejects_and_suggests() {
        for bad in [
            "centos",
            "centos-",
            "centos-6.",
            "centos-6.5.1",
            "CentOS-6.5",
            "windows-10",
        ] {
            assert_eq!(Os::parse(bad), None, "{bad}");
        }
        assert_eq!(Os::suggest("CentOS 6.5").as_deref(), Some("centos-6.5"));
        assert_eq!(Os::suggest("Red Hat 6.4").as_deref(), Some("rhel-6.4"));
        assert_eq!(Os::suggest("centos6.5").as_deref(), Some("centos-6.5"));
        assert_eq!(Os::suggest("windows 10"), None);
        assert_eq!(Os::suggest("centos-6.5"), None);
    }
}
