//! Which credentials an AWS call uses, and the MFA sessions the daemon holds.
//!
//! A profile's long-term key lives in the keyring. When the profile has an MFA device
//! (configured in `config.toml`, or discovered once per daemon run with ListMFADevices and
//! then written there), every AWS call uses a session from GetSessionToken instead, which
//! the daemon keeps in memory only: a restarted daemon asks for a code again.
//!
//! [`Layers`] is the single-flight cache of the temporary credentials handed out by
//! `credentials.get` ([`crate::services::credentials`] stacks them): per layer an async
//! lock, so one caller refreshes and the others take its answer or its error.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::aws::SdkConfig;
use switchyard_shared::protocol::aws::{check_mfa_code, MfaSessionData, MfaState, MfaWaitParams};
use switchyard_shared::protocol::{ErrorBody, ErrorCode, IdentityData};

use crate::aws::{self, mfa::MfaSession};
use crate::system::config::{self, Profile};
use crate::system::keyring::{self, Credentials, KeyringError};

use crate::services::layers::EXPIRY_MARGIN_SECS;
pub use crate::services::layers::{LayerKey, Layers};

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

pub use crate::services::layers::now;

#[derive(Debug, Default)]
struct ProfileMemory {
    /// The session and the long-term key id it was made with: a session of another key
    /// (the profile was re-added for someone else) is not used.
    session: Option<(MfaSession, String)>,
    /// ListMFADevices' answer this run: `Some(None)` means "asked, no device".
    discovered: Option<Option<String>>,
}

/// The daemon's in-memory MFA sessions, per profile, and the temporary credentials it
/// has handed out (`credentials.get`'s layers).
#[derive(Debug, Default)]
pub struct Sessions {
    profiles: Mutex<HashMap<String, ProfileMemory>>,
    /// The temporary credentials handed out (`credentials.get`), per layer.
    pub layers: Layers,
    /// The IAM Identity Center sessions (tokens in the keyring, role credentials here).
    pub sso: Arc<crate::services::sso::Sso>,
    /// Commands waiting for a profile's MFA session (`mfa.wait`), woken when one starts.
    pub waiting: super::mfa_wait::MfaWaiting,
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
    /// The MFA session the calls use, when the profile has a device.
    pub mfa_session: Option<MfaSession>,
    via_session: bool,
    /// The Identity Center role the profile signs in as (an `sso_*` profile of
    /// `~/.aws/config`): `sdk` and `long_term` are its role credentials then.
    pub sso: Option<switchyard_shared::protocol::roles::SsoRoleRef>,
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
        if let (Some(role), ErrorCode::AwsAuthFailed) = (&self.sso, error.code) {
            sessions.sso.forget_role(role);
            return ErrorBody::new(
                ErrorCode::AwsAuthFailed,
                format!(
                    "AWS refused the credentials of Identity Center role {} in account {} ({});                      they are dropped, and the next call asks Identity Center for new ones",
                    role.role_name, role.account_id, error.message
                ),
            );
        }
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
    let name = profile.unwrap_or_else(|| config.default_name());
    keyring::check_profile_name(&name)
        .map_err(|e| ErrorBody::new(ErrorCode::InvalidParams, e.to_string()))?;
    if let Some(why) = config.disabled.get(&name) {
        return Err(ErrorBody::new(
            ErrorCode::InvalidParams,
            format!(
                "profile {name:?} in {} is set aside: {why}; fix it there, or see \
                 `switchyard config show`",
                config::path().display()
            ),
        ));
    }
    let settings = config.profiles.get(&name).cloned().unwrap_or_default();
    Ok((name, settings))
}

/// The profile's settings and its key from the keyring. A profile without a key is
/// `credentials_missing`, naming the profiles that exist.
pub async fn load(profile: Option<String>) -> Result<Loaded, ErrorBody> {
    let (profile, settings) = settings(profile)?;
    // Every way of storing a key also writes the profile's settings: a profile the
    // settings file does not name has none, said without touching the keyring (which may
    // not even run for someone who switches through the console alone).
    let named = config::load(&config::path())
        .map(|c| c.profiles.contains_key(&profile))
        .unwrap_or(true);
    if !named {
        return Err(missing(&profile, KeyringError::NotFound(profile.clone())));
    }
    let name = profile.clone();
    let key = tokio::task::spawn_blocking(move || keyring::load(&name))
        .await
        .map_err(|e| ErrorBody::new(ErrorCode::Internal, e.to_string()))?
        .map_err(|e| match e {
            KeyringError::NotFound(_) => missing(&profile, e),
            other => keyring_error(other),
        })?;
    Ok(Loaded {
        profile,
        settings,
        key,
    })
}

/// `credentials_missing` for `profile`, with the profiles there are.
fn missing(profile: &str, error: KeyringError) -> ErrorBody {
    let known: Vec<String> = config::load(&config::path())
        .map(|c| c.profiles.into_keys().filter(|p| p != profile).collect())
        .unwrap_or_default();
    let hint = match known.as_slice() {
        [] => "; add a key with `switchyard credentials add --profile NAME`".to_owned(),
        known => format!(
            "; the profiles with settings are: {} (name one with --profile or \
             $SWITCHYARD_PROFILE, or make one the default with `switchyard config set \
             default_profile NAME`)",
            known.join(", ")
        ),
    };
    ErrorBody::new(ErrorCode::CredentialsMissing, format!("{error}{hint}"))
}

/// A keyring failure as a protocol error.
pub fn keyring_error(error: KeyringError) -> ErrorBody {
    error.into()
}

