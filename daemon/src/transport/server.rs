//! The daemon's transport: HTTP/1.1 over a Unix socket (mode 0600) with one route,
//! `POST /v1/message`, whose body is a protocol request and whose response body is the
//! protocol reply. Peers of another uid are refused; only one daemon runs per runtime
//! dir (an flock held for the daemon's life).

use std::fs::{self, File};
use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use switchyard_shared::protocol::{ErrorBody, ErrorCode, Reply, RequestId, MAX_INCOMING_MESSAGE};
use tokio::net::UnixListener;

use crate::system::paths::{Paths, PathsError};
use crate::transport::dispatch::{handle_bytes, DaemonState};

/// The path of the one route.
pub const MESSAGE_PATH: &str = "/v1/message";

/// Who is on the other end of a connection.
#[derive(Clone, Debug)]
pub struct PeerInfo {
    pub uid: Option<u32>,
}

/// The daemon's router, apart from any listener so tests can call it directly.
pub fn app(state: Arc<DaemonState>) -> Router {
    Router::new()
        .route(MESSAGE_PATH, post(message))
        .layer(middleware::from_fn(same_user_only))
        .with_state(state)
}

/// The largest request body read: the message cap and a little room for the envelope
/// (the host enforces the exact cap).
const MAX_BODY: usize = MAX_INCOMING_MESSAGE + 1024;
/// How long a request's headers may take to arrive; also how long a kept-alive connection
/// may sit idle before the daemon closes it. A local peer sends its headers in
/// microseconds; clients reconnect when they find their connection closed.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request's body may take to arrive once its headers have.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

fn too_large() -> Response {
    json_reply(
        StatusCode::PAYLOAD_TOO_LARGE,
        Reply::error(
            RequestId::unknown(),
            ErrorBody::new(
                ErrorCode::MessageTooLarge,
                format!("a message may be at most {MAX_INCOMING_MESSAGE} bytes"),
            ),
        )
        .to_bytes(),
    )
}

async fn message(
    State(state): State<Arc<DaemonState>>,
    headers: axum::http::HeaderMap,
    body: Body,
) -> Response {
    // A declared length over the cap is refused by the header, before any body is read.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return too_large();
    }
    let bytes = match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, MAX_BODY)).await
    {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => return too_large(),
        Err(_) => {
            return json_reply(
                StatusCode::REQUEST_TIMEOUT,
                Reply::error(
                    RequestId::unknown(),
                    ErrorBody::new(
                        ErrorCode::Timeout,
                        format!(
                            "the request's body did not arrive within {} s",
                            BODY_TIMEOUT.as_secs()
                        ),
                    ),
                )
                .to_bytes(),
            )
        }
    };
    json_reply(StatusCode::OK, handle_bytes(&state, &bytes).await)
}

fn json_reply(status: StatusCode, reply: Vec<u8>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        Bytes::from(reply),
    )
        .into_response()
}

/// Refuse peers of another uid, and peers whose credentials could not be read. Every
/// connection [`serve`] accepts carries a [`PeerInfo`]; a request without one comes from
/// in-process code calling the router directly (tests), not from the socket.
async fn same_user_only(request: Request, next: Next) -> Response {
    let own = rustix::process::getuid().as_raw();
    let peer = request
        .extensions()
        .get::<ConnectInfo<PeerInfo>>()
        .map(|info| info.0.uid);
    match peer {
        Some(uid) if uid != Some(own) => {
            match uid {
                Some(uid) => {
                    tracing::warn!(peer_uid = uid, "refused a connection from another user")
                }
                None => {
                    tracing::warn!("refused a connection whose peer credentials cannot be read")
                }
            }
            json_reply(
                StatusCode::FORBIDDEN,
                Reply::error(
                    RequestId::unknown(),
                    ErrorBody::new(
                        ErrorCode::PeerNotAllowed,
                        "this daemon serves only the user who started it",
                    ),
                )
                .to_bytes(),
            )
        }
        _ => next.run(request).await,
    }
}

pub use crate::system::paths::EXIT_ALREADY_RUNNING;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Paths(#[from] PathsError),
    #[error("another switchyard daemon is already running for this user (lock {0})")]
    AlreadyRunning(String),
    #[error("cannot {what} {path}: {source}")]
    Io {
        what: &'static str,
        path: String,
        source: std::io::Error,
    },
}

/// A bound, locked daemon socket, ready to serve.
pub struct Bound {
    pub listener: UnixListener,
    /// Held for the daemon's life; dropping it releases the single-instance lock.
    _lock: File,
    paths: Paths,
}

/// Take the single-instance lock and bind the socket with mode 0600.
pub fn bind(paths: &Paths) -> Result<Bound, StartError> {
    paths.ensure_runtime_dir()?;
    let io_err = |what: &'static str, path: &std::path::Path| {
        let path = path.display().to_string();
        move |source| StartError::Io { what, path, source }
    };
    let lock_path = paths.daemon_lock();
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(io_err("open", &lock_path))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            return Err(StartError::AlreadyRunning(lock_path.display().to_string()))
        }
        Err(fs::TryLockError::Error(e)) => return Err(io_err("lock", &lock_path)(e)),
    }
    let socket = paths.socket();
    // We hold the lock, so any socket file left here belongs to a daemon that died.
    match fs::remove_file(&socket) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err("remove stale socket", &socket)(e)),
    }
    let listener = UnixListener::bind(&socket).map_err(io_err("bind", &socket))?;
    fs::set_permissions(&socket, fs::Permissions::from_mode(0o600))
        .map_err(io_err("chmod", &socket))?;
    Ok(Bound {
        listener,
        _lock: lock,
        paths: paths.clone(),
    })
}

