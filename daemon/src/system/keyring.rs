//! Long-term AWS credentials in the operating system's keyring (Secret Service on Linux,
//! Keychain on macOS, Credential Manager on Windows, through the `keyring` crate).
//!
//! One keyring entry per profile, service `switchyard`, holding the access key id and the
//! secret as JSON. Nothing secret is written anywhere else; [`Credentials`] never prints
//! its secret, and key ids are shown masked.
//!
//! The store is chosen explicitly ([`Backend`], `keyring = "keyutils"` in `config.toml`):
//! the operating system's keyring (the default), or on a headless Linux machine without a
//! Secret Service the kernel's keyutils (the user's persistent keyring): nothing to
//! install or unlock, but the keys live in kernel memory only (gone at reboot, and after
//! `persistent_keyring_expiry`, 3 days by default, unused) and any process of the user
//! may read them, as with an unlocked Secret Service.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The keyring service name of every entry.
pub const KEYRING_SERVICE: &str = "switchyard";

/// Where the keys are kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// The operating system's keyring: the Secret Service (gnome-keyring, KWallet) on
    /// Linux, the Keychain on macOS. Encrypted at rest, unlocked with the login.
    #[default]
    Os,
    /// Linux's kernel keyutils (the user's persistent keyring), for a headless machine:
    /// no service to install or unlock; in kernel memory only, lost at reboot and after a
    /// few idle days; readable by every process of the user.
    Keyutils,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Os => "os",
            Backend::Keyutils => "keyutils",
        }
    }

    pub fn from_name(name: &str) -> Option<Backend> {
        [Backend::Os, Backend::Keyutils]
            .into_iter()
            .find(|b| b.name() == name)
    }

    /// What this store means for the keys, in a sentence (for `doctor`).
    pub fn trade_off(self) -> &'static str {
        match self {
            Backend::Os => {
                "the operating system's keyring (Secret Service or Keychain): \
                            encrypted on disk, unlocked with your login"
            }
            Backend::Keyutils => {
                "the kernel's keyutils (your persistent keyring): no \
                                  service needed, but the keys are in memory only (gone at \
                                  reboot and after a few idle days: store them again) and \
                                  readable by any process of yours"
            }
        }
    }
}

/// The store this process uses (set once at start from the config).
static BACKEND: std::sync::OnceLock<Backend> = std::sync::OnceLock::new();
/// What keeps keyutils entries of different config dirs apart (tests, several installs).
static SCOPE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Choose the store for this process, before the first keyring call; `scope` (the config
/// dir) keeps the keyutils entries of different configurations apart.
pub fn use_backend(backend: Backend, scope: &str) {
    let _ = BACKEND.set(backend);
    let _ = SCOPE.set(scope.to_owned());
}

/// The store this process uses.
pub fn backend() -> Backend {
    BACKEND.get().copied().unwrap_or_default()
}

/// A long-term IAM user access key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &mask(&self.access_key_id))
            .field("secret_access_key", &"<hidden>")
            .finish()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CredentialsError {
    #[error(
        "{0:?} is not an access key id: expected 16 to 128 upper-case letters and digits starting with AKIA"
    )]
    InvalidAccessKeyId(String),
    #[error(
        "{} is a temporary key (ASIA…); store a long-term IAM user key (AKIA…) instead",
        mask(.0)
    )]
    TemporaryKey(String),
    #[error("the secret access key must be 40 characters of letters, digits, '/' and '+'")]
    InvalidSecret,
    #[error("{0:?} is not a profile name: use 1 to 64 letters, digits, '.', '_' or '-'")]
    InvalidProfile(String),
}

