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
    /// Answer one page: the targets from this position on, as many as fit in
    /// `page_bytes` of JSON (at least one). Without it, every target from `offset` on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_bytes: Option<usize>,
    /// The position of the page's first target in the whole list.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub offset: usize,
    /// The reading a later page belongs to: the `reading` of its first page's reply.
    /// Required with an `offset` past 0; without it (and at offset 0) the daemon reads
    /// the list anew and starts a new reading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
    /// Answer from the hand-written lists alone (the import and `~/.aws/config`), at
    /// once: no keyring, no AWS call. The reply is `partial` when a stored key could add
    /// or decide targets (ask again without this for the whole answer).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lists_only: bool,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The page size the extension asks for: a reply must stay under the browser's 1 MiB
/// native-messaging limit with room for the envelope and notices.
pub const EXTENSION_PAGE_BYTES: usize = 768 * 1024;

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
    /// Granted by IAM Identity Center (the portal's ListAccountRoles for a signed-in
    /// session).
    IdentityCenter,
}

/// Where a target's account name or color came from, so the popup can say it: the
/// person's own lists on this machine win over the team's tags in AWS, which win over
/// the organization's name and a color derived from the account id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LookOrigin {
    /// The person's own imported AWS Extend Switch Roles configuration.
    Imported,
    /// The person's own `~/.aws/config`.
    AwsConfig,
    /// The team's tags on the account (`switchyard:name`, `switchyard:color`).
    Team,
    /// The console's own account color (set in AWS for the whole account).
    Console,
    /// The organization's name for the account.
    Organization,
    /// Made up by Switchyard: the account id as the name, a color chosen from the id.
    Derived,
    /// IAM Identity Center's name for the account (the portal's ListAccounts).
    IdentityCenter,
}

impl LookOrigin {
    /// The origin of something a hand-written list gave (`Policy` names no look).
    pub fn of_list(source: TargetSource) -> LookOrigin {
        match source {
            TargetSource::AwsConfig => LookOrigin::AwsConfig,
            TargetSource::Imported | TargetSource::Policy => LookOrigin::Imported,
            TargetSource::IdentityCenter => LookOrigin::IdentityCenter,
        }
    }

    /// Whether it is the person's own choice on this machine (a list they keep).
    pub fn is_own(self) -> bool {
        matches!(self, LookOrigin::Imported | LookOrigin::AwsConfig)
    }

    /// Whether it comes from the team's shared store in AWS (tags or the console color).
    pub fn is_team(self) -> bool {
        matches!(self, LookOrigin::Team | LookOrigin::Console)
    }
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
    /// Not decided against IAM policies because none are read: no key is stored for the
    /// profile (or this is a `lists_only` answer). The target comes from a list, and the
    /// console session it is switched from decides, as in AWS Extend Switch Roles.
    Console,
}

/// An account and role to switch to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub role_arn: String,
    pub account_id: String,
    /// The account's name: the team's (`switchyard:name`), the organization's, or an
    /// imported label.
    pub account_name: Option<String>,
    /// The organization's own name for the account when the team's name replaced it in
    /// `account_name`: still found by the popup's filter and `roles FILTER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub also_named: Option<String>,
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
    /// An `https://` image the import names for it (AESR's `image`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The account one signs in to before switching to it (the import's
    /// `source_profile`): the target is reachable from a console session there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<TargetBase>,
    /// Where `account_name` came from (absent from older daemons, and when the account
    /// has no name but its id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_from: Option<LookOrigin>,
    /// Where `color` came from (absent from older daemons).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color_from: Option<LookOrigin>,
    /// The IAM Identity Center role the daemon reaches the target through: the target
    /// itself when it is a role Identity Center grants (source `identity_center`, switched
    /// to with GetRoleCredentials and federation only: its role trusts Identity Center
    /// alone), else the role chained from (AssumeRole with its credentials), when the
    /// target's base is a profile that signs in through Identity Center.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso: Option<SsoRoleRef>,
}

impl Target {
    /// A role Identity Center grants itself (not one chained to from it).
    pub fn is_identity_center_role(&self) -> bool {
        self.sso.is_some() && self.sources == [TargetSource::IdentityCenter]
    }
}

/// A role (permission set) in an account, through an Identity Center session.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoRoleRef {
    /// The session's name (`sso.status`).
    pub session: String,
    pub account_id: String,
    /// The permission set's name, as the portal names the role.
    pub role_name: String,
}

/// A base account of an import: where one signs in before switching (AESR's
/// `source_profile`), matched against the console tab's session by account id, by alias,
/// and by the role (or IAM Identity Center permission set) signed in as.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TargetBase {
    /// The base's profile (section) name.
    pub profile: String,
    /// Its 12-digit account id, when the import gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Its account alias (`aws_account_alias`, or an `aws_account_id` that is not digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_alias: Option<String>,
    /// The role signed in as there (the base's `role_name`): a role name or an IAM
    /// Identity Center permission set. Any role when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
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
    /// How many targets the whole list has (paged replies hold only some).
    #[serde(default)]
    pub total: usize,
    /// Where the next page starts, when this reply is a page and more follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
    /// The reading this page belongs to (paged replies only): the next page's request
    /// names it, and gets a page of the same list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
    /// A `lists_only` answer for a profile with a stored key (its policies may add targets
    /// and decide these) or while an IAM Identity Center session is signed in (the roles
    /// it grants are read from the portal): the whole answer follows from a request
    /// without `lists_only`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
}

