//! Integration: `switchyard account create` runs the client-account runbook against moto
//! (through the CLI, the daemon and a real gnome-keyring), checked from AWS's side; the
//! fault proxy makes CreateAccount stay IN_PROGRESS or fail; a daemon killed with SIGKILL
//! between steps resumes from its journal and makes exactly one account and one group.

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use serde_json::Value;
use support::fault_proxy::{FaultProxy, Rule};
use support::{admin, json, sdk, text, user, Moto, Sandbox, ALLOW_ALL};

struct World {
    moto: Moto,
    root: SdkConfig,
    sandbox: Sandbox,
    admin_key: (String, String),
    bob: (String, String),
    carol: (String, String),
}

/// An organization, an admin user (the daemon's profile, its calls sent to `endpoint`, or
/// moto when None), and users alice, bob and carol in the management account.
async fn world(endpoint: impl FnOnce(&Moto) -> String) -> World {
    world_on(Moto::start(), endpoint).await
}

async fn world_on(moto: Moto, endpoint: impl FnOnce(&Moto) -> String) -> World {
    let root = admin(&moto).await;
    aws_sdk_organizations::Client::new(&root)
        .create_organization()
        .send()
        .await
        .unwrap();
    let admin_key = user(&root, "admin", Some(ALLOW_ALL)).await;
    user(&root, "alice", None).await;
    let bob = user(&root, "bob", None).await;
    let carol = user(&root, "carol", None).await;
    let sandbox = Sandbox::start();
    sandbox.add_credentials("default", &admin_key, &endpoint(&moto));
    World {
        moto,
        root,
        sandbox,
        admin_key,
        bob,
        carol,
    }
}

fn state_dir(sandbox: &Sandbox) -> PathBuf {
    sandbox.home().join("state")
}

async fn accounts_with(
    root: &SdkConfig,
    email: &str,
) -> Vec<aws_sdk_organizations::types::Account> {
    aws_sdk_organizations::Client::new(root)
        .list_accounts()
        .send()
        .await
        .unwrap()
        .accounts
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a.email.as_deref() == Some(email))
        .collect()
}

async fn members(root: &SdkConfig, group: &str) -> Vec<String> {
    let mut names: Vec<String> = aws_sdk_iam::Client::new(root)
        .get_group()
        .group_name(group)
        .send()
        .await
        .unwrap()
        .users
        .into_iter()
        .map(|u| u.user_name)
        .collect();
    names.sort();
    names
}

async fn groups_named(root: &SdkConfig, group: &str) -> usize {
    aws_sdk_iam::Client::new(root)
        .list_groups()
        .send()
        .await
        .unwrap()
        .groups
        .into_iter()
        .filter(|g| g.group_name == group)
        .count()
}

/// The group's inline policy document, URL-decoded.
async fn group_policy(root: &SdkConfig, group: &str, policy: &str) -> Value {
    let doc = aws_sdk_iam::Client::new(root)
        .get_group_policy()
        .group_name(group)
        .policy_name(policy)
        .send()
        .await
        .unwrap()
        .policy_document;
    let decoded = percent_encoding::percent_decode_str(&doc)
        .decode_utf8()
        .unwrap()
        .into_owned();
    serde_json::from_str(&decoded).unwrap()
}

async fn assume(config: &SdkConfig, role_arn: &str) -> Result<SdkConfig, String> {
    let out = aws_sdk_sts::Client::new(config)
        .assume_role()
        .role_arn(role_arn)
        .role_session_name("test")
        .send()
        .await
        .map_err(|e| format!("{e:?}"))?;
    let c = out.credentials.unwrap();
    let creds = aws_credential_types::Credentials::new(
        c.access_key_id,
        c.secret_access_key,
        Some(c.session_token),
        None,
        "test",
    );
    Ok(aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(config.endpoint_url().unwrap())
        .credentials_provider(creds)
        .load()
        .await)
}

fn job_files(sandbox: &Sandbox) -> Vec<Value> {
    let dir = state_dir(sandbox).join("jobs");
    let mut jobs = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.path().extension().and_then(|e| e.to_str()) == Some("json") {
            jobs.push(serde_json::from_slice(&std::fs::read(entry.path()).unwrap()).unwrap());
        }
    }
    jobs
}

