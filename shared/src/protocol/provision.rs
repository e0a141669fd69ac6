//! Parameters and data of the provisioning messages (`account.create`, `job.*`,
//! `jobs.*`, `account.check_email`, `account.close`, `provision.allowed`), and the job
//! journal they report (`Job`, its [`Step`]s and events), which the daemon also keeps on
//! disk. The rules that fill and check them live in [`crate::provision`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ErrorBody;

/// Parameters of `account.create`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateAccountParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The account's full name (`Client A`).
    pub name: String,
    /// The root user's e-mail: it can never be used for another AWS account again. When
    /// empty, the profile's `email_template` makes it from the name.
    #[serde(default)]
    pub email: String,
    /// The cross-account role; the name without spaces when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
    /// The management-account group; `Access<Name>` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
    /// The group's inline policy; `SwitchTo<Name>` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_name: Option<String>,
    /// IAM users of the management account to add to the group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
    /// Tags for the account and its role (beside `created-by=switchyard`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// The organizational unit to move the account into (`ou-…`); the root when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ou_id: Option<String>,
    /// Managed policy ARNs for the new role, replacing its AdministratorAccess; the role
    /// keeps AdministratorAccess when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub role_policies: Vec<String>,
    /// CreateAccount's `IamUserAccessToBilling`: whether the new account's IAM users and
    /// roles may see its billing (AWS's default, `ALLOW`, when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam_user_access_to_billing: Option<Billing>,
    /// An Identity Center permission set to assign to an Identity Center group for the
    /// new account (chosen from `identity_center.options`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_center: Option<IdentityCenterAccess>,
    /// The name the whole team sees for the new account (its `switchyard:name` tag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The color the whole team sees for it (its `switchyard:color` tag; `RRGGBB` or
    /// `RGB`, `#` optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// Give access through Identity Center only: no management-account group, policy or
    /// members are made (`identity_center` is then required, `users` must be empty).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub without_iam_group: bool,
}

/// An Identity Center account assignment: the permission set `permission_set_arn` of the
/// instance `instance_arn` for the group `group_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityCenterAccess {
    /// `arn:aws:sso:::instance/ssoins-…`.
    pub instance_arn: String,
    /// `arn:aws:sso:::permissionSet/ssoins-…/ps-…`.
    pub permission_set_arn: String,
    /// The identity store's GroupId.
    pub group_id: String,
    /// The names, for people (filled by the daemon when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permission_set_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
}

/// One permission set of the instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionSetSummary {
    pub arn: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One group of the instance's identity store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityCenterGroup {
    pub id: String,
    pub display_name: String,
}

/// The organization's Identity Center instance and what can be assigned from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityCenterOptions {
    pub instance_arn: String,
    pub identity_store_id: String,
    pub permission_sets: Vec<PermissionSetSummary>,
    pub groups: Vec<IdentityCenterGroup>,
}

/// Data of `identity_center.options`: `identity_center` is absent when the organization
/// has no Identity Center instance (then only the IAM group path is offered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityCenterData {
    pub profile: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_center: Option<IdentityCenterOptions>,
}

/// CreateAccount's `IamUserAccessToBilling`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Billing {
    Allow,
    Deny,
}

impl Billing {
    /// `ALLOW` or `DENY`, as AWS spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Billing::Allow => "ALLOW",
            Billing::Deny => "DENY",
        }
    }

    /// `allow`/`deny` in any case.
    pub fn parse(text: &str) -> Option<Billing> {
        match text.trim().to_ascii_uppercase().as_str() {
            "ALLOW" => Some(Billing::Allow),
            "DENY" => Some(Billing::Deny),
            _ => None,
        }
    }
}

/// What will be made: every name decided and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub name: String,
    pub email: String,
    pub role_name: String,
    pub group_name: String,
    pub policy_name: String,
    pub users: Vec<String>,
    /// The caller's tags plus `created-by=switchyard`.
    pub tags: BTreeMap<String, String>,
    pub ou_id: Option<String>,
    /// Managed policies replacing the role's AdministratorAccess (none: it keeps it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub role_policies: Vec<String>,
    /// CreateAccount's `IamUserAccessToBilling` (AWS's default when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam_user_access_to_billing: Option<Billing>,
    /// The Identity Center assignment to make (none: the step is skipped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_center: Option<IdentityCenterAccess>,
    /// The team's name for the account (`switchyard:name`), checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The team's color for it (`switchyard:color`), `rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// No management-account group: its steps (group, policy, members) are skipped and
    /// the names above are unused.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub without_iam_group: bool,
}

