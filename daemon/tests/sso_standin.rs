//! Integration: IAM Identity Center sign-ins held by the daemon, through the CLI, against
//! a stand-in for the OIDC service and the portal (`testkit::identity_center`) and moto.
//!
//! moto implements neither the SSO OIDC API nor the portal (ListAccounts,
//! ListAccountRoles, GetRoleCredentials, Logout), so the stand-in answers them, shaped
//! after the API references, under the SDK's standard endpoint settings
//! (`AWS_ENDPOINT_URL_SSO_OIDC`, `AWS_ENDPOINT_URL_SSO`): no code path knows it is there.
//! The test plays the browser on the stand-in's authorize page (the browser flow is
//! driven in headless Chromium by `tests/e2e/sso.test.mjs`). The role credentials the
//! portal hands out are minted by moto's STS, so the calls made with them and the chain
//! into a client role run against moto for real.

mod support;

use std::process::Output;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{admin, switchyard_with, text, Moto, Sandbox};
use switchyard_testkit::identity_center::{http, IdentityCenter, RoleCredentials};

const MAIN: &str = "123456789012";

struct World {
    sandbox: Sandbox,
    ic: IdentityCenter,
    moto: Moto,
}

impl World {
    fn run(&self, args: &[&str]) -> Output {
        switchyard_with(args, None, |c| {
            self.sandbox.env(c);
            c.env("AWS_ENDPOINT_URL_SSO_OIDC", &self.ic.endpoint)
                .env("AWS_ENDPOINT_URL_SSO", &self.ic.endpoint)
                .env("AWS_ENDPOINT_URL_STS", &self.moto.endpoint)
                .env("AWS_ENDPOINT_URL_IAM", &self.moto.endpoint)
                .env("AWS_ENDPOINT_URL_ORGANIZATIONS", &self.moto.endpoint)
                .env("AWS_CONFIG_FILE", self.sandbox.home().join("aws-config"))
                .env("SWITCHYARD_SSO_LOGIN_TIMEOUT_SECS", "6");
        })
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)))
    }

    fn ok(&self, args: &[&str]) -> Value {
        let reply = self.json(args);
        assert_eq!(reply["status"], "ok", "{args:?}: {reply}");
        reply["data"].clone()
    }

    fn error(&self, args: &[&str]) -> (String, String) {
        let reply = self.json(args);
        assert_eq!(reply["status"], "error", "{args:?}: {reply}");
        (
            reply["error"]["code"].as_str().unwrap_or("").to_owned(),
            reply["error"]["message"].as_str().unwrap_or("").to_owned(),
        )
    }

    /// A command that fails without `--json` (credential-process): its stderr.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?}: {}", text(&out));
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    fn status(&self) -> Value {
        self.ok(&["sso", "status", "--session", "acme", "--json"])["sessions"][0].clone()
    }

    /// Wait until the session is no longer waiting for the browser.
    fn settled(&self) -> Value {
        let started = Instant::now();
        loop {
            let status = self.status();
            if status["state"] != "pending" || started.elapsed() > Duration::from_secs(20) {
                return status;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `sso login` and the approval in the "browser".
    fn sign_in(&self) {
        let login = self.ok(&["sso", "login", "--session", "acme", "--json"]);
        assert_eq!(login["started"], true, "{login}");
        let (status, page) = self.ic.approve(login["url"].as_str().unwrap(), true);
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("You can close this tab"), "{page}");
        assert_eq!(self.settled()["state"], "signed_in");
    }
}

async fn mint(moto: &Moto, role: &str) -> RoleCredentials {
    let config = admin(moto).await;
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
    let iam = aws_sdk_iam::Client::new(&config);
    let _ = iam
        .create_role()
        .role_name(role)
        .assume_role_policy_document(trust)
        .send()
        .await;
    let out = aws_sdk_sts::Client::new(&config)
        .assume_role()
        .role_arn(format!("arn:aws:iam::{MAIN}:role/{role}"))
        .role_session_name("alice@example.com")
        .send()
        .await
        .unwrap();
    let c = out.credentials.unwrap();
    RoleCredentials {
        access_key_id: c.access_key_id,
        secret_access_key: c.secret_access_key,
        session_token: c.session_token,
    }
}

const AWS_CONFIG: &str = "\
[sso-session acme]
sso_start_url = https://acme.awsapps.com/start#/
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile acme-admin]
sso_session = acme
sso_account_id = 123456789012
sso_role_name = AdministratorAccess
region = eu-west-1

