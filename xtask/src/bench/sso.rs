//! IAM Identity Center figures, against the OIDC and portal stand-in
//! (`switchyard_testkit::identity_center`: moto has neither) and moto (the role
//! credentials the portal hands out are minted by moto's STS):
//!
//! - sign-in to first rows: from the approval in the browser (the stand-in's "Allow") to
//!   the first `roles.list` answer holding the granted roles, for 500 accounts × 3 roles
//!   (one ListAccounts walk and 500 ListAccountRoles calls, 8 at a time)
//! - warm `roles.list` for the same user (the portal's answer kept)
//! - an expired token under 20 concurrent `credential-process` callers: how many refresh
//!   calls reached the OIDC service

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use switchyard_testkit::identity_center::{IdentityCenter, RoleCredentials};

use super::sandbox::BenchSandbox;
use super::{median_p95, ms};
use crate::setup::Tools;

const ACCOUNTS: usize = 500;
const ROLES: [&str; 3] = ["AdministratorAccess", "ReadOnly", "Billing"];
const WARM_RUNS: usize = 20;
const CALLERS: usize = 20;
const MAIN: &str = "123456789012";

pub fn run(tools: &Tools, bin_dir: &Path) -> anyhow::Result<()> {
    let mut sandbox = BenchSandbox::start(tools, bin_dir, 0, 0)?;
    let ic = IdentityCenter::start();
    for i in 0..ACCOUNTS {
        let id = if i == 0 {
            MAIN.to_owned()
        } else {
            format!("{:012}", 200_000_000_000u64 + i as u64)
        };
        ic.grant(&id, &format!("client-{i:04}"), &ROLES);
    }
    for role in ROLES {
        ic.set_role_credentials(MAIN, role, mint(tools, &sandbox, role)?);
    }
    let home = sandbox
        .envs
        .iter()
        .find(|(name, _)| *name == "HOME")
        .map(|(_, home)| home.clone())
        .context("the sandbox has a HOME")?;
    let aws_config = home.join("aws-config");
    let mut config = String::from(
        "[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start\nsso_region = eu-west-1\n",
    );
    for role in ROLES {
        config.push_str(&format!(
            "\n[profile {role}]\nsso_session = acme\nsso_account_id = {MAIN}\nsso_role_name = {role}\n"
        ));
    }
    std::fs::write(&aws_config, config)?;
    sandbox.envs.push(("AWS_CONFIG_FILE", aws_config));
    sandbox
        .envs
        .push(("AWS_ENDPOINT_URL_SSO_OIDC", ic.endpoint.clone().into()));
    sandbox
        .envs
        .push(("AWS_ENDPOINT_URL_SSO", ic.endpoint.clone().into()));
    sandbox
        .envs
        .push(("AWS_ENDPOINT_URL_STS", sandbox.moto.endpoint.clone().into()));
    // The daemon started by `credentials add` has the old environment: start anew.
    let _ = sandbox
        .cli(&["daemon", "stop"])
        .stdin(Stdio::null())
        .output()?;

    let login = json(&sandbox, &["sso", "login", "--session", "acme", "--json"])?;
    let url = login["data"]["url"]
        .as_str()
        .context("sso login answered no page")?
        .to_owned();
    let approved = Instant::now();
    let (status, page) = ic.approve(&url, true);
    if status != 200 {
        bail!("the loopback answered {status}: {page}");
    }
    loop {
        let state = json(&sandbox, &["sso", "status", "--json"])?;
        if state["data"]["sessions"][0]["state"] == "signed_in" {
            break;
        }
        if approved.elapsed() > Duration::from_secs(30) {
            bail!("not signed in 30 s after the approval: {state}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let signed_in = approved.elapsed();
    let roles = json(&sandbox, &["roles", "--json"])?;
    let first_rows = approved.elapsed();
    let granted = roles["data"]["targets"].as_array().map_or(0, |t| {
        t.iter()
            .filter(|t| t["sources"][0] == "identity_center")
            .count()
    });
    if granted != ACCOUNTS * ROLES.len() {
        bail!(
            "roles.list has {granted} Identity Center targets, not {}",
            ACCOUNTS * ROLES.len()
        );
    }
    let mut warm = Vec::with_capacity(WARM_RUNS);
    for _ in 0..WARM_RUNS {
        let started = Instant::now();
        json(&sandbox, &["roles", "--json"])?;
        warm.push(started.elapsed());
    }

    ic.expire_access_tokens();
    let before = ic.count("POST /token refresh_token");
    let started = Instant::now();
    let callers: Vec<_> = (0..CALLERS)
        .map(|_| {
            sandbox
                .cli(&["credential-process", "--profile", "ReadOnly"])
                .stdin(Stdio::null())
                .spawn()
        })
        .collect::<Result<_, _>>()?;
    for caller in callers {
        let out = caller.wait_with_output()?;
        if !out.status.success() {
            bail!(
                "credential-process failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let refresh_wall = started.elapsed();
    let refreshes = ic.count("POST /token refresh_token") - before;

    let (warm_median, warm_p95) = median_p95(&mut warm);
    println!(
        "IAM Identity Center ({ACCOUNTS} accounts x {} roles, stand-in portal)",
        ROLES.len()
    );
    println!(
        "sign-in: approval to signed in:             {:.0} ms",
        ms(signed_in)
    );
    println!(
        "sign-in: approval to first roles.list rows: {:.0} ms",
        ms(first_rows)
    );
    println!(
        "roles.list, warm ({WARM_RUNS} runs, CLI):          median {:.1} ms, p95 {:.1} ms",
        ms(warm_median),
        ms(warm_p95)
    );
    println!(
        "expired token, {CALLERS} concurrent credential-process: {refreshes} refresh call(s) to the OIDC service, all answered in {:.0} ms",
        ms(refresh_wall)
    );
    Ok(())
}

fn json(sandbox: &BenchSandbox, args: &[&str]) -> anyhow::Result<serde_json::Value> {
    let out = sandbox.cli(args).stdin(Stdio::null()).output()?;
    serde_json::from_slice(&out.stdout).with_context(|| {
        format!(
            "switchyard {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Credentials of a role in moto, as the portal would hand them out.
fn mint(tools: &Tools, sandbox: &BenchSandbox, role: &str) -> anyhow::Result<RoleCredentials> {
    let name = format!("AWSReservedSSO_{role}_0123456789abcdef");
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
    let _ = sandbox
        .aws(
            &tools.aws_cli,
            &[
                "iam",
                "create-role",
                "--role-name",
                &name,
                "--assume-role-policy-document",
                trust,
            ],
        )
        .stdin(Stdio::null())
        .output()?;
    let out = sandbox
        .aws(
            &tools.aws_cli,
            &[
                "sts",
                "assume-role",
                "--role-arn",
                &format!("arn:aws:iam::{MAIN}:role/{name}"),
                "--role-session-name",
                "bench",
            ],
        )
        .stdin(Stdio::null())
        .output()?;
    if !out.status.success() {
        bail!(
            "assume-role failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let c = &answer["Credentials"];
    let text = |key: &str| c[key].as_str().unwrap_or_default().to_owned();
    Ok(RoleCredentials {
        access_key_id: text("AccessKeyId"),
        secret_access_key: text("SecretAccessKey"),
        session_token: text("SessionToken"),
    })
}
