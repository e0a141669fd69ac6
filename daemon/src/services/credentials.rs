//! `credentials.get` and `sessions.end`: temporary credentials for the AWS CLI, Terraform
//! and the SDKs (through `switchyard credential-process` and `switchyard exec`), made by
//! a small stack of providers the way aws-vault stacks them:
//!
//! ```text
//! source   the profile's stored key (keyring)            ← Identity Center slots in here
//!   └ session   GetSessionToken: with a code (the MFA session, from `mfa.submit`)
//!               or without one (profiles with no MFA device)
//!       └ role   AssumeRole of `role_arn`, signed with the key or the MFA session
//! ```
//!
//! Each layer handed out is cached in memory per (profile, role, duration) until shortly
//! before it ends, and refreshed by one caller at a time: concurrent callers wait on the
//! layer's async lock and take what the first one fetched (or the error it got). The
//! long-term key never leaves the daemon: a profile without MFA gets a GetSessionToken
//! session, not its key (AWS's `credential_process` would allow a key without
//! `Expiration`, but then every tool on the machine would hold it).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use switchyard_shared::protocol::aws::{
    CredentialSource, CredentialsGetParams, SessionsEndData, SessionsEndParams,
    TemporaryCredentials,
};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::switch::{SwitchTarget, MAX_SESSION_DURATION, MIN_SESSION_DURATION};

use crate::aws;
use crate::services::session::{now, Sessions};

/// A role session's length when the request names none (AssumeRole's default).
const DEFAULT_ROLE_SECS: u32 = 3600;
/// Refresh a refreshable layer this long before it ends: the AWS CLI (botocore) refreshes
/// credentials from `credential_process` 15 minutes before their end, so a layer with
/// less left would make it ask again at once. Short sessions use a quarter of their life.
const REFRESH_MARGIN_SECS: u64 = 15 * 60;
/// An MFA session cannot be refreshed without a code: it is handed out until this close
/// to its end (the same margin as the daemon's own calls use).
const MFA_MARGIN_SECS: u64 = 60;

/// Which cached layer: the profile's session (`role_arn` none) or a role on top of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct LayerKey {
    profile: String,
    role_arn: Option<String>,
    duration_secs: u32,
}

/// A layer in hand.
#[derive(Clone)]
struct Held {
    credentials: TemporaryCredentials,
    /// When it was made (Unix seconds): a quarter of its life is the refresh margin of
    /// short sessions.
    made_at: u64,
}

impl Held {
    /// Still worth handing out now.
    fn fresh(&self, now: u64) -> bool {
        let margin = match self.credentials.source {
            CredentialSource::MfaSession => MFA_MARGIN_SECS,
            _ => {
                let life = self.credentials.expires_at.saturating_sub(self.made_at);
                REFRESH_MARGIN_SECS.min(life / 4)
            }
        };
        self.credentials.expires_at > now + margin
    }
}

#[derive(Default)]
struct SlotState {
    held: Option<Held>,
    /// What the last refresh failed with, for the callers that waited on it.
    last_error: Option<ErrorBody>,
}

/// One layer's single-flight slot.
#[derive(Default)]
struct Slot {
    state: tokio::sync::Mutex<SlotState>,
    /// Refreshes finished so far: a caller that arrived during a refresh takes its result
    /// (even an error) rather than starting another.
    refreshes: AtomicU64,
}

/// The layers the daemon has handed out, in memory only.
#[derive(Default)]
pub struct Layers {
    slots: Mutex<HashMap<LayerKey, Arc<Slot>>>,
}

impl std::fmt::Debug for Layers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Layers")
            .field("slots", &self.lock().len())
            .finish()
    }
}

impl Layers {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<LayerKey, Arc<Slot>>> {
        match self.slots.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn slot(&self, key: &LayerKey) -> Arc<Slot> {
        Arc::clone(self.lock().entry(key.clone()).or_default())
    }

    /// Forget every layer of `profile`; whether there was any.
    pub fn forget(&self, profile: &str) -> bool {
        let mut slots = self.lock();
        let before = slots.len();
        slots.retain(|key, _| key.profile != profile);
        slots.len() != before
    }

    /// The profiles that have a layer now.
    pub fn profiles(&self) -> Vec<String> {
        let mut names: Vec<String> = self.lock().keys().map(|k| k.profile.clone()).collect();
        names.sort();
        names.dedup();
        names
    }

