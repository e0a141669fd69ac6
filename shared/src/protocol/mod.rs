//! The Switchyard wire protocol, version 1, spoken on every hop: extension ⇄ host
//! (native messaging), host ⇄ daemon (HTTP over a Unix socket) and CLI ⇄ daemon.
//!
//! A request is a JSON object `{"id": …, "type": "hello", …parameters}`. A reply is
//! `{"id": …, "status": "ok", "data": {…}}` or
//! `{"id": …, "status": "error", "error": {"code": "…", "message": "…"}}`, echoing the
//! request's id, or `null` when the request could not be read far enough to find it.
//! `PROTOCOL.md` at the repository root documents every message and error code.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub mod aws;
pub mod json_depth;
pub mod provision;
pub mod roles;
pub mod sso;
pub mod switch;
pub mod users;

pub use aws::{AccountsListParams, IdentityData, MfaSubmitParams, ProfileParams};

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u32 = 1;
/// The oldest protocol version this build still accepts from a peer.
pub const MIN_PROTOCOL_VERSION: u32 = 1;

/// Largest message the host accepts from the browser (the 4-byte length it reads).
///
/// Our requests are small; a megabyte leaves room for future imports of configuration
/// while keeping a misbehaving peer from making the host allocate without bound.
pub const MAX_INCOMING_MESSAGE: usize = 1024 * 1024;
/// Largest message the host may send to the browser: Chromium's own limit is 1 MB.
pub const MAX_OUTGOING_MESSAGE: usize = 1024 * 1024;

/// What this build of the daemon can do (every message it understands); the extension
/// gates features on this list.
pub const CAPABILITIES: &[&str] = Request::TYPES;

