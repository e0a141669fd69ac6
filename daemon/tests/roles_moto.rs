//! Integration: `switchyard roles` works out the targets from the user's real IAM policies
//! in moto (the runbook's setup: a management-account group whose inline policy allows
//! `sts:AssumeRole` on exactly the client account's role, the user in that group, a
//! managed policy elsewhere), plus imported lists; through the CLI, the daemon and a real
//! gnome-keyring.

mod support;

use aws_config::SdkConfig;
use serde_json::Value;
use support::fault_proxy::{FaultProxy, Rule};
use support::{admin, json, text, user, Moto, Sandbox};

fn allow_assume(resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"{resource}"}}]}}"#
    )
}

struct Org {
    client_a: String,
    client_b: String,
}

/// The runbook: an organization with two client accounts made with named roles, a group
/// `AccessClientA` whose inline policy `SwitchToClientA` allows exactly ClientA's role.
async fn runbook(config: &SdkConfig) -> Org {
    let org = aws_sdk_organizations::Client::new(config);
    org.create_organization().send().await.unwrap();
    let mut ids = Vec::new();
    for (name, email) in [
        ("Client A", "ops+a@example.com"),
        ("Client B", "ops+b@example.com"),
    ] {
        let status = org
            .create_account()
            .account_name(name)
            .email(email)
            .role_name(name.replace(' ', ""))
            .send()
            .await
            .unwrap()
            .create_account_status
            .unwrap();
        ids.push(status.account_id.unwrap());
    }
    let iam = aws_sdk_iam::Client::new(config);
    iam.create_group()
        .group_name("AccessClientA")
        .send()
        .await
        .unwrap();
    iam.put_group_policy()
        .group_name("AccessClientA")
        .policy_name("SwitchToClientA")
        .policy_document(allow_assume(&format!(
            "arn:aws:iam::{}:role/ClientA",
            ids[0]
        )))
        .send()
        .await
        .unwrap();
    Org {
        client_a: ids[0].clone(),
        client_b: ids[1].clone(),
    }
}

fn roles(sandbox: &Sandbox, args: &[&str]) -> Value {
    let mut all = vec!["roles", "--json"];
    all.extend_from_slice(args);
    json(&sandbox.switchyard(&all, None))["data"].clone()
}

