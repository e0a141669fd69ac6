//! The console's multi-session mode (up to five identities signed in at once in one
//! browser, each on its own `{differentiator}.{region}.console…` host): which identities
//! are live, and how a switch respects them.
//!
//! The live set comes from the sign-in host the console page names
//! (`awsc-session-data`'s `signInEndpoint`): `GET https://{endpoint}/sessions/v1/list`,
//! asked from the console tab with its cookies, answers
//! `{"sessions": [{"differentiator", "principal_arn", "expiry", "auth_time",
//! "account_alias"}]}`. AWS does not document this endpoint; its shape here is the one
//! the console's own pages use as other extensions have recorded it, read leniently (an
//! entry that cannot be read is left out, an answer that cannot be read at all means
//! "unknown" and never blocks a switch).
//!
//! The rules of [`choose`]: an identity that is already live is opened, never signed in
//! to again (a second sign-in as a live identity signs all of its tabs out); at the
//! limit of five a new identity is refused with a sentence saying what to do; otherwise
//! the switch is made from a live session in the target's base account (an import's
//! `source_profile`), else from the tab's own session, whatever it is (role chaining
//! from a session that is itself a switched role).

use serde::Deserialize;

use crate::console_session::ConsoleSession;
use crate::protocol::roles::TargetBase;
use crate::switch::{console_host, encode_component, SwitchTarget};

/// How many identities the console keeps signed in at once.
pub const MAX_SESSIONS: usize = 5;

/// One identity signed in to the console now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    /// The session's id: `123456789012-abcd1234`, the first label of its console host.
    pub differentiator: String,
    pub account_id: String,
    /// The role, for an assumed-role session (a switched role, IAM Identity Center, SAML).
    pub role_name: Option<String>,
    /// The user or role session name.
    pub principal: Option<String>,
    pub alias: Option<String>,
    /// When it ends, as the list says (seconds or milliseconds since the epoch).
    pub expiry: Option<u64>,
}

impl LiveSession {
    /// The session as [`crate::scope`] matches bases against.
    pub fn identity(&self) -> ConsoleSession {
        ConsoleSession {
            account_id: self.account_id.clone(),
            role_name: self.role_name.clone(),
            principal: self.principal.clone(),
            alias: self.alias.clone(),
        }
    }

    /// `Admin @ acme-prod (111111111111)`.
    pub fn describe(&self) -> String {
        let who = self
            .role_name
            .as_deref()
            .or(self.principal.as_deref())
            .unwrap_or("root");
        match &self.alias {
            Some(alias) => format!("{who} @ {alias} ({})", self.account_id),
            None => format!("{who} @ {}", self.account_id),
        }
    }
}

#[derive(Deserialize)]
struct Listed {
    #[serde(default)]
    sessions: Vec<serde_json::Value>,
}

