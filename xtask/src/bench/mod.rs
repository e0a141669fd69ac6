//! `cargo xtask bench`: the figures of docs/benchmarks.md, printed (not asserted).
//!
//! - host round trip with the daemon warm: spawn `switchyard-host`, send `hello`, read
//!   the reply, exit; median and p95, beside spawning `/bin/true` in the same run
//! - size of the host binary, the daemon's idle RSS, the extension's wasm+js gzipped
//! - `accounts.list` for 1,000 accounts, cold and warm, and the CLI beside the AWS CLI
//!   ([`accounts`])
//! - policy evaluation and role discovery ([`roles`])
//! - the client-account runbook beside an AWS CLI shell script ([`provision`])
//! - warm `credential-process` beside spawning `/bin/true` ([`credentials`])
//! - IAM Identity Center: sign-in to first rows, warm `roles.list` for 500 accounts x 3
//!   roles, one refresh for 20 callers ([`sso`], against the stand-in)

//! - the popup with 10,000 imported targets: first open ever to first rows, and the
//!   filter per keystroke ([`popup`], in headless Chromium)

mod accounts;
mod credentials;
mod popup;
mod provision;
mod roles;
mod sandbox;
mod sso;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use flate2::write::GzEncoder;

use crate::build::{self, Profile};
use crate::setup;

const RUNS: usize = 300;
const ORIGIN: &str = "chrome-extension://fckpphpaflmmcocfemjogfaiblilmlih/";

/// A group of figures `--only` can pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Group {
    /// Host round trip, sizes, idle memory.
    Skeleton,
    /// `accounts.list` cold and warm, and beside the AWS CLI.
    Accounts,
    /// Policy evaluation, and role discovery beside an AWS CLI shell loop.
    Roles,
    /// The client-account runbook (`switchyard account create`) beside an AWS CLI script.
    Provision,
    /// Warm `credential-process` beside spawning `/bin/true`, and the AWS CLI through it.
    Credentials,
    /// The popup with 10,000 imported targets (headless Chromium): first open ever to
    /// first rows, and the filter per keystroke.
    Popup,
    /// IAM Identity Center against the stand-in: sign-in to first rows, warm
    /// `roles.list` for 500 accounts x 3 roles, refreshes under 20 callers.
    Sso,
}

