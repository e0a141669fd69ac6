//! `users.list`, `users.create` and `users.remove`: IAM users in the profile's own account
//! or, by assuming a cross-account role with the profile's credentials (and MFA session),
//! in a member account of the organization.
//!
//! Everything is checked before the first write: the name, the groups and policies' shape,
//! a typed password against the account's policy, the profile a key is to be stored as.
//! A creation that fails half-way deletes the half-made user again. The console password
//! and the secret key are answered once (or the key goes into the keyring) and are never
//! logged or written anywhere else.
//!
//! In a member account without a named role, the role is the one Switchyard made for it
//! ([`Jobs::member_role`]: the job's, else the account's `switchyard-role` tag, else
//! `OrganizationAccountAccessRole`). `users.create`, `users.remove`, `mfa.setup` and
//! `mfa.enable` are admin actions: each one that reached AWS goes into the audit log
//! (who, profile, what, on which account and user, how it ended). Removing the user the
//! profile itself signs in as needs `allow_self`.

use crate::aws::SdkConfig;
use switchyard_shared::protocol::aws::check_mfa_code;
use switchyard_shared::protocol::users::{
    MfaEnableData, MfaEnableParams, MfaSetupData, MfaSetupParams, RoleSource, UsersCreateData,
    UsersCreateParams, UsersListData, UsersRemoveData, UsersRemoveParams, UsersTarget, ViaRole,
};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::switch::Partition;
use switchyard_shared::users::{
    check_device_name, check_password, check_target, check_user_name, generate_password,
    otpauth_uri, signin_url, user_name_of,
};

use crate::aws::{identity, users as iam_users};
use crate::services::provision::Jobs;
use crate::services::session::{self, Sessions, SignedIn};
use crate::system::keyring::{self, Credentials};

/// The account the users message acts in, with credentials for it.
struct Account {
    signed: SignedIn,
    sdk: SdkConfig,
    account_id: String,
    /// Who asks (the profile's ARN), for the audit log.
    caller_arn: String,
    /// The IAM user the profile signs in as, when this is its own account.
    own_user: Option<String>,
    via_role: Option<ViaRole>,
}

impl Account {
    /// One audit line for `what` on `user` in this account.
    fn audit(&self, jobs: &Jobs, what: &str, user: &str, result: &Result<(), ErrorBody>) {
        jobs.journal.audit_action(
            &self.caller_arn,
            &self.signed.profile,
            what,
            &format!("{}/{user}", self.account_id),
            result,
        );
    }
}

fn invalid(message: impl Into<String>) -> ErrorBody {
    ErrorBody::new(ErrorCode::InvalidParams, message)
}

/// Sign in as the profile, then, for another account, assume its role there (the one
/// named, else the one Switchyard made for it).
async fn reach(
    sessions: &Sessions,
    jobs: &Jobs,
    target: &UsersTarget,
) -> Result<Account, ErrorBody> {
    check_target(target).map_err(invalid)?;
    let signed = sessions.sign_in(target.profile.clone()).await?;
    let me = identity::caller(&signed.sdk)
        .await
        .map_err(|e| signed.explain(sessions, e))?;
    let Some(account_id) = target.account_id.clone().filter(|a| *a != me.account_id) else {
        let sdk = signed.sdk.clone();
        return Ok(Account {
            signed,
            sdk,
            account_id: me.account_id,
            own_user: user_name_of(&me.arn).map(str::to_owned),
            caller_arn: me.arn,
            via_role: None,
        });
    };
    let (role, source, job) = match &target.role_name {
        Some(role) => (role.clone(), RoleSource::Given, None),
        None => jobs.member_role(&signed.sdk, &account_id).await,
    };
    let found_by = match (source, &job) {
        (RoleSource::Job, Some(job)) => format!(" (made by job {job})"),
        (RoleSource::Tag, _) => " (the account's switchyard-role tag)".to_owned(),
        (RoleSource::Default, _) => " (Organizations' default role)".to_owned(),
        _ => String::new(),
    };
    let sdk = signed
        .in_account(sessions, &account_id, &role, "users")
        .await
        .map_err(|mut e| {
            let arn = format!(":role/{role}");
            e.message = e.message.replacen(&arn, &format!("{arn}{found_by}"), 1);
            e
        })?;
    let arn = format!(
        "arn:{}:iam::{account_id}:role/{role}",
        signed.settings.partition
    );
    Ok(Account {
        signed,
        sdk,
        account_id,
        caller_arn: me.arn,
        own_user: None,
        via_role: Some(ViaRole { arn, source, job }),
    })
}

