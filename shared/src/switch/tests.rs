//! Table-driven tests of the switch logic: hosts, target checks, the three request shapes,
//! the switch link, federation URLs and where to land.

use super::*;
use crate::protocol::roles::{TargetDecision, TargetSource};

fn target() -> SwitchTarget {
    SwitchTarget::new(
        "aws",
        "111111111111",
        "AcmeProduction",
        "Prod & Co",
        "#E6194B",
    )
    .unwrap()
}

#[test]
fn partitions_have_their_hosts() {
    let table = [
        ("aws", "signin.aws.amazon.com", "console.aws.amazon.com"),
        (
            "aws-us-gov",
            "signin.amazonaws-us-gov.com",
            "console.amazonaws-us-gov.com",
        ),
        ("aws-cn", "signin.amazonaws.cn", "console.amazonaws.cn"),
    ];
    for (name, signin, console) in table {
        let p = Partition::from_name(name).unwrap();
        assert_eq!(
            (p.name(), p.signin_host(), p.console_host()),
            (name, signin, console)
        );
        assert_eq!(signin_partition(signin), Some(p));
        assert_eq!(console_host(console).map(|h| h.partition), Some(p));
    }
    assert_eq!(Partition::from_name("aws-iso"), None);
    assert_eq!(
        Partition::Aws.signin_host_in(Some("us-east-1")),
        "us-east-1.signin.aws.amazon.com"
    );
    assert_eq!(
        Partition::AwsCn.signin_host_in(Some("cn-north-1")),
        "cn-north-1.signin.amazonaws.cn"
    );
    assert_eq!(
        Partition::Aws.signin_host_in(Some("evil.example/")),
        "signin.aws.amazon.com"
    );
    assert_eq!(Partition::Aws.signin_host_in(None), "signin.aws.amazon.com");
}

#[test]
fn sign_in_hosts_are_recognized_and_look_alikes_are_not() {
    let table = [
        ("signin.aws.amazon.com", Some(Partition::Aws)),
        ("US-EAST-1.signin.aws.amazon.com", Some(Partition::Aws)),
        (
            "us-gov-west-1.signin.amazonaws-us-gov.com",
            Some(Partition::AwsUsGov),
        ),
        ("cn-northwest-1.signin.amazonaws.cn", Some(Partition::AwsCn)),
        ("signin.aws.amazon.com.evil.example", None),
        ("evilsignin.aws.amazon.com", None),
        ("a.b.signin.aws.amazon.com", None),
        (".signin.aws.amazon.com", None),
        ("console.aws.amazon.com", None),
    ];
    for (host, want) in table {
        assert_eq!(signin_partition(host), want, "{host}");
    }
}

#[test]
fn console_hosts_give_region_and_session_prefix() {
    let table = [
        ("console.aws.amazon.com", Some((Partition::Aws, None, None))),
        (
            "eu-west-1.console.aws.amazon.com",
            Some((Partition::Aws, Some("eu-west-1"), None)),
        ),
        (
            "111111111111-abcd1234.us-east-1.console.aws.amazon.com",
            Some((
                Partition::Aws,
                Some("us-east-1"),
                Some("111111111111-abcd1234"),
            )),
        ),
        (
            "us-gov-west-1.console.amazonaws-us-gov.com",
            Some((Partition::AwsUsGov, Some("us-gov-west-1"), None)),
        ),
        ("console.aws.amazon.com.evil.example", None),
        ("a.b.c.console.aws.amazon.com", None),
        ("x_y.us-east-1.console.aws.amazon.com", None),
        ("example.com", None),
    ];
    for (host, want) in table {
        let got = console_host(host).map(|h| (h.partition, h.region, h.session_prefix));
        let want = want.map(|(p, r, s): (Partition, Option<&str>, Option<&str>)| {
            (p, r.map(str::to_owned), s.map(str::to_owned))
        });
        assert_eq!(got, want, "{host}");
    }
}

