//! `provision.allowed`: whether the signed-in user's own IAM policies allow
//! `organizations:CreateAccount`, so the extension shows the create-account form only to
//! those who may use it. The policies are gathered as for `roles.list`
//! ([`crate::services::roles`]); the deciding is `shared::provision::create_account_permission`.
//! A user whose policies cannot be read gets `unknown` with the reason, never a guess.

use std::sync::Arc;

use switchyard_shared::protocol::provision::{Permission, ProvisionAllowedData};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::provision::create_account_permission;

use crate::aws::{iam_policies, identity, mfa};
use crate::services::session::Sessions;

/// Answer `provision.allowed` for `profile`.
pub async fn allowed(
    sessions: &Arc<Sessions>,
    profile: Option<String>,
) -> Result<ProvisionAllowedData, ErrorBody> {
    let signed = sessions.sign_in(profile).await?;
    let caller = identity::caller(&signed.long_term)
        .await
        .map_err(|e| signed.explain(sessions, e))?;
    let user = mfa::user_name(&caller.arn).map(str::to_owned);
    let answer = |permission, reason: String| ProvisionAllowedData {
        profile: signed.profile.clone(),
        caller_arn: caller.arn.clone(),
        user_name: user.clone(),
        permission,
        reason,
        email_template: signed.settings.email_template.clone(),
    };
    let Some(user_name) = user.as_deref() else {
        return Ok(answer(
            Permission::Unknown,
            format!(
                "{} is not an IAM user, so its policies are not read",
                caller.arn
            ),
        ));
    };
    let gathered = match iam_policies::gather(&signed.sdk, user_name).await {
        Ok((gathered, _)) => gathered,
        Err(e) if matches!(e.code, ErrorCode::AccessDenied | ErrorCode::AwsFailed) => {
            return Ok(answer(
                Permission::Unknown,
                format!("your IAM policies could not be read ({})", e.message),
            ))
        }
        Err(e) => return Err(signed.explain(sessions, e)),
    };
    let mut notices = Vec::new();
    let policies = crate::services::roles::parse_all(&gathered.identity, &mut notices);
    let boundary = gathered
        .boundary
        .as_ref()
        .map(|b| crate::services::roles::parse_all(std::slice::from_ref(b), &mut notices));
    let tags: Vec<(String, String)> = gathered.tags.into_iter().collect();
    let context = crate::services::roles::context(&signed, &caller, Some(user_name), &tags);
    let (permission, mut reason) =
        create_account_permission(&policies, boundary.as_deref(), &context);
    if !notices.is_empty() {
        reason.push_str(&format!(" ({})", notices.join("; ")));
    }
    Ok(answer(permission, reason))
}
