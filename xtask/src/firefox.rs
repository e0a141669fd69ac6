//! The Firefox manifest, derived from `manifest/chromium/manifest.json` at build time.
//!
//! One source of truth: whatever another change adds to the Chromium manifest (a page, a
//! permission, a menu) reaches Firefox too, and the only differences are the ones listed
//! here, each with its reason. A second hand-kept `manifest/firefox/manifest.json` would
//! need a test that every shared field matches, i.e. this same list, written as checks
//! instead of as the transformation.

use serde_json::{json, Map, Value};
use switchyard_shared::extension_ids::FIREFOX_EXTENSION_ID;

/// Oldest Firefox the package claims: ESR 128 is the first with
/// `scripting.executeScript({world: "MAIN"})`, which switching needs.
pub const STRICT_MIN_VERSION: &str = "128.0";

/// Top-level keys Firefox does not support (it warns about them on install) or that mean
/// something only to Chromium: `key` pins the Chromium id and has no meaning for Firefox,
/// whose id is `browser_specific_settings.gecko.id`.
const CHROMIUM_ONLY_KEYS: &[&str] = &[
    "key",
    "externally_connectable",
    "offline_enabled",
    "minimum_chrome_version",
    "side_panel",
    "update_url",
];

/// Permissions Firefox does not know (each would be an install-time warning).
const CHROMIUM_ONLY_PERMISSIONS: &[&str] = &["offscreen", "sidePanel"];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ManifestError {
    #[error("the Chromium manifest is not a JSON object")]
    NotAnObject,
    #[error("the Chromium manifest is not manifest_version 3")]
    NotV3,
    #[error(
        "the Chromium manifest already has browser_specific_settings; the Firefox build owns them"
    )]
    HasBrowserSpecificSettings,
    #[error("content_security_policy.extension_pages must allow 'wasm-unsafe-eval' (the extension is WebAssembly)")]
    NoWasmCsp,
}

