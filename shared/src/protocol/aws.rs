//! Parameters and reply data of the messages that reach AWS: `identity`, `accounts.list`,
//! `mfa.submit`, `credentials.rotate`, `credentials.get` and `sessions.end`. Times are
//! Unix seconds (UTC).

use serde::{Deserialize, Serialize};

/// Parameters of a message that acts for one credentials profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileParams {
    /// The credentials profile; the configured default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

/// Data of an `identity` reply: who the profile's credentials are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityData {
    pub profile: String,
    pub account_id: String,
    pub arn: String,
    pub user_id: String,
    /// The account's alias, when it has one and the user may read it.
    pub account_alias: Option<String>,
    pub mfa: MfaState,
}

/// The profile's MFA device and session, as the daemon knows them now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaState {
    /// The MFA device's ARN (configured, or discovered with ListMFADevices).
    pub serial: Option<String>,
    /// When the daemon's MFA session ends; `None` without a session.
    pub session_expires_at: Option<u64>,
}

/// Parameters of `mfa.submit`: a code from the profile's MFA device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MfaSubmitParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Six digits from the authenticator app.
    pub code: String,
}

/// Check an MFA code's shape before it is sent to AWS.
pub fn check_mfa_code(code: &str) -> Result<&str, String> {
    let code = code.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code)
    } else {
        Err("an MFA code is the 6 digits your authenticator app shows".to_owned())
    }
}

/// Data of an `mfa.submit` reply: the session the daemon now holds (in memory only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaSessionData {
    pub profile: String,
    pub serial: String,
    pub expires_at: u64,
}

/// The longest a `mfa.wait` waits for a session, and its default.
pub const MAX_MFA_WAIT_SECS: u32 = 25;
pub const DEFAULT_MFA_WAIT_SECS: u32 = 20;

/// Parameters of `mfa.wait`: a command with no terminal to ask at (`credential-process`
/// run by an SDK, `exec` from a script) waits for someone to start the profile's MFA
/// session elsewhere (the popup, `switchyard mfa`). While it waits, `mfa.pending` lists
/// the request, so the popup can ask for the code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MfaWaitParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// How long to wait, 1 to [`MAX_MFA_WAIT_SECS`] seconds ([`DEFAULT_MFA_WAIT_SECS`]
    /// when absent); the caller asks again to wait longer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_secs: Option<u32>,
    /// What waits, in words for the popup (`switchyard credential-process`), at most
    /// [`MAX_MFA_ASKER`] characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asker: Option<String>,
}

/// The longest `asker` kept.
pub const MAX_MFA_ASKER: usize = 80;

impl MfaWaitParams {
    /// The wait, bounded.
    pub fn wait(&self) -> std::time::Duration {
        let secs = self
            .wait_secs
            .unwrap_or(DEFAULT_MFA_WAIT_SECS)
            .clamp(1, MAX_MFA_WAIT_SECS);
        std::time::Duration::from_secs(u64::from(secs))
    }
}

/// A profile whose MFA code a command is waiting for (`mfa.wait`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingMfa {
    pub profile: String,
    /// When the first waiting command asked (Unix seconds).
    pub since: u64,
    /// How many commands wait.
    pub waiting: u32,
    /// What waits, in words (the latest asker's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asker: Option<String>,
}

/// Data of `mfa.pending`: the profiles commands are waiting on, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaPendingData {
    pub pending: Vec<PendingMfa>,
}

/// Parameters of `accounts.list`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountsListParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Ask AWS now instead of answering from the cache.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refresh: bool,
}

/// Where a list of accounts came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountsSource {
    /// Organizations ListAccounts: the whole organization.
    Organization,
    /// The caller's own account only (ListAccounts was not allowed or no organization).
    Caller,
}

/// One AWS account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_ACTIVATION`, `PENDING_CLOSURE`, `CLOSED`, …
    /// (Organizations' `State`, not the retired `Status`).
    pub state: Option<String>,
    pub arn: Option<String>,
    pub joined_at: Option<u64>,
    /// The account's tags, when the caller may read them (the team's name, color and
    /// role hints among them: `crate::team`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<std::collections::BTreeMap<String, String>>,
    /// The console's own color for the account (`crate::team::ConsoleColor`'s names), when
    /// this daemon set or read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub console_color: Option<String>,
}

