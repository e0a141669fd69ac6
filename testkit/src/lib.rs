//! Real parts for Switchyard's tests and benchmarks, started and stopped by the caller:
//! a private Secret Service ([`SecretService`]: gnome-keyring on its own D-Bus session
//! bus, with a throwaway HOME), the moto AWS stand-in ([`Moto`]) seeded with a sample
//! organization, a fault-injecting proxy ([`fault_proxy`]) for what moto lacks, and a
//! stand-in for IAM Identity Center's OIDC service and portal ([`identity_center`]).
//!
//! Everything here panics on failure: it is test scaffolding, never product code.

pub mod fault_proxy;
pub mod identity_center;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A session bus's configuration without service activation (only what is started
/// explicitly is on it).
const BUS_WITHOUT_ACTIVATION: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

/// A private session bus with an unlocked gnome-keyring on it, and a HOME for it.
pub struct SecretService {
    home: tempfile::TempDir,
    /// None until the bus is started ([`SecretService::not_started`]).
    bus: Option<Child>,
    /// None until the keyring is started.
    keyring: Option<Child>,
    address: String,
}

impl SecretService {
    /// A keyring with an unlocked login collection.
    pub fn start() -> SecretService {
        SecretService::start_with(true)
    }

    /// A keyring whose login collection was never unlocked (as after a headless boot).
    pub fn start_locked() -> SecretService {
        SecretService::start_with(false)
    }

    fn start_with(unlock: bool) -> SecretService {
        let mut service = SecretService::not_started();
        service.start_bus(true);
        service.start_keyring(unlock);
        service
    }

    /// A HOME and a bus address with nothing running yet (as when a program starts
    /// before the desktop session): [`SecretService::start_bus`], then
    /// [`SecretService::start_keyring`] bring them up.
    pub fn not_started() -> SecretService {
        let home = tempfile::tempdir().expect("a temporary folder");
        // The bus socket lives in the throwaway HOME, so nothing is left in /tmp.
        let address = format!("unix:path={}", home.path().join("bus").display());
        SecretService {
            home,
            bus: None,
            keyring: None,
            address,
        }
    }

    /// Start the session bus. With `activation`, the standard session configuration
    /// (the bus itself starts a service someone asks for); without, only what is started
    /// explicitly is on it, so asking for the Secret Service before
    /// [`SecretService::start_keyring`] does not start a locked gnome-keyring.
    pub fn start_bus(&mut self, activation: bool) {
        assert!(self.bus.is_none(), "the bus is already running");
        let config = if activation {
            "--session".to_owned()
        } else {
            let path = self.home.path().join("bus.conf");
            std::fs::write(&path, BUS_WITHOUT_ACTIVATION).expect("the bus config is written");
            format!("--config-file={}", path.display())
        };
        let mut bus = Command::new("dbus-daemon")
            .args([config.as_str(), "--nofork", "--print-address=1"])
            .arg(format!("--address={}", self.address))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (Debian package dbus) must be installed: cargo xtask setup");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().expect("piped stdout"))
            .read_line(&mut address)
            .expect("dbus-daemon prints its address");
        self.bus = Some(bus);
        assert!(
            address.trim().starts_with(&self.address),
            "dbus-daemon listens on {address:?}, not {}",
            self.address
        );
    }

