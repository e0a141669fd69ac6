//! Integration: `whoami`, `accounts`, `mfa` and `credentials rotate` through the CLI and the
//! daemon, with keys in a real Secret Service (gnome-keyring) and AWS played by moto, plus
//! a fault-injecting proxy for what moto does not do (throttling, rejected MFA codes,
//! expired sessions). Each test has its own moto, keyring, daemon and folders.

mod support;

use std::process::Output;

use aws_config::SdkConfig;
use serde_json::Value;
use support::fault_proxy::{FaultProxy, Rule};
use support::{admin, json, text, user, Moto, Sandbox};

/// moto's default account: the organization's management account in these tests.
const MANAGEMENT: &str = "123456789012";
/// Member accounts made, more than one ListAccounts page (20).
const MEMBERS: usize = 24;

/// No file of the sandbox outside the keyring's own (encrypted) store holds `secret`:
/// not the config, the accounts cache or the daemon's log.
fn assert_nowhere_on_disk(home: &std::path::Path, secret: &str) {
    let mut stack = vec![home.to_owned()];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path != home.join("data") {
                    stack.push(path);
                }
            } else if let Ok(bytes) = std::fs::read(&path) {
                seen += 1;
                assert!(
                    !String::from_utf8_lossy(&bytes).contains(secret),
                    "a secret is in {}",
                    path.display()
                );
            }
        }
    }
    assert!(seen >= 2, "the config and the daemon's log were checked");
}