/// The Firefox manifest for a Chromium one:
/// - `browser_specific_settings.gecko`: the add-on id the native host allows, the oldest
///   Firefox version, and no data collected;
/// - `background.service_worker` becomes `background.scripts` (Firefox runs extension
///   background scripts in an event page, not a service worker), keeping `type: module`;
/// - Chromium-only keys and permissions dropped;
/// - everything else as it is, so the two never drift.
pub fn firefox_manifest(chromium: &Value) -> Result<Value, ManifestError> {
    let mut manifest: Map<String, Value> = chromium
        .as_object()
        .cloned()
        .ok_or(ManifestError::NotAnObject)?;
    if manifest.get("manifest_version").and_then(Value::as_u64) != Some(3) {
        return Err(ManifestError::NotV3);
    }
    if manifest.contains_key("browser_specific_settings") {
        return Err(ManifestError::HasBrowserSpecificSettings);
    }
    let csp_ok = manifest
        .get("content_security_policy")
        .and_then(|csp| csp.get("extension_pages"))
        .and_then(Value::as_str)
        .is_some_and(|csp| csp.contains("'wasm-unsafe-eval'"));
    if !csp_ok {
        return Err(ManifestError::NoWasmCsp);
    }
    for key in CHROMIUM_ONLY_KEYS {
        manifest.remove(*key);
    }
    if let Some(Value::Array(permissions)) = manifest.get_mut("permissions") {
        permissions.retain(|p| {
            p.as_str()
                .is_none_or(|p| !CHROMIUM_ONLY_PERMISSIONS.contains(&p))
        });
    }
    if let Some(Value::Object(background)) = manifest.get_mut("background") {
        if let Some(worker) = background.remove("service_worker") {
            background.insert("scripts".to_owned(), json!([worker]));
        }
    }
    manifest.insert(
        "browser_specific_settings".to_owned(),
        json!({
            "gecko": {
                "id": FIREFOX_EXTENSION_ID,
                "strict_min_version": STRICT_MIN_VERSION,
                // Required by addons.mozilla.org for new add-ons: Switchyard sends
                // nothing to its developers.
                "data_collection_permissions": { "required": ["none"] },
            }
        }),
    );
    Ok(Value::Object(manifest))
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::cmd::root;

    fn chromium() -> Value {
        let text = std::fs::read_to_string(root().join("manifest/chromium/manifest.json"))
            .expect("manifest/chromium/manifest.json");
        serde_json::from_str(&text).expect("valid JSON")
    }

    /// The real manifest: only the listed differences, everything else identical.
    #[test]
    fn differs_from_the_chromium_manifest_only_where_firefox_needs_it() {
        let chromium = chromium();
        let firefox = firefox_manifest(&chromium).unwrap();
        let (c, f) = (chromium.as_object().unwrap(), firefox.as_object().unwrap());
        for (key, value) in c {
            match key.as_str() {
                "key" | "background" | "permissions" => {}
                _ if CHROMIUM_ONLY_KEYS.contains(&key.as_str()) => {
                    assert!(!f.contains_key(key), "{key} kept")
                }
                _ => assert_eq!(f.get(key), Some(value), "{key} differs"),
            }
        }
        assert!(!f.contains_key("key"));
        assert_eq!(
            f["browser_specific_settings"]["gecko"]["id"],
            FIREFOX_EXTENSION_ID
        );
        let worker = &c["background"]["service_worker"];
        assert_eq!(f["background"]["scripts"], json!([worker]));
        assert_eq!(f["background"].get("service_worker"), None);
        assert_eq!(f["background"]["type"], c["background"]["type"]);
        assert!(f["content_security_policy"]["extension_pages"]
            .as_str()
            .unwrap()
            .contains("'wasm-unsafe-eval'"));
        let permissions: Vec<&Value> = c["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| !CHROMIUM_ONLY_PERMISSIONS.contains(&p.as_str().unwrap()))
            .collect();
        assert_eq!(f["permissions"], json!(permissions));
        let dropped = c
            .keys()
            .filter(|k| CHROMIUM_ONLY_KEYS.contains(&k.as_str()))
            .count();
        assert_eq!(f.len(), c.len() - dropped + 1); // + browser_specific_settings
    }

    /// The extension pages' policy (both browsers: Firefox's is carried over) allows only
    /// the extension's own files: scripts (and WebAssembly) from the package, nothing from
    /// the network, no plugins, no `<base>`, no framing by a web page. Inline `style`
    /// attributes stay allowed (`style-src-attr`): the popup sizes its list's spacer and
    /// colors its chips that way; inline `<style>` and scripts do not.
    #[test]
    fn the_extension_pages_policy_is_strict() {
        let chromium = chromium();
        let firefox = firefox_manifest(&chromium).unwrap();
        for manifest in [&chromium, &firefox] {
            let csp = manifest["content_security_policy"]["extension_pages"]
                .as_str()
                .unwrap();
            let mut directives: Vec<(&str, Vec<&str>)> = csp
                .split(';')
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(|d| {
                    let mut words = d.split_whitespace();
                    (words.next().unwrap(), words.collect())
                })
                .collect();
            directives.sort();
            assert_eq!(
                directives,
                [
                    ("base-uri", vec!["'none'"]),
                    ("connect-src", vec!["'self'"]),
                    ("default-src", vec!["'self'"]),
                    ("frame-ancestors", vec!["'none'"]),
                    ("img-src", vec!["'self'"]),
                    ("object-src", vec!["'none'"]),
                    ("script-src", vec!["'self'", "'wasm-unsafe-eval'"]),
                    ("style-src", vec!["'self'"]),
                    ("style-src-attr", vec!["'unsafe-inline'"]),
                ],
                "{csp}"
            );
        }
    }

    #[test]
    fn transformation_in_full() {
        let chromium = json!({
            "manifest_version": 3,
            "name": "S",
            "key": "MIIB",
            "minimum_chrome_version": "120",
            "permissions": ["nativeMessaging", "offscreen", "contextMenus"],
            "background": { "service_worker": "background.js", "type": "module" },
            "options_page": "options.html",
            "content_security_policy": {
                "extension_pages": "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'"
            }
        });
        expect![[r#"
            {
              "background": {
                "scripts": [
                  "background.js"
                ],
                "type": "module"
              },
              "browser_specific_settings": {
                "gecko": {
                  "data_collection_permissions": {
                    "required": [
                      "none"
                    ]
                  },
                  "id": "{b59b782c-3e62-4c41-b9d4-f195cc4615a3}",
                  "strict_min_version": "128.0"
                }
              },
              "content_security_policy": {
                "extension_pages": "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'"
              },
              "manifest_version": 3,
              "name": "S",
              "options_page": "options.html",
              "permissions": [
                "nativeMessaging",
                "contextMenus"
              ]
            }"#]]
        .assert_eq(&serde_json::to_string_pretty(&firefox_manifest(&chromium).unwrap()).unwrap());
    }

    #[test]
    fn refuses_manifests_it_cannot_carry_over() {
        let csp = json!({ "extension_pages": "script-src 'self' 'wasm-unsafe-eval'" });
        let cases = [
            (json!([]), ManifestError::NotAnObject),
            (
                json!({ "manifest_version": 2, "content_security_policy": csp }),
                ManifestError::NotV3,
            ),
            (
                json!({ "manifest_version": 3, "content_security_policy": { "extension_pages": "script-src 'self'" } }),
                ManifestError::NoWasmCsp,
            ),
            (json!({ "manifest_version": 3 }), ManifestError::NoWasmCsp),
            (
                json!({ "manifest_version": 3, "content_security_policy": csp, "browser_specific_settings": {} }),
                ManifestError::HasBrowserSpecificSettings,
            ),
        ];
        for (manifest, error) in cases {
            assert_eq!(firefox_manifest(&manifest), Err(error), "{manifest}");
        }
    }
}
