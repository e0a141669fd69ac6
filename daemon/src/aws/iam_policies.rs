//! The signed-in IAM user's own policies: inline and managed ones on the user and on each
//! of their groups, and their permissions boundary. Managed policies are read at their
//! default version; documents come URL-encoded from IAM and are decoded here.
//!
//! Two ways, as IAM allows: GetAccountAuthorizationDetails (a few pages for the whole
//! account: users, groups and customer managed policies with their versions) when the
//! caller may use it, else the List*/Get* calls for this user, several at a time. AWS
//! managed policies are read one by one either way (the details would list all of them).

use std::collections::{BTreeMap, BTreeSet};

use aws_config::SdkConfig;
use futures::{StreamExt, TryStreamExt};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};

/// IAM reads in flight at once.
const CONCURRENCY: usize = 8;

/// A policy document with the name it is known by (`user/NAME`, `group/G/NAME`, or the
/// managed policy's name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedDocument {
    pub name: String,
    pub document: String,
}

/// What IAM says about the user's permissions.
#[derive(Debug, Clone, Default)]
pub struct UserPolicies {
    pub identity: Vec<NamedDocument>,
    pub boundary: Option<NamedDocument>,
    /// The user's tags (`aws:PrincipalTag/…`).
    pub tags: BTreeMap<String, String>,
    pub groups: Vec<String>,
}

/// IAM documents are URL-encoded (RFC 3986); a document that is not is returned as is.
pub fn decode_document(text: &str) -> String {
    if text.trim_start().starts_with('{') {
        return text.to_owned();
    }
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .unwrap_or_else(|_| text.to_owned())
}

fn failed<E>(
    operation: &'static str,
) -> impl Fn(aws_sdk_iam::error::SdkError<E, aws_sdk_iam::config::http::HttpResponse>) -> ErrorBody
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    move |e| super::classify(operation, e)
}

/// How the policies were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    AuthorizationDetails,
    OneByOne,
}

/// Read everything that decides what `user_name` may do: through the account's
/// authorization details when allowed, else one call at a time. Any denied read of the
/// latter is an `access_denied` error naming the call: the caller then falls back to the
/// lists.
pub async fn gather(config: &SdkConfig, user_name: &str) -> Result<(UserPolicies, Via), ErrorBody> {
    let iam = aws_sdk_iam::Client::new(config);
    match from_details(&iam, user_name).await? {
        Some(found) => Ok((found, Via::AuthorizationDetails)),
        None => Ok((one_by_one(&iam, user_name).await?, Via::OneByOne)),
    }
}

