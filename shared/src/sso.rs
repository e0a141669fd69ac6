//! IAM Identity Center (formerly AWS SSO): what `~/.aws/config` says of its sign-ins
//! (`[sso-session NAME]` sections and `sso_*` profiles, read as the AWS CLI reads them),
//! where a sign-in goes (the OIDC host of the session's own Region, in its partition), the
//! authorization-code request with PKCE (RFC 7636) and the loopback redirect's answer.
//!
//! No I/O here: the daemon registers the client, opens nothing, keeps the tokens in the
//! keyring and calls the portal (`daemon/src/services/sso.rs`); this module is the rules
//! both it and its tests agree on.

use std::collections::BTreeMap;

use crate::imports::{aws_config_sections, quote, Section};
use crate::protocol::roles::Skipped;
use crate::switch::{is_region, Partition};

/// The scope Switchyard registers for: access to the accounts and roles of the portal.
/// Registering with a scope is what makes the OIDC service issue a refresh token (a
/// registration without scopes gets an access token alone, valid for an hour at most).
pub const SCOPE: &str = "sso:account:access";

/// The path of the loopback redirect (as the AWS CLI uses it).
pub const CALLBACK_PATH: &str = "/oauth/callback";

/// The grant types a public client asks for when it registers for the PKCE flow.
pub const GRANT_AUTHORIZATION_CODE: &str = "authorization_code";
pub const GRANT_REFRESH_TOKEN: &str = "refresh_token";
pub const GRANT_DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// An Identity Center sign-in: a start URL in a Region, under a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSession {
    /// The `[sso-session NAME]` name, or one made from the start URL
    /// ([`name_for_start_url`]) for a profile with `sso_start_url` alone.
    pub name: String,
    pub start_url: String,
    /// Where the instance's OIDC and portal endpoints are (`sso_region`).
    pub region: String,
}

/// A profile that signs in through Identity Center: a role (permission set) in an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoProfile {
    pub name: String,
    /// The [`SsoSession::name`] it signs in with.
    pub session: String,
    pub account_id: String,
    pub role_name: String,
    /// The profile's own `region` (for its AWS calls), if it has one.
    pub region: Option<String>,
}

/// What `~/.aws/config` says of Identity Center, with a note per section not usable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SsoConfig {
    pub sessions: Vec<SsoSession>,
    pub profiles: Vec<SsoProfile>,
    pub skipped: Vec<Skipped>,
}

impl SsoConfig {
    pub fn session(&self, name: &str) -> Option<&SsoSession> {
        self.sessions.iter().find(|s| s.name == name)
    }

    pub fn profile(&self, name: &str) -> Option<&SsoProfile> {
        self.profiles.iter().find(|p| p.name == name)
    }
}

/// Why a start URL, Region or callback was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SsoError {
    #[error(
        "the start URL `{0}` is not an https:// URL with a host (it looks like \
         https://my-org.awsapps.com/start or https://ssoins-1234.portal.us-east-1.app.aws)"
    )]
    StartUrl(String),
    #[error("`{0}` is not an AWS Region (for example eu-west-1)")]
    Region(String),
    #[error("the sign-in was refused in the browser: {0}")]
    Denied(String),
    #[error(
        "the answer to the sign-in does not carry the state this sign-in sent: it did not come \
         from this sign-in, and is refused"
    )]
    StateMismatch,
    #[error("the answer to the sign-in carries no authorization code")]
    NoCode,
}

/// The start URL as Identity Center knows it: `https://` with a host, no user or query,
/// and without the portal's `#/` (the AWS CLI's `sso_start_url` often has it).
pub fn check_start_url(raw: &str) -> Result<String, SsoError> {
    let url = raw.trim();
    let refused = || SsoError::StartUrl(quote(url));
    let rest = url.strip_prefix("https://").ok_or_else(refused)?;
    let rest = rest.split('#').next().unwrap_or_default();
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b':')
        && !host.starts_with(['.', '-', ':']);
    let path_ok = path
        .bytes()
        .all(|b| b.is_ascii_graphic() && !b"?\"<>\\^`{|}".contains(&b));
    if !host_ok || !path_ok {
        return Err(refused());
    }
    Ok(format!("https://{host}{}", path.trim_end_matches('/')))
}

/// A Region Identity Center may live in.
pub fn check_region(raw: &str) -> Result<String, SsoError> {
    let region = raw.trim();
    if is_region(region) {
        Ok(region.to_owned())
    } else {
        Err(SsoError::Region(quote(region)))
    }
}

/// A session's name when only its start URL is known: the portal's subdomain
/// (`my-org` of `https://my-org.awsapps.com/start`), else the host.
pub fn name_for_start_url(start_url: &str) -> String {
    let host = start_url
        .trim_start_matches("https://")
        .split(['/', '#', ':'])
        .next()
        .unwrap_or_default();
    match host.strip_suffix(".awsapps.com") {
        Some(sub) if !sub.contains('.') && !sub.is_empty() => sub.to_owned(),
        _ => host.to_owned(),
    }
}

/// The OIDC service's host in `region`: where the browser is sent to approve a sign-in
/// (`https://oidc.{region}.amazonaws.com/authorize`), in the Region's own partition.
pub fn oidc_host(region: &str) -> String {
    format!(
        "oidc.{region}.{}",
        Partition::of_region(region).dns_suffix()
    )
}

/// The portal's host in `region` (ListAccounts, GetRoleCredentials), for messages.
pub fn portal_host(region: &str) -> String {
    format!(
        "portal.sso.{region}.{}",
        Partition::of_region(region).dns_suffix()
    )
}