/// A stable, machine-readable error code.
///
/// The strings are part of the protocol: never rename or reuse one, only append.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The message is not valid JSON.
    InvalidJson,
    /// The message is not valid UTF-8.
    InvalidUtf8,
    /// The message is JSON but not an object.
    NotAnObject,
    /// The message nests arrays/objects deeper than [`json_depth::MAX_DEPTH`].
    NestingTooDeep,
    /// The envelope is wrong: `id` or `type` missing or of the wrong kind.
    InvalidRequest,
    /// `type` names no message this peer knows.
    UnknownType,
    /// The parameters of a known message are missing or wrong.
    InvalidParams,
    /// The peer's protocol version is outside what this build supports.
    UnsupportedProtocolVersion,
    /// An incoming frame is larger than [`MAX_INCOMING_MESSAGE`].
    MessageTooLarge,
    /// A reply would be larger than [`MAX_OUTGOING_MESSAGE`].
    ReplyTooLarge,
    /// The input ended in the middle of a frame.
    FrameTruncated,
    /// The browser named a caller that is not an allowed extension.
    OriginNotAllowed,
    /// The host could not reach or start the daemon.
    DaemonUnavailable,
    /// The daemon refused a connection from another user.
    PeerNotAllowed,
    /// The native-messaging host is not registered with this browser.
    HostNotRegistered,
    /// The browser refused this extension access to the host.
    HostForbidden,
    /// The native-messaging host exited or the port closed.
    HostDisconnected,
    /// No reply arrived in time.
    Timeout,
    /// A bug or an unexpected failure inside Switchyard.
    Internal,
    /// No credentials are stored for the profile.
    CredentialsMissing,
    /// The OS keyring is locked, absent or failing.
    KeyringUnavailable,
    /// AWS rejected the credentials (unknown, deleted or wrong key).
    AwsAuthFailed,
    /// AWS kept throttling after the SDK's retries.
    AwsThrottled,
    /// AWS (or the endpoint override) could not be reached.
    AwsUnreachable,
    /// Another AWS error; the message carries AWS's code and text.
    AwsFailed,
    /// The profile has an MFA device and no live session: send `mfa.submit` with a code.
    MfaRequired,
    /// AWS refused the MFA code (wrong, reused or out of time); ask for a new one.
    MfaCodeInvalid,
    /// The caller may not do this (IAM denied it); the message names the action.
    AccessDenied,
    /// A switch target's ARN, account id, role name, display name or color is not valid;
    /// refused before any request.
    InvalidTarget,
    /// The sign-in endpoint refused the federation token exchange or answered without a
    /// token.
    SigninFailed,
    /// The sign-in endpoint could not be reached or did not answer in time.
    SigninUnreachable,
    /// A user name breaks IAM's rule (1 to 64 letters, digits and `+=,.@_-`).
    InvalidUserName,
    /// A console password breaks the account's password policy; the message names each rule.
    PasswordPolicyViolation,
    /// A user of that name already exists in the account.
    UserExists,
    /// No user of that name exists in the account.
    UserNotFound,
    /// A destructive request's confirmation does not name the thing destroyed.
    ConfirmationMismatch,
    /// A field of `account.create` is not valid (name, e-mail, role, group, policy, user,
    /// tag, OU) or names an unknown user; refused before anything is created.
    InvalidAccountRequest,
    /// An account, an in-flight CreateAccount request or a running job already uses the
    /// e-mail.
    EmailInUse,
    /// AWS did not create the account; the message turns its FailureReason into a remedy.
    AccountCreationFailed,
    /// No provisioning job has this id.
    JobNotFound,
    /// The job cannot be resumed or cancelled in its state (done, failed).
    JobNotResumable,
    /// The account may not be closed: the management account, or the CloseAccount quota
    /// is used up.
    CloseNotAllowed,
    /// The daemon's state folder cannot be written (the disk is full or read-only); a
    /// job paused for it goes on by itself once writing works again.
    StateDirUnwritable,
    /// A later page of `roles.list` names a reading the daemon no longer has (unknown,
    /// or older than its time to live): read again from the first page.
    ReadingExpired,
    /// The socket's folder, or the process answering on the socket, is not the user's own
    /// (or its answer, a login URL off AWS's sign-in hosts, was refused): nothing was sent
    /// to it, or nothing it answered was used.
    DaemonNotTrusted,
    /// The native-messaging host relays only the message types the extension sends; this
    /// one is for the CLI (`switchyard`) only.
    TypeNotRelayed,
    /// An account name, group or inline policy of `account.create` already belongs to
    /// another account (or a running job); the message names it and the fields that
    /// choose other names. Nothing was changed.
    NameInUse,
    /// `users.remove` names the user the profile itself signs in as, without
    /// `allow_self`.
    SelfRemoval,
    /// `account.close` names an account that is already closed or closing
    /// (PENDING_CLOSURE, SUSPENDED, CLOSED): nothing was closed.
    AccountClosed,
    /// A root task needs centralized root access (IAM trusted in Organizations,
    /// RootCredentialsManagement and RootSessions enabled); the message says what is off
    /// and the manual way.
    RootAccessOff,
    /// The IAM Identity Center session has no usable token (never signed in, signed out,
    /// or its refresh token ended or was revoked): sign in again (`switchyard sso login`).
    SsoLoginRequired,
    /// An Identity Center sign-in did not complete: refused in the browser, not approved
    /// in time, or answered with another sign-in's state.
    SsoLoginFailed,
    /// The CloseAccount quota (per rolling 30 days) has no room now: nothing was closed;
    /// `account.close` with `queue` queues the closure. The message counts and says when
    /// the quota frees.
    CloseQuotaReached,
}