    /// The layer at `key`: the cached one while fresh, else `fetch`ed by one caller while
    /// the others wait for its answer.
    async fn get<F, Fut>(&self, key: &LayerKey, fetch: F) -> Result<TemporaryCredentials, ErrorBody>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<TemporaryCredentials, ErrorBody>>,
    {
        let slot = self.slot(key);
        let arrived_after = slot.refreshes.load(Ordering::Acquire);
        let mut state = slot.state.lock().await;
        if let Some(held) = state.held.as_ref().filter(|h| h.fresh(now())) {
            return Ok(held.credentials.clone());
        }
        if slot.refreshes.load(Ordering::Acquire) > arrived_after {
            if let Some(error) = &state.last_error {
                return Err(error.clone());
            }
        }
        let made_at = now();
        let result = fetch().await;
        match &result {
            Ok(credentials) => {
                state.held = Some(Held {
                    credentials: credentials.clone(),
                    made_at,
                });
                state.last_error = None;
            }
            Err(error) => {
                state.held = None;
                state.last_error = Some(error.clone());
            }
        }
        slot.refreshes.fetch_add(1, Ordering::Release);
        result
    }
}

/// The stack for one request: where its credentials come from and what is stacked on top.
struct Stack {
    profile: String,
    region: String,
    /// The role on top, if any, with the session length asked for.
    role: Option<(String, u32)>,
}

/// Answer `credentials.get`.
pub async fn get(
    sessions: &Sessions,
    params: CredentialsGetParams,
) -> Result<TemporaryCredentials, ErrorBody> {
    let (profile, settings) = crate::services::session::settings(params.profile)?;
    let role = match (params.role_arn, params.duration_secs) {
        (None, Some(_)) => {
            return Err(ErrorBody::new(
                ErrorCode::InvalidParams,
                "duration_secs is the length of a role session: give it with role_arn",
            ))
        }
        (None, None) => None,
        (Some(arn), duration) => {
            let target = SwitchTarget::from_arn(&arn, "", "")
                .map_err(|e| ErrorBody::new(ErrorCode::InvalidTarget, e.to_string()))?;
            if target.partition.name() != settings.partition {
                return Err(ErrorBody::new(
                    ErrorCode::InvalidTarget,
                    format!(
                        "{arn} is in partition {}, but profile {profile:?} signs in to {}",
                        target.partition.name(),
                        settings.partition
                    ),
                ));
            }
            let duration = duration.unwrap_or(DEFAULT_ROLE_SECS);
            if !(MIN_SESSION_DURATION..=MAX_SESSION_DURATION).contains(&duration) {
                return Err(ErrorBody::new(
                    ErrorCode::InvalidParams,
                    format!(
                        "duration_secs must be {MIN_SESSION_DURATION} to \
                         {MAX_SESSION_DURATION}, not {duration}"
                    ),
                ));
            }
            Some((target.role_arn(), duration))
        }
    };
    let stack = Stack {
        profile,
        region: settings.region,
        role,
    };
    resolve(sessions, &stack).await
}

/// Walk the stack from the top: the role's layer when there is a role, else the session.
async fn resolve(sessions: &Sessions, stack: &Stack) -> Result<TemporaryCredentials, ErrorBody> {
    let Some((role_arn, duration)) = &stack.role else {
        return session_layer(sessions, stack).await;
    };
    let key = LayerKey {
        profile: stack.profile.clone(),
        role_arn: Some(role_arn.clone()),
        duration_secs: *duration,
    };
    sessions
        .layers
        .get(&key, || async {
            // Signed with what every other call of the profile uses: the MFA session when
            // it has a device, else the key (inside the daemon).
            let signed = sessions.sign_in(Some(stack.profile.clone())).await?;
            let role = aws::federation::assume_role(
                &signed.sdk,
                role_arn,
                &crate::services::switch::session_name(&stack.profile),
                *duration,
            )
            .await
            .map_err(|e| signed.explain(sessions, e))?;
            tracing::info!(profile = %stack.profile, role = %role_arn, expires_at = role.expires_at,
                "role credentials made for credentials.get");
            Ok(TemporaryCredentials {
                profile: stack.profile.clone(),
                role_arn: Some(role_arn.clone()),
                source: CredentialSource::AssumedRole,
                access_key_id: role.access_key_id.clone(),
                secret_access_key: role.secret_access_key.clone(),
                session_token: role.session_token.clone(),
                expires_at: role.expires_at,
                region: stack.region.clone(),
            })
        })
        .await
}

/// The profile's session layer: its MFA session, or a GetSessionToken session of its key.
async fn session_layer(
    sessions: &Sessions,
    stack: &Stack,
) -> Result<TemporaryCredentials, ErrorBody> {
    let key = LayerKey {
        profile: stack.profile.clone(),
        role_arn: None,
        duration_secs: 0,
    };
    sessions
        .layers
        .get(&key, || async {
            let signed = sessions.sign_in(Some(stack.profile.clone())).await?;
            let (session, source) = match signed.mfa_session.clone() {
                Some(session) => (session, CredentialSource::MfaSession),
                None => {
                    let session = aws::mfa::plain_session_token(&signed.long_term)
                        .await
                        .map_err(|e| signed.explain(sessions, e))?;
                    tracing::info!(profile = %stack.profile, expires_at = session.expires_at,
                        "session token made for credentials.get");
                    (session, CredentialSource::SessionToken)
                }
            };
            let creds = &session.credentials;
            Ok(TemporaryCredentials {
                profile: stack.profile.clone(),
                role_arn: None,
                source,
                access_key_id: creds.access_key_id().to_owned(),
                secret_access_key: creds.secret_access_key().to_owned(),
                session_token: creds.session_token().unwrap_or_default().to_owned(),
                expires_at: session.expires_at,
                region: stack.region.clone(),
            })
        })
        .await
}

/// Answer `sessions.end`: forget the profile's (or every profile's) MFA session and layers.
pub fn end(sessions: &Sessions, params: SessionsEndParams) -> Result<SessionsEndData, ErrorBody> {
    let profiles = if params.all {
        if params.profile.is_some() {
            return Err(ErrorBody::new(
                ErrorCode::InvalidParams,
                "give either profile or all, not both",
            ));
        }
        let mut all = sessions.profiles_with_sessions();
        all.extend(sessions.layers.profiles());
        all.sort();
        all.dedup();
        all
    } else {
        let (profile, _) = crate::services::session::settings(params.profile)?;
        vec![profile]
    };
    let mut ended = Vec::new();
    for profile in profiles {
        if sessions.forget(&profile) {
            tracing::info!(profile = %profile, "sessions ended on request");
            ended.push(profile);
        }
    }
    Ok(SessionsEndData { ended })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(source: CredentialSource, expires_at: u64) -> TemporaryCredentials {
        TemporaryCredentials {
            profile: "p".into(),
            role_arn: None,
            source,
            access_key_id: "ASIA".into(),
            secret_access_key: "s".into(),
            session_token: "t".into(),
            expires_at,
            region: "us-east-1".into(),
        }
    }

    #[test]
    fn refreshable_layers_are_renewed_fifteen_minutes_early_short_ones_at_three_quarters() {
        let hour = Held {
            credentials: creds(CredentialSource::AssumedRole, 10_000 + 3600),
            made_at: 10_000,
        };
        assert!(hour.fresh(10_000 + 3600 - 15 * 60 - 1));
        assert!(!hour.fresh(10_000 + 3600 - 15 * 60));
        let short = Held {
            credentials: creds(CredentialSource::AssumedRole, 10_000 + 900),
            made_at: 10_000,
        };
        assert!(short.fresh(10_000 + 600));
        assert!(!short.fresh(10_000 + 900 - 225));
        let mfa = Held {
            credentials: creds(CredentialSource::MfaSession, 10_000 + 3600),
            made_at: 0,
        };
        assert!(mfa.fresh(10_000 + 3600 - 61));
        assert!(!mfa.fresh(10_000 + 3600 - 60));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_one_refresh_and_its_error() {
        let layers = Arc::new(Layers::default());
        let key = LayerKey {
            profile: "p".into(),
            role_arn: None,
            duration_secs: 0,
        };
        let calls = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (layers, key, calls) = (Arc::clone(&layers), key.clone(), Arc::clone(&calls));
            tasks.push(tokio::spawn(async move {
                layers
                    .get(&key, || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        Ok(creds(CredentialSource::SessionToken, now() + 3600))
                    })
                    .await
            }));
        }
        for task in tasks {
            assert!(task.await.unwrap().is_ok());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        // A failing refresh: the callers that waited for it get its error, not a retry each.
        layers.forget("p");
        let calls = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (layers, key, calls) = (Arc::clone(&layers), key.clone(), Arc::clone(&calls));
            tasks.push(tokio::spawn(async move {
                layers
                    .get(&key, || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                        Err(ErrorBody::new(ErrorCode::MfaRequired, "enter a code"))
                    })
                    .await
            }));
        }
        for task in tasks {
            assert_eq!(
                task.await.unwrap().unwrap_err().code,
                ErrorCode::MfaRequired
            );
        }
        assert!(
            calls.load(Ordering::SeqCst) <= 2,
            "callers that arrived during a refresh took its error"
        );
    }
}
