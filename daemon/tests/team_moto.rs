//! Integration: the names, colors and role hints a whole team sees (`accounts set`, the
//! account tags `switchyard:name`, `switchyard:color`, `switchyard:roles`), written and
//! read through the CLI and the daemon against moto's Organizations, with keys in a real
//! Secret Service.
//!
//! moto has no User Experience Customization API (the console's own account color), so
//! the fault proxy in front of moto stands in for it: it answers
//! `PATCH /v1/account-customizations` only when the body is exactly the palette color the
//! daemon should send, shaped as the API reference's response
//! (`{"accountColor": "…"}`). It also plays an administrator's refusal
//! (AccessDeniedException) and a member who may not read tags, which moto does not
//! enforce without a policy setup.

mod support;

use std::process::Output;

use aws_config::SdkConfig;
use serde_json::Value;
use support::fault_proxy::{FaultProxy, Rule};
use support::{admin, json, text, user, Moto, Sandbox};

async fn organization(config: &SdkConfig) -> Vec<String> {
    let org = aws_sdk_organizations::Client::new(config);
    org.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .unwrap();
    let mut ids = Vec::new();
    for name in ["client-a", "client-b"] {
        let created = org
            .create_account()
            .account_name(name)
            .email(format!("ops+{name}@example.com"))
            .send()
            .await
            .unwrap();
        ids.push(
            created
                .create_account_status
                .unwrap()
                .account_id
                .unwrap_or_default(),
        );
    }
    ids
}

async fn tags_in_aws(config: &SdkConfig, account: &str) -> Vec<(String, String)> {
    aws_sdk_organizations::Client::new(config)
        .list_tags_for_resource()
        .resource_id(account)
        .send()
        .await
        .unwrap()
        .tags
        .unwrap_or_default()
        .into_iter()
        .map(|t| (t.key, t.value))
        .collect()
}

