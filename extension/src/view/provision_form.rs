//! The create-account form without the DOM: the page's address from a right-click's
//! selection, the defaults that follow the name (role, group, policy, e-mail from the
//! profile's template) until the user edits them, each field checked as it is typed
//! (with [`switchyard_shared::provision::plan`]'s own rules, so the page and the daemon never
//! disagree), the way access is given (the IAM group and its inline policy, an Identity
//! Center permission set for an Identity Center group, or both; Identity Center offered
//! only when the organization has an instance), the progress list of a job, the root
//! user's tasks (or the manual reset's steps), and the close button's typed confirmation
//! with the offer to queue a closure the quota has no room for.

use std::collections::BTreeMap;

use switchyard_shared::protocol::provision::{
    Billing, CreateAccountParams, IdentityCenterAccess, IdentityCenterData, IdentityCenterOptions,
    Job, JobState, Permission, ProvisionAllowedData, RootAccessData, RootTask, StepState,
};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::provision::root::{has_root_sessions, manual_reset_steps};
use switchyard_shared::provision::{
    check_email, email_from_template, plan, slug, InvalidInput, MAX_ACCOUNT_NAME,
};

/// The form's page, relative to the extension's root.
pub const FORM_PAGE: &str = "create-account.html";
/// The context-menu entry's id and title.
pub const MENU_ID: &str = "switchyard-create-client-account";
pub const MENU_TITLE: &str = "Create client account…";

/// A selection as a name: whitespace runs become one space, trimmed, at most
/// [`MAX_ACCOUNT_NAME`] characters (longer text is cut, the form then shows it).
pub fn name_from_selection(selection: &str) -> String {
    let joined = selection.split_whitespace().collect::<Vec<_>>().join(" ");
    joined.chars().take(MAX_ACCOUNT_NAME).collect()
}

/// The form's address for a right-click with `selection` (none: an empty name).
pub fn form_url(selection: Option<&str>) -> String {
    let name = selection.map(name_from_selection).unwrap_or_default();
    if name.is_empty() {
        return FORM_PAGE.to_owned();
    }
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("name", &name)
        .finish();
    format!("{FORM_PAGE}?{query}")
}

/// The name in the form's query string (`?name=…`), if any.
pub fn name_from_query(query: &str) -> String {
    form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
        .find(|(key, _)| key == "name")
        .map(|(_, value)| name_from_selection(&value))
        .unwrap_or_default()
}

/// A field of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Name,
    Email,
    RoleName,
    GroupName,
    PolicyName,
    Users,
    Tags,
    OuId,
    RolePolicies,
    DisplayName,
    Color,
    PermissionSet,
    SsoGroup,
}

impl Field {
    pub const ALL: &'static [Field] = &[
        Field::Name,
        Field::Email,
        Field::RoleName,
        Field::GroupName,
        Field::PolicyName,
        Field::Users,
        Field::Tags,
        Field::OuId,
        Field::RolePolicies,
        Field::DisplayName,
        Field::Color,
        Field::PermissionSet,
        Field::SsoGroup,
    ];

    /// The input's element id in `create-account.html`.
    pub fn id(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Email => "email",
            Field::RoleName => "role-name",
            Field::GroupName => "group-name",
            Field::PolicyName => "policy-name",
            Field::Users => "users",
            Field::Tags => "tags",
            Field::OuId => "ou-id",
            Field::RolePolicies => "role-policies",
            Field::DisplayName => "display-name",
            Field::Color => "color",
            Field::PermissionSet => "permission-set",
            Field::SsoGroup => "sso-group",
        }
    }

    fn of(problem: &InvalidInput) -> Field {
        match problem {
            InvalidInput::Name(_) => Field::Name,
            InvalidInput::Email(..) | InvalidInput::Template(..) => Field::Email,
            InvalidInput::RoleName(..) => Field::RoleName,
            InvalidInput::GroupName(_) => Field::GroupName,
            InvalidInput::PolicyName(_) => Field::PolicyName,
            InvalidInput::UserName(_) => Field::Users,
            InvalidInput::Tag(..) => Field::Tags,
            InvalidInput::OuId(_) => Field::OuId,
            InvalidInput::PolicyArn(_) => Field::RolePolicies,
            InvalidInput::DisplayName(_) => Field::DisplayName,
            InvalidInput::Color(_) => Field::Color,
            InvalidInput::Access(_) => Field::PermissionSet,
        }
    }
}

