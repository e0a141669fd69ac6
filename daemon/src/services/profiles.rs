//! `profiles.list`: the daemon's profiles for the extension's options page and
//! `switchyard credentials list`: their settings, whether a key is stored (the key id
//! masked, never the secret) and until when an MFA session is open.

use switchyard_shared::protocol::roles::{ProfileSummary, ProfilesData};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};

use crate::services::session::Sessions;
use crate::system::{config, keyring};

/// Answer `profiles.list`.
pub async fn list(sessions: &Sessions) -> Result<ProfilesData, ErrorBody> {
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
            mfa_session_expires_at: sessions.session_end(name),
        });
    }
    Ok(ProfilesData {
        default_profile: config.default_profile,
        profiles,
    })
}
