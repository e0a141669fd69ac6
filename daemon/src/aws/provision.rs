//! The AWS calls of provisioning a client account: Organizations (ListAccounts,
//! ListCreateAccountStatus, CreateAccount, DescribeCreateAccountStatus, ListParents,
//! MoveAccount), STS AssumeRole into the new account, and IAM (TagRole, GetUser, GetGroup,
//! CreateGroup, PutGroupPolicy, AddUserToGroup). Each call is one step's action; the
//! order, the journal and the retries are [`crate::services::provision`]'s.

use std::collections::BTreeMap;

use aws_config::SdkConfig;
use aws_sdk_organizations::types::CreateAccountState;
use switchyard_shared::protocol::provision::Plan;
use switchyard_shared::protocol::{ErrorBody, ErrorCode};

use super::{classify, service_code};

fn org(config: &SdkConfig) -> aws_sdk_organizations::Client {
    aws_sdk_organizations::Client::new(config)
}

fn iam(config: &SdkConfig) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(config)
}

/// Something of the organization that already uses the e-mail (or the account name, for
/// requests in flight: AWS's request status does not show the e-mail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InUse {
    /// An account with this e-mail.
    Account { id: String, name: String },
    /// A CreateAccount request for an account of this name.
    Request {
        request_id: String,
        state: String,
        account_id: Option<String>,
        requested_at: u64,
    },
}

/// One account of the organization as ListAccounts tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAccount {
    pub id: String,
    pub name: String,
    pub email: String,
    /// The account's `State` (`ACTIVE`, `PENDING_ACTIVATION`, `PENDING_CLOSURE`,
    /// `SUSPENDED`, `CLOSED`); Organizations retired the older `Status` in September 2026.
    pub state: String,
}

/// Every account of the organization (every ListAccounts page).
pub async fn organization_accounts(config: &SdkConfig) -> Result<Vec<OrgAccount>, ErrorBody> {
    let mut pages = org(config).list_accounts().into_paginator().send();
    let mut found = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify("organizations:ListAccounts", e))?;
        for account in page.accounts.unwrap_or_default() {
            found.push(OrgAccount {
                state: account
                    .state
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                id: account.id.unwrap_or_default(),
                name: account.name.unwrap_or_default(),
                email: account.email.unwrap_or_default(),
            });
        }
    }
    Ok(found)
}

/// The value of the tag `key` on an account of the organization (ListTagsForResource).
pub async fn account_tag(
    config: &SdkConfig,
    account_id: &str,
    key: &str,
) -> Result<Option<String>, ErrorBody> {
    let mut pages = org(config)
        .list_tags_for_resource()
        .resource_id(account_id)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify("organizations:ListTagsForResource", e))?;
        if let Some(tag) = page
            .tags
            .unwrap_or_default()
            .into_iter()
            .find(|t| t.key == key)
        {
            return Ok(Some(tag.value));
        }
    }
    Ok(None)
}

/// A management-account group's inline policies (name, URL-decoded document); `None`
/// when there is no such group.
pub async fn group_policies(
    config: &SdkConfig,
    group: &str,
) -> Result<Option<Vec<(String, String)>>, ErrorBody> {
    let client = iam(config);
    match client.get_group().group_name(group).send().await {
        Ok(_) => {}
        Err(e) if service_code(&e) == Some("NoSuchEntity") => return Ok(None),
        Err(e) => return Err(classify("iam:GetGroup", e)),
    }
    let mut names = Vec::new();
    let mut pages = client
        .list_group_policies()
        .group_name(group)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        names.extend(
            page.map_err(|e| classify("iam:ListGroupPolicies", e))?
                .policy_names,
        );
    }
    let mut policies = Vec::new();
    for name in names {
        match client
            .get_group_policy()
            .group_name(group)
            .policy_name(&name)
            .send()
            .await
        {
            Ok(out) => policies.push((
                name,
                super::iam_policies::decode_document(&out.policy_document),
            )),
            // Deleted meanwhile: it grants nothing any more.
            Err(e) if service_code(&e) == Some("NoSuchEntity") => {}
            Err(e) => return Err(classify("iam:GetGroupPolicy", e)),
        }
    }
    Ok(Some(policies))
}

