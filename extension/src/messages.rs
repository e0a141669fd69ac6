//! Pure logic of the extension's two conversations, tested natively: reading the host's
//! replies, the popup ⇄ service-worker messages, and turning `hello` + `status` results
//! into the popup's [`ConnectionState`].
//!
//! Candidates to move into `switchyard-shared` once other front ends need them.

use crate::view::popup::ConnectionState;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchyard_shared::protocol::aws::AccountsSetParams;
use switchyard_shared::protocol::roles::{RolesListParams, EXTENSION_PAGE_BYTES};
use switchyard_shared::protocol::users::{
    MfaEnableParams, MfaSetupParams, UsersCreateParams, UsersRemoveParams, UsersTarget,
};
use switchyard_shared::protocol::{
    peek_request_id, AccountsListParams, ErrorBody, ErrorCode, HelloData, MfaSubmitParams,
    ProfileParams, Reply, Request, StatusData, PROTOCOL_VERSION,
};

/// How long the service worker waits for the host to answer one request.
pub const REQUEST_TIMEOUT_MS: u32 = 10_000;

/// How long it waits for `accounts.list`: a cold list pages through ListAccounts and can
/// take tens of seconds in a large organization.
pub const ACCOUNTS_TIMEOUT_MS: u32 = 60_000;

/// How long it waits for `switch.federate`.
pub const FEDERATE_TIMEOUT_MS: u32 = 30_000;

/// How long it waits for the users messages: each lists or changes a user with several
/// IAM calls, in a member account after an AssumeRole.
pub const USERS_TIMEOUT_MS: u32 = 60_000;

/// What a message from the native host means to the service worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// The answer to request `id`.
    Reply {
        id: u64,
        result: Result<Value, ErrorBody>,
    },
    /// An error the host could not attribute to a request (`"id": null`).
    Unaddressed(ErrorBody),
    /// Nothing that can be matched to a request; worth a console line, nothing more.
    Ignored(String),
}

/// Read one message from the host, given as JSON text.
pub fn decode_host_message(text: &str) -> Incoming {
    match serde_json::from_str::<Reply>(text) {
        Ok(reply) => match reply.id.as_value() {
            Value::Number(n) => match n.as_u64() {
                Some(id) => Incoming::Reply {
                    id,
                    result: reply.into_result::<Value>(),
                },
                None => Incoming::Ignored(format!("reply to an id this worker never sent: {n}")),
            },
            Value::Null => match reply.into_result::<Value>() {
                Err(error) => Incoming::Unaddressed(error),
                Ok(_) => Incoming::Ignored("a successful reply without an id".to_owned()),
            },
            other => Incoming::Ignored(format!("reply to an id this worker never sent: {other}")),
        },
        Err(e) => {
            let shape = format!("the host's reply has an unexpected shape: {e}");
            match peek_request_id(text.as_bytes()).as_value().as_u64() {
                Some(id) => Incoming::Reply {
                    id,
                    result: Err(ErrorBody::new(ErrorCode::Internal, shape)),
                },
                None => Incoming::Ignored(shape),
            }
        }
    }
}

/// How long the service worker waits for the answer to `request`.
pub fn timeout_ms(request: &Request) -> u32 {
    match request {
        Request::AccountsList(_) => ACCOUNTS_TIMEOUT_MS,
        // AssumeRole, then the sign-in endpoint's exchange (15 s at most on its own); the
        // team's tags, then maybe AssumeRole into the account for its console color.
        Request::SwitchFederate(_) | Request::AccountsSet(_) => FEDERATE_TIMEOUT_MS,
        Request::UsersList(_)
        | Request::UsersCreate(_)
        | Request::UsersRemove(_)
        | Request::MfaSetup(_)
        | Request::MfaEnable(_) => USERS_TIMEOUT_MS,
        _ => REQUEST_TIMEOUT_MS,
    }
}

/// The error a request gets when no reply came within `ms` milliseconds.
pub fn timeout_error(ms: u32) -> ErrorBody {
    ErrorBody::new(
        ErrorCode::Timeout,
        format!(
            "The Switchyard host did not answer within {} seconds. \
             Run `switchyard daemon` in a terminal to see whether it is stuck.",
            ms / 1000
        ),
    )
}

