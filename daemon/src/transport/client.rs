//! A client of the daemon's socket, used by the native-messaging host and the CLI:
//! one HTTP/1.1 connection kept alive, and starting the daemon when none runs.
//!
//! Starting is serialized by an flock on `start.lock`, so two hosts that find no daemon
//! at the same moment start one between them; the daemon's own lock is the backstop.
//!
//! Nothing is sent to a socket that may not be the user's own daemon: the runtime dir is
//! checked first (ours, 0700, a real folder: [`Paths::ensure_runtime_dir`]), and the
//! process listening on the socket must run as the same uid (`SO_PEERCRED`, read as the
//! server reads its peers') before the first byte goes out.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use switchyard_shared::protocol::{parse_request, ErrorCode, Request, MAX_OUTGOING_MESSAGE};
use tokio::net::UnixStream;

use crate::system::paths::{Paths, PathsError, RUNTIME_DIR_ENV};
use crate::transport::server::MESSAGE_PATH;

/// Environment variable naming the `switchyard` binary to start as the daemon.
pub const DAEMON_BIN_ENV: &str = "SWITCHYARD_DAEMON_BIN";

/// How long a starting daemon may take to open its socket.
const START_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("the daemon is not running and could not be started: {0}")]
    Start(String),
    #[error("cannot reach the daemon at {path}: {source}")]
    Connect {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the connection to the daemon failed: {0}")]
    Http(#[from] hyper::Error),
    #[error("the daemon's reply is too large or unreadable: {0}")]
    Body(String),
    #[error(
        "the daemon stopped before answering {kind} ({source}); it may or may not have acted \
         on it: look (`switchyard jobs`, `switchyard users list`, …) before sending it again"
    )]
    Lost { kind: String, source: hyper::Error },
    #[error(transparent)]
    RuntimeDir(#[from] PathsError),
    #[error(
        "the process listening on {path} {why}, so it may not be your switchyard daemon: \
         nothing was sent to it. Stop that process (ask an administrator if it is not \
         yours), or set {RUNTIME_DIR_ENV} to a folder of your own"
    )]
    PeerNotOurs { path: PathBuf, why: String },
}

impl ClientError {
    /// The protocol error code a relayed request gets for this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            ClientError::RuntimeDir(PathsError::Unsafe { .. })
            | ClientError::PeerNotOurs { .. } => ErrorCode::DaemonNotTrusted,
            _ => ErrorCode::DaemonUnavailable,
        }
    }
}

/// How one try at a request went wrong.
enum Failure {
    /// The request never left (the connection was closed first): any request may be sent
    /// again.
    NotSent(ClientError),
    /// It was written, and the connection ended before the answer.
    Lost(hyper::Error),
    /// Anything else (starting the daemon, a reply too large): not tried again.
    Other(ClientError),
}

/// How many times a request is tried on a fresh connection after its connection failed.
const TRIES: u32 = 3;

/// Whether to start the daemon when it is not running.
#[derive(Debug, Clone)]
pub enum Autostart {
    Never,
    /// Start this binary with the argument `daemon`.
    With(PathBuf),
}

impl Autostart {
    /// The `switchyard` binary: from [`DAEMON_BIN_ENV`], else beside the running executable.
    pub fn beside_current_exe() -> Autostart {
        if let Some(bin) = std::env::var_os(DAEMON_BIN_ENV) {
            return Autostart::With(PathBuf::from(bin));
        }
        match std::env::current_exe() {
            Ok(exe) => Autostart::With(exe.with_file_name("switchyard")),
            Err(_) => Autostart::Never,
        }
    }
}

/// A connection to the daemon, made on first use and remade when it drops.
pub struct Client {
    paths: Paths,
    autostart: Autostart,
    sender: Option<SendRequest<Full<Bytes>>>,
}

impl Client {
    pub fn new(paths: Paths, autostart: Autostart) -> Client {
        Client {
            paths,
            autostart,
            sender: None,
        }
    }