impl ErrorCode {
    /// Every code, in the order they were added (append only).
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::InvalidJson,
        ErrorCode::InvalidUtf8,
        ErrorCode::NotAnObject,
        ErrorCode::NestingTooDeep,
        ErrorCode::InvalidRequest,
        ErrorCode::UnknownType,
        ErrorCode::InvalidParams,
        ErrorCode::UnsupportedProtocolVersion,
        ErrorCode::MessageTooLarge,
        ErrorCode::ReplyTooLarge,
        ErrorCode::FrameTruncated,
        ErrorCode::OriginNotAllowed,
        ErrorCode::DaemonUnavailable,
        ErrorCode::PeerNotAllowed,
        ErrorCode::HostNotRegistered,
        ErrorCode::HostForbidden,
        ErrorCode::HostDisconnected,
        ErrorCode::Timeout,
        ErrorCode::Internal,
        ErrorCode::CredentialsMissing,
        ErrorCode::KeyringUnavailable,
        ErrorCode::AwsAuthFailed,
        ErrorCode::AwsThrottled,
        ErrorCode::AwsUnreachable,
        ErrorCode::AwsFailed,
        ErrorCode::MfaRequired,
        ErrorCode::MfaCodeInvalid,
        ErrorCode::AccessDenied,
        ErrorCode::InvalidTarget,
        ErrorCode::SigninFailed,
        ErrorCode::SigninUnreachable,
        ErrorCode::InvalidUserName,
        ErrorCode::PasswordPolicyViolation,
        ErrorCode::UserExists,
        ErrorCode::UserNotFound,
        ErrorCode::ConfirmationMismatch,
        ErrorCode::InvalidAccountRequest,
        ErrorCode::EmailInUse,
        ErrorCode::AccountCreationFailed,
        ErrorCode::JobNotFound,
        ErrorCode::JobNotResumable,
        ErrorCode::CloseNotAllowed,
        ErrorCode::StateDirUnwritable,
        ErrorCode::ReadingExpired,
        ErrorCode::DaemonNotTrusted,
        ErrorCode::TypeNotRelayed,
        ErrorCode::NameInUse,
        ErrorCode::SelfRemoval,
        ErrorCode::AccountClosed,
        ErrorCode::RootAccessOff,
        ErrorCode::SsoLoginRequired,
        ErrorCode::SsoLoginFailed,
        ErrorCode::CloseQuotaReached,
    ];

    /// The wire string of this code.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidUtf8 => "invalid_utf8",
            ErrorCode::NotAnObject => "not_an_object",
            ErrorCode::NestingTooDeep => "nesting_too_deep",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::UnknownType => "unknown_type",
            ErrorCode::InvalidParams => "invalid_params",
            ErrorCode::UnsupportedProtocolVersion => "unsupported_protocol_version",
            ErrorCode::MessageTooLarge => "message_too_large",
            ErrorCode::ReplyTooLarge => "reply_too_large",
            ErrorCode::FrameTruncated => "frame_truncated",
            ErrorCode::OriginNotAllowed => "origin_not_allowed",
            ErrorCode::DaemonUnavailable => "daemon_unavailable",
            ErrorCode::PeerNotAllowed => "peer_not_allowed",
            ErrorCode::HostNotRegistered => "host_not_registered",
            ErrorCode::HostForbidden => "host_forbidden",
            ErrorCode::HostDisconnected => "host_disconnected",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Internal => "internal",
            ErrorCode::CredentialsMissing => "credentials_missing",
            ErrorCode::KeyringUnavailable => "keyring_unavailable",
            ErrorCode::AwsAuthFailed => "aws_auth_failed",
            ErrorCode::AwsThrottled => "aws_throttled",
            ErrorCode::AwsUnreachable => "aws_unreachable",
            ErrorCode::AwsFailed => "aws_failed",
            ErrorCode::MfaRequired => "mfa_required",
            ErrorCode::MfaCodeInvalid => "mfa_code_invalid",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::InvalidTarget => "invalid_target",
            ErrorCode::SigninFailed => "signin_failed",
            ErrorCode::SigninUnreachable => "signin_unreachable",
            ErrorCode::InvalidUserName => "invalid_user_name",
            ErrorCode::PasswordPolicyViolation => "password_policy_violation",
            ErrorCode::UserExists => "user_exists",
            ErrorCode::UserNotFound => "user_not_found",
            ErrorCode::ConfirmationMismatch => "confirmation_mismatch",
            ErrorCode::InvalidAccountRequest => "invalid_account_request",
            ErrorCode::EmailInUse => "email_in_use",
            ErrorCode::AccountCreationFailed => "account_creation_failed",
            ErrorCode::JobNotFound => "job_not_found",
            ErrorCode::JobNotResumable => "job_not_resumable",
            ErrorCode::CloseNotAllowed => "close_not_allowed",
            ErrorCode::StateDirUnwritable => "state_dir_unwritable",
            ErrorCode::ReadingExpired => "reading_expired",
            ErrorCode::DaemonNotTrusted => "daemon_not_trusted",
            ErrorCode::TypeNotRelayed => "type_not_relayed",
            ErrorCode::NameInUse => "name_in_use",
            ErrorCode::SelfRemoval => "self_removal",
            ErrorCode::AccountClosed => "account_closed",
            ErrorCode::RootAccessOff => "root_access_off",
            ErrorCode::SsoLoginRequired => "sso_login_required",
            ErrorCode::SsoLoginFailed => "sso_login_failed",
            ErrorCode::CloseQuotaReached => "close_quota_reached",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `error` object of a failed reply: a stable code and a sentence a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody {
            code,
            message: message.into(),
        }
    }
}

