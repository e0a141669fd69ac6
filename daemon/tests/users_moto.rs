//! Integration: `switchyard users list | create | remove` through the CLI and the daemon
//! (logging at trace), against moto and a private gnome-keyring: console and API users in
//! the management account and, through `OrganizationAccountAccessRole`, in a member
//! account; the password policy; masked keys; removal leaving nothing; the one-time
//! secrets in no file and no log; bad input named.

mod support;

use std::collections::BTreeSet;
use std::process::Output;

use aws_config::SdkConfig;
use serde_json::Value;
use support::fault_proxy::{FaultProxy, Rule};
use support::{admin, json, sdk, switchyard_with, text, user, Moto, Sandbox};
use switchyard_shared::protocol::users::PasswordPolicy;
use switchyard_shared::users::check_password;

/// moto's default account: the organization's management account.
const MANAGEMENT: &str = "123456789012";

/// `switchyard ARGS` in the sandbox with the daemon (if this starts it) logging at trace.
fn run(sandbox: &Sandbox, args: &[&str], stdin: Option<&str>) -> Output {
    switchyard_with(args, stdin, |c| {
        sandbox.env(c);
        c.env("SWITCHYARD_LOG", "trace");
    })
}

/// The same, off the async runtime, with `--json`: the reply.
async fn reply(sandbox: &std::sync::Arc<Sandbox>, args: &[&str], stdin: Option<&str>) -> Value {
    let sandbox = sandbox.clone();
    let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    all.push("--json".into());
    let stdin = stdin.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = all.iter().map(String::as_str).collect();
        let out = run(&sandbox, &args, stdin.as_deref());
        let value = json(&out);
        assert_eq!(
            out.status.success(),
            value["status"] == "ok",
            "exit status follows the reply: {}",
            text(&out)
        );
        value
    })
    .await
    .unwrap()
}

async fn human(sandbox: &std::sync::Arc<Sandbox>, args: &[&str]) -> Output {
    let sandbox = sandbox.clone();
    let all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = all.iter().map(String::as_str).collect();
        run(&sandbox, &args, None)
    })
    .await
    .unwrap()
}

fn error<'a>(reply: &'a Value, code: &str) -> &'a str {
    assert_eq!(reply["status"], "error", "{reply}");
    assert_eq!(reply["error"]["code"], code, "{reply}");
    reply["error"]["message"].as_str().unwrap()
}

fn ok(reply: &Value) -> &Value {
    assert_eq!(reply["status"], "ok", "{reply}");
    &reply["data"]
}

/// Every file of the sandbox but the keyring's own (encrypted) store, with its text.
fn sandbox_files(home: &std::path::Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut stack = vec![home.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path != home.join("data") {
                    stack.push(path);
                }
            } else if let Ok(bytes) = std::fs::read(&path) {
                found.push((
                    path.display().to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                ));
            }
        }
    }
    found
}

