//! `credentials.get` and `sessions.end`: temporary credentials for the AWS CLI, Terraform
//! and the SDKs (through `switchyard credential-process` and `switchyard exec`), made by
//! a small stack of providers the way aws-vault stacks them:
//!
//! ```text
//! source   the profile's stored key (keyring), or an Identity Center token (keyring)
//!   └ session   GetSessionToken: with a code (the MFA session, from `mfa.submit`)
//!               or without one (profiles with no MFA device); for an `sso_*` profile
//!               of ~/.aws/config, GetRoleCredentials of its Identity Center role
//!       └ role   AssumeRole of `role_arn`, signed with the key or the MFA session
//! ```
//!
//! Each layer handed out is cached in memory per (profile, role, duration) until shortly
//! before it ends, and refreshed by one caller at a time: concurrent callers wait on the
//! layer's async lock and take what the first one fetched (or the error it got); the
//! cache itself is [`crate::services::session::Layers`], beside the MFA sessions. The
//! long-term key never leaves the daemon: a profile without MFA gets a GetSessionToken
//! session, not its key (AWS's `credential_process` would allow a key without
//! `Expiration`, but then every tool on the machine would hold it).

use switchyard_shared::protocol::aws::{
    CredentialSource, CredentialsGetParams, SessionsEndData, SessionsEndParams,
    TemporaryCredentials,
};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::switch::{SwitchTarget, MAX_SESSION_DURATION, MIN_SESSION_DURATION};

use crate::aws;
use crate::services::session::{LayerKey, Sessions};

/// A role session's length when the request names none (AssumeRole's default).
const DEFAULT_ROLE_SECS: u32 = 3600;

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
            // An Identity Center profile: its role's credentials are the session.
            if let Some(role) = &signed.sso {
                let credentials = sessions.sso.role_credentials(role).await?;
                return Ok(TemporaryCredentials {
                    profile: stack.profile.clone(),
                    region: stack.region.clone(),
                    ..credentials
                });
            }
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
