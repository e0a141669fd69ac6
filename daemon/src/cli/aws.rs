//! `switchyard whoami | accounts | mfa` and `credentials rotate`: commands answered by the
//! daemon's AWS calls. When the daemon says `mfa_required`, the CLI asks for a code (a
//! prompt on a terminal, else one line of stdin), hands it to the daemon with
//! `mfa.submit`, and asks again.

use std::io::IsTerminal;

use anyhow::{bail, Context};
use serde::de::DeserializeOwned;
use switchyard_shared::protocol::aws::{
    AccountsData, AccountsListParams, IdentityData, MfaSessionData, MfaSubmitParams, ProfileParams,
    RotateData, SessionsEndData, SessionsEndParams,
};
use switchyard_shared::protocol::{ErrorCode, Outcome, Reply, Request};

use crate::cli::prompt::{prompt, prompt_terminal};

/// How many codes a terminal user may try before the command gives up.
const CODE_ATTEMPTS: usize = 3;

/// Where an MFA code comes from when the daemon asks for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodeFrom {
    /// A prompt on a terminal, else a line of stdin (most commands).
    StdinOrTerminal,
    /// The controlling terminal only (`credential-process`: the AWS CLI captures its
    /// stdout and stderr, and its stdin is not ours to read).
    Terminal,
}

/// Send `request`; on `mfa_required`, get a code, start a session, and send it again.
/// With `--json` (scripts) a code is asked for only on a terminal; otherwise the error is
/// the answer, and the script runs `switchyard mfa --code`.
fn ask_signed_in(request: Request, json: bool) -> anyhow::Result<Reply> {
    let may_ask = !json || std::io::stdin().is_terminal();
    match may_ask {
        true => ask_with_mfa(request, CodeFrom::StdinOrTerminal),
        false => crate::cli::ask(request),
    }
}

fn needs_mfa(reply: &Reply) -> bool {
    matches!(&reply.outcome, Outcome::Error { error } if error.code == ErrorCode::MfaRequired)
}

/// Send `request`; on `mfa_required`, ask for a code once for every switchyard process
/// of this user that needs one for the same profile (an flock in the runtime dir: the
/// first asks, the others wait and then find the session made), and send it again.
pub(crate) fn ask_with_mfa(request: Request, from: CodeFrom) -> anyhow::Result<Reply> {
    let request = crate::cli::with_env_profile(request);
    let reply = crate::cli::ask(request.clone())?;
    if !needs_mfa(&reply) {
        return Ok(reply);
    }
    let mut probe = request.clone();
    let profile = probe.profile_mut().and_then(|p| p.clone());
    let _turn = mfa_turn(profile.as_deref())?;
    // Another process may have entered a code while this one waited.
    let reply = crate::cli::ask(request.clone())?;
    let Outcome::Error { error } = &reply.outcome else {
        return Ok(reply);
    };
    if error.code != ErrorCode::MfaRequired {
        return Ok(reply);
    }
    say(from, &error.message);
    sign_in_with_code(&profile, None, from)?;
    crate::cli::ask(request)
}

/// Tell the user something on the way to a prompt (the terminal for `credential-process`).
fn say(from: CodeFrom, message: &str) {
    let shown = match from {
        CodeFrom::Terminal => std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/tty")
            .and_then(|mut tty| {
                std::io::Write::write_all(&mut tty, format!("{message}\n").as_bytes())
            })
            .is_ok(),
        CodeFrom::StdinOrTerminal => false,
    };
    if !shown {
        eprintln!("{message}");
    }
}

/// This process's turn to ask for a profile's MFA code: an exclusive flock on
/// `$RUNTIME_DIR/mfa-PROFILE.lock`, held until the value is dropped.
fn mfa_turn(profile: Option<&str>) -> anyhow::Result<std::fs::File> {
    let paths = switchyard_daemon::system::paths::Paths::from_env();
    paths.ensure_runtime_dir()?;
    let name: String = profile
        .unwrap_or("(default)")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path = paths.runtime_dir.join(format!("mfa-{name}.lock"));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
        .with_context(|| format!("cannot lock {}", path.display()))?;
    Ok(file)
}

/// Ask for codes until AWS accepts one (on a terminal) or once (from stdin).
fn sign_in_with_code(
    profile: &Option<String>,
    code: Option<String>,
    from: CodeFrom,
) -> anyhow::Result<MfaSessionData> {
    let on_terminal = match from {
        CodeFrom::Terminal => true,
        CodeFrom::StdinOrTerminal => std::io::stdin().is_terminal(),
    };
    let attempts = if code.is_none() && on_terminal {
        CODE_ATTEMPTS
    } else {
        1
    };
    let mut code = code;
    for attempt in 1..=attempts {
        let typed = match (code.take(), from) {
            (Some(code), _) => code,
            (None, CodeFrom::StdinOrTerminal) => prompt("MFA code: ", false)?,
            (None, CodeFrom::Terminal) => match prompt_terminal("MFA code: ")? {
                Some(code) => code,
                None => bail!(
                    "an MFA code is needed and there is no terminal to ask for it: start a \
                     session first with `switchyard mfa{}`",
                    profile
                        .as_deref()
                        .map(|p| format!(" --profile {p}"))
                        .unwrap_or_default()
                ),
            },
        };
        let reply = crate::cli::ask(Request::MfaSubmit(MfaSubmitParams {
            profile: profile.clone(),
            code: typed,
        }))?;
        match reply.into_result::<MfaSessionData>() {
            Ok(session) => return Ok(session),
            Err(e) if e.code == ErrorCode::MfaCodeInvalid && attempt < attempts => {
                say(from, &e.message);
            }
            Err(e) => return Err(e.into()),
        }
    }
    bail!("no MFA code was accepted")
}

