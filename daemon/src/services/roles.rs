//! `roles.list` and `roles.import`: the targets the signed-in user may switch to.
//!
//! Gathers the inputs (the user's IAM policies and boundary, the organization's accounts
//! from [`crate::services::accounts`], the roles in `~/.aws/config`, the profile's imported AWS
//! Extend Switch Roles configuration) and leaves the deciding to
//! [`switchyard_shared::targets`]. A user who may not read their own policies still gets
//! the listed roles, marked undecided, and a notice saying why. Without a stored key (or
//! asked for `lists_only`) the answer comes from the lists alone, each target left to the
//! console session it is switched from (`console`), and the keyring is not touched for a
//! profile that has no settings (so none can be stored).

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use switchyard_shared::imports::{parse_aws_config, read_extend_switch_roles, Parsed};
use switchyard_shared::policy::{Context, Policy};
use switchyard_shared::protocol::aws::AccountsListParams;
use switchyard_shared::protocol::roles::SsoRoleRef;
use switchyard_shared::protocol::roles::{
    self, ListSource, ListedRoleSummary, RolesData, RolesImportData, RolesImportParams,
    RolesListParams, RolesSourcesData, TargetSource,
};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::targets::{self, GrantedRole, Inputs, ListedRole, TeamLook};
use switchyard_shared::team;

use crate::aws::{iam_policies, identity, mfa};
use crate::services::accounts::{self, AccountsCache};
use crate::services::session::{self, now, Sessions, SignedIn};
use crate::system::config::Profile;

/// Where a profile's imported configuration is kept (beside `config.toml`).
pub fn import_path(profile: &str) -> PathBuf {
    let config = crate::system::config::path();
    config
        .parent()
        .map(|dir| dir.join("imports"))
        .unwrap_or_else(|| PathBuf::from("imports"))
        .join(format!("{profile}.aesr"))
}

/// `~/.aws/config`, or `$AWS_CONFIG_FILE`.
fn aws_config_path() -> Option<PathBuf> {
    std::env::var_os("AWS_CONFIG_FILE")
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".aws/config")))
}

type Parser = fn(&str) -> Parsed;

/// `~/.aws/config` read as [`Parsed`] (it has no remarks).
fn aws_config(text: &str) -> Parsed {
    let (roles, skipped) = parse_aws_config(text);
    Parsed {
        roles,
        skipped,
        remarks: Vec::new(),
    }
}

/// The hand-written lists a profile reads: `~/.aws/config` and its import.
fn list_files(profile: &str) -> [(TargetSource, Option<PathBuf>, Parser); 2] {
    [
        (TargetSource::AwsConfig, aws_config_path(), aws_config),
        (
            TargetSource::Imported,
            Some(import_path(profile)),
            read_extend_switch_roles,
        ),
    ]
}

/// Answer `roles.sources`: what each hand-written list gives the profile, and what was
/// skipped in it and why (the options page's import report).
pub fn sources(
    cache: &AccountsCache,
    profile: Option<String>,
) -> Result<RolesSourcesData, ErrorBody> {
    let (profile, settings) = session::settings(profile)?;
    let team = accounts::cached(cache, &profile, &settings)
        .map(|file| team::team_accounts(file.accounts()))
        .unwrap_or_default();
    let sources = list_files(&profile)
        .into_iter()
        .filter_map(|(source, path, parse)| {
            let path = path?;
            let mut report = ListSource {
                source,
                path: path.display().to_string(),
                found: false,
                problem: None,
                roles: Vec::new(),
                skipped: Vec::new(),
                remarks: Vec::new(),
            };
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    let parsed = parse(&text);
                    report.found = true;
                    report.remarks = parsed.remarks;
                    report.roles = parsed
                        .roles
                        .into_iter()
                        .map(|role| ListedRoleSummary {
                            role_arn: role.role_arn,
                            label: role.label,
                            color: role.color,
                        })
                        .collect();
                    report.skipped = parsed.skipped;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    report.found = true;
                    report.problem = Some(format!("cannot read it: {e}"));
                }
            }
            Some(report)
        })
        .collect();
    Ok(RolesSourcesData {
        profile,
        sources,
        team,
    })
}

/// The roles the user lists: `~/.aws/config` and the profile's import (missing files are
/// empty lists; an unreadable file becomes a notice). What a list skips is not repeated
/// here on every reading: the import's reply and `roles.sources` report it.
fn listed_roles(profile: &str, notices: &mut Vec<String>) -> Vec<ListedRole> {
    let mut listed = Vec::new();
    for (_, path, parse) in list_files(profile) {
        let Some(path) = path else { continue };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                notices.push(format!("cannot read {}: {e}", path.display()));
                continue;
            }
        };
        listed.extend(parse(&text).roles);
    }
    listed
}

