//! Non-secret settings in a TOML file in the user's config dir
//! (`~/.config/switchyard/config.toml` on Linux, or `$SWITCHYARD_CONFIG_DIR/config.toml`).
//! Secrets never go here: they live in the keyring ([`crate::system::keyring`]). The
//! folder is the user's alone (0700) and so are the files written in it (0600, through
//! [`write_private`]): profile names, account ids and imported role lists are nobody
//! else's business.
//!
//! The file may be edited by hand: writes go through `toml_edit`, changing only the keys
//! that changed, so comments and layout stay. A profile with a key this build does not
//! know (a typo) is set aside with the reason ([`Config::disabled`]) rather than failing
//! every profile. Values are checked when stored ([`check`]): Regions against the known
//! list, MFA serials, endpoint URLs.

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
    /// Where the keys are kept: `os` (the default) or `keyutils` (headless Linux).
    #[serde(default, skip_serializing_if = "is_default_backend")]
    pub keyring: crate::system::keyring::Backend,
    /// Profiles in the file that could not be read, with why: left out of `profiles`,
    /// and left as they are in the file by [`save`].
    #[serde(skip)]
    pub disabled: BTreeMap<String, String>,
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

fn is_default_backend(backend: &crate::system::keyring::Backend) -> bool {
    *backend == crate::system::keyring::Backend::default()
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

impl Config {
    /// The profile a request that names none acts for: `default_profile` when it exists,
    /// else the only profile there is, else `default_profile` anyway (a user with no
    /// credentials still has imported roles under it).
    pub fn default_name(&self) -> String {
        if self.profiles.contains_key(&self.default_profile) || self.profiles.len() != 1 {
            return self.default_profile.clone();
        }
        self.profiles
            .keys()
            .next()
            .cloned()
            .unwrap_or_else(|| self.default_profile.clone())
    }

    /// The profile for `name` (one that exists) or, without a name, the default one,
    /// which must exist too.
    pub fn choose_profile(&self, name: Option<&str>) -> Result<String, ProfileError> {
        let chosen = name
            .map(str::to_owned)
            .unwrap_or_else(|| self.default_name());
        if self.profiles.contains_key(&chosen) {
            return Ok(chosen);
        }
        Err(ProfileError {
            name: chosen,
            named: name.is_some(),
            known: self.profiles.keys().cloned().collect(),
        })
    }
}

/// A profile that is not in the config, with the ones that are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.sentence())]
pub struct ProfileError {
    pub name: String,
    /// Named by the user (`--profile`, `$SWITCHYARD_PROFILE`) rather than the default.
    pub named: bool,
    pub known: Vec<String>,
}

impl ProfileError {
    fn sentence(&self) -> String {
        let which = match self.named {
            true => format!("there is no profile {:?}", self.name),
            false => format!(
                "the default profile {:?} does not exist and there is more than one",
                self.name
            ),
        };
        match self.known.as_slice() {
            [] => format!(
                "{which}: no profiles yet; add one with `switchyard credentials add --profile NAME`"
            ),
            known => format!(
                "{which}; the profiles are: {} (name one with --profile or ${}, or make one \
                 the default with `switchyard config set default_profile NAME`)",
                known.join(", "),
                "SWITCHYARD_PROFILE"
            ),
        }
    }
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

/// Read the config; a missing file is the default config. A profile that cannot be read
/// is left out and named in [`Config::disabled`]; a file that is not TOML, or an unknown
/// key outside the profiles, is an error.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Config {
                default_profile: default_profile_name(),
                ..Config::default()
            })
        }
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_owned(),
                source,
            })
        }
    };
    parse(path, &text)
}

fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let parse_error = |message: String| ConfigError::Parse {
        path: path.to_owned(),
        message,
    };
    let mut table: toml::Table = toml::from_str(text).map_err(|e| parse_error(e.to_string()))?;
    let profiles = table.remove("profiles");
    // Everything but the profiles, strictly (an unknown key is refused).
    let mut config: Config = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| parse_error(e.to_string()))?;
    let profiles = match profiles {
        None => toml::Table::new(),
        Some(toml::Value::Table(profiles)) => profiles,
        Some(_) => return Err(parse_error("`profiles` must be a table".into())),
    };
    for (name, value) in profiles {
        if crate::system::keyring::check_profile_name(&name).is_err() {
            config.disabled.insert(
                name,
                "the name is not a profile name (letters, digits, `.`, `_`, `-`)".into(),
            );
            continue;
        }
        match value.try_into::<Profile>() {
            Ok(profile) => {
                config.profiles.insert(name, profile);
            }
            Err(e) => {
                let why = e.message().trim().to_owned();
                config.disabled.insert(name, why);
            }
        }
    }
    Ok(config)
}