fn arns(data: &Value) -> Vec<String> {
    data["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            format!(
                "{} {}",
                t["role_arn"].as_str().unwrap(),
                t["decision"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_runbook_group_gives_exactly_its_role() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let org = runbook(&admin).await;
    let alice = user(&admin, "alice", None).await;
    let iam = aws_sdk_iam::Client::new(&admin);
    iam.add_user_to_group()
        .group_name("AccessClientA")
        .user_name("alice")
        .send()
        .await
        .unwrap();
    // A managed policy elsewhere: attached to the user, about something else.
    let managed = iam
        .create_policy()
        .policy_name("ReadBuckets")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}"#,
        )
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    iam.attach_user_policy()
        .user_name("alice")
        .policy_arn(managed.arn.unwrap())
        .send()
        .await
        .unwrap();
    let sandbox = Sandbox::start();
    sandbox.add_credentials("default", &alice, &moto.endpoint);

    let data = roles(&sandbox, &[]);
    let role = format!("arn:aws:iam::{}:role/ClientA", org.client_a);
    assert_eq!(arns(&data), [format!("{role} allowed")], "{data}");
    let target = &data["targets"][0];
    assert_eq!(target["account_name"], "Client A");
    assert_eq!(target["display_name"], "ClientA @ Client A");
    assert_eq!(target["sources"], serde_json::json!(["policy"]));
    assert_eq!(
        target["reasons"][0],
        "Allow group/AccessClientA/SwitchToClientA: Statement[0] (identity)"
    );
    assert_eq!(data["hidden"], 0);

    // Why not Client B's role? Explain it.
    let other = format!("arn:aws:iam::{}:role/ClientB", org.client_b);
    let out = sandbox.switchyard(&["roles", "--explain", &role], None);
    assert!(text(&out).contains("SwitchToClientA"), "{}", text(&out));
    let out = sandbox.switchyard(&["roles", "--explain", &other], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("not a candidate"), "{}", text(&out));

    // An imported list adds Client B's role; the policies deny it, so only --all shows it.
    let config = format!(
        "[profile client-b]\naws_account_id = {}\nrole_name = ClientB\ncolor = 00ff00\n\n[broken]\nrole_arn = nonsense\n",
        org.client_b
    );
    let file = sandbox.home().join("aesr.ini");
    std::fs::write(&file, config).unwrap();
    let out = sandbox.switchyard(&["roles", "import", file.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("imported 1 role for"), "{}", text(&out));
    assert!(text(&out).contains("skipped broken"), "{}", text(&out));
    let data = roles(&sandbox, &[]);
    assert_eq!(arns(&data), [format!("{role} allowed")]);
    assert_eq!(data["hidden"], 1);
    let data = roles(&sandbox, &["--all"]);
    assert_eq!(
        arns(&data),
        [format!("{role} allowed"), format!("{other} implicit_deny")]
    );
    assert_eq!(data["targets"][1]["color"], "00ff00");
    assert_eq!(
        data["targets"][1]["sources"],
        serde_json::json!(["imported"])
    );

    // A file with nothing usable keeps the previous import.
    std::fs::write(&file, "garbage without sections\n").unwrap();
    let out = sandbox.switchyard(&["roles", "import", file.to_str().unwrap()], None);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("previous import is kept"),
        "{}",
        text(&out)
    );
    assert_eq!(
        roles(&sandbox, &["--all"])["targets"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_without_rights_is_told_so() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    runbook(&admin).await;
    let bob = user(&admin, "bob", None).await;
    let sandbox = Sandbox::start();
    sandbox.add_credentials("default", &bob, &moto.endpoint);
    let data = roles(&sandbox, &[]);
    assert_eq!(data["targets"], serde_json::json!([]));
    let notices = data["notices"].to_string();
    assert!(
        notices.contains(
            "none of arn:aws:iam::123456789012:user/bob's policies allows sts:AssumeRole"
        ),
        "{notices}"
    );
    let out = sandbox.switchyard(&["roles"], None);
    assert!(
        text(&out).contains("no roles to switch to"),
        "{}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_who_may_not_read_their_policies_gets_the_lists_undecided() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let org = runbook(&admin).await;
    let carol = user(&admin, "carol", None).await;
    aws_sdk_iam::Client::new(&admin)
        .put_user_policy()
        .user_name("carol")
        .policy_name("OnlyWhoAmI")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetCallerIdentity","iam:ListMFADevices"],"Resource":"*"}]}"#,
        )
        .send()
        .await
        .unwrap();
    moto.enforce_iam();
    let sandbox = Sandbox::start();
    sandbox.add_credentials("default", &carol, &moto.endpoint);
    let aws_config = sandbox.home().join("aws-config");
    std::fs::write(
        &aws_config,
        format!(
            "[profile client-a]\nrole_arn = arn:aws:iam::{}:role/ClientA\nsource_profile = default\nregion = eu-west-1\n",
            org.client_a
        ),
    )
    .unwrap();
    let out = support::switchyard_with(&["roles", "--json"], None, |c| {
        sandbox.env(c);
        c.env("AWS_CONFIG_FILE", &aws_config);
    });
    let data = json(&out)["data"].clone();
    assert_eq!(
        arns(&data),
        [format!(
            "arn:aws:iam::{}:role/ClientA unknown",
            org.client_a
        )],
        "{data}"
    );
    assert_eq!(
        data["targets"][0]["sources"],
        serde_json::json!(["aws_config"])
    );
    assert_eq!(data["targets"][0]["region"], "eu-west-1");
    let notices = data["notices"].to_string();
    assert!(
        notices.contains("may not read its own IAM policies"),
        "{notices}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_permissions_boundary_without_assume_role_leaves_nothing_read_one_by_one() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(&moto.endpoint);
    let admin = admin(&moto).await;
    runbook(&admin).await;
    let erin = user(&admin, "erin", None).await;
    let iam = aws_sdk_iam::Client::new(&admin);
    iam.add_user_to_group()
        .group_name("AccessClientA")
        .user_name("erin")
        .send()
        .await
        .unwrap();
    let boundary = iam
        .create_policy()
        .policy_name("OnlyS3")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
        )
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .arn
        .unwrap();
    // The account's authorization details are refused: the user's policies are read one
    // call at a time instead.
    proxy.add(Rule::query_error(
        "Action=GetAccountAuthorizationDetails",
        403,
        "AccessDenied",
        "not authorized to perform: iam:GetAccountAuthorizationDetails",
    ));
    // moto 5.2.5 cannot put a boundary on a user (PutUserPermissionsBoundary answers 500),
    // so the proxy answers GetUser as IAM would for a user with one; the boundary policy
    // itself is real and read from moto.
    proxy.add(Rule {
        needle: "Action=GetUser&".into(),
        status: 200,
        headers: vec![("Content-Type".into(), "text/xml".into())],
        body: format!(
            "<GetUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetUserResult>\
             <User><Path>/</Path><UserName>erin</UserName><UserId>AIDAERIN0000000000000</UserId>\
             <Arn>arn:aws:iam::123456789012:user/erin</Arn><CreateDate>2026-11-24T00:00:00Z</CreateDate>\
             <PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType>\
             <PermissionsBoundaryArn>{boundary}</PermissionsBoundaryArn></PermissionsBoundary>\
             </User></GetUserResult><ResponseMetadata><RequestId>b</RequestId></ResponseMetadata>\
             </GetUserResponse>"
        ),
        times: None,
    });
    let sandbox = Sandbox::start();
    sandbox.add_credentials("default", &erin, &proxy.endpoint);
    let data = roles(&sandbox, &["--all"]);
    let targets = data["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 1, "{data}");
    assert_eq!(targets[0]["decision"], "implicit_deny");
    assert!(
        targets[0]["reasons"]
            .to_string()
            .contains("no boundary policy allows it"),
        "{data}"
    );
    assert!(proxy.hits(0) >= 1, "the details were asked for first");
    assert!(proxy.hits(1) >= 1, "then GetUser, through the proxy");
    assert_eq!(roles(&sandbox, &[])["hidden"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn with_an_mfa_session_the_keys_user_is_decided() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let org = runbook(&admin).await;
    let alice = user(&admin, "alice", None).await;
    let iam = aws_sdk_iam::Client::new(&admin);
    iam.add_user_to_group()
        .group_name("AccessClientA")
        .user_name("alice")
        .send()
        .await
        .unwrap();
    support::enable_virtual_mfa(&admin, "alice").await;
    let sandbox = Sandbox::start();
    sandbox.add_credentials("default", &alice, &moto.endpoint);
    let out = sandbox.switchyard(&["mfa", "--code", "123456"], None);
    assert!(out.status.success(), "{}", text(&out));
    // (moto names an MFA session's caller as a generic user; the key's user is alice.)
    let data = roles(&sandbox, &[]);
    assert_eq!(
        arns(&data),
        [format!(
            "arn:aws:iam::{}:role/ClientA allowed",
            org.client_a
        )],
        "{data}"
    );
}

/// One framed message to a long-lived `switchyard-host`, and its framed reply (with the
/// reply's size on the wire).
fn ask_host(
    stdin: &mut impl std::io::Write,
    stdout: &mut impl std::io::Read,
    message: &str,
) -> (usize, Value) {
    let mut frame = (message.len() as u32).to_ne_bytes().to_vec();
    frame.extend_from_slice(message.as_bytes());
    stdin.write_all(&frame).unwrap();
    stdin.flush().unwrap();
    let mut header = [0u8; 4];
    stdout.read_exact(&mut header).unwrap();
    let mut body = vec![0u8; u32::from_ne_bytes(header) as usize];
    stdout.read_exact(&mut body).unwrap();
    (body.len(), serde_json::from_slice(&body).unwrap())
}

/// A `roles.list` page request (a later one names its reading).
fn page_request(id: u32, offset: usize, reading: Option<&str>, bytes: usize) -> String {
    let mut request = serde_json::json!({
        "id": id, "type": "roles.list", "page_bytes": bytes, "offset": offset,
    });
    if let Some(reading) = reading {
        request["reading"] = reading.into();
    }
    request.to_string()
}

/// One client reading `roles.list` page by page.
struct Reader {
    reading: String,
    arns: Vec<String>,
    total: u64,
    next: Option<usize>,
    pages: usize,
}

impl Reader {
    fn new(first: &Value) -> Reader {
        let mut reader = Reader {
            reading: first["reading"].as_str().expect("a reading").to_owned(),
            arns: Vec::new(),
            total: first["total"].as_u64().unwrap(),
            next: None,
            pages: 0,
        };
        reader.add(first);
        reader
    }

    fn add(&mut self, page: &Value) {
        assert_eq!(page["reading"], self.reading.as_str(), "{page}");
        assert_eq!(page["total"], self.total, "every page counts the same list");
        self.arns.extend(arns(page));
        self.next = page["next_offset"].as_u64().map(|n| n as usize);
        self.pages += 1;
    }

    fn done(&self) -> bool {
        self.next.is_none()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_list_comes_to_the_browser_in_pages() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let alice = user(
        &admin,
        "alice",
        Some(&allow_assume("arn:aws:iam::*:role/*")),
    )
    .await;
    let sandbox = Sandbox::start();
    sandbox.add_credentials("default", &alice, &moto.endpoint);
    // 4,000 roles: some 1.4 MB of JSON, more than a browser takes from a native host.
    let mut list = String::new();
    for account in 0..800 {
        for role in ["Admin", "ReadOnly", "Billing", "Deploy", "Audit"] {
            list.push_str(&format!(
                "[client-{account:04}-{role}]\naws_account_id = {}\nrole_name = {role}\n\n",
                100_000_000_000u64 + account
            ));
        }
    }
    let file = sandbox.home().join("big.aesr");
    std::fs::write(&file, list).unwrap();
    let out = sandbox.switchyard(&["roles", "import", file.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", text(&out));
    let whole = roles(&sandbox, &[]);
    let whole_arns = arns(&whole);
    // The list's 4,000, and the wildcard's role names in alice's own account.
    assert!(whole_arns.len() >= 4000, "{}", whole_arns.len());
    assert_eq!(whole["total"], whole_arns.len());
    assert!(whole.get("next_offset").is_none());

    let mut host = std::process::Command::new(env!("CARGO_BIN_EXE_switchyard-host"));
    host.arg("chrome-extension://fckpphpaflmmcocfemjogfaiblilmlih/")
        .env("SWITCHYARD_DAEMON_BIN", env!("CARGO_BIN_EXE_switchyard"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    sandbox.env(&mut host);
    let mut host = host.spawn().unwrap();
    let mut stdin = host.stdin.take().unwrap();
    let mut stdout = host.stdout.take().unwrap();

    // Unpaged, the browser would get the host's refusal instead of the list.
    let (_, refused) = ask_host(&mut stdin, &mut stdout, r#"{"id":1,"type":"roles.list"}"#);
    assert_eq!(refused["error"]["code"], "reply_too_large", "{refused}");

    // In pages of 256 KiB: each reply fits, together they are the whole list, in order.
    let mut paged = Vec::new();
    let mut offset = 0;
    let mut pages = 0;
    let mut reading: Option<String> = None;
    loop {
        let request = page_request(pages + 2, offset, reading.as_deref(), 262144);
        let (size, reply) = ask_host(&mut stdin, &mut stdout, &request);
        assert_eq!(reply["status"], "ok", "{reply}");
        assert!(size < 300 * 1024, "a page of {size} bytes");
        let data = &reply["data"];
        assert_eq!(data["total"], whole_arns.len());
        let id = data["reading"]
            .as_str()
            .expect("a paged reply names its reading");
        assert!(reading.as_deref().is_none_or(|r| r == id), "{id}");
        reading = Some(id.to_owned());
        paged.extend(arns(data));
        pages += 1;
        match data["next_offset"].as_u64() {
            Some(next) => {
                assert!(next as usize > offset);
                offset = next as usize;
            }
            None => break,
        }
    }
    assert!(pages >= 5, "{pages} pages");
    assert_eq!(paged, whole_arns);

    // The quick first answer: the list alone, undecided and flagged partial (alice has a
    // key, so the whole answer adds the wildcard's roles and decides these).
    let (_, quick) = ask_host(
        &mut stdin,
        &mut stdout,
        r#"{"id":80,"type":"roles.list","page_bytes":262144,"lists_only":true}"#,
    );
    assert_eq!(
        quick["data"]["partial"], true,
        "{}",
        quick["data"]["notices"]
    );
    assert_eq!(quick["data"]["total"], 4000);
    assert_eq!(quick["data"]["targets"][0]["decision"], "console");

    // A page past the end is empty and last; a negative offset is refused; a later page
    // without its reading, or naming one the daemon does not have, is refused.
    let (_, past) = ask_host(
        &mut stdin,
        &mut stdout,
        &page_request(90, 99999, reading.as_deref(), 1000),
    );
    assert_eq!(past["data"]["targets"], serde_json::json!([]));
    assert!(past["data"].get("next_offset").is_none());
    let (_, bad) = ask_host(
        &mut stdin,
        &mut stdout,
        r#"{"id":91,"type":"roles.list","page_bytes":1000,"offset":-1}"#,
    );
    assert_eq!(bad["error"]["code"], "invalid_params", "{bad}");
    let (_, unnamed) = ask_host(&mut stdin, &mut stdout, &page_request(92, 10, None, 1000));
    assert_eq!(unnamed["error"]["code"], "invalid_params", "{unnamed}");
    let (_, unknown) = ask_host(
        &mut stdin,
        &mut stdout,
        &page_request(93, 10, Some("0123456789abcdef01234567"), 1000),
    );
    assert_eq!(unknown["error"]["code"], "reading_expired", "{unknown}");
    assert!(
        unknown["error"]["message"]
            .as_str()
            .unwrap()
            .contains("first page"),
        "{unknown}"
    );

    // Two readers whose pages interleave, the list changing between their first pages:
    // each gets the list of its own first page, whole and once.
    let (_, first_a) = ask_host(&mut stdin, &mut stdout, &page_request(100, 0, None, 262144));
    let mut a = Reader::new(&first_a["data"]);
    let mut smaller = String::new();
    for account in 0..300 {
        smaller.push_str(&format!(
            "[other-{account:04}]\naws_account_id = {}\nrole_name = Other\n\n",
            200_000_000_000u64 + account
        ));
    }
    std::fs::write(&file, smaller).unwrap();
    let out = sandbox.switchyard(&["roles", "import", file.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", text(&out));
    let changed_arns = arns(&roles(&sandbox, &[]));
    assert_ne!(changed_arns, whole_arns);
    let (_, first_b) = ask_host(&mut stdin, &mut stdout, &page_request(101, 0, None, 20_000));
    let mut b = Reader::new(&first_b["data"]);
    assert_ne!(a.reading, b.reading);
    let mut id = 102;
    while !(a.done() && b.done()) {
        for (reader, bytes) in [(&mut a, 262144), (&mut b, 20_000)] {
            if let Some(offset) = reader.next {
                id += 1;
                let request = page_request(id, offset, Some(&reader.reading), bytes);
                let (_, reply) = ask_host(&mut stdin, &mut stdout, &request);
                assert_eq!(reply["status"], "ok", "{reply}");
                reader.add(&reply["data"]);
            }
        }
    }
    assert!(
        b.pages > 2 && a.pages > 2,
        "{} and {} pages",
        a.pages,
        b.pages
    );
    assert_eq!(
        a.arns, whole_arns,
        "the first reader's list is the list it began"
    );
    assert_eq!(
        b.arns, changed_arns,
        "the second reader's list is the new one"
    );
    drop(stdin);
    let _ = host.wait();
}

/// An AWS Extend Switch Roles configuration and an `~/.aws/config` for the tests without
/// a key: two imported targets under a base account, one configured role profile.
const AESR_NO_KEY: &str = "[acme-base]\naws_account_id = 111111111111\n\n\
    [Acme Prod Admin]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = acme-base\ncolor = ffaaee\n\n\
    [Acme Staging Read]\naws_account_id = 333333333333\nrole_name = ReadOnly\nsource_profile = acme-base\n\n\
    [broken]\nrole_arn = nonsense\n";
const AWS_CONFIG_NO_KEY: &str = "[profile sso-dev]\nsso_session = corp\nsso_account_id = 444444444444\nsso_role_name = Dev\n\n\
    [profile client-ops]\nrole_arn = arn:aws:iam::555555555555:role/Ops\nsource_profile = sso-dev\nregion = eu-west-1\n";

/// Import [`AESR_NO_KEY`], write [`AWS_CONFIG_NO_KEY`], and read `roles --json` (and the
/// text form) with both.
fn lists_without_a_key(sandbox: &Sandbox) -> (Value, String) {
    let aesr = sandbox.home().join("aesr.ini");
    std::fs::write(&aesr, AESR_NO_KEY).unwrap();
    let out = sandbox.switchyard(&["roles", "import", aesr.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("imported 2 roles"), "{}", text(&out));
    assert!(text(&out).contains("skipped broken"), "{}", text(&out));
    // ~/.aws/config in the sandbox's HOME (the daemon reads it there).
    let aws_dir = sandbox.home().join(".aws");
    std::fs::create_dir_all(&aws_dir).unwrap();
    std::fs::write(aws_dir.join("config"), AWS_CONFIG_NO_KEY).unwrap();
    let run = |args: &[&str]| sandbox.switchyard(args, None);
    let out = run(&["roles", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    let data = json(&out)["data"].clone();
    let out = run(&["roles"]);
    assert!(out.status.success(), "{}", text(&out));
    (data, text(&out))
}

#[track_caller]
fn assert_left_to_the_console(data: &Value) {
    assert_eq!(
        arns(data),
        [
            "arn:aws:iam::222222222222:role/Admin console",
            "arn:aws:iam::333333333333:role/ReadOnly console",
            "arn:aws:iam::555555555555:role/Ops console",
        ],
        "{data}"
    );
    let targets = data["targets"].as_array().unwrap();
    assert_eq!(targets[0]["color"], "ffaaee");
    assert_eq!(targets[2]["sources"], serde_json::json!(["aws_config"]));
    assert_eq!(targets[2]["region"], "eu-west-1");
    assert!(
        targets[0]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("no key is stored for profile \"default\""),
        "{data}"
    );
    assert_eq!(data["hidden"], 0);
    assert!(data.get("partial").is_none(), "{data}");
}

#[test]
fn with_no_keyring_running_the_lists_are_shown_and_left_to_the_console() {
    let sandbox = Sandbox::without_keyring();
    let (data, shown) = lists_without_a_key(&sandbox);
    assert_left_to_the_console(&data);
    // Nothing tried the keyring (it would have failed: no bus), and the skipped entry is
    // reported by the import, not on every reading.
    assert_eq!(data["notices"], serde_json::json!([]), "{data}");
    assert!(shown.contains("console"), "{shown}");
    assert!(!shown.contains("keyring"), "{shown}");
    // roles.sources (the options page's report) needs no key either; the skipped entry is
    // reported there.
    let mut host = std::process::Command::new(env!("CARGO_BIN_EXE_switchyard-host"));
    host.arg("chrome-extension://fckpphpaflmmcocfemjogfaiblilmlih/")
        .env("SWITCHYARD_DAEMON_BIN", env!("CARGO_BIN_EXE_switchyard"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    sandbox.env(&mut host);
    let mut host = host.spawn().unwrap();
    let mut stdin = host.stdin.take().unwrap();
    let mut stdout = host.stdout.take().unwrap();
    let (_, sources) = ask_host(
        &mut stdin,
        &mut stdout,
        r#"{"id":1,"type":"roles.sources"}"#,
    );
    assert_eq!(sources["status"], "ok", "{sources}");
    let imported = &sources["data"]["sources"][1];
    assert_eq!(imported["source"], "imported", "{sources}");
    assert_eq!(imported["roles"].as_array().unwrap().len(), 2, "{sources}");
    assert_eq!(imported["skipped"][0]["what"], "broken", "{sources}");
    // And the quick first answer: the same list, not partial (no key can add to it).
    let (_, quick) = ask_host(
        &mut stdin,
        &mut stdout,
        r#"{"id":2,"type":"roles.list","lists_only":true,"page_bytes":262144}"#,
    );
    assert_eq!(quick["data"]["total"], 3, "{quick}");
    assert!(quick["data"].get("partial").is_none(), "{quick}");
    drop(stdin);
    let _ = host.wait();
    // Nothing to list: said plainly, with what to do.
    let empty = Sandbox::without_keyring();
    let data = roles(&empty, &[]);
    assert_eq!(data["targets"], serde_json::json!([]));
    assert!(
        data["notices"]
            .to_string()
            .contains("switchyard roles import FILE"),
        "{data}"
    );
}

#[test]
fn with_an_empty_or_locked_keyring_the_lists_are_shown_too() {
    // An empty keyring and no profile settings: the keyring is not asked.
    let sandbox = Sandbox::start();
    let (data, _) = lists_without_a_key(&sandbox);
    assert_left_to_the_console(&data);
    assert_eq!(data["notices"], serde_json::json!([]), "{data}");
    // The profile has settings but no key (removed, or never stored): the same.
    let config = sandbox.home().join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        "[profiles.default]\nregion = \"eu-west-1\"\n",
    )
    .unwrap();
    let (data, _) = lists_without_a_key(&sandbox);
    assert_left_to_the_console(&data);
    assert_eq!(sandbox.secret_tool_search().trim(), "");

    // A locked keyring behind a profile with settings: the lists, and a notice saying why
    // the policies were not read.
    let locked = Sandbox::start_locked();
    let config = locked.home().join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        "[profiles.default]\nregion = \"eu-west-1\"\n",
    )
    .unwrap();
    let (data, _) = lists_without_a_key(&locked);
    assert_eq!(arns(&data).len(), 3, "{data}");
    assert!(data["notices"].to_string().contains("keyring"), "{data}");
}