/// What the form holds, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormInput {
    pub name: String,
    pub email: String,
    pub role_name: String,
    pub group_name: String,
    pub policy_name: String,
    /// The users ticked.
    pub users: Vec<String>,
    /// `KEY=VALUE`, one a line (for the account and its role).
    pub tags: String,
    pub ou_id: String,
    /// Managed policy ARNs, one a line.
    pub role_policies: String,
    /// `""` (AWS's default), `ALLOW` or `DENY`.
    pub billing: String,
    /// The name the whole team sees for the account (its `switchyard:name` tag); optional.
    pub display_name: String,
    /// The color the whole team sees (`switchyard:color`, `RRGGBB`); optional.
    pub color: String,
    /// How the account's users get in.
    pub access: Access,
    /// The permission set's ARN and the Identity Center group's id, as chosen from the
    /// lists (used with [`Access::IdentityCenter`] and [`Access::Both`]).
    pub permission_set: String,
    pub sso_group: String,
}

/// How the new account's users get in: the runbook's management-account group with an
/// inline policy allowing its role, an Identity Center assignment, or both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Access {
    #[default]
    IamGroup,
    IdentityCenter,
    Both,
}

impl Access {
    pub const ALL: &'static [Access] = &[Access::IamGroup, Access::IdentityCenter, Access::Both];

    /// The radio button's value in `create-account.html`.
    pub fn value(self) -> &'static str {
        match self {
            Access::IamGroup => "iam",
            Access::IdentityCenter => "identity-center",
            Access::Both => "both",
        }
    }

    pub fn from_value(value: &str) -> Access {
        Access::ALL
            .iter()
            .copied()
            .find(|a| a.value() == value)
            .unwrap_or_default()
    }

    /// The IAM group, its policy and its members are made.
    pub fn uses_group(self) -> bool {
        self != Access::IdentityCenter
    }

    /// An Identity Center assignment is made.
    pub fn uses_identity_center(self) -> bool {
        self != Access::IamGroup
    }
}

/// The values that follow the name until the user types over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defaults {
    pub role_name: String,
    pub group_name: String,
    pub policy_name: String,
    /// From the profile's template; `None` without one (or a name it cannot use).
    pub email: Option<String>,
}

/// The defaults for `name`, as the daemon would choose them.
pub fn defaults(name: &str, email_template: Option<&str>) -> Defaults {
    let slug = slug(name.trim());
    Defaults {
        role_name: slug.clone(),
        group_name: format!("Access{slug}"),
        policy_name: format!("SwitchTo{slug}"),
        email: email_template.and_then(|t| email_from_template(t, name).ok()),
    }
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// The request the form makes, or every problem by field (in field order). Checked with
/// the daemon's own [`plan`], before any request. Without Identity Center options (the
/// organization has no instance) only the IAM group is possible.
pub fn check(
    input: &FormInput,
    profile: Option<&str>,
) -> Result<CreateAccountParams, Vec<(Field, String)>> {
    check_with(input, profile, None)
}

/// [`check`] with the organization's Identity Center choices.
pub fn check_with(
    input: &FormInput,
    profile: Option<&str>,
    identity_center: Option<&IdentityCenterOptions>,
) -> Result<CreateAccountParams, Vec<(Field, String)>> {
    let mut problems = Vec::new();
    let access = match (input.access.uses_identity_center(), identity_center) {
        (false, _) => None,
        (true, None) => {
            problems.push((
                Field::PermissionSet,
                "the organization has no Identity Center instance: give access through the \
                 IAM group"
                    .to_owned(),
            ));
            None
        }
        (true, Some(options)) => {
            let set = options
                .permission_sets
                .iter()
                .find(|p| p.arn == input.permission_set.trim());
            let group = options
                .groups
                .iter()
                .find(|g| g.id == input.sso_group.trim());
            if set.is_none() {
                problems.push((
                    Field::PermissionSet,
                    "choose the permission set the group gets on the account".to_owned(),
                ));
            }
            if group.is_none() {
                problems.push((
                    Field::SsoGroup,
                    "choose the Identity Center group that gets it".to_owned(),
                ));
            }
            set.zip(group).map(|(set, group)| IdentityCenterAccess {
                instance_arn: options.instance_arn.clone(),
                permission_set_arn: set.arn.clone(),
                group_id: group.id.clone(),
                permission_set_name: Some(set.name.clone()),
                group_name: Some(group.display_name.clone()),
            })
        }
    };
    let uses_group = input.access.uses_group();
    let mut tags = BTreeMap::new();
    for line in lines(&input.tags) {
        match line.split_once('=') {
            Some((key, value)) => {
                tags.insert(key.trim().to_owned(), value.trim().to_owned());
            }
            None => problems.push((Field::Tags, format!("{line:?}: write KEY=VALUE"))),
        }
    }
    let billing = match input.billing.trim() {
        "" => None,
        text => Billing::parse(text),
    };
    let optional = |text: &str| {
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_owned())
    };
    let params = CreateAccountParams {
        profile: profile.map(str::to_owned),
        name: input.name.trim().to_owned(),
        email: input.email.trim().to_owned(),
        role_name: Some(input.role_name.trim().to_owned()),
        // Without the group its names are the defaults, unused.
        group_name: uses_group.then(|| input.group_name.trim().to_owned()),
        policy_name: uses_group.then(|| input.policy_name.trim().to_owned()),
        users: if uses_group {
            input.users.clone()
        } else {
            Vec::new()
        },
        tags,
        ou_id: optional(&input.ou_id),
        role_policies: lines(&input.role_policies).map(str::to_owned).collect(),
        iam_user_access_to_billing: billing,
        display_name: optional(&input.display_name),
        color: optional(&input.color),
        identity_center: access,
        without_iam_group: !uses_group,
    };
    if params.email.is_empty() {
        problems.push((
            Field::Email,
            "give the e-mail address of the new account's root user".to_owned(),
        ));
    }
    if let Err(found) = plan(&params) {
        for problem in found {
            let field = Field::of(&problem);
            if field == Field::Email && params.email.is_empty() {
                continue;
            }
            // The choice of a permission set and group is already asked for above.
            if matches!(problem, InvalidInput::Access(_)) && input.access.uses_identity_center() {
                continue;
            }
            problems.push((field, problem.to_string()));
        }
    }
    if problems.is_empty() {
        Ok(params)
    } else {
        problems.sort_by_key(|(field, _)| *field);
        Err(problems)
    }
}