/// One step of the runbook, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// No account, nor in-flight request, of the organization uses the e-mail.
    CheckEmail,
    /// CreateAccount sent and its request id stored.
    CreateAccount,
    /// DescribeCreateAccountStatus said SUCCEEDED; the account id is stored.
    WaitForAccount,
    /// The account sits in the chosen OU (skipped without one).
    MoveToOu,
    /// The account carries the team's name and color tags (skipped without either).
    TeamLook,
    /// The new role could be assumed (it has propagated) and carries the tags.
    TagRole,
    /// The role has the chosen managed policies instead of AdministratorAccess (skipped
    /// when none were chosen).
    RolePolicies,
    /// The management-account group exists (made, or an existing one adopted).
    CreateGroup,
    /// The group's inline policy allows exactly the new role.
    PutPolicy,
    /// Every chosen user is a member of the group.
    AddUsers,
    /// The Identity Center group has the permission set on the account (skipped without
    /// one).
    AssignAccess,
    /// The switch link and summary are in the journal.
    Finish,
}

impl Step {
    /// The step as the progress list shows it.
    pub fn title(self) -> &'static str {
        match self {
            Step::CheckEmail => "Check the e-mail and users",
            Step::CreateAccount => "Send CreateAccount",
            Step::WaitForAccount => "Wait for the account",
            Step::MoveToOu => "Move to the OU",
            Step::TeamLook => "Set the team's name and color",
            Step::TagRole => "Assume and tag the role",
            Step::RolePolicies => "Set the role's policies",
            Step::CreateGroup => "Create the group",
            Step::PutPolicy => "Put the group's policy",
            Step::AddUsers => "Add the users",
            Step::AssignAccess => "Assign Identity Center access",
            Step::Finish => "Make the switch link",
        }
    }

    /// The step's wire name (`check_email`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Step::CheckEmail => "check_email",
            Step::CreateAccount => "create_account",
            Step::WaitForAccount => "wait_for_account",
            Step::MoveToOu => "move_to_ou",
            Step::TeamLook => "team_look",
            Step::TagRole => "tag_role",
            Step::RolePolicies => "role_policies",
            Step::CreateGroup => "create_group",
            Step::PutPolicy => "put_policy",
            Step::AddUsers => "add_users",
            Step::AssignAccess => "assign_access",
            Step::Finish => "finish",
        }
    }

    pub const ALL: &'static [Step] = &[
        Step::CheckEmail,
        Step::CreateAccount,
        Step::WaitForAccount,
        Step::MoveToOu,
        Step::TeamLook,
        Step::TagRole,
        Step::RolePolicies,
        Step::CreateGroup,
        Step::PutPolicy,
        Step::AddUsers,
        Step::AssignAccess,
        Step::Finish,
    ];

    /// What must be true for the step to count as done: checked again on resume.
    pub fn done_means(self) -> &'static str {
        match self {
            Step::CheckEmail => {
                "no account or in-flight request of the organization uses the e-mail"
            }
            Step::CreateAccount => "AWS accepted CreateAccount and its request id is journaled",
            Step::WaitForAccount => "the request SUCCEEDED and the account id is journaled",
            Step::MoveToOu => "the account's parent is the chosen OU",
            Step::TeamLook => {
                "the account's switchyard:name and switchyard:color tags hold the chosen values"
            }
            Step::TagRole => "the role can be assumed and carries the tags",
            Step::RolePolicies => {
                "the chosen policies are attached to the role and AdministratorAccess is not"
            }
            Step::CreateGroup => "the group exists in the management account",
            Step::PutPolicy => "the group's inline policy names exactly the role ARN",
            Step::AddUsers => "every chosen user is in the group",
            Step::AssignAccess => {
                "ListAccountAssignments shows the group with the permission set on the account"
            }
            Step::Finish => "the switch link is journaled",
        }
    }

    /// What makes repeating the step safe: the key it is looked up by before acting.
    pub fn idempotency_key(self, plan: &Plan) -> String {
        match self {
            Step::CheckEmail | Step::CreateAccount => format!("email:{}", plan.email),
            Step::WaitForAccount => "create-request-id".to_owned(),
            Step::MoveToOu => format!("ou:{}", plan.ou_id.as_deref().unwrap_or("root")),
            Step::TeamLook => format!(
                "team-look:{}/{}",
                plan.display_name.as_deref().unwrap_or_default(),
                plan.color.as_deref().unwrap_or_default()
            ),
            Step::TagRole => format!("role:{}", plan.role_name),
            Step::RolePolicies => format!("role-policies:{}", plan.role_policies.join(",")),
            Step::CreateGroup => format!("group:{}", plan.group_name),
            Step::PutPolicy => format!("policy:{}/{}", plan.group_name, plan.policy_name),
            Step::AddUsers => format!("members:{}", plan.users.join(",")),
            Step::AssignAccess => match &plan.identity_center {
                Some(a) => format!("assignment:{}/{}", a.permission_set_arn, a.group_id),
                None => "assignment:none".to_owned(),
            },
            Step::Finish => "switch-link".to_owned(),
        }
    }
}