/// Every account of the organization whose e-mail is `email` (case-insensitively).
pub async fn accounts_with_email(config: &SdkConfig, email: &str) -> Result<Vec<InUse>, ErrorBody> {
    let mut pages = org(config).list_accounts().into_paginator().send();
    let mut found = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify("organizations:ListAccounts", e))?;
        for account in page.accounts.unwrap_or_default() {
            if account
                .email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
            {
                found.push(InUse::Account {
                    id: account.id.unwrap_or_default(),
                    name: account.name.unwrap_or_default(),
                });
            }
        }
    }
    Ok(found)
}

/// CreateAccount requests for an account named `name`, in any state.
pub async fn requests_named(config: &SdkConfig, name: &str) -> Result<Vec<InUse>, ErrorBody> {
    requests_named_in(config, name, &[]).await
}

/// CreateAccount requests for an account named `name` that are still in progress.
pub async fn requests_in_progress_named(
    config: &SdkConfig,
    name: &str,
) -> Result<Vec<InUse>, ErrorBody> {
    requests_named_in(config, name, &[CreateAccountState::InProgress]).await
}

/// CreateAccount requests for an account named `name`, in the given states (all when
/// empty).
async fn requests_named_in(
    config: &SdkConfig,
    name: &str,
    states: &[CreateAccountState],
) -> Result<Vec<InUse>, ErrorBody> {
    let mut request = org(config).list_create_account_status();
    for state in states {
        request = request.states(state.clone());
    }
    let mut pages = request.into_paginator().send();
    let mut found = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify("organizations:ListCreateAccountStatus", e))?;
        for status in page.create_account_statuses.unwrap_or_default() {
            if status.account_name.as_deref() == Some(name) {
                found.push(InUse::Request {
                    request_id: status.id.unwrap_or_default(),
                    state: status
                        .state
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    account_id: status.account_id,
                    requested_at: status
                        .requested_timestamp
                        .as_ref()
                        .map(super::unix_seconds)
                        .unwrap_or(0),
                });
            }
        }
    }
    Ok(found)
}

/// CreateAccount, sent once: the SDK's retries are off for it, since a retry after an
/// answer lost on the way back would ask for a second account. The request id.
pub async fn create_account(config: &SdkConfig, plan: &Plan) -> Result<String, ErrorBody> {
    let mut request = org(config)
        .create_account()
        .email(&plan.email)
        .account_name(&plan.name)
        .role_name(&plan.role_name);
    if let Some(billing) = plan.iam_user_access_to_billing {
        request = request.iam_user_access_to_billing(
            aws_sdk_organizations::types::IamUserAccessToBilling::from(billing.as_str()),
        );
    }
    for (key, value) in &plan.tags {
        let tag = aws_sdk_organizations::types::Tag::builder()
            .key(key)
            .value(value)
            .build()
            .map_err(|e| ErrorBody::new(ErrorCode::Internal, e.to_string()))?;
        request = request.tags(tag);
    }
    let once = aws_sdk_organizations::config::Builder::default()
        .retry_config(aws_sdk_organizations::config::retry::RetryConfig::disabled());
    let out = request
        .customize()
        .config_override(once)
        .send()
        .await
        .map_err(|e| classify("organizations:CreateAccount", e))?;
    out.create_account_status.and_then(|s| s.id).ok_or_else(|| {
        ErrorBody::new(
            ErrorCode::AwsFailed,
            "organizations:CreateAccount answered without a request id",
        )
    })
}

/// Where a CreateAccount request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Creation {
    InProgress,
    Succeeded { account_id: String },
    Failed { reason: String },
}

