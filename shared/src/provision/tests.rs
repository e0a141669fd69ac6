//! Tests of `provision`: validation tables, defaults, the policy document, the switch
//! link, failure sentences and the journal's step model.

use super::*;
use crate::protocol::provision::*;
use crate::protocol::ErrorBody;

fn params(name: &str, email: &str) -> CreateAccountParams {
    CreateAccountParams {
        name: name.to_owned(),
        email: email.to_owned(),
        ..CreateAccountParams::default()
    }
}

#[test]
fn defaults_come_from_the_name_without_spaces() {
    let mut p = params("Client A", "ops+client-a@Example.COM");
    p.users = vec!["alice".into(), "bob".into(), "alice".into()];
    let plan = plan(&p).unwrap();
    assert_eq!(plan.name, "Client A");
    assert_eq!(plan.email, "ops+client-a@example.com");
    assert_eq!(plan.role_name, "ClientA");
    assert_eq!(plan.group_name, "AccessClientA");
    assert_eq!(plan.policy_name, "SwitchToClientA");
    assert_eq!(plan.users, ["alice", "bob"]);
    assert_eq!(
        plan.tags.get("created-by").map(String::as_str),
        Some("switchyard")
    );
    // The role's name rides along as a tag, for finding it later without the journal.
    assert_eq!(
        plan.tags.get("switchyard-role").map(String::as_str),
        Some("ClientA")
    );
    assert_eq!(plan.ou_id, None);
}

#[test]
fn chosen_names_are_kept() {
    let mut p = params("Client A", "a@b.co");
    p.role_name = Some("client-a.admin".into());
    p.group_name = Some("ClientAAdmins".into());
    p.policy_name = Some("AssumeClientA".into());
    p.ou_id = Some("ou-ab12-abcdefgh".into());
    p.tags.insert("project".into(), "alpha 1".into());
    let plan = plan(&p).unwrap();
    assert_eq!(plan.role_name, "client-a.admin");
    assert_eq!(plan.group_name, "ClientAAdmins");
    assert_eq!(plan.policy_name, "AssumeClientA");
    assert_eq!(plan.ou_id.as_deref(), Some("ou-ab12-abcdefgh"));
    assert_eq!(plan.tags.len(), 3);
    assert_eq!(plan.tags["switchyard-role"], "client-a.admin");
}

#[test]
fn emails() {
    for good in [
        "ops@example.com",
        "ops+client.a@mail.example.co.uk",
        "first.last@sub-domain.example.org",
        "a!#$%&'*/=?^_`{|}~-@example.io",
    ] {
        assert!(check_email(good).is_ok(), "{good}");
    }
    for bad in [
        "",
        "a@b.c",
        "plainaddress",
        "@example.com",
        "ops@",
        "ops@@example.com",
        "op@s@example.com",
        ".ops@example.com",
        "ops.@example.com",
        "o..ps@example.com",
        "\"quoted\"@example.com",
        "ops @example.com",
        "ops@example",
        "ops@-example.com",
        "ops@example-.com",
        "ops@exa_mple.com",
        "ops@example.c0m",
        "ops@example..com",
        "ops@[127.0.0.1]",
        "ops@例え.jp",
        "very.long.address.that.goes.on.and.on.and.on@example-domain.example.com",
    ] {
        assert!(check_email(bad).is_err(), "{bad:?} passed");
    }
}

#[test]
fn bad_input_is_all_reported() {
    let mut p = params("", "nope");
    p.role_name = Some("bad role".into());
    p.users = vec!["ok".into(), "not ok".into()];
    p.tags.insert("aws:owner".into(), "x".into());
    p.tags.insert("created-by".into(), "me".into());
    p.ou_id = Some("ou-x".into());
    let problems = plan(&p).unwrap_err();
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 7, "{text:#?}");
    assert!(matches!(problems[0], InvalidInput::Name(_)));
    assert!(matches!(problems[1], InvalidInput::Email(..)));
    assert!(matches!(problems[2], InvalidInput::RoleName(..)));
    assert!(text.iter().any(|t| t.contains("\"not ok\"")));
    assert!(text.iter().any(|t| t.contains("reserved")));
    assert!(text.iter().any(|t| t.contains("set by Switchyard")));
    assert!(matches!(problems[6], InvalidInput::OuId(_)));
}

