//! Integration: `switchyard doctor` on a healthy setup (host installed into a throwaway
//! browser profile, daemon up, key valid against moto) says ok everywhere, and each
//! broken link is named with its fix: host manifest missing or pointing at a wrong path,
//! daemon that cannot start, locked keyring, a key AWS does not know, no MFA session.
//! No secret is ever in its output.

mod support;

use std::path::Path;

use serde_json::Value;
use support::{text, Moto, Sandbox};

fn add_credentials(sandbox: &Sandbox, profile: &str, id: &str, secret: &str, endpoint: &str) {
    let out = sandbox.switchyard(
        &[
            "credentials",
            "add",
            "--profile",
            profile,
            "--access-key-id",
            id,
            "--endpoint-url",
            endpoint,
        ],
        Some(&format!("{secret}\n")),
    );
    assert!(out.status.success(), "{}", text(&out));
}

/// `switchyard host` registered into a throwaway Chromium profile folder.
fn install_into(sandbox: &Sandbox, profile_dir: &Path, host: Option<&Path>) {
    let dir = profile_dir.display().to_string();
    let mut args = vec!["install", "--user-data-dir", dir.as_str()];
    let host_text = host.map(|h| h.display().to_string());
    if let Some(h) = &host_text {
        args.extend(["--host-path", h.as_str()]);
    }
    let out = sandbox.switchyard(&args, None);
    assert!(out.status.success(), "{}", text(&out));
}

/// Doctor's report as JSON, and its whole output (for the secret checks).
fn doctor(
    sandbox: &Sandbox,
    args: &[&str],
    extra_env: impl FnOnce(&mut std::process::Command),
) -> (Value, String, bool) {
    let mut all = vec!["doctor", "--json"];
    all.extend(args);
    let out = support::switchyard_with(&all, None, |c| {
        sandbox.env(c);
        extra_env(c);
    });
    let report: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
    (report, text(&out), out.status.success())
}

/// The check called `name`.
fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name:?} in {report:#}"))
}

fn assert_level(report: &Value, name: &str, level: &str, fix_has: &str) {
    let c = check(report, name);
    assert_eq!(c["level"], level, "{name}: {c}");
    if !fix_has.is_empty() {
        let fix = c["fix"].as_str().unwrap_or_default();
        assert!(
            fix.contains(fix_has),
            "{name}'s fix {fix:?} lacks {fix_has:?}"
        );
    }
}

fn assert_no_secret(output: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!output.contains(secret), "a secret is in doctor's output");
    }
}

#[test]
fn a_healthy_setup_is_all_ok_and_broken_manifests_are_named() {
    let moto = Moto::start();
    let alice = moto.seed(0, false);
    let sandbox = Sandbox::start();
    add_credentials(
        &sandbox,
        "work",
        &alice.access_key_id,
        &alice.secret_access_key,
        &moto.endpoint,
    );
    let browser = sandbox.home().join("chromium-profile");
    install_into(&sandbox, &browser, None);
    let dir = browser.display().to_string();

    let (report, output, ok) = doctor(&sandbox, &["--user-data-dir", &dir], |_| {});
    let names: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "switchyard",
            "switchyard-host",
            "host manifest [chromium]",
            "extension id [chromium]",
            "socket folder",
            "daemon",
            "socket",
            "keyring",
            "credentials [work]",
            "mfa [work]",
            "clock",
        ]
    );
    for c in report["checks"].as_array().unwrap() {
        assert_eq!(c["level"], "ok", "{c}");
    }
    assert!(ok, "{output}");
    assert!(check(&report, "credentials [work]")["detail"]
        .as_str()
        .unwrap()
        .contains("arn:aws:iam::123456789012:user/alice"));
    assert_no_secret(&output, &[&alice.secret_access_key, &alice.access_key_id]);
    // The text report says the same, one line per check.
    let human = sandbox.switchyard(&["doctor", "--user-data-dir", &dir], None);
    let human = text(&human);
    assert!(human.contains("11 ok, 0 warn, 0 fail"), "{human}");
    assert_no_secret(&human, &[&alice.secret_access_key, &alice.access_key_id]);

    // A profile folder without the manifest.
    let empty = sandbox.home().join("other-profile");
    let empty_dir = empty.display().to_string();
    let (report, output, ok) = doctor(&sandbox, &["--user-data-dir", &empty_dir], |_| {});
    assert!(!ok, "a failing check fails the command");
    assert_level(
        &report,
        "host manifest [chromium]",
        "fail",
        &format!("switchyard install --browser chromium --user-data-dir {empty_dir}"),
    );
    assert!(output.contains("missing"), "{output}");
    assert_level(&report, "extension id [chromium]", "skip", "");
    assert_level(&report, "daemon", "ok", "");

    // A manifest whose host path leads nowhere.
    let stray = sandbox.home().join("old-switchyard-host");
    std::fs::write(&stray, b"#!/bin/sh\n").unwrap();
    install_into(&sandbox, &empty, Some(&stray));
    std::fs::remove_file(&stray).unwrap();
    let (report, _, _) = doctor(&sandbox, &["--user-data-dir", &empty_dir], |_| {});
    assert_level(
        &report,
        "host manifest [chromium]",
        "fail",
        "switchyard install --browser chromium",
    );
    let detail = check(&report, "host manifest [chromium]")["detail"]
        .as_str()
        .unwrap();
    assert!(detail.contains("does not exist"), "{detail}");
    assert_level(&report, "extension id [chromium]", "ok", "");
}

