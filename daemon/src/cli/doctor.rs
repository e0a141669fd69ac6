//! `switchyard doctor [--json]`: gathers what each check of
//! [`switchyard_daemon::system::doctor`] judges (binaries, host manifests, the socket, the
//! daemon, the keyring, each profile's credentials and MFA session, the clock) and prints
//! the report. Exits non-zero when a check fails.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{bail, Context};
use switchyard_daemon::system::config;
use switchyard_daemon::system::doctor::{self, clock, install as links, Check, Level, Report};
use switchyard_daemon::system::install::{self, Browser, Os};
use switchyard_daemon::system::keyring;
use switchyard_daemon::system::paths::Paths;
use switchyard_daemon::transport::client::{Autostart, Client};
use switchyard_shared::protocol::aws::{IdentityData, ProfileParams};
use switchyard_shared::protocol::{ErrorBody, ErrorCode, Reply, Request, RequestId, StatusData};
use switchyard_shared::APP_VERSION;

#[derive(clap::Args)]
pub struct Args {
    /// Print the checks as JSON.
    #[arg(long)]
    json: bool,
    /// Browser(s) whose host manifest to check; default: every browser found for this user.
    #[arg(long, value_enum)]
    browser: Vec<Browser>,
    /// A Chromium-family profile folder (`--user-data-dir` of that browser) to check
    /// instead of the default one.
    #[arg(long)]
    user_data_dir: Option<PathBuf>,
    /// Check only this credentials profile (default: every profile in the config).
    #[arg(long)]
    profile: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let report = runtime.block_on(gather(&args))?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        crate::cli::output::text(&report.render())?;
    }
    let failed = report.count(Level::Fail);
    if failed > 0 {
        bail!("{failed} check(s) failed; each names its fix");
    }
    Ok(())
}

async fn gather(args: &Args) -> anyhow::Result<Report> {
    let mut report = Report::new();
    let exe = std::env::current_exe().context("cannot find this binary")?;
    let exe = std::fs::canonicalize(&exe).unwrap_or(exe);
    let host = exe.with_file_name(links::HOST_BIN);
    let version = {
        let host = host.clone();
        tokio::task::spawn_blocking(move || links::host_version(&host)).await?
    };
    report
        .checks
        .extend(links::binaries(&exe, version, APP_VERSION));
    report.checks.extend(manifests(args, &host));

    let paths = Paths::from_env();
    // Before the client makes (and tightens) the folder by starting the daemon; a folder
    // that did not exist yet is looked at again once the daemon has made it.
    let folder = doctor::socket_folder(&paths.runtime_dir);
    let mut client = Client::new(paths.clone(), Autostart::beside_current_exe());
    let status = ask(&mut client, Request::Status)
        .await
        .and_then(|reply| reply.into_result::<StatusData>().map_err(|e| e.message));
    let daemon_up = status.is_ok();
    report.checks.push(if folder.level == Level::Warn {
        doctor::socket_folder(&paths.runtime_dir)
    } else {
        folder
    });
    report.checks.push(doctor::daemon(
        status,
        APP_VERSION,
        &paths.daemon_stderr_log(),
    ));
    report.checks.push(if daemon_up {
        doctor::socket_file(&paths.socket())
    } else {
        Check::skip("socket", "needs the daemon")
    });

    let probe = tokio::task::spawn_blocking(|| keyring::load(doctor::PROBE_PROFILE)).await?;
    report
        .checks
        .push(doctor::keyring(keyring::backend(), probe));

    let config_path = config::path();
    let config = match config::load(&config_path) {
        Ok(config) => config,
        Err(e) => {
            report.checks.push(Check::fail(
                "config",
                e.to_string(),
                format!("correct or remove {}", config_path.display()),
            ));
            return Ok(report);
        }
    };
    let names: Vec<String> = match &args.profile {
        Some(name) => vec![name.clone()],
        None => config.profiles.keys().cloned().collect(),
    };
    if names.is_empty() {
        report.checks.push(Check::warn(
            "credentials",
            format!("no profile in {}", config_path.display()),
            "switchyard credentials add --profile NAME",
        ));
    }
    for name in &names {
        if !daemon_up {
            report.checks.push(Check::skip(
                format!("credentials [{name}]"),
                "needs the daemon",
            ));
            report
                .checks
                .push(Check::skip(format!("mfa [{name}]"), "needs the daemon"));
            continue;
        }
        let request = Request::Identity(ProfileParams {
            profile: Some(name.clone()),
        });
        let identity = match ask(&mut client, request).await {
            Ok(reply) => reply.into_result::<IdentityData>(),
            Err(why) => Err(ErrorBody::new(ErrorCode::Internal, why)),
        };
        report
            .checks
            .extend(doctor::profile(name, identity, SystemTime::now()));
    }

    let first = names.first().and_then(|n| config.profiles.get(n));
    let env_endpoint = std::env::var("AWS_ENDPOINT_URL").ok();
    let url = clock::endpoint(
        first.and_then(|p| p.endpoint_url.as_deref()),
        env_endpoint.as_deref(),
        first.map_or("us-east-1", |p| p.region.as_str()),
    );
    let remote = clock::server_time(&url).await;
    report
        .checks
        .push(doctor::clock(&url, SystemTime::now(), remote));
    Ok(report)
}

/// One request to the daemon (starting it if needed); a transport failure as a sentence.
async fn ask(client: &mut Client, request: Request) -> Result<Reply, String> {
    let body = request
        .to_envelope(&RequestId::number(1))
        .to_string()
        .into_bytes();
    let bytes = client.send(body).await.map_err(|e| e.to_string())?;
    serde_json::from_slice(&bytes).map_err(|e| format!("unreadable reply from the daemon: {e}"))
}

/// The host manifest of each browser asked for (or found).
fn manifests(args: &Args, host: &Path) -> Vec<Check> {
    let Some(os) = Os::current() else {
        return vec![Check::fail(
            "browsers",
            "this operating system has no native-messaging folders Switchyard knows",
            "use Linux or macOS",
        )];
    };
    let Some(home) = dirs::home_dir() else {
        return vec![Check::fail(
            "browsers",
            "cannot find your home folder",
            "set HOME",
        )];
    };
    let browsers = if !args.browser.is_empty() {
        args.browser.clone()
    } else if args.user_data_dir.is_some() {
        vec![Browser::Chromium]
    } else {
        install::detect(os, &home)
    };
    if browsers.is_empty() {
        return vec![Check::warn(
            "browsers",
            format!("no browser profile folder found under {}", home.display()),
            "start your browser once, or name it: switchyard doctor --browser NAME \
             (or --user-data-dir DIR)",
        )];
    }
    let mut checks = Vec::new();
    for browser in browsers {
        let name = links::browser_name(browser);
        let mut fix = format!("switchyard install --browser {name}");
        if let Some(dir) = &args.user_data_dir {
            fix.push_str(&format!(" --user-data-dir {}", dir.display()));
        }
        match install::manifest_path(browser, os, &home, args.user_data_dir.as_deref()) {
            Ok(path) => {
                let path = match args.user_data_dir {
                    Some(_) => path,
                    None => install::manifest_in_use(browser, os, &home, Path::new("/")),
                };
                checks.extend(links::manifest(browser, &path, host, &fix))
            }
            Err(e) => checks.push(Check::fail(
                format!("host manifest [{name}]"),
                e.to_string(),
                "check Firefox without --user-data-dir",
            )),
        }
    }
    checks
}
