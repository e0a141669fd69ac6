//! Integration: the CLI and `switchyard-host` send nothing to a socket that may not be
//! the user's own daemon, and the CLI prints no login URL off AWS's sign-in hosts.
//!
//! The "attacker" here is a listener the test binds itself, in the places another local
//! user could bind one: a folder of another uid at the shared `$TMPDIR/switchyard-UID`
//! path, a folder named by `SWITCHYARD_RUNTIME_DIR`, a socket in the user's folder held by
//! a process of another uid. It records every byte it receives and answers what a hostile
//! daemon would. The other uid is `nobody`, which needs root to set up; run as another
//! user, those tests report that the check did not run and pass without it (as
//! `peer_uid.rs` does).

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const NOBODY: u32 = 65534;
const ORIGIN: &str = "chrome-extension://fckpphpaflmmcocfemjogfaiblilmlih/";
const ROLE: &str = "arn:aws:iam::111111111111:role/Admin";

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn chown_nobody(path: &Path) {
    rustix::fs::chown(
        path,
        Some(rustix::fs::Uid::from_raw(NOBODY)),
        Some(rustix::fs::Gid::from_raw(NOBODY)),
    )
    .unwrap();
}

fn is_root() -> bool {
    if rustix::process::getuid().is_root() {
        return true;
    }
    eprintln!("socket_trust: not root, so no folder or process of another user can be made; check not run");
    false
}

/// A short temporary folder (a socket path must fit in 108 bytes) that `nobody` may enter.
fn short_dir() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("sy")
        .tempdir_in("/tmp")
        .unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// A listener standing in for a hostile daemon: it records what each connection sent and
/// answers every HTTP request with `answer`.
struct Impostor {
    received: Arc<Mutex<Vec<u8>>>,
    connections: Arc<Mutex<usize>>,
}

impl Impostor {
    fn listen(socket: &Path, answer: &str) -> Impostor {
        let listener = UnixListener::bind(socket).unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(Mutex::new(0));
        let (got, count, answer) = (received.clone(), connections.clone(), answer.to_owned());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                *count.lock().unwrap() += 1;
                let (got, answer) = (got.clone(), answer.clone());
                std::thread::spawn(move || serve(stream, &got, &answer));
            }
        });
        Impostor {
            received,
            connections,
        }
    }

    fn received(&self) -> String {
        String::from_utf8_lossy(&self.received.lock().unwrap()).into_owned()
    }

    fn connections(&self) -> usize {
        *self.connections.lock().unwrap()
    }
}

/// Read HTTP requests until the peer closes, answering each with `answer`.
fn serve(stream: UnixStream, got: &Mutex<Vec<u8>>, answer: &str) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = 0;
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            got.lock().unwrap().extend_from_slice(line.as_bytes());
            let lower = line.to_ascii_lowercase();
            if let Some(value) = lower.strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        got.lock().unwrap().extend_from_slice(&body);
        let _ = write!(
            writer,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{answer}",
            answer.len()
        );
    }
}

/// What a hostile daemon answers to `switch.federate`: a login URL of its choosing.
fn federate_answer(login_url: &str) -> String {
    serde_json::json!({
        "id": 1,
        "status": "ok",
        "data": {
            "profile": "default",
            "role_arn": ROLE,
            "login_url": login_url,
            "destination": "https://console.aws.amazon.com/console/home",
            "expires_at": 0
        }
    })
    .to_string()
}

const STATUS_FROM_AN_IMPOSTOR: &str = r#"{"id":1,"status":"ok","data":{"daemon_version":"6.6.6","protocol_version":1,"pid":1,"uptime_secs":1,"credentials":{"configured":false},"aws":{"kind":"aws"}}}"#;

