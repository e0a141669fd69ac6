//! What the popup shows for each connection state, decided here so it is tested natively;
//! the extension's DOM layer only renders a [`PopupView`].

use serde::{Deserialize, Serialize};

use switchyard_shared::connection::uptime;
use switchyard_shared::protocol::{AwsTarget, ErrorBody, HelloData, StatusData};

/// What the popup knows about its connection to the daemon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConnectionState {
    Connecting,
    Connected {
        hello: HelloData,
        status: StatusData,
    },
    Failed {
        error: ErrorBody,
    },
}

/// How the headline should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Busy,
    Good,
    Bad,
}

/// Everything the popup renders, as plain text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopupView {
    pub tone: Tone,
    pub headline: String,
    /// Label/value rows under the headline.
    pub facts: Vec<(String, String)>,
    /// What the user should do, when there is something to do.
    pub action: Option<String>,
    /// The stable error code, shown small for bug reports.
    pub code: Option<String>,
}

/// Decide what the popup shows.
pub fn view(state: &ConnectionState) -> PopupView {
    match state {
        ConnectionState::Connecting => PopupView {
            tone: Tone::Busy,
            headline: "Connecting to switchyard…".to_owned(),
            facts: Vec::new(),
            action: None,
            code: None,
        },
        ConnectionState::Connected { hello, status } => {
            let aws = match &status.aws {
                AwsTarget::Aws => "real AWS endpoints".to_owned(),
                AwsTarget::LocalStandIn { endpoint } => format!("local stand-in at {endpoint}"),
                AwsTarget::CustomEndpoint { endpoint } => format!("custom endpoint {endpoint}"),
            };
            let credentials = match (&status.credentials.configured, &status.credentials.source) {
                (true, Some(source)) => format!("configured ({source})"),
                (true, None) => "configured".to_owned(),
                (false, _) => "not configured yet".to_owned(),
            };
            PopupView {
                tone: Tone::Good,
                headline: format!("Connected to switchyard {}", hello.app_version),
                facts: vec![
                    (
                        "Daemon".to_owned(),
                        format!("pid {}, up {}", status.pid, uptime(status.uptime_secs)),
                    ),
                    (
                        "Protocol".to_owned(),
                        format!("v{}", hello.protocol_version),
                    ),
                    ("AWS".to_owned(), aws),
                    ("Credentials".to_owned(), credentials),
                ],
                // What to do about missing credentials is the account panel's to say
                // (`account_panel`), with the daemon's exact command.
                action: None,
                code: None,
            }
        }
        ConnectionState::Failed { error } => PopupView {
            tone: Tone::Bad,
            headline: "Not connected".to_owned(),
            facts: Vec::new(),
            action: Some(error.message.clone()),
            code: Some(error.code.as_str().to_owned()),
        },
    }
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use switchyard_shared::protocol::{CredentialsState, ErrorCode};

    fn status(configured: bool, aws: AwsTarget) -> StatusData {
        StatusData {
            daemon_version: "0.1.0".into(),
            protocol_version: 1,
            pid: 4242,
            uptime_secs: 3725,
            credentials: CredentialsState {
                configured,
                source: configured.then(|| "environment".to_owned()),
            },
            aws,
        }
    }

    #[test]
    fn connected_to_the_stand_in() {
        let state = ConnectionState::Connected {
            hello: HelloData::current(),
            status: status(
                false,
                AwsTarget::LocalStandIn {
                    endpoint: "http://127.0.0.1:5000".into(),
                },
            ),
        };
        expect![[r#"
            PopupView {
                tone: Good,
                headline: "Connected to switchyard 0.1.0",
                facts: [
                    (
                        "Daemon",
                        "pid 4242, up 1 h 2 min",
                    ),
                    (
                        "Protocol",
                        "v1",
                    ),
                    (
                        "AWS",
                        "local stand-in at http://127.0.0.1:5000",
                    ),
                    (
                        "Credentials",
                        "not configured yet",
                    ),
                ],
                action: None,
                code: None,
            }
        "#]]
        .assert_debug_eq(&view(&state));
    }

    #[test]
    fn connected_to_aws_with_credentials() {
        let state = ConnectionState::Connected {
            hello: HelloData::current(),
            status: status(true, AwsTarget::Aws),
        };
        let shown = view(&state);
        assert_eq!(shown.action, None);
        assert_eq!(shown.facts[2].1, "real AWS endpoints");
        assert_eq!(shown.facts[3].1, "configured (environment)");
    }

    #[test]
    fn failures_show_the_fix_and_the_code() {
        let state = ConnectionState::Failed {
            error: switchyard_shared::connection::classify_port_error(Some(
                "Specified native messaging host not found.",
            )),
        };
        let shown = view(&state);
        assert_eq!(shown.tone, Tone::Bad);
        assert_eq!(
            shown.code.as_deref(),
            Some(ErrorCode::HostNotRegistered.as_str())
        );
        assert!(shown.action.unwrap().contains("switchyard install"));
    }
}
