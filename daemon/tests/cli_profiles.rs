//! Integration: profiles that just work and settings checked when stored, through the
//! `switchyard` CLI with a real gnome-keyring and moto: which profile a command acts for
//! (`--profile`, `$SWITCHYARD_PROFILE`, `$AWS_PROFILE`, the default, the only one), the
//! errors that name the profiles, `config get|set|unset` keeping a hand-edited file's
//! comments, a misspelled key setting one profile aside, both lines of a key read from
//! stdin, and a closed stdout ending a command with success.

mod support;

use std::io::Read;
use std::process::{Command, Stdio};

use support::{admin, text, user, Moto, Sandbox};

const ACCOUNT: &str = "123456789012";

/// The user a `whoami` ran as (the ARN's last part), or the failure's text.
fn whoami(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Result<String, String> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command
        .arg("whoami")
        .args(args)
        .arg("--json")
        .stdin(Stdio::null());
    sandbox.env(&mut command);
    for (name, value) in env {
        command.env(name, value);
    }
    let out = command.output().unwrap();
    let reply: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    match reply["data"]["arn"].as_str() {
        Some(arn) if out.status.success() => Ok(arn.rsplit('/').next().unwrap().to_owned()),
        _ => Err(text(&out)),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_profile_comes_from_the_flag_the_environment_the_default_or_the_only_one() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let alice = user(&admin, "alice", None).await;
    let bob = user(&admin, "bob", None).await;
    let sandbox = Sandbox::start();

    // The README's first step: one profile named work, default_profile left "default".
    sandbox.add_credentials("work", &alice, &moto.endpoint);
    assert_eq!(
        whoami(&sandbox, &[], &[]).unwrap(),
        "alice",
        "the only profile"
    );

    sandbox.add_credentials("home", &bob, &moto.endpoint);
    let none = whoami(&sandbox, &[], &[]).unwrap_err();
    assert!(
        none.contains("credentials_missing") && none.contains("home, work"),
        "two profiles and no default: the error lists them: {none}"
    );
    let nosuch = whoami(&sandbox, &["--profile", "nosuch"], &[]).unwrap_err();
    assert!(nosuch.contains("home, work"), "{nosuch}");

    assert_eq!(
        whoami(&sandbox, &["--profile", "home"], &[]).unwrap(),
        "bob"
    );
    assert_eq!(
        whoami(&sandbox, &[], &[("SWITCHYARD_PROFILE", "home")]).unwrap(),
        "bob"
    );
    assert_eq!(
        whoami(&sandbox, &[], &[("AWS_PROFILE", "work")]).unwrap(),
        "alice"
    );
    // SWITCHYARD_PROFILE before AWS_PROFILE, and the flag before both.
    let both = [("SWITCHYARD_PROFILE", "home"), ("AWS_PROFILE", "work")];
    assert_eq!(whoami(&sandbox, &[], &both).unwrap(), "bob");
    assert_eq!(
        whoami(&sandbox, &["--profile", "work"], &both).unwrap(),
        "alice"
    );
    // An AWS_PROFILE that names an AWS CLI profile, not ours, is not ours to refuse.
    let other = whoami(&sandbox, &[], &[("AWS_PROFILE", "prod-admin")]).unwrap_err();
    assert!(other.contains("home, work"), "{other}");

    // The default, set and checked.
    let out = sandbox.switchyard(&["config", "set", "default_profile", "nosuch"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("home, work"), "{}", text(&out));
    let out = sandbox.switchyard(&["config", "set", "default_profile", "home"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(whoami(&sandbox, &[], &[]).unwrap(), "bob");
    let _ = ACCOUNT;
}

#[test]
fn config_set_checks_values_and_keeps_a_hand_edited_file() {
    let sandbox = Sandbox::start();
    let path = sandbox.home().join("config/config.toml");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let hand_written = "# Switchyard, by hand\n\n[profiles.work] # day job\n\
                        region = \"eu-west-1\" # Dublin\n\n[profiles.typo]\nregoin = \"eu-west-1\"\n";
    std::fs::write(&path, hand_written).unwrap();
    let run = |args: &[&str]| sandbox.switchyard(args, None);

    // The typo sets one profile aside, with a message; the other works.
    let out = run(&["config", "get", "profiles.work.region"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "eu-west-1\n");
    let out = run(&["config", "show"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("profile \"typo\"")
            && text(&out).contains("regoin"),
        "{}",
        text(&out)
    );
    let out = run(&["whoami", "--profile", "typo"]);
    assert!(text(&out).contains("set aside"), "{}", text(&out));

    // Values are checked before they are stored, with the reason.
    for (key, value, why) in [
        ("profiles.work.region", "eu-wset-1", "eu-west-1, eu-west-2"),
        ("profiles.work.region", "cn-north-1", "partition aws-cn"),
        (
            "profiles.work.mfa_serial",
            "arn:aws:iam::123456789012:user/alice",
            "mfa/NAME",
        ),
        (
            "profiles.work.endpoint_url",
            "localhost:5000",
            "not an endpoint URL",
        ),
        (
            "profiles.work.regoin",
            "eu-west-1",
            "has no setting \"regoin\"",
        ),
        ("profile.work.region", "eu-west-1", "not a setting"),
    ] {
        let out = run(&["config", "set", key, value]);
        assert!(!out.status.success(), "{key} {value}: {}", text(&out));
        assert!(text(&out).contains(why), "{key} {value}: {}", text(&out));
    }
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        hand_written,
        "nothing stored"
    );

    for (key, value) in [
        (
            "profiles.work.mfa_serial",
            "arn:aws:iam::123456789012:mfa/alice",
        ),
        ("profiles.work.region", "eu-central-1"),
        ("profiles.new.endpoint_url", "http://127.0.0.1:5000"),
    ] {
        let out = run(&["config", "set", key, value]);
        assert!(out.status.success(), "{}", text(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{key} = {value}\n")
        );
    }
    let out = run(&["config", "unset", "profiles.typo.regoin"]);
    assert!(out.status.success(), "{}", text(&out));
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        written,
        "# Switchyard, by hand\n\n[profiles.work] # day job\nregion = \"eu-central-1\" # Dublin\n\
         mfa_serial = \"arn:aws:iam::123456789012:mfa/alice\"\n\n[profiles.typo]\n\n\
         [profiles.new]\nregion = \"us-east-1\"\npartition = \"aws\"\n\
         endpoint_url = \"http://127.0.0.1:5000\"\n"
    );
    let out = run(&["config", "get", "profiles.new.mfa_serial"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("not set"), "{}", text(&out));

    // `credentials add` checks its settings before storing the key.
    let out = sandbox.switchyard(
        &[
            "credentials",
            "add",
            "--profile",
            "other",
            "--region",
            "mars-1",
        ],
        Some("AKIAIOSFODNN7EXAMPLE\nwJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"),
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("--region"), "{}", text(&out));
    assert!(!sandbox.secret_tool_search().contains("profile:other"));
}

#[test]
fn both_lines_of_a_key_are_read_from_stdin() {
    let sandbox = Sandbox::start();
    let out = sandbox.switchyard(
        &["credentials", "add", "--profile", "work"],
        Some("AKIAIOSFODNN7EXAMPLE\nwJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("stored AKIA…MPLE for profile work"),
        "{}",
        text(&out)
    );
    // Only the id, no secret: said so.
    let out = sandbox.switchyard(
        &["credentials", "add", "--profile", "half"],
        Some("AKIAIOSFODNN7EXAMPLE\n"),
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("expected Secret access key on standard input"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_closed_stdout_ends_a_command_quietly() {
    let sandbox = Sandbox::start();
    for n in 0..30 {
        let out = sandbox.switchyard(
            &[
                "config",
                "set",
                &format!("profiles.p{n:02}.region"),
                "eu-west-1",
            ],
            None,
        );
        assert!(out.status.success(), "{}", text(&out));
    }
    // `switchyard config show | true`, `switchyard jobs | true`: the reader is gone
    // before the first write.
    for args in [&["config", "show"][..], &["jobs"], &["status"]] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        sandbox.env(&mut command);
        let mut child = command.spawn().unwrap();
        drop(child.stdout.take());
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(status.success(), "{args:?}: {status}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_headless_machine_keeps_the_keys_in_the_kernel_when_told_to() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let alice = user(&admin, "alice", None).await;
    let sandbox = Sandbox::start();
    // No Secret Service on this "machine": its bus address leads nowhere.
    let run = |args: &[&str], stdin: Option<&str>| {
        support::switchyard_with(args, stdin, |c| {
            sandbox.env(c);
            c.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
        })
    };
    let key_lines = format!("{}\n{}\n", alice.0, alice.1);
    let add = [
        "credentials",
        "add",
        "--profile",
        "work",
        "--endpoint-url",
        moto.endpoint.as_str(),
    ];
    let out = run(&add, Some(&key_lines));
    assert!(
        !out.status.success(),
        "the default store needs a Secret Service"
    );

    // Chosen explicitly: the kernel's keyutils.
    let out = run(&["config", "set", "keyring", "keyutils"], None);
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&add, Some(&key_lines));
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&["whoami", "--json"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains(":user/alice"), "{}", text(&out));
    // doctor states what the store costs.
    let out = run(&["doctor", "--json"], None);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "keyring")
        .unwrap()
        .clone();
    assert_eq!(check["level"], "ok", "{check}");
    assert!(
        check["detail"].as_str().unwrap().contains("gone at reboot"),
        "{check}"
    );
    assert!(!sandbox.secret_tool_search().contains("profile:work"));
    let out = run(
        &["credentials", "remove", "work", "--confirm", "work"],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&["whoami", "--profile", "work", "--json"], None);
    assert!(text(&out).contains("credentials_missing"), "{}", text(&out));
}
