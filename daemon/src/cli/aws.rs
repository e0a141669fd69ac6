//! `switchyard whoami | accounts | mfa` and `credentials rotate`: commands answered by the
//! daemon's AWS calls. When the daemon says `mfa_required`, the CLI asks for a code (a
//! prompt on a terminal, else one line of stdin), hands it to the daemon with
//! `mfa.submit`, and asks again. With no terminal and no code on stdin
//! (`credential-process` run by an SDK, `exec` from a script) it waits in the daemon
//! (`mfa.wait`, for `$SWITCHYARD_MFA_WAIT` seconds, 120 by default) for a code entered in
//! the popup, which lists what waits (`mfa.pending`), or with `switchyard mfa`.

use std::io::IsTerminal;

use anyhow::{bail, Context};
use serde::de::DeserializeOwned;
use switchyard_shared::protocol::aws::{
    AccountsData, AccountsListParams, AccountsSetData, AccountsSetParams, IdentityData,
    MfaSessionData, MfaSubmitParams, MfaWaitParams, ProfileParams, RotateData, SessionsEndData,
    SessionsEndParams, MAX_MFA_WAIT_SECS,
};
use switchyard_shared::protocol::roles::LookOrigin;
use switchyard_shared::protocol::{ErrorBody, ErrorCode, Outcome, Reply, Request};
use switchyard_shared::switch::check_login_url;
use switchyard_shared::team;

use crate::cli::output;
use crate::cli::prompt::{has_terminal, prompt, prompt_terminal, stdin_line};

/// How many codes a terminal user may try before the command gives up.
const CODE_ATTEMPTS: usize = 3;
/// How long a command with no terminal waits for a code entered elsewhere, unless
/// `$SWITCHYARD_MFA_WAIT` (seconds; 0: not at all) says otherwise.
const DEFAULT_MFA_WAIT_SECS: u64 = 120;

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
    if from == CodeFrom::Terminal && !has_terminal() {
        // Nothing to ask at: every such command waits in the daemon, side by side, for
        // one code entered elsewhere.
        wait_for_code_elsewhere(&profile)?;
        return crate::cli::ask(request);
    }
    let turn = mfa_turn(profile.as_deref())?;
    // Another process may have entered a code while this one waited.
    let reply = crate::cli::ask(request.clone())?;
    let Outcome::Error { error } = &reply.outcome else {
        return Ok(reply);
    };
    if error.code != ErrorCode::MfaRequired {
        return Ok(reply);
    }
    say(from, &error.message);
    if sign_in_with_code(&profile, None, from)?.is_none() {
        drop(turn);
        wait_for_code_elsewhere(&profile)?;
    }
    crate::cli::ask(request)
}

/// What waits, in words for the popup: `switchyard credential-process`.
fn asker() -> String {
    let command: Vec<String> = std::env::args().skip(1).take(1).collect();
    format!("switchyard {}", command.join(" "))
}

/// With no terminal and no code on stdin: wait (`$SWITCHYARD_MFA_WAIT` seconds) for the
/// profile's MFA session to be started elsewhere (the popup, `switchyard mfa`), asking
/// the daemon in bounded waits (`mfa.wait`) so the popup sees the request meanwhile.
fn wait_for_code_elsewhere(profile: &Option<String>) -> anyhow::Result<MfaSessionData> {
    let total = std::env::var("SWITCHYARD_MFA_WAIT")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(DEFAULT_MFA_WAIT_SECS);
    let named = profile
        .as_deref()
        .map(|p| format!(" --profile {p}"))
        .unwrap_or_default();
    let start_it = format!(
        "enter the code in the Switchyard popup in your browser, or start a session with \
         `switchyard mfa{named}` in a terminal"
    );
    if total == 0 {
        bail!("an MFA code is needed and there is no terminal to ask for it: {start_it}");
    }
    eprintln!(
        "an MFA code is needed and there is no terminal to ask for it: waiting up to {total} s; \
         {start_it}"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(total);
    let asker = asker();
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            bail!(
                "no MFA code was entered within {total} s: {start_it}, then run the command again"
            );
        }
        let wait = left.as_secs().clamp(1, u64::from(MAX_MFA_WAIT_SECS));
        let reply = crate::cli::ask(Request::MfaWait(MfaWaitParams {
            profile: profile.clone(),
            wait_secs: u32::try_from(wait).ok(),
            asker: Some(asker.clone()),
        }))?;
        match reply.into_result::<MfaSessionData>() {
            Ok(session) => return Ok(session),
            Err(e) if e.code == ErrorCode::MfaRequired => continue,
            Err(e) => return Err(e.into()),
        }
    }
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