#[test]
fn targets_are_checked_before_any_request() {
    let ok = ("aws", "111111111111", "Admin", "", "");
    type Parts<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);
    let table: [(Parts, Option<InvalidTarget>); 12] = [
        (ok, None),
        (
            ("aws", "11111111111", "Admin", "", ""),
            Some(InvalidTarget::AccountId("11111111111".into())),
        ),
        (
            ("aws", "1111111111a1", "Admin", "", ""),
            Some(InvalidTarget::AccountId("1111111111a1".into())),
        ),
        (
            ("aws", "111111111111", "", "", ""),
            Some(InvalidTarget::RoleName("".into())),
        ),
        (
            ("aws", "111111111111", "Ad min", "", ""),
            Some(InvalidTarget::RoleName("Ad min".into())),
        ),
        (("aws", "111111111111", "ops/Admin", "", ""), None),
        (
            ("aws", "111111111111", "ops//Admin", "", ""),
            Some(InvalidTarget::RoleName("ops//Admin".into())),
        ),
        (
            ("aws", "111111111111", &"a".repeat(65), "", ""),
            Some(InvalidTarget::RoleName("a".repeat(65))),
        ),
        (
            ("aws", "111111111111", "Admin", &"é".repeat(65), ""),
            Some(InvalidTarget::DisplayName),
        ),
        (
            ("aws", "111111111111", "Admin", "a\nb", ""),
            Some(InvalidTarget::DisplayName),
        ),
        (
            ("aws", "111111111111", "Admin", "", "12345g"),
            Some(InvalidTarget::Color("12345g".into())),
        ),
        (
            ("aws-iso", "111111111111", "Admin", "", ""),
            Some(InvalidTarget::Partition("aws-iso".into())),
        ),
    ];
    for ((p, a, r, d, c), want) in table {
        assert_eq!(
            SwitchTarget::new(p, a, r, d, c).err(),
            want,
            "{a} {r} {d:?} {c}"
        );
    }
    let t = SwitchTarget::new("aws", "111111111111", "Admin", &"é".repeat(64), "#ABCDEF").unwrap();
    assert_eq!(t.color.as_deref(), Some("abcdef"));
    let t = SwitchTarget::new("aws", "111111111111", "ops/Admin", "", "").unwrap();
    assert_eq!(
        (t.display_name.as_str(), t.color),
        ("Admin @ 111111111111", None)
    );
}

#[test]
fn targets_from_arns_and_role_lists() {
    let t =
        SwitchTarget::from_arn("arn:aws-us-gov:iam::222222222222:role/ops/Admin", "", "").unwrap();
    assert_eq!(
        (t.partition, t.role_name.as_str()),
        (Partition::AwsUsGov, "ops/Admin")
    );
    assert_eq!(
        t.role_arn(),
        "arn:aws-us-gov:iam::222222222222:role/ops/Admin"
    );
    for bad in [
        "arn:aws:iam::*:role/Admin",
        "arn:aws:iam::111111111111:user/alice",
        "Admin",
    ] {
        assert_eq!(
            SwitchTarget::from_arn(bad, "", ""),
            Err(InvalidTarget::RoleArn(bad.into()))
        );
    }
    let listed = Target {
        role_arn: "arn:aws:iam::111111111111:role/AcmeProduction".into(),
        account_id: "111111111111".into(),
        account_name: Some("Acme Production".into()),
        also_named: None,
        role_name: "AcmeProduction".into(),
        display_name: "AcmeProduction @ Acme Production".into(),
        color: "e6194b".into(),
        region: None,
        sources: vec![TargetSource::Policy],
        decision: TargetDecision::Allowed,
        reasons: vec![],
        image: None,
        base: None,
        name_from: None,
        color_from: None,
        sso: None,
    };
    assert_eq!(
        SwitchTarget::from_target(&listed).unwrap(),
        SwitchTarget::new(
            "aws",
            "111111111111",
            "AcmeProduction",
            "AcmeProduction @ Acme Production",
            "e6194b"
        )
        .unwrap()
    );
    let wrong_account = Target {
        account_id: "12345".into(),
        ..listed.clone()
    };
    assert_eq!(
        SwitchTarget::from_target(&wrong_account),
        Err(InvalidTarget::AccountId("12345".into()))
    );
    let disagreeing = Target {
        account_id: "222222222222".into(),
        ..listed.clone()
    };
    assert!(matches!(
        SwitchTarget::from_target(&disagreeing),
        Err(InvalidTarget::RoleArn(_))
    ));
    let bad_name = Target {
        role_name: "a b".into(),
        ..listed
    };
    assert_eq!(
        SwitchTarget::from_target(&bad_name),
        Err(InvalidTarget::RoleName("a b".into()))
    );
}

