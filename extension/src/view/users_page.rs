//! The extension's "Users" page without the DOM: which account it is about (from its
//! query), the account picker, each user as a row (groups, policies, console password,
//! masked keys with their age and last use, MFA devices), the create form checked as it is
//! typed with IAM's rules and the account's password policy (the same checks as
//! [`switchyard_shared::users`] makes for the daemon), the one-time hand-over, the typed confirmation
//! of a removal, where an error belongs, and the MFA setup (the QR code of the
//! `otpauth://` URI, two consecutive codes).
//!
//! The hand-over and the MFA seed are one-time secrets: nothing here keeps them; the
//! page renders them into its DOM and forgets them when it closes.

use switchyard_shared::protocol::aws::{check_mfa_code, AccountsData};
use switchyard_shared::protocol::users::{
    MfaEnableParams, PasswordPolicy, Tag, UserSummary, UsersCreateData, UsersCreateParams,
    UsersListData, UsersRemoveParams, UsersTarget,
};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::users::{
    check_group_name, check_password, check_policy_arn, check_target, check_user_name, SYMBOLS,
};

/// The page's address for an account: `users.html?account=ID` (and `&role=NAME` for a
/// role other than the default), plain `users.html` for the profile's own account.
pub fn page_href(account_id: Option<&str>, role_name: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let Some(account) = account_id {
        query.append_pair("account", account);
        if let Some(role) = role_name {
            query.append_pair("role", role);
        }
    }
    let query = query.finish();
    if query.is_empty() {
        "users.html".to_owned()
    } else {
        format!("users.html?{query}")
    }
}

/// Read the page's query (`?account=123456789012&role=Admin`, the `?` optional) into the
/// target of its messages. Refuses a malformed account id or role name, or an unknown
/// parameter, before anything is asked.
pub fn target_from_query(query: &str) -> Result<UsersTarget, String> {
    let mut target = UsersTarget::default();
    for (key, value) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
        match &*key {
            "account" if !value.is_empty() => target.account_id = Some(value.into_owned()),
            "role" if !value.is_empty() => target.role_name = Some(value.into_owned()),
            "account" | "role" => {}
            other => return Err(format!("this page has no parameter {other:?}")),
        }
    }
    check_target(&target)?;
    Ok(target)
}

/// How long ago `then` was at `now` (Unix seconds): `just now`, `5 min ago`, `3 h ago`,
/// `2 days ago`, `4 months ago`, `2 years ago`.
pub fn ago(then: u64, now: u64) -> String {
    let secs = now.saturating_sub(then);
    let (n, unit) = match secs {
        0..=59 => return "just now".to_owned(),
        60..=3599 => (secs / 60, "min"),
        3600..=86_399 => (secs / 3600, "h"),
        86_400..=5_183_999 => (secs / 86_400, "day"),
        5_184_000..=63_071_999 => (secs / 2_592_000, "month"),
        _ => (secs / 31_536_000, "year"),
    };
    let plural = if n == 1 || unit == "min" || unit == "h" {
        ""
    } else {
        "s"
    };
    format!("{n} {unit}{plural} ago")
}

/// The last part of an ARN's path: a policy's or an MFA device's name.
pub fn short_name(arn: &str) -> &str {
    arn.rsplit(['/', ':']).next().unwrap_or(arn)
}

/// One user as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub name: String,
    pub arn: String,
    /// `Admins, Developers`, or `none`.
    pub groups: String,
    /// Managed policies by name, then `NAME (inline)`; `none`.
    pub policies: String,
    /// `yes (last sign-in 2 days ago)`, `yes (never signed in)`, `no`.
    pub console: String,
    /// One line per key: `AKIA…WXYZ · Active · created 3 days ago · last used 1 h ago (sts)`.
    pub keys: Vec<String>,
    /// Device names, or `none`.
    pub mfa: String,
}

