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

/// The daemon's in-memory MFA sessions, per profile, and the temporary credentials it
/// has handed out (`credentials.get`'s layers).
#[derive(Debug, Default)]
pub struct Sessions {
    profiles: Mutex<HashMap<String, ProfileMemory>>,
    pub layers: crate::services::credentials::Layers,
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
}

impl SignedIn {
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
                mfa_session: None,
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
        // The profile's session layer was the old MFA session, or none: take the new one.
        self.layers.forget(&loaded.profile);
        tracing::info!(profile = %loaded.profile, expires_at, "MFA session started");
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
