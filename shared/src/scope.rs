//! Which targets a console session can reach, the way AWS Extend Switch Roles scopes its
//! list: a target an import ties to a base account (its `source_profile`) is reachable
//! from a session in that base, matched by the account id or the account's alias, and,
//! when the base names one, by the role signed in as, where an IAM Identity Center role
//! (`AWSReservedSSO_<permission set>_<hash>`) matches its permission set. A target with no
//! base (`~/.aws/config`, a policy, an import's plain entry) is reachable from any session.
//!
//! Which identity a tab holds always comes from the page ([`crate::console_session`]),
//! never from a stored key.

use crate::console_session::ConsoleSession;
use crate::protocol::roles::{Target, TargetBase};

/// The prefix of the roles IAM Identity Center makes for a permission set.
pub const IDENTITY_CENTER_PREFIX: &str = "AWSReservedSSO_";

/// The name a session's role is matched by: the permission set of an IAM Identity Center
/// role (`AWSReservedSSO_AdministratorAccess_0123abcd` → `AdministratorAccess`), else the
/// role name itself.
pub fn login_role(role_name: &str) -> &str {
    role_name
        .strip_prefix(IDENTITY_CENTER_PREFIX)
        .and_then(|rest| rest.rsplit_once('_'))
        .map(|(set, _hash)| set)
        .filter(|set| !set.is_empty())
        .unwrap_or(role_name)
}

/// Whether a session in `session` is in the base account `base` (as AESR matches them:
/// account id or alias, then the role or permission set when the base names one).
pub fn in_base(base: &TargetBase, session: &ConsoleSession) -> bool {
    let account = base.account_id.as_deref() == Some(session.account_id.as_str())
        || base
            .account_alias
            .as_deref()
            .is_some_and(|alias| session.alias.as_deref() == Some(alias));
    let role = match base.role_name.as_deref() {
        None => true,
        Some(wanted) => session
            .role_name
            .as_deref()
            .is_some_and(|role| role == wanted || login_role(role) == login_role(wanted)),
    };
    account && role
}

/// Whether `target` can be switched to from `session`.
pub fn reachable(target: &Target, session: &ConsoleSession) -> bool {
    target
        .base
        .as_ref()
        .is_none_or(|base| in_base(base, session))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::roles::{TargetDecision, TargetSource};

    fn session(account: &str, alias: Option<&str>, role: Option<&str>) -> ConsoleSession {
        ConsoleSession {
            account_id: account.into(),
            role_name: role.map(Into::into),
            principal: None,
            alias: alias.map(Into::into),
        }
    }

    fn target(base: Option<TargetBase>) -> Target {
        Target {
            role_arn: "arn:aws:iam::222222222222:role/Admin".into(),
            account_id: "222222222222".into(),
            account_name: None,
            also_named: None,
            role_name: "Admin".into(),
            display_name: "Admin".into(),
            color: "aaaaaa".into(),
            region: None,
            sources: vec![TargetSource::Imported],
            decision: TargetDecision::Console,
            reasons: vec![],
            image: None,
            base,
            name_from: None,
            color_from: None,
            sso: None,
        }
    }

    fn base(account: Option<&str>, alias: Option<&str>, role: Option<&str>) -> TargetBase {
        TargetBase {
            profile: "corp".into(),
            account_id: account.map(Into::into),
            account_alias: alias.map(Into::into),
            role_name: role.map(Into::into),
        }
    }

    #[test]
    fn identity_center_roles_match_by_permission_set() {
        assert_eq!(
            login_role("AWSReservedSSO_AdministratorAccess_0123456789abcdef"),
            "AdministratorAccess"
        );
        assert_eq!(
            login_role("AWSReservedSSO_Read_Only_Access_0a1b"),
            "Read_Only_Access"
        );
        assert_eq!(login_role("Admin"), "Admin");
        // Not a permission set's role after all: the name as it is.
        assert_eq!(login_role("AWSReservedSSO_"), "AWSReservedSSO_");
        assert_eq!(login_role("AWSReservedSSO__x"), "AWSReservedSSO__x");
    }

    #[test]
    fn a_target_without_a_base_is_reachable_from_anywhere() {
        assert!(reachable(
            &target(None),
            &session("999999999999", None, None)
        ));
    }

    #[test]
    fn bases_by_account_alias_and_role() {
        let iam_user = session("111111111111", Some("acme-corp"), None);
        let sso = session(
            "111111111111",
            Some("acme-corp"),
            Some("AWSReservedSSO_AdministratorAccess_0123abcd"),
        );
        let elsewhere = session("333333333333", Some("other"), Some("Admin"));
        // By account id.
        let by_id = target(Some(base(Some("111111111111"), None, None)));
        assert!(reachable(&by_id, &iam_user));
        assert!(reachable(&by_id, &sso));
        assert!(!reachable(&by_id, &elsewhere));
        // By alias (AESR's `aws_account_id = your-account-alias`).
        let by_alias = target(Some(base(None, Some("acme-corp"), None)));
        assert!(reachable(&by_alias, &iam_user));
        assert!(!reachable(&by_alias, &elsewhere));
        // By the permission set signed in with: an IAM user there is not in it.
        let by_set = target(Some(base(
            Some("111111111111"),
            None,
            Some("AdministratorAccess"),
        )));
        assert!(reachable(&by_set, &sso));
        assert!(!reachable(&by_set, &iam_user));
        let other_set = session(
            "111111111111",
            None,
            Some("AWSReservedSSO_ReadOnly_99999999"),
        );
        assert!(!reachable(&by_set, &other_set));
        // A base naming the full Identity Center role name matches it too.
        let by_full = target(Some(base(
            Some("111111111111"),
            None,
            Some("AWSReservedSSO_AdministratorAccess_0123abcd"),
        )));
        assert!(reachable(&by_full, &sso));
    }
}
