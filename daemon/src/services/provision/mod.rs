//! Provisioning jobs: `account.create` runs the runbook (check the e-mail, CreateAccount,
//! wait for it, move it to its OU, tag its role through AssumeRole, make the
//! management-account group with its inline policy and members, the switch link) as a
//! background job journaled step by step ([`journal`]); `jobs.list`, `job.status`,
//! `jobs.resume`, `jobs.cancel` act on the jobs, `jobs.prune` removes old ended ones
//! ([`prune`]); `job.watch` follows one ([`journal`]);
//! `provision.allowed` says whether the user may create accounts at all ([`allowed`]).
//!
//! Each step is journaled as started before it acts and as done after. A step found
//! started on resume checks before it acts again: above all CreateAccount, whose lost
//! answer is found by looking the e-mail (ListAccounts) and the account name
//! (ListCreateAccountStatus) up, never by sending it again blindly. A daemon that starts
//! resumes every job that was running.

pub mod allowed;
pub mod close;
pub mod identity_center;
pub mod journal;
pub mod prune;
pub mod queue;
pub mod root;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::aws::{organizations, SdkConfig};
use switchyard_shared::protocol::provision::{
    CheckEmailData, CheckEmailParams, CreateAccountParams, Job, JobState, JobWatchData,
    JobWatchParams, Plan, Step, StepState,
};
use switchyard_shared::protocol::users::RoleSource;
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::provision::grants::{foreign_group_sentence, foreign_policies};
use switchyard_shared::provision::ROLE_TAG;
use switchyard_shared::provision::{
    check_email, email_from_template, failure_sentence, plan, role_arn, switch_link, switch_policy,
};
use switchyard_shared::switch::Partition;
use switchyard_shared::targets::is_role_name;
use switchyard_shared::team;
use switchyard_shared::users::DEFAULT_MEMBER_ROLE;

use crate::aws::provision::{self as aws, Creation, InUse};
use crate::services::session::{now, Sessions, SignedIn};
use journal::{not_found, AuditEntry, Journal};

/// How long CreateAccount may stay IN_PROGRESS before the job pauses (resume to go on).
const CREATE_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// The first and the longest wait between DescribeCreateAccountStatus calls.
const POLL_FIRST: Duration = Duration::from_millis(500);
const POLL_MAX: Duration = Duration::from_secs(10);
/// How long a new role may take to become assumable.
const ROLE_TIMEOUT: Duration = Duration::from_secs(3 * 60);
/// The session name of the role assumed in the new account.
const SESSION_NAME: &str = "switchyard-provision";

/// Where "now" comes from for the CloseAccount quota and the closure queue: the system
/// clock, or one a test controls (the quota's window is 30 days).
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> u64 + Send + Sync>);

impl Clock {
    pub fn system() -> Clock {
        Clock(Arc::new(now))
    }

