//! `switchyard users list | create | remove`: IAM users in the profile's account or, with
//! `--account`, in a member account through its cross-account role. `create` prints the
//! hand-over (sign-in URL, user name, password, access key) once; Switchyard keeps none of
//! it (or, with `--store-profile`, the key goes straight into the keyring).

use anyhow::bail;
use switchyard_shared::protocol::users::{
    MfaEnableData, MfaEnableParams, MfaSetupData, MfaSetupParams, RoleSource, Tag, UserSummary,
    UsersCreateData, UsersCreateParams, UsersListData, UsersRemoveData, UsersRemoveParams,
    UsersTarget, ViaRole,
};
use switchyard_shared::protocol::Request;

use crate::cli::aws::answer;
use crate::cli::prompt::prompt;

/// Where the command acts.
#[derive(clap::Args)]
pub struct Where {
    /// The admin's credentials profile.
    #[arg(long)]
    profile: Option<String>,
    /// Act in this member account (12 digits) by assuming its cross-account role.
    #[arg(long, value_name = "ACCOUNT_ID")]
    account: Option<String>,
    /// The role assumed in --account (default: the role Switchyard made for the account,
    /// from its job or the account's switchyard-role tag, else OrganizationAccountAccessRole).
    #[arg(long, requires = "account")]
    role: Option<String>,
    /// Print the protocol reply as JSON (for `create`: with the one-time secrets).
    #[arg(long)]
    json: bool,
}

impl Where {
    fn target(&self) -> UsersTarget {
        UsersTarget {
            profile: self.profile.clone(),
            account_id: self.account.clone(),
            role_name: self.role.clone(),
        }
    }
}

#[derive(clap::Subcommand)]
pub enum Command {
    /// The account's users: groups, policies, console password, access keys (masked, with
    /// age and last use) and MFA devices.
    List {
        #[command(flatten)]
        at: Where,
    },
    /// Create a user with console access (a password to change at first sign-in),
    /// programmatic access (an access key), or both.
    Create {
        /// The user name (1 to 64 letters, digits and +=,.@_-).
        name: String,
        /// Console access: a generated password that meets the account's password policy.
        #[arg(long)]
        console: bool,
        /// Read the console password from standard input (a hidden prompt on a terminal)
        /// instead of generating one; it is checked against the account's policy.
        #[arg(long, requires = "console")]
        password_stdin: bool,
        /// Programmatic access: an access key.
        #[arg(long)]
        api: bool,
        /// Add the user to this existing group (repeatable).
        #[arg(long = "group", value_name = "GROUP")]
        groups: Vec<String>,
        /// Attach this managed policy (repeatable).
        #[arg(long = "policy", value_name = "POLICY_ARN")]
        policies: Vec<String>,
        /// Tag the user (repeatable).
        #[arg(long = "tag", value_name = "KEY=VALUE")]
        tags: Vec<String>,
        /// Store the new access key in the keyring as this profile instead of printing it.
        #[arg(long, requires = "api", value_name = "PROFILE")]
        store_profile: Option<String>,
        #[command(flatten)]
        at: Where,
    },
    /// Set up a virtual MFA device for the IAM user you sign in as: shows the seed and
    /// the otpauth URI once, asks for two consecutive codes, enables the device and makes
    /// it the profile's MFA device.
    Mfa {
        #[arg(long)]
        profile: Option<String>,
        /// The device's name in IAM (your user name when absent).
        #[arg(long)]
        device_name: Option<String>,
    },
    /// Delete a user and everything IAM wants gone first (console password, access keys,
    /// MFA devices, group memberships, policies).
    Remove {
        name: String,
        /// The user name again, to confirm.
        #[arg(long)]
        confirm: String,
        /// Needed to remove the IAM user this profile itself signs in as (its key stops
        /// working).
        #[arg(long)]
        allow_self: bool,
        #[command(flatten)]
        at: Where,
    },
}

pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::List { at } => list(&at),
        Command::Create {
            name,
            console,
            password_stdin,
            api,
            groups,
            policies,
            tags,
            store_profile,
            at,
        } => {
            let tags = tags
                .iter()
                .map(|t| Tag::parse(t))
                .collect::<Result<Vec<_>, _>>()
                .map_err(anyhow::Error::msg)?;
            let password = if password_stdin {
                Some(prompt("Console password: ", true)?)
            } else {
                None
            };
            let target = at.target();
            let params = UsersCreateParams {
                profile: target.profile,
                account_id: target.account_id,
                role_name: target.role_name,
                user_name: name,
                console,
                password,
                api,
                groups,
                policies,
                tags,
                store_profile,
            };
            create(params, &at)
        }
        Command::Mfa {
            profile,
            device_name,
        } => mfa(profile, device_name),
        Command::Remove {
            name,
            confirm,
            allow_self,
            at,
        } => {
            let target = at.target();
            if allow_self {
                eprintln!(
                    "warning: --allow-self: if {name} is the user this profile signs in as, \
                     its key stops working once the user is gone"
                );
            }
            let request = Request::UsersRemove(UsersRemoveParams {
                profile: target.profile,
                account_id: target.account_id,
                role_name: target.role_name,
                user_name: name,
                confirm,
                allow_self,
            });
            let Some(done) = answer::<UsersRemoveData>(request, &at.profile, at.json)? else {
                return Ok(());
            };
            print_via(&done.via_role);
            for what in &done.removed {
                outln!("removed {what}");
            }
            outln!(
                "user {} is gone from account {}",
                done.user_name,
                done.account_id
            );
            for warning in &done.warnings {
                eprintln!("warning: {warning}");
            }
            Ok(())
        }
    }
}

