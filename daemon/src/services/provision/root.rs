//! `account.root`: how a member account's root user can be reached, and the privileged
//! tasks that replace the runbook's manual password reset where the organization uses
//! centralized root access (see `shared::provision::root`). Without a task it only
//! detects and advises; a task runs through an AssumeRoot session scoped to the task's
//! AWS managed policy, and goes to the audit log. Where centralized root access (or root
//! sessions) is off, a task is refused with `root_access_off` and the manual way.

use switchyard_shared::protocol::provision::{RootAccessData, RootAccessParams, RootTask};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::provision::root::{
    has_root_sessions, is_centralized, root_advice, task_policy_arn,
};
use switchyard_shared::provision::{closability, is_account_id, Closability};
use switchyard_shared::switch::Partition;

use super::Jobs;
use crate::aws::provision as aws;
use crate::aws::root as aws_root;
use crate::aws::SdkConfig;

/// Detection and advice for `account_id` (whose root e-mail is `email`, when known).
pub async fn detect(
    sdk: &SdkConfig,
    account_id: &str,
    email: Option<&str>,
) -> Result<RootAccessData, ErrorBody> {
    let found = aws_root::root_access(sdk).await?;
    let mut data = RootAccessData {
        account_id: account_id.to_owned(),
        centralized: is_centralized(found.trusted, &found.features),
        trusted_access: found.trusted,
        features: found.features,
        task: None,
        done: Vec::new(),
        advice: String::new(),
    };
    data.advice = root_advice(&data, email);
    Ok(data)
}

impl Jobs {
    /// `account.root`.
    pub async fn root_access(&self, params: RootAccessParams) -> Result<RootAccessData, ErrorBody> {
        let id = params.account_id.trim().to_owned();
        if !is_account_id(&id) {
            return Err(ErrorBody::new(
                ErrorCode::InvalidAccountRequest,
                format!("{id:?} is not an AWS account id (12 digits)"),
            ));
        }
        let signed = self.sessions.sign_in(params.profile).await?;
        let explain = |e| signed.explain(&self.sessions, e);
        let sdk = &signed.sdk;
        let caller = crate::aws::identity::caller(sdk).await.map_err(explain)?;
        let management = aws::management_account(sdk).await.map_err(explain)?;
        if id == management {
            return Err(ErrorBody::new(
                ErrorCode::InvalidAccountRequest,
                format!(
                    "{id} is the management account: centralized root access covers member \
                     accounts only, and this root user is managed in its own console"
                ),
            ));
        }
        let accounts = aws::organization_accounts(sdk).await.map_err(explain)?;
        let Some(account) = accounts.iter().find(|a| a.id == id) else {
            return Err(ErrorBody::new(
                ErrorCode::InvalidAccountRequest,
                format!("account {id} is not in the organization"),
            ));
        };
        let mut data = detect(sdk, &id, Some(&account.email))
            .await
            .map_err(explain)?;
        let Some(task) = params.task else {
            return Ok(data);
        };
        if !data.centralized || !has_root_sessions(data.trusted_access, &data.features) {
            return Err(ErrorBody::new(
                ErrorCode::RootAccessOff,
                format!(
                    "{} needs centralized root access with root sessions; {}",
                    task.as_str(),
                    data.advice
                ),
            ));
        }
        if closability(&account.state) == Closability::Closed {
            return Err(ErrorBody::new(
                ErrorCode::AccountClosed,
                format!(
                    "account {id} ({}) is {}: its root user is not changed any more",
                    account.name, account.state
                ),
            ));
        }
        let partition = Partition::from_name(&signed.settings.partition).unwrap_or(Partition::Aws);
        let policy = task_policy_arn(partition, task);
        let who = caller.arn.as_str();
        let target = format!("{id} {policy}");
        let root = aws_root::assume_root(sdk, &id, &policy).await;
        let result = root.as_ref().map(|_| ()).map_err(Clone::clone);
        self.journal
            .audit_action(who, &signed.profile, "sts:AssumeRoot", &target, &result);
        let root = root.map_err(explain)?;
        let done = match task {
            RootTask::AllowPasswordRecovery => {
                let allowed = aws_root::allow_password_recovery(&root).await;
                let result = allowed.as_ref().map(|_| ()).map_err(Clone::clone);
                self.journal.audit_action(
                    who,
                    &signed.profile,
                    "iam:CreateLoginProfile (root)",
                    &id,
                    &result,
                );
                vec![if allowed.map_err(explain)? {
                    format!(
                        "password recovery allowed: the root user ({}) can now choose \
                         \"Forgot password?\" on the sign-in page (the e-mail inbox and a \
                         CAPTCHA are still needed)",
                        account.email
                    )
                } else {
                    "password recovery was already allowed".to_owned()
                }]
            }
            RootTask::DeleteCredentials => {
                let removed = aws_root::delete_root_credentials(&root).await;
                let result = removed.as_ref().map(|_| ()).map_err(Clone::clone);
                self.journal.audit_action(
                    who,
                    &signed.profile,
                    "root credentials deleted",
                    &id,
                    &result,
                );
                let removed = removed.map_err(explain)?;
                if removed.is_empty() {
                    vec!["the root user had no credentials left".to_owned()]
                } else {
                    removed
                        .into_iter()
                        .map(|r| format!("removed {r}"))
                        .collect()
                }
            }
        };
        data.task = Some(task);
        data.done = done;
        Ok(data)
    }
}
