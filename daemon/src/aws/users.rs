//! IAM users of one account: listing them with what they can sign in with, making them
//! (user, console password, access key, groups, managed policies, tags) and deleting them
//! with everything IAM wants gone first. Passwords and secret keys pass through here once
//! and are never logged; key ids are masked in everything but the hand-over.

use aws_config::SdkConfig;
use futures::{StreamExt, TryStreamExt};
use switchyard_shared::protocol::users::{
    KeySummary, NewAccessKey, PasswordPolicy, Tag, UserSummary,
};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};

use crate::system::keyring::mask;

/// Users read at once when listing.
const CONCURRENCY: usize = 4;

type IamError<E> = aws_sdk_iam::error::SdkError<E, aws_sdk_iam::config::http::HttpResponse>;

fn failed<E>(operation: &'static str) -> impl Fn(IamError<E>) -> ErrorBody
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    move |e| super::classify(operation, e)
}

fn is<E: aws_sdk_sts::error::ProvideErrorMetadata>(error: &IamError<E>, code: &str) -> bool {
    super::service_code(error) == Some(code)
}

fn seconds(time: Option<&aws_sdk_sts::primitives::DateTime>) -> Option<u64> {
    time.map(super::unix_seconds)
}

/// The account's password policy (AWS's default when it has none).
pub async fn password_policy(config: &SdkConfig) -> Result<PasswordPolicy, ErrorBody> {
    match aws_sdk_iam::Client::new(config)
        .get_account_password_policy()
        .send()
        .await
    {
        Ok(out) => Ok(match out.password_policy {
            Some(p) => PasswordPolicy::custom(
                u32::try_from(p.minimum_password_length.unwrap_or(8)).unwrap_or(8),
                p.require_symbols,
                p.require_numbers,
                p.require_uppercase_characters,
                p.require_lowercase_characters,
            ),
            None => PasswordPolicy::AWS_DEFAULT,
        }),
        Err(e) if is(&e, "NoSuchEntity") => Ok(PasswordPolicy::AWS_DEFAULT),
        Err(e) => Err(super::classify("iam:GetAccountPasswordPolicy", e)),
    }
}

/// The names of the account's IAM groups.
pub async fn group_names(config: &SdkConfig) -> Result<Vec<String>, ErrorBody> {
    let groups: Vec<aws_sdk_iam::types::Group> = aws_sdk_iam::Client::new(config)
        .list_groups()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(failed("iam:ListGroups"))?;
    Ok(groups.into_iter().map(|g| g.group_name).collect())
}

/// Every user of the account with groups, policies, console password, keys and MFA.
pub async fn list(config: &SdkConfig) -> Result<Vec<UserSummary>, ErrorBody> {
    let iam = aws_sdk_iam::Client::new(config);
    let users: Vec<aws_sdk_iam::types::User> = iam
        .list_users()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(failed("iam:ListUsers"))?;
    futures::stream::iter(users.into_iter().map(|u| describe(iam.clone(), u)))
        .buffered(CONCURRENCY)
        .try_collect()
        .await
}

