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

    /// A sandbox whose session bus and Secret Service are not running yet: start them
    /// with [`Sandbox::start_bus`] and [`Sandbox::start_keyring`].
    pub fn start_without_keyring() -> Sandbox {
        Sandbox {
            keyring: Some(SecretService::not_started()),
            bare: None,
        }
    }

    /// Start the session bus (without service activation) of a
    /// [`Sandbox::start_without_keyring`] sandbox.
    pub fn start_bus(&mut self) {
        if let Some(keyring) = &mut self.keyring {
            keyring.start_bus(false);
        }
    }

    /// Start the (unlocked) keyring of a [`Sandbox::start_without_keyring`] sandbox.
    pub fn start_keyring(&mut self) {
        if let Some(keyring) = &mut self.keyring {
            keyring.start_keyring(true);
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

    /// Point this process (not a child) at the sandbox, as [`Sandbox::env`] does for a
    /// command: for a test that drives the daemon's library in-process. The environment
    /// is the process's, so only for a test binary with a single test.
    pub fn enter(&self) {
        let home = self.home();
        if let Some(keyring) = &self.keyring {
            std::env::set_var("DBUS_SESSION_BUS_ADDRESS", keyring.address());
        }
        std::env::set_var("HOME", home);
        std::env::set_var("SWITCHYARD_CONFIG_DIR", home.join("config"));
        std::env::set_var("SWITCHYARD_RUNTIME_DIR", home.join("run"));
        std::env::set_var("SWITCHYARD_STATE_DIR", home.join("state"));
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", home.join("aws-credentials"));
        for name in ["AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_PROFILE"] {
            std::env::remove_var(name);
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

impl Sandbox {
    /// One request on the daemon's socket (`POST /v1/message`, its own connection), its
    /// reply.
    pub fn raw(&self, request: &serde_json::Value) -> serde_json::Value {
        use std::io::Read;
        let body = request.to_string();
        let mut stream =
            std::os::unix::net::UnixStream::connect(self.home().join("run/daemon.sock")).unwrap();
        write!(
            stream,
            "POST /v1/message HTTP/1.1\r\nHost: daemon\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let (_, reply) = answer.split_once("\r\n\r\n").unwrap();
        serde_json::from_str(reply).unwrap_or_else(|e| panic!("{e}: {answer}"))
    }
}

/// A small tmpfs of its own mounted on a folder for one test (a disk that can be filled),
/// unmounted again when dropped. Mounting needs root: `None` (and a printed reason) for
/// anyone else. CI runs as root.
pub struct Tmpfs {
    path: std::path::PathBuf,
}

impl Tmpfs {
    pub fn mount(path: &Path, size: &str) -> Option<Tmpfs> {
        if !rustix::process::geteuid().is_root() {
            println!("skipped: mounting a tmpfs needs root");
            return None;
        }
        std::fs::create_dir_all(path).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700")])
            .arg("tmpfs")
            .arg(path)
            .status()
            .unwrap()
            .success();
        assert!(ok, "mount -t tmpfs on {}", path.display());
        Some(Tmpfs {
            path: path.to_owned(),
        })
    }

    /// Fill the disk: a file of zeros written until the disk refuses more. Its path
    /// (remove it to give the space back).
    pub fn fill(&self) -> std::path::PathBuf {
        let path = self.path.join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let block = vec![0u8; 64 * 1024];
        loop {
            if let Err(e) = file.write_all(&block) {
                assert_eq!(e.kind(), std::io::ErrorKind::StorageFull, "{e}");
                break;
            }
        }
        // Down to the last byte.
        while file.write_all(&[0]).is_ok() {}
        path
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Lazily: a daemon still holding a log file open must not keep it mounted.
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// An endpoint that accepts every TCP connection and never answers (an AWS gone silent),
/// for the rest of the test process. It is the fault itself, not a stand-in for AWS.
pub fn silent_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    endpoint
}

impl Sandbox {
    /// Add `lines` (TOML `key = value`) to profile `default`'s settings in config.toml.
    pub fn set_profile_settings(&self, lines: &str) {
        let path = self.home().join("config/config.toml");
        let config = std::fs::read_to_string(&path).unwrap();
        assert!(config.contains("[profiles.default]\n"), "{config}");
        let config = config.replace(
            "[profiles.default]\n",
            &format!("[profiles.default]\n{}\n", lines.trim()),
        );
        std::fs::write(&path, config).unwrap();
    }

    /// `switchyard ARGS`, killed if it runs longer than `limit`: its output and how long
    /// it ran (a hang fails the test instead of stopping it).
    pub fn switchyard_for(&self, args: &[&str], limit: Duration) -> (Output, Duration) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        self.env(&mut command);
        let started = std::time::Instant::now();
        let mut child = command.spawn().unwrap();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > limit {
                let _ = child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        (out, started.elapsed())
    }
}
