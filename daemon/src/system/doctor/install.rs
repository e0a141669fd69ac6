//! Doctor's checks of what `switchyard install` sets up: the two binaries side by side at
//! one version, and each browser's host manifest (present, pointing at that host,
//! allowing Switchyard's extension id).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use switchyard_shared::extension_ids::HOST_NAME;

use super::Check;
use crate::system::install::{manifest_json, Browser};

/// The host binary's name; it sits beside `switchyard`.
pub const HOST_BIN: &str = "switchyard-host";

/// How long `switchyard-host --version` may take.
const VERSION_TIMEOUT: Duration = Duration::from_secs(5);

/// A browser's name as the CLI spells it (`--browser chromium`).
pub fn browser_name(browser: Browser) -> String {
    clap::ValueEnum::to_possible_value(&browser)
        .map(|v| v.get_name().to_owned())
        .unwrap_or_else(|| format!("{browser:?}").to_lowercase())
}

/// Ask a host binary its version (`switchyard-host --version` prints
/// `switchyard-host X.Y.Z`).
pub fn host_version(host: &Path) -> Result<String, String> {
    let mut child = Command::new(host)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run it: {e}"))?;
    let deadline = Instant::now() + VERSION_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("it did not answer --version in time".to_owned());
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .strip_prefix("switchyard-host ")
        .map(str::to_owned)
        .ok_or_else(|| "it does not say its version (an old or foreign binary?)".to_owned())
}

/// `switchyard` itself, and `switchyard-host` beside it at the same version.
pub fn binaries(exe: &Path, host_version: Result<String, String>, expected: &str) -> [Check; 2] {
    let host = exe.with_file_name(HOST_BIN);
    let me = Check::ok("switchyard", format!("{expected} at {}", exe.display()));
    let reinstall = format!(
        "install switchyard and switchyard-host from the same release, side by side in {}",
        exe.parent().unwrap_or(Path::new("/")).display()
    );
    let host_check = if !host.is_file() {
        Check::fail(
            HOST_BIN,
            format!("missing: no {} beside switchyard", host.display()),
            reinstall,
        )
    } else {
        match host_version {
            Ok(v) if v == expected => Check::ok(HOST_BIN, format!("{v} at {}", host.display())),
            Ok(v) => Check::fail(
                HOST_BIN,
                format!(
                    "{} is version {v}, switchyard is {expected}",
                    host.display()
                ),
                reinstall,
            ),
            Err(why) => Check::fail(HOST_BIN, format!("{}: {why}", host.display()), reinstall),
        }
    };
    [me, host_check]
}

/// Where a manifest's `path` really leads (symlinks resolved when it exists).
fn resolved(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
}

/// One browser's host manifest: present and pointing at `expected_host`, then the
/// extension id it allows. `fix` is the install command for this browser.
pub fn manifest(
    browser: Browser,
    manifest_path: &Path,
    expected_host: &Path,
    fix: &str,
) -> [Check; 2] {
    let label = browser_name(browser);
    let name = format!("host manifest [{label}]");
    let id_name = format!("extension id [{label}]");
    let skip_id = || Check::skip(id_name.clone(), "needs the manifest");
    let text = match std::fs::read_to_string(manifest_path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return [
                Check::fail(name, format!("missing: {}", manifest_path.display()), fix),
                skip_id(),
            ]
        }
        Err(e) => {
            return [
                Check::fail(name, format!("{}: {e}", manifest_path.display()), fix),
                skip_id(),
            ]
        }
    };
    let found: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            return [
                Check::fail(
                    name,
                    format!("{} is not valid JSON: {e}", manifest_path.display()),
                    fix,
                ),
                skip_id(),
            ]
        }
    };
    let expected = manifest_json(browser, expected_host);
    let manifest_check = if found["name"] != HOST_NAME {
        Check::fail(
            name,
            format!(
                "{} names host {}, not {HOST_NAME}",
                manifest_path.display(),
                found["name"]
            ),
            fix,
        )
    } else {
        match found["path"].as_str() {
            None => Check::fail(
                name,
                format!("{} has no host path", manifest_path.display()),
                fix,
            ),
            Some(path) if resolved(Path::new(path)) == resolved(expected_host) => {
                Check::ok(name, format!("{} → {path}", manifest_path.display()))
            }
            Some(path) if !Path::new(path).is_file() => Check::fail(
                name,
                format!(
                    "{} points at {path}, which does not exist",
                    manifest_path.display()
                ),
                fix,
            ),
            Some(path) => Check::warn(
                name,
                format!(
                    "{} points at {path}, not at {} beside this switchyard",
                    manifest_path.display(),
                    expected_host.display()
                ),
                fix,
            ),
        }
    };
    let key = if expected.get("allowed_extensions").is_some() {
        "allowed_extensions"
    } else {
        "allowed_origins"
    };
    let wanted = expected[key][0].as_str().unwrap_or_default().to_owned();
    let allows = found[key]
        .as_array()
        .is_some_and(|list| list.iter().any(|v| v.as_str() == Some(wanted.as_str())));
    let id_check = if allows {
        Check::ok(id_name, format!("{key} has {wanted}"))
    } else {
        Check::fail(
            id_name,
            format!("{key} in {} lacks {wanted}", manifest_path.display()),
            fix,
        )
    };
    [manifest_check, id_check]
}
