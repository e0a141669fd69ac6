//! The `switchyard` command line: its arguments (clap), and the commands that are not a
//! family of their own (`daemon`, `status`, `ping`, `whoami`, `accounts`, `login`, `mfa`,
//! `install`, `uninstall`, `config`). Each family has its file here: [`aws`],
//! [`credentials`], [`doctor`], [`logs`], [`policy`], [`provision`], [`roles`], [`users`].

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[macro_use]
pub mod output;
pub mod aws;
pub mod config;
pub mod credentials;
pub mod doctor;
pub mod exec;
pub mod logs;
pub mod policy;
pub mod prompt;
pub mod provision;
pub mod roles;
pub mod sso;
pub mod users;

use anyhow::{anyhow, Context};
use clap::{CommandFactory, Parser, Subcommand};
use switchyard_daemon::aws::env::AwsEnv;
use switchyard_daemon::system::install::{self, Browser, Os};
use switchyard_daemon::system::paths::Paths;
use switchyard_daemon::transport::client::{Autostart, Client};
use switchyard_daemon::transport::dispatch::DaemonState;
use switchyard_daemon::transport::server;
use switchyard_shared::connection::uptime;
use switchyard_shared::protocol::{AwsTarget, PongData, Reply, Request, RequestId, StatusData};

