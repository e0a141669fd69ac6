//! Parameters and data of `switch.federate`: a one-time console login URL for a role. The
//! rules that build it live in [`crate::switch`].

use serde::{Deserialize, Serialize};

/// Parameters of `switch.federate`: assume `role_arn` with the profile's credentials (and
/// MFA session) and return a one-time console login URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FederateParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    pub role_arn: String,
    /// The URL of the tab being switched: the login lands on the same service and region
    /// when it is a console page ([`destination_after_switch`]), else the console home.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// How long the console session lasts (900 to 43,200 seconds; one hour when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_secs: Option<u32>,
    /// Reach the role through IAM Identity Center (the target's `sso`): its role
    /// credentials (GetRoleCredentials) are the session when `role_arn` is that role, else
    /// they assume `role_arn` (a chain into a client role). The profile's key is not used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso: Option<super::roles::SsoRoleRef>,
}

/// Data of a `switch.federate` reply. `login_url` holds a sign-in token that works once,
/// for 15 minutes; it is not kept anywhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FederateData {
    pub profile: String,
    pub role_arn: String,
    pub login_url: String,
    /// Where the login lands.
    pub destination: String,
    /// When the role's session ends (Unix seconds).
    pub expires_at: u64,
}
