//! Turn one request into one reply. Every message type has its handler here; the
//! transport (HTTP over the socket) lives in [`crate::transport::server`].

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use switchyard_shared::protocol::{
    check_protocol_version, parse_request, ErrorBody, HelloData, PongData, Reply, Request,
    RequestId, StatusData, PROTOCOL_VERSION,
};
use switchyard_shared::APP_VERSION;

use crate::aws::env::AwsEnv;
use crate::services::accounts::AccountsCache;
use crate::services::session::Sessions;

/// What the daemon knows while it runs.
#[derive(Debug, Clone)]
pub struct DaemonState {
    pub started: Instant,
    pub aws: AwsEnv,
    /// MFA sessions, in memory only.
    pub sessions: Arc<Sessions>,
    pub accounts: Arc<AccountsCache>,
    /// Provisioning jobs (journaled under the state dir).
    pub jobs: Arc<crate::services::provision::Jobs>,
    /// The last `roles.list` read in pages, for its next pages.
    pub role_pages: Arc<crate::services::roles::Pages>,
}

impl DaemonState {
    /// State for a daemon that keeps its caches under `state_dir`.
    pub fn new(aws: AwsEnv, state_dir: &Path) -> DaemonState {
        let sessions = Arc::new(Sessions::default());
        DaemonState {
            started: Instant::now(),
            aws,
            jobs: Arc::new(crate::services::provision::Jobs::new(
                state_dir,
                Arc::clone(&sessions),
            )),
            sessions,
            accounts: Arc::new(AccountsCache::new(state_dir)),
            role_pages: Arc::default(),
        }
    }
}

/// Profiles stored with `switchyard credentials add` (the config lists them; the secrets
/// stay in the keyring). An unreadable config counts as none; `switchyard config` says why.
fn keyring_profiles() -> Vec<String> {
    crate::system::config::load(&crate::system::config::path())
        .map(|config| config.profiles.into_keys().collect())
        .unwrap_or_default()
}

/// Answer raw request bytes with the reply's bytes.
pub async fn handle_bytes(state: &DaemonState, bytes: &[u8]) -> Vec<u8> {
    match parse_request(bytes) {
        Ok(envelope) => {
            let reply = handle(state, envelope.id.clone(), envelope.request).await;
            tracing::debug!(id = %envelope.id.as_value(), "handled request");
            reply
        }
        Err(rejected) => {
            tracing::info!(code = %rejected.error.code, "rejected request");
            rejected.into_reply().to_bytes()
        }
    }
}

