//! `credentials.rotate`: replace a profile's access key without ever leaving it without a
//! working one. Create the new key, store it, check it works, then delete the old one; if
//! a step fails before the old key is deleted, the keyring keeps (or gets back) the old key
//! and the new one is deleted in AWS.

use std::time::Duration;

use switchyard_shared::protocol::aws::RotateData;
use switchyard_shared::protocol::{ErrorBody, ErrorCode};

use crate::aws::{self, identity, keys};
use crate::services::session::{self, Sessions};
use crate::system::keyring::{self, mask, Credentials};

/// A new key can take a few seconds to work everywhere in IAM.
const VERIFY_ATTEMPTS: u32 = 10;
const VERIFY_PAUSE: Duration = Duration::from_secs(1);

async fn store(profile: &str, key: &Credentials) -> Result<(), ErrorBody> {
    let (profile, key) = (profile.to_owned(), key.clone());
    tokio::task::spawn_blocking(move || keyring::store(&profile, &key))
        .await
        .map_err(|e| ErrorBody::new(ErrorCode::Internal, e.to_string()))?
        .map_err(session::keyring_error)
}

/// Delete a new key that will not be used, and pass on why.
async fn discard(sdk: &crate::aws::SdkConfig, fresh: &Credentials, why: ErrorBody) -> ErrorBody {
    if let Err(e) = keys::delete(sdk, &fresh.access_key_id).await {
        tracing::warn!(
            "could not delete the unused new key {}: {e}",
            mask(&fresh.access_key_id)
        );
    }
    why
}

/// Rotate the profile's key.
pub async fn rotate(sessions: &Sessions, profile: Option<String>) -> Result<RotateData, ErrorBody> {
    // The calls need the profile's MFA session when it has a device.
    let signed = sessions.sign_in(profile).await?;
    let old = session::load(Some(signed.profile.clone())).await?.key;
    let fresh = keys::create(&signed.sdk)
        .await
        .map_err(|e| signed.explain(sessions, e))?;
    if let Err(e) = store(&signed.profile, &fresh).await {
        return Err(discard(&signed.sdk, &fresh, e).await);
    }
    sessions.rekey(&signed.profile, &fresh.access_key_id);
    let fresh_sdk = aws::sdk_config(aws::long_term(&fresh), &signed.settings).await;
    let mut verified = Err(ErrorBody::new(ErrorCode::Internal, "not checked"));
    for attempt in 0..VERIFY_ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(VERIFY_PAUSE).await;
        }
        verified = identity::caller(&fresh_sdk).await;
        if verified.is_ok() {
            break;
        }
    }
    if let Err(e) = verified {
        let restored = store(&signed.profile, &old).await;
        sessions.rekey(&signed.profile, &old.access_key_id);
        let e = ErrorBody::new(
            e.code,
            format!(
                "the new key did not work ({}); the old key stays in use",
                e.message
            ),
        );
        return Err(match restored {
            Ok(()) => discard(&signed.sdk, &fresh, e).await,
            Err(r) => ErrorBody::new(
                ErrorCode::KeyringUnavailable,
                format!(
                    "{}; and putting the old key back failed: {}",
                    e.message, r.message
                ),
            ),
        });
    }
    // Delete the old key with the session if there is one, else with the new key.
    let deleter = if signed.mfa.session_expires_at.is_some() {
        signed.sdk.clone()
    } else {
        fresh_sdk
    };
    keys::delete(&deleter, &old.access_key_id)
        .await
        .map_err(|e| {
            ErrorBody::new(
                e.code,
                format!(
                    "the new key {} is stored and works, but deleting the old key {} failed ({}); \
                 delete it in the IAM console",
                    mask(&fresh.access_key_id),
                    mask(&old.access_key_id),
                    e.message
                ),
            )
        })?;
    tracing::info!(profile = %signed.profile, "access key rotated");
    Ok(RotateData {
        profile: signed.profile,
        old_access_key_id: mask(&old.access_key_id),
        new_access_key_id: mask(&fresh.access_key_id),
    })
}
