//! Whose access a management-account group gives: the role ARNs its inline policies allow
//! `sts:AssumeRole` on, and whether adopting the group (or replacing one of its policies)
//! for a new account would change who may reach another account. The rule of the runbook:
//! a group is adopted only when every role it grants is exactly the new account's role;
//! a policy that grants another account is never replaced nor deleted.

use serde_json::Value;

use crate::policy::wildcard_match;

/// What one inline policy grants: the `sts:AssumeRole` resources of its Allow statements
/// (`*` for a `NotResource` or a missing resource: it may reach anything).
pub fn assumable_roles(document: &str) -> Result<Vec<String>, String> {
    let value: Value =
        serde_json::from_str(document).map_err(|e| format!("the policy is not JSON ({e})"))?;
    let statements = match value.get("Statement") {
        Some(Value::Array(list)) => list.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => return Err("the policy has no Statement".to_owned()),
    };
    let strings = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    };
    let mut roles = Vec::new();
    for statement in &statements {
        if statement.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        let assumes =
            |pattern: &String| wildcard_match(&pattern.to_ascii_lowercase(), "sts:assumerole");
        let allows = if statement.get("NotAction").is_some() {
            !strings(statement.get("NotAction")).iter().any(assumes)
        } else {
            strings(statement.get("Action")).iter().any(assumes)
        };
        if !allows {
            continue;
        }
        let resources = strings(statement.get("Resource"));
        if statement.get("NotResource").is_some() || resources.is_empty() {
            roles.push("*".to_owned());
        }
        roles.extend(resources);
    }
    roles.sort();
    roles.dedup();
    Ok(roles)
}

/// The account id an ARN names (`arn:aws:iam::111122223333:role/X` → `111122223333`).
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// One inline policy of an existing group that reaches beyond the new account's role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Foreign {
    pub policy: String,
    /// The roles it grants that are not the new account's (or why it could not be read).
    pub grants: Vec<String>,
}

/// The group's inline policies (name, document) that grant more than `own_role` (every
/// policy granting any role when the new account's role is not known yet). A policy that
/// cannot be read counts as foreign: what it grants is unknown.
pub fn foreign_policies(policies: &[(String, String)], own_role: Option<&str>) -> Vec<Foreign> {
    let mut foreign = Vec::new();
    for (name, document) in policies {
        let grants = match assumable_roles(document) {
            Ok(roles) => roles
                .into_iter()
                .filter(|role| Some(role.as_str()) != own_role)
                .collect(),
            Err(why) => vec![why],
        };
        if !grants.is_empty() {
            foreign.push(Foreign {
                policy: name.clone(),
                grants,
            });
        }
    }
    foreign
}

/// The sentence refusing a group that already grants other roles, naming them (and the
/// accounts' names where `account_name` knows them) and how to choose other names.
pub fn foreign_group_sentence(
    group: &str,
    foreign: &[Foreign],
    account_name: impl Fn(&str) -> Option<String>,
) -> String {
    let mut parts = Vec::new();
    for f in foreign {
        let grants: Vec<String> = f
            .grants
            .iter()
            .map(|role| match arn_account(role).and_then(&account_name) {
                Some(name) => format!("{role} (account {name:?})"),
                None => role.clone(),
            })
            .collect();
        parts.push(format!(
            "its policy {} grants {}",
            f.policy,
            grants.join(", ")
        ));
    }
    format!(
        "the group {group} already gives access to another account: {}. Adding this account \
         to it would change who may reach that one (its members would get the new account, \
         and the new account's users the old one); nothing was changed. Choose other names: \
         --group NAME and --policy NAME (the form's Group and Policy fields), or remove the \
         group by hand if it is unused",
        parts.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "arn:aws:iam::222222222222:role/ClientA";

    fn doc(statement: &str) -> String {
        format!(r#"{{"Version":"2012-10-17","Statement":{statement}}}"#)
    }

    #[test]
    fn the_roles_a_policy_lets_its_group_assume() {
        for (statement, expect) in [
            (
                format!(r#"{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"{OWN}"}}"#),
                vec![OWN],
            ),
            // Case-insensitive actions and wildcards reach the role too.
            (
                r#"[{"Effect":"Allow","Action":["s3:*","STS:Assume*"],"Resource":["arn:aws:iam::1:role/A","arn:aws:iam::2:role/B"]}]"#.into(),
                vec!["arn:aws:iam::1:role/A", "arn:aws:iam::2:role/B"],
            ),
            (r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#.into(), vec!["*"]),
            // NotResource or NotAction without sts:AssumeRole: it may reach anything.
            (
                r#"{"Effect":"Allow","Action":"sts:AssumeRole","NotResource":"arn:x"}"#.into(),
                vec!["*"],
            ),
            (
                r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#.into(),
                vec!["*"],
            ),
            // Deny, other actions, NotAction naming it: nothing assumable.
            (
                r#"{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}"#.into(),
                vec![],
            ),
            (r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#.into(), vec![]),
            (
                r#"{"Effect":"Allow","NotAction":"sts:*","Resource":"*"}"#.into(),
                vec![],
            ),
        ] {
            assert_eq!(
                assumable_roles(&doc(&statement)).unwrap(),
                expect,
                "{statement}"
            );
        }
        assert!(assumable_roles("nope").is_err());
        assert!(assumable_roles("{}").is_err());
    }

    #[test]
    fn a_group_is_foreign_unless_it_grants_exactly_the_new_role() {
        let own = doc(&format!(
            r#"{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"{OWN}"}}"#
        ));
        let other = doc(
            r#"{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111111111111:role/ClientA"}"#,
        );
        let s3 = doc(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#);
        let policies = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(n, d)| (n.to_string(), d.to_string()))
                .collect()
        };
        // Its own policy (a resumed job): adopted.
        assert!(foreign_policies(&policies(&[("SwitchToClientA", &own)]), Some(OWN)).is_empty());
        // No role granted at all (an empty group, a policy about S3): adopted.
        assert!(foreign_policies(&policies(&[("S3", &s3)]), None).is_empty());
        assert!(foreign_policies(&[], None).is_empty());
        // Before the account exists, any granted role is another account's.
        assert_eq!(
            foreign_policies(&policies(&[("SwitchToClientA", &own)]), None).len(),
            1
        );
        // Another account's role, beside ours or alone: foreign, naming it.
        let found = foreign_policies(
            &policies(&[("SwitchToClientA", &other), ("Mine", &own)]),
            Some(OWN),
        );
        assert_eq!(
            found,
            vec![Foreign {
                policy: "SwitchToClientA".into(),
                grants: vec!["arn:aws:iam::111111111111:role/ClientA".into()],
            }]
        );
        let sentence = foreign_group_sentence("AccessClientA", &found, |id| {
            (id == "111111111111").then(|| "Client A".to_owned())
        });
        assert!(sentence.contains("its policy SwitchToClientA grants arn:aws:iam::111111111111:role/ClientA (account \"Client A\")"), "{sentence}");
        assert!(
            sentence.contains("--group NAME and --policy NAME"),
            "{sentence}"
        );
        // An unreadable policy is foreign: what it grants is unknown.
        assert_eq!(
            foreign_policies(&policies(&[("Odd", "%%")]), Some(OWN)).len(),
            1
        );
        assert_eq!(arn_account(OWN), Some("222222222222"));
        assert_eq!(arn_account("*"), None);
    }
}
