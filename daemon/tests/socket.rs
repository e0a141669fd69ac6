//! Integration: the daemon's real socket against clients that never finish (headers that
//! never end, a body that trickles, a terabyte declared, hundreds of idle connections),
//! and the CLI's client when its daemon dies under a request (SIGSTOP, then SIGKILL).

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use switchyard_daemon::transport::server::{BODY_TIMEOUT, HEADER_TIMEOUT};

/// A daemon of its own (no keyring or AWS needed), started directly, optionally with a
/// descriptor limit.
struct Daemon {
    dir: tempfile::TempDir,
    child: Child,
}

impl Daemon {
    fn start(nofile: Option<u32>) -> Daemon {
        // Short paths: a Unix socket path must fit in 108 bytes.
        let dir = tempfile::Builder::new()
            .prefix("sy")
            .tempdir_in("/tmp")
            .unwrap();
        let mut command = match nofile {
            Some(n) => {
                let mut c = Command::new("prlimit");
                c.arg(format!("--nofile={n}:{n}"))
                    .arg("--")
                    .arg(env!("CARGO_BIN_EXE_switchyard"));
                c
            }
            None => Command::new(env!("CARGO_BIN_EXE_switchyard")),
        };
        command
            .arg("daemon")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        env(dir.path(), &mut command);
        let child = command.spawn().unwrap();
        let daemon = Daemon { dir, child };
        let started = Instant::now();
        while UnixStream::connect(daemon.socket()).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "no socket");
            std::thread::sleep(Duration::from_millis(10));
        }
        daemon
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("run/daemon.sock")
    }

    fn connect(&self) -> UnixStream {
        UnixStream::connect(self.socket()).unwrap()
    }

    /// The daemon's open descriptors.
    fn descriptors(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id()))
            .unwrap()
            .count()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A daemon the CLI started in these folders.
        if let Some(pid) = cli_status(self)
            .ok()
            .and_then(|s| s["data"]["pid"].as_u64())
        {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

/// The sandbox's folders, and the `switchyard` binary to start as the daemon.
fn env(dir: &std::path::Path, command: &mut Command) {
    command
        .env("SWITCHYARD_RUNTIME_DIR", dir.join("run"))
        .env("SWITCHYARD_STATE_DIR", dir.join("state"))
        .env("SWITCHYARD_CONFIG_DIR", dir.join("config"))
        .env("SWITCHYARD_DAEMON_BIN", env!("CARGO_BIN_EXE_switchyard"))
        .env_remove("AWS_ENDPOINT_URL");
}

/// `switchyard ARGS --json` in the daemon's folders, started now (not waited for).
fn cli(daemon: &Daemon, args: &[&str]) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    env(daemon.dir.path(), &mut command);
    command.spawn().unwrap()
}

fn cli_status(daemon: &Daemon) -> Result<serde_json::Value, String> {
    let out = cli(daemon, &["status", "--json"])
        .wait_with_output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .map_err(|_| String::from_utf8_lossy(&out.stderr).into_owned())
}

fn signal(pid: u32, name: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{name} {pid}");
}

/// The daemon stops (SIGSTOP) with the command's request written to its socket, then dies
/// (SIGKILL): the command's connection is reset before any answer.
fn die_under(daemon: &mut Daemon, args: &[&str]) -> std::process::Output {
    let pid = daemon.child.id();
    signal(pid, "STOP");
    let command = cli(daemon, args);
    // The command connects (the kernel queues it) and writes its request.
    std::thread::sleep(Duration::from_millis(500));
    signal(pid, "KILL");
    let _ = daemon.child.wait();
    command.wait_with_output().unwrap()
}

/// Read one HTTP response (status line, headers, a body of its Content-Length).
fn read_response(stream: &mut UnixStream) -> std::io::Result<(String, String)> {
    let mut buffer = Vec::new();
    let mut byte = [0u8; 1];
    while !buffer.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buffer.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buffer).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body)?;
    Ok((head, String::from_utf8_lossy(&body).into_owned()))
}

