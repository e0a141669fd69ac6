//! IAM Identity Center's two APIs, through the SDK's own clients: the OIDC service
//! (`aws-sdk-ssooidc`: RegisterClient, StartDeviceAuthorization, CreateToken) and the
//! portal (`aws-sdk-sso`: ListAccounts, ListAccountRoles, GetRoleCredentials, Logout).
//!
//! Both are reached in the session's own Region, through the SDK's standard endpoint
//! settings (`AWS_ENDPOINT_URL_SSO_OIDC`, `AWS_ENDPOINT_URL_SSO`, `AWS_ENDPOINT_URL`, a
//! profile's `services` section), so a stand-in is reached without code changes. None of
//! the calls is signed: the OIDC calls carry the client's secret, the portal calls the
//! access token. No value of a token, secret or code is ever logged here.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_ssooidc::error::ProvideErrorMetadata;
use aws_types::service_config::ServiceConfigKey;
use serde::{Deserialize, Serialize};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::sso::{
    oidc_host, GRANT_AUTHORIZATION_CODE, GRANT_DEVICE_CODE, GRANT_REFRESH_TOKEN, SCOPE,
};

use super::Deadlines;

/// The SDK configuration for a session's Region: no credentials (nothing is signed), the
/// standard deadlines and retries.
pub async fn config(region: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .no_credentials()
        .timeout_config(Deadlines::DEFAULT.timeout_config())
        .load()
        .await
}

/// Where the browser approves a sign-in: the OIDC endpoint the SDK calls (its override,
/// when one is set the standard way), else `https://oidc.REGION.amazonaws.com`.
pub fn oidc_endpoint(config: &SdkConfig, region: &str) -> String {
    let overridden = if config.get_origin("endpoint_url").is_client_config() {
        config.endpoint_url().map(str::to_owned)
    } else {
        ServiceConfigKey::builder()
            .service_id("SSO OIDC")
            .env("AWS_ENDPOINT_URL")
            .profile("endpoint_url")
            .build()
            .ok()
            .and_then(|key| config.service_config()?.load_config(key))
            .or_else(|| config.endpoint_url().map(str::to_owned))
    };
    overridden.unwrap_or_else(|| format!("https://{}", oidc_host(region)))
}

/// A registered OIDC client. Not `Debug`: the secret is never printed.
#[derive(Clone, Serialize, Deserialize)]
pub struct Registration {
    pub client_id: String,
    pub client_secret: String,
    /// Unix seconds (registrations last 90 days).
    pub expires_at: u64,
}

/// An access token and, where the registration has the scope, its refresh token. Not
/// `Debug`.
#[derive(Clone, Serialize, Deserialize)]
pub struct Token {
    pub access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Unix seconds.
    pub expires_at: u64,
}

/// Which flow a client is registered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// The authorization-code grant with PKCE and a loopback redirect.
    Browser,
    /// The device-code grant.
    Device,
}

/// RegisterClient: a public client for `start_url`, with the scope that brings a refresh
/// token.
pub async fn register(
    config: &SdkConfig,
    start_url: &str,
    flow: Flow,
) -> Result<Registration, ErrorBody> {
    let client = aws_sdk_ssooidc::Client::new(config);
    let mut request = client
        .register_client()
        .client_name(format!("switchyard-{}", switchyard_shared::APP_VERSION))
        .client_type("public")
        .scopes(SCOPE);
    if flow == Flow::Browser {
        request = request
            .grant_types(GRANT_AUTHORIZATION_CODE)
            .grant_types(GRANT_REFRESH_TOKEN)
            .redirect_uris(format!(
                "http://127.0.0.1{}",
                switchyard_shared::sso::CALLBACK_PATH
            ))
            .issuer_url(start_url);
    }
    let out = request
        .send()
        .await
        .map_err(|e| super::classify("sso-oauth:RegisterClient", e))?;
    match (out.client_id(), out.client_secret()) {
        (Some(id), Some(secret)) => Ok(Registration {
            client_id: id.to_owned(),
            client_secret: secret.to_owned(),
            expires_at: u64::try_from(out.client_secret_expires_at()).unwrap_or(0),
        }),
        _ => Err(ErrorBody::new(
            ErrorCode::AwsFailed,
            "sso-oauth:RegisterClient answered without a client id and secret",
        )),
    }
}

