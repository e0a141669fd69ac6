//! The create-account form without the DOM: the page's address from a right-click's
//! selection, the defaults that follow the name (role, group, policy, e-mail from the
//! profile's template) until the user edits them, each field checked as it is typed
//! (with [`switchyard_shared::provision::plan`]'s own rules, so the page and the daemon never
//! disagree), the progress list of a job, and the close button's typed confirmation.

use std::collections::BTreeMap;

use switchyard_shared::protocol::provision::{
    Billing, CreateAccountParams, Job, JobState, Permission, ProvisionAllowedData, StepState,
};
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
/// the daemon's own [`plan`], before any request.
pub fn check(
    input: &FormInput,
    profile: Option<&str>,
) -> Result<CreateAccountParams, Vec<(Field, String)>> {
    let mut problems = Vec::new();
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
        group_name: Some(input.group_name.trim().to_owned()),
        policy_name: Some(input.policy_name.trim().to_owned()),
        users: input.users.clone(),
        tags,
        ou_id: optional(&input.ou_id),
        role_policies: lines(&input.role_policies).map(str::to_owned).collect(),
        iam_user_access_to_billing: billing,
        identity_center: None,
        display_name: optional(&input.display_name),
        color: optional(&input.color),
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

/// The close button is enabled only once the typed name is exactly the account's name.
pub fn close_confirmed(typed: &str, account_name: &str) -> bool {
    !account_name.is_empty() && typed == account_name
}

#[cfg(test)]
#[path = "provision_form_tests.rs"]
mod tests;
