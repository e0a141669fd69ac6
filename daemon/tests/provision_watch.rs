//! Integration: following a provisioning job with `job.watch` (a long-poll on the daemon's
//! socket that answers as soon as the job has events past `after`), `provision.allowed`
//! (whether the user's own policies allow organizations:CreateAccount) and the
//! `--billing` option reaching CreateAccount, against moto through the fault proxy.

mod support;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::fault_proxy::{FaultProxy, Rule};
use support::{admin, text, user, Moto, Sandbox, ALLOW_ALL};

const ORG_READER: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["organizations:Describe*","organizations:List*","iam:Get*","iam:List*"],"Resource":"*"}]}"#;

struct World {
    _moto: Moto,
    proxy: FaultProxy,
    sandbox: Sandbox,
    bob: (String, String),
}

/// An organization, an admin (the default profile, through the fault proxy), alice, and
/// bob, who may read the organization but not create accounts.
async fn world() -> World {
    let moto = Moto::start();
    let root = admin(&moto).await;
    aws_sdk_organizations::Client::new(&root)
        .create_organization()
        .send()
        .await
        .unwrap();
    let admin_key = user(&root, "admin", Some(ALLOW_ALL)).await;
    user(&root, "alice", None).await;
    let bob = user(&root, "bob", Some(ORG_READER)).await;
    let proxy = FaultProxy::start(&moto.endpoint);
    let sandbox = Sandbox::start();
    sandbox.add_credentials("default", &admin_key, &proxy.endpoint);
    World {
        _moto: moto,
        proxy,
        sandbox,
        bob,
    }
}