#[derive(Parser)]
#[command(
    name = "switchyard",
    version,
    about = "Switch, see and provision AWS accounts from the browser"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the daemon in the foreground (the native host and the CLI start it on demand),
    /// or `stop` / `restart` the running one.
    Daemon {
        #[command(subcommand)]
        action: Option<DaemonAction>,
    },
    /// Show the daemon's status (starting it if needed).
    Status {
        /// Print the protocol reply as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check that the daemon answers.
    Ping,
    /// Who a profile's credentials are (account, user ARN, alias, MFA), asked of AWS.
    Whoami {
        #[arg(long)]
        profile: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The organization's accounts (from the daemon's cache; refreshed when stale), with
    /// the names and colors the team set (`accounts set`).
    Accounts {
        #[arg(long)]
        profile: Option<String>,
        /// Ask AWS now instead of answering from the cache.
        #[arg(long)]
        refresh: bool,
        #[arg(long)]
        json: bool,
        /// Only the accounts whose id, name (the team's or the organization's) or e-mail
        /// contains this (any case).
        filter: Option<String>,
        #[command(subcommand)]
        command: Option<aws::AccountsCommand>,
    },
    /// The accounts and roles you may switch to, from your IAM policies and your lists.
    Roles(roles::Args),
    /// Sign in to the console as a role: a one-time login URL (federated sign-in: the
    /// daemon assumes the role and trades its credentials for a sign-in token), printed or,
    /// with --open, opened in the browser. Use it within 15 minutes.
    Login {
        /// The role's ARN (arn:aws:iam::ACCOUNT:role/NAME), or an account's name, id or
        /// display name (exactly, else a part of it, else its letters in order).
        target: String,
        /// With a name: the role in that account, when it has several.
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        profile: Option<String>,
        /// Land on this console page (an https URL on the console's host).
        #[arg(long, conflicts_with = "service")]
        destination: Option<String>,
        /// Land on this service's console page (ec2, s3, iam, …).
        #[arg(long)]
        service: Option<String>,
        /// The console session's length in seconds (900 to 43200; default 3600).
        #[arg(long)]
        duration: Option<u32>,
        /// Open the URL in the browser ($BROWSER, else the desktop's) instead of printing it.
        #[arg(long)]
        open: bool,
        #[arg(long)]
        json: bool,
    },
    /// Start an MFA session: the daemon trades a code for temporary credentials it keeps
    /// in memory until they expire.
    Mfa {
        #[arg(long)]
        profile: Option<String>,
        /// The 6-digit code (prompted for, or read from stdin, when absent).
        #[arg(long)]
        code: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// IAM users in this account or, with --account, in a member account: list, create
    /// (console password and/or access key, groups, policies, tags), remove.
    #[command(subcommand)]
    Users(users::Command),
    /// Provision client accounts (`account create`): runs as a journaled job.
    #[command(subcommand)]
    Account(provision::AccountCommand),
    /// Provisioning jobs: list them, `show ID`, `watch ID`, `resume ID`, `cancel ID`.
    Jobs(provision::JobsArgs),
    /// Register the native-messaging host with browsers (Linux and macOS; Windows is not a
    /// build target), and with --service run the daemon as a service. Prints each file
    /// written and records them, so `uninstall` removes exactly those.
    Install {
        #[command(flatten)]
        target: Target,
        /// The host binary to register (default: switchyard-host beside this binary).
        #[arg(long)]
        host_path: Option<PathBuf>,
    },
    /// Remove what `install` wrote (by its record): everything, or only the --browser(s)
    /// or --service named.
    Uninstall {
        #[command(flatten)]
        target: Target,
    },
    /// AWS credentials kept in the operating system's keyring.
    #[command(subcommand)]
    Credentials(credentials::Command),
    /// IAM Identity Center: sign in once (tokens in the keyring, refreshed for every
    /// caller), see who is signed in, sign out.
    #[command(subcommand)]
    Sso(sso::Command),
    /// Check IAM policy documents by hand (no AWS call): what they decide for a request.
    #[command(subcommand)]
    Policy(policy::Command),
    /// Show the end of the daemon's log.
    Logs(logs::Args),
    /// Check each link from the browser to AWS and say how to fix what is broken (the
    /// output holds no secret: paste it into a bug report).
    Doctor(doctor::Args),
    /// The config file: show it, or print the `~/.aws/config` lines that give a profile's
    /// credentials to the AWS CLI and SDKs (`aws-profile`).
    Config {
        #[command(subcommand)]
        command: Option<ConfigCommand>,
        /// Print the settings as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print temporary credentials as the JSON of AWS's `credential_process` (for
    /// ~/.aws/config: see `switchyard config aws-profile`). The key stays in the daemon:
    /// this prints a session (GetSessionToken, the MFA session or an assumed role).
    CredentialProcess(exec::CredentialProcessArgs),
    /// MFA sessions and the temporary credentials the daemon holds.
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// End a profile's MFA session and forget the credentials handed out for it (aws-vault's
    /// `clear`); the next command asks for a new code.
    Clear(EndArgs),
    /// Print the shell completion script (bash, zsh, fish, elvish, powershell), e.g.
    /// `switchyard completions bash > ~/.local/share/bash-completion/completions/switchyard`.
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff), e.g. `switchyard man > ~/.local/share/man/man1/switchyard.1`.
    Man,
    /// Run a command with a profile's temporary credentials in its environment
    /// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, …);
    /// exits with the command's exit code.
    Exec(exec::ExecArgs),
}

#[derive(Subcommand)]
enum DaemonAction {
    /// Run the daemon in the foreground (the default).
    Run,
    /// Stop the running daemon (its MFA sessions and cached credentials end with it).
    Stop,
    /// Stop the running daemon and start a new one.
    Restart,
}

#[derive(Subcommand)]
enum SessionsCommand {
    /// End a profile's MFA session and forget the credentials handed out for it; those
    /// already handed out stay valid at AWS until they expire.
    End(EndArgs),
}

#[derive(clap::Args)]
struct EndArgs {
    /// The profile (default: $SWITCHYARD_PROFILE, the configured default, or the only one).
    #[arg(long, conflicts_with = "all")]
    profile: Option<String>,
    /// Every profile's.
    #[arg(long)]
    all: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Show the config file and its settings (no secrets are in it).
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Print a setting: `default_profile`, or `profiles.NAME.FIELD` (region, partition,
    /// mfa_serial, endpoint_url, accounts_cache_ttl_secs, signin_endpoint,
    /// email_template).
    Get { key: String },
    /// Change a setting (checked first: a Region that exists, an MFA device's ARN, an
    /// endpoint URL, …); the file's comments stay. A profile's setting makes the profile.
    Set { key: String, value: String },
    /// Remove a setting (back to its default); also removes a misspelled key.
    Unset { key: String },
    /// Print the `~/.aws/config` section for a profile (this file is never edited).
    AwsProfile(exec::AwsProfileArgs),
}

#[derive(clap::Args)]
struct Target {
    /// Browser(s) to (un)register with; default: every browser found (profile folders
    /// for a user, installed browsers with --system).
    #[arg(long, value_enum)]
    browser: Vec<Browser>,
    /// A Chromium-family profile folder (`--user-data-dir` of that browser) instead of the
    /// default one.
    #[arg(long)]
    user_data_dir: Option<PathBuf>,
    /// The daemon as a service: a systemd user unit (Linux) or a launchd agent (macOS),
    /// enabled at once when the service manager answers, else the command is printed.
    #[arg(long)]
    service: bool,
    /// System-wide, for every user (/etc/..., /usr/lib/mozilla/..., /Library/...): needs root.
    #[arg(long)]
    system: bool,
    /// With --system: write under DIR as if it were / (staging for packagers, and tests);
    /// needs no root and runs no service manager.
    #[arg(long, value_name = "DIR", requires = "system")]
    root: Option<PathBuf>,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // The keyring store is the config's choice, the same for the CLI and the daemon.
    let config_path = switchyard_daemon::system::config::path();
    let backend = switchyard_daemon::system::config::load(&config_path)
        .map(|config| config.keyring)
        .unwrap_or_default();
    let scope = config_path
        .parent()
        .map(|dir| dir.display().to_string())
        .unwrap_or_default();
    switchyard_daemon::system::keyring::use_backend(backend, &scope);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of our stdout went away (`| head`): what it wanted, it has.
        Err(e) if output::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<output::ExitWith>().is_some() => {
            ExitCode::from(e.downcast_ref::<output::ExitWith>().map_or(1, |x| x.0))
        }
        Err(e) => {
            eprintln!("switchyard: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Daemon { action } => match action {
            None | Some(DaemonAction::Run) => run_daemon(),
            Some(DaemonAction::Stop) => {
                match stop_daemon()? {
                    Some(pid) => outln!("stopped the daemon (pid {pid})"),
                    None => outln!("the daemon is not running"),
                }
                Ok(())
            }
            Some(DaemonAction::Restart) => {
                stop_daemon()?;
                let status: StatusData = ask(Request::Status)?.into_result()?;
                outln!("daemon running, pid {}", status.pid);
                Ok(())
            }
        },
        Command::Status { json } => {
            let reply = ask(Request::Status)?;
            if json {
                outln!("{}", String::from_utf8_lossy(&reply.to_bytes()));
                return Ok(());
            }
            let status: StatusData = reply.into_result()?;
            outln!(
                "switchyard {} (protocol v{})",
                status.daemon_version,
                status.protocol_version
            );
            outln!(
                "daemon:      running, pid {}, up {}",
                status.pid,
                uptime(status.uptime_secs)
            );
            let aws = match &status.aws {
                AwsTarget::Aws => "AWS".to_owned(),
                AwsTarget::LocalStandIn { endpoint } => format!("a local stand-in at {endpoint}"),
                AwsTarget::CustomEndpoint { endpoint } => format!("the endpoint {endpoint}"),
            };
            outln!("aws:         {aws}");
            outln!(
                "credentials: {}",
                match status.credentials.source {
                    Some(source) => format!("configured ({source})"),
                    None => "not configured".to_owned(),
                }
            );
            Ok(())
        }
        Command::Whoami { profile, json } => aws::whoami(profile, json),
        Command::Accounts {
            command: Some(aws::AccountsCommand::Set(args)),
            ..
        } => aws::set_look(args),
        Command::Accounts {
            profile,
            refresh,
            json,
            filter,
            command: None,
        } => aws::accounts(profile, refresh, json, filter),
        Command::Roles(args) => roles::run(args),
        Command::Account(command) => provision::account(command),
        Command::Jobs(args) => provision::jobs(args),
        Command::Users(command) => users::run(command),
        Command::Login {
            target,
            role,
            profile,
            destination,
            service,
            duration,
            open,
            json,
        } => aws::login(aws::Login {
            target,
            role,
            profile,
            destination,
            service,
            duration,
            open,
            json,
        }),
        Command::Mfa {
            profile,
            code,
            json,
        } => aws::mfa(profile, code, json),
        Command::Ping => {
            let started = std::time::Instant::now();
            let _: PongData = ask(Request::Ping)?.into_result()?;
            outln!("pong in {:.1} ms", started.elapsed().as_secs_f64() * 1000.0);
            Ok(())
        }
        Command::Install { target, host_path } => {
            let host_path = match host_path {
                Some(path) => path,
                // Beside the real binary, also when `switchyard` is run through a link.
                None => std::fs::canonicalize(
                    std::env::current_exe().context("cannot find this binary")?,
                )?
                .with_file_name("switchyard-host"),
            };
            let host_path = std::fs::canonicalize(&host_path).with_context(|| {
                format!("the host binary {} does not exist", host_path.display())
            })?;
            let installer = installer(&target)?;
            let browsers = if target.user_data_dir.is_some() && target.browser.is_empty() {
                vec![Browser::Chromium]
            } else {
                installer.choose(&target.browser, target.service)?
            };
            let service = match target.service {
                true => Some(std::fs::canonicalize(
                    std::env::current_exe().context("cannot find this binary")?,
                )?),
                false => None,
            };
            if target.system {
                // The host starts the `switchyard` beside it: that one runs for every user
                // too.
                let beside = std::fs::canonicalize(host_path.with_file_name("switchyard")).ok();
                let mut binaries = vec![host_path.as_path()];
                binaries.extend(service.as_deref());
                binaries.extend(beside.as_deref());
                install::check_binaries_for_system(&binaries, rustix::process::geteuid().as_raw())?;
            }
            let plan = install::Plan {
                browsers,
                user_data_dir: target.user_data_dir.clone(),
                host_path,
                service,
            };
            for path in installer.install(&plan)? {
                outln!("wrote {}", path.display());
            }
            outln!("recorded in {}", installer.record_path().display());
            if target.service {
                let commands = install::enable_commands(
                    installer.os,
                    target.system,
                    &installer.service_path(),
                    rustix::process::getuid().as_raw(),
                );
                run_service_manager(&commands, target.root.is_some(), "enable the service")?;
            }
            Ok(())
        }
        Command::Credentials(command) => credentials::run(command),
        Command::Policy(command) => policy::run(command),
        Command::Config { command, json } => match command {
            None => config::show(json),
            Some(ConfigCommand::Show { json: show_json }) => config::show(json || show_json),
            Some(ConfigCommand::Get { key }) => config::get(&key),
            Some(ConfigCommand::Set { key, value }) => config::set(&key, Some(&value)),
            Some(ConfigCommand::Unset { key }) => config::set(&key, None),
            Some(ConfigCommand::AwsProfile(args)) => exec::aws_profile(args),
        },
        Command::CredentialProcess(args) => exec::credential_process(args),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "switchyard", &mut script);
            Ok(output::text(&String::from_utf8_lossy(&script))?)
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut page)?;
            Ok(output::text(&String::from_utf8_lossy(&page))?)
        }
        Command::Sessions(SessionsCommand::End(args)) | Command::Clear(args) => {
            aws::end_sessions(args.profile, args.all, args.json)
        }
        Command::Exec(args) => exec::exec(args),
        Command::Sso(command) => sso::run(command),
        Command::Logs(args) => logs::run(args),
        Command::Doctor(args) => doctor::run(args),
        Command::Uninstall { target } => {
            let installer = installer(&target)?;
            let service_recorded = install::Record::load(&installer.record_path())?
                .files()
                .any(|(item, _)| item == install::Item::Service);
            let everything = target.browser.is_empty() && target.user_data_dir.is_none();
            if service_recorded && (target.service || everything) {
                let commands = install::disable_commands(
                    installer.os,
                    target.system,
                    rustix::process::getuid().as_raw(),
                );
                run_service_manager(&commands, target.root.is_some(), "stop the service")?;
            }
            let removed = installer.uninstall(&install::Removal {
                browsers: target.browser.clone(),
                user_data_dir: target.user_data_dir.clone(),
                service: target.service,
            })?;
            if removed.is_empty() {
                outln!("nothing to remove");
            }
            for path in removed {
                outln!("removed {}", path.display());
            }
            Ok(())
        }
    }
}