pub fn run(only: Option<Group>) -> anyhow::Result<()> {
    let tools = setup::run()?;
    match only {
        Some(Group::Accounts) => {
            return accounts::run(&tools, &build::build_bins(Profile::Release)?)
        }
        Some(Group::Roles) => return roles::run(&tools, &build::build_bins(Profile::Release)?),
        Some(Group::Provision) => {
            return provision::run(&tools, &build::build_bins(Profile::Release)?)
        }
        Some(Group::Credentials) => {
            return credentials::run(&tools, &build::build_bins(Profile::Release)?)
        }
        Some(Group::Popup) => return popup::run(&tools, &build::build(&tools, Profile::Release)?),
        Some(Group::Sso) => return sso::run(&tools, &build::build_bins(Profile::Release)?),
        _ => {}
    }
    let built = build::build(&tools, Profile::Release)?;
    let host = built.bin_dir.join("switchyard-host");
    let daemon = built.bin_dir.join("switchyard");
    let sandbox = std::env::temp_dir().join(format!("sy-bench-{}", std::process::id()));
    let envs = [
        ("SWITCHYARD_RUNTIME_DIR", sandbox.join("run")),
        ("SWITCHYARD_STATE_DIR", sandbox.join("state")),
        ("SWITCHYARD_DAEMON_BIN", daemon.clone()),
    ];
    let hello = br#"{"id":1,"type":"hello","protocol_version":1}"#;
    let round_trip = || host_exchange(&host, &envs, hello).map(|(elapsed, _)| elapsed);
    // The first call starts the daemon; warm up afterwards.
    round_trip()?;
    for _ in 0..20 {
        round_trip()?;
    }
    let mut host_times = Vec::with_capacity(RUNS);
    let mut true_times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        host_times.push(round_trip()?);
        let started = Instant::now();
        Command::new("/bin/true").status()?;
        true_times.push(started.elapsed());
    }
    let (host_median, host_p95) = median_p95(&mut host_times);
    let (true_median, true_p95) = median_p95(&mut true_times);

    let pid = status_pid(&daemon, &envs)?;
    std::thread::sleep(Duration::from_millis(500));
    let rss_kib = rss_kib(pid)?;
    let _ = Command::new("kill").arg(pid.to_string()).status();

    let host_size = std::fs::metadata(&host)?.len();
    let (ext_raw, ext_gz) = gzipped_size(&built.extension_dir)?;

    println!("switchyard walking-skeleton figures ({RUNS} runs each, interleaved)");
    println!(
        "host round trip (spawn, hello, reply, exit): median {:.2} ms, p95 {:.2} ms",
        ms(host_median),
        ms(host_p95)
    );
    println!(
        "spawn /bin/true:                            median {:.2} ms, p95 {:.2} ms",
        ms(true_median),
        ms(true_p95)
    );
    println!(
        "host / true (median):                       {:.1}x",
        ms(host_median) / ms(true_median)
    );
    println!(
        "host binary size:                           {:.0} KiB",
        host_size as f64 / 1024.0
    );
    println!(
        "daemon idle RSS:                            {:.1} MiB",
        rss_kib as f64 / 1024.0
    );
    println!(
        "extension wasm+js:                          {:.1} KiB raw, {:.1} KiB gzipped",
        ext_raw as f64 / 1024.0,
        ext_gz as f64 / 1024.0
    );
    let _ = std::fs::remove_dir_all(&sandbox);
    if only == Some(Group::Skeleton) {
        return Ok(());
    }
    accounts::run(&tools, &built.bin_dir)?;
    roles::run(&tools, &built.bin_dir)?;
    provision::run(&tools, &built.bin_dir)?;
    credentials::run(&tools, &built.bin_dir)?;
    sso::run(&tools, &built.bin_dir)?;
    popup::run(&tools, &built)
}

/// Spawn the host as the browser does, send one request, read the reply, wait for exit.
/// Fails unless the reply is `ok`.
fn host_exchange(
    host: &Path,
    envs: &[(&str, std::path::PathBuf)],
    request: &[u8],
) -> anyhow::Result<(Duration, Vec<u8>)> {
    let started = Instant::now();
    let mut child = Command::new(host)
        .arg(ORIGIN)
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().context("stdin")?;
    stdin.write_all(&(request.len() as u32).to_ne_bytes())?;
    stdin.write_all(request)?;
    drop(stdin);
    let mut out = Vec::new();
    child
        .stdout
        .take()
        .context("stdout")?
        .read_to_end(&mut out)?;
    child.wait()?;
    let elapsed = started.elapsed();
    let reply = out.get(4..).unwrap_or_default();
    if !String::from_utf8_lossy(reply).starts_with(r#"{"id":1,"status":"ok""#) {
        let shown: String = String::from_utf8_lossy(reply).chars().take(300).collect();
        bail!("host replied {shown}");
    }
    Ok((elapsed, reply.to_vec()))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median_p95(times: &mut [Duration]) -> (Duration, Duration) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.95))
}

fn status_pid(daemon: &Path, envs: &[(&str, std::path::PathBuf)]) -> anyhow::Result<u32> {
    let out = Command::new(daemon)
        .args(["status", "--json"])
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .output()?;
    let reply: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    reply["data"]["pid"]
        .as_u64()
        .map(|p| p as u32)
        .context("status reply without pid")
}

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .context("no VmRSS")
}

/// Raw and gzipped bytes of the extension's wasm and js files.
fn gzipped_size(dir: &Path) -> anyhow::Result<(u64, u64)> {
    let mut raw = 0u64;
    let mut gz = 0u64;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("wasm" | "js")
            ) {
                let bytes = std::fs::read(&path)?;
                raw += bytes.len() as u64;
                let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::best());
                enc.write_all(&bytes)?;
                gz += enc.finish()?.len() as u64;
            }
        }
    }
    Ok((raw, gz))
}