/// The page of `targets` that `params` asks for, and where the next one starts. Targets
/// are measured as the JSON they become; a page holds at least one target, so a single
/// target larger than the page still goes (the reply limit catches a truly huge one).
pub fn page(mut targets: Vec<Target>, params: &RolesListParams) -> (Vec<Target>, Option<usize>) {
    let start = params.offset.min(targets.len());
    let mut rest = targets.split_off(start);
    let Some(budget) = params.page_bytes else {
        return (rest, None);
    };
    let mut used = 0;
    let mut taken = 0;
    for target in &rest {
        let size = serde_json::to_vec(target).map(|v| v.len() + 1).unwrap_or(0);
        if taken > 0 && used + size > budget {
            break;
        }
        used += size;
        taken += 1;
    }
    let next = (taken < rest.len()).then_some(start + taken);
    rest.truncate(taken);
    (rest, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(n: usize) -> Vec<Target> {
        (0..n)
            .map(|i| Target {
                role_arn: format!("arn:aws:iam::{:012}:role/R", i),
                account_id: format!("{:012}", i),
                account_name: None,
                also_named: None,
                role_name: "R".into(),
                display_name: "R".into(),
                color: "aaaaaa".into(),
                region: None,
                sources: vec![TargetSource::Policy],
                decision: TargetDecision::Allowed,
                reasons: Vec::new(),
                image: None,
                base: None,
                name_from: None,
                color_from: None,
                sso: None,
            })
            .collect()
    }

    #[test]
    fn pages_cover_the_list_once_in_order() {
        let all = targets(1000);
        let one = serde_json::to_vec(&all[0]).unwrap().len() + 1;
        let mut params = RolesListParams {
            page_bytes: Some(one * 300),
            ..RolesListParams::default()
        };
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            let (page, next) = page(all.clone(), &params);
            assert!(serde_json::to_vec(&page).unwrap().len() <= one * 300 + 2);
            seen.extend(page);
            pages += 1;
            match next {
                Some(offset) => params.offset = offset,
                None => break,
            }
        }
        assert_eq!(pages, 4);
        assert_eq!(seen, all);
    }

    #[test]
    fn without_a_page_size_everything_and_odd_offsets() {
        let all = targets(10);
        let (whole, next) = page(all.clone(), &RolesListParams::default());
        assert_eq!((whole.len(), next), (10, None));
        let past = RolesListParams {
            offset: 99,
            page_bytes: Some(10),
            ..RolesListParams::default()
        };
        assert_eq!(page(all.clone(), &past), (Vec::new(), None));
        // A page too small for one target still holds one.
        let tiny = RolesListParams {
            page_bytes: Some(1),
            ..RolesListParams::default()
        };
        let (first, next) = page(all, &tiny);
        assert_eq!((first.len(), next), (1, Some(1)));
    }

    #[test]
    fn old_clients_and_old_daemons_still_understand_each_other() {
        // A request without the new fields, and a reply without them.
        let params: RolesListParams = serde_json::from_str(r#"{"all":true}"#).unwrap();
        assert_eq!((params.offset, params.page_bytes), (0, None));
        assert_eq!(
            serde_json::to_string(&RolesListParams::default()).unwrap(),
            "{}"
        );
        let data: RolesData =
            serde_json::from_str(r#"{"profile":"p","targets":[],"hidden":0,"notices":[]}"#)
                .unwrap();
        assert_eq!(
            (data.total, data.next_offset, data.reading),
            (0, None, None)
        );
    }
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
    /// What was used, with a remark: where Switchyard is more lenient than AWS Extend
    /// Switch Roles (which refuses the whole configuration for it), and profiles that are
    /// both a target and a base.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remarks: Vec<Skipped>,
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
    /// When the daemon's MFA session of the profile ends; absent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_session_expires_at: Option<u64>,
}

/// Data of a `roles.sources` reply: what each hand-written list gives, and what was
/// skipped in it and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolesSourcesData {
    pub profile: String,
    pub sources: Vec<ListSource>,
    /// The names and colors the team set on the organization's accounts (their tags), as
    /// the daemon last read them with the account list (no AWS call is made for this).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub team: Vec<TeamAccountLook>,
}

/// What the team set for one account in AWS, as the daemon last read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamAccountLook {
    pub account_id: String,
    /// The organization's name for the account.
    pub account_name: String,
    /// The team's name (`switchyard:name`), when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `rrggbb`: the team's color (`switchyard:color`), else the console's own color.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// `team` or `console`, with a color.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color_from: Option<LookOrigin>,
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
    /// What was used with a remark (see [`RolesImportData::remarks`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remarks: Vec<Skipped>,
}

/// A role a list names, as the options page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedRoleSummary {
    pub role_arn: String,
    /// The list's name for it (a profile or section name).
    pub label: Option<String>,
    /// The list's color for it (`rrggbb`): the person's own, which wins over the team's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}