fn listed(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

/// The list's rows at Unix time `now`, by user name.
pub fn user_rows(users: &[UserSummary], now: u64) -> Vec<UserRow> {
    let mut rows: Vec<UserRow> = users
        .iter()
        .map(|user| UserRow {
            name: user.user_name.clone(),
            arn: user.arn.clone(),
            groups: listed(user.groups.iter().cloned()),
            policies: listed(
                user.attached_policies
                    .iter()
                    .map(|arn| short_name(arn).to_owned())
                    .chain(user.inline_policies.iter().map(|p| format!("{p} (inline)"))),
            ),
            console: match (user.console_password, user.password_last_used_at) {
                (false, _) => "no".to_owned(),
                (true, Some(at)) => format!("yes (last sign-in {})", ago(at, now)),
                (true, None) => "yes (never signed in)".to_owned(),
            },
            keys: user
                .access_keys
                .iter()
                .map(|key| {
                    let mut parts = vec![key.access_key_id.clone(), key.status.clone()];
                    if let Some(created) = key.created_at {
                        parts.push(format!("created {}", ago(created, now)));
                    }
                    parts.push(match (key.last_used_at, &key.last_used_service) {
                        (Some(at), Some(service)) => {
                            format!("last used {} ({service})", ago(at, now))
                        }
                        (Some(at), None) => format!("last used {}", ago(at, now)),
                        (None, _) => "never used".to_owned(),
                    });
                    parts.join(" · ")
                })
                .collect(),
            mfa: listed(user.mfa_devices.iter().map(|d| short_name(d).to_owned())),
        })
        .collect();
    rows.sort_by_cached_key(|row| row.name.to_lowercase());
    rows
}

/// `3 users`, `1 user`, `No users yet`.
pub fn users_summary(data: &UsersListData) -> String {
    match data.users.len() {
        0 => "No users yet".to_owned(),
        1 => "1 user".to_owned(),
        n => format!("{n} users"),
    }
}

/// An account as the page names it: `Acme Production (111111111111)`, with
/// `, management account` for the organization's, or the bare id when unknown.
pub fn account_title(account_id: &str, accounts: Option<&AccountsData>) -> String {
    let Some(data) = accounts else {
        return account_id.to_owned();
    };
    let name = data
        .accounts
        .iter()
        .find(|a| a.id == account_id)
        .map(|a| format!("{} ({account_id})", a.name))
        .unwrap_or_else(|| account_id.to_owned());
    match &data.organization {
        Some(org) if org.management_account_id == account_id => {
            format!("{name}, management account")
        }
        _ => name,
    }
}

/// One choice of the account picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickerOption {
    /// Where choosing it leads ([`page_href`]).
    pub href: String,
    pub label: String,
    pub selected: bool,
}

/// The account picker: the profile's own account first (its href has no account), then
/// the organization's other active accounts by name. `shown` is the account on screen.
pub fn picker(accounts: &AccountsData, own_account: &str, shown: &str) -> Vec<PickerOption> {
    let own = PickerOption {
        href: page_href(None, None),
        label: format!("{} (yours)", account_title(own_account, Some(accounts))),
        selected: shown == own_account,
    };
    let mut others: Vec<PickerOption> = accounts
        .accounts
        .iter()
        .filter(|a| a.id != own_account && a.state.as_deref().unwrap_or("ACTIVE") == "ACTIVE")
        .map(|a| PickerOption {
            href: page_href(Some(&a.id), None),
            label: account_title(&a.id, Some(accounts)),
            selected: a.id == shown,
        })
        .collect();
    others.sort_by_cached_key(|o| o.label.to_lowercase());
    std::iter::once(own).chain(others).collect()
}

