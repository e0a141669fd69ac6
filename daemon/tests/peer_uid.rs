//! Integration: the daemon refuses a connection from another user even when the socket's
//! mode lets that user in (root can open any socket). The daemon runs as `nobody` and the
//! test, as root, connects. This needs root to switch users; run as another user, the test
//! reports that it could not run this check and passes without it.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const NOBODY: u32 = 65534;

fn chown_nobody(path: &Path) {
    rustix::fs::chown(
        path,
        Some(rustix::fs::Uid::from_raw(NOBODY)),
        Some(rustix::fs::Gid::from_raw(NOBODY)),
    )
    .unwrap();
}

#[test]
fn a_peer_of_another_uid_is_refused() {
    if !rustix::process::getuid().is_root() {
        eprintln!("peer_uid: not root, so no daemon can be run as another user; check not run");
        return;
    }
    let dir = tempfile::Builder::new()
        .prefix("sy")
        .tempdir_in("/tmp")
        .unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    // The build dir may sit under /root, which `nobody` cannot enter: run a copy.
    let bin = dir.path().join("switchyard");
    std::fs::copy(env!("CARGO_BIN_EXE_switchyard"), &bin).unwrap();
    for sub in ["run", "state"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
        chown_nobody(&dir.path().join(sub));
    }
    let mut daemon = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&bin)
        .arg("daemon")
        .env("SWITCHYARD_RUNTIME_DIR", dir.path().join("run"))
        .env("SWITCHYARD_STATE_DIR", dir.path().join("state"))
        .env("HOME", dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let socket = dir.path().join("run/daemon.sock");
    let mut waited = 0;
    while !socket.exists() && waited < 500 {
        std::thread::sleep(Duration::from_millis(10));
        waited += 1;
    }
    let body = br#"{"id":1,"type":"ping"}"#;
    let response = (|| -> std::io::Result<String> {
        let mut stream = UnixStream::connect(&socket)?;
        // The daemon may answer 403 and close before the request is fully written (the
        // peer check needs no body): a broken pipe here still leaves its answer to read.
        let sent = write!(
            stream,
            "POST /v1/message HTTP/1.1\r\nHost: switchyard\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .and_then(|()| stream.write_all(body));
        if let Err(e) = sent {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                return Err(e);
            }
        }
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        Ok(response)
    })();
    let _ = daemon.kill();
    let _ = daemon.wait();
    let response = response.unwrap();
    assert!(response.starts_with("HTTP/1.1 403"), "{response}");
    assert!(
        response.contains(r#""code":"peer_not_allowed""#),
        "{response}"
    );
    assert!(!response.contains("pong"), "{response}");
}