/// The first problem of each field, for the messages beside the inputs.
pub fn field_messages(problems: &[(Field, String)]) -> BTreeMap<Field, String> {
    let mut messages = BTreeMap::new();
    for (field, message) in problems {
        messages.entry(*field).or_insert_with(|| message.clone());
    }
    messages
}

/// Whether an address is worth the live "already used?" check (it is well formed).
pub fn email_to_check(email: &str) -> Option<String> {
    check_email(email).ok()
}

/// What the page shows before the form: the form, or why it is not offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// Show the form; `notice` when the permission could not be settled.
    Form { notice: Option<String> },
    /// Do not: the sentence says why.
    Unavailable { why: String },
}

/// The gate for a `provision.allowed` answer.
pub fn gate(allowed: &ProvisionAllowedData) -> Gate {
    match allowed.permission {
        Permission::Allowed => Gate::Form { notice: None },
        Permission::Unknown => Gate::Form {
            notice: Some(format!(
                "Switchyard could not tell whether {} may create accounts: {}",
                allowed.caller_arn, allowed.reason
            )),
        },
        Permission::Denied => Gate::Unavailable {
            why: format!(
                "{} may not create accounts: {}",
                allowed.caller_arn, allowed.reason
            ),
        },
    }
}

/// One line of the progress list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressLine {
    pub title: &'static str,
    pub state: StepState,
    pub detail: Option<String>,
}

/// The job's steps in order, skipped ones left out unless they are the only news.
pub fn progress(job: &Job) -> Vec<ProgressLine> {
    job.steps
        .iter()
        .filter(|r| r.state != StepState::Skipped)
        .map(|r| ProgressLine {
            title: r.step.title(),
            state: r.state,
            detail: r.detail.clone(),
        })
        .collect()
}

/// The job's headline.
pub fn headline(job: &Job) -> String {
    match job.state {
        JobState::Running => format!("Creating {}…", job.plan.name),
        JobState::Done => format!(
            "{} is ready: account {}",
            job.plan.name,
            job.account_id.as_deref().unwrap_or("?")
        ),
        JobState::Paused => format!(
            "Paused: {}",
            job.error.as_ref().map_or("", |e| e.message.as_str())
        ),
        JobState::Failed => format!(
            "Failed: {}",
            job.error.as_ref().map_or("", |e| e.message.as_str())
        ),
        JobState::Cancelled => "Cancelled".to_owned(),
    }
}

/// One choice of a `<select>`: its value and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// What the form offers for Identity Center, from `identity_center.options`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityCenterOffer {
    /// The organization has no instance: only the IAM group; the choice is not shown.
    NotOffered,
    /// The access choice and the two lists (sorted by name); `note` when a list is empty
    /// and what to do about it.
    Offered {
        permission_sets: Vec<Choice>,
        groups: Vec<Choice>,
        note: Option<String>,
    },
}