/// Print a reply as JSON (`--json`), failing the command when it is an error.
fn print_json(reply: Reply) -> anyhow::Result<()> {
    outln!("{}", String::from_utf8_lossy(&reply.to_bytes()));
    match reply.outcome {
        Outcome::Ok { .. } => Ok(()),
        Outcome::Error { error } => Err(error.into()),
    }
}

/// Ask the daemon (signing in with an MFA code when needed); with `json` the reply is
/// printed and `None` returned, else the data.
pub(crate) fn answer<T: DeserializeOwned>(
    request: Request,
    _profile: &Option<String>,
    json: bool,
) -> anyhow::Result<Option<T>> {
    let reply = ask_signed_in(request, json)?;
    if json {
        print_json(reply)?;
        return Ok(None);
    }
    Ok(Some(reply.into_result()?))
}

/// A Unix time as RFC 3339 UTC.
pub(crate) fn when(secs: u64) -> String {
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
    humantime::format_rfc3339_seconds(time).to_string()
}

pub fn whoami(profile: Option<String>, json: bool) -> anyhow::Result<()> {
    let request = Request::Identity(ProfileParams {
        profile: profile.clone(),
    });
    let Some(me) = answer::<IdentityData>(request, &profile, json)? else {
        return Ok(());
    };
    let alias = me
        .account_alias
        .map(|a| format!(" ({a})"))
        .unwrap_or_default();
    outln!("profile:  {}", me.profile);
    outln!("account:  {}{alias}", me.account_id);
    outln!("arn:      {}", me.arn);
    let mfa = match (me.mfa.serial, me.mfa.session_expires_at) {
        (Some(serial), Some(until)) => format!("{serial}, session until {}", when(until)),
        (Some(serial), None) => format!("{serial}, no session"),
        (None, _) => "no MFA device".to_owned(),
    };
    outln!("mfa:      {mfa}");
    Ok(())
}

pub fn accounts(profile: Option<String>, refresh: bool, json: bool) -> anyhow::Result<()> {
    let request = Request::AccountsList(AccountsListParams {
        profile: profile.clone(),
        refresh,
    });
    let Some(list) = answer::<AccountsData>(request, &profile, json)? else {
        return Ok(());
    };
    if let Some(notice) = &list.notice {
        eprintln!("note: {notice}");
    }
    if let Some(org) = &list.organization {
        outln!(
            "# organization {} (management account {}), {} accounts, fetched {}{}",
            org.id,
            org.management_account_id,
            list.accounts.len(),
            when(list.fetched_at),
            if list.stale { ", refreshing" } else { "" }
        );
    }
    for account in &list.accounts {
        outln!(
            "{:<12}  {:<10}  {:<32}  {}",
            account.id,
            account.state.as_deref().unwrap_or("-"),
            account.name,
            account.email.as_deref().unwrap_or("-"),
        );
    }
    Ok(())
}

pub fn mfa(profile: Option<String>, code: Option<String>, json: bool) -> anyhow::Result<()> {
    let profile = crate::cli::env_profile(profile);
    let session = sign_in_with_code(&profile, code, CodeFrom::StdinOrTerminal)?;
    if json {
        outln!("{}", serde_json::to_string(&session)?);
    } else {
        outln!(
            "MFA session for profile {} until {}",
            session.profile,
            when(session.expires_at)
        );
    }
    Ok(())
}

/// `switchyard sessions end` / `switchyard clear`: the daemon forgets MFA sessions and the
/// temporary credentials it handed out.
pub fn end_sessions(profile: Option<String>, all: bool, json: bool) -> anyhow::Result<()> {
    let request = Request::SessionsEnd(SessionsEndParams { profile, all });
    let Some(data) = answer::<SessionsEndData>(request, &None, json)? else {
        return Ok(());
    };
    match data.ended.as_slice() {
        [] => outln!("no session to end"),
        ended => outln!(
            "ended the sessions of {} (credentials already handed out stay valid at AWS \
             until they expire)",
            ended.join(", ")
        ),
    }
    Ok(())
}

pub fn rotate(profile: Option<String>) -> anyhow::Result<()> {
    let request = Request::CredentialsRotate(ProfileParams {
        profile: profile.clone(),
    });
    if let Some(done) = answer::<RotateData>(request, &profile, false)? {
        outln!(
            "profile {}: {} replaced by {} (stored in the keyring, checked, old key deleted)",
            done.profile,
            done.old_access_key_id,
            done.new_access_key_id
        );
    }
    Ok(())
}

/// `switchyard login ROLE_ARN`: the one-time login URL on stdout (nothing else, so it can
/// be piped to a browser), the session's end on stderr.
pub fn login(
    role_arn: String,
    profile: Option<String>,
    destination: Option<String>,
    duration_secs: Option<u32>,
    json: bool,
) -> anyhow::Result<()> {
    let request = Request::SwitchFederate(switchyard_shared::protocol::switch::FederateParams {
        profile: profile.clone(),
        role_arn,
        destination,
        duration_secs,
    });
    let Some(data) =
        answer::<switchyard_shared::protocol::switch::FederateData>(request, &profile, json)?
    else {
        return Ok(());
    };
    outln!("{}", data.login_url);
    eprintln!(
        "{} until {} (the URL works once, within 15 minutes)",
        data.role_arn,
        when(data.expires_at)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_print_as_utc() {
        assert_eq!(super::when(1_795_000_000), "2026-11-18T11:06:40Z");
    }
}
