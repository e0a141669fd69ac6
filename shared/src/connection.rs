//! What went wrong with the native-messaging connection, in words a user can act on.
//!
//! Browsers report native-messaging failures only as `runtime.lastError` strings; this
//! module turns the known ones (Chromium's and Firefox's) into stable error codes and an
//! instruction, so the extension shows "run `switchyard install`" rather than a raw
//! browser message. Also how long the daemon has been up, in the words both the popup
//! and `switchyard status` / `doctor` print ([`uptime`]).

use crate::protocol::{ErrorBody, ErrorCode};

/// The command that registers the native host, shown when it is missing.
pub const INSTALL_COMMAND: &str = "switchyard install";

/// Classify the message a browser gives when a native port disconnects.
pub fn classify_port_error(last_error: Option<&str>) -> ErrorBody {
    let raw = last_error.unwrap_or("").trim();
    let lower = raw.to_ascii_lowercase();
    if lower.contains("not found") || lower.contains("no such native application") {
        ErrorBody::new(
            ErrorCode::HostNotRegistered,
            format!(
                "The Switchyard host is not registered with this browser. \
                 Run `{INSTALL_COMMAND}` in a terminal, then reopen this popup."
            ),
        )
    } else if lower.contains("forbidden") {
        ErrorBody::new(
            ErrorCode::HostForbidden,
            format!(
                "The Switchyard host does not allow this extension's id. \
                 Run `{INSTALL_COMMAND}` again to register this build of the extension."
            ),
        )
    } else {
        let detail = if raw.is_empty() {
            "the connection closed".to_owned()
        } else {
            raw.trim_end_matches('.').to_owned()
        };
        ErrorBody::new(
            ErrorCode::HostDisconnected,
            format!(
                "The Switchyard host stopped ({detail}). \
                 Run `switchyard daemon` in a terminal to see why it cannot start."
            ),
        )
    }
}

/// A short human duration: `42 s`, `5 min`, `3 h 20 min`, `2 d 4 h`.
pub fn uptime(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => format!("{} min", secs / 60),
        3600..=86_399 => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
        _ => format!("{} d {} h", secs / 86_400, secs % 86_400 / 3600),
    }
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;

    #[test]
    fn known_browser_messages_become_actionable_codes() {
        let cases = [
            (
                Some("Specified native messaging host not found."),
                ErrorCode::HostNotRegistered,
            ),
            (
                Some("No such native application com.switchyard.host"),
                ErrorCode::HostNotRegistered,
            ),
            (
                Some("Access to the specified native messaging host is forbidden."),
                ErrorCode::HostForbidden,
            ),
            (Some("Native host has exited."), ErrorCode::HostDisconnected),
            (None, ErrorCode::HostDisconnected),
        ];
        for (message, code) in cases {
            assert_eq!(classify_port_error(message).code, code, "{message:?}");
        }
        assert!(
            classify_port_error(Some("Specified native messaging host not found."))
                .message
                .contains("switchyard install")
        );
        assert!(classify_port_error(Some("Native host has exited."))
            .message
            .contains("(Native host has exited)."));
    }

    #[test]
    fn uptimes_read_naturally() {
        let shown: Vec<String> = [0, 59, 60, 3599, 3600, 86_399, 86_400, 200_000]
            .into_iter()
            .map(uptime)
            .collect();
        expect![[r#"["0 s", "59 s", "1 min", "59 min", "1 h 0 min", "23 h 59 min", "1 d 0 h", "2 d 7 h"]"#]]
            .assert_eq(&format!("{shown:?}"));
    }
}