/// How many connections the daemon serves at once: half its descriptor limit, at most
/// 512 (at least 16). Connections beyond wait in the socket's backlog (they cost the
/// daemon no descriptor) until one closes, so idle clients cannot take the descriptors
/// the daemon needs for its own files and AWS calls.
pub fn connection_limit() -> usize {
    let soft = rustix::process::getrlimit(rustix::process::Resource::Nofile)
        .current
        .unwrap_or(u64::MAX);
    usize::try_from(soft / 2)
        .unwrap_or(usize::MAX)
        .clamp(16, 512)
}

/// Serve until `shutdown` resolves, then remove the socket. Each connection is HTTP/1.1
/// with [`HEADER_TIMEOUT`] (headers, and idle keep-alive), at most [`connection_limit`]
/// at once; on shutdown the connections finish their request in flight (up to 10 s).
pub async fn serve(
    bound: Bound,
    state: Arc<DaemonState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let Bound {
        listener,
        _lock,
        paths,
    } = bound;
    let router = app(state);
    let limit = Arc::new(tokio::sync::Semaphore::new(connection_limit()));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&limit).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of descriptors, or a connection gone before it was accepted:
                    // wait a little rather than spin.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let peer = ConnectInfo(PeerInfo {
            uid: stream.peer_cred().ok().map(|cred| cred.uid()),
        });
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<_>| {
            request.extensions_mut().insert(peer.clone());
            tower::ServiceExt::oneshot(router.clone(), request.map(Body::new))
        });
        let connection =
            graceful.watch(http.serve_connection(hyper_util::rt::TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("connection ended: {e}");
            }
            drop(permit);
        });
    }
    drop(listener);
    let _ = fs::remove_file(paths.socket());
    if tokio::time::timeout(Duration::from_secs(10), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after 10 s of shutdown");
    }
    drop(_lock);
    Ok(())
}

/// Resolves on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("cannot listen for SIGTERM: {e}");
            return std::future::pending().await;
        }
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM: shutting down"),
        _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT: shutting down"),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;
    use crate::aws::env::AwsEnv;

    async fn call(body: impl Into<Body>) -> (StatusCode, String) {
        let app = app(Arc::new(DaemonState::new(
            AwsEnv::default(),
            std::path::Path::new("/nonexistent"),
        )));
        let response = app
            .oneshot(Request::post(MESSAGE_PATH).body(body.into()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn ping_and_bad_input_over_the_router() {
        let (status, body) = call(r#"{"id":1,"type":"ping"}"#).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, r#"{"id":1,"status":"ok","data":{"pong":true}}"#);

        let (_, body) = call("nope").await;
        assert!(body.contains(r#""code":"invalid_json""#), "{body}");

        let (_, body) = call(vec![b' '; MAX_INCOMING_MESSAGE + 2048]).await;
        assert!(body.contains(r#""code":"message_too_large""#), "{body}");
    }

    /// A connection from another uid, or one whose peer credentials could not be read, is
    /// refused; one of ours is served.
    #[tokio::test]
    async fn only_a_peer_known_to_be_ours_is_served() {
        let own = rustix::process::getuid().as_raw();
        for (uid, served) in [(Some(own), true), (Some(own + 1), false), (None, false)] {
            let app = app(Arc::new(DaemonState::new(
                AwsEnv::default(),
                std::path::Path::new("/nonexistent"),
            )));
            let mut request = Request::post(MESSAGE_PATH)
                .body(Body::from(r#"{"id":1,"type":"ping"}"#))
                .unwrap();
            request
                .extensions_mut()
                .insert(ConnectInfo(PeerInfo { uid }));
            let response = app.oneshot(request).await.unwrap();
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            let body = String::from_utf8_lossy(&bytes);
            if served {
                assert_eq!(status, StatusCode::OK, "{uid:?}: {body}");
                assert!(body.contains("pong"), "{body}");
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{uid:?}: {body}");
                assert!(body.contains(r#""code":"peer_not_allowed""#), "{body}");
            }
        }
    }

    #[tokio::test]
    async fn status_reports_the_stand_in() {
        let state = DaemonState::new(
            AwsEnv {
                endpoint_url: Some("http://127.0.0.1:5000".into()),
                ..AwsEnv::default()
            },
            std::path::Path::new("/nonexistent"),
        );
        let app = app(Arc::new(state));
        let response = app
            .oneshot(
                Request::post(MESSAGE_PATH)
                    .body(Body::from(r#"{"id":"s","type":"status"}"#))
                    .unwrap(),
            )
            .await
            .unwrap();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let reply: Reply = serde_json::from_slice(&bytes).unwrap();
        let status: switchyard_shared::protocol::StatusData = reply.into_result().unwrap();
        assert_eq!(status.pid, std::process::id());
        assert_eq!(
            status.aws,
            switchyard_shared::protocol::AwsTarget::LocalStandIn {
                endpoint: "http://127.0.0.1:5000".into()
            }
        );
    }

    #[tokio::test]
    async fn a_second_daemon_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let paths = Paths::in_dir(tmp.path());
        let first = bind(&paths).unwrap();
        let mode = fs::metadata(paths.socket()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        match bind(&paths) {
            Err(StartError::AlreadyRunning(_)) => {}
            other => panic!("expected AlreadyRunning, got {:?}", other.err()),
        }
        drop(first);
        bind(&paths).expect("the lock is free again once the first daemon is gone");
    }
}
