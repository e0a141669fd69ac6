//! Integration: the daemon's log. A daemon at the most verbose level is run through flows
//! that handle secrets (a key stored, used against moto, rotated to a new one) and no
//! file in its state dir holds either secret; `switchyard logs` shows the tail and
//! `--follow` what comes after.

mod support;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::{text, Moto, Sandbox};

/// `switchyard ARGS` in the sandbox with the daemon (if this starts it) at `trace`.
fn verbose(sandbox: &Sandbox, args: &[&str], stdin: Option<&str>) -> Output {
    support::switchyard_with(args, stdin, |c| {
        sandbox.env(c);
        c.env("SWITCHYARD_LOG", "trace");
    })
}

/// Every file under `dir`, with its text.
fn files(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                found.push((
                    path.display().to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                ));
            }
        }
    }
    found
}

/// The secret of the key the keyring holds for `profile` (secret-tool prints it).
fn stored_secret(sandbox: &Sandbox) -> String {
    let found = sandbox.secret_tool_search();
    let start = found
        .find("\"secret_access_key\":\"")
        .unwrap_or_else(|| panic!("a stored key: {found}"))
        + "\"secret_access_key\":\"".len();
    found[start..start + 40].to_owned()
}

#[test]
fn no_secret_reaches_a_log_even_at_trace() {
    let moto = Moto::start();
    let alice = moto.seed(0, false);
    let sandbox = Sandbox::start();
    let add = verbose(
        &sandbox,
        &[
            "credentials",
            "add",
            "--profile",
            "work",
            "--access-key-id",
            &alice.access_key_id,
            "--endpoint-url",
            &moto.endpoint,
        ],
        Some(&format!("{}\n", alice.secret_access_key)),
    );
    assert!(add.status.success(), "{}", text(&add));
    let me = verbose(&sandbox, &["whoami", "--profile", "work"], None);
    assert!(me.status.success(), "{}", text(&me));
    let rotate = verbose(
        &sandbox,
        &["credentials", "rotate", "--profile", "work"],
        None,
    );
    assert!(rotate.status.success(), "{}", text(&rotate));
    let new_secret = stored_secret(&sandbox);
    assert_ne!(new_secret, alice.secret_access_key);
    let me = verbose(&sandbox, &["whoami", "--profile", "work"], None);
    assert!(me.status.success(), "{}", text(&me));

    let state = sandbox.home().join("state");
    let logs = state.join("logs");
    let all = files(&state);
    let log_text: String = all
        .iter()
        .filter(|(path, _)| path.starts_with(&logs.display().to_string()))
        .map(|(_, text)| text.as_str())
        .collect();
    // The log was written, at trace level, through the whole flow.
    assert!(log_text.contains("daemon listening"), "{log_text}");
    assert!(log_text.contains("DEBUG"), "{log_text}");
    assert!(log_text.contains("access key rotated"), "{log_text}");
    for (path, content) in &all {
        for secret in [&alice.secret_access_key, &new_secret] {
            assert!(!content.contains(secret.as_str()), "a secret is in {path}");
        }
    }

    // `switchyard logs -n 2`: the current file's last two lines.
    let out = sandbox.switchyard(&["logs", "-n", "2"], None);
    assert!(out.status.success(), "{}", text(&out));
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    let current = std::fs::read_to_string(logs.join("daemon.log")).unwrap();
    let last_two: Vec<&str> = current.lines().rev().take(2).collect();
    let shown_lines: Vec<&str> = shown.lines().rev().collect();
    assert_eq!(shown_lines, last_two);
    assert!(
        std::fs::symlink_metadata(logs.join("daemon.log"))
            .unwrap()
            .file_type()
            .is_symlink(),
        "daemon.log links to the day's file"
    );
}

#[test]
fn follow_prints_what_the_daemon_writes_next() {
    let sandbox = Sandbox::start();
    let ping = verbose(&sandbox, &["ping"], None);
    assert!(ping.status.success(), "{}", text(&ping));
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command
        .args(["logs", "--follow", "-n", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    sandbox.env(&mut command);
    let mut follower = command.spawn().unwrap();
    let mut stdout = follower.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut seen = String::new();
        let mut buf = [0u8; 4096];
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline && !seen.contains("rejected request") {
            match stdout.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
            }
        }
        seen
    });
    std::thread::sleep(Duration::from_millis(700));
    // A request the daemon rejects is logged at info.
    let socket = sandbox.home().join("run/daemon.sock");
    let mut stream = std::os::unix::net::UnixStream::connect(&socket).unwrap();
    std::io::Write::write_all(
        &mut stream,
        b"POST /v1/message HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nnope!",
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !reader.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = follower.kill();
    let _ = follower.wait();
    let seen = reader.join().unwrap();
    assert!(seen.contains("rejected request"), "followed: {seen:?}");
    assert!(
        !seen.contains("daemon listening"),
        "-n 0 shows no old line: {seen:?}"
    );
}
