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

// The layout's invariants (ARCHITECTURE.md, "Architecture invariants"). Each reads the
// source as text: comments and string literals are left out, so a doc line naming another
// layer, or a log filter naming a crate, is not a dependency.

/// Every `.rs` file under `dir` (relative to the root), with its code: the text without
/// comments and without the contents of string literals.
fn rust_code(dir: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut stack = vec![root().join(dir)];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let name = path.strip_prefix(root()).unwrap().display().to_string();
                found.push((name, code_of(&text)));
            }
        }
    }
    found.sort();
    found
}

/// `text` without `//` comments and with each string literal emptied (`"…"` → `""`). Good
/// enough for our own sources: raw strings are treated as plain ones.
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_string = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if in_string {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '"' => {
                        in_string = false;
                        out.push('"');
                    }
                    _ => {}
                }
            } else if c == '/' && chars.peek() == Some(&'/') {
                break;
            } else if c == '"' {
                in_string = true;
                out.push('"');
            } else if c == '\'' {
                // A char literal such as '"' must not open a string.
                out.push(c);
                let rest: String = chars.clone().take(3).collect();
                let literal = if rest.starts_with("\"'") {
                    2
                } else if rest.starts_with("\\\"'") {
                    3
                } else {
                    0
                };
                for _ in 0..literal {
                    out.extend(chars.next());
                }
            } else {
                out.push(c);
            }
        }
        out.push('\n');
    }
    out
}

/// Whether `code` names `word` as a path segment (`word::…`, or a `use` of it).
fn names(code: &str, word: &str) -> bool {
    code.match_indices(word).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = &code[at + word.len()..];
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && (after.starts_with("::") || after.starts_with(';') || after.starts_with(" as "))
    })
}

/// The files under `dir` whose code names one of `words`, skipping paths that start with
/// one of `allowed`.
fn offenders(dir: &str, words: &[&str], allowed: &[&str]) -> Vec<String> {
    rust_code(dir)
        .into_iter()
        .filter(|(path, _)| !allowed.iter().any(|a| path.starts_with(a)))
        .filter_map(|(path, code)| {
            let named: Vec<&str> = words.iter().copied().filter(|w| names(&code, w)).collect();
            (!named.is_empty()).then(|| format!("{path} ({})", named.join(", ")))
        })
        .collect()
}

#[test]
fn the_code_of_a_line_leaves_out_comments_and_strings() {
    let code = code_of("use a::b; // c::d\nlet s = \"e::f\\\"g::h\"; let q = '\"'; x::y\n");
    assert_eq!(code, "use a::b; \nlet s = \"\"; let q = '\"'; x::y\n");
    assert!(names("use axum::Router;", "axum"));
    assert!(!names("let laxum::x = 1;", "axum"));
    assert!(!names("axumish", "axum"));
}

/// **Invariant:** `extension/src/view` has no web-sys: the view models are plain Rust,
/// tested natively; the browser layer beside them reads and draws the DOM.
#[test]
fn view_models_know_nothing_of_the_browser() {
    let found = offenders(
        "extension/src/view",
        &["web_sys", "js_sys", "wasm_bindgen", "wasm_bindgen_futures"],
        &[],
    );
    assert!(found.is_empty(), "browser APIs in view models: {found:?}");
}

/// **Invariant:** `shared` does no I/O, starts no runtime and knows nothing of the browser,
/// so it builds for wasm32 and the host alike.
#[test]
fn shared_does_no_io() {
    let found = offenders(
        "shared/src",
        // `std::net` is allowed: the policy engine uses its IP address types, no socket.
        &[
            "std::fs",
            "std::process",
            "std::env",
            "std::io",
            "tokio",
            "wasm_bindgen",
            "web_sys",
            "js_sys",
        ],
        &[],
    );
    assert!(found.is_empty(), "I/O in shared: {found:?}");
}

/// **Invariant:** `shared::protocol` depends on nothing else in `shared`: the domain rules
/// use the wire types, never the other way round.
#[test]
fn the_protocol_depends_on_no_domain_module() {
    let found: Vec<String> = rust_code("shared/src/protocol")
        .into_iter()
        .filter(|(_, code)| {
            code.match_indices("crate::").any(|(at, _)| {
                let rest = &code[at + "crate::".len()..];
                !(rest.starts_with("protocol") || rest.starts_with("APP_VERSION"))
            })
        })
        .map(|(path, _)| path)
        .collect();
    assert!(
        found.is_empty(),
        "protocol files using domain modules: {found:?}"
    );
}

/// **Invariant:** only `daemon/src/aws/` knows the AWS SDK; services pass its
/// `SdkConfig` back to it by the name `aws::SdkConfig`.
#[test]
fn only_the_aws_layer_knows_the_sdk() {
    let sdk = [
        "aws_config",
        "aws_credential_types",
        "aws_sdk_sts",
        "aws_sdk_iam",
        "aws_sdk_organizations",
        "aws_sdk_sso",
        "aws_sdk_ssooidc",
        "aws_sdk_ssoadmin",
        "aws_sdk_identitystore",
        "aws_smithy_types",
        "aws_smithy_runtime_api",
        "aws_types",
    ];
    let found = offenders("daemon/src", &sdk, &["daemon/src/aws/"]);
    assert!(
        found.is_empty(),
        "the AWS SDK outside daemon/src/aws: {found:?}"
    );
}