/// Write the config: only what differs from the file changes (comments, order and the
/// profiles set aside stay), through a temporary file, so a crash never leaves half a file.
pub fn save(path: &Path, config: &Config) -> Result<(), ConfigError> {
    let write_err = |source| ConfigError::Write {
        path: path.to_owned(),
        source,
    };
    let old = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_owned(),
                source,
            })
        }
    };
    let mut doc: toml_edit::DocumentMut =
        old.parse()
            .map_err(|e: toml_edit::TomlError| ConfigError::Parse {
                path: path.to_owned(),
                message: e.to_string(),
            })?;
    merge(&mut doc, config);
    write_private(path, doc.to_string().as_bytes()).map_err(write_err)
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

/// Make `doc` say what `config` says, touching only what differs.
fn merge(doc: &mut toml_edit::DocumentMut, config: &Config) {
    let in_doc = doc.get("default_profile").and_then(|v| v.as_str());
    if in_doc != Some(config.default_profile.as_str())
        && !(in_doc.is_none() && config.default_profile == default_profile_name())
    {
        doc["default_profile"] = toml_edit::value(config.default_profile.clone());
    }
    let backend = config.keyring.name();
    match doc.get("keyring").and_then(|v| v.as_str()) {
        Some(have) if have == backend => {}
        None if is_default_backend(&config.keyring) => {}
        _ => doc["keyring"] = toml_edit::value(backend),
    }
    if config.profiles.is_empty() && !doc.contains_key("profiles") {
        return;
    }
    if !doc.get("profiles").is_some_and(|p| p.is_table()) {
        let mut table = toml_edit::Table::new();
        table.set_implicit(true);
        doc["profiles"] = toml_edit::Item::Table(table);
    }
    let Some(profiles) = doc["profiles"].as_table_mut() else {
        return;
    };
    let gone: Vec<String> = profiles
        .iter()
        .map(|(name, _)| name.to_owned())
        .filter(|name| !config.profiles.contains_key(name) && !config.disabled.contains_key(name))
        .collect();
    for name in gone {
        profiles.remove(&name);
    }
    for (name, profile) in &config.profiles {
        let is_new = !profiles.get(name).is_some_and(|t| t.is_table());
        if is_new {
            profiles.insert(name, toml_edit::Item::Table(toml_edit::Table::new()));
        }
        let Some(table) = profiles[name.as_str()].as_table_mut() else {
            continue;
        };
        for field in Field::ALL {
            let key = field.name();
            let wanted = field.value_in(profile);
            let have = table.get(key).and_then(|i| i.as_value());
            match (have, wanted) {
                (None, None) => {}
                (Some(_), None) => {
                    table.remove(key);
                }
                (Some(have), Some(want)) => {
                    let same = match (&want, have) {
                        (toml_edit::Value::String(w), h) => h.as_str() == Some(w.value().as_str()),
                        (toml_edit::Value::Integer(w), h) => h.as_integer() == Some(*w.value()),
                        _ => false,
                    };
                    if !same {
                        // The new value keeps the old one's comments and spacing.
                        let decor = have.decor().clone();
                        let mut want = want;
                        *want.decor_mut() = decor;
                        table[key] = toml_edit::Item::Value(want);
                    }
                }
                (None, Some(want)) => {
                    // A hand-written profile is not filled with defaults it left out.
                    let default = match field {
                        Field::Region => want.as_str() == Some(default_region().as_str()),
                        Field::Partition => want.as_str() == Some(default_partition().as_str()),
                        _ => false,
                    };
                    if is_new || !default {
                        table[key] = toml_edit::Item::Value(want);
                    }
                }
            }
        }
    }
}

