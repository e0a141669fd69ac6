//! The popup's IAM Identity Center line: each session the daemon knows (`sso.status`),
//! whether it is signed in, and a "Sign in with IAM Identity Center" button where it is
//! not. The sign-in itself is the daemon's (`sso.login`); the popup opens the page it
//! answers in a tab and asks again until the session is signed in.

use switchyard_shared::connection::uptime;
use switchyard_shared::protocol::sso::{SsoSessionStatus, SsoState, SsoStatusData};

/// One session as the popup shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoRow {
    pub session: String,
    /// `acme (https://acme.awsapps.com/start)`.
    pub title: String,
    /// Where it stands, in words.
    pub state: String,
    /// The button's label, when the session can be signed in from here.
    pub action: Option<&'static str>,
    /// Shown as a problem (a refused or expired sign-in).
    pub problem: bool,
}

pub const SIGN_IN: &str = "Sign in with IAM Identity Center";

fn row(session: &SsoSessionStatus, now: u64) -> SsoRow {
    let (state, action, problem) = match session.state {
        SsoState::SignedIn => {
            let until = match (session.refreshable, session.expires_at) {
                (true, _) => " (renewed as needed)".to_owned(),
                (false, Some(end)) if end > now => format!(" for {}", uptime(end - now)),
                _ => String::new(),
            };
            (format!("Signed in{until}"), None, false)
        }
        SsoState::Pending => (
            "Waiting for your approval in the sign-in tab…".to_owned(),
            None,
            false,
        ),
        SsoState::SignedOut => ("Signed out".to_owned(), Some(SIGN_IN), false),
        SsoState::Expired => (
            match &session.problem {
                Some(problem) => format!("Sign in again: {problem}"),
                None => "The sign-in ended: sign in again".to_owned(),
            },
            Some(SIGN_IN),
            true,
        ),
    };
    SsoRow {
        session: session.session.clone(),
        title: format!("{} ({})", session.session, session.start_url),
        state,
        action,
        problem,
    }
}

/// The rows for `sso.status`'s answer: nothing when no session is known (the line is
/// then hidden).
pub fn rows(data: &SsoStatusData, now: u64) -> Vec<SsoRow> {
    data.sessions.iter().map(|s| row(s, now)).collect()
}

/// Whether the popup keeps asking (a sign-in is waiting for the user).
pub fn waiting(data: &SsoStatusData, session: &str) -> bool {
    data.sessions
        .iter()
        .any(|s| s.session == session && s.state == SsoState::Pending)
}

/// What is wrong with the options page's start-URL form, field by field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormProblems {
    pub start_url: Option<String>,
    pub region: Option<String>,
}

/// The options page's "sign in with a start URL" form, checked as the daemon checks it
/// (`sso.login` refuses the same): the start URL and Region to send, or what to fix.
pub fn check_form(start_url: &str, region: &str) -> Result<(String, String), FormProblems> {
    let url = switchyard_shared::sso::check_start_url(start_url);
    let region = match region.trim() {
        "" => Err("give the Region of your IAM Identity Center (for example eu-west-1)".to_owned()),
        given => switchyard_shared::sso::check_region(given).map_err(|e| e.to_string()),
    };
    match (url, region) {
        (Ok(url), Ok(region)) => Ok((url, region)),
        (url, region) => Err(FormProblems {
            start_url: url.err().map(|e| e.to_string()),
            region: region.err(),
        }),
    }
}

/// The options page's line after a sign-in from its form ended: signed in, or why not.
pub fn outcome(data: &SsoStatusData, session: &str) -> String {
    match data.sessions.iter().find(|s| s.session == session) {
        Some(s) if s.state == SsoState::SignedIn => format!(
            "Signed in: {} ({}). The popup lists the roles it grants.",
            s.session, s.start_url
        ),
        Some(s) if s.state == SsoState::Pending => {
            "Still waiting for your approval in the sign-in tab.".to_owned()
        }
        Some(s) => match &s.problem {
            Some(problem) => format!("Not signed in: {problem}"),
            None => "Not signed in: the sign-in ended before it was approved.".to_owned(),
        },
        None => "Not signed in: the daemon no longer knows this sign-in.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(state: SsoState, problem: Option<&str>) -> SsoSessionStatus {
        SsoSessionStatus {
            session: "acme".into(),
            start_url: "https://acme.awsapps.com/start".into(),
            region: "eu-west-1".into(),
            state,
            expires_at: Some(1_000 + 3_600),
            refreshable: false,
            defined_in: "~/.aws/config".into(),
            problem: problem.map(Into::into),
        }
    }

    #[test]
    fn each_state_says_where_it_stands_and_offers_a_sign_in_only_when_needed() {
        let data = SsoStatusData {
            sessions: vec![
                session(SsoState::SignedIn, None),
                session(SsoState::Pending, None),
                session(SsoState::SignedOut, None),
                session(SsoState::Expired, Some("the refresh token was refused")),
            ],
        };
        let shown = rows(&data, 1_000);
        assert_eq!(shown[0].state, "Signed in for 1 h 0 min");
        assert_eq!(shown[0].action, None);
        assert_eq!(shown[0].title, "acme (https://acme.awsapps.com/start)");
        assert!(shown[1].state.starts_with("Waiting"));
        assert_eq!(shown[1].action, None);
        assert_eq!(shown[2].action, Some(SIGN_IN));
        assert!(!shown[2].problem);
        assert_eq!(shown[3].action, Some(SIGN_IN));
        assert!(shown[3].problem);
        assert!(shown[3].state.contains("refresh token was refused"));
        assert!(waiting(&data, "acme"));
        assert!(rows(&SsoStatusData { sessions: vec![] }, 0).is_empty());
    }

    #[test]
    fn the_start_url_form_is_checked_as_the_daemon_checks_it() {
        assert_eq!(
            check_form(" https://acme.awsapps.com/start ", "eu-west-1"),
            Ok((
                "https://acme.awsapps.com/start".to_owned(),
                "eu-west-1".to_owned()
            ))
        );
        let both = check_form("acme.awsapps.com/start", "").unwrap_err();
        assert!(both.start_url.unwrap().contains("not an https:// URL"));
        assert!(both.region.unwrap().contains("give the Region"));
        let region = check_form("https://acme.awsapps.com/start", "europe").unwrap_err();
        assert_eq!(region.start_url, None);
        assert!(region.region.unwrap().contains("not an AWS Region"));
        let markup = check_form("https://<script>/start", "eu-west-1").unwrap_err();
        assert!(markup.start_url.is_some());
    }

    #[test]
    fn the_outcome_says_signed_in_or_why_not() {
        let mut data = SsoStatusData {
            sessions: vec![session(SsoState::SignedIn, None)],
        };
        assert!(
            outcome(&data, "acme").starts_with("Signed in: acme (https://acme.awsapps.com/start)")
        );
        data.sessions[0] = session(SsoState::Expired, Some("access_denied: refused"));
        assert_eq!(
            outcome(&data, "acme"),
            "Not signed in: access_denied: refused"
        );
        assert!(outcome(&data, "other").contains("no longer knows"));
    }
}