/// Run the service manager's commands in order; when one cannot run (no systemd user
/// manager, no launchctl, a staging root) print what the user should run instead.
fn run_service_manager(commands: &[Vec<String>], staged: bool, what: &str) -> anyhow::Result<()> {
    let show = |c: &[String]| c.join(" ");
    for (i, command) in commands.iter().enumerate() {
        let failure = if staged {
            Some("a staging --root".to_owned())
        } else {
            match std::process::Command::new(&command[0])
                .args(&command[1..])
                .stdin(std::process::Stdio::null())
                .output()
            {
                Ok(out) if out.status.success() => None,
                Ok(out) => Some(
                    String::from_utf8_lossy(&out.stderr)
                        .lines()
                        .next()
                        .unwrap_or("it failed")
                        .to_owned(),
                ),
                Err(e) => Some(format!("cannot run {}: {e}", command[0])),
            }
        };
        match failure {
            None => outln!("ran {}", show(command)),
            Some(why) => {
                outln!("could not {what} ({why}); run:");
                for rest in &commands[i..] {
                    outln!("  {}", show(rest));
                }
                return Ok(());
            }
        }
    }
    Ok(())
}

/// The installer for the command line's scope: this user's folders, or the system's.
fn installer(target: &Target) -> anyhow::Result<install::Installer> {
    let os = Os::current().ok_or(install::InstallError::UnsupportedOs)?;
    let scope = if target.system {
        let root = target.root.clone().unwrap_or_else(|| PathBuf::from("/"));
        install::check_system_allowed(rustix::process::geteuid().is_root(), &root)?;
        install::Scope::System { root }
    } else {
        let home = dirs::home_dir().ok_or_else(|| anyhow!("cannot find your home folder"))?;
        let config_home = dirs::config_dir().unwrap_or_else(|| home.join(".config"));
        let switchyard_config = switchyard_daemon::system::config::path()
            .parent()
            .map(PathBuf::from)
            .unwrap_or_else(|| config_home.join("switchyard"));
        install::Scope::User {
            home,
            config_home,
            switchyard_config,
        }
    };
    Ok(install::Installer { os, scope })
}