/// Remove one key from the file as it is (also from a profile set aside: the way to undo
/// a typo), keeping everything else. Whether it was there.
pub fn remove_raw(path: &Path, profile: Option<&str>, key: &str) -> Result<bool, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_owned(),
                source,
            })
        }
    };
    let mut doc: toml_edit::DocumentMut =
        text.parse()
            .map_err(|e: toml_edit::TomlError| ConfigError::Parse {
                path: path.to_owned(),
                message: e.to_string(),
            })?;
    let table = match profile {
        None => Some(doc.as_table_mut()),
        Some(name) => doc
            .get_mut("profiles")
            .and_then(|p| p.as_table_mut())
            .and_then(|p| p.get_mut(name))
            .and_then(|t| t.as_table_mut()),
    };
    let removed = table.and_then(|t| t.remove(key)).is_some();
    if removed {
        let write_err = |source| ConfigError::Write {
            path: path.to_owned(),
            source,
        };
        let tmp = path.with_extension("toml.tmp");
        std::fs::write(&tmp, doc.to_string()).map_err(write_err)?;
        std::fs::rename(&tmp, path).map_err(write_err)?;
    }
    Ok(removed)
}

/// A setting `switchyard config get|set|unset` names: `default_profile`, or
/// `profiles.NAME.FIELD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    DefaultProfile,
    /// `keyring`: `os` or `keyutils`.
    Keyring,
    Profile {
        name: String,
        field: Field,
    },
}

/// A profile's setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Region,
    Partition,
    MfaSerial,
    EndpointUrl,
    AccountsCacheTtlSecs,
    SigninEndpoint,
    EmailTemplate,
}

impl Field {
    pub const ALL: [Field; 7] = [
        Field::Region,
        Field::Partition,
        Field::MfaSerial,
        Field::EndpointUrl,
        Field::AccountsCacheTtlSecs,
        Field::SigninEndpoint,
        Field::EmailTemplate,
    ];

    /// The field's value in `profile`, as written to the file; `None` when unset.
    fn value_in(self, p: &Profile) -> Option<toml_edit::Value> {
        let text = |v: &Option<String>| v.as_ref().map(|v| toml_edit::Value::from(v.as_str()));
        match self {
            Field::Region => Some(p.region.as_str().into()),
            Field::Partition => Some(p.partition.as_str().into()),
            Field::MfaSerial => text(&p.mfa_serial),
            Field::EndpointUrl => text(&p.endpoint_url),
            Field::AccountsCacheTtlSecs => p
                .accounts_cache_ttl_secs
                .and_then(|n| i64::try_from(n).ok())
                .map(toml_edit::Value::from),
            Field::SigninEndpoint => text(&p.signin_endpoint),
            Field::EmailTemplate => text(&p.email_template),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Field::Region => "region",
            Field::Partition => "partition",
            Field::MfaSerial => "mfa_serial",
            Field::EndpointUrl => "endpoint_url",
            Field::AccountsCacheTtlSecs => "accounts_cache_ttl_secs",
            Field::SigninEndpoint => "signin_endpoint",
            Field::EmailTemplate => "email_template",
        }
    }
}

impl std::str::FromStr for Key {
    type Err = String;

    fn from_str(text: &str) -> Result<Key, String> {
        if text == "default_profile" {
            return Ok(Key::DefaultProfile);
        }
        if text == "keyring" {
            return Ok(Key::Keyring);
        }
        let fields = Field::ALL.map(Field::name).join(", ");
        let usage = format!(
            "{text:?} is not a setting: use default_profile, keyring or profiles.NAME.FIELD, \
             where FIELD is one of {fields}"
        );
        let rest = text
            .strip_prefix("profiles.")
            .ok_or_else(|| usage.clone())?;
        let (name, field) = rest.rsplit_once('.').ok_or_else(|| usage.clone())?;
        crate::system::keyring::check_profile_name(name).map_err(|e| e.to_string())?;
        let field = Field::ALL
            .into_iter()
            .find(|f| f.name() == field)
            .ok_or_else(|| format!("a profile has no setting {field:?}; it has {fields}"))?;
        Ok(Key::Profile {
            name: name.to_owned(),
            field,
        })
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::DefaultProfile => f.write_str("default_profile"),
            Key::Keyring => f.write_str("keyring"),
            Key::Profile { name, field } => write!(f, "profiles.{name}.{}", field.name()),
        }
    }
}

