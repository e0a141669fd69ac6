//! Tests of target discovery: candidates, decisions, display.

use super::*;

fn policy(name: &str, json: &str) -> Policy {
    Policy::parse(name, json).unwrap()
}

fn inputs(policies: Vec<Policy>) -> Inputs {
    Inputs {
        partition: "aws".into(),
        policies,
        boundary: None,
        policies_known: true,
        console: None,
        listed: vec![],
        accounts: BTreeMap::from([
            ("111111111111".to_owned(), "Acme Production".to_owned()),
            ("222222222222".to_owned(), "Acme Staging".to_owned()),
        ]),
        team: BTreeMap::new(),
        identity_center: vec![],
        sso_profiles: BTreeMap::new(),
    }
}

fn context() -> Context {
    Context::new()
        .with("aws:username", "alice")
        .with("aws:MultiFactorAuthPresent", "false")
}

fn shown(targets: &[Target]) -> Vec<String> {
    targets
        .iter()
        .map(|t| format!("{} {:?} {:?}", t.role_arn, t.decision, t.sources))
        .collect()
}

const RUNBOOK: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111111111111:role/AcmeProduction"}]}"#;

#[test]
fn a_concrete_role_is_a_target_with_its_reason() {
    let targets = decide(&inputs(vec![policy("SwitchToAcme", RUNBOOK)]), &context());
    assert_eq!(
        shown(&targets),
        ["arn:aws:iam::111111111111:role/AcmeProduction Allowed [Policy]"]
    );
    let t = &targets[0];
    assert_eq!(t.account_name.as_deref(), Some("Acme Production"));
    assert_eq!(t.display_name, "AcmeProduction @ Acme Production");
    assert_eq!(t.reasons, ["Allow SwitchToAcme: Statement[0] (identity)"]);
    assert_eq!(t.color, color_for("111111111111"));
}

#[test]
fn a_wildcard_account_crosses_the_organization_with_known_names() {
    let p = policy(
        "OrgAdmin",
        r#"{"Statement":{"Effect":"Allow","Action":"sts:Assume*","Resource":"arn:aws:iam::*:role/OrganizationAccountAccessRole"}}"#,
    );
    let targets = decide(&inputs(vec![p]), &context());
    assert_eq!(
        shown(&targets),
        [
            "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole Allowed [Policy]",
            "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole Allowed [Policy]",
        ]
    );
}

#[test]
fn action_star_and_resource_star_allow_every_known_pair() {
    let p = policy(
        "Admin",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    );
    let mut i = inputs(vec![p, policy("SwitchToAcme", RUNBOOK)]);
    i.accounts.remove("222222222222");
    let targets = decide(&i, &context());
    assert_eq!(
        shown(&targets),
        [
            "arn:aws:iam::111111111111:role/AcmeProduction Allowed [Policy]",
            "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole Allowed [Policy]",
        ]
    );
}

