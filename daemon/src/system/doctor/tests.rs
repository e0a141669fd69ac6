//! Each check's judgement, from the answers it is given.

use std::path::Path;
use std::time::{Duration, SystemTime};

use switchyard_shared::protocol::aws::{IdentityData, MfaState};
use switchyard_shared::protocol::{AwsTarget, CredentialsState, ErrorBody, ErrorCode, StatusData};

use super::install::{binaries, browser_name, manifest};
use super::*;
use crate::system::install::{manifest_json, Browser};

fn status(version: &str) -> StatusData {
    StatusData {
        daemon_version: version.to_owned(),
        protocol_version: 1,
        pid: 4242,
        uptime_secs: 90,
        credentials: CredentialsState {
            configured: true,
            source: None,
        },
        aws: AwsTarget::Aws,
    }
}

fn me(serial: Option<&str>, until: Option<u64>) -> IdentityData {
    IdentityData {
        profile: "work".to_owned(),
        account_id: "123456789012".to_owned(),
        arn: "arn:aws:iam::123456789012:user/alice".to_owned(),
        user_id: "AIDAEXAMPLE".to_owned(),
        account_alias: Some("acme-main".to_owned()),
        mfa: MfaState {
            serial: serial.map(str::to_owned),
            session_expires_at: until,
        },
    }
}

#[test]
fn the_daemon_check_names_version_drift_and_how_to_see_why_it_is_down() {
    let log = Path::new("/s/logs/stderr.log");
    assert_eq!(daemon(Ok(status("0.1.0")), "0.1.0", log).level, Level::Ok);
    let old = daemon(Ok(status("0.0.9")), "0.1.0", log);
    assert_eq!(old.level, Level::Warn);
    assert!(old.fix.unwrap().contains("kill 4242"));
    let down = daemon(Err("no such file".to_owned()), "0.1.0", log);
    assert_eq!(down.level, Level::Fail);
    let fix = down.fix.unwrap();
    assert!(
        fix.contains("switchyard daemon") && fix.contains("/s/logs/stderr.log"),
        "{fix}"
    );
}

#[test]
fn the_keyring_probe_tells_missing_entries_from_a_locked_keyring() {
    use crate::system::keyring::Backend;
    let fine = keyring(
        Backend::Os,
        Err(KeyringError::NotFound(PROBE_PROFILE.to_owned())),
    );
    assert_eq!(fine.level, Level::Ok);
    assert!(fine.detail.contains("encrypted on disk"), "{}", fine.detail);
    let locked = keyring(
        Backend::Os,
        Err(KeyringError::Unavailable("prompt dismissed".to_owned())),
    );
    assert_eq!(locked.level, Level::Fail);
    let fix = locked.fix.unwrap();
    assert!(
        fix.contains("unlock") && fix.contains("keyring keyutils"),
        "{fix}"
    );
    assert_eq!(
        keyring(Backend::Os, Err(KeyringError::Other("boom".to_owned()))).level,
        Level::Fail
    );
    // The kernel's store says what it costs: memory only, any process of the user.
    let kernel = keyring(
        Backend::Keyutils,
        Ok(crate::system::keyring::Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .unwrap()),
    );
    assert!(
        kernel.detail.contains("gone at reboot"),
        "{}",
        kernel.detail
    );
}

#[test]
fn profiles_are_judged_from_identity_and_its_errors() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
    let [creds, mfa] = profile("work", Ok(me(None, None)), now);
    assert_eq!((creds.level, mfa.level), (Level::Ok, Level::Ok));
    assert!(creds.detail.contains("user/alice") && creds.detail.contains("acme-main"));

    let serial = "arn:aws:iam::123456789012:mfa/alice";
    let [_, mfa] = profile("work", Ok(me(Some(serial), Some(1_000_000 + 3600))), now);
    assert_eq!(mfa.level, Level::Ok, "{mfa:?}");
    let [_, mfa] = profile("work", Ok(me(Some(serial), Some(1_000_000 + 60))), now);
    assert_eq!(mfa.level, Level::Warn, "{mfa:?}");

    let required = ErrorBody::new(ErrorCode::MfaRequired, "send a code");
    let [creds, mfa] = profile("work", Err(required), now);
    assert_eq!((creds.level, mfa.level), (Level::Warn, Level::Warn));
    assert_eq!(mfa.fix.as_deref(), Some("switchyard mfa --profile work"));

    let cases = [
        (
            ErrorCode::CredentialsMissing,
            "switchyard credentials add --profile work",
        ),
        (ErrorCode::AwsAuthFailed, "clock"),
        (ErrorCode::KeyringUnavailable, "keyring check"),
        (ErrorCode::AwsUnreachable, "endpoint_url"),
    ];
    for (code, fix) in cases {
        let [creds, mfa] = profile("work", Err(ErrorBody::new(code, "why")), now);
        assert_eq!(creds.level, Level::Fail);
        assert!(
            creds.fix.as_deref().unwrap_or_default().contains(fix),
            "{creds:?}"
        );
        assert_eq!(mfa.level, Level::Skip);
    }
}

