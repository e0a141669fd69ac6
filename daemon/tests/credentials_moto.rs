//! Integration: Switchyard's credentials for other AWS tools, against moto and a real
//! gnome-keyring: `switchyard credential-process` (what the AWS CLI reads), the AWS CLI
//! itself configured with `switchyard config aws-profile`'s lines, `switchyard exec`, the
//! daemon's cache with one refresh for twenty concurrent callers (counted at the fault
//! proxy in front of moto), and the MFA prompt asked once for concurrent callers.

mod support;

use std::process::{Command, Output, Stdio};

use serde_json::Value;
use support::fault_proxy::FaultProxy;
use support::{admin, text, user, Moto, Sandbox};

/// moto's default account.
const ACCOUNT: &str = "123456789012";

fn process_json(out: &Output) -> Value {
    assert!(out.status.success(), "{}", text(out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

/// An SDK config acting with the credentials of a `credential_process` document.
async fn acting_as(endpoint: &str, doc: &Value) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_credential_types::Credentials::new(
            doc["AccessKeyId"].as_str().unwrap(),
            doc["SecretAccessKey"].as_str().unwrap(),
            doc["SessionToken"].as_str().map(str::to_owned),
            None,
            "test",
        ))
        .load()
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn credential_process_hands_out_a_session_never_the_key() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(&moto.endpoint);
    let admin = admin(&moto).await;
    let alice = user(&admin, "alice", None).await;
    let sandbox = Sandbox::start();
    sandbox.add_credentials("work", &alice, &proxy.endpoint);
    let sessions = proxy.count("Action=GetSessionToken");

    let out = sandbox.switchyard(&["credential-process", "--profile", "work"], None);
    let doc = process_json(&out);
    assert_eq!(doc["Version"], 1);
    // (moto answers every GetSessionToken with the same documentation example key.)
    let id = doc["AccessKeyId"].as_str().unwrap();
    assert_ne!(id, alice.0, "the stored key stays in the daemon");
    assert_eq!(proxy.counted(sessions), 1);
    assert_ne!(doc["SecretAccessKey"], alice.1);
    assert!(doc["SessionToken"].as_str().is_some_and(|t| !t.is_empty()));
    let expiration = doc["Expiration"].as_str().unwrap();
    let ends = humantime::parse_rfc3339(expiration).unwrap();
    assert!(
        ends > std::time::SystemTime::now() + std::time::Duration::from_secs(3600),
        "{expiration}"
    );
    assert!(out.stderr.is_empty(), "{}", text(&out));
    // The credentials work at AWS.
    let me = aws_sdk_sts::Client::new(&acting_as(&moto.endpoint, &doc).await)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(me.account(), Some(ACCOUNT));

    // Warm: the same session from the daemon's cache.
    let again =
        process_json(&sandbox.switchyard(&["credential-process", "--profile", "work"], None));
    assert_eq!(again, doc);
    assert_eq!(proxy.counted(sessions), 1);

    // Ending the sessions makes a new one.
    let out = sandbox.switchyard(&["sessions", "end", "--profile", "work"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("work"), "{}", text(&out));
    process_json(&sandbox.switchyard(&["credential-process", "--profile", "work"], None));
    assert_eq!(proxy.counted(sessions), 2, "a new session after the end");
    // A key stored again (perhaps someone else's) ends what the old one made.
    sandbox.add_credentials("work", &alice, &proxy.endpoint);
    process_json(&sandbox.switchyard(&["credential-process", "--profile", "work"], None));
    assert_eq!(proxy.counted(sessions), 3, "a new session for the new key");

    // Bad input is refused with the reason, and nothing on stdout.
    for (args, expected) in [
        (
            vec![
                "credential-process",
                "--profile",
                "work",
                "--role",
                "nonsense",
            ],
            "invalid_target",
        ),
        (
            vec![
                "credential-process",
                "--profile",
                "work",
                "--role",
                "arn:aws:iam::123456789012:role/Admin",
                "--duration",
                "60",
            ],
            "duration_secs must be 900 to 43200",
        ),
        (
            vec!["credential-process", "--profile", "nosuch"],
            "the profiles with settings are: work",
        ),
    ] {
        let out = sandbox.switchyard(&args, None);
        assert!(!out.status.success(), "{args:?}: {}", text(&out));
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out));
        assert!(text(&out).contains(expected), "{args:?}: {}", text(&out));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_concurrent_callers_make_one_assume_role() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(&moto.endpoint);
    let admin = admin(&moto).await;
    let alice = user(&admin, "alice", Some(support::ALLOW_ALL)).await;
    let sandbox = Sandbox::start();
    sandbox.add_credentials("work", &alice, &proxy.endpoint);
    // Start the daemon first, so the callers race for the credentials, not the start.
    assert!(sandbox.switchyard(&["status"], None).status.success());
    let assume = proxy.count("Action=AssumeRole");
    let role = format!("arn:aws:iam::{ACCOUNT}:role/ClientA");

    let children: Vec<_> = (0..20)
        .map(|_| {
            let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
            command
                .args(["credential-process", "--profile", "work", "--role", &role])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            sandbox.env(&mut command);
            command.spawn().unwrap()
        })
        .collect();
    let docs: Vec<Value> = children
        .into_iter()
        .map(|child| process_json(&child.wait_with_output().unwrap()))
        .collect();
    assert_eq!(proxy.counted(assume), 1, "one AssumeRole for all twenty");
    assert!(docs.iter().all(|d| *d == docs[0]), "everyone got the same");
    let me = aws_sdk_sts::Client::new(&acting_as(&moto.endpoint, &docs[0]).await)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.arn(),
        Some(format!("arn:aws:sts::{ACCOUNT}:assumed-role/ClientA/switchyard-work").as_str())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_aws_cli_calls_moto_through_credential_process() {
    let aws = switchyard_testkit::aws_cli();
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let alice = user(&admin, "alice", Some(support::ALLOW_ALL)).await;
    let sandbox = Sandbox::start();
    sandbox.add_credentials("work", &alice, &moto.endpoint);

    // The snippet to paste, for the profile and for a role.
    let out = sandbox.switchyard(&["config", "aws-profile", "work"], None);
    assert!(out.status.success(), "{}", text(&out));
    let snippet = String::from_utf8(out.stdout.clone()).unwrap();
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_switchyard")).unwrap();
    assert_eq!(
        snippet,
        format!(
            "[profile work]\ncredential_process = {} credential-process --profile work\n\
             region = us-east-1\nendpoint_url = {}\n",
            exe.display(),
            moto.endpoint
        )
    );
    let role = format!("arn:aws:iam::{ACCOUNT}:role/ClientA");
    let out = sandbox.switchyard(&["config", "aws-profile", "work", "--role", &role], None);
    assert!(out.status.success(), "{}", text(&out));
    let role_snippet = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(
        role_snippet.starts_with("[profile work-ClientA]\n"),
        "{role_snippet}"
    );
    assert!(
        role_snippet.contains(&format!("--role {role}\n")),
        "{role_snippet}"
    );
    let bad = sandbox.switchyard(&["config", "aws-profile", "nosuch"], None);
    assert!(!bad.status.success());
    assert!(
        text(&bad).contains("the profiles are: work"),
        "{}",
        text(&bad)
    );

    let aws_config = sandbox.home().join("aws-config");
    std::fs::write(&aws_config, format!("{snippet}\n{role_snippet}")).unwrap();
    let run_aws = |profile: &str| {
        let mut command = Command::new(&aws);
        command.args([
            "sts",
            "get-caller-identity",
            "--profile",
            profile,
            "--output",
            "json",
        ]);
        sandbox.env(&mut command);
        command
            .env("AWS_CONFIG_FILE", &aws_config)
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION")
            .stdin(Stdio::null());
        command.output().unwrap()
    };
    let out = run_aws("work");
    assert!(out.status.success(), "{}", text(&out));
    let me: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(me["Account"], ACCOUNT);
    let out = run_aws("work-ClientA");
    assert!(out.status.success(), "{}", text(&out));
    let me: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        me["Arn"],
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/ClientA/switchyard-work")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn exec_runs_a_command_with_the_credentials_and_its_exit_code() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let alice = user(&admin, "alice", None).await;
    let sandbox = Sandbox::start();
    sandbox.add_credentials("work", &alice, &moto.endpoint);

    let script = "echo id=$AWS_ACCESS_KEY_ID; echo region=$AWS_REGION; \
                  echo expires=$AWS_CREDENTIAL_EXPIRATION; echo profile=${AWS_PROFILE-unset}; \
                  echo endpoint=$AWS_ENDPOINT_URL; \
                  test -n \"$AWS_SECRET_ACCESS_KEY\" && test -n \"$AWS_SESSION_TOKEN\" && exit 7";
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command
        .args(["exec", "work", "--", "sh", "-c", script])
        .stdin(Stdio::null());
    sandbox.env(&mut command);
    command.env("AWS_PROFILE", "something-else");
    let out = command.output().unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("id=AKIAIOSFODNN7EXAMPLE"),
        "moto's session key: {shown}"
    );
    assert!(!shown.contains(&alice.0), "{shown}");
    assert!(shown.contains("region=us-east-1"), "{shown}");
    assert!(shown.contains("profile=unset"), "{shown}");
    assert!(
        shown.contains(&format!("endpoint={}", moto.endpoint)),
        "{shown}"
    );
    assert!(!shown.contains(&alice.1));
    let expires = shown
        .lines()
        .find_map(|l| l.strip_prefix("expires="))
        .unwrap();
    assert!(humantime::parse_rfc3339(expires).is_ok(), "{shown}");

    // A command that does not exist: 127, as a shell says.
    let out = sandbox.switchyard(&["exec", "work", "--", "/nonexistent/tool"], None);
    assert_eq!(out.status.code(), Some(127), "{}", text(&out));
    assert!(
        text(&out).contains("cannot run /nonexistent/tool"),
        "{}",
        text(&out)
    );
    // No command: refused by the argument parser.
    let out = sandbox.switchyard(&["exec", "work"], None);
    assert!(!out.status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_mfa_code_is_asked_once_for_concurrent_callers() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(&moto.endpoint);
    let admin = admin(&moto).await;
    let alice = user(&admin, "alice", Some(support::ALLOW_ALL)).await;
    support::enable_virtual_mfa(&admin, "alice").await;
    let sandbox = Sandbox::start();
    sandbox.add_credentials("work", &alice, &proxy.endpoint);
    assert!(sandbox.switchyard(&["status"], None).status.success());
    let codes = proxy.count("Action=GetSessionToken");
    let assume = proxy.count("Action=AssumeRole");
    let role = format!("arn:aws:iam::{ACCOUNT}:role/ClientA");

    // Without a terminal (a new session has none) and told not to wait for the popup
    // (`SWITCHYARD_MFA_WAIT=0`), credential-process cannot ask: it says how to start a
    // session.
    let out = without_terminal(&sandbox, &["credential-process", "--profile", "work"], "0")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out).contains("switchyard mfa --profile work") && text(&out).contains("popup"),
        "{}",
        text(&out)
    );
    assert!(out.stdout.is_empty());

    // Four `exec`s at once, each with a code on stdin: one asks, the others wait for it.
    let children: Vec<_> = (0..4)
        .map(|_| {
            let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
            command
                .args(["exec", "work", "--role", &role, "--", "true"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            sandbox.env(&mut command);
            let mut child = command.spawn().unwrap();
            use std::io::Write;
            child.stdin.take().unwrap().write_all(b"123456\n").unwrap();
            child
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out));
    }
    assert_eq!(proxy.counted(codes), 1, "one code for the four");
    assert_eq!(proxy.counted(assume), 1, "one role session for the four");

    // credential-process at a terminal (a pty from script(1)) asks there when needed.
    let out = sandbox.switchyard(&["sessions", "end", "--profile", "work"], None);
    assert!(out.status.success(), "{}", text(&out));
    let mut command = Command::new("script");
    command
        .args(["-qec"])
        .arg(format!(
            "{} credential-process --profile work",
            env!("CARGO_BIN_EXE_switchyard")
        ))
        .arg("/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    sandbox.env(&mut command);
    let mut child = command.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"123456\n").unwrap();
        // Keep the terminal open until the command has read its line.
        std::thread::sleep(std::time::Duration::from_secs(3));
    }
    let out = child.wait_with_output().unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", text(&out));
    assert!(shown.contains("MFA code: "), "{shown}");
    assert!(shown.contains("\"Version\":1"), "{shown}");
    assert_eq!(proxy.counted(codes), 2);

    // No terminal and nothing on stdin (an SDK running credential-process, a script
    // running exec): the commands wait in the daemon, which lists the request for the
    // popup (`mfa.pending`); one code entered there (`mfa.submit`, as the popup sends it)
    // serves them all.
    let out = sandbox.switchyard(&["sessions", "end", "--profile", "work"], None);
    assert!(out.status.success(), "{}", text(&out));
    let waiting: Vec<_> = [
        &["credential-process", "--profile", "work"][..],
        &["credential-process", "--profile", "work", "--role", &role],
        &["exec", "work", "--", "true"],
    ]
    .iter()
    .map(|args| without_terminal(&sandbox, args, "60").spawn().unwrap())
    .collect();
    let started = std::time::Instant::now();
    let pending = loop {
        let pending = sandbox.raw(&serde_json::json!({"id": 1, "type": "mfa.pending"}));
        let list = pending["data"]["pending"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if list.first().is_some_and(|p| p["waiting"] == 3) {
            break list;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "three waiting: {pending}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["profile"], "work");
    assert!(
        pending[0]["asker"]
            .as_str()
            .is_some_and(|a| a.starts_with("switchyard ")),
        "{pending:?}"
    );
    // Nothing was asked of AWS meanwhile; a wrong code is refused, the commands go on
    // waiting; a good one ends every wait.
    assert_eq!(proxy.counted(codes), 2);
    let refused = sandbox.raw(&serde_json::json!(
        {"id": 2, "type": "mfa.submit", "profile": "work", "code": "12ab56"}));
    assert_eq!(refused["error"]["code"], "mfa_code_invalid", "{refused}");
    let submitted = sandbox.raw(&serde_json::json!(
        {"id": 3, "type": "mfa.submit", "profile": "work", "code": "123456"}));
    assert_eq!(submitted["status"], "ok", "{submitted}");
    for child in waiting {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out));
        assert!(text(&out).contains("Switchyard popup"), "{}", text(&out));
    }
    println!(
        "three commands without a terminal served by one code in {:?}",
        started.elapsed()
    );
    assert_eq!(proxy.counted(codes), 3, "one code for the three");
    let pending = sandbox.raw(&serde_json::json!({"id": 4, "type": "mfa.pending"}));
    assert_eq!(
        pending["data"]["pending"],
        serde_json::json!([]),
        "{pending}"
    );

    // Nobody enters a code: the wait ends when it said it would, with how to go on.
    let out = sandbox.switchyard(&["sessions", "end", "--profile", "work"], None);
    assert!(out.status.success(), "{}", text(&out));
    let started = std::time::Instant::now();
    let out = without_terminal(&sandbox, &["credential-process", "--profile", "work"], "2")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert!(
        text(&out).contains("no MFA code was entered within 2 s"),
        "{}",
        text(&out)
    );
    assert!(out.stdout.is_empty());
}

/// `switchyard ARGS` in a new session (no controlling terminal), stdin empty, waiting at
/// most `wait` seconds for a code entered elsewhere.
fn without_terminal(sandbox: &Sandbox, args: &[&str], wait: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    sandbox.env(&mut command);
    command.env("SWITCHYARD_MFA_WAIT", wait);
    // SAFETY: setsid is async-signal-safe and touches no memory of the parent.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            rustix::process::setsid()
                .map(|_| ())
                .map_err(std::io::Error::from)
        });
    }
    command
}