impl Credentials {
    /// Check both parts before anything is stored.
    pub fn new(
        access_key_id: &str,
        secret_access_key: &str,
    ) -> Result<Credentials, CredentialsError> {
        let id = access_key_id.trim();
        let secret = secret_access_key.trim();
        let well_formed = (16..=128).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if well_formed && id.starts_with("ASIA") {
            return Err(CredentialsError::TemporaryKey(id.to_owned()));
        }
        if !well_formed || !id.starts_with("AKIA") {
            return Err(CredentialsError::InvalidAccessKeyId(id.to_owned()));
        }
        if secret.len() != 40
            || !secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+')
        {
            return Err(CredentialsError::InvalidSecret);
        }
        Ok(Credentials {
            access_key_id: id.to_owned(),
            secret_access_key: secret.to_owned(),
        })
    }
}

/// Check a profile name (it becomes part of a keyring entry and a TOML key).
pub fn check_profile_name(name: &str) -> Result<(), CredentialsError> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(CredentialsError::InvalidProfile(name.to_owned()))
    }
}

/// `AKIA…WXYZ`: enough to tell keys apart, not enough to use one.
pub fn mask(access_key_id: &str) -> String {
    let chars: Vec<char> = access_key_id.chars().collect();
    if chars.len() < 12 {
        return "…".to_owned();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// Why the keyring could not be used, in words that say what to do.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    #[error("no credentials stored for profile {0:?}; add them with `switchyard credentials add --profile {0}`")]
    NotFound(String),
    #[error(
        "the keyring is locked or not running ({0}); unlock your login keyring, or on a \
         headless Linux machine install and start gnome-keyring (Secret Service)"
    )]
    Unavailable(String),
    #[error("the keyring entry for profile {profile:?} is unreadable ({why}); remove it and add it again")]
    Corrupt { profile: String, why: String },
    #[error("the keyring failed: {0}")]
    Other(String),
}

fn entry(profile: &str) -> Result<keyring::Entry, KeyringError> {
    entry_for(&format!("profile:{profile}"), profile)
}

/// The entry of `user` (`profile:NAME`, `sso:NAME`); `label` names it in errors.
fn entry_for(user: &str, label: &str) -> Result<keyring::Entry, KeyringError> {
    let profile = label;
    match backend() {
        Backend::Os => keyring::Entry::new(KEYRING_SERVICE, user),
        #[cfg(target_os = "linux")]
        Backend::Keyutils => {
            let description = format!(
                "{KEYRING_SERVICE}:{}:{user}",
                SCOPE.get().map(String::as_str).unwrap_or_default()
            );
            // The user keyring (every process of the user: the daemon started from the
            // browser and the CLI in a terminal see the same keys), with the persistent
            // keyring linked so the keys outlive the last process for a few days; the
            // keyring crate's own choice, the session keyring, differs between a terminal
            // and the browser's session, and may not exist at all.
            use linux_keyutils::{KeyRing, KeyRingIdentifier};
            KeyRing::from_special_id(KeyRingIdentifier::User, true)
                .map_err(|e| keyring::Error::NoStorageAccess(Box::new(e)))
                .map(|user_ring| {
                    let credential = keyring::keyutils::KeyutilsCredential {
                        session: user_ring,
                        persistent: KeyRing::get_persistent(KeyRingIdentifier::User).ok(),
                        description,
                    };
                    keyring::Entry::new_with_credential(Box::new(credential))
                })
        }
        #[cfg(not(target_os = "linux"))]
        Backend::Keyutils => {
            return Err(KeyringError::Unavailable(
                "keyutils is Linux's; set keyring = \"os\" in config.toml".to_owned(),
            ))
        }
    }
    .map_err(|e| classify(profile, e))
}

fn classify(profile: &str, error: keyring::Error) -> KeyringError {
    match error {
        keyring::Error::NoEntry => KeyringError::NotFound(profile.to_owned()),
        keyring::Error::NoStorageAccess(e) | keyring::Error::PlatformFailure(e) => {
            KeyringError::Unavailable(e.to_string())
        }
        other => KeyringError::Other(other.to_string()),
    }
}