/// Parameters of `hello`: what the caller speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelloParams {
    pub protocol_version: u32,
    /// The caller's own version, for logs and `status`; free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
    /// What the caller can do; unknown entries are ignored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
}

/// A request's `type` and parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    Hello(HelloParams),
    Ping,
    Status,
    Identity(ProfileParams),
    #[serde(rename = "accounts.list")]
    AccountsList(AccountsListParams),
    #[serde(rename = "mfa.submit")]
    MfaSubmit(MfaSubmitParams),
    #[serde(rename = "credentials.rotate")]
    CredentialsRotate(ProfileParams),
    #[serde(rename = "roles.list")]
    RolesList(roles::RolesListParams),
    #[serde(rename = "roles.import")]
    RolesImport(roles::RolesImportParams),
    #[serde(rename = "switch.federate")]
    SwitchFederate(switch::FederateParams),
    #[serde(rename = "users.list")]
    UsersList(users::UsersListParams),
    #[serde(rename = "users.create")]
    UsersCreate(users::UsersCreateParams),
    #[serde(rename = "users.remove")]
    UsersRemove(users::UsersRemoveParams),
    #[serde(rename = "account.create")]
    AccountCreate(provision::CreateAccountParams),
    #[serde(rename = "jobs.list")]
    JobsList,
    #[serde(rename = "job.status")]
    JobStatus(provision::JobIdParams),
    #[serde(rename = "jobs.resume")]
    JobsResume(provision::JobIdParams),
    #[serde(rename = "jobs.cancel")]
    JobsCancel(provision::JobIdParams),
    #[serde(rename = "mfa.setup")]
    MfaSetup(users::MfaSetupParams),
    #[serde(rename = "mfa.enable")]
    MfaEnable(users::MfaEnableParams),
    #[serde(rename = "account.close")]
    AccountClose(provision::CloseAccountParams),
    #[serde(rename = "account.check_email")]
    AccountCheckEmail(provision::CheckEmailParams),
    #[serde(rename = "profiles.list")]
    ProfilesList,
    #[serde(rename = "roles.sources")]
    RolesSources(ProfileParams),
    #[serde(rename = "job.watch")]
    JobWatch(provision::JobWatchParams),
    #[serde(rename = "provision.allowed")]
    ProvisionAllowed(ProfileParams),
    #[serde(rename = "accounts.set")]
    AccountsSet(aws::AccountsSetParams),
    #[serde(rename = "credentials.get")]
    CredentialsGet(aws::CredentialsGetParams),
    #[serde(rename = "sessions.end")]
    SessionsEnd(aws::SessionsEndParams),
    #[serde(rename = "account.root")]
    AccountRoot(provision::RootAccessParams),
    #[serde(rename = "identity_center.options")]
    IdentityCenterOptions(ProfileParams),
    #[serde(rename = "sso.login")]
    SsoLogin(sso::SsoLoginParams),
    #[serde(rename = "sso.status")]
    SsoStatus(sso::SsoSessionParams),
    #[serde(rename = "sso.logout")]
    SsoLogout(sso::SsoSessionParams),
    #[serde(rename = "jobs.prune")]
    JobsPrune(provision::JobsPruneParams),
    #[serde(rename = "mfa.wait")]
    MfaWait(aws::MfaWaitParams),
    #[serde(rename = "mfa.pending")]
    MfaPending,
    #[serde(rename = "closures.list")]
    ClosuresList,
}