/// A message the popup (or another extension page) sends to the service worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum PageRequest {
    /// "Talk to the host and tell me how that went": answered with a [`ConnectionState`].
    ConnectionState,
    /// Relay `identity` for the default profile: answered with a [`PageData`].
    Identity,
    /// Relay `accounts.list` for the default profile (from the daemon's cache).
    AccountsList,
    /// Relay `accounts.set`: the name and color the whole team sees for an account (the
    /// popup's "Edit name and color for the team").
    AccountsSet(AccountsSetParams),
    /// Relay `mfa.submit` with this code, for `profile` (the default profile when absent:
    /// a command waiting in `mfa.pending` names its own).
    MfaSubmit {
        code: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        profile: Option<String>,
    },
    /// Relay `mfa.pending`: the commands waiting for an MFA code.
    MfaPending,
    /// Relay `closures.list`: the account closures queued past the CloseAccount quota.
    ClosuresList,
    /// Relay `roles.list` for the default profile: one page of it, from `offset` (the
    /// whole list can exceed the browser's 1 MiB native-messaging limit), of the reading
    /// its first page's reply named (absent for a first page).
    RolesList {
        #[serde(default)]
        offset: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reading: Option<String>,
        /// The quick first reading: the hand-written lists alone (`lists_only`).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        lists_only: bool,
    },
    /// Relay `profiles.list` (the options page's profile choice).
    ProfilesList,
    /// Relay `roles.sources` (what `~/.aws/config` and the import give, and what was
    /// skipped).
    RolesSources,
    /// Relay `roles.import` with a pasted AWS Extend Switch Roles configuration.
    RolesImport { text: String },
    /// Switch the active tab's console (or a new tab) to a role: the worker chooses the way
    /// (`switchyard_shared::switch::plan`) and answers with a [`SwitchDone`].
    Switch(SwitchRequest),
    /// Which identities are signed in to the console now (multi-session mode), read in the
    /// active console tab; the worker answers with a [`LiveSessions`].
    LiveSessions,
    /// Relay `users.list` (the Users page).
    UsersList(UsersTarget),
    /// Relay `users.create`; its answer holds one-time secrets, passed on and not kept.
    UsersCreate(UsersCreateParams),
    /// Relay `users.remove`.
    UsersRemove(UsersRemoveParams),
    /// Relay `mfa.setup`; its answer holds the new device's seed, passed on and not kept.
    MfaSetup(MfaSetupParams),
    /// Relay `mfa.enable`.
    MfaEnable(MfaEnableParams),
    /// Relay `sso.status`: the IAM Identity Center sessions and who is signed in.
    SsoStatus,
    /// Relay `sso.login` for a known session: the answer names the page the popup opens
    /// in a tab (the daemon opens nothing itself).
    SsoLogin { session: String },
    /// Relay `sso.login` for a start URL and Region the options page was given (a session
    /// no `~/.aws/config` names yet).
    SsoLoginUrl { start_url: String, region: String },
}

/// What to switch to, as the popup's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwitchRequest {
    pub role_arn: String,
    pub display_name: String,
    pub color: String,
    /// Open in a new tab (Ctrl/Cmd+click, middle click) instead of the current one.
    #[serde(default)]
    pub new_tab: bool,
    /// Where the console lands (the list's region), when the target has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The base account an import ties the target to (a multi-session switch is made from
    /// a live session there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<switchyard_shared::protocol::roles::TargetBase>,
    /// The IAM Identity Center role the daemon reaches the target through (the target's
    /// `sso`): a role Identity Center grants is always switched to by federation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso: Option<switchyard_shared::protocol::roles::SsoRoleRef>,
    /// The target is a role Identity Center grants (not one chained from it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub identity_center: bool,
}

/// How a switch was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SwitchMethod {
    Classic,
    MultiSession,
    Federation,
}

