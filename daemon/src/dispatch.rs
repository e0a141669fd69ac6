//! Turn one request into one reply. Every message type has its handler here; the
//! transport (HTTP over the socket) lives in [`crate::server`].

use std::time::Instant;

use switchyard_shared::protocol::{
    check_protocol_version, parse_request, HelloData, PongData, Reply, Request, StatusData,
    PROTOCOL_VERSION,
};
use switchyard_shared::APP_VERSION;

use crate::aws_env::AwsEnv;

/// What the daemon knows while it runs.
#[derive(Debug, Clone)]
pub struct DaemonState {
    pub started: Instant,
    pub aws: AwsEnv,
}

impl DaemonState {
    pub fn new(aws: AwsEnv) -> DaemonState {
        DaemonState {
            started: Instant::now(),
            aws,
        }
    }
}

/// Profiles stored with `switchyard credentials add` (the config lists them; the secrets
/// stay in the keyring). An unreadable config counts as none; `switchyard config` says why.
fn keyring_profiles() -> Vec<String> {
    crate::config::load(&crate::config::path())
        .map(|config| config.profiles.into_keys().collect())
        .unwrap_or_default()
}

/// Answer raw request bytes.
pub fn handle_bytes(state: &DaemonState, bytes: &[u8]) -> Reply {
    match parse_request(bytes) {
        Ok(envelope) => {
            let reply = handle(state, envelope.id.clone(), envelope.request);
            tracing::debug!(id = %envelope.id.as_value(), "handled request");
            reply
        }
        Err(rejected) => {
            tracing::info!(code = %rejected.error.code, "rejected request");
            rejected.into_reply()
        }
    }
}

fn handle(
    state: &DaemonState,
    id: switchyard_shared::protocol::RequestId,
    request: Request,
) -> Reply {
    match request {
        Request::Hello(params) => match check_protocol_version(&params) {
            Ok(()) => Reply::ok(id, &HelloData::current()),
            Err(error) => Reply::error(id, error),
        },
        Request::Ping => Reply::ok(id, &PongData { pong: true }),
        Request::Status => Reply::ok(
            id,
            &StatusData {
                daemon_version: APP_VERSION.to_owned(),
                protocol_version: PROTOCOL_VERSION,
                pid: std::process::id(),
                uptime_secs: state.started.elapsed().as_secs(),
                credentials: state.aws.credentials(&keyring_profiles()),
                aws: state.aws.target(),
            },
        ),
    }
}
