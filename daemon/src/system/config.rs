//! Non-secret settings in a TOML file in the user's config dir
//! (`~/.config/switchyard/config.toml` on Linux, or `$SWITCHYARD_CONFIG_DIR/config.toml`).
//! Secrets never go here: they live in the keyring ([`crate::system::keyring`]). The
//! folder is the user's alone (0700) and so are the files written in it (0600, through
//! [`write_private`]): profile names, account ids and imported role lists are nobody
//! else's business.

use std::collections::BTreeMap;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
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
    /// `aws`, `aws-us-gov` or `aws-cn`.
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
    /// Deadlines of every AWS call of this profile, in seconds (at least 1): to open a
    /// connection (5 when absent), for one attempt (20), and for the whole operation with
    /// the SDK's retries (60). See `crate::aws::Deadlines`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_timeout_secs: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt_timeout_secs: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_timeout_secs: Option<u64>,
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
            connect_timeout_secs: None,
            attempt_timeout_secs: None,
            operation_timeout_secs: None,
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
    let text = toml::to_string_pretty(config).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    write_private(path, text.as_bytes()).map_err(|source| ConfigError::Write {
        path: path.to_owned(),
        source,
    })
}

/// Write `bytes` to `path` for the user alone: its folder (and the config folder above
/// it) made (or, if it is the user's, narrowed to) 0700, the file 0600, written to a temporary file of a name no other writer
/// uses, in the same folder, then renamed over `path`: a crash never leaves half a file,
/// and two writers never truncate each other's.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    private_dir(dir)?;
    // A file in a subfolder of the config folder (`imports/`): the config folder too.
    if let Some(config_dir) = self::path().parent() {
        if dir != config_dir && dir.starts_with(config_dir) {
            private_dir(config_dir)?;
        }
    }
    let mut file = tempfile::Builder::new()
        .prefix(".switchyard-")
        .suffix(".tmp")
        .permissions(std::fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Make `dir` (0700 for what is created) and narrow it to 0700 when it is the user's.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let meta = std::fs::metadata(dir)?;
    let own = rustix::process::getuid().as_raw();
    if meta.uid() == own && meta.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
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
    fn the_config_is_the_users_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("switchyard");
        let path = dir.join("config.toml");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        save(&path, &load(&path).unwrap()).unwrap();
        assert_eq!((mode(&dir), mode(&path)), (0o700, 0o600));
        // A folder and a file from before: narrowed on the next save.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        save(&path, &load(&path).unwrap()).unwrap();
        assert_eq!((mode(&dir), mode(&path)), (0o700, 0o600));
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["config.toml"], "no temporary file left");
    }

    /// Two writers at once each leave a whole config, never one truncated or mixed by the
    /// other's temporary file, and neither fails.
    #[test]
    fn writers_at_once_never_truncate_each_other() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("config.toml");
        let configs: Vec<Config> = (0..4)
            .map(|i| {
                let mut config = load(&path).unwrap();
                for p in 0..200 {
                    config.profiles.insert(
                        format!("writer{i}-profile{p}"),
                        Profile {
                            region: format!("eu-west-{}", i + 1),
                            ..Profile::default()
                        },
                    );
                }
                config
            })
            .collect();
        let (all, path) = (&configs, &path);
        std::thread::scope(|scope| {
            for config in all {
                scope.spawn(move || {
                    for _ in 0..50 {
                        save(path, config).unwrap();
                        let read = load(path).unwrap();
                        assert!(all.contains(&read), "a torn config");
                    }
                });
            }
        });
        assert!(configs.contains(&load(path).unwrap()));
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