#[test]
fn a_name_that_makes_no_role_name_asks_for_one() {
    let problems = plan(&params("Client & Co", "a@example.com")).unwrap_err();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].to_string().contains("give a role name"));
    let mut p = params("Client & Co", "a@example.com");
    p.role_name = Some("ClientCo".into());
    p.group_name = Some("AccessClientCo".into());
    p.policy_name = Some("SwitchToClientCo".into());
    assert!(plan(&p).is_ok());
}

#[test]
fn limits() {
    assert!(check_name(&"x".repeat(50)).is_ok());
    assert!(check_name(&"x".repeat(51)).is_err());
    assert!(check_name("tab\there").is_err());
    let mut p = params("Client", "a@example.com");
    p.role_name = Some("r".repeat(65));
    assert!(plan(&p).is_err());
    p.role_name = Some("r".repeat(64));
    assert!(plan(&p).is_ok());
    for i in 0..48 {
        p.tags.insert(format!("k{i}"), String::new());
    }
    assert!(plan(&p).is_ok());
    p.tags.insert("k48".into(), String::new());
    assert!(plan(&p).is_err());
}

#[test]
fn role_policies() {
    let mut p = params("Client", "a@example.com");
    p.role_policies = vec![
        "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
        "arn:aws:iam::123456789012:policy/team/Ops".into(),
        "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
    ];
    assert_eq!(plan(&p).unwrap().role_policies.len(), 2);
    for bad in [
        "ReadOnlyAccess",
        "arn:aws:iam::aws:role/X",
        "arn:aws:s3:::bucket",
        "arn:aws:iam::12345:policy/X",
        "arn:aws:iam:us-east-1:aws:policy/X",
        "arn:aws:iam::aws:policy/",
        "arn:nope:iam::aws:policy/X",
    ] {
        p.role_policies = vec![bad.into()];
        assert!(
            matches!(plan(&p).unwrap_err()[..], [InvalidInput::PolicyArn(_)]),
            "{bad}"
        );
    }
}

#[test]
fn email_templates() {
    assert_eq!(email_slug("Client A & Co."), "client-a-co");
    assert_eq!(email_slug("  ÄBC  2 "), "bc-2");
    assert_eq!(
        email_from_template("ops+{slug}@Example.com", "Client A").unwrap(),
        "ops+client-a@example.com"
    );
    assert!(matches!(
        email_from_template("ops@example.com", "Client A"),
        Err(InvalidInput::Template(..))
    ));
    assert!(matches!(
        email_from_template("{slug}+{slug}@example.com", "A"),
        Err(InvalidInput::Template(..))
    ));
    assert!(matches!(
        email_from_template("ops+{slug}@example.com", "&&&"),
        Err(InvalidInput::Template(..))
    ));
    assert!(matches!(
        email_from_template("ops+{slug}@example", "Client"),
        Err(InvalidInput::Email(..))
    ));
}

#[test]
fn ou_ids() {
    for good in ["ou-ab12-abcdefgh", "ou-0123-0123456789abcdef", "r-ab12"] {
        assert!(check_ou_id(good).is_ok(), "{good}");
    }
    for bad in [
        "",
        "ou-",
        "ou-ab12",
        "ou-AB12-abcdefgh",
        "ou-ab1-abcdefgh",
        "r-a",
        "x-ab12",
    ] {
        assert!(check_ou_id(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_policy_allows_exactly_the_role() {
    let doc = switch_policy(Partition::Aws, "123456789012", "ClientA");
    let value: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(
        value,
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                           "Resource": "arn:aws:iam::123456789012:role/ClientA"}]
        })
    );
    let gov = switch_policy(Partition::AwsUsGov, "123456789012", "ClientA");
    assert!(gov.contains("arn:aws-us-gov:iam::123456789012:role/ClientA"));
    // The document passes our own policy parser and allows the role and nothing else.
    let parsed = crate::policy::Policy::parse("SwitchToClientA", &doc);
    assert!(parsed.is_ok(), "{parsed:?}");
}

#[test]
fn switch_link_names_account_and_role() {
    let link = switch_link(Partition::Aws, "123456789012", "ClientA", "Client A").unwrap();
    assert_eq!(
        link,
        "https://signin.aws.amazon.com/switchrole?roleName=ClientA&account=123456789012&displayName=Client+A"
    );
    assert!(switch_link(Partition::Aws, "12345", "ClientA", "x").is_none());
}