    pub fn new(f: impl Fn() -> u64 + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(f))
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

/// The provisioning jobs, the closure queue, and what their runners need.
#[derive(Debug)]
pub struct Jobs {
    pub journal: Journal,
    pub queue: queue::CloseQueue,
    sessions: Arc<Sessions>,
    state_dir: std::path::PathBuf,
    clock: Clock,
}

/// A job paused because its journal could not be written is tried again after this,
/// then after twice as long each time, up to `DISK_RETRY_MAX`.
const DISK_RETRY_FIRST: Duration = Duration::from_secs(1);
const DISK_RETRY_MAX: Duration = Duration::from_secs(30);

/// Paused because the journal could not be written (and so resumed by itself).
fn waits_for_disk(job: &Job) -> bool {
    job.state == JobState::Paused
        && job
            .error
            .as_ref()
            .is_some_and(|e| e.code == ErrorCode::StateDirUnwritable)
}

/// A step's error: the job pauses (may pass: resume) or fails (cannot go on). A name in
/// use fails the job before CreateAccount (nothing was made: start again with other
/// names) and pauses it after (the account exists: free the group, then resume).
fn is_final_error(error: &ErrorBody, step: Option<Step>) -> bool {
    match error.code {
        ErrorCode::EmailInUse
        | ErrorCode::AccountCreationFailed
        | ErrorCode::InvalidAccountRequest => true,
        ErrorCode::NameInUse => step.is_none_or(|s| s <= Step::CheckEmail),
        _ => false,
    }
}

/// A job of this daemon that clashes with a new plan: the same e-mail, account name or
/// group while it is not over.
fn clashes(plan: &Plan, other: &Job) -> Option<ErrorBody> {
    if other.state.is_final() {
        return None;
    }
    let (what, code) = if other.plan.email.eq_ignore_ascii_case(&plan.email) {
        (format!("with {}", other.plan.email), ErrorCode::EmailInUse)
    } else if other.plan.name.eq_ignore_ascii_case(&plan.name) {
        (format!("named {:?}", other.plan.name), ErrorCode::NameInUse)
    } else if !plan.without_iam_group
        && !other.plan.without_iam_group
        && other.plan.group_name.eq_ignore_ascii_case(&plan.group_name)
    {
        (
            format!(
                "with the group {} (choose another with --group, the form's Group field)",
                other.plan.group_name
            ),
            ErrorCode::NameInUse,
        )
    } else {
        return None;
    };
    Some(ErrorBody::new(
        code,
        format!(
            "job {} is already creating an account {what} ({}); wait for it, or cancel it with \
             `switchyard jobs cancel {}`",
            other.id,
            other.state.as_str(),
            other.id
        ),
    ))
}

/// What `account.create` checks before anything is made (again in the `check_email`
/// step of a job resumed there): no account of the organization uses the e-mail or the
/// name, no CreateAccount for the name is in flight, every user exists, and the group,
/// if it exists already, grants no other account's role. The step's detail.
async fn preflight(sdk: &SdkConfig, plan: &Plan) -> Result<String, ErrorBody> {
    let accounts = aws::organization_accounts(sdk).await?;
    if let Some(used) = accounts
        .iter()
        .find(|a| a.email.eq_ignore_ascii_case(&plan.email))
    {
        return Err(ErrorBody::new(
            ErrorCode::EmailInUse,
            format!(
                "account {} ({}) of the organization already uses {}; an e-mail address \
                 can never serve two AWS accounts, even after closing: choose another \
                 (e.g. a +suffix address)",
                used.id, used.name, plan.email
            ),
        ));
    }
    if let Some(named) = accounts
        .iter()
        .find(|a| a.name.trim().eq_ignore_ascii_case(&plan.name))
    {
        return Err(ErrorBody::new(
            ErrorCode::NameInUse,
            format!(
                "account {} ({}) of the organization is already named {:?}: two accounts of \
                 one name cannot be told apart in the account list and the switch menu, and \
                 would share the default group {}; nothing was created. Choose another name \
                 (--name, the form's Name field)",
                named.id,
                named.state.to_ascii_lowercase(),
                named.name,
                plan.group_name
            ),
        ));
    }
    let in_flight = aws::requests_in_progress_named(sdk, &plan.name).await?;
    if let Some(InUse::Request { request_id, .. }) = in_flight.into_iter().next() {
        return Err(ErrorBody::new(
            ErrorCode::EmailInUse,
            format!(
                "a CreateAccount request for an account named {:?} is in progress ({request_id}); \
                 it may use the same e-mail: wait for it to finish and look again",
                plan.name
            ),
        ));
    }
    let unknown = aws::unknown_users(sdk, &plan.users).await?;
    if !unknown.is_empty() {
        return Err(ErrorBody::new(
            ErrorCode::InvalidAccountRequest,
            format!(
                "no IAM user {} in the management account; nothing was created",
                unknown.join(", ")
            ),
        ));
    }
    let group = match plan.without_iam_group {
        true => "no IAM group (Identity Center only)".to_owned(),
        false => check_group(sdk, plan, None, Some(&accounts)).await?,
    };
    Ok(format!(
        "no account or request of the organization uses {} or the name {:?}; {group}",
        plan.email, plan.name
    ))
}

/// Whether the group may serve the account whose role is `own_role` (unknown before the
/// account exists): absent, or granting no role but that one. Refused (`name_in_use`)
/// when it already gives access to another account; the refusal names it.
async fn check_group(
    sdk: &SdkConfig,
    plan: &Plan,
    own_role: Option<&str>,
    accounts: Option<&[aws::OrgAccount]>,
) -> Result<String, ErrorBody> {
    let Some(policies) = aws::group_policies(sdk, &plan.group_name).await? else {
        return Ok(format!("the group {} is free", plan.group_name));
    };
    let foreign = foreign_policies(&policies, own_role);
    if foreign.is_empty() {
        return Ok(format!(
            "the group {} exists and grants no other account",
            plan.group_name
        ));
    }
    let listed;
    let accounts = match accounts {
        Some(accounts) => accounts,
        None => {
            listed = aws::organization_accounts(sdk).await.unwrap_or_default();
            &listed
        }
    };
    let sentence = foreign_group_sentence(&plan.group_name, &foreign, |id| {
        accounts.iter().find(|a| a.id == id).map(|a| a.name.clone())
    });
    Err(ErrorBody::new(ErrorCode::NameInUse, sentence))
}

fn new_id() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "j{:012x}{:04x}",
        (nanos / 1000) & 0xffff_ffff_ffff,
        n & 0xffff
    )
}

impl Jobs {
    pub fn new(state_dir: &std::path::Path, sessions: Arc<Sessions>) -> Jobs {
        Jobs::with_clock(state_dir, sessions, Clock::system())
    }