fn list(at: &Where) -> anyhow::Result<()> {
    let request = Request::UsersList(at.target());
    let Some(data) = answer::<UsersListData>(request, &at.profile, at.json)? else {
        return Ok(());
    };
    print_via(&data.via_role);
    outln!("# account {}: {} users", data.account_id, data.users.len());
    let now = switchyard_daemon::services::session::now();
    for user in &data.users {
        print_user(user, now)?;
    }
    Ok(())
}

/// Which role was assumed in a member account, and how it was chosen.
fn print_via(via: &Option<ViaRole>) {
    let Some(via) = via else { return };
    let how = match (via.source, &via.job) {
        (RoleSource::Given, _) => "as asked".to_owned(),
        (RoleSource::Job, Some(job)) => format!("made by job {job}"),
        (RoleSource::Job, None) => "made by a job".to_owned(),
        (RoleSource::Tag, _) => "from the account's switchyard-role tag".to_owned(),
        (RoleSource::Default, _) => "Organizations' default".to_owned(),
    };
    println!("# through {} ({how})", via.arn);
}

fn days(now: u64, then: Option<u64>) -> String {
    match then {
        Some(then) => format!("{} days", now.saturating_sub(then) / 86_400),
        None => "-".to_owned(),
    }
}

fn print_user(user: &UserSummary, now: u64) -> anyhow::Result<()> {
    let list = |items: &[String]| {
        if items.is_empty() {
            "-".to_owned()
        } else {
            items.join(", ")
        }
    };
    outln!("{}", user.user_name);
    outln!(
        "  console password: {}",
        if user.console_password { "yes" } else { "no" }
    );
    outln!("  groups:           {}", list(&user.groups));
    outln!("  policies:         {}", list(&user.attached_policies));
    if !user.inline_policies.is_empty() {
        outln!("  inline policies:  {}", list(&user.inline_policies));
    }
    outln!("  MFA devices:      {}", list(&user.mfa_devices));
    if user.access_keys.is_empty() {
        outln!("  access keys:      -");
    }
    for key in &user.access_keys {
        let used = match (key.last_used_at, &key.last_used_service) {
            (Some(_), Some(service)) => format!("{} ago ({service})", days(now, key.last_used_at)),
            (Some(_), None) => format!("{} ago", days(now, key.last_used_at)),
            (None, _) => "never".to_owned(),
        };
        outln!(
            "  access key:       {} {}, {} old, last used {used}",
            key.access_key_id,
            key.status,
            days(now, key.created_at)
        );
    }
    Ok(())
}

fn create(params: UsersCreateParams, at: &Where) -> anyhow::Result<()> {
    if !params.console && !params.api {
        bail!("choose --console, --api or both");
    }
    let request = Request::UsersCreate(params);
    let Some(made) = answer::<UsersCreateData>(request, &at.profile, at.json)? else {
        return Ok(());
    };
    print_via(&made.via_role);
    outln!("created {} in account {}", made.arn, made.account_id);
    for group in &made.groups {
        outln!("  in group {group}");
    }
    for policy in &made.policies {
        outln!("  with policy {policy}");
    }
    outln!();
    // An API-only user has no console sign-in: no URL to hand over.
    if made.password.is_some() {
        outln!("Sign-in URL:  {}", made.signin_url);
    }
    outln!("User name:    {}", made.user_name);
    if let Some(password) = &made.password {
        outln!("Password:     {password}  (to be changed at first sign-in)");
    }
    if let Some(key) = &made.access_key {
        outln!("Access key:   {}", key.access_key_id);
        outln!("Secret key:   {}", key.secret_access_key);
    }
    if let Some(profile) = &made.stored_profile {
        outln!("Access key:   stored in the keyring as profile {profile}");
    }
    if made.password.is_some() || made.access_key.is_some() {
        eprintln!(
            "\nThis is the only time these secrets are shown: Switchyard keeps none of them. \
             Hand them over now."
        );
    }
    Ok(())
}

fn mfa(profile: Option<String>, device_name: Option<String>) -> anyhow::Result<()> {
    let request = Request::MfaSetup(MfaSetupParams {
        profile: profile.clone(),
        device_name,
    });
    let Some(device) = answer::<MfaSetupData>(request, &profile, false)? else {
        return Ok(());
    };
    outln!("New MFA device {} for {}", device.serial, device.user_name);
    outln!("Add it to your authenticator app (shown once, kept nowhere):");
    outln!("  secret key:  {}", device.seed);
    outln!("  otpauth URI: {}", device.otpauth_uri);
    let code1 = code_line("First code from the app: ")?;
    let code2 = code_line("The next code (wait for it to change): ")?;
    let request = Request::MfaEnable(MfaEnableParams {
        profile: profile.clone(),
        serial: device.serial,
        code1,
        code2,
    });
    let Some(enabled) = answer::<MfaEnableData>(request, &profile, false)? else {
        return Ok(());
    };
    outln!(
        "MFA device {} enabled; profile {} now asks for a code (`switchyard mfa`)",
        enabled.serial,
        enabled.profile
    );
    Ok(())
}

/// One line: a prompt on a terminal, else the next line of stdin (read through the
/// process's own stdin buffer, so a second call gets the second line).
fn code_line(question: &str) -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    if std::io::stdin().is_terminal() {
        return prompt(question, false);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    if line.trim().is_empty() {
        bail!(
            "expected {} on standard input; the device stays unused until it is enabled \
             (run this again)",
            question.trim_end_matches([':', ' '])
        );
    }
    Ok(line.trim().to_owned())
}
