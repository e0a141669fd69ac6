//! Role discovery figures:
//!
//! - policy evaluation: 10,000 candidate ARNs against 500 statements (the
//!   `policy_bench` example of `switchyard-shared`, release)
//! - discovery for a user in 20 groups with 3 inline policies each, against moto:
//!   `switchyard roles --json` (daemon warm, accounts cached; the policies come from
//!   GetAccountAuthorizationDetails) beside the same policies gathered with the AWS CLI in
//!   a shell loop (get-user, the user's policies, every group's policy names and
//!   documents), in one run; the ratio of the medians

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::bail;

use super::accounts::run_ok;
use super::sandbox::BenchSandbox;
use super::{median_p95, ms};
use crate::cmd;
use crate::setup::{self, Tools};

const GROUPS: usize = 20;
const RUNS: usize = 5;
const SHELL_RUNS: usize = 2;

/// The AWS CLI doing the same reads as the daemon, one process per call, as a person's
/// script would.
const SHELL_LOOP: &str = r#"
set -eu
aws iam get-user --user-name alice >/dev/null
for p in $(aws iam list-user-policies --user-name alice --query 'PolicyNames[]' --output text); do
  aws iam get-user-policy --user-name alice --policy-name "$p" >/dev/null
done
aws iam list-attached-user-policies --user-name alice >/dev/null
for g in $(aws iam list-groups-for-user --user-name alice --query 'Groups[].GroupName' --output text); do
  for p in $(aws iam list-group-policies --group-name "$g" --query 'PolicyNames[]' --output text); do
    aws iam get-group-policy --group-name "$g" --policy-name "$p" >/dev/null
  done
  aws iam list-attached-group-policies --group-name "$g" >/dev/null
done
"#;

pub fn run(tools: &Tools, bin_dir: &Path) -> anyhow::Result<()> {
    let evaluation = run_ok(cmd::cargo().args([
        "run",
        "--quiet",
        "--release",
        "-p",
        "switchyard-shared",
        "--example",
        "policy_bench",
    ]))?;

    let aws_cli = setup::ensure_awscli()?;
    let sandbox = BenchSandbox::start(tools, bin_dir, 24, GROUPS)?;
    let roles = || -> anyhow::Result<Duration> {
        let started = Instant::now();
        let out = run_ok(&mut sandbox.cli(&["roles", "--json"]))?;
        let elapsed = started.elapsed();
        let reply: serde_json::Value = serde_json::from_slice(&out)?;
        let n = reply["data"]["targets"].as_array().map_or(0, Vec::len);
        if n == 0 {
            bail!("switchyard roles found no targets: {reply}");
        }
        Ok(elapsed)
    };
    roles()?; // starts the daemon and fills the accounts cache
    let mut ours = Vec::new();
    for _ in 0..RUNS {
        ours.push(roles()?);
    }
    let bin = aws_cli
        .parent()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    let mut theirs = Vec::new();
    for _ in 0..SHELL_RUNS {
        let mut command = std::process::Command::new("bash");
        command
            .args(["-c", SHELL_LOOP])
            .envs(sandbox.aws_env())
            .env(
                "PATH",
                format!("{bin}:{}", std::env::var("PATH").unwrap_or_default()),
            );
        let started = Instant::now();
        run_ok(&mut command)?;
        theirs.push(started.elapsed());
    }
    let (ours_median, ours_p95) = median_p95(&mut ours);
    let (theirs_median, _) = median_p95(&mut theirs);
    println!();
    print!("{}", String::from_utf8_lossy(&evaluation));
    println!("role discovery, alice in {GROUPS} groups x 3 inline policies, moto:");
    println!(
        "switchyard roles --json (daemon warm):     median {:.0} ms, p95 {:.0} ms over {RUNS} runs",
        ms(ours_median),
        ms(ours_p95)
    );
    println!(
        "aws CLI shell loop, same policies:         median {:.0} ms over {SHELL_RUNS} runs",
        ms(theirs_median)
    );
    println!(
        "ratio switchyard / aws loop:               {:.3}",
        ms(ours_median) / ms(theirs_median)
    );
    Ok(())
}
