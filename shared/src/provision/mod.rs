//! Provisioning a client account, without I/O: the `account.create` request checked and
//! turned into a [`Plan`] (names defaulted and validated before any AWS call), the
//! management-account group's inline policy, the switch link, Organizations'
//! `FailureReason`s in words with a remedy, and the journal's step model (`Job`,
//! [`Step`], [`StepState`]) that the daemon writes to disk before and after each step.

use std::collections::BTreeMap;

use crate::protocol::provision::{
    CloseQuota, CreateAccountParams, EventKind, Job, JobEvent, JobState, Permission, Plan, Step,
    StepRecord, StepState,
};
use crate::switch::{switch_link as build_switch_link, Partition, SwitchTarget};
use crate::targets::is_role_name;

pub mod grants;
pub mod root;

/// The tag every account (and role) Switchyard creates carries.
pub const CREATED_BY_TAG: (&str, &str) = ("created-by", "switchyard");
/// The tag naming the cross-account role Switchyard made for an account (its value is
/// the role name): how `users.*` finds the role for an account whose job this daemon
/// does not have (another machine, a cleared state dir).
pub const ROLE_TAG: &str = "switchyard-role";
/// Organizations' limit on an account's name.
pub const MAX_ACCOUNT_NAME: usize = 50;
/// Organizations' limits on the root user's e-mail address.
pub const MIN_EMAIL: usize = 6;
pub const MAX_EMAIL: usize = 64;
/// Organizations and IAM allow at most 50 tags on a resource.
pub const MAX_TAGS: usize = 50;

