//! Parameters and data of `roles.list` and `roles.import`: the accounts and roles the
//! signed-in user may switch to ("targets"), where each came from, and IAM's decision.

use serde::{Deserialize, Serialize};

/// Parameters of `roles.list`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolesListParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Also return the targets the user's policies deny.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
}

/// Where a target came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetSource {
    /// An `sts:AssumeRole` statement of the user's own IAM policies.
    Policy,
    /// A profile with `role_arn` in `~/.aws/config`.
    AwsConfig,
    /// An imported AWS Extend Switch Roles configuration.
    Imported,
}

/// IAM's answer for `sts:AssumeRole` on a target, as far as it can be known before the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetDecision {
    Allowed,
    /// Depends on a condition key whose value is known only at switch time.
    Conditional,
    ExplicitDeny,
    ImplicitDeny,
    /// The user's policies could not be read: the target comes from a list alone.
    Unknown,
}

/// An account and role to switch to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub role_arn: String,
    pub account_id: String,
    /// The account's name from the organization, or an imported label.
    pub account_name: Option<String>,
    pub role_name: String,
    /// What the console shows after switching (at most 64 characters).
    pub display_name: String,
    /// `RRGGBB`, from an imported configuration or derived from the account.
    pub color: String,
    pub region: Option<String>,
    pub sources: Vec<TargetSource>,
    pub decision: TargetDecision,
    /// The statements that decided (`policy-name: Sid or #index`), and for `conditional`
    /// the unknown condition keys.
    pub reasons: Vec<String>,
}

/// Data of a `roles.list` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolesData {
    pub profile: String,
    /// Allowed and conditional targets first (by account name, then role); denied ones only
    /// with `all`.
    pub targets: Vec<Target>,
    /// How many denied targets were left out (0 with `all`).
    pub hidden: usize,
    /// What could not be read or used, in words for the user.
    pub notices: Vec<String>,
}

/// Parameters of `roles.import`: a configuration to keep as the profile's imported list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolesImportParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// An AWS Extend Switch Roles configuration (its INI-like text).
    pub text: String,
}

/// One part of an import that was not used, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The section (profile name) or line it came from.
    pub what: String,
    pub why: String,
}

/// Data of a `roles.import` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolesImportData {
    pub profile: String,
    pub imported: usize,
    pub skipped: Vec<Skipped>,
}

/// Data of a `profiles.list` reply: the daemon's profiles, for the options page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfilesData {
    /// The profile used when a request names none.
    pub default_profile: String,
    pub profiles: Vec<ProfileSummary>,
}

/// One profile: its settings and whether its key is in the keyring (masked, never the
/// secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileSummary {
    pub name: String,
    pub region: String,
    /// The stored key id, masked (`AKIA…WXYZ`); `None` when none is stored or readable.
    pub access_key_id: Option<String>,
    /// Why the key could not be read (no key stored, keyring locked), when it could not.
    pub problem: Option<String>,
    pub mfa_serial: Option<String>,
}

/// Data of a `roles.sources` reply: what each hand-written list gives, and what was
/// skipped in it and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolesSourcesData {
    pub profile: String,
    pub sources: Vec<ListSource>,
}

/// One hand-written list of roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListSource {
    pub source: TargetSource,
    /// The file it is read from.
    pub path: String,
    /// Whether the file exists.
    pub found: bool,
    /// Why it could not be read, when it exists and could not be.
    pub problem: Option<String>,
    pub roles: Vec<ListedRoleSummary>,
    pub skipped: Vec<Skipped>,
}

/// A role a list names, as the options page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedRoleSummary {
    pub role_arn: String,
    /// The list's name for it (a profile or section name).
    pub label: Option<String>,
}