fn error(out: &Output) -> (String, String) {
    assert!(!out.status.success(), "expected a failure: {}", text(out));
    let reply = json(out);
    (
        reply["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        reply["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// Account `id` of an `accounts --json` answer.
fn account_in(list: &Value, id: &str) -> Value {
    list["data"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("account {id} is not in {list}"))
        .clone()
}

/// The accounts list once the background tag reading has put `account`'s tags in it.
fn accounts_with_tags(sandbox: &Sandbox, account: &str, args: &[&str]) -> Value {
    let mut list = Value::Null;
    for _ in 0..100 {
        let mut all = vec!["accounts", "--profile", "work", "--json"];
        all.extend_from_slice(args);
        list = json(&sandbox.switchyard(&all, None));
        let found = list["data"]["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == account && !a["tags"].is_null());
        if found {
            return list;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the tags never arrived: {list}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_sets_a_name_and_color_once_and_every_colleague_sees_them() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(&moto.endpoint);
    let admin = admin(&moto).await;
    let members = organization(&admin).await;
    let client_a = members[0].clone();
    let alice = user(&admin, "alice", None).await;
    let carol = user(
        &admin,
        "carol",
        Some(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#),
    )
    .await;
    let desk = Sandbox::start();
    desk.add_credentials("work", &alice, &proxy.endpoint);

    // Bad input is refused before any AWS call, naming the field and the reason.
    for (args, says) in [
        (vec!["--name", "evil\u{7}name"], "control character"),
        (vec!["--name", "<img src=x onerror=alert(1)>"], "markup"),
        (vec!["--name", &"x".repeat(65)], "at most 64"),
        (vec!["--color", "chartreuse"], "not a color"),
        (vec!["--roles", "not a role"], "not an IAM role name"),
        (vec!["--console-color"], "needs a color"),
        (vec![], "nothing to set"),
    ] {
        let mut all = vec!["accounts", "set", &client_a, "--profile", "work", "--json"];
        all.extend(args.iter().copied());
        let (code, message) = error(&desk.switchyard(&all, None));
        assert_eq!(code, "invalid_params", "{message}");
        assert!(message.contains(says), "{message}");
    }
    let (code, _) =
        error(&desk.switchyard(&["accounts", "set", "12345", "--name", "x", "--json"], None));
    assert_eq!(code, "invalid_params");
    assert!(
        tags_in_aws(&admin, &client_a).await.is_empty(),
        "nothing written"
    );

    // The admin sets them once; AWS holds them as the account's tags.
    let out = desk.switchyard(
        &[
            "accounts",
            "set",
            &client_a,
            "--profile",
            "work",
            "--name",
            "Client A (prod)",
            "--color",
            "#1B998B",
            "--roles",
            "Admin,ReadOnly",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let mut tags = tags_in_aws(&admin, &client_a).await;
    tags.sort();
    assert_eq!(
        tags,
        [
            ("switchyard:color".to_owned(), "1b998b".to_owned()),
            ("switchyard:name".to_owned(), "Client A (prod)".to_owned()),
            ("switchyard:roles".to_owned(), "Admin,ReadOnly".to_owned()),
        ]
    );

    // A colleague's daemon (another HOME, another key) shows them after its first reading.
    let colleague = Sandbox::start();
    colleague.add_credentials("work", &carol, &proxy.endpoint);
    let list = accounts_with_tags(&colleague, &client_a, &[]);
    let shown = account_in(&list, &client_a);
    assert_eq!(shown["tags"]["switchyard:name"], "Client A (prod)");
    let human = text(&colleague.switchyard(&["accounts", "--profile", "work"], None));
    assert!(
        human.contains("Client A (prod) (client-a)") && human.contains("#1b998b"),
        "{human}"
    );
    // Either name finds the account: the team's and the organization's.
    for filter in ["prod)", "client-a"] {
        let found = text(&colleague.switchyard(&["accounts", filter, "--profile", "work"], None));
        assert!(
            found.contains("Client A (prod) (client-a)"),
            "{filter}: {found}"
        );
    }

    // The popup's list (roles.list) names and colors the account the team's way, and puts
    // the hinted roles first (ReadOnly; Admin is not among them), the rest by name.
    let import = colleague.home().join("roles.aesr");
    std::fs::write(
        &import,
        format!(
            "[client-a-readonly]\naws_account_id = {client_a}\nrole_name = ReadOnly\n\n\
             [client-a-audit]\naws_account_id = {client_a}\nrole_name = Audit\n"
        ),
    )
    .unwrap();
    let imported = colleague.switchyard(
        &[
            "roles",
            "import",
            import.to_str().unwrap(),
            "--profile",
            "work",
        ],
        None,
    );
    assert!(imported.status.success(), "{}", text(&imported));
    let roles = json(&colleague.switchyard(&["roles", "--profile", "work", "--json"], None));
    let of_a: Vec<(String, String, String)> = roles["data"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["account_id"] == client_a.as_str())
        .map(|t| {
            (
                t["role_name"].as_str().unwrap().to_owned(),
                t["account_name"].as_str().unwrap_or("").to_owned(),
                t["color"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        of_a,
        [
            (
                "ReadOnly".to_owned(),
                "Client A (prod)".to_owned(),
                "1b998b".to_owned()
            ),
            (
                "Audit".to_owned(),
                "Client A (prod)".to_owned(),
                "1b998b".to_owned()
            ),
            (
                "OrganizationAccountAccessRole".to_owned(),
                "Client A (prod)".to_owned(),
                "1b998b".to_owned(),
            ),
        ],
        "{roles}"
    );

    // The organization's name is still there to search by, and `roles FILTER` finds it.
    assert!(
        roles["data"]["targets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["account_id"] == client_a.as_str())
            .all(|t| t["also_named"] == "client-a"),
        "{roles}"
    );
    let by_old_name =
        text(&colleague.switchyard(&["roles", "client-a", "--profile", "work"], None));
    assert!(by_old_name.contains("ReadOnly"), "{by_old_name}");

    // Each target says where its name and color came from (the popup shows it): the
    // team's tags here, since the import gives no color.
    for target in roles["data"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["account_id"] == client_a.as_str())
    {
        assert_eq!(
            (&target["name_from"], &target["color_from"]),
            (&Value::from("team"), &Value::from("team")),
            "{target}"
        );
    }
    // The quick answer from the lists alone (no AWS call) shows the names as last read.
    let quick = colleague.raw(&serde_json::json!({
        "id": 7, "type": "roles.list", "profile": "work", "lists_only": true,
    }));
    let first = quick["data"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["account_id"] == client_a.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("{quick}"));
    assert_eq!(first["account_name"], "Client A (prod)", "{first}");
    assert_eq!(first["name_from"], "team", "{first}");
    // The options page's lists: each role with the team's look of its account.
    let sources = colleague.raw(&serde_json::json!({
        "id": 8, "type": "roles.sources", "profile": "work",
    }));
    let team = sources["data"]["team"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        team.iter().any(|t| t["account_id"] == client_a.as_str()
            && t["name"] == "Client A (prod)"
            && t["color"] == "1b998b"
            && t["color_from"] == "team"),
        "{sources}"
    );

    // An empty value removes a tag.
    let out = desk.switchyard(
        &[
            "accounts",
            "set",
            &client_a,
            "--profile",
            "work",
            "--roles",
            "",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(!tags_in_aws(&admin, &client_a)
        .await
        .iter()
        .any(|(k, _)| k == "switchyard:roles"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_color_is_the_nearest_palette_color_set_through_the_accounts_role() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(&moto.endpoint);
    let admin = admin(&moto).await;
    let members = organization(&admin).await;
    let alice = user(&admin, "alice", None).await;
    let desk = Sandbox::start();
    desk.add_credentials("work", &alice, &proxy.endpoint);
    // The stand-in answers only the request the API reference describes, with the
    // palette's name for #ff2200 (nearest: red).
    proxy.add(Rule {
        needle: r#"{"accountColor":"red"}"#.into(),
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: r#"{"accountColor":"red","visibleRegions":null,"visibleServices":null}"#.into(),
        times: None,
    });

    // The list was read before (the daemon patches its cached copy; it does not ask every
    // account for its console color, which would mean a role in each).
    json(&desk.switchyard(&["accounts", "--profile", "work", "--json"], None));
    let out = desk.switchyard(
        &[
            "accounts",
            "set",
            &members[1],
            "--profile",
            "work",
            "--color",
            "ff2200",
            "--console-color",
            "--json",
        ],
        None,
    );
    let reply = json(&out);
    assert!(out.status.success(), "{reply}");
    assert_eq!(reply["data"]["console_color"], "red");
    let notes = reply["data"]["notes"].to_string();
    assert!(notes.contains("nearest color, red"), "{notes}");
    assert_eq!(
        proxy.hits(0),
        1,
        "one UpdateAccountCustomizations, with that body"
    );

    // The cached list shows it at once, marked as the console's where no tag color exists.
    let list = json(&desk.switchyard(&["accounts", "--profile", "work", "--json"], None));
    let account = account_in(&list, &members[1]);
    assert_eq!(account["console_color"], "red", "{account}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_names_the_missing_action_and_unreadable_tags_keep_the_last_reading() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(&moto.endpoint);
    let admin = admin(&moto).await;
    let members = organization(&admin).await;
    let alice = user(&admin, "alice", None).await;
    let desk = Sandbox::start();
    desk.add_credentials("work", &alice, &proxy.endpoint);

    // A first reading sees the team's tags.
    aws_sdk_organizations::Client::new(&admin)
        .tag_resource()
        .resource_id(&members[0])
        .tags(
            aws_sdk_organizations::types::Tag::builder()
                .key("switchyard:name")
                .value("Client A")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    accounts_with_tags(&desk, &members[0], &[]);

    // Now this member may neither write nor read tags (the proxy plays IAM's refusal).
    let denied = |operation: &str| Rule {
        needle: format!("AWSOrganizationsV20161128.{operation}\r"),
        status: 400,
        headers: vec![("Content-Type".into(), "application/x-amz-json-1.1".into())],
        body: format!(
            r#"{{"__type":"AccessDeniedException","Message":"User: alice is not authorized to perform: organizations:{operation}"}}"#
        ),
        times: None,
    };
    proxy.add(denied("TagResource"));
    proxy.add(denied("ListTagsForResource"));
    let (code, message) = error(&desk.switchyard(
        &[
            "accounts",
            "set",
            &members[0],
            "--profile",
            "work",
            "--name",
            "Renamed",
            "--json",
        ],
        None,
    ));
    assert_eq!(code, "access_denied", "{message}");
    assert!(message.contains("organizations:TagResource"), "{message}");

    // A refresh answers, without an error, with the names as last read and a note why.
    let fresh = json(&desk.switchyard(
        &["accounts", "--profile", "work", "--json", "--refresh"],
        None,
    ));
    assert!(fresh["status"] == "ok", "{fresh}");
    let mut list = fresh;
    for _ in 0..100 {
        if list["data"]["notice"].is_string() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        list = json(&desk.switchyard(&["accounts", "--profile", "work", "--json"], None));
    }
    let notice = list["data"]["notice"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        notice.contains("may not read the accounts' tags") && notice.contains("last read"),
        "{list}"
    );
    let kept = account_in(&list, &members[0]);
    assert_eq!(kept["tags"]["switchyard:name"], "Client A", "{kept}");
}

/// An admin's `accounts set` while the background reading of the tags is under way: the
/// reading, which asked AWS before the change, must not put the old tags back in the
/// cached list (the popup and the options page would lose the new name until the next
/// refresh). The fault proxy holds one account's ListTagsForResource so the reading ends
/// after the change.
#[tokio::test(flavor = "multi_thread")]
async fn a_name_set_while_the_tags_are_read_is_not_put_back() {
    let moto = Moto::start();
    let proxy = FaultProxy::start(&moto.endpoint);
    let admin = admin(&moto).await;
    let members = organization(&admin).await;
    let (client_a, client_b) = (members[0].clone(), members[1].clone());
    let alice = user(&admin, "alice", None).await;
    let desk = Sandbox::start();
    desk.add_credentials("work", &alice, &proxy.endpoint);

    // client-b's tags wait at the proxy; client-a's are read (none yet).
    let held = proxy.hold(&client_b, 1);
    let listed = json(&desk.switchyard(&["accounts", "--profile", "work", "--json"], None));
    assert_eq!(listed["status"], "ok", "{listed}");
    assert!(
        proxy.wait_caught(held, 1, std::time::Duration::from_secs(20)),
        "the tag reading never asked for client-b's tags"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while proxy.count(&client_a) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "client-a's tags were never asked for"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));

    // The admin names client-a meanwhile; then the reading ends.
    let set = desk.switchyard(
        &[
            "accounts",
            "set",
            &client_a,
            "--name",
            "Set Meanwhile",
            "--profile",
            "work",
        ],
        None,
    );
    assert!(set.status.success(), "{}", text(&set));
    proxy.release(held);
    let list = accounts_with_tags(&desk, &client_b, &[]);
    let a = account_in(&list, &client_a);
    assert_eq!(a["tags"]["switchyard:name"], "Set Meanwhile", "{list}");
}