/// A field of `account.create` that cannot be used, and why. Refused before any AWS call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidInput {
    #[error(
        "the account name must be 1 to {MAX_ACCOUNT_NAME} printable ASCII characters (got {0:?})"
    )]
    Name(String),
    #[error("{0:?} is not an e-mail address AWS accepts: {1}")]
    Email(String, &'static str),
    #[error("{0:?} is not an IAM role name (1 to 64 letters, digits and +=,.@_-); {1}")]
    RoleName(String, &'static str),
    #[error("{0:?} is not an IAM group name (1 to 128 letters, digits and +=,.@_-)")]
    GroupName(String),
    #[error("{0:?} is not an IAM policy name (1 to 128 letters, digits and +=,.@_-)")]
    PolicyName(String),
    #[error("{0:?} is not an IAM user name (1 to 64 letters, digits and +=,.@_-)")]
    UserName(String),
    #[error("tag {0:?}: {1}")]
    Tag(String, &'static str),
    #[error("{0:?} is not an organizational unit id (ou-xxxx-xxxxxxxx) or root id (r-xxxx)")]
    OuId(String),
    #[error("the e-mail template {0:?} {1}")]
    Template(String, &'static str),
    #[error("{0:?} is not a managed policy ARN (arn:aws:iam::aws:policy/NAME or arn:aws:iam::ACCOUNT:policy/NAME)")]
    PolicyArn(String),
    #[error("the team's name for the account: {0}")]
    DisplayName(crate::team::InvalidLook),
    #[error("the team's color for the account: {0}")]
    Color(crate::team::InvalidLook),
    #[error("without the IAM group, {0}")]
    Access(&'static str),
}

/// A managed policy ARN: `arn:PARTITION:iam::(aws|ACCOUNT):policy/[PATH/]NAME`.
pub fn is_policy_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [scheme, partition, service, region, owner, resource] = parts[..] else {
        return false;
    };
    let Some(path) = resource.strip_prefix("policy/") else {
        return false;
    };
    let segments: Vec<&str> = path.split('/').collect();
    scheme == "arn"
        && Partition::from_name(partition).is_some()
        && service == "iam"
        && region.is_empty()
        && (owner == "aws" || (owner.len() == 12 && owner.bytes().all(|b| b.is_ascii_digit())))
        && arn.len() <= 2048
        && segments.iter().all(|s| is_iam_name(s, 128))
}

fn is_iam_name(name: &str, max: usize) -> bool {
    (1..=max).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

/// The name without spaces: the default role name and the suffix of the group and policy.
pub fn slug(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Check the account name (what Organizations' AccountName allows).
pub fn check_name(name: &str) -> Result<String, InvalidInput> {
    let trimmed = name.trim();
    if trimmed.is_empty()
        || trimmed.len() > MAX_ACCOUNT_NAME
        || !trimmed.bytes().all(|b| (0x20..=0x7e).contains(&b))
    {
        return Err(InvalidInput::Name(name.to_owned()));
    }
    Ok(trimmed.to_owned())
}

/// Characters of an unquoted local part (RFC 5322 `atext`).
fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~-".contains(&b)
}

/// Check an e-mail address: the RFC 5322 `dot-atom` subset AWS accepts (no quoted local
/// parts, no comments, no IP literals), a domain of at least two DNS labels with an
/// alphabetic top level, 6 to 64 characters in all. Returned lowercased in the domain.
pub fn check_email(email: &str) -> Result<String, InvalidInput> {
    let email = email.trim();
    let bad = |why| Err(InvalidInput::Email(email.to_owned(), why));
    if email.len() < MIN_EMAIL || email.len() > MAX_EMAIL {
        return bad("it must be 6 to 64 characters long");
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return bad("it has no @");
    };
    if local.is_empty() || local.len() > 64 {
        return bad("the part before @ is empty or too long");
    }
    if local.contains('@') {
        return bad("it has more than one @");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return bad("a dot cannot start or end the part before @, or follow another dot");
    }
    if !local.bytes().all(|b| b == b'.' || is_atext(b)) {
        return bad("the part before @ holds a character that is not allowed");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return bad("the domain needs a dot (example.com)");
    }
    for label in &labels {
        let ok = (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return bad("the domain is not a valid host name");
        }
    }
    let top = labels.last().copied().unwrap_or_default();
    if top.len() < 2 || !top.bytes().all(|b| b.is_ascii_alphabetic()) {
        return bad("the domain's last part must be letters (.com, .org, …)");
    }
    Ok(format!("{local}@{}", domain.to_ascii_lowercase()))
}

fn check_tag(key: &str, value: &str) -> Result<(), InvalidInput> {
    let allowed = |s: &str| {
        s.chars()
            .all(|c| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c))
    };
    let bad = |why| Err(InvalidInput::Tag(key.to_owned(), why));
    if key.is_empty() || key.chars().count() > 128 {
        return bad("a key is 1 to 128 characters");
    }
    if value.chars().count() > 256 {
        return bad("a value is at most 256 characters");
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return bad("keys starting with aws: are reserved for AWS");
    }
    if key == CREATED_BY_TAG.0 || key == ROLE_TAG {
        return bad("created-by and switchyard-role are set by Switchyard itself");
    }
    if !allowed(key) || !allowed(value) {
        return bad("only letters, digits, spaces and _.:/=+-@ are allowed");
    }
    Ok(())
}

/// The name as it goes into an e-mail address: lowercase letters and digits, other runs of
/// characters as one `-` (`Client A & Co` → `client-a-co`).
pub fn email_slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

/// An e-mail address from a template naming `{slug}` once (`ops+{slug}@example.com`),
/// checked like a typed one.
pub fn email_from_template(template: &str, name: &str) -> Result<String, InvalidInput> {
    if template.matches("{slug}").count() != 1 {
        return Err(InvalidInput::Template(
            template.to_owned(),
            "must name {slug} exactly once",
        ));
    }
    let slug = email_slug(name);
    if slug.is_empty() {
        return Err(InvalidInput::Template(
            template.to_owned(),
            "needs a name with letters or digits",
        ));
    }
    check_email(&template.replace("{slug}", &slug))
}

/// Check an organizational unit id (`ou-` + root part + 8 to 32 more) or a root id.
pub fn check_ou_id(id: &str) -> Result<(), InvalidInput> {
    let lower = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    let ok = if let Some(rest) = id.strip_prefix("ou-") {
        match rest.split_once('-') {
            Some((root, unit)) => {
                (4..=32).contains(&root.len())
                    && (8..=32).contains(&unit.len())
                    && lower(root)
                    && lower(unit)
            }
            None => false,
        }
    } else if let Some(root) = id.strip_prefix("r-") {
        (4..=32).contains(&root.len()) && lower(root)
    } else {
        false
    };
    if ok {
        Ok(())
    } else {
        Err(InvalidInput::OuId(id.to_owned()))
    }
}

/// Check every field and fill in the defaults. All problems are found, not just the first.
pub fn plan(params: &CreateAccountParams) -> Result<Plan, Vec<InvalidInput>> {
    let mut problems = Vec::new();
    let name = check_name(&params.name).unwrap_or_else(|e| {
        problems.push(e);
        params.name.trim().to_owned()
    });
    let email = check_email(&params.email).unwrap_or_else(|e| {
        problems.push(e);
        params.email.clone()
    });
    let slug = slug(&name);
    let role_name = match &params.role_name {
        Some(role) if !is_role_name(role) => {
            problems.push(InvalidInput::RoleName(role.clone(), "choose another"));
            role.clone()
        }
        Some(role) => role.clone(),
        None if !is_role_name(&slug) => {
            problems.push(InvalidInput::RoleName(
                slug.clone(),
                "it comes from the account name: give a role name",
            ));
            slug.clone()
        }
        None => slug.clone(),
    };
    let group_name = params
        .group_name
        .clone()
        .unwrap_or_else(|| format!("Access{slug}"));
    if !is_iam_name(&group_name, 128) {
        problems.push(InvalidInput::GroupName(group_name.clone()));
    }
    let policy_name = params
        .policy_name
        .clone()
        .unwrap_or_else(|| format!("SwitchTo{slug}"));
    if !is_iam_name(&policy_name, 128) {
        problems.push(InvalidInput::PolicyName(policy_name.clone()));
    }
    let mut users = Vec::new();
    for user in &params.users {
        if !is_iam_name(user, 64) {
            problems.push(InvalidInput::UserName(user.clone()));
        } else if !users.contains(user) {
            users.push(user.clone());
        }
    }
    let mut tags = BTreeMap::new();
    for (key, value) in &params.tags {
        match check_tag(key, value) {
            Ok(()) => {
                tags.insert(key.clone(), value.clone());
            }
            Err(e) => problems.push(e),
        }
    }
    tags.insert(CREATED_BY_TAG.0.to_owned(), CREATED_BY_TAG.1.to_owned());
    tags.insert(ROLE_TAG.to_owned(), role_name.clone());
    if tags.len() > MAX_TAGS {
        problems.push(InvalidInput::Tag(
            format!("{} tags", tags.len()),
            "at most 48 tags besides created-by and switchyard-role",
        ));
    }
    if let Some(ou) = &params.ou_id {
        if let Err(e) = check_ou_id(ou) {
            problems.push(e);
        }
    }
    let mut role_policies = Vec::new();
    for arn in &params.role_policies {
        if !is_policy_arn(arn) {
            problems.push(InvalidInput::PolicyArn(arn.clone()));
        } else if !role_policies.contains(arn) {
            role_policies.push(arn.clone());
        }
    }
    // The team's name and color: checked as `accounts.set` checks them; blank is none.
    let given = |text: &Option<String>| {
        text.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let display_name = given(&params.display_name).and_then(|name| {
        crate::team::check_name(&name)
            .map_err(|e| problems.push(InvalidInput::DisplayName(e)))
            .ok()
    });
    let color = given(&params.color).and_then(|color| {
        crate::team::check_color(&color)
            .map_err(|e| problems.push(InvalidInput::Color(e)))
            .ok()
    });
    if params.without_iam_group {
        if params.identity_center.is_none() {
            problems.push(InvalidInput::Access(
                "choose an Identity Center permission set and group: nobody would get access",
            ));
        }
        if !params.users.is_empty() {
            problems.push(InvalidInput::Access(
                "no IAM users can be added (they are added to that group): choose none",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Plan {
        name,
        email,
        role_name,
        group_name,
        policy_name,
        users,
        tags,
        ou_id: params.ou_id.clone(),
        role_policies,
        iam_user_access_to_billing: params.iam_user_access_to_billing,
        identity_center: params.identity_center.clone(),
        display_name,
        color,
        without_iam_group: params.without_iam_group,
    })
}

/// `arn:{partition}:iam::{account}:role/{role}`.
pub fn role_arn(partition: Partition, account_id: &str, role_name: &str) -> String {
    format!(
        "arn:{}:iam::{account_id}:role/{role_name}",
        partition.name()
    )
}

/// The group's inline policy: `sts:AssumeRole` on exactly the new account's role.
pub fn switch_policy(partition: Partition, account_id: &str, role_name: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": role_arn(partition, account_id, role_name),
        }],
    })
    .to_string()
}

/// The "give this link to users" switch link, shown as the account's name.
pub fn switch_link(
    partition: Partition,
    account_id: &str,
    role_name: &str,
    account_name: &str,
) -> Option<String> {
    let display: String = account_name
        .chars()
        .take(crate::switch::MAX_DISPLAY_NAME)
        .collect();
    SwitchTarget::new(partition.name(), account_id, role_name, &display, "")
        .ok()
        .map(|target| build_switch_link(&target))
}

/// Organizations' `FailureReason` of a FAILED CreateAccount, as a sentence with a remedy.
pub fn failure_sentence(reason: &str) -> String {
    let text = match reason {
        "EMAIL_ALREADY_EXISTS" => {
            "an AWS account already uses this e-mail address (addresses can never be reused, \
             even after closing): choose another, e.g. a +suffix address"
        }
        "ACCOUNT_LIMIT_EXCEEDED" => {
            "the organization has reached its account quota: close unused accounts or ask AWS \
             Support (Service Quotas) for a higher limit"
        }
        "CONCURRENT_ACCOUNT_MODIFICATION" => {
            "another change to the organization was in progress: wait a minute and create the \
             account again"
        }
        "INVALID_EMAIL" => "AWS refused the e-mail address: check its spelling and domain",
        "INVALID_ADDRESS" => {
            "the management account's contact address is not valid: correct it in the Billing \
             console (Account settings) and try again"
        }
        "INTERNAL_FAILURE" => {
            "AWS failed internally: try again later; if it keeps failing, contact AWS Support"
        }
        "GOVCLOUD_ACCOUNT_ALREADY_EXISTS" => {
            "a GovCloud account with this address already exists: use another e-mail address"
        }
        "MISSING_BUSINESS_VALIDATION" => {
            "AWS has not finished validating the management account's business information: \
             complete it (or wait for AWS's e-mail) and try again"
        }
        "MISSING_PAYMENT_INSTRUMENT" => {
            "the management account has no valid payment method: add one in the Billing \
             console and try again"
        }
        "INVALID_IDENTITY_FOR_BUSINESS_VALIDATION" => {
            "the management account's identity could not be validated: check its business \
             details in the Billing console"
        }
        "PENDING_BUSINESS_VALIDATION" => {
            "AWS is still validating the management account: wait for it to finish and try \
             again"
        }
        "INVALID_PAYMENT_INSTRUMENT" => {
            "the management account's payment method was declined: update it in the Billing \
             console"
        }
        "UNKNOWN_BUSINESS_VALIDATION" => {
            "AWS could not validate the management account's business information: contact \
             AWS Support"
        }
        "UPDATE_EXISTING_RESOURCE_POLICY_WITH_TAGS_NOT_SUPPORTED" => {
            "tags cannot be added while updating a resource policy: create the account without \
             tags and add them afterwards"
        }
        _ => {
            return format!(
                "AWS did not create the account ({reason}): see the Organizations console, fix \
                 what it names, and try again"
            )
        }
    };
    format!("AWS did not create the account ({reason}): {text}")
}

impl Job {
    /// The sequence number of the last event (0 before any).
    pub fn seq(&self) -> u64 {
        self.events.last().map_or(0, |e| e.seq)
    }

    /// The events after `after`.
    pub fn events_after(&self, after: u64) -> Vec<JobEvent> {
        self.events
            .iter()
            .filter(|e| e.seq > after)
            .cloned()
            .collect()
    }

    fn push_event(&mut self, what: EventKind, at: u64) {
        let seq = self.seq() + 1;
        self.events.push(JobEvent { seq, at, what });
    }

    /// Add the events that lead from `before` to this job: each step whose state or
    /// attempt count changed, then the job's state if it changed. The journal calls this
    /// on every change, so no change goes unseen by `job.watch`.
    pub fn note_changes(&mut self, before: &Job, at: u64) {
        let mut new = Vec::new();
        for record in &self.steps {
            let old = before.record(record.step);
            let changed =
                old.is_none_or(|old| old.state != record.state || old.attempts != record.attempts);
            if changed && record.state != StepState::Pending {
                new.push(EventKind::Step {
                    step: record.step,
                    state: record.state,
                    detail: match record.state {
                        StepState::Running => None,
                        _ => record.detail.clone(),
                    },
                });
            }
        }
        if self.state != before.state {
            new.push(EventKind::Job {
                state: self.state,
                error: self.error.clone(),
            });
        }
        for what in new {
            self.push_event(what, at);
        }
    }

    /// A new job with every step pending (`MoveToOu` skipped without an OU).
    pub fn new(id: String, profile: String, caller_arn: String, plan: Plan, now: u64) -> Job {
        let steps = Step::ALL
            .iter()
            .map(|&step| StepRecord {
                step,
                state: if (step == Step::MoveToOu && plan.ou_id.is_none())
                    || (step == Step::RolePolicies && plan.role_policies.is_empty())
                    || (step == Step::AssignAccess && plan.identity_center.is_none())
                    || (step == Step::TeamLook
                        && plan.display_name.is_none()
                        && plan.color.is_none())
                    || (matches!(step, Step::CreateGroup | Step::PutPolicy | Step::AddUsers)
                        && plan.without_iam_group)
                {
                    StepState::Skipped
                } else {
                    StepState::Pending
                },
                attempts: 0,
                started_at: None,
                finished_at: None,
                detail: None,
            })
            .collect();
        Job {
            id,
            profile,
            caller_arn,
            created_at: now,
            updated_at: now,
            state: JobState::Running,
            plan,
            steps,
            create_request_id: None,
            create_sent_at: None,
            account_id: None,
            role_arn: None,
            switch_link: None,
            error: None,
            root: None,
            events: vec![JobEvent {
                seq: 1,
                at: now,
                what: EventKind::Job {
                    state: JobState::Running,
                    error: None,
                },
            }],
        }
    }

    /// The first step neither done nor skipped, with its record.
    pub fn next_step(&self) -> Option<&StepRecord> {
        self.steps
            .iter()
            .find(|r| !matches!(r.state, StepState::Done | StepState::Skipped))
    }

    pub fn record(&self, step: Step) -> Option<&StepRecord> {
        self.steps.iter().find(|r| r.step == step)
    }

    fn record_mut(&mut self, step: Step) -> Option<&mut StepRecord> {
        self.steps.iter_mut().find(|r| r.step == step)
    }

    /// Journal that `step` starts now.
    pub fn start(&mut self, step: Step, now: u64) {
        self.updated_at = now;
        if let Some(r) = self.record_mut(step) {
            r.state = StepState::Running;
            r.attempts += 1;
            r.started_at = Some(now);
        }
    }

    /// Journal that `step` ended in `state`, with what it did.
    pub fn finish(&mut self, step: Step, state: StepState, detail: Option<String>, now: u64) {
        self.updated_at = now;
        if let Some(r) = self.record_mut(step) {
            r.state = state;
            r.finished_at = Some(now);
            if detail.is_some() {
                r.detail = detail;
            }
        }
    }

    /// The one-paragraph summary printed when the job is done.
    pub fn summary(&self) -> String {
        let users = if self.plan.users.is_empty() {
            "no users".to_owned()
        } else {
            self.plan.users.join(", ")
        };
        let root = self
            .root
            .as_deref()
            .map(|r| format!("; root user: {r}"))
            .unwrap_or_default();
        let access = match (&self.plan.identity_center, self.plan.without_iam_group) {
            (Some(a), true) => format!(
                "no IAM group; Identity Center: permission set {} for group {}",
                a.permission_set_name
                    .as_deref()
                    .unwrap_or(&a.permission_set_arn),
                a.group_name.as_deref().unwrap_or(&a.group_id)
            ),
            _ => format!(
                "group {} (policy {}) for {}",
                self.plan.group_name, self.plan.policy_name, users
            ),
        };
        format!(
            "account {} ({}) with role {}; {access}; switch link: {}{root}",
            self.plan.name,
            self.account_id.as_deref().unwrap_or("?"),
            self.role_arn.as_deref().unwrap_or("?"),
            self.switch_link.as_deref().unwrap_or("?"),
        )
    }
}

/// Whether `job.watch` answers now rather than waiting: there is news, or nothing more
/// will happen without a resume.
pub fn watch_answers_now(job: &Job, after: u64) -> bool {
    job.seq() > after || job.state != JobState::Running
}

/// The action the form needs the user's policies to allow.
pub const CREATE_ACCOUNT_ACTION: &str = "organizations:CreateAccount";

/// Decide `organizations:CreateAccount` (resource `*`) with the user's policies and
/// permissions boundary, as IAM would for an identity in the management account.
pub fn create_account_permission(
    identity: &[crate::policy::Policy],
    boundary: Option<&[crate::policy::Policy]>,
    context: &crate::policy::Context,
) -> (Permission, String) {
    use crate::policy::{evaluate, Decision};
    let evaluation = evaluate(identity, boundary, CREATE_ACCOUNT_ACTION, "*", context);
    let statements: Vec<String> = evaluation.reasons.iter().map(|r| r.describe()).collect();
    match evaluation.decision {
        Decision::Allowed => (
            Permission::Allowed,
            format!(
                "{CREATE_ACCOUNT_ACTION} is allowed by {}",
                statements.join("; ")
            ),
        ),
        Decision::ExplicitDeny => (
            Permission::Denied,
            format!(
                "{CREATE_ACCOUNT_ACTION} is denied by {}",
                statements.join("; ")
            ),
        ),
        Decision::ImplicitDeny => {
            let kinds: Vec<&str> = evaluation
                .missing_allow
                .iter()
                .map(|k| k.as_str())
                .collect();
            (
                Permission::Denied,
                format!(
                    "no {} policy of yours allows {CREATE_ACCOUNT_ACTION}: ask an administrator \
                     of the management account for it",
                    if kinds.is_empty() {
                        "identity".to_owned()
                    } else {
                        kinds.join(" or ")
                    }
                ),
            )
        }
        Decision::Conditional => (
            Permission::Unknown,
            format!(
                "{CREATE_ACCOUNT_ACTION} depends on {} ({}); AWS decides when the account \
                 is created",
                evaluation.unknown_keys.join(", "),
                statements.join("; ")
            ),
        ),
    }
}

/// The quota for an organization of `members` member accounts with `used` closures in
/// the window: 10% of the members, at least 10, at most 1,000 (AWS's CloseAccount quota
/// per rolling 30 days).
pub fn close_quota(members: usize, used: usize) -> CloseQuota {
    let limit = (members / 10).clamp(10, 1000);
    CloseQuota {
        limit,
        used,
        remaining: limit.saturating_sub(used),
    }
}

/// The rolling window of the CloseAccount quota.
pub const CLOSE_WINDOW_SECS: u64 = 30 * 24 * 3600;

/// When a quota with no room gets some: the closures counted (their times, any order)
/// must drop below `limit`, so the `used - limit + 1` oldest must leave the window. `None`
/// when there is room already.
pub fn close_quota_frees_at(limit: usize, closures: &[u64]) -> Option<u64> {
    if closures.len() < limit {
        return None;
    }
    let mut times = closures.to_vec();
    times.sort_unstable();
    times
        .get(closures.len() - limit)
        .map(|t| t.saturating_add(CLOSE_WINDOW_SECS))
}

/// What an account's `State` means for closing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closability {
    /// `ACTIVE` (or a state this build does not know: AWS decides).
    Open,
    /// `PENDING_ACTIVATION`: AWS is still setting it up; it cannot be closed yet.
    Activating,
    /// `PENDING_CLOSURE`, `SUSPENDED`, `CLOSED`: closed already, or closing.
    Closed,
}

/// Read an account's `State` (Organizations' `Status` was retired in September 2026).
pub fn closability(state: &str) -> Closability {
    match state {
        "PENDING_ACTIVATION" => Closability::Activating,
        "PENDING_CLOSURE" | "SUSPENDED" | "CLOSED" => Closability::Closed,
        _ => Closability::Open,
    }
}

/// An AWS account id: 12 digits.
pub fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a job id is safe as a file name: what the daemon makes (`j` + hex digits).
pub fn is_job_id(id: &str) -> bool {
    (2..=40).contains(&id.len())
        && id.starts_with('j')
        && id[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests;
