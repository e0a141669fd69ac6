//! Data-driven tests of request parsing: each case shows the reply a receiver sends.

use expect_test::{expect, Expect};

use super::*;

/// Parse `input` and show either the request read or the error reply it earns.
#[track_caller]
fn check(input: &[u8], expect: Expect) {
    let shown = match parse_request(input) {
        Ok(envelope) => format!("ok id={} {:?}", envelope.id.as_value(), envelope.request),
        Err(rejected) => String::from_utf8_lossy(&rejected.into_reply().to_bytes()).into_owned(),
    };
    expect.assert_eq(&shown);
}

#[test]
fn good_requests() {
    check(br#"{"id":1,"type":"ping"}"#, expect![[r#"ok id=1 Ping"#]]);
    check(
        br#"{"type":"status","id":"abc"}"#,
        expect![[r#"ok id="abc" Status"#]],
    );
    check(
        br#"{"id":7,"type":"hello","protocol_version":1,"app_version":"0.1.0","capabilities":["x"]}"#,
        expect![[r#"ok id=7 Hello(HelloParams { protocol_version: 1, app_version: Some("0.1.0"), capabilities: ["x"] })"#]],
    );
    check(
        br#"{"id":7,"type":"hello","protocol_version":1}"#,
        expect![[
            r#"ok id=7 Hello(HelloParams { protocol_version: 1, app_version: None, capabilities: [] })"#
        ]],
    );
}

#[test]
fn aws_requests() {
    check(
        br#"{"id":1,"type":"accounts.list","profile":"work","refresh":true}"#,
        expect![[
            r#"ok id=1 AccountsList(AccountsListParams { profile: Some("work"), refresh: true })"#
        ]],
    );
    check(
        br#"{"id":2,"type":"identity"}"#,
        expect!["ok id=2 Identity(ProfileParams { profile: None })"],
    );
    check(
        br#"{"id":3,"type":"mfa.submit","code":"123456"}"#,
        expect![[r#"ok id=3 MfaSubmit(MfaSubmitParams { profile: None, code: "123456" })"#]],
    );
    check(
        br#"{"id":4,"type":"mfa.submit"}"#,
        expect![[
            r#"{"id":4,"status":"error","error":{"code":"invalid_params","message":"bad parameters for \"mfa.submit\": missing field `code`"}}"#
        ]],
    );
    check(
        br#"{"id":5,"type":"credentials.rotate","profile":"p","secret":"x"}"#,
        expect![[
            r#"{"id":5,"status":"error","error":{"code":"invalid_params","message":"bad parameters for \"credentials.rotate\": unknown field `secret`, expected `profile`"}}"#
        ]],
    );
}

#[test]
fn mfa_wait_requests() {
    check(
        br#"{"id":1,"type":"mfa.wait","profile":"work","wait_secs":5,"asker":"switchyard credential-process"}"#,
        expect![[r#"ok id=1 MfaWait(MfaWaitParams { profile: Some("work"), wait_secs: Some(5), asker: Some("switchyard credential-process") })"#]],
    );
    check(
        br#"{"id":2,"type":"mfa.pending"}"#,
        expect!["ok id=2 MfaPending"],
    );
    check(
        br#"{"id":3,"type":"mfa.wait","code":"123456"}"#,
        expect![[
            r#"{"id":3,"status":"error","error":{"code":"invalid_params","message":"bad parameters for \"mfa.wait\": unknown field `code`, expected one of `profile`, `wait_secs`, `asker`"}}"#
        ]],
    );
    let wait = |secs| aws::MfaWaitParams {
        wait_secs: secs,
        ..aws::MfaWaitParams::default()
    };
    assert_eq!(wait(None).wait().as_secs(), 20);
    assert_eq!(wait(Some(0)).wait().as_secs(), 1);
    assert_eq!(wait(Some(600)).wait().as_secs(), 25);
}

#[test]
fn provisioning_requests() {
    check(
        br#"{"id":1,"type":"account.create","name":"Client A","email":"a@example.com","users":["bob"],"tags":{"team":"blue"}}"#,
        expect![[r#"ok id=1 AccountCreate(CreateAccountParams { profile: None, name: "Client A", email: "a@example.com", role_name: None, group_name: None, policy_name: None, users: ["bob"], tags: {"team": "blue"}, ou_id: None, role_policies: [], iam_user_access_to_billing: None, identity_center: None, display_name: None, color: None, without_iam_group: false })"#]],
    );
    check(
        br#"{"id":2,"type":"job.status","job":"j01"}"#,
        expect![[r#"ok id=2 JobStatus(JobIdParams { job: "j01" })"#]],
    );
    check(
        br#"{"id":3,"type":"jobs.list"}"#,
        expect!["ok id=3 JobsList"],
    );
    check(
        br#"{"id":4,"type":"jobs.cancel"}"#,
        expect![[
            r#"{"id":4,"status":"error","error":{"code":"invalid_params","message":"bad parameters for \"jobs.cancel\": missing field `job`"}}"#
        ]],
    );
    check(
        br#"{"id":5,"type":"job.watch","job":"j01","after":3}"#,
        expect![[r#"ok id=5 JobWatch(JobWatchParams { job: "j01", after: 3, wait_secs: None })"#]],
    );
    check(
        br#"{"id":6,"type":"job.watch","after":3}"#,
        expect![[
            r#"{"id":6,"status":"error","error":{"code":"invalid_params","message":"bad parameters for \"job.watch\": missing field `job`"}}"#
        ]],
    );
    check(
        br#"{"id":8,"type":"jobs.prune","older_than_secs":86400,"dry_run":true}"#,
        expect![
            "ok id=8 JobsPrune(JobsPruneParams { older_than_secs: Some(86400), dry_run: true })"
        ],
    );
    check(
        br#"{"id":9,"type":"jobs.prune"}"#,
        expect!["ok id=9 JobsPrune(JobsPruneParams { older_than_secs: None, dry_run: false })"],
    );
    check(
        br#"{"id":10,"type":"jobs.prune","older_than":"30d"}"#,
        expect![[
            r#"{"id":10,"status":"error","error":{"code":"invalid_params","message":"bad parameters for \"jobs.prune\": unknown field `older_than`, expected `older_than_secs` or `dry_run`"}}"#
        ]],
    );
    check(
        br#"{"id":7,"type":"provision.allowed","profile":"admin"}"#,
        expect![[r#"ok id=7 ProvisionAllowed(ProfileParams { profile: Some("admin") })"#]],
    );
    check(
        br#"{"id":9,"type":"credentials.get","profile":"work","role_arn":"arn:aws:iam::123456789012:role/Admin"}"#,
        expect![[r#"ok id=9 CredentialsGet(CredentialsGetParams { profile: Some("work"), role_arn: Some("arn:aws:iam::123456789012:role/Admin"), duration_secs: None })"#]],
    );
    check(
        br#"{"id":10,"type":"credentials.get","secret_access_key":"x"}"#,
        expect![[
            r#"{"id":10,"status":"error","error":{"code":"invalid_params","message":"bad parameters for \"credentials.get\": unknown field `secret_access_key`, expected one of `profile`, `role_arn`, `duration_secs`"}}"#
        ]],
    );
    check(
        br#"{"id":11,"type":"sessions.end","all":true}"#,
        expect!["ok id=11 SessionsEnd(SessionsEndParams { profile: None, all: true })"],
    );
    check(
        br#"{"id":8,"type":"account.create","name":"A","email":"a@example.com","iam_user_access_to_billing":"NO"}"#,
        expect![[r#"{"id":8,"status":"error","error":{"code":"invalid_params","message":"bad parameters for \"account.create\": unknown variant `NO`, expected `ALLOW` or `DENY`"}}"#]],
    );
}

#[test]
fn bad_requests() {
    check(
        b"",
        expect![[
            r#"{"id":null,"status":"error","error":{"code":"invalid_json","message":"the message is not valid JSON: EOF while parsing a value at line 1 column 0"}}"#
        ]],
    );
    check(
        b"\xff\xfe{}",
        expect![[
            r#"{"id":null,"status":"error","error":{"code":"invalid_utf8","message":"the message is not valid UTF-8 (at byte 0)"}}"#
        ]],
    );
    check(
        b"[1,2]",
        expect![[
            r#"{"id":null,"status":"error","error":{"code":"not_an_object","message":"a request must be a JSON object, not an array"}}"#
        ]],
    );
    check(
        b"\"hello\"",
        expect![[
            r#"{"id":null,"status":"error","error":{"code":"not_an_object","message":"a request must be a JSON object, not a string"}}"#
        ]],
    );
    check(
        br#"{"id":1,"type":"ping""#,
        expect![[
            r#"{"id":null,"status":"error","error":{"code":"invalid_json","message":"the message is not valid JSON: EOF while parsing an object at line 1 column 21"}}"#
        ]],
    );
    check(
        br#"{"type":"ping"}"#,
        expect![[
            r#"{"id":null,"status":"error","error":{"code":"invalid_request","message":"the request has no \"id\"; give every request a string or number id"}}"#
        ]],
    );
    check(
        br#"{"id":{"a":1},"type":"ping"}"#,
        expect![[
            r#"{"id":null,"status":"error","error":{"code":"invalid_request","message":"\"id\" must be a string or a number, not an object"}}"#
        ]],
    );
    check(
        br#"{"id":3}"#,
        expect![[
            r#"{"id":3,"status":"error","error":{"code":"invalid_request","message":"the request has no \"type\""}}"#
        ]],
    );
    check(
        br#"{"id":3,"type":5}"#,
        expect![[
            r#"{"id":3,"status":"error","error":{"code":"invalid_request","message":"\"type\" must be a string, not a number"}}"#
        ]],
    );
    check(
        br#"{"id":"x","type":"launch_missiles"}"#,
        expect![[
            r#"{"id":"x","status":"error","error":{"code":"unknown_type","message":"unknown request type \"launch_missiles\"; this daemon understands: hello, ping, status, identity, accounts.list, mfa.submit, credentials.rotate, roles.list, roles.import, switch.federate, users.list, users.create, users.remove, account.create, jobs.list, job.status, jobs.resume, jobs.cancel, mfa.setup, mfa.enable, account.close, account.check_email, profiles.list, roles.sources, job.watch, provision.allowed, accounts.set, credentials.get, sessions.end, account.root, identity_center.options, sso.login, sso.status, sso.logout, jobs.prune, mfa.wait, mfa.pending, closures.list"}}"#
        ]],
    );
    check(
        br#"{"id":4,"type":"hello"}"#,
        expect![[
            r#"{"id":4,"status":"error","error":{"code":"invalid_params","message":"bad parameters for \"hello\": missing field `protocol_version`"}}"#
        ]],
    );
    check(
        br#"{"id":4,"type":"hello","protocol_version":"one"}"#,
        expect![[
            r#"{"id":4,"status":"error","error":{"code":"invalid_params","message":"bad parameters for \"hello\": invalid type: string \"one\", expected u32"}}"#
        ]],
    );
    check(
        br#"{"id":4,"type":"ping","extra":true}"#,
        expect![[
            r#"{"id":4,"status":"error","error":{"code":"invalid_params","message":"bad parameters for \"ping\": unknown field `extra`, it takes none"}}"#
        ]],
    );
}

#[test]
fn deeply_nested_json_is_refused_before_parsing() {
    let deep = format!(
        r#"{{"id":1,"type":"ping","x":{}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    check(
        deep.as_bytes(),
        expect![[
            r#"{"id":null,"status":"error","error":{"code":"nesting_too_deep","message":"the message nests 100001 levels deep; at most 32 are allowed"}}"#
        ]],
    );
    assert_eq!(peek_request_id(deep.as_bytes()), RequestId::unknown());
}

#[test]
fn peek_finds_the_id_without_validating() {
    assert_eq!(
        peek_request_id(br#"{"id":9,"type":"nope"}"#),
        RequestId::number(9)
    );
    assert_eq!(peek_request_id(br#"{"id":"a"}"#), RequestId::string("a"));
    assert_eq!(peek_request_id(br#"{"id":[1]}"#), RequestId::unknown());
    assert_eq!(peek_request_id(b"garbage"), RequestId::unknown());
}

#[test]
fn replies_round_trip_and_keep_their_shape() {
    let reply = Reply::ok(RequestId::number(1), &HelloData::current());
    let text = String::from_utf8(reply.to_bytes()).unwrap();
    expect![[r#"{"id":1,"status":"ok","data":{"app_version":"0.1.0","capabilities":["hello","ping","status","identity","accounts.list","mfa.submit","credentials.rotate","roles.list","roles.import","switch.federate","users.list","users.create","users.remove","account.create","jobs.list","job.status","jobs.resume","jobs.cancel","mfa.setup","mfa.enable","account.close","account.check_email","profiles.list","roles.sources","job.watch","provision.allowed","accounts.set","credentials.get","sessions.end","account.root","identity_center.options","sso.login","sso.status","sso.logout","jobs.prune","mfa.wait","mfa.pending","closures.list"],"min_protocol_version":1,"protocol_version":1}}"#]].assert_eq(&text);
    let back: Reply = serde_json::from_str(&text).unwrap();
    assert_eq!(
        back.into_result::<HelloData>().unwrap(),
        HelloData::current()
    );

    let status = StatusData {
        daemon_version: "0.1.0".into(),
        protocol_version: 1,
        pid: 42,
        uptime_secs: 3,
        credentials: CredentialsState {
            configured: false,
            source: None,
        },
        aws: AwsTarget::LocalStandIn {
            endpoint: "http://127.0.0.1:5000".into(),
        },
    };
    expect![[r#"{"id":"s","status":"ok","data":{"aws":{"endpoint":"http://127.0.0.1:5000","kind":"local_stand_in"},"credentials":{"configured":false},"daemon_version":"0.1.0","pid":42,"protocol_version":1,"uptime_secs":3}}"#]]
        .assert_eq(&String::from_utf8(Reply::ok(RequestId::string("s"), &status).to_bytes()).unwrap());
}

#[test]
fn requests_serialize_to_the_envelope() {
    let text = Request::hello()
        .to_envelope(&RequestId::number(5))
        .to_string();
    expect![[r#"{"app_version":"0.1.0","id":5,"protocol_version":1,"type":"hello"}"#]]
        .assert_eq(&text);
    assert_eq!(
        parse_request(text.as_bytes()).unwrap().request,
        Request::hello()
    );
}

#[test]
fn protocol_versions_are_checked() {
    let mut params = HelloParams {
        protocol_version: 1,
        app_version: None,
        capabilities: vec![],
    };
    assert!(check_protocol_version(&params).is_ok());
    params.protocol_version = 2;
    let err = check_protocol_version(&params).unwrap_err();
    assert_eq!(err.code, ErrorCode::UnsupportedProtocolVersion);
    params.protocol_version = 0;
    assert!(check_protocol_version(&params).is_err());
}

#[test]
fn error_codes_are_stable_strings() {
    // Append-only: this list may grow at the end, never change.
    let all: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    expect!["invalid_json invalid_utf8 not_an_object nesting_too_deep invalid_request unknown_type invalid_params unsupported_protocol_version message_too_large reply_too_large frame_truncated origin_not_allowed daemon_unavailable peer_not_allowed host_not_registered host_forbidden host_disconnected timeout internal credentials_missing keyring_unavailable aws_auth_failed aws_throttled aws_unreachable aws_failed mfa_required mfa_code_invalid access_denied invalid_target signin_failed signin_unreachable invalid_user_name password_policy_violation user_exists user_not_found confirmation_mismatch invalid_account_request email_in_use account_creation_failed job_not_found job_not_resumable close_not_allowed state_dir_unwritable reading_expired daemon_not_trusted type_not_relayed name_in_use self_removal account_closed root_access_off sso_login_required sso_login_failed close_quota_reached"]
        .assert_eq(&all.join(" "));
    for code in ErrorCode::ALL {
        let json = serde_json::to_string(code).unwrap();
        assert_eq!(json, format!("\"{}\"", code.as_str()));
    }
}

#[test]
fn ok_bytes_are_a_reply_encoded() {
    let data = HelloData::current();
    for id in [
        RequestId::number(7),
        RequestId::string("x"),
        RequestId::unknown(),
    ] {
        let direct: Value = serde_json::from_slice(&Reply::ok_bytes(&id, &data)).unwrap();
        let via_reply: Value =
            serde_json::from_slice(&Reply::ok(id.clone(), &data).to_bytes()).unwrap();
        assert_eq!(direct, via_reply);
    }
}

#[test]
fn the_extension_fills_in_its_profile_only_where_a_message_takes_one() {
    let filled = |text: &str| {
        let request = parse_request(text.as_bytes()).unwrap().request;
        let request = request.with_default_profile(Some("work"));
        serde_json::to_string(&request.to_envelope(&RequestId::number(1))).unwrap()
    };
    expect_test::expect![[r#"{"id":1,"profile":"work","type":"identity"}"#]]
        .assert_eq(&filled(r#"{"id":1,"type":"identity"}"#));
    expect_test::expect![[r#"{"id":1,"profile":"other","type":"roles.list"}"#]]
        .assert_eq(&filled(r#"{"id":1,"type":"roles.list","profile":"other"}"#));
    expect_test::expect![[r#"{"id":1,"type":"jobs.list"}"#]]
        .assert_eq(&filled(r#"{"id":1,"type":"jobs.list"}"#));
    expect_test::expect![[r#"{"id":1,"type":"profiles.list"}"#]]
        .assert_eq(&filled(r#"{"id":1,"type":"profiles.list"}"#));
}

#[test]
fn parameterless_messages_refuse_unknown_parameters() {
    check(
        br#"{"id":1,"type":"ping","x":1}"#,
        expect![[
            r#"{"id":1,"status":"error","error":{"code":"invalid_params","message":"bad parameters for \"ping\": unknown field `x`, it takes none"}}"#
        ]],
    );
    check(
        br#"{"id":2,"type":"status","verbose":true}"#,
        expect![[
            r#"{"id":2,"status":"error","error":{"code":"invalid_params","message":"bad parameters for \"status\": unknown field `verbose`, it takes none"}}"#
        ]],
    );
    check(
        br#"{"id":3,"type":"jobs.list","profile":"work"}"#,
        expect![[
            r#"{"id":3,"status":"error","error":{"code":"invalid_params","message":"bad parameters for \"jobs.list\": unknown field `profile`, it takes none"}}"#
        ]],
    );
    check(
        br#"{"id":4,"type":"profiles.list","all":null}"#,
        expect![[
            r#"{"id":4,"status":"error","error":{"code":"invalid_params","message":"bad parameters for \"profiles.list\": unknown field `all`, it takes none"}}"#
        ]],
    );
    // Every message that may be sent without parameters refuses one it does not know.
    let mut parameterless = Vec::new();
    for kind in Request::TYPES {
        let bare = format!(r#"{{"id":1,"type":"{kind}"}}"#);
        if parse_request(bare.as_bytes()).is_err() {
            continue;
        }
        if Request::takes_no_parameters(kind) {
            parameterless.push(*kind);
        }
        let extra = format!(r#"{{"id":1,"type":"{kind}","no_such_parameter":1}}"#);
        let rejected = parse_request(extra.as_bytes()).expect_err(kind);
        assert_eq!(rejected.error.code, ErrorCode::InvalidParams, "{kind}");
        assert!(
            rejected.error.message.contains("no_such_parameter"),
            "{kind}: {}",
            rejected.error.message
        );
    }
    assert_eq!(
        parameterless,
        [
            "ping",
            "status",
            "jobs.list",
            "profiles.list",
            "mfa.pending",
            "closures.list"
        ]
    );
}
