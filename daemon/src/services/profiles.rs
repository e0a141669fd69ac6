//! `profiles.list`: the daemon's profiles for the extension's options page: their
//! settings and whether a key is stored (the key id masked, never the secret).

use switchyard_shared::protocol::roles::{ProfileSummary, ProfilesData};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};

use crate::system::{config, keyring};

/// Answer `profiles.list`.
pub async fn list() -> Result<ProfilesData, ErrorBody> {
    let config = config::load(&config::path()).map_err(|e| {
        ErrorBody::new(
            ErrorCode::Internal,
            format!("cannot read the settings file: {e}"),
        )
    })?;
    let mut profiles = Vec::with_capacity(config.profiles.len());
    for (name, settings) in &config.profiles {
        let profile = name.clone();
        let key = tokio::task::spawn_blocking(move || keyring::load(&profile))
            .await
            .map_err(|e| ErrorBody::new(ErrorCode::Internal, format!("keyring task: {e}")))?;
        let (access_key_id, problem) = match key {
            Ok(creds) => (Some(keyring::mask(&creds.access_key_id)), None),
            Err(e) => (None, Some(e.to_string())),
        };
        profiles.push(ProfileSummary {
            name: name.clone(),
            region: settings.region.clone(),
            access_key_id,
            problem,
            mfa_serial: settings.mfa_serial.clone(),
        });
    }
    Ok(ProfilesData {
        default_profile: config.default_profile,
        profiles,
    })
}