/// Ask for codes until AWS accepts one (on a terminal) or once (from stdin); `None` when
/// no code could be read at all (no terminal, nothing on stdin).
fn sign_in_with_code(
    profile: &Option<String>,
    code: Option<String>,
    from: CodeFrom,
) -> anyhow::Result<Option<MfaSessionData>> {
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
            (None, CodeFrom::StdinOrTerminal) if on_terminal => prompt("MFA code: ", false)?,
            (None, CodeFrom::StdinOrTerminal) => match stdin_line()? {
                Some(code) => code,
                None => return Ok(None),
            },
            (None, CodeFrom::Terminal) => match prompt_terminal("MFA code: ")? {
                Some(code) => code,
                None => return Ok(None),
            },
        };
        let reply = crate::cli::ask(Request::MfaSubmit(MfaSubmitParams {
            profile: profile.clone(),
            code: typed,
        }))?;
        match reply.into_result::<MfaSessionData>() {
            Ok(session) => return Ok(Some(session)),
            Err(e) if e.code == ErrorCode::MfaCodeInvalid && attempt < attempts => {
                say(from, &e.message);
            }
            Err(e) => return Err(e.into()),
        }
    }
    bail!("no MFA code was accepted")
}

/// Print a reply as JSON (`--json`), failing the command when it is an error.
pub(crate) fn print_json(reply: Reply) -> anyhow::Result<()> {
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

pub fn accounts(
    profile: Option<String>,
    refresh: bool,
    json: bool,
    filter: Option<String>,
) -> anyhow::Result<()> {
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
    let needle = filter.as_deref().map(str::to_lowercase);
    let looks = team::looks(&list.accounts);
    let shown: Vec<_> = list
        .accounts
        .iter()
        .filter(|a| {
            // The team's name as well as the organization's: either finds the account.
            let (team_name, _) = team::shown_name(a, looks.get(&a.id));
            needle.as_deref().is_none_or(|n| {
                [
                    a.id.as_str(),
                    &a.name,
                    team_name,
                    a.email.as_deref().unwrap_or(""),
                ]
                .iter()
                .any(|field| field.to_lowercase().contains(n))
            })
        })
        .collect();
    if let Some(org) = &list.organization {
        eprintln!(
            "organization {} (management account {}): {}, fetched {}{}",
            org.id,
            org.management_account_id,
            output::count(list.accounts.len(), "account", "accounts"),
            when(list.fetched_at),
            if list.stale { ", refreshing" } else { "" }
        );
    }
    if shown.is_empty() {
        outln!("no account matches {:?}", filter.unwrap_or_default());
        return Ok(());
    }
    let mut table = output::table(&["id", "name", "color", "state", "email"]);
    for account in shown {
        let look = looks.get(&account.id);
        let (name, source) = team::shown_name(account, look);
        let name = match source {
            LookOrigin::Team => format!("{name} ({})", account.name),
            _ => name.to_owned(),
        };
        let color = match look.and_then(|l| l.color.as_ref()) {
            Some((rgb, LookOrigin::Console)) => format!("#{rgb} (console)"),
            Some((rgb, _)) => format!("#{rgb}"),
            None => "-".to_owned(),
        };
        for ignored in look.map(|l| l.ignored.as_slice()).unwrap_or_default() {
            eprintln!("note: account {}: {ignored} (ignored)", account.id);
        }
        table.add_row(vec![
            account.id.clone(),
            name,
            color,
            account
                .state
                .as_deref()
                .map(output::word)
                .unwrap_or_else(|| "-".into()),
            account.email.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    output::print_table(&table)?;
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
        outln!("account {}: tag {key} = {value}", done.account_id);
    }
    for key in &done.untagged {
        outln!("account {}: tag {key} removed", done.account_id);
    }
    if let Some(color) = &done.console_color {
        outln!("account {}: console color {color}", done.account_id);
    }
    for note in &done.notes {
        eprintln!("note: {note}");
    }
    outln!(
        "Everyone's list shows this after their next refresh (`switchyard accounts --refresh`)."
    );
    Ok(())
}

pub fn mfa(profile: Option<String>, code: Option<String>, json: bool) -> anyhow::Result<()> {
    let profile = crate::cli::env_profile(profile);
    let Some(session) = sign_in_with_code(&profile, code, CodeFrom::StdinOrTerminal)? else {
        bail!("expected MFA code on standard input");
    };
    if json {
        output::print_json_ok(&session)?;
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

/// `switchyard login TARGET`: the one-time login URL on stdout (nothing else, so it can
/// be piped to a browser) or, with `--open`, opened in the browser; the session's end on
/// stderr. TARGET is a role ARN, or an account's name, id or display name (exactly, else
/// a part of it, else its letters in order), as Granted's `assume -c prod`.
pub struct Login {
    pub target: String,
    pub role: Option<String>,
    pub profile: Option<String>,
    pub destination: Option<String>,
    pub service: Option<String>,
    pub duration: Option<u32>,
    pub open: bool,
    pub json: bool,
}

pub fn login(args: Login) -> anyhow::Result<()> {
    // A role Identity Center grants (or one chained from it) is reached through it: the
    // roles list says so, also for its ARN.
    let (role_arn, sso) =
        match args.target.starts_with("arn:") && !args.target.contains("/aws-reserved/") {
            true => (args.target.clone(), None),
            false => find_role(&args.target, args.role.as_deref(), &args.profile)?,
        };
    // (A malformed ARN is the daemon's to refuse, as `invalid_target`.)
    let partition = switchyard_shared::switch::SwitchTarget::from_arn(&role_arn, "", "")
        .map(|t| t.partition)
        .unwrap_or(switchyard_shared::switch::Partition::Aws);
    let destination = match (&args.destination, &args.service) {
        (Some(url), _) => Some(check_destination(url)?),
        (None, Some(service)) => Some(service_destination(service, partition)?),
        (None, None) => None,
    };
    let request = Request::SwitchFederate(switchyard_shared::protocol::switch::FederateParams {
        profile: args.profile.clone(),
        role_arn,
        destination,
        duration_secs: args.duration,
        sso,
    });
    let reply = ask_signed_in(request, args.json)?;
    let id = reply.id.clone();
    // Whatever answered on the socket, only a sign-in address of the role's partition is
    // printed or opened.
    let data = match reply.into_result::<switchyard_shared::protocol::switch::FederateData>() {
        Ok(data) => data,
        Err(error) if args.json => return print_json(Reply::error(id, error)),
        Err(error) => return Err(error.into()),
    };
    if let Err(refused) = check_login_url(&data.login_url, partition) {
        let error = ErrorBody::new(ErrorCode::DaemonNotTrusted, refused.to_string());
        if args.json {
            return print_json(Reply::error(id, error));
        }
        return Err(error.into());
    }
    if args.json {
        return print_json(Reply::ok(id, &data));
    }
    if args.open {
        webbrowser::open(&data.login_url).context("cannot open a browser")?;
        eprintln!(
            "opened the console as {} in your browser, until {}",
            data.role_arn,
            when(data.expires_at)
        );
        return Ok(());
    }
    outln!("{}", data.login_url);
    eprintln!(
        "{} until {} (the URL works once, within 15 minutes)",
        data.role_arn,
        when(data.expires_at)
    );
    Ok(())
}

/// A `--destination` the console can land on: an https URL on a console host, without a
/// port. Anything else is refused rather than replaced by the console's home.
fn check_destination(url: &str) -> anyhow::Result<String> {
    let host = url
        .strip_prefix("https://")
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
    match host {
        Some(host)
            if !host.contains(':') && switchyard_shared::switch::console_host(host).is_some() =>
        {
            Ok(url.to_owned())
        }
        _ => anyhow::bail!(
            "--destination {url:?} is not an AWS console page: give a console URL such as \
             https://console.aws.amazon.com/ec2/home?region=eu-west-1, or --service ec2"
        ),
    }
}

/// `--service ec2` → the console page of that service.
fn service_destination(
    service: &str,
    partition: switchyard_shared::switch::Partition,
) -> anyhow::Result<String> {
    let ok = (1..=40).contains(&service.len())
        && service
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ok {
        anyhow::bail!(
            "--service {service:?} is not a console service name (lowercase, as in the \
             console's URLs: ec2, s3, iam, cloudwatch, …)"
        );
    }
    Ok(format!(
        "https://{}/{service}/home",
        partition.console_host()
    ))
}

/// The role ARN a name stands for, among the roles the profile may switch to.
fn find_role(
    wanted: &str,
    role: Option<&str>,
    profile: &Option<String>,
) -> anyhow::Result<(
    String,
    Option<switchyard_shared::protocol::roles::SsoRoleRef>,
)> {
    let request = Request::RolesList(switchyard_shared::protocol::roles::RolesListParams {
        profile: profile.clone(),
        ..Default::default()
    });
    let Some(roles) =
        answer::<switchyard_shared::protocol::roles::RolesData>(request, profile, false)?
    else {
        anyhow::bail!("no answer from the daemon");
    };
    let targets: Vec<_> = roles
        .targets
        .into_iter()
        .filter(|t| role.is_none_or(|r| t.role_name.eq_ignore_ascii_case(r)))
        .collect();
    if let Some(exact) = targets.iter().find(|t| t.role_arn == wanted) {
        return Ok((exact.role_arn.clone(), exact.sso.clone()));
    }
    let found = choose_targets(wanted, &targets);
    match found.as_slice() {
        [one] => Ok((one.role_arn.clone(), one.sso.clone())),
        [] => anyhow::bail!(
            "no role to switch to matches {wanted:?}{}; `switchyard roles` lists them",
            role.map(|r| format!(" with role {r}")).unwrap_or_default()
        ),
        several => {
            let mut lines = String::new();
            for t in several.iter().take(10) {
                lines.push_str(&format!(
                    "\n  {}  {}",
                    t.account_name.as_deref().unwrap_or(&t.account_id),
                    t.role_arn
                ));
            }
            anyhow::bail!(
                "{} match {wanted:?}: name one more exactly, add --role NAME, or give the \
                 ARN:{lines}",
                output::count(several.len(), "role", "roles")
            )
        }
    }
}

/// The targets `wanted` names: exact account id, name or display name (any case), else
/// those containing it, else those with its letters in order. Only the best kind counts.
fn choose_targets<'a>(
    wanted: &str,
    targets: &'a [switchyard_shared::protocol::roles::Target],
) -> Vec<&'a switchyard_shared::protocol::roles::Target> {
    let wanted = wanted.to_lowercase();
    let fields = |t: &switchyard_shared::protocol::roles::Target| -> Vec<String> {
        [
            t.account_id.as_str(),
            t.account_name.as_deref().unwrap_or(""),
            t.also_named.as_deref().unwrap_or(""),
            t.display_name.as_str(),
        ]
        .iter()
        .map(|f| f.to_lowercase())
        .collect()
    };
    let in_order = |field: &str| {
        let mut letters = field.chars();
        wanted.chars().all(|c| letters.any(|f| f == c))
    };
    let tests: [&dyn Fn(&str) -> bool; 3] = [
        &|f: &str| f == wanted,
        &|f: &str| f.contains(&wanted),
        &in_order,
    ];
    for test in tests {
        let found: Vec<_> = targets
            .iter()
            .filter(|t| fields(t).iter().any(|f| test(f)))
            .collect();
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use switchyard_shared::protocol::roles::{Target, TargetDecision};

    #[test]
    fn times_print_as_utc() {
        assert_eq!(super::when(1_795_000_000), "2026-11-18T11:06:40Z");
    }

    fn target(account_id: &str, name: &str, role: &str) -> Target {
        Target {
            role_arn: format!("arn:aws:iam::{account_id}:role/{role}"),
            account_id: account_id.into(),
            account_name: Some(name.into()),
            also_named: None,
            role_name: role.into(),
            display_name: format!("{role} @ {name}"),
            color: "00ff00".into(),
            region: None,
            sources: Vec::new(),
            decision: TargetDecision::Allowed,
            reasons: Vec::new(),
            image: None,
            base: None,
            name_from: None,
            color_from: None,
            sso: None,
        }
    }

    #[test]
    fn a_name_finds_the_exact_account_else_a_part_else_the_letters_in_order() {
        let targets = [
            target("111111111111", "prod", "Admin"),
            target("222222222222", "prod-eu", "Admin"),
            target("333333333333", "staging", "ReadOnly"),
        ];
        let arns = |wanted: &str| -> Vec<String> {
            super::choose_targets(wanted, &targets)
                .iter()
                .map(|t| t.account_id.clone())
                .collect()
        };
        assert_eq!(arns("PROD"), ["111111111111"], "exact beats a part");
        assert_eq!(arns("eu"), ["222222222222"]);
        assert_eq!(arns("stg"), ["333333333333"], "letters in order");
        assert_eq!(arns("333333333333"), ["333333333333"]);
        assert_eq!(arns("pro").len(), 2, "two parts: the caller asks which");
        assert!(arns("dev").is_empty());
    }

    #[test]
    fn destinations_are_console_pages_or_refused() {
        use switchyard_shared::switch::Partition;
        assert!(
            super::check_destination("https://eu-west-1.console.aws.amazon.com/ec2/home").is_ok()
        );
        for bad in [
            "http://console.aws.amazon.com/ec2/home",
            "https://evil.example/ec2/home",
            "https://console.aws.amazon.com:8443/",
            "ec2",
        ] {
            assert!(super::check_destination(bad).is_err(), "{bad}");
        }
        assert_eq!(
            super::service_destination("ec2", Partition::Aws).unwrap(),
            "https://console.aws.amazon.com/ec2/home"
        );
        assert!(super::service_destination("EC2 ", Partition::Aws).is_err());
    }
}
