//! Integration: `switchyard credentials` against a real Secret Service (gnome-keyring in a
//! private D-Bus session, with a throwaway HOME), never the user's own keyring.

mod support;

use std::path::Path;
use std::process::Output;

use support::{switchyard_with, Sandbox};

const ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn credentials_live_in_the_keyring_and_nowhere_else() {
    let keyring = Sandbox::start();
    let add = keyring.switchyard(
        &[
            "credentials",
            "add",
            "--profile",
            "work",
            "--access-key-id",
            ID,
        ],
        Some(&format!("{SECRET}\n")),
    );
    assert!(add.status.success(), "{}", text(&add));
    assert!(text(&add).contains("AKIA…MPLE"), "{}", text(&add));
    assert!(!text(&add).contains(SECRET));

    // The real Secret Service holds it.
    assert!(keyring.secret_tool_search().contains(SECRET));
    // The config file has the profile and no secret.
    let config = std::fs::read_to_string(keyring.home().join("config/config.toml")).unwrap();
    assert!(config.contains("[profiles.work]"), "{config}");
    assert!(!config.contains(SECRET) && !config.contains(ID), "{config}");

    let list = keyring.switchyard(&["credentials", "list", "--json"], None);
    let reply: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(reply["status"], "ok", "the envelope, as every --json");
    let rows = &reply["data"]["profiles"];
    assert_eq!(rows[0]["profile"], "work");
    assert_eq!(rows[0]["access_key_id"], "AKIA…MPLE");
    assert!(!text(&list).contains(SECRET));

    // Removing needs the name typed back.
    let refused = keyring.switchyard(&["credentials", "remove", "work"], None);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("--confirm work"),
        "{}",
        text(&refused)
    );
    let wrong = keyring.switchyard(
        &["credentials", "remove", "work", "--confirm", "wrok"],
        None,
    );
    assert!(!wrong.status.success());
    assert!(
        keyring.secret_tool_search().contains(SECRET),
        "nothing lost"
    );

    let removed = keyring.switchyard(
        &["credentials", "remove", "work", "--confirm", "work"],
        None,
    );
    assert!(removed.status.success(), "{}", text(&removed));
    assert!(!keyring.secret_tool_search().contains(SECRET));
}

#[test]
fn credentials_can_come_from_the_aws_credentials_file() {
    let keyring = Sandbox::start();
    std::fs::write(
        keyring.home().join("aws-credentials"),
        format!("[old]\naws_access_key_id = {ID}\naws_secret_access_key = {SECRET}\n"),
    )
    .unwrap();
    let add = keyring.switchyard(
        &[
            "credentials",
            "add",
            "--profile",
            "p",
            "--from-aws-profile",
            "old",
        ],
        None,
    );
    assert!(add.status.success(), "{}", text(&add));
    assert!(keyring.secret_tool_search().contains(SECRET));

    let missing = keyring.switchyard(&["credentials", "add", "--from-aws-profile", "nope"], None);
    assert!(!missing.status.success());
    assert!(
        text(&missing).contains("no profile [nope]"),
        "{}",
        text(&missing)
    );
}

#[test]
fn bad_keys_are_refused_before_anything_is_stored() {
    let keyring = Sandbox::start();
    let cases = [
        ("ASIAIOSFODNN7EXAMPLE", SECRET, "temporary key"),
        ("not-a-key", SECRET, "not an access key id"),
        (ID, "too-short", "40 characters"),
    ];
    for (id, secret, why) in cases {
        let out = keyring.switchyard(
            &["credentials", "add", "--access-key-id", id],
            Some(&format!("{secret}\n")),
        );
        assert!(!out.status.success(), "{id}");
        assert!(text(&out).contains(why), "{id}: {}", text(&out));
    }
    let no_secret = keyring.switchyard(&["credentials", "add", "--access-key-id", ID], Some(""));
    assert!(
        text(&no_secret).contains("expected Secret access key on standard input"),
        "{}",
        text(&no_secret)
    );
    let bad_profile = keyring.switchyard(&["credentials", "add", "--profile", "a b"], None);
    assert!(
        text(&bad_profile).contains("not a profile name"),
        "{}",
        text(&bad_profile)
    );
    assert!(
        !keyring.secret_tool_search().contains("AKIA"),
        "nothing stored"
    );
}

