//! `accounts.list` figures: an organization of 1,000 accounts in moto, a key in a private
//! gnome-keyring, the release daemon.
//!
//! - cold: `accounts.list` with `refresh` through the host (every ListAccounts page and
//!   the tag reads), median of a few runs
//! - warm: `accounts.list` answered from the cache through the host; median and p95
//! - side by side, interleaved: `switchyard accounts --json --refresh` and
//!   `aws organizations list-accounts` (AWS CLI v1 from PyPI, paginating) against the same
//!   moto; the ratio of the medians

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use switchyard_testkit::{Moto, SecretService};

use super::{host_exchange, median_p95, ms};
use crate::setup::{self, Tools};

const ACCOUNTS: usize = 1000;
const COLD_RUNS: usize = 5;
const WARM_RUNS: usize = 200;
const SIDE_BY_SIDE_RUNS: usize = 5;

pub fn run(tools: &Tools, bin_dir: &Path) -> anyhow::Result<()> {
    let aws_cli = setup::ensure_awscli()?;
    let moto = Moto::start_with(&tools.moto_python);
    let seeded = moto.seed_with(&tools.moto_python, ACCOUNTS - 1, false);
    let keyring = SecretService::start();
    let home = keyring.home().to_owned();
    let switchyard = bin_dir.join("switchyard");
    let host = bin_dir.join("switchyard-host");
    let envs: Vec<(&str, PathBuf)> = vec![
        ("DBUS_SESSION_BUS_ADDRESS", PathBuf::from(keyring.address())),
        ("HOME", home.clone()),
        ("SWITCHYARD_RUNTIME_DIR", home.join("run")),
        ("SWITCHYARD_STATE_DIR", home.join("state")),
        ("SWITCHYARD_CONFIG_DIR", home.join("config")),
        ("SWITCHYARD_DAEMON_BIN", switchyard.clone()),
    ];
    let cli = |args: &[&str]| {
        let mut command = Command::new(&switchyard);
        command
            .args(args)
            .envs(envs.iter().map(|(k, v)| (k, v)))
            .env_remove("AWS_ENDPOINT_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    };
    let mut add = cli(&[
        "credentials",
        "add",
        "--access-key-id",
        &seeded.access_key_id,
        "--endpoint-url",
        &moto.endpoint,
    ])
    .spawn()?;
    add.stdin
        .take()
        .context("stdin")?
        .write_all(format!("{}\n", seeded.secret_access_key).as_bytes())?;
    let added = add.wait_with_output()?;
    if !added.status.success() {
        bail!(
            "credentials add failed: {}",
            String::from_utf8_lossy(&added.stderr)
        );
    }

    let refresh = br#"{"id":1,"type":"accounts.list","refresh":true}"#;
    let cached = br#"{"id":1,"type":"accounts.list"}"#;
    // After each refresh the daemon reads the tags in the background; wait for that, so
    // no run competes with it for moto.
    let settle = || -> anyhow::Result<()> {
        for _ in 0..600 {
            let (_, reply) = host_exchange(&host, &envs, cached)?;
            let reply: serde_json::Value = serde_json::from_slice(&reply)?;
            let accounts = reply["data"]["accounts"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if accounts.iter().all(|a| a.get("tags").is_some()) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("the daemon never finished reading the accounts' tags")
    };
    let mut cold = Vec::new();
    for _ in 0..COLD_RUNS {
        let (elapsed, reply) = host_exchange(&host, &envs, refresh)?;
        check_count(&reply)?;
        cold.push(elapsed);
        settle()?;
    }
    let mut warm = Vec::new();
    for _ in 0..WARM_RUNS {
        let (elapsed, reply) = host_exchange(&host, &envs, cached)?;
        if warm.is_empty() {
            check_count(&reply)?;
        }
        warm.push(elapsed);
    }
    let reply_size = host_exchange(&host, &envs, cached)?.1.len();

    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for _ in 0..SIDE_BY_SIDE_RUNS {
        let started = Instant::now();
        let out = cli(&["accounts", "--json", "--refresh"]).output()?;
        ours.push(started.elapsed());
        check_count(&out.stdout)?;
        settle()?;
        let started = Instant::now();
        let out = aws_list_accounts(
            &aws_cli,
            &moto.endpoint,
            &seeded.access_key_id,
            &seeded.secret_access_key,
        )?;
        theirs.push(started.elapsed());
        let listed: serde_json::Value = serde_json::from_slice(&out)?;
        let n = listed["Accounts"].as_array().map_or(0, Vec::len);
        if n != ACCOUNTS {
            bail!("aws organizations list-accounts listed {n} accounts, not {ACCOUNTS}");
        }
    }
    stop_daemon(&switchyard, &envs);

    let (cold_median, _) = median_p95(&mut cold);
    let (warm_median, warm_p95) = median_p95(&mut warm);
    let (ours_median, _) = median_p95(&mut ours);
    let (theirs_median, _) = median_p95(&mut theirs);
    println!();
    println!(
        "accounts.list, {ACCOUNTS} accounts in moto, through the host (spawn, request, reply)"
    );
    println!(
        "cold (refresh: every ListAccounts page):    median {:.0} ms over {COLD_RUNS} runs",
        ms(cold_median)
    );
    println!(
        "warm (from the cache):                      median {:.2} ms, p95 {:.2} ms over {WARM_RUNS} runs; reply {:.0} KiB",
        ms(warm_median),
        ms(warm_p95),
        reply_size as f64 / 1024.0
    );
    println!("side by side, {SIDE_BY_SIDE_RUNS} interleaved runs each, same moto:");
    println!(
        "switchyard accounts --json --refresh:      median {:.0} ms",
        ms(ours_median)
    );
    println!(
        "aws organizations list-accounts (v{}): median {:.0} ms",
        setup::AWSCLI_VERSION,
        ms(theirs_median)
    );
    println!(
        "ratio switchyard / aws:                     {:.2}",
        ms(ours_median) / ms(theirs_median)
    );
    Ok(())
}

/// The AWS CLI listing every account (it follows NextToken itself).
fn aws_list_accounts(
    aws: &Path,
    endpoint: &str,
    key: &str,
    secret: &str,
) -> anyhow::Result<Vec<u8>> {
    let out = Command::new(aws)
        .args([
            "organizations",
            "list-accounts",
            "--output",
            "json",
            "--endpoint-url",
            endpoint,
        ])
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .output()?;
    if !out.status.success() {
        bail!("aws failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(out.stdout)
}

/// The reply lists every account.
fn check_count(reply: &[u8]) -> anyhow::Result<()> {
    let reply: serde_json::Value = serde_json::from_slice(reply)?;
    let n = reply["data"]["accounts"].as_array().map_or(0, Vec::len);
    if n != ACCOUNTS {
        bail!("accounts.list answered {n} accounts, not {ACCOUNTS}");
    }
    Ok(())
}

fn stop_daemon(switchyard: &Path, envs: &[(&str, PathBuf)]) {
    if let Ok(pid) = super::status_pid(switchyard, envs) {
        let _ = Command::new("kill").arg(pid.to_string()).status();
        std::thread::sleep(Duration::from_millis(200));
    }
}
