//! MFA: finding the user's device (IAM ListMFADevices) and trading a code for a session
//! (STS GetSessionToken); the same call without a code makes the session that
//! `credentials.get` hands out for a profile without MFA.

use aws_config::SdkConfig;
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};

/// The signed-in IAM user's first MFA device, `Ok(None)` when they have none (or are not
/// an IAM user). Denied or failed calls are errors, so the caller decides what an unknown
/// answer means. The user name is taken from GetCallerIdentity's ARN rather than left to
/// IAM to infer, which every implementation of the API understands.
pub async fn discover_device(config: &SdkConfig) -> Result<Option<String>, ErrorBody> {
    let caller = super::identity::caller(config).await?;
    let Some(user_name) = user_name(&caller.arn) else {
        return Ok(None);
    };
    let out = aws_sdk_iam::Client::new(config)
        .list_mfa_devices()
        .user_name(user_name)
        .send()
        .await
        .map_err(|e| super::classify("iam:ListMFADevices", e))?;
    Ok(out.mfa_devices.into_iter().next().map(|d| d.serial_number))
}

/// The user name of an IAM user ARN (`arn:aws:iam::123456789012:user/path/alice` → alice).
pub fn user_name(arn: &str) -> Option<&str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let path = resource.strip_prefix("user/")?;
    path.rsplit('/').next().filter(|name| !name.is_empty())
}

/// A session made with an MFA code: temporary credentials and when they end.
#[derive(Clone)]
pub struct MfaSession {
    pub credentials: aws_credential_types::Credentials,
    pub expires_at: u64,
}

impl std::fmt::Debug for MfaSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MfaSession")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// STS GetSessionToken with the device's serial and a code, signed with the long-term key.
pub async fn session_token(
    config: &SdkConfig,
    serial: &str,
    code: &str,
) -> Result<MfaSession, ErrorBody> {
    let out = aws_sdk_sts::Client::new(config)
        .get_session_token()
        .serial_number(serial)
        .token_code(code)
        .send()
        .await
        .map_err(|e| classify_code_error(serial, e))?;
    let Some(creds) = out.credentials else {
        return Err(ErrorBody::new(
            ErrorCode::AwsFailed,
            "sts:GetSessionToken answered without credentials",
        ));
    };
    let expires_at = super::unix_seconds(&creds.expiration);
    Ok(MfaSession {
        credentials: aws_credential_types::Credentials::new(
            creds.access_key_id,
            creds.secret_access_key,
            Some(creds.session_token),
            std::time::SystemTime::UNIX_EPOCH
                .checked_add(std::time::Duration::from_secs(expires_at)),
            "switchyard-mfa-session",
        ),
        expires_at,
    })
}

/// STS GetSessionToken without MFA, signed with the long-term key: temporary credentials
/// of the same user (AWS's default length, 12 hours), so the key itself never leaves the
/// daemon. Like every such session, it may not call IAM, nor STS beyond AssumeRole and
/// GetCallerIdentity.
pub async fn plain_session_token(config: &SdkConfig) -> Result<MfaSession, ErrorBody> {
    let out = aws_sdk_sts::Client::new(config)
        .get_session_token()
        .send()
        .await
        .map_err(|e| super::classify("sts:GetSessionToken", e))?;
    let Some(creds) = out.credentials else {
        return Err(ErrorBody::new(
            ErrorCode::AwsFailed,
            "sts:GetSessionToken answered without credentials",
        ));
    };
    let expires_at = super::unix_seconds(&creds.expiration);
    Ok(MfaSession {
        credentials: aws_credential_types::Credentials::new(
            creds.access_key_id,
            creds.secret_access_key,
            Some(creds.session_token),
            std::time::SystemTime::UNIX_EPOCH
                .checked_add(std::time::Duration::from_secs(expires_at)),
            "switchyard-session",
        ),
        expires_at,
    })
}

/// A wrong code comes back as AccessDenied "MultiFactorAuthentication failed …".
fn classify_code_error<E>(serial: &str, error: SdkError<E, HttpResponse>) -> ErrorBody
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let wrong_code = match &error {
        SdkError::ServiceError(service) => {
            let err = service.err();
            err.code() == Some("AccessDenied")
                && err
                    .message()
                    .is_some_and(|m| m.contains("MultiFactorAuthentication"))
        }
        _ => false,
    };
    if wrong_code {
        ErrorBody::new(
            ErrorCode::MfaCodeInvalid,
            format!(
                "AWS did not accept that code for {serial}: it is wrong, already used or out \
                 of time; wait for the next code and enter it"
            ),
        )
    } else {
        super::classify("sts:GetSessionToken", error)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn user_names_come_from_user_arns_only() {
        use super::user_name;
        assert_eq!(
            user_name("arn:aws:iam::123456789012:user/alice"),
            Some("alice")
        );
        assert_eq!(
            user_name("arn:aws-cn:iam::123456789012:user/ops/team/bob"),
            Some("bob")
        );
        assert_eq!(user_name("arn:aws:iam::123456789012:root"), None);
        assert_eq!(
            user_name("arn:aws:sts::123456789012:assumed-role/R/s"),
            None
        );
        assert_eq!(user_name("arn:aws:iam::123456789012:user/"), None);
        assert_eq!(user_name("garbage"), None);
    }
}