/// Answer `users.list`.
pub async fn list(
    sessions: &Sessions,
    jobs: &Jobs,
    target: UsersTarget,
) -> Result<UsersListData, ErrorBody> {
    let account = reach(sessions, jobs, &target).await?;
    let users = iam_users::list(&account.sdk)
        .await
        .map_err(|e| account.signed.explain(sessions, e))?;
    // What a client needs to offer a new user; a caller who may not read it still gets
    // the list (and the create request is checked by the daemon anyway).
    let (password_policy, groups, alias) = futures::join!(
        iam_users::password_policy(&account.sdk),
        iam_users::group_names(&account.sdk),
        identity::account_alias(&account.sdk),
    );
    let partition =
        Partition::from_name(&account.signed.settings.partition).unwrap_or(Partition::Aws);
    Ok(UsersListData {
        signin_url: Some(signin_url(partition, &account.account_id, alias.as_deref())),
        profile: account.signed.profile,
        account_id: account.account_id,
        users,
        password_policy: password_policy.ok(),
        groups: groups.unwrap_or_default(),
        via_role: account.via_role,
    })
}

/// Uniform random `u32`s from the operating system, for passwords.
struct OsRandom {
    buffer: Vec<u8>,
    at: usize,
    failed: bool,
}

impl OsRandom {
    fn new() -> Result<OsRandom, ErrorBody> {
        // Enough for a 128-character password many times over; refilled if ever used up.
        let mut buffer = vec![0u8; 4096];
        Self::fill(&mut buffer)?;
        Ok(OsRandom {
            buffer,
            at: 0,
            failed: false,
        })
    }

    fn fill(buffer: &mut [u8]) -> Result<(), ErrorBody> {
        getrandom::getrandom(buffer).map_err(|e| {
            ErrorBody::new(
                ErrorCode::Internal,
                format!("the operating system gave no random numbers: {e}"),
            )
        })
    }

    fn next_u32(&mut self) -> u32 {
        if self.at + 4 > self.buffer.len() {
            // A failure is remembered: the caller refuses what was made with it.
            self.failed |= Self::fill(&mut self.buffer).is_err();
            self.at = 0;
        }
        let at = self.at;
        self.at += 4;
        u32::from_le_bytes([
            self.buffer[at],
            self.buffer[at + 1],
            self.buffer[at + 2],
            self.buffer[at + 3],
        ])
    }
}

/// A new password for `policy`, checked against it.
fn new_password(
    policy: &switchyard_shared::protocol::users::PasswordPolicy,
) -> Result<String, ErrorBody> {
    let mut random = OsRandom::new()?;
    let password = generate_password(policy, &mut || random.next_u32());
    if random.failed {
        return Err(ErrorBody::new(
            ErrorCode::Internal,
            "the operating system stopped giving random numbers",
        ));
    }
    check_password(policy, &password).map_err(|m| ErrorBody::new(ErrorCode::Internal, m))?;
    Ok(password)
}

/// Answer `users.create`.
pub async fn create(
    sessions: &Sessions,
    jobs: &Jobs,
    params: UsersCreateParams,
) -> Result<UsersCreateData, ErrorBody> {
    let account = prepare_create(sessions, jobs, &params).await?;
    let made = create_in(sessions, &account, &params).await;
    let result = made.as_ref().map(|_| ()).map_err(Clone::clone);
    account.audit(jobs, "users.create", &params.user_name, &result);
    made
}