/// The user's policies from GetAccountAuthorizationDetails; `None` when the caller may not
/// call it (or the user is not in it), so the other way is tried.
async fn from_details(
    iam: &aws_sdk_iam::Client,
    user_name: &str,
) -> Result<Option<UserPolicies>, ErrorBody> {
    use aws_sdk_iam::types::EntityType;
    let mut pages = iam
        .get_account_authorization_details()
        .filter(EntityType::User)
        .filter(EntityType::Group)
        .filter(EntityType::LocalManagedPolicy)
        .into_paginator()
        .send();
    let (mut users, mut groups, mut local) = (Vec::new(), Vec::new(), Vec::new());
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(e) if super::service_code(&e) == Some("AccessDenied") => return Ok(None),
            Err(e) => return Err(super::classify("iam:GetAccountAuthorizationDetails", e)),
        };
        users.extend(page.user_detail_list.unwrap_or_default());
        groups.extend(page.group_detail_list.unwrap_or_default());
        local.extend(page.policies.unwrap_or_default());
    }
    let Some(user) = users
        .into_iter()
        .find(|u| u.user_name.as_deref() == Some(user_name))
    else {
        return Ok(None);
    };
    let mut identity: Vec<NamedDocument> = user
        .user_policy_list
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| {
            Some(NamedDocument {
                name: format!("user/{}", p.policy_name?),
                document: decode_document(&p.policy_document?),
            })
        })
        .collect();
    let mut managed: BTreeSet<String> = user
        .attached_managed_policies
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.policy_arn)
        .collect();
    let member_of = user.group_list.unwrap_or_default();
    for group in groups
        .into_iter()
        .filter(|g| g.group_name.as_ref().is_some_and(|n| member_of.contains(n)))
    {
        let name = group.group_name.unwrap_or_default();
        identity.extend(
            group
                .group_policy_list
                .unwrap_or_default()
                .into_iter()
                .filter_map(|p| {
                    Some(NamedDocument {
                        name: format!("group/{name}/{}", p.policy_name?),
                        document: decode_document(&p.policy_document?),
                    })
                }),
        );
        managed.extend(
            group
                .attached_managed_policies
                .unwrap_or_default()
                .into_iter()
                .filter_map(|p| p.policy_arn),
        );
    }
    // Customer managed policies come with their versions; AWS managed ones are read.
    let default_document = |arn: &str| {
        let policy = local.iter().find(|p| p.arn.as_deref() == Some(arn))?;
        let version = policy
            .policy_version_list
            .as_ref()?
            .iter()
            .find(|v| v.is_default_version)?;
        Some(NamedDocument {
            name: policy.policy_name.clone().unwrap_or_else(|| arn.to_owned()),
            document: decode_document(version.document.as_deref()?),
        })
    };
    let mut elsewhere = Vec::new();
    for arn in managed {
        match default_document(&arn) {
            Some(document) => identity.push(document),
            None => elsewhere.push(arn),
        }
    }
    let read: Vec<NamedDocument> = futures::stream::iter(
        elsewhere
            .into_iter()
            .map(|arn| managed_document(iam.clone(), arn)),
    )
    .buffered(CONCURRENCY)
    .try_collect()
    .await?;
    identity.extend(read);
    let boundary = match user
        .permissions_boundary
        .and_then(|b| b.permissions_boundary_arn)
    {
        Some(arn) => match default_document(&arn) {
            Some(document) => Some(document),
            None => Some(managed_document(iam.clone(), arn).await?),
        },
        None => None,
    };
    Ok(Some(UserPolicies {
        identity,
        boundary,
        tags: user
            .tags
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.key, t.value))
            .collect(),
        groups: member_of,
    }))
}