fn request(body: &str) -> String {
    format!(
        "POST /v1/message HTTP/1.1\r\nHost: daemon\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// How long until the daemon closes `stream` (reads return nothing), at most `limit`.
fn closed_after(stream: &mut UnixStream, since: Instant, limit: Duration) -> Option<Duration> {
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(_) => Some(since.elapsed()),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => Some(since.elapsed()),
        Err(_) => None,
    }
}

#[test]
fn a_terabyte_declared_is_refused_by_its_header() {
    let daemon = Daemon::start(None);
    let mut stream = daemon.connect();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let started = Instant::now();
    stream
        .write_all(
            b"POST /v1/message HTTP/1.1\r\nHost: daemon\r\nContent-Type: application/json\r\n\
              Content-Length: 1099511627776\r\n\r\n{\"id\":1,",
        )
        .unwrap();
    let (head, body) = read_response(&mut stream).expect("an answer, not a wait for the body");
    println!("refused after {:?}", started.elapsed());
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    let reply: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(reply["error"]["code"], "message_too_large", "{body}");
    // A message within the cap is still answered.
    let mut stream = daemon.connect();
    stream
        .write_all(request(r#"{"id":2,"type":"ping"}"#).as_bytes())
        .unwrap();
    let (head, body) = read_response(&mut stream).unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(body.contains(r#""pong":true"#), "{body}");
}

#[test]
fn headers_that_never_end_bodies_that_trickle_and_idle_connections_are_closed() {
    let daemon = Daemon::start(None);
    let limit = HEADER_TIMEOUT + Duration::from_secs(20);
    let started = Instant::now();
    // Connected, and nothing sent.
    let mut silent = daemon.connect();
    // Half a request line.
    let mut slow_headers = daemon.connect();
    slow_headers.write_all(b"POST /v1/mess").unwrap();
    // Headers, then 10 of the 100 bytes declared.
    let mut slow_body = daemon.connect();
    slow_body
        .write_all(
            b"POST /v1/message HTTP/1.1\r\nHost: daemon\r\nContent-Length: 100\r\n\r\n{\"id\":1,\"t",
        )
        .unwrap();
    // A kept-alive connection after one answered request.
    let mut idle = daemon.connect();
    idle.write_all(request(r#"{"id":1,"type":"ping"}"#).as_bytes())
        .unwrap();
    let (head, _) = read_response(&mut idle).unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");

    let floor = HEADER_TIMEOUT.min(BODY_TIMEOUT) - Duration::from_secs(1);
    for (name, stream) in [
        ("silent", &mut silent),
        ("slow headers", &mut slow_headers),
        ("idle keep-alive", &mut idle),
    ] {
        let took = closed_after(stream, started, limit)
            .unwrap_or_else(|| panic!("{name}: still open after {limit:?}"));
        println!("{name}: closed after {took:?}");
        assert!(took >= floor, "{name}: closed too early, {took:?}");
    }
    slow_body.set_read_timeout(Some(limit)).unwrap();
    let (head, body) = read_response(&mut slow_body).expect("an answer to the trickled body");
    println!("slow body: answered after {:?}", started.elapsed());
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    assert!(body.contains(r#""code":"timeout""#), "{body}");
}

#[test]
fn hundreds_of_idle_connections_leave_the_daemon_its_descriptors() {
    let daemon = Daemon::start(Some(256));
    let before = daemon.descriptors();
    let idle: Vec<UnixStream> = (0..200).map(|_| daemon.connect()).collect();
    std::thread::sleep(Duration::from_millis(500));
    let during = daemon.descriptors();
    println!("daemon descriptors: {before} before, {during} with 200 idle connections");
    // Half of the 256 allowed at most serve connections; the rest wait in the backlog.
    assert!(during <= before + 128, "{during} descriptors open");
    // A new client is answered once idle connections time out, not never.
    let started = Instant::now();
    let mut stream = daemon.connect();
    stream.set_read_timeout(Some(HEADER_TIMEOUT * 3)).unwrap();
    stream
        .write_all(request(r#"{"id":1,"type":"ping"}"#).as_bytes())
        .unwrap();
    let (head, body) = read_response(&mut stream).expect("the new client is answered");
    println!("a new client answered after {:?}", started.elapsed());
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(body.contains(r#""pong":true"#), "{body}");
    drop(idle);
}

#[test]
fn a_read_sent_as_the_daemon_dies_is_answered_by_a_new_daemon() {
    let mut daemon = Daemon::start(None);
    let old = daemon.child.id();
    let out = die_under(&mut daemon, &["status", "--json"]);
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{printed}");
    let reply: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let new = reply["data"]["pid"].as_u64().unwrap();
    assert_ne!(new, u64::from(old), "a new daemon answered");
}

#[test]
fn a_write_sent_as_the_daemon_dies_is_not_sent_again_and_says_so() {
    let mut daemon = Daemon::start(None);
    // jobs.cancel changes state: the client cannot know whether the daemon acted.
    let out = die_under(&mut daemon, &["jobs", "cancel", "j0000000000000000"]);
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{printed}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "an error, not a panic: {printed}"
    );
    assert!(
        printed.contains("stopped before answering jobs.cancel"),
        "{printed}"
    );
    assert!(printed.contains("may or may not have acted"), "{printed}");
    // The next command finds no daemon and starts one.
    let status = cli_status(&daemon).unwrap();
    assert!(status["data"]["pid"].as_u64().is_some(), "{status}");
}
