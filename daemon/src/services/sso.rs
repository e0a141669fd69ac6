//! IAM Identity Center sign-ins, held by the daemon for every caller on the machine:
//! `sso.login`, `sso.status`, `sso.logout`, the access token every other service asks
//! for ([`Sso::access_token`]), the roles the portal grants ([`Sso::granted`]) and their
//! credentials ([`Sso::role_credentials`]).
//!
//! ```text
//! session   start URL + Region (`[sso-session]` of ~/.aws/config, or given once)
//!   └ client registration (RegisterClient, scope sso:account:access)   keyring
//!       └ token + refresh token (CreateToken)                          keyring
//!           └ role credentials (GetRoleCredentials)                    memory
//!               └ an assumed client role (AssumeRole)                  memory
//! ```
//!
//! One sign-in or refresh at a time per session: callers wait on the session's async
//! lock, and the ones that arrive during a refresh take its token (or its failure). A
//! refresh that Identity Center refuses forgets the token, so every later caller is told
//! to sign in again at once, without calling the OIDC service again. The daemon never
//! opens a browser itself: `sso.login` answers the page to open, the CLI opens it in the
//! user's browser, the extension in a tab; a second `sso.login` while one waits joins it.
//!
//! Tokens and client registrations live in the OS keyring only (`sso:SESSION`);
//! `~/.aws/sso/cache` is neither read nor written (its files hold the tokens in plain
//! text, which is what this daemon exists to avoid). Sessions signed in with a start URL
//! (not defined in `~/.aws/config`) are listed, without secrets, in `sso-sessions.json`
//! beside `config.toml`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use switchyard_shared::protocol::aws::{CredentialSource, TemporaryCredentials};
use switchyard_shared::protocol::roles::SsoRoleRef;
use switchyard_shared::protocol::sso::{
    SsoLoginData, SsoLoginParams, SsoLogoutData, SsoSessionParams, SsoSessionStatus, SsoState,
    SsoStatusData,
};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::sso::{self as rules, SsoConfig, SsoProfile, SsoSession};
use switchyard_shared::switch::Partition;
use switchyard_shared::targets::{identity_center_role_arn, GrantedRole};

use crate::aws::sso::{self as portal, Flow, Grant, Registration, Token, TokenError};
use crate::services::layers::{now, LayerKey, Layers};
use crate::system::keyring;

/// An access token this close to its end is refreshed first.
const TOKEN_MARGIN_SECS: u64 = 5 * 60;
/// A registration this close to its end is replaced before a sign-in.
const REGISTRATION_MARGIN_SECS: u64 = 24 * 3600;
/// How long a browser sign-in waits for the approval, unless the environment says
/// otherwise (`SWITCHYARD_SSO_LOGIN_TIMEOUT_SECS`).
const LOGIN_TIMEOUT: Duration = Duration::from_secs(300);
/// How long the portal's list of granted roles is kept.
const GRANTS_TTL: Duration = Duration::from_secs(300);
/// Portal calls at once when reading the roles of many accounts.
const PORTAL_CONCURRENCY: usize = 8;

/// What the keyring keeps of a session. Not `Debug`.
#[derive(Clone, Default, Serialize, Deserialize)]
struct Stored {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    browser: Option<Registration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    device: Option<Registration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token: Option<Token>,
    /// Which registration issued the token (its refresh needs the same client).
    #[serde(default)]
    token_by_device: bool,
}

impl Stored {
    fn registration(&self, flow: Flow) -> Option<&Registration> {
        match flow {
            Flow::Browser => self.browser.as_ref(),
            Flow::Device => self.device.as_ref(),
        }
    }
}

#[derive(Default)]
struct Held {
    loaded: bool,
    stored: Stored,
}

/// A sign-in waiting for the user.
#[derive(Clone)]
struct Pending {
    data: SsoLoginData,
    /// Which try this is (a finished try must not clear a newer one).
    attempt: u64,
}

#[derive(Default)]
struct Slot {
    held: tokio::sync::Mutex<Held>,
    pending: Mutex<Option<Pending>>,
    problem: Mutex<Option<String>>,
    /// Refreshes and sign-ins finished so far.
    changes: AtomicU64,
    attempts: AtomicU64,
}

/// The Identity Center sessions the daemon holds.
#[derive(Default)]
pub struct Sso {
    slots: Mutex<HashMap<String, Arc<Slot>>>,
    /// Role credentials from GetRoleCredentials, per role, single-flight.
    roles: Layers,
    grants: Mutex<HashMap<String, (Instant, Vec<GrantedRole>)>>,
    /// How many CreateToken calls refreshed a token (for `cargo xtask bench`).
    pub refresh_calls: AtomicU64,
}