#[test]
fn classic_form_has_exactly_the_console_fields() {
    let form = classic_form(
        &target(),
        "signin.aws.amazon.com",
        "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1",
        "csrf-token-1",
        false,
    );
    assert_eq!(form.action, "https://signin.aws.amazon.com/switchrole");
    let fields: Vec<(&str, &str)> = form
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("action", "switchFromBasis"),
            ("src", "nav"),
            ("roleName", "AcmeProduction"),
            ("account", "111111111111"),
            ("displayName", "Prod & Co"),
            ("color", "e6194b"),
            (
                "redirect_uri",
                "https%3A%2F%2Feu-west-1.console.aws.amazon.com%2Fec2%2Fhome%3Fregion%3Deu-west-1"
            ),
            ("mfaNeeded", "0"),
            ("csrf", "csrf-token-1"),
        ]
    );
    assert_eq!(
        form.body(),
        "action=switchFromBasis&src=nav&roleName=AcmeProduction&account=111111111111&displayName=Prod+%26+Co&color=e6194b&redirect_uri=https%253A%252F%252Feu-west-1.console.aws.amazon.com%252Fec2%252Fhome%253Fregion%253Deu-west-1&mfaNeeded=0&csrf=csrf-token-1"
    );
    let mfa = classic_form(
        &target(),
        "us-east-1.signin.aws.amazon.com",
        "https://x",
        "t",
        true,
    );
    assert_eq!(
        mfa.action,
        "https://us-east-1.signin.aws.amazon.com/switchrole"
    );
    assert!(mfa.fields.contains(&("mfaNeeded".into(), "1".into())));
}

#[test]
fn session_meta_tag_is_read_strictly() {
    let full = r#"{"prismModeEnabled":true,"signInEndpoint":"us-east-1.signin.aws.amazon.com","sessionDifferentiator":"111111111111-abcd","accountId":"111111111111"}"#;
    let table = [
        (
            full,
            SessionData {
                multi_session: true,
                signin_endpoint: Some("us-east-1.signin.aws.amazon.com".into()),
                session_differentiator: Some("111111111111-abcd".into()),
                account_id: Some("111111111111".into()),
            },
        ),
        (
            r#"{"prismModeEnabled":"true","signInEndpoint":"signin.aws.amazon.com.evil.example","sessionDifferentiator":""}"#,
            SessionData {
                multi_session: true,
                ..SessionData::default()
            },
        ),
        (r#"{"prismModeEnabled":1}"#, SessionData::default()),
        (r#"{"prismModeEnabled":"yes"}"#, SessionData::default()),
        ("not json", SessionData::default()),
        ("[1,2]", SessionData::default()),
        ("", SessionData::default()),
    ];
    for (content, want) in table {
        assert_eq!(SessionData::parse(content), want, "{content}");
    }
}

#[test]
fn multi_session_request_posts_the_json_to_the_session_url() {
    let session = SessionData::parse(
        r#"{"prismModeEnabled":true,"signInEndpoint":"us-east-1.signin.aws.amazon.com","sessionDifferentiator":"999999999999-abcd/x"}"#,
    );
    let post = multi_session_request(
        &target(),
        &session,
        "https://999999999999-abcd.us-east-1.console.aws.amazon.com/s3/buckets/my-bucket?region=us-east-1&tab=objects",
    )
    .unwrap();
    assert_eq!(
        post.url,
        "https://us-east-1.signin.aws.amazon.com/sessions/999999999999-abcd%2Fx/v1/switchrole"
    );
    let body: serde_json::Value = serde_json::from_str(&post.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "account": "111111111111",
            "roleName": "AcmeProduction",
            "displayName": "Prod & Co",
            "color": "e6194b",
            "redirectUri": "https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1",
        })
    );
    assert_eq!(
        multi_session_request(&target(), &SessionData::default(), "https://x"),
        Err(NotMultiSession::Off)
    );
    let partial = SessionData {
        multi_session: true,
        ..SessionData::default()
    };
    assert_eq!(
        multi_session_request(&target(), &partial, "https://x"),
        Err(NotMultiSession::Incomplete)
    );
}

