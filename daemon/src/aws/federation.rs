//! Federated console sign-in: STS AssumeRole, then the sign-in endpoint's
//! `getSigninToken` exchange of the role's temporary credentials for a one-time token.
//!
//! The credentials leave the daemon only inside that one HTTPS request (plain HTTP is
//! allowed only to a loopback stand-in); neither they nor the token are logged or kept.

use std::time::Duration;

use aws_config::SdkConfig;
use http_body_util::{BodyExt, Limited};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::switch::{
    parse_signin_token, signin_partition, signin_token_url, Partition,
};

/// How long the token exchange may take.
const SIGNIN_TIMEOUT: Duration = Duration::from_secs(15);
/// The largest reply read from the sign-in endpoint (a token is about 1 KB).
const MAX_SIGNIN_REPLY: usize = 64 * 1024;

/// A role's temporary credentials. Not `Debug`: nothing prints them.
pub struct RoleSession {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    /// Unix seconds.
    pub expires_at: u64,
}

impl RoleSession {
    /// The credentials for [`crate::aws::sdk_config`], to act as the role.
    pub fn credentials(&self) -> aws_credential_types::Credentials {
        aws_credential_types::Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.clone(),
            Some(self.session_token.clone()),
            None,
            "switchyard-assumed-role",
        )
    }
}

/// STS AssumeRole.
pub async fn assume_role(
    config: &SdkConfig,
    role_arn: &str,
    session_name: &str,
    duration_secs: u32,
) -> Result<RoleSession, ErrorBody> {
    let out = aws_sdk_sts::Client::new(config)
        .assume_role()
        .role_arn(role_arn)
        .role_session_name(session_name)
        .duration_seconds(i32::try_from(duration_secs).unwrap_or(3600))
        .send()
        .await
        .map_err(|e| super::classify("sts:AssumeRole", e))?;
    let credentials = out.credentials.ok_or_else(|| {
        ErrorBody::new(
            ErrorCode::AwsFailed,
            "sts:AssumeRole answered without credentials",
        )
    })?;
    Ok(RoleSession {
        expires_at: super::unix_seconds(&credentials.expiration),
        access_key_id: credentials.access_key_id,
        secret_access_key: credentials.secret_access_key,
        session_token: credentials.session_token,
    })
}

/// Where the token is fetched and where the browser logs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigninEndpoints {
    /// `https://signin.aws.amazon.com` or the profile's `signin_endpoint`.
    pub exchange: String,
    /// The override when it is an AWS sign-in host, else the partition's sign-in host: a
    /// local stand-in only answers the exchange, and the browser logs in under AWS's name.
    pub login: String,
}