impl Request {
    /// The `type` strings this build understands.
    pub const TYPES: &'static [&'static str] = &[
        "hello",
        "ping",
        "status",
        "identity",
        "accounts.list",
        "mfa.submit",
        "credentials.rotate",
        "roles.list",
        "roles.import",
        "switch.federate",
        "users.list",
        "users.create",
        "users.remove",
        "account.create",
        "jobs.list",
        "job.status",
        "jobs.resume",
        "jobs.cancel",
        "mfa.setup",
        "mfa.enable",
        "account.close",
        "account.check_email",
        "profiles.list",
        "roles.sources",
        "job.watch",
        "provision.allowed",
        "accounts.set",
        "credentials.get",
        "sessions.end",
        "account.root",
        "identity_center.options",
        "sso.login",
        "sso.status",
        "sso.logout",
        "jobs.prune",
        "mfa.wait",
        "mfa.pending",
        "closures.list",
    ];

    /// Whether the message of this `type` takes no parameters at all (a unit variant).
    /// Decided by the variant itself: a new message is sorted here or does not compile.
    pub fn takes_no_parameters(kind: &str) -> bool {
        let Ok(request) = serde_json::from_value::<Request>(serde_json::json!({ "type": kind }))
        else {
            return false;
        };
        match request {
            Request::Ping
            | Request::Status
            | Request::JobsList
            | Request::ProfilesList
            | Request::MfaPending
            | Request::ClosuresList => true,
            Request::Hello(_)
            | Request::Identity(_)
            | Request::AccountsList(_)
            | Request::MfaSubmit(_)
            | Request::CredentialsRotate(_)
            | Request::RolesList(_)
            | Request::RolesImport(_)
            | Request::SwitchFederate(_)
            | Request::UsersList(_)
            | Request::UsersCreate(_)
            | Request::UsersRemove(_)
            | Request::AccountCreate(_)
            | Request::JobStatus(_)
            | Request::JobsResume(_)
            | Request::JobsCancel(_)
            | Request::MfaSetup(_)
            | Request::MfaEnable(_)
            | Request::AccountClose(_)
            | Request::AccountCheckEmail(_)
            | Request::RolesSources(_)
            | Request::JobWatch(_)
            | Request::ProvisionAllowed(_)
            | Request::AccountsSet(_)
            | Request::CredentialsGet(_)
            | Request::SessionsEnd(_)
            | Request::AccountRoot(_)
            | Request::IdentityCenterOptions(_)
            | Request::SsoLogin(_)
            | Request::SsoStatus(_)
            | Request::SsoLogout(_)
            | Request::JobsPrune(_)
            | Request::MfaWait(_) => false,
        }
    }

    /// Whether the request only reads (the daemon's state, AWS, the keyring): sending it
    /// a second time has the effect of sending it once. A client whose daemon went away
    /// after the request was written, before any answer, sends such a request again
    /// (to a new daemon); any other one it must not, since the daemon may have acted on
    /// it (`account.create`'s e-mail check would refuse the copy, but `mfa.submit` would
    /// spend the code, `credentials.rotate` rotate twice, `users.create` answer
    /// `user_exists`): the caller is told to look before trying again.
    pub fn only_reads(&self) -> bool {
        match self {
            Request::Hello(_)
            | Request::Ping
            | Request::Status
            | Request::Identity(_)
            | Request::AccountsList(_)
            | Request::RolesList(_)
            | Request::RolesSources(_)
            | Request::ProfilesList
            | Request::JobsList
            | Request::JobStatus(_)
            | Request::JobWatch(_)
            | Request::ProvisionAllowed(_)
            | Request::AccountCheckEmail(_)
            | Request::UsersList(_)
            // AssumeRole and a sign-in token: nothing is kept, a second URL is as good.
            | Request::SwitchFederate(_)
            // Temporary credentials from the cache or a new session: a second answer is
            // as good as the first.
            | Request::CredentialsGet(_)
            | Request::IdentityCenterOptions(_)
            | Request::SsoStatus(_)
            // Waiting for a session another client starts changes nothing by itself.
            | Request::MfaWait(_)
            | Request::MfaPending
            | Request::ClosuresList => true,
            // A dry run only reads.
            Request::JobsPrune(p) => p.dry_run,
            Request::MfaSubmit(_)
            | Request::CredentialsRotate(_)
            | Request::RolesImport(_)
            | Request::UsersCreate(_)
            | Request::UsersRemove(_)
            | Request::AccountCreate(_)
            | Request::JobsResume(_)
            | Request::JobsCancel(_)
            | Request::MfaSetup(_)
            | Request::MfaEnable(_)
            | Request::AccountClose(_)
            | Request::AccountsSet(_)
            | Request::SessionsEnd(_)
            // It may change the root user (AssumeRoot tasks).
            | Request::AccountRoot(_)
            // Starts (or joins) a sign-in; a resend may start a second one.
            | Request::SsoLogin(_)
            // Revokes the tokens.
            | Request::SsoLogout(_) => false,
        }
    }

    /// The profile a request names, where it takes one: the extension fills in the
    /// profile chosen on its options page through this. `None` for messages that are
    /// not about a profile.
    pub fn profile_mut(&mut self) -> Option<&mut Option<String>> {
        match self {
            Request::Hello(_)
            | Request::Ping
            | Request::Status
            | Request::JobsList
            | Request::JobStatus(_)
            | Request::JobsResume(_)
            | Request::JobsCancel(_)
            | Request::JobWatch(_)
            | Request::ProfilesList
            // Identity Center sessions are not credentials profiles: the options page's
            // profile must not pick one.
            | Request::SsoLogin(_)
            | Request::SsoStatus(_)
            | Request::SsoLogout(_)
            | Request::JobsPrune(_)
            | Request::MfaPending
            | Request::ClosuresList => None,
            Request::Identity(p)
            | Request::CredentialsRotate(p)
            | Request::RolesSources(p)
            | Request::ProvisionAllowed(p)
            | Request::IdentityCenterOptions(p) => Some(&mut p.profile),
            Request::AccountsList(p) => Some(&mut p.profile),
            Request::AccountsSet(p) => Some(&mut p.profile),
            Request::MfaSubmit(p) => Some(&mut p.profile),
            Request::RolesList(p) => Some(&mut p.profile),
            Request::RolesImport(p) => Some(&mut p.profile),
            Request::SwitchFederate(p) => Some(&mut p.profile),
            Request::UsersList(p) => Some(&mut p.profile),
            Request::UsersCreate(p) => Some(&mut p.profile),
            Request::UsersRemove(p) => Some(&mut p.profile),
            Request::AccountCreate(p) => Some(&mut p.profile),
            Request::MfaSetup(p) => Some(&mut p.profile),
            Request::MfaEnable(p) => Some(&mut p.profile),
            Request::AccountClose(p) => Some(&mut p.profile),
            Request::AccountCheckEmail(p) => Some(&mut p.profile),
            Request::CredentialsGet(p) => Some(&mut p.profile),
            Request::SessionsEnd(p) => Some(&mut p.profile),
            Request::AccountRoot(p) => Some(&mut p.profile),
            Request::MfaWait(p) => Some(&mut p.profile),
        }
    }

    /// Fill in `profile` where the request takes one and names none.
    pub fn with_default_profile(mut self, profile: Option<&str>) -> Request {
        if let (Some(slot), Some(profile)) = (self.profile_mut(), profile) {
            if slot.is_none() {
                *slot = Some(profile.to_owned());
            }
        }
        self
    }

    /// The `hello` this build sends.
    pub fn hello() -> Request {
        Request::Hello(HelloParams {
            protocol_version: PROTOCOL_VERSION,
            app_version: Some(crate::APP_VERSION.to_owned()),
            capabilities: Vec::new(),
        })
    }

    /// The full request envelope with `id`, as sent on the wire.
    pub fn to_envelope(&self, id: &RequestId) -> Value {
        let mut object = match serde_json::to_value(self) {
            Ok(Value::Object(object)) => object,
            // An internally tagged enum always serializes to an object.
            _ => Map::new(),
        };
        object.insert("id".to_owned(), id.0.clone());
        Value::Object(object)
    }
}