/// **Invariant:** only `daemon/src/transport/` knows the local HTTP (axum, hyper's server
/// and client on the socket); `aws/` may speak HTTPS to AWS's own endpoints.
#[test]
fn only_the_transport_knows_http() {
    let found = offenders("daemon/src", &["axum", "tower"], &["daemon/src/transport/"]);
    assert!(found.is_empty(), "axum outside the transport: {found:?}");
    let found = offenders(
        "daemon/src",
        &["hyper", "hyper_util", "http_body_util", "hyper_rustls"],
        &["daemon/src/transport/", "daemon/src/aws/"],
    );
    assert!(
        found.is_empty(),
        "HTTP outside transport/ and aws/: {found:?}"
    );
}

/// **Invariant:** the daemon's layers depend downwards only: the transport calls services,
/// services call `aws` and `system`; `aws` and `system` never call up, and neither does a
/// service call the transport.
#[test]
fn the_daemons_layers_depend_downwards() {
    let rules = [
        (
            "daemon/src/aws",
            &["crate::services", "crate::transport"][..],
        ),
        (
            "daemon/src/system",
            &["crate::services", "crate::transport"][..],
        ),
        ("daemon/src/services", &["crate::transport"][..]),
    ];
    for (dir, above) in rules {
        let found = offenders(dir, above, &[]);
        assert!(
            found.is_empty(),
            "{dir} depends on a layer above it: {found:?}"
        );
    }
}

/// The sibling modules each file of `dir` names (`crate::{prefix}NAME`), by file stem
/// (`mod.rs` counts as its folder).
fn module_graph(dir: &str, prefix: &str) -> Vec<(String, Vec<String>)> {
    rust_code(dir)
        .into_iter()
        .map(|(path, code)| {
            let relative = path.strip_prefix(dir).unwrap().trim_start_matches('/');
            let node = relative.split(['/', '.']).next().unwrap().to_owned();
            let mut edges: Vec<String> = code
                .match_indices(prefix)
                .filter_map(|(at, _)| {
                    let rest = &code[at + prefix.len()..];
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    (!name.is_empty() && name != node).then_some(name)
                })
                .collect();
            edges.sort();
            edges.dedup();
            (node, edges)
        })
        .collect()
}

/// The siblings each file of `dir` names as `super::NAME`, in the order of
/// [`module_graph`]; only files directly in `dir` count (deeper, `super` is their folder).
fn sibling_edges(dir: &str) -> Vec<(String, Vec<String>)> {
    module_graph(dir, "super::")
        .into_iter()
        .zip(rust_code(dir))
        .map(|((node, edges), (path, _))| {
            let top = !path
                .strip_prefix(dir)
                .unwrap()
                .trim_start_matches('/')
                .contains('/');
            (node, if top { edges } else { Vec::new() })
        })
        .collect()
}

/// Pairs of modules that import each other.
fn circles(graph: &[(String, Vec<String>)]) -> Vec<String> {
    let uses = |a: &str, b: &str| {
        graph
            .iter()
            .any(|(n, e)| n == a && e.iter().any(|x| x == b))
    };
    let mut found = Vec::new();
    for (node, edges) in graph {
        for edge in edges {
            if node < edge && uses(edge, node) {
                found.push(format!("{node} ⇄ {edge}"));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// **Invariant:** no two modules import each other, in any crate's top level or any of
/// the daemon's layers (a circle means one of them is in the wrong room).
#[test]
fn no_two_modules_import_each_other() {
    let graphs = [
        ("shared/src", "crate::"),
        ("extension/src", "crate::"),
        ("extension/src/view", "super::"),
        ("xtask/src", "crate::"),
        ("daemon/src/cli", "crate::cli::"),
        ("daemon/src/transport", "crate::transport::"),
        ("daemon/src/services", "crate::services::"),
        ("daemon/src/aws", "crate::aws::"),
        ("daemon/src/system", "crate::system::"),
    ];
    for (dir, prefix) in graphs {
        let mut graph = module_graph(dir, prefix);
        if dir.starts_with("daemon/src/") {
            // A layer's files also reach their siblings as `super::NAME`.
            for ((_, edges), (_, more)) in graph.iter_mut().zip(sibling_edges(dir)) {
                edges.extend(more);
                edges.sort();
                edges.dedup();
            }
        }
        let found = circles(&graph);
        assert!(
            found.is_empty(),
            "{dir}: modules importing each other: {found:?}"
        );
    }
}

/// Names that say nothing about what a module holds.
#[test]
fn no_module_is_a_junk_drawer() {
    let vague = ["utils", "util", "common", "misc", "helpers", "stuff"];
    let found: Vec<String> = ["shared", "daemon", "extension", "xtask", "testkit"]
        .iter()
        .flat_map(|dir| rust_code(dir))
        .map(|(path, _)| path)
        .filter(|path| path.split(['/', '.']).any(|part| vague.contains(&part)))
        .collect();
    assert!(found.is_empty(), "vague module names: {found:?}");
}