/// Everything `users.create` checks before reaching AWS, then the account.
async fn prepare_create(
    sessions: &Sessions,
    jobs: &Jobs,
    params: &UsersCreateParams,
) -> Result<Account, ErrorBody> {
    check_user_name(&params.user_name)
        .map_err(|e| ErrorBody::new(ErrorCode::InvalidUserName, e.to_string()))?;
    params.check().map_err(invalid)?;
    if let Some(profile) = &params.store_profile {
        keyring::check_profile_name(profile).map_err(|e| invalid(e.to_string()))?;
        let config = crate::system::config::load(&crate::system::config::path())
            .map_err(|e| invalid(e.to_string()))?;
        if config.profiles.contains_key(profile) {
            return Err(invalid(format!(
                "profile {profile:?} already exists; choose another name for the new key \
                 (or remove that profile first)"
            )));
        }
    }
    reach(sessions, jobs, &params.target()).await
}

/// `users.create` in the account reached: every write, and the hand-over.
async fn create_in(
    sessions: &Sessions,
    account: &Account,
    params: &UsersCreateParams,
) -> Result<UsersCreateData, ErrorBody> {
    let explain = |e| account.signed.explain(sessions, e);
    let password = if params.console {
        let policy = iam_users::password_policy(&account.sdk)
            .await
            .map_err(explain)?;
        match &params.password {
            Some(typed) => {
                check_password(&policy, typed)
                    .map_err(|m| ErrorBody::new(ErrorCode::PasswordPolicyViolation, m))?;
                Some(typed.clone())
            }
            None => Some(new_password(&policy)?),
        }
    } else {
        None
    };
    if iam_users::exists(&account.sdk, &params.user_name)
        .await
        .map_err(explain)?
    {
        return Err(ErrorBody::new(
            ErrorCode::UserExists,
            format!(
                "a user named {:?} already exists in account {}; choose another name, or \
                 remove that user first",
                params.user_name, account.account_id
            ),
        ));
    }
    let arn = iam_users::create_user(&account.sdk, &params.user_name, &params.tags)
        .await
        .map_err(explain)?;
    tracing::info!(user = %params.user_name, account = %account.account_id, "user created");
    let finished = finish(account, params, password.as_deref()).await;
    let (access_key, stored_profile) = match finished {
        Ok(done) => done,
        Err(error) => {
            let undone = match iam_users::delete(&account.sdk, &params.user_name).await {
                Ok(_) => format!(
                    "the half-made user {:?} was deleted again",
                    params.user_name
                ),
                Err(e) => format!(
                    "the half-made user {:?} could not be deleted ({}); remove it with \
                     `switchyard users remove`",
                    params.user_name, e.message
                ),
            };
            tracing::warn!(user = %params.user_name, code = %error.code, "user creation undone");
            return Err(ErrorBody::new(
                error.code,
                format!("{}; {undone}", error.message),
            ));
        }
    };
    let partition =
        Partition::from_name(&account.signed.settings.partition).unwrap_or(Partition::Aws);
    let alias = identity::account_alias(&account.sdk).await;
    Ok(UsersCreateData {
        profile: account.signed.profile.clone(),
        account_id: account.account_id.clone(),
        user_name: params.user_name.clone(),
        arn,
        signin_url: signin_url(partition, &account.account_id, alias.as_deref()),
        password_reset_required: password.is_some(),
        password,
        access_key,
        stored_profile,
        groups: params.groups.clone(),
        policies: params.policies.clone(),
        via_role: account.via_role.clone(),
    })
}

/// Everything after CreateUser: groups, policies, console password, access key (answered,
/// or stored in the keyring as a new profile).
async fn finish(
    account: &Account,
    params: &UsersCreateParams,
    password: Option<&str>,
) -> Result<
    (
        Option<switchyard_shared::protocol::users::NewAccessKey>,
        Option<String>,
    ),
    ErrorBody,
> {
    let name = &params.user_name;
    for group in &params.groups {
        iam_users::add_to_group(&account.sdk, name, group).await?;
    }
    for arn in &params.policies {
        iam_users::attach_policy(&account.sdk, name, arn).await?;
    }
    if let Some(password) = password {
        iam_users::create_login_profile(&account.sdk, name, password).await?;
    }
    if !params.api {
        return Ok((None, None));
    }
    let key = iam_users::create_access_key(&account.sdk, name).await?;
    let Some(profile) = &params.store_profile else {
        return Ok((Some(key), None));
    };
    let credentials =
        Credentials::new(&key.access_key_id, &key.secret_access_key).map_err(|e| {
            ErrorBody::new(
                ErrorCode::AwsFailed,
                format!("iam:CreateAccessKey returned a key Switchyard cannot store: {e}"),
            )
        })?;
    store_profile(profile, credentials, &account.signed.settings).await?;
    tracing::info!(user = %name, profile = %profile, "new user's key stored as a profile");
    Ok((None, Some(profile.clone())))
}