/// A request id: a string or a number chosen by the caller, echoed in the reply.
/// `RequestId::unknown()` (JSON `null`) stands for "could not be read".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestId(Value);

impl RequestId {
    pub fn unknown() -> RequestId {
        RequestId(Value::Null)
    }

    pub fn number(n: u64) -> RequestId {
        RequestId(Value::from(n))
    }

    pub fn string(s: impl Into<String>) -> RequestId {
        RequestId(Value::String(s.into()))
    }

    fn from_value(value: &Value) -> Option<RequestId> {
        match value {
            Value::String(_) | Value::Number(_) => Some(RequestId(value.clone())),
            _ => None,
        }
    }

    pub fn as_value(&self) -> &Value {
        &self.0
    }
}

/// A request that was read successfully.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub id: RequestId,
    pub request: Request,
}

/// A request that could not be read: the id (if it could be found) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("request {id:?} rejected: {error}")]
pub struct Rejected {
    pub id: RequestId,
    pub error: ErrorBody,
}

impl Rejected {
    fn new(id: RequestId, code: ErrorCode, message: impl Into<String>) -> Rejected {
        Rejected {
            id,
            error: ErrorBody::new(code, message),
        }
    }

    /// The error reply to send back.
    pub fn into_reply(self) -> Reply {
        Reply::error(self.id, self.error)
    }
}