#[test]
fn multi_session_destination_must_be_a_console_url() {
    let table = [
        (
            r#"{"destination":"https://222-x.us-east-1.console.aws.amazon.com/console/home"}"#,
            true,
        ),
        (
            r#"{"destination":"https://console.aws.amazon.com.evil.example/"}"#,
            false,
        ),
        (r#"{"destination":"http://console.aws.amazon.com/"}"#, false),
        (
            r#"{"destination":"https://u@console.aws.amazon.com/"}"#,
            false,
        ),
        (
            r#"{"destination":"https://console.aws.amazon.com:8443/"}"#,
            false,
        ),
        (r#"{"destination":"https://console.amazonaws.cn/"}"#, false),
        (r#"{"other":1}"#, false),
        ("<html>", false),
    ];
    for (reply, ok) in table {
        assert_eq!(
            multi_session_destination(reply, Partition::Aws).is_some(),
            ok,
            "{reply}"
        );
    }
}

#[test]
fn switch_link_is_encoded() {
    assert_eq!(
        switch_link(&target()),
        "https://signin.aws.amazon.com/switchrole?roleName=AcmeProduction&account=111111111111&displayName=Prod+%26+Co&color=e6194b"
    );
    let t =
        SwitchTarget::new("aws-cn", "222222222222", "ops/Read+Only", "Ré #1 = ok?", "").unwrap();
    assert_eq!(
        switch_link(&t),
        "https://signin.amazonaws.cn/switchrole?roleName=ops%2FRead%2BOnly&account=222222222222&displayName=R%C3%A9+%231+%3D+ok%3F"
    );
}

#[test]
fn federation_urls() {
    let session = federation_session_json("ASIAXAMPLE", "se/cr+et", "to=ken");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&session).unwrap(),
        serde_json::json!({"sessionId": "ASIAXAMPLE", "sessionKey": "se/cr+et", "sessionToken": "to=ken"})
    );
    assert_eq!(
        signin_token_url("https://signin.aws.amazon.com", &session, Some(3600)),
        "https://signin.aws.amazon.com/federation?Action=getSigninToken&SessionDuration=3600&Session=%7B%22sessionId%22%3A%22ASIAXAMPLE%22%2C%22sessionKey%22%3A%22se%2Fcr%2Bet%22%2C%22sessionToken%22%3A%22to%3Dken%22%7D"
    );
    let clamped = signin_token_url("https://127.0.0.1:9/", "{}", Some(60));
    assert_eq!(
        clamped,
        "https://127.0.0.1:9/federation?Action=getSigninToken&SessionDuration=900&Session=%7B%7D"
    );
    assert!(!signin_token_url("https://s", "{}", None).contains("SessionDuration"));
    assert_eq!(
        parse_signin_token(r#"{"SigninToken":"abc"}"#),
        Ok("abc".into())
    );
    for bad in [
        "",
        "{}",
        r#"{"SigninToken":""}"#,
        r#"{"SigninToken":1}"#,
        "<html>",
    ] {
        assert_eq!(parse_signin_token(bad), Err(NoSigninToken), "{bad}");
    }
    assert_eq!(
        login_url(
            "https://signin.aws.amazon.com",
            "https://switchyard.invalid/",
            "https://console.aws.amazon.com/console/home",
            "tok&en"
        ),
        "https://signin.aws.amazon.com/federation?Action=login&Issuer=https%3A%2F%2Fswitchyard.invalid%2F&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fconsole%2Fhome&SigninToken=tok%26en"
    );
    assert_eq!(
        logout_url(Partition::AwsUsGov),
        "https://signin.amazonaws-us-gov.com/oauth?Action=logout"
    );
    let login = "https://signin.aws.amazon.com/federation?Action=login&SigninToken=t";
    assert_eq!(
        federated_entry(login, Partition::Aws, "https://eu-west-1.console.aws.amazon.com/ec2/home"),
        "https://signin.aws.amazon.com/oauth?Action=logout&redirect_uri=https%3A%2F%2Fsignin.aws.amazon.com%2Ffederation%3FAction%3Dlogin%26SigninToken%3Dt"
    );
    for elsewhere in [
        "https://example.com/",
        "",
        "https://console.amazonaws.cn/",
        "https://signin.aws.amazon.com/x",
    ] {
        assert_eq!(
            federated_entry(login, Partition::Aws, elsewhere),
            login,
            "{elsewhere}"
        );
    }
    assert_eq!(
        federated_entry(login, Partition::AwsCn, "https://console.amazonaws.cn/"),
        format!(
            "https://signin.amazonaws.cn/oauth?Action=logout&redirect_uri={}",
            encode_component(login)
        )
    );
}

#[test]
fn destination_keeps_service_and_region_only() {
    let table = [
        (
            "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:instanceId=i-123",
            "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1",
        ),
        (
            "https://111111111111-abcd.us-east-1.console.aws.amazon.com/lambda/v2/home?region=us-west-2#/functions/f",
            "https://us-west-2.console.aws.amazon.com/lambda/v2/home?region=us-west-2",
        ),
        ("https://console.aws.amazon.com/iam/home#/roles", "https://console.aws.amazon.com/iam/home"),
        (
            "https://eu-west-1.console.aws.amazon.com/s3/buckets/mine?region=eu-west-1",
            "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1",
        ),
        (
            "https://eu-west-1.console.aws.amazon.com/ec2/home?region=../evil",
            "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1",
        ),
        ("https://console.aws.amazon.com.evil.example/ec2/home", "https://console.aws.amazon.com/console/home"),
        ("https://console.aws.amazon.com:444/ec2/home", "https://console.aws.amazon.com/console/home"),
        ("http://console.aws.amazon.com/ec2/home", "https://console.aws.amazon.com/console/home"),
        ("chrome://newtab/", "https://console.aws.amazon.com/console/home"),
        ("https://console.amazonaws.cn/ec2/home", "https://console.aws.amazon.com/console/home"),
        ("", "https://console.aws.amazon.com/console/home"),
    ];
    for (from, want) in table {
        assert_eq!(
            destination_after_switch(from, Partition::Aws),
            want,
            "{from}"
        );
    }
    assert_eq!(
        destination_after_switch(
            "https://cn-north-1.console.amazonaws.cn/vpc/home?region=cn-north-1",
            Partition::AwsCn
        ),
        "https://cn-north-1.console.amazonaws.cn/vpc/home?region=cn-north-1"
    );
}

#[test]
fn the_way_to_switch_follows_the_page() {
    let console = "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1";
    let multi = r#"{"prismModeEnabled":true,"signInEndpoint":"eu-west-1.signin.aws.amazon.com","sessionDifferentiator":"s1"}"#;
    let classic_meta =
        r#"{"prismModeEnabled":false,"signInEndpoint":"eu-west-1.signin.aws.amazon.com"}"#;
    let facts = |meta: Option<&str>, csrf: Option<&str>| PageFacts {
        session_meta: meta.map(str::to_owned),
        csrf: csrf.map(str::to_owned),
        user_info: None,
    };
    let kind = |plan: Plan| match plan {
        Plan::Classic(form) => format!("classic {}", form.action),
        Plan::MultiSession(post) => format!("multi {}", post.url),
        Plan::Federate { destination } => format!("federate {destination}"),
    };
    let table = [
        (
            console,
            Some(facts(Some(multi), Some("c"))),
            "multi https://eu-west-1.signin.aws.amazon.com/sessions/s1/v1/switchrole",
        ),
        (
            console,
            Some(facts(Some(classic_meta), Some("c"))),
            "classic https://eu-west-1.signin.aws.amazon.com/switchrole",
        ),
        (
            console,
            // No meta tag: the sign-in host of the page's region (eu-west-1).
            Some(facts(None, Some("c"))),
            "classic https://eu-west-1.signin.aws.amazon.com/switchrole",
        ),
        (
            console,
            Some(facts(Some(classic_meta), None)),
            &format!("federate {console}"),
        ),
        (
            console,
            Some(facts(Some(r#"{"prismModeEnabled":true}"#), Some("c"))),
            &format!("federate {console}"),
        ),
        (
            console,
            Some(facts(
                Some(r#"{"signInEndpoint":"signin.amazonaws.cn"}"#),
                Some("c"),
            )),
            &format!("federate {console}"),
        ),
        (console, None, &format!("federate {console}")),
        (
            "https://example.com/",
            Some(facts(Some(multi), Some("c"))),
            "federate https://example.com/",
        ),
        (
            "https://console.amazonaws.cn/",
            Some(facts(None, Some("c"))),
            "federate https://console.amazonaws.cn/",
        ),
    ];
    for (url, page, want) in table {
        assert_eq!(
            kind(plan(&target(), url, page.as_ref())),
            want,
            "{url} {page:?}"
        );
    }
    let Plan::Classic(form) = plan(&target(), console, Some(&facts(None, Some("tok")))) else {
        panic!("classic expected");
    };
    assert!(form.fields.contains(&("csrf".into(), "tok".into())));
    assert!(form.fields.contains(&(
        "redirect_uri".into(),
        encode_component("https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1")
    )));
}

#[test]
fn the_preferred_method_is_honoured_where_the_tab_allows_it() {
    use crate::settings::SwitchMethod;
    let console = "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1";
    let with_csrf = PageFacts {
        csrf: Some("c".into()),
        ..PageFacts::default()
    };
    let signed_out = PageFacts::default();
    let kind = |preferred: Preferred| match preferred {
        Preferred::Plan(Plan::Classic(_)) => "classic".to_owned(),
        Preferred::Plan(Plan::MultiSession(_)) => "multi".to_owned(),
        Preferred::Plan(Plan::Federate { destination }) => format!("federate {destination}"),
        Preferred::OpenConsole(url) => format!("open {url}"),
        Preferred::NoConsoleSession => "no console session".to_owned(),
    };
    let table = [
        (
            SwitchMethod::Auto,
            console,
            Some(&with_csrf),
            "classic".to_owned(),
        ),
        (
            SwitchMethod::Auto,
            "https://example.com/",
            None,
            "federate https://example.com/".to_owned(),
        ),
        (
            SwitchMethod::Federation,
            console,
            Some(&with_csrf),
            format!("federate {console}"),
        ),
        (
            SwitchMethod::Console,
            console,
            Some(&with_csrf),
            "classic".to_owned(),
        ),
        (
            SwitchMethod::Console,
            "https://example.com/",
            None,
            "open https://console.aws.amazon.com/console/home".to_owned(),
        ),
        (
            SwitchMethod::Console,
            "chrome://newtab/",
            None,
            "open https://console.aws.amazon.com/console/home".to_owned(),
        ),
        (
            SwitchMethod::Console,
            console,
            Some(&signed_out),
            "no console session".to_owned(),
        ),
    ];
    for (method, url, page, want) in table {
        assert_eq!(
            kind(plan_preferring(method, &target(), url, page)),
            want,
            "{method:?} {url}"
        );
    }
}

#[test]
fn only_a_sign_in_login_url_of_the_partition_is_opened() {
    let ok = [
        (
            Partition::Aws,
            "https://signin.aws.amazon.com/federation?Action=login&Issuer=https%3A%2F%2Fconsole.aws.amazon.com%2Fconsole%2Fhome&Destination=https%3A%2F%2Feu-west-1.console.aws.amazon.com%2Fec2%2Fhome%3Fregion%3Deu-west-1&SigninToken=tok",
        ),
        (
            Partition::Aws,
            "https://us-east-1.signin.aws.amazon.com/federation?Action=login&SigninToken=t",
        ),
        (
            Partition::Aws,
            "https://SIGNIN.aws.amazon.com:443/federation?Action=login&SigninToken=t",
        ),
        (
            Partition::AwsUsGov,
            "https://signin.amazonaws-us-gov.com/federation?Action=login&SigninToken=t",
        ),
        (
            Partition::AwsCn,
            "https://cn-north-1.signin.amazonaws.cn/federation?Action=login&SigninToken=t&Destination=https%3A%2F%2Fconsole.amazonaws.cn%2F",
        ),
    ];
    for (partition, url) in ok {
        assert_eq!(check_login_url(url, partition), Ok(()), "{url}");
    }
    // What the daemon itself builds passes.
    let built = login_url(
        "https://signin.aws.amazon.com",
        &console_home(Partition::Aws, None),
        &console_home(Partition::Aws, Some("eu-west-1")),
        "secret+token/=",
    );
    assert_eq!(check_login_url(&built, Partition::Aws), Ok(()));

    let q = "/federation?Action=login&SigninToken=t";
    let hostile = [
        ("javascript:alert(1)//https://signin.aws.amazon.com/federation?Action=login&SigninToken=t".to_owned(), "not an https"),
        (format!("http://signin.aws.amazon.com{q}"), "not an https"),
        (format!("HTTPS://signin.aws.amazon.com{q}"), "not an https"),
        (format!("data:text/html,https://signin.aws.amazon.com{q}"), "not an https"),
        (format!("https://evil.example{q}"), "not the partition's sign-in host"),
        (format!("https://signin.aws.amazon.com.evil.com{q}"), "not the partition's sign-in host"),
        (format!("https://signin.aws.amazon.com.{q}"), "not the partition's sign-in host"),
        (format!("https://evilsignin.aws.amazon.com{q}"), "not the partition's sign-in host"),
        (format!("https://a.b.signin.aws.amazon.com{q}"), "not the partition's sign-in host"),
        (format!("https://console.aws.amazon.com{q}"), "not the partition's sign-in host"),
        (format!("https://signin.amazonaws.cn{q}"), "not the partition's sign-in host"),
        (format!("https://signin.aws.amazon.com@evil.com{q}"), "user before the host"),
        (format!("https://user:pass@signin.aws.amazon.com{q}"), "user before the host"),
        (format!("https://evil.com\\@signin.aws.amazon.com{q}"), "backslashes"),
        (format!("https://signin.aws.amazon.com\\.evil.com{q}"), "backslashes"),
        (format!("https://signin.aws.amazon.com%2eevil.com{q}"), "percent-encoded"),
        (format!("https://signin%2Eaws.amazon.com{q}"), "percent-encoded"),
        (format!("https://signin.aws.amazon.com\t.evil.com{q}"), "control"),
        (format!("https://signin.aws.amazon.com\n{q}"), "control"),
        (format!(" https://signin.aws.amazon.com{q}"), "spaces"),
        (format!("https://signin.aws.amazon.сom{q}"), "non-ASCII"),
        (format!("https://signin.aws.amazon.com:8443{q}"), "port"),
        (format!("https://signin.aws.amazon.com:{q}"), "port"),
        (format!("https://signin.aws.amazon.com{q}#x"), "fragment"),
        ("https://signin.aws.amazon.com/federation/x?Action=login&SigninToken=t".to_owned(), "path"),
        ("https://signin.aws.amazon.com/oauth?Action=login&SigninToken=t".to_owned(), "path"),
        ("https://signin.aws.amazon.com/?Action=login&SigninToken=t".to_owned(), "path"),
        ("https://signin.aws.amazon.com//evil.com/federation?Action=login&SigninToken=t".to_owned(), "path"),
        ("https://signin.aws.amazon.com/federation?Action=logout&SigninToken=t".to_owned(), "Action is not login"),
        ("https://signin.aws.amazon.com/federation?Action=getSigninToken&Session=x".to_owned(), "Action is not login"),
        ("https://signin.aws.amazon.com/federation?Action=login&Action=logout&SigninToken=t".to_owned(), "Action is not login"),
        ("https://signin.aws.amazon.com/federation?Action=login&Action=login&SigninToken=t".to_owned(), "repeats"),
        ("https://signin.aws.amazon.com/federation?SigninToken=t".to_owned(), "no Action=login"),
        ("https://signin.aws.amazon.com/federation?action=login&SigninToken=t".to_owned(), "no Action=login"),
        ("https://signin.aws.amazon.com/federation?Action=login".to_owned(), "no SigninToken"),
        ("https://signin.aws.amazon.com/federation?Action=login&SigninToken=".to_owned(), "no SigninToken"),
        ("https://signin.aws.amazon.com/federation?Action=login&SigninToken=t&Destination=https%3A%2F%2Fevil.com%2F".to_owned(), "Destination"),
        ("https://signin.aws.amazon.com/federation?Action=login&SigninToken=t&Destination=javascript%3Aalert(1)".to_owned(), "Destination"),
        ("https://signin.aws.amazon.com/federation?Action=login&SigninToken=t&Destination=https%3A%2F%2Fconsole.aws.amazon.com.evil.com%2F".to_owned(), "Destination"),
        ("https://signin.aws.amazon.com/federation?Action=login&SigninToken=t&Destination=https%3A%2F%2Fx%40console.aws.amazon.com%2F".to_owned(), "Destination"),
        ("https://signin.aws.amazon.com/federation?Action=login&SigninToken=t&Destination=https%3A%2F%2Fconsole.amazonaws.cn%2F".to_owned(), "Destination"),
        (String::new(), "not an https"),
    ];
    for (url, why) in &hostile {
        let error = check_login_url(url, Partition::Aws).expect_err(url);
        assert!(error.why.contains(why), "{url:?}: {}", error.why);
        // The URL (it would hold a token) is never repeated.
        let text = error.to_string();
        assert!(
            !text.contains("evil") && !text.contains("Token=t"),
            "{text}"
        );
    }
    // A login URL of another partition is refused for this one.
    let cn = "https://signin.amazonaws.cn/federation?Action=login&SigninToken=t";
    assert!(check_login_url(cn, Partition::Aws).is_err());
    assert_eq!(check_login_url(cn, Partition::AwsCn), Ok(()));
}

#[test]
fn the_european_sovereign_cloud_and_regional_sign_in_hosts() {
    let eusc = Partition::from_name("aws-eusc").unwrap();
    assert_eq!(eusc.console_host(), "console.amazonaws-eusc.eu");
    assert_eq!(
        console_host("eusc-de-east-1.console.amazonaws-eusc.eu").map(|h| (h.partition, h.region)),
        Some((eusc, Some("eusc-de-east-1".into())))
    );
    assert_eq!(
        signin_partition("eusc-de-east-1.signin.amazonaws-eusc.eu"),
        Some(eusc)
    );
    // Worked out from partition and region; the partition's default region where it has
    // no global sign-in host; us-east-1 is the global host; a region of another partition
    // is not used.
    for (partition, region, host) in [
        (eusc, None, "eusc-de-east-1.signin.amazonaws-eusc.eu"),
        (
            eusc,
            Some("eusc-de-east-1"),
            "eusc-de-east-1.signin.amazonaws-eusc.eu",
        ),
        (
            eusc,
            Some("eu-west-1"),
            "eusc-de-east-1.signin.amazonaws-eusc.eu",
        ),
        (Partition::Aws, None, "signin.aws.amazon.com"),
        (Partition::Aws, Some("us-east-1"), "signin.aws.amazon.com"),
        (
            Partition::Aws,
            Some("eu-west-1"),
            "eu-west-1.signin.aws.amazon.com",
        ),
        (Partition::Aws, Some("cn-north-1"), "signin.aws.amazon.com"),
        (
            Partition::AwsCn,
            Some("cn-north-1"),
            "cn-north-1.signin.amazonaws.cn",
        ),
    ] {
        assert_eq!(
            partition.signin_host_for(region),
            host,
            "{partition:?} {region:?}"
        );
    }
    let target = SwitchTarget::from_arn(
        "arn:aws-eusc:iam::111111111111:role/Admin",
        "Sovereign admin",
        "",
    )
    .unwrap();
    assert_eq!(target.partition, eusc);
    assert_eq!(
        switch_link(&target),
        "https://eusc-de-east-1.signin.amazonaws-eusc.eu/switchrole?roleName=Admin&account=111111111111&displayName=Sovereign+admin"
    );
}

#[test]
fn a_console_page_without_its_meta_tag_still_switches() {
    // The console's regional pages once lost the awsc-session-data meta tag: the page's
    // CSRF token and region are enough for the classic switch, to the region's sign-in.
    let page = PageFacts {
        session_meta: None,
        csrf: Some("tok".into()),
        user_info: None,
    };
    let url = "https://eu-central-1.console.aws.amazon.com/ec2/home?region=eu-central-1";
    match plan(&target(), url, Some(&page)) {
        Plan::Classic(form) => {
            assert_eq!(
                form.action,
                "https://eu-central-1.signin.aws.amazon.com/switchrole"
            )
        }
        other => panic!("{other:?}"),
    }
    // And in the European Sovereign Cloud.
    let sovereign =
        SwitchTarget::from_arn("arn:aws-eusc:iam::111111111111:role/Admin", "", "").unwrap();
    let url = "https://eusc-de-east-1.console.amazonaws-eusc.eu/s3/home?region=eusc-de-east-1";
    match plan(&sovereign, url, Some(&page)) {
        Plan::Classic(form) => assert_eq!(
            form.action,
            "https://eusc-de-east-1.signin.amazonaws-eusc.eu/switchrole"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_targets_region_is_where_the_console_lands() {
    let from = "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:";
    let landing_in = |region: Option<&str>| {
        let t = target().landing_in(region);
        landing(from, &t)
    };
    assert_eq!(
        landing_in(Some("ap-southeast-2")),
        "https://ap-southeast-2.console.aws.amazon.com/ec2/home?region=ap-southeast-2"
    );
    assert_eq!(
        landing_in(None),
        "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1"
    );
    // A region of another partition is not the target's.
    assert_eq!(
        landing_in(Some("cn-north-1")),
        "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1"
    );
    // Every way of switching lands there: the classic form, the multi-session request,
    // federation's destination.
    let t = target().landing_in(Some("us-west-2"));
    let classic = PageFacts {
        session_meta: Some(r#"{"accountId":"222222222222"}"#.into()),
        csrf: Some("tok".into()),
        user_info: None,
    };
    match plan(&t, from, Some(&classic)) {
        Plan::Classic(form) => {
            assert!(form.body().contains("us-west-2.console"), "{}", form.body())
        }
        other => panic!("{other:?}"),
    }
    let multi = PageFacts {
        session_meta: Some(
            r#"{"prismModeEnabled":true,"signInEndpoint":"eu-west-1.signin.aws.amazon.com","sessionDifferentiator":"s1"}"#.into(),
        ),
        csrf: None,
        user_info: None,
    };
    match plan(&t, from, Some(&multi)) {
        Plan::MultiSession(post) => {
            assert!(post.body.contains("us-west-2.console"), "{}", post.body)
        }
        other => panic!("{other:?}"),
    }
    match plan(&t, "https://example.com/", None) {
        Plan::Federate { destination } => assert_eq!(
            destination,
            "https://us-west-2.console.aws.amazon.com/console/home?region=us-west-2"
        ),
        other => panic!("{other:?}"),
    }
    // From a target of roles.list.
    let mut listed = Target {
        role_arn: "arn:aws:iam::111111111111:role/Admin".into(),
        account_id: "111111111111".into(),
        account_name: None,
        also_named: None,
        role_name: "Admin".into(),
        display_name: "Admin".into(),
        color: "aaaaaa".into(),
        region: Some("sa-east-1".into()),
        sources: vec![TargetSource::Imported],
        decision: TargetDecision::Console,
        reasons: vec![],
        image: None,
        base: None,
        name_from: None,
        color_from: None,
        sso: None,
    };
    assert_eq!(
        SwitchTarget::from_target(&listed)
            .unwrap()
            .region
            .as_deref(),
        Some("sa-east-1")
    );
    listed.region = Some("not a region".into());
    assert_eq!(SwitchTarget::from_target(&listed).unwrap().region, None);
}