/// DescribeCreateAccountStatus.
pub async fn creation_status(config: &SdkConfig, request_id: &str) -> Result<Creation, ErrorBody> {
    let out = org(config)
        .describe_create_account_status()
        .create_account_request_id(request_id)
        .send()
        .await
        .map_err(|e| classify("organizations:DescribeCreateAccountStatus", e))?;
    let status = out.create_account_status.ok_or_else(|| {
        ErrorBody::new(
            ErrorCode::AwsFailed,
            "organizations:DescribeCreateAccountStatus answered without a status",
        )
    })?;
    Ok(match status.state {
        Some(CreateAccountState::Succeeded) => match status.account_id {
            Some(account_id) => Creation::Succeeded { account_id },
            None => Creation::InProgress,
        },
        Some(CreateAccountState::Failed) => Creation::Failed {
            reason: status
                .failure_reason
                .map(|r| r.as_str().to_owned())
                .unwrap_or_else(|| "UNKNOWN".to_owned()),
        },
        _ => Creation::InProgress,
    })
}

/// Put the account under `parent` (an OU or the root) unless it is there already; whether
/// it moved.
pub async fn move_to(
    config: &SdkConfig,
    account_id: &str,
    parent: &str,
) -> Result<bool, ErrorBody> {
    let client = org(config);
    let parents = client
        .list_parents()
        .child_id(account_id)
        .send()
        .await
        .map_err(|e| classify("organizations:ListParents", e))?
        .parents
        .unwrap_or_default();
    let Some(current) = parents.into_iter().find_map(|p| p.id) else {
        return Err(ErrorBody::new(
            ErrorCode::AwsFailed,
            format!("organizations:ListParents found no parent of account {account_id}"),
        ));
    };
    if current == parent {
        return Ok(false);
    }
    client
        .move_account()
        .account_id(account_id)
        .source_parent_id(current)
        .destination_parent_id(parent)
        .send()
        .await
        .map_err(|e| classify("organizations:MoveAccount", e))?;
    Ok(true)
}

/// SDK configuration acting as `role_arn` (assumed with `config`'s credentials).
pub async fn as_role(
    config: &SdkConfig,
    settings: &crate::system::config::Profile,
    role_arn: &str,
    session_name: &str,
) -> Result<SdkConfig, ErrorBody> {
    let session = super::federation::assume_role(config, role_arn, session_name, 900).await?;
    let credentials = aws_credential_types::Credentials::new(
        session.access_key_id,
        session.secret_access_key,
        Some(session.session_token),
        None,
        "switchyard-provision",
    );
    Ok(super::sdk_config(credentials, settings).await)
}

/// TagRole (tags replace earlier values of the same keys: repeating it is harmless).
pub async fn tag_role(
    config: &SdkConfig,
    role_name: &str,
    tags: &BTreeMap<String, String>,
) -> Result<(), ErrorBody> {
    let mut request = iam(config).tag_role().role_name(role_name);
    for (key, value) in tags {
        let tag = aws_sdk_iam::types::Tag::builder()
            .key(key)
            .value(value)
            .build()
            .map_err(|e| ErrorBody::new(ErrorCode::Internal, e.to_string()))?;
        request = request.tags(tag);
    }
    request
        .send()
        .await
        .map_err(|e| classify("iam:TagRole", e))?;
    Ok(())
}

/// The users of `names` that IAM does not know.
pub async fn unknown_users(config: &SdkConfig, names: &[String]) -> Result<Vec<String>, ErrorBody> {
    let client = iam(config);
    let mut unknown = Vec::new();
    for name in names {
        match client.get_user().user_name(name).send().await {
            Ok(_) => {}
            Err(e) if service_code(&e) == Some("NoSuchEntity") => unknown.push(name.clone()),
            Err(e) => return Err(classify("iam:GetUser", e)),
        }
    }
    Ok(unknown)
}

