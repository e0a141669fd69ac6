//! Parameters and data of the IAM user messages (`users.list`, `users.create`,
//! `users.remove`, `mfa.setup`, `mfa.enable`). One-time secrets in them (a new password,
//! an access key's secret, an MFA seed) are never `Debug`-printed. The rules that check
//! them live in [`crate::users`].

use std::fmt;

use serde::{Deserialize, Serialize};

/// A tag for a new user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// The account's password rules for IAM users (GetAccountPasswordPolicy's fields that a
/// new password must meet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub minimum_length: u32,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    /// How many of the four kinds (upper case, lower case, digits, symbols) a password
    /// must mix: 3 under AWS's default policy, 0 under a custom policy.
    pub minimum_kinds: u8,
}

/// Where a users message acts: the profile's own account, or a member account reached by
/// assuming `role_name` there.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsersTarget {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// A member account (12 digits); the profile's own account when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The role assumed in `account_id`; when absent, the role a provisioning job made
    /// for the account, else its `switchyard-role` tag, else [`DEFAULT_MEMBER_ROLE`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
}

/// Parameters of `users.list`.
pub type UsersListParams = UsersTarget;

/// How the role assumed in a member account was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleSource {
    /// Named in the request (`role_name`, `--role`).
    Given,
    /// The role a provisioning job of this daemon made for the account.
    Job,
    /// The account's `switchyard-role` tag (set by the runbook on every account it makes).
    Tag,
    /// Neither: `OrganizationAccountAccessRole`, what Organizations makes by default.
    Default,
}

/// The role a users message assumed in a member account, and how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViaRole {
    pub arn: String,
    pub source: RoleSource,
    /// The job that made it (`source: job`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
}

/// An access key as listed: the id masked (`AKIA…WXYZ`), never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySummary {
    pub access_key_id: String,
    /// `Active` or `Inactive`.
    pub status: String,
    /// Unix seconds.
    pub created_at: Option<u64>,
    pub last_used_at: Option<u64>,
    /// The service of the last use (`sts`, `iam`, …).
    pub last_used_service: Option<String>,
}

/// One IAM user of `users.list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub user_name: String,
    pub arn: String,
    pub created_at: Option<u64>,
    pub password_last_used_at: Option<u64>,
    pub groups: Vec<String>,
    /// Managed policy ARNs attached to the user.
    pub attached_policies: Vec<String>,
    /// Names of the user's inline policies.
    pub inline_policies: Vec<String>,
    /// Whether the user has a console password (a login profile).
    pub console_password: bool,
    pub access_keys: Vec<KeySummary>,
    /// MFA device serial numbers (ARNs).
    pub mfa_devices: Vec<String>,
}

/// Data of a `users.list` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersListData {
    pub profile: String,
    pub account_id: String,
    pub users: Vec<UserSummary>,
    /// The account's password policy (AWS's default when it has none), so a client can
    /// check a typed password as it is typed; `None` when it could not be read.
    #[serde(default)]
    pub password_policy: Option<PasswordPolicy>,
    /// The account's IAM groups, to choose from for a new user (empty when they could
    /// not be read).
    #[serde(default)]
    pub groups: Vec<String>,
    /// The account's console sign-in page (alias or id).
    #[serde(default)]
    pub signin_url: Option<String>,
    /// The role assumed in a member account (absent in the profile's own account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via_role: Option<ViaRole>,
}

/// Parameters of `users.create`. `password` is a typed console password (checked against
/// the account's policy); it is never printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsersCreateParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// A member account (12 digits); the profile's own account when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The role assumed in `account_id`; when absent, the role a provisioning job made
    /// for the account, else its `switchyard-role` tag, else [`DEFAULT_MEMBER_ROLE`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
    pub user_name: String,
    /// Console access: a login profile with a password that must be changed at first
    /// sign-in (generated unless `password` is given).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub console: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Programmatic access: an access key.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub api: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Managed policy ARNs to attach.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// Store the new access key in the keyring as this profile instead of answering it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_profile: Option<String>,
}

