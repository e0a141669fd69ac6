//! `switch.federate`: a one-time console login URL for a role, made from the profile's
//! credentials (or MFA session): the target is checked first, then STS AssumeRole, then
//! the sign-in endpoint's token exchange ([`crate::aws::federation`]).

use switchyard_shared::protocol::switch::{FederateData, FederateParams};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::switch::{
    console_home, destination_after_switch, login_url, SwitchTarget, MAX_SESSION_DURATION,
    MIN_SESSION_DURATION,
};

use crate::aws::federation;
use crate::services::session::Sessions;

/// A console session's length when the request names none (AssumeRole's default).
const DEFAULT_DURATION_SECS: u32 = 3600;

/// Answer `switch.federate`.
pub async fn federate(
    sessions: &Sessions,
    params: FederateParams,
) -> Result<FederateData, ErrorBody> {
    let target = SwitchTarget::from_arn(&params.role_arn, "", "")
        .map_err(|e| ErrorBody::new(ErrorCode::InvalidTarget, e.to_string()))?;
    let duration = params.duration_secs.unwrap_or(DEFAULT_DURATION_SECS);
    if !(MIN_SESSION_DURATION..=MAX_SESSION_DURATION).contains(&duration) {
        return Err(ErrorBody::new(
            ErrorCode::InvalidParams,
            format!(
                "duration_secs must be {MIN_SESSION_DURATION} to {MAX_SESSION_DURATION}, not {duration}"
            ),
        ));
    }
    if let Some(role) = params.sso.clone() {
        return federate_via_identity_center(sessions, params, role, target, duration).await;
    }
    let signed = sessions.sign_in(params.profile).await?;
    if signed.settings.partition != target.partition.name() {
        return Err(ErrorBody::new(
            ErrorCode::InvalidTarget,
            format!(
                "{} is in partition {}, but profile {:?} signs in to {}",
                params.role_arn,
                target.partition.name(),
                signed.profile,
                signed.settings.partition
            ),
        ));
    }
    let endpoints =
        federation::signin_endpoints(target.partition, signed.settings.signin_endpoint.as_deref())?;
    let role_arn = target.role_arn();
    let role = federation::assume_role(
        &signed.sdk,
        &role_arn,
        &session_name(&signed.profile),
        duration,
    )
    .await
    .map_err(|e| signed.explain(sessions, e))?;
    let token = federation::signin_token(&endpoints.exchange, &role, duration).await?;
    let destination = match params.destination.as_deref() {
        Some(current) => destination_after_switch(current, target.partition),
        None => console_home(target.partition, Some(&signed.settings.region)),
    };
    let issuer = console_home(target.partition, None);
    tracing::info!(role = %role_arn, "federated sign-in URL made");
    Ok(FederateData {
        profile: signed.profile,
        role_arn,
        login_url: login_url(&endpoints.login, &issuer, &destination, &token),
        destination,
        expires_at: role.expires_at,
    })
}

/// `switch.federate` through an Identity Center role: its credentials (GetRoleCredentials)
/// sign in when the target is that role, else they assume the target (a chain into a
/// client account's role). The request's profile lends only its sign-in endpoint.
async fn federate_via_identity_center(
    sessions: &Sessions,
    params: FederateParams,
    role: switchyard_shared::protocol::roles::SsoRoleRef,
    target: SwitchTarget,
    duration: u32,
) -> Result<FederateData, ErrorBody> {
    let credentials = sessions.sso.role_credentials(&role).await?;
    let (profile, settings) = match crate::services::session::settings(params.profile) {
        Ok(found) => found,
        Err(_) => (role.session.clone(), Default::default()),
    };
    let settings = crate::system::config::Profile {
        region: credentials.region.clone(),
        ..settings
    };
    let endpoints =
        federation::signin_endpoints(target.partition, settings.signin_endpoint.as_deref())?;
    let granted_arn =
        switchyard_shared::targets::identity_center_role_arn(target.partition.name(), &role);
    let is_granted = params.role_arn == granted_arn;
    let role_arn = if is_granted {
        granted_arn
    } else {
        target.role_arn()
    };
    let session = if is_granted {
        // The granted role itself: its credentials are the console session (their own
        // length; Identity Center's permission set decides it).
        federation::RoleSession {
            access_key_id: credentials.access_key_id.clone(),
            secret_access_key: credentials.secret_access_key.clone(),
            session_token: credentials.session_token.clone(),
            expires_at: credentials.expires_at,
        }
    } else {
        let sdk = crate::aws::sdk_config(crate::aws::temporary(&credentials), &settings).await;
        federation::assume_role(&sdk, &role_arn, &session_name(&role.session), duration)
            .await
            .map_err(|e| {
                if e.code == ErrorCode::AwsAuthFailed {
                    sessions.sso.forget_role(&role);
                }
                ErrorBody::new(
                    e.code,
                    format!(
                        "from Identity Center role {} in account {}: {}",
                        role.role_name, role.account_id, e.message
                    ),
                )
            })?
    };
    let token = federation::signin_token(&endpoints.exchange, &session, duration).await?;
    let destination = match params.destination.as_deref() {
        Some(current) => destination_after_switch(current, target.partition),
        None => console_home(target.partition, Some(&settings.region)),
    };
    let issuer = console_home(target.partition, None);
    tracing::info!(role = %role_arn, session = %role.session, "federated sign-in URL made through Identity Center");
    Ok(FederateData {
        profile,
        role_arn,
        login_url: login_url(&endpoints.login, &issuer, &destination, &token),
        destination,
        expires_at: session.expires_at,
    })
}

/// The role session's name (what CloudTrail shows): `switchyard-PROFILE`, in the
/// characters and length STS allows.
pub(crate) fn session_name(profile: &str) -> String {
    let name: String = format!("switchyard-{profile}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names_are_what_sts_accepts() {
        assert_eq!(session_name("work"), "switchyard-work");
        assert_eq!(session_name("a b/ü"), "switchyard-a-b--");
        assert_eq!(session_name(&"x".repeat(100)).len(), 64);
    }

    #[tokio::test]
    async fn a_bad_target_is_refused_before_any_request() {
        // No config, no keyring: a request that got past the check would fail differently.
        let sessions = Sessions::default();
        for arn in [
            "arn:aws:iam::12345:role/Admin",
            "arn:aws:iam::123456789012:role/Ad min",
            "arn:aws:iam::123456789012:user/alice",
            "nonsense",
        ] {
            let params = FederateParams {
                profile: Some("nobody".into()),
                role_arn: arn.into(),
                destination: None,
                duration_secs: None,
                sso: None,
            };
            let error = federate(&sessions, params).await.err().unwrap();
            assert_eq!(error.code, ErrorCode::InvalidTarget, "{arn}: {error}");
        }
        let params = FederateParams {
            profile: Some("nobody".into()),
            role_arn: "arn:aws:iam::123456789012:role/Admin".into(),
            destination: None,
            duration_secs: Some(60),
            sso: None,
        };
        let error = federate(&sessions, params).await.err().unwrap();
        assert_eq!(error.code, ErrorCode::InvalidParams, "{error}");
    }
}