impl Sessions {
    /// `mfa.wait`: the profile's MFA session as soon as one exists, or `mfa_required` when
    /// the wait ends without one.
    pub async fn wait_for_mfa(&self, params: MfaWaitParams) -> Result<MfaSessionData, ErrorBody> {
        let wait: std::time::Duration = params.wait();
        let (profile, settings) = settings(params.profile)?;
        let entered = self
            .waiting
            .enter(&profile, super::mfa_wait::clean_asker(params.asker));
        let deadline = tokio::time::Instant::now() + wait;
        let answer = loop {
            // Registered before looking, so a session started in between still wakes us.
            let started = self.waiting.started.notified();
            tokio::pin!(started);
            started.as_mut().enable();
            if let Some(session) = self.mfa_session_data(&profile, &settings) {
                break Ok(session);
            }
            if tokio::time::timeout_at(deadline, started).await.is_err() {
                break Err(ErrorBody::new(
                    ErrorCode::MfaRequired,
                    format!(
                        "no MFA session for profile {profile:?} yet: enter the code in the \
                         Switchyard popup, or run `switchyard mfa --profile {profile}` in a terminal"
                    ),
                ));
            }
        };
        drop(entered);
        answer
    }

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
        if let Some(signed) = self.sign_in_sso(profile.clone()).await? {
            return Ok(signed);
        }
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
                mfa_session: None,
                via_session: false,
                sso: None,
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
        let sdk = aws::sdk_config(session.credentials.clone(), &loaded.settings).await;
        Ok(SignedIn {
            profile: loaded.profile,
            settings: loaded.settings,
            sdk,
            long_term,
            mfa: MfaState {
                serial: Some(serial),
                session_expires_at: Some(session.expires_at),
            },
            mfa_session: Some(session),
            via_session: true,
            sso: None,
        })
    }

    /// A profile `config.toml` does not define that `~/.aws/config` defines with `sso_*`
    /// keys signs in through IAM Identity Center: its role's credentials (held by
    /// [`crate::services::sso::Sso`]) make every call. `None` for any other profile.
    async fn sign_in_sso(&self, profile: Option<String>) -> Result<Option<SignedIn>, ErrorBody> {
        let (name, _) = settings(profile)?;
        let config = config::load(&config::path())
            .map_err(|e| ErrorBody::new(ErrorCode::InvalidParams, e.to_string()))?;
        if config.profiles.contains_key(&name) {
            return Ok(None);
        }
        let Some((sso_profile, session)) = crate::services::sso::profile(&name) else {
            return Ok(None);
        };
        let role = switchyard_shared::protocol::roles::SsoRoleRef {
            session: session.name.clone(),
            account_id: sso_profile.account_id.clone(),
            role_name: sso_profile.role_name.clone(),
        };
        let credentials = self.sso.role_credentials(&role).await?;
        let region = sso_profile.region.clone().unwrap_or(session.region.clone());
        let settings = Profile {
            partition: switchyard_shared::switch::Partition::of_region(&region)
                .name()
                .to_owned(),
            region,
            ..Profile::default()
        };
        let sdk = aws::sdk_config(aws::temporary(&credentials), &settings).await;
        Ok(Some(SignedIn {
            profile: name,
            settings,
            sdk: sdk.clone(),
            long_term: sdk,
            mfa: MfaState::default(),
            mfa_session: None,
            via_session: false,
            sso: Some(role),
        }))
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
        // The profile's session layer was the old MFA session, or none: take the new one.
        self.layers.forget(&loaded.profile);
        tracing::info!(profile = %loaded.profile, expires_at, "MFA session started");
        self.waiting.session_started(&loaded.profile);
        Ok(MfaSessionData {
            profile: loaded.profile,
            serial,
            expires_at,
        })
    }

    /// Drop the profile's session and every credential handed out for it (it expired,
    /// its key changed, or the user ended it); whether there was anything to drop.
    pub fn forget(&self, profile: &str) -> bool {
        let had_session = self.with(profile, |memory| memory.session.take().is_some());
        let had_layers = self.layers.forget(profile);
        had_session || had_layers
    }

    /// The profiles with an MFA session now.
    pub fn profiles_with_sessions(&self) -> Vec<String> {
        let profiles = match self.profiles.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        profiles
            .iter()
            .filter(|(_, memory)| memory.session.is_some())
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// When the profile's MFA session ends, if it has a live one (no keyring read: for
    /// listings).
    pub fn session_end(&self, profile: &str) -> Option<u64> {
        self.with(profile, |memory| {
            memory
                .session
                .as_ref()
                .map(|(s, _)| s.expires_at)
                .filter(|end| *end > now() + EXPIRY_MARGIN_SECS)
        })
    }

    /// The profile's live MFA session, as `mfa.submit` answered it (no keyring read).
    pub fn mfa_session_data(&self, profile: &str, settings: &Profile) -> Option<MfaSessionData> {
        let expires_at = self.session_end(profile)?;
        let serial = settings
            .mfa_serial
            .clone()
            .or_else(|| self.with(profile, |m| m.discovered.clone().flatten()))
            .unwrap_or_default();
        Some(MfaSessionData {
            profile: profile.to_owned(),
            serial,
            expires_at,
        })
    }

    fn with<T>(&self, profile: &str, f: impl FnOnce(&mut ProfileMemory) -> T) -> T {
        let mut profiles = match self.profiles.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(profiles.entry(profile.to_owned()).or_default())
    }

    /// After a rotation the MFA session goes on with the new key; the credentials handed
    /// out were made with the old one, so they are made again when next asked for.
    pub fn rekey(&self, profile: &str, access_key_id: &str) {
        self.with(profile, |memory| {
            if let Some((_, made_with)) = &mut memory.session {
                access_key_id.clone_into(made_with);
            }
        });
        self.layers.forget(profile);
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