/// Whether a key may be stored for `profile`: every way of storing one (`switchyard
/// credentials add`, `users create --store-profile`, rotation) also writes the profile's
/// settings, so a profile the settings file does not name has none, and the keyring is
/// not touched for it (it may not even be running).
fn key_may_be_stored(profile: &str) -> Result<bool, ErrorBody> {
    let config = crate::system::config::load(&crate::system::config::path())
        .map_err(|e| ErrorBody::new(ErrorCode::InvalidParams, e.to_string()))?;
    Ok(config.profiles.contains_key(profile))
}

/// The reason a target of a list carries when no policies decide it.
fn no_key_reason(profile: &str) -> String {
    format!(
        "no key is stored for profile {profile:?}: the role comes from your list and the \
         console session you switch from decides"
    )
}

/// The organization's names and the team's looks as this daemon last read them (from
/// the accounts cache: no AWS call, no keyring), for an answer from the lists alone.
fn cached_names(
    cache: &AccountsCache,
    profile: &str,
    settings: &Profile,
) -> (BTreeMap<String, String>, BTreeMap<String, TeamLook>) {
    let Some(file) = accounts::cached(cache, profile, settings) else {
        return Default::default();
    };
    let names = file
        .accounts()
        .iter()
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect();
    let looks = team::looks(file.accounts())
        .iter()
        .map(|(id, look)| (id.clone(), look.into()))
        .collect();
    (names, looks)
}

/// What IAM Identity Center adds: the roles the signed-in sessions grant (not for a
/// `lists_only` answer, which calls nothing), and the `sso_*` profiles of
/// `~/.aws/config` that listed targets chain from.
struct FromIdentityCenter {
    granted: Vec<GrantedRole>,
    profiles: BTreeMap<String, SsoRoleRef>,
    /// A session is signed in: a `lists_only` answer is then partial (the portal's roles
    /// follow in the whole answer).
    signed_in: bool,
}

async fn from_identity_center(
    sessions: &Sessions,
    lists_only: bool,
    notices: &mut Vec<String>,
) -> FromIdentityCenter {
    let config = crate::services::sso::aws_config();
    let profiles = config
        .profiles
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                SsoRoleRef {
                    session: p.session.clone(),
                    account_id: p.account_id.clone(),
                    role_name: p.role_name.clone(),
                },
            )
        })
        .collect();
    let granted = if lists_only {
        Vec::new()
    } else {
        sessions.sso.granted_everywhere(notices).await
    };
    let signed_in = !granted.is_empty() || (lists_only && sessions.sso.any_signed_in().await);
    FromIdentityCenter {
        granted,
        profiles,
        signed_in,
    }
}

/// Why the profile's policies were not read, and whether they may be later (`partial`).
struct Unread {
    reason: String,
    partial: bool,
}

/// The answer from the hand-written lists alone, each target left to the console (and
/// the roles Identity Center grants, allowed); the organization's names and the team's
/// looks as last read, when they were.
fn from_lists(
    profile: String,
    settings: &Profile,
    cache: &AccountsCache,
    listed: Vec<ListedRole>,
    unread: Unread,
    identity_center: FromIdentityCenter,
    mut notices: Vec<String>,
) -> RolesData {
    let Unread { reason, partial } = unread;
    let (accounts, team) = cached_names(cache, &profile, settings);
    let inputs = Inputs {
        partition: settings.partition.clone(),
        listed,
        console: Some(reason),
        accounts,
        team,
        identity_center: identity_center.granted,
        sso_profiles: identity_center.profiles,
        ..Inputs::default()
    };
    let all = targets::decide(&inputs, &Context::new());
    if all.is_empty() && !partial {
        notices.push(format!(
            "no key is stored for profile {profile:?} and no list names a role; import an \
             AWS Extend Switch Roles configuration (`switchyard roles import FILE`) or add \
             role profiles to ~/.aws/config"
        ));
    }
    RolesData {
        profile,
        hidden: 0,
        total: all.len(),
        targets: all,
        notices,
        next_offset: None,
        reading: None,
        partial,
    }
}