/// What StartDeviceAuthorization answers.
pub struct DeviceStart {
    pub device_code: String,
    pub user_code: String,
    /// The verification page with the code filled in.
    pub url: String,
    pub interval_secs: u64,
    pub expires_in_secs: u64,
}

/// StartDeviceAuthorization.
pub async fn start_device(
    config: &SdkConfig,
    registration: &Registration,
    start_url: &str,
) -> Result<DeviceStart, ErrorBody> {
    let out = aws_sdk_ssooidc::Client::new(config)
        .start_device_authorization()
        .client_id(&registration.client_id)
        .client_secret(&registration.client_secret)
        .start_url(start_url)
        .send()
        .await
        .map_err(|e| super::classify("sso-oauth:StartDeviceAuthorization", e))?;
    let missing = || {
        ErrorBody::new(
            ErrorCode::AwsFailed,
            "sso-oauth:StartDeviceAuthorization answered without a device code",
        )
    };
    Ok(DeviceStart {
        device_code: out.device_code().ok_or_else(missing)?.to_owned(),
        user_code: out.user_code().ok_or_else(missing)?.to_owned(),
        url: out
            .verification_uri_complete()
            .or(out.verification_uri())
            .ok_or_else(missing)?
            .to_owned(),
        interval_secs: u64::try_from(out.interval()).unwrap_or(5).max(1),
        expires_in_secs: u64::try_from(out.expires_in()).unwrap_or(600),
    })
}

/// What CreateToken is asked to grant.
pub enum Grant<'a> {
    Code {
        code: &'a str,
        verifier: &'a str,
        redirect_uri: &'a str,
    },
    Device {
        device_code: &'a str,
    },
    Refresh {
        refresh_token: &'a str,
    },
}

/// Why CreateToken gave no token.
#[derive(Debug)]
pub enum TokenError {
    /// The device flow's approval has not come yet.
    Pending,
    /// Poll more slowly.
    SlowDown,
    /// The grant is no good any more: the code, device code or refresh token expired or
    /// was revoked, or the client's registration ended. A new sign-in is needed.
    Invalid(String),
    Other(ErrorBody),
}

/// CreateToken.
pub async fn create_token(
    config: &SdkConfig,
    registration: &Registration,
    grant: Grant<'_>,
    now: u64,
) -> Result<Token, TokenError> {
    let client = aws_sdk_ssooidc::Client::new(config);
    let request = client
        .create_token()
        .client_id(&registration.client_id)
        .client_secret(&registration.client_secret);
    let request = match grant {
        Grant::Code {
            code,
            verifier,
            redirect_uri,
        } => request
            .grant_type(GRANT_AUTHORIZATION_CODE)
            .code(code)
            .code_verifier(verifier)
            .redirect_uri(redirect_uri),
        Grant::Device { device_code } => request
            .grant_type(GRANT_DEVICE_CODE)
            .device_code(device_code),
        Grant::Refresh { refresh_token } => request
            .grant_type(GRANT_REFRESH_TOKEN)
            .refresh_token(refresh_token),
    };
    match request.send().await {
        Ok(out) => {
            let access_token = out
                .access_token()
                .filter(|t| !t.is_empty())
                .ok_or_else(|| {
                    TokenError::Other(ErrorBody::new(
                        ErrorCode::AwsFailed,
                        "sso-oauth:CreateToken answered without an access token",
                    ))
                })?
                .to_owned();
            Ok(Token {
                access_token,
                refresh_token: out.refresh_token().map(str::to_owned),
                expires_at: now + u64::try_from(out.expires_in()).unwrap_or(0),
            })
        }
        Err(e) => {
            let code = e.as_service_error().and_then(|s| s.code()).unwrap_or("");
            match code {
                "AuthorizationPendingException" => Err(TokenError::Pending),
                "SlowDownException" => Err(TokenError::SlowDown),
                "InvalidGrantException"
                | "ExpiredTokenException"
                | "InvalidClientException"
                | "UnauthorizedClientException"
                | "AccessDeniedException" => Err(TokenError::Invalid(code.to_owned())),
                _ => Err(TokenError::Other(super::classify(
                    "sso-oauth:CreateToken",
                    e,
                ))),
            }
        }
    }
}

/// An account the portal lists.
pub struct PortalAccount {
    pub account_id: String,
    pub account_name: Option<String>,
}

