//! Real parts for the daemon's integration tests: a private Secret Service (gnome-keyring
//! on its own D-Bus session bus) and the moto AWS stand-in. Each test binary uses a part
//! of this, so unused items are allowed.
#![allow(dead_code)]

pub mod fault_proxy;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// A private session bus with an unlocked gnome-keyring on it.
pub struct SecretService {
    home: tempfile::TempDir,
    bus: Child,
    keyring: Child,
    address: String,
}

impl SecretService {
    pub fn start() -> SecretService {
        let home = tempfile::tempdir().unwrap();
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (Debian package dbus) must be installed: cargo xtask setup");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        let address = address.trim().to_owned();
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_RUNTIME_DIR", home.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon (Debian package gnome-keyring) must be installed");
        // The login keyring's password, on stdin; closing stdin lets it go on.
        keyring
            .stdin
            .take()
            .unwrap()
            .write_all(b"test-password")
            .unwrap();
        let service = SecretService {
            home,
            bus,
            keyring,
            address,
        };
        // Wait until the keyring has claimed its bus name.
        for _ in 0..200 {
            let out = service.switchyard(&["credentials", "list"], None);
            if out.status.success() {
                return service;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        panic!("gnome-keyring did not come up on {}", service.address);
    }

    pub fn env(&self, command: &mut Command) {
        command
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("HOME", self.home.path())
            .env("SWITCHYARD_CONFIG_DIR", self.home.path().join("config"))
            .env("SWITCHYARD_RUNTIME_DIR", self.home.path().join("run"))
            .env("SWITCHYARD_STATE_DIR", self.home.path().join("state"))
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_PROFILE")
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.home.path().join("aws-credentials"),
            );
    }

    pub fn switchyard(&self, args: &[&str], stdin: Option<&str>) -> Output {
        switchyard_with(args, stdin, |c| self.env(c))
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    pub fn secret_tool_search(&self) -> String {
        let mut command = Command::new("secret-tool");
        command.args(["search", "--all", "service", "switchyard"]);
        self.env(&mut command);
        let out = command.output().unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }
}

impl SecretService {
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

impl Drop for SecretService {
    fn drop(&mut self) {
        self.stop_daemon();
        let _ = self.keyring.kill();
        let _ = self.keyring.wait();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

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

/// The moto server from the setup's venv, on a free loopback port.
pub struct Moto {
    child: Child,
    pub endpoint: String,
}

impl Moto {
    pub fn start() -> Moto {
        let python = std::env::var_os("SWITCHYARD_MOTO_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                std::env::var_os("SWITCHYARD_CACHE")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| dirs::cache_dir().unwrap().join("switchyard"))
                    .join("moto-5.2.5/bin/python")
            });
        assert!(
            python.exists(),
            "no moto venv at {}: run the tests with `cargo xtask test`",
            python.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&python)
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..400 {
            if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
                let _ = stream.write_all(b"GET /moto-api/ HTTP/1.0\r\n\r\n");
                let mut head = [0u8; 12];
                if stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.") {
                    return moto;
                }
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("moto did not start on {}", moto.endpoint);
    }
}

impl Moto {
    /// Turn on IAM policy enforcement from now on (moto's `reset-auth` with a count of 0).
    pub fn enforce_iam(&self) {
        let port = self.endpoint.rsplit(':').next().unwrap();
        let mut stream =
            std::net::TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap())).unwrap();
        stream
            .write_all(b"POST /moto-api/reset-auth HTTP/1.0\r\nContent-Length: 1\r\n\r\n0")
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(
            answer.starts_with("HTTP/1.") && answer.contains(" 200 "),
            "{answer}"
        );
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
