//! Queued account closures in words (the CloseAccount quota had no room when they were
//! asked for; the daemon closes them later): for the popup's list and the create-account
//! page's answer.

use switchyard_shared::protocol::provision::{ClosureState, QueuedClosure};

/// Whether the popup lists the closure: still to happen, or failed (someone must act).
/// Closed and cancelled ones are history (`switchyard jobs` shows them).
pub fn worth_showing(closure: &QueuedClosure) -> bool {
    matches!(
        closure.state,
        ClosureState::Queued | ClosureState::Closing | ClosureState::Failed
    )
}

/// A queued closure in words: `Client Q (222222222222): queued, closes from
/// 2026-05-01 10:00 UTC`.
pub fn closure_line(closure: &QueuedClosure, now: u64) -> String {
    let when = match (closure.state, closure.not_before, closure.closed_at) {
        (ClosureState::Queued, Some(at), _) if at > now => {
            format!("queued, closes from {}", utc_minute(at))
        }
        (ClosureState::Queued, _, _) => "queued, closes at the daemon's next look".to_owned(),
        (ClosureState::Closing, _, _) => "closing now".to_owned(),
        (ClosureState::Closed, _, Some(at)) => format!("closed {}", utc_minute(at)),
        (state, _, _) => state.as_str().to_owned(),
    };
    let error = closure
        .error
        .as_ref()
        .map(|e| format!(" ({})", e.message))
        .unwrap_or_default();
    format!("{} ({}): {when}{error}", closure.name, closure.account_id)
}

/// Unix seconds as `YYYY-MM-DD HH:MM UTC`.
pub fn utc_minute(secs: u64) -> String {
    let days = secs / 86_400;
    let minute = (secs % 86_400) / 60;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        minute / 60,
        minute % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchyard_shared::protocol::{ErrorBody, ErrorCode};

    fn closure(state: ClosureState) -> QueuedClosure {
        QueuedClosure {
            id: "c222222222222".into(),
            account_id: "222222222222".into(),
            name: "Client Q".into(),
            profile: "default".into(),
            who: "arn:aws:iam::123456789012:user/alice".into(),
            queued_at: 1_777_000_000,
            remove_group: false,
            state,
            not_before: Some(1_777_629_000),
            closed_at: None,
            detail: None,
            error: None,
        }
    }

    #[test]
    fn dates_are_utc_minutes() {
        assert_eq!(utc_minute(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_minute(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc_minute(1_777_629_000), "2026-05-01 09:50 UTC");
        assert_eq!(utc_minute(4_102_444_799), "2099-12-31 23:59 UTC");
    }

    #[test]
    fn a_closure_says_when_it_runs() {
        let queued = closure(ClosureState::Queued);
        assert_eq!(
            closure_line(&queued, 1_777_000_100),
            "Client Q (222222222222): queued, closes from 2026-05-01 09:50 UTC"
        );
        // Past its time: the daemon closes it when it next looks.
        assert_eq!(
            closure_line(&queued, 1_777_700_000),
            "Client Q (222222222222): queued, closes at the daemon's next look"
        );
        let mut waiting = queued.clone();
        waiting.error = Some(ErrorBody::new(
            ErrorCode::MfaRequired,
            "the profile needs an MFA code",
        ));
        assert!(closure_line(&waiting, 1_777_000_100).ends_with("(the profile needs an MFA code)"));
        let mut closed = closure(ClosureState::Closed);
        closed.closed_at = Some(1_777_629_060);
        assert_eq!(
            closure_line(&closed, 1_777_700_000),
            "Client Q (222222222222): closed 2026-05-01 09:51 UTC"
        );
        assert!(worth_showing(&queued) && worth_showing(&closure(ClosureState::Failed)));
        assert!(!worth_showing(&closed) && !worth_showing(&closure(ClosureState::Cancelled)));
    }
}