/// The environment variable naming the profile for every command (before `AWS_PROFILE`).
pub const PROFILE_ENV: &str = "SWITCHYARD_PROFILE";

/// The profile a command acts for when `--profile` names none: `$SWITCHYARD_PROFILE`,
/// else `$AWS_PROFILE` when it names a Switchyard profile (it often names an AWS CLI
/// profile built on one, which is not ours to refuse), else none: the daemon then takes
/// the configured default, or the only profile there is.
pub(crate) fn env_profile(explicit: Option<String>) -> Option<String> {
    if explicit.is_some() {
        return explicit;
    }
    let set = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if let Some(profile) = set(PROFILE_ENV) {
        return Some(profile);
    }
    let aws = set("AWS_PROFILE")?;
    let config =
        switchyard_daemon::system::config::load(&switchyard_daemon::system::config::path()).ok()?;
    config.profiles.contains_key(&aws).then_some(aws)
}

/// `request` with the environment's profile filled in where it takes one and names none.
pub(crate) fn with_env_profile(mut request: Request) -> Request {
    if matches!(&request, Request::SessionsEnd(p) if p.all) {
        return request;
    }
    if let Some(slot) = request.profile_mut() {
        if slot.is_none() {
            *slot = env_profile(None);
        }
    }
    request
}