impl std::fmt::Debug for Sso {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sso").finish_non_exhaustive()
    }
}

/// A browser sign-in the transport is to wait for: the loopback redirect with `state`,
/// then [`Sso::finish_browser`].
pub struct BrowserWait {
    pub session: String,
    pub state: String,
    pub verifier: String,
    pub redirect_uri: String,
    pub deadline: Duration,
    pub attempt: u64,
}

/// `~/.aws/config`, or `$AWS_CONFIG_FILE`.
fn aws_config_path() -> Option<PathBuf> {
    std::env::var_os("AWS_CONFIG_FILE")
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".aws/config")))
}

/// What `~/.aws/config` says of Identity Center (nothing when it is missing).
pub fn aws_config() -> SsoConfig {
    aws_config_path()
        .and_then(|path| std::fs::read_to_string(path).ok())
        .map(|text| rules::read_aws_config(&text))
        .unwrap_or_default()
}

/// The sessions signed in with a start URL, kept beside `config.toml` (no secrets).
fn index_path() -> PathBuf {
    crate::system::config::path()
        .parent()
        .map(|dir| dir.join("sso-sessions.json"))
        .unwrap_or_else(|| PathBuf::from("sso-sessions.json"))
}

#[derive(Serialize, Deserialize)]
struct IndexEntry {
    name: String,
    start_url: String,
    region: String,
}

fn read_index() -> Vec<SsoSession> {
    let Ok(text) = std::fs::read_to_string(index_path()) else {
        return Vec::new();
    };
    let entries: Vec<IndexEntry> = serde_json::from_str(&text).unwrap_or_default();
    entries
        .into_iter()
        .filter_map(|e| {
            Some(SsoSession {
                start_url: rules::check_start_url(&e.start_url).ok()?,
                region: rules::check_region(&e.region).ok()?,
                name: e.name,
            })
        })
        .collect()
}

fn write_index(sessions: &[SsoSession]) -> Result<(), ErrorBody> {
    let entries: Vec<IndexEntry> = sessions
        .iter()
        .map(|s| IndexEntry {
            name: s.name.clone(),
            start_url: s.start_url.clone(),
            region: s.region.clone(),
        })
        .collect();
    let text = serde_json::to_vec_pretty(&entries)
        .map_err(|e| ErrorBody::new(ErrorCode::Internal, e.to_string()))?;
    crate::system::config::write_private(&index_path(), &text).map_err(|e| {
        ErrorBody::new(
            ErrorCode::StateDirUnwritable,
            format!("cannot write {}: {e}", index_path().display()),
        )
    })
}

/// Every session known: `~/.aws/config`'s first, then the ones signed in with a start
/// URL; with where each is defined.
fn known_sessions() -> Vec<(SsoSession, String)> {
    let mut known: Vec<(SsoSession, String)> = aws_config()
        .sessions
        .into_iter()
        .map(|s| (s, "~/.aws/config".to_owned()))
        .collect();
    for session in read_index() {
        if !known.iter().any(|(k, _)| k.name == session.name) {
            known.push((session, "a sign-in with a start URL".to_owned()));
        }
    }
    known
}

fn session_named(name: &str) -> Result<SsoSession, ErrorBody> {
    let known = known_sessions();
    known
        .iter()
        .find(|(s, _)| s.name == name)
        .map(|(s, _)| s.clone())
        .ok_or_else(|| {
            let names: Vec<&str> = known.iter().map(|(s, _)| s.name.as_str()).collect();
            ErrorBody::new(
                ErrorCode::InvalidParams,
                format!(
                    "no IAM Identity Center session {name:?} is known{}; sign in with \
                     `switchyard sso login --start-url URL --region REGION`, or add an \
                     [sso-session] to ~/.aws/config",
                    if names.is_empty() {
                        String::new()
                    } else {
                        format!(" (the known ones: {})", names.join(", "))
                    }
                ),
            )
        })
}

/// The Identity Center profile of `~/.aws/config` named `profile`, if it is one.
pub fn profile(profile: &str) -> Option<(SsoProfile, SsoSession)> {
    let config = aws_config();
    let found = config.profile(profile)?.clone();
    let session = config.session(&found.session)?.clone();
    Some((found, session))
}

fn login_required(session: &str, why: &str) -> ErrorBody {
    ErrorBody::new(
        ErrorCode::SsoLoginRequired,
        format!(
            "IAM Identity Center session {session:?}: {why}; sign in with `switchyard sso \
             login --session {session}` (or \"Sign in with IAM Identity Center\" in the popup)"
        ),
    )
}