async fn describe(
    iam: aws_sdk_iam::Client,
    user: aws_sdk_iam::types::User,
) -> Result<UserSummary, ErrorBody> {
    let name = user.user_name.clone();
    let groups: Vec<aws_sdk_iam::types::Group> = iam
        .list_groups_for_user()
        .user_name(&name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(failed("iam:ListGroupsForUser"))?;
    let attached: Vec<aws_sdk_iam::types::AttachedPolicy> = iam
        .list_attached_user_policies()
        .user_name(&name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(failed("iam:ListAttachedUserPolicies"))?;
    let inline: Vec<String> = iam
        .list_user_policies()
        .user_name(&name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(failed("iam:ListUserPolicies"))?;
    let console_password = has_login_profile(&iam, &name).await?;
    let keys = access_keys(&iam, &name).await?;
    let mut access_keys = Vec::with_capacity(keys.len());
    for key in keys {
        let id = key.access_key_id.unwrap_or_default();
        let used = iam
            .get_access_key_last_used()
            .access_key_id(&id)
            .send()
            .await
            .map_err(failed("iam:GetAccessKeyLastUsed"))?
            .access_key_last_used;
        access_keys.push(KeySummary {
            access_key_id: mask(&id),
            status: key
                .status
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            created_at: seconds(key.create_date.as_ref()),
            last_used_at: used
                .as_ref()
                .and_then(|u| seconds(u.last_used_date.as_ref())),
            last_used_service: used
                .map(|u| u.service_name)
                .filter(|s| !s.is_empty() && s != "N/A"),
        });
    }
    let mfa_devices = mfa_devices(&iam, &name)
        .await?
        .into_iter()
        .map(|d| d.serial_number)
        .collect();
    Ok(UserSummary {
        user_name: name,
        arn: user.arn,
        created_at: seconds(Some(&user.create_date)),
        password_last_used_at: seconds(user.password_last_used.as_ref()),
        groups: groups.into_iter().map(|g| g.group_name).collect(),
        attached_policies: attached.into_iter().filter_map(|p| p.policy_arn).collect(),
        inline_policies: inline,
        console_password,
        access_keys,
        mfa_devices,
    })
}

async fn has_login_profile(iam: &aws_sdk_iam::Client, name: &str) -> Result<bool, ErrorBody> {
    match iam.get_login_profile().user_name(name).send().await {
        Ok(_) => Ok(true),
        Err(e) if is(&e, "NoSuchEntity") => Ok(false),
        Err(e) => Err(super::classify("iam:GetLoginProfile", e)),
    }
}

async fn access_keys(
    iam: &aws_sdk_iam::Client,
    name: &str,
) -> Result<Vec<aws_sdk_iam::types::AccessKeyMetadata>, ErrorBody> {
    iam.list_access_keys()
        .user_name(name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(failed("iam:ListAccessKeys"))
}

async fn mfa_devices(
    iam: &aws_sdk_iam::Client,
    name: &str,
) -> Result<Vec<aws_sdk_iam::types::MfaDevice>, ErrorBody> {
    iam.list_mfa_devices()
        .user_name(name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(failed("iam:ListMFADevices"))
}

/// IAM CreateUser with tags; the new user's ARN. A taken name is `user_exists`.
pub async fn create_user(
    config: &SdkConfig,
    name: &str,
    tags: &[Tag],
) -> Result<String, ErrorBody> {
    let mut request = aws_sdk_iam::Client::new(config)
        .create_user()
        .user_name(name);
    for tag in tags {
        let tag = aws_sdk_iam::types::Tag::builder()
            .key(&tag.key)
            .value(&tag.value)
            .build()
            .map_err(|e| ErrorBody::new(ErrorCode::InvalidParams, format!("tag: {e}")))?;
        request = request.tags(tag);
    }
    match request.send().await {
        Ok(out) => Ok(out.user.map(|u| u.arn).unwrap_or_default()),
        Err(e) if is(&e, "EntityAlreadyExists") => Err(ErrorBody::new(
            ErrorCode::UserExists,
            format!(
                "a user named {name:?} already exists in this account; choose another name, \
                 or remove that user first"
            ),
        )),
        Err(e) => Err(super::classify("iam:CreateUser", e)),
    }
}

/// IAM CreateLoginProfile: a console password that must be changed at first sign-in.
pub async fn create_login_profile(
    config: &SdkConfig,
    name: &str,
    password: &str,
) -> Result<(), ErrorBody> {
    match aws_sdk_iam::Client::new(config)
        .create_login_profile()
        .user_name(name)
        .password(password)
        .password_reset_required(true)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if is(&e, "PasswordPolicyViolation") => Err(ErrorBody::new(
            ErrorCode::PasswordPolicyViolation,
            "iam:CreateLoginProfile: AWS refused the password under the account's password \
             policy; choose another (or let Switchyard generate one)",
        )),
        Err(e) => Err(super::classify("iam:CreateLoginProfile", e)),
    }
}

/// IAM CreateAccessKey for `name`.
pub async fn create_access_key(config: &SdkConfig, name: &str) -> Result<NewAccessKey, ErrorBody> {
    let key = aws_sdk_iam::Client::new(config)
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .map_err(failed("iam:CreateAccessKey"))?
        .access_key
        .ok_or_else(|| {
            ErrorBody::new(
                ErrorCode::AwsFailed,
                "iam:CreateAccessKey answered without a key",
            )
        })?;
    Ok(NewAccessKey {
        access_key_id: key.access_key_id,
        secret_access_key: key.secret_access_key,
    })
}

/// IAM AddUserToGroup; a group that does not exist is named.
pub async fn add_to_group(config: &SdkConfig, name: &str, group: &str) -> Result<(), ErrorBody> {
    match aws_sdk_iam::Client::new(config)
        .add_user_to_group()
        .user_name(name)
        .group_name(group)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if is(&e, "NoSuchEntity") => Err(ErrorBody::new(
            ErrorCode::InvalidParams,
            format!(
                "there is no group {group:?} in this account; create it first, or name another"
            ),
        )),
        Err(e) => Err(super::classify("iam:AddUserToGroup", e)),
    }
}

/// IAM AttachUserPolicy; a policy that does not exist is named.
pub async fn attach_policy(config: &SdkConfig, name: &str, arn: &str) -> Result<(), ErrorBody> {
    match aws_sdk_iam::Client::new(config)
        .attach_user_policy()
        .user_name(name)
        .policy_arn(arn)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if is(&e, "NoSuchEntity") || is(&e, "InvalidInput") => Err(ErrorBody::new(
            ErrorCode::InvalidParams,
            format!("there is no managed policy {arn} that this account can attach"),
        )),
        Err(e) => Err(super::classify("iam:AttachUserPolicy", e)),
    }
}

/// Does the user exist? (IAM GetUser.)
pub async fn exists(config: &SdkConfig, name: &str) -> Result<bool, ErrorBody> {
    match aws_sdk_iam::Client::new(config)
        .get_user()
        .user_name(name)
        .send()
        .await
    {
        Ok(_) => Ok(true),
        Err(e) if is(&e, "NoSuchEntity") => Ok(false),
        Err(e) => Err(super::classify("iam:GetUser", e)),
    }
}

/// Delete a user the way IAM requires: console password, access keys, MFA devices
/// (deactivated, virtual ones deleted), SSH public keys, signing certificates, group
/// memberships, inline and attached policies, then the user. Returns what was deleted, in order (key ids masked).
pub async fn delete(config: &SdkConfig, name: &str) -> Result<Vec<String>, ErrorBody> {
    let iam = aws_sdk_iam::Client::new(config);
    let mut removed = Vec::new();
    match iam.delete_login_profile().user_name(name).send().await {
        Ok(_) => removed.push("console password".to_owned()),
        Err(e) if is(&e, "NoSuchEntity") => {}
        Err(e) => return Err(super::classify("iam:DeleteLoginProfile", e)),
    }
    for key in access_keys(&iam, name).await? {
        let id = key.access_key_id.unwrap_or_default();
        iam.delete_access_key()
            .user_name(name)
            .access_key_id(&id)
            .send()
            .await
            .map_err(failed("iam:DeleteAccessKey"))?;
        removed.push(format!("access key {}", mask(&id)));
    }
    for device in mfa_devices(&iam, name).await? {
        let serial = device.serial_number;
        iam.deactivate_mfa_device()
            .user_name(name)
            .serial_number(&serial)
            .send()
            .await
            .map_err(failed("iam:DeactivateMFADevice"))?;
        // Hardware and passkey devices only detach; virtual ones (…:mfa/NAME) are deleted.
        if serial.starts_with("arn:") && serial.contains(":mfa/") {
            match iam
                .delete_virtual_mfa_device()
                .serial_number(&serial)
                .send()
                .await
            {
                Ok(_) => {}
                Err(e) if is(&e, "NoSuchEntity") => {}
                Err(e) => return Err(super::classify("iam:DeleteVirtualMFADevice", e)),
            }
        }
        removed.push(format!("MFA device {serial}"));
    }
    let ssh_keys: Vec<aws_sdk_iam::types::SshPublicKeyMetadata> = iam
        .list_ssh_public_keys()
        .user_name(name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(failed("iam:ListSSHPublicKeys"))?;
    for key in ssh_keys {
        iam.delete_ssh_public_key()
            .user_name(name)
            .ssh_public_key_id(&key.ssh_public_key_id)
            .send()
            .await
            .map_err(failed("iam:DeleteSSHPublicKey"))?;
        removed.push(format!("SSH public key {}", key.ssh_public_key_id));
    }
    let certificates: Vec<aws_sdk_iam::types::SigningCertificate> = iam
        .list_signing_certificates()
        .user_name(name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(failed("iam:ListSigningCertificates"))?;
    for certificate in certificates {
        iam.delete_signing_certificate()
            .user_name(name)
            .certificate_id(&certificate.certificate_id)
            .send()
            .await
            .map_err(failed("iam:DeleteSigningCertificate"))?;
        removed.push(format!(
            "signing certificate {}",
            certificate.certificate_id
        ));
    }
    let groups: Vec<aws_sdk_iam::types::Group> = iam
        .list_groups_for_user()
        .user_name(name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(failed("iam:ListGroupsForUser"))?;
    for group in groups {
        iam.remove_user_from_group()
            .user_name(name)
            .group_name(&group.group_name)
            .send()
            .await
            .map_err(failed("iam:RemoveUserFromGroup"))?;
        removed.push(format!("membership of group {}", group.group_name));
    }
    let inline: Vec<String> = iam
        .list_user_policies()
        .user_name(name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(failed("iam:ListUserPolicies"))?;
    for policy in inline {
        iam.delete_user_policy()
            .user_name(name)
            .policy_name(&policy)
            .send()
            .await
            .map_err(failed("iam:DeleteUserPolicy"))?;
        removed.push(format!("inline policy {policy}"));
    }
    let attached: Vec<aws_sdk_iam::types::AttachedPolicy> = iam
        .list_attached_user_policies()
        .user_name(name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(failed("iam:ListAttachedUserPolicies"))?;
    for arn in attached.into_iter().filter_map(|p| p.policy_arn) {
        iam.detach_user_policy()
            .user_name(name)
            .policy_arn(&arn)
            .send()
            .await
            .map_err(failed("iam:DetachUserPolicy"))?;
        removed.push(format!("attached policy {arn}"));
    }
    match iam.delete_user().user_name(name).send().await {
        Ok(_) => removed.push(format!("user {name}")),
        Err(e) if is(&e, "DeleteConflict") => {
            return Err(ErrorBody::new(
                ErrorCode::AwsFailed,
                format!(
                    "iam:DeleteUser: {name:?} still has something Switchyard does not delete \
                     (service-specific credentials such as Git credentials); delete it in the IAM console and remove again. \
                     Already removed: {}",
                    removed.join(", ")
                ),
            ))
        }
        Err(e) => return Err(super::classify("iam:DeleteUser", e)),
    }
    Ok(removed)
}

/// IAM CreateVirtualMFADevice: the device's serial and its base32 seed. A device of that
/// name left unassigned by an earlier, unfinished setup is deleted and made again.
pub async fn create_virtual_mfa(
    config: &SdkConfig,
    device_name: &str,
) -> Result<(String, String), ErrorBody> {
    let iam = aws_sdk_iam::Client::new(config);
    let mut retried = false;
    loop {
        match iam
            .create_virtual_mfa_device()
            .virtual_mfa_device_name(device_name)
            .send()
            .await
        {
            Ok(out) => {
                let device = out.virtual_mfa_device.ok_or_else(|| {
                    ErrorBody::new(
                        ErrorCode::AwsFailed,
                        "iam:CreateVirtualMFADevice answered without a device",
                    )
                })?;
                let seed = device
                    .base32_string_seed
                    .and_then(|b| String::from_utf8(b.into_inner()).ok())
                    .ok_or_else(|| {
                        ErrorBody::new(
                            ErrorCode::AwsFailed,
                            "iam:CreateVirtualMFADevice answered without a seed",
                        )
                    })?;
                return Ok((device.serial_number, seed));
            }
            Err(e) if is(&e, "EntityAlreadyExists") && !retried => {
                retried = true;
                if !delete_unassigned(&iam, device_name).await? {
                    return Err(ErrorBody::new(
                        ErrorCode::InvalidParams,
                        format!(
                            "an MFA device named {device_name:?} is already in use; choose \
                             another name"
                        ),
                    ));
                }
            }
            Err(e) => return Err(super::classify("iam:CreateVirtualMFADevice", e)),
        }
    }
}

/// Delete the unassigned virtual device called `name`; `false` when there is none.
async fn delete_unassigned(iam: &aws_sdk_iam::Client, name: &str) -> Result<bool, ErrorBody> {
    let devices: Vec<aws_sdk_iam::types::VirtualMfaDevice> = iam
        .list_virtual_mfa_devices()
        .assignment_status(aws_sdk_iam::types::AssignmentStatusType::Unassigned)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(failed("iam:ListVirtualMFADevices"))?;
    let suffix = format!(":mfa/{name}");
    let Some(device) = devices
        .into_iter()
        .find(|d| d.serial_number.ends_with(&suffix) && d.user.is_none())
    else {
        return Ok(false);
    };
    iam.delete_virtual_mfa_device()
        .serial_number(&device.serial_number)
        .send()
        .await
        .map_err(failed("iam:DeleteVirtualMFADevice"))?;
    Ok(true)
}

/// IAM EnableMFADevice with two consecutive codes; refused codes are `mfa_code_invalid`.
pub async fn enable_mfa(
    config: &SdkConfig,
    user_name: &str,
    serial: &str,
    code1: &str,
    code2: &str,
) -> Result<(), ErrorBody> {
    match aws_sdk_iam::Client::new(config)
        .enable_mfa_device()
        .user_name(user_name)
        .serial_number(serial)
        .authentication_code1(code1)
        .authentication_code2(code2)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if is(&e, "InvalidAuthenticationCode") => Err(ErrorBody::new(
            ErrorCode::MfaCodeInvalid,
            "AWS refused the codes: give two consecutive codes (wait for the app to show \
             the next one), and check the phone's clock",
        )),
        Err(e) if is(&e, "NoSuchEntity") => Err(ErrorBody::new(
            ErrorCode::InvalidParams,
            format!("there is no MFA device {serial}; start again with the setup"),
        )),
        Err(e) => Err(super::classify("iam:EnableMFADevice", e)),
    }
}
