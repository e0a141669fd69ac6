//! Tests of the multi-session rules: the list read leniently, a live identity opened and
//! never signed in twice, the limit of five, the base session or the tab's own to switch
//! from.

use super::*;

/// The list as the console's sign-in host answers it (shape recorded from the console).
fn list(entries: &[(&str, &str)]) -> String {
    let sessions: Vec<serde_json::Value> = entries
        .iter()
        .map(|(differentiator, arn)| {
            serde_json::json!({
                "differentiator": differentiator,
                "principal_arn": arn,
                "expiry": 1_900_000_000_000u64,
                "auth_time": 1_800_000_000_000u64,
                "account_alias": "acme",
            })
        })
        .collect();
    serde_json::json!({ "sessions": sessions }).to_string()
}

fn target(arn: &str) -> SwitchTarget {
    SwitchTarget::from_arn(arn, "Prod admin", "").unwrap()
}

const FROM: &str = "https://111111111111-base.eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:";

#[test]
fn the_list_is_read_leniently() {
    let text = list(&[
        (
            "111111111111-base",
            "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_abc123/alice",
        ),
        (
            "222222222222-prod",
            "arn:aws:sts::222222222222:assumed-role/Admin/alice",
        ),
        ("333333333333-user", "arn:aws:iam::333333333333:user/bob"),
        (
            "not a session id",
            "arn:aws:sts::444444444444:assumed-role/Admin/alice",
        ),
        ("555555555555-x", "garbage"),
        // A session id of another account than its principal: not believed.
        (
            "666666666666-x",
            "arn:aws:sts::777777777777:assumed-role/Admin/alice",
        ),
    ]);
    let live = parse_list(&text).unwrap();
    let shown: Vec<String> = live.iter().map(LiveSession::describe).collect();
    assert_eq!(
        shown,
        [
            "AWSReservedSSO_Admin_abc123 @ acme (111111111111)",
            "Admin @ acme (222222222222)",
            "bob @ acme (333333333333)"
        ]
    );
    assert_eq!(live[1].expiry, Some(1_900_000_000_000));
    assert!(parse_list("<html>sign in</html>").is_err());
    assert_eq!(parse_list("{}").unwrap(), vec![]);
    assert_eq!(summary(&live), "3 of 5 sessions signed in");
}

#[test]
fn a_live_identity_is_opened_never_signed_in_twice() {
    let live = parse_list(&list(&[
        ("111111111111-base", "arn:aws:iam::111111111111:user/alice"),
        (
            "222222222222-prod",
            "arn:aws:sts::222222222222:assumed-role/Admin/alice",
        ),
    ]))
    .unwrap();
    let admin = target("arn:aws:iam::222222222222:role/Admin");
    assert_eq!(
        choose(&admin, &live, "111111111111-base", None, FROM),
        Choice::Open(
            "https://222222222222-prod.eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1"
                .into()
        )
    );
    // In the target's own region when it has one; from a global console page, in the
    // partition's default region.
    let in_sydney = admin.clone().landing_in(Some("ap-southeast-2"));
    assert_eq!(
        choose(&in_sydney, &live, "111111111111-base", None, FROM),
        Choice::Open(
            "https://222222222222-prod.ap-southeast-2.console.aws.amazon.com/ec2/home?region=ap-southeast-2"
                .into()
        )
    );
    assert_eq!(
        choose(
            &admin,
            &live,
            "x",
            None,
            "https://console.aws.amazon.com/console/home"
        ),
        Choice::Open(
            "https://222222222222-prod.us-east-1.console.aws.amazon.com/console/home".into()
        )
    );
}

#[test]
fn five_live_identities_refuse_a_sixth_plainly() {
    let entries: Vec<(String, String)> = (1..=5)
        .map(|i| {
            (
                format!("{i:012}-s{i}"),
                format!("arn:aws:sts::{i:012}:assumed-role/Ops/alice"),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = entries
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let live = parse_list(&list(&refs)).unwrap();
    assert_eq!(live.len(), MAX_SESSIONS);
    let sixth = target("arn:aws:iam::999999999999:role/Admin");
    match choose(&sixth, &live, "000000000001-s1", None, FROM) {
        Choice::Full(message) => {
            assert!(
                message.starts_with("Five identities are signed in"),
                "{message}"
            );
            assert!(message.contains("Sign out of one"), "{message}");
            assert!(message.contains("Ops @ acme (000000000003)"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // A live one of the five still opens.
    let third = target("arn:aws:iam::000000000003:role/Ops");
    assert!(matches!(
        choose(&third, &live, "000000000001-s1", None, FROM),
        Choice::Open(_)
    ));
}

#[test]
fn the_switch_is_made_from_the_base_session_else_chained_from_the_tabs() {
    let live = parse_list(&list(&[
        (
            "111111111111-corp",
            "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_AdministratorAccess_5f3a/alice",
        ),
        (
            "222222222222-prod",
            "arn:aws:sts::222222222222:assumed-role/Admin/alice",
        ),
    ]))
    .unwrap();
    let base = TargetBase {
        profile: "corp".into(),
        account_id: Some("111111111111".into()),
        account_alias: None,
        role_name: Some("AdministratorAccess".into()),
    };
    let client = target("arn:aws:iam::333333333333:role/OrganizationAccountAccessRole");
    // The tab is on the prod session (not the base): the switch goes from corp's session.
    assert_eq!(
        choose(&client, &live, "222222222222-prod", Some(&base), FROM),
        Choice::SwitchFrom("111111111111-corp".into())
    );
    // No live session in the base, or no base: chained from the tab's own session.
    let elsewhere = TargetBase {
        account_id: Some("888888888888".into()),
        ..base.clone()
    };
    assert_eq!(
        choose(&client, &live, "222222222222-prod", Some(&elsewhere), FROM),
        Choice::SwitchFrom("222222222222-prod".into())
    );
    assert_eq!(
        choose(&client, &live, "222222222222-prod", None, FROM),
        Choice::SwitchFrom("222222222222-prod".into())
    );
    assert_eq!(
        switch_url("eu-west-1.signin.aws.amazon.com", "111111111111-corp"),
        "https://eu-west-1.signin.aws.amazon.com/sessions/111111111111-corp/v1/switchrole"
    );
    assert_eq!(
        list_url("eu-west-1.signin.aws.amazon.com"),
        "https://eu-west-1.signin.aws.amazon.com/sessions/v1/list"
    );
}