/// Where one step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Pending,
    /// Journaled as started; a daemon killed now finds it so and checks before redoing.
    Running,
    Done,
    Skipped,
    Failed,
}

impl StepState {
    pub fn as_str(self) -> &'static str {
        match self {
            StepState::Pending => "pending",
            StepState::Running => "running",
            StepState::Done => "done",
            StepState::Skipped => "skipped",
            StepState::Failed => "failed",
        }
    }
}

/// A step's journal entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    pub step: Step,
    pub state: StepState,
    /// How many times it was started.
    #[serde(default)]
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<u64>,
    /// What it did or found, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Running,
    /// Stopped on an error that may pass (MFA session, network, permission): `jobs resume`.
    Paused,
    /// Cannot go on (AWS refused to create the account, the e-mail is in use).
    Failed,
    Cancelled,
    Done,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Running => "running",
            JobState::Paused => "paused",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
            JobState::Done => "done",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobState::Failed | JobState::Cancelled | JobState::Done
        )
    }
}

/// A provisioning job: the journal kept in `jobs/<id>.json`, and what `jobs.list` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub id: String,
    pub profile: String,
    /// Who asked (the caller's ARN).
    pub caller_arn: String,
    pub created_at: u64,
    pub updated_at: u64,
    pub state: JobState,
    pub plan: Plan,
    pub steps: Vec<StepRecord>,
    /// CreateAccount's request id, journaled the moment AWS answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_request_id: Option<String>,
    /// When CreateAccount was (about to be) sent: a lost answer is looked up after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_sent_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub switch_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
    /// What happened, in order: each step starting and ending, each change of the job's
    /// state. `job.watch` answers the events after a sequence number.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<JobEvent>,
    /// What the new account's root user needs, in words (centralized root access and its
    /// tasks, or the manual password reset), found by the last step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
}

/// One thing that happened to a job, numbered from 1 in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobEvent {
    pub seq: u64,
    /// Unix seconds.
    pub at: u64,
    #[serde(flatten)]
    pub what: EventKind,
}

/// What a [`JobEvent`] says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// A step started (`running`) or ended (`done`, `skipped`, `failed`).
    Step {
        step: Step,
        state: StepState,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// The job's state changed (or, as the first event, was set).
    Job {
        state: JobState,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<ErrorBody>,
    },
}

impl JobEvent {
    /// The event in words, for a progress line.
    pub fn describe(&self) -> String {
        match &self.what {
            EventKind::Step {
                step,
                state,
                detail,
            } => match (state, detail) {
                (StepState::Running, _) => format!("{}…", step.title()),
                (_, Some(detail)) => {
                    format!("{} {}: {detail}", step.title(), state.as_str())
                }
                (_, None) => format!("{} {}", step.title(), state.as_str()),
            },
            EventKind::Job { state, error } => match error {
                Some(error) => format!("job {}: {}", state.as_str(), error.message),
                None => format!("job {}", state.as_str()),
            },
        }
    }
}

/// Parameters of `job.status`, `jobs.resume` and `jobs.cancel` (`job`, since `id` is the
/// request's own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobIdParams {
    pub job: String,
}

/// The longest a `job.watch` waits for an event, and its default.
pub const MAX_WATCH_SECS: u32 = 25;
pub const DEFAULT_WATCH_SECS: u32 = 20;