#[test]
fn every_failure_reason_has_a_remedy() {
    for reason in [
        "EMAIL_ALREADY_EXISTS",
        "ACCOUNT_LIMIT_EXCEEDED",
        "CONCURRENT_ACCOUNT_MODIFICATION",
        "INVALID_EMAIL",
        "INVALID_ADDRESS",
        "INTERNAL_FAILURE",
        "GOVCLOUD_ACCOUNT_ALREADY_EXISTS",
        "MISSING_BUSINESS_VALIDATION",
        "MISSING_PAYMENT_INSTRUMENT",
        "INVALID_IDENTITY_FOR_BUSINESS_VALIDATION",
        "PENDING_BUSINESS_VALIDATION",
        "INVALID_PAYMENT_INSTRUMENT",
        "UNKNOWN_BUSINESS_VALIDATION",
    ] {
        let sentence = failure_sentence(reason);
        assert!(sentence.contains(reason), "{sentence}");
        assert!(
            !sentence.contains("see the Organizations console"),
            "{reason} has no own text"
        );
        let remedy = sentence
            .split_once("): ")
            .map(|(_, r)| r)
            .unwrap_or_default();
        assert!(remedy.len() > 30, "{sentence}");
    }
    assert!(failure_sentence("SOMETHING_NEW").contains("SOMETHING_NEW"));
    assert!(failure_sentence("EMAIL_ALREADY_EXISTS").contains("never be reused"));
}

#[test]
fn journal_steps_in_order() {
    let plan = plan(&params("Client A", "a@example.com")).unwrap();
    let mut job = Job::new("j01".into(), "default".into(), "arn".into(), plan, 10);
    assert_eq!(
        job.record(Step::MoveToOu).unwrap().state,
        StepState::Skipped
    );
    assert_eq!(job.next_step().unwrap().step, Step::CheckEmail);
    job.start(Step::CheckEmail, 11);
    assert_eq!(job.next_step().unwrap().state, StepState::Running);
    job.finish(Step::CheckEmail, StepState::Done, Some("free".into()), 12);
    job.start(Step::CreateAccount, 13);
    job.finish(Step::CreateAccount, StepState::Done, None, 14);
    job.start(Step::WaitForAccount, 15);
    job.finish(Step::WaitForAccount, StepState::Done, None, 16);
    // MoveToOu is skipped: the next is TagRole.
    assert_eq!(job.next_step().unwrap().step, Step::TagRole);
    assert_eq!(
        job.record(Step::CheckEmail).unwrap().detail.as_deref(),
        Some("free")
    );
    assert_eq!(job.record(Step::CreateAccount).unwrap().attempts, 1);
    assert_eq!(job.updated_at, 16);
    for &step in Step::ALL {
        assert!(!step.done_means().is_empty());
        assert!(!step.idempotency_key(&job.plan).is_empty());
    }
    assert_eq!(
        Step::CreateAccount.idempotency_key(&job.plan),
        "email:a@example.com"
    );
    let json = serde_json::to_string(&job).unwrap();
    let back: Job = serde_json::from_str(&json).unwrap();
    assert_eq!(back, job);
    assert!(json.contains("\"wait_for_account\""));
}

#[test]
fn the_teams_name_and_color_are_checked_and_make_their_own_step() {
    let mut p = params("Client A", "a@example.com");
    p.display_name = Some("  Client A (prod) ".into());
    p.color = Some("#1B998B".into());
    let planned = plan(&p).unwrap();
    assert_eq!(planned.display_name.as_deref(), Some("Client A (prod)"));
    assert_eq!(planned.color.as_deref(), Some("1b998b"));
    let job = Job::new("j01".into(), "default".into(), "arn".into(), planned, 10);
    assert_eq!(
        job.record(Step::TeamLook).unwrap().state,
        StepState::Pending
    );
    assert_eq!(
        Step::TeamLook.idempotency_key(&job.plan),
        "team-look:Client A (prod)/1b998b"
    );

    // Blank is none: the step is skipped.
    p.display_name = Some("   ".into());
    p.color = None;
    let planned = plan(&p).unwrap();
    assert_eq!(
        (planned.display_name.clone(), planned.color.clone()),
        (None, None)
    );
    let job = Job::new("j02".into(), "default".into(), "arn".into(), planned, 10);
    assert_eq!(
        job.record(Step::TeamLook).unwrap().state,
        StepState::Skipped
    );

    // Markup, control characters, too long, not a color: each refused, before any job.
    for (name, color, expected) in [
        ("<b>x</b>", "fff", "the team's name for the account: the name holds markup (`<` or `>`)"),
        ("a\u{7}b", "fff", "the team's name for the account: the name holds a control character"),
        ("ok", "red", "the team's color for the account: \"red\" is not a color: use RRGGBB or RGB in hex, `#` optional (e.g. 1b998b)"),
    ] {
        p.display_name = Some(name.into());
        p.color = Some(color.into());
        let problems: Vec<String> = plan(&p).unwrap_err().iter().map(|e| e.to_string()).collect();
        assert_eq!(problems, [expected]);
    }
    p.display_name = Some("x".repeat(65));
    p.color = None;
    assert!(matches!(
        plan(&p).unwrap_err()[..],
        [InvalidInput::DisplayName(
            crate::team::InvalidLook::NameTooLong(65)
        )]
    ));
}

