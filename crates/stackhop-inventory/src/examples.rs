//! Built-in example inventories, for `stackhop init --example NAME` and `--example NAME`.
//! Diagnostics for them use the file name `example:NAME`.

/// The example names: Havana clouds smallest first, then Zed ones.
pub const NAMES: &[&str] = &["allinone", "small", "medium", "large", "lab", "zed"];

/// The YAML text of an example.
#[must_use]
pub fn source(name: &str) -> Option<&'static str> {
    match name {
        "allinone" => Some(include_str!("../examples-data/allinone.yaml")),
        "small" => Some(include_str!("../examples-data/small.yaml")),
        "medium" => Some(include_str!("../examples-data/medium.yaml")),
        "large" => Some(include_str!("../examples-data/large.yaml")),
        "lab" => Some(include_str!("../examples-data/lab.yaml")),
        "zed" => Some(include_str!("../examples-data/zed.yaml")),
        _ => None,
    }
}

/// The file name to give [`crate::parse`] for an example.
#[must_use]
pub fn file_name(name: &str) -> String {
    format!("example:{name}")
}