#[test]
fn a_daemon_that_cannot_start_is_named_and_what_needs_it_skipped() {
    let sandbox = Sandbox::start();
    std::fs::create_dir_all(sandbox.home().join("config")).unwrap();
    std::fs::write(
        sandbox.home().join("config/config.toml"),
        "[profiles.work]\n",
    )
    .unwrap();
    let (report, output, ok) = doctor(&sandbox, &["--browser", "chromium"], |c| {
        c.env("SWITCHYARD_DAEMON_BIN", "/nonexistent");
    });
    assert!(!ok);
    assert_level(&report, "daemon", "fail", "switchyard daemon");
    let detail = check(&report, "daemon")["detail"].as_str().unwrap();
    assert!(detail.contains("/nonexistent"), "{detail}");
    assert_level(&report, "socket", "skip", "");
    assert_level(&report, "credentials [work]", "skip", "");
    assert_level(&report, "keyring", "ok", "");
    // No Chromium profile in this HOME: its manifest is missing.
    assert_level(
        &report,
        "host manifest [chromium]",
        "fail",
        "switchyard install",
    );
    assert!(output.contains("\"fix\""), "{output}");
}

#[test]
fn a_locked_keyring_is_named_with_how_to_unlock_it() {
    let moto = Moto::start();
    let sandbox = Sandbox::start_locked();
    std::fs::create_dir_all(sandbox.home().join("config")).unwrap();
    std::fs::write(
        sandbox.home().join("config/config.toml"),
        format!("[profiles.work]\nendpoint_url = \"{}\"\n", moto.endpoint),
    )
    .unwrap();
    let (report, _, ok) = doctor(&sandbox, &["--browser", "chromium"], |_| {});
    assert!(!ok);
    assert_level(&report, "keyring", "fail", "unlock your login keyring");
    assert_level(&report, "credentials [work]", "fail", "keyring");
    let detail = check(&report, "credentials [work]")["detail"]
        .as_str()
        .unwrap();
    assert!(detail.starts_with("keyring_unavailable"), "{detail}");
    assert_level(&report, "daemon", "ok", "");
    assert_level(&report, "clock", "ok", "");
}

#[test]
fn bad_credentials_and_a_missing_mfa_session_are_named() {
    let moto = Moto::start();
    let alice = moto.seed(0, true);
    let sandbox = Sandbox::start();
    add_credentials(
        &sandbox,
        "work",
        &alice.access_key_id,
        &alice.secret_access_key,
        &moto.endpoint,
    );
    let stranger_secret = "a".repeat(40);
    add_credentials(
        &sandbox,
        "stranger",
        "AKIAZZZZZZZZZZZZZZZZ",
        &stranger_secret,
        &moto.endpoint,
    );
    let secrets = [alice.secret_access_key.as_str(), stranger_secret.as_str()];

    // alice has an MFA device and no session yet.
    let (report, output, ok) = doctor(
        &sandbox,
        &["--browser", "chromium", "--profile", "work"],
        |_| {},
    );
    assert!(!ok, "the chromium manifest is missing");
    assert_level(
        &report,
        "credentials [work]",
        "warn",
        "switchyard mfa --profile work",
    );
    assert_level(
        &report,
        "mfa [work]",
        "warn",
        "switchyard mfa --profile work",
    );
    assert_no_secret(&output, &secrets);
    let mfa = sandbox.switchyard(&["mfa", "--profile", "work", "--code", "123456"], None);
    assert!(mfa.status.success(), "{}", text(&mfa));
    let (report, _, _) = doctor(
        &sandbox,
        &["--browser", "chromium", "--profile", "work"],
        |_| {},
    );
    assert_level(&report, "credentials [work]", "ok", "");
    assert_level(&report, "mfa [work]", "ok", "");
    let detail = check(&report, "mfa [work]")["detail"].as_str().unwrap();
    assert!(detail.contains("session until"), "{detail}");

    // A well-formed key moto does not know, once moto checks keys.
    moto.enforce_iam();
    let (report, output, ok) = doctor(
        &sandbox,
        &["--browser", "chromium", "--profile", "stranger"],
        |_| {},
    );
    assert!(!ok);
    assert_level(
        &report,
        "credentials [stranger]",
        "fail",
        "switchyard credentials add --profile stranger",
    );
    let detail = check(&report, "credentials [stranger]")["detail"]
        .as_str()
        .unwrap();
    assert!(detail.starts_with("aws_auth_failed"), "{detail}");
    assert_level(&report, "mfa [stranger]", "skip", "");
    assert_no_secret(&output, &secrets);
}
