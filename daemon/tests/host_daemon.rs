//! Integration: the real `switchyard-host` binary relaying to the real daemon over its
//! Unix socket, including starting the daemon on demand and two hosts racing to do so.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use switchyard_shared::protocol::{Reply, StatusData};

const ORIGIN: &str = "chrome-extension://fckpphpaflmmcocfemjogfaiblilmlih/";

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        // Short paths: a Unix socket path must fit in 108 bytes.
        Sandbox {
            dir: tempfile::Builder::new()
                .prefix("sy")
                .tempdir_in("/tmp")
                .unwrap(),
        }
    }

    fn env(&self, command: &mut Command) {
        command
            .env("SWITCHYARD_RUNTIME_DIR", self.dir.path().join("run"))
            .env("SWITCHYARD_STATE_DIR", self.dir.path().join("state"))
            .env("SWITCHYARD_CONFIG_DIR", self.dir.path().join("config"))
            .env("SWITCHYARD_DAEMON_BIN", env!("CARGO_BIN_EXE_switchyard"))
            .env_remove("AWS_ENDPOINT_URL");
    }

    fn host_command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard-host"));
        command
            .arg(ORIGIN)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        self.env(&mut command);
        command
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("run/daemon.sock")
    }

    /// Stop the daemon this sandbox started (by the pid it reports).
    fn stop_daemon(&self) {
        if let Some(pid) = self.daemon_pid() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            wait_until(|| !self.socket().exists());
        }
    }

    fn daemon_pid(&self) -> Option<u32> {
        if !self.socket().exists() {
            return None;
        }
        let replies = exchange(self, &[r#"{"id":1,"type":"status"}"#]);
        let status: StatusData = replies.into_iter().next()?.into_result().ok()?;
        Some(status.pid)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop_daemon();
    }
}

fn wait_until(mut done: impl FnMut() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("condition not met within 5 s");
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = (body.len() as u32).to_ne_bytes().to_vec();
    out.extend_from_slice(body);
    out
}

fn read_replies(mut output: &[u8]) -> Vec<Reply> {
    let mut replies = Vec::new();
    while output.len() >= 4 {
        let len = u32::from_ne_bytes(output[..4].try_into().unwrap()) as usize;
        replies.push(serde_json::from_slice(&output[4..4 + len]).unwrap());
        output = &output[4 + len..];
    }
    replies
}

/// Start a host, send `messages`, close stdin and collect the replies.
fn exchange(sandbox: &Sandbox, messages: &[&str]) -> Vec<Reply> {
    exchange_with(sandbox, messages, |_| {})
}

/// [`exchange`] with the host's command adjusted first.
fn exchange_with(
    sandbox: &Sandbox,
    messages: &[&str],
    adjust: impl FnOnce(&mut Command),
) -> Vec<Reply> {
    let mut command = sandbox.host_command();
    adjust(&mut command);
    let mut host = command.spawn().unwrap();
    let mut stdin = host.stdin.take().unwrap();
    for message in messages {
        stdin.write_all(&frame(message.as_bytes())).unwrap();
    }
    drop(stdin);
    let mut output = Vec::new();
    host.stdout
        .take()
        .unwrap()
        .read_to_end(&mut output)
        .unwrap();
    let status = host.wait().unwrap();
    assert!(status.success(), "host exited with {status}");
    read_replies(&output)
}

fn status_of(reply: Reply) -> StatusData {
    reply.into_result().unwrap()
}

#[test]
fn host_starts_the_daemon_and_relays() {
    let sandbox = Sandbox::new();
    assert!(!sandbox.socket().exists());
    let replies = exchange(
        &sandbox,
        &[
            r#"{"id":1,"type":"hello","protocol_version":1}"#,
            r#"{"id":"two","type":"status"}"#,
            r#"{"id":3,"type":"hello","protocol_version":99}"#,
            r#"[1,2,3]"#,
        ],
    );
    assert_eq!(replies.len(), 4);
    let text: Vec<String> = replies
        .iter()
        .map(|r| String::from_utf8(r.to_bytes()).unwrap())
        .collect();
    assert!(text[0].contains(r#""app_version":"0.1.0""#), "{}", text[0]);
    assert!(
        text[1].starts_with(r#"{"id":"two","status":"ok""#),
        "{}",
        text[1]
    );
    assert!(
        text[2].contains("unsupported_protocol_version"),
        "{}",
        text[2]
    );
    assert!(text[3].contains("not_an_object"), "{}", text[3]);

    // The daemon outlives the host and serves the next one.
    let first = status_of(replies[1].clone()).pid;
    let again = exchange(&sandbox, &[r#"{"id":1,"type":"status"}"#]);
    assert_eq!(status_of(again[0].clone()).pid, first);

    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(sandbox.socket()).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn two_hosts_at_once_start_one_daemon() {
    let sandbox = Sandbox::new();
    let pids: Vec<u32> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| exchange(&sandbox, &[r#"{"id":1,"type":"status"}"#])))
            .collect();
        handles
            .into_iter()
            .map(|h| status_of(h.join().unwrap().remove(0)).pid)
            .collect()
    });
    assert!(
        pids.windows(2).all(|w| w[0] == w[1]),
        "several daemons: {pids:?}"
    );
}

#[test]
fn a_restarted_daemon_is_found_again() {
    let sandbox = Sandbox::new();
    let first = status_of(exchange(&sandbox, &[r#"{"id":1,"type":"status"}"#]).remove(0)).pid;
    sandbox.stop_daemon();
    let second = status_of(exchange(&sandbox, &[r#"{"id":1,"type":"status"}"#]).remove(0)).pid;
    assert_ne!(first, second);
}

#[test]
fn without_a_daemon_binary_the_host_answers_daemon_unavailable() {
    let sandbox = Sandbox::new();
    let replies = exchange_with(&sandbox, &[r#"{"id":7,"type":"status"}"#], |command| {
        command.env("SWITCHYARD_DAEMON_BIN", "/nonexistent/switchyard");
    });
    let text = String::from_utf8(replies[0].to_bytes()).unwrap();
    assert!(
        text.contains(r#""id":7"#) && text.contains("daemon_unavailable"),
        "{text}"
    );
    assert!(text.contains("/nonexistent/switchyard"), "{text}");
}

#[test]
fn a_second_daemon_refuses_to_start() {
    let sandbox = Sandbox::new();
    exchange(&sandbox, &[r#"{"id":1,"type":"status"}"#]);
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command.arg("daemon");
    sandbox.env(&mut command);
    let output = command.output().unwrap();
    // The status the service units take as "another daemon serves this user".
    assert_eq!(
        output.status.code(),
        Some(i32::from(
            switchyard_daemon::transport::server::EXIT_ALREADY_RUNNING
        ))
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("already running"), "{stderr}");
    assert!(
        Path::new(&sandbox.socket()).exists(),
        "the first daemon keeps its socket"
    );
}

/// Write one frame to a running host and read one reply frame back.
fn ask(stdin: &mut impl Write, stdout: &mut impl Read, message: &str) -> Reply {
    stdin.write_all(&frame(message.as_bytes())).unwrap();
    stdin.flush().unwrap();
    let mut header = [0u8; 4];
    stdout.read_exact(&mut header).unwrap();
    let mut body = vec![0u8; u32::from_ne_bytes(header) as usize];
    stdout.read_exact(&mut body).unwrap();
    serde_json::from_slice(&body).unwrap()
}

#[test]
fn a_long_lived_host_survives_a_daemon_restart() {
    // The browser keeps one port (one host process) open while the daemon may come and go.
    let sandbox = Sandbox::new();
    let mut host = sandbox.host_command().spawn().unwrap();
    let mut stdin = host.stdin.take().unwrap();
    let mut stdout = host.stdout.take().unwrap();
    let status = r#"{"id":1,"type":"status"}"#;
    let first = status_of(ask(&mut stdin, &mut stdout, status)).pid;
    sandbox.stop_daemon();
    // The request right after the daemon went away is answered too: `status` only reads,
    // so the host sends it again on a new connection (starting a new daemon).
    let mut pids = Vec::new();
    for _ in 0..2 {
        let reply = ask(&mut stdin, &mut stdout, status);
        match reply.clone().into_result::<StatusData>() {
            Ok(status) => pids.push(status.pid),
            Err(error) => panic!("{error}"),
        }
    }
    assert!(
        pids.iter().all(|pid| *pid != first),
        "no new daemon answered: {pids:?}"
    );
    drop(stdin);
    assert!(host.wait().unwrap().success());
}