/// The account's password rules in words: `at least 8 characters; 3 of upper case, lower
/// case, digits, symbols`.
pub fn policy_summary(policy: &PasswordPolicy) -> String {
    let mut rules = vec![format!("at least {} characters", policy.minimum_length)];
    for (required, what) in [
        (policy.require_uppercase, "an upper-case letter"),
        (policy.require_lowercase, "a lower-case letter"),
        (policy.require_numbers, "a digit"),
        (policy.require_symbols, "a symbol"),
    ] {
        if required {
            rules.push(what.to_owned());
        }
    }
    if policy.minimum_kinds > 0 {
        rules.push(format!(
            "{} of upper case, lower case, digits, symbols ({SYMBOLS})",
            policy.minimum_kinds
        ));
    }
    rules.join("; ")
}

/// What the create form holds, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateForm {
    pub user_name: String,
    /// Console access (a login profile).
    pub console: bool,
    /// Type the password instead of generating one.
    pub type_password: bool,
    pub password: String,
    /// Programmatic access (an access key).
    pub api: bool,
    /// Groups chosen from the account's.
    pub groups: Vec<String>,
    /// Managed policy ARNs, one per line or separated by commas.
    pub policies: String,
    /// `KEY=VALUE`, one per line.
    pub tags: String,
    /// Store the access key in the keyring as this profile (empty: hand it over).
    pub store_profile: String,
    /// The "API-only user" action: console access is not offered.
    pub api_only: bool,
}

/// The form's problems, field by field (`None`: fine).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormProblems {
    pub user_name: Option<String>,
    pub access: Option<String>,
    pub password: Option<String>,
    pub groups: Option<String>,
    pub policies: Option<String>,
    pub tags: Option<String>,
    pub store_profile: Option<String>,
}

impl FormProblems {
    pub fn is_empty(&self) -> bool {
        self == &FormProblems::default()
    }

    /// What the form shows while it is being typed: every problem but those of fields
    /// still empty (an empty name or password is only refused on submit).
    pub fn live(mut self, form: &CreateForm) -> FormProblems {
        if form.user_name.is_empty() {
            self.user_name = None;
        }
        if form.password.is_empty() {
            self.password = None;
        }
        self.access = None;
        self
    }
}

fn entries(text: &str) -> impl Iterator<Item = &str> {
    text.split(['\n', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn tag_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|s| !s.is_empty())
}

/// A profile name for the keyring: what `switchyard credentials add --profile` accepts.
fn check_profile_name(name: &str) -> Result<(), String> {
    if (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not a profile name: use 1 to 64 letters, digits and -_."
        ))
    }
}

/// Check the form against IAM's rules and `policy`, and make the `users.create`
/// parameters for `target`; or every problem found, by field.
pub fn check_form(
    form: &CreateForm,
    policy: &PasswordPolicy,
    target: &UsersTarget,
) -> Result<UsersCreateParams, Box<FormProblems>> {
    let console = form.console && !form.api_only;
    let api = form.api || form.api_only;
    let mut problems = FormProblems {
        user_name: check_user_name(&form.user_name)
            .err()
            .map(|e| e.to_string()),
        ..FormProblems::default()
    };
    if !console && !api {
        problems.access =
            Some("choose console access, programmatic (API) access, or both".to_owned());
    }
    let password = (console && form.type_password).then(|| form.password.clone());
    if let Some(password) = &password {
        problems.password = check_password(policy, password).err();
    }
    problems.groups = form.groups.iter().find_map(|g| check_group_name(g).err());
    let policies: Vec<String> = entries(&form.policies).map(str::to_owned).collect();
    problems.policies = policies.iter().find_map(|arn| check_policy_arn(arn).err());
    let mut tags = Vec::new();
    for line in tag_lines(&form.tags) {
        match Tag::parse(line) {
            Ok(tag) => tags.push(tag),
            Err(e) => {
                problems.tags = Some(e);
                break;
            }
        }
    }
    let store_profile = Some(form.store_profile.trim())
        .filter(|p| !p.is_empty())
        .map(str::to_owned);
    if let Some(profile) = &store_profile {
        problems.store_profile = if api {
            check_profile_name(profile).err()
        } else {
            Some("only an access key can be stored as a profile".to_owned())
        };
    }
    if !problems.is_empty() {
        return Err(Box::new(problems));
    }
    let params = UsersCreateParams {
        profile: target.profile.clone(),
        account_id: target.account_id.clone(),
        role_name: target.role_name.clone(),
        user_name: form.user_name.clone(),
        console,
        password,
        api,
        groups: form.groups.clone(),
        policies,
        tags,
        store_profile,
    };
    // The daemon's own check, so the page never sends what it would refuse.
    params.check().map_err(|e| {
        Box::new(FormProblems {
            access: Some(e),
            ..FormProblems::default()
        })
    })?;
    Ok(params)
}