/// Put the key into the keyring as `profile`, with the admin profile's region, partition
/// and endpoints.
async fn store_profile(
    profile: &str,
    key: Credentials,
    settings: &crate::system::config::Profile,
) -> Result<(), ErrorBody> {
    let name = profile.to_owned();
    tokio::task::spawn_blocking(move || keyring::store(&name, &key))
        .await
        .map_err(|e| ErrorBody::new(ErrorCode::Internal, e.to_string()))?
        .map_err(session::keyring_error)?;
    let path = crate::system::config::path();
    let mut config = crate::system::config::load(&path).map_err(|e| invalid(e.to_string()))?;
    config.profiles.insert(
        profile.to_owned(),
        crate::system::config::Profile {
            mfa_serial: None,
            ..settings.clone()
        },
    );
    crate::system::config::save(&path, &config)
        .map_err(|e| ErrorBody::new(ErrorCode::Internal, e.to_string()))
}

/// Answer `users.remove`.
pub async fn remove(
    sessions: &Sessions,
    jobs: &Jobs,
    params: UsersRemoveParams,
) -> Result<UsersRemoveData, ErrorBody> {
    check_user_name(&params.user_name)
        .map_err(|e| ErrorBody::new(ErrorCode::InvalidUserName, e.to_string()))?;
    if params.confirm != params.user_name {
        return Err(ErrorBody::new(
            ErrorCode::ConfirmationMismatch,
            format!(
                "the confirmation {:?} does not name the user {:?}; nothing was removed",
                params.confirm, params.user_name
            ),
        ));
    }
    let account = reach(sessions, jobs, &params.target()).await?;
    let removed = remove_in(sessions, &account, &params).await;
    let result = removed.as_ref().map(|_| ()).map_err(Clone::clone);
    account.audit(jobs, "users.remove", &params.user_name, &result);
    removed
}

/// `users.remove` in the account reached.
async fn remove_in(
    sessions: &Sessions,
    account: &Account,
    params: &UsersRemoveParams,
) -> Result<UsersRemoveData, ErrorBody> {
    let explain = |e| account.signed.explain(sessions, e);
    let profile = &account.signed.profile;
    let is_self = account
        .own_user
        .as_deref()
        .is_some_and(|me| me.eq_ignore_ascii_case(&params.user_name));
    if is_self && !params.allow_self {
        return Err(ErrorBody::new(
            ErrorCode::SelfRemoval,
            format!(
                "{:?} is the IAM user profile {profile:?} signs in as: removing it deletes the \
                 key this profile uses, so Switchyard (and you, through this profile) can do \
                 nothing more with it. Nothing was removed; if you mean it, repeat with \
                 --allow-self (allow_self)",
                params.user_name
            ),
        ));
    }
    if !iam_users::exists(&account.sdk, &params.user_name)
        .await
        .map_err(explain)?
    {
        return Err(ErrorBody::new(
            ErrorCode::UserNotFound,
            format!(
                "there is no user {:?} in account {}",
                params.user_name, account.account_id
            ),
        ));
    }
    let removed = iam_users::delete(&account.sdk, &params.user_name)
        .await
        .map_err(explain)?;
    tracing::info!(user = %params.user_name, account = %account.account_id, "user removed");
    let mut warnings = Vec::new();
    if is_self {
        sessions.forget(profile);
        warnings.push(format!(
            "you removed {:?}, the IAM user profile {profile:?} signs in as: its key no \
             longer works; `switchyard credentials remove --profile {profile}` removes the \
             profile, or add another user's key to it",
            params.user_name
        ));
    }
    Ok(UsersRemoveData {
        profile: profile.clone(),
        account_id: account.account_id.clone(),
        user_name: params.user_name.clone(),
        removed,
        via_role: account.via_role.clone(),
        warnings,
    })
}