impl Config {
    /// A setting's value as it applies (a default when the file sets none); `None` for an
    /// optional setting that is not set, or a profile that does not exist.
    pub fn get(&self, key: &Key) -> Option<String> {
        let (name, field) = match key {
            Key::DefaultProfile => return Some(self.default_profile.clone()),
            Key::Keyring => return Some(self.keyring.name().to_owned()),
            Key::Profile { name, field } => (name, field),
        };
        let p = self.profiles.get(name)?;
        match field {
            Field::Region => Some(p.region.clone()),
            Field::Partition => Some(p.partition.clone()),
            Field::MfaSerial => p.mfa_serial.clone(),
            Field::EndpointUrl => p.endpoint_url.clone(),
            Field::AccountsCacheTtlSecs => p.accounts_cache_ttl_secs.map(|n| n.to_string()),
            Field::SigninEndpoint => p.signin_endpoint.clone(),
            Field::EmailTemplate => p.email_template.clone(),
        }
    }

    /// Set (`Some`) or unset (`None`) a setting, checked first. A profile's setting
    /// makes the profile when it does not exist yet; `default_profile` must name one.
    pub fn set(&mut self, key: &Key, value: Option<&str>) -> Result<(), String> {
        let (name, field) = match key {
            Key::DefaultProfile => {
                let value = value.unwrap_or("default");
                if value != "default" && !self.profiles.contains_key(value) {
                    let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
                    return Err(format!(
                        "there is no profile {value:?}; the profiles are: {}",
                        if known.is_empty() {
                            "none yet".to_owned()
                        } else {
                            known.join(", ")
                        }
                    ));
                }
                value.clone_into(&mut self.default_profile);
                return Ok(());
            }
            Key::Keyring => {
                let value = value.unwrap_or("os");
                self.keyring =
                    crate::system::keyring::Backend::from_name(value).ok_or_else(|| {
                        format!("{value:?} is not a keyring: os (the default) or keyutils")
                    })?;
                return Ok(());
            }
            Key::Profile { name, field } => (name, *field),
        };
        if self.disabled.contains_key(name) {
            return Err(format!(
                "profile {name:?} is set aside ({}); fix it in the file first",
                self.disabled[name]
            ));
        }
        let mut profile = self.profiles.get(name).cloned().unwrap_or_default();
        let checked = value.map(|v| check(field, v, &profile)).transpose()?;
        match field {
            Field::Region => profile.region = checked.unwrap_or_else(default_region),
            Field::Partition => {
                let partition = checked.unwrap_or_else(default_partition);
                if let Some(p) = switchyard_shared::switch::region_partition(&profile.region) {
                    if p.name() != partition {
                        return Err(format!(
                            "the profile's region {} is in partition {}: set \
                             profiles.{name}.region first",
                            profile.region,
                            p.name()
                        ));
                    }
                }
                profile.partition = partition;
            }
            Field::MfaSerial => profile.mfa_serial = checked,
            Field::EndpointUrl => profile.endpoint_url = checked,
            Field::AccountsCacheTtlSecs => {
                profile.accounts_cache_ttl_secs = checked.and_then(|n| n.parse().ok())
            }
            Field::SigninEndpoint => profile.signin_endpoint = checked,
            Field::EmailTemplate => profile.email_template = checked,
        }
        self.profiles.insert(name.clone(), profile);
        Ok(())
    }
}

/// Check a value for a profile's setting before it is stored; the value as stored, or why
/// it is refused (in words that say what would be accepted).
pub fn check(field: Field, value: &str, profile: &Profile) -> Result<String, String> {
    let value = value.trim();
    match field {
        Field::Region => check_region(value, &profile.partition),
        Field::Partition => match switchyard_shared::switch::Partition::from_name(value) {
            Some(p) => Ok(p.name().to_owned()),
            None => Err(format!(
                "{value:?} is not a partition: aws, aws-us-gov or aws-cn"
            )),
        },
        Field::MfaSerial => check_mfa_serial(value),
        Field::EndpointUrl => check_url(value).map(|()| value.to_owned()),
        Field::SigninEndpoint => check_signin_endpoint(value),
        Field::AccountsCacheTtlSecs => match value.parse::<u64>() {
            Ok(n) if n <= 7 * 24 * 3600 => Ok(n.to_string()),
            _ => Err(format!(
                "{value:?} is not a number of seconds from 0 to 604800 (a week)"
            )),
        },
        Field::EmailTemplate => match value.split_once('@') {
            Some((local, domain)) if !local.is_empty() && domain.contains('.') => {
                Ok(value.to_owned())
            }
            _ => Err(format!(
                "{value:?} is not an e-mail template such as ops+{{slug}}@example.com"
            )),
        },
    }
}

