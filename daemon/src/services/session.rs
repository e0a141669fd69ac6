//! Which credentials an AWS call uses, and the MFA sessions the daemon holds.
//!
//! A profile's long-term key lives in the keyring. When the profile has an MFA device
//! (configured in `config.toml`, or discovered once per daemon run with ListMFADevices and
//! then written there), every AWS call uses a session from GetSessionToken instead, which
//! the daemon keeps in memory only: a restarted daemon asks for a code again.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::aws::SdkConfig;
use switchyard_shared::protocol::aws::{check_mfa_code, MfaSessionData, MfaState};
use switchyard_shared::protocol::{ErrorBody, ErrorCode, IdentityData};

use crate::aws::{self, mfa::MfaSession};
use crate::system::config::{self, Profile};
use crate::system::keyring::{self, Credentials, KeyringError};

/// A session this close to its end counts as ended (a call must not expire mid-flight).
const EXPIRY_MARGIN_SECS: u64 = 60;

/// How long an admin action's assumed role lasts (STS's minimum: one request's work).
const ROLE_SESSION_SECS: u32 = 900;

/// `switchyard-PURPOSE-PROFILE`, in the characters and length STS allows.
fn role_session_name(purpose: &str, profile: &str) -> String {
    format!("switchyard-{purpose}-{profile}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect()
}

#[cfg(test)]
#[test]
fn role_session_names_are_what_sts_accepts() {
    assert_eq!(role_session_name("users", "work"), "switchyard-users-work");
    assert_eq!(
        role_session_name("users", "a b/c"),
        "switchyard-users-a-b-c"
    );
    assert_eq!(role_session_name("users", &"x".repeat(100)).len(), 64);
}

/// Seconds since the Unix epoch, now.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[derive(Debug, Default)]
struct ProfileMemory {
    /// The session and the long-term key id it was made with: a session of another key
    /// (the profile was re-added for someone else) is not used.
    session: Option<(MfaSession, String)>,
    /// ListMFADevices' answer this run: `Some(None)` means "asked, no device".
    discovered: Option<Option<String>>,
}

/// The daemon's in-memory MFA sessions, per profile.
#[derive(Debug, Default)]
pub struct Sessions {
    profiles: Mutex<HashMap<String, ProfileMemory>>,
}

/// A profile ready for AWS calls.
#[derive(Debug)]
pub struct SignedIn {
    pub profile: String,
    pub settings: Profile,
    /// For the profile's AWS calls: the MFA session when it has one, else the key.
    pub sdk: SdkConfig,
    /// The long-term key itself: for asking who the key's user is (GetCallerIdentity
    /// needs no permission and names the IAM user behind an MFA session too).
    pub long_term: SdkConfig,
    pub mfa: MfaState,
    via_session: bool,
}

impl SignedIn {
    /// Credentials for `account_id` through `role` there (AssumeRole for a short session,
    /// named `switchyard-PURPOSE-PROFILE`), for an admin action in a member account.
    pub async fn in_account(
        &self,
        sessions: &Sessions,
        account_id: &str,
        role: &str,
        purpose: &str,
    ) -> Result<SdkConfig, ErrorBody> {
        let role_arn = format!(
            "arn:{}:iam::{account_id}:role/{role}",
            self.settings.partition
        );
        let session = aws::federation::assume_role(
            &self.sdk,
            &role_arn,
            &role_session_name(purpose, &self.profile),
            ROLE_SESSION_SECS,
        )
        .await
        .map_err(|e| {
            let e = self.explain(sessions, e);
            if e.code == ErrorCode::AccessDenied || e.code == ErrorCode::AwsFailed {
                ErrorBody::new(
                    e.code,
                    format!(
                        "cannot act in account {account_id} through {role_arn} ({}); name the \
                         cross-account role with --role, or check that profile {:?} may assume it",
                        e.message, self.profile
                    ),
                )
            } else {
                e
            }
        })?;
        tracing::info!(account = %account_id, role = %role_arn, purpose, "assumed role");
        Ok(aws::sdk_config(session.credentials(), &self.settings).await)
    }

    /// Turn a failed call's error into what the user should do: an MFA session that AWS
    /// no longer accepts is dropped, and the answer is "enter a new code".
    pub fn explain(&self, sessions: &Sessions, error: ErrorBody) -> ErrorBody {
        if self.via_session && error.code == ErrorCode::AwsAuthFailed {
            sessions.forget(&self.profile);
            return ErrorBody::new(
                ErrorCode::MfaRequired,
                format!(
                    "the MFA session of profile {:?} has ended ({}); enter a new code from {}",
                    self.profile,
                    error.message,
                    self.mfa.serial.as_deref().unwrap_or("your MFA device"),
                ),
            );
        }
        error
    }
}

/// A profile's settings and long-term key.
pub struct Loaded {
    pub profile: String,
    pub settings: Profile,
    pub key: Credentials,
}

/// The profile's name and settings from the config (the default profile when `None`).
pub fn settings(profile: Option<String>) -> Result<(String, Profile), ErrorBody> {
    let config = config::load(&config::path())
        .map_err(|e| ErrorBody::new(ErrorCode::InvalidParams, e.to_string()))?;
    let name = profile.unwrap_or_else(|| config.default_profile.clone());
    keyring::check_profile_name(&name)
        .map_err(|e| ErrorBody::new(ErrorCode::InvalidParams, e.to_string()))?;
    let settings = config.profiles.get(&name).cloned().unwrap_or_default();
    Ok((name, settings))
}

/// The profile's settings and its key from the keyring.
pub async fn load(profile: Option<String>) -> Result<Loaded, ErrorBody> {
    let (profile, settings) = settings(profile)?;
    let name = profile.clone();
    let key = tokio::task::spawn_blocking(move || keyring::load(&name))
        .await
        .map_err(|e| ErrorBody::new(ErrorCode::Internal, e.to_string()))?
        .map_err(keyring_error)?;
    Ok(Loaded {
        profile,
        settings,
        key,
    })
}

/// A keyring failure as a protocol error.
pub fn keyring_error(error: KeyringError) -> ErrorBody {
    let code = match error {
        KeyringError::NotFound(_) => ErrorCode::CredentialsMissing,
        _ => ErrorCode::KeyringUnavailable,
    };
    ErrorBody::new(code, error.to_string())
}

impl Sessions {
    /// `identity`: who the profile's credentials (or MFA session) are, asked of AWS.
    pub async fn identity(&self, profile: Option<String>) -> Result<IdentityData, ErrorBody> {
        let signed = self.sign_in(profile).await?;
        let caller = aws::identity::caller(&signed.sdk)
            .await
            .map_err(|e| signed.explain(self, e))?;
        let account_alias = aws::identity::account_alias(&signed.sdk).await;
        Ok(IdentityData {
            profile: signed.profile,
            account_id: caller.account_id,
            arn: caller.arn,
            user_id: caller.user_id,
            account_alias,
            mfa: signed.mfa,
        })
    }

    /// Credentials for AWS calls as `profile`: its MFA session when it has a device,
    /// else its long-term key. Without a live session the answer is `mfa_required`.
    pub async fn sign_in(&self, profile: Option<String>) -> Result<SignedIn, ErrorBody> {
        let loaded = load(profile).await?;
        let long_term = aws::sdk_config(aws::long_term(&loaded.key), &loaded.settings).await;
        let serial = self.device(&loaded, &long_term).await?;
        let Some(serial) = serial else {
            return Ok(SignedIn {
                profile: loaded.profile,
                settings: loaded.settings,
                sdk: long_term.clone(),
                long_term,
                mfa: MfaState::default(),
                via_session: false,
            });
        };
        let Some(session) = self.live_session(&loaded.profile, &loaded.key.access_key_id) else {
            return Err(ErrorBody::new(
                ErrorCode::MfaRequired,
                format!(
                    "profile {:?} uses the MFA device {serial}: enter a code from it \
                     (`switchyard mfa --profile {}` or the popup)",
                    loaded.profile, loaded.profile
                ),
            ));
        };
        let sdk = aws::sdk_config(session.credentials, &loaded.settings).await;
        Ok(SignedIn {
            profile: loaded.profile,
            settings: loaded.settings,
            sdk,
            long_term,
            mfa: MfaState {
                serial: Some(serial),
                session_expires_at: Some(session.expires_at),
            },
            via_session: true,
        })
    }

    /// Trade an MFA code for a session (GetSessionToken) and keep it in memory.
    pub async fn submit_code(
        &self,
        profile: Option<String>,
        code: &str,
    ) -> Result<MfaSessionData, ErrorBody> {
        let code =
            check_mfa_code(code).map_err(|e| ErrorBody::new(ErrorCode::MfaCodeInvalid, e))?;
        let loaded = load(profile).await?;
        let long_term = aws::sdk_config(aws::long_term(&loaded.key), &loaded.settings).await;
        let Some(serial) = self.device(&loaded, &long_term).await? else {
            return Err(ErrorBody::new(
                ErrorCode::InvalidParams,
                format!(
                    "profile {:?} has no MFA device (none configured, and ListMFADevices \
                     found none); its calls need no code",
                    loaded.profile
                ),
            ));
        };
        let session = aws::mfa::session_token(&long_term, &serial, code).await?;
        let expires_at = session.expires_at;
        let made_with = loaded.key.access_key_id.clone();
        self.with(&loaded.profile, |memory| {
            memory.session = Some((session, made_with))
        });
        tracing::info!(profile = %loaded.profile, expires_at, "MFA session started");
        Ok(MfaSessionData {
            profile: loaded.profile,
            serial,
            expires_at,
        })
    }

    /// Drop the profile's session (it expired, or its key changed).
    pub fn forget(&self, profile: &str) {
        self.with(profile, |memory| memory.session = None);
    }

    fn with<T>(&self, profile: &str, f: impl FnOnce(&mut ProfileMemory) -> T) -> T {
        let mut profiles = match self.profiles.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(profiles.entry(profile.to_owned()).or_default())
    }

    /// After a rotation the session goes on with the new key.
    pub fn rekey(&self, profile: &str, access_key_id: &str) {
        self.with(profile, |memory| {
            if let Some((_, made_with)) = &mut memory.session {
                access_key_id.clone_into(made_with);
            }
        });
    }

    fn live_session(&self, profile: &str, key_id: &str) -> Option<MfaSession> {
        self.with(profile, |memory| match &memory.session {
            Some((s, made_with))
                if made_with == key_id && s.expires_at > now() + EXPIRY_MARGIN_SECS =>
            {
                Some(s.clone())
            }
            _ => {
                memory.session = None;
                None
            }
        })
    }

    /// The profile's MFA device: configured, else discovered (once per run). A user who
    /// may not call ListMFADevices is taken to have none.
    async fn device(
        &self,
        loaded: &Loaded,
        long_term: &SdkConfig,
    ) -> Result<Option<String>, ErrorBody> {
        if let Some(serial) = &loaded.settings.mfa_serial {
            return Ok(Some(serial.clone()));
        }
        if let Some(known) = self.with(&loaded.profile, |m| m.discovered.clone()) {
            return Ok(known);
        }
        let found = match aws::mfa::discover_device(long_term).await {
            Ok(found) => found,
            Err(e) if e.code == ErrorCode::AccessDenied => None,
            Err(e) => return Err(e),
        };
        if let Some(serial) = &found {
            remember_device(&loaded.profile, serial);
        }
        self.with(&loaded.profile, |m| m.discovered = Some(found.clone()));
        Ok(found)
    }
}

/// Write a discovered device into the config, so `switchyard config` shows it.
fn remember_device(profile: &str, serial: &str) {
    let path = config::path();
    let result = config::load(&path).and_then(|mut config| {
        config
            .profiles
            .entry(profile.to_owned())
            .or_default()
            .mfa_serial = Some(serial.to_owned());
        config::save(&path, &config)
    });
    match result {
        Ok(()) => tracing::info!(profile, serial, "MFA device discovered and saved"),
        Err(e) => tracing::warn!(profile, "MFA device discovered but not saved: {e}"),
    }
}