/// An error of a portal call: an `UnauthorizedException` means the access token is no
/// longer accepted (ended, or the user signed out in the portal).
fn portal_error<E>(
    operation: &str,
    error: aws_sdk_sso::error::SdkError<E, super::HttpResponseOf>,
) -> ErrorBody
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let unauthorized = error
        .as_service_error()
        .and_then(|s| s.code())
        .is_some_and(|c| c == "UnauthorizedException");
    if unauthorized {
        return ErrorBody::new(
            ErrorCode::SsoLoginRequired,
            format!(
                "{operation}: IAM Identity Center no longer accepts the session's token; sign in \
                 again (`switchyard sso login`)"
            ),
        );
    }
    super::classify(operation, error)
}

/// ListAccounts, every page.
pub async fn list_accounts(
    config: &SdkConfig,
    access_token: &str,
) -> Result<Vec<PortalAccount>, ErrorBody> {
    let client = aws_sdk_sso::Client::new(config);
    let mut accounts = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let out = client
            .list_accounts()
            .access_token(access_token)
            .max_results(100)
            .set_next_token(next.take())
            .send()
            .await
            .map_err(|e| portal_error("sso:ListAccounts", e))?;
        for account in out.account_list() {
            if let Some(id) = account.account_id() {
                accounts.push(PortalAccount {
                    account_id: id.to_owned(),
                    account_name: account.account_name().map(str::to_owned),
                });
            }
        }
        match out.next_token() {
            Some(token) if !token.is_empty() => next = Some(token.to_owned()),
            _ => return Ok(accounts),
        }
    }
}

/// ListAccountRoles of one account, every page: the permission sets' names.
pub async fn list_account_roles(
    config: &SdkConfig,
    access_token: &str,
    account_id: &str,
) -> Result<Vec<String>, ErrorBody> {
    let client = aws_sdk_sso::Client::new(config);
    let mut roles = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let out = client
            .list_account_roles()
            .access_token(access_token)
            .account_id(account_id)
            .max_results(100)
            .set_next_token(next.take())
            .send()
            .await
            .map_err(|e| portal_error("sso:ListAccountRoles", e))?;
        roles.extend(
            out.role_list()
                .iter()
                .filter_map(|r| r.role_name().map(str::to_owned)),
        );
        match out.next_token() {
            Some(token) if !token.is_empty() => next = Some(token.to_owned()),
            _ => return Ok(roles),
        }
    }
}

/// GetRoleCredentials: the role's temporary credentials.
pub async fn role_credentials(
    config: &SdkConfig,
    access_token: &str,
    account_id: &str,
    role_name: &str,
) -> Result<super::federation::RoleSession, ErrorBody> {
    let out = aws_sdk_sso::Client::new(config)
        .get_role_credentials()
        .access_token(access_token)
        .account_id(account_id)
        .role_name(role_name)
        .send()
        .await
        .map_err(|e| {
            let gone = e
                .as_service_error()
                .and_then(|s| s.code())
                .is_some_and(|c| c == "ResourceNotFoundException" || c == "ForbiddenException");
            if gone {
                ErrorBody::new(
                    ErrorCode::AccessDenied,
                    format!(
                        "IAM Identity Center grants no role {role_name:?} in account {account_id} \
                         to this sign-in (it was removed, or never assigned); see `switchyard \
                         roles` for the roles it grants"
                    ),
                )
            } else {
                portal_error("sso:GetRoleCredentials", e)
            }
        })?;
    let credentials = out.role_credentials().ok_or_else(|| {
        ErrorBody::new(
            ErrorCode::AwsFailed,
            "sso:GetRoleCredentials answered without credentials",
        )
    })?;
    match (
        credentials.access_key_id(),
        credentials.secret_access_key(),
        credentials.session_token(),
    ) {
        (Some(id), Some(secret), Some(token)) => Ok(super::federation::RoleSession {
            access_key_id: id.to_owned(),
            secret_access_key: secret.to_owned(),
            session_token: token.to_owned(),
            // Milliseconds since the epoch.
            expires_at: u64::try_from(credentials.expiration() / 1000).unwrap_or(0),
        }),
        _ => Err(ErrorBody::new(
            ErrorCode::AwsFailed,
            "sso:GetRoleCredentials answered with incomplete credentials",
        )),
    }
}

/// Logout: revoke the access token (and the portal's session with it).
pub async fn logout(config: &SdkConfig, access_token: &str) -> Result<(), ErrorBody> {
    aws_sdk_sso::Client::new(config)
        .logout()
        .access_token(access_token)
        .send()
        .await
        .map_err(|e| portal_error("sso:Logout", e))?;
    Ok(())
}
