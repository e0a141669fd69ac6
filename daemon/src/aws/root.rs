//! Centralized root access: detecting it (Organizations ListAWSServiceAccessForOrganization
//! for `iam.amazonaws.com`, IAM ListOrganizationsFeatures), and the two privileged tasks
//! on a member account's root user through STS AssumeRoot (sent to a regional STS
//! endpoint, as AssumeRoot requires): allow password recovery (CreateLoginProfile with
//! neither user name nor password), or delete the root credentials (login profile,
//! access keys, signing certificates, MFA devices). The root session's credentials live
//! for this call only.

use aws_config::{Region, SdkConfig};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};

use super::{classify, service_code};

/// How centralized root access stands for the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootAccess {
    /// Organizations trusts IAM.
    pub trusted: bool,
    /// IAM's enabled organization features.
    pub features: Vec<String>,
}

/// Detect centralized root access. IAM's features are asked only when IAM is trusted
/// (IAM answers ServiceAccessNotEnabledException otherwise).
pub async fn root_access(config: &SdkConfig) -> Result<RootAccess, ErrorBody> {
    let mut pages = aws_sdk_organizations::Client::new(config)
        .list_aws_service_access_for_organization()
        .into_paginator()
        .send();
    let mut trusted = false;
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| classify("organizations:ListAWSServiceAccessForOrganization", e))?;
        trusted |= page.enabled_service_principals().iter().any(|p| {
            p.service_principal() == Some(switchyard_shared::provision::root::IAM_PRINCIPAL)
        });
    }
    if !trusted {
        return Ok(RootAccess {
            trusted,
            features: Vec::new(),
        });
    }
    let features = match aws_sdk_iam::Client::new(config)
        .list_organizations_features()
        .send()
        .await
    {
        Ok(out) => out
            .enabled_features()
            .iter()
            .map(|f| f.as_str().to_owned())
            .collect(),
        Err(e) if service_code(&e) == Some("ServiceAccessNotEnabledException") => Vec::new(),
        Err(e) => return Err(classify("iam:ListOrganizationsFeatures", e)),
    };
    Ok(RootAccess { trusted, features })
}

/// The configuration as `config` but on a regional STS endpoint: AssumeRoot is not
/// served by the global one, so a profile without a region (or with `aws-global`) uses
/// us-east-1. An endpoint override still wins.
fn regional(config: &SdkConfig) -> aws_sdk_sts::Config {
    let mut builder = aws_sdk_sts::config::Builder::from(config);
    let region = config.region().map(|r| r.as_ref().to_owned());
    if region
        .as_deref()
        .is_none_or(|r| r.is_empty() || r == "aws-global")
    {
        builder = builder.region(Region::new("us-east-1"));
    }
    builder.build()
}

/// AssumeRoot on `account_id` scoped to `task_policy_arn`; SDK configuration acting as
/// that account's root user for this task (15 minutes at most).
pub async fn assume_root(
    config: &SdkConfig,
    account_id: &str,
    task_policy_arn: &str,
) -> Result<SdkConfig, ErrorBody> {
    let policy = aws_sdk_sts::types::PolicyDescriptorType::builder()
        .arn(task_policy_arn)
        .build();
    let out = aws_sdk_sts::Client::from_conf(regional(config))
        .assume_root()
        .target_principal(account_id)
        .task_policy_arn(policy)
        .duration_seconds(900)
        .send()
        .await
        .map_err(|e| classify("sts:AssumeRoot", e))?;
    let c = out.credentials.ok_or_else(|| {
        ErrorBody::new(
            ErrorCode::AwsFailed,
            "sts:AssumeRoot answered without credentials",
        )
    })?;
    let credentials = aws_credential_types::Credentials::new(
        c.access_key_id,
        c.secret_access_key,
        Some(c.session_token),
        None,
        "switchyard-root-task",
    );
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .credentials_provider(credentials);
    if let Some(region) = config.region() {
        loader = loader.region(region.clone());
    }
    if let Some(endpoint) = config.endpoint_url() {
        loader = loader.endpoint_url(endpoint);
    }
    Ok(loader.load().await)
}

/// As the root session: CreateLoginProfile without user name or password, which lets
/// the root user recover a password. Whether it was allowed now (false: it already was).
pub async fn allow_password_recovery(root: &SdkConfig) -> Result<bool, ErrorBody> {
    match aws_sdk_iam::Client::new(root)
        .create_login_profile()
        .send()
        .await
    {
        Ok(_) => Ok(true),
        Err(e) if service_code(&e) == Some("EntityAlreadyExists") => Ok(false),
        Err(e) => Err(classify("iam:CreateLoginProfile", e)),
    }
}

/// As the root session: delete the root user's password, access keys and signing
/// certificates, and deactivate its MFA devices; what was removed, in order.
pub async fn delete_root_credentials(root: &SdkConfig) -> Result<Vec<String>, ErrorBody> {
    let iam = aws_sdk_iam::Client::new(root);
    let mut removed = Vec::new();
    match iam.delete_login_profile().send().await {
        Ok(_) => removed.push("the root password".to_owned()),
        Err(e) if service_code(&e) == Some("NoSuchEntity") => {}
        Err(e) => return Err(classify("iam:DeleteLoginProfile", e)),
    }
    let keys = iam
        .list_access_keys()
        .send()
        .await
        .map_err(|e| classify("iam:ListAccessKeys", e))?
        .access_key_metadata;
    for key in keys {
        let Some(id) = key.access_key_id else {
            continue;
        };
        iam.delete_access_key()
            .access_key_id(&id)
            .send()
            .await
            .map_err(|e| classify("iam:DeleteAccessKey", e))?;
        removed.push(format!(
            "root access key {}",
            crate::system::keyring::mask(&id)
        ));
    }
    let certificates = iam
        .list_signing_certificates()
        .send()
        .await
        .map_err(|e| classify("iam:ListSigningCertificates", e))?
        .certificates;
    for certificate in certificates {
        iam.delete_signing_certificate()
            .certificate_id(&certificate.certificate_id)
            .send()
            .await
            .map_err(|e| classify("iam:DeleteSigningCertificate", e))?;
        removed.push(format!(
            "signing certificate {}",
            certificate.certificate_id
        ));
    }
    let devices = iam
        .list_mfa_devices()
        .send()
        .await
        .map_err(|e| classify("iam:ListMFADevices", e))?
        .mfa_devices;
    for device in devices {
        iam.deactivate_mfa_device()
            .serial_number(&device.serial_number)
            .send()
            .await
            .map_err(|e| classify("iam:DeactivateMFADevice", e))?;
        removed.push(format!("MFA device {}", device.serial_number));
    }
    Ok(removed)
}
