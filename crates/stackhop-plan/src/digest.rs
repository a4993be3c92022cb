use sha2::{Digest, Sha256};

/// The digest of everything a plan is made from: the inventory text (options included), the
/// catalog's version and the scenario. A plan whose digest no longer matches its inputs is stale.
pub fn digest(inventory_source: &str, catalog_version: &str, scenario: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [inventory_source, catalog_version, scenario] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let bytes = hasher.finalize();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}