/// The user's policies from List*/Get* calls about this user and their groups.
async fn one_by_one(iam: &aws_sdk_iam::Client, user_name: &str) -> Result<UserPolicies, ErrorBody> {
    let user = iam
        .get_user()
        .user_name(user_name)
        .send()
        .await
        .map_err(failed("iam:GetUser"))?
        .user
        .ok_or_else(|| {
            ErrorBody::new(ErrorCode::AwsFailed, "iam:GetUser answered without a user")
        })?;
    let tags = user
        .tags
        .unwrap_or_default()
        .into_iter()
        .map(|t| (t.key, t.value))
        .collect();
    let boundary_arn = user
        .permissions_boundary
        .and_then(|b| b.permissions_boundary_arn);

    let inline_names: Vec<String> = iam
        .list_user_policies()
        .user_name(user_name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(failed("iam:ListUserPolicies"))?;
    let attached: Vec<aws_sdk_iam::types::AttachedPolicy> = iam
        .list_attached_user_policies()
        .user_name(user_name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(failed("iam:ListAttachedUserPolicies"))?;
    let mut managed: BTreeSet<String> = attached.into_iter().filter_map(|p| p.policy_arn).collect();
    let groups: Vec<aws_sdk_iam::types::Group> = iam
        .list_groups_for_user()
        .user_name(user_name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(failed("iam:ListGroupsForUser"))?;
    let groups: Vec<String> = groups.into_iter().map(|g| g.group_name).collect();

    // The user's inline policies, each group's policies, then every managed policy once.
    let mut identity: Vec<NamedDocument> = futures::stream::iter(
        inline_names
            .into_iter()
            .map(|name| user_inline(iam.clone(), user_name.to_owned(), name)),
    )
    .buffered(CONCURRENCY)
    .try_collect()
    .await?;
    let per_group: Vec<(Vec<NamedDocument>, Vec<String>)> = futures::stream::iter(
        groups
            .iter()
            .cloned()
            .map(|g| group_policies(iam.clone(), g)),
    )
    .buffered(CONCURRENCY)
    .try_collect()
    .await?;
    for (documents, attached) in per_group {
        identity.extend(documents);
        managed.extend(attached);
    }
    let managed_documents: Vec<NamedDocument> = futures::stream::iter(
        managed
            .into_iter()
            .map(|arn| managed_document(iam.clone(), arn)),
    )
    .buffered(CONCURRENCY)
    .try_collect()
    .await?;
    identity.extend(managed_documents);

    let boundary = match boundary_arn {
        Some(arn) => Some(managed_document(iam.clone(), arn).await?),
        None => None,
    };
    Ok(UserPolicies {
        identity,
        boundary,
        tags,
        groups,
    })
}

/// One inline policy of the user.
async fn user_inline(
    iam: aws_sdk_iam::Client,
    user_name: String,
    name: String,
) -> Result<NamedDocument, ErrorBody> {
    let out = iam
        .get_user_policy()
        .user_name(user_name)
        .policy_name(&name)
        .send()
        .await
        .map_err(failed("iam:GetUserPolicy"))?;
    Ok(NamedDocument {
        name: format!("user/{name}"),
        document: decode_document(&out.policy_document),
    })
}

/// A group's inline policy documents and the ARNs of its attached managed policies.
async fn group_policies(
    iam: aws_sdk_iam::Client,
    group: String,
) -> Result<(Vec<NamedDocument>, Vec<String>), ErrorBody> {
    let names: Vec<String> = iam
        .list_group_policies()
        .group_name(&group)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(failed("iam:ListGroupPolicies"))?;
    let mut documents = Vec::new();
    for name in names {
        let out = iam
            .get_group_policy()
            .group_name(&group)
            .policy_name(&name)
            .send()
            .await
            .map_err(failed("iam:GetGroupPolicy"))?;
        documents.push(NamedDocument {
            name: format!("group/{group}/{name}"),
            document: decode_document(&out.policy_document),
        });
    }
    let attached: Vec<aws_sdk_iam::types::AttachedPolicy> = iam
        .list_attached_group_policies()
        .group_name(&group)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(failed("iam:ListAttachedGroupPolicies"))?;
    Ok((
        documents,
        attached.into_iter().filter_map(|p| p.policy_arn).collect(),
    ))
}

/// A managed policy's default version's document, named by the policy's name.
async fn managed_document(
    iam: aws_sdk_iam::Client,
    arn: String,
) -> Result<NamedDocument, ErrorBody> {
    let arn = arn.as_str();
    let policy = iam
        .get_policy()
        .policy_arn(arn)
        .send()
        .await
        .map_err(failed("iam:GetPolicy"))?
        .policy
        .ok_or_else(|| {
            ErrorBody::new(
                ErrorCode::AwsFailed,
                format!("iam:GetPolicy {arn}: no policy"),
            )
        })?;
    let version = policy.default_version_id.ok_or_else(|| {
        ErrorBody::new(
            ErrorCode::AwsFailed,
            format!("iam:GetPolicy {arn}: no default version"),
        )
    })?;
    let document = iam
        .get_policy_version()
        .policy_arn(arn)
        .version_id(version)
        .send()
        .await
        .map_err(failed("iam:GetPolicyVersion"))?
        .policy_version
        .and_then(|v| v.document)
        .ok_or_else(|| {
            ErrorBody::new(
                ErrorCode::AwsFailed,
                format!("iam:GetPolicyVersion {arn}: no document"),
            )
        })?;
    Ok(NamedDocument {
        name: policy.policy_name.unwrap_or_else(|| arn.to_owned()),
        document: decode_document(&document),
    })
}

#[cfg(test)]
mod tests {
    use super::decode_document;

    #[test]
    fn documents_are_url_decoded_once() {
        assert_eq!(
            decode_document("%7B%22Version%22%3A%222012-10-17%22%7D"),
            r#"{"Version":"2012-10-17"}"#
        );
        assert_eq!(
            decode_document(r#"{"a":"%41"}"#),
            r#"{"a":"%41"}"#,
            "plain JSON stays"
        );
        assert_eq!(decode_document("%FF%FE"), "%FF%FE", "not UTF-8: left as is");
    }
}
