//! The daemon's integration-test sandbox: a private Secret Service (from the testkit) plus
//! the config, runtime and state folders the `switchyard` CLI and the daemon it starts
//! use. Each test binary uses a part of this, so unused items are allowed.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

#[allow(unused_imports)]
pub use switchyard_testkit::{fault_proxy, Moto, SecretService};

use aws_config::{BehaviorVersion, Region, SdkConfig};

/// An identity policy allowing everything (the seeded admin's).
pub const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// A command's stdout and stderr, for assertion messages.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The reply a `--json` command printed.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

/// An SDK config for moto with the given key.
pub async fn sdk(endpoint: &str, key: &str, secret: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_credential_types::Credentials::new(
            key, secret, None, None, "test",
        ))
        .load()
        .await
}

/// moto's root-like identity in its default account, used to seed.
pub async fn admin(moto: &Moto) -> SdkConfig {
    sdk(
        &moto.endpoint,
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    .await
}

/// Give `user_name` an enabled virtual MFA device (moto takes any codes); its serial.
pub async fn enable_virtual_mfa(config: &SdkConfig, user_name: &str) -> String {
    let iam = aws_sdk_iam::Client::new(config);
    let serial = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name(format!("{user_name}-phone"))
        .send()
        .await
        .unwrap()
        .virtual_mfa_device
        .unwrap()
        .serial_number;
    iam.enable_mfa_device()
        .user_name(user_name)
        .serial_number(&serial)
        .authentication_code1("123456")
        .authentication_code2("654321")
        .send()
        .await
        .unwrap();
    serial
}

/// An IAM user with an access key (and an inline policy, when given).
pub async fn user(config: &SdkConfig, name: &str, policy: Option<&str>) -> (String, String) {
    let iam = aws_sdk_iam::Client::new(config);
    iam.create_user().user_name(name).send().await.unwrap();
    if let Some(document) = policy {
        iam.put_user_policy()
            .user_name(name)
            .policy_name("p")
            .policy_document(document)
            .send()
            .await
            .unwrap();
    }
    let key = iam
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .unwrap()
        .access_key
        .unwrap();
    (key.access_key_id, key.secret_access_key)
}

/// A throwaway HOME with its own keyring (or none at all), config, runtime and state dirs.
pub struct Sandbox {
    keyring: Option<SecretService>,
    /// The HOME of a sandbox without a keyring.
    bare: Option<tempfile::TempDir>,
}

impl Sandbox {
    pub fn start() -> Sandbox {
        Sandbox {
            keyring: Some(SecretService::start()),
            bare: None,
        }
    }

    /// A sandbox whose keyring is running but locked.
    pub fn start_locked() -> Sandbox {
        Sandbox {
            keyring: Some(SecretService::start_locked()),
            bare: None,
        }
    }

    /// A sandbox with no keyring running at all: the session bus address names a socket
    /// nothing listens on, so any keyring call fails.
    pub fn without_keyring() -> Sandbox {
        Sandbox {
            keyring: None,
            bare: Some(tempfile::tempdir().expect("a temporary folder")),
        }
    }

    pub fn env(&self, command: &mut Command) {
        let home = self.home();
        match &self.keyring {
            Some(keyring) => keyring.env(command),
            None => {
                command
                    .env(
                        "DBUS_SESSION_BUS_ADDRESS",
                        format!("unix:path={}", home.join("no-bus").display()),
                    )
                    .env("HOME", home);
            }
        }
        command
            .env("SWITCHYARD_CONFIG_DIR", home.join("config"))
            .env("SWITCHYARD_RUNTIME_DIR", home.join("run"))
            .env("SWITCHYARD_STATE_DIR", home.join("state"))
            .env("AWS_SHARED_CREDENTIALS_FILE", home.join("aws-credentials"))
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_PROFILE");
    }

    /// `switchyard credentials add` for `key` (id, secret), its calls sent to `endpoint`.
    pub fn add_credentials(&self, profile: &str, key: &(String, String), endpoint: &str) {
        let out = self.switchyard(
            &[
                "credentials",
                "add",
                "--profile",
                profile,
                "--access-key-id",
                &key.0,
                "--endpoint-url",
                endpoint,
            ],
            Some(&format!("{}\n", key.1)),
        );
        assert!(out.status.success(), "{}", text(&out));
    }

    /// Run `switchyard ARGS` in the sandbox, with `stdin` as its input.
    pub fn switchyard(&self, args: &[&str], stdin: Option<&str>) -> Output {
        switchyard_with(args, stdin, |c| self.env(c))
    }

    pub fn home(&self) -> &Path {
        match (&self.keyring, &self.bare) {
            (Some(keyring), _) => keyring.home(),
            (None, Some(bare)) => bare.path(),
            (None, None) => unreachable!("a sandbox has a HOME"),
        }
    }

    pub fn secret_tool_search(&self) -> String {
        match &self.keyring {
            Some(keyring) => keyring.secret_tool_search(),
            None => String::new(),
        }
    }

    /// Stop the daemon the CLI started in this sandbox, if one runs.
    pub fn stop_daemon(&self) {
        let out = switchyard_with(&["status", "--json"], None, |c| {
            self.env(c);
            c.env("SWITCHYARD_DAEMON_BIN", "/nonexistent");
        });
        let reply: serde_json::Value = match serde_json::from_slice(&out.stdout) {
            Ok(reply) => reply,
            Err(_) => return,
        };
        if let Some(pid) = reply["data"]["pid"].as_u64() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            for _ in 0..200 {
                if !Path::new(&format!("/proc/{pid}")).exists() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop_daemon();
    }
}

/// Run the `switchyard` binary under test with an environment set by `env`.
pub fn switchyard_with(
    args: &[&str],
    stdin: Option<&str>,
    env: impl FnOnce(&mut Command),
) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    env(&mut command);
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}
