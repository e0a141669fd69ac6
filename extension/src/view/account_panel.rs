//! The popup's account panel, below the connection summary: who is signed in, the MFA
//! code form when the daemon needs one, and the organization's accounts.
//!
//! The panel is a small state machine: [`Panel::update`] takes what happened (an answer
//! from the daemon, a code the user entered) and returns the next [`Command`] for the
//! extension to run; [`view`] turns the state into the plain text the popup renders. The
//! extension's DOM layer only runs commands and renders, so every decision is tested
//! here, natively.

use super::sentence;
use switchyard_shared::connection::uptime;
use switchyard_shared::protocol::aws::{
    check_mfa_code, AccountsData, AccountsSource, IdentityData, MfaSessionData,
};
use switchyard_shared::protocol::roles::LookOrigin;
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::team;

/// What the panel is doing or showing.
// A popup holds one panel; boxing its largest state would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Panel {
    /// Nothing asked yet: the popup is not connected to the daemon.
    #[default]
    Idle,
    /// Waiting for `identity`.
    LoadingIdentity,
    /// The profile has an MFA device and no session: the code form.
    NeedsMfa {
        /// Why the last code was refused, shown beside the field.
        error: Option<String>,
        /// A code was sent and its answer has not come yet.
        submitting: bool,
    },
    /// `identity` failed with something other than `mfa_required`.
    Failed { error: ErrorBody },
    /// `identity` answered; the accounts are loading, loaded or failed.
    SignedIn {
        identity: IdentityData,
        accounts: Accounts,
    },
}

/// The accounts part of a signed-in panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accounts {
    Loading,
    Loaded(AccountsData),
    Failed(ErrorBody),
}

/// Something that happened to the panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The popup reached the daemon (`hello` and `status` answered).
    Connected,
    /// The answer to `identity`.
    Identity(Result<IdentityData, ErrorBody>),
    /// The answer to `accounts.list`.
    Accounts(Result<AccountsData, ErrorBody>),
    /// The user submitted the MFA form with this text.
    MfaEntered(String),
    /// The answer to `mfa.submit`.
    MfaAnswer(Result<MfaSessionData, ErrorBody>),
    /// The user pressed "Try again" after a failure (or "Check again" under the no-key
    /// note).
    Retry,
    /// The team's name or color of an account was just set (`accounts.set`): the list is
    /// read again to show it.
    AccountsChanged,
}

/// What the extension should ask the daemon next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    AskIdentity,
    AskAccounts,
    /// Send `mfa.submit` with this code (already checked to be 6 digits).
    SubmitMfa(String),
}

impl Panel {
    /// Apply `event`; answers that do not fit the current state (a late reply, a second
    /// submit while one is in flight) change nothing.
    pub fn update(&mut self, event: Event) -> Option<Command> {
        match (&mut *self, event) {
            (_, Event::Connected) => self.reload(),
            (Panel::LoadingIdentity, Event::Identity(Ok(identity))) => {
                *self = Panel::SignedIn {
                    identity,
                    accounts: Accounts::Loading,
                };
                Some(Command::AskAccounts)
            }
            (Panel::LoadingIdentity, Event::Identity(Err(error))) => {
                *self = failed(error);
                None
            }
            (
                Panel::SignedIn {
                    accounts: accounts @ Accounts::Loading,
                    ..
                },
                Event::Accounts(answer),
            ) => {
                match answer {
                    Ok(data) => *accounts = Accounts::Loaded(data),
                    // The session ended between the two questions.
                    Err(error) if error.code == ErrorCode::MfaRequired => *self = failed(error),
                    Err(error) => *accounts = Accounts::Failed(error),
                }
                None
            }
            (
                Panel::NeedsMfa {
                    error,
                    submitting: submitting @ false,
                },
                Event::MfaEntered(text),
            ) => match check_mfa_code(&text) {
                Ok(code) => {
                    *error = None;
                    *submitting = true;
                    Some(Command::SubmitMfa(code.to_owned()))
                }
                Err(why) => {
                    *error = Some(sentence(&why));
                    None
                }
            },
            (
                Panel::NeedsMfa {
                    submitting: true, ..
                },
                Event::MfaAnswer(answer),
            ) => match answer {
                Ok(_) => self.reload(),
                Err(refused) if refused.code == ErrorCode::MfaCodeInvalid => {
                    *self = Panel::NeedsMfa {
                        error: Some(sentence(&refused.message)),
                        submitting: false,
                    };
                    None
                }
                Err(error) => {
                    *self = Panel::Failed { error };
                    None
                }
            },
            (
                Panel::Failed { .. }
                | Panel::SignedIn {
                    accounts: Accounts::Failed(_),
                    ..
                },
                Event::Retry,
            ) => self.reload(),
            (Panel::SignedIn { accounts, .. }, Event::AccountsChanged)
                if !matches!(accounts, Accounts::Loading) =>
            {
                *accounts = Accounts::Loading;
                Some(Command::AskAccounts)
            }
            _ => None,
        }
    }