/// None of `secrets` is in any file of the sandbox (config, caches, the daemon's logs),
/// and the logs were written.
fn assert_nowhere_on_disk(home: &std::path::Path, secrets: &[String]) {
    let files = sandbox_files(home);
    let logs: Vec<&(String, String)> = files.iter().filter(|(p, _)| p.contains("/logs/")).collect();
    assert!(
        logs.iter()
            .any(|(_, t)| t.contains("user created") && t.contains("DEBUG")),
        "the daemon logged at trace: {:?}",
        logs.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    for secret in secrets {
        assert!(secret.len() >= 8, "{secret}");
        for (path, contents) in &files {
            assert!(
                !contents.contains(secret.as_str()),
                "a one-time secret is in {path}"
            );
        }
    }
}

async fn users_of(config: &SdkConfig) -> BTreeSet<String> {
    aws_sdk_iam::Client::new(config)
        .list_users()
        .send()
        .await
        .unwrap()
        .users
        .into_iter()
        .map(|u| u.user_name)
        .collect()
}

async fn setup(moto: &Moto) -> (SdkConfig, std::sync::Arc<Sandbox>) {
    let admin = admin(moto).await;
    let org = aws_sdk_organizations::Client::new(&admin);
    org.create_organization().send().await.unwrap();
    let iam = aws_sdk_iam::Client::new(&admin);
    iam.create_account_alias()
        .account_alias("acme-main")
        .send()
        .await
        .unwrap();
    // moto enforces no IAM here: alice stands for an administrator.
    let alice = user(&admin, "alice", None).await;
    let sandbox = std::sync::Arc::new(Sandbox::start());
    sandbox.add_credentials("default", &alice, &moto.endpoint);
    (admin, sandbox)
}

#[tokio::test(flavor = "multi_thread")]
async fn console_and_api_users_in_the_management_account() {
    let moto = Moto::start();
    let (admin, sandbox) = setup(&moto).await;
    let iam = aws_sdk_iam::Client::new(&admin);
    iam.create_group()
        .group_name("Developers")
        .send()
        .await
        .unwrap();
    // moto loads no AWS managed policies: a customer managed one stands in.
    let deploy = iam
        .create_policy()
        .policy_name("Deploy")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .arn
        .unwrap();
    let mut secrets = Vec::new();

    // Console and API access, a group, a managed policy, a tag.
    let made = reply(
        &sandbox,
        &[
            "users",
            "create",
            "bob",
            "--console",
            "--api",
            "--group",
            "Developers",
            "--policy",
            &deploy,
            "--tag",
            "team=blue",
        ],
        None,
    )
    .await;
    let data = ok(&made);
    assert_eq!(data["account_id"], MANAGEMENT);
    assert_eq!(data["arn"], format!("arn:aws:iam::{MANAGEMENT}:user/bob"));
    assert_eq!(
        data["signin_url"],
        "https://acme-main.signin.aws.amazon.com/console"
    );
    assert_eq!(data["password_reset_required"], true);
    let password = data["password"].as_str().unwrap().to_owned();
    assert_eq!(
        check_password(&PasswordPolicy::AWS_DEFAULT, &password),
        Ok(())
    );
    assert_eq!(password.len(), 20);
    let key_id = data["access_key"]["access_key_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let secret = data["access_key"]["secret_access_key"]
        .as_str()
        .unwrap()
        .to_owned();
    secrets.extend([password.clone(), secret.clone()]);
    // The key works, as bob.
    let as_bob = sdk(&moto.endpoint, &key_id, &secret).await;
    let me = aws_sdk_sts::Client::new(&as_bob)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.arn.as_deref(),
        Some(format!("arn:aws:iam::{MANAGEMENT}:user/bob").as_str())
    );
    // What IAM now holds.
    // (moto keeps no PasswordResetRequired from CreateLoginProfile; the profile exists.)
    iam.get_login_profile()
        .user_name("bob")
        .send()
        .await
        .unwrap();
    let groups = iam
        .list_groups_for_user()
        .user_name("bob")
        .send()
        .await
        .unwrap()
        .groups;
    assert_eq!(groups[0].group_name, "Developers");
    let tags = iam
        .list_user_tags()
        .user_name("bob")
        .send()
        .await
        .unwrap()
        .tags;
    assert_eq!(
        (tags[0].key.as_str(), tags[0].value.as_str()),
        ("team", "blue")
    );

    // Console only, printed for a person: the hand-over once.
    let out = human(&sandbox, &["users", "create", "carol", "--console"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let shown = text(&out);
    assert!(
        shown.contains("Sign-in URL:  https://acme-main.signin.aws.amazon.com/console"),
        "{shown}"
    );
    assert!(shown.contains("User name:    carol"), "{shown}");
    assert!(shown.contains("only time"), "{shown}");
    let carol_password = shown
        .lines()
        .find_map(|l| l.strip_prefix("Password:     "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_owned();
    secrets.push(carol_password);
    assert!(!shown.contains("Access key"), "{shown}");

    // The key goes straight into the keyring as a profile.
    let stored = reply(
        &sandbox,
        &[
            "users",
            "create",
            "deploy-bot",
            "--api",
            "--store-profile",
            "bot",
        ],
        None,
    )
    .await;
    let data = ok(&stored);
    assert_eq!(data["access_key"], Value::Null);
    assert_eq!(data["password"], Value::Null);
    assert_eq!(data["stored_profile"], "bot");
    let me = reply(&sandbox, &["whoami", "--profile", "bot"], None).await;
    assert_eq!(
        ok(&me)["arn"],
        format!("arn:aws:iam::{MANAGEMENT}:user/deploy-bot")
    );
    assert!(sandbox.secret_tool_search().contains("profile:bot"));

    // An API-only user's hand-over has no sign-in URL: they cannot sign in.
    let out = sandbox.switchyard(&["users", "create", "ci-reader", "--api"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("Sign-in URL"), "{}", text(&out));
    assert!(text(&out).contains("Access key:"), "{}", text(&out));
    let out = sandbox.switchyard(
        &["users", "remove", "ci-reader", "--confirm", "ci-reader"],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));

    // Listing: every user, keys masked, in JSON and for a person.
    let list = reply(&sandbox, &["users", "list"], None).await;
    let users = ok(&list)["users"].as_array().unwrap().clone();
    let names: BTreeSet<&str> = users
        .iter()
        .map(|u| u["user_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["alice", "bob", "carol", "deploy-bot"])
    );
    let bob = users.iter().find(|u| u["user_name"] == "bob").unwrap();
    assert_eq!(bob["console_password"], true);
    assert_eq!(bob["groups"], serde_json::json!(["Developers"]));
    assert_eq!(bob["attached_policies"], serde_json::json!([deploy]));
    let key = &bob["access_keys"][0];
    assert_eq!(
        key["access_key_id"],
        format!("{}…{}", &key_id[..4], &key_id[key_id.len() - 4..])
    );
    assert_eq!(key["status"], "Active");
    assert!(key["created_at"].as_u64().is_some());
    let carol = users.iter().find(|u| u["user_name"] == "carol").unwrap();
    assert_eq!(carol["console_password"], true);
    assert_eq!(carol["access_keys"], serde_json::json!([]));
    let alice = users.iter().find(|u| u["user_name"] == "alice").unwrap();
    assert_eq!(alice["console_password"], false);
    let out = human(&sandbox, &["users", "list"]).await;
    assert!(out.status.success(), "{}", text(&out));
    let listed = text(&out);
    assert!(listed.contains("console password: yes"), "{listed}");
    assert!(listed.contains("days old, last used"), "{listed}");
    // No full key id of any user in either listing.
    let all_keys: Vec<String> = {
        let mut ids = Vec::new();
        for name in ["alice", "bob", "deploy-bot"] {
            for k in iam
                .list_access_keys()
                .user_name(name)
                .send()
                .await
                .unwrap()
                .access_key_metadata
            {
                ids.push(k.access_key_id.unwrap());
            }
        }
        ids
    };
    assert_eq!(all_keys.len(), 3);
    for id in &all_keys {
        assert!(!listed.contains(id.as_str()), "{id} in {listed}");
        assert!(!list.to_string().contains(id.as_str()), "{id} in {list}");
    }

    // Removal: with an MFA device and an inline policy too, nothing is left behind.
    let device = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("bob-phone")
        .send()
        .await
        .unwrap()
        .virtual_mfa_device
        .unwrap();
    iam.enable_mfa_device()
        .user_name("bob")
        .serial_number(&device.serial_number)
        .authentication_code1("123456")
        .authentication_code2("654321")
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name("bob")
        .policy_name("extra")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    iam.upload_ssh_public_key()
        .user_name("bob")
        .ssh_public_key_body("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDdWmIjpHPaAk0plJgYMGtHMyTnMqyCVCHr8y9yWhJrKBVNbiSFf5KRKs8zjr2wfEsnmmpZy3V1LFsiRKJmxqMkIxCbBdaKv8ZV2ilhgfXUhaQ0nmWHT6LQ0mF0FTZq1mPBFmR7fXCsyZNdB2SlpP4cSQiOeBEEa9u8fTVP5GZwvSfTrVHrcsaOIhy8Kbv6mvZamo3sZPFoPqbn6DRd4AOtzbjj2XrR39n0pRfX8vBb5J6q2qYaQG9dSNp5wNSnI5gT7HQxOvXIgN6OWiqzLrYlPoqGF2u7B9jRkcbXpUxpKOiXM8DXv5VsjRcS8bCv1JkHWCaqqKz2yY0TvJ3FuBpL bob@example")
        .send()
        .await
        .unwrap();
    let listed = reply(&sandbox, &["users", "list"], None).await;
    let bob = ok(&listed)["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["user_name"] == "bob")
        .unwrap()
        .clone();
    assert_eq!(
        bob["mfa_devices"],
        serde_json::json!([device.serial_number])
    );
    assert_eq!(bob["inline_policies"], serde_json::json!(["extra"]));

    let refused = reply(
        &sandbox,
        &["users", "remove", "bob", "--confirm", "bobby"],
        None,
    )
    .await;
    assert!(error(&refused, "confirmation_mismatch").contains("nothing was removed"));
    assert!(users_of(&admin).await.contains("bob"));
    let removed = reply(
        &sandbox,
        &["users", "remove", "bob", "--confirm", "bob"],
        None,
    )
    .await;
    let what: Vec<&str> = ok(&removed)["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(what.first(), Some(&"console password"));
    assert_eq!(what.last(), Some(&"user bob"));
    assert!(
        what.iter().any(|w| w.starts_with("access key AKIA…")),
        "{what:?}"
    );
    assert!(!removed.to_string().contains(&key_id), "{removed}");
    assert!(
        what.iter().any(|w| w.starts_with("SSH public key ")),
        "{what:?}"
    );
    assert_eq!(what.len(), 8, "{what:?}");
    let ssh = iam.list_ssh_public_keys().user_name("bob").send().await;
    assert!(
        ssh.map_or(true, |k| k.ssh_public_keys.unwrap_or_default().is_empty()),
        "no SSH keys of a deleted user"
    );
    assert!(!users_of(&admin).await.contains("bob"));
    let keys = iam.list_access_keys().user_name("bob").send().await;
    assert!(
        keys.map_or(true, |k| k.access_key_metadata.is_empty()),
        "no keys of a deleted user"
    );
    let devices = iam
        .list_virtual_mfa_devices()
        .send()
        .await
        .unwrap()
        .virtual_mfa_devices;
    assert!(devices.is_empty(), "{devices:?}");
    let group = iam
        .get_group()
        .group_name("Developers")
        .send()
        .await
        .unwrap();
    assert!(group.users.is_empty(), "{:?}", group.users);
    let gone = reply(
        &sandbox,
        &["users", "remove", "bob", "--confirm", "bob"],
        None,
    )
    .await;
    assert!(error(&gone, "user_not_found").contains("bob"));

    sandbox.stop_daemon();
    assert_nowhere_on_disk(sandbox.home(), &secrets);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_password_policy_and_bad_input() {
    let moto = Moto::start();
    let (admin, sandbox) = setup(&moto).await;
    let iam = aws_sdk_iam::Client::new(&admin);
    iam.update_account_password_policy()
        .minimum_password_length(14)
        .require_symbols(true)
        .require_numbers(true)
        .require_uppercase_characters(true)
        .require_lowercase_characters(true)
        .send()
        .await
        .unwrap();
    iam.create_group()
        .group_name("Auditors")
        .send()
        .await
        .unwrap();
    let mut secrets = Vec::new();

    // The list tells a client the policy (to check a typed password as it is typed), the
    // groups to choose from and where to sign in.
    let list = reply(&sandbox, &["users", "list"], None).await;
    let data = ok(&list);
    assert_eq!(
        data["password_policy"],
        serde_json::json!({"minimum_length": 14, "require_symbols": true,
            "require_numbers": true, "require_uppercase": true, "require_lowercase": true,
            "minimum_kinds": 0})
    );
    assert_eq!(data["groups"], serde_json::json!(["Auditors"]));
    assert_eq!(
        data["signin_url"],
        "https://acme-main.signin.aws.amazon.com/console"
    );

    // A typed password that breaks the policy: each rule named, nothing created.
    let weak = "weakpassword";
    let refused = reply(
        &sandbox,
        &["users", "create", "dave", "--console", "--password-stdin"],
        Some(&format!("{weak}\n")),
    )
    .await;
    let message = error(&refused, "password_policy_violation");
    for rule in [
        "at least 14 characters",
        "a symbol",
        "a digit",
        "an upper-case letter",
    ] {
        assert!(message.contains(rule), "{rule}: {message}");
    }
    assert!(!message.contains(weak), "{message}");
    assert!(!users_of(&admin).await.contains("dave"));
    // A refused password is not written anywhere either.
    secrets.push(weak.to_owned());

    // A typed password that meets it is used as given.
    let strong = "Tr0ub4dor&3-Horse!";
    let made = reply(
        &sandbox,
        &["users", "create", "dave", "--console", "--password-stdin"],
        Some(&format!("{strong}\n")),
    )
    .await;
    assert_eq!(ok(&made)["password"], strong);
    secrets.push(strong.to_owned());
    // A generated one meets it too.
    let made = reply(&sandbox, &["users", "create", "erin", "--console"], None).await;
    let generated = ok(&made)["password"].as_str().unwrap().to_owned();
    let policy = PasswordPolicy::custom(14, true, true, true, true);
    assert_eq!(check_password(&policy, &generated), Ok(()));
    secrets.push(generated);

    // Bad input, each with its code and a clear message; nothing made.
    let exists = reply(&sandbox, &["users", "create", "dave", "--api"], None).await;
    assert!(error(&exists, "user_exists").contains("already exists"));
    let bad_name = reply(&sandbox, &["users", "create", "no good", "--api"], None).await;
    assert!(error(&bad_name, "invalid_user_name").contains("letters, digits and +=,.@_-"));
    let too_long = "x".repeat(65);
    let long = reply(&sandbox, &["users", "create", &too_long, "--api"], None).await;
    assert!(error(&long, "invalid_user_name").contains("at most 64"));
    let no_group = reply(
        &sandbox,
        &["users", "create", "frank", "--api", "--group", "Nope"],
        None,
    )
    .await;
    let message = error(&no_group, "invalid_params");
    assert!(message.contains("no group \"Nope\""), "{message}");
    assert!(message.contains("deleted again"), "{message}");
    assert!(
        !users_of(&admin).await.contains("frank"),
        "a half-made user is undone"
    );
    let bad_tag = human(
        &sandbox,
        &["users", "create", "frank", "--api", "--tag", "nokey"],
    )
    .await;
    assert!(!bad_tag.status.success());
    assert!(text(&bad_tag).contains("KEY=VALUE"), "{}", text(&bad_tag));
    let taken = reply(
        &sandbox,
        &[
            "users",
            "create",
            "frank",
            "--api",
            "--store-profile",
            "default",
        ],
        None,
    )
    .await;
    assert!(error(&taken, "invalid_params").contains("already exists"));
    assert_eq!(
        users_of(&admin).await,
        BTreeSet::from(["alice".to_owned(), "dave".to_owned(), "erin".to_owned()])
    );

    sandbox.stop_daemon();
    assert_nowhere_on_disk(sandbox.home(), &secrets);
}

#[tokio::test(flavor = "multi_thread")]
async fn users_in_a_member_account_through_its_role() {
    let moto = Moto::start();
    let (admin, sandbox) = setup(&moto).await;
    let member = aws_sdk_organizations::Client::new(&admin)
        .create_account()
        .account_name("Client A")
        .email("ops+a@example.com")
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap()
        .account_id
        .unwrap();
    let mut secrets = Vec::new();

    // The runbook's API-only user, inside the client account.
    let made = reply(
        &sandbox,
        &["users", "create", "api-bot", "--api", "--account", &member],
        None,
    )
    .await;
    let data = ok(&made);
    assert_eq!(data["account_id"], member.as_str());
    assert_eq!(data["arn"], format!("arn:aws:iam::{member}:user/api-bot"));
    assert_eq!(
        data["signin_url"],
        format!("https://{member}.signin.aws.amazon.com/console")
    );
    assert_eq!(data["password"], Value::Null);
    let key_id = data["access_key"]["access_key_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let secret = data["access_key"]["secret_access_key"]
        .as_str()
        .unwrap()
        .to_owned();
    secrets.push(secret.clone());
    let as_bot = sdk(&moto.endpoint, &key_id, &secret).await;
    let me = aws_sdk_sts::Client::new(&as_bot)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(me.account.as_deref(), Some(member.as_str()));

    // A console user there too, with the role named explicitly.
    let made = reply(
        &sandbox,
        &[
            "users",
            "create",
            "client-admin",
            "--console",
            "--account",
            &member,
            "--role",
            "OrganizationAccountAccessRole",
        ],
        None,
    )
    .await;
    secrets.push(ok(&made)["password"].as_str().unwrap().to_owned());

    // Listed in the member account only, keys masked.
    let list = reply(&sandbox, &["users", "list", "--account", &member], None).await;
    let data = ok(&list);
    assert_eq!(data["account_id"], member.as_str());
    let names: BTreeSet<&str> = data["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user_name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains("api-bot") && names.contains("client-admin"),
        "{names:?}"
    );
    assert!(!list.to_string().contains(&key_id), "{list}");
    let home = users_of(&admin).await;
    assert!(
        !home.contains("api-bot") && !home.contains("client-admin"),
        "{home:?}"
    );

    // Removed there, leaving nothing.
    for name in ["api-bot", "client-admin"] {
        let removed = reply(
            &sandbox,
            &[
                "users",
                "remove",
                name,
                "--confirm",
                name,
                "--account",
                &member,
            ],
            None,
        )
        .await;
        assert_eq!(ok(&removed)["account_id"], member.as_str());
    }
    let list = reply(&sandbox, &["users", "list", "--account", &member], None).await;
    let left: Vec<&str> = ok(&list)["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user_name"].as_str().unwrap())
        .collect();
    assert!(
        !left.contains(&"api-bot") && !left.contains(&"client-admin"),
        "{left:?}"
    );
    // Not made by Switchyard, no tag: Organizations' default role, said so.
    assert_eq!(data["via_role"]["source"], "default", "{list}");
    let bad = reply(&sandbox, &["users", "list", "--account", "12345"], None).await;
    assert!(error(&bad, "invalid_params").contains("12 digits"));

    sandbox.stop_daemon();
    assert_nowhere_on_disk(sandbox.home(), &secrets);
}

#[tokio::test(flavor = "multi_thread")]
async fn mfa_for_the_signed_in_user() {
    let moto = Moto::start();
    let (admin, sandbox) = setup(&moto).await;
    let iam = aws_sdk_iam::Client::new(&admin);
    let serial = format!("arn:aws:iam::{MANAGEMENT}:mfa/alice-phone");

    // An unfinished setup (no codes) leaves an unassigned device...
    let out = run(
        &sandbox,
        &["users", "mfa", "--device-name", "alice-phone"],
        Some(""),
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("run this again"), "{}", text(&out));
    let first_seed = text(&out)
        .lines()
        .find_map(|l| l.trim().strip_prefix("secret key:  ").map(str::to_owned))
        .unwrap();

    // ...which the next setup replaces; two codes enable it for alice.
    let out = run(
        &sandbox,
        &["users", "mfa", "--device-name", "alice-phone"],
        Some("123456\n654321\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    let shown = text(&out);
    let seed = shown
        .lines()
        .find_map(|l| l.trim().strip_prefix("secret key:  ").map(str::to_owned))
        .unwrap();
    assert!(seed.len() >= 16, "{shown}");
    assert!(
        shown.contains(&format!(
            "otpauth://totp/Amazon%20Web%20Services%3Aalice%40acme-main?secret={seed}"
        )),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("MFA device {serial} enabled")),
        "{shown}"
    );
    let devices = iam
        .list_mfa_devices()
        .user_name("alice")
        .send()
        .await
        .unwrap()
        .mfa_devices;
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].serial_number, serial);

    // The profile now uses it: a code is needed, then calls work.
    let config = std::fs::read_to_string(sandbox.home().join("config/config.toml")).unwrap();
    assert!(
        config.contains(&format!("mfa_serial = \"{serial}\"")),
        "{config}"
    );
    let me = reply(&sandbox, &["whoami"], None).await;
    error(&me, "mfa_required");
    let out = run(&sandbox, &["mfa", "--code", "123456"], None);
    assert!(out.status.success(), "{}", text(&out));
    let me = reply(&sandbox, &["whoami"], None).await;
    assert_eq!(ok(&me)["mfa"]["serial"], serial.as_str());

    sandbox.stop_daemon();
    let files = sandbox_files(sandbox.home());
    for secret in [&seed, &first_seed] {
        for (path, contents) in &files {
            assert!(
                !contents.contains(secret.as_str()),
                "the MFA seed is in {path}"
            );
        }
    }
    assert!(files
        .iter()
        .any(|(p, t)| p.contains("/logs/") && t.contains("MFA device enabled")));
    // Both admin actions are in the audit log, naming alice, never the seed.
    let audit = audit_lines(&sandbox);
    for what in ["mfa.setup", "mfa.enable"] {
        assert!(
            audit.iter().any(|l| l["what"] == what
                && l["target"] == format!("{MANAGEMENT}/alice")
                && l["who"] == format!("arn:aws:iam::{MANAGEMENT}:user/alice")
                && l["result"] == "ok"),
            "{what}: {audit:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_without_the_rights_is_told_what_is_missing() {
    let moto = Moto::start();
    let (admin, sandbox) = setup(&moto).await;
    let member = aws_sdk_organizations::Client::new(&admin)
        .create_account()
        .account_name("Client B")
        .email("ops+b@example.com")
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap()
        .account_id
        .unwrap();
    let viewer = user(
        &admin,
        "viewer",
        Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetCallerIdentity","iam:ListMFADevices"],"Resource":"*"}]}"#,
        ),
    )
    .await;
    sandbox.add_credentials("viewer", &viewer, &moto.endpoint);
    moto.enforce_iam();

    let denied = reply(
        &sandbox,
        &[
            "users",
            "create",
            "intruder",
            "--api",
            "--profile",
            "viewer",
        ],
        None,
    )
    .await;
    let message = error(&denied, "access_denied");
    assert!(message.contains("iam:GetUser"), "{message}");
    assert!(message.contains("ask an administrator"), "{message}");
    let denied = reply(
        &sandbox,
        &["users", "list", "--profile", "viewer", "--account", &member],
        None,
    )
    .await;
    let message = error(&denied, "access_denied");
    assert!(
        message.contains(&format!(
            "arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
        )),
        "{message}"
    );
    assert!(message.contains("--role"), "{message}");
}

/// The daemon's audit log, one JSON value a line.
fn audit_lines(sandbox: &Sandbox) -> Vec<Value> {
    std::fs::read_to_string(sandbox.home().join("state/audit.log"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn users_in_an_account_the_runbook_made_go_through_the_role_it_made() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    aws_sdk_organizations::Client::new(&admin)
        .create_organization()
        .send()
        .await
        .unwrap();
    let alice = user(&admin, "alice", None).await;
    // An account made with another role name has no OrganizationAccountAccessRole: AWS
    // refuses to assume it. moto would assume any role ARN, so the fault proxy answers
    // that refusal as AWS words it (the one thing moto cannot show).
    let proxy = FaultProxy::start(&moto.endpoint);
    proxy.add(Rule::query_error(
        "%3Arole%2FOrganizationAccountAccessRole",
        403,
        "AccessDenied",
        "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole",
    ));
    let sandbox = std::sync::Arc::new(Sandbox::start());
    sandbox.add_credentials("default", &alice, &proxy.endpoint);
    let out = human(
        &sandbox,
        &[
            "account",
            "create",
            "--name",
            "Client R",
            "--email",
            "ops+r@example.com",
            "--role",
            "ClientRAdmin",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let jobs = reply(&sandbox, &["jobs"], None).await;
    let member = ok(&jobs)["jobs"][0]["account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let role = format!("arn:aws:iam::{member}:role/ClientRAdmin");

    // The job knows the role: the user is made through it (before, the daemon tried
    // OrganizationAccountAccessRole and was refused).
    let made = reply(
        &sandbox,
        &["users", "create", "api-bot", "--api", "--account", &member],
        None,
    )
    .await;
    let data = ok(&made);
    assert_eq!(data["arn"], format!("arn:aws:iam::{member}:user/api-bot"));
    assert_eq!(data["via_role"]["arn"], role.as_str(), "{made}");
    assert_eq!(data["via_role"]["source"], "job", "{made}");
    let secret = data["access_key"]["secret_access_key"]
        .as_str()
        .unwrap()
        .to_owned();

    // Without the journal (another machine, a cleared state dir): the account's
    // switchyard-role tag, which the runbook set, names it.
    sandbox.stop_daemon();
    std::fs::remove_dir_all(sandbox.home().join("state/jobs")).unwrap();
    let list = reply(&sandbox, &["users", "list", "--account", &member], None).await;
    let data = ok(&list);
    assert_eq!(data["via_role"]["arn"], role.as_str(), "{list}");
    assert_eq!(data["via_role"]["source"], "tag", "{list}");
    let out = human(&sandbox, &["users", "list", "--account", &member]).await;
    assert!(
        text(&out).contains(&format!(
            "through {role} (from the account's switchyard-role tag)"
        )),
        "{}",
        text(&out)
    );
    // A role named explicitly is used as it is (here refused, as AWS would).
    let named = reply(
        &sandbox,
        &[
            "users",
            "list",
            "--account",
            &member,
            "--role",
            "OrganizationAccountAccessRole",
        ],
        None,
    )
    .await;
    assert!(error(&named, "access_denied").contains("--role"));

    let removed = reply(
        &sandbox,
        &[
            "users",
            "remove",
            "api-bot",
            "--confirm",
            "api-bot",
            "--account",
            &member,
        ],
        None,
    )
    .await;
    assert_eq!(ok(&removed)["via_role"]["source"], "tag");

    // Both admin actions are in the audit log, with who and where, and no secret.
    let audit = audit_lines(&sandbox);
    for what in ["users.create", "users.remove"] {
        assert!(
            audit.iter().any(|l| l["what"] == what
                && l["target"] == format!("{member}/api-bot")
                && l["who"] == "arn:aws:iam::123456789012:user/alice"
                && l["result"] == "ok"),
            "{what}: {audit:?}"
        );
    }
    let text_of_audit = serde_json::to_string(&audit).unwrap();
    assert!(!text_of_audit.contains(&secret));
}

#[tokio::test(flavor = "multi_thread")]
async fn removing_the_signed_in_user_needs_allow_self() {
    let moto = Moto::start();
    let (admin, sandbox) = setup(&moto).await;
    // Refused without the flag (before, alice's own user, and the key this profile
    // uses, were simply deleted).
    let refused = reply(
        &sandbox,
        &["users", "remove", "alice", "--confirm", "alice"],
        None,
    )
    .await;
    let message = error(&refused, "self_removal");
    assert!(message.contains("--allow-self"), "{message}");
    assert!(users_of(&admin).await.contains("alice"));
    let audit = audit_lines(&sandbox);
    assert!(
        audit.iter().any(|l| l["what"] == "users.remove"
            && l["result"].as_str().unwrap().starts_with("self_removal")),
        "{audit:?}"
    );
    // Another user is removed without it.
    user(&admin, "bob", None).await;
    let out = reply(
        &sandbox,
        &["users", "remove", "bob", "--confirm", "bob"],
        None,
    )
    .await;
    assert!(ok(&out)["warnings"].is_null(), "{out}");
    // With it: removed, and warned on stderr and in the reply.
    let out = human(
        &sandbox,
        &[
            "users",
            "remove",
            "alice",
            "--confirm",
            "alice",
            "--allow-self",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: you removed \"alice\""),
        "{stderr}"
    );
    assert!(stderr.contains("switchyard credentials remove"), "{stderr}");
    assert!(!users_of(&admin).await.contains("alice"));
}