    /// Jobs whose quota and queue read `clock`.
    pub fn with_clock(state_dir: &std::path::Path, sessions: Arc<Sessions>, clock: Clock) -> Jobs {
        Jobs {
            journal: Journal::open(state_dir),
            queue: queue::CloseQueue::open(state_dir),
            sessions,
            state_dir: state_dir.to_owned(),
            clock,
        }
    }

    /// Unix seconds by the jobs' clock.
    pub fn now(&self) -> u64 {
        (self.clock.0)()
    }

    /// `jobs.list`: every job, newest first, and the queued closures, oldest first.
    pub fn list(&self) -> switchyard_shared::protocol::provision::JobsData {
        switchyard_shared::protocol::provision::JobsData {
            jobs: self.journal.list(),
            closures: self.queue.list(),
        }
    }

    /// Start a runner for every job that was running when the daemon stopped, and the
    /// closure queue's: at once, then when the quota is expected to free (at least
    /// hourly while closures wait).
    pub fn resume_all(self: &Arc<Self>) {
        for job in self.journal.list() {
            if job.state == JobState::Running {
                tracing::info!(job = %job.id, "resuming provisioning job");
                self.spawn(job.id);
            } else if waits_for_disk(&job) {
                Arc::clone(self).resume_when_writable(job.id);
            }
        }
        let jobs = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                let next = jobs.run_close_queue().await;
                let wait = next
                    .map_or(close::QUEUE_RECHECK_SECS, |at| {
                        at.saturating_sub(jobs.now())
                    })
                    .clamp(60, close::QUEUE_RECHECK_SECS);
                tokio::time::sleep(Duration::from_secs(wait)).await;
            }
        });
    }

    fn spawn(self: &Arc<Self>, id: String) {
        let jobs = Arc::clone(self);
        tokio::spawn(async move { jobs.run(&id).await });
    }

    fn audit(&self, job: &Job, what: &str, target: &str, result: &Result<(), ErrorBody>) {
        self.journal.audit(&AuditEntry {
            at: now(),
            who: &job.caller_arn,
            profile: &job.profile,
            job: &job.id,
            what,
            target,
            result: match result {
                Ok(()) => "ok".to_owned(),
                Err(e) => format!("{}: {}", e.code, e.message),
            },
        });
    }

    /// `account.create`: check the input (before any AWS call), find who asks, journal the
    /// job and start it. The answer is the job as journaled.
    pub async fn create(
        self: &Arc<Self>,
        mut params: CreateAccountParams,
    ) -> Result<Job, ErrorBody> {
        let invalid = |e: String| ErrorBody::new(ErrorCode::InvalidAccountRequest, e);
        if params.email.trim().is_empty() {
            let (profile, settings) = crate::services::session::settings(params.profile.clone())?;
            let Some(template) = settings.email_template else {
                return Err(invalid(format!(
                    "give an e-mail address, or set email_template (e.g. \"ops+{{slug}}@example.com\") \
                     for profile {profile:?} in config.toml"
                )));
            };
            params.email =
                email_from_template(&template, &params.name).map_err(|e| invalid(e.to_string()))?;
        }
        let mut plan = plan(&params).map_err(|problems| {
            let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
            ErrorBody::new(ErrorCode::InvalidAccountRequest, text.join("; "))
        })?;
        let signed = self.sessions.sign_in(params.profile).await?;
        let caller = crate::aws::identity::caller(&signed.sdk)
            .await
            .map_err(|e| signed.explain(&self.sessions, e))?;
        // Refused here, before a job exists, so that `--no-wait` and the form get the
        // refusal as the answer rather than a job that fails a moment later.
        let local = self
            .journal
            .list()
            .iter()
            .find_map(|other| clashes(&plan, other));
        if let Some(clash) = local {
            return Err(clash);
        }
        let mut checked = preflight(&signed.sdk, &plan)
            .await
            .map_err(|e| signed.explain(&self.sessions, e))?;
        if let Some(access) = &mut plan.identity_center {
            identity_center::check(&signed.sdk, access)
                .await
                .map_err(|e| signed.explain(&self.sessions, e))?;
            checked.push_str(&format!(
                "; Identity Center: {}",
                identity_center::describe(access)
            ));
        }
        let job = Job::new(new_id(), signed.profile.clone(), caller.arn, plan, now());
        let job = self
            .journal
            .insert(job.clone(), |other| clashes(&job.plan, other))?;
        self.audit(&job, "account.create", &job.plan.email, &Ok(()));
        // The checks just made are the job's first step (journaled as started, then done,
        // so a watcher sees it as any other step).
        self.journal
            .update(&job.id, |job| job.start(Step::CheckEmail, now()))?;
        let ((), job) = self.journal.update(&job.id, |job| {
            job.finish(Step::CheckEmail, StepState::Done, Some(checked), now())
        })?;
        self.spawn(job.id.clone());
        Ok(job)
    }

    /// The role to assume in a member account when a users message names none: the role
    /// a job of this daemon made for the account (newest job first), else the account's
    /// `switchyard-role` tag (the runbook tags every account it makes; reading it needs
    /// organizations:ListTagsForResource, and a failure only skips it), else
    /// `OrganizationAccountAccessRole`. The role name, how it was found, and the job.
    pub async fn member_role(
        &self,
        sdk: &SdkConfig,
        account_id: &str,
    ) -> (String, RoleSource, Option<String>) {
        let made = self
            .journal
            .list()
            .into_iter()
            .find(|job| job.account_id.as_deref() == Some(account_id));
        if let Some(job) = made {
            return (job.plan.role_name, RoleSource::Job, Some(job.id));
        }
        match aws::account_tag(sdk, account_id, ROLE_TAG).await {
            Ok(Some(role)) if is_role_name(&role) => return (role, RoleSource::Tag, None),
            Ok(_) => {}
            Err(e) => tracing::debug!(account = account_id, "no role tag read: {}", e.message),
        }
        (DEFAULT_MEMBER_ROLE.to_owned(), RoleSource::Default, None)
    }

    /// `account.check_email`: whether a job of this daemon or an account of the
    /// organization already uses the address (checked first, before any AWS call).
    pub async fn check_email(&self, params: CheckEmailParams) -> Result<CheckEmailData, ErrorBody> {
        let email = check_email(&params.email)
            .map_err(|e| ErrorBody::new(ErrorCode::InvalidAccountRequest, e.to_string()))?;
        let lower = email.to_ascii_lowercase();
        if let Some(job) = self
            .journal
            .list()
            .into_iter()
            .find(|j| !j.state.is_final() && j.plan.email.to_ascii_lowercase() == lower)
        {
            return Ok(CheckEmailData {
                email,
                in_use: true,
                used_by: Some(format!("job {} ({})", job.id, job.plan.name)),
            });
        }
        let signed = self.sessions.sign_in(params.profile).await?;
        let found = aws::accounts_with_email(&signed.sdk, &email)
            .await
            .map_err(|e| signed.explain(&self.sessions, e))?;
        let used_by = found.into_iter().find_map(|used| match used {
            InUse::Account { id, name } => Some(format!("account {id} ({name})")),
            InUse::Request { .. } => None,
        });
        Ok(CheckEmailData {
            email,
            in_use: used_by.is_some(),
            used_by,
        })
    }

    pub fn status(&self, id: &str) -> Result<Job, ErrorBody> {
        self.journal.get(id).ok_or_else(|| not_found(id))
    }

    /// `job.watch`: the job's events after `after`, as soon as there are any.
    pub async fn watch(&self, params: &JobWatchParams) -> Result<JobWatchData, ErrorBody> {
        self.journal
            .watch(&params.job, params.after, params.wait())
            .await
    }

    /// `jobs.resume`: a paused or cancelled job runs again from its journal. The job's
    /// profile signs in first, so a missing MFA session is the answer (`mfa_required`),
    /// not a job paused again.
    pub async fn resume(self: &Arc<Self>, id: &str) -> Result<Job, ErrorBody> {
        let job = self.status(id)?;
        match job.state {
            JobState::Running | JobState::Paused | JobState::Cancelled => {}
            JobState::Done | JobState::Failed => {
                return Err(ErrorBody::new(
                    ErrorCode::JobNotResumable,
                    format!(
                        "job {id} is {:?}: there is nothing left to resume{}",
                        job.state,
                        job.error
                            .as_ref()
                            .map(|e| format!(" ({})", e.message))
                            .unwrap_or_default()
                    ),
                ))
            }
        }
        self.sessions.sign_in(Some(job.profile.clone())).await?;
        let ((), job) = self.journal.update(id, |job| {
            job.state = JobState::Running;
            job.error = None;
            job.updated_at = now();
        })?;
        self.audit(&job, "jobs.resume", &job.plan.email, &Ok(()));
        self.spawn(id.to_owned());
        Ok(job)
    }

    /// `jobs.cancel`: the job stops before its next step (a step under way finishes).
    pub fn cancel(&self, id: &str) -> Result<Job, ErrorBody> {
        let job = self.status(id)?;
        if job.state.is_final() {
            return Err(ErrorBody::new(
                ErrorCode::JobNotResumable,
                format!("job {id} is already {:?}", job.state),
            ));
        }
        let ((), job) = self.journal.update(id, |job| {
            job.state = JobState::Cancelled;
            job.updated_at = now();
        })?;
        self.audit(&job, "jobs.cancel", &job.plan.email, &Ok(()));
        Ok(job)
    }

    async fn run(self: Arc<Self>, id: &str) {
        if !self.journal.claim(id) {
            return;
        }
        let waits_for_disk = match self.drive(id).await {
            Ok(()) => false,
            Err(error) => self.stop(id, error),
        };
        self.journal.release(id);
        if waits_for_disk {
            Arc::clone(&self).resume_when_writable(id.to_owned());
        }
    }

    /// A step's error stops the job: paused (may pass) or failed. The stop is kept in
    /// memory even when the journal cannot be written, so the job never looks `running`
    /// with nothing driving it. True when the job now waits for its state folder.
    fn stop(&self, id: &str, error: ErrorBody) -> bool {
        let failed_at = self.journal.get(id).and_then(|job| {
            job.steps
                .iter()
                .find(|r| r.state == StepState::Failed)
                .map(|r| r.step)
        });
        let state = if is_final_error(&error, failed_at) {
            JobState::Failed
        } else {
            JobState::Paused
        };
        let for_disk = state == JobState::Paused && error.code == ErrorCode::StateDirUnwritable;
        let error = if for_disk {
            ErrorBody::new(
                error.code,
                format!(
                    "{}; the job is paused and goes on by itself once the state folder can be \
                     written again (or free space and run `switchyard jobs resume {id}`)",
                    error.message
                ),
            )
        } else {
            error
        };
        tracing::info!(job = id, code = %error.code, "provisioning job stopped: {}", error.message);
        // A job cancelled meanwhile stays cancelled, without an error of its own.
        let result = self.journal.settle(id, |job| {
            let running = job.state == JobState::Running;
            if running {
                job.state = state;
                job.error = Some(error.clone());
                job.updated_at = now();
            }
            running
        });
        let Ok((true, job, written)) = result else {
            return false;
        };
        if let Err(e) = written {
            tracing::warn!(
                job = id,
                "the stopped job is kept in memory only: {}",
                e.message
            );
        }
        self.audit(&job, "account.create", &job.plan.email, &Err(error));
        for_disk
    }

    /// A job paused because its journal could not be written goes on by itself once a
    /// write succeeds: tried again with a growing pause (1 s to 30 s) for as long as it
    /// stays paused for that reason (a `jobs.resume` or `jobs.cancel` meanwhile ends it).
    fn resume_when_writable(self: Arc<Self>, id: String) {
        tokio::spawn(async move {
            let mut wait = DISK_RETRY_FIRST;
            loop {
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(DISK_RETRY_MAX);
                match self.journal.get(&id) {
                    Some(job) if waits_for_disk(&job) => {}
                    _ => return,
                }
                let resumed = self.journal.update(&id, |job| {
                    let waiting = waits_for_disk(job);
                    if waiting {
                        job.state = JobState::Running;
                        job.error = None;
                        job.updated_at = now();
                    }
                    waiting
                });
                match resumed {
                    Ok((true, job)) => {
                        tracing::info!(job = %id, "the state folder can be written again: job resumed");
                        self.audit(&job, "jobs.resume (automatic)", &job.plan.email, &Ok(()));
                        self.spawn(id);
                        return;
                    }
                    Ok((false, _)) => return,
                    Err(e) if e.code == ErrorCode::StateDirUnwritable => {
                        tracing::debug!(job = %id, "state folder still unwritable: {}", e.message);
                    }
                    Err(_) => return,
                }
            }
        });
    }

    async fn drive(&self, id: &str) -> Result<(), ErrorBody> {
        let job = self.status(id)?;
        if job.state != JobState::Running {
            return Ok(());
        }
        let signed = self.sessions.sign_in(Some(job.profile.clone())).await?;
        let partition = Partition::from_name(&signed.settings.partition).unwrap_or(Partition::Aws);
        let ctx = Ctx {
            jobs: self,
            signed: &signed,
            partition,
            id,
        };
        loop {
            let job = self.status(id)?;
            if job.state != JobState::Running {
                return Ok(());
            }
            let Some(record) = job.next_step() else {
                let ((), job) = self.journal.update(id, |job| {
                    job.state = JobState::Done;
                    job.updated_at = now();
                })?;
                self.audit(&job, "account.create", &job.plan.email, &Ok(()));
                tracing::info!(job = id, "provisioning job done");
                return Ok(());
            };
            let step = record.step;
            let resumed = record.state != StepState::Pending;
            let ((), job) = self.journal.update(id, |job| job.start(step, now()))?;
            match ctx.step(&job, step, resumed).await {
                Ok(detail) => {
                    self.journal.update(id, |job| {
                        job.finish(step, StepState::Done, Some(detail), now())
                    })?;
                }
                Err(error) => {
                    let error = signed.explain(&self.sessions, error);
                    let detail = Some(error.message.clone());
                    self.journal
                        .update(id, |job| job.finish(step, StepState::Failed, detail, now()))?;
                    return Err(error);
                }
            }
        }
    }
}