/// `switchyard ARGS` with no runtime dir of the system's and `env` applied.
fn switchyard(args: &[&str], env: impl FnOnce(&mut Command)) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command
        .args(args)
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("SWITCHYARD_RUNTIME_DIR")
        .env_remove("AWS_ENDPOINT_URL")
        .env("SWITCHYARD_DAEMON_BIN", env!("CARGO_BIN_EXE_switchyard"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    env(&mut command);
    command.output().unwrap()
}

/// One frame through `switchyard-host` (as the browser sends it); the reply frame.
fn through_host(request: &str, env: impl FnOnce(&mut Command)) -> serde_json::Value {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard-host"));
    command
        .arg(ORIGIN)
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("SWITCHYARD_RUNTIME_DIR")
        .env("SWITCHYARD_DAEMON_BIN", env!("CARGO_BIN_EXE_switchyard"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    env(&mut command);
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input
        .write_all(&(request.len() as u32).to_ne_bytes())
        .unwrap();
    input.write_all(request.as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    let len = u32::from_ne_bytes(out.stdout[..4].try_into().unwrap()) as usize;
    serde_json::from_slice(&out.stdout[4..4 + len]).unwrap()
}

/// Stop the daemon a `status --json` reply names.
fn stop(status: &Output) {
    let reply: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
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

#[test]
fn a_shared_tmp_folder_made_first_by_another_user_is_passed_by() {
    if !is_root() {
        return;
    }
    let dir = short_dir();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    // What another user does in a shared /tmp: make the folder first and listen in it.
    let squatted = tmp.join("switchyard-0");
    std::fs::create_dir(&squatted).unwrap();
    let impostor = Impostor::listen(&squatted.join("daemon.sock"), STATUS_FROM_AN_IMPOSTOR);
    std::fs::set_permissions(&squatted, std::fs::Permissions::from_mode(0o777)).unwrap();
    chown_nobody(&squatted);

    let env = |c: &mut Command| {
        c.env("TMPDIR", &tmp)
            .env("HOME", dir.path())
            .env("SWITCHYARD_STATE_DIR", dir.path().join("state"))
            .env("SWITCHYARD_CONFIG_DIR", dir.path().join("config"));
    };
    let status = switchyard(&["status", "--json"], env);
    let reply = through_host(r#"{"id":2,"type":"status"}"#, env);
    stop(&status);
    assert!(status.status.success(), "{}", text(&status));
    assert!(
        !text(&status).contains("6.6.6"),
        "answered by the impostor: {}",
        text(&status)
    );
    assert_eq!(reply["status"], "ok", "{reply}");
    assert_ne!(reply["data"]["daemon_version"], "6.6.6", "{reply}");
    // The daemon the CLI started lives in the user's own state dir.
    let fallback = dir.path().join("state/run");
    let mode = std::fs::metadata(&fallback).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    assert_eq!(impostor.connections(), 0, "{}", impostor.received());
}

#[test]
fn a_runtime_dir_of_another_user_is_refused_with_the_fix() {
    if !is_root() {
        return;
    }
    let dir = short_dir();
    let run = dir.path().join("run");
    std::fs::create_dir(&run).unwrap();
    let impostor = Impostor::listen(&run.join("daemon.sock"), STATUS_FROM_AN_IMPOSTOR);
    chown_nobody(&run);
    let env = |c: &mut Command| {
        c.env("SWITCHYARD_RUNTIME_DIR", &run)
            .env("HOME", dir.path())
            .env("SWITCHYARD_STATE_DIR", dir.path().join("state"))
            .env("SWITCHYARD_CONFIG_DIR", dir.path().join("config"));
    };

    let out = switchyard(&["status"], env);
    assert!(!out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains(&run.display().to_string()), "{said}");
    assert!(said.contains("belongs to uid 65534"), "{said}");
    assert!(said.contains("SWITCHYARD_RUNTIME_DIR"), "{said}");
    assert!(!said.contains("6.6.6"), "{said}");

    let reply = through_host(r#"{"id":2,"type":"status"}"#, env);
    assert_eq!(reply["id"], 2, "{reply}");
    assert_eq!(reply["error"]["code"], "daemon_not_trusted", "{reply}");

    // A symlink to a folder of ours is refused the same way.
    let ours = dir.path().join("ours");
    std::fs::create_dir(&ours).unwrap();
    std::fs::set_permissions(&ours, std::fs::Permissions::from_mode(0o700)).unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&ours, &link).unwrap();
    let out = switchyard(&["status"], |c| {
        env(c);
        c.env("SWITCHYARD_RUNTIME_DIR", &link);
    });
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("symbolic link"), "{}", text(&out));
    assert_eq!(impostor.connections(), 0, "{}", impostor.received());
}

#[test]
fn a_listener_of_another_uid_gets_not_one_byte() {
    if !is_root() {
        return;
    }
    // The CLI runs as `nobody` in its own 0700 folder, and a process of another uid (root,
    // the test) listens there: the CLI must see that before it sends anything.
    let dir = short_dir();
    // The build dir may sit under /root, which `nobody` cannot enter: a link to the binary
    // (a copy only across file systems: it is hundreds of megabytes).
    let bin = dir.path().join("switchyard");
    if std::fs::hard_link(env!("CARGO_BIN_EXE_switchyard"), &bin).is_err() {
        std::fs::copy(env!("CARGO_BIN_EXE_switchyard"), &bin).unwrap();
    }
    let run = dir.path().join("run");
    let state = dir.path().join("state");
    for folder in [&run, &state] {
        std::fs::create_dir(folder).unwrap();
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700)).unwrap();
        chown_nobody(folder);
    }
    let socket = run.join("daemon.sock");
    let impostor = Impostor::listen(&socket, STATUS_FROM_AN_IMPOSTOR);
    // Connecting needs write permission on the socket file.
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&bin)
        .arg("status")
        .env("SWITCHYARD_RUNTIME_DIR", &run)
        .env("SWITCHYARD_STATE_DIR", &state)
        .env("SWITCHYARD_DAEMON_BIN", &bin)
        .env("HOME", dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("runs as uid 0, not as you (uid 65534)"),
        "{said}"
    );
    assert!(said.contains("nothing was sent"), "{said}");
    assert!(!said.contains("6.6.6"), "{said}");
    // It connected (that is how it learnt who listens), then closed without a byte.
    for _ in 0..100 {
        if impostor.connections() > 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(impostor.connections(), 1);
    assert_eq!(impostor.received(), "");
}

/// A sandbox whose runtime dir is ours, with an impostor answering on the socket (as root
/// can, or a process of ours that is not switchyard).
fn login_against(login_url: &str, args: &[&str]) -> (Output, PathBuf, tempfile::TempDir) {
    let dir = short_dir();
    let run = dir.path().join("run");
    std::fs::create_dir(&run).unwrap();
    std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
    let _impostor = Impostor::listen(&run.join("daemon.sock"), &federate_answer(login_url));
    let mut all = vec!["login", ROLE];
    all.extend_from_slice(args);
    let out = switchyard(&all, |c| {
        c.env("SWITCHYARD_RUNTIME_DIR", &run)
            .env("HOME", dir.path())
            .env("SWITCHYARD_STATE_DIR", dir.path().join("state"))
            .env("SWITCHYARD_CONFIG_DIR", dir.path().join("config"));
    });
    (out, run, dir)
}

#[test]
fn login_prints_only_a_sign_in_address_of_the_roles_partition() {
    let good = "https://signin.aws.amazon.com/federation?Action=login&Issuer=x&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2F&SigninToken=tok";
    let (out, _, _dir) = login_against(good, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), good);

    for hostile in [
        "https://signin.aws.amazon.com.evil.example/federation?Action=login&SigninToken=tok",
        "javascript:alert(document.cookie)",
        "https://signin.aws.amazon.com@evil.example/federation?Action=login&SigninToken=tok",
        "https://signin.aws.amazon.com/oauth?Action=login&SigninToken=tok",
        "https://signin.amazonaws.cn/federation?Action=login&SigninToken=tok",
    ] {
        for json in [false, true] {
            let args: &[&str] = if json { &["--json"] } else { &[] };
            let (out, _, _dir) = login_against(hostile, args);
            assert!(!out.status.success(), "{hostile}: {}", text(&out));
            let said = text(&out);
            assert!(said.contains("not an AWS sign-in address"), "{said}");
            assert!(!said.contains("evil") && !said.contains("tok"), "{said}");
            if json {
                let reply: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                assert_eq!(reply["error"]["code"], "daemon_not_trusted", "{reply}");
            } else {
                assert!(out.stdout.is_empty(), "{said}");
            }
        }
    }
}
