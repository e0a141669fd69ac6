//! `switchyard sso login|status|logout`: IAM Identity Center sign-ins held by the daemon.
//!
//! `login` asks the daemon to start (or join) the sign-in, opens the page it answers in
//! the user's browser (`$BROWSER`, else the desktop's; `--no-browser` only prints it),
//! and waits, asking `sso.status`, until the sign-in is done, refused or timed out.

use std::time::{Duration, Instant};

use anyhow::anyhow;
use clap::Subcommand;
use switchyard_shared::connection::uptime;
use switchyard_shared::protocol::sso::{
    SsoLoginData, SsoLoginParams, SsoLogoutData, SsoSessionParams, SsoState, SsoStatusData,
};
use switchyard_shared::protocol::Request;

use super::ask;
use super::aws::print_json;
use super::output;

#[derive(Subcommand)]
pub enum Command {
    /// Sign in (the authorization-code flow with PKCE, approved in your browser; --device
    /// for a code to enter on any device). Tokens stay in the OS keyring; the daemon
    /// refreshes them for every caller until the refresh token ends.
    Login {
        /// An `[sso-session NAME]` of ~/.aws/config, or a session signed in before.
        #[arg(long)]
        session: Option<String>,
        /// A profile of ~/.aws/config with `sso_session` or `sso_start_url`.
        #[arg(long, conflicts_with = "session")]
        profile: Option<String>,
        /// The portal's start URL (https://my-org.awsapps.com/start), with --region.
        #[arg(long, conflicts_with = "profile", requires = "region")]
        start_url: Option<String>,
        /// The Region of the Identity Center instance.
        #[arg(long, requires = "start_url")]
        region: Option<String>,
        /// The device-code flow: a code to approve where a browser can reach the page.
        #[arg(long)]
        device: bool,
        /// Print the page instead of opening a browser.
        #[arg(long)]
        no_browser: bool,
        /// Print the reply (the page to open) as JSON and do not wait.
        #[arg(long)]
        json: bool,
    },
    /// Who is signed in, until when.
    Status {
        #[arg(long)]
        session: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Revoke the session's tokens at Identity Center and forget them.
    Logout {
        #[arg(long, conflicts_with = "all")]
        session: Option<String>,
        /// Every session.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Login {
            session,
            profile,
            start_url,
            region,
            device,
            no_browser,
            json,
        } => {
            let params = SsoLoginParams {
                session,
                profile,
                start_url,
                region,
                device,
            };
            login(params, no_browser, json)
        }
        Command::Status { session, json } => {
            let reply = ask(Request::SsoStatus(SsoSessionParams {
                session,
                all: false,
            }))?;
            if json {
                return print_json(reply);
            }
            print_status(&reply.into_result::<SsoStatusData>()?)
        }
        Command::Logout { session, all, json } => {
            let reply = ask(Request::SsoLogout(SsoSessionParams { session, all }))?;
            if json {
                return print_json(reply);
            }
            let data: SsoLogoutData = reply.into_result()?;
            match data.ended.as_slice() {
                [] => outln!("no IAM Identity Center session was signed in"),
                ended => outln!("signed out of {}", ended.join(", ")),
            }
            for note in &data.notes {
                eprintln!("switchyard: {note}");
            }
            Ok(())
        }
    }
}

fn login(params: SsoLoginParams, no_browser: bool, json: bool) -> anyhow::Result<()> {
    let reply = ask(Request::SsoLogin(params))?;
    if json {
        return print_json(reply);
    }
    let data: SsoLoginData = reply.into_result()?;
    if !data.started {
        eprintln!(
            "A sign-in to {} is already waiting for approval; finish it in the page opened \
             for it:\n  {}",
            data.start_url, data.url
        );
    } else {
        if let Some(code) = &data.user_code {
            eprintln!(
                "Approve the sign-in to {} with the code {code}:",
                data.start_url
            );
        } else {
            eprintln!("Approve the sign-in to {} in your browser:", data.start_url);
        }
        eprintln!("  {}", data.url);
        if !no_browser {
            if let Err(e) = webbrowser::open(&data.url) {
                eprintln!("switchyard: cannot open a browser ({e}); open the page above yourself");
            }
        }
    }
    wait_for(&data)
}

/// Ask `sso.status` until the session is signed in, or the sign-in failed or ran out.
fn wait_for(data: &SsoLoginData) -> anyhow::Result<()> {
    let spinner = super::provision::spinner();
    spinner.set_message("waiting for the approval in the browser");
    let started = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let status: SsoStatusData = ask(Request::SsoStatus(SsoSessionParams {
            session: Some(data.session.clone()),
            all: false,
        }))?
        .into_result()?;
        let Some(session) = status.sessions.into_iter().next() else {
            spinner.finish_and_clear();
            return Err(anyhow!(
                "the daemon no longer knows session {}",
                data.session
            ));
        };
        match session.state {
            SsoState::Pending => {}
            SsoState::SignedIn if session.problem.is_none() || session.expires_at.is_some() => {
                spinner.finish_and_clear();
                let until = session
                    .expires_at
                    .map(|end| format!(" (token until {})", time_of(end)))
                    .unwrap_or_default();
                outln!(
                    "signed in to {} as session {}{until}",
                    session.start_url,
                    session.session
                );
                return Ok(());
            }
            _ => {
                spinner.finish_and_clear();
                return Err(anyhow!(
                    "the sign-in did not complete: {}",
                    session
                        .problem
                        .unwrap_or_else(|| "no token arrived".to_owned())
                ));
            }
        }
        // The daemon ends a sign-in at its deadline; this is only a guard.
        if started.elapsed() > Duration::from_secs(data.expires_at.saturating_sub(now()) + 30) {
            spinner.finish_and_clear();
            return Err(anyhow!("the sign-in did not complete in time"));
        }
    }
}

fn print_status(data: &SsoStatusData) -> anyhow::Result<()> {
    if data.sessions.is_empty() {
        outln!(
            "no IAM Identity Center session is known: `switchyard sso login --start-url URL \
             --region REGION`, or add an [sso-session] to ~/.aws/config"
        );
        return Ok(());
    }
    let mut table = output::table(&["session", "state", "until", "start url", "region", "from"]);
    for session in &data.sessions {
        let state = match session.state {
            SsoState::SignedIn if session.refreshable => "signed in (refreshed as needed)",
            SsoState::SignedIn => "signed in",
            SsoState::Pending => "waiting for approval",
            SsoState::SignedOut => "signed out",
            SsoState::Expired => "expired: sign in again",
        };
        table.add_row(vec![
            session.session.clone(),
            state.to_owned(),
            session.expires_at.map(time_of).unwrap_or_default(),
            session.start_url.clone(),
            session.region.clone(),
            session.defined_in.clone(),
        ]);
    }
    output::print_table(&table)?;
    for session in &data.sessions {
        if let Some(problem) = &session.problem {
            outln!("{}: {problem}", session.session);
        }
    }
    Ok(())
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `2026-12-04 21:40 UTC (in 58 min)` or `(… ago)`.
fn time_of(unix: u64) -> String {
    let at = std::time::UNIX_EPOCH + Duration::from_secs(unix);
    let when = humantime::format_rfc3339_seconds(at).to_string();
    let when = when.replace('T', " ");
    let when = when.get(..16).unwrap_or(&when).to_owned();
    let now = now();
    if unix >= now {
        format!("{when} UTC (in {})", uptime(unix - now))
    } else {
        format!("{when} UTC ({} ago)", uptime(now - unix))
    }
}