fn random_text(bytes: usize) -> Result<String, ErrorBody> {
    let mut buffer = vec![0u8; bytes];
    getrandom::getrandom(&mut buffer).map_err(|e| {
        ErrorBody::new(
            ErrorCode::Internal,
            format!("no random numbers for the sign-in: {e}"),
        )
    })?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buffer))
}

/// The PKCE challenge of a verifier (RFC 7636 §4.2, S256).
pub fn challenge_of(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
}

fn login_timeout() -> Duration {
    std::env::var("SWITCHYARD_SSO_LOGIN_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map_or(LOGIN_TIMEOUT, |s| Duration::from_secs(s.max(1)))
}

async fn load_stored(name: &str) -> Result<Stored, ErrorBody> {
    let owned = name.to_owned();
    let text = tokio::task::spawn_blocking(move || keyring::load_secret(&owned))
        .await
        .map_err(|e| ErrorBody::new(ErrorCode::Internal, e.to_string()))?
        .map_err(ErrorBody::from)?;
    Ok(match text {
        Some(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
            tracing::warn!(
                session = name,
                "the keyring's sign-in entry is unreadable ({e}); sign in again"
            );
            Stored::default()
        }),
        None => Stored::default(),
    })
}

async fn save_stored(name: &str, stored: &Stored) -> Result<(), ErrorBody> {
    let owned = name.to_owned();
    let empty = stored.token.is_none() && stored.browser.is_none() && stored.device.is_none();
    let text = serde_json::to_string(stored)
        .map_err(|e| ErrorBody::new(ErrorCode::Internal, e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        if empty {
            keyring::remove_secret(&owned).map(|_| ())
        } else {
            keyring::store_secret(&owned, &text)
        }
    })
    .await
    .map_err(|e| ErrorBody::new(ErrorCode::Internal, e.to_string()))?
    .map_err(ErrorBody::from)
}

