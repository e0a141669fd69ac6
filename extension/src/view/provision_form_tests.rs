//! Tests of `provision_form`: the menu's URL, defaults, field checks (bad input next to
//! good), the gate and the progress list.

use super::*;
use switchyard_shared::protocol::provision::{Job, Step};
use switchyard_shared::protocol::ErrorBody;
use switchyard_shared::provision::plan as make_plan;

fn filled(name: &str) -> FormInput {
    let d = defaults(name, Some("ops+{slug}@example.com"));
    FormInput {
        name: name.to_owned(),
        email: d.email.unwrap_or_default(),
        role_name: d.role_name,
        group_name: d.group_name,
        policy_name: d.policy_name,
        users: vec!["alice".into()],
        ..FormInput::default()
    }
}

#[test]
fn the_selection_becomes_the_name_in_the_url() {
    assert_eq!(form_url(None), "create-account.html");
    assert_eq!(form_url(Some("  \n ")), "create-account.html");
    let url = form_url(Some("  Client\n  A & Co  "));
    assert_eq!(url, "create-account.html?name=Client+A+%26+Co");
    let query = url.split_once('?').unwrap().1;
    assert_eq!(name_from_query(query), "Client A & Co");
    assert_eq!(name_from_query("?name=Globex%20Corp&x=1"), "Globex Corp");
    assert_eq!(name_from_query(""), "");
    let long = "x".repeat(80);
    assert_eq!(
        name_from_query(form_url(Some(&long)).split_once('?').unwrap().1).len(),
        50
    );
}

#[test]
fn defaults_follow_the_name() {
    let d = defaults("Client A & Co", Some("ops+{slug}@example.com"));
    assert_eq!(d.role_name, "ClientA&Co");
    assert_eq!(d.group_name, "AccessClientA&Co");
    assert_eq!(d.email.as_deref(), Some("ops+client-a-co@example.com"));
    assert_eq!(defaults("Client A", None).email, None);
    assert_eq!(
        defaults("Client A", Some("no-slug@example.com")).email,
        None
    );
}

#[test]
fn a_good_form_makes_the_daemons_request() {
    let mut input = filled("Client A");
    input.tags = "team = blue\n\n  project=alpha ".into();
    input.ou_id = " ou-ab12-abcdefgh ".into();
    input.role_policies = "arn:aws:iam::aws:policy/ReadOnlyAccess\n".into();
    input.billing = "DENY".into();
    let params = check(&input, Some("admin")).unwrap();
    assert_eq!(params.email, "ops+client-a@example.com");
    assert_eq!(params.role_name.as_deref(), Some("ClientA"));
    assert_eq!(params.tags.get("team").map(String::as_str), Some("blue"));
    assert_eq!(params.tags.len(), 2);
    assert_eq!(params.ou_id.as_deref(), Some("ou-ab12-abcdefgh"));
    assert_eq!(params.role_policies.len(), 1);
    assert_eq!(params.iam_user_access_to_billing, Some(Billing::Deny));
    assert_eq!(params.profile.as_deref(), Some("admin"));
    assert_eq!(
        (params.display_name.as_deref(), params.color.as_deref()),
        (None, None)
    );
    assert!(make_plan(&params).is_ok());

    // The team's name and color, when given, go to the daemon (which tags the account).
    input.display_name = "  Client A (prod) ".into();
    input.color = "#1B998B".into();
    let params = check(&input, None).unwrap();
    assert_eq!(params.display_name.as_deref(), Some("Client A (prod)"));
    assert_eq!(params.color.as_deref(), Some("#1B998B"));
    let plan = make_plan(&params).unwrap();
    assert_eq!(plan.color.as_deref(), Some("1b998b"));
}