async fn handle(state: &DaemonState, id: RequestId, request: Request) -> Vec<u8> {
    match request {
        Request::Identity(params) => reply(id, state.sessions.identity(params.profile).await),
        Request::AccountsList(params) => {
            match crate::services::accounts::list(&state.accounts, &state.sessions, params).await {
                Ok(answer) => Reply::ok_bytes(&id, answer.data()),
                Err(error) => Reply::error(id, error).to_bytes(),
            }
        }
        Request::AccountsSet(params) => reply(
            id,
            crate::services::accounts::set(&state.accounts, &state.sessions, params).await,
        ),
        Request::MfaSubmit(params) => reply(
            id,
            state
                .sessions
                .submit_code(params.profile, &params.code)
                .await,
        ),
        Request::MfaWait(params) => reply(id, state.sessions.wait_for_mfa(params).await),
        Request::MfaPending => reply(id, Ok(state.sessions.waiting.pending())),
        Request::CredentialsRotate(params) => reply(
            id,
            crate::services::rotate::rotate(&state.sessions, params.profile).await,
        ),
        Request::RolesList(params) => reply(
            id,
            crate::services::roles::list(
                &state.accounts,
                &state.sessions,
                &state.role_pages,
                params,
            )
            .await,
        ),
        Request::RolesImport(params) => reply(id, crate::services::roles::import(params)),
        Request::RolesSources(params) => reply(
            id,
            crate::services::roles::sources(&state.accounts, params.profile),
        ),
        Request::ProfilesList => reply(id, crate::services::profiles::list(&state.sessions).await),
        Request::SwitchFederate(params) => reply(
            id,
            crate::services::switch::federate(&state.sessions, params).await,
        ),
        Request::UsersList(params) => reply(
            id,
            crate::services::users::list(&state.sessions, &state.jobs, params).await,
        ),
        Request::UsersCreate(params) => reply(
            id,
            crate::services::users::create(&state.sessions, &state.jobs, params).await,
        ),
        Request::UsersRemove(params) => reply(
            id,
            crate::services::users::remove(&state.sessions, &state.jobs, params).await,
        ),
        Request::MfaSetup(params) => reply(
            id,
            crate::services::users::mfa_setup(&state.sessions, &state.jobs, params).await,
        ),
        Request::MfaEnable(params) => reply(
            id,
            crate::services::users::mfa_enable(&state.sessions, &state.jobs, params).await,
        ),
        Request::AccountCreate(params) => reply(id, state.jobs.create(params).await),
        Request::JobsList => reply(id, Ok(state.jobs.list())),
        Request::JobStatus(params) => reply(id, state.jobs.status(&params.job)),
        Request::JobsResume(params) => reply(id, state.jobs.resume(&params.job).await),
        Request::JobsCancel(params) if params.job.starts_with('c') => {
            reply(id, state.jobs.cancel_closure(&params.job))
        }
        Request::JobsCancel(params) => reply(id, state.jobs.cancel(&params.job)),
        Request::JobsPrune(params) => reply(id, state.jobs.prune(&params)),
        Request::ClosuresList => reply(
            id,
            Ok(switchyard_shared::protocol::provision::ClosuresData {
                closures: state.jobs.queue.list(),
            }),
        ),
        Request::AccountClose(params) => reply(id, state.jobs.close(params).await),
        Request::AccountCheckEmail(params) => reply(id, state.jobs.check_email(params).await),
        Request::JobWatch(params) => reply(id, state.jobs.watch(&params).await),
        Request::AccountRoot(params) => reply(id, state.jobs.root_access(params).await),
        Request::IdentityCenterOptions(params) => {
            reply(id, state.jobs.identity_center_options(params.profile).await)
        }
        Request::ProvisionAllowed(params) => reply(
            id,
            crate::services::provision::allowed::allowed(&state.sessions, params.profile).await,
        ),
        Request::CredentialsGet(params) => reply(
            id,
            crate::services::credentials::get(&state.sessions, params).await,
        ),
        Request::SessionsEnd(params) => reply(
            id,
            crate::services::credentials::end(&state.sessions, params),
        ),
        Request::SsoLogin(params) => reply(
            id,
            crate::transport::loopback::login(&state.sessions.sso, params).await,
        ),
        Request::SsoStatus(params) => reply(id, state.sessions.sso.status(params).await),
        Request::SsoLogout(params) => reply(id, state.sessions.sso.logout(params).await),
        Request::Hello(params) => reply(
            id,
            check_protocol_version(&params).map(|()| HelloData::current()),
        ),
        Request::Ping => reply(id, Ok(PongData { pong: true })),
        Request::Status => reply(
            id,
            Ok(StatusData {
                daemon_version: APP_VERSION.to_owned(),
                protocol_version: PROTOCOL_VERSION,
                pid: std::process::id(),
                uptime_secs: state.started.elapsed().as_secs(),
                credentials: state.aws.credentials(&keyring_profiles()),
                aws: state.aws.target(),
            }),
        ),
    }
}

fn reply<T: serde::Serialize>(id: RequestId, result: Result<T, ErrorBody>) -> Vec<u8> {
    match result {
        Ok(data) => Reply::ok_bytes(&id, &data),
        Err(error) => Reply::error(id, error).to_bytes(),
    }
}