impl Sso {
    fn slot(&self, session: &str) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(slots.entry(session.to_owned()).or_default())
    }

    fn set_problem(&self, session: &str, problem: Option<String>) {
        *self
            .slot(session)
            .problem
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = problem;
    }

    /// Which session `sso.login` means, and whether it must be remembered (a start URL
    /// given here rather than in `~/.aws/config`).
    fn resolve(&self, params: &SsoLoginParams) -> Result<(SsoSession, bool), ErrorBody> {
        let invalid = |e: rules::SsoError| ErrorBody::new(ErrorCode::InvalidParams, e.to_string());
        if let Some(raw) = &params.start_url {
            let start_url = rules::check_start_url(raw).map_err(invalid)?;
            let region = params.region.as_deref().ok_or_else(|| {
                ErrorBody::new(
                    ErrorCode::InvalidParams,
                    "a start URL needs its Region (--region, where the Identity Center instance is)",
                )
            })?;
            let region = rules::check_region(region).map_err(invalid)?;
            let name = params
                .session
                .clone()
                .unwrap_or_else(|| rules::name_for_start_url(&start_url));
            if let Some((known, _)) = known_sessions().into_iter().find(|(s, _)| s.name == name) {
                if known.start_url != start_url || known.region != region {
                    return Err(ErrorBody::new(
                        ErrorCode::InvalidParams,
                        format!(
                            "session {name:?} already signs in to {} in {}; name this one with \
                             --session",
                            known.start_url, known.region
                        ),
                    ));
                }
                return Ok((known, false));
            }
            return Ok((
                SsoSession {
                    name,
                    start_url,
                    region,
                },
                true,
            ));
        }
        if params.region.is_some() {
            return Err(ErrorBody::new(
                ErrorCode::InvalidParams,
                "--region goes with --start-url",
            ));
        }
        if let Some(name) = &params.session {
            return Ok((session_named(name)?, false));
        }
        if let Some(name) = &params.profile {
            let text = aws_config_path()
                .and_then(|p| std::fs::read_to_string(p).ok())
                .unwrap_or_default();
            let config = rules::read_aws_config(&text);
            if let Some(found) = config.profile(name) {
                return Ok((session_named(&found.session)?, false));
            }
            // A profile with only `sso_session` (a sign-in without a role).
            if let Some(session) = session_of_profile(&text, name) {
                return Ok((session_named(&session)?, false));
            }
            return Err(ErrorBody::new(
                ErrorCode::InvalidParams,
                format!("profile {name:?} of ~/.aws/config has no sso_session or sso_start_url"),
            ));
        }
        let known = known_sessions();
        match known.as_slice() {
            [(only, _)] => Ok((only.clone(), false)),
            [] => Err(ErrorBody::new(
                ErrorCode::InvalidParams,
                "no IAM Identity Center session is known: give --start-url and --region, or \
                 add an [sso-session] to ~/.aws/config",
            )),
            many => Err(ErrorBody::new(
                ErrorCode::InvalidParams,
                format!(
                    "several IAM Identity Center sessions are known ({}): name one with --session",
                    many.iter()
                        .map(|(s, _)| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }

    /// Start a sign-in, or join the one waiting for the same session. A browser sign-in
    /// is answered with what the transport waits for on `redirect_uri`.
    pub async fn begin_login(
        &self,
        params: SsoLoginParams,
        redirect_uri: Option<String>,
    ) -> Result<(SsoLoginData, Option<BrowserWait>, Option<DeviceWait>), ErrorBody> {
        let (session, remember) = self.resolve(&params)?;
        let slot = self.slot(&session.name);
        if let Some(pending) = slot
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .filter(|p| p.data.expires_at > now())
        {
            return Ok((
                SsoLoginData {
                    started: false,
                    ..pending.data.clone()
                },
                None,
                None,
            ));
        }
        if remember {
            let mut index = read_index();
            index.retain(|s| s.name != session.name);
            index.push(session.clone());
            write_index(&index)?;
        }
        let flow = if params.device {
            Flow::Device
        } else {
            Flow::Browser
        };
        let config = portal::config(&session.region).await;
        let registration = {
            let mut held = slot.held.lock().await;
            if !held.loaded {
                held.stored = load_stored(&session.name).await?;
                held.loaded = true;
            }
            match held
                .stored
                .registration(flow)
                .filter(|r| r.expires_at > now() + REGISTRATION_MARGIN_SECS)
            {
                Some(registration) => registration.clone(),
                None => {
                    let registration = portal::register(&config, &session.start_url, flow).await?;
                    match flow {
                        Flow::Browser => held.stored.browser = Some(registration.clone()),
                        Flow::Device => held.stored.device = Some(registration.clone()),
                    }
                    save_stored(&session.name, &held.stored).await?;
                    tracing::info!(session = %session.name, ?flow, "client registered with IAM Identity Center");
                    registration
                }
            }
        };
        let attempt = slot.attempts.fetch_add(1, Ordering::AcqRel) + 1;
        let (data, browser, device) = match flow {
            Flow::Browser => {
                let redirect_uri = redirect_uri.ok_or_else(|| {
                    ErrorBody::new(ErrorCode::Internal, "no loopback port for the sign-in")
                })?;
                let verifier = random_text(64)?;
                let state = random_text(24)?;
                let timeout = login_timeout();
                let url = rules::authorize_url(
                    &portal::oidc_endpoint(&config, &session.region),
                    &registration.client_id,
                    &redirect_uri,
                    &state,
                    &challenge_of(&verifier),
                );
                let data = SsoLoginData {
                    session: session.name.clone(),
                    start_url: session.start_url.clone(),
                    region: session.region.clone(),
                    started: true,
                    url,
                    user_code: None,
                    expires_at: now() + timeout.as_secs(),
                };
                let wait = BrowserWait {
                    session: session.name.clone(),
                    state,
                    verifier,
                    redirect_uri,
                    deadline: timeout,
                    attempt,
                };
                (data, Some(wait), None)
            }
            Flow::Device => {
                let start =
                    portal::start_device(&config, &registration, &session.start_url).await?;
                let data = SsoLoginData {
                    session: session.name.clone(),
                    start_url: session.start_url.clone(),
                    region: session.region.clone(),
                    started: true,
                    url: start.url.clone(),
                    user_code: Some(start.user_code.clone()),
                    expires_at: now() + start.expires_in_secs,
                };
                let wait = DeviceWait {
                    session: session.name.clone(),
                    device_code: start.device_code,
                    interval: Duration::from_secs(start.interval_secs),
                    deadline: Duration::from_secs(start.expires_in_secs),
                    attempt,
                };
                (data, None, Some(wait))
            }
        };
        *slot.pending.lock().unwrap_or_else(|p| p.into_inner()) = Some(Pending {
            data: data.clone(),
            attempt,
        });
        self.set_problem(&session.name, None);
        tracing::info!(session = %session.name, ?flow, "IAM Identity Center sign-in started");
        Ok((data, browser, device))
    }

    /// End a waiting sign-in: keep the token it brought, or the reason it failed.
    async fn finish(&self, session: &str, attempt: u64, result: Result<(Token, bool), String>) {
        let slot = self.slot(session);
        let outcome = match result {
            Ok((token, by_device)) => {
                let mut held = slot.held.lock().await;
                held.stored.token = Some(token);
                held.stored.token_by_device = by_device;
                let saved = save_stored(session, &held.stored).await;
                slot.changes.fetch_add(1, Ordering::AcqRel);
                match saved {
                    Ok(()) => {
                        tracing::info!(session, "IAM Identity Center sign-in complete");
                        None
                    }
                    Err(e) => Some(format!(
                        "signed in, but the token could not be kept in the keyring ({}); it \
                         lasts until the daemon stops",
                        e.message
                    )),
                }
            }
            Err(why) => {
                tracing::warn!(session, "IAM Identity Center sign-in failed: {why}");
                Some(why)
            }
        };
        let mut pending = slot.pending.lock().unwrap_or_else(|p| p.into_inner());
        if pending.as_ref().is_some_and(|p| p.attempt == attempt) {
            *pending = None;
        }
        drop(pending);
        self.set_problem(session, outcome);
        self.forget_grants(session);
    }

    /// The browser came back (or did not): redeem the code with its verifier. Whether the
    /// session is signed in now, or why not (the loopback page says it).
    pub async fn finish_browser(
        &self,
        wait: BrowserWait,
        callback: Result<String, String>,
    ) -> Result<(), String> {
        let result = match callback {
            Ok(code) => self.redeem(&wait, &code).await,
            Err(why) => Err(why),
        };
        let outcome = result.as_ref().map(|_| ()).map_err(Clone::clone);
        self.finish(&wait.session, wait.attempt, result.map(|t| (t, false)))
            .await;
        outcome
    }

    async fn redeem(&self, wait: &BrowserWait, code: &str) -> Result<Token, String> {
        let session = session_named(&wait.session).map_err(|e| e.message)?;
        let config = portal::config(&session.region).await;
        let slot = self.slot(&wait.session);
        let registration = {
            let held = slot.held.lock().await;
            held.stored.browser.clone()
        }
        .ok_or("the client registration went away during the sign-in")?;
        let grant = Grant::Code {
            code,
            verifier: &wait.verifier,
            redirect_uri: &wait.redirect_uri,
        };
        match portal::create_token(&config, &registration, grant, now()).await {
            Ok(token) => Ok(token),
            Err(TokenError::Invalid(code)) => Err(format!(
                "IAM Identity Center refused the authorization code ({code}): the code or the \
                 PKCE verifier does not match; start the sign-in again"
            )),
            Err(TokenError::Other(e)) => Err(e.message),
            Err(TokenError::Pending | TokenError::SlowDown) => {
                Err("IAM Identity Center answered the code as if it were a device sign-in".into())
            }
        }
    }

    /// Poll the device sign-in until approved, refused or expired.
    pub async fn finish_device(&self, wait: DeviceWait) {
        let result = self.poll_device(&wait).await;
        self.finish(&wait.session, wait.attempt, result.map(|t| (t, true)))
            .await;
    }

    async fn poll_device(&self, wait: &DeviceWait) -> Result<Token, String> {
        let session = session_named(&wait.session).map_err(|e| e.message)?;
        let config = portal::config(&session.region).await;
        let slot = self.slot(&wait.session);
        let registration = {
            let held = slot.held.lock().await;
            held.stored.device.clone()
        }
        .ok_or("the client registration went away during the sign-in")?;
        let started = Instant::now();
        let mut interval = wait.interval;
        loop {
            tokio::time::sleep(interval).await;
            if started.elapsed() > wait.deadline {
                return Err(timed_out(wait.deadline));
            }
            let grant = Grant::Device {
                device_code: &wait.device_code,
            };
            match portal::create_token(&config, &registration, grant, now()).await {
                Ok(token) => return Ok(token),
                Err(TokenError::Pending) => {}
                Err(TokenError::SlowDown) => interval += Duration::from_secs(5),
                Err(TokenError::Invalid(code)) => {
                    return Err(format!(
                        "the device sign-in was refused or expired ({code}); start it again"
                    ))
                }
                Err(TokenError::Other(e)) => return Err(e.message),
            }
        }
    }

    /// The session's access token: held while it has more than a few minutes left, else
    /// refreshed once for every caller waiting.
    pub async fn access_token(&self, session: &SsoSession) -> Result<String, ErrorBody> {
        self.token_replacing(session, None).await
    }

    /// Call the portal with the session's token; when the portal no longer accepts it
    /// (it ended early, or was revoked in the portal), refresh it once and call again.
    async fn with_token<T, F, Fut>(&self, session: &SsoSession, call: F) -> Result<T, ErrorBody>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = Result<T, ErrorBody>>,
    {
        let token = self.access_token(session).await?;
        match call(token.clone()).await {
            Err(e) if e.code == ErrorCode::SsoLoginRequired => {
                let fresh = self.token_replacing(session, Some(&token)).await?;
                call(fresh).await
            }
            other => other,
        }
    }

    /// The access token, refreshed when it nears its end or when it is `stale` (the one
    /// the portal refused): callers that refused the same token share one refresh.
    async fn token_replacing(
        &self,
        session: &SsoSession,
        stale: Option<&str>,
    ) -> Result<String, ErrorBody> {
        let slot = self.slot(&session.name);
        let mut held = slot.held.lock().await;
        if !held.loaded {
            held.stored = load_stored(&session.name).await?;
            held.loaded = true;
        }
        let Some(token) = held.stored.token.clone() else {
            let why = slot
                .problem
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone()
                .unwrap_or_else(|| "not signed in".to_owned());
            return Err(login_required(&session.name, &why));
        };
        let refused = stale == Some(token.access_token.as_str());
        if token.expires_at > now() + TOKEN_MARGIN_SECS && !refused {
            return Ok(token.access_token);
        }
        let flow = if held.stored.token_by_device {
            Flow::Device
        } else {
            Flow::Browser
        };
        let (Some(refresh_token), Some(registration)) = (
            token.refresh_token.clone(),
            held.stored.registration(flow).cloned(),
        ) else {
            held.stored.token = None;
            let _ = save_stored(&session.name, &held.stored).await;
            let why = "the token ended and there is no refresh token".to_owned();
            self.set_problem(&session.name, Some(why.clone()));
            return Err(login_required(&session.name, &why));
        };
        let config = portal::config(&session.region).await;
        self.refresh_calls.fetch_add(1, Ordering::AcqRel);
        let grant = Grant::Refresh {
            refresh_token: &refresh_token,
        };
        let result = portal::create_token(&config, &registration, grant, now()).await;
        slot.changes.fetch_add(1, Ordering::AcqRel);
        match result {
            Ok(mut fresh) => {
                // A refresh may answer without a new refresh token: the old one goes on.
                fresh.refresh_token = fresh.refresh_token.or(Some(refresh_token));
                let access = fresh.access_token.clone();
                held.stored.token = Some(fresh);
                if let Err(e) = save_stored(&session.name, &held.stored).await {
                    tracing::warn!(session = %session.name, "the refreshed token is not kept in the keyring: {}", e.message);
                }
                tracing::info!(session = %session.name, "IAM Identity Center token refreshed");
                Ok(access)
            }
            Err(TokenError::Invalid(code)) => {
                held.stored.token = None;
                let _ = save_stored(&session.name, &held.stored).await;
                let why =
                    format!("the refresh token was refused ({code}): it ended or was revoked");
                self.set_problem(&session.name, Some(why.clone()));
                self.forget_grants(&session.name);
                tracing::warn!(session = %session.name, "{why}");
                Err(login_required(&session.name, &why))
            }
            Err(TokenError::Other(e)) => Err(e),
            Err(TokenError::Pending | TokenError::SlowDown) => Err(ErrorBody::new(
                ErrorCode::AwsFailed,
                "sso-oauth:CreateToken answered a refresh as if it were a device sign-in",
            )),
        }
    }

    /// Drop one role's cached credentials (AWS refused them).
    pub fn forget_role(&self, role: &SsoRoleRef) {
        self.roles.forget(&format!("sso:{}", role.session));
    }

    fn forget_grants(&self, session: &str) {
        self.grants
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(session);
        self.roles.forget(&format!("sso:{session}"));
    }

    /// Whether the session holds a token (without touching AWS).
    pub async fn signed_in(&self, session: &str) -> bool {
        let slot = self.slot(session);
        let mut held = slot.held.lock().await;
        if !held.loaded {
            match load_stored(session).await {
                Ok(stored) => {
                    held.stored = stored;
                    held.loaded = true;
                }
                Err(_) => return false,
            }
        }
        held.stored.token.is_some()
    }

    /// The roles the session's portal grants: every account (ListAccounts) and its roles
    /// (ListAccountRoles, a few accounts at a time), kept a few minutes.
    pub async fn granted(&self, session: &SsoSession) -> Result<Vec<GrantedRole>, ErrorBody> {
        if let Some((at, roles)) = self
            .grants
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&session.name)
        {
            if at.elapsed() < GRANTS_TTL {
                return Ok(roles.clone());
            }
        }
        let config = portal::config(&session.region).await;
        let config = &config;
        let token = self.access_token(session).await?;
        let (accounts, token) = match portal::list_accounts(config, &token).await {
            Err(e) if e.code == ErrorCode::SsoLoginRequired => {
                let fresh = self.token_replacing(session, Some(&token)).await?;
                (portal::list_accounts(config, &fresh).await?, fresh)
            }
            other => (other?, token),
        };
        let token = &token;
        let results: Vec<Result<Vec<GrantedRole>, ErrorBody>> =
            futures::stream::iter(accounts.into_iter().map(|account| async move {
                let roles = portal::list_account_roles(config, token, &account.account_id).await?;
                Ok(roles
                    .into_iter()
                    .map(|role_name| GrantedRole {
                        role: SsoRoleRef {
                            session: session.name.clone(),
                            account_id: account.account_id.clone(),
                            role_name,
                        },
                        account_name: account.account_name.clone(),
                    })
                    .collect())
            }))
            .buffered(PORTAL_CONCURRENCY)
            .collect()
            .await;
        let mut granted = Vec::new();
        for result in results {
            granted.extend(result?);
        }
        self.grants
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(session.name.clone(), (Instant::now(), granted.clone()));
        Ok(granted)
    }

    /// Whether any known session holds a token (no AWS call).
    pub async fn any_signed_in(&self) -> bool {
        for (session, _) in known_sessions() {
            if self.signed_in(&session.name).await {
                return true;
            }
        }
        false
    }

    /// The granted roles of every session signed in now, with a note for each session
    /// that could not be read (nobody gets an error for a session they did not ask for).
    pub async fn granted_everywhere(&self, notices: &mut Vec<String>) -> Vec<GrantedRole> {
        let mut all = Vec::new();
        for (session, _) in known_sessions() {
            if !self.signed_in(&session.name).await {
                continue;
            }
            match self.granted(&session).await {
                Ok(granted) => all.extend(granted),
                Err(e) => notices.push(format!(
                    "the roles IAM Identity Center grants in session {:?} are not shown: {}",
                    session.name, e.message
                )),
            }
        }
        all
    }

    /// A granted role's temporary credentials (GetRoleCredentials), cached until shortly
    /// before they end and fetched once for all callers.
    pub async fn role_credentials(
        &self,
        role: &SsoRoleRef,
    ) -> Result<TemporaryCredentials, ErrorBody> {
        let session = session_named(&role.session)?;
        let key = LayerKey {
            profile: format!("sso:{}", role.session),
            role_arn: Some(format!("{}/{}", role.account_id, role.role_name)),
            duration_secs: 0,
        };
        let partition = Partition::of_region(&session.region).name();
        self.roles
            .get(&key, || async {
                let config = portal::config(&session.region).await;
                let config = &config;
                let creds = self
                    .with_token(&session, |token| async move {
                        portal::role_credentials(config, &token, &role.account_id, &role.role_name)
                            .await
                    })
                    .await?;
                tracing::info!(session = %role.session, account = %role.account_id,
                    role = %role.role_name, expires_at = creds.expires_at,
                    "IAM Identity Center role credentials made");
                Ok(TemporaryCredentials {
                    profile: role.session.clone(),
                    role_arn: Some(identity_center_role_arn(partition, role)),
                    source: CredentialSource::IdentityCenter,
                    access_key_id: creds.access_key_id,
                    secret_access_key: creds.secret_access_key,
                    session_token: creds.session_token,
                    expires_at: creds.expires_at,
                    region: session.region.clone(),
                })
            })
            .await
    }

    /// Answer `sso.status`.
    pub async fn status(&self, params: SsoSessionParams) -> Result<SsoStatusData, ErrorBody> {
        let mut known = known_sessions();
        if let Some(name) = &params.session {
            known.retain(|(s, _)| &s.name == name);
            if known.is_empty() {
                return Err(session_named(name).err().unwrap_or_else(|| {
                    ErrorBody::new(ErrorCode::InvalidParams, format!("no session {name:?}"))
                }));
            }
        }
        let mut sessions = Vec::new();
        for (session, defined_in) in known {
            let slot = self.slot(&session.name);
            let (token, loaded_error) = {
                let mut held = slot.held.lock().await;
                let mut error = None;
                if !held.loaded {
                    match load_stored(&session.name).await {
                        Ok(stored) => {
                            held.stored = stored;
                            held.loaded = true;
                        }
                        Err(e) => error = Some(e.message),
                    }
                }
                (
                    held.stored
                        .token
                        .as_ref()
                        .map(|t| (t.expires_at, t.refresh_token.is_some())),
                    error,
                )
            };
            let pending = slot
                .pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .as_ref()
                .is_some_and(|p| p.data.expires_at > now());
            let problem = loaded_error.or_else(|| {
                slot.problem
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .clone()
            });
            let state = match (pending, token) {
                (true, _) => SsoState::Pending,
                (false, Some((end, refreshable))) if refreshable || end > now() => {
                    SsoState::SignedIn
                }
                (false, Some(_)) => SsoState::Expired,
                (false, None) if problem.is_some() => SsoState::Expired,
                (false, None) => SsoState::SignedOut,
            };
            sessions.push(SsoSessionStatus {
                session: session.name,
                start_url: session.start_url,
                region: session.region,
                state,
                expires_at: token.map(|(end, _)| end),
                refreshable: token.is_some_and(|(_, r)| r),
                defined_in,
                problem,
            });
        }
        Ok(SsoStatusData { sessions })
    }

    /// Answer `sso.logout`: revoke (the portal's Logout) and forget the tokens.
    pub async fn logout(&self, params: SsoSessionParams) -> Result<SsoLogoutData, ErrorBody> {
        let names: Vec<String> = match (&params.session, params.all) {
            (Some(_), true) => {
                return Err(ErrorBody::new(
                    ErrorCode::InvalidParams,
                    "give either session or all, not both",
                ))
            }
            (Some(name), false) => vec![session_named(name)?.name],
            (None, _) => {
                let mut signed = Vec::new();
                for (session, _) in known_sessions() {
                    if self.signed_in(&session.name).await {
                        signed.push(session.name);
                    }
                }
                if !params.all && signed.len() > 1 {
                    return Err(ErrorBody::new(
                        ErrorCode::InvalidParams,
                        format!(
                            "several sessions are signed in ({}): name one with --session, or \
                             give --all",
                            signed.join(", ")
                        ),
                    ));
                }
                signed
            }
        };
        let mut ended = Vec::new();
        let mut notes = Vec::new();
        for name in names {
            let session = session_named(&name)?;
            let slot = self.slot(&name);
            let mut held = slot.held.lock().await;
            if !held.loaded {
                held.stored = load_stored(&name).await?;
                held.loaded = true;
            }
            if let Some(token) = held.stored.token.take() {
                let config = portal::config(&session.region).await;
                if let Err(e) = portal::logout(&config, &token.access_token).await {
                    notes.push(format!(
                        "session {name:?}: the token could not be revoked ({}); it is forgotten \
                         here and ends by itself",
                        e.message
                    ));
                }
                ended.push(name.clone());
            }
            // Forgotten whole: the tokens and the client registrations (a new sign-in
            // registers again).
            held.stored = Stored::default();
            save_stored(&name, &held.stored).await?;
            drop(held);
            *slot.pending.lock().unwrap_or_else(|p| p.into_inner()) = None;
            self.set_problem(&name, None);
            self.forget_grants(&name);
            tracing::info!(session = %name, "IAM Identity Center session signed out");
        }
        Ok(SsoLogoutData { ended, notes })
    }
}

/// A device sign-in the daemon polls for: [`Sso::finish_device`].
pub struct DeviceWait {
    pub session: String,
    pub device_code: String,
    pub interval: Duration,
    pub deadline: Duration,
    pub attempt: u64,
}

/// The sentence for a sign-in nobody approved in time.
pub fn timed_out(deadline: Duration) -> String {
    format!(
        "nobody approved the sign-in within {} s (was the sign-in tab closed?); start it again",
        deadline.as_secs()
    )
}

/// A profile of `~/.aws/config` that names only its `sso_session` (no role).
fn session_of_profile(text: &str, profile: &str) -> Option<String> {
    let mut in_profile = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            let inner = line.trim_start_matches('[').trim_end_matches(']').trim();
            in_profile = inner == format!("profile {profile}")
                || (profile == "default" && inner == "default");
            continue;
        }
        if in_profile {
            if let Some((key, value)) = line.split_once('=') {
                if key.trim() == "sso_session" {
                    return Some(value.trim().to_owned());
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pkce_challenge_is_rfc_7636s() {
        // RFC 7636, Appendix B.
        assert_eq!(
            challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let verifier = random_text(64).unwrap();
        assert!((43..=128).contains(&verifier.len()), "{}", verifier.len());
        assert!(verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_ne!(verifier, random_text(64).unwrap());
    }

    #[test]
    fn a_login_only_profile_names_its_session() {
        let text = "[profile a]\nsso_session = acme\n[profile b]\nregion = x\n";
        assert_eq!(session_of_profile(text, "a").as_deref(), Some("acme"));
        assert_eq!(session_of_profile(text, "b"), None);
    }
}