/// Parameters of `job.watch`: answer once the job has events after `after` (at once when
/// it has, or when it is not running), else after `wait_secs` with none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobWatchParams {
    pub job: String,
    /// The last sequence number the caller has seen (0: none).
    #[serde(default)]
    pub after: u64,
    /// How long to wait for an event, 1 to [`MAX_WATCH_SECS`] seconds
    /// ([`DEFAULT_WATCH_SECS`] when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_secs: Option<u32>,
}

impl JobWatchParams {
    /// The wait, bounded.
    pub fn wait(&self) -> std::time::Duration {
        let secs = self
            .wait_secs
            .unwrap_or(DEFAULT_WATCH_SECS)
            .clamp(1, MAX_WATCH_SECS);
        std::time::Duration::from_secs(u64::from(secs))
    }
}

/// Data of `job.watch`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobWatchData {
    /// The events after `after`, in order (empty when the wait ended without any).
    pub events: Vec<JobEvent>,
    /// The last sequence number: the next call's `after`.
    pub seq: u64,
    /// The job now (its own `events` left out).
    pub job: Job,
}

impl JobWatchData {
    /// The answer for `job` to a watcher that has seen up to `after`.
    pub fn of(mut job: Job, after: u64) -> JobWatchData {
        let events = job.events_after(after);
        let seq = job.seq();
        job.events.clear();
        JobWatchData { events, seq, job }
    }
}

/// Data of `jobs.list`: every job in the journal, newest first, and the account closures
/// queued until the CloseAccount quota allows them (oldest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobsData {
    pub jobs: Vec<Job>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closures: Vec<QueuedClosure>,
}

/// The age of an ended job past which `jobs.prune` removes its journal when the request
/// names none: 30 days.
pub const DEFAULT_PRUNE_SECS: u64 = 30 * 24 * 60 * 60;

/// Parameters of `jobs.prune`: remove the journals of jobs that ended (done, failed,
/// cancelled) more than `older_than_secs` ago, and the queued closures that ended as long
/// ago. Running and paused jobs, and closures still waiting, are never removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobsPruneParams {
    /// The age, in seconds since the job last changed ([`DEFAULT_PRUNE_SECS`] when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub older_than_secs: Option<u64>,
    /// Only say what would be removed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
}

/// A job or queued closure `jobs.prune` removed (or, with `dry_run`, would remove).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrunedEntry {
    /// The job's id, or the closure's (`c` + account id).
    pub id: String,
    /// Its state when it ended (`done`, `failed`, `cancelled`, `closed`).
    pub state: String,
    /// The account's name.
    pub name: String,
    /// When it ended (Unix seconds).
    pub ended_at: u64,
}

/// Data of `jobs.prune`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobsPruneData {
    pub dry_run: bool,
    pub older_than_secs: u64,
    /// What was removed (with `dry_run`: what would be), oldest first.
    pub pruned: Vec<PrunedEntry>,
    /// Jobs and closures left.
    pub kept: usize,
    /// Journals that could not be removed, with why (they are kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_removed: Vec<String>,
}

/// Data of `closures.list`: the account closures queued until the CloseAccount quota
/// allows them, oldest first (what `jobs.list` answers as `closures`, without the jobs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosuresData {
    pub closures: Vec<QueuedClosure>,
}

/// Where a queued closure stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosureState {
    /// Waiting for the quota (or for the profile's MFA session).
    Queued,
    /// CloseAccount was sent (journaled before it is).
    Closing,
    /// AWS accepted the closure.
    Closed,
    /// AWS refused it (the account left the organization, a permission, …).
    Failed,
    /// Cancelled with `jobs.cancel` before it was sent.
    Cancelled,
}

impl ClosureState {
    pub fn as_str(self) -> &'static str {
        match self {
            ClosureState::Queued => "queued",
            ClosureState::Closing => "closing",
            ClosureState::Closed => "closed",
            ClosureState::Failed => "failed",
            ClosureState::Cancelled => "cancelled",
        }
    }
}

