//! Integration: federated sign-in (`switch.federate` through `switchyard login`) against
//! moto's STS and a local stand-in for the sign-in endpoint's `/federation`, written here.
//! The stand-in records each `getSigninToken` request; the test checks that its Session
//! JSON holds credentials moto's AssumeRole really issued (they work as the role in moto),
//! and that bad input and sign-in failures come back as structured errors without a
//! request to the sign-in endpoint when the target is invalid.

mod support;

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use serde_json::Value;
use support::{text, Moto, Sandbox};

/// What the stand-in answers.
const ANSWER_TOKEN: u8 = 0;
const ANSWER_400: u8 = 1;
const ANSWER_NO_TOKEN: u8 = 2;

#[derive(Clone, Default)]
struct Recorded {
    queries: Arc<Mutex<Vec<String>>>,
    mode: Arc<AtomicU8>,
}

/// The sign-in endpoint's `/federation`, on a loopback port, in its own thread.
struct StandIn {
    endpoint: String,
    recorded: Recorded,
}

impl StandIn {
    fn start() -> StandIn {
        let recorded = Recorded::default();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let state = recorded.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let app = axum::Router::new()
                    .route("/federation", axum::routing::get(federation))
                    .with_state(state);
                axum::serve(listener, app).await.unwrap();
            });
        });
        StandIn { endpoint, recorded }
    }

    fn queries(&self) -> Vec<Vec<(String, String)>> {
        self.recorded
            .queries
            .lock()
            .unwrap()
            .iter()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .collect()
    }

    fn answer(&self, mode: u8) {
        self.recorded.mode.store(mode, Ordering::SeqCst);
    }
}

async fn federation(
    axum::extract::State(state): axum::extract::State<Recorded>,
    uri: axum::http::Uri,
) -> (axum::http::StatusCode, String) {
    let n = {
        let mut queries = state.queries.lock().unwrap();
        queries.push(uri.query().unwrap_or_default().to_owned());
        queries.len()
    };
    match state.mode.load(Ordering::SeqCst) {
        ANSWER_400 => (axum::http::StatusCode::BAD_REQUEST, "Bad Request".into()),
        ANSWER_NO_TOKEN => (axum::http::StatusCode::OK, "{}".into()),
        _ => (
            axum::http::StatusCode::OK,
            format!(r#"{{"SigninToken":"token-{n}/+="}}"#),
        ),
    }
}

async fn admin(moto: &Moto) -> SdkConfig {
    config(
        moto,
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        None,
    )
    .await
}

async fn config(moto: &Moto, id: &str, secret: &str, token: Option<&str>) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(&moto.endpoint)
        .credentials_provider(aws_credential_types::Credentials::new(
            id,
            secret,
            token.map(str::to_owned),
            None,
            "test",
        ))
        .load()
        .await
}

/// A member account made with role `ClientA`, user alice (with a key) allowed to assume
/// exactly that role. Returns the role's account and alice's key.
async fn setup(admin: &SdkConfig) -> (String, (String, String)) {
    let org = aws_sdk_organizations::Client::new(admin);
    org.create_organization().send().await.unwrap();
    let account = org
        .create_account()
        .account_name("Client A")
        .email("ops+a@example.com")
        .role_name("ClientA")
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap()
        .account_id
        .unwrap();
    let iam = aws_sdk_iam::Client::new(admin);
    iam.create_user().user_name("alice").send().await.unwrap();
    iam.put_user_policy()
        .user_name("alice")
        .policy_name("SwitchToClientA")
        .policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::{account}:role/ClientA"}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    let key = iam
        .create_access_key()
        .user_name("alice")
        .send()
        .await
        .unwrap()
        .access_key
        .unwrap();
    (account, (key.access_key_id, key.secret_access_key))
}

fn add(sandbox: &Sandbox, key: &(String, String), moto: &Moto, signin: &str) {
    let out = sandbox.switchyard(
        &[
            "credentials",
            "add",
            "--profile",
            "default",
            "--access-key-id",
            &key.0,
            "--endpoint-url",
            &moto.endpoint,
        ],
        Some(&format!("{}\n", key.1)),
    );
    assert!(out.status.success(), "{}", text(&out));
    let path = sandbox.home().join("config/config.toml");
    let mut config: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
    config["profiles"]["default"]
        .as_table_mut()
        .unwrap()
        .insert("signin_endpoint".into(), signin.into());
    std::fs::write(&path, toml::to_string(&config).unwrap()).unwrap();
}

