//! A command waiting for an MFA code (`mfa.pending`): `switchyard credential-process` run
//! by an SDK, or `exec` from a script, has no terminal to ask at, so the popup asks for
//! the code of the profile it waits on. One code serves every command waiting.

use switchyard_shared::protocol::aws::{check_mfa_code, MfaPendingData, PendingMfa};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};

/// The popup's form for the oldest waiting request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMfaView {
    pub profile: String,
    /// `switchyard credential-process is waiting for an MFA code for profile "work".`
    pub intro: String,
}

/// The form for what `mfa.pending` answered, if anything waits.
pub fn view(data: &MfaPendingData) -> Option<PendingMfaView> {
    let first: &PendingMfa = data.pending.first()?;
    let who = first.asker.as_deref().unwrap_or("A switchyard command");
    let others = match first.waiting {
        0 | 1 => String::new(),
        n => format!(" ({} more wait with it)", n - 1),
    };
    Some(PendingMfaView {
        profile: first.profile.clone(),
        intro: format!(
            "{who} is waiting for an MFA code for profile \"{}\"{others}. Enter the 6-digit \
             code from your authenticator app.",
            first.profile
        ),
    })
}

/// What the form says after the user typed `text` (checked before anything is sent): the
/// code to send, or why not.
pub fn entered(text: &str) -> Result<String, String> {
    check_mfa_code(text).map(str::to_owned)
}

/// The line after `mfa.submit` answered.
pub fn answered(result: &Result<(), ErrorBody>) -> Result<&'static str, String> {
    match result {
        Ok(()) => Ok("Unlocked: the waiting command goes on."),
        Err(e) if e.code == ErrorCode::MfaCodeInvalid => Err(e.message.clone()),
        Err(e) => Err(format!("{} ({})", e.message, e.code.as_str())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(waiting: u32, asker: Option<&str>) -> MfaPendingData {
        MfaPendingData {
            pending: vec![
                PendingMfa {
                    profile: "work".into(),
                    since: 10,
                    waiting,
                    asker: asker.map(str::to_owned),
                },
                PendingMfa {
                    profile: "other".into(),
                    since: 20,
                    waiting: 1,
                    asker: None,
                },
            ],
        }
    }

    #[test]
    fn the_oldest_waiting_request_is_asked_for() {
        assert_eq!(view(&MfaPendingData::default()), None);
        let shown = view(&pending(1, Some("switchyard credential-process"))).unwrap();
        assert_eq!(shown.profile, "work");
        assert_eq!(
            shown.intro,
            "switchyard credential-process is waiting for an MFA code for profile \"work\". \
             Enter the 6-digit code from your authenticator app."
        );
        let shown = view(&pending(3, None)).unwrap();
        assert!(
            shown
                .intro
                .starts_with("A switchyard command is waiting for an MFA code for profile \"work\" (2 more wait with it)."),
            "{}",
            shown.intro
        );
    }

    #[test]
    fn codes_are_checked_before_they_are_sent() {
        assert_eq!(entered(" 123456 ").as_deref(), Ok("123456"));
        assert!(entered("12ab56").is_err());
        assert!(entered("").is_err());
        assert_eq!(
            answered(&Ok(())),
            Ok("Unlocked: the waiting command goes on.")
        );
        let wrong = ErrorBody::new(ErrorCode::MfaCodeInvalid, "AWS refused the code");
        assert_eq!(answered(&Err(wrong)), Err("AWS refused the code".into()));
        let other = ErrorBody::new(ErrorCode::AwsUnreachable, "no network");
        assert_eq!(
            answered(&Err(other)),
            Err("no network (aws_unreachable)".into())
        );
    }
}