/// Read one request from raw bytes, the way every receiving end of the protocol does.
pub fn parse_request(bytes: &[u8]) -> Result<Envelope, Rejected> {
    let unknown = RequestId::unknown;
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Rejected::new(
            unknown(),
            ErrorCode::InvalidUtf8,
            format!(
                "the message is not valid UTF-8 (at byte {})",
                e.valid_up_to()
            ),
        )
    })?;
    let depth = json_depth::max_depth(text.as_bytes());
    if depth > json_depth::MAX_DEPTH {
        return Err(Rejected::new(
            unknown(),
            ErrorCode::NestingTooDeep,
            format!(
                "the message nests {depth} levels deep; at most {} are allowed",
                json_depth::MAX_DEPTH
            ),
        ));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        Rejected::new(
            unknown(),
            ErrorCode::InvalidJson,
            format!("the message is not valid JSON: {e}"),
        )
    })?;
    let Value::Object(mut object) = value else {
        return Err(Rejected::new(
            unknown(),
            ErrorCode::NotAnObject,
            format!("a request must be a JSON object, not {}", json_kind(&value)),
        ));
    };
    let id = match object.remove("id") {
        None => {
            return Err(Rejected::new(
                unknown(),
                ErrorCode::InvalidRequest,
                "the request has no \"id\"; give every request a string or number id",
            ))
        }
        Some(raw) => RequestId::from_value(&raw).ok_or_else(|| {
            Rejected::new(
                unknown(),
                ErrorCode::InvalidRequest,
                format!(
                    "\"id\" must be a string or a number, not {}",
                    json_kind(&raw)
                ),
            )
        })?,
    };
    let kind = match object.get("type") {
        Some(Value::String(kind)) => kind.clone(),
        Some(other) => {
            return Err(Rejected::new(
                id,
                ErrorCode::InvalidRequest,
                format!("\"type\" must be a string, not {}", json_kind(other)),
            ))
        }
        None => {
            return Err(Rejected::new(
                id,
                ErrorCode::InvalidRequest,
                "the request has no \"type\"",
            ))
        }
    };
    if !Request::TYPES.contains(&kind.as_str()) {
        return Err(Rejected::new(
            id,
            ErrorCode::UnknownType,
            format!(
                "unknown request type {kind:?}; this daemon understands: {}",
                Request::TYPES.join(", ")
            ),
        ));
    }
    // serde lets a unit variant (`ping`, `status`, …) ignore fields it does not know even
    // under `deny_unknown_fields`: refuse them here, as every other message does.
    if Request::takes_no_parameters(&kind) {
        if let Some(field) = object.keys().find(|key| key.as_str() != "type") {
            return Err(Rejected::new(
                id,
                ErrorCode::InvalidParams,
                format!("bad parameters for {kind:?}: unknown field `{field}`, it takes none"),
            ));
        }
    }
    match serde_json::from_value::<Request>(Value::Object(object)) {
        Ok(request) => Ok(Envelope { id, request }),
        Err(e) => Err(Rejected::new(
            id,
            ErrorCode::InvalidParams,
            format!("bad parameters for {kind:?}: {e}"),
        )),
    }
}

/// Find the id of a request without validating the rest, for error replies made by a
/// relay (the host) that does not otherwise parse messages.
pub fn peek_request_id(bytes: &[u8]) -> RequestId {
    if json_depth::max_depth(bytes) > json_depth::MAX_DEPTH {
        return RequestId::unknown();
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(object)) => object
            .get("id")
            .and_then(RequestId::from_value)
            .unwrap_or_else(RequestId::unknown),
        _ => RequestId::unknown(),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A reply envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub id: RequestId,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Whether the request succeeded, with its data or its error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    Ok { data: Value },
    Error { error: ErrorBody },
}

