//! Identity Center access for a new account: `identity_center.options` (the instance, its
//! permission sets and groups, to choose from), the check of a chosen assignment before
//! the job starts, and the `assign_access` step (CreateAccountAssignment, done when
//! ListAccountAssignments shows it; looked up first on resume). `account close
//! --remove-group` deletes the assignment again.

use switchyard_shared::protocol::provision::{IdentityCenterAccess, IdentityCenterData, Job};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};

use super::Jobs;
use crate::aws::identity_center as aws_ic;
use crate::aws::SdkConfig;

/// How long an assignment may stay IN_PROGRESS before the step pauses.
const ASSIGN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5 * 60);

fn invalid(message: String) -> ErrorBody {
    ErrorBody::new(ErrorCode::InvalidAccountRequest, message)
}

/// The shapes AWS gives these identifiers, checked before any call.
fn check_shape(access: &IdentityCenterAccess) -> Result<(), ErrorBody> {
    // The instance's and the permission set's ARNs (arn:aws:sso:::instance/ssoins-…,
    // arn:aws:sso:::permissionSet/ssoins-…/ps-…); existence is checked against the
    // lists before the job starts.
    let arn_of = |arn: &str, part: &str| {
        arn.starts_with("arn:")
            && arn.contains(":sso:::")
            && arn.contains(part)
            && arn.len() <= 1224
            && arn.is_ascii()
    };
    if !arn_of(&access.instance_arn, "instance/ssoins-") {
        return Err(invalid(format!(
            "{:?} is not an Identity Center instance ARN (arn:aws:sso:::instance/ssoins-…)",
            access.instance_arn
        )));
    }
    if !arn_of(&access.permission_set_arn, "/ps-") {
        return Err(invalid(format!(
            "{:?} is not a permission set ARN (arn:aws:sso:::permissionSet/ssoins-…/ps-…)",
            access.permission_set_arn
        )));
    }
    let id = &access.group_id;
    if id.is_empty() || id.len() > 47 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(invalid(format!(
            "{id:?} is not an Identity Center group id"
        )));
    }
    Ok(())
}

/// Check a chosen assignment against the organization's Identity Center (the instance,
/// the permission set and the group exist) and fill in the names.
pub async fn check(sdk: &SdkConfig, access: &mut IdentityCenterAccess) -> Result<(), ErrorBody> {
    check_shape(access)?;
    let Some(options) = aws_ic::options(sdk).await? else {
        return Err(invalid(
            "the organization has no Identity Center instance (sso:ListInstances found none): \
             leave the Identity Center fields empty"
                .to_owned(),
        ));
    };
    if options.instance_arn != access.instance_arn {
        return Err(invalid(format!(
            "{} is not the organization's Identity Center instance ({})",
            access.instance_arn, options.instance_arn
        )));
    }
    let Some(set) = options
        .permission_sets
        .iter()
        .find(|p| p.arn == access.permission_set_arn)
    else {
        return Err(invalid(format!(
            "no permission set {} in the instance; `switchyard account identity-center` lists them",
            access.permission_set_arn
        )));
    };
    let Some(group) = options.groups.iter().find(|g| g.id == access.group_id) else {
        return Err(invalid(format!(
            "no group {} in the identity store; `switchyard account identity-center` lists them",
            access.group_id
        )));
    };
    access.permission_set_name = Some(set.name.clone());
    access.group_name = Some(group.display_name.clone());
    Ok(())
}

/// The assignment in words.
pub fn describe(access: &IdentityCenterAccess) -> String {
    format!(
        "permission set {} for the Identity Center group {}",
        access
            .permission_set_name
            .as_deref()
            .unwrap_or(&access.permission_set_arn),
        access.group_name.as_deref().unwrap_or(&access.group_id)
    )
}

impl Jobs {
    /// `identity_center.options`.
    pub async fn identity_center_options(
        &self,
        profile: Option<String>,
    ) -> Result<IdentityCenterData, ErrorBody> {
        let signed = self.sessions.sign_in(profile).await?;
        let options = aws_ic::options(&signed.sdk)
            .await
            .map_err(|e| signed.explain(&self.sessions, e))?;
        Ok(IdentityCenterData {
            profile: signed.profile,
            identity_center: options,
        })
    }

    /// The `assign_access` step.
    pub(super) async fn assign_access(
        &self,
        sdk: &SdkConfig,
        job: &Job,
        account: &str,
    ) -> Result<String, ErrorBody> {
        let Some(access) = &job.plan.identity_center else {
            return Ok("no Identity Center access chosen".to_owned());
        };
        let what = describe(access);
        if aws_ic::is_assigned(sdk, access, account).await? {
            return Ok(format!("{what} already on account {account}"));
        }
        let made = aws_ic::assign(sdk, access, account, ASSIGN_TIMEOUT).await;
        let target = format!(
            "{account} {} {}",
            access.permission_set_arn, access.group_id
        );
        self.audit(job, "sso:CreateAccountAssignment", &target, &made);
        made?;
        if !aws_ic::is_assigned(sdk, access, account).await? {
            return Err(ErrorBody::new(
                ErrorCode::AwsFailed,
                format!(
                    "Identity Center answered the assignment but does not list it yet; \
                     `switchyard jobs resume {}` looks again",
                    job.id
                ),
            ));
        }
        Ok(format!("{what} on account {account}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_checked_before_any_call() {
        let good = IdentityCenterAccess {
            instance_arn: "arn:aws:sso:::instance/ssoins-1234567890abcdef".into(),
            permission_set_arn: "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1".into(),
            group_id: "90676d0a-1071-70e6-5de5-5a8a4d6bd9b2".into(),
            permission_set_name: None,
            group_name: None,
        };
        assert!(check_shape(&good).is_ok());
        for bad in [
            IdentityCenterAccess {
                instance_arn: "ssoins-1".into(),
                ..good.clone()
            },
            IdentityCenterAccess {
                permission_set_arn: "arn:aws:iam::aws:policy/AdministratorAccess".into(),
                ..good.clone()
            },
            IdentityCenterAccess {
                group_id: "ops team".into(),
                ..good.clone()
            },
        ] {
            assert_eq!(
                check_shape(&bad).unwrap_err().code,
                ErrorCode::InvalidAccountRequest
            );
        }
    }
}