fn step_state(job: &Value, step: &str) -> String {
    job["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == step)
        .map(|s| s["state"].as_str().unwrap().to_owned())
        .unwrap()
}

/// Wait until the job file satisfies `ready`.
fn wait_for_journal(sandbox: &Sandbox, what: &str, ready: impl Fn(&Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        if let Some(job) = job_files(sandbox).into_iter().find(|j| ready(j)) {
            return job;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "journal never showed {what}: {:?}",
            job_files(sandbox)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn daemon_pid(sandbox: &Sandbox) -> u64 {
    let status = json(&sandbox.switchyard(&["status", "--json"], None));
    status["data"]["pid"].as_u64().unwrap()
}

fn kill9(pid: u64) {
    let ok = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    for _ in 0..400 {
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("daemon {pid} did not die");
}

/// `switchyard jobs --json` until the job is no longer running (the CLI starts the
/// daemon, which resumes the journal's running jobs).
fn wait_for_job(sandbox: &Sandbox, id: &str) -> Value {
    let started = Instant::now();
    loop {
        let out = sandbox.switchyard(&["jobs", "--json"], None);
        let data = json(&out);
        let job = data["data"]["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|j| j["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no job {id}: {data}"));
        if job["state"] != "running" {
            return job;
        }
        assert!(started.elapsed() < Duration::from_secs(90), "{job}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn create(sandbox: &Sandbox, args: &[&str]) -> std::process::Output {
    let mut all = vec!["account", "create"];
    all.extend_from_slice(args);
    sandbox.switchyard(&all, None)
}

fn in_progress(name: &str) -> Rule {
    Rule::organizations_json(
        "DescribeCreateAccountStatus",
        serde_json::json!({"CreateAccountStatus": {
            "Id": "car-fault", "AccountName": name, "State": "IN_PROGRESS"}}),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_runbook_end_to_end_checked_from_both_sides() {
    let w = world(|m| m.endpoint.clone()).await;
    let email = "ops+client-a@example.com";
    // A warm account list before: the new account must show in it after.
    let before = json(&w.sandbox.switchyard(&["accounts", "--json"], None));
    assert!(!before.to_string().contains("Client A"), "{before}");
    let free = w
        .sandbox
        .switchyard(&["account", "check-email", email], None);
    assert!(free.status.success(), "{}", text(&free));
    assert!(text(&free).contains("is free"), "{}", text(&free));
    let bad = w
        .sandbox
        .switchyard(&["account", "check-email", "nope@x"], None);
    assert!(
        text(&bad).contains("invalid_account_request"),
        "{}",
        text(&bad)
    );
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client A",
            "--email",
            email,
            "--user",
            "alice",
            "--user",
            "bob",
            "--tag",
            "team=blue",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let printed = text(&out);
    for step in [
        "check_email",
        "create_account",
        "wait_for_account",
        "tag_role",
        "create_group",
        "put_policy",
        "add_users",
        "finish",
    ] {
        assert!(
            printed.contains(&format!("[done]    {step}: ")),
            "{step}: {printed}"
        );
    }
    assert!(printed.contains("[skipped] move_to_ou: "), "{printed}");

    // AWS's side: one account with the e-mail, tagged, with its role.
    let accounts = accounts_with(&w.root, email).await;
    assert_eq!(accounts.len(), 1);
    let id = accounts[0].id.clone().unwrap();
    assert_eq!(accounts[0].name.as_deref(), Some("Client A"));
    let tags = aws_sdk_organizations::Client::new(&w.root)
        .list_tags_for_resource()
        .resource_id(&id)
        .send()
        .await
        .unwrap()
        .tags
        .unwrap_or_default();
    let mut tags: Vec<(String, String)> = tags.into_iter().map(|t| (t.key, t.value)).collect();
    tags.sort();
    assert_eq!(
        tags,
        [
            ("created-by".into(), "switchyard".into()),
            ("switchyard-role".into(), "ClientA".into()),
            ("team".into(), "blue".into())
        ]
    );
    let role_arn = format!("arn:aws:iam::{id}:role/ClientA");
    let member = assume(&w.root, &role_arn).await.unwrap();
    let role = aws_sdk_iam::Client::new(&member)
        .get_role()
        .role_name("ClientA")
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    assert_eq!(role.arn, role_arn);
    let role_tags: Vec<String> = aws_sdk_iam::Client::new(&member)
        .list_role_tags()
        .role_name("ClientA")
        .send()
        .await
        .unwrap()
        .tags
        .into_iter()
        .map(|t| format!("{}={}", t.key, t.value))
        .collect();
    assert!(
        role_tags.contains(&"created-by=switchyard".to_owned()),
        "{role_tags:?}"
    );

    // The group's inline policy names exactly the role; alice and bob are members.
    assert_eq!(members(&w.root, "AccessClientA").await, ["alice", "bob"]);
    assert_eq!(
        group_policy(&w.root, "AccessClientA", "SwitchToClientA").await,
        serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}]})
    );

    // Our side: the job is done, with the switch link; `jobs` lists it.
    let jobs = json(&w.sandbox.switchyard(&["jobs", "--json"], None));
    let job = &jobs["data"]["jobs"][0];
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["account_id"], id.as_str());
    assert_eq!(
        job["switch_link"],
        format!("https://signin.aws.amazon.com/switchrole?roleName=ClientA&account={id}&displayName=Client+A")
    );
    assert!(printed.contains("switch link: https://signin.aws.amazon.com/switchrole"));
    // The root password step, as it is here: centralized root access is off (moto's
    // organization does not trust IAM), so the manual reset and what it needs.
    assert!(
        printed.contains("root user: centralized root access is off")
            && printed.contains("Forgot password?")
            && printed.contains("CAPTCHA"),
        "{printed}"
    );

    let after = json(&w.sandbox.switchyard(&["accounts", "--json"], None));
    let names: Vec<&str> = after["data"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert!(names.contains(&"Client A"), "{after}");

    // The audit log names who did what, with no secret in it or in the journal.
    let audit = std::fs::read_to_string(state_dir(&w.sandbox).join("audit.log")).unwrap();
    for action in [
        "organizations:CreateAccount",
        "iam:TagRole",
        "iam:CreateGroup",
        "iam:PutGroupPolicy",
        "iam:AddUserToGroup",
    ] {
        assert!(audit.contains(action), "{action}: {audit}");
    }
    assert!(
        audit.contains("arn:aws:iam::123456789012:user/admin"),
        "{audit}"
    );
    let journal = serde_json::to_string(&job_files(&w.sandbox)).unwrap();
    for text in [&audit, &journal] {
        assert!(!text.contains(&w.admin_key.1));
    }

    // The form's live check now names the account.
    let taken = w
        .sandbox
        .switchyard(&["account", "check-email", email, "--json"], None);
    let taken = json(&taken);
    assert_eq!(taken["data"]["in_use"], true, "{taken}");
    assert_eq!(taken["data"]["used_by"], format!("account {id} (Client A)"));

    // The same e-mail again is refused by the pre-check (moto would accept it).
    let out = create(
        &w.sandbox,
        &["--name", "Client A2", "--email", email, "--role", "X"],
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("email_in_use"), "{}", text(&out));
    assert!(
        text(&out).contains("never serve two AWS accounts"),
        "{}",
        text(&out)
    );
    assert_eq!(accounts_with(&w.root, email).await.len(), 1);

    // From a member's side, with IAM enforced: bob (in the group) may assume the role,
    // carol (not in it) may not.
    w.moto.enforce_iam();
    let bob = sdk(&w.moto.endpoint, &w.bob.0, &w.bob.1).await;
    let as_bob = assume(&bob, &role_arn).await;
    assert!(as_bob.is_ok(), "{as_bob:?}");
    let carol = sdk(&w.moto.endpoint, &w.carol.0, &w.carol.1).await;
    let as_carol = assume(&carol, &role_arn).await;
    assert!(as_carol.is_err(), "carol is not in the group");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_before_any_aws_call() {
    // The profile points at a closed port: any AWS call would be aws_unreachable.
    let w = world(|_| "http://127.0.0.1:9".to_owned()).await;
    for (args, expect) in [
        (
            vec!["--name", "Client A", "--email", "not-an-email"],
            "is not an e-mail address",
        ),
        (
            vec!["--name", "", "--email", "ops@example.com"],
            "account name",
        ),
        (
            vec![
                "--name",
                "Client A",
                "--email",
                "ops@example.com",
                "--role",
                "bad role!",
            ],
            "is not an IAM role name",
        ),
        (
            vec!["--name", "Client & Co", "--email", "ops@example.com"],
            "give a role name",
        ),
        (
            vec![
                "--name",
                "Client A",
                "--email",
                "ops@example.com",
                "--user",
                "no such/user",
            ],
            "is not an IAM user name",
        ),
        (
            vec![
                "--name",
                "Client A",
                "--email",
                "ops@example.com",
                "--ou",
                "ou-nope",
            ],
            "organizational unit",
        ),
        (
            vec![
                "--name",
                "Client A",
                "--email",
                "ops@example.com",
                "--tag",
                "aws:x=1",
            ],
            "reserved",
        ),
    ] {
        let out = create(&w.sandbox, &args);
        assert!(!out.status.success(), "{args:?}");
        let printed = text(&out);
        assert!(
            printed.contains("invalid_account_request"),
            "{args:?}: {printed}"
        );
        assert!(printed.contains(expect), "{args:?}: {printed}");
    }
    assert!(job_files(&w.sandbox).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_user_is_refused_before_create_account() {
    let w = world(|m| m.endpoint.clone()).await;
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client U",
            "--email",
            "ops+u@example.com",
            "--user",
            "alice",
            "--user",
            "nobody",
        ],
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("no IAM user nobody"), "{}", text(&out));
    assert!(accounts_with(&w.root, "ops+u@example.com").await.is_empty());
    assert_eq!(groups_named(&w.root, "AccessClientU").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn create_account_in_progress_then_failed() {
    let moto_proxy: std::sync::Arc<std::sync::Mutex<Option<FaultProxy>>> = Default::default();
    let slot = moto_proxy.clone();
    let w = world(move |m| {
        let proxy = FaultProxy::start(&m.endpoint);
        let endpoint = proxy.endpoint.clone();
        *slot.lock().unwrap() = Some(proxy);
        endpoint
    })
    .await;
    let proxy = moto_proxy.lock().unwrap().take().unwrap();

    // IN_PROGRESS for three polls, then moto's SUCCEEDED.
    proxy.add(in_progress("Client B").times(3));
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client B",
            "--email",
            "ops+b@example.com",
            "--user",
            "bob",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(proxy.hits(0), 3);
    assert!(
        text(&out).contains("ready after 4 poll(s)"),
        "{}",
        text(&out)
    );
    assert_eq!(members(&w.root, "AccessClientB").await, ["bob"]);

    // FAILED with a FailureReason: the job fails with the reason in words; no group.
    proxy.clear();
    proxy.add(Rule::organizations_json(
        "DescribeCreateAccountStatus",
        serde_json::json!({"CreateAccountStatus": {"Id": "car-fault", "AccountName": "Client C",
            "State": "FAILED", "FailureReason": "ACCOUNT_LIMIT_EXCEEDED"}}),
    ));
    let out = create(
        &w.sandbox,
        &["--name", "Client C", "--email", "ops+c@example.com"],
    );
    assert!(!out.status.success());
    let printed = text(&out);
    assert!(printed.contains("account_creation_failed"), "{printed}");
    assert!(printed.contains("ACCOUNT_LIMIT_EXCEEDED"), "{printed}");
    assert!(printed.contains("Service Quotas"), "{printed}");
    assert_eq!(groups_named(&w.root, "AccessClientC").await, 0);
    let failed = job_files(&w.sandbox)
        .into_iter()
        .find(|j| j["plan"]["name"] == "Client C")
        .unwrap();
    assert_eq!(failed["state"], "failed");
    // A failed job cannot be resumed.
    let out = w
        .sandbox
        .switchyard(&["jobs", "resume", failed["id"].as_str().unwrap()], None);
    assert!(text(&out).contains("job_not_resumable"), "{}", text(&out));

    // Each FailureReason comes back as its sentence, remedy included.
    for (i, reason) in [
        "EMAIL_ALREADY_EXISTS",
        "CONCURRENT_ACCOUNT_MODIFICATION",
        "INVALID_EMAIL",
        "INVALID_ADDRESS",
        "INTERNAL_FAILURE",
        "GOVCLOUD_ACCOUNT_ALREADY_EXISTS",
        "MISSING_BUSINESS_VALIDATION",
        "MISSING_PAYMENT_INSTRUMENT",
        "SOMETHING_NEW",
    ]
    .into_iter()
    .enumerate()
    {
        proxy.clear();
        let name = format!("Client F{i}");
        proxy.add(Rule::organizations_json(
            "DescribeCreateAccountStatus",
            serde_json::json!({"CreateAccountStatus": {"Id": "car-fault", "AccountName": name,
                "State": "FAILED", "FailureReason": reason}}),
        ));
        let email = format!("ops+f{i}@example.com");
        let out = create(&w.sandbox, &["--name", &name, "--email", &email]);
        assert!(!out.status.success(), "{reason}");
        let sentence = switchyard_shared::provision::failure_sentence(reason);
        assert!(text(&out).contains(&sentence), "{reason}: {}", text(&out));
        assert!(text(&out).contains("account_creation_failed"), "{reason}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_between_steps_resumes_to_one_account_and_one_group() {
    let moto_proxy: std::sync::Arc<std::sync::Mutex<Option<FaultProxy>>> = Default::default();
    let slot = moto_proxy.clone();
    let w = world(move |m| {
        let proxy = FaultProxy::start(&m.endpoint);
        let endpoint = proxy.endpoint.clone();
        *slot.lock().unwrap() = Some(proxy);
        endpoint
    })
    .await;
    let proxy = moto_proxy.lock().unwrap().take().unwrap();

    // 1. Killed after CreateAccount is journaled, while waiting for it.
    proxy.add(in_progress("Client K"));
    let email = "ops+k@example.com";
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client K",
            "--email",
            email,
            "--user",
            "alice",
            "--user",
            "bob",
            "--no-wait",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let job = wait_for_journal(&w.sandbox, "waiting for the account", |j| {
        step_state(j, "create_account") == "done" && step_state(j, "wait_for_account") == "running"
    });
    let id = job["id"].as_str().unwrap().to_owned();
    kill9(daemon_pid(&w.sandbox));
    proxy.clear();
    let done = wait_for_job(&w.sandbox, &id);
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(accounts_with(&w.root, email).await.len(), 1);
    assert_eq!(groups_named(&w.root, "AccessClientK").await, 1);
    assert_eq!(members(&w.root, "AccessClientK").await, ["alice", "bob"]);

    // 2. Killed after CreateAccount reached AWS but before its answer was journaled (the
    //    journal as such a kill leaves it): the e-mail is looked up, nothing is sent again.
    proxy.add(in_progress("Client L"));
    let email = "ops+l@example.com";
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client L",
            "--email",
            email,
            "--user",
            "carol",
            "--no-wait",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let job = wait_for_journal(&w.sandbox, "Client L waiting", |j| {
        j["plan"]["name"] == "Client L" && step_state(j, "wait_for_account") == "running"
    });
    let id = job["id"].as_str().unwrap().to_owned();
    kill9(daemon_pid(&w.sandbox));
    proxy.clear();
    let path = state_dir(&w.sandbox).join(format!("jobs/{id}.json"));
    let mut edited: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edited.as_object_mut().unwrap().remove("create_request_id");
    for step in edited["steps"].as_array_mut().unwrap() {
        match step["step"].as_str().unwrap() {
            "create_account" => step["state"] = "running".into(),
            "wait_for_account" => step["state"] = "pending".into(),
            _ => {}
        }
    }
    std::fs::write(&path, serde_json::to_vec(&edited).unwrap()).unwrap();
    // CreateAccount must not be sent again: the proxy refuses it loudly if it is.
    proxy.add(Rule {
        needle: "AWSOrganizationsV20161128.CreateAccount\r".into(),
        status: 400,
        headers: vec![("Content-Type".into(), "application/x-amz-json-1.1".into())],
        body: r#"{"__type":"ConstraintViolationException","Message":"sent twice"}"#.into(),
        times: None,
    });
    let done = wait_for_job(&w.sandbox, &id);
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(proxy.hits(0), 0, "CreateAccount was sent again");
    let detail = done["steps"][1]["detail"].as_str().unwrap();
    assert!(detail.contains("adopted"), "{detail}");
    assert_eq!(accounts_with(&w.root, email).await.len(), 1);
    assert_eq!(members(&w.root, "AccessClientL").await, ["carol"]);

    // 3. Killed while the new role is not yet assumable (AssumeRole denied), then resumed.
    proxy.clear();
    proxy.add(Rule::query_error(
        "Action=AssumeRole",
        403,
        "AccessDenied",
        "not yet",
    ));
    let email = "ops+m@example.com";
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client M",
            "--email",
            email,
            "--user",
            "bob",
            "--no-wait",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let job = wait_for_journal(&w.sandbox, "Client M tagging its role", |j| {
        j["plan"]["name"] == "Client M" && step_state(j, "tag_role") == "running"
    });
    let id = job["id"].as_str().unwrap().to_owned();
    let started = Instant::now();
    while proxy.hits(0) < 2 {
        assert!(started.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(50));
    }
    kill9(daemon_pid(&w.sandbox));
    proxy.clear();
    let done = wait_for_job(&w.sandbox, &id);
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(accounts_with(&w.root, email).await.len(), 1);
    assert_eq!(groups_named(&w.root, "AccessClientM").await, 1);
    assert_eq!(members(&w.root, "AccessClientM").await, ["bob"]);
    let jobs = json(&w.sandbox.switchyard(&["jobs", "--json"], None));
    assert_eq!(jobs["data"]["jobs"].as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_create_account_answer_lost_after_aws_acted_is_found_not_resent() {
    let moto_proxy: std::sync::Arc<std::sync::Mutex<Option<FaultProxy>>> = Default::default();
    let slot = moto_proxy.clone();
    let w = world(move |m| {
        let proxy = FaultProxy::start(&m.endpoint);
        let endpoint = proxy.endpoint.clone();
        *slot.lock().unwrap() = Some(proxy);
        endpoint
    })
    .await;
    let proxy = moto_proxy.lock().unwrap().take().unwrap();
    // moto creates the account; the daemon never hears back. A second CreateAccount (an
    // SDK retry, or the job's) would make a second account: moto accepts duplicates.
    proxy.drop_answer("AWSOrganizationsV20161128.CreateAccount\r", 1);
    let email = "ops+lost@example.com";
    let out = create(
        &w.sandbox,
        &["--name", "Client Lost", "--email", email, "--user", "bob"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(proxy.dropped(0), 1);
    assert!(text(&out).contains("answer was lost"), "{}", text(&out));
    assert_eq!(accounts_with(&w.root, email).await.len(), 1);
    assert_eq!(members(&w.root, "AccessClientLost").await, ["bob"]);
}

fn job_id(out: &std::process::Output) -> String {
    // `--no-wait` prints "ID  state  name  email".
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_else(|| panic!("no job id: {}", text(out)))
        .to_owned()
}

async fn proxied() -> (World, FaultProxy) {
    let moto_proxy: std::sync::Arc<std::sync::Mutex<Option<FaultProxy>>> = Default::default();
    let slot = moto_proxy.clone();
    let w = world(move |m| {
        let proxy = FaultProxy::start(&m.endpoint);
        let endpoint = proxy.endpoint.clone();
        *slot.lock().unwrap() = Some(proxy);
        endpoint
    })
    .await;
    let proxy = moto_proxy.lock().unwrap().take().unwrap();
    (w, proxy)
}

#[tokio::test(flavor = "multi_thread")]
async fn jobs_at_once_cancel_and_resume() {
    let (w, proxy) = proxied().await;
    proxy.add(in_progress("any"));
    // Two clients at once; a second job for an e-mail a running job uses is refused.
    let x = create(
        &w.sandbox,
        &[
            "--name",
            "Client X",
            "--email",
            "ops+x@example.com",
            "--user",
            "alice",
            "--no-wait",
        ],
    );
    let y = create(
        &w.sandbox,
        &[
            "--name",
            "Client Y",
            "--email",
            "ops+y@example.com",
            "--user",
            "bob",
            "--no-wait",
        ],
    );
    let (x, y) = (job_id(&x), job_id(&y));
    let again = create(
        &w.sandbox,
        &[
            "--name",
            "Client X2",
            "--email",
            "OPS+X@example.com",
            "--role",
            "X2",
            "--no-wait",
        ],
    );
    assert!(!again.status.success());
    assert!(text(&again).contains("email_in_use"), "{}", text(&again));
    assert!(text(&again).contains(&x), "{}", text(&again));
    let live = w
        .sandbox
        .switchyard(&["account", "check-email", "ops+x@example.com"], None);
    assert!(!live.status.success());
    assert!(
        text(&live).contains(&format!("job {x} (Client X)")),
        "{}",
        text(&live)
    );

    // Cancel one while it waits for its account: it stops, and stays stopped.
    let w_out = create(
        &w.sandbox,
        &[
            "--name",
            "Client W",
            "--email",
            "ops+w@example.com",
            "--no-wait",
        ],
    );
    let cancelled = job_id(&w_out);
    wait_for_journal(&w.sandbox, "W waiting", |j| {
        j["id"] == cancelled.as_str() && step_state(j, "wait_for_account") == "running"
    });
    let out = w.sandbox.switchyard(&["jobs", "cancel", &cancelled], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("cancelled"), "{}", text(&out));
    proxy.clear();
    assert_eq!(wait_for_job(&w.sandbox, &x)["state"], "done");
    assert_eq!(wait_for_job(&w.sandbox, &y)["state"], "done");
    std::thread::sleep(Duration::from_millis(1500));
    let job = wait_for_job(&w.sandbox, &cancelled);
    assert_eq!(job["state"], "cancelled", "{job}");
    assert_eq!(job["error"], Value::Null, "{job}");
    assert_eq!(groups_named(&w.root, "AccessClientW").await, 0);
    assert_eq!(members(&w.root, "AccessClientX").await, ["alice"]);
    assert_eq!(members(&w.root, "AccessClientY").await, ["bob"]);

    // Resumed, it finishes with the one account it started.
    let out = w.sandbox.switchyard(&["jobs", "resume", &cancelled], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("done: account Client W"),
        "{}",
        text(&out)
    );
    for email in [
        "ops+x@example.com",
        "ops+y@example.com",
        "ops+w@example.com",
    ] {
        assert_eq!(accounts_with(&w.root, email).await.len(), 1, "{email}");
    }
    let out = w.sandbox.switchyard(&["jobs", "cancel", "j0000"], None);
    assert!(text(&out).contains("job_not_found"), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn throttling_pauses_the_job_and_a_5xx_is_retried() {
    let (w, proxy) = proxied().await;
    proxy.add(Rule::query_error(
        "Action=CreateGroup",
        400,
        "Throttling",
        "Rate exceeded",
    ));
    proxy.add(Rule::query_error("Action=PutGroupPolicy", 500, "ServiceFailure", "oops").times(2));
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client T",
            "--email",
            "ops+t@example.com",
            "--user",
            "carol",
        ],
    );
    assert!(!out.status.success());
    let printed = text(&out);
    assert!(printed.contains("aws_throttled"), "{printed}");
    assert!(printed.contains("jobs resume"), "{printed}");
    assert!(printed.contains("[failed]  create_group"), "{printed}");
    let job = job_files(&w.sandbox).pop().unwrap();
    assert_eq!(job["state"], "paused");
    let id = job["id"].as_str().unwrap().to_owned();
    let listed = text(&w.sandbox.switchyard(&["jobs"], None));
    assert!(listed.contains(&format!("{id}  paused")), "{listed}");
    assert!(listed.contains("at create_group"), "{listed}");
    assert!(listed.contains("    aws_throttled: "), "{listed}");
    assert!(proxy.hits(0) >= 1);
    proxy.clear();
    proxy.add(Rule::query_error("Action=PutGroupPolicy", 500, "ServiceFailure", "oops").times(2));
    let out = w.sandbox.switchyard(&["jobs", "resume", &id], None);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(proxy.hits(0), 2, "the SDK retried the 5xx");
    assert_eq!(accounts_with(&w.root, "ops+t@example.com").await.len(), 1);
    assert_eq!(members(&w.root, "AccessClientT").await, ["carol"]);
    let audit = std::fs::read_to_string(state_dir(&w.sandbox).join("audit.log")).unwrap();
    assert!(audit.contains("aws_throttled"), "{audit}");
    assert!(audit.contains("jobs.resume"), "{audit}");
}

async fn account_state(root: &SdkConfig, id: &str) -> String {
    aws_sdk_organizations::Client::new(root)
        .describe_account()
        .account_id(id)
        .send()
        .await
        .unwrap()
        .account
        .unwrap()
        .state
        .unwrap()
        .as_str()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn closing_an_account_with_its_safeguards() {
    let w = world(|m| m.endpoint.clone()).await;
    for (name, email) in [
        ("Client Z", "ops+z@example.com"),
        ("Client Q", "ops+q@example.com"),
    ] {
        let out = create(
            &w.sandbox,
            &["--name", name, "--email", email, "--user", "bob"],
        );
        assert!(out.status.success(), "{}", text(&out));
    }
    let z = accounts_with(&w.root, "ops+z@example.com").await[0]
        .id
        .clone()
        .unwrap();
    let q = accounts_with(&w.root, "ops+q@example.com").await[0]
        .id
        .clone()
        .unwrap();
    let close = |args: &[&str]| {
        let mut all = vec!["account", "close"];
        all.extend_from_slice(args);
        w.sandbox.switchyard(&all, None)
    };

    // The wrong name, or none: nothing happens.
    let out = close(&[&z, "--confirm", "Client Q"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("confirmation_mismatch"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("\"Client Z\""), "{}", text(&out));
    let out = w.sandbox.switchyard(&["account", "close", &z], Some("\n"));
    assert!(!out.status.success(), "{}", text(&out));
    assert_eq!(account_state(&w.root, &z).await, "ACTIVE");
    // The management account is refused.
    let out = close(&["123456789012", "--confirm", "anything"]);
    assert!(text(&out).contains("close_not_allowed"), "{}", text(&out));

    // The name typed (from stdin): closed, the group made for it removed, the quota told.
    let out = w.sandbox.switchyard(
        &["account", "close", &z, "--remove-group"],
        Some("Client Z\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    let printed = text(&out);
    assert!(
        printed.contains(&format!("account {z} (Client Z): SUSPENDED")),
        "{printed}"
    );
    assert!(
        printed.contains("removed policy AccessClientZ/SwitchToClientZ"),
        "{printed}"
    );
    assert!(printed.contains("removed group AccessClientZ"), "{printed}");
    assert!(printed.contains("9 of 10"), "{printed}");
    assert_eq!(account_state(&w.root, &z).await, "SUSPENDED");
    assert_eq!(groups_named(&w.root, "AccessClientZ").await, 0);
    assert_eq!(members(&w.root, "AccessClientQ").await, ["bob"]);
    // Closing it again says it is closed already (before, it reported success), and
    // sends nothing.
    let out = close(&[&z, "--confirm", "Client Z"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("account_closed"), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("account {z} (Client Z) is already SUSPENDED")),
        "{}",
        text(&out)
    );
    let audit = std::fs::read_to_string(state_dir(&w.sandbox).join("audit.log")).unwrap();
    assert_eq!(
        audit.matches("organizations:CloseAccount").count(),
        1,
        "{audit}"
    );

    // With ten closures in the last 30 days, the quota is used up.
    let path = state_dir(&w.sandbox).join("closures.json");
    let mut closures: serde_json::Map<String, Value> =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let recent = closures[&z]["requested_at"].as_u64().unwrap();
    for i in 0..9 {
        closures.insert(
            format!("99999999999{i}"),
            serde_json::json!({"name": "x", "requested_at": recent, "state": "SUSPENDED", "who": "x"}),
        );
    }
    std::fs::write(&path, serde_json::to_vec(&closures).unwrap()).unwrap();
    let out = close(&[&q, "--confirm", "Client Q"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("close_quota_reached"), "{}", text(&out));
    assert!(text(&out).contains("10 of 10"), "{}", text(&out));
    // The refusal offers the queue (daemon/tests/close_queue.rs follows it to the end).
    assert!(text(&out).contains("--queue"), "{}", text(&out));
    assert_eq!(account_state(&w.root, &q).await, "ACTIVE");
    let audit = std::fs::read_to_string(state_dir(&w.sandbox).join("audit.log")).unwrap();
    assert!(audit.contains("organizations:CloseAccount"), "{audit}");
}

fn organizations_throttled(operation: &str) -> Rule {
    Rule {
        needle: format!("AWSOrganizationsV20161128.{operation}\r"),
        status: 400,
        headers: vec![("Content-Type".into(), "application/x-amz-json-1.1".into())],
        body: r#"{"__type":"TooManyRequestsException","Message":"Rate exceeded"}"#.into(),
        times: None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn stopped_at_every_step_then_killed_and_resumed_gives_one_result() {
    let (w, proxy) = proxied().await;
    let org = aws_sdk_organizations::Client::new(&w.root);
    let root = org.list_roots().send().await.unwrap().roots.unwrap()[0]
        .id
        .clone()
        .unwrap();
    let ou = org
        .create_organizational_unit()
        .parent_id(&root)
        .name("Clients")
        .send()
        .await
        .unwrap()
        .organizational_unit
        .unwrap()
        .id
        .unwrap();
    let steps = [
        ("check_email", organizations_throttled("ListAccounts")),
        ("create_account", organizations_throttled("CreateAccount")),
        (
            "wait_for_account",
            organizations_throttled("DescribeCreateAccountStatus"),
        ),
        ("move_to_ou", organizations_throttled("ListParents")),
        (
            "tag_role",
            Rule::query_error("Action=TagRole", 400, "Throttling", "Rate exceeded"),
        ),
        (
            "create_group",
            Rule::query_error("Action=CreateGroup", 400, "Throttling", "Rate exceeded"),
        ),
        (
            "put_policy",
            Rule::query_error("Action=PutGroupPolicy", 400, "Throttling", "Rate exceeded"),
        ),
        (
            "add_users",
            Rule::query_error("Action=AddUserToGroup", 400, "Throttling", "Rate exceeded"),
        ),
    ];
    for (i, (step, rule)) in steps.into_iter().enumerate() {
        let name = format!("Client S{i}");
        let email = format!("ops+s{i}@example.com");
        let group = format!("AccessClientS{i}");
        proxy.clear();
        proxy.add(rule);
        let out = create(
            &w.sandbox,
            &[
                "--name", &name, "--email", &email, "--user", "alice", "--user", "bob", "--ou", &ou,
            ],
        );
        assert!(!out.status.success(), "{step}: {}", text(&out));
        assert!(
            text(&out).contains("aws_throttled"),
            "{step}: {}",
            text(&out)
        );
        if step == "check_email" {
            // The checks run before a job exists: the refusal is the answer, no job is
            // left behind, and the same request goes through once AWS answers again.
            assert!(
                !job_files(&w.sandbox)
                    .iter()
                    .any(|j| j["plan"]["name"] == name.as_str()),
                "{step}"
            );
            proxy.clear();
            let out = create(
                &w.sandbox,
                &[
                    "--name", &name, "--email", &email, "--user", "alice", "--user", "bob", "--ou",
                    &ou,
                ],
            );
            assert!(out.status.success(), "{step}: {}", text(&out));
        } else {
            let job = job_files(&w.sandbox)
                .into_iter()
                .find(|j| j["plan"]["name"] == name.as_str())
                .unwrap();
            assert_eq!(job["state"], "paused", "{step}: {job}");
            assert_eq!(step_state(&job, step), "failed", "{step}: {job}");
            let id = job["id"].as_str().unwrap().to_owned();
            kill9(daemon_pid(&w.sandbox));
            proxy.clear();
            let out = w.sandbox.switchyard(&["jobs", "resume", &id], None);
            assert!(out.status.success(), "{step}: {}", text(&out));
        }
        assert_eq!(accounts_with(&w.root, &email).await.len(), 1, "{step}");
        assert_eq!(groups_named(&w.root, &group).await, 1, "{step}");
        assert_eq!(members(&w.root, &group).await, ["alice", "bob"], "{step}");
        let account = accounts_with(&w.root, &email).await[0].id.clone().unwrap();
        let parents = org
            .list_parents()
            .child_id(&account)
            .send()
            .await
            .unwrap()
            .parents
            .unwrap();
        assert_eq!(parents[0].id.as_deref(), Some(ou.as_str()), "{step}");
        let role = format!("arn:aws:iam::{account}:role/ClientS{i}");
        assert_eq!(
            group_policy(&w.root, &group, &format!("SwitchToClientS{i}")).await["Statement"][0]
                ["Resource"],
            role.as_str(),
            "{step}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_mfa_profile_is_asked_for_a_code_to_create_and_to_resume() {
    let (w, proxy) = proxied().await;
    support::enable_virtual_mfa(&w.root, "admin").await;
    proxy.add(in_progress("Client MFA"));
    let email = "ops+mfa@example.com";
    let out = w.sandbox.switchyard(
        &[
            "account",
            "create",
            "--name",
            "Client MFA",
            "--email",
            email,
            "--user",
            "bob",
            "--no-wait",
        ],
        Some("123456\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("enter a code"), "{}", text(&out));
    let id = job_id(&out);
    wait_for_journal(&w.sandbox, "waiting", |j| {
        step_state(j, "wait_for_account") == "running"
    });
    // A killed daemon forgets the MFA session: the resumed job pauses for a code.
    kill9(daemon_pid(&w.sandbox));
    proxy.clear();
    let paused = wait_for_job(&w.sandbox, &id);
    assert_eq!(paused["state"], "paused", "{paused}");
    assert_eq!(paused["error"]["code"], "mfa_required", "{paused}");
    let out = w
        .sandbox
        .switchyard(&["jobs", "resume", &id], Some("123456\n"));
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("done: account Client MFA"),
        "{}",
        text(&out)
    );
    assert_eq!(accounts_with(&w.root, email).await.len(), 1);
    assert_eq!(members(&w.root, "AccessClientMFA").await, ["bob"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn chosen_policies_replace_the_roles_administrator_access() {
    let moto = Moto::start_with_managed_policies();
    let proxy = FaultProxy::start(&moto.endpoint);
    let endpoint = proxy.endpoint.clone();
    let w = world_on(moto, |_| endpoint).await;
    proxy.add(in_progress("Client P"));
    let email = "ops+p@example.com";
    let read_only = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client P",
            "--email",
            email,
            "--role-policy",
            read_only,
            "--no-wait",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let id = job_id(&out);
    // As AWS does, the new role starts with AdministratorAccess.
    wait_for_journal(&w.sandbox, "waiting", |j| {
        step_state(j, "wait_for_account") == "running"
    });
    let account = accounts_with(&w.root, email).await[0].id.clone().unwrap();
    let role_arn = format!("arn:aws:iam::{account}:role/ClientP");
    let member = assume(&w.root, &role_arn).await.unwrap();
    let member_iam = aws_sdk_iam::Client::new(&member);
    member_iam
        .attach_role_policy()
        .role_name("ClientP")
        .policy_arn(admin)
        .send()
        .await
        .unwrap();
    proxy.clear();
    let job = wait_for_job(&w.sandbox, &id);
    assert_eq!(job["state"], "done", "{job}");
    let detail = job["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "role_policies")
        .unwrap()["detail"]
        .to_string();
    assert!(detail.contains("AdministratorAccess detached"), "{detail}");
    let attached: Vec<String> = member_iam
        .list_attached_role_policies()
        .role_name("ClientP")
        .send()
        .await
        .unwrap()
        .attached_policies
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.policy_arn)
        .collect();
    assert_eq!(attached, [read_only]);
    // A policy ARN that is not one is refused up front.
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client P2",
            "--email",
            "ops+p2@example.com",
            "--role-policy",
            "ReadOnly",
        ],
    );
    assert!(
        text(&out).contains("is not a managed policy ARN"),
        "{}",
        text(&out)
    );
}

fn set_email_template(sandbox: &Sandbox, template: &str) {
    let path = sandbox.home().join("config/config.toml");
    let config: String = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("email_template"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(config.contains("[profiles.default]\n"), "{config}");
    let config = config.replace(
        "[profiles.default]\n",
        &format!("[profiles.default]\nemail_template = \"{template}\"\n"),
    );
    std::fs::write(&path, config).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_email_comes_from_the_profiles_template() {
    let w = world(|m| m.endpoint.clone()).await;
    let out = create(&w.sandbox, &["--name", "Client E"]);
    assert!(text(&out).contains("set email_template"), "{}", text(&out));
    set_email_template(&w.sandbox, "ops@example.com");
    let out = create(&w.sandbox, &["--name", "Client E"]);
    assert!(text(&out).contains("{slug} exactly once"), "{}", text(&out));
    set_email_template(&w.sandbox, "ops+{slug}@example.com");
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client E & Co",
            "--role",
            "ClientE",
            "--group",
            "AccessClientE",
            "--policy",
            "SwitchToClientE",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        accounts_with(&w.root, "ops+client-e-co@example.com")
            .await
            .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disk_filled_during_a_step_pauses_the_job_visibly_and_it_goes_on_once_space_returns() {
    let (w, proxy) = proxied().await;
    // The state folder on a small disk of its own, which the test fills.
    w.sandbox.stop_daemon();
    let state = state_dir(&w.sandbox);
    let _ = std::fs::remove_dir_all(&state);
    let Some(disk) = support::Tmpfs::mount(&state, "4m") else {
        return;
    };
    let email = "ops+disk@example.com";
    let held = proxy.hold("Action=CreateGroup", 1);
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client Disk",
            "--email",
            email,
            "--user",
            "bob",
            "--no-wait",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let id = job_id(&out);
    // CreateGroup is on its way to AWS when the disk fills; AWS then makes the group,
    // and the step's "done" cannot be journaled.
    assert!(proxy.wait_caught(held, 1, Duration::from_secs(90)));
    let filler = disk.fill();
    proxy.release(held);

    // The job is paused with the reason, though its journal cannot be written: jobs.list,
    // job.status and job.watch all say so.
    let job = wait_for_job(&w.sandbox, &id);
    assert_eq!(job["state"], "paused", "{job}");
    assert_eq!(job["error"]["code"], "state_dir_unwritable", "{job}");
    let message = job["error"]["message"].as_str().unwrap();
    assert!(message.contains("the disk is full"), "{message}");
    assert!(message.contains("goes on by itself"), "{message}");
    assert!(
        message.contains(&format!("switchyard jobs resume {id}")),
        "{message}"
    );
    let status = w
        .sandbox
        .raw(&serde_json::json!({"id": 1, "type": "job.status", "job": id}));
    assert_eq!(status["data"]["state"], "paused", "{status}");
    let watched = w.sandbox.raw(&serde_json::json!(
        {"id": 2, "type": "job.watch", "job": id, "after": 0, "wait_secs": 1}));
    assert_eq!(watched["data"]["job"]["state"], "paused", "{watched}");
    assert_eq!(
        watched["data"]["job"]["error"]["code"], "state_dir_unwritable",
        "{watched}"
    );
    // The file still holds the last state written: a restarted daemon would resume it.
    let file = job_files(&w.sandbox).pop().unwrap();
    assert_eq!(file["state"], "running", "{file}");
    assert_eq!(step_state(&file, "create_group"), "running", "{file}");

    // Space returns: the job goes on by itself (nobody runs `jobs resume`) and ends with
    // one account and one group.
    std::fs::remove_file(filler).unwrap();
    let started = Instant::now();
    let job = loop {
        let out = w.sandbox.switchyard(&["jobs", "--json"], None);
        let data = json(&out);
        let job = data["data"]["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|j| j["id"] == id.as_str())
            .cloned()
            .unwrap();
        if job["state"] != "paused" && job["state"] != "running" {
            break job;
        }
        assert!(started.elapsed() < Duration::from_secs(90), "{job}");
        std::thread::sleep(Duration::from_millis(250));
    };
    println!(
        "resumed by itself and done {:?} after space returned",
        started.elapsed()
    );
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(accounts_with(&w.root, email).await.len(), 1);
    assert_eq!(groups_named(&w.root, "AccessClientDisk").await, 1);
    assert_eq!(members(&w.root, "AccessClientDisk").await, ["bob"]);
    let file = job_files(&w.sandbox).pop().unwrap();
    assert_eq!(file["state"], "done", "{file}");
    let audit = std::fs::read_to_string(state.join("audit.log")).unwrap();
    assert!(audit.contains("jobs.resume (automatic)"), "{audit}");
    w.sandbox.stop_daemon();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_aws_pauses_a_step_within_its_deadline_and_resume_finishes() {
    let (w, proxy) = proxied().await;
    w.sandbox.set_profile_settings(
        "connect_timeout_secs = 2\nattempt_timeout_secs = 2\noperation_timeout_secs = 5",
    );
    // Every CreateGroup is accepted and never answered.
    let stalled = proxy.stall("Action=CreateGroup", 1000);
    let email = "ops+silent@example.com";
    let started = Instant::now();
    let out = create(
        &w.sandbox,
        &["--name", "Client Silent", "--email", email, "--no-wait"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let id = job_id(&out);
    let job = wait_for_job(&w.sandbox, &id);
    let took = started.elapsed();
    println!("the silent CreateGroup paused the job after {took:?}");
    assert!(proxy.caught(stalled) >= 1);
    assert_eq!(job["state"], "paused", "{job}");
    assert_eq!(job["error"]["code"], "aws_unreachable", "{job}");
    let message = job["error"]["message"].as_str().unwrap();
    assert!(message.contains("did not answer in time"), "{message}");
    assert!(took < Duration::from_secs(60), "{took:?}");
    let file = job_files(&w.sandbox).pop().unwrap();
    assert_eq!(step_state(&file, "create_group"), "failed", "{file}");

    // AWS answers again: resumed, the job ends with one account and one group.
    proxy.release(stalled);
    let out = w.sandbox.switchyard(&["jobs", "resume", &id], None);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(accounts_with(&w.root, email).await.len(), 1);
    assert_eq!(groups_named(&w.root, "AccessClientSilent").await, 1);
}

/// The inline policy `policy` of `group` now allows exactly `roles`.
async fn put_switch_policy(root: &SdkConfig, group: &str, policy: &str, roles: &[&str]) {
    let document = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": roles}]});
    aws_sdk_iam::Client::new(root)
        .put_group_policy()
        .group_name(group)
        .policy_name(policy)
        .policy_document(document.to_string())
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_account_of_the_same_name_cannot_take_over_the_first_ones_access() {
    let w = world(|m| m.endpoint.clone()).await;
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client A",
            "--email",
            "ops+client-a@example.com",
            "--user",
            "alice",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let first = accounts_with(&w.root, "ops+client-a@example.com").await[0]
        .id
        .clone()
        .unwrap();
    let first_role = format!("arn:aws:iam::{first}:role/ClientA");
    let untouched = || async {
        assert_eq!(members(&w.root, "AccessClientA").await, ["alice"]);
        assert_eq!(
            group_policy(&w.root, "AccessClientA", "SwitchToClientA").await["Statement"][0]
                ["Resource"],
            first_role.as_str()
        );
    };

    // The same name with another e-mail: refused before anything is made, naming the
    // account and the field to change (before the fix it adopted AccessClientA and
    // replaced SwitchToClientA with the new account's role: alice lost Client A).
    let jobs_before = job_files(&w.sandbox).len();
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client A",
            "--email",
            "ops+client-a2@example.com",
            "--user",
            "bob",
        ],
    );
    assert!(!out.status.success(), "{}", text(&out));
    let printed = text(&out);
    assert!(printed.contains("name_in_use"), "{printed}");
    assert!(printed.contains(&format!("account {first}")), "{printed}");
    assert!(printed.contains("--name"), "{printed}");
    assert!(accounts_with(&w.root, "ops+client-a2@example.com")
        .await
        .is_empty());
    assert_eq!(
        job_files(&w.sandbox).len(),
        jobs_before,
        "no job was started"
    );
    untouched().await;

    // Another name, but the first account's group and policy named: refused, saying
    // which account the group serves and how to choose other names.
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client A2",
            "--email",
            "ops+client-a2@example.com",
            "--user",
            "bob",
            "--group",
            "AccessClientA",
            "--policy",
            "SwitchToClientA",
        ],
    );
    assert!(!out.status.success(), "{}", text(&out));
    let printed = text(&out);
    assert!(printed.contains("name_in_use"), "{printed}");
    assert!(
        printed.contains(&format!(
            "its policy SwitchToClientA grants {first_role} (account \"Client A\")"
        )),
        "{printed}"
    );
    assert!(
        printed.contains("--group NAME and --policy NAME"),
        "{printed}"
    );
    // Another policy name on the same group would still hand bob Client A: refused too.
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client A2",
            "--email",
            "ops+client-a2@example.com",
            "--user",
            "bob",
            "--group",
            "AccessClientA",
        ],
    );
    assert!(text(&out).contains("name_in_use"), "{}", text(&out));
    assert!(accounts_with(&w.root, "ops+client-a2@example.com")
        .await
        .is_empty());
    untouched().await;

    // An e-mail in use is the answer to `--no-wait` too: no job, no `running`.
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client B",
            "--email",
            "ops+client-a@example.com",
            "--no-wait",
        ],
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("email_in_use"), "{}", text(&out));
    assert!(!text(&out).contains("running"), "{}", text(&out));
    assert_eq!(
        job_files(&w.sandbox).len(),
        jobs_before,
        "no job was started"
    );
    let reply = json(&w.sandbox.switchyard(
        &[
            "account",
            "create",
            "--name",
            "Client B",
            "--email",
            "ops+client-a@example.com",
            "--no-wait",
            "--json",
        ],
        None,
    ));
    assert_eq!(reply["error"]["code"], "email_in_use", "{reply}");

    // Its own names: made, and Client A's access is as it was.
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client A2",
            "--email",
            "ops+client-a2@example.com",
            "--user",
            "bob",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(members(&w.root, "AccessClientA2").await, ["bob"]);
    untouched().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_resumed_into_a_group_that_now_grants_another_account_pauses() {
    let (w, proxy) = proxied().await;
    // Hold the job at wait_for_account, then make its group by hand for another client.
    proxy.add(in_progress("any"));
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client G",
            "--email",
            "ops+g@example.com",
            "--no-wait",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let id = job_id(&out);
    wait_for_journal(&w.sandbox, "the request sent", |j| {
        j["create_request_id"].is_string()
    });
    let iam = aws_sdk_iam::Client::new(&w.root);
    iam.create_group()
        .group_name("AccessClientG")
        .send()
        .await
        .unwrap();
    put_switch_policy(
        &w.root,
        "AccessClientG",
        "Other",
        &["arn:aws:iam::111111111111:role/X"],
    )
    .await;
    proxy.clear();
    let job = wait_for_job(&w.sandbox, &id);
    assert_eq!(job["state"], "paused", "{job}");
    assert_eq!(job["error"]["code"], "name_in_use", "{job}");
    assert_eq!(step_state(&job, "create_group"), "failed");
    assert_eq!(
        group_policy(&w.root, "AccessClientG", "Other").await["Statement"][0]["Resource"][0],
        "arn:aws:iam::111111111111:role/X"
    );
    // The other policy removed, the job resumes to the end.
    iam.delete_group_policy()
        .group_name("AccessClientG")
        .policy_name("Other")
        .send()
        .await
        .unwrap();
    let out = w.sandbox.switchyard(&["jobs", "resume", &id], None);
    assert!(out.status.success(), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn closing_never_removes_a_group_whose_policy_grants_another_account() {
    let w = world(|m| m.endpoint.clone()).await;
    for (name, email) in [
        ("Client X", "ops+x@example.com"),
        ("Client Y", "ops+y@example.com"),
    ] {
        let out = create(
            &w.sandbox,
            &["--name", name, "--email", email, "--user", "bob"],
        );
        assert!(out.status.success(), "{}", text(&out));
    }
    let x = accounts_with(&w.root, "ops+x@example.com").await[0]
        .id
        .clone()
        .unwrap();
    let y = accounts_with(&w.root, "ops+y@example.com").await[0]
        .id
        .clone()
        .unwrap();
    // X's policy now grants Y's role (what the takeover left behind, or a hand edit).
    let y_role = format!("arn:aws:iam::{y}:role/ClientY");
    put_switch_policy(&w.root, "AccessClientX", "SwitchToClientX", &[&y_role]).await;
    let out = w.sandbox.switchyard(
        &[
            "account",
            "close",
            &x,
            "--remove-group",
            "--confirm",
            "Client X",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let printed = text(&out);
    assert!(
        printed.contains("kept group AccessClientX and its policy SwitchToClientX"),
        "{printed}"
    );
    assert!(printed.contains(&y_role), "{printed}");
    assert_eq!(members(&w.root, "AccessClientX").await, ["bob"]);
    assert_eq!(
        group_policy(&w.root, "AccessClientX", "SwitchToClientX").await["Statement"][0]["Resource"]
            [0],
        y_role.as_str()
    );
    assert_eq!(account_state(&w.root, &x).await, "SUSPENDED");
}

/// A member account made directly in moto (no job); its id.
async fn member_account(root: &SdkConfig, name: &str, email: &str) -> String {
    aws_sdk_organizations::Client::new(root)
        .create_account()
        .account_name(name)
        .email(email)
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap()
        .account_id
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn root_access_tasks_where_centralized_root_access_is_on() {
    let (w, proxy) = proxied().await;
    let id = member_account(&w.root, "Client Root", "ops+root@example.com").await;
    let root = |args: &[&str]| {
        let mut all = vec!["account", "root", &id];
        all.extend_from_slice(args);
        w.sandbox.switchyard(&all, None)
    };

    // Off (IAM not trusted in Organizations, which moto answers): the manual reset is
    // said as it is, and a task is refused without any AssumeRoot.
    let out = root(&[]);
    assert!(out.status.success(), "{}", text(&out));
    let printed = text(&out);
    assert!(printed.contains("centralized root access off"), "{printed}");
    assert!(
        printed.contains("ops+root@example.com") && printed.contains("CAPTCHA"),
        "{printed}"
    );
    let out = root(&["--allow-password-recovery"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("root_access_off"), "{}", text(&out));
    assert!(proxy.requests("Action=AssumeRoot&").is_empty());

    // On: moto does not know iam.amazonaws.com as a service principal, implements
    // neither IAM's ListOrganizationsFeatures nor STS AssumeRoot, nor IAM calls made as a
    // root session (no user name), so the fault proxy answers those as the API reference
    // shapes them. These answers are a stand-in; what the test checks is what Switchyard
    // sends, and that it reads the answers.
    proxy.add(Rule::organizations_json(
        "ListAWSServiceAccessForOrganization",
        serde_json::json!({"EnabledServicePrincipals": [
            {"ServicePrincipal": "iam.amazonaws.com", "DateEnabled": 1_767_225_600}]}),
    ));
    proxy.add(Rule::query_ok(
        "ListOrganizationsFeatures",
        "<OrganizationId>o-standin0001</OrganizationId><EnabledFeatures>\
         <member>RootCredentialsManagement</member><member>RootSessions</member>\
         </EnabledFeatures>",
    ));
    proxy.add(Rule::query_ok(
        "AssumeRoot",
        "<Credentials><AccessKeyId>ASIAROOTSTANDIN00001</AccessKeyId>\
         <SecretAccessKey>standin-root-secret</SecretAccessKey>\
         <SessionToken>standin-root-token</SessionToken>\
         <Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>\
         <SourceIdentity>admin</SourceIdentity>",
    ));
    proxy.add(Rule::query_ok(
        "CreateLoginProfile",
        "<LoginProfile><UserName>root</UserName><CreateDate>2026-01-01T00:00:00Z</CreateDate>\
         <PasswordResetRequired>false</PasswordResetRequired></LoginProfile>",
    ));
    proxy.add(Rule::query_ok("DeleteLoginProfile", ""));
    proxy.add(Rule::query_ok(
        "ListAccessKeys",
        "<AccessKeyMetadata><member><AccessKeyId>AKIAROOTKEY000000001</AccessKeyId>\
         <Status>Active</Status></member></AccessKeyMetadata><IsTruncated>false</IsTruncated>",
    ));
    proxy.add(Rule::query_ok("DeleteAccessKey", ""));
    proxy.add(Rule::query_ok(
        "ListSigningCertificates",
        "<Certificates></Certificates><IsTruncated>false</IsTruncated>",
    ));
    proxy.add(Rule::query_ok(
        "ListMFADevices",
        "<MFADevices></MFADevices><IsTruncated>false</IsTruncated>",
    ));
    let out = root(&[]);
    assert!(out.status.success(), "{}", text(&out));
    let printed = text(&out);
    assert!(printed.contains("centralized root access on"), "{printed}");
    assert!(
        printed.contains("RootCredentialsManagement, RootSessions"),
        "{printed}"
    );
    assert!(printed.contains("--allow-password-recovery"), "{printed}");

    // Allow password recovery: AssumeRoot for the account with the task policy, on a
    // regional endpoint, then CreateLoginProfile signed with that session, naming
    // neither a user nor a password.
    let out = root(&["--allow-password-recovery"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("password recovery allowed"),
        "{}",
        text(&out)
    );
    let assumed = proxy.requests("Action=AssumeRoot&");
    assert_eq!(assumed.len(), 1);
    for part in [
        format!("TargetPrincipal={id}"),
        "TaskPolicyArn.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2Froot-task%2FIAMCreateRootUserPassword".to_owned(),
        "DurationSeconds=900".to_owned(),
        "/us-east-1/sts/aws4_request".to_owned(),
    ] {
        assert!(assumed[0].contains(&part), "{part}: {}", assumed[0]);
    }
    let created = proxy.requests("Action=CreateLoginProfile&");
    assert_eq!(created.len(), 1);
    assert!(
        created[0].contains("Credential=ASIAROOTSTANDIN00001/"),
        "{}",
        created[0]
    );
    assert!(
        !created[0].contains("UserName=") && !created[0].contains("Password="),
        "{}",
        created[0]
    );

    // Delete the root credentials: the same with IAMDeleteRootUserCredentials; the key
    // found is deleted with the root session.
    let out = root(&["--delete-credentials"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("removed root access key AKIA"),
        "{}",
        text(&out)
    );
    assert!(proxy.requests("Action=AssumeRoot&")[1]
        .contains("policy%2Froot-task%2FIAMDeleteRootUserCredentials"));
    let deleted = proxy.requests("Action=DeleteAccessKey&");
    assert_eq!(deleted.len(), 1);
    assert!(
        deleted[0].contains("AccessKeyId=AKIAROOTKEY000000001"),
        "{}",
        deleted[0]
    );
    assert!(
        deleted[0].contains("Credential=ASIAROOTSTANDIN00001/"),
        "{}",
        deleted[0]
    );

    let audit = std::fs::read_to_string(state_dir(&w.sandbox).join("audit.log")).unwrap();
    assert_eq!(audit.matches("sts:AssumeRoot").count(), 2, "{audit}");
    assert!(audit.contains("iam:CreateLoginProfile (root)"), "{audit}");
    assert!(!audit.contains("standin-root-secret"), "{audit}");
    // The management account is not a member account.
    let out = w
        .sandbox
        .switchyard(&["account", "root", "123456789012"], None);
    assert!(
        text(&out).contains("invalid_account_request"),
        "{}",
        text(&out)
    );
}

/// The group ids that have `permission_set` on `account` in Identity Center.
async fn assigned_groups(
    root: &SdkConfig,
    instance: &str,
    permission_set: &str,
    account: &str,
) -> Vec<String> {
    aws_sdk_ssoadmin::Client::new(root)
        .list_account_assignments()
        .instance_arn(instance)
        .account_id(account)
        .permission_set_arn(permission_set)
        .send()
        .await
        .unwrap()
        .account_assignments
        .unwrap_or_default()
        .into_iter()
        .filter_map(|a| a.principal_id)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn identity_center_access_is_assigned_and_removed_with_the_group() {
    let (w, proxy) = proxied().await;
    // moto's sso-admin has an instance per account and region; a permission set and a
    // group in its identity store, made as an administrator would.
    let sso = aws_sdk_ssoadmin::Client::new(&w.root);
    let instance = sso
        .list_instances()
        .send()
        .await
        .unwrap()
        .instances
        .unwrap()[0]
        .clone();
    let instance_arn = instance.instance_arn.unwrap();
    let store = instance.identity_store_id.unwrap();
    let set = sso
        .create_permission_set()
        .instance_arn(&instance_arn)
        .name("AdminAccess")
        .session_duration("PT1H")
        .send()
        .await
        .unwrap()
        .permission_set
        .unwrap()
        .permission_set_arn
        .unwrap();
    let group = aws_sdk_identitystore::Client::new(&w.root)
        .create_group()
        .identity_store_id(&store)
        .display_name("Ops")
        .send()
        .await
        .unwrap()
        .group_id;

    // The choices, listed.
    let out = w.sandbox.switchyard(&["account", "identity-center"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("AdminAccess  {set}")),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains(&format!("Ops  {group}")),
        "{}",
        text(&out)
    );
    // A name not in the lists is refused before any job, naming what there is.
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client I",
            "--email",
            "ops+i@example.com",
            "--permission-set",
            "ReadOnly",
            "--sso-group",
            "Ops",
        ],
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("the instance has: AdminAccess"),
        "{}",
        text(&out)
    );
    assert!(job_files(&w.sandbox).is_empty());

    // The runbook with Identity Center access: a journaled step of its own. Throttled
    // there (the fault proxy, past the SDK's retries), the job pauses at that step and
    // resumes to one assignment.
    proxy.add(Rule {
        needle: "SWBExternalService.CreateAccountAssignment".into(),
        status: 400,
        headers: vec![("Content-Type".into(), "application/x-amz-json-1.1".into())],
        body: r#"{"__type":"ThrottlingException","Message":"Rate exceeded"}"#.into(),
        times: None,
    });
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client I",
            "--email",
            "ops+i@example.com",
            "--user",
            "alice",
            "--permission-set",
            "AdminAccess",
            "--sso-group",
            "Ops",
        ],
    );
    assert!(!out.status.success(), "{}", text(&out));
    let job = job_files(&w.sandbox).into_iter().next().unwrap();
    assert_eq!(job["state"], "paused", "{job}");
    assert_eq!(step_state(&job, "assign_access"), "failed", "{job}");
    proxy.clear();
    let out = w
        .sandbox
        .switchyard(&["jobs", "resume", job["id"].as_str().unwrap()], None);
    assert!(out.status.success(), "{}", text(&out));
    let account = accounts_with(&w.root, "ops+i@example.com").await[0]
        .id
        .clone()
        .unwrap();
    assert!(
        text(&out).contains(&format!(
            "[done]    assign_access: permission set AdminAccess for the Identity Center group Ops on account {account}"
        )),
        "{}",
        text(&out)
    );
    assert_eq!(
        assigned_groups(&w.root, &instance_arn, &set, &account).await,
        std::slice::from_ref(&group)
    );
    let audit = std::fs::read_to_string(state_dir(&w.sandbox).join("audit.log")).unwrap();
    assert!(audit.contains("sso:CreateAccountAssignment"), "{audit}");
    // A second account gets it by the same step, without a pause.
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client J",
            "--email",
            "ops+j@example.com",
            "--permission-set",
            "AdminAccess",
            "--sso-group",
            "Ops",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let account = accounts_with(&w.root, "ops+j@example.com").await[0]
        .id
        .clone()
        .unwrap();
    assert!(
        text(&out).contains(&format!(
            "[done]    assign_access: permission set AdminAccess for the Identity Center group Ops on account {account}"
        )),
        "{}",
        text(&out)
    );
    assert_eq!(
        assigned_groups(&w.root, &instance_arn, &set, &account).await,
        std::slice::from_ref(&group)
    );

    // Removed with the group when the account is closed.
    let out = w.sandbox.switchyard(
        &[
            "account",
            "close",
            &account,
            "--remove-group",
            "--confirm",
            "Client J",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("removed Identity Center assignment (permission set AdminAccess for the Identity Center group Ops)"),
        "{}",
        text(&out)
    );
    assert!(assigned_groups(&w.root, &instance_arn, &set, &account)
        .await
        .is_empty());

    // Identity Center only: no group, policy or members, and closing removes the
    // assignment alone. Without a permission set, or with users, it is refused first.
    for bad in [
        &["--no-iam-group"][..],
        &[
            "--no-iam-group",
            "--permission-set",
            "AdminAccess",
            "--sso-group",
            "Ops",
            "--user",
            "alice",
        ][..],
    ] {
        let mut args = vec!["--name", "Client K", "--email", "ops+k@example.com"];
        args.extend_from_slice(bad);
        let out = create(&w.sandbox, &args);
        assert!(!out.status.success(), "{}", text(&out));
    }
    assert!(accounts_with(&w.root, "ops+k@example.com").await.is_empty());
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client K",
            "--email",
            "ops+k@example.com",
            "--permission-set",
            "AdminAccess",
            "--sso-group",
            "Ops",
            "--no-iam-group",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let printed = text(&out);
    for step in ["create_group", "put_policy", "add_users"] {
        assert!(
            printed.contains(&format!("[skipped] {step}:")),
            "{step}: {printed}"
        );
    }
    assert!(
        printed.contains("no IAM group; Identity Center: permission set AdminAccess for group Ops"),
        "{printed}"
    );
    assert_eq!(groups_named(&w.root, "AccessClientK").await, 0);
    let account = accounts_with(&w.root, "ops+k@example.com").await[0]
        .id
        .clone()
        .unwrap();
    assert_eq!(
        assigned_groups(&w.root, &instance_arn, &set, &account).await,
        std::slice::from_ref(&group)
    );
    let out = w.sandbox.switchyard(
        &[
            "account",
            "close",
            &account,
            "--remove-group",
            "--confirm",
            "Client K",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        !text(&out).contains("AccessClientK")
            && text(&out).contains("removed Identity Center assignment"),
        "{}",
        text(&out)
    );
    assert!(assigned_groups(&w.root, &instance_arn, &set, &account)
        .await
        .is_empty());
}

/// The create-account runbook sets the new account's team name and color from its form
/// (`--display-name`, `--color`, the tags `switchyard:name` and `switchyard:color`): bad
/// values are refused before any job; the step is journaled on its own, so a throttled
/// TagResource pauses the job there and a resume (after the daemon is killed) finishes it;
/// without them the step is skipped and no team tag is written.
#[tokio::test(flavor = "multi_thread")]
async fn the_teams_name_and_color_are_a_resumable_step_of_the_runbook() {
    let (w, proxy) = proxied().await;
    for (flag, value, says) in [
        ("--display-name", "<b>Client</b>", "markup"),
        ("--display-name", "tab\there", "control character"),
        ("--color", "chartreuse", "not a color"),
    ] {
        let out = create(
            &w.sandbox,
            &[
                "--name",
                "Client T",
                "--email",
                "ops+client-t@example.com",
                flag,
                value,
                "--no-wait",
                "--json",
            ],
        );
        let reply = json(&out);
        assert_eq!(reply["error"]["code"], "invalid_account_request", "{reply}");
        assert!(
            reply["error"]["message"].to_string().contains(says),
            "{reply}"
        );
    }
    assert!(job_files(&w.sandbox).is_empty(), "no job was started");

    proxy.add(organizations_throttled("TagResource"));
    let out = create(
        &w.sandbox,
        &[
            "--name",
            "Client T",
            "--email",
            "ops+client-t@example.com",
            "--display-name",
            "Client T (prod)",
            "--color",
            "#E6194B",
        ],
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("aws_throttled"), "{}", text(&out));
    let job = job_files(&w.sandbox)
        .into_iter()
        .find(|j| j["plan"]["name"] == "Client T")
        .unwrap();
    assert_eq!(job["state"], "paused", "{job}");
    assert_eq!(step_state(&job, "team_look"), "failed", "{job}");
    assert_eq!(job["plan"]["display_name"], "Client T (prod)", "{job}");
    assert_eq!(job["plan"]["color"], "e6194b", "{job}");
    let id = job["id"].as_str().unwrap().to_owned();
    kill9(daemon_pid(&w.sandbox));
    proxy.clear();
    let out = w.sandbox.switchyard(&["jobs", "resume", &id], None);
    assert!(out.status.success(), "{}", text(&out));
    let accounts = accounts_with(&w.root, "ops+client-t@example.com").await;
    assert_eq!(accounts.len(), 1);
    let account = accounts[0].id.clone().unwrap();
    let team_tags = |tags: Vec<aws_sdk_organizations::types::Tag>| {
        let mut found: Vec<(String, String)> = tags
            .into_iter()
            .filter(|t| t.key.starts_with("switchyard:"))
            .map(|t| (t.key, t.value))
            .collect();
        found.sort();
        found
    };
    let org = aws_sdk_organizations::Client::new(&w.root);
    let tags_of = |id: String| {
        let org = org.clone();
        async move {
            org.list_tags_for_resource()
                .resource_id(id)
                .send()
                .await
                .unwrap()
                .tags
                .unwrap_or_default()
        }
    };
    assert_eq!(
        team_tags(tags_of(account.clone()).await),
        [
            ("switchyard:color".to_owned(), "e6194b".to_owned()),
            ("switchyard:name".to_owned(), "Client T (prod)".to_owned()),
        ]
    );
    let job = job_files(&w.sandbox)
        .into_iter()
        .find(|j| j["id"] == id.as_str())
        .unwrap();
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(step_state(&job, "team_look"), "done", "{job}");

    // Without them: skipped, and no team tag.
    let out = create(
        &w.sandbox,
        &["--name", "Client U", "--email", "ops+client-u@example.com"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("[skipped] team_look"), "{}", text(&out));
    let plain = accounts_with(&w.root, "ops+client-u@example.com").await[0]
        .id
        .clone()
        .unwrap();
    assert!(team_tags(tags_of(plain).await).is_empty());
}