/// The endpoints for a partition and an optional `signin_endpoint` setting. The setting is
/// `https://HOST[:PORT]` (or `http://` to a loopback address), without path or query.
pub fn signin_endpoints(
    partition: Partition,
    setting: Option<&str>,
) -> Result<SigninEndpoints, ErrorBody> {
    // The global host, or the default region's where the partition has none (aws-eusc).
    let default = format!("https://{}", partition.signin_host_for(None));
    let Some(setting) = setting else {
        return Ok(SigninEndpoints {
            exchange: default.clone(),
            login: default,
        });
    };
    let bad = |why: &str| {
        ErrorBody::new(
            ErrorCode::InvalidParams,
            format!(
                "the profile's signin_endpoint {setting:?} {why}; write https://HOST[:PORT] \
                 in config.toml, or remove it to use {default}"
            ),
        )
    };
    let uri: hyper::Uri = setting.parse().map_err(|_| bad("is not a URL"))?;
    let host = uri.host().ok_or_else(|| bad("names no host"))?;
    let path_ok = matches!(uri.path(), "" | "/") && uri.query().is_none();
    if !path_ok {
        return Err(bad("has a path or query"));
    }
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if is_loopback(host) => {}
        Some("http") => return Err(bad("uses plain http to a host that is not loopback")),
        _ => return Err(bad("is not an https URL")),
    }
    let exchange = setting.trim_end_matches('/').to_owned();
    // The browser is sent to the setting only when it is a sign-in host of the partition
    // on the standard port: what the extension and the CLI accept (`check_login_url`).
    let standard_port = uri.port_u16().is_none_or(|port| port == 443);
    let login = match signin_partition(host) {
        Some(p) if p == partition && uri.scheme_str() == Some("https") && standard_port => {
            exchange.clone()
        }
        _ => default,
    };
    Ok(SigninEndpoints { exchange, login })
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `GET {exchange}/federation?Action=getSigninToken&SessionDuration=…&Session=…` → the token.
pub async fn signin_token(
    exchange: &str,
    session: &RoleSession,
    duration_secs: u32,
) -> Result<String, ErrorBody> {
    let session_json = switchyard_shared::switch::federation_session_json(
        &session.access_key_id,
        &session.secret_access_key,
        &session.session_token,
    );
    let url = signin_token_url(exchange, &session_json, Some(duration_secs));
    drop(session_json);
    let unreachable = |why: String| {
        ErrorBody::new(
            ErrorCode::SigninUnreachable,
            format!(
                "the sign-in endpoint {exchange} {why}; check the network or the profile's \
                 signin_endpoint"
            ),
        )
    };
    // The error texts never include the URL: it carries the credentials.
    let response = crate::aws::https::get(
        &url,
        concat!("switchyard/", env!("CARGO_PKG_VERSION")),
        SIGNIN_TIMEOUT,
    )
    .await
    .map_err(|e| match e {
        crate::aws::https::GetError::BadUrl => {
            ErrorBody::new(ErrorCode::Internal, "the federation URL could not be built")
        }
        other => unreachable(other.to_string()),
    })?;
    let status = response.status();
    let body = tokio::time::timeout(
        SIGNIN_TIMEOUT,
        Limited::new(response.into_body(), MAX_SIGNIN_REPLY).collect(),
    )
    .await
    .map_err(|_| unreachable("did not finish its answer in time".into()))?
    .map_err(|_| unreachable("sent an answer that was cut off or too large".into()))?
    .to_bytes();
    let text = String::from_utf8_lossy(&body);
    if !status.is_success() {
        let hint = match status.as_u16() {
            400 => {
                "the role's credentials or session length were refused (a session longer than \
                    the role's maximum, or role chaining beyond one hour)"
            }
            401 | 403 => "the temporary credentials were not accepted; switch again",
            _ => "try again; if it persists, AWS sign-in may be having trouble",
        };
        return Err(ErrorBody::new(
            ErrorCode::SigninFailed,
            format!("the sign-in endpoint answered HTTP {status}: {hint}"),
        ));
    }
    parse_signin_token(&text).map_err(|e| ErrorBody::new(ErrorCode::SigninFailed, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_default_and_override() {
        type Want = Result<(&'static str, &'static str), ()>;
        let table: [(Option<&str>, Want); 10] = [
            (
                None,
                Ok((
                    "https://signin.aws.amazon.com",
                    "https://signin.aws.amazon.com",
                )),
            ),
            (
                Some("https://us-east-1.signin.aws.amazon.com/"),
                Ok((
                    "https://us-east-1.signin.aws.amazon.com",
                    "https://us-east-1.signin.aws.amazon.com",
                )),
            ),
            (
                Some("http://127.0.0.1:8080"),
                Ok(("http://127.0.0.1:8080", "https://signin.aws.amazon.com")),
            ),
            (
                Some("https://stand-in.example:8443"),
                Ok((
                    "https://stand-in.example:8443",
                    "https://signin.aws.amazon.com",
                )),
            ),
            (
                Some("https://signin.amazonaws.cn"),
                Ok((
                    "https://signin.amazonaws.cn",
                    "https://signin.aws.amazon.com",
                )),
            ),
            (
                Some("https://us-east-1.signin.aws.amazon.com:8443"),
                Ok((
                    "https://us-east-1.signin.aws.amazon.com:8443",
                    "https://signin.aws.amazon.com",
                )),
            ),
            (Some("http://signin.aws.amazon.com"), Err(())),
            (Some("https://signin.aws.amazon.com/federation"), Err(())),
            (Some("https://x?y=1"), Err(())),
            (Some("ftp://127.0.0.1"), Err(())),
        ];
        for (setting, want) in table {
            let got = signin_endpoints(Partition::Aws, setting)
                .map(|e| (e.exchange, e.login))
                .map_err(|e| assert_eq!(e.code, ErrorCode::InvalidParams));
            let want = want.map(|(a, b)| (a.to_owned(), b.to_owned()));
            assert_eq!(got, want, "{setting:?}");
        }
        assert_eq!(
            signin_endpoints(Partition::AwsUsGov, None).unwrap().login,
            "https://signin.amazonaws-us-gov.com"
        );
    }
}