/// `switchyard login ARGS --json` in the sandbox, off the async runtime.
async fn login(sandbox: &Arc<Sandbox>, args: &[&str]) -> Value {
    let sandbox = sandbox.clone();
    let mut all = vec!["login".to_owned(), "--json".to_owned()];
    all.extend(args.iter().map(|a| a.to_string()));
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = all.iter().map(String::as_str).collect();
        let out = sandbox.switchyard(&args, None);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)))
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn federation_exchanges_assumed_role_credentials_for_a_login_url() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let (account, alice) = setup(&admin).await;
    let stand_in = StandIn::start();
    let sandbox = Arc::new(Sandbox::start());
    add(&sandbox, &alice, &moto, &stand_in.endpoint);
    let role = format!("arn:aws:iam::{account}:role/ClientA");

    // The happy path: the destination keeps the service and region, nothing else.
    let reply = login(
        &sandbox,
        &[
            &role,
            "--destination",
            "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:instanceId=i-1",
        ],
    )
    .await;
    assert_eq!(reply["status"], "ok", "{reply}");
    let data = &reply["data"];
    assert_eq!(
        data["login_url"],
        "https://signin.aws.amazon.com/federation?Action=login\
         &Issuer=https%3A%2F%2Fconsole.aws.amazon.com%2Fconsole%2Fhome\
         &Destination=https%3A%2F%2Feu-west-1.console.aws.amazon.com%2Fec2%2Fhome%3Fregion%3Deu-west-1\
         &SigninToken=token-1%2F%2B%3D",
        "{reply}"
    );
    assert_eq!(data["role_arn"], role.as_str());
    assert!(data["expires_at"].as_u64().unwrap() > 0);

    // The stand-in got exactly one exchange, with the session of a real AssumeRole.
    let queries = stand_in.queries();
    assert_eq!(queries.len(), 1);
    let keys: Vec<&str> = queries[0].iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["Action", "SessionDuration", "Session"]);
    assert_eq!(queries[0][0].1, "getSigninToken");
    assert_eq!(queries[0][1].1, "3600");
    let session: Value = serde_json::from_str(&queries[0][2].1).unwrap();
    let fields: Vec<&String> = session.as_object().unwrap().keys().collect();
    assert_eq!(fields, ["sessionId", "sessionKey", "sessionToken"]);
    assert_ne!(
        session["sessionId"],
        alice.0.as_str(),
        "not alice's own key"
    );
    let as_role = config(
        &moto,
        session["sessionId"].as_str().unwrap(),
        session["sessionKey"].as_str().unwrap(),
        session["sessionToken"].as_str(),
    )
    .await;
    let me = aws_sdk_sts::Client::new(&as_role)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(me.account.as_deref(), Some(account.as_str()));
    assert_eq!(
        me.arn.as_deref(),
        Some(format!("arn:aws:sts::{account}:assumed-role/ClientA/switchyard-default").as_str())
    );

    // No destination: the console home in the profile's region; a longer session.
    let reply = login(&sandbox, &[&role, "--duration", "7200"]).await;
    let url = reply["data"]["login_url"].as_str().unwrap();
    assert!(
        url.contains("&Destination=https%3A%2F%2Fus-east-1.console.aws.amazon.com%2Fconsole%2Fhome%3Fregion%3Dus-east-1&"),
        "{url}"
    );
    assert_eq!(
        stand_in.queries()[1][1],
        ("SessionDuration".into(), "7200".into())
    );

    // Invalid targets are refused before any request.
    for bad in [
        format!("arn:aws:iam::{}:role/ClientA", &account[..11]),
        format!("arn:aws:iam::{account}:role/Client A"),
        "arn:aws:iam::*:role/ClientA".to_owned(),
        format!("arn:aws-cn:iam::{account}:role/ClientA"),
    ] {
        let reply = login(&sandbox, &[&bad]).await;
        assert_eq!(reply["error"]["code"], "invalid_target", "{bad}: {reply}");
    }
    assert_eq!(stand_in.queries().len(), 2);

    // The sign-in endpoint refuses, or answers without a token.
    stand_in.answer(ANSWER_400);
    let reply = login(&sandbox, &[&role]).await;
    assert_eq!(reply["error"]["code"], "signin_failed", "{reply}");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("HTTP 400"),
        "{reply}"
    );
    stand_in.answer(ANSWER_NO_TOKEN);
    let reply = login(&sandbox, &[&role]).await;
    assert_eq!(reply["error"]["code"], "signin_failed", "{reply}");
    stand_in.answer(ANSWER_TOKEN);

    // IAM denies the role the user's policies do not allow.
    moto.enforce_iam();
    let reply = login(&sandbox, &[&format!("arn:aws:iam::{account}:role/Other")]).await;
    assert_eq!(reply["error"]["code"], "access_denied", "{reply}");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sts:AssumeRole"),
        "{reply}"
    );
    let reply = login(&sandbox, &[&role]).await;
    assert_eq!(
        reply["status"], "ok",
        "still allowed under enforcement: {reply}"
    );
    let exchanges = stand_in.queries().len();
    assert_eq!(exchanges, 5, "no exchange for the denied role");

    // Nothing the exchange carried is in any file of the sandbox (log, config, cache).
    let secrets: Vec<String> = stand_in
        .queries()
        .iter()
        .map(|q| {
            serde_json::from_str::<Value>(&q[2].1).unwrap()["sessionKey"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    for entry in walk(sandbox.home()) {
        let Ok(content) = std::fs::read(&entry) else {
            continue;
        };
        let content = String::from_utf8_lossy(&content);
        for secret in &secrets {
            assert!(
                !content.contains(secret.as_str()),
                "a role secret in {}",
                entry.display()
            );
        }
        assert!(
            !content.contains("token-1"),
            "a sign-in token in {}",
            entry.display()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_signin_endpoint_is_a_structured_error() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let (account, alice) = setup(&admin).await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let sandbox = Arc::new(Sandbox::start());
    add(&sandbox, &alice, &moto, &closed);
    let reply = login(&sandbox, &[&format!("arn:aws:iam::{account}:role/ClientA")]).await;
    assert_eq!(reply["error"]["code"], "signin_unreachable", "{reply}");
    let message = reply["error"]["message"].as_str().unwrap();
    assert!(
        !message.contains("Session"),
        "the URL stays out of errors: {message}"
    );

    // A plain-http endpoint that is not loopback is refused.
    add(&sandbox, &alice, &moto, "http://signin.example.com");
    let reply = login(&sandbox, &[&format!("arn:aws:iam::{account}:role/ClientA")]).await;
    assert_eq!(reply["error"]["code"], "invalid_params", "{reply}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => out.extend(walk(&path)),
            Ok(t) if t.is_file() => out.push(path),
            _ => {}
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn login_takes_an_account_name_opens_the_browser_and_refuses_a_bad_destination() {
    let moto = Moto::start();
    let admin = admin(&moto).await;
    let (account, alice) = setup(&admin).await;
    let stand_in = StandIn::start();
    let sandbox = Arc::new(Sandbox::start());
    add(&sandbox, &alice, &moto, &stand_in.endpoint);
    let role = format!("arn:aws:iam::{account}:role/ClientA");

    // An account's name, a part of it, or its letters in order, as Granted's `assume`.
    for name in ["Client A", "client", "clta"] {
        let reply = login(&sandbox, &[name]).await;
        assert_eq!(reply["data"]["role_arn"], role.as_str(), "{name}: {reply}");
    }
    // A service shortcut lands on that service's page.
    let reply = login(&sandbox, &["client", "--service", "s3"]).await;
    assert_eq!(
        reply["data"]["destination"], "https://console.aws.amazon.com/s3/home",
        "{reply}"
    );
    let exchanges = stand_in.queries().len();

    // Refused before any request: a name that matches nothing, a destination that is not
    // a console page (not silently replaced by the console's home), a bad service.
    for (args, why) in [
        (vec!["nothing-like-it"], "no role to switch to matches"),
        (
            vec!["client", "--destination", "https://evil.example/ec2/home"],
            "is not an AWS console page",
        ),
        (
            vec!["client", "--service", "EC2!"],
            "not a console service name",
        ),
    ] {
        let mut all = vec!["login"];
        all.extend(args.iter().copied());
        let out = sandbox.switchyard(&all, None);
        assert!(!out.status.success(), "{args:?}: {}", text(&out));
        assert!(text(&out).contains(why), "{args:?}: {}", text(&out));
    }
    assert_eq!(
        stand_in.queries().len(),
        exchanges,
        "no exchange for bad input"
    );

    // --open hands the URL to the browser ($BROWSER here: a script that records it) and
    // prints no URL.
    let opened = sandbox.home().join("opened.txt");
    let browser = sandbox.home().join("browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > {}\n", opened.display()),
    )
    .unwrap();
    let mut perms = std::fs::metadata(&browser).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&browser, perms).unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command
        .args(["login", "client", "--open"])
        .stdin(std::process::Stdio::null());
    sandbox.env(&mut command);
    command.env("BROWSER", &browser);
    let out = command.output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(out.stdout.is_empty(), "no URL printed: {}", text(&out));
    assert!(
        text(&out).contains("opened the console as"),
        "{}",
        text(&out)
    );
    let mut url = String::new();
    for _ in 0..100 {
        url = std::fs::read_to_string(&opened).unwrap_or_default();
        if !url.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        url.starts_with("https://signin.aws.amazon.com/federation?Action=login"),
        "{url}"
    );
}