/// Make the group, or adopt it when it exists; the members it already had (`None` when
/// it was made now).
pub async fn ensure_group(
    config: &SdkConfig,
    group: &str,
) -> Result<Option<Vec<String>>, ErrorBody> {
    let client = iam(config);
    match client.get_group().group_name(group).send().await {
        Ok(out) => {
            return Ok(Some(out.users.into_iter().map(|u| u.user_name).collect()));
        }
        Err(e) if service_code(&e) == Some("NoSuchEntity") => {}
        Err(e) => return Err(classify("iam:GetGroup", e)),
    }
    match client.create_group().group_name(group).send().await {
        Ok(_) => Ok(None),
        Err(e) if service_code(&e) == Some("EntityAlreadyExists") => Ok(Some(Vec::new())),
        Err(e) => Err(classify("iam:CreateGroup", e)),
    }
}

/// PutGroupPolicy (replaces a policy of the same name).
pub async fn put_group_policy(
    config: &SdkConfig,
    group: &str,
    policy: &str,
    document: &str,
) -> Result<(), ErrorBody> {
    iam(config)
        .put_group_policy()
        .group_name(group)
        .policy_name(policy)
        .policy_document(document)
        .send()
        .await
        .map_err(|e| classify("iam:PutGroupPolicy", e))?;
    Ok(())
}

/// AddUserToGroup (a member already in it stays).
pub async fn add_user(config: &SdkConfig, group: &str, user: &str) -> Result<(), ErrorBody> {
    iam(config)
        .add_user_to_group()
        .group_name(group)
        .user_name(user)
        .send()
        .await
        .map_err(|e| classify("iam:AddUserToGroup", e))?;
    Ok(())
}

/// The organization's management account id (DescribeOrganization).
pub async fn management_account(config: &SdkConfig) -> Result<String, ErrorBody> {
    org(config)
        .describe_organization()
        .send()
        .await
        .map_err(|e| classify("organizations:DescribeOrganization", e))?
        .organization
        .and_then(|o| o.master_account_id)
        .ok_or_else(|| {
            ErrorBody::new(
                ErrorCode::AwsFailed,
                "organizations:DescribeOrganization named no management account",
            )
        })
}

/// One account's name and state (`ACTIVE`, `PENDING_CLOSURE`, `SUSPENDED`, …).
pub async fn account_state(
    config: &SdkConfig,
    account_id: &str,
) -> Result<(String, String), ErrorBody> {
    let account = org(config)
        .describe_account()
        .account_id(account_id)
        .send()
        .await
        .map_err(|e| match service_code(&e) {
            Some("AccountNotFoundException") => ErrorBody::new(
                ErrorCode::InvalidAccountRequest,
                format!("account {account_id} is not in the organization"),
            ),
            _ => classify("organizations:DescribeAccount", e),
        })?
        .account
        .ok_or_else(|| {
            ErrorBody::new(
                ErrorCode::AwsFailed,
                "organizations:DescribeAccount answered without the account",
            )
        })?;
    // `State` only: Organizations retired the older `Status` in September 2026.
    let state = account
        .state
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    Ok((account.name.unwrap_or_default(), state))
}

/// Every account of the organization: (id, state).
pub async fn account_states(config: &SdkConfig) -> Result<Vec<(String, String)>, ErrorBody> {
    let mut pages = org(config).list_accounts().into_paginator().send();
    let mut found = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify("organizations:ListAccounts", e))?;
        for a in page.accounts.unwrap_or_default() {
            let state = a.state.map(|s| s.as_str().to_owned()).unwrap_or_default();
            found.push((a.id.unwrap_or_default(), state));
        }
    }
    Ok(found)
}

/// CloseAccount, sent once; an account already closed counts as done.
pub async fn close_account(config: &SdkConfig, account_id: &str) -> Result<(), ErrorBody> {
    let once = aws_sdk_organizations::config::Builder::default()
        .retry_config(aws_sdk_organizations::config::retry::RetryConfig::disabled());
    match org(config)
        .close_account()
        .account_id(account_id)
        .customize()
        .config_override(once)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if service_code(&e) == Some("AccountAlreadyClosedException") => Ok(()),
        Err(e) => Err(classify("organizations:CloseAccount", e)),
    }
}