#[test]
fn bad_fields_are_named_before_any_request() {
    let problems = |f: &dyn Fn(&mut FormInput)| {
        let mut input = filled("Client A");
        f(&mut input);
        check(&input, None)
            .err()
            .map(|p| field_messages(&p).into_keys().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    assert_eq!(problems(&|_| {}), vec![]);
    assert_eq!(problems(&|i| i.name = String::new()), vec![Field::Name]);
    assert_eq!(problems(&|i| i.name = "Ünïcode".into()), vec![Field::Name]);
    assert_eq!(
        problems(&|i| i.email = "not-an-email".into()),
        vec![Field::Email]
    );
    assert_eq!(problems(&|i| i.email = String::new()), vec![Field::Email]);
    assert_eq!(
        problems(&|i| i.role_name = "has space".into()),
        vec![Field::RoleName]
    );
    assert_eq!(
        problems(&|i| i.role_name = "x".repeat(65)),
        vec![Field::RoleName]
    );
    assert_eq!(
        problems(&|i| i.group_name = "a/b".into()),
        vec![Field::GroupName]
    );
    assert_eq!(
        problems(&|i| i.policy_name = String::new()),
        vec![Field::PolicyName]
    );
    assert_eq!(
        problems(&|i| i.users = vec!["no spaces".into()]),
        vec![Field::Users]
    );
    assert_eq!(problems(&|i| i.tags = "team".into()), vec![Field::Tags]);
    assert_eq!(problems(&|i| i.tags = "aws:x=1".into()), vec![Field::Tags]);
    assert_eq!(problems(&|i| i.ou_id = "ou-1".into()), vec![Field::OuId]);
    assert_eq!(
        problems(&|i| i.role_policies = "ReadOnlyAccess".into()),
        vec![Field::RolePolicies]
    );
    assert_eq!(
        problems(&|i| i.display_name = "<script>x</script>".into()),
        vec![Field::DisplayName]
    );
    assert_eq!(
        problems(&|i| i.display_name = "x".repeat(65)),
        vec![Field::DisplayName]
    );
    assert_eq!(
        problems(&|i| i.color = "chartreuse".into()),
        vec![Field::Color]
    );
    assert_eq!(
        problems(&|i| {
            i.email = "a@b".into();
            i.role_name = "bad role".into();
        }),
        vec![Field::Email, Field::RoleName]
    );
    let mut input = filled("Client A");
    input.email = "two@@example.com".into();
    let messages = field_messages(&check(&input, None).unwrap_err());
    assert!(messages[&Field::Email].contains("not an e-mail address"));
    assert_eq!(
        email_to_check("ops@example.com").as_deref(),
        Some("ops@example.com")
    );
    assert_eq!(email_to_check("ops@"), None);
    for field in Field::ALL {
        assert!(!field.id().is_empty());
    }
}

fn allowed(permission: Permission) -> ProvisionAllowedData {
    ProvisionAllowedData {
        profile: "default".into(),
        caller_arn: "arn:aws:iam::123456789012:user/bob".into(),
        user_name: Some("bob".into()),
        permission,
        reason: "no identity policy of yours allows organizations:CreateAccount".into(),
        email_template: None,
    }
}

#[test]
fn the_form_is_offered_to_those_who_may_use_it() {
    assert_eq!(
        gate(&allowed(Permission::Allowed)),
        Gate::Form { notice: None }
    );
    assert!(matches!(
        gate(&allowed(Permission::Unknown)),
        Gate::Form { notice: Some(n) } if n.contains("could not tell")
    ));
    let Gate::Unavailable { why } = gate(&allowed(Permission::Denied)) else {
        panic!("a denied user gets no form")
    };
    assert_eq!(
        why,
        "arn:aws:iam::123456789012:user/bob may not create accounts: no identity policy of \
         yours allows organizations:CreateAccount"
    );
}

#[test]
fn progress_lists_the_steps_and_the_headline_says_where_it_stands() {
    let plan = make_plan(
        &switchyard_shared::protocol::provision::CreateAccountParams {
            name: "Client A".into(),
            email: "a@example.com".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let mut job = Job::new("j01".into(), "default".into(), "arn".into(), plan, 1);
    job.start(Step::CheckEmail, 2);
    job.finish(Step::CheckEmail, StepState::Done, Some("free".into()), 3);
    job.start(Step::CreateAccount, 3);
    let lines = progress(&job);
    assert_eq!(
        lines.len(),
        8,
        "move_to_ou, team_look and role_policies are skipped"
    );
    assert_eq!(lines[0].state, StepState::Done);
    assert_eq!(lines[1].title, "Send CreateAccount");
    assert_eq!(lines[1].state, StepState::Running);
    assert_eq!(headline(&job), "Creating Client A…");
    job.state = JobState::Paused;
    job.error = Some(ErrorBody::new(
        switchyard_shared::protocol::ErrorCode::AwsThrottled,
        "slow",
    ));
    assert_eq!(headline(&job), "Paused: slow");
    job.state = JobState::Done;
    job.account_id = Some("111111111111".into());
    assert_eq!(headline(&job), "Client A is ready: account 111111111111");
}

#[test]
fn closing_needs_the_exact_name() {
    assert!(close_confirmed("Client A", "Client A"));
    assert!(!close_confirmed("client a", "Client A"));
    assert!(!close_confirmed("Client A ", "Client A"));
    assert!(!close_confirmed("", ""));
}

fn ic_data(with_instance: bool) -> IdentityCenterData {
    use switchyard_shared::protocol::provision::{IdentityCenterGroup, PermissionSetSummary};
    IdentityCenterData {
        profile: "default".into(),
        identity_center: with_instance.then(|| IdentityCenterOptions {
            instance_arn: "arn:aws:sso:::instance/ssoins-1".into(),
            identity_store_id: "d-1".into(),
            permission_sets: vec![
                PermissionSetSummary {
                    arn: "arn:aws:sso:::permissionSet/ssoins-1/ps-2".into(),
                    name: "ReadOnly".into(),
                    description: Some(" look, do not touch ".into()),
                },
                PermissionSetSummary {
                    arn: "arn:aws:sso:::permissionSet/ssoins-1/ps-1".into(),
                    name: "AdminAccess".into(),
                    description: None,
                },
            ],
            groups: vec![
                IdentityCenterGroup {
                    id: "g-ops".into(),
                    display_name: "Ops".into(),
                },
                IdentityCenterGroup {
                    id: "g-aud".into(),
                    display_name: "auditors".into(),
                },
            ],
        }),
    }
}

#[test]
fn identity_center_is_offered_only_with_an_instance() {
    assert_eq!(
        identity_center_offer(&ic_data(false)),
        IdentityCenterOffer::NotOffered
    );
    let IdentityCenterOffer::Offered {
        permission_sets,
        groups,
        note,
    } = identity_center_offer(&ic_data(true))
    else {
        panic!("an instance is offered")
    };
    let labels: Vec<&str> = permission_sets.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["AdminAccess", "ReadOnly — look, do not touch"]);
    assert_eq!(
        permission_sets[0].value,
        "arn:aws:sso:::permissionSet/ssoins-1/ps-1"
    );
    let groups: Vec<&str> = groups.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(groups, ["auditors", "Ops"]);
    assert_eq!(note, None);
    // An instance without permission sets is offered with what to do.
    let mut empty = ic_data(true);
    if let Some(options) = &mut empty.identity_center {
        options.permission_sets.clear();
    }
    let IdentityCenterOffer::Offered { note, .. } = identity_center_offer(&empty) else {
        panic!("still offered")
    };
    assert_eq!(
        note.as_deref(),
        Some(
            "The Identity Center instance has no permission set: make them in the IAM \
             Identity Center console, then reload this page."
        )
    );
    for (value, access) in [
        ("iam", Access::IamGroup),
        ("identity-center", Access::IdentityCenter),
        ("both", Access::Both),
        ("nonsense", Access::IamGroup),
    ] {
        assert_eq!(Access::from_value(value), access);
    }
}

#[test]
fn the_access_choice_makes_the_request() {
    let data = ic_data(true);
    let options = data.identity_center.as_ref();
    let mut input = filled("Client A");
    input.permission_set = "arn:aws:sso:::permissionSet/ssoins-1/ps-1".into();
    input.sso_group = "g-ops".into();

    // The IAM group alone (the default): the Identity Center fields are not sent.
    let params = check_with(&input, None, options).unwrap();
    assert_eq!(params.identity_center, None);
    assert!(!params.without_iam_group);
    assert_eq!(params.users, ["alice"]);

    // Identity Center alone: no group, no members; the names for people filled in.
    input.access = Access::IdentityCenter;
    let params = check_with(&input, None, options).unwrap();
    let access = params.identity_center.clone().unwrap();
    assert_eq!(access.instance_arn, "arn:aws:sso:::instance/ssoins-1");
    assert_eq!(access.group_id, "g-ops");
    assert_eq!(access.permission_set_name.as_deref(), Some("AdminAccess"));
    assert_eq!(access.group_name.as_deref(), Some("Ops"));
    assert!(params.without_iam_group);
    assert!(params.users.is_empty() && params.group_name.is_none());
    assert!(make_plan(&params).is_ok());

    // Both.
    input.access = Access::Both;
    let params = check_with(&input, None, options).unwrap();
    assert!(params.identity_center.is_some() && !params.without_iam_group);
    assert_eq!(params.users, ["alice"]);

    // Nothing chosen, or something not in the lists: named by field, no request.
    let problems = |f: &dyn Fn(&mut FormInput), options| {
        let mut input = input.clone();
        f(&mut input);
        check_with(&input, None, options)
            .err()
            .map(|p| field_messages(&p).into_keys().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    assert_eq!(
        problems(&|i| i.permission_set.clear(), options),
        [Field::PermissionSet]
    );
    assert_eq!(
        problems(&|i| i.sso_group = "g-nobody".into(), options),
        [Field::SsoGroup]
    );
    assert_eq!(
        problems(
            &|i| {
                i.access = Access::IdentityCenter;
                i.permission_set.clear();
                i.sso_group.clear();
            },
            options
        ),
        [Field::PermissionSet, Field::SsoGroup]
    );
    // No instance: Identity Center cannot be chosen.
    let refused = check(&input, None).unwrap_err();
    assert_eq!(refused[0].0, Field::PermissionSet);
    assert!(refused[0].1.contains("no Identity Center instance"));
}

fn root_data(trusted: bool, features: &[&str]) -> RootAccessData {
    let features: Vec<String> = features.iter().map(|f| f.to_string()).collect();
    RootAccessData {
        account_id: "222222222222".into(),
        trusted_access: trusted,
        centralized: switchyard_shared::provision::root::is_centralized(trusted, &features),
        features,
        task: None,
        done: vec![],
        advice: "enable RootSessions".into(),
    }
}

#[test]
fn root_tasks_where_centralized_root_access_is_on_else_the_manual_steps() {
    let off = root_view(&root_data(false, &[]), Some("ops+a@example.com"));
    assert!(off.tasks.is_empty());
    assert!(off.headline.contains("off"), "{}", off.headline);
    assert_eq!(off.manual_steps.len(), 5);
    assert!(off.manual_steps[1].contains("ops+a@example.com"));
    assert!(off.manual_steps.iter().any(|s| s.contains("CAPTCHA")));

    let no_sessions = root_view(&root_data(true, &["RootCredentialsManagement"]), None);
    assert!(no_sessions.tasks.is_empty() && no_sessions.manual_steps.is_empty());
    assert_eq!(no_sessions.advice.as_deref(), Some("enable RootSessions"));

    let mut on = root_data(true, &["RootCredentialsManagement", "RootSessions"]);
    let view = root_view(&on, Some("ops+a@example.com"));
    let tasks: Vec<(RootTask, bool)> = view
        .tasks
        .iter()
        .map(|t| (t.task, t.needs_confirmation))
        .collect();
    assert_eq!(
        tasks,
        [
            (RootTask::AllowPasswordRecovery, false),
            (RootTask::DeleteCredentials, true)
        ]
    );
    assert!(view.manual_steps.is_empty() && view.done.is_empty());
    on.done = vec!["password recovery allowed".into()];
    assert_eq!(root_view(&on, None).done, ["password recovery allowed"]);
}

#[test]
fn a_closure_past_the_quota_is_offered_the_queue() {
    let quota = ErrorBody::new(
        switchyard_shared::protocol::ErrorCode::CloseQuotaReached,
        "the CloseAccount quota is used up: 10 of 10",
    );
    assert_eq!(
        close_refused(&quota),
        CloseOutcome::OfferQueue {
            why: "the CloseAccount quota is used up: 10 of 10".into()
        }
    );
    let other = ErrorBody::new(
        switchyard_shared::protocol::ErrorCode::ConfirmationMismatch,
        "type its name",
    );
    assert_eq!(
        close_refused(&other),
        CloseOutcome::Said("type its name (confirmation_mismatch)".into())
    );
}
