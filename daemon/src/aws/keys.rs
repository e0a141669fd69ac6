//! The signed-in user's own access keys: IAM CreateAccessKey and DeleteAccessKey.

use aws_config::SdkConfig;
use switchyard_shared::protocol::{ErrorBody, ErrorCode};

use crate::system::keyring::Credentials;

/// Create a new access key for the caller. IAM allows two per user.
pub async fn create(config: &SdkConfig) -> Result<Credentials, ErrorBody> {
    let out = aws_sdk_iam::Client::new(config)
        .create_access_key()
        .send()
        .await
        .map_err(|e| {
            if super::service_code(&e) == Some("LimitExceeded") {
                ErrorBody::new(
                    ErrorCode::AwsFailed,
                    "iam:CreateAccessKey: you already have two access keys, IAM's limit; \
                     delete the one you do not use in the IAM console, then rotate again",
                )
            } else {
                super::classify("iam:CreateAccessKey", e)
            }
        })?;
    let key = out.access_key.ok_or_else(|| {
        ErrorBody::new(
            ErrorCode::AwsFailed,
            "iam:CreateAccessKey answered without a key",
        )
    })?;
    Credentials::new(&key.access_key_id, &key.secret_access_key).map_err(|e| {
        ErrorBody::new(
            ErrorCode::AwsFailed,
            format!("iam:CreateAccessKey returned a key Switchyard cannot use: {e}"),
        )
    })
}

/// Delete one of the caller's access keys.
pub async fn delete(config: &SdkConfig, access_key_id: &str) -> Result<(), ErrorBody> {
    aws_sdk_iam::Client::new(config)
        .delete_access_key()
        .access_key_id(access_key_id)
        .send()
        .await
        .map_err(|e| super::classify("iam:DeleteAccessKey", e))?;
    Ok(())
}