#[test]
fn job_ids() {
    assert!(is_job_id("j0123abcdef"));
    for bad in ["", "j", "0123", "j../x", "jXYZ", "j01/"] {
        assert!(!is_job_id(bad), "{bad}");
    }
}

#[test]
fn unknown_fields_are_refused() {
    let bad: Result<CreateAccountParams, _> =
        serde_json::from_str(r#"{"name":"a","email":"b","rolename":"x"}"#);
    assert!(bad.is_err());
}

#[test]
fn close_quota_is_a_tenth_at_least_ten_at_most_a_thousand() {
    assert_eq!(close_quota(5, 0).limit, 10);
    assert_eq!(close_quota(10_000, 0).limit, 1000);
    assert_eq!(close_quota(25_000, 999).remaining, 1);
    assert_eq!(close_quota(99, 3).limit, 10);
    assert_eq!(close_quota(250, 3).limit, 25);
    assert_eq!(close_quota(250, 3).remaining, 22);
    assert_eq!(close_quota(20, 12).remaining, 0);
    // The quota frees when enough of the oldest closures leave the 30-day window.
    let day = 86_400;
    assert_eq!(close_quota_frees_at(10, &[day; 9]), None);
    let ten: Vec<u64> = (1..=10).map(|d| d * day).collect();
    assert_eq!(
        close_quota_frees_at(10, &ten),
        Some(day + CLOSE_WINDOW_SECS)
    );
    let twelve: Vec<u64> = (1..=12).rev().map(|d| d * day).collect();
    assert_eq!(
        close_quota_frees_at(10, &twelve),
        Some(3 * day + CLOSE_WINDOW_SECS)
    );
    assert_eq!(closability("ACTIVE"), Closability::Open);
    assert_eq!(closability("PENDING_ACTIVATION"), Closability::Activating);
    for closed in ["PENDING_CLOSURE", "SUSPENDED", "CLOSED"] {
        assert_eq!(closability(closed), Closability::Closed);
    }
    assert_eq!(closability("SOMETHING_NEW"), Closability::Open);
    assert!(is_account_id("123456789012"));
    assert!(!is_account_id("12345678901"));
    assert!(!is_account_id("12345678901a"));
}

#[test]
fn identity_center_only_skips_the_group_steps() {
    let access = IdentityCenterAccess {
        instance_arn: "arn:aws:sso:::instance/ssoins-1".into(),
        permission_set_arn: "arn:aws:sso:::permissionSet/ssoins-1/ps-1".into(),
        group_id: "g-1".into(),
        permission_set_name: Some("ReadOnly".into()),
        group_name: Some("Auditors".into()),
    };
    // Without the group, nobody would get access unless Identity Center gives it, and
    // users have no group to join.
    let mut p = params("Client A", "a@b.co");
    p.without_iam_group = true;
    p.users = vec!["alice".into()];
    let problems: Vec<String> = plan(&p)
        .unwrap_err()
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(
        problems,
        [
            "without the IAM group, choose an Identity Center permission set and group: \
             nobody would get access",
            "without the IAM group, no IAM users can be added (they are added to that group): \
             choose none",
        ]
    );
    p.users.clear();
    p.identity_center = Some(access.clone());
    let plan = plan(&p).unwrap();
    assert!(plan.without_iam_group);
    let mut job = Job::new("j01".into(), "default".into(), "arn:me".into(), plan, 1);
    let skipped: Vec<Step> = job
        .steps
        .iter()
        .filter(|r| r.state == StepState::Skipped)
        .map(|r| r.step)
        .collect();
    assert_eq!(
        skipped,
        [
            Step::MoveToOu,
            Step::TeamLook,
            Step::RolePolicies,
            Step::CreateGroup,
            Step::PutPolicy,
            Step::AddUsers
        ]
    );
    job.account_id = Some("222222222222".into());
    let summary = job.summary();
    assert!(
        summary
            .contains("no IAM group; Identity Center: permission set ReadOnly for group Auditors"),
        "{summary}"
    );
    assert!(!summary.contains("AccessClientA"), "{summary}");
    // An old journal (no field) keeps its group.
    let old: Plan = serde_json::from_value(serde_json::json!({
        "name": "A", "email": "a@b.co", "role_name": "A", "group_name": "AccessA",
        "policy_name": "SwitchToA", "users": [], "tags": {}, "ou_id": null
    }))
    .unwrap();
    assert!(!old.without_iam_group);
}

#[test]
fn billing_access_goes_into_the_plan() {
    let mut p = params("Client A", "a@example.com");
    assert_eq!(plan(&p).unwrap().iam_user_access_to_billing, None);
    p.iam_user_access_to_billing = Some(Billing::Deny);
    assert_eq!(
        plan(&p).unwrap().iam_user_access_to_billing,
        Some(Billing::Deny)
    );
    let json: CreateAccountParams = serde_json::from_str(
        r#"{"name":"Client A","email":"a@example.com","iam_user_access_to_billing":"ALLOW"}"#,
    )
    .unwrap();
    assert_eq!(json.iam_user_access_to_billing, Some(Billing::Allow));
    let bad: Result<CreateAccountParams, _> = serde_json::from_str(
        r#"{"name":"Client A","email":"a@example.com","iam_user_access_to_billing":"MAYBE"}"#,
    );
    assert!(bad.is_err());
    assert_eq!(Billing::parse(" deny "), Some(Billing::Deny));
    assert_eq!(Billing::parse("no"), None);
    // A journal written before the field existed still loads.
    let old = plan(&params("Client A", "a@example.com")).unwrap();
    let text = serde_json::to_string(&old).unwrap();
    assert!(!text.contains("billing"));
}

/// A job moved through `f` the way the journal does it: the events noted after.
fn changed(job: &mut Job, at: u64, f: impl FnOnce(&mut Job)) {
    let before = job.clone();
    f(job);
    job.note_changes(&before, at);
}

#[test]
fn every_change_becomes_a_numbered_event() {
    let plan = plan(&params("Client A", "a@example.com")).unwrap();
    let mut job = Job::new("j01".into(), "default".into(), "arn".into(), plan, 10);
    assert_eq!(job.seq(), 1);
    changed(&mut job, 11, |j| j.start(Step::CheckEmail, 11));
    changed(&mut job, 12, |j| {
        j.finish(Step::CheckEmail, StepState::Done, Some("free".into()), 12)
    });
    // A change that is no news (a request id saved) adds no event.
    changed(&mut job, 12, |j| j.create_request_id = Some("car-1".into()));
    changed(&mut job, 13, |j| j.start(Step::CreateAccount, 13));
    changed(&mut job, 14, |j| {
        j.finish(
            Step::CreateAccount,
            StepState::Failed,
            Some("no".into()),
            14,
        );
        j.state = JobState::Paused;
        j.error = Some(ErrorBody::new(
            crate::protocol::ErrorCode::AwsThrottled,
            "slow down",
        ));
    });
    // Resumed: the same step starts again (a second attempt is news too).
    changed(&mut job, 15, |j| {
        j.state = JobState::Running;
        j.error = None;
    });
    changed(&mut job, 16, |j| j.start(Step::CreateAccount, 16));
    let lines: Vec<String> = job
        .events
        .iter()
        .map(|e| format!("{} @{} {}", e.seq, e.at, e.describe()))
        .collect();
    expect_test::expect![[r#"
        [
            "1 @10 job running",
            "2 @11 Check the e-mail and users…",
            "3 @12 Check the e-mail and users done: free",
            "4 @13 Send CreateAccount…",
            "5 @14 Send CreateAccount failed: no",
            "6 @14 job paused: slow down",
            "7 @15 job running",
            "8 @16 Send CreateAccount…",
        ]
    "#]]
    .assert_debug_eq(&lines);
    assert_eq!(job.seq(), 8);
    assert_eq!(job.events_after(6).len(), 2);
    assert!(job.events_after(8).is_empty());
    let text = serde_json::to_string(&job.events[4]).unwrap();
    assert_eq!(
        text,
        r#"{"seq":5,"at":14,"kind":"step","step":"create_account","state":"failed","detail":"no"}"#
    );
    let back: JobEvent = serde_json::from_str(&text).unwrap();
    assert_eq!(back, job.events[4]);
    let round: Job = serde_json::from_str(&serde_json::to_string(&job).unwrap()).unwrap();
    assert_eq!(round, job);
}

#[test]
fn a_watch_answers_news_or_a_job_that_stopped_at_once() {
    let plan = plan(&params("Client A", "a@example.com")).unwrap();
    let mut job = Job::new("j01".into(), "default".into(), "arn".into(), plan, 10);
    assert!(watch_answers_now(&job, 0));
    assert!(!watch_answers_now(&job, 1), "running, nothing new: wait");
    assert!(!watch_answers_now(&job, 99));
    changed(&mut job, 11, |j| j.start(Step::CheckEmail, 11));
    assert!(watch_answers_now(&job, 1));
    let data = JobWatchData::of(job.clone(), 1);
    assert_eq!(data.seq, 2);
    assert_eq!(data.events.len(), 1);
    assert!(data.job.events.is_empty(), "the events travel once");
    changed(&mut job, 12, |j| j.state = JobState::Done);
    assert!(
        watch_answers_now(&job, job.seq()),
        "a finished job ends the watch"
    );
    let params: JobWatchParams = serde_json::from_str(r#"{"job":"j01"}"#).unwrap();
    assert_eq!((params.after, params.wait().as_secs()), (0, 20));
    let params: JobWatchParams =
        serde_json::from_str(r#"{"job":"j01","after":3,"wait_secs":600}"#).unwrap();
    assert_eq!((params.after, params.wait().as_secs()), (3, 25));
    let params: JobWatchParams = serde_json::from_str(r#"{"job":"j01","wait_secs":0}"#).unwrap();
    assert_eq!(params.wait().as_secs(), 1);
    assert!(serde_json::from_str::<JobWatchParams>(r#"{"job":"j01","since":3}"#).is_err());
    assert!(serde_json::from_str::<JobWatchParams>(r#"{"job":"j01","after":-1}"#).is_err());
}

#[test]
fn create_account_permission_from_the_users_policies() {
    use crate::policy::{Context, Policy};
    let policy = |name: &str, text: &str| Policy::parse(name, text).unwrap();
    let context = Context::new().with("aws:username", "alice");
    let admin = [policy(
        "Admin",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    )];
    let (permission, reason) = create_account_permission(&admin, None, &context);
    assert_eq!(permission, Permission::Allowed);
    assert_eq!(
        reason,
        "organizations:CreateAccount is allowed by Allow Admin: All (identity)"
    );
    let org_reader = [policy(
        "Reader",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["organizations:List*","organizations:Describe*"],"Resource":"*"}]}"#,
    )];
    let (permission, reason) = create_account_permission(&org_reader, None, &context);
    assert_eq!(permission, Permission::Denied);
    assert!(
        reason.starts_with("no identity policy of yours allows"),
        "{reason}"
    );
    let denied = [
        admin[0].clone(),
        policy(
            "NoNewAccounts",
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"Stop","Effect":"Deny","Action":"organizations:Create*","Resource":"*"}]}"#,
        ),
    ];
    let (permission, reason) = create_account_permission(&denied, None, &context);
    assert_eq!(permission, Permission::Denied);
    assert!(reason.contains("Deny NoNewAccounts: Stop"), "{reason}");
    // Allowed by the identity policy, but the boundary does not allow it.
    let (permission, reason) = create_account_permission(&admin, Some(&org_reader[..]), &context);
    assert_eq!(permission, Permission::Denied);
    assert!(reason.contains("boundary"), "{reason}");
    let with_mfa = [policy(
        "MfaOnly",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"organizations:CreateAccount","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
    )];
    let (permission, reason) = create_account_permission(&with_mfa, None, &context);
    assert_eq!(permission, Permission::Unknown);
    assert!(reason.contains("aws:MultiFactorAuthPresent"), "{reason}");
}