/// One line of the hand-over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoverField {
    /// A stable name for the page's element ids: `signin_url`, `user_name`, `password`,
    /// `access_key_id`, `secret_access_key`.
    pub id: &'static str,
    pub label: &'static str,
    pub value: String,
    /// A one-time secret (shown once, never stored).
    pub secret: bool,
}

/// The hand-over of a new user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    pub title: String,
    pub fields: Vec<HandoverField>,
    pub notes: Vec<String>,
}

/// What the page shows once after `users.create`: where to sign in, the user name, the
/// password and the access key, each to copy.
pub fn handover(data: &UsersCreateData) -> Handover {
    let field = |id, label, value: &str, secret| HandoverField {
        id,
        label,
        value: value.to_owned(),
        secret,
    };
    let mut fields = Vec::new();
    if data.password.is_some() {
        fields.push(field(
            "signin_url",
            "Console sign-in URL",
            &data.signin_url,
            false,
        ));
    }
    fields.push(field("user_name", "User name", &data.user_name, false));
    let mut notes = Vec::new();
    if let Some(password) = &data.password {
        fields.push(field("password", "Password", password, true));
        if data.password_reset_required {
            notes.push("They must choose a new password when they first sign in.".to_owned());
        }
    }
    if let Some(key) = &data.access_key {
        fields.push(field(
            "access_key_id",
            "Access key ID",
            &key.access_key_id,
            false,
        ));
        fields.push(field(
            "secret_access_key",
            "Secret access key",
            &key.secret_access_key,
            true,
        ));
    }
    if let Some(profile) = &data.stored_profile {
        notes.push(format!(
            "The access key is stored in your keyring as profile {profile:?}; it is not shown."
        ));
    }
    if fields.iter().any(|f| f.secret) {
        notes.push(
            "Shown once: Switchyard keeps none of this. Copy it now and hand it over safely."
                .to_owned(),
        );
    }
    Handover {
        title: format!(
            "{} was created in account {}",
            data.user_name, data.account_id
        ),
        fields,
        notes,
    }
}

/// The `users.remove` parameters once `typed` names `user_name`; else why not.
pub fn check_removal(
    user_name: &str,
    typed: &str,
    target: &UsersTarget,
) -> Result<UsersRemoveParams, String> {
    if typed.trim() != user_name {
        return Err(format!(
            "type the user name {user_name:?} exactly to remove this user"
        ));
    }
    Ok(UsersRemoveParams {
        profile: target.profile.clone(),
        account_id: target.account_id.clone(),
        role_name: target.role_name.clone(),
        user_name: user_name.to_owned(),
        confirm: typed.trim().to_owned(),
        allow_self: false,
    })
}

/// Where a daemon error is shown on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorPlace {
    /// Beside the user-name field of the create form.
    UserName,
    /// Beside the password field.
    Password,
    /// The MFA code form: ask for a code, then try again.
    NeedsMfa,
    /// A problem box with a title.
    Problem { title: String },
}