/// Parameters of `accounts.set`: the name, color and role hints the whole team sees,
/// written as the account's tags in the organization (an empty string removes one), and,
/// with `console_color`, the console's own account color (the palette color nearest to
/// `color`) through `role_name` in that account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountsSetParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// Role names to show first (an empty list removes the hint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_hints: Option<Vec<String>>,
    /// Also set the console's own color for the account.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub console_color: bool,
    /// The role assumed in the account to set its console color (default: the one
    /// Switchyard created for it, else `OrganizationAccountAccessRole`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
}

/// Data of an `accounts.set` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountsSetData {
    pub account_id: String,
    /// The tags written (key → value) and removed.
    pub tagged: std::collections::BTreeMap<String, String>,
    pub untagged: Vec<String>,
    /// The console color set, when asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub console_color: Option<String>,
    /// What the user should know (e.g. the nearest palette color was used).
    pub notes: Vec<String>,
}

/// The organization the accounts belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    pub management_account_id: String,
}

/// Data of an `accounts.list` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountsData {
    pub profile: String,
    pub source: AccountsSource,
    pub organization: Option<Organization>,
    pub accounts: Vec<Account>,
    /// When AWS was asked for this list.
    pub fetched_at: u64,
    /// Older than the cache's time to live; a refresh is running when `refreshing`.
    pub stale: bool,
    pub refreshing: bool,
    /// Why the list is partial, in words for the user (e.g. ListAccounts not allowed).
    pub notice: Option<String>,
}

/// Data of a `credentials.rotate` reply. Key ids are masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotateData {
    pub profile: String,
    pub old_access_key_id: String,
    pub new_access_key_id: String,
}

/// Parameters of `credentials.get`: temporary credentials for the AWS CLI and SDKs
/// (`switchyard credential-process`, `switchyard exec`). Only the CLI asks for them; the
/// native-messaging host does not relay this message from the browser.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialsGetParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// A role to assume with the profile's credentials (`arn:PARTITION:iam::ACCOUNT:role/NAME`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// The role session's length in seconds (900 to 43,200; 3,600 when absent). Only with
    /// `role_arn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_secs: Option<u32>,
}

/// Which layer of the credential stack answered `credentials.get`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialSource {
    /// STS GetSessionToken made with the stored key (no MFA): the key itself never leaves
    /// the daemon.
    SessionToken,
    /// The profile's MFA session (GetSessionToken with a code).
    MfaSession,
    /// STS AssumeRole of `role_arn`, signed with the key or the MFA session.
    AssumedRole,
    /// IAM Identity Center's GetRoleCredentials for the profile's `sso_*` role.
    IdentityCenter,
}

/// Data of a `credentials.get` reply: temporary credentials (**a secret**: printed only by
/// `switchyard credential-process`, handed only to the child of `switchyard exec`). Its
/// `Debug` shows the key id and the end, never the secret or the token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemporaryCredentials {
    pub profile: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    pub source: CredentialSource,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    /// When they end (Unix seconds).
    pub expires_at: u64,
    /// The profile's Region, for `AWS_REGION`.
    pub region: String,
}

impl std::fmt::Debug for TemporaryCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemporaryCredentials")
            .field("profile", &self.profile)
            .field("role_arn", &self.role_arn)
            .field("source", &self.source)
            .field("access_key_id", &self.access_key_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Parameters of `sessions.end`: forget a profile's MFA session and every temporary
/// credential the daemon holds for it (or, with `all`, for every profile). Credentials
/// already handed out stay valid at AWS until they expire.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionsEndParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
}

/// Data of a `sessions.end` reply: the profiles that had something to forget.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionsEndData {
    pub ended: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mfa_codes_are_six_digits() {
        assert_eq!(check_mfa_code(" 123456\n"), Ok("123456"));
        for bad in ["12345", "1234567", "12345a", "", "١٢٣٤٥٦"] {
            assert!(check_mfa_code(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn temporary_credentials_never_debug_print_their_secret() {
        let creds = TemporaryCredentials {
            profile: "work".into(),
            role_arn: None,
            source: CredentialSource::SessionToken,
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: "very-secret".into(),
            session_token: "token-secret".into(),
            expires_at: 1,
            region: "us-east-1".into(),
        };
        let shown = format!("{creds:?}");
        assert!(shown.contains("ASIAEXAMPLE"), "{shown}");
        assert!(!shown.contains("secret"), "{shown}");
    }
}