    /// Start gnome-keyring on this bus (its login collection unlocked when `unlock`) and
    /// wait until it owns the Secret Service's name.
    pub fn start_keyring(&mut self, unlock: bool) {
        assert!(self.keyring.is_none(), "the keyring is already running");
        let home = self.home.path();
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--components=secrets"])
            .args(unlock.then_some("--unlock"))
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_RUNTIME_DIR", home)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon (Debian package gnome-keyring) must be installed");
        // The login keyring's password, on stdin; closing stdin lets it go on.
        let mut stdin = keyring.stdin.take().expect("piped stdin");
        if unlock {
            stdin
                .write_all(b"test-password")
                .expect("gnome-keyring reads its password");
        }
        drop(stdin);
        self.keyring = Some(keyring);
        for _ in 0..400 {
            if self.is_up() {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("gnome-keyring did not come up on {}", self.address);
    }

    /// Has the keyring claimed the Secret Service's bus name?
    fn is_up(&self) -> bool {
        let out = Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .output();
        out.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
    }

    /// The bus and HOME for a process that should use this keyring.
    pub fn env(&self, command: &mut Command) {
        command
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("HOME", self.home.path());
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// What `secret-tool` finds for Switchyard's entries (secrets included).
    pub fn secret_tool_search(&self) -> String {
        let mut command = Command::new("secret-tool");
        command.args(["search", "--all", "service", "switchyard"]);
        self.env(&mut command);
        let out = command
            .output()
            .expect("secret-tool (libsecret-tools) must be installed");
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        if let Some(keyring) = &mut self.keyring {
            let _ = keyring.kill();
            let _ = keyring.wait();
        }
        if let Some(bus) = &mut self.bus {
            let _ = bus.kill();
            let _ = bus.wait();
        }
    }
}

/// The moto venv's python: `$SWITCHYARD_MOTO_PYTHON`, else the one `cargo xtask setup`
/// made in the cache.
pub fn moto_python() -> PathBuf {
    let python = std::env::var_os("SWITCHYARD_MOTO_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("SWITCHYARD_CACHE")
                .map(PathBuf::from)
                .or_else(|| dirs::cache_dir().map(|d| d.join("switchyard")))
                .unwrap_or_default()
                .join("moto-5.2.5/bin/python")
        });
    assert!(
        python.exists(),
        "no moto venv at {}: run the tests with `cargo xtask test`",
        python.display()
    );
    python
}

/// The AWS CLI (v1, from PyPI) that `cargo xtask setup` installs in its own venv:
/// `$SWITCHYARD_AWSCLI`, else the one in the cache.
pub fn aws_cli() -> PathBuf {
    let aws = std::env::var_os("SWITCHYARD_AWSCLI")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("SWITCHYARD_CACHE")
                .map(PathBuf::from)
                .or_else(|| dirs::cache_dir().map(|d| d.join("switchyard")))
                .unwrap_or_default()
                .join("awscli-1.46.3/bin/aws")
        });
    assert!(
        aws.exists(),
        "no AWS CLI at {}: run the tests with `cargo xtask test`",
        aws.display()
    );
    aws
}

/// What [`Moto::seed`] made: alice's key and the management account.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub account_id: String,
    pub mfa_serial: Option<String>,
}

/// The moto server from the setup's venv, on a free loopback port.
pub struct Moto {
    child: Child,
    port: u16,
    pub endpoint: String,
}

impl Moto {
    /// Start moto from the venv [`moto_python`] finds.
    pub fn start() -> Moto {
        Moto::start_with(&moto_python())
    }

    /// Start moto with AWS's managed policies (`arn:aws:iam::aws:policy/…`) loaded into
    /// every account (slower to start accounts; moto leaves them out by default).
    pub fn start_with_managed_policies() -> Moto {
        Moto::start_env(
            &moto_python(),
            &[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")],
        )
    }

    /// Start moto with this venv's python.
    pub fn start_with(python: &Path) -> Moto {
        Moto::start_env(python, &[])
    }

    fn start_env(python: &Path, env: &[(&str, &str)]) -> Moto {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(python)
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto starts");
        let moto = Moto {
            child,
            port,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..400 {
            if moto.request("GET", "/moto-api/", "").is_some() {
                return moto;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("moto did not start on {}", moto.endpoint);
    }

    /// One HTTP/1.0 request to moto's own API; the whole answer, if it answered.
    fn request(&self, method: &str, path: &str, body: &str) -> Option<String> {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        let head = format!(
            "{method} {path} HTTP/1.0\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).ok()?;
        stream.write_all(body.as_bytes()).ok()?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).ok()?;
        answer.starts_with("HTTP/1.").then_some(answer)
    }

    /// Turn on IAM policy enforcement from now on (moto's `reset-auth` with a count of 0).
    pub fn enforce_iam(&self) {
        let answer = self
            .request("POST", "/moto-api/reset-auth", "0")
            .expect("moto answers reset-auth");
        assert!(answer.contains(" 200 "), "{answer}");
    }

    /// Seed the sample organization with `tests/moto/seed.py` (members + management
    /// account, alias acme-main, user alice with a key and optionally an MFA device).
    pub fn seed(&self, members: usize, mfa: bool) -> Seeded {
        self.seed_with(&moto_python(), members, mfa, 0)
    }

    /// [`Moto::seed`] with this venv's python, and alice in `groups` groups of three
    /// inline policies each.
    pub fn seed_with(&self, python: &Path, members: usize, mfa: bool, groups: usize) -> Seeded {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/moto/seed.py");
        let mut command = Command::new(python);
        command.arg(script).args([
            "--endpoint",
            &self.endpoint,
            "--members",
            &members.to_string(),
        ]);
        if mfa {
            command.arg("--mfa");
        }
        if groups > 0 {
            command.args(["--groups", &groups.to_string()]);
        }
        let out = command.output().expect("the seed script runs");
        assert!(
            out.status.success(),
            "seeding moto failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let seeded: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("the seed script prints JSON");
        let field = |name: &str| seeded[name].as_str().map(str::to_owned);
        Seeded {
            access_key_id: field("access_key_id").expect("access_key_id"),
            secret_access_key: field("secret_access_key").expect("secret_access_key"),
            account_id: field("account_id").expect("account_id"),
            mfa_serial: field("mfa_serial"),
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