/// Remove the inline policy from the group, then the group itself when nothing else is
/// left in it (no other inline or attached policy); what was removed or kept, and why.
/// `keep_policy` decides from the policy's document whether it must stay (it grants
/// another account): then neither it nor the group is touched.
pub async fn remove_group(
    config: &SdkConfig,
    group: &str,
    policy: &str,
    keep_policy: impl Fn(&str) -> Option<String>,
) -> Result<Vec<String>, ErrorBody> {
    let client = iam(config);
    let mut removed = Vec::new();
    match client
        .get_group_policy()
        .group_name(group)
        .policy_name(policy)
        .send()
        .await
    {
        Ok(out) => {
            let document = super::iam_policies::decode_document(&out.policy_document);
            if let Some(why) = keep_policy(&document) {
                removed.push(format!(
                    "nothing: kept group {group} and its policy {policy}, {why}"
                ));
                return Ok(removed);
            }
        }
        Err(e) if service_code(&e) == Some("NoSuchEntity") => {}
        Err(e) => return Err(classify("iam:GetGroupPolicy", e)),
    }
    match client
        .delete_group_policy()
        .group_name(group)
        .policy_name(policy)
        .send()
        .await
    {
        Ok(_) => removed.push(format!("policy {group}/{policy}")),
        Err(e) if service_code(&e) == Some("NoSuchEntity") => {}
        Err(e) => return Err(classify("iam:DeleteGroupPolicy", e)),
    }
    let members = match client.get_group().group_name(group).send().await {
        Ok(out) => out.users,
        Err(e) if service_code(&e) == Some("NoSuchEntity") => return Ok(removed),
        Err(e) => return Err(classify("iam:GetGroup", e)),
    };
    let inline = client
        .list_group_policies()
        .group_name(group)
        .send()
        .await
        .map_err(|e| classify("iam:ListGroupPolicies", e))?
        .policy_names;
    let attached = client
        .list_attached_group_policies()
        .group_name(group)
        .send()
        .await
        .map_err(|e| classify("iam:ListAttachedGroupPolicies", e))?
        .attached_policies
        .unwrap_or_default();
    if !inline.is_empty() || !attached.is_empty() {
        let mut others = inline;
        others.extend(attached.into_iter().filter_map(|p| p.policy_name));
        removed.push(format!(
            "nothing more: kept group {group}, it has other policies ({})",
            others.join(", ")
        ));
        return Ok(removed);
    }
    for user in members {
        client
            .remove_user_from_group()
            .group_name(group)
            .user_name(&user.user_name)
            .send()
            .await
            .map_err(|e| classify("iam:RemoveUserFromGroup", e))?;
    }
    client
        .delete_group()
        .group_name(group)
        .send()
        .await
        .map_err(|e| classify("iam:DeleteGroup", e))?;
    removed.push(format!("group {group}"));
    Ok(removed)
}

/// AttachRolePolicy (attaching it again is harmless).
pub async fn attach_role_policy(
    config: &SdkConfig,
    role: &str,
    policy: &str,
) -> Result<(), ErrorBody> {
    iam(config)
        .attach_role_policy()
        .role_name(role)
        .policy_arn(policy)
        .send()
        .await
        .map_err(|e| classify("iam:AttachRolePolicy", e))?;
    Ok(())
}

/// DetachRolePolicy; whether it was attached.
pub async fn detach_role_policy(
    config: &SdkConfig,
    role: &str,
    policy: &str,
) -> Result<bool, ErrorBody> {
    match iam(config)
        .detach_role_policy()
        .role_name(role)
        .policy_arn(policy)
        .send()
        .await
    {
        Ok(_) => Ok(true),
        Err(e) if service_code(&e) == Some("NoSuchEntity") => Ok(false),
        Err(e) => Err(classify("iam:DetachRolePolicy", e)),
    }
}
