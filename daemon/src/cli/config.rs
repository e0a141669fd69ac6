//! `switchyard config [show] | get KEY | set KEY VALUE | unset KEY`: the non-secret
//! settings file (`system::config`), read and changed key by key. A value is checked
//! before it is stored; the file's comments and layout stay as they were.

use anyhow::anyhow;
use switchyard_daemon::system::config::{self, Key};

/// `switchyard config show`.
pub fn show(json: bool) -> anyhow::Result<()> {
    let path = config::path();
    let config = config::load(&path)?;
    if json {
        crate::cli::output::print_json_ok(&serde_json::json!({
            "path": path,
            "config": config,
            "disabled": config.disabled,
        }))?;
        return Ok(());
    }
    warn_disabled(&config);
    crate::cli::output::line(&format!("# {}", path.display()))?;
    crate::cli::output::text(&toml::to_string_pretty(&config)?)?;
    Ok(())
}

/// Say which profiles are set aside, and why (on stderr).
pub fn warn_disabled(config: &config::Config) {
    for (name, why) in &config.disabled {
        eprintln!(
            "warning: profile {name:?} in {} is set aside: {why}; fix it there (or remove \
             the key with `switchyard config unset profiles.{name}.KEY`)",
            config::path().display()
        );
    }
}

/// `switchyard config get KEY`: the value as it applies; exit 1 when it is not set.
pub fn get(key: &str) -> anyhow::Result<()> {
    let key: Key = key.parse().map_err(|e: String| anyhow!(e))?;
    let config = config::load(&config::path())?;
    if let Key::Profile { name, .. } = &key {
        if let Some(why) = config.disabled.get(name) {
            return Err(anyhow!("profile {name:?} is set aside: {why}"));
        }
        if !config.profiles.contains_key(name) {
            return Err(anyhow!(config
                .choose_profile(Some(name))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()));
        }
    }
    match config.get(&key) {
        Some(value) => Ok(crate::cli::output::line(&value)?),
        None => Err(anyhow!("{key} is not set")),
    }
}

/// `switchyard config set KEY VALUE` (or `unset KEY` with `None`).
pub fn set(key: &str, value: Option<&str>) -> anyhow::Result<()> {
    let path = config::path();
    let mut config = config::load(&path)?;
    let parsed: Result<Key, String> = key.parse();
    let key = match (parsed, value) {
        (Ok(key), _) => key,
        // A key this build does not know can still be removed (a typo in the file).
        (Err(e), None) => {
            let (profile, name) = match key
                .strip_prefix("profiles.")
                .and_then(|r| r.rsplit_once('.'))
            {
                Some((profile, name)) => (Some(profile), name),
                None => (None, key),
            };
            if config::remove_raw(&path, profile, name)? {
                crate::cli::output::line(&format!("removed {key}"))?;
                return Ok(());
            }
            return Err(anyhow!(e));
        }
        (Err(e), Some(_)) => return Err(anyhow!(e)),
    };
    config.set(&key, value).map_err(|e| anyhow!("{key}: {e}"))?;
    config::save(&path, &config)?;
    if let Key::Profile { name, .. } = &key {
        // The daemon's cached sessions and lists were made with the old settings.
        crate::cli::tell_running_daemon(switchyard_shared::protocol::Request::SessionsEnd(
            switchyard_shared::protocol::aws::SessionsEndParams {
                profile: Some(name.clone()),
                all: false,
            },
        ));
    }
    match config.get(&key) {
        Some(now) => Ok(crate::cli::output::line(&format!("{key} = {now}"))?),
        None => Ok(crate::cli::output::line(&format!("{key} unset"))?),
    }
}
