//! `accounts.list` figures: an organization of 1,000 accounts in moto, a key in a private
//! gnome-keyring, the release daemon.
//!
//! - cold: `accounts.list` with `refresh` through the host (every ListAccounts page; the
//!   tags are read after the answer, in the background), median of a few runs, and how
//!   long until the tags are in the list
//! - warm: `accounts.list` answered from the cache through the host; median and p95
//! - both again once every account carries the team's tags (`switchyard:name`,
//!   `switchyard:color`, `switchyard:roles`, written with `accounts.set`): the tags must
//!   not slow the first answer
//! - side by side, interleaved: `switchyard accounts --json --refresh` and
//!   `aws organizations list-accounts` (AWS CLI v1 from PyPI, paginating) against the same
//!   moto; the ratio of the medians

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::sandbox::BenchSandbox;
use anyhow::{bail, Context};

use super::{host_exchange, median_p95, ms};
use crate::setup::{self, Tools};

const ACCOUNTS: usize = 1000;
const COLD_RUNS: usize = 5;
const WARM_RUNS: usize = 200;
const SIDE_BY_SIDE_RUNS: usize = 5;

pub fn run(tools: &Tools, bin_dir: &Path) -> anyhow::Result<()> {
    let aws_cli = setup::ensure_awscli()?;
    let sandbox = BenchSandbox::start(tools, bin_dir, ACCOUNTS - 1, 0)?;
    let (host, envs) = (&sandbox.host, &sandbox.envs);
    let cli = |args: &[&str]| sandbox.cli(args);

    let refresh = br#"{"id":1,"type":"accounts.list","refresh":true}"#;
    let cached = br#"{"id":1,"type":"accounts.list"}"#;
    // After each refresh the daemon reads the tags in the background; wait for that, so
    // no run competes with it for moto.
    let settle = || -> anyhow::Result<()> {
        for _ in 0..3000 {
            let (_, reply) = host_exchange(host, envs, cached)?;
            let reply: serde_json::Value = serde_json::from_slice(&reply)?;
            let accounts = reply["data"]["accounts"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if accounts.iter().all(|a| a.get("tags").is_some()) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        bail!("the daemon never finished reading the accounts' tags")
    };
    let cache_file = envs
        .iter()
        .find(|(k, _)| *k == "SWITCHYARD_STATE_DIR")
        .map(|(_, dir)| dir.join("accounts").join("default.json"))
        .context("no state dir")?;
    let measure = || -> anyhow::Result<Figures> {
        let mut cold = Vec::new();
        let mut tags_in = Vec::new();
        for _ in 0..COLD_RUNS {
            // No earlier list to carry tags over from: the tags are in only once read.
            match std::fs::remove_file(&cache_file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => bail!("cannot remove {}: {e}", cache_file.display()),
            }
            let started = Instant::now();
            let (elapsed, reply) = host_exchange(host, envs, refresh)?;
            check_count(&reply)?;
            cold.push(elapsed);
            settle()?;
            tags_in.push(started.elapsed());
        }
        let mut warm = Vec::new();
        for _ in 0..WARM_RUNS {
            let (elapsed, reply) = host_exchange(host, envs, cached)?;
            if warm.is_empty() {
                check_count(&reply)?;
            }
            warm.push(elapsed);
        }
        let reply_bytes = host_exchange(host, envs, cached)?.1.len();
        let (cold, _) = median_p95(&mut cold);
        let (tags_in, _) = median_p95(&mut tags_in);
        let (warm, warm_p95) = median_p95(&mut warm);
        Ok(Figures {
            cold,
            tags_in,
            warm,
            warm_p95,
            reply_bytes,
        })
    };
    let untagged = measure()?;

    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for _ in 0..SIDE_BY_SIDE_RUNS {
        let started = Instant::now();
        let out = cli(&["accounts", "--json", "--refresh"]).output()?;
        ours.push(started.elapsed());
        check_count(&out.stdout)?;
        settle()?;
        let started = Instant::now();
        let out = run_ok(&mut sandbox.aws(&aws_cli, &["organizations", "list-accounts"]))?;
        theirs.push(started.elapsed());
        let listed: serde_json::Value = serde_json::from_slice(&out)?;
        let n = listed["Accounts"].as_array().map_or(0, Vec::len);
        if n != ACCOUNTS {
            bail!("aws organizations list-accounts listed {n} accounts, not {ACCOUNTS}");
        }
    }

    // Every account gets the team's name, color and role hints, written as an admin
    // would (`accounts.set` through the host).
    let (_, reply) = host_exchange(host, envs, cached)?;
    let reply: serde_json::Value = serde_json::from_slice(&reply)?;
    let ids: Vec<String> = reply["data"]["accounts"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|a| a["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let tagging = Instant::now();
    for (i, id) in ids.iter().enumerate() {
        let request = serde_json::json!({
            "id": 1,
            "type": "accounts.set",
            "account_id": id,
            "name": format!("Client {i:04} (team)"),
            "color": format!("{:06x}", (i * 2_654_435_761) % 0x100_0000),
            "role_hints": ["Admin", "ReadOnly"],
        })
        .to_string();
        let (_, reply) = host_exchange(host, envs, request.as_bytes())?;
        let reply: serde_json::Value = serde_json::from_slice(&reply)?;
        if reply["status"] != "ok" {
            bail!("accounts.set {id} failed: {reply}");
        }
    }
    let tagging = tagging.elapsed();
    let tagged = measure()?;

    let (ours_median, _) = median_p95(&mut ours);
    let (theirs_median, _) = median_p95(&mut theirs);
    println!();
    println!(
        "accounts.list, {ACCOUNTS} accounts in moto, through the host (spawn, request, reply)"
    );
    for (label, f) in [
        ("without the team's tags", &untagged),
        ("every account with the team's 3 tags", &tagged),
    ] {
        println!("{label}:");
        println!(
            "  cold (refresh: every ListAccounts page):  median {:.0} ms over {COLD_RUNS} runs; tags in the list after {:.0} ms",
            ms(f.cold),
            ms(f.tags_in)
        );
        println!(
            "  warm (from the cache):                    median {:.2} ms, p95 {:.2} ms over {WARM_RUNS} runs; reply {:.0} KiB",
            ms(f.warm),
            ms(f.warm_p95),
            f.reply_bytes as f64 / 1024.0
        );
    }
    println!(
        "tagging {} accounts with accounts.set through the host: {:.1} s ({:.1} ms each)",
        ids.len(),
        tagging.as_secs_f64(),
        ms(tagging) / ids.len().max(1) as f64
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

/// One organization's `accounts.list` figures.
struct Figures {
    cold: Duration,
    /// From the refresh's request until every account's tags are in the cached list.
    tags_in: Duration,
    warm: Duration,
    warm_p95: Duration,
    reply_bytes: usize,
}

/// Run a command; its stdout, or why it failed.
pub fn run_ok(command: &mut Command) -> anyhow::Result<Vec<u8>> {
    let out = command.output()?;
    if !out.status.success() {
        bail!(
            "{:?} failed: {}",
            command.get_program(),
            String::from_utf8_lossy(&out.stderr)
        );
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