/// One request on the daemon's socket (`POST /v1/message`), its reply.
fn raw(sandbox: &Sandbox, request: &Value) -> Value {
    let body = request.to_string();
    let mut stream = UnixStream::connect(sandbox.home().join("run/daemon.sock")).unwrap();
    write!(
        stream,
        "POST /v1/message HTTP/1.1\r\nHost: daemon\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (_, reply) = answer.split_once("\r\n\r\n").unwrap();
    serde_json::from_str(reply).unwrap_or_else(|e| panic!("{e}: {answer}"))
}

fn watch(sandbox: &Sandbox, job: &str, after: u64) -> (Value, Duration) {
    let started = Instant::now();
    let reply = raw(
        sandbox,
        &json!({"id": 1, "type": "job.watch", "job": job, "after": after}),
    );
    (reply, started.elapsed())
}

#[tokio::test(flavor = "multi_thread")]
async fn job_watch_answers_each_event_as_it_happens_and_ends_with_the_job() {
    let w = world().await;
    // CreateAccount stays IN_PROGRESS for three polls (0.5 + 1 + 2 s of waiting).
    w.proxy.add(
        Rule::organizations_json(
            "DescribeCreateAccountStatus",
            json!({"CreateAccountStatus": {"Id": "car-fault", "AccountName": "Client W",
                "State": "IN_PROGRESS"}}),
        )
        .times(3),
    );
    let out = w.sandbox.switchyard(
        &[
            "account",
            "create",
            "--name",
            "Client W",
            "--email",
            "ops+w@example.com",
            "--user",
            "alice",
            "--no-wait",
            "--json",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    // Every --json prints the reply envelope.
    let job: Value = serde_json::from_slice::<Value>(&out.stdout).unwrap()["data"].clone();
    let id = job["id"].as_str().unwrap().to_owned();

    let mut after = 0;
    let mut seen = Vec::new();
    let mut waits = Vec::new();
    let started = Instant::now();
    let last = loop {
        let (reply, took) = watch(&w.sandbox, &id, after);
        assert_eq!(reply["status"], "ok", "{reply}");
        let data = &reply["data"];
        let events = data["events"].as_array().unwrap();
        assert!(data["job"].get("events").is_none(), "events travel once");
        for event in events {
            // Numbered from 1 without gaps, across answers.
            assert_eq!(
                event["seq"].as_u64(),
                Some(seen.len() as u64 + 1),
                "{event}"
            );
            seen.push(event.clone());
        }
        after = data["seq"].as_u64().unwrap();
        waits.push((took, events.len()));
        // Every answer while the job runs carries news: it came for an event, not a timer.
        assert!(
            !events.is_empty() || data["job"]["state"] != "running",
            "{reply}"
        );
        assert!(took < Duration::from_secs(15), "{took:?}");
        if data["job"]["state"] != "running" {
            break data["job"].clone();
        }
        assert!(started.elapsed() < Duration::from_secs(90));
    };
    assert_eq!(last["state"], "done", "{last}");
    assert_eq!(w.proxy.hits(0), 3);
    let described: Vec<String> = seen
        .iter()
        .map(|e| match e["kind"].as_str() {
            Some("step") => format!(
                "{} {}",
                e["step"].as_str().unwrap(),
                e["state"].as_str().unwrap()
            ),
            _ => format!("job {}", e["state"].as_str().unwrap()),
        })
        .collect();
    assert_eq!(
        described,
        [
            "job running",
            "check_email running",
            "check_email done",
            "create_account running",
            "create_account done",
            "wait_for_account running",
            "wait_for_account done",
            "tag_role running",
            "tag_role done",
            "create_group running",
            "create_group done",
            "put_policy running",
            "put_policy done",
            "add_users running",
            "add_users done",
            "finish running",
            "finish done",
            "job done",
        ]
    );
    let longest = waits.iter().map(|(d, _)| *d).max().unwrap();
    println!(
        "job.watch: {} answers for {} events; longest wait {longest:?} (the IN_PROGRESS polls)",
        waits.len(),
        seen.len()
    );
    assert!(
        longest >= Duration::from_millis(1000),
        "the watch waited for the account: {waits:?}"
    );

    // A finished job ends the watch at once, with nothing new.
    let (reply, took) = watch(&w.sandbox, &id, after);
    assert_eq!(reply["data"]["events"], json!([]));
    assert_eq!(reply["data"]["job"]["state"], "done");
    assert!(took < Duration::from_secs(3), "{took:?}");
    // From the start again: every event, at once.
    let (reply, _) = watch(&w.sandbox, &id, 0);
    assert_eq!(
        reply["data"]["events"].as_array().unwrap().len(),
        seen.len()
    );

    // An unknown job, a missing id: structured errors.
    let (reply, took) = watch(&w.sandbox, "j0000000000000000", 0);
    assert_eq!(reply["error"]["code"], "job_not_found", "{reply}");
    assert!(took < Duration::from_secs(3));
    let reply = raw(
        &w.sandbox,
        &json!({"id": 2, "type": "job.watch", "after": 1}),
    );
    assert_eq!(reply["error"]["code"], "invalid_params", "{reply}");
}

#[tokio::test(flavor = "multi_thread")]
async fn billing_access_reaches_create_account() {
    let w = world().await;
    // The answer to the CreateAccount that carries DENY is dropped after moto made the
    // account: that proves the field went out, and the job adopts the account it finds.
    w.proxy.drop_answer(r#""IamUserAccessToBilling":"DENY""#, 1);
    let out = w.sandbox.switchyard(
        &[
            "account",
            "create",
            "--name",
            "Client D",
            "--email",
            "ops+d@example.com",
            "--billing",
            "deny",
            "--json",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(w.proxy.dropped(0), 1);
    // Every --json prints the reply envelope.
    let job: Value = serde_json::from_slice::<Value>(&out.stdout).unwrap()["data"].clone();
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["plan"]["iam_user_access_to_billing"], "DENY");
    // Without the option nothing is sent (AWS's default), so the rule never matches again.
    let out = w.sandbox.switchyard(
        &[
            "account",
            "create",
            "--name",
            "Client E",
            "--email",
            "ops+e@example.com",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(w.proxy.dropped(0), 1);
    // A value that is neither allow nor deny is refused by the CLI, before any request.
    let out = w.sandbox.switchyard(
        &[
            "account",
            "create",
            "--name",
            "Client F",
            "--email",
            "ops+f@example.com",
            "--billing",
            "maybe",
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("write allow or deny"), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn provision_allowed_follows_the_users_own_policies() {
    let w = world().await;
    w.sandbox.add_credentials("bob", &w.bob, &w.proxy.endpoint);
    let ask = |profile: &str| {
        raw(
            &w.sandbox,
            &json!({"id": 1, "type": "provision.allowed", "profile": profile}),
        )
    };
    // The CLI starts the daemon; the socket is then there.
    let out = w.sandbox.switchyard(&["ping"], None);
    assert!(out.status.success(), "{}", text(&out));

    let admin = ask("default");
    assert_eq!(admin["data"]["permission"], "allowed", "{admin}");
    assert_eq!(admin["data"]["user_name"], "admin");
    assert!(
        admin["data"]["reason"]
            .as_str()
            .unwrap()
            .contains("Allow user/"),
        "{admin}"
    );
    let bob = ask("bob");
    assert_eq!(bob["data"]["permission"], "denied", "{bob}");
    assert_eq!(
        bob["data"]["caller_arn"],
        "arn:aws:iam::123456789012:user/bob"
    );
    assert!(
        bob["data"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("no identity policy of yours allows organizations:CreateAccount"),
        "{bob}"
    );
    // Policies IAM will not show: unknown, with IAM's refusal as the reason.
    w.proxy.add(Rule::query_error(
        "Action=GetAccountAuthorizationDetails",
        403,
        "AccessDenied",
        "not for you",
    ));
    w.proxy.add(Rule::query_error(
        "Action=ListUserPolicies",
        403,
        "AccessDenied",
        "not for you",
    ));
    let hidden = ask("bob");
    assert_eq!(hidden["data"]["permission"], "unknown", "{hidden}");
    assert!(
        hidden["data"]["reason"]
            .as_str()
            .unwrap()
            .contains("could not be read"),
        "{hidden}"
    );
    let missing = ask("nobody");
    assert_eq!(missing["status"], "error", "{missing}");
}