/// The offer for an `identity_center.options` answer.
pub fn identity_center_offer(data: &IdentityCenterData) -> IdentityCenterOffer {
    let Some(options) = &data.identity_center else {
        return IdentityCenterOffer::NotOffered;
    };
    let mut permission_sets: Vec<Choice> = options
        .permission_sets
        .iter()
        .map(|p| Choice {
            value: p.arn.clone(),
            label: match &p.description {
                Some(d) if !d.trim().is_empty() => format!("{} — {}", p.name, d.trim()),
                _ => p.name.clone(),
            },
        })
        .collect();
    permission_sets.sort_by_key(|c| c.label.to_lowercase());
    let mut groups: Vec<Choice> = options
        .groups
        .iter()
        .map(|g| Choice {
            value: g.id.clone(),
            label: g.display_name.clone(),
        })
        .collect();
    groups.sort_by_key(|c| c.label.to_lowercase());
    let missing: Vec<&str> = [
        (permission_sets.is_empty(), "no permission set"),
        (groups.is_empty(), "no group"),
    ]
    .into_iter()
    .filter_map(|(empty, what)| empty.then_some(what))
    .collect();
    let note = (!missing.is_empty()).then(|| {
        format!(
            "The Identity Center instance has {}: make them in the IAM Identity Center \
             console, then reload this page.",
            missing.join(" and ")
        )
    });
    IdentityCenterOffer::Offered {
        permission_sets,
        groups,
        note,
    }
}

/// A root task's button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootTaskButton {
    pub task: RootTask,
    pub label: &'static str,
    /// What it does, in words.
    pub explain: &'static str,
    /// It destroys something: the account's name must be typed first.
    pub needs_confirmation: bool,
}

/// What the page shows about a member account's root user, from `account.root`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootView {
    /// `Centralized root access is on.` and what it means here.
    pub headline: String,
    /// The tasks that can run (centralized root access with root sessions).
    pub tasks: Vec<RootTaskButton>,
    /// The manual reset's steps, in order (centralized root access off).
    pub manual_steps: Vec<String>,
    /// The daemon's advice, when there is neither a task nor a manual way to show.
    pub advice: Option<String>,
    /// What a task just did.
    pub done: Vec<String>,
}

/// The root panel for `data` (the account's root e-mail `email`, when known).
pub fn root_view(data: &RootAccessData, email: Option<&str>) -> RootView {
    let done = data.done.clone();
    if !data.centralized {
        return RootView {
            headline: "Centralized root access is off in this organization: the root user has \
                       no password until someone resets it by hand."
                .to_owned(),
            tasks: Vec::new(),
            manual_steps: manual_reset_steps(email.unwrap_or("the account's e-mail address")),
            advice: None,
            done,
        };
    }
    if !has_root_sessions(data.trusted_access, &data.features) {
        return RootView {
            headline: "Centralized root access is on, but privileged root sessions are off."
                .to_owned(),
            tasks: Vec::new(),
            manual_steps: Vec::new(),
            advice: Some(data.advice.clone()),
            done,
        };
    }
    RootView {
        headline: "Centralized root access is on: the account has no root credentials, and \
                   its root user cannot recover a password unless you allow it."
            .to_owned(),
        tasks: vec![
            RootTaskButton {
                task: RootTask::AllowPasswordRecovery,
                label: "Allow root password recovery",
                explain: "The root user may then choose \"Forgot password?\" on the sign-in \
                          page (the e-mail inbox is still needed).",
                needs_confirmation: false,
            },
            RootTaskButton {
                task: RootTask::DeleteCredentials,
                label: "Delete root credentials",
                explain: "Removes the root user's password, access keys, signing \
                          certificates and MFA devices.",
                needs_confirmation: true,
            },
        ],
        manual_steps: Vec::new(),
        advice: None,
        done,
    }
}

/// What closing an account led to, for the line under the close button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseOutcome {
    /// The line to show.
    Said(String),
    /// The quota has no room: say why and offer to queue (the daemon closes it later).
    OfferQueue { why: String },
}

/// The outcome of an `account.close` error.
pub fn close_refused(error: &ErrorBody) -> CloseOutcome {
    match error.code {
        ErrorCode::CloseQuotaReached => CloseOutcome::OfferQueue {
            why: error.message.clone(),
        },
        _ => CloseOutcome::Said(format!("{} ({})", error.message, error.code.as_str())),
    }
}

/// The close button is enabled only once the typed name is exactly the account's name.
pub fn close_confirmed(typed: &str, account_name: &str) -> bool {
    !account_name.is_empty() && typed == account_name
}

#[cfg(test)]
#[path = "provision_form_tests.rs"]
mod tests;