    /// Send one raw request and return the raw reply body.
    ///
    /// A connection that fails (a daemon that died or closed an idle connection) is made
    /// again, starting a new daemon when none runs: a request that never left is sent
    /// again, and so is one written before the failure when it only reads
    /// ([`switchyard_shared::protocol::Request::only_reads`]); any other is answered with
    /// [`ClientError::Lost`], since the daemon may have acted on it.
    pub async fn send(&mut self, body: Vec<u8>) -> Result<Bytes, ClientError> {
        let body = Bytes::from(body);
        let mut tries = 0;
        loop {
            tries += 1;
            let error = match self.send_once(body.clone()).await {
                Ok(reply) => return Ok(reply),
                Err(Failure::Other(error)) => return Err(error),
                Err(Failure::NotSent(error)) => error,
                Err(Failure::Lost(source)) => {
                    let request = parse_request(&body);
                    // A request the daemon cannot read earns only an error: safe to resend.
                    let only_reads = request.as_ref().map_or(true, |e| e.request.only_reads());
                    if !only_reads {
                        let kind = request
                            .map(|e| request_type(&e.request))
                            .unwrap_or_default();
                        return Err(ClientError::Lost { kind, source });
                    }
                    ClientError::Http(source)
                }
            };
            if tries >= TRIES {
                return Err(error);
            }
            tracing::debug!("daemon connection failed ({error}); trying again");
            tokio::time::sleep(Duration::from_millis(50 * u64::from(tries))).await;
        }
    }

    async fn send_once(&mut self, body: Bytes) -> Result<Bytes, Failure> {
        let sender = match self.sender.take() {
            Some(sender) if !sender.is_closed() => sender,
            _ => self.connect().await.map_err(|e| match e {
                // A fresh connection that fails at once: the daemon is going away.
                ClientError::Http(_) => Failure::NotSent(e),
                other => Failure::Other(other),
            })?,
        };
        let mut sender = sender;
        sender
            .ready()
            .await
            .map_err(|e| Failure::NotSent(ClientError::Http(e)))?;
        let request = hyper::Request::post(MESSAGE_PATH)
            .header(hyper::header::HOST, "switchyard")
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .body(Full::new(body))
            .map_err(|e| Failure::Other(ClientError::Body(e.to_string())))?;
        let response = match sender.try_send_request(request).await {
            Ok(response) => response,
            Err(mut e) => {
                return Err(match e.take_message() {
                    Some(_) => Failure::NotSent(ClientError::Http(e.into_error())),
                    None => Failure::Lost(e.into_error()),
                })
            }
        };
        self.sender = Some(sender);
        let limited = Limited::new(response.into_body(), MAX_OUTGOING_MESSAGE * 4);
        let collected = limited.collect().await.map_err(|e| {
            // The answer began and broke off: the daemon did act on the request.
            match e.downcast::<hyper::Error>() {
                Ok(e) => Failure::Lost(*e),
                Err(e) => Failure::Other(ClientError::Body(e.to_string())),
            }
        })?;
        Ok(collected.to_bytes())
    }

    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>, ClientError> {
        let stream = connect_or_start(&self.paths, &self.autostart).await?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("daemon connection closed: {e}");
            }
        });
        Ok(sender)
    }
}

/// The `type` string of a request, for messages.
fn request_type(request: &Request) -> String {
    match serde_json::to_value(request) {
        Ok(serde_json::Value::Object(object)) => object
            .get("type")
            .and_then(|t| t.as_str())
            .unwrap_or("the request")
            .to_owned(),
        _ => "the request".to_owned(),
    }
}