#[test]
fn clock_skew_warns_past_five_minutes_and_fails_past_fifteen() {
    let aws = SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000);
    let at = |secs: i64| {
        if secs >= 0 {
            aws + Duration::from_secs(secs.unsigned_abs())
        } else {
            aws - Duration::from_secs(secs.unsigned_abs())
        }
    };
    assert_eq!(clock("sts", at(30), Ok(aws)).level, Level::Ok);
    assert_eq!(clock("sts", at(-300), Ok(aws)).level, Level::Ok);
    let ahead = clock("sts", at(301), Ok(aws));
    assert_eq!(ahead.level, Level::Warn);
    assert!(ahead.detail.contains("301 s ahead of sts"), "{ahead:?}");
    let behind = clock("sts", at(-16 * 60), Ok(aws));
    assert_eq!(behind.level, Level::Fail);
    assert!(behind.detail.contains("behind"), "{behind:?}");
    assert!(behind.fix.unwrap().contains("timedatectl"));
    assert_eq!(clock("sts", aws, Err("offline".into())).level, Level::Warn);
}

#[test]
fn binaries_must_sit_side_by_side_at_one_version() {
    let tmp = tempfile::tempdir().unwrap();
    let exe = tmp.path().join("switchyard");
    std::fs::write(&exe, b"").unwrap();
    let [me, host] = binaries(&exe, Ok("0.1.0".into()), "0.1.0");
    assert_eq!((me.level, host.level), (Level::Ok, Level::Fail));
    assert!(host.detail.contains("missing"), "{host:?}");
    std::fs::write(tmp.path().join("switchyard-host"), b"").unwrap();
    assert_eq!(
        binaries(&exe, Ok("0.1.0".into()), "0.1.0")[1].level,
        Level::Ok
    );
    let drift = binaries(&exe, Ok("0.0.1".into()), "0.1.0")[1].clone();
    assert_eq!(drift.level, Level::Fail);
    assert!(drift.detail.contains("0.0.1"), "{drift:?}");
}

#[test]
fn manifests_are_checked_for_presence_path_and_id() {
    let tmp = tempfile::tempdir().unwrap();
    let host = tmp.path().join("switchyard-host");
    std::fs::write(&host, b"").unwrap();
    let path = tmp.path().join("com.switchyard.host.json");
    let fix = "switchyard install --browser brave";
    let run = |b| manifest(b, &path, &host, fix);

    let [m, id] = run(Browser::Brave);
    assert_eq!((m.level, id.level), (Level::Fail, Level::Skip));
    assert!(m.detail.starts_with("missing"), "{m:?}");
    assert_eq!(m.fix.as_deref(), Some(fix));

    for browser in [Browser::Brave, Browser::Firefox] {
        std::fs::write(&path, manifest_json(browser, &host).to_string()).unwrap();
        let [m, id] = run(browser);
        assert_eq!((m.level, id.level), (Level::Ok, Level::Ok), "{m:?} {id:?}");
    }
    // A Firefox manifest does not serve Brave.
    let [_, id] = run(Browser::Brave);
    assert_eq!(id.level, Level::Fail, "{id:?}");

    let other = tmp.path().join("elsewhere");
    std::fs::write(&other, b"").unwrap();
    std::fs::write(&path, manifest_json(Browser::Brave, &other).to_string()).unwrap();
    assert_eq!(run(Browser::Brave)[0].level, Level::Warn);
    let gone = tmp.path().join("gone");
    std::fs::write(&path, manifest_json(Browser::Brave, &gone).to_string()).unwrap();
    let [m, _] = run(Browser::Brave);
    assert_eq!(m.level, Level::Fail);
    assert!(m.detail.contains("does not exist"), "{m:?}");

    std::fs::write(&path, "{").unwrap();
    assert!(run(Browser::Brave)[0].detail.contains("not valid JSON"));
    assert_eq!(browser_name(Browser::Edge), "edge");
}

#[test]
fn socket_folder_and_socket_are_judged_without_changes() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    assert_eq!(socket_folder(&dir).level, Level::Warn);
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let open = socket_folder(&dir);
    assert_eq!(open.level, Level::Fail);
    assert!(open.fix.unwrap().contains("chmod 700"));
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(socket_folder(&dir).level, Level::Ok);

    let sock = dir.join("daemon.sock");
    assert_eq!(socket_file(&sock).level, Level::Fail);
    let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    std::fs::set_permissions(&sock, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(socket_file(&sock).level, Level::Ok);
    std::fs::set_permissions(&sock, std::fs::Permissions::from_mode(0o666)).unwrap();
    assert_eq!(socket_file(&sock).level, Level::Fail);
}

#[test]
fn the_report_puts_one_line_per_check_and_the_fix_under_it() {
    let mut report = Report::new();
    report.checks.push(Check::ok("daemon", "pid 1"));
    report
        .checks
        .push(Check::fail("keyring", "locked", "unlock it"));
    report
        .checks
        .push(Check::skip("mfa [work]", "needs working credentials"));
    let text = report.render();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("switchyard doctor "));
    assert_eq!(lines[1], "ok    daemon      pid 1");
    assert_eq!(lines[2], "fail  keyring     locked");
    assert_eq!(lines[3], "                  fix: unlock it");
    assert_eq!(lines[4], "skip  mfa [work]  needs working credentials");
    assert_eq!(lines[5], "1 ok, 0 warn, 1 fail, 1 skipped");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["checks"][1]["level"], "fail");
    assert_eq!(json["checks"][1]["fix"], "unlock it");
    assert!(json["checks"][0].get("fix").is_none());
}