/// The page the browser opens to approve the sign-in: the OIDC endpoint's `/authorize`
/// with the registered client, the loopback redirect, the state and the PKCE challenge
/// (S256), as the AWS CLI sends it. `oidc_endpoint` is `https://HOST` (or the endpoint
/// override the SDK settings name).
pub fn authorize_url(
    oidc_endpoint: &str,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    code_challenge: &str,
) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", state)
        .append_pair("code_challenge_method", "S256")
        .append_pair("scopes", SCOPE)
        .append_pair("code_challenge", code_challenge)
        .finish();
    format!("{}/authorize?{query}", oidc_endpoint.trim_end_matches('/'))
}

/// The loopback redirect's query (`code=…&state=…`, or `error=…`): the authorization code
/// when the state is the one this sign-in sent.
pub fn read_callback(query: &str, expected_state: &str) -> Result<String, SsoError> {
    let pairs: BTreeMap<String, String> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    if pairs.get("state").map(String::as_str) != Some(expected_state) {
        return Err(SsoError::StateMismatch);
    }
    if let Some(error) = pairs.get("error") {
        let description = pairs
            .get("error_description")
            .map(|d| format!(" ({})", quote(d)))
            .unwrap_or_default();
        return Err(SsoError::Denied(format!("{}{description}", quote(error))));
    }
    pairs
        .get("code")
        .filter(|c| !c.is_empty())
        .cloned()
        .ok_or(SsoError::NoCode)
}

/// Read `~/.aws/config` for Identity Center, as the AWS CLI does: `[sso-session NAME]`
/// sections (`sso_start_url`, `sso_region`), profiles with `sso_session` (or the legacy
/// `sso_start_url` and `sso_region` in the profile itself) and `sso_account_id`,
/// `sso_role_name`. A profile with only the session keys is a sign-in without a role
/// (`aws sso login --profile` accepts it): it names the session and adds no profile.
pub fn read_aws_config(text: &str) -> SsoConfig {
    let (sections, _) = aws_config_sections(text);
    let mut config = SsoConfig::default();
    let skip = |config: &mut SsoConfig, section: &Section, why: String| {
        config.skipped.push(Skipped {
            what: quote(&section.name),
            why: format!("line {}: {why}", section.line),
        })
    };
    for section in sections.iter().filter(|s| !s.is_profile) {
        let Some(name) = section.name.strip_prefix("sso-session ") else {
            continue;
        };
        match session_of(section, name.trim()) {
            Ok(session) => config.sessions.push(session),
            Err(why) => skip(&mut config, section, why),
        }
    }
    for section in sections.iter().filter(|s| s.is_profile) {
        let named = section.get("sso_session");
        let legacy = section.get("sso_start_url");
        let session = match (named, legacy) {
            (None, None) => continue,
            (Some(name), _) => match config.session(name) {
                Some(session) => session.name.clone(),
                None => {
                    skip(
                        &mut config,
                        section,
                        format!("sso_session `{}` has no [sso-session] section", quote(name)),
                    );
                    continue;
                }
            },
            (None, Some(_)) => {
                let made = match session_of(section, "") {
                    Ok(made) => made,
                    Err(why) => {
                        skip(&mut config, section, why);
                        continue;
                    }
                };
                let same = config
                    .sessions
                    .iter()
                    .find(|s| s.start_url == made.start_url && s.region == made.region);
                match same {
                    Some(session) => session.name.clone(),
                    None => {
                        let name = made.name.clone();
                        config.sessions.push(made);
                        name
                    }
                }
            }
        };
        let (account, role) = (section.get("sso_account_id"), section.get("sso_role_name"));
        let (account_id, role_name) = match (account, role) {
            (None, None) => continue,
            (Some(account), Some(role)) => (account.trim(), role.trim()),
            _ => {
                skip(
                    &mut config,
                    section,
                    "sso_account_id and sso_role_name go together".to_owned(),
                );
                continue;
            }
        };
        if account_id.len() != 12 || !account_id.bytes().all(|b| b.is_ascii_digit()) {
            skip(
                &mut config,
                section,
                format!(
                    "sso_account_id `{}` is not a 12-digit account id",
                    quote(account_id)
                ),
            );
            continue;
        }
        if role_name.is_empty() || role_name.len() > 32 {
            skip(
                &mut config,
                section,
                format!(
                    "sso_role_name `{}` is not a permission set name",
                    quote(role_name)
                ),
            );
            continue;
        }
        config.profiles.push(SsoProfile {
            name: section.name.clone(),
            session,
            account_id: account_id.to_owned(),
            role_name: role_name.to_owned(),
            region: section.get("region").and_then(|r| check_region(r).ok()),
        });
    }
    config
}

/// A session from a section's `sso_start_url` and `sso_region`; named `name`, or after
/// its start URL when `name` is empty.
fn session_of(section: &Section, name: &str) -> Result<SsoSession, String> {
    let start_url = section
        .get("sso_start_url")
        .ok_or("no sso_start_url".to_owned())?;
    let start_url = check_start_url(start_url).map_err(|e| e.to_string())?;
    let region = section
        .get("sso_region")
        .ok_or("no sso_region".to_owned())?;
    let region = check_region(region).map_err(|e| e.to_string())?;
    let name = if name.is_empty() {
        name_for_start_url(&start_url)
    } else {
        name.to_owned()
    };
    Ok(SsoSession {
        name,
        start_url,
        region,
    })
}

#[cfg(test)]
mod tests;