/// What is known of an `sts:AssumeRole` request made now with these credentials.
pub(crate) fn context(
    signed: &SignedIn,
    caller: &identity::Caller,
    user: Option<&str>,
    tags: &[(String, String)],
) -> Context {
    let mut context = Context::new()
        .with("aws:PrincipalArn", &caller.arn)
        .with("aws:PrincipalAccount", &caller.account_id)
        .with("aws:userid", &caller.user_id)
        .with("aws:SecureTransport", "true")
        .with("aws:PrincipalIsAWSService", "false")
        .with("aws:ViaAWSService", "false")
        .with("aws:EpochTime", &now().to_string())
        .with(
            "aws:CurrentTime",
            &humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        );
    if let Some(user) = user {
        context.insert("aws:username", user);
        context.insert("aws:PrincipalType", "User");
    }
    for (key, value) in tags {
        context.insert(&format!("aws:PrincipalTag/{key}"), value);
    }
    if signed.mfa.session_expires_at.is_some() {
        context.insert("aws:MultiFactorAuthPresent", "true");
    } else {
        // Long-term keys carry no MFA keys at all.
        context.set_absent("aws:MultiFactorAuthPresent");
        context.set_absent("aws:MultiFactorAuthAge");
    }
    context
}

/// The paged readings of `roles.list`: a first page (offset 0, no `reading`) reads the
/// whole list, keeps it under a new reading id and answers its first page; each later
/// page names that id and is cut from the same list, so a reading's pages agree with each
/// other whatever other readers ask meanwhile, and thousands of targets are decided once
/// per reading.
#[derive(Debug, Default)]
pub struct Pages {
    readings: Mutex<HashMap<String, Reading>>,
}

#[derive(Debug)]
struct Reading {
    /// The profile as asked (`None` for the default), `all` and `lists_only`: the
    /// reading's request.
    profile: Option<String>,
    all: bool,
    lists_only: bool,
    /// When a page of it was last answered.
    used: Instant,
    whole: RolesData,
}

/// How long a reading is kept after its last page was answered.
const PAGES_TTL: Duration = Duration::from_secs(60);
/// At most this many readings are kept (the least recently used goes first): a reading
/// of 10,000 targets takes a few MiB.
const MAX_READINGS: usize = 8;

fn reading_expired(id: &str) -> ErrorBody {
    ErrorBody::new(
        ErrorCode::ReadingExpired,
        format!(
            "roles.list reading {id:?} is unknown or expired (a reading is kept {} s after its \
             last page): read again from the first page, without `reading`",
            PAGES_TTL.as_secs()
        ),
    )
}