/// An account closure the CloseAccount quota did not allow when it was asked for: the
/// daemon journals it (`$STATE_DIR/close-queue.json`) and closes the account when the
/// rolling 30-day window has room, after a restart too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedClosure {
    /// `c` + the account id: what `jobs.cancel` takes.
    pub id: String,
    pub account_id: String,
    /// The account's name, as confirmed.
    pub name: String,
    pub profile: String,
    /// Who asked (the caller's ARN).
    pub who: String,
    pub queued_at: u64,
    pub remove_group: bool,
    pub state: ClosureState,
    /// When the quota is expected to have room (Unix seconds): the oldest closure in the
    /// window turns 30 days old.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<u64>,
    /// What happened last, in words (the state AWS reported, what was removed, why it
    /// still waits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}

/// Parameters of `account.check_email`: the form's live check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckEmailParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    pub email: String,
}

/// Data of `account.check_email`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckEmailData {
    /// The address as it would be used (domain lowercased).
    pub email: String,
    /// An account of the organization, or a job of this daemon, uses it.
    pub in_use: bool,
    /// Who uses it, in words (`account 123456789012 (Client A)`, `job j…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_by: Option<String>,
}

/// Whether the user may create accounts, as far as their own policies tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Allowed,
    Denied,
    /// The policies could not be read, or a condition decides at request time.
    Unknown,
}

/// Data of `provision.allowed`: whether to show the create-account form, and what it
/// needs to fill itself in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionAllowedData {
    pub profile: String,
    pub caller_arn: String,
    /// The IAM user the profile signs in as (preselected as a member); none for a role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    pub permission: Permission,
    /// Why, in words: the statements that decide, or what is unknown.
    pub reason: String,
    /// The profile's `email_template` (`ops+{slug}@example.com`), if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_template: Option<String>,
}

/// Parameters of `account.close`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseAccountParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The member account to close (12 digits).
    pub account_id: String,
    /// The account's name, typed by the user: nothing happens unless it matches.
    pub confirm: String,
    /// Also remove the management-account group and policy a Switchyard job made for it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub remove_group: bool,
    /// When the CloseAccount quota has no room: queue the closure (the daemon closes the
    /// account when it has) instead of refusing it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub queue: bool,
}

/// The CloseAccount quota: 10% of the member accounts, at least 10, at most 1,000, per
/// rolling 30 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseQuota {
    pub limit: usize,
    /// Closures seen in the last 30 days (accounts pending closure, and closures this
    /// daemon made).
    pub used: usize,
    pub remaining: usize,
}

/// Data of an `account.close` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseAccountData {
    pub account_id: String,
    pub name: String,
    /// `PENDING_CLOSURE` or `SUSPENDED` (closed), or `QUEUED` (see `queued`).
    pub state: String,
    /// The quota after this closure.
    pub quota: CloseQuota,
    /// What else was removed (`--remove-group`), in order.
    pub removed: Vec<String>,
    /// The queued closure, when the quota had no room and `queue` was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queued: Option<QueuedClosure>,
}

/// A privileged root task on a member account (centralized root access, `sts:AssumeRoot`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RootTask {
    /// `IAMCreateRootUserPassword`, then CreateLoginProfile: the root user may recover a
    /// password through its e-mail inbox.
    AllowPasswordRecovery,
    /// `IAMDeleteRootUserCredentials`: the root user's password, access keys, signing
    /// certificates and MFA devices are removed.
    DeleteCredentials,
}

impl RootTask {
    pub fn as_str(self) -> &'static str {
        match self {
            RootTask::AllowPasswordRecovery => "allow_password_recovery",
            RootTask::DeleteCredentials => "delete_credentials",
        }
    }
}

/// Parameters of `account.root`: how the root user of a member account can be reached,
/// and, with `task`, run that privileged task.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RootAccessParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The member account (12 digits).
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<RootTask>,
}

/// Data of `account.root`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootAccessData {
    pub account_id: String,
    /// Organizations trusts IAM (`iam.amazonaws.com` in ListAWSServiceAccessForOrganization).
    pub trusted_access: bool,
    /// IAM's enabled organization features (`RootCredentialsManagement`, `RootSessions`).
    pub features: Vec<String>,
    /// Centralized root access: trusted access and `RootCredentialsManagement`.
    pub centralized: bool,
    /// The task that was run, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<RootTask>,
    /// What the task did, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub done: Vec<String>,
    /// What to do about the root user, in words (the manual reset when centralized root
    /// access is off).
    pub advice: String,
}
