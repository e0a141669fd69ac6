//! `switchyard credentials add | list | remove`: the CLI edge of the keyring
//! (`system::keyring`) and the config file (`system::config`). Secrets are read from a
//! hidden prompt or, when stdin is not a terminal, from stdin; they are never echoed, logged or written to a file.

use std::io::IsTerminal;

use anyhow::{bail, Context};
use switchyard_daemon::system::config::{self, Field, Key, Profile};
use switchyard_shared::protocol::roles::ProfilesData;
use switchyard_shared::protocol::Request;

use crate::cli::prompt::prompt;
use switchyard_daemon::system::keyring::{self as store, check_profile_name, mask, Credentials};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Store an IAM user's access key in the keyring.
    Add {
        #[arg(long, default_value = "default")]
        profile: String,
        /// The access key id (prompted for when absent and stdin is a terminal).
        #[arg(long, conflicts_with = "from_aws_profile")]
        access_key_id: Option<String>,
        /// Copy the key of this profile of ~/.aws/credentials instead of typing it.
        #[arg(long)]
        from_aws_profile: Option<String>,
        /// Region for this profile's AWS calls.
        #[arg(long)]
        region: Option<String>,
        /// Send this profile's AWS calls to another endpoint (the local stand-in).
        #[arg(long)]
        endpoint_url: Option<String>,
        /// The ARN of the user's MFA device (found with ListMFADevices when absent).
        #[arg(long)]
        mfa_serial: Option<String>,
    },
    /// List profiles with their masked key ids.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Replace the profile's key with a new one (create, store, check, delete the old);
    /// if any step fails, the working key stays.
    Rotate {
        #[arg(long)]
        profile: Option<String>,
    },
    /// Delete a profile's key from the keyring and its settings.
    Remove {
        profile: String,
        /// The profile name again, to confirm (asked for on a terminal when absent).
        #[arg(long)]
        confirm: Option<String>,
    },
}

/// Keyring calls may need an async runtime underneath (the Secret Service client runs on
/// tokio); run them on one, off its worker threads.
fn keyring<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, store::KeyringError> + Send + 'static,
) -> anyhow::Result<T> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    Ok(runtime.block_on(async { tokio::task::spawn_blocking(f).await })??)
}

