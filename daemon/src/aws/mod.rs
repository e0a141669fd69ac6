//! The thin AWS layer: SDK clients built from a profile's key or MFA session, and AWS
//! errors turned into protocol error codes with a sentence a person can act on.
//!
//! Each submodule wraps one service's calls and returns protocol data; deciding which
//! credentials to use is [`crate::services::session`]'s job.

pub mod federation;
pub mod iam_policies;
pub mod identity;
pub mod identity_center;
pub mod keys;
pub mod mfa;
pub mod organizations;
pub mod provision;
pub mod root;
pub mod sso;
pub mod users;
pub mod uxc;

pub mod env;
pub mod https;

use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};

use crate::system::config::Profile;

/// The SDK configuration of one set of credentials: the handle services pass back to this
/// layer's calls (they never build SDK clients themselves).
pub use aws_config::SdkConfig;

/// How long an AWS call may take: every operation has a deadline, so an endpoint that
/// accepts the connection and never answers ends in `aws_unreachable`, not a hang.
///
/// The defaults: 5 s to connect (AWS's endpoints accept in milliseconds; 5 s covers a
/// slow DNS answer and a TLS handshake on a poor network), 20 s per attempt (the slowest
/// call made, a ListAccounts page or CreateAccount, answers in a few seconds), and 60 s
/// for the whole operation, which leaves room for the standard retry mode's three
/// attempts with backoff. A profile sets its own in `config.toml`
/// (`connect_timeout_secs`, `attempt_timeout_secs`, `operation_timeout_secs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    pub connect: Duration,
    pub attempt: Duration,
    pub operation: Duration,
}

impl Deadlines {
    pub const DEFAULT: Deadlines = Deadlines {
        connect: Duration::from_secs(5),
        attempt: Duration::from_secs(20),
        operation: Duration::from_secs(60),
    };

    /// The profile's deadlines (each at least a second), the defaults where it sets none.
    pub fn of(settings: &Profile) -> Deadlines {
        let secs = |set: Option<u64>, default: Duration| {
            set.map_or(default, |s| Duration::from_secs(s.max(1)))
        };
        Deadlines {
            connect: secs(settings.connect_timeout_secs, Self::DEFAULT.connect),
            attempt: secs(settings.attempt_timeout_secs, Self::DEFAULT.attempt),
            operation: secs(settings.operation_timeout_secs, Self::DEFAULT.operation),
        }
    }

    pub(crate) fn timeout_config(self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .operation_attempt_timeout(self.attempt)
            .operation_timeout(self.operation)
            .build()
    }
}

/// SDK configuration for one profile: the given credentials, its region, its endpoint
/// override (else the standard `AWS_ENDPOINT_URL`, which the SDK reads itself) and its
/// [`Deadlines`]. The SDK's standard retry mode retries throttling and transient errors
/// (timed-out attempts too) with backoff, within the operation's deadline.
pub async fn sdk_config(
    credentials: aws_credential_types::Credentials,
    settings: &Profile,
) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(settings.region.clone()))
        .credentials_provider(credentials)
        .timeout_config(Deadlines::of(settings).timeout_config());
    if let Some(endpoint) = &settings.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    loader.load().await
}

/// The SDK's view of a long-term key from the keyring.
pub fn long_term(
    credentials: &crate::system::keyring::Credentials,
) -> aws_credential_types::Credentials {
    aws_credential_types::Credentials::new(
        credentials.access_key_id.clone(),
        credentials.secret_access_key.clone(),
        None,
        None,
        "switchyard-keyring",
    )
}

/// The SDK's view of temporary credentials the daemon holds (an Identity Center role's).
pub fn temporary(
    credentials: &switchyard_shared::protocol::aws::TemporaryCredentials,
) -> aws_credential_types::Credentials {
    aws_credential_types::Credentials::new(
        credentials.access_key_id.clone(),
        credentials.secret_access_key.clone(),
        Some(credentials.session_token.clone()),
        None,
        "switchyard-identity-center",
    )
}

