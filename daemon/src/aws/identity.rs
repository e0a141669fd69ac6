//! Who a set of credentials is: STS GetCallerIdentity and IAM ListAccountAliases.

use aws_config::SdkConfig;
use aws_sdk_sts::error::ProvideErrorMetadata;
use switchyard_shared::protocol::ErrorBody;

/// The caller's account, ARN and user id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub account_id: String,
    pub arn: String,
    pub user_id: String,
}

/// STS GetCallerIdentity: needs no permission, so it is the check that a key works.
pub async fn caller(config: &SdkConfig) -> Result<Caller, ErrorBody> {
    let me = aws_sdk_sts::Client::new(config)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| super::classify("sts:GetCallerIdentity", e))?;
    Ok(Caller {
        account_id: me.account.unwrap_or_default(),
        arn: me.arn.unwrap_or_default(),
        user_id: me.user_id.unwrap_or_default(),
    })
}

/// The account's alias. Reading it needs iam:ListAccountAliases, which many users lack,
/// so any failure is "no alias known", never an error.
pub async fn account_alias(config: &SdkConfig) -> Option<String> {
    match aws_sdk_iam::Client::new(config)
        .list_account_aliases()
        .send()
        .await
    {
        Ok(out) => out.account_aliases.into_iter().next(),
        Err(e) => {
            tracing::debug!("no account alias: {}", e.code().unwrap_or("unknown error"));
            None
        }
    }
}