/// Where `error` (from the daemon or the service worker) belongs.
pub fn error_place(error: &ErrorBody) -> ErrorPlace {
    let title = match error.code {
        ErrorCode::InvalidUserName | ErrorCode::UserExists => return ErrorPlace::UserName,
        ErrorCode::PasswordPolicyViolation => return ErrorPlace::Password,
        ErrorCode::MfaRequired => return ErrorPlace::NeedsMfa,
        ErrorCode::CredentialsMissing => "No AWS key stored yet",
        ErrorCode::KeyringUnavailable => "The keyring cannot be used",
        ErrorCode::AwsAuthFailed => "AWS refused the key",
        ErrorCode::AwsUnreachable => "AWS cannot be reached",
        ErrorCode::AwsThrottled => "AWS is throttling requests",
        ErrorCode::AccessDenied => "Not allowed",
        ErrorCode::UserNotFound => "No such user",
        ErrorCode::ConfirmationMismatch => "Nothing was removed",
        ErrorCode::MfaCodeInvalid => "The codes were refused",
        ErrorCode::Timeout => "No answer in time",
        ErrorCode::HostNotRegistered | ErrorCode::HostForbidden | ErrorCode::HostDisconnected => {
            "Switchyard is not reachable"
        }
        _ => "Could not ask AWS",
    };
    ErrorPlace::Problem {
        title: title.to_owned(),
    }
}

/// Check the two codes of `mfa.enable` before sending them.
pub fn check_enable_codes(
    serial: &str,
    code1: &str,
    code2: &str,
    profile: Option<&str>,
) -> Result<MfaEnableParams, String> {
    let first = check_mfa_code(code1).map_err(|e| format!("first code: {e}"))?;
    let second = check_mfa_code(code2).map_err(|e| format!("second code: {e}"))?;
    if first == second {
        return Err(
            "the two codes are the same: enter the code shown next, after the app changes it"
                .to_owned(),
        );
    }
    Ok(MfaEnableParams {
        profile: profile.map(str::to_owned),
        serial: serial.to_owned(),
        code1: first.to_owned(),
        code2: second.to_owned(),
    })
}

/// A QR code as a square of modules (`true` = dark), without the quiet zone.
#[derive(Clone, PartialEq, Eq)]
pub struct QrMatrix {
    pub width: usize,
    pub dark: Vec<bool>,
}

impl std::fmt::Debug for QrMatrix {
    // It holds a secret (the MFA seed): never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "QrMatrix({0}×{0})", self.width)
    }
}

/// The modules a quiet zone adds on each side.
pub const QUIET_ZONE: usize = 4;

impl QrMatrix {
    /// Encode `text` (error correction M, the smallest version that holds it).
    pub fn encode(text: &str) -> Result<QrMatrix, String> {
        let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)
            .map_err(|e| format!("the text cannot be put in a QR code: {e}"))?;
        Ok(QrMatrix {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect(),
        })
    }

    /// Whether the module at (`x`, `y`) is dark; outside the code (the quiet zone) is
    /// light.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }

    /// An SVG image of the code with its quiet zone, one unit per module, scaled to
    /// `pixels` square. It holds only numbers (no text of the caller's).
    pub fn svg(&self, pixels: u32) -> String {
        let side = self.width + 2 * QUIET_ZONE;
        let mut path = String::new();
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if !self.is_dark(x, y) {
                    x += 1;
                    continue;
                }
                // One horizontal run of dark modules per path segment.
                let start = x;
                while x < self.width && self.is_dark(x, y) {
                    x += 1;
                }
                path.push_str(&format!(
                    "M{} {}h{}v1h-{}z",
                    start + QUIET_ZONE,
                    y + QUIET_ZONE,
                    x - start,
                    x - start
                ));
            }
        }
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{pixels}\" height=\"{pixels}\" \
             viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\" role=\"img\">\
             <rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
             <path fill=\"#000\" d=\"{path}\"/></svg>"
        )
    }
}

/// The seed in groups of four for reading and typing: `ABCD EFGH …`.
pub fn grouped_seed(seed: &str) -> String {
    let chars: Vec<char> = seed.chars().filter(|c| !c.is_whitespace()).collect();
    chars
        .chunks(4)
        .map(|chunk| chunk.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
#[path = "users_page_tests.rs"]
mod tests;
