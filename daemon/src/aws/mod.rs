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
pub mod users;

pub mod env;
pub mod https;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};

use crate::system::config::Profile;

/// The SDK configuration of one set of credentials: the handle services pass back to this
/// layer's calls (they never build SDK clients themselves).
pub use aws_config::SdkConfig;

/// SDK configuration for one profile: the given credentials, its region and its endpoint
/// override (else the standard `AWS_ENDPOINT_URL`, which the SDK reads itself). The SDK's
/// standard retry mode retries throttling and transient errors with backoff.
pub async fn sdk_config(
    credentials: aws_credential_types::Credentials,
    settings: &Profile,
) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(settings.region.clone()))
        .credentials_provider(credentials);
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
                    "timed out"
                } else {
                    "connection failed"
                }
            ),
        ),
        SdkError::TimeoutError(_) => ErrorBody::new(
            ErrorCode::AwsUnreachable,
            format!("{operation}: AWS did not answer in time"),
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