/// A new reading's id: random, so one from before a daemon restart names nothing.
fn new_reading_id() -> Result<String, ErrorBody> {
    let mut bytes = [0u8; 12];
    getrandom::getrandom(&mut bytes).map_err(|e| {
        ErrorBody::new(
            ErrorCode::Internal,
            format!("no random numbers for a reading id: {e}"),
        )
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl Pages {
    /// Keep `whole` as a new reading and answer its page `params` asks for.
    fn start(&self, params: &RolesListParams, whole: RolesData) -> Result<RolesData, ErrorBody> {
        let id = new_reading_id()?;
        let page = RolesData {
            reading: Some(id.clone()),
            ..page_of(whole.clone(), params)
        };
        let mut readings = self.readings.lock().unwrap_or_else(|p| p.into_inner());
        readings.retain(|_, r| r.used.elapsed() < PAGES_TTL);
        while readings.len() >= MAX_READINGS {
            let Some(oldest) = readings
                .iter()
                .min_by_key(|(_, r)| r.used)
                .map(|(id, _)| id.clone())
            else {
                break;
            };
            readings.remove(&oldest);
        }
        readings.insert(
            id,
            Reading {
                profile: params.profile.clone(),
                all: params.all,
                lists_only: params.lists_only,
                used: Instant::now(),
                whole,
            },
        );
        Ok(page)
    }

    /// The page `params` asks for of the reading it names.
    fn page(&self, params: &RolesListParams, id: &str) -> Result<RolesData, ErrorBody> {
        let mut readings = self.readings.lock().unwrap_or_else(|p| p.into_inner());
        let reading = match readings.get_mut(id) {
            Some(reading) if reading.used.elapsed() < PAGES_TTL => reading,
            _ => {
                readings.remove(id);
                return Err(reading_expired(id));
            }
        };
        if reading.profile != params.profile
            || reading.all != params.all
            || reading.lists_only != params.lists_only
        {
            return Err(ErrorBody::new(
                ErrorCode::InvalidParams,
                format!(
                    "roles.list reading {id:?} was asked with another profile, `all` or `lists_only`; a \
                     later page repeats its first page's parameters"
                ),
            ));
        }
        reading.used = Instant::now();
        Ok(RolesData {
            reading: Some(id.to_owned()),
            ..page_of(reading.whole.clone(), params)
        })
    }
}

fn page_of(mut whole: RolesData, params: &RolesListParams) -> RolesData {
    let (targets, next_offset) = roles::page(std::mem::take(&mut whole.targets), params);
    RolesData {
        targets,
        next_offset,
        ..whole
    }
}

/// Answer `roles.list`: the whole list, or the page `params` asks for: a first page
/// starts a new reading, a later one names its reading ([`Pages`]).
pub async fn list(
    cache: &Arc<AccountsCache>,
    sessions: &Arc<Sessions>,
    pages: &Pages,
    params: RolesListParams,
) -> Result<RolesData, ErrorBody> {
    if params.page_bytes.is_none() {
        return Ok(page_of(read_all(cache, sessions, &params).await?, &params));
    }
    if let Some(id) = &params.reading {
        return pages.page(&params, id);
    }
    if params.offset > 0 {
        return Err(ErrorBody::new(
            ErrorCode::InvalidParams,
            "a later page of roles.list (offset past 0) names its reading: send the \
             `reading` of the first page's reply",
        ));
    }
    let whole = read_all(cache, sessions, &params).await?;
    pages.start(&params, whole)
}

/// Every target of `roles.list`: from the lists alone when asked (`lists_only`) or when
/// no key is stored for the profile (never touching the keyring then); else decided now
/// against the profile's policies, with the organization's and the policies' targets.
async fn read_all(
    cache: &Arc<AccountsCache>,
    sessions: &Arc<Sessions>,
    params: &RolesListParams,
) -> Result<RolesData, ErrorBody> {
    let (profile, settings) = session::settings(params.profile.clone())?;
    let mut notices = Vec::new();
    let listed = listed_roles(&profile, &mut notices);
    let identity_center = from_identity_center(sessions, params.lists_only, &mut notices).await;
    let may_have_key =
        key_may_be_stored(&profile)? || crate::services::sso::profile(&profile).is_some();
    if !may_have_key {
        let reason = no_key_reason(&profile);
        let partial = params.lists_only && identity_center.signed_in;
        return Ok(from_lists(
            profile,
            &settings,
            cache,
            listed,
            Unread { reason, partial },
            identity_center,
            notices,
        ));
    }
    if params.lists_only {
        let reason = "from your list; decided once the profile's policies are read".to_owned();
        return Ok(from_lists(
            profile,
            &settings,
            cache,
            listed,
            Unread {
                reason,
                partial: true,
            },
            identity_center,
            notices,
        ));
    }
    let signed = match sessions.sign_in(Some(profile.clone())).await {
        Ok(signed) => signed,
        Err(e) if e.code == ErrorCode::CredentialsMissing => {
            let reason = no_key_reason(&profile);
            return Ok(from_lists(
                profile,
                &settings,
                cache,
                listed,
                Unread {
                    reason,
                    partial: false,
                },
                identity_center,
                notices,
            ));
        }
        // The profile's policies cannot be read now: the lists, left to the console
        // session, with the reason as a notice.
        Err(e)
            if matches!(
                e.code,
                ErrorCode::SsoLoginRequired | ErrorCode::KeyringUnavailable
            ) =>
        {
            notices.push(format!(
                "{}; until then the roles from your lists are shown, left to the console \
                 session",
                e.message
            ));
            let reason = if e.code == ErrorCode::SsoLoginRequired {
                format!(
                    "profile {profile:?} signs in through IAM Identity Center, which is signed \
                     out: the console session you switch from decides"
                )
            } else {
                format!(
                    "the keyring could not be read, so profile {profile:?}'s policies were \
                     not: the console session you switch from decides"
                )
            };
            return Ok(from_lists(
                profile,
                &settings,
                cache,
                listed,
                Unread {
                    reason,
                    partial: false,
                },
                identity_center,
                notices,
            ));
        }
        Err(e) => return Err(e),
    };
    // Whose policies: the key's IAM user (the same user an MFA session acts as).
    let caller = identity::caller(&signed.long_term)
        .await
        .map_err(|e| signed.explain(sessions, e))?;

    let accounts_params = AccountsListParams {
        profile: Some(signed.profile.clone()),
        refresh: false,
    };
    let (accounts, team) = match accounts::list(cache, sessions, accounts_params).await {
        Ok(answer) => {
            let data = answer.data();
            if let Some(notice) = &data.notice {
                notices.push(notice.clone());
            }
            let names = data
                .accounts
                .iter()
                .map(|a| (a.id.clone(), a.name.clone()))
                .collect();
            let looks = team::looks(&data.accounts)
                .iter()
                .map(|(id, look)| (id.clone(), look.into()))
                .collect();
            (names, looks)
        }
        Err(e) => {
            notices.push(format!(
                "the organization's accounts are unknown: {}",
                e.message
            ));
            Default::default()
        }
    };

    let user = mfa::user_name(&caller.arn);
    let mut inputs = Inputs {
        partition: caller.arn.split(':').nth(1).unwrap_or("aws").to_owned(),
        accounts,
        team,
        listed,
        identity_center: identity_center.granted,
        sso_profiles: identity_center.profiles,
        ..Inputs::default()
    };
    let mut tags = Vec::new();
    match user {
        Some(user) => match iam_policies::gather(&signed.sdk, user).await {
            Ok((gathered, via)) => {
                tracing::debug!(?via, "read the user's policies");
                inputs.policies = parse_all(&gathered.identity, &mut notices);
                inputs.boundary = gathered
                    .boundary
                    .as_ref()
                    .map(|b| parse_all(std::slice::from_ref(b), &mut notices));
                inputs.policies_known = true;
                tags = gathered.tags.into_iter().collect();
            }
            Err(e) if e.code == ErrorCode::AccessDenied => notices.push(format!(
                "{} may not read its own IAM policies ({}); the roles from your lists are \
                 shown undecided",
                caller.arn, e.message
            )),
            // IAM answered, but not with the policies (e.g. NoSuchEntity): still useful to
            // show the lists, and to say why they are undecided.
            Err(e) if e.code == ErrorCode::AwsFailed => notices.push(format!(
                "{}'s IAM policies could not be read ({}); the roles from your lists are \
                 shown undecided",
                caller.arn, e.message
            )),
            Err(e) => return Err(signed.explain(sessions, e)),
        },
        None => notices.push(format!(
            "{} is not an IAM user, so its policies are not read; the roles from your lists \
             are shown undecided",
            caller.arn
        )),
    }
    let context = context(&signed, &caller, user, &tags);
    let mut all = targets::decide(&inputs, &context);
    let before = all.len();
    if !params.all {
        all.retain(targets::is_shown);
    }
    if all.is_empty() && inputs.policies_known {
        notices.push(format!(
            "none of {}'s policies allows sts:AssumeRole on a role Switchyard knows of; \
             import a list of roles (`switchyard roles import`) or ask an administrator",
            caller.arn
        ));
    }
    Ok(RolesData {
        profile: signed.profile,
        hidden: before - all.len(),
        total: all.len(),
        targets: all,
        notices,
        next_offset: None,
        reading: None,
        partial: false,
    })
}

/// Parse documents; one that does not parse is left out with a notice (IAM accepted it,
/// so this is Switchyard's gap, and the user should know the list may be incomplete).
pub(crate) fn parse_all(
    documents: &[iam_policies::NamedDocument],
    notices: &mut Vec<String>,
) -> Vec<Policy> {
    documents
        .iter()
        .filter_map(|d| match Policy::parse(&d.name, &d.document) {
            Ok(policy) => Some(policy),
            Err(e) => {
                notices.push(format!(
                    "policy {} was not understood and is left out: {e}",
                    d.name
                ));
                None
            }
        })
        .collect()
}

/// Answer `roles.import`: check the configuration, then keep it as the profile's import
/// (replacing the previous one) when anything in it is usable.
pub fn import(params: RolesImportParams) -> Result<RolesImportData, ErrorBody> {
    let (profile, _) = session::settings(params.profile)?;
    let Parsed {
        roles,
        skipped,
        remarks,
    } = read_extend_switch_roles(&params.text);
    if !roles.is_empty() {
        let path = import_path(&profile);
        // imports/ 0700 and the file 0600: the user's alone, like the config.
        crate::system::config::write_private(&path, params.text.as_bytes()).map_err(|e| {
            ErrorBody::new(
                ErrorCode::Internal,
                format!("cannot keep the import in {}: {e}", path.display()),
            )
        })?;
    }
    Ok(RolesImportData {
        profile,
        imported: roles.len(),
        skipped,
        remarks,
    })
}
