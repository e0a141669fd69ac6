//! Tests of reading `~/.aws/config` for Identity Center, the start URL and Region checks,
//! the hosts of each partition, and the loopback callback.

use super::*;

#[test]
fn start_urls_are_checked_and_normalized() {
    for (raw, want) in [
        (
            "https://my-org.awsapps.com/start",
            "https://my-org.awsapps.com/start",
        ),
        (
            "https://my-org.awsapps.com/start#/",
            "https://my-org.awsapps.com/start",
        ),
        (
            " https://my-org.awsapps.com/start/ ",
            "https://my-org.awsapps.com/start",
        ),
        (
            "https://ssoins-7223ac1b0d6c1e2f.portal.us-east-1.app.aws",
            "https://ssoins-7223ac1b0d6c1e2f.portal.us-east-1.app.aws",
        ),
        (
            "https://start.us-gov-home.awsapps.com/directory/d-9067642ac7",
            "https://start.us-gov-home.awsapps.com/directory/d-9067642ac7",
        ),
    ] {
        assert_eq!(check_start_url(raw).as_deref(), Ok(want), "{raw}");
    }
    for bad in [
        "",
        "my-org.awsapps.com/start",
        "http://my-org.awsapps.com/start",
        "https://",
        "https:///start",
        "https://user@my-org.awsapps.com/start",
        "https://my-org.awsapps.com/start?x=1",
        "https://my org.awsapps.com/start",
        "https://my-org.awsapps.com/<script>",
        "javascript:alert(1)",
    ] {
        let err = check_start_url(bad).unwrap_err();
        assert!(matches!(err, SsoError::StartUrl(_)), "{bad}: {err}");
        assert!(err.to_string().contains("https://"), "{err}");
    }
}

#[test]
fn hosts_follow_the_region_and_its_partition() {
    assert_eq!(oidc_host("eu-west-1"), "oidc.eu-west-1.amazonaws.com");
    assert_eq!(oidc_host("cn-north-1"), "oidc.cn-north-1.amazonaws.com.cn");
    assert_eq!(
        oidc_host("us-gov-west-1"),
        "oidc.us-gov-west-1.amazonaws.com"
    );
    assert_eq!(
        oidc_host("eusc-de-east-1"),
        "oidc.eusc-de-east-1.amazonaws.eu"
    );
    assert_eq!(
        portal_host("eu-west-1"),
        "portal.sso.eu-west-1.amazonaws.com"
    );
    assert_eq!(check_region(" eu-west-1 ").as_deref(), Ok("eu-west-1"));
    assert!(check_region("Europe").is_err());
    assert_eq!(
        name_for_start_url("https://my-org.awsapps.com/start"),
        "my-org"
    );
    assert_eq!(
        name_for_start_url("https://ssoins-1.portal.us-east-1.app.aws"),
        "ssoins-1.portal.us-east-1.app.aws"
    );
}

#[test]
fn the_authorize_url_carries_what_the_aws_cli_sends() {
    let url = authorize_url(
        "https://oidc.eu-west-1.amazonaws.com/",
        "client-1",
        "http://127.0.0.1:4711/oauth/callback",
        "state-1",
        "challenge-1",
    );
    assert_eq!(
        url,
        "https://oidc.eu-west-1.amazonaws.com/authorize?response_type=code&client_id=client-1\
         &redirect_uri=http%3A%2F%2F127.0.0.1%3A4711%2Foauth%2Fcallback&state=state-1\
         &code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess&code_challenge=challenge-1"
    );
}

#[test]
fn the_callback_gives_the_code_only_for_this_sign_ins_state() {
    assert_eq!(
        read_callback("code=abc&state=s1", "s1").as_deref(),
        Ok("abc")
    );
    assert_eq!(
        read_callback("code=abc&state=other", "s1"),
        Err(SsoError::StateMismatch)
    );
    assert_eq!(
        read_callback("code=abc", "s1"),
        Err(SsoError::StateMismatch)
    );
    assert_eq!(read_callback("state=s1", "s1"), Err(SsoError::NoCode));
    assert_eq!(read_callback("state=s1&code=", "s1"), Err(SsoError::NoCode));
    let denied = read_callback(
        "error=access_denied&error_description=User+said+no&state=s1",
        "s1",
    )
    .unwrap_err();
    assert_eq!(
        denied.to_string(),
        "the sign-in was refused in the browser: access_denied (User said no)"
    );
    // An error for another sign-in's state is a mismatch, not this sign-in's refusal.
    assert_eq!(
        read_callback("error=access_denied&state=x", "s1"),
        Err(SsoError::StateMismatch)
    );
}

#[test]
fn aws_config_sessions_and_profiles_are_read_as_the_aws_cli_reads_them() {
    let text = "\
[sso-session acme]
sso_start_url = https://acme.awsapps.com/start#/
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile acme-admin]
sso_session = acme
sso_account_id = 111111111111
sso_role_name = AdministratorAccess
region = eu-central-1

[profile legacy]
sso_start_url = https://old-org.awsapps.com/start
sso_region = us-east-1
sso_account_id = 222222222222
sso_role_name = ReadOnly

[profile same-as-acme]
sso_start_url = https://acme.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 333333333333
sso_role_name = Billing

[profile login-only]
sso_session = acme

[profile keyed]
region = eu-west-1

[profile dangling]
sso_session = nosuch
sso_account_id = 111111111111
sso_role_name = X

[profile half]
sso_session = acme
sso_account_id = 111111111111

[profile bad-account]
sso_session = acme
sso_account_id = 1111
sso_role_name = X

[sso-session broken]
sso_start_url = not a url
sso_region = eu-west-1

[sso-session noregion]
sso_start_url = https://x.awsapps.com/start
";
    let config = read_aws_config(text);
    assert_eq!(
        config.sessions,
        vec![
            SsoSession {
                name: "acme".into(),
                start_url: "https://acme.awsapps.com/start".into(),
                region: "eu-west-1".into()
            },
            SsoSession {
                name: "old-org".into(),
                start_url: "https://old-org.awsapps.com/start".into(),
                region: "us-east-1".into()
            },
        ]
    );
    let names: Vec<(&str, &str, &str)> = config
        .profiles
        .iter()
        .map(|p| (p.name.as_str(), p.session.as_str(), p.account_id.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("acme-admin", "acme", "111111111111"),
            ("legacy", "old-org", "222222222222"),
            ("same-as-acme", "acme", "333333333333"),
        ]
    );
    assert_eq!(
        config.profile("acme-admin").unwrap().region.as_deref(),
        Some("eu-central-1")
    );
    let skipped: Vec<String> = config
        .skipped
        .iter()
        .map(|s| format!("{}: {}", s.what, s.why))
        .collect();
    assert_eq!(skipped.len(), 5, "{skipped:#?}");
    for (i, needle) in [
        "sso-session broken",
        "sso-session noregion",
        "dangling",
        "half",
        "bad-account",
    ]
    .iter()
    .enumerate()
    {
        assert!(skipped[i].starts_with(needle), "{i}: {skipped:#?}");
    }
    assert!(skipped[1].contains("no sso_region"), "{skipped:#?}");
    assert!(
        skipped[2].contains("no [sso-session] section"),
        "{skipped:#?}"
    );
}
