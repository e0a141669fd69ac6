//! `switchyard account create …` and `switchyard jobs [resume ID | cancel ID]`: start a
//! provisioning job (`account.create`) and follow its steps as they happen (`job.watch`,
//! a long-poll that answers as soon as the job has news); list, resume and cancel jobs.
//! `switchyard account close ID` closes a member account once its name is typed
//! (`account.close`), or with `--queue` queues the closure when the quota has no room
//! (shown, and cancellable, with the jobs).

use std::collections::BTreeMap;

use anyhow::{anyhow, bail, Context};
use switchyard_shared::protocol::provision::{
    Billing, CheckEmailData, CheckEmailParams, CloseAccountData, CloseAccountParams, ClosureState,
    CreateAccountParams, IdentityCenterAccess, IdentityCenterData, IdentityCenterOptions, Job,
    JobIdParams, JobState, JobWatchData, JobWatchParams, JobsData, JobsPruneData, JobsPruneParams,
    QueuedClosure, RootAccessData, RootAccessParams, RootTask, StepState,
};
use switchyard_shared::protocol::ProfileParams;
use switchyard_shared::protocol::Request;

use crate::cli::aws::answer;

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(clap::Subcommand)]
pub enum AccountCommand {
    /// Create a client account: the member account with its role, the management-account
    /// group whose inline policy allows exactly that role, its members, the switch link.
    /// The e-mail can never be used for another AWS account again, even after closing.
    Create {
        /// The account's full name.
        #[arg(long)]
        name: String,
        /// The root user's e-mail address (default: the profile's email_template).
        #[arg(long)]
        email: Option<String>,
        /// The cross-account role (default: the name without spaces).
        #[arg(long)]
        role: Option<String>,
        /// The management-account group (default: Access<Name>).
        #[arg(long)]
        group: Option<String>,
        /// The group's inline policy (default: SwitchTo<Name>).
        #[arg(long)]
        policy: Option<String>,
        /// An IAM user of the management account to add to the group (repeat).
        #[arg(long = "user")]
        users: Vec<String>,
        /// The organizational unit to place the account in.
        #[arg(long)]
        ou: Option<String>,
        /// A tag for the account and its role, KEY=VALUE (repeat).
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// A managed policy ARN for the new role, replacing its AdministratorAccess (repeat).
        #[arg(long = "role-policy")]
        role_policies: Vec<String>,
        /// Whether the new account's IAM users and roles may see its billing (allow or
        /// deny; AWS's default, allow, when absent).
        #[arg(long, value_parser = parse_billing)]
        billing: Option<Billing>,
        /// The name the whole team sees for the new account (its switchyard:name tag).
        #[arg(long)]
        display_name: Option<String>,
        /// The color the whole team sees for it (its switchyard:color tag: RRGGBB or RGB,
        /// `#` optional).
        #[arg(long)]
        color: Option<String>,
        /// Identity Center: assign this permission set (name or ARN) for the new account
        /// to --sso-group (`switchyard account identity-center` lists both).
        #[arg(long, requires = "sso_group")]
        permission_set: Option<String>,
        /// Identity Center: the group (display name or id) that gets --permission-set.
        #[arg(long, requires = "permission_set")]
        sso_group: Option<String>,
        /// Identity Center only: make no management-account group, policy or members
        /// (needs --permission-set and --sso-group; no --user).
        #[arg(long, requires = "permission_set", conflicts_with_all = ["group", "policy", "users"])]
        no_iam_group: bool,
        #[arg(long)]
        profile: Option<String>,
        /// Start the job and print it without waiting.
        #[arg(long)]
        no_wait: bool,
        /// Print the job as JSON when it ends.
        #[arg(long)]
        json: bool,
    },
    /// Say whether an account of the organization (or a running job) already uses an
    /// e-mail address.
    CheckEmail {
        email: String,
        #[arg(long)]
        profile: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The organization's Identity Center instance, its permission sets and groups (what
    /// `account create --permission-set/--sso-group` choose from).
    IdentityCenter {
        #[arg(long)]
        profile: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A member account's root user: whether the organization uses centralized root
    /// access, and its privileged tasks (or what the manual password reset involves).
    Root {
        /// The member account id (12 digits).
        account_id: String,
        /// Let the root user recover a password (AssumeRoot with IAMCreateRootUserPassword).
        #[arg(long, conflicts_with = "delete_credentials")]
        allow_password_recovery: bool,
        /// Delete the root user's credentials (AssumeRoot with IAMDeleteRootUserCredentials).
        #[arg(long)]
        delete_credentials: bool,
        #[arg(long)]
        profile: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Close a member account (it stays suspended for 90 days, then AWS deletes it; its
    /// e-mail can never be used again). You must type the account's name.
    Close {
        /// The account id (12 digits).
        account_id: String,
        /// The account's name, to confirm (asked for when absent).
        #[arg(long)]
        confirm: Option<String>,
        /// Also remove the management-account group and policy made for it.
        #[arg(long)]
        remove_group: bool,
        /// When the CloseAccount quota (per rolling 30 days) has no room: queue the
        /// closure; the daemon closes the account when the quota allows (`switchyard
        /// jobs` shows it, `switchyard jobs cancel cACCOUNT_ID` drops it).
        #[arg(long)]
        queue: bool,
        #[arg(long)]
        profile: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct JobsArgs {
    #[command(subcommand)]
    command: Option<JobsCommand>,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Subcommand)]
enum JobsCommand {
    /// One job: its state, every step, its error.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Follow a job, one line per step as it ends, until it stops.
    Watch {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Run a paused or cancelled job again from its journal.
    Resume {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Stop a job before its next step, or drop a queued closure (`c` + account id).
    Cancel {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Remove the journals of jobs that ended (done, failed, cancelled) and of queued
    /// closures that ended, older than --older-than. Running and paused jobs are kept.
    /// A pruned job's group is no longer found by `account close --remove-group`.
    Prune {
        /// How long ago the job must have ended: 30d, 12h, 90m, 0s (default 30 days).
        #[arg(long, value_parser = parse_age, default_value = "30d")]
        older_than: std::time::Duration,
        /// Only list what would be removed.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

/// An age such as `30d`, `12h` or `0s`.
fn parse_age(text: &str) -> Result<std::time::Duration, String> {
    humantime::parse_duration(text.trim())
        .map_err(|e| format!("{text:?}: {e} (write e.g. 30d, 12h, 90m)"))
}

fn parse_billing(text: &str) -> Result<Billing, String> {
    Billing::parse(text).ok_or_else(|| format!("{text:?}: write allow or deny"))
}

fn parse_tags(tags: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    tags.iter()
        .map(|tag| {
            tag.split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or_else(|| anyhow!("--tag {tag:?}: write KEY=VALUE"))
        })
        .collect()
}

fn close(
    account_id: String,
    confirm: Option<String>,
    remove_group: bool,
    queue: bool,
    profile: Option<String>,
    json: bool,
) -> anyhow::Result<()> {
    let confirm = match confirm {
        Some(confirm) => confirm,
        None => {
            // The prompt names the account, so the person sees which one they close.
            let name = crate::cli::ask(Request::AccountsList(
                switchyard_shared::protocol::aws::AccountsListParams {
                    profile: profile.clone(),
                    refresh: false,
                },
            ))
            .ok()
            .and_then(|reply| {
                reply
                    .into_result::<switchyard_shared::protocol::aws::AccountsData>()
                    .ok()
            })
            .and_then(|list| list.accounts.into_iter().find(|a| a.id == account_id))
            .map(|a| format!(" ({})", a.name))
            .unwrap_or_default();
            crate::cli::prompt::prompt(
                &format!("Type the name of account {account_id}{name} to close it: "),
                false,
            )?
        }
    };
    let request = Request::AccountClose(CloseAccountParams {
        profile: profile.clone(),
        account_id,
        confirm,
        remove_group,
        queue,
    });
    let Some(data) = answer::<CloseAccountData>(request, &profile, json)? else {
        return Ok(());
    };
    if let Some(queued) = &data.queued {
        outln!(
            "account {} ({}): queued as {}; the daemon closes it when the quota allows{}",
            data.account_id,
            data.name,
            queued.id,
            queued
                .not_before
                .map(|t| format!(" (from {})", when(t)))
                .unwrap_or_default()
        );
        outln!(
            "closures in the rolling 30 days: {} of {} used; `switchyard jobs` follows it",
            data.quota.used,
            data.quota.limit
        );
        return Ok(());
    }
    outln!(
        "account {} ({}): {}",
        data.account_id,
        data.name,
        data.state
    );
    for removed in &data.removed {
        outln!("removed {removed}");
    }
    outln!(
        "closures left in the rolling 30 days: {} of {}",
        data.quota.remaining,
        data.quota.limit
    );
    Ok(())
}

/// The organization's Identity Center choices (an error when it has none).
fn identity_center_options(profile: &Option<String>) -> anyhow::Result<IdentityCenterOptions> {
    let request = Request::IdentityCenterOptions(ProfileParams {
        profile: profile.clone(),
    });
    let Some(data) = answer::<IdentityCenterData>(request, profile, false)? else {
        bail!("no answer");
    };
    data.identity_center.ok_or_else(|| {
        anyhow!("the organization has no Identity Center instance (sso:ListInstances found none)")
    })
}

/// `--permission-set` and `--sso-group` (names or ids) resolved against the lists.
fn choose_identity_center(
    profile: &Option<String>,
    set: &str,
    group: &str,
) -> anyhow::Result<IdentityCenterAccess> {
    let options = identity_center_options(profile)?;
    let Some(found_set) = options
        .permission_sets
        .iter()
        .find(|p| p.arn == set || p.name == set)
    else {
        let names: Vec<&str> = options
            .permission_sets
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        bail!(
            "no permission set {set:?}; the instance has: {}",
            names.join(", ")
        );
    };
    let Some(found_group) = options
        .groups
        .iter()
        .find(|g| g.id == group || g.display_name == group)
    else {
        let names: Vec<&str> = options
            .groups
            .iter()
            .map(|g| g.display_name.as_str())
            .collect();
        bail!(
            "no Identity Center group {group:?}; the identity store has: {}",
            names.join(", ")
        );
    };
    Ok(IdentityCenterAccess {
        instance_arn: options.instance_arn,
        permission_set_arn: found_set.arn.clone(),
        group_id: found_group.id.clone(),
        permission_set_name: Some(found_set.name.clone()),
        group_name: Some(found_group.display_name.clone()),
    })
}

fn list_identity_center(profile: Option<String>, json: bool) -> anyhow::Result<()> {
    let request = Request::IdentityCenterOptions(ProfileParams {
        profile: profile.clone(),
    });
    let Some(data) = answer::<IdentityCenterData>(request, &profile, json)? else {
        return Ok(());
    };
    let Some(options) = data.identity_center else {
        println!("no Identity Center instance: accounts get the IAM group and policy only");
        return Ok(());
    };
    println!(
        "instance {} (identity store {})",
        options.instance_arn, options.identity_store_id
    );
    println!("permission sets:");
    for set in &options.permission_sets {
        println!("  {}  {}", set.name, set.arn);
    }
    println!("groups:");
    for group in &options.groups {
        println!("  {}  {}", group.display_name, group.id);
    }
    Ok(())
}

fn root(
    account_id: String,
    task: Option<RootTask>,
    profile: Option<String>,
    json: bool,
) -> anyhow::Result<()> {
    let request = Request::AccountRoot(RootAccessParams {
        profile: profile.clone(),
        account_id,
        task,
    });
    let Some(data) = answer::<RootAccessData>(request, &profile, json)? else {
        return Ok(());
    };
    println!(
        "account {}: centralized root access {} (IAM trusted: {}; features: {})",
        data.account_id,
        if data.centralized { "on" } else { "off" },
        if data.trusted_access { "yes" } else { "no" },
        if data.features.is_empty() {
            "none".to_owned()
        } else {
            data.features.join(", ")
        }
    );
    for done in &data.done {
        println!("{done}");
    }
    if data.task.is_none() {
        println!("{}", data.advice);
    }
    Ok(())
}

pub fn account(command: AccountCommand) -> anyhow::Result<()> {
    match command {
        AccountCommand::IdentityCenter { profile, json } => list_identity_center(profile, json),
        AccountCommand::Root {
            account_id,
            allow_password_recovery,
            delete_credentials,
            profile,
            json,
        } => {
            let task = match (allow_password_recovery, delete_credentials) {
                (true, _) => Some(RootTask::AllowPasswordRecovery),
                (_, true) => Some(RootTask::DeleteCredentials),
                _ => None,
            };
            root(account_id, task, profile, json)
        }
        AccountCommand::Close {
            account_id,
            confirm,
            remove_group,
            queue,
            profile,
            json,
        } => close(account_id, confirm, remove_group, queue, profile, json),
        AccountCommand::CheckEmail {
            email,
            profile,
            json,
        } => {
            let request = Request::AccountCheckEmail(CheckEmailParams {
                profile: profile.clone(),
                email,
            });
            let Some(data) = answer::<CheckEmailData>(request, &profile, json)? else {
                return Ok(());
            };
            match data.used_by {
                Some(by) => bail!("{} is already used by {by}", data.email),
                None => {
                    outln!("{} is free in the organization", data.email);
                    Ok(())
                }
            }
        }
        create @ AccountCommand::Create { .. } => create_account(create),
    }
}

fn create_account(command: AccountCommand) -> anyhow::Result<()> {
    let AccountCommand::Create {
        name,
        email,
        role,
        group,
        policy,
        users,
        ou,
        tags,
        role_policies,
        billing,
        display_name,
        color,
        permission_set,
        sso_group,
        no_iam_group,
        profile,
        no_wait,
        json,
    } = command
    else {
        return Ok(());
    };
    let identity_center = match (permission_set, sso_group) {
        (Some(set), Some(group)) => Some(choose_identity_center(&profile, &set, &group)?),
        _ => None,
    };
    let params = CreateAccountParams {
        profile: profile.clone(),
        name,
        email: email.unwrap_or_default(),
        role_name: role,
        group_name: group,
        policy_name: policy,
        users,
        tags: parse_tags(&tags)?,
        ou_id: ou,
        role_policies,
        iam_user_access_to_billing: billing,
        identity_center,
        display_name,
        color,
        without_iam_group: no_iam_group,
    };
    if no_wait && json {
        // The reply as it is: the job started, or the refusal (e-mail or name in use, …).
        answer::<Job>(Request::AccountCreate(params), &profile, true)?;
        return Ok(());
    }
    let Some(job) = answer::<Job>(Request::AccountCreate(params), &profile, false)? else {
        return Ok(());
    };
    if no_wait {
        return print_job(&job, json);
    }
    if !json {
        outln!("job {} started", job.id);
    }
    follow(&job.id, json)
}

/// Print each step as it ends, until the job stops; the exit status says how it ended.
/// Each `job.watch` answers as soon as the job has events past the last one seen, so a
/// step is printed the moment it ends. On a terminal a spinner shows the running step
/// and the time it has taken; Ctrl-C stops following (the job goes on in the daemon) and
/// says how to follow or cancel it.
fn follow(id: &str, json: bool) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(follow_until_done(id, json))
}

async fn follow_until_done(id: &str, json: bool) -> anyhow::Result<()> {
    use switchyard_daemon::system::paths::Paths;
    use switchyard_daemon::transport::client::{Autostart, Client};
    use switchyard_shared::protocol::{Reply, RequestId};

    let mut client = Client::new(Paths::from_env(), Autostart::beside_current_exe());
    let spinner = match json {
        true => indicatif::ProgressBar::hidden(),
        false => spinner(),
    };
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    let mut shown = std::collections::HashSet::new();
    let mut after = 0;
    loop {
        let body = Request::JobWatch(JobWatchParams {
            job: id.to_owned(),
            after,
            wait_secs: None,
        })
        .to_envelope(&RequestId::number(1))
        .to_string()
        .into_bytes();
        let bytes = tokio::select! {
            sent = client.send(body) => sent?,
            _ = &mut interrupted => {
                spinner.finish_and_clear();
                eprintln!(
                    "stopped following job {id}; it goes on in the daemon. Follow it with \
                     `switchyard jobs watch {id}`, cancel it with `switchyard jobs cancel {id}`"
                );
                return Err(crate::cli::output::ExitWith(130).into());
            }
        };
        let reply: Reply = serde_json::from_slice(&bytes).context("unreadable reply")?;
        let watched: JobWatchData = reply.into_result()?;
        after = watched.seq;
        let job = watched.job;
        if !json {
            // In order, up to the first step still pending or running.
            let ended = job
                .steps
                .iter()
                .take_while(|r| !matches!(r.state, StepState::Pending | StepState::Running));
            for record in ended {
                if !shown.insert((record.step, record.state, record.attempts)) {
                    continue;
                }
                let line = format!(
                    "  {:<9} {}: {}",
                    format!("[{}]", record.state.as_str()),
                    record.step.as_str(),
                    record.detail.as_deref().unwrap_or("")
                );
                spinner.suspend(|| crate::cli::output::line(&line))?;
            }
            if let Some(running) = job.steps.iter().find(|r| r.state == StepState::Running) {
                let step = running.step.as_str().replace('_', " ");
                if spinner.message() != step {
                    spinner.reset_elapsed();
                    spinner.set_message(step);
                }
            }
        }
        if job.state != JobState::Running {
            spinner.finish_and_clear();
            return finish(&job, json);
        }
    }
}

/// A spinner on stderr with the running step and its time (drawn only on a terminal).
pub(crate) fn spinner() -> indicatif::ProgressBar {
    let spinner = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        spinner.set_style(style);
    }
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    spinner
}

fn finish(job: &Job, json: bool) -> anyhow::Result<()> {
    if json {
        crate::cli::output::print_json_ok(job)?;
    } else if job.state == JobState::Done {
        outln!("done: {}", job.summary());
    }
    match (job.state, &job.error) {
        (JobState::Done, _) => Ok(()),
        (state, Some(error)) => bail!(
            "job {} {}: {}: {}{}",
            job.id,
            state.as_str(),
            error.code,
            error.message,
            if state == JobState::Paused {
                format!(" (then `switchyard jobs resume {}`)", job.id)
            } else {
                String::new()
            }
        ),
        (state, None) => bail!("job {} is {}", job.id, state.as_str()),
    }
}

fn print_job(job: &Job, json: bool) -> anyhow::Result<()> {
    if json {
        crate::cli::output::print_json_ok(job)?;
    } else {
        let at = match (job.state, job.next_step()) {
            (JobState::Running | JobState::Paused, Some(record)) => format!(
                "  at {}",
                serde_json::to_value(record.step)?
                    .as_str()
                    .unwrap_or_default()
            ),
            _ => String::new(),
        };
        outln!(
            "{}  {:<9} {}  {}{at}",
            job.id,
            job.state.as_str(),
            job.plan.name,
            job.plan.email
        );
        if let (Some(error), false) = (&job.error, job.state == JobState::Done) {
            outln!("    {}: {}", error.code, error.message);
        }
    }
    Ok(())
}

/// A Unix time as RFC 3339 UTC.
fn when(secs: u64) -> String {
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
    humantime::format_rfc3339_seconds(time).to_string()
}

/// One line (and its error) for a queued closure.
fn print_closure(closure: &QueuedClosure) {
    let at = match (closure.state, closure.not_before, closure.closed_at) {
        (ClosureState::Queued, Some(t), _) => format!("  not before {}", when(t)),
        (ClosureState::Closed, _, Some(t)) => format!("  at {}", when(t)),
        _ => String::new(),
    };
    println!(
        "{}  {:<9} close {} ({}){at}",
        closure.id,
        closure.state.as_str(),
        closure.name,
        closure.account_id
    );
    if let Some(detail) = &closure.detail {
        println!("    {detail}");
    }
    if let Some(error) = &closure.error {
        println!("    {}: {}", error.code, error.message);
    }
}

pub fn jobs(args: JobsArgs) -> anyhow::Result<()> {
    match args.command {
        None => {
            let Some(data) = answer::<JobsData>(Request::JobsList, &None, args.json)? else {
                return Ok(());
            };
            if data.jobs.is_empty() && data.closures.is_empty() {
                outln!("no provisioning jobs");
            }
            for job in &data.jobs {
                print_job(job, false)?;
            }
            for closure in &data.closures {
                print_closure(closure);
            }
            Ok(())
        }
        Some(JobsCommand::Show { id, json }) => {
            let reply = crate::cli::ask(Request::JobStatus(JobIdParams { job: id }))?;
            let job: Job = reply.into_result()?;
            print_job(&job, json)?;
            if !json {
                for record in &job.steps {
                    outln!(
                        "  {:<9} {}{}",
                        record.state.as_str(),
                        record.step.as_str(),
                        record
                            .detail
                            .as_deref()
                            .map(|d| format!(": {d}"))
                            .unwrap_or_default()
                    );
                }
            }
            Ok(())
        }
        Some(JobsCommand::Watch { id, json }) => follow(&id, json),
        Some(JobsCommand::Resume { id, json }) => {
            // The job's profile, so that a missing MFA session can be asked for.
            let job: Job = crate::cli::ask(Request::JobStatus(JobIdParams { job: id.clone() }))?
                .into_result()?;
            let request = Request::JobsResume(JobIdParams { job: id });
            let Some(job) = answer::<Job>(request, &Some(job.profile), false)? else {
                return Ok(());
            };
            if !json {
                outln!("job {} resumed", job.id);
            }
            follow(&job.id, json)
        }
        Some(JobsCommand::Cancel { id, json }) if id.starts_with('c') => {
            let request = Request::JobsCancel(JobIdParams { job: id });
            let Some(closure) = answer::<QueuedClosure>(request, &None, json)? else {
                return Ok(());
            };
            print_closure(&closure);
            Ok(())
        }
        Some(JobsCommand::Cancel { id, json }) => {
            let job: Job =
                crate::cli::ask(Request::JobsCancel(JobIdParams { job: id }))?.into_result()?;
            print_job(&job, json)
        }
        Some(JobsCommand::Prune {
            older_than,
            dry_run,
            json,
        }) => prune(older_than, dry_run, json),
    }
}

fn prune(older_than: std::time::Duration, dry_run: bool, json: bool) -> anyhow::Result<()> {
    let request = Request::JobsPrune(JobsPruneParams {
        older_than_secs: Some(older_than.as_secs()),
        dry_run,
    });
    let Some(data) = answer::<JobsPruneData>(request, &None, json)? else {
        return Ok(());
    };
    let age = humantime::format_duration(std::time::Duration::from_secs(data.older_than_secs));
    let verb = if data.dry_run {
        "would remove"
    } else {
        "removed"
    };
    if data.pruned.is_empty() {
        outln!("nothing ended more than {age} ago");
    }
    for entry in &data.pruned {
        outln!(
            "{verb} {}  {:<9} {}  ended {}",
            entry.id,
            entry.state,
            entry.name,
            when(entry.ended_at)
        );
    }
    outln!(
        "{} {}; {} kept",
        crate::cli::output::count(data.pruned.len(), "journal", "journals"),
        if data.dry_run {
            "would be removed"
        } else {
            "removed"
        },
        data.kept
    );
    for problem in &data.not_removed {
        eprintln!("not removed: {problem}");
    }
    if !data.not_removed.is_empty() {
        bail!("{} journals could not be removed", data.not_removed.len());
    }
    Ok(())
}