#[test]
fn without_a_secret_service_the_error_says_what_to_install() {
    let home = tempfile::tempdir().unwrap();
    let out = switchyard_with(
        &["credentials", "add", "--access-key-id", ID],
        Some(&format!("{SECRET}\n")),
        |c| {
            c.env_remove("DBUS_SESSION_BUS_ADDRESS")
                .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
                .env("HOME", home.path())
                .env("SWITCHYARD_CONFIG_DIR", home.path().join("config"));
        },
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("gnome-keyring"), "{}", text(&out));
    assert!(
        !Path::new(&home.path().join("config/config.toml")).exists(),
        "no half-made profile"
    );
}

#[test]
fn a_locked_keyring_is_named_and_nothing_is_half_made() {
    let keyring = Sandbox::start_locked();
    let out = keyring.switchyard(
        &["credentials", "add", "--access-key-id", ID],
        Some(&format!("{SECRET}\n")),
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("locked"), "{}", text(&out));
    assert!(
        text(&out).contains("unlock your login keyring"),
        "{}",
        text(&out)
    );
    assert!(!keyring.home().join("config/config.toml").exists());
    // The daemon answers the same way, with the protocol's code.
    std::fs::create_dir_all(keyring.home().join("config")).unwrap();
    std::fs::write(
        keyring.home().join("config/config.toml"),
        "[profiles.default]\n",
    )
    .unwrap();
    let out = keyring.switchyard(&["whoami", "--json"], None);
    let reply: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        reply["error"]["code"],
        "keyring_unavailable",
        "{}",
        text(&out)
    );
}

/// `whoami --json`'s error code.
fn whoami_error(sandbox: &Sandbox) -> String {
    let out = sandbox.switchyard(&["whoami", "--json"], None);
    let reply: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
    reply["error"]["code"].as_str().unwrap_or("none").to_owned()
}

fn daemon_pid(sandbox: &Sandbox) -> u64 {
    let out = sandbox.switchyard(&["status", "--json"], None);
    let reply: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    reply["data"]["pid"].as_u64().unwrap()
}

#[test]
fn a_daemon_started_before_the_secret_service_sees_it_once_it_runs() {
    let mut sandbox = Sandbox::start_without_keyring();
    std::fs::create_dir_all(sandbox.home().join("config")).unwrap();
    std::fs::write(
        sandbox.home().join("config/config.toml"),
        "[profiles.default]\n",
    )
    .unwrap();
    // The daemon starts before the session bus, then the bus comes up without a
    // Secret Service: both times the keyring is unavailable.
    assert_eq!(whoami_error(&sandbox), "keyring_unavailable");
    let daemon = daemon_pid(&sandbox);
    sandbox.start_bus();
    assert_eq!(whoami_error(&sandbox), "keyring_unavailable");

    // The desktop's keyring comes up later; a key is stored into it.
    sandbox.start_keyring();
    let add = sandbox.switchyard(
        &[
            "credentials",
            "add",
            "--access-key-id",
            ID,
            "--endpoint-url",
            "http://127.0.0.1:9",
        ],
        Some(&format!("{SECRET}\n")),
    );
    assert!(add.status.success(), "{}", text(&add));

    // The same daemon now reads the key: no longer keyring_unavailable (the endpoint
    // refuses connections, so the answer is that AWS cannot be reached).
    assert_eq!(whoami_error(&sandbox), "aws_unreachable");
    assert_eq!(daemon_pid(&sandbox), daemon, "the same daemon answered");
}
