//! The organization's accounts: Organizations DescribeOrganization and ListAccounts (every
//! page), and separately their tags: ListTagsForResource per account, with bounded
//! concurrency, skipped when not allowed. Tags cost one call per account, so callers
//! read them after the list, off the path of the first answer.

use std::collections::BTreeMap;

use aws_config::SdkConfig;
use aws_sdk_organizations::config::http::HttpResponse;
use aws_sdk_organizations::error::SdkError;
use futures::StreamExt;
use switchyard_shared::protocol::aws::{Account, Organization};
use switchyard_shared::protocol::ErrorBody;

/// Tag reads in flight at once.
const TAG_CONCURRENCY: usize = 8;

/// Why the organization's accounts could not be listed.
#[derive(Debug)]
pub enum ListError {
    /// The caller may not list accounts (an ordinary member account, or no permission).
    NotAllowed(String),
    /// The caller's account is in no organization.
    NoOrganization,
    /// Anything else (network, throttling, credentials).
    Failed(ErrorBody),
}

fn list_error<E>(operation: &str, error: SdkError<E, HttpResponse>) -> ListError
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    match super::service_code(&error) {
        Some("AWSOrganizationsNotInUseException") => ListError::NoOrganization,
        Some("AccessDeniedException" | "AccessDenied" | "AccessDeniedForDependencyException") => {
            ListError::NotAllowed(operation.to_owned())
        }
        _ => ListError::Failed(super::classify(operation, error)),
    }
}

/// The organization and all its accounts, in ListAccounts order (tags not read).
pub async fn list(config: &SdkConfig) -> Result<(Organization, Vec<Account>), ListError> {
    let client = aws_sdk_organizations::Client::new(config);
    let org = client
        .describe_organization()
        .send()
        .await
        .map_err(|e| list_error("organizations:DescribeOrganization", e))?
        .organization
        .map(|o| Organization {
            id: o.id.unwrap_or_default(),
            management_account_id: o.master_account_id.unwrap_or_default(),
        })
        .ok_or(ListError::NoOrganization)?;
    let mut pages = client.list_accounts().into_paginator().send();
    let mut accounts = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| list_error("organizations:ListAccounts", e))?;
        accounts.extend(page.accounts.unwrap_or_default().into_iter().map(account));
    }
    Ok((org, accounts))
}

fn account(a: aws_sdk_organizations::types::Account) -> Account {
    Account {
        console_color: None,
        id: a.id.unwrap_or_default(),
        name: a.name.unwrap_or_default(),
        email: a.email,
        state: a.state.map(|s| s.as_str().to_owned()),
        arn: a.arn,
        joined_at: a.joined_timestamp.as_ref().map(super::unix_seconds),
        tags: None,
    }
}

async fn tags_of(
    client: &aws_sdk_organizations::Client,
    id: String,
) -> Result<BTreeMap<String, String>, ListError> {
    let mut pages = client
        .list_tags_for_resource()
        .resource_id(id)
        .into_paginator()
        .send();
    let mut tags = BTreeMap::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| list_error("organizations:ListTagsForResource", e))?;
        tags.extend(
            page.tags
                .unwrap_or_default()
                .into_iter()
                .map(|t| (t.key, t.value)),
        );
    }
    Ok(tags)
}

/// Each account's tags, by account id; `None` when the caller may not read tags (the
/// first account is asked alone, so a refusal costs one call). Accounts whose tags could
/// not be read are left out.
pub async fn tags(
    config: &SdkConfig,
    ids: Vec<String>,
) -> Option<BTreeMap<String, BTreeMap<String, String>>> {
    let client = aws_sdk_organizations::Client::new(config);
    let mut found = BTreeMap::new();
    let mut ids = ids.into_iter();
    let first = ids.next()?;
    match tags_of(&client, first.clone()).await {
        Ok(tags) => {
            found.insert(first, tags);
        }
        Err(ListError::NotAllowed(_)) => {
            tracing::debug!("account tags are not readable by this caller");
            return None;
        }
        Err(e) => tracing::debug!(account = %first, "tags unreadable: {e:?}"),
    }
    let client = &client;
    let results: Vec<_> = futures::stream::iter(ids.map(|id| async move {
        let tags = tags_of(client, id.clone()).await;
        (id, tags)
    }))
    .buffer_unordered(TAG_CONCURRENCY)
    .collect()
    .await;
    for (id, result) in results {
        match result {
            Ok(tags) => {
                found.insert(id, tags);
            }
            Err(e) => tracing::debug!(account = %id, "tags unreadable: {e:?}"),
        }
    }
    Some(found)
}

/// TagResource: set `tags` on an account (the team's name, color and role hints).
pub async fn tag_account(
    config: &SdkConfig,
    account_id: &str,
    tags: &BTreeMap<String, String>,
) -> Result<(), ErrorBody> {
    let tags: Vec<aws_sdk_organizations::types::Tag> = tags
        .iter()
        .filter_map(|(key, value)| {
            aws_sdk_organizations::types::Tag::builder()
                .key(key)
                .value(value)
                .build()
                .ok()
        })
        .collect();
    aws_sdk_organizations::Client::new(config)
        .tag_resource()
        .resource_id(account_id)
        .set_tags(Some(tags))
        .send()
        .await
        .map_err(|e| super::classify("organizations:TagResource", e))?;
    Ok(())
}

/// UntagResource: remove the tags `keys` from an account.
pub async fn untag_account(
    config: &SdkConfig,
    account_id: &str,
    keys: &[String],
) -> Result<(), ErrorBody> {
    aws_sdk_organizations::Client::new(config)
        .untag_resource()
        .resource_id(account_id)
        .set_tag_keys(Some(keys.to_vec()))
        .send()
        .await
        .map_err(|e| super::classify("organizations:UntagResource", e))?;
    Ok(())
}