    /// The organization's accounts, once listed.
    pub fn accounts(&self) -> Option<&AccountsData> {
        match self {
            Panel::SignedIn {
                accounts: Accounts::Loaded(data),
                ..
            } => Some(data),
            _ => None,
        }
    }

    /// Whether a key is stored and works (who it is was answered): what writing the
    /// team's tags (`accounts.set`) needs at least.
    pub fn signed_in(&self) -> bool {
        matches!(self, Panel::SignedIn { .. })
    }

    fn reload(&mut self) -> Option<Command> {
        *self = Panel::LoadingIdentity;
        Some(Command::AskIdentity)
    }
}

/// The panel after `error`: the code form for `mfa_required`, else the error.
fn failed(error: ErrorBody) -> Panel {
    if error.code == ErrorCode::MfaRequired {
        Panel::NeedsMfa {
            error: None,
            submitting: false,
        }
    } else {
        Panel::Failed { error }
    }
}

/// Everything the panel renders, as plain text. Absent parts are hidden.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PanelView {
    /// A one-line progress note, announced politely.
    pub busy: Option<String>,
    pub error: Option<ErrorView>,
    /// Something to know that is not a failure (no key stored: switching needs none).
    pub note: Option<NoteView>,
    pub mfa: Option<MfaView>,
    pub identity: Option<IdentityView>,
    pub accounts: Option<AccountsView>,
}

/// A failure and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorView {
    pub title: String,
    /// The daemon's sentence; commands in it are in backticks.
    pub message: String,
    pub code: String,
    /// Whether a "Try again" button makes sense.
    pub retry: bool,
}

/// A neutral note: what is so, and what the user may do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteView {
    pub title: String,
    /// Sentences; commands in backticks.
    pub message: String,
}

/// The MFA code form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaView {
    pub intro: String,
    /// Why the last code was refused, beside the field.
    pub error: Option<String>,
    /// While a code is being checked the field is read-only and the button disabled.
    pub submitting: bool,
}

/// Who is signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityView {
    /// The principal's short name (`alice`), from the ARN.
    pub name: String,
    pub arn: String,
    /// `123456789012 (acme-main)`.
    pub account: String,
    /// The MFA session's end, when there is a session.
    pub mfa: Option<String>,
}

/// The organization's accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountsView {
    /// `25 accounts in o-abc123`.
    pub summary: String,
    /// How old a cached list is, and whether it is being refreshed.
    pub freshness: Option<String>,
    /// Why the list is partial.
    pub notice: Option<String>,
    pub rows: Vec<AccountRow>,
}