/// The worker's answer to [`PageRequest::LiveSessions`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveSessions {
    /// `Admin @ acme (111111111111)` for each live identity.
    pub sessions: Vec<String>,
    /// The popup's line (`3 of 5 sessions signed in`).
    pub summary: String,
    /// The console's limit is reached.
    pub full: bool,
}

/// The worker's answer to a [`PageRequest::Switch`] that went out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SwitchDone {
    pub method: SwitchMethod,
    /// Where the tab was sent (the multi-session destination, the login URL's
    /// destination), when known.
    pub destination: Option<String>,
}

impl PageRequest {
    /// The host request a relayed page request becomes; `None` for
    /// [`PageRequest::ConnectionState`], which the worker answers itself.
    pub fn to_host(&self) -> Option<Request> {
        match self {
            PageRequest::ConnectionState | PageRequest::Switch(_) | PageRequest::LiveSessions => {
                None
            }
            PageRequest::RolesList {
                offset,
                lists_only,
                reading,
            } => Some(Request::RolesList(RolesListParams {
                offset: *offset,
                lists_only: *lists_only,
                reading: reading.clone(),
                page_bytes: Some(EXTENSION_PAGE_BYTES),
                ..RolesListParams::default()
            })),
            PageRequest::ProfilesList => Some(Request::ProfilesList),
            PageRequest::RolesSources => Some(Request::RolesSources(ProfileParams::default())),
            PageRequest::RolesImport { text } => Some(Request::RolesImport(
                switchyard_shared::protocol::roles::RolesImportParams {
                    profile: None,
                    text: text.clone(),
                },
            )),
            PageRequest::Identity => Some(Request::Identity(ProfileParams::default())),
            PageRequest::AccountsList => Some(Request::AccountsList(AccountsListParams::default())),
            PageRequest::AccountsSet(params) => Some(Request::AccountsSet(params.clone())),
            PageRequest::MfaSubmit { code, profile } => Some(Request::MfaSubmit(MfaSubmitParams {
                profile: profile.clone(),
                code: code.clone(),
            })),
            PageRequest::MfaPending => Some(Request::MfaPending),
            PageRequest::ClosuresList => Some(Request::ClosuresList),
            PageRequest::UsersList(target) => Some(Request::UsersList(target.clone())),
            PageRequest::UsersCreate(params) => Some(Request::UsersCreate(params.clone())),
            PageRequest::UsersRemove(params) => Some(Request::UsersRemove(params.clone())),
            PageRequest::MfaSetup(params) => Some(Request::MfaSetup(params.clone())),
            PageRequest::MfaEnable(params) => Some(Request::MfaEnable(params.clone())),
            PageRequest::SsoStatus => Some(Request::SsoStatus(
                switchyard_shared::protocol::sso::SsoSessionParams::default(),
            )),
            PageRequest::SsoLogin { session } => Some(Request::SsoLogin(
                switchyard_shared::protocol::sso::SsoLoginParams {
                    session: Some(session.clone()),
                    ..Default::default()
                },
            )),
            PageRequest::SsoLoginUrl { start_url, region } => Some(Request::SsoLogin(
                switchyard_shared::protocol::sso::SsoLoginParams {
                    start_url: Some(start_url.clone()),
                    region: Some(region.clone()),
                    ..Default::default()
                },
            )),
        }
    }
}

/// The answer to a relayed page request that succeeded: the reply's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageData {
    pub data: Value,
}

/// The answer to a page message that failed, or that the worker could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageError {
    pub error: ErrorBody,
}

/// The JSON text of a relayed request's answer, for the page.
pub fn encode_page_answer(answer: Result<Value, ErrorBody>) -> String {
    let text = match answer {
        Ok(data) => serde_json::to_string(&PageData { data }),
        Err(error) => serde_json::to_string(&PageError { error }),
    };
    text.unwrap_or_default()
}