/// Store (or replace) a profile's credentials.
pub fn store(profile: &str, credentials: &Credentials) -> Result<(), KeyringError> {
    let text =
        serde_json::to_string(credentials).map_err(|e| KeyringError::Other(e.to_string()))?;
    entry(profile)?
        .set_password(&text)
        .map_err(|e| classify(profile, e))
}

/// Read a profile's credentials.
pub fn load(profile: &str) -> Result<Credentials, KeyringError> {
    let text = entry(profile)?
        .get_password()
        .map_err(|e| classify(profile, e))?;
    serde_json::from_str(&text).map_err(|e| KeyringError::Corrupt {
        profile: profile.to_owned(),
        why: e.to_string(),
    })
}

/// Delete a profile's credentials; `Ok(false)` when there were none.
pub fn remove(profile: &str) -> Result<bool, KeyringError> {
    match entry(profile)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(classify(profile, e)),
    }
}

/// Store (or replace) another secret of the daemon's (an IAM Identity Center session's
/// client registration and tokens, as JSON), under `sso:NAME`.
pub fn store_secret(name: &str, text: &str) -> Result<(), KeyringError> {
    let user = format!("sso:{name}");
    entry_for(&user, name)?
        .set_password(text)
        .map_err(|e| classify(name, e))
}

/// Read a secret stored with [`store_secret`]; `None` when there is none.
pub fn load_secret(name: &str) -> Result<Option<String>, KeyringError> {
    let user = format!("sso:{name}");
    match entry_for(&user, name)?.get_password() {
        Ok(text) => Ok(Some(text)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(classify(name, e)),
    }
}

/// Delete a secret stored with [`store_secret`]; `Ok(false)` when there was none.
pub fn remove_secret(name: &str) -> Result<bool, KeyringError> {
    let user = format!("sso:{name}");
    match entry_for(&user, name)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(classify(name, e)),
    }
}

/// A keyring failure as the protocol says it: `credentials_missing` for nothing stored,
/// else `keyring_unavailable`.
impl From<KeyringError> for switchyard_shared::protocol::ErrorBody {
    fn from(error: KeyringError) -> Self {
        use switchyard_shared::protocol::{ErrorBody, ErrorCode};
        let code = match error {
            KeyringError::NotFound(_) => ErrorCode::CredentialsMissing,
            _ => ErrorCode::KeyringUnavailable,
        };
        ErrorBody::new(code, error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "AKIAIOSFODNN7EXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    #[test]
    fn good_keys_are_accepted_and_never_printed() {
        let creds = Credentials::new(&format!(" {ID}\n"), SECRET).unwrap();
        assert_eq!(creds.access_key_id, ID);
        let shown = format!("{creds:?}");
        assert!(!shown.contains(SECRET) && !shown.contains(ID), "{shown}");
        assert_eq!(mask(ID), "AKIA…MPLE");
        assert_eq!(mask("short"), "…");
    }

    #[test]
    fn bad_keys_are_refused_with_the_reason() {
        let cases = [
            ("akiaiosfodnn7example", SECRET, "not an access key id"),
            ("AKIA123", SECRET, "not an access key id"),
            ("XKIAIOSFODNN7EXAMPLE", SECRET, "not an access key id"),
            ("ASIAIOSFODNN7EXAMPLE", SECRET, "temporary key"),
            (ID, "short", "40 characters"),
            (
                ID,
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE!",
                "40 characters",
            ),
        ];
        for (id, secret, why) in cases {
            let err = Credentials::new(id, secret).unwrap_err().to_string();
            assert!(err.contains(why), "{id}: {err}");
            assert!(!err.contains(SECRET), "{err}");
        }
    }

    #[test]
    fn profile_names_are_checked() {
        for good in ["default", "client-a", "org_2.prod"] {
            check_profile_name(good).unwrap();
        }
        for bad in ["", "a b", "x/y", &"p".repeat(65)] {
            assert!(check_profile_name(bad).is_err(), "{bad}");
        }
    }
}