#[test]
fn a_deny_removes_a_target_and_all_shows_it() {
    let deny = policy(
        "NoProd",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoProd","Effect":"Deny","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111111111111:role/*"}]}"#,
    );
    let mut i = inputs(vec![policy("SwitchToAcme", RUNBOOK), deny]);
    i.listed.push(ListedRole {
        role_arn: "arn:aws:iam::111111111111:role/AcmeProduction".into(),
        source: TargetSource::Imported,
        label: Some("prod".into()),
        color: Some("ff0000".into()),
        region: Some("eu-west-1".into()),
        image: None,
        base: None,
    });
    let targets = decide(&i, &context());
    assert_eq!(targets.len(), 1, "listed, so kept with its decision");
    let t = &targets[0];
    assert_eq!(t.decision, TargetDecision::ExplicitDeny);
    assert_eq!(t.sources, [TargetSource::Policy, TargetSource::Imported]);
    assert_eq!(t.color, "ff0000");
    assert_eq!(t.region.as_deref(), Some("eu-west-1"));
    assert!(!is_shown(t));
    assert_eq!(t.reasons, ["Deny NoProd: NoProd (identity)"]);
}

#[test]
fn an_mfa_condition_is_decided_by_the_session() {
    let p = policy(
        "NeedsMfa",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::222222222222:role/Ops","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
    );
    let without = decide(&inputs(vec![p.clone()]), &context());
    assert_eq!(
        shown(&without),
        ["arn:aws:iam::222222222222:role/Ops ImplicitDeny [Policy]"]
    );
    assert!(!is_shown(&without[0]));
    let with = decide(
        &inputs(vec![p.clone()]),
        &Context::new().with("aws:MultiFactorAuthPresent", "true"),
    );
    assert_eq!(
        shown(&with),
        ["arn:aws:iam::222222222222:role/Ops Allowed [Policy]"]
    );
    let unknown = decide(&inputs(vec![p]), &Context::new());
    assert_eq!(unknown[0].decision, TargetDecision::Conditional);
    assert!(
        unknown[0]
            .reasons
            .iter()
            .any(|r| r.contains("aws:multifactorauthpresent")
                || r.contains("aws:MultiFactorAuthPresent")),
        "{:?}",
        unknown[0].reasons
    );
}

#[test]
fn a_variable_in_the_resource_uses_the_user_name() {
    let p = policy(
        "Own",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/${aws:username}-admin"}]}"#,
    );
    let mut i = inputs(vec![p]);
    i.listed.push(ListedRole {
        role_arn: "arn:aws:iam::222222222222:role/alice-admin".into(),
        source: TargetSource::AwsConfig,
        label: None,
        color: None,
        region: None,
        image: None,
        base: None,
    });
    i.listed.push(ListedRole {
        role_arn: "arn:aws:iam::222222222222:role/bob-admin".into(),
        source: TargetSource::AwsConfig,
        label: None,
        color: None,
        region: None,
        image: None,
        base: None,
    });
    let targets = decide(&i, &context());
    // The pattern is expanded with the names the lists know: alice-admin is also a
    // candidate in the organization's other account, and allowed there.
    assert_eq!(
        shown(&targets),
        [
            "arn:aws:iam::111111111111:role/alice-admin Allowed [Policy]",
            "arn:aws:iam::222222222222:role/alice-admin Allowed [Policy, AwsConfig]",
            "arn:aws:iam::222222222222:role/bob-admin ImplicitDeny [AwsConfig]",
        ]
    );
}

#[test]
fn a_boundary_without_assume_role_denies_everything() {
    let boundary = policy(
        "Boundary",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    );
    let mut i = inputs(vec![policy("SwitchToAcme", RUNBOOK)]);
    i.boundary = Some(vec![boundary]);
    let targets = decide(&i, &context());
    assert_eq!(
        shown(&targets),
        ["arn:aws:iam::111111111111:role/AcmeProduction ImplicitDeny [Policy]"],
        "named by a statement, so kept for --all"
    );
    assert!(!is_shown(&targets[0]));
    assert!(targets[0]
        .reasons
        .contains(&"no boundary policy allows it".to_owned()));
}

#[test]
fn deny_with_not_resource_keeps_only_the_named_role() {
    let p = policy(
        "OnlyStaging",
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/*"},
            {"Effect":"Deny","Action":"sts:AssumeRole","NotResource":"arn:aws:iam::222222222222:role/*"}]}"#,
    );
    let targets = decide(&inputs(vec![p]), &context());
    assert_eq!(
        shown(&targets),
        ["arn:aws:iam::222222222222:role/OrganizationAccountAccessRole Allowed [Policy]"]
    );
}

#[test]
fn without_readable_policies_the_lists_are_shown_undecided() {
    let mut i = inputs(vec![]);
    i.policies_known = false;
    i.listed.push(ListedRole {
        role_arn: "arn:aws:iam::333333333333:role/Dev".into(),
        source: TargetSource::Imported,
        label: Some("Partner dev".into()),
        color: None,
        region: None,
        image: None,
        base: None,
    });
    let targets = decide(&i, &context());
    assert_eq!(
        shown(&targets),
        ["arn:aws:iam::333333333333:role/Dev Unknown [Imported]"]
    );
    assert_eq!(targets[0].account_name.as_deref(), Some("Partner dev"));
    assert!(is_shown(&targets[0]));
}

#[test]
fn without_a_key_the_lists_are_left_to_the_console() {
    // No key: no policies, no organization; every listed role is shown, undecided by
    // IAM policies, and the pattern guesses a key would add are not made.
    let mut i = Inputs {
        partition: "aws".into(),
        console: Some("no key is stored".into()),
        ..Inputs::default()
    };
    for (arn, source) in [
        ("arn:aws:iam::333333333333:role/Dev", TargetSource::Imported),
        (
            "arn:aws:iam::444444444444:role/Ops",
            TargetSource::AwsConfig,
        ),
    ] {
        i.listed.push(ListedRole {
            role_arn: arn.into(),
            source,
            label: None,
            color: None,
            region: None,
            image: None,
            base: None,
        });
    }
    let targets = decide(&i, &context());
    assert_eq!(
        shown(&targets),
        [
            "arn:aws:iam::333333333333:role/Dev Console [Imported]",
            "arn:aws:iam::444444444444:role/Ops Console [AwsConfig]"
        ]
    );
    assert_eq!(targets[0].reasons, ["no key is stored"]);
    assert!(targets.iter().all(is_shown));
}

#[test]
fn role_arns_are_checked() {
    let ok = parse_role_arn("arn:aws-us-gov:iam::123456789012:role/path/to/Deploy").unwrap();
    assert_eq!(
        (ok.partition, ok.account_id, ok.role_name),
        ("aws-us-gov", "123456789012", "Deploy")
    );
    for bad in [
        "arn:aws:iam::12345678901:role/X",
        "arn:aws:iam::*:role/X",
        "arn:aws:iam::123456789012:user/X",
        "arn:aws:iam:us-east-1:123456789012:role/X",
        "arn:aws:sts::123456789012:role/X",
        "arn:aws:iam::123456789012:role/bad name",
        "arn:aws:iam::123456789012:role/",
        "",
        "arn:aws:iam::123456789012",
    ] {
        assert!(parse_role_arn(bad).is_none(), "{bad}");
    }
    assert!(is_role_name("a+=,.@_-Z9"));
    assert!(!is_role_name(&"r".repeat(65)));
}

#[test]
fn display_names_and_colors_are_stable_and_bounded() {
    assert_eq!(
        display_name("Admin", None, "123456789012"),
        "Admin @ 123456789012"
    );
    assert_eq!(
        display_name(&"R".repeat(60), Some("Account"), "1")
            .chars()
            .count(),
        64
    );
    assert_eq!(color_for("123456789012"), color_for("123456789012"));
    assert_eq!(color_for("123456789012").len(), 6);
    let distinct: BTreeSet<String> = (0..40).map(|i| color_for(&format!("{i:012}"))).collect();
    assert!(distinct.len() > 6, "{distinct:?}");
}

#[test]
fn an_import_names_its_targets_and_may_list_one_role_twice() {
    let mut i = inputs(vec![]);
    i.policies_known = false;
    let arn = "arn:aws:iam::333333333333:role/Admin";
    for (label, color) in [
        ("Acme Prod Admin", "ff0000"),
        (
            "old\u{7}name that is far too long for the console's sixty-four character limit",
            "00ff00",
        ),
    ] {
        i.listed.push(ListedRole {
            role_arn: arn.into(),
            source: TargetSource::Imported,
            label: Some(label.into()),
            color: Some(color.into()),
            region: None,
            image: None,
            base: None,
        });
    }
    // The same role in ~/.aws/config adds its source to both, and no third row.
    i.listed.push(ListedRole {
        role_arn: arn.into(),
        source: TargetSource::AwsConfig,
        label: Some("prod".into()),
        color: None,
        region: Some("eu-west-1".into()),
        image: None,
        base: None,
    });
    let targets = decide(&i, &context());
    let names: Vec<(&str, &str)> = targets
        .iter()
        .map(|t| (t.display_name.as_str(), t.color.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("Acme Prod Admin", "ff0000"),
            (
                "oldname that is far too long for the console's sixty-four charac",
                "00ff00"
            )
        ]
    );
    assert!(targets
        .iter()
        .all(|t| t.sources == [TargetSource::AwsConfig, TargetSource::Imported]));
    assert_eq!(targets[0].region.as_deref(), Some("eu-west-1"));
}

fn granted(account: &str, set: &str, name: Option<&str>) -> GrantedRole {
    GrantedRole {
        role: SsoRoleRef {
            session: "acme".into(),
            account_id: account.into(),
            role_name: set.into(),
        },
        account_name: name.map(Into::into),
    }
}

#[test]
fn identity_center_roles_are_allowed_targets_named_by_the_organization_first() {
    let mut inputs = inputs(vec![]);
    inputs.policies_known = false;
    inputs.identity_center = vec![
        granted(
            "111111111111",
            "AdministratorAccess",
            Some("prod (from IC)"),
        ),
        granted("333333333333", "ReadOnly", Some("Sandbox")),
        // The same role twice (two sessions of one start URL): listed once.
        granted("333333333333", "ReadOnly", Some("Sandbox")),
    ];
    let all = decide(&inputs, &context());
    let ic: Vec<&Target> = all
        .iter()
        .filter(|t| t.sources == [TargetSource::IdentityCenter])
        .collect();
    assert_eq!(ic.len(), 2, "{all:#?}");
    let prod = ic.iter().find(|t| t.account_id == "111111111111").unwrap();
    assert_eq!(prod.decision, TargetDecision::Allowed);
    assert_eq!(prod.account_name.as_deref(), Some("Acme Production"));
    assert_eq!(
        prod.role_arn,
        "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AdministratorAccess"
    );
    assert!(prod.is_identity_center_role());
    assert!(
        prod.reasons[0].contains("IAM Identity Center"),
        "{:?}",
        prod.reasons
    );
    let sandbox = ic.iter().find(|t| t.account_id == "333333333333").unwrap();
    assert_eq!(sandbox.account_name.as_deref(), Some("Sandbox"));
    assert_eq!(sandbox.display_name, "ReadOnly @ Sandbox");
    // Allowed targets come before undecided ones.
    assert_eq!(all[0].decision, TargetDecision::Allowed);
}

#[test]
fn a_listed_role_based_on_an_identity_center_profile_chains_from_it() {
    let mut inputs = inputs(vec![]);
    inputs.console = Some("no key".into());
    let base = TargetBase {
        profile: "acme-admin".into(),
        ..TargetBase::default()
    };
    inputs.listed = vec![
        ListedRole {
            role_arn: "arn:aws:iam::222222222222:role/ClientAdmin".into(),
            source: TargetSource::AwsConfig,
            label: Some("client".into()),
            color: None,
            region: None,
            image: None,
            base: Some(base.clone()),
        },
        ListedRole {
            role_arn: "arn:aws:iam::222222222222:role/Other".into(),
            source: TargetSource::AwsConfig,
            label: Some("other".into()),
            color: None,
            region: None,
            image: None,
            base: Some(TargetBase {
                profile: "keyed".into(),
                ..TargetBase::default()
            }),
        },
    ];
    let via = SsoRoleRef {
        session: "acme".into(),
        account_id: "111111111111".into(),
        role_name: "AdministratorAccess".into(),
    };
    inputs.sso_profiles = BTreeMap::from([("acme-admin".to_owned(), via.clone())]);
    let all = decide(&inputs, &context());
    let client = all.iter().find(|t| t.role_name == "ClientAdmin").unwrap();
    assert_eq!(client.sso.as_ref(), Some(&via));
    assert!(
        !client.is_identity_center_role(),
        "a chain, not the granted role"
    );
    let other = all.iter().find(|t| t.role_name == "Other").unwrap();
    assert_eq!(other.sso, None);
}

#[test]
fn a_team_name_keeps_the_organizations_name_searchable() {
    let mut given = inputs(vec![policy("SwitchToAcme", RUNBOOK)]);
    given.team.insert(
        "111111111111".to_owned(),
        TeamLook {
            name: Some("Client A (prod)".into()),
            ..TeamLook::default()
        },
    );
    let targets = decide(&given, &context());
    assert_eq!(targets[0].account_name.as_deref(), Some("Client A (prod)"));
    assert_eq!(targets[0].name_from, Some(LookOrigin::Team));
    assert_eq!(targets[0].also_named.as_deref(), Some("Acme Production"));

    // Without a team name, or with the organization's own, there is nothing else to find.
    let plain = decide(&inputs(vec![policy("SwitchToAcme", RUNBOOK)]), &context());
    assert_eq!(plain[0].also_named, None);
    given.team.get_mut("111111111111").unwrap().name = Some("Acme Production".into());
    assert_eq!(decide(&given, &context())[0].also_named, None);
}