/// Send one request to the daemon (starting it if needed).
pub(crate) fn ask(request: Request) -> anyhow::Result<Reply> {
    let request = with_env_profile(request);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut client = Client::new(Paths::from_env(), Autostart::beside_current_exe());
        let body = request
            .to_envelope(&RequestId::number(1))
            .to_string()
            .into_bytes();
        let bytes = client.send(body).await?;
        let reply: Reply =
            serde_json::from_slice(&bytes).context("unreadable reply from the daemon")?;
        Ok(reply)
    })
}

/// Send one request to the daemon if it runs (never starting it): for news it must hear,
/// such as a profile's key replaced. `None` when no daemon answers.
pub(crate) fn tell_running_daemon(request: Request) -> Option<Reply> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    runtime.block_on(async {
        let mut client = Client::new(Paths::from_env(), Autostart::Never);
        let body = request
            .to_envelope(&RequestId::number(1))
            .to_string()
            .into_bytes();
        let bytes = client.send(body).await.ok()?;
        serde_json::from_slice(&bytes).ok()
    })
}

/// Ask the running daemon to stop (SIGTERM: it finishes what it answers and exits) and
/// wait for it to be gone; its pid, or `None` when none runs.
fn stop_daemon() -> anyhow::Result<Option<u32>> {
    let Some(reply) = tell_running_daemon(Request::Status) else {
        return Ok(None);
    };
    let status: StatusData = reply.into_result()?;
    let pid = rustix::process::Pid::from_raw(i32::try_from(status.pid)?)
        .ok_or_else(|| anyhow!("the daemon answered with pid 0"))?;
    rustix::process::kill_process(pid, rustix::process::Signal::TERM)
        .with_context(|| format!("cannot stop the daemon (pid {})", status.pid))?;
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(10) {
        if tell_running_daemon(Request::Ping).is_none() {
            return Ok(Some(status.pid));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Err(anyhow!(
        "the daemon (pid {}) did not stop within 10 seconds",
        status.pid
    ))
}

fn run_daemon() -> anyhow::Result<()> {
    let paths = Paths::from_env();
    // A person running it on a terminal sees the log there too; a daemon started in the
    // background (stderr is the start-up file) writes it only to the rotating file.
    let on_terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    if let Err(e) = switchyard_daemon::system::logs::init(&paths, on_terminal) {
        eprintln!("switchyard daemon: {e}; logging to stderr only");
        switchyard_daemon::system::logs::init_stderr()?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let bound = match server::bind(&paths) {
            Ok(bound) => bound,
            Err(server::StartError::AlreadyRunning(lock)) => {
                eprintln!(
                    "switchyard: another switchyard daemon is already running (it holds {lock})"
                );
                std::process::exit(i32::from(server::EXIT_ALREADY_RUNNING));
            }
            Err(e) => return Err(e.into()),
        };
        let aws = AwsEnv::from_process();
        tracing::info!(
            socket = %paths.socket().display(),
            aws = ?aws.target(),
            version = switchyard_shared::APP_VERSION,
            "daemon listening"
        );
        let state = Arc::new(DaemonState::new(aws, &paths.state_dir));
        state.jobs.resume_all();
        server::serve(bound, state, server::shutdown_signal()).await?;
        tracing::info!("daemon stopped");
        Ok(())
    })
}