fn check_region(value: &str, partition: &str) -> Result<String, String> {
    use switchyard_shared::switch::{region_partition, KNOWN_REGIONS};
    let known = |p: &str| -> String {
        KNOWN_REGIONS
            .iter()
            .filter(|(_, part)| part.name() == p)
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match region_partition(value) {
        Some(p) if p.name() == partition => Ok(value.to_owned()),
        Some(p) => Err(format!(
            "{value} is a Region of partition {}, but the profile is in {partition} (set \
             its partition first); {partition}'s Regions are: {}",
            p.name(),
            known(partition)
        )),
        None => Err(format!(
            "{value:?} is not a Region {}; {partition}'s Regions are: {} (a Region newer \
             than this build can be written into config.toml by hand)",
            if switchyard_shared::switch::is_region(value) {
                "this build knows"
            } else {
                "name"
            },
            known(partition)
        )),
    }
}

/// An MFA device's ARN (`arn:PARTITION:iam::ACCOUNT:mfa/NAME`), or a hardware token's
/// serial number (`GAHT12345678`), which GetSessionToken also takes.
fn check_mfa_serial(value: &str) -> Result<String, String> {
    let refuse = |why: &str| {
        Err(format!(
            "{value:?} {why}: an MFA serial is the device's ARN, \
             arn:aws:iam::123456789012:mfa/NAME (IAM shows it under the user's security \
             credentials), or a hardware token's serial number"
        ))
    };
    if !value.starts_with("arn:") {
        let hardware = (9..=256).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        return match hardware {
            true => Ok(value.to_owned()),
            false => refuse("is neither an ARN nor a hardware serial number"),
        };
    }
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    let [_, partition, service, region, account, resource] = parts.as_slice() else {
        return refuse("is not a whole ARN");
    };
    if switchyard_shared::switch::Partition::from_name(partition).is_none() {
        return refuse("names no partition");
    }
    if *service != "iam" || !region.is_empty() {
        return refuse("is not an IAM ARN");
    }
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return refuse("has no 12-digit account id");
    }
    let Some(name) = resource.strip_prefix("mfa/") else {
        return refuse("is not an MFA device's ARN (it names no mfa/)");
    };
    let name_ok = !name.is_empty()
        && !name.ends_with('/')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b));
    match name_ok {
        true => Ok(value.to_owned()),
        false => refuse("has no valid device name after mfa/"),
    }
}

/// `http(s)://HOST[:PORT][/PATH]`.
fn check_url(value: &str) -> Result<(), String> {
    let refuse = |why: &str| {
        Err(format!(
            "{value:?} is not an endpoint URL ({why}); write http(s)://HOST[:PORT], e.g. \
             http://127.0.0.1:5000"
        ))
    };
    let Some(rest) = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
    else {
        return refuse("it must start with https:// or http://");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((inside, after)) => (inside, after.strip_prefix(':')),
            None => return refuse("the IPv6 address is not closed"),
        },
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return refuse("it names no host");
    }
    let host_ok = host.parse::<std::net::Ipv6Addr>().is_ok()
        || host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if !host_ok {
        return refuse("the host has characters a host name cannot have");
    }
    if let Some(port) = port {
        if port.parse::<u16>().map_or(true, |p| p == 0) {
            return refuse("the port is not a number from 1 to 65535");
        }
    }
    if value.chars().any(char::is_whitespace) {
        return refuse("it has spaces");
    }
    Ok(())
}