/// What one run of a job's steps shares.
struct Ctx<'a> {
    jobs: &'a Jobs,
    signed: &'a SignedIn,
    partition: Partition,
    id: &'a str,
}

impl Ctx<'_> {
    fn sdk(&self) -> &SdkConfig {
        &self.signed.sdk
    }

    fn save(&self, f: impl FnOnce(&mut Job)) -> Result<Job, ErrorBody> {
        self.jobs.journal.update(self.id, f).map(|((), job)| job)
    }

    /// Run one step; its detail for the journal.
    async fn step(&self, job: &Job, step: Step, resumed: bool) -> Result<String, ErrorBody> {
        match step {
            Step::CheckEmail => self.check_email(job).await,
            Step::CreateAccount => self.create_account(job, resumed).await,
            Step::WaitForAccount => self.wait_for_account(job).await,
            Step::MoveToOu => self.move_to_ou(job).await,
            Step::TeamLook => self.team_look(job).await,
            Step::TagRole => self.tag_role(job).await,
            Step::RolePolicies => self.role_policies(job).await,
            Step::CreateGroup => self.create_group(job).await,
            Step::PutPolicy => self.put_policy(job).await,
            Step::AddUsers => self.add_users(job).await,
            Step::AssignAccess => {
                let account = Self::account_id(job)?;
                self.jobs.assign_access(self.sdk(), job, account).await
            }
            Step::Finish => self.finish(job).await,
        }
    }

    async fn check_email(&self, job: &Job) -> Result<String, ErrorBody> {
        preflight(self.sdk(), &job.plan).await
    }

    /// After a start that may have reached AWS: the request or account it made, if any.
    async fn find_earlier(&self, job: &Job) -> Result<Option<String>, ErrorBody> {
        if let Some(InUse::Account { id, .. }) =
            aws::accounts_with_email(self.sdk(), &job.plan.email)
                .await?
                .into_iter()
                .next()
        {
            let arn = role_arn(self.partition, &id, &job.plan.role_name);
            self.save(|j| {
                j.account_id = Some(id.clone());
                j.role_arn = Some(arn);
            })?;
            return Ok(Some(format!("account {id} (found by its e-mail)")));
        }
        let since = job
            .create_sent_at
            .unwrap_or(job.created_at)
            .saturating_sub(300);
        let requests = aws::requests_named(self.sdk(), &job.plan.name).await?;
        for request in requests {
            if let InUse::Request {
                request_id,
                requested_at,
                ..
            } = request
            {
                if requested_at >= since {
                    self.save(|j| j.create_request_id = Some(request_id.clone()))?;
                    return Ok(Some(format!(
                        "request {request_id} (found by the account name)"
                    )));
                }
            }
        }
        Ok(None)
    }

    async fn create_account(&self, job: &Job, resumed: bool) -> Result<String, ErrorBody> {
        if let Some(request_id) = &job.create_request_id {
            return Ok(format!("request {request_id}"));
        }
        if resumed {
            if let Some(found) = self.find_earlier(job).await? {
                let result = Ok(());
                self.jobs.audit(
                    job,
                    "organizations:CreateAccount (adopted)",
                    &job.plan.email,
                    &result,
                );
                return Ok(format!(
                    "the earlier CreateAccount had gone through: adopted {found}"
                ));
            }
        }
        self.save(|j| j.create_sent_at = Some(now()))?;
        let sent = aws::create_account(self.sdk(), &job.plan).await;
        let result = sent.as_ref().map(|_| ()).map_err(Clone::clone);
        self.jobs
            .audit(job, "organizations:CreateAccount", &job.plan.email, &result);
        let request_id = match sent {
            Ok(request_id) => request_id,
            // AWS refused it outright: nothing was made.
            Err(e)
                if matches!(
                    e.code,
                    ErrorCode::AccessDenied | ErrorCode::AwsAuthFailed | ErrorCode::AwsThrottled
                ) =>
            {
                return Err(e)
            }
            // The answer may have been lost after AWS acted: look before anything else.
            Err(e) => {
                let job = self.jobs.status(&job.id)?;
                return match self.find_earlier(&job).await {
                    Ok(Some(found)) => Ok(format!(
                        "CreateAccount's answer was lost ({}); adopted {found}",
                        e.message
                    )),
                    _ => Err(e),
                };
            }
        };
        self.save(|j| j.create_request_id = Some(request_id.clone()))?;
        Ok(format!("request {request_id}"))
    }

    async fn wait_for_account(&self, job: &Job) -> Result<String, ErrorBody> {
        if let Some(id) = &job.account_id {
            return Ok(format!("account {id}"));
        }
        let Some(request_id) = job.create_request_id.clone() else {
            return Err(ErrorBody::new(
                ErrorCode::Internal,
                "the journal has no CreateAccount request id to wait for",
            ));
        };
        let started = std::time::Instant::now();
        let mut wait = POLL_FIRST;
        let mut polls = 0u32;
        loop {
            polls += 1;
            match aws::creation_status(self.sdk(), &request_id).await? {
                Creation::Succeeded { account_id } => {
                    let arn = role_arn(self.partition, &account_id, &job.plan.role_name);
                    self.save(|j| {
                        j.account_id = Some(account_id.clone());
                        j.role_arn = Some(arn);
                    })?;
                    return Ok(format!("account {account_id} ready after {polls} poll(s)"));
                }
                Creation::Failed { reason } => {
                    return Err(ErrorBody::new(
                        ErrorCode::AccountCreationFailed,
                        failure_sentence(&reason),
                    ))
                }
                Creation::InProgress => {}
            }
            if started.elapsed() >= CREATE_TIMEOUT {
                return Err(ErrorBody::new(
                    ErrorCode::Timeout,
                    format!(
                        "CreateAccount {request_id} is still in progress after {} minutes; \
                         `switchyard jobs resume {}` goes on waiting",
                        CREATE_TIMEOUT.as_secs() / 60,
                        job.id
                    ),
                ));
            }
            if self.jobs.journal.get(&job.id).map(|j| j.state) != Some(JobState::Running) {
                return Err(ErrorBody::new(
                    ErrorCode::JobNotResumable,
                    "cancelled while waiting for the account",
                ));
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(POLL_MAX);
        }
    }

    fn account_id(job: &Job) -> Result<&str, ErrorBody> {
        job.account_id
            .as_deref()
            .ok_or_else(|| ErrorBody::new(ErrorCode::Internal, "the journal has no account id"))
    }

    async fn move_to_ou(&self, job: &Job) -> Result<String, ErrorBody> {
        let account = Self::account_id(job)?;
        let Some(ou) = &job.plan.ou_id else {
            return Ok("no OU chosen".to_owned());
        };
        let moved = aws::move_to(self.sdk(), account, ou).await;
        let result = moved.as_ref().map(|_| ()).map_err(Clone::clone);
        self.jobs
            .audit(job, "organizations:MoveAccount", ou, &result);
        Ok(if moved? {
            format!("moved to {ou}")
        } else {
            format!("already in {ou}")
        })
    }

    /// The team's name and color as the account's tags (what `accounts.set` writes):
    /// TagResource sets a key to the same value again harmlessly, so a resumed step simply
    /// writes them again.
    async fn team_look(&self, job: &Job) -> Result<String, ErrorBody> {
        let account = Self::account_id(job)?;
        let mut tags = BTreeMap::new();
        if let Some(name) = &job.plan.display_name {
            tags.insert(team::TAG_NAME.to_owned(), name.clone());
        }
        if let Some(color) = &job.plan.color {
            tags.insert(team::TAG_COLOR.to_owned(), color.clone());
        }
        if tags.is_empty() {
            return Ok("no name or color chosen".to_owned());
        }
        let tagged = organizations::tag_account(self.sdk(), account, &tags).await;
        self.jobs
            .audit(job, "organizations:TagResource", account, &tagged);
        tagged?;
        Ok(tags
            .iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect::<Vec<_>>()
            .join(", "))
    }

    /// SDK configuration as the new role, retried while the role propagates.
    async fn as_member(&self, job: &Job, arn: &str) -> Result<SdkConfig, ErrorBody> {
        let started = std::time::Instant::now();
        let mut wait = Duration::from_secs(1);
        loop {
            match aws::as_role(self.sdk(), &self.signed.settings, arn, SESSION_NAME).await {
                Ok(member) => return Ok(member),
                Err(e)
                    if matches!(e.code, ErrorCode::AccessDenied | ErrorCode::AwsFailed)
                        && started.elapsed() < ROLE_TIMEOUT =>
                {
                    tracing::debug!(role = %arn, "role not assumable yet: {}", e.message);
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(15));
                }
                Err(e) => {
                    return Err(ErrorBody::new(
                        e.code,
                        format!(
                            "{}; the new account's role {arn} could not be assumed (it can take a \
                             few minutes to appear): `switchyard jobs resume {}` tries again",
                            e.message, job.id
                        ),
                    ))
                }
            }
        }
    }

    async fn tag_role(&self, job: &Job) -> Result<String, ErrorBody> {
        let account = Self::account_id(job)?;
        let arn = role_arn(self.partition, account, &job.plan.role_name);
        let member = self.as_member(job, &arn).await?;
        let tagged = aws::tag_role(&member, &job.plan.role_name, &job.plan.tags).await;
        self.jobs.audit(job, "iam:TagRole", &arn, &tagged);
        tagged?;
        Ok(format!("assumed and tagged {arn}"))
    }

    /// Attach the chosen policies, then detach AdministratorAccess (unless chosen).
    async fn role_policies(&self, job: &Job) -> Result<String, ErrorBody> {
        let account = Self::account_id(job)?;
        let arn = role_arn(self.partition, account, &job.plan.role_name);
        let member = self.as_member(job, &arn).await?;
        let role = &job.plan.role_name;
        for policy in &job.plan.role_policies {
            let attached = aws::attach_role_policy(&member, role, policy).await;
            self.jobs.audit(
                job,
                "iam:AttachRolePolicy",
                &format!("{arn} {policy}"),
                &attached,
            );
            attached?;
        }
        let admin = format!(
            "arn:{}:iam::aws:policy/AdministratorAccess",
            self.partition.name()
        );
        let mut detail = format!("{} on {arn}", job.plan.role_policies.join(", "));
        if !job.plan.role_policies.contains(&admin) {
            let detached = aws::detach_role_policy(&member, role, &admin).await;
            let result = detached.as_ref().map(|_| ()).map_err(Clone::clone);
            self.jobs.audit(
                job,
                "iam:DetachRolePolicy",
                &format!("{arn} {admin}"),
                &result,
            );
            if detached? {
                detail.push_str(", AdministratorAccess detached");
            }
        }
        Ok(detail)
    }

    /// The new account's role ARN.
    fn own_role(&self, job: &Job) -> Result<String, ErrorBody> {
        Ok(role_arn(
            self.partition,
            Self::account_id(job)?,
            &job.plan.role_name,
        ))
    }

    async fn create_group(&self, job: &Job) -> Result<String, ErrorBody> {
        let group = &job.plan.group_name;
        // An existing group is adopted only when it grants no role but this account's.
        check_group(self.sdk(), &job.plan, Some(&self.own_role(job)?), None).await?;
        let made = aws::ensure_group(self.sdk(), group).await;
        let result = made.as_ref().map(|_| ()).map_err(Clone::clone);
        self.jobs.audit(job, "iam:CreateGroup", group, &result);
        Ok(match made? {
            None => format!("made group {group}"),
            Some(members) if members.is_empty() => format!("adopted the existing group {group}"),
            Some(members) => format!(
                "adopted the existing group {group} (members: {})",
                members.join(", ")
            ),
        })
    }

    async fn put_policy(&self, job: &Job) -> Result<String, ErrorBody> {
        let account = Self::account_id(job)?;
        let document = switch_policy(self.partition, account, &job.plan.role_name);
        let target = format!("{}/{}", job.plan.group_name, job.plan.policy_name);
        // Never replace a policy that grants another account (made meanwhile by hand).
        check_group(self.sdk(), &job.plan, Some(&self.own_role(job)?), None).await?;
        let put = aws::put_group_policy(
            self.sdk(),
            &job.plan.group_name,
            &job.plan.policy_name,
            &document,
        )
        .await;
        self.jobs.audit(job, "iam:PutGroupPolicy", &target, &put);
        put?;
        Ok(format!(
            "{target} allows sts:AssumeRole on {}",
            role_arn(self.partition, account, &job.plan.role_name)
        ))
    }

    async fn add_users(&self, job: &Job) -> Result<String, ErrorBody> {
        for user in &job.plan.users {
            let added = aws::add_user(self.sdk(), &job.plan.group_name, user).await;
            let target = format!("{}/{user}", job.plan.group_name);
            self.jobs.audit(job, "iam:AddUserToGroup", &target, &added);
            added?;
        }
        Ok(if job.plan.users.is_empty() {
            "no users chosen".to_owned()
        } else {
            format!("{} in {}", job.plan.users.join(", "), job.plan.group_name)
        })
    }

    async fn finish(&self, job: &Job) -> Result<String, ErrorBody> {
        let account = Self::account_id(job)?;
        let link = switch_link(self.partition, account, &job.plan.role_name, &job.plan.name)
            .ok_or_else(|| ErrorBody::new(ErrorCode::Internal, "no switch link could be made"))?;
        // The seed runbook's last manual step, the root password, in words: what it
        // involves here (centralized root access or the e-mail inbox).
        let root = match root::detect(self.sdk(), account, Some(&job.plan.email)).await {
            Ok(found) => found.advice,
            Err(e) => format!(
                "whether centralized root access is on could not be read ({}); `switchyard \
                 account root {account}` tells",
                e.message
            ),
        };
        let job = self.save(|j| {
            j.switch_link = Some(link);
            j.root = Some(root);
        })?;
        // The organization changed: the next account list (and the popup) asks AWS.
        if let Err(e) = crate::services::accounts::forget(&self.jobs.state_dir, &job.profile) {
            tracing::warn!("accounts cache not dropped: {}", e.message);
        }
        Ok(job.summary())
    }
}