/// AWS's error code of a service error (`AccessDenied`, `Throttling`, …), if it was one.
/// When the SDK could not read the code (an error body in another shape, as moto sends for
/// some errors), the body's `<Code>` is used, and a 403 without one counts as
/// `AccessDenied`.
pub fn service_code<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>) -> Option<&str> {
    let (parsed, raw) = match error {
        SdkError::ServiceError(service) => (service.err().code(), service.raw()),
        SdkError::ResponseError(response) => (None, response.raw()),
        _ => return None,
    };
    parsed.or_else(|| {
        let body = std::str::from_utf8(raw.body().bytes()?).ok()?;
        let code = body
            .split_once("<Code>")
            .and_then(|(_, rest)| rest.split_once("</Code>"));
        match code {
            Some((code, _)) => Some(code),
            None => (raw.status().as_u16() == 403).then_some("AccessDenied"),
        }
    })
}

/// The HTTP response type every SDK client's errors carry.
pub type HttpResponseOf = HttpResponse;

/// Turn an SDK error into a protocol error.
pub fn classify<E>(operation: &str, error: SdkError<E, HttpResponse>) -> ErrorBody
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match &error {
        SdkError::DispatchFailure(failure) => ErrorBody::new(
            ErrorCode::AwsUnreachable,
            format!(
                "{operation}: cannot reach AWS ({}); check the network or the profile's endpoint_url",
                if failure.is_timeout() {
                    "timed out: no connection within connect_timeout_secs"
                } else {
                    "connection failed"
                }
            ),
        ),
        SdkError::TimeoutError(_) => ErrorBody::new(
            ErrorCode::AwsUnreachable,
            format!(
                "{operation}: AWS did not answer in time (the deadlines are the profile's \
                 attempt_timeout_secs and operation_timeout_secs, 20 s and 60 s unless set in \
                 config.toml); check the network or the profile's endpoint_url"
            ),
        ),
        SdkError::ServiceError(_) | SdkError::ResponseError(_) if service_code(&error).is_some() => {
            let code = service_code(&error).unwrap_or("Unknown");
            let message = match &error {
                SdkError::ServiceError(service) => service.err().message().unwrap_or(""),
                _ => "",
            };
            let (kind, hint) = match code {
                "InvalidClientTokenId" | "SignatureDoesNotMatch" | "UnrecognizedClientException"
                | "AuthFailure" | "InvalidAccessKeyId" => (
                    ErrorCode::AwsAuthFailed,
                    "; AWS rejected the stored key: check it in IAM, or store a new one with \
                     `switchyard credentials add`",
                ),
                "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => (
                    ErrorCode::AwsAuthFailed,
                    "; the session has expired (or this machine's clock is wrong)",
                ),
                "Throttling" | "ThrottlingException" | "TooManyRequestsException"
                | "RequestLimitExceeded" => (
                    ErrorCode::AwsThrottled,
                    "; AWS kept throttling after retries, try again in a minute",
                ),
                "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => (
                    ErrorCode::AccessDenied,
                    "; ask an administrator for this permission",
                ),
                _ => (ErrorCode::AwsFailed, ""),
            };
            ErrorBody::new(kind, format!("{operation}: {code}: {message}{hint}"))
        }
        other => ErrorBody::new(ErrorCode::AwsFailed, format!("{operation}: {other}")),
    }
}

/// Seconds since the Unix epoch of an SDK timestamp (0 before 1970, which AWS never sends).
pub fn unix_seconds(time: &aws_sdk_sts::primitives::DateTime) -> u64 {
    u64::try_from(time.secs()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_profile_gets_deadlines() {
        let defaults = sdk_config(
            aws_credential_types::Credentials::new("AKIAX", "s", None, None, "test"),
            &Profile::default(),
        )
        .await;
        let timeouts = defaults.timeout_config().expect("a timeout config");
        assert_eq!(timeouts.connect_timeout(), Some(Duration::from_secs(5)));
        assert_eq!(
            timeouts.operation_attempt_timeout(),
            Some(Duration::from_secs(20))
        );
        assert_eq!(timeouts.operation_timeout(), Some(Duration::from_secs(60)));

        let own = Profile {
            connect_timeout_secs: Some(2),
            attempt_timeout_secs: Some(0),
            operation_timeout_secs: Some(9),
            ..Profile::default()
        };
        assert_eq!(
            Deadlines::of(&own),
            Deadlines {
                connect: Duration::from_secs(2),
                attempt: Duration::from_secs(1),
                operation: Duration::from_secs(9),
            }
        );
    }
}