[profile acme-ro]
sso_session = acme
sso_account_id = 123456789012
sso_role_name = ReadOnly

[profile acme-billing]
sso_session = acme
sso_account_id = 123456789012
sso_role_name = Billing

[profile client]
role_arn = arn:aws:iam::123456789012:role/ClientAdmin
source_profile = acme-admin
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_identity_center_user_signs_in_once_and_every_caller_shares_it() {
    let moto = Moto::start();
    let ic = IdentityCenter::start();
    let sandbox = Sandbox::start();
    std::fs::write(sandbox.home().join("aws-config"), AWS_CONFIG).unwrap();
    for role in ["AdministratorAccess", "ReadOnly", "Billing"] {
        let minted = mint(&moto, &format!("AWSReservedSSO_{role}_0123456789abcdef")).await;
        ic.set_role_credentials(MAIN, role, minted);
    }
    mint(&moto, "ClientAdmin").await;
    ic.grant(
        MAIN,
        "acme-main",
        &["AdministratorAccess", "ReadOnly", "Billing"],
    );
    ic.grant("222222222222", "Client A", &["ReadOnly"]);
    let world = World { sandbox, ic, moto };

    // Before any sign-in: signed out, and an SSO profile says what to do.
    let before = world.status();
    assert_eq!(before["state"], "signed_out", "{before}");
    assert_eq!(before["start_url"], "https://acme.awsapps.com/start");
    assert_eq!(before["region"], "eu-west-1");
    let (code, message) = world.error(&["whoami", "--profile", "acme-admin", "--json"]);
    assert_eq!(code, "sso_login_required", "{message}");
    assert!(message.contains("switchyard sso login"), "{message}");

    // Bad input: a start URL that is not one, a Region without a start URL.
    let (code, message) = world.error(&[
        "sso",
        "login",
        "--start-url",
        "acme.awsapps.com/start",
        "--region",
        "eu-west-1",
        "--json",
    ]);
    assert_eq!(code, "invalid_params");
    assert!(message.contains("https://"), "{message}");
    let (code, _) = world.error(&["sso", "login", "--session", "nosuch", "--json"]);
    assert_eq!(code, "invalid_params");

    // A request to the loopback port that does not carry the sign-in's state is refused,
    // and the sign-in goes on waiting; then the real approval signs in.
    let login = world.ok(&["sso", "login", "--session", "acme", "--json"]);
    let url = login["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&format!("{}/authorize?", world.ic.endpoint)),
        "{url}"
    );
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    assert!(url.contains("scopes=sso%3Aaccount%3Aaccess"), "{url}");
    let redirect: String = form_urlencoded::parse(url.split_once('?').unwrap().1.as_bytes())
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let (status, _, page) = http(
        "GET",
        &format!("{redirect}?code=forged&state=guess"),
        "",
        &[],
    );
    assert_eq!(status, 400, "{page}");
    // A second `sso login` while one waits joins it: no second page to open.
    let again = world.ok(&["sso", "login", "--session", "acme", "--json"]);
    assert_eq!(again["started"], false, "{again}");
    assert_eq!(again["url"], login["url"]);
    assert_eq!(world.status()["state"], "pending");
    let (status, page) = world.ic.approve(&url, true);
    assert_eq!(status, 200, "{page}");
    let signed = world.settled();
    assert_eq!(signed["state"], "signed_in", "{signed}");
    assert_eq!(
        signed["refreshable"], true,
        "the scope brings a refresh token"
    );
    assert_eq!(world.ic.count("POST /client/register"), 1);

    // The Identity Center profile works for everything the daemon does.
    let who = world.ok(&["whoami", "--profile", "acme-admin", "--json"]);
    assert_eq!(who["account_id"], MAIN, "{who}");
    assert!(
        who["arn"]
            .as_str()
            .unwrap()
            .contains("AWSReservedSSO_AdministratorAccess"),
        "{who}"
    );

    // `roles` (no key stored anywhere) lists what Identity Center grants, with its
    // account names, and the client role chained from an Identity Center profile.
    let roles = world.ok(&["roles", "--json"]);
    let targets = roles["targets"].as_array().unwrap();
    let granted: Vec<(&str, &str, &str)> = targets
        .iter()
        .filter(|t| t["sources"] == json!(["identity_center"]))
        .map(|t| {
            (
                t["account_id"].as_str().unwrap(),
                t["role_name"].as_str().unwrap(),
                t["decision"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(granted.len(), 4, "{roles:#}");
    assert!(
        granted.contains(&("222222222222", "ReadOnly", "allowed")),
        "{granted:?}"
    );
    let client_a = targets
        .iter()
        .find(|t| t["account_id"] == "222222222222")
        .unwrap();
    assert_eq!(client_a["account_name"], "Client A");
    assert_eq!(client_a["sso"]["session"], "acme");
    let chained = targets
        .iter()
        .find(|t| t["role_name"] == "ClientAdmin")
        .expect("the client role from ~/.aws/config");
    assert_eq!(
        chained["sso"]["role_name"], "AdministratorAccess",
        "{chained}"
    );

    // credential_process for the AWS CLI: the role's credentials, and a chain from them.
    let out = world.run(&["credential-process", "--profile", "acme-admin"]);
    assert!(out.status.success(), "{}", text(&out));
    let process: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(process["Version"], 1);
    assert!(process["Expiration"].is_string());
    let out = world.run(&[
        "credential-process",
        "--profile",
        "acme-admin",
        "--role",
        &format!("arn:aws:iam::{MAIN}:role/ClientAdmin"),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let chain: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_ne!(chain["AccessKeyId"], process["AccessKeyId"]);

    // An expired access token under 20 concurrent callers: one refresh.
    world.ic.expire_access_tokens();
    let refreshes_before = world.ic.count("POST /token refresh_token");
    let world = Arc::new(world);
    let mut callers = Vec::new();
    for _ in 0..20 {
        let world = Arc::clone(&world);
        callers.push(std::thread::spawn(move || {
            world.run(&["credential-process", "--profile", "acme-ro"])
        }));
    }
    for caller in callers {
        let out = caller.join().unwrap();
        assert!(out.status.success(), "{}", text(&out));
    }
    assert_eq!(
        world.ic.count("POST /token refresh_token") - refreshes_before,
        1,
        "twenty callers, one refresh"
    );
    assert_eq!(world.ic.count("GET /federation/credentials"), 3);

    // A revoked refresh token: told to sign in again, once; later callers get the same
    // answer without another call to the OIDC service.
    world.ic.revoke_refresh_tokens();
    world.ic.expire_access_tokens();
    let refreshes_before = world.ic.count("POST /token refresh_token");
    for _ in 0..2 {
        let message = world.fails(&["credential-process", "--profile", "acme-billing"]);
        assert!(message.contains("sso_login_required"), "{message}");
        assert!(message.contains("revoked"), "{message}");
    }
    assert_eq!(
        world.ic.count("POST /token refresh_token") - refreshes_before,
        1
    );
    assert_eq!(world.status()["state"], "expired");

    // Refused in the browser: a clear reason, no token.
    let login = world.ok(&["sso", "login", "--session", "acme", "--json"]);
    let (status, page) = world.ic.approve(login["url"].as_str().unwrap(), false);
    assert_eq!(status, 200);
    assert!(page.contains("refused"), "{page}");
    let refused = world.settled();
    assert!(
        refused["problem"]
            .as_str()
            .unwrap_or("")
            .contains("access_denied"),
        "{refused}"
    );

    // An authorization code issued for another PKCE challenge (a code injected into this
    // sign-in's redirect, with its state): Identity Center refuses the daemon's verifier,
    // and the sign-in ends refused, with no token.
    let login = world.ok(&["sso", "login", "--session", "acme", "--json"]);
    let url = login["url"].as_str().unwrap();
    let challenge: String = form_urlencoded::parse(url.split_once('?').unwrap().1.as_bytes())
        .find(|(k, _)| k == "code_challenge")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let forged = url.replace(
        &format!("code_challenge={challenge}"),
        "code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
    assert_ne!(forged, url);
    // The page the browser lands on says so (the code is redeemed before it answers).
    let (_, page) = world.ic.approve(&forged, true);
    assert!(page.contains("Not signed in"), "{page}");
    assert!(page.contains("PKCE verifier does not match"), "{page}");
    let mismatched = world.settled();
    assert_ne!(mismatched["state"], "signed_in", "{mismatched}");
    assert!(
        mismatched["problem"]
            .as_str()
            .unwrap_or("")
            .contains("PKCE verifier does not match"),
        "{mismatched}"
    );

    // Nobody approves (the tab was closed): the daemon stops waiting and says so.
    world.ok(&["sso", "login", "--session", "acme", "--json"]);
    std::thread::sleep(Duration::from_secs(7));
    let abandoned = world.status();
    assert_ne!(abandoned["state"], "pending", "{abandoned}");
    assert!(
        abandoned["problem"]
            .as_str()
            .unwrap_or("")
            .contains("tab closed"),
        "{abandoned}"
    );

    // Sign in again; a portal that keeps throttling leaves the other lists shown, with a
    // notice, and nobody gets an error.
    world.sign_in();
    world.ic.throttle_portal(1000);
    let roles = world.ok(&["roles", "--json"]);
    let notices = roles["notices"].to_string();
    assert!(notices.contains("throttl"), "{notices}");
    world.ic.throttle_portal(0);

    // A role Identity Center no longer grants: a clear error naming it.
    world.ic.revoke_account(MAIN);
    let message = world.fails(&["credential-process", "--profile", "acme-billing"]);
    assert!(message.contains("access_denied"), "{message}");
    assert!(message.contains("Billing"), "{message}");

    // The device-code flow (no browser can reach the loopback port): a code to approve.
    let device = world.ok(&["sso", "login", "--session", "acme", "--device", "--json"]);
    let code = device["user_code"].as_str().unwrap().to_owned();
    assert!(device["url"].as_str().unwrap().contains(&code), "{device}");
    world.ic.approve_device(&code);
    assert_eq!(world.settled()["state"], "signed_in");
    assert_eq!(
        world.ic.count("POST /client/register"),
        2,
        "one registration per flow"
    );

    // Sign out: revoked at Identity Center, forgotten in the keyring.
    assert!(world.sandbox.secret_tool_search().contains("sso:acme"));
    let out = world.ok(&["sso", "logout", "--json"]);
    assert_eq!(out["ended"], json!(["acme"]));
    assert_eq!(world.ic.count("POST /logout"), 1);
    assert_eq!(world.status()["state"], "signed_out");
    assert!(
        !world.sandbox.secret_tool_search().contains("sso:acme"),
        "the keyring holds nothing of the session"
    );

    // No token, refresh token or client secret in any file the daemon wrote or in its log,
    // and none in a reply.
    let issued = world.ic.secrets();
    assert!(!issued.is_empty());
    let mut files = vec![world.sandbox.home().to_path_buf()];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            if path.ends_with("keyrings") {
                continue; // the Secret Service's own (encrypted) store
            }
            for entry in std::fs::read_dir(&path).unwrap().flatten() {
                files.push(entry.path());
            }
        } else if let Ok(bytes) = std::fs::read(&path) {
            let content = String::from_utf8_lossy(&bytes);
            for secret in &issued {
                assert!(
                    !content.contains(secret.as_str()),
                    "{} holds a secret Identity Center issued",
                    path.display()
                );
            }
        }
    }
}