fn error_code(out: &Output) -> String {
    assert!(!out.status.success(), "expected a failure: {}", text(out));
    json(out)["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// An organization with MEMBERS accounts, every third one tagged.
async fn organization(config: &SdkConfig) {
    let org = aws_sdk_organizations::Client::new(config);
    org.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .unwrap();
    for i in 0..MEMBERS {
        let mut create = org
            .create_account()
            .account_name(format!("client-{i:02}"))
            .email(format!("ops+client-{i:02}@example.com"));
        if i % 3 == 0 {
            create = create.tags(
                aws_sdk_organizations::types::Tag::builder()
                    .key("team")
                    .value("blue")
                    .build()
                    .unwrap(),
            );
        }
        create.send().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn whoami_and_the_organizations_accounts_cached() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    organization(&admin).await;
    let alice = user(&admin, "alice", None).await;
    aws_sdk_iam::Client::new(&admin)
        .create_account_alias()
        .account_alias("acme-main")
        .send()
        .await
        .unwrap();
    let keyring = Sandbox::start();
    keyring.add_credentials("work", &alice, &moto.endpoint);

    let me = json(&keyring.switchyard(&["whoami", "--profile", "work", "--json"], None));
    assert_eq!(
        me["data"]["arn"],
        format!("arn:aws:iam::{MANAGEMENT}:user/alice")
    );
    assert_eq!(me["data"]["account_id"], MANAGEMENT);
    assert_eq!(me["data"]["account_alias"], "acme-main");
    assert_eq!(me["data"]["mfa"]["serial"], Value::Null);
    let human = keyring.switchyard(&["whoami", "--profile", "work"], None);
    assert!(
        text(&human).contains("123456789012 (acme-main)"),
        "{}",
        text(&human)
    );

    let first = json(&keyring.switchyard(&["accounts", "--profile", "work", "--json"], None));
    let data = &first["data"];
    assert_eq!(data["source"], "organization");
    assert_eq!(data["organization"]["management_account_id"], MANAGEMENT);
    let accounts = data["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), MEMBERS + 1, "every page: {data}");
    let find = |list: &Value, n: &str| {
        list["data"]["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == n)
            .unwrap()
            .clone()
    };
    let client = find(&first, "client-00");
    assert_eq!(client["email"], "ops+client-00@example.com");
    assert_eq!(client["state"], "ACTIVE");
    assert!(find(&first, "client-23")["id"].as_str().unwrap().len() == 12);

    // Served from the cache: the same fetch, not a new one; the tags, read in the
    // background after the first answer, appear in it.
    let mut again = Value::Null;
    for _ in 0..100 {
        again = json(&keyring.switchyard(&["accounts", "--profile", "work", "--json"], None));
        if !find(&again, "client-00")["tags"].is_null() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(again["data"]["fetched_at"], data["fetched_at"]);
    assert_eq!(again["data"]["stale"], false);
    assert_eq!(find(&again, "client-00")["tags"]["team"], "blue");
    assert_eq!(find(&again, "client-23")["tags"], serde_json::json!({}));
    let cache = keyring.home().join("state/accounts/work.json");
    assert!(cache.is_file());
    assert!(
        !std::fs::read_to_string(&cache).unwrap().contains(&alice.1),
        "no secret in the cache"
    );

    // A new account shows after --refresh.
    aws_sdk_organizations::Client::new(&admin)
        .create_account()
        .account_name("late")
        .email("late@example.com")
        .send()
        .await
        .unwrap();
    let cached = json(&keyring.switchyard(&["accounts", "--profile", "work", "--json"], None));
    assert_eq!(
        cached["data"]["accounts"].as_array().unwrap().len(),
        MEMBERS + 1
    );
    let fresh = json(&keyring.switchyard(
        &["accounts", "--profile", "work", "--json", "--refresh"],
        None,
    ));
    assert_eq!(
        fresh["data"]["accounts"].as_array().unwrap().len(),
        MEMBERS + 2
    );
    let table = keyring.switchyard(&["accounts", "--profile", "work"], None);
    assert!(
        text(&table).contains("late@example.com"),
        "{}",
        text(&table)
    );

    // Bad input: no such profile, a name that cannot be one.
    let missing = keyring.switchyard(&["whoami", "--profile", "nobody", "--json"], None);
    assert_eq!(error_code(&missing), "credentials_missing");
    assert!(text(&missing).contains("switchyard credentials add --profile nobody"));
    let bad = keyring.switchyard(&["accounts", "--profile", "../etc", "--json"], None);
    assert_eq!(error_code(&bad), "invalid_params");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_list_is_served_at_once_and_refreshed_behind() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    organization(&admin).await;
    let alice = user(&admin, "alice", None).await;
    let keyring = Sandbox::start();
    keyring.add_credentials("work", &alice, &moto.endpoint);
    // A TTL of 0: every cached answer is stale.
    let config = keyring.home().join("config/config.toml");
    let text_config = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text_config.replace(
            "[profiles.work]",
            "[profiles.work]\naccounts_cache_ttl_secs = 0",
        ),
    )
    .unwrap();
    let first = json(&keyring.switchyard(&["accounts", "--profile", "work", "--json"], None));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let stale = json(&keyring.switchyard(&["accounts", "--profile", "work", "--json"], None));
    assert_eq!(stale["data"]["stale"], true);
    assert_eq!(stale["data"]["refreshing"], true);
    assert_eq!(stale["data"]["fetched_at"], first["data"]["fetched_at"]);
    // The background refresh rewrites the cache.
    let cache = keyring.home().join("state/accounts/work.json");
    let before = first["data"]["fetched_at"].as_u64().unwrap();
    for _ in 0..100 {
        let file: Value = serde_json::from_slice(&std::fs::read(&cache).unwrap()).unwrap();
        if file["data"]["fetched_at"].as_u64().unwrap() > before {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the stale list was never refreshed");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ordinary_member_sees_its_own_account_and_bad_keys_are_named() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    organization(&admin).await;
    let bob = user(
        &admin,
        "bob",
        Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetCallerIdentity","iam:ListAccountAliases","iam:ListMFADevices"],"Resource":"*"}]}"#,
        ),
    )
    .await;
    moto.enforce_iam();
    let keyring = Sandbox::start();
    keyring.add_credentials("member", &bob, &moto.endpoint);
    let list = json(&keyring.switchyard(&["accounts", "--profile", "member", "--json"], None));
    let data = &list["data"];
    assert_eq!(data["source"], "caller", "{data}");
    assert_eq!(data["accounts"].as_array().unwrap().len(), 1);
    assert_eq!(data["accounts"][0]["id"], MANAGEMENT);
    let notice = data["notice"].as_str().unwrap();
    assert!(notice.contains("may not call organizations:"), "{notice}");
    let human = keyring.switchyard(&["accounts", "--profile", "member"], None);
    assert!(text(&human).contains("note: "), "{}", text(&human));

    // A well-formed key AWS does not know.
    keyring.add_credentials(
        "stranger",
        &("AKIAZZZZZZZZZZZZZZZZ".into(), "a".repeat(40)),
        &moto.endpoint,
    );
    let out = keyring.switchyard(&["whoami", "--profile", "stranger", "--json"], None);
    assert_eq!(error_code(&out), "aws_auth_failed", "{}", text(&out));
    assert!(
        text(&out).contains("switchyard credentials add"),
        "{}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn outside_an_organization_the_own_account_is_listed() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let carol = user(&admin, "carol", None).await;
    let keyring = Sandbox::start();
    keyring.add_credentials("solo", &carol, &moto.endpoint);
    let list = json(&keyring.switchyard(&["accounts", "--profile", "solo", "--json"], None));
    assert_eq!(list["data"]["source"], "caller");
    assert!(list["data"]["notice"]
        .as_str()
        .unwrap()
        .contains("not in an AWS Organization"));
}

#[tokio::test(flavor = "multi_thread")]
async fn mfa_sessions_live_in_the_daemon_until_they_end() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(&moto.endpoint);
    let admin = admin(&moto).await;
    let alice = user(&admin, "alice", None).await;
    let device = support::enable_virtual_mfa(&admin, "alice").await;
    let keyring = Sandbox::start();
    keyring.add_credentials("work", &alice, &proxy.endpoint);

    // The device is discovered, and a code is needed.
    let out = keyring.switchyard(&["whoami", "--profile", "work", "--json"], None);
    assert_eq!(error_code(&out), "mfa_required");
    assert!(text(&out).contains(&device), "{}", text(&out));
    let config = std::fs::read_to_string(keyring.home().join("config/config.toml")).unwrap();
    assert!(
        config.contains(&format!("mfa_serial = \"{device}\"")),
        "{config}"
    );

    // A malformed code never reaches AWS; a wrong one is refused by AWS (the proxy plays it).
    let out = keyring.switchyard(&["mfa", "--profile", "work", "--code", "12ab"], None);
    assert!(
        text(&out).contains("mfa_code_invalid: an MFA code is the 6 digits"),
        "{}",
        text(&out)
    );
    proxy.add(Rule::query_error(
        "TokenCode=000000",
        403,
        "AccessDenied",
        "MultiFactorAuthentication failed with invalid MFA one time pass code.",
    ));
    let out = keyring.switchyard(&["mfa", "--profile", "work", "--code", "000000"], None);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("did not accept that code"),
        "{}",
        text(&out)
    );
    assert_eq!(proxy.hits(0), 1);

    let out = keyring.switchyard(
        &["mfa", "--profile", "work", "--code", "123456", "--json"],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let session = json(&out)["data"].clone();
    assert_eq!(session["serial"], device);
    let me = json(&keyring.switchyard(&["whoami", "--profile", "work", "--json"], None));
    // (moto answers GetCallerIdentity for its session keys as a generic user, so only the
    // account and the session are checked here.)
    assert_eq!(me["data"]["account_id"], MANAGEMENT);
    assert_eq!(
        me["data"]["mfa"]["session_expires_at"],
        session["expires_at"]
    );
    assert_eq!(me["data"]["mfa"]["serial"], device);

    // A restarted daemon has no session: the CLI asks for a code (stdin here) and goes on.
    keyring.stop_daemon();
    let out = keyring.switchyard(&["whoami", "--profile", "work"], Some("123456\n"));
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("enter a code"), "{}", text(&out));
    assert!(text(&out).contains("session until"), "{}", text(&out));

    // AWS ending the session early: the daemon drops it and asks for a new code.
    proxy.add(Rule::query_error(
        "x-amz-security-token",
        400,
        "ExpiredToken",
        "The security token included in the request is expired",
    ));
    let out = keyring.switchyard(&["whoami", "--profile", "work", "--json"], None);
    assert_eq!(error_code(&out), "mfa_required");
    assert!(text(&out).contains("has ended"), "{}", text(&out));
    assert_nowhere_on_disk(keyring.home(), &alice.1);
}

#[tokio::test(flavor = "multi_thread")]
async fn rotation_replaces_the_key_or_keeps_the_old_one() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let alice = user(&admin, "alice", None).await;
    let keyring = Sandbox::start();
    keyring.add_credentials("work", &alice, &moto.endpoint);
    let iam = aws_sdk_iam::Client::new(&admin);
    let keys = || async {
        iam.list_access_keys()
            .user_name("alice")
            .send()
            .await
            .unwrap()
            .access_key_metadata
            .into_iter()
            .filter_map(|k| k.access_key_id)
            .collect::<Vec<_>>()
    };

    let out = keyring.switchyard(&["credentials", "rotate", "--profile", "work"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains(&alice.1), "no secret printed");
    let now = keys().await;
    assert_eq!(now.len(), 1, "{now:?}");
    assert_ne!(now[0], alice.0);
    let stored = keyring.secret_tool_search();
    assert!(
        stored.contains(&now[0]) && !stored.contains(&alice.0),
        "{stored}"
    );
    let me = json(&keyring.switchyard(&["whoami", "--profile", "work", "--json"], None));
    assert_eq!(
        me["data"]["arn"],
        format!("arn:aws:iam::{MANAGEMENT}:user/alice")
    );

    // With two keys already, IAM refuses a third: nothing changes.
    iam.create_access_key()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    let out = keyring.switchyard(&["credentials", "rotate", "--profile", "work"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("two access keys"), "{}", text(&out));
    assert!(
        keyring.secret_tool_search().contains(&now[0]),
        "the working key stays"
    );
    assert_eq!(keys().await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn throttling_is_retried_then_reported_and_unreachable_aws_is_named() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(&moto.endpoint);
    let admin = admin(&moto).await;
    let alice = user(&admin, "alice", None).await;
    let keyring = Sandbox::start();
    keyring.add_credentials("work", &alice, &proxy.endpoint);

    proxy.add(
        Rule::query_error(
            "Action=GetCallerIdentity",
            400,
            "Throttling",
            "Rate exceeded",
        )
        .times(2),
    );
    let out = keyring.switchyard(&["whoami", "--profile", "work", "--json"], None);
    assert!(
        out.status.success(),
        "the SDK's retries get through: {}",
        text(&out)
    );
    assert_eq!(proxy.hits(0), 2);

    proxy.clear();
    proxy.add(Rule::query_error(
        "Action=GetCallerIdentity",
        400,
        "Throttling",
        "Rate exceeded",
    ));
    let out = keyring.switchyard(&["whoami", "--profile", "work", "--json"], None);
    assert_eq!(error_code(&out), "aws_throttled", "{}", text(&out));
    assert!(proxy.hits(0) >= 2, "retried before giving up");

    keyring.add_credentials("offline", &alice, "http://127.0.0.1:9");
    let out = keyring.switchyard(&["whoami", "--profile", "offline", "--json"], None);
    assert_eq!(error_code(&out), "aws_unreachable", "{}", text(&out));
}

#[test]
fn without_a_keyring_the_daemon_says_what_to_install() {
    let home = tempfile::tempdir().unwrap();
    let env = |c: &mut std::process::Command| {
        c.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .env("HOME", home.path())
            .env("SWITCHYARD_CONFIG_DIR", home.path().join("config"))
            .env("SWITCHYARD_RUNTIME_DIR", home.path().join("run"))
            .env("SWITCHYARD_STATE_DIR", home.path().join("state"));
    };
    // A profile no settings name has no key: said without asking the keyring.
    let out = support::switchyard_with(&["whoami", "--json"], None, env);
    assert_eq!(error_code(&out), "credentials_missing", "{}", text(&out));
    assert!(
        text(&out).contains("switchyard credentials add"),
        "{}",
        text(&out)
    );
    std::fs::create_dir_all(home.path().join("config")).unwrap();
    std::fs::write(
        home.path().join("config/config.toml"),
        "[profiles.default]\n",
    )
    .unwrap();
    let out = support::switchyard_with(&["whoami", "--json"], None, env);
    let code = error_code(&out);
    assert_eq!(code, "keyring_unavailable", "{}", text(&out));
    assert!(text(&out).contains("gnome-keyring"), "{}", text(&out));
    let status = support::switchyard_with(&["status", "--json"], None, env);
    if let Some(pid) = json(&status)["data"]["pid"].as_u64() {
        let _ = std::process::Command::new("kill")
            .arg(pid.to_string())
            .status();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_key_that_does_not_work_is_undone_and_the_old_one_stays() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(&moto.endpoint);
    let admin = admin(&moto).await;
    let alice = user(&admin, "alice", None).await;
    let keyring = Sandbox::start();
    keyring.add_credentials("work", &alice, &proxy.endpoint);
    // The daemon learns the profile (and that it has no MFA device) first.
    let me = keyring.switchyard(&["whoami", "--profile", "work", "--json"], None);
    assert!(me.status.success(), "{}", text(&me));
    // From now on every GetCallerIdentity is refused: the new key never checks out.
    proxy.add(Rule::query_error(
        "Action=GetCallerIdentity",
        403,
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
    ));
    let out = keyring.switchyard(&["credentials", "rotate", "--profile", "work"], None);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("the old key stays in use"),
        "{}",
        text(&out)
    );
    let stored = keyring.secret_tool_search();
    assert!(stored.contains(&alice.0), "the old key is back: {stored}");
    let keys: Vec<String> = aws_sdk_iam::Client::new(&admin)
        .list_access_keys()
        .user_name("alice")
        .send()
        .await
        .unwrap()
        .access_key_metadata
        .into_iter()
        .filter_map(|k| k.access_key_id)
        .collect();
    assert_eq!(keys.len(), 1, "the unused new key was deleted: {keys:?}");
    assert_eq!(keys[0], alice.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_standard_endpoint_variable_points_every_call_at_the_stand_in() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let alice = user(&admin, "alice", None).await;
    let keyring = Sandbox::start();
    // No --endpoint-url: the profile would go to AWS itself.
    let out = keyring.switchyard(
        &[
            "credentials",
            "add",
            "--profile",
            "work",
            "--access-key-id",
            &alice.0,
        ],
        Some(&format!("{}\n", alice.1)),
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = support::switchyard_with(&["whoami", "--profile", "work", "--json"], None, |c| {
        keyring.env(c);
        c.env("AWS_ENDPOINT_URL", &moto.endpoint);
    });
    assert_eq!(
        json(&out)["data"]["arn"],
        format!("arn:aws:iam::{MANAGEMENT}:user/alice"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_silent_aws_ends_whoami_and_doctor_within_the_deadlines() {
    use std::time::Duration;
    let sandbox = Sandbox::start();
    let key = (
        "AKIAIOSFODNN7EXAMPLE".to_owned(),
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_owned(),
    );
    sandbox.add_credentials("default", &key, &support::silent_endpoint());
    sandbox.set_profile_settings(
        "connect_timeout_secs = 2\nattempt_timeout_secs = 2\noperation_timeout_secs = 4",
    );
    let (out, took) = sandbox.switchyard_for(&["whoami", "--json"], Duration::from_secs(60));
    println!("whoami against a silent endpoint ended after {took:?}");
    let reply = json(&out);
    assert_eq!(reply["error"]["code"], "aws_unreachable", "{}", text(&out));
    let message = reply["error"]["message"].as_str().unwrap();
    assert!(message.contains("did not answer in time"), "{message}");
    assert!(message.contains("operation_timeout_secs"), "{message}");
    assert!(took < Duration::from_secs(15), "{took:?}");

    let (out, took) = sandbox.switchyard_for(&["doctor"], Duration::from_secs(120));
    println!("doctor against a silent endpoint ended after {took:?}");
    assert!(took < Duration::from_secs(45), "{took:?}: {}", text(&out));
    assert!(
        text(&out).contains("aws_unreachable") || text(&out).contains("did not answer"),
        "{}",
        text(&out)
    );
}