/// Why the live sessions are not known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the console's list of signed-in sessions could not be read: {0}")]
pub struct ListUnreadable(pub &'static str);

/// `https://{endpoint}/sessions/v1/list`, for a sign-in host the page named.
pub fn list_url(signin_endpoint: &str) -> String {
    format!("https://{signin_endpoint}/sessions/v1/list")
}

/// `https://{endpoint}/sessions/{differentiator}/v1/switchrole`: a switch made from that
/// session.
pub fn switch_url(signin_endpoint: &str, differentiator: &str) -> String {
    format!(
        "https://{signin_endpoint}/sessions/{}/v1/switchrole",
        encode_component(differentiator)
    )
}

/// Whether `text` is a session id as console hosts carry them (`123456789012-abcd`).
pub fn is_differentiator(text: &str) -> bool {
    let Some((account, rest)) = text.split_once('-') else {
        return false;
    };
    account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && (1..=50).contains(&rest.len())
        && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Read the list's answer. Entries without a readable id or principal are left out.
pub fn parse_list(text: &str) -> Result<Vec<LiveSession>, ListUnreadable> {
    let listed: Listed = serde_json::from_str(text)
        .map_err(|_| ListUnreadable("the answer is not the JSON the console sends"))?;
    let mut out = Vec::new();
    for entry in listed.sessions {
        let text = |key: &str| entry.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        let Some(differentiator) = text("differentiator").filter(|d| is_differentiator(d)) else {
            continue;
        };
        let arn = text("principal_arn").unwrap_or_default();
        let Some(principal) = crate::console_session::read(
            None,
            Some(&serde_json::json!({ "arn": arn }).to_string()),
        ) else {
            continue;
        };
        if !differentiator.starts_with(&principal.account_id) {
            continue;
        }
        out.push(LiveSession {
            differentiator,
            account_id: principal.account_id,
            role_name: principal.role_name,
            principal: principal.principal,
            alias: text("account_alias").filter(|a| !a.is_empty()),
            expiry: entry.get("expiry").and_then(serde_json::Value::as_u64),
        });
    }
    Ok(out)
}

/// What to do for a switch in multi-session mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// The target's identity is live already: open it here (its console, the same
    /// service and region).
    Open(String),
    /// Post the switch from this session (the target's base, or the tab's own).
    SwitchFrom(String),
    /// Five identities are live: the sentence to show.
    Full(String),
}

/// Whether `session` is the target's identity (its account and role).
fn is_target(session: &LiveSession, target: &SwitchTarget) -> bool {
    let role = target.role_name.rsplit('/').next().unwrap_or_default();
    session.account_id == target.account_id && session.role_name.as_deref() == Some(role)
}

/// Choose for `target` given the live sessions, the tab's own session id, the target's
/// base (when an import ties it to one) and the tab's address.
pub fn choose(
    target: &SwitchTarget,
    live: &[LiveSession],
    current: &str,
    base: Option<&TargetBase>,
    current_url: &str,
) -> Choice {
    if let Some(session) = live.iter().find(|s| is_target(s, target)) {
        return Choice::Open(session_url(session, target, current_url));
    }
    if live.len() >= MAX_SESSIONS {
        let names: Vec<String> = live.iter().map(LiveSession::describe).collect();
        return Choice::Full(format!(
            "Five identities are signed in to the console, its limit ({}). Sign out of one \
             (its account menu → Sign out), then open {} again.",
            names.join("; "),
            target.display_name
        ));
    }
    let from_base = base.and_then(|base| {
        live.iter()
            .find(|s| crate::scope::in_base(base, &s.identity()))
    });
    Choice::SwitchFrom(
        from_base
            .map(|s| s.differentiator.clone())
            .unwrap_or_else(|| current.to_owned()),
    )
}

/// A live session's console, on the service and region the tab shows (or the target's
/// region): `https://{differentiator}.{region}.console.aws.amazon.com/ec2/home?region=…`.
pub fn session_url(session: &LiveSession, target: &SwitchTarget, current_url: &str) -> String {
    let url = crate::switch::landing(current_url, target);
    // `https://REGION.console…` → `https://SESSION.REGION.console…`.
    match url.strip_prefix("https://") {
        Some(rest) => {
            let host = rest.split(['/', '?']).next().unwrap_or_default();
            match console_host(host) {
                Some(parsed) if parsed.region.is_some() && parsed.session_prefix.is_none() => {
                    format!("https://{}.{rest}", session.differentiator)
                }
                Some(_) => {
                    let region = target.partition.default_region().unwrap_or("us-east-1");
                    let tail = rest.strip_prefix(host).unwrap_or_default();
                    format!(
                        "https://{}.{}{tail}",
                        session.differentiator,
                        target.partition.console_host_in(Some(region))
                    )
                }
                None => url,
            }
        }
        None => url,
    }
}

/// The popup's line: `3 of 5 sessions signed in` (each identity is [`LiveSession::describe`]).
pub fn summary(live: &[LiveSession]) -> String {
    format!("{} of {MAX_SESSIONS} sessions signed in", live.len())
}

#[cfg(test)]
mod tests;