/// Connect to the daemon's socket, starting the daemon first if allowed and needed.
pub async fn connect_or_start(
    paths: &Paths,
    autostart: &Autostart,
) -> Result<UnixStream, ClientError> {
    let socket = paths.socket();
    // The folder first: another user's folder, a symlink or a file is refused before any
    // connection (made 0700 if it is missing, tightened if it is ours).
    paths.ensure_runtime_dir()?;
    match UnixStream::connect(&socket).await {
        Ok(stream) => return same_user(stream, &socket),
        Err(source) => {
            let Autostart::With(bin) = autostart else {
                return Err(ClientError::Connect {
                    path: socket,
                    source,
                });
            };
            if !is_not_running(&source) {
                return Err(ClientError::Connect {
                    path: socket,
                    source,
                });
            }
            let bin = bin.clone();
            let paths = paths.clone();
            // flock and process spawning block; keep them off the async thread.
            tokio::task::spawn_blocking(move || start_daemon(&paths, &bin))
                .await
                .map_err(|e| ClientError::Start(e.to_string()))??;
        }
    }
    let stream = UnixStream::connect(&socket)
        .await
        .map_err(|source| ClientError::Connect {
            path: socket.clone(),
            source,
        })?;
    same_user(stream, &socket)
}

/// `stream` when the process listening on it runs as this user; refused when it runs as
/// another uid or its credentials cannot be read.
fn same_user(stream: UnixStream, socket: &Path) -> Result<UnixStream, ClientError> {
    let own = rustix::process::getuid().as_raw();
    let why = match stream.peer_cred() {
        Ok(cred) if cred.uid() == own => return Ok(stream),
        Ok(cred) => format!("runs as uid {}, not as you (uid {own})", cred.uid()),
        Err(e) => format!("cannot be identified ({e})"),
    };
    Err(ClientError::PeerNotOurs {
        path: socket.to_owned(),
        why,
    })
}

/// Beyond this the stderr file starts again (it only holds start-up failures and panics).
const STDERR_LOG_LIMIT: u64 = 1024 * 1024;

fn open_stderr_log(path: &Path) -> Option<File> {
    let too_big = std::fs::metadata(path).is_ok_and(|m| m.len() > STDERR_LOG_LIMIT);
    let mut options = File::options();
    options.create(true);
    if too_big {
        options.write(true).truncate(true);
    } else {
        options.append(true);
    }
    options.open(path).ok()
}

fn is_not_running(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
    )
}

/// Start the daemon unless another client already did, and wait for its socket.
fn start_daemon(paths: &Paths, bin: &Path) -> Result<(), ClientError> {
    let start_err =
        |what: &str, e: &dyn std::fmt::Display| ClientError::Start(format!("{what}: {e}"));
    paths
        .ensure_runtime_dir()
        .map_err(|e| start_err("runtime dir", &e))?;
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(paths.start_lock())
        .map_err(|e| start_err("open start lock", &e))?;
    lock.lock().map_err(|e| start_err("lock start lock", &e))?;
    // Someone may have started it while we waited for the lock.
    if std::os::unix::net::UnixStream::connect(paths.socket()).is_ok() {
        return Ok(());
    }
    // What the daemon says before its own log is set up (or a panic) must not be lost.
    let log = paths
        .ensure_logs_dir()
        .ok()
        .and_then(|()| open_stderr_log(&paths.daemon_stderr_log()));
    let stderr = log.map_or_else(Stdio::null, Stdio::from);
    let mut command = Command::new(bin);
    command
        .arg("daemon")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr);
    // Its own process group, so a signal to the browser's group does not reach it.
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .spawn()
        .map_err(|e| start_err(&format!("cannot run {}", bin.display()), &e))?;
    let deadline = Instant::now() + START_TIMEOUT;
    let mut pause = Duration::from_millis(2);
    loop {
        if std::os::unix::net::UnixStream::connect(paths.socket()).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(ClientError::Start(format!(
                "{} daemon exited with {status}; see {}",
                bin.display(),
                paths.daemon_stderr_log().display()
            )));
        }
        if Instant::now() > deadline {
            return Err(ClientError::Start(format!(
                "{} daemon did not open {} within {:?}; see {}",
                bin.display(),
                paths.socket().display(),
                START_TIMEOUT,
                paths.daemon_stderr_log().display()
            )));
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}
