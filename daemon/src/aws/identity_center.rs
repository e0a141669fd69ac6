//! IAM Identity Center: the organization's instance (sso-admin ListInstances), its
//! permission sets (ListPermissionSets, DescribePermissionSet) and groups (identitystore
//! ListGroups), and the account assignment of a permission set to a group for a member
//! account (CreateAccountAssignment followed with DescribeAccountAssignmentCreationStatus,
//! ListAccountAssignments to know it is there, DeleteAccountAssignment).

use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_ssoadmin::types::{PrincipalType, StatusValues, TargetType};
use switchyard_shared::protocol::provision::{
    IdentityCenterAccess, IdentityCenterGroup, IdentityCenterOptions, PermissionSetSummary,
};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};

use super::{classify, service_code};

fn sso(config: &SdkConfig) -> aws_sdk_ssoadmin::Client {
    aws_sdk_ssoadmin::Client::new(config)
}

/// The first Identity Center instance (an organization has at most one): its ARN and
/// identity store id; `None` when the organization does not use Identity Center.
pub async fn instance(config: &SdkConfig) -> Result<Option<(String, String)>, ErrorBody> {
    let mut pages = sso(config).list_instances().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify("sso:ListInstances", e))?;
        if let Some(found) = page
            .instances()
            .iter()
            .find_map(|i| Some((i.instance_arn.clone()?, i.identity_store_id.clone()?)))
        {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// What the form and the CLI choose from: the instance, its permission sets and groups.
pub async fn options(config: &SdkConfig) -> Result<Option<IdentityCenterOptions>, ErrorBody> {
    let Some((instance_arn, identity_store_id)) = instance(config).await? else {
        return Ok(None);
    };
    let client = sso(config);
    let mut arns = Vec::new();
    let mut pages = client
        .list_permission_sets()
        .instance_arn(&instance_arn)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        arns.extend(
            page.map_err(|e| classify("sso:ListPermissionSets", e))?
                .permission_sets()
                .iter()
                .cloned(),
        );
    }
    let mut permission_sets = Vec::new();
    for arn in arns {
        let described = client
            .describe_permission_set()
            .instance_arn(&instance_arn)
            .permission_set_arn(&arn)
            .send()
            .await
            .map_err(|e| classify("sso:DescribePermissionSet", e))?;
        let set = described.permission_set;
        permission_sets.push(PermissionSetSummary {
            name: set
                .as_ref()
                .and_then(|s| s.name.clone())
                .unwrap_or_else(|| arn.clone()),
            description: set.and_then(|s| s.description),
            arn,
        });
    }
    permission_sets.sort_by(|a, b| a.name.cmp(&b.name));
    let mut groups = Vec::new();
    let mut pages = aws_sdk_identitystore::Client::new(config)
        .list_groups()
        .identity_store_id(&identity_store_id)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for group in page
            .map_err(|e| classify("identitystore:ListGroups", e))?
            .groups
        {
            groups.push(IdentityCenterGroup {
                display_name: group.display_name.unwrap_or_else(|| group.group_id.clone()),
                id: group.group_id,
            });
        }
    }
    groups.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    Ok(Some(IdentityCenterOptions {
        instance_arn,
        identity_store_id,
        permission_sets,
        groups,
    }))
}

/// Whether the group already has the permission set on the account.
pub async fn is_assigned(
    config: &SdkConfig,
    access: &IdentityCenterAccess,
    account_id: &str,
) -> Result<bool, ErrorBody> {
    let mut pages = sso(config)
        .list_account_assignments()
        .instance_arn(&access.instance_arn)
        .account_id(account_id)
        .permission_set_arn(&access.permission_set_arn)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify("sso:ListAccountAssignments", e))?;
        if page.account_assignments().iter().any(|a| {
            a.principal_type == Some(PrincipalType::Group)
                && a.principal_id.as_deref() == Some(access.group_id.as_str())
        }) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// CreateAccountAssignment, followed until AWS says it succeeded (up to `timeout`).
pub async fn assign(
    config: &SdkConfig,
    access: &IdentityCenterAccess,
    account_id: &str,
    timeout: Duration,
) -> Result<(), ErrorBody> {
    let client = sso(config);
    let out = client
        .create_account_assignment()
        .instance_arn(&access.instance_arn)
        .target_id(account_id)
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(&access.permission_set_arn)
        .principal_type(PrincipalType::Group)
        .principal_id(&access.group_id)
        .send()
        .await
        .map_err(|e| classify("sso:CreateAccountAssignment", e))?;
    let mut status = out.account_assignment_creation_status;
    let started = std::time::Instant::now();
    let mut wait = Duration::from_millis(500);
    loop {
        let Some(current) = &status else {
            return Ok(());
        };
        match &current.status {
            Some(StatusValues::Failed) => {
                return Err(ErrorBody::new(
                    ErrorCode::AwsFailed,
                    format!(
                        "Identity Center did not assign the permission set: {}",
                        current
                            .failure_reason
                            .as_deref()
                            .unwrap_or("no reason given")
                    ),
                ))
            }
            Some(StatusValues::InProgress) => {}
            // SUCCEEDED, or a status this build does not know: the caller checks the
            // assignment is listed.
            _ => return Ok(()),
        }
        let Some(request_id) = current.request_id.clone() else {
            return Ok(());
        };
        if started.elapsed() >= timeout {
            return Err(ErrorBody::new(
                ErrorCode::Timeout,
                format!("the Identity Center assignment {request_id} is still in progress"),
            ));
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(5));
        status = client
            .describe_account_assignment_creation_status()
            .instance_arn(&access.instance_arn)
            .account_assignment_creation_request_id(&request_id)
            .send()
            .await
            .map_err(|e| classify("sso:DescribeAccountAssignmentCreationStatus", e))?
            .account_assignment_creation_status;
    }
}

/// DeleteAccountAssignment; whether there was one to delete.
pub async fn unassign(
    config: &SdkConfig,
    access: &IdentityCenterAccess,
    account_id: &str,
) -> Result<bool, ErrorBody> {
    match sso(config)
        .delete_account_assignment()
        .instance_arn(&access.instance_arn)
        .target_id(account_id)
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(&access.permission_set_arn)
        .principal_type(PrincipalType::Group)
        .principal_id(&access.group_id)
        .send()
        .await
    {
        Ok(_) => Ok(true),
        Err(e) if service_code(&e) == Some("ResourceNotFoundException") => Ok(false),
        Err(e) => Err(classify("sso:DeleteAccountAssignment", e)),
    }
}
