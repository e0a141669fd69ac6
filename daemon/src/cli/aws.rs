//! `switchyard whoami | accounts | mfa` and `credentials rotate`: commands answered by the
//! daemon's AWS calls. When the daemon says `mfa_required`, the CLI asks for a code (a
//! prompt on a terminal, else one line of stdin), hands it to the daemon with
//! `mfa.submit`, and asks again.

use std::io::IsTerminal;

use anyhow::bail;
use serde::de::DeserializeOwned;
use switchyard_shared::protocol::aws::{
    AccountsData, AccountsListParams, AccountsSetData, AccountsSetParams, IdentityData,
    MfaSessionData, MfaSubmitParams, ProfileParams, RotateData,
};
use switchyard_shared::protocol::switch::{FederateData, FederateParams};
use switchyard_shared::protocol::{ErrorBody, ErrorCode, Outcome, Reply, Request};
use switchyard_shared::switch::{check_login_url, SwitchTarget};
use switchyard_shared::team::{self, LookSource};

use crate::cli::prompt::prompt;

/// How many codes a terminal user may try before the command gives up.
const CODE_ATTEMPTS: usize = 3;

/// Send `request`; on `mfa_required`, get a code, start a session, and send it again.
/// With `--json` (scripts) a code is asked for only on a terminal; otherwise the error is
/// the answer, and the script runs `switchyard mfa --code`.
fn ask_signed_in(request: Request, profile: &Option<String>, json: bool) -> anyhow::Result<Reply> {
    let reply = crate::cli::ask(request.clone())?;
    let may_ask = !json || std::io::stdin().is_terminal();
    match &reply.outcome {
        Outcome::Error { error } if error.code == ErrorCode::MfaRequired && may_ask => {
            eprintln!("{}", error.message);
            sign_in_with_code(profile, None)?;
            crate::cli::ask(request)
        }
        _ => Ok(reply),
    }
}

/// Ask for codes until AWS accepts one (on a terminal) or once (from stdin).
fn sign_in_with_code(
    profile: &Option<String>,
    code: Option<String>,
) -> anyhow::Result<MfaSessionData> {
    let attempts = if code.is_none() && std::io::stdin().is_terminal() {
        CODE_ATTEMPTS
    } else {
        1
    };
    let mut code = code;
    for attempt in 1..=attempts {
        let typed = match code.take() {
            Some(code) => code,
            None => prompt("MFA code: ", false)?,
        };
        let reply = crate::cli::ask(Request::MfaSubmit(MfaSubmitParams {
            profile: profile.clone(),
            code: typed,
        }))?;
        match reply.into_result::<MfaSessionData>() {
            Ok(session) => return Ok(session),
            Err(e) if e.code == ErrorCode::MfaCodeInvalid && attempt < attempts => {
                eprintln!("{}", e.message);
            }
            Err(e) => return Err(e.into()),
        }
    }
    bail!("no MFA code was accepted")
}

/// Print a reply as JSON (`--json`), failing the command when it is an error.
fn print_json(reply: Reply) -> anyhow::Result<()> {
    println!("{}", String::from_utf8_lossy(&reply.to_bytes()));
    match reply.outcome {
        Outcome::Ok { .. } => Ok(()),
        Outcome::Error { error } => Err(error.into()),
    }
}

/// Ask the daemon (signing in with an MFA code when needed); with `json` the reply is
/// printed and `None` returned, else the data.
pub(crate) fn answer<T: DeserializeOwned>(
    request: Request,
    profile: &Option<String>,
    json: bool,
) -> anyhow::Result<Option<T>> {
    let reply = ask_signed_in(request, profile, json)?;
    if json {
        print_json(reply)?;
        return Ok(None);
    }
    Ok(Some(reply.into_result()?))
}

/// A Unix time as RFC 3339 UTC.
fn when(secs: u64) -> String {
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
    println!("profile:  {}", me.profile);
    println!("account:  {}{alias}", me.account_id);
    println!("arn:      {}", me.arn);
    let mfa = match (me.mfa.serial, me.mfa.session_expires_at) {
        (Some(serial), Some(until)) => format!("{serial}, session until {}", when(until)),
        (Some(serial), None) => format!("{serial}, no session"),
        (None, _) => "no MFA device".to_owned(),
    };
    println!("mfa:      {mfa}");
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
        println!(
            "# organization {} (management account {}), {} accounts, fetched {}{}",
            org.id,
            org.management_account_id,
            list.accounts.len(),
            when(list.fetched_at),
            if list.stale { ", refreshing" } else { "" }
        );
    }
    let looks = team::looks(&list.accounts);
    for account in &list.accounts {
        let look = looks.get(&account.id);
        let (name, source) = team::shown_name(account, look);
        let name = match source {
            LookSource::Team => format!("{name} ({})", account.name),
            _ => name.to_owned(),
        };
        let color = match look.and_then(|l| l.color.as_ref()) {
            Some((rgb, LookSource::Console)) => format!("#{rgb} (console)"),
            Some((rgb, _)) => format!("#{rgb}"),
            None => "-".to_owned(),
        };
        println!(
            "{:<12}  {:<10}  {:<40}  {:<17}  {}",
            account.id,
            account.state.as_deref().unwrap_or("-"),
            name,
            color,
            account.email.as_deref().unwrap_or("-"),
        );
        for ignored in look.map(|l| l.ignored.as_slice()).unwrap_or_default() {
            eprintln!("note: account {}: {ignored} (ignored)", account.id);
        }
    }
    Ok(())
}