/// One account in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    /// The team's name when its tag sets one, else the organization's.
    pub name: String,
    /// Where the name and color came from, when the team's tags in AWS gave either
    /// (`team`), with the organization's own name beside a team name.
    pub look: Option<String>,
    /// `rrggbb`: the team's color, or the console's own.
    pub color: Option<String>,
    pub id: String,
    /// `Active`, `Suspended`, `Pending closure`, …
    pub state: String,
    /// Whether the state is anything but active (shown as a warning).
    pub unusual: bool,
    /// The signed-in principal's own account.
    pub current: bool,
}

/// Decide what the panel shows at Unix time `now`.
pub fn view(panel: &Panel, now: u64) -> PanelView {
    match panel {
        Panel::Idle => PanelView::default(),
        Panel::LoadingIdentity => PanelView {
            busy: Some("Asking AWS who you are…".to_owned()),
            ..PanelView::default()
        },
        Panel::NeedsMfa { error, submitting } => PanelView {
            busy: submitting.then(|| "Checking the code…".to_owned()),
            mfa: Some(MfaView {
                intro: "Your key is protected by MFA. Enter the 6-digit code from your \
                        authenticator app to start a session."
                    .to_owned(),
                error: error.clone(),
                submitting: *submitting,
            }),
            ..PanelView::default()
        },
        // No key stored: nothing is wrong, switching goes through the console session.
        Panel::Failed { error } if error.code == ErrorCode::CredentialsMissing => PanelView {
            note: Some(no_key_note(error)),
            ..PanelView::default()
        },
        Panel::Failed { error } => PanelView {
            error: Some(error_view(error)),
            ..PanelView::default()
        },
        Panel::SignedIn { identity, accounts } => {
            let mut shown = PanelView {
                identity: Some(identity_view(identity, now)),
                ..PanelView::default()
            };
            match accounts {
                Accounts::Loading => {
                    shown.busy = Some("Loading your organization's accounts…".to_owned())
                }
                Accounts::Loaded(data) => {
                    shown.accounts = Some(accounts_view(data, &identity.account_id, now))
                }
                Accounts::Failed(error) => shown.error = Some(error_view(error)),
            }
            shown
        }
    }
}

/// The note shown when no key is stored (issue 15: the usual case for someone who signs
/// in to the console some other way), with the daemon's commands that would add one.
fn no_key_note(error: &ErrorBody) -> NoteView {
    let said = error.message.trim().trim_end_matches('.');
    NoteView {
        title: "No AWS key stored: none is needed to switch".to_owned(),
        message: format!(
            "The roles from your lists switch through your console session. A key also \
             lets Switchyard read your IAM policies and the organization's accounts: {said}."
        ),
    }
}

fn error_view(error: &ErrorBody) -> ErrorView {
    let (title, retry) = match error.code {
        ErrorCode::CredentialsMissing => ("No AWS key stored yet", true),
        ErrorCode::KeyringUnavailable => ("The keyring cannot be used", true),
        ErrorCode::AwsAuthFailed => ("AWS refused the key", true),
        ErrorCode::AwsUnreachable => ("AWS cannot be reached", true),
        ErrorCode::AwsThrottled => ("AWS is throttling requests", true),
        ErrorCode::AccessDenied => ("Not allowed", false),
        ErrorCode::Timeout => ("No answer in time", true),
        _ => ("Could not ask AWS", true),
    };
    ErrorView {
        title: title.to_owned(),
        message: sentence(&error.message),
        code: error.code.as_str().to_owned(),
        retry,
    }
}

fn identity_view(identity: &IdentityData, now: u64) -> IdentityView {
    IdentityView {
        name: principal_name(&identity.arn),
        arn: identity.arn.clone(),
        account: account_label(&identity.account_id, identity.account_alias.as_deref()),
        mfa: identity
            .mfa
            .session_expires_at
            .map(|end| session_end(end, now)),
    }
}