/// The signed-in profile's IAM user: name, account and ARN, or why MFA cannot be set up
/// for it.
async fn own_user(
    sessions: &Sessions,
    signed: &SignedIn,
) -> Result<(String, String, String), ErrorBody> {
    let me = identity::caller(&signed.sdk)
        .await
        .map_err(|e| signed.explain(sessions, e))?;
    match user_name_of(&me.arn) {
        Some(name) => Ok((name.to_owned(), me.account_id, me.arn)),
        None => Err(invalid(format!(
            "{} is not an IAM user; MFA setup is for the IAM user a profile signs in as",
            me.arn
        ))),
    }
}

/// One audit line for an MFA action on the profile's own user.
fn audit_mfa<T>(
    jobs: &Jobs,
    signed: &SignedIn,
    who: &(String, String, String),
    what: &str,
    result: &Result<T, ErrorBody>,
) {
    let (user, account, arn) = who;
    let result = result.as_ref().map(|_| ()).map_err(Clone::clone);
    jobs.journal.audit_action(
        arn,
        &signed.profile,
        what,
        &format!("{account}/{user}"),
        &result,
    );
}

/// Answer `mfa.setup`: a new virtual MFA device for the profile's own user. The seed is
/// answered once and kept nowhere; the device does nothing until `mfa.enable`.
pub async fn mfa_setup(
    sessions: &Sessions,
    jobs: &Jobs,
    params: MfaSetupParams,
) -> Result<MfaSetupData, ErrorBody> {
    if let Some(name) = &params.device_name {
        check_device_name(name).map_err(invalid)?;
    }
    let signed = sessions.sign_in(params.profile).await?;
    let who = own_user(sessions, &signed).await?;
    let user_name = who.0.clone();
    let account_id = who.1.clone();
    let device_name = params.device_name.unwrap_or_else(|| user_name.clone());
    check_device_name(&device_name).map_err(invalid)?;
    let made = iam_users::create_virtual_mfa(&signed.sdk, &device_name)
        .await
        .map_err(|e| signed.explain(sessions, e));
    audit_mfa(jobs, &signed, &who, "mfa.setup", &made);
    let (serial, seed) = made?;
    let label = identity::account_alias(&signed.sdk)
        .await
        .unwrap_or_else(|| account_id.clone());
    tracing::info!(profile = %signed.profile, serial = %serial, "virtual MFA device created");
    Ok(MfaSetupData {
        otpauth_uri: otpauth_uri(&user_name, &label, &seed),
        profile: signed.profile,
        user_name,
        serial,
        seed,
    })
}