pub fn run(command: Command) -> anyhow::Result<()> {
    let path = config::path();
    match command {
        Command::Add {
            profile,
            access_key_id,
            from_aws_profile,
            region,
            endpoint_url,
            mfa_serial,
        } => {
            check_profile_name(&profile)?;
            // The settings are checked before anything is stored.
            let mut config = config::load(&path)?;
            if let Some(why) = config.disabled.get(&profile) {
                bail!(
                    "profile {profile:?} in {} is set aside: {why}; fix it there first",
                    path.display()
                );
            }
            config
                .profiles
                .entry(profile.clone())
                .or_insert_with(Profile::default);
            for (field, value) in [
                (Field::Region, region),
                (Field::EndpointUrl, endpoint_url),
                (Field::MfaSerial, mfa_serial),
            ] {
                if let Some(value) = value {
                    let key = Key::Profile {
                        name: profile.clone(),
                        field,
                    };
                    config.set(&key, Some(&value)).map_err(|e| {
                        anyhow::anyhow!("--{}: {e}", field.name().replace('_', "-"))
                    })?;
                }
            }
            let creds = match from_aws_profile {
                Some(source) => from_shared_file(&source)?,
                None => {
                    let id = match access_key_id {
                        Some(id) => id,
                        None => prompt("Access key id: ", false)?,
                    };
                    let secret = prompt("Secret access key: ", true)?;
                    Credentials::new(&id, &secret)?
                }
            };
            let masked = mask(&creds.access_key_id);
            let name = profile.clone();
            keyring(move || store::store(&name, &creds))?;
            config::save(&path, &config)?;
            forget_accounts(&profile);
            outln!("stored {masked} for profile {profile} in the keyring");
            Ok(())
        }
        Command::List { json } => {
            let config = config::load(&path)?;
            crate::cli::config::warn_disabled(&config);
            // The MFA sessions, when a daemon runs (none is started just to list).
            let sessions: std::collections::BTreeMap<String, u64> =
                crate::cli::tell_running_daemon(Request::ProfilesList)
                    .and_then(|reply| reply.into_result::<ProfilesData>().ok())
                    .map(|data| {
                        data.profiles
                            .into_iter()
                            .filter_map(|p| Some((p.name, p.mfa_session_expires_at?)))
                            .collect()
                    })
                    .unwrap_or_default();
            let mut rows = Vec::new();
            for (name, settings) in &config.profiles {
                let profile = name.clone();
                let key = match keyring(move || store::load(&profile)) {
                    Ok(creds) => Ok(mask(&creds.access_key_id)),
                    Err(e) => Err(format!("{e:#}")),
                };
                rows.push((name.clone(), settings.clone(), key));
            }
            if json {
                let list: Vec<_> = rows
                    .iter()
                    .map(|(name, settings, key)| {
                        serde_json::json!({
                            "profile": name,
                            "default": *name == config.default_name(),
                            "access_key_id": key.as_ref().ok(),
                            "problem": key.as_ref().err(),
                            "settings": settings,
                            "mfa_session_expires_at": sessions.get(name),
                        })
                    })
                    .collect();
                crate::cli::output::print_json_ok(&serde_json::json!({
                    "default_profile": config.default_name(),
                    "profiles": list,
                }))?;
            } else if rows.is_empty() {
                outln!("no profiles yet; add one with `switchyard credentials add`");
            } else {
                let default = config.default_name();
                let mut table = crate::cli::output::table(&["profile", "key", "region", "mfa"]);
                for (name, settings, key) in rows {
                    let key = key.unwrap_or_else(|problem| format!("(unavailable: {problem})"));
                    let mfa = match (&settings.mfa_serial, sessions.get(&name)) {
                        (None, _) => "none".to_owned(),
                        (Some(_), Some(until)) => {
                            format!("session until {}", crate::cli::aws::when(*until))
                        }
                        (Some(_), None) => "no session".to_owned(),
                    };
                    let shown = match name == default {
                        true => format!("{name} (default)"),
                        false => name,
                    };
                    table.add_row(vec![shown, key, settings.region, mfa]);
                }
                crate::cli::output::print_table(&table)?;
            }
            Ok(())
        }
        Command::Rotate { profile } => crate::cli::aws::rotate(profile),
        Command::Remove { profile, confirm } => {
            check_profile_name(&profile)?;
            let confirmed = match confirm {
                Some(typed) => typed,
                None if std::io::stdin().is_terminal() => prompt(
                    &format!("Type {profile} to delete its key from the keyring: "),
                    false,
                )?,
                None => bail!("removing a profile needs --confirm {profile}"),
            };
            if confirmed.trim() != profile {
                bail!("confirmation {confirmed:?} does not match {profile:?}; nothing removed");
            }
            let name = profile.clone();
            let removed = keyring(move || store::remove(&name))?;
            let mut config = config::load(&path)?;
            let had_settings = config.profiles.remove(&profile).is_some();
            config::save(&path, &config)?;
            forget_accounts(&profile);
            if !removed && !had_settings {
                bail!("there is no profile {profile:?}");
            }
            outln!("removed profile {profile}");
            Ok(())
        }
    }
}

/// The daemon's cached account list, MFA session and handed-out credentials belonged to
/// the old key: drop them.
fn forget_accounts(profile: &str) {
    crate::cli::tell_running_daemon(switchyard_shared::protocol::Request::SessionsEnd(
        switchyard_shared::protocol::aws::SessionsEndParams {
            profile: Some(profile.to_owned()),
            all: false,
        },
    ));
    let state_dir = switchyard_daemon::system::paths::Paths::from_env().state_dir;
    if let Err(e) = switchyard_daemon::services::accounts::forget(&state_dir, profile) {
        eprintln!(
            "warning: could not drop the cached account list: {}",
            e.message
        );
    }
}

/// The key of one profile of the AWS shared credentials file.
fn from_shared_file(profile: &str) -> anyhow::Result<Credentials> {
    let path = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE")
        .map(std::path::PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".aws/credentials")))
        .context("cannot find ~/.aws/credentials")?;
    let file = ini::Ini::load_from_file(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let section = file
        .section(Some(profile))
        .with_context(|| format!("{} has no profile [{profile}]", path.display()))?;
    let get = |key: &str| {
        section
            .get(key)
            .with_context(|| format!("profile [{profile}] of {} has no {key}", path.display()))
    };
    Ok(Credentials::new(
        get("aws_access_key_id")?,
        get("aws_secret_access_key")?,
    )?)
}