fn accounts_view(data: &AccountsData, current: &str, now: u64) -> AccountsView {
    let count = match data.accounts.len() {
        1 => "1 account".to_owned(),
        n => format!("{n} accounts"),
    };
    let summary = match (&data.source, &data.organization) {
        (AccountsSource::Organization, Some(org)) => format!("{count} in {}", org.id),
        (AccountsSource::Organization, None) => count,
        (AccountsSource::Caller, _) => "Only your own account".to_owned(),
    };
    let age = uptime(now.saturating_sub(data.fetched_at));
    let freshness = match (data.stale, data.refreshing) {
        (true, true) => Some(format!("Listed {age} ago; refreshing…")),
        (true, false) => Some(format!("Listed {age} ago")),
        (false, _) => None,
    };
    let looks = team::looks(&data.accounts);
    let mut rows: Vec<AccountRow> = data
        .accounts
        .iter()
        .map(|account| {
            let look = looks.get(&account.id);
            let (name, name_from) = team::shown_name(account, look);
            let color = look.and_then(|l| l.color.clone());
            AccountRow {
                name: name.to_owned(),
                look: look_words(&account.name, name_from, color.as_ref().map(|c| c.1)),
                color: color.map(|(rgb, _)| rgb),
                id: account.id.clone(),
                state: account
                    .state
                    .as_deref()
                    .map(state_label)
                    .unwrap_or_else(|| "Unknown".to_owned()),
                unusual: account.state.as_deref() != Some("ACTIVE"),
                current: account.id == current,
            }
        })
        .collect();
    rows.sort_by_cached_key(|row| (row.name.to_lowercase(), row.id.clone()));
    AccountsView {
        summary,
        freshness,
        notice: data.notice.as_deref().map(sentence),
        rows,
    }
}

/// Where an account row's name and color came from, when the team's tags (or the
/// console's color) gave either: `team name (organization: Acme Prod) · console color`.
fn look_words(org_name: &str, name: LookOrigin, color: Option<LookOrigin>) -> Option<String> {
    let mut words = Vec::new();
    if name == LookOrigin::Team {
        words.push(format!("team name (organization: {org_name})"));
    }
    match color {
        Some(LookOrigin::Team) => words.push("team color".to_owned()),
        Some(LookOrigin::Console) => words.push("console color".to_owned()),
        _ => {}
    }
    (!words.is_empty()).then(|| words.join(" · "))
}

/// `123456789012 (acme-main)`, or the bare id without an alias.
pub fn account_label(id: &str, alias: Option<&str>) -> String {
    match alias {
        Some(alias) if !alias.is_empty() => format!("{id} ({alias})"),
        _ => id.to_owned(),
    }
}

/// The short name of the principal an ARN names: `user/ops/alice` → `alice`,
/// `assumed-role/Admin/alice` → `Admin (alice)`, `root` → `root`.
pub fn principal_name(arn: &str) -> String {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or(arn);
    let parts: Vec<&str> = resource.split('/').collect();
    match parts.as_slice() {
        ["assumed-role", role, session] => format!("{role} ({session})"),
        [_, .., last] if !last.is_empty() => (*last).to_owned(),
        _ => resource.to_owned(),
    }
}

/// When an MFA session ends: `until 23:05 UTC (11 h 59 min left)`.
pub fn session_end(expires_at: u64, now: u64) -> String {
    if expires_at <= now {
        return "session ended".to_owned();
    }
    let left = expires_at - now;
    let left = if left < 60 {
        "less than a minute".to_owned()
    } else {
        uptime(left)
    };
    let clock = expires_at % 86_400;
    format!(
        "until {:02}:{:02} UTC ({left} left)",
        clock / 3600,
        clock % 3600 / 60
    )
}

/// `PENDING_CLOSURE` → `Pending closure`.
pub fn state_label(state: &str) -> String {
    let words = state.replace('_', " ").to_lowercase();
    sentence(&words).trim_end_matches('.').to_owned()
}

#[cfg(test)]
#[path = "account_panel_tests.rs"]
mod tests;