/// Read the worker's answer to a relayed request as `T`.
///
/// `answer` is as in [`decode_connection_state`].
pub fn decode_page_answer<T: DeserializeOwned>(
    answer: Result<Option<String>, String>,
) -> Result<T, ErrorBody> {
    let text = match answer {
        Ok(Some(text)) => text,
        Ok(None) => return Err(no_answer()),
        Err(message) => return Err(worker_not_running(&message)),
    };
    if let Ok(PageError { error }) = serde_json::from_str::<PageError>(&text) {
        return Err(error);
    }
    let PageData { data } = serde_json::from_str(&text).map_err(|e| unreadable(&e))?;
    serde_json::from_value(data).map_err(|e| {
        ErrorBody::new(
            ErrorCode::Internal,
            format!("The daemon's answer has an unexpected shape ({e}). Update the older of the extension and switchyard."),
        )
    })
}

fn no_answer() -> ErrorBody {
    ErrorBody::new(
        ErrorCode::Internal,
        "The extension's service worker did not answer. Reload the extension.",
    )
}

fn worker_not_running(message: &str) -> ErrorBody {
    ErrorBody::new(
        ErrorCode::Internal,
        format!("The extension's service worker is not running ({message}). Reload the extension."),
    )
}

fn unreadable(e: &serde_json::Error) -> ErrorBody {
    ErrorBody::new(
        ErrorCode::Internal,
        format!(
            "The extension's service worker gave an unreadable answer ({e}). Reload the extension."
        ),
    )
}

/// Read a page's message, given as JSON text.
pub fn decode_page_request(text: &str) -> Result<PageRequest, ErrorBody> {
    serde_json::from_str(text).map_err(|e| {
        ErrorBody::new(
            ErrorCode::InvalidRequest,
            format!("the service worker cannot read this message: {e}"),
        )
    })
}

/// Check the data of a `hello` reply: the daemon's version range must include ours.
pub fn accept_hello(result: Result<Value, ErrorBody>) -> Result<HelloData, ErrorBody> {
    let hello: HelloData = serde_json::from_value(result?).map_err(|e| {
        ErrorBody::new(
            ErrorCode::Internal,
            format!("the daemon's hello reply has an unexpected shape: {e}"),
        )
    })?;
    if (hello.min_protocol_version..=hello.protocol_version).contains(&PROTOCOL_VERSION) {
        Ok(hello)
    } else {
        Err(ErrorBody::new(
            ErrorCode::UnsupportedProtocolVersion,
            format!(
                "switchyard {} speaks protocol versions {} to {}, this extension speaks {}; \
                 update the older of the extension and switchyard",
                hello.app_version,
                hello.min_protocol_version,
                hello.protocol_version,
                PROTOCOL_VERSION
            ),
        ))
    }
}

/// The popup's state once `hello` was accepted and `status` answered.
pub fn connected(hello: HelloData, status: Result<Value, ErrorBody>) -> ConnectionState {
    let status = status.and_then(|data| {
        serde_json::from_value::<StatusData>(data).map_err(|e| {
            ErrorBody::new(
                ErrorCode::Internal,
                format!("the daemon's status reply has an unexpected shape: {e}"),
            )
        })
    });
    match status {
        Ok(status) => ConnectionState::Connected { hello, status },
        Err(error) => ConnectionState::Failed { error },
    }
}

/// Read the service worker's answer to [`PageRequest::ConnectionState`].
///
/// `answer` is the JSON text of the response, `None` when there was none; `failure` is
/// the browser's message when sending failed altogether.
pub fn decode_connection_state(answer: Result<Option<String>, String>) -> ConnectionState {
    let error = match answer {
        Ok(Some(text)) => match serde_json::from_str::<ConnectionState>(&text) {
            Ok(state) => return state,
            Err(_) => match serde_json::from_str::<PageError>(&text) {
                Ok(PageError { error }) => error,
                Err(e) => unreadable(&e),
            },
        },
        Ok(None) => no_answer(),
        Err(message) => worker_not_running(&message),
    };
    ConnectionState::Failed { error }
}

/// A piece of display text: plain, or a command to show as code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span<'a> {
    pub code: bool,
    pub text: &'a str,
}