impl Reply {
    /// A successful reply carrying `data`.
    pub fn ok<T: Serialize>(id: RequestId, data: &T) -> Reply {
        match serde_json::to_value(data) {
            Ok(data) => Reply {
                id,
                outcome: Outcome::Ok { data },
            },
            Err(e) => Reply::error(
                id,
                ErrorBody::new(ErrorCode::Internal, format!("could not encode reply: {e}")),
            ),
        }
    }

    /// The bytes of a successful reply carrying `data`, encoded in one pass (no JSON tree
    /// in between: large replies such as `accounts.list` stay cheap). The same JSON as
    /// `Reply::ok(id, data).to_bytes()`, with `data`'s fields in declaration order.
    pub fn ok_bytes<T: Serialize>(id: &RequestId, data: &T) -> Vec<u8> {
        #[derive(Serialize)]
        struct OkRef<'a, T> {
            id: &'a RequestId,
            status: &'static str,
            data: &'a T,
        }
        let reply = OkRef {
            id,
            status: "ok",
            data,
        };
        serde_json::to_vec(&reply).unwrap_or_else(|e| {
            Reply::error(
                id.clone(),
                ErrorBody::new(ErrorCode::Internal, format!("could not encode reply: {e}")),
            )
            .to_bytes()
        })
    }

    pub fn error(id: RequestId, error: ErrorBody) -> Reply {
        Reply {
            id,
            outcome: Outcome::Error { error },
        }
    }

    /// Encode for the wire. A reply is plain data, so this cannot fail in practice; the
    /// fallback keeps the envelope shape even so.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_else(|_| {
            br#"{"id":null,"status":"error","error":{"code":"internal","message":"could not encode reply"}}"#
                .to_vec()
        })
    }

    /// The data of a successful reply as `T`, or the error it carries.
    pub fn into_result<T: for<'de> Deserialize<'de>>(self) -> Result<T, ErrorBody> {
        match self.outcome {
            Outcome::Ok { data } => serde_json::from_value(data).map_err(|e| {
                ErrorBody::new(
                    ErrorCode::Internal,
                    format!("the reply's data has an unexpected shape: {e}"),
                )
            }),
            Outcome::Error { error } => Err(error),
        }
    }
}

/// Data of a `hello` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelloData {
    pub protocol_version: u32,
    pub min_protocol_version: u32,
    pub app_version: String,
    pub capabilities: Vec<String>,
}

impl HelloData {
    /// The `hello` answer of this build.
    pub fn current() -> HelloData {
        HelloData {
            protocol_version: PROTOCOL_VERSION,
            min_protocol_version: MIN_PROTOCOL_VERSION,
            app_version: crate::APP_VERSION.to_owned(),
            capabilities: CAPABILITIES.iter().map(|c| (*c).to_owned()).collect(),
        }
    }
}

/// Check a peer's `hello` against what this build accepts.
pub fn check_protocol_version(params: &HelloParams) -> Result<(), ErrorBody> {
    if (MIN_PROTOCOL_VERSION..=PROTOCOL_VERSION).contains(&params.protocol_version) {
        Ok(())
    } else {
        Err(ErrorBody::new(
            ErrorCode::UnsupportedProtocolVersion,
            format!(
                "this daemon speaks protocol versions {MIN_PROTOCOL_VERSION} to {PROTOCOL_VERSION}, \
                 the caller speaks {}; update the older of the extension and switchyard",
                params.protocol_version
            ),
        ))
    }
}

/// Data of a `ping` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PongData {
    pub pong: bool,
}

/// Data of a `status` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusData {
    pub daemon_version: String,
    pub protocol_version: u32,
    pub pid: u32,
    pub uptime_secs: u64,
    pub credentials: CredentialsState,
    pub aws: AwsTarget,
}

/// Whether AWS credentials are available to the daemon, and from where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialsState {
    pub configured: bool,
    /// Where they were found (`environment`, `shared credentials file`, …), when they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Which AWS the daemon talks to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AwsTarget {
    /// The real AWS endpoints.
    Aws,
    /// A local stand-in (moto) at `endpoint`.
    LocalStandIn { endpoint: String },
    /// Some other endpoint override (a proxy, a VPC endpoint).
    CustomEndpoint { endpoint: String },
}

#[cfg(test)]
mod tests;