/// Answer `mfa.enable`: EnableMFADevice with two consecutive codes, then the device
/// becomes the profile's `mfa_serial` (its calls need an MFA session from now on).
pub async fn mfa_enable(
    sessions: &Sessions,
    jobs: &Jobs,
    params: MfaEnableParams,
) -> Result<MfaEnableData, ErrorBody> {
    let code1 =
        check_mfa_code(&params.code1).map_err(|e| ErrorBody::new(ErrorCode::MfaCodeInvalid, e))?;
    let code2 =
        check_mfa_code(&params.code2).map_err(|e| ErrorBody::new(ErrorCode::MfaCodeInvalid, e))?;
    if code1 == code2 {
        return Err(ErrorBody::new(
            ErrorCode::MfaCodeInvalid,
            "the two codes are the same: wait for the app to show the next code",
        ));
    }
    if !params.serial.starts_with("arn:") || !params.serial.contains(":mfa/") {
        return Err(invalid(format!(
            "{:?} is not a virtual MFA device ARN (arn:aws:iam::ACCOUNT:mfa/NAME)",
            params.serial
        )));
    }
    let signed = sessions.sign_in(params.profile).await?;
    let who = own_user(sessions, &signed).await?;
    let user_name = who.0.clone();
    let enabled = iam_users::enable_mfa(&signed.sdk, &user_name, &params.serial, code1, code2)
        .await
        .map_err(|e| signed.explain(sessions, e));
    audit_mfa(jobs, &signed, &who, "mfa.enable", &enabled);
    enabled?;
    let path = crate::system::config::path();
    let mut config = crate::system::config::load(&path).map_err(|e| invalid(e.to_string()))?;
    config
        .profiles
        .entry(signed.profile.clone())
        .or_default()
        .mfa_serial = Some(params.serial.clone());
    crate::system::config::save(&path, &config).map_err(|e| {
        ErrorBody::new(
            ErrorCode::Internal,
            format!(
                "the MFA device {} is enabled, but the profile's settings could not be \
                 saved ({e}); add mfa_serial = \"{}\" to profile {:?} in config.toml",
                params.serial, params.serial, signed.profile
            ),
        )
    })?;
    sessions.forget(&signed.profile);
    tracing::info!(profile = %signed.profile, serial = %params.serial, "MFA device enabled");
    Ok(MfaEnableData {
        profile: signed.profile,
        user_name,
        serial: params.serial,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_os_gives_different_numbers_and_passwords() {
        let mut random = OsRandom::new().unwrap();
        // More than one buffer's worth: the refill works.
        let drawn: std::collections::BTreeSet<u32> = (0..3000).map(|_| random.next_u32()).collect();
        assert!(drawn.len() > 2900, "{}", drawn.len());
        assert!(!random.failed);
        let policy =
            switchyard_shared::protocol::users::PasswordPolicy::custom(30, true, true, true, true);
        let a = new_password(&policy).unwrap();
        let b = new_password(&policy).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 30);
    }

    #[tokio::test]
    async fn bad_requests_are_refused_before_any_call() {
        // No config, no keyring: a request that got past the checks would fail otherwise.
        let sessions = std::sync::Arc::new(Sessions::default());
        let state = tempfile::tempdir().unwrap();
        let jobs = Jobs::new(state.path(), std::sync::Arc::clone(&sessions));
        let sessions = &*sessions;
        let params = |name: &str| UsersCreateParams {
            profile: Some("nobody".into()),
            account_id: None,
            role_name: None,
            user_name: name.into(),
            console: true,
            password: None,
            api: false,
            groups: vec![],
            policies: vec![],
            tags: vec![],
            store_profile: None,
        };
        let error = create(sessions, &jobs, params("a b")).await.err().unwrap();
        assert_eq!(error.code, ErrorCode::InvalidUserName, "{error}");
        let error = create(
            sessions,
            &jobs,
            UsersCreateParams {
                account_id: Some("1234".into()),
                ..params("alice")
            },
        )
        .await
        .err()
        .unwrap();
        assert_eq!(error.code, ErrorCode::InvalidParams, "{error}");
        let error = remove(
            sessions,
            &jobs,
            UsersRemoveParams {
                profile: Some("nobody".into()),
                account_id: None,
                role_name: None,
                user_name: "alice".into(),
                confirm: "alicia".into(),
                allow_self: false,
            },
        )
        .await
        .err()
        .unwrap();
        assert_eq!(error.code, ErrorCode::ConfirmationMismatch, "{error}");
        let enable = |code1: &str, code2: &str, serial: &str| MfaEnableParams {
            profile: Some("nobody".into()),
            serial: serial.into(),
            code1: code1.into(),
            code2: code2.into(),
        };
        let arn = "arn:aws:iam::123456789012:mfa/alice";
        for (params, code) in [
            (enable("123456", "123456", arn), ErrorCode::MfaCodeInvalid),
            (enable("12345", "123456", arn), ErrorCode::MfaCodeInvalid),
            (
                enable("123456", "654321", "alice"),
                ErrorCode::InvalidParams,
            ),
        ] {
            let error = mfa_enable(sessions, &jobs, params).await.err().unwrap();
            assert_eq!(error.code, code, "{error}");
        }
        let error = mfa_setup(
            sessions,
            &jobs,
            MfaSetupParams {
                profile: Some("nobody".into()),
                device_name: Some("my phone".into()),
            },
        )
        .await
        .err()
        .unwrap();
        assert_eq!(error.code, ErrorCode::InvalidParams, "{error}");
    }
}
