//! Non-secret settings in a TOML file in the user's config dir
//! (`~/.config/switchyard/config.toml` on Linux, or `$SWITCHYARD_CONFIG_DIR/config.toml`).
//! Secrets never go here: they live in the keyring ([`crate::system::keyring`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Environment variable that overrides the config dir (tests use it).
pub const CONFIG_DIR_ENV: &str = "SWITCHYARD_CONFIG_DIR";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The profile used when none is named.
    #[serde(default = "default_profile_name")]
    pub default_profile: String,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// One set of credentials' non-secret settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    #[serde(default = "default_region")]
    pub region: String,
    /// `aws`, `aws-us-gov`, `aws-cn` or `aws-eusc`.
    #[serde(default = "default_partition")]
    pub partition: String,
    /// The MFA device's ARN, when the user has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_serial: Option<String>,
    /// Send every AWS call here instead (the local stand-in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_url: Option<String>,
    /// How long the organization's account list is served from the cache before it is
    /// refreshed (seconds; 900 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts_cache_ttl_secs: Option<u64>,
    /// Where federated sign-in exchanges credentials for a sign-in token
    /// (`https://HOST[:PORT]`; `http://` only on loopback, for a local stand-in). The
    /// partition's sign-in host when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signin_endpoint: Option<String>,
    /// How `account create` makes an e-mail address when none is given
    /// (`ops+{slug}@example.com`; `{slug}` is the account name in lowercase with dashes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_template: Option<String>,
}

impl Default for Profile {
    fn default() -> Profile {
        Profile {
            region: default_region(),
            partition: default_partition(),
            mfa_serial: None,
            endpoint_url: None,
            accounts_cache_ttl_secs: None,
            signin_endpoint: None,
            email_template: None,
        }
    }
}

fn default_profile_name() -> String {
    "default".to_owned()
}
fn default_region() -> String {
    "us-east-1".to_owned()
}
fn default_partition() -> String {
    "aws".to_owned()
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a valid Switchyard config: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The config file's path.
pub fn path() -> PathBuf {
    std::env::var_os(CONFIG_DIR_ENV)
        .map(PathBuf::from)
        .or_else(|| dirs::config_dir().map(|d| d.join("switchyard")))
        .unwrap_or_else(|| PathBuf::from(".switchyard"))
        .join("config.toml")
}

/// Read the config; a missing file is the default config.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Config {
                default_profile: default_profile_name(),
                profiles: BTreeMap::new(),
            })
        }
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_owned(),
                source,
            })
        }
    };
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

/// Write the config (through a temporary file, so a crash never leaves half a file).
pub fn save(path: &Path, config: &Config) -> Result<(), ConfigError> {
    let write_err = |source| ConfigError::Write {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(write_err)?;
    }
    let text = toml::to_string_pretty(config).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, text).map_err(write_err)?;
    std::fs::rename(&tmp, path).map_err(write_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_is_the_default_and_round_trips() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("sub/config.toml");
        let mut config = load(&path).unwrap();
        assert_eq!(config.default_profile, "default");
        config.profiles.insert(
            "work".into(),
            Profile {
                mfa_serial: Some("arn:aws:iam::123456789012:mfa/alice".into()),
                ..Profile::default()
            },
        );
        save(&path, &config).unwrap();
        assert_eq!(load(&path).unwrap(), config);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("[profiles.work]"), "{text}");
    }

    #[test]
    fn defaults_fill_in_and_typos_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("config.toml");
        std::fs::write(&path, "[profiles.a]\nregion = \"eu-west-1\"\n").unwrap();
        let config = load(&path).unwrap();
        assert_eq!(config.profiles["a"].partition, "aws");
        assert_eq!(config.default_profile, "default");

        std::fs::write(&path, "[profiles.a]\nregoin = \"eu-west-1\"\n").unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(err.contains("regoin"), "{err}");
    }
}