/// Split text at Markdown-style backticks so `switchyard install` can be shown as code.
/// An unmatched backtick stays in the text.
pub fn code_spans(text: &str) -> Vec<Span<'_>> {
    let mut spans = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('`') else { break };
        if open > 0 {
            spans.push(Span {
                code: false,
                text: &rest[..open],
            });
        }
        spans.push(Span {
            code: true,
            text: &after[..close],
        });
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        spans.push(Span {
            code: false,
            text: rest,
        });
    }
    spans
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use switchyard_shared::protocol::{AwsTarget, CredentialsState, Request, RequestId};

    use super::*;

    fn status_json() -> Value {
        json!({"daemon_version":"0.1.0","protocol_version":1,"pid":42,"uptime_secs":3,
               "credentials":{"configured":false},"aws":{"kind":"aws"}})
    }

    #[test]
    fn host_messages_are_matched_by_numeric_id() {
        assert_eq!(
            decode_host_message(r#"{"id":3,"status":"ok","data":{"pong":true}}"#),
            Incoming::Reply {
                id: 3,
                result: Ok(json!({"pong": true}))
            }
        );
        let Incoming::Reply {
            id: 4,
            result: Err(error),
        } = decode_host_message(
            r#"{"id":4,"status":"error","error":{"code":"daemon_unavailable","message":"no"}}"#,
        )
        else {
            panic!("expected an error reply to 4")
        };
        assert_eq!(error.code, ErrorCode::DaemonUnavailable);
    }

    #[test]
    fn odd_host_messages_are_contained() {
        assert_eq!(
            decode_host_message(
                r#"{"id":null,"status":"error","error":{"code":"message_too_large","message":"big"}}"#
            ),
            Incoming::Unaddressed(ErrorBody::new(ErrorCode::MessageTooLarge, "big"))
        );
        // A reply with our id but a broken body still ends that request.
        let Incoming::Reply {
            id: 5,
            result: Err(error),
        } = decode_host_message(r#"{"id":5,"status":"maybe"}"#)
        else {
            panic!("expected a failed reply to 5")
        };
        assert_eq!(error.code, ErrorCode::Internal);
        for text in [
            r#"{"id":"x","status":"ok","data":1}"#,
            r#"{"id":-1,"status":"ok","data":1}"#,
            "[]",
            "{",
        ] {
            assert!(
                matches!(decode_host_message(text), Incoming::Ignored(_)),
                "{text}"
            );
        }
    }

    #[test]
    fn replies_made_by_the_shared_crate_decode() {
        let reply = Reply::ok(RequestId::number(9), &HelloData::current());
        let text = String::from_utf8(reply.to_bytes()).unwrap_or_default();
        let Incoming::Reply { id: 9, result } = decode_host_message(&text) else {
            panic!("expected a reply to 9")
        };
        assert_eq!(accept_hello(result), Ok(HelloData::current()));
        // And the request we send parses on the other side.
        let sent = Request::hello()
            .to_envelope(&RequestId::number(9))
            .to_string();
        assert!(switchyard_shared::protocol::parse_request(sent.as_bytes()).is_ok());
    }

    #[test]
    fn hello_outside_our_protocol_range_is_refused() {
        let mut hello = HelloData::current();
        hello.min_protocol_version = PROTOCOL_VERSION + 1;
        hello.protocol_version = PROTOCOL_VERSION + 2;
        let error = accept_hello(
            serde_json::to_value(&hello).map_err(|_| timeout_error(REQUEST_TIMEOUT_MS)),
        )
        .expect_err("a newer-only daemon must be refused");
        assert_eq!(error.code, ErrorCode::UnsupportedProtocolVersion);
        let error = accept_hello(Ok(json!({"protocol_version": 1}))).expect_err("bad shape");
        assert_eq!(error.code, ErrorCode::Internal);
        let refused = ErrorBody::new(ErrorCode::UnsupportedProtocolVersion, "old");
        assert_eq!(accept_hello(Err(refused.clone())), Err(refused));
    }

    #[test]
    fn hello_and_status_make_the_connection_state() {
        let state = connected(HelloData::current(), Ok(status_json()));
        let ConnectionState::Connected { status, .. } = &state else {
            panic!("expected connected")
        };
        assert_eq!(status.aws, AwsTarget::Aws);
        assert_eq!(
            status.credentials,
            CredentialsState {
                configured: false,
                source: None
            }
        );
        assert!(matches!(
            connected(HelloData::current(), Ok(json!({}))),
            ConnectionState::Failed { error } if error.code == ErrorCode::Internal
        ));
        let timeout = ConnectionState::Failed {
            error: timeout_error(REQUEST_TIMEOUT_MS),
        };
        assert_eq!(
            connected(HelloData::current(), Err(timeout_error(REQUEST_TIMEOUT_MS))),
            timeout
        );
    }

    #[test]
    fn switch_requests_stay_in_the_worker_and_roles_are_relayed() {
        let text = r#"{"type":"switch","role_arn":"arn:aws:iam::111111111111:role/A","display_name":"A","color":"e6194b","new_tab":true}"#;
        let request = decode_page_request(text).unwrap();
        assert_eq!(
            request,
            PageRequest::Switch(SwitchRequest {
                role_arn: "arn:aws:iam::111111111111:role/A".into(),
                display_name: "A".into(),
                color: "e6194b".into(),
                new_tab: true,
                region: None,
                base: None,
                sso: None,
                identity_center: false,
            })
        );
        assert_eq!(request.to_host(), None);
        assert_eq!(
            serde_json::from_str::<Value>(&serde_json::to_string(&request).unwrap()).unwrap(),
            serde_json::from_str::<Value>(text).unwrap()
        );
        let typo =
            r#"{"type":"switch","role_arn":"a","display_name":"","color":"","new_tba":true}"#;
        assert!(decode_page_request(typo).is_err());
        let page = |offset, reading: Option<&str>| {
            Some(Request::RolesList(RolesListParams {
                offset,
                reading: reading.map(str::to_owned),
                page_bytes: Some(EXTENSION_PAGE_BYTES),
                ..RolesListParams::default()
            }))
        };
        assert_eq!(
            decode_page_request(r#"{"type":"roles_list"}"#)
                .unwrap()
                .to_host(),
            page(0, None)
        );
        assert_eq!(
            decode_page_request(r#"{"type":"roles_list","offset":2400,"reading":"r1"}"#)
                .unwrap()
                .to_host(),
            page(2400, Some("r1"))
        );
        assert!(decode_page_request(r#"{"type":"roles_list","offset":-1}"#).is_err());
        assert_eq!(
            decode_page_request(r#"{"type":"roles_list","lists_only":true}"#)
                .unwrap()
                .to_host(),
            Some(Request::RolesList(RolesListParams {
                lists_only: true,
                page_bytes: Some(EXTENSION_PAGE_BYTES),
                ..RolesListParams::default()
            }))
        );
    }

    #[test]
    fn page_requests_and_answers_round_trip() {
        assert_eq!(
            decode_page_request(r#"{"type":"connection_state"}"#),
            Ok(PageRequest::ConnectionState)
        );
        assert_eq!(
            serde_json::to_string(&PageRequest::ConnectionState).unwrap_or_default(),
            r#"{"type":"connection_state"}"#
        );
        for bad in [r#"{"type":"launch"}"#, "{}", "null"] {
            assert_eq!(
                decode_page_request(bad).map_err(|e| e.code),
                Err(ErrorCode::InvalidRequest)
            );
        }
        let state = connected(HelloData::current(), Ok(status_json()));
        let text = serde_json::to_string(&state).unwrap_or_default();
        assert_eq!(decode_connection_state(Ok(Some(text))), state);
        let page_error = serde_json::to_string(&PageError {
            error: timeout_error(REQUEST_TIMEOUT_MS),
        })
        .unwrap_or_default();
        assert_eq!(
            decode_connection_state(Ok(Some(page_error))),
            ConnectionState::Failed {
                error: timeout_error(REQUEST_TIMEOUT_MS)
            }
        );
        for answer in [
            Ok(None),
            Ok(Some("42".to_owned())),
            Err("Receiving end does not exist.".to_owned()),
        ] {
            assert!(matches!(
                decode_connection_state(answer),
                ConnectionState::Failed { error } if error.code == ErrorCode::Internal
            ));
        }
    }

    /// The host request (as sent, id 1) and timeout a page message becomes.
    fn relayed(text: &str) -> Option<(String, u32)> {
        decode_page_request(text)
            .ok()
            .and_then(|request| request.to_host())
            .map(|request| {
                let timeout = timeout_ms(&request);
                (
                    request.to_envelope(&RequestId::number(1)).to_string(),
                    timeout,
                )
            })
    }

    #[test]
    fn relayed_page_requests_become_host_requests() {
        assert_eq!(relayed(r#"{"type":"connection_state"}"#), None);
        assert_eq!(
            relayed(r#"{"type":"identity"}"#),
            Some((r#"{"id":1,"type":"identity"}"#.to_owned(), 10_000))
        );
        assert_eq!(
            relayed(r#"{"type":"accounts_list"}"#),
            Some((r#"{"id":1,"type":"accounts.list"}"#.to_owned(), 60_000))
        );
        assert_eq!(
            relayed(r#"{"type":"mfa_submit","code":"123456"}"#),
            Some((
                r#"{"code":"123456","id":1,"type":"mfa.submit"}"#.to_owned(),
                10_000
            ))
        );
        // A waiting command's profile (from `mfa.pending`) goes with the code.
        assert_eq!(
            relayed(r#"{"type":"mfa_submit","code":"123456","profile":"work"}"#),
            Some((
                r#"{"code":"123456","id":1,"profile":"work","type":"mfa.submit"}"#.to_owned(),
                10_000
            ))
        );
        assert_eq!(
            relayed(r#"{"type":"mfa_pending"}"#),
            Some((r#"{"id":1,"type":"mfa.pending"}"#.to_owned(), 10_000))
        );
        assert_eq!(
            relayed(r#"{"type":"closures_list"}"#),
            Some((r#"{"id":1,"type":"closures.list"}"#.to_owned(), 10_000))
        );
        // The options page's start-URL sign-in.
        assert_eq!(
            relayed(
                r#"{"type":"sso_login_url","start_url":"https://acme.awsapps.com/start","region":"eu-west-1"}"#
            )
            .map(|(text, _)| text),
            Some(
                r#"{"id":1,"region":"eu-west-1","start_url":"https://acme.awsapps.com/start","type":"sso.login"}"#
                    .to_owned()
            )
        );
        for bad in [
            r#"{"type":"mfa_submit"}"#,
            r#"{"type":"mfa_submit","code":1}"#,
            r#"{"type":"sso_login_url","start_url":"https://acme.awsapps.com/start"}"#,
        ] {
            assert!(decode_page_request(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn users_page_requests_are_relayed_with_a_longer_timeout() {
        assert_eq!(
            relayed(r#"{"type":"users_list","account_id":"111111111111"}"#),
            Some((
                r#"{"account_id":"111111111111","id":1,"type":"users.list"}"#.to_owned(),
                60_000
            ))
        );
        assert_eq!(
            relayed(r#"{"type":"users_create","user_name":"bot","api":true}"#),
            Some((
                r#"{"api":true,"id":1,"type":"users.create","user_name":"bot"}"#.to_owned(),
                60_000
            ))
        );
        assert_eq!(
            relayed(r#"{"type":"users_remove","user_name":"bot","confirm":"bot"}"#),
            Some((
                r#"{"confirm":"bot","id":1,"type":"users.remove","user_name":"bot"}"#.to_owned(),
                60_000
            ))
        );
        assert_eq!(
            relayed(r#"{"type":"mfa_setup"}"#),
            Some((r#"{"id":1,"type":"mfa.setup"}"#.to_owned(), 60_000))
        );
        assert_eq!(
            relayed(r#"{"type":"mfa_enable","serial":"arn:aws:iam::1:mfa/a","code1":"123456","code2":"654321"}"#)
                .map(|(_, ms)| ms),
            Some(60_000)
        );
        // A page's message round-trips, and typos are refused as for the host.
        let create = PageRequest::UsersCreate(UsersCreateParams {
            profile: None,
            account_id: None,
            role_name: None,
            user_name: "bot".into(),
            console: false,
            password: None,
            api: true,
            groups: vec![],
            policies: vec![],
            tags: vec![],
            store_profile: Some("bot".into()),
        });
        let text = serde_json::to_string(&create).unwrap_or_default();
        assert_eq!(decode_page_request(&text), Ok(create));
        for bad in [
            r#"{"type":"users_list","acount_id":"111111111111"}"#,
            r#"{"type":"users_remove","user_name":"bot"}"#,
            r#"{"type":"mfa_enable","serial":"s","code1":"1"}"#,
        ] {
            assert!(decode_page_request(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn relayed_answers_reach_the_page() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Pong {
            pong: bool,
        }
        let ok = encode_page_answer(Ok(json!({"pong": true})));
        assert_eq!(decode_page_answer(Ok(Some(ok))), Ok(Pong { pong: true }));
        let refused = ErrorBody::new(ErrorCode::MfaCodeInvalid, "wrong code");
        let failed = encode_page_answer(Err(refused.clone()));
        assert_eq!(decode_page_answer::<Pong>(Ok(Some(failed))), Err(refused));
        for answer in [
            Ok(None),
            Ok(Some("42".to_owned())),
            Ok(Some(r#"{"data":{"pong":"yes"}}"#.to_owned())),
            Err("Receiving end does not exist.".to_owned()),
        ] {
            assert_eq!(
                decode_page_answer::<Pong>(answer).map_err(|e| e.code),
                Err(ErrorCode::Internal)
            );
        }
        assert!(timeout_error(ACCOUNTS_TIMEOUT_MS)
            .message
            .contains("60 seconds"));
    }

    #[test]
    fn backticks_become_code_spans() {
        let shown = |text| {
            code_spans(text)
                .iter()
                .map(|s| {
                    if s.code {
                        format!("<{}>", s.text)
                    } else {
                        s.text.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("|")
        };
        assert_eq!(
            shown("Run `switchyard install` now."),
            "Run |<switchyard install>| now."
        );
        assert_eq!(shown("`a``b`"), "<a>|<b>");
        assert_eq!(shown("one ` stray"), "one ` stray");
        assert_eq!(shown("`x` and ` stray"), "<x>| and ` stray");
        assert_eq!(shown(""), "");
    }

    /// The wire name of a `Request` variant: `AccountCheckEmail` → `account.check_email`,
    /// `IdentityCenterOptions` → `identity_center.options` (the type whose letters are the
    /// variant's); the variant itself when none is.
    fn wire_name(variant: &str) -> String {
        let letters = variant.to_ascii_lowercase();
        Request::TYPES
            .iter()
            .find(|kind| kind.replace(['.', '_'], "") == letters)
            .map_or_else(|| variant.to_owned(), |kind| (*kind).to_owned())
    }

    /// Every request the extension builds (each `Request::Variant` in its sources, and
    /// `Request::hello()`) is one the host relays, and the host relays nothing else:
    /// `extension_ids::RELAYED_TYPES` is this crate's list.
    #[test]
    fn the_host_relays_exactly_what_the_extension_sends() {
        use std::collections::BTreeSet;
        use switchyard_shared::extension_ids::RELAYED_TYPES;
        let mut sources = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
        let mut sent = BTreeSet::new();
        while let Some(path) = sources.pop() {
            if path.is_dir() {
                sources.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            // Code only: comments name variants without sending them.
            let text: String = std::fs::read_to_string(&path)
                .unwrap()
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            for (at, _) in text.match_indices("Request::") {
                let before = text[..at].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue; // PageRequest::…
                }
                let name: String = text[at + "Request::".len()..]
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect();
                match name.as_str() {
                    "hello" => {
                        sent.insert("hello".to_owned());
                    }
                    "TYPES" | "" => {}
                    variant if variant.starts_with(|c: char| c.is_ascii_uppercase()) => {
                        sent.insert(wire_name(variant));
                    }
                    _ => {}
                }
            }
        }
        for kind in &sent {
            assert!(
                Request::TYPES.contains(&kind.as_str()),
                "{kind} is no message"
            );
        }
        let relayed: BTreeSet<String> = RELAYED_TYPES.iter().map(|k| (*k).to_owned()).collect();
        assert_eq!(relayed, sent);
    }
}
