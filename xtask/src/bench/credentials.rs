//! `credential-process` figures: what an AWS SDK pays when it runs `switchyard
//! credential-process` for every process it starts (moto, a key in a private
//! gnome-keyring, the release daemon warm).
//!
//! - warm `switchyard credential-process` (spawn, ask the daemon, answer from its cache,
//!   print the JSON, exit), interleaved with spawning `/bin/true`; median and p95 of each
//! - cold: the first call after `switchyard clear` (GetSessionToken against moto)
//! - `aws sts get-caller-identity` through `credential_process`, beside the same call with
//!   the key in the environment: what the AWS CLI's own run costs around it

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::bail;

use super::sandbox::BenchSandbox;
use super::{median_p95, ms};
use crate::setup::Tools;

const WARM_RUNS: usize = 300;
const COLD_RUNS: usize = 10;
const AWS_RUNS: usize = 5;

pub fn run(tools: &Tools, bin_dir: &Path) -> anyhow::Result<()> {
    let sandbox = BenchSandbox::start(tools, bin_dir, 0, 0)?;
    let process = || -> anyhow::Result<Duration> {
        let started = Instant::now();
        let out = sandbox
            .cli(&["credential-process"])
            .stdin(Stdio::null())
            .output()?;
        let elapsed = started.elapsed();
        if !out.status.success() || !out.stdout.starts_with(b"{") {
            bail!(
                "credential-process failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(elapsed)
    };
    // The first call starts the daemon and makes the session.
    process()?;
    for _ in 0..20 {
        process()?;
    }
    let mut warm = Vec::with_capacity(WARM_RUNS);
    let mut truths = Vec::with_capacity(WARM_RUNS);
    for _ in 0..WARM_RUNS {
        warm.push(process()?);
        let started = Instant::now();
        Command::new("/bin/true").status()?;
        truths.push(started.elapsed());
    }
    let mut cold = Vec::with_capacity(COLD_RUNS);
    for _ in 0..COLD_RUNS {
        let out = sandbox.cli(&["clear"]).stdin(Stdio::null()).output()?;
        if !out.status.success() {
            bail!("clear failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        cold.push(process()?);
    }

    let aws_cli = &tools.aws_cli;
    let home = sandbox
        .envs
        .iter()
        .find(|(name, _)| *name == "HOME")
        .map(|(_, home)| home.clone())
        .unwrap_or_else(std::env::temp_dir);
    let aws_config = home.join("aws-config");
    let snippet = sandbox
        .cli(&["config", "aws-profile", "--name", "bench"])
        .stdin(Stdio::null())
        .output()?;
    if !snippet.status.success() {
        bail!(
            "config aws-profile failed: {}",
            String::from_utf8_lossy(&snippet.stderr)
        );
    }
    std::fs::write(&aws_config, &snippet.stdout)?;
    let mut through = Vec::new();
    let mut with_key = Vec::new();
    for _ in 0..AWS_RUNS {
        let started = Instant::now();
        let out = Command::new(aws_cli)
            .args(["sts", "get-caller-identity", "--profile", "bench"])
            .envs(sandbox.envs.iter().map(|(k, v)| (k, v)))
            .env("AWS_CONFIG_FILE", &aws_config)
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            .stdin(Stdio::null())
            .output()?;
        through.push(started.elapsed());
        if !out.status.success() {
            bail!(
                "aws through credential_process failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let started = Instant::now();
        let out = sandbox
            .aws(aws_cli, &["sts", "get-caller-identity"])
            .stdin(Stdio::null())
            .output()?;
        with_key.push(started.elapsed());
        if !out.status.success() {
            bail!("aws failed: {}", String::from_utf8_lossy(&out.stderr));
        }
    }

    let (warm_median, warm_p95) = median_p95(&mut warm);
    let (true_median, true_p95) = median_p95(&mut truths);
    let (cold_median, _) = median_p95(&mut cold);
    let (through_median, _) = median_p95(&mut through);
    let (key_median, _) = median_p95(&mut with_key);
    println!("credential-process ({WARM_RUNS} warm runs interleaved with /bin/true)");
    println!(
        "credential-process, warm:                   median {:.2} ms, p95 {:.2} ms",
        ms(warm_median),
        ms(warm_p95)
    );
    println!(
        "spawn /bin/true:                            median {:.2} ms, p95 {:.2} ms",
        ms(true_median),
        ms(true_p95)
    );
    println!(
        "credential-process / true (median):         {:.1}x",
        ms(warm_median) / ms(true_median)
    );
    println!(
        "credential-process, cold (after clear):     median {:.1} ms ({COLD_RUNS} runs)",
        ms(cold_median)
    );
    println!(
        "aws sts get-caller-identity, credential_process vs key in env: median {:.0} ms vs {:.0} ms ({AWS_RUNS} runs)",
        ms(through_median),
        ms(key_median)
    );
    Ok(())
}
