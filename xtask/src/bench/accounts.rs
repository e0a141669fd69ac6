//! `accounts.list` figures: an organization of 1,000 accounts in moto, a key in a private
//! gnome-keyring, the release daemon.
//!
//! - cold: `accounts.list` with `refresh` through the host (every ListAccounts page and
//!   the tag reads), median of a few runs
//! - warm: `accounts.list` answered from the cache through the host; median and p95
//! - side by side, interleaved: `switchyard accounts --json --refresh` and
//!   `aws organizations list-accounts` (AWS CLI v1 from PyPI, paginating) against the same
//!   moto; the ratio of the medians

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::sandbox::BenchSandbox;
use anyhow::bail;

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
        for _ in 0..600 {
            let (_, reply) = host_exchange(host, envs, cached)?;
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
        let (elapsed, reply) = host_exchange(host, envs, refresh)?;
        check_count(&reply)?;
        cold.push(elapsed);
        settle()?;
    }
    let mut warm = Vec::new();
    for _ in 0..WARM_RUNS {
        let (elapsed, reply) = host_exchange(host, envs, cached)?;
        if warm.is_empty() {
            check_count(&reply)?;
        }
        warm.push(elapsed);
    }
    let reply_size = host_exchange(host, envs, cached)?.1.len();

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
