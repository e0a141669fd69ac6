//! Parameters and reply data of the IAM Identity Center messages: `sso.login`,
//! `sso.status` and `sso.logout`. Times are Unix seconds (UTC). No token, refresh token
//! or client secret is ever part of a reply: they stay in the daemon and its keyring.

use serde::{Deserialize, Serialize};

/// Parameters of `sso.login`: which Identity Center sign-in to start (or join, when one
/// for the same session is already waiting for the browser).
///
/// The session is named by `session` (an `[sso-session]` of `~/.aws/config`, or one
/// signed in before), by `profile` (a profile of `~/.aws/config` with `sso_*` keys, or a
/// Switchyard profile that names a session), or given as `start_url` and `region`.
/// With none of them, the only session known is used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoLoginParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The device-code flow (a code to enter on any device) instead of the browser's
    /// authorization-code flow with a loopback redirect.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub device: bool,
}

/// Data of an `sso.login` reply: the page the user opens to approve the sign-in. The
/// daemon opens nothing itself: the CLI opens the page in the user's browser, the
/// extension in a tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoLoginData {
    pub session: String,
    pub start_url: String,
    pub region: String,
    /// False when a sign-in of this session was already waiting: the caller joins it
    /// and opens no second page.
    pub started: bool,
    /// The page to open: the OIDC service's authorize page (or, with `device`, its
    /// verification page with the code filled in).
    pub url: String,
    /// With `device`: the code the page shows, to compare (or to type on another device).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_code: Option<String>,
    /// When the daemon stops waiting for the approval.
    pub expires_at: u64,
}

/// Parameters of `sso.status` and `sso.logout`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoSessionParams {
    /// One session (`sso.status`: every session known when absent; `sso.logout`: the only
    /// one signed in when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// `sso.logout`: every session.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
}

/// Where one Identity Center session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SsoState {
    /// A token the daemon can use (or refresh) is held.
    SignedIn,
    /// A sign-in is waiting for the user's approval in the browser.
    Pending,
    /// No token: sign in (`switchyard sso login`).
    SignedOut,
    /// The token ended and could not be refreshed: sign in again.
    Expired,
}

/// One session in `sso.status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoSessionStatus {
    pub session: String,
    pub start_url: String,
    pub region: String,
    pub state: SsoState,
    /// When the access token ends (it is refreshed before then while `refreshable`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    /// A refresh token is held: no new sign-in is needed until it is revoked or ends.
    pub refreshable: bool,
    /// Where the session is defined: `~/.aws/config`, or a sign-in made with a start URL.
    pub defined_in: String,
    /// Why the last sign-in or refresh failed, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Data of an `sso.status` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoStatusData {
    pub sessions: Vec<SsoSessionStatus>,
}

/// Data of an `sso.logout` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoLogoutData {
    /// The sessions whose tokens were forgotten.
    pub ended: Vec<String>,
    /// Notes: a revocation (the portal's Logout) that failed; the tokens are forgotten
    /// here all the same.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}
