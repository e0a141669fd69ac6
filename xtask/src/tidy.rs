//! Consistency checks across files, run as ordinary tests: things no compiler checks.

use base64::Engine;
use sha2::{Digest, Sha256};
use switchyard_shared::extension_ids::CHROMIUM_EXTENSION_ID;
use switchyard_shared::protocol::ErrorCode;

use crate::cmd::root;

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn manifest() -> serde_json::Value {
    serde_json::from_str(&read("manifest/chromium/manifest.json")).unwrap()
}

/// Chromium derives an unpacked extension's id from its manifest `key`: the first 32 hex
/// digits of the SHA-256 of the key, each digit mapped 0-f → a-p.
#[test]
fn manifest_key_gives_the_extension_id_the_host_allows() {
    let key = manifest()["key"].as_str().unwrap().to_owned();
    let der = base64::engine::general_purpose::STANDARD
        .decode(key)
        .unwrap();
    let digest = Sha256::digest(&der);
    let id: String = digest[..16]
        .iter()
        .flat_map(|byte| [byte >> 4, byte & 0xf])
        .map(|nibble| char::from(b'a' + nibble))
        .collect();
    assert_eq!(id, CHROMIUM_EXTENSION_ID);
}

#[test]
fn manifest_version_is_the_workspace_version() {
    assert_eq!(
        manifest()["version"].as_str(),
        Some(switchyard_shared::APP_VERSION)
    );
}

#[test]
fn protocol_md_documents_every_error_code() {
    let doc = read("PROTOCOL.md");
    for code in ErrorCode::ALL {
        assert!(
            doc.contains(&format!("| `{}` |", code.as_str())),
            "PROTOCOL.md has no row for {code}"
        );
    }
}

#[test]
fn every_rust_file_says_what_it_is_for() {
    let mut missing = Vec::new();
    let mut stack = vec![root()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                if !matches!(name, "target" | "node_modules" | ".git") {
                    stack.push(path);
                }
            } else if name.ends_with(".rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                if !text.starts_with("//!") {
                    missing.push(path.display().to_string());
                }
            }
        }
    }
    assert!(missing.is_empty(), "files without a //! line: {missing:?}");
}