impl fmt::Debug for UsersCreateParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UsersCreateParams")
            .field("profile", &self.profile)
            .field("account_id", &self.account_id)
            .field("role_name", &self.role_name)
            .field("user_name", &self.user_name)
            .field("console", &self.console)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .field("api", &self.api)
            .field("groups", &self.groups)
            .field("policies", &self.policies)
            .field("tags", &self.tags)
            .field("store_profile", &self.store_profile)
            .finish()
    }
}

/// A new access key, shown once. Not `Debug`-printable with its secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccessKey {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl fmt::Debug for NewAccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewAccessKey")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<hidden>")
            .finish()
    }
}

/// Data of a `users.create` reply: the hand-over. `password` and `access_key` are
/// one-time secrets: show them once, keep them nowhere.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersCreateData {
    pub profile: String,
    pub account_id: String,
    pub user_name: String,
    pub arn: String,
    /// The account's console sign-in page (alias or id).
    pub signin_url: String,
    /// The console password (must be changed at first sign-in), when console access was
    /// asked for.
    pub password: Option<String>,
    pub password_reset_required: bool,
    /// The new access key, unless it went into the keyring (`stored_profile`).
    pub access_key: Option<NewAccessKey>,
    /// The profile the access key was stored as.
    pub stored_profile: Option<String>,
    pub groups: Vec<String>,
    pub policies: Vec<String>,
    /// The role assumed in a member account (absent in the profile's own account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via_role: Option<ViaRole>,
}

impl fmt::Debug for UsersCreateData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UsersCreateData")
            .field("account_id", &self.account_id)
            .field("user_name", &self.user_name)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .field("access_key", &self.access_key)
            .field("stored_profile", &self.stored_profile)
            .finish_non_exhaustive()
    }
}

/// Parameters of `users.remove`: `confirm` must repeat `user_name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsersRemoveParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// A member account (12 digits); the profile's own account when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The role assumed in `account_id`; when absent, the role a provisioning job made
    /// for the account, else its `switchyard-role` tag, else [`DEFAULT_MEMBER_ROLE`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
    pub user_name: String,
    pub confirm: String,
    /// Required to remove the IAM user the profile itself signs in as (its key stops
    /// working with the user): without it such a request is refused (`self_removal`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_self: bool,
}

/// Data of a `users.remove` reply: what was deleted, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersRemoveData {
    pub profile: String,
    pub account_id: String,
    pub user_name: String,
    pub removed: Vec<String>,
    /// The role assumed in a member account (absent in the profile's own account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via_role: Option<ViaRole>,
    /// What the remover must know (the profile's own user removed: its key is dead).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Parameters of `mfa.setup`: a new virtual MFA device for the profile's own IAM user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MfaSetupParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The device's name in IAM (the user name when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
}

/// Data of an `mfa.setup` reply. `seed` and `otpauth_uri` are one-time secrets: show
/// them once (as a QR code or text) for the authenticator app, keep them nowhere.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaSetupData {
    pub profile: String,
    pub user_name: String,
    /// The device's ARN, for `mfa.enable`.
    pub serial: String,
    /// The TOTP secret, base32.
    pub seed: String,
    /// `otpauth://totp/…?secret=…`: what the QR code holds.
    pub otpauth_uri: String,
}

impl fmt::Debug for MfaSetupData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MfaSetupData")
            .field("profile", &self.profile)
            .field("user_name", &self.user_name)
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

/// Parameters of `mfa.enable`: two consecutive codes from the new device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MfaEnableParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    pub serial: String,
    pub code1: String,
    pub code2: String,
}

/// Data of an `mfa.enable` reply: the device now guards the profile (its `mfa_serial`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaEnableData {
    pub profile: String,
    pub user_name: String,
    pub serial: String,
}