/// `https://HOST[:PORT]` (or `http://` to a loopback host), without a path.
fn check_signin_endpoint(value: &str) -> Result<String, String> {
    check_url(value)?;
    let rest = value.split_once("://").map(|(_, r)| r).unwrap_or_default();
    let rest = rest.trim_end_matches('/');
    if rest.contains(['/', '?', '#']) {
        return Err(format!(
            "{value:?} has a path or query; a sign-in endpoint is https://HOST[:PORT]"
        ));
    }
    let host = rest.rsplit_once(':').map_or(rest, |(h, _)| h);
    let loopback = host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if value.starts_with("http://") && !loopback {
        return Err(format!(
            "{value:?} uses plain http to a host that is not loopback; use https://"
        ));
    }
    Ok(value.trim_end_matches('/').to_owned())
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
    fn the_default_profile_is_the_configured_one_else_the_only_one() {
        let mut config = Config {
            default_profile: "default".into(),
            ..Config::default()
        };
        assert_eq!(config.default_name(), "default");
        let none = config.choose_profile(None).unwrap_err().to_string();
        assert!(none.contains("no profiles yet"), "{none}");

        config.profiles.insert("work".into(), Profile::default());
        assert_eq!(config.default_name(), "work");
        assert_eq!(config.choose_profile(None).unwrap(), "work");
        let nosuch = config
            .choose_profile(Some("nosuch"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            nosuch,
            "there is no profile \"nosuch\"; the profiles are: work (name one with --profile \
             or $SWITCHYARD_PROFILE, or make one the default with `switchyard config set \
             default_profile NAME`)"
        );

        config.profiles.insert("home".into(), Profile::default());
        assert_eq!(config.default_name(), "default");
        let two = config.choose_profile(None).unwrap_err().to_string();
        assert!(two.contains("home, work"), "{two}");
        config.default_profile = "home".into();
        assert_eq!(config.choose_profile(None).unwrap(), "home");
    }

    #[test]
    fn defaults_fill_in_and_typos_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("config.toml");
        std::fs::write(&path, "[profiles.a]\nregion = \"eu-west-1\"\n").unwrap();
        let config = load(&path).unwrap();
        assert_eq!(config.profiles["a"].partition, "aws");
        assert_eq!(config.default_profile, "default");

        // A typo sets that profile aside, with the reason; the others still work.
        std::fs::write(
            &path,
            "[profiles.a]\nregoin = \"eu-west-1\"\n[profiles.b]\nregion = \"eu-west-2\"\n",
        )
        .unwrap();
        let config = load(&path).unwrap();
        assert_eq!(config.profiles.keys().collect::<Vec<_>>(), ["b"]);
        assert!(
            config.disabled["a"].contains("regoin"),
            "{:?}",
            config.disabled
        );
        // Outside the profiles a typo is still an error.
        std::fs::write(&path, "default_profil = \"a\"\n").unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(err.contains("default_profil"), "{err}");
    }

    #[test]
    fn writes_keep_comments_layout_and_the_profiles_set_aside() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("config.toml");
        let hand_written = "# my settings\ndefault_profile = \"work\"\n\n\
                            [profiles.work] # the day job\nregion = \"eu-west-1\" # Dublin\n\n\
                            [profiles.broken]\nregoin = \"x\"\n";
        std::fs::write(&path, hand_written).unwrap();
        let mut config = load(&path).unwrap();
        config
            .set(
                &"profiles.work.mfa_serial".parse().unwrap(),
                Some("arn:aws:iam::123456789012:mfa/alice"),
            )
            .unwrap();
        config
            .set(&"profiles.home.region".parse().unwrap(), Some("us-west-2"))
            .unwrap();
        save(&path, &config).unwrap();
        expect_test::expect![[r##"
            # my settings
            default_profile = "work"

            [profiles.work] # the day job
            region = "eu-west-1" # Dublin
            mfa_serial = "arn:aws:iam::123456789012:mfa/alice"

            [profiles.broken]
            regoin = "x"

            [profiles.home]
            region = "us-west-2"
            partition = "aws"
        "##]]
        .assert_eq(&std::fs::read_to_string(&path).unwrap());
        let again = load(&path).unwrap();
        assert_eq!(again.profiles, config.profiles);

        // Removing a profile removes its table only; the typo goes with `remove_raw`.
        config.profiles.remove("home");
        save(&path, &config).unwrap();
        assert!(!std::fs::read_to_string(&path).unwrap().contains("home"));
        assert!(remove_raw(&path, Some("broken"), "regoin").unwrap());
        assert!(load(&path).unwrap().profiles.contains_key("broken"));
    }

    #[test]
    fn keys_name_the_settings() {
        for (text, shown) in [
            ("default_profile", "default_profile"),
            ("keyring", "keyring"),
            ("profiles.work.region", "profiles.work.region"),
            (
                "profiles.team.prod.mfa_serial",
                "profiles.team.prod.mfa_serial",
            ),
        ] {
            assert_eq!(text.parse::<Key>().unwrap().to_string(), shown);
        }
        for bad in [
            "region",
            "profiles.work",
            "profiles.work.regoin",
            "profiles.a b.region",
        ] {
            assert!(bad.parse::<Key>().is_err(), "{bad}");
        }
        let typo = "profiles.work.regoin".parse::<Key>().unwrap_err();
        assert!(typo.contains("region, partition, mfa_serial"), "{typo}");
    }

    #[test]
    fn values_are_checked_when_stored() {
        let aws = Profile::default();
        let cn = Profile {
            partition: "aws-cn".into(),
            region: "cn-north-1".into(),
            ..Profile::default()
        };
        let ok = |field, value: &str, profile: &Profile| check(field, value, profile).unwrap();
        let refused =
            |field, value: &str, profile: &Profile| check(field, value, profile).unwrap_err();
        assert_eq!(ok(Field::Region, "eu-west-1", &aws), "eu-west-1");
        assert_eq!(ok(Field::Region, "cn-northwest-1", &cn), "cn-northwest-1");
        let typo = refused(Field::Region, "eu-wset-1", &aws);
        assert!(
            typo.contains("us-east-1") && typo.contains("not a Region this build knows"),
            "{typo}"
        );
        assert!(refused(Field::Region, "Ireland", &aws).contains("not a Region name"));
        assert!(refused(Field::Region, "cn-north-1", &aws).contains("partition aws-cn"));

        assert!(check(
            Field::MfaSerial,
            "arn:aws:iam::123456789012:mfa/alice",
            &aws
        )
        .is_ok());
        assert!(check(
            Field::MfaSerial,
            "arn:aws-us-gov:iam::123456789012:mfa/ops/alice",
            &aws
        )
        .is_ok());
        assert!(check(Field::MfaSerial, "GAHT12345678", &aws).is_ok());
        for bad in [
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:iam::12345:mfa/alice",
            "arn:aws:sts::123456789012:mfa/alice",
            "arn:aws:iam::123456789012:mfa/",
            "123456",
            "alice's phone",
        ] {
            let why = refused(Field::MfaSerial, bad, &aws);
            assert!(
                why.contains("arn:aws:iam::123456789012:mfa/NAME"),
                "{bad}: {why}"
            );
        }

        for good in [
            "http://127.0.0.1:5000",
            "https://sts.eu-west-1.amazonaws.com",
            "http://[::1]:4566/",
            "https://vpce-1.sts.us-east-1.vpce.amazonaws.com/path",
        ] {
            assert!(check(Field::EndpointUrl, good, &aws).is_ok(), "{good}");
        }
        for bad in [
            "localhost:5000",
            "ftp://x",
            "http://",
            "http://a b",
            "http://x:99999",
            "http://x:port",
        ] {
            assert!(
                refused(Field::EndpointUrl, bad, &aws).contains("not an endpoint URL"),
                "{bad}"
            );
        }
        assert!(check(Field::SigninEndpoint, "http://127.0.0.1:9", &aws).is_ok());
        assert!(check(Field::SigninEndpoint, "http://example.com", &aws).is_err());
        assert!(check(
            Field::SigninEndpoint,
            "https://signin.aws.amazon.com/federation",
            &aws
        )
        .is_err());
        assert!(check(Field::AccountsCacheTtlSecs, "ten", &aws).is_err());
        assert!(check(Field::EmailTemplate, "ops+{slug}@example.com", &aws).is_ok());
        assert!(check(Field::EmailTemplate, "ops", &aws).is_err());

        // default_profile must name a profile; a partition must fit the Region.
        let mut config = Config::default();
        config.profiles.insert("work".into(), Profile::default());
        assert!(config
            .set(&Key::DefaultProfile, Some("nosuch"))
            .unwrap_err()
            .contains("work"));
        config.set(&Key::DefaultProfile, Some("work")).unwrap();
        let partition: Key = "profiles.work.partition".parse().unwrap();
        assert!(config
            .set(&partition, Some("aws-cn"))
            .unwrap_err()
            .contains("region first"));
    }
}
