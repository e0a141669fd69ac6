//! The new account's root user. Organizations that use centralized root access (IAM's
//! trusted access in Organizations plus the `RootCredentialsManagement` feature; since
//! November 2024 their new member accounts have no root credentials and refuse password
//! recovery) replace the runbook's manual "set a root password through password reset"
//! with two privileged tasks run from the management account through `sts:AssumeRoot`
//! (the `RootSessions` feature): allow root password recovery, or delete the root
//! credentials. Without it, the manual reset is the way, and it needs the e-mail inbox.

use crate::protocol::provision::{RootAccessData, RootTask};
use crate::switch::Partition;

/// IAM's service principal that Organizations must trust for centralized root access.
pub const IAM_PRINCIPAL: &str = "iam.amazonaws.com";
/// The IAM organization features (ListOrganizationsFeatures' `EnabledFeatures`).
pub const CREDENTIALS_MANAGEMENT: &str = "RootCredentialsManagement";
pub const ROOT_SESSIONS: &str = "RootSessions";

/// The AWS managed task policy an AssumeRoot session for `task` is scoped to.
pub fn task_policy_arn(partition: Partition, task: RootTask) -> String {
    let name = match task {
        RootTask::AllowPasswordRecovery => "IAMCreateRootUserPassword",
        RootTask::DeleteCredentials => "IAMDeleteRootUserCredentials",
    };
    format!("arn:{}:iam::aws:policy/root-task/{name}", partition.name())
}

/// The manual reset's steps, in order, for an account whose root user has no password.
pub fn manual_reset_steps(email: &str) -> Vec<String> {
    vec![
        "Open the AWS sign-in page (https://signin.aws.amazon.com/) and choose \"Root user\"."
            .to_owned(),
        format!("Enter {email} and choose \"Next\"."),
        "Choose \"Forgot password?\" and solve the CAPTCHA.".to_owned(),
        format!(
            "Open the link AWS e-mails to {email} and choose the new password (only someone \
             who reads that inbox can finish this; Switchyard cannot do it for you)."
        ),
        "Then give the root user MFA, and keep the password where your team keeps such \
         secrets."
            .to_owned(),
    ]
}

/// What the manual reset involves, for an account whose root user has no password.
pub fn manual_reset(email: &str) -> String {
    format!(
        "the root user ({email}) has no password: to set one, open the AWS sign-in page, \
         choose \"Root user\", enter {email}, choose \"Forgot password?\", solve the \
         CAPTCHA, and follow the link AWS e-mails to that address (only someone who reads \
         that inbox can finish it; Switchyard cannot do it for you)"
    )
}

/// Centralized root access as detected: whether IAM is trusted, and its enabled features.
pub fn is_centralized(trusted: bool, features: &[String]) -> bool {
    trusted && features.iter().any(|f| f == CREDENTIALS_MANAGEMENT)
}

/// Whether the privileged tasks can run from here (root sessions enabled).
pub fn has_root_sessions(trusted: bool, features: &[String]) -> bool {
    trusted && features.iter().any(|f| f == ROOT_SESSIONS)
}

/// What to tell about the root user of `account_id` (e-mail `email`, when known).
pub fn root_advice(data: &RootAccessData, email: Option<&str>) -> String {
    let id = &data.account_id;
    let email = email.unwrap_or("its e-mail address");
    if !data.centralized {
        return format!(
            "centralized root access is off in this organization: {}",
            manual_reset(email)
        );
    }
    if !has_root_sessions(data.trusted_access, &data.features) {
        return format!(
            "centralized root access is on: account {id} has no root credentials and its root \
             user cannot recover a password. Privileged root sessions (RootSessions) are off, \
             so the tasks that change this cannot run from here: enable them in the IAM \
             console (Root access management), then `switchyard account root {id} \
             --allow-password-recovery`"
        );
    }
    format!(
        "centralized root access is on: account {id} has no root credentials. If its root \
         user is needed, `switchyard account root {id} --allow-password-recovery` lets it \
         recover a password through {email}'s inbox; `--delete-credentials` removes root \
         credentials again"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(trusted: bool, features: &[&str]) -> RootAccessData {
        let features: Vec<String> = features.iter().map(|f| f.to_string()).collect();
        RootAccessData {
            account_id: "222222222222".into(),
            trusted_access: trusted,
            centralized: is_centralized(trusted, &features),
            features,
            task: None,
            done: vec![],
            advice: String::new(),
        }
    }

    #[test]
    fn task_policies_and_advice() {
        assert_eq!(
            task_policy_arn(Partition::Aws, RootTask::AllowPasswordRecovery),
            "arn:aws:iam::aws:policy/root-task/IAMCreateRootUserPassword"
        );
        assert_eq!(
            task_policy_arn(Partition::AwsCn, RootTask::DeleteCredentials),
            "arn:aws-cn:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"
        );
        let off = root_advice(&data(false, &[]), Some("ops+a@example.com"));
        assert!(off.contains("off"), "{off}");
        assert!(off.contains("CAPTCHA") && off.contains("inbox"), "{off}");
        // Features without IAM's trusted access do not count.
        assert!(!data(false, &[CREDENTIALS_MANAGEMENT]).centralized);
        let no_sessions = root_advice(&data(true, &[CREDENTIALS_MANAGEMENT]), None);
        assert!(no_sessions.contains("RootSessions"), "{no_sessions}");
        let on = root_advice(
            &data(true, &[CREDENTIALS_MANAGEMENT, ROOT_SESSIONS]),
            Some("ops+a@example.com"),
        );
        assert!(on.contains("--allow-password-recovery"), "{on}");
        assert!(!on.contains("CAPTCHA"), "{on}");
        let steps = manual_reset_steps("ops+a@example.com");
        assert_eq!(steps.len(), 5);
        assert!(steps[1].contains("ops+a@example.com") && steps[2].contains("CAPTCHA"));
        assert!(steps[3].contains("inbox"), "{steps:?}");
    }
}