/// `switchyard accounts set`: what the whole team sees of an account.
#[derive(clap::Subcommand)]
pub enum AccountsCommand {
    /// Set the name, color and role hints the whole team sees for an account, as its tags
    /// in the organization (`switchyard:name`, `switchyard:color`, `switchyard:roles`); an
    /// empty value removes one. Needs organizations:TagResource (and UntagResource).
    Set(SetArgs),
}

#[derive(clap::Args)]
pub struct SetArgs {
    /// The account's id (12 digits).
    account_id: String,
    #[arg(long)]
    profile: Option<String>,
    /// The display name (at most 64 characters; "" removes it).
    #[arg(long)]
    name: Option<String>,
    /// The color: RRGGBB or RGB in hex, `#` optional ("" removes it).
    #[arg(long)]
    color: Option<String>,
    /// Role names to show first, comma-separated ("" removes the hint).
    #[arg(long, value_name = "ROLE,ROLE")]
    roles: Option<String>,
    /// Also set the console's own account color (the palette color nearest to --color),
    /// through a role in the account.
    #[arg(long)]
    console_color: bool,
    /// The role to assume in the account for --console-color (default
    /// OrganizationAccountAccessRole).
    #[arg(long)]
    role: Option<String>,
    #[arg(long)]
    json: bool,
}

pub fn set_look(args: SetArgs) -> anyhow::Result<()> {
    let role_hints = args.roles.map(|roles| {
        roles
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect()
    });
    let request = Request::AccountsSet(AccountsSetParams {
        profile: args.profile.clone(),
        account_id: args.account_id,
        name: args.name,
        color: args.color,
        role_hints,
        console_color: args.console_color,
        role_name: args.role,
    });
    let Some(done) = answer::<AccountsSetData>(request, &args.profile, args.json)? else {
        return Ok(());
    };
    for (key, value) in &done.tagged {
        println!("account {}: tag {key} = {value}", done.account_id);
    }
    for key in &done.untagged {
        println!("account {}: tag {key} removed", done.account_id);
    }
    if let Some(color) = &done.console_color {
        println!("account {}: console color {color}", done.account_id);
    }
    for note in &done.notes {
        eprintln!("note: {note}");
    }
    println!(
        "Everyone's list shows this after their next refresh (`switchyard accounts --refresh`)."
    );
    Ok(())
}

pub fn mfa(profile: Option<String>, code: Option<String>, json: bool) -> anyhow::Result<()> {
    let session = sign_in_with_code(&profile, code)?;
    if json {
        println!("{}", serde_json::to_string(&session)?);
    } else {
        println!(
            "MFA session for profile {} until {}",
            session.profile,
            when(session.expires_at)
        );
    }
    Ok(())
}

pub fn rotate(profile: Option<String>) -> anyhow::Result<()> {
    let request = Request::CredentialsRotate(ProfileParams {
        profile: profile.clone(),
    });
    if let Some(done) = answer::<RotateData>(request, &profile, false)? {
        println!(
            "profile {}: {} replaced by {} (stored in the keyring, checked, old key deleted)",
            done.profile, done.old_access_key_id, done.new_access_key_id
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
    // The partition the URL must sign in to; a malformed ARN is the daemon's to refuse.
    let partition = SwitchTarget::from_arn(&role_arn, "", "")
        .map(|target| target.partition)
        .ok();
    let request = Request::SwitchFederate(FederateParams {
        profile: profile.clone(),
        role_arn,
        destination,
        duration_secs,
    });
    let reply = ask_signed_in(request, &profile, json)?;
    let id = reply.id.clone();
    // Whatever answered on the socket, only a sign-in address of the role's partition is
    // printed (it is meant to be opened in a browser).
    let data = match reply.into_result::<FederateData>() {
        Ok(data) => data,
        Err(error) if json => {
            return print_json(Reply::error(id, error));
        }
        Err(error) => return Err(error.into()),
    };
    if let Some(Err(refused)) = partition.map(|p| check_login_url(&data.login_url, p)) {
        let error = ErrorBody::new(ErrorCode::DaemonNotTrusted, refused.to_string());
        if json {
            return print_json(Reply::error(id, error));
        }
        return Err(error.into());
    }
    if json {
        return print_json(Reply::ok(id, &data));
    }
    println!("{}", data.login_url);
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
