//! `accounts.list`: the organization's accounts, cached on disk per profile and served
//! stale-while-revalidate: a fresh cache answers at once; a stale one answers at once too
//! while one background refresh per profile asks AWS; no cache (or `refresh`) asks AWS now.
//!
//! Tags cost one call per account, so they are read after the list is answered, by a
//! background task that adds them to the cache; until then an account keeps the tags
//! the previous list had for it.
//!
//! The cache holds no secrets (ids, names, e-mails, tags) and lives in the state dir,
//! `accounts/<profile>.json`, written through a temporary file. The daemon keeps the last
//! file it read in memory and reads it again only when its modification time changes.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use switchyard_shared::protocol::aws::{
    Account, AccountsData, AccountsListParams, AccountsSetData, AccountsSetParams, AccountsSource,
};
use switchyard_shared::protocol::{ErrorBody, ErrorCode};
use switchyard_shared::provision::is_account_id;
use switchyard_shared::team::{self, ConsoleColor, TAG_COLOR, TAG_NAME, TAG_ROLES};
use switchyard_shared::users::DEFAULT_MEMBER_ROLE;

use crate::aws::{identity, organizations, uxc};
use crate::services::session::{self, now, Sessions, SignedIn};
use crate::system::config::Profile;

/// How long a list counts as fresh when the profile does not say.
pub const DEFAULT_TTL_SECS: u64 = 900;

/// One profile's cached list and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheFile {
    /// The AWS the list came from; a cache made against another endpoint is ignored.
    scope: String,
    data: AccountsData,
}

impl CacheFile {
    /// The accounts of the cached list.
    pub fn accounts(&self) -> &[Account] {
        &self.data.accounts
    }
}

/// The on-disk cache, its in-memory copy, and the set of refreshes in flight.
#[derive(Debug)]
pub struct AccountsCache {
    dir: PathBuf,
    refreshing: Mutex<HashSet<String>>,
    memory: Mutex<HashMap<String, (std::time::SystemTime, Arc<CacheFile>)>>,
    /// The accounts `accounts.set` changed, by (profile, account id), with the tick it
    /// happened at: a tag reading started before must not put the old tags back.
    edits: Mutex<HashMap<(String, String), u64>>,
    /// Ticks for `edits`, and held around each read-modify-write of a cached list.
    ticks: Mutex<u64>,
}

/// Which AWS a profile talks to: its partition and endpoint override.
fn scope(settings: &Profile) -> String {
    let endpoint = settings
        .endpoint_url
        .clone()
        .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
        .unwrap_or_default();
    format!("{}|{endpoint}", settings.partition)
}

/// The cache file of a profile under a state dir (also used by `credentials add`/`remove`
/// to drop a list that belonged to the old key).
pub fn cache_path(state_dir: &Path, profile: &str) -> PathBuf {
    state_dir.join("accounts").join(format!("{profile}.json"))
}

impl AccountsCache {
    pub fn new(state_dir: &Path) -> AccountsCache {
        AccountsCache {
            dir: state_dir.to_owned(),
            refreshing: Mutex::new(HashSet::new()),
            memory: Mutex::new(HashMap::new()),
            edits: Mutex::new(HashMap::new()),
            ticks: Mutex::new(0),
        }
    }

    /// Now, in ticks of this cache (for [`AccountsCache::edited_since`]).
    fn tick(&self) -> u64 {
        let mut ticks = lock(&self.ticks);
        *ticks += 1;
        *ticks
    }

    /// The cached list of `profile` if it was made against `scope`; shared, not copied
    /// (the warm path serializes it straight from memory).
    fn read(&self, profile: &str, scope: &str) -> Option<Arc<CacheFile>> {
        let path = cache_path(&self.dir, profile);
        let Ok(modified) = std::fs::metadata(&path).and_then(|m| m.modified()) else {
            lock(&self.memory).remove(profile);
            return None;
        };
        if let Some((seen, file)) = lock(&self.memory).get(profile) {
            if *seen == modified {
                return (file.scope == scope).then(|| Arc::clone(file));
            }
        }
        let bytes = std::fs::read(&path).ok()?;
        match serde_json::from_slice::<CacheFile>(&bytes) {
            Ok(file) => {
                let file = Arc::new(file);
                lock(&self.memory).insert(profile.to_owned(), (modified, Arc::clone(&file)));
                (file.scope == scope).then_some(file)
            }
            Err(e) => {
                tracing::warn!(profile, "ignoring an unreadable accounts cache: {e}");
                None
            }
        }
    }

    fn write(&self, scope: &str, data: &AccountsData) {
        let path = cache_path(&self.dir, &data.profile);
        let file = CacheFile {
            scope: scope.to_owned(),
            data: data.clone(),
        };
        let result = (|| -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = path.with_extension("json.tmp");
            std::fs::write(&tmp, serde_json::to_vec(&file)?)?;
            std::fs::rename(&tmp, &path)
        })();
        if let Err(e) = result {
            tracing::warn!(path = %path.display(), "cannot write the accounts cache: {e}");
        }
    }

    /// Mark a refresh of `profile` as running; false when one already is.
    fn begin_refresh(&self, profile: &str) -> bool {
        lock(&self.refreshing).insert(profile.to_owned())
    }

    fn end_refresh(&self, profile: &str) {
        lock(&self.refreshing).remove(profile);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// An `accounts.list` answer: the cache's own copy (fresh) or one made for this request.
pub enum Answer {
    Cached(Arc<CacheFile>),
    Made(AccountsData),
}

impl Answer {
    pub fn data(&self) -> &AccountsData {
        match self {
            Answer::Cached(file) => &file.data,
            Answer::Made(data) => data,
        }
    }
}

/// `profile`'s list as this daemon last read it (no AWS call, no keyring): what the
/// hand-written lists and the options page show of the organization's names and the
/// team's tags without asking AWS.
pub fn cached(cache: &AccountsCache, profile: &str, settings: &Profile) -> Option<Arc<CacheFile>> {
    cache.read(profile, &scope(settings))
}

/// Answer `accounts.list`.
pub async fn list(
    cache: &Arc<AccountsCache>,
    sessions: &Arc<Sessions>,
    params: AccountsListParams,
) -> Result<Answer, ErrorBody> {
    let (profile, settings) = session::settings(params.profile)?;
    let scope = scope(&settings);
    let ttl = settings.accounts_cache_ttl_secs.unwrap_or(DEFAULT_TTL_SECS);
    let previous = cache.read(&profile, &scope);
    let cached = if params.refresh {
        None
    } else {
        previous.clone()
    };
    let Some(file) = cached else {
        let signed = sessions.sign_in(Some(profile)).await?;
        let mut data = fetch(&signed)
            .await
            .map_err(|e| signed.explain(sessions, e))?;
        carry_tags(previous.as_deref().map(|f| &f.data), &mut data);
        cache.write(&scope, &data);
        let (cache, fetched) = (Arc::clone(cache), data.clone());
        tokio::spawn(async move { add_tags(&cache, &scope, &signed, fetched).await });
        return Ok(Answer::Made(data));
    };
    if now().saturating_sub(file.data.fetched_at) <= ttl {
        return Ok(Answer::Cached(file));
    }
    let mut data = file.data.clone();
    data.stale = true;
    match sessions.sign_in(Some(profile.clone())).await {
        Ok(signed) => {
            data.refreshing = true;
            if cache.begin_refresh(&profile) {
                let (cache, sessions) = (Arc::clone(cache), Arc::clone(sessions));
                let previous = data.clone();
                tokio::spawn(async move {
                    match fetch(&signed).await {
                        Ok(mut fresh) => {
                            carry_tags(Some(&previous), &mut fresh);
                            cache.write(&scope, &fresh);
                            add_tags(&cache, &scope, &signed, fresh).await;
                        }
                        Err(e) => {
                            let e = signed.explain(&sessions, e);
                            tracing::warn!(profile = %signed.profile, "accounts refresh failed: {e}");
                        }
                    }
                    cache.end_refresh(&signed.profile);
                });
            }
        }
        Err(e) => {
            data.notice = Some(format!(
                "this list is from the cache; to refresh it: {}",
                e.message
            ));
        }
    }
    Ok(Answer::Made(data))
}

/// Keep the tags an account had in the previous list until they are read again.
fn carry_tags(previous: Option<&AccountsData>, data: &mut AccountsData) {
    let Some(previous) = previous else {
        return;
    };
    let known: HashMap<&str, &BTreeMap<String, String>> = previous
        .accounts
        .iter()
        .filter_map(|a| Some((a.id.as_str(), a.tags.as_ref()?)))
        .collect();
    let colors: HashMap<&str, &String> = previous
        .accounts
        .iter()
        .filter_map(|a| Some((a.id.as_str(), a.console_color.as_ref()?)))
        .collect();
    for account in &mut data.accounts {
        if account.tags.is_none() {
            account.tags = known.get(account.id.as_str()).map(|t| (*t).clone());
        }
        if account.console_color.is_none() {
            account.console_color = colors.get(account.id.as_str()).map(|c| (*c).clone());
        }
    }
}

/// Read the accounts' tags and put them into the cache, if the cache still holds the list
/// `fetched` (a newer list gets its own reading). One reading per profile at a time.
async fn add_tags(cache: &AccountsCache, scope: &str, signed: &SignedIn, fetched: AccountsData) {
    if fetched.source != AccountsSource::Organization {
        return;
    }
    let key = format!("{}#tags", fetched.profile);
    if !cache.begin_refresh(&key) {
        return;
    }
    let ids = fetched.accounts.iter().map(|a| a.id.clone()).collect();
    let started = cache.tick();
    let tags = organizations::tags(&signed.sdk, ids).await;
    // Read, change and write the list with no `accounts.set` in between.
    let ticks = lock(&cache.ticks);
    let edits = lock(&cache.edits);
    match cache.read(&fetched.profile, scope).map(|f| f.data.clone()) {
        Some(mut current) if current.fetched_at == fetched.fetched_at => {
            match tags {
                Some(tags) => {
                    for account in &mut current.accounts {
                        // An account set since this reading started keeps what was set.
                        let key = (fetched.profile.clone(), account.id.clone());
                        if edits.get(&key).is_some_and(|&at| at > started) {
                            continue;
                        }
                        account.tags = tags.get(&account.id).cloned();
                    }
                }
                // Not allowed: the tags carried over from the last reading stay, and the
                // list says why names and colors may be old (nobody gets an error for it).
                None if current.notice.is_none() => {
                    current.notice = Some(tags_unreadable_notice(&current));
                }
                None => {}
            }
            cache.write(scope, &current);
        }
        _ => tracing::debug!(profile = %fetched.profile, "a newer list arrived; tags dropped"),
    }
    drop(edits);
    drop(ticks);
    cache.end_refresh(&key);
}

/// Why the team's names and colors may be old or missing: this profile may not read the
/// accounts' tags.
fn tags_unreadable_notice(data: &AccountsData) -> String {
    let carried = data.accounts.iter().any(|a| a.tags.is_some());
    if carried {
        format!(
            "profile {:?} may not read the accounts' tags (organizations:ListTagsForResource), \
             so the team's names and colors are as this daemon last read them",
            data.profile
        )
    } else {
        format!(
            "profile {:?} may not read the accounts' tags (organizations:ListTagsForResource), \
             so the team's names and colors are not shown",
            data.profile
        )
    }
}

/// Answer `accounts.set`: write the team's name, color and role hints as the account's
/// tags (checked first; an empty value removes the tag), and, when asked, the console's
/// own color through a role in that account. The cached list shows the change at once.
pub async fn set(
    cache: &AccountsCache,
    sessions: &Sessions,
    params: AccountsSetParams,
) -> Result<AccountsSetData, ErrorBody> {
    let invalid = |message: String| ErrorBody::new(ErrorCode::InvalidParams, message);
    if !is_account_id(&params.account_id) {
        return Err(invalid(format!(
            "{:?} is not an account id (12 digits)",
            params.account_id.chars().take(40).collect::<String>()
        )));
    }
    let mut tagged = BTreeMap::new();
    let mut untagged = Vec::new();
    let mut notes = Vec::new();
    let mut put = |key: &str, value: Option<Result<String, team::InvalidLook>>| match value {
        None => Ok(()),
        Some(Ok(value)) if value.is_empty() => {
            untagged.push(key.to_owned());
            Ok(())
        }
        Some(Ok(value)) => {
            tagged.insert(key.to_owned(), value);
            Ok(())
        }
        Some(Err(e)) => Err(invalid(format!("{key}: {e}"))),
    };
    let blank_or = |value: &str, check: fn(&str) -> Result<String, team::InvalidLook>| {
        if value.trim().is_empty() {
            Ok(String::new())
        } else {
            check(value)
        }
    };
    put(
        TAG_NAME,
        params
            .name
            .as_deref()
            .map(|n| blank_or(n, team::check_name)),
    )?;
    put(
        TAG_COLOR,
        params
            .color
            .as_deref()
            .map(|c| blank_or(c, team::check_color)),
    )?;
    put(
        TAG_ROLES,
        params.role_hints.as_deref().map(team::check_role_hints),
    )?;
    let console = if params.console_color {
        let Some(color) = tagged.get(TAG_COLOR) else {
            return Err(invalid(
                "the console color needs a color to match: give one (--color)".to_owned(),
            ));
        };
        let Some((nearest, exact)) = ConsoleColor::nearest(color) else {
            return Err(invalid(format!("{color} is not a color")));
        };
        if !exact {
            notes.push(format!(
                "the console has a fixed palette: #{color} is shown there as its nearest \
                 color, {nearest} (#{})",
                nearest.rgb()
            ));
        }
        Some(nearest)
    } else {
        None
    };
    if tagged.is_empty() && untagged.is_empty() && console.is_none() {
        return Err(invalid(
            "nothing to set: give a name, a color or role hints".to_owned(),
        ));
    }

    let signed = sessions.sign_in(params.profile.clone()).await?;
    if !tagged.is_empty() {
        organizations::tag_account(&signed.sdk, &params.account_id, &tagged)
            .await
            .map_err(|e| signed.explain(sessions, e))?;
    }
    if !untagged.is_empty() {
        organizations::untag_account(&signed.sdk, &params.account_id, &untagged)
            .await
            .map_err(|e| signed.explain(sessions, e))?;
    }
    if let Some(color) = console {
        let me = identity::caller(&signed.sdk)
            .await
            .map_err(|e| signed.explain(sessions, e))?;
        let sdk = if me.account_id == params.account_id {
            signed.sdk.clone()
        } else {
            let role = params.role_name.as_deref().unwrap_or(DEFAULT_MEMBER_ROLE);
            signed
                .in_account(sessions, &params.account_id, role, "color")
                .await?
        };
        uxc::set_account_color(&sdk, color).await?;
    }
    tracing::info!(account = %params.account_id, tagged = ?tagged.keys().collect::<Vec<_>>(),
        untagged = ?untagged, console = ?console, "account look set");
    patch_cached(
        cache,
        &signed,
        &params.account_id,
        &tagged,
        &untagged,
        console,
    );
    Ok(AccountsSetData {
        account_id: params.account_id,
        tagged,
        untagged,
        console_color: console.map(|c| c.as_str().to_owned()),
        notes,
    })
}

/// Show an `accounts.set` in the cached list at once (the next reading confirms it).
fn patch_cached(
    cache: &AccountsCache,
    signed: &SignedIn,
    account_id: &str,
    tagged: &BTreeMap<String, String>,
    untagged: &[String],
    console: Option<ConsoleColor>,
) {
    let scope = scope(&signed.settings);
    // A tag reading in flight must not put the old tags back (see `add_tags`).
    let mut ticks = lock(&cache.ticks);
    *ticks += 1;
    lock(&cache.edits).insert((signed.profile.clone(), account_id.to_owned()), *ticks);
    let Some(mut data) = cache.read(&signed.profile, &scope).map(|f| f.data.clone()) else {
        return;
    };
    let Some(account) = data.accounts.iter_mut().find(|a| a.id == account_id) else {
        return;
    };
    let tags = account.tags.get_or_insert_with(BTreeMap::new);
    tags.extend(tagged.iter().map(|(k, v)| (k.clone(), v.clone())));
    for key in untagged {
        tags.remove(key);
    }
    if let Some(color) = console {
        account.console_color = Some(color.as_str().to_owned());
    }
    cache.write(&scope, &data);
    drop(ticks);
}

/// Ask AWS: the whole organization when allowed, else the caller's own account.
async fn fetch(signed: &SignedIn) -> Result<AccountsData, ErrorBody> {
    let listed = organizations::list(&signed.sdk).await;
    let (source, organization, accounts, notice) = match listed {
        Ok((org, accounts)) => (AccountsSource::Organization, Some(org), accounts, None),
        Err(organizations::ListError::Failed(e)) => return Err(e),
        Err(why) => {
            let me = identity::caller(&signed.sdk).await?;
            let alias = identity::account_alias(&signed.sdk).await;
            let notice = match why {
                organizations::ListError::NotAllowed(operation) => format!(
                    "{} may not call {operation}: only the organization's management account \
                     (or a delegated administrator) can list its accounts. Showing your own \
                     account; roles you may assume and imported lists add the others.",
                    me.arn
                ),
                _ => format!(
                    "account {} is not in an AWS Organization; showing it alone",
                    me.account_id
                ),
            };
            let own = Account {
                name: alias.unwrap_or_else(|| me.account_id.clone()),
                id: me.account_id,
                email: None,
                state: None,
                arn: None,
                joined_at: None,
                tags: None,
                console_color: None,
            };
            (AccountsSource::Caller, None, vec![own], Some(notice))
        }
    };
    Ok(AccountsData {
        profile: signed.profile.clone(),
        source,
        organization,
        accounts,
        fetched_at: now(),
        stale: false,
        refreshing: false,
        notice,
    })
}

/// A cache written for `profile` is removed (its key changed or went away).
pub fn forget(state_dir: &Path, profile: &str) -> Result<(), ErrorBody> {
    match std::fs::remove_file(cache_path(state_dir, profile)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(ErrorBody::new(ErrorCode::Internal, e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(profile: &str, fetched_at: u64) -> AccountsData {
        AccountsData {
            profile: profile.into(),
            source: AccountsSource::Organization,
            organization: None,
            accounts: vec![],
            fetched_at,
            stale: false,
            refreshing: false,
            notice: None,
        }
    }

    #[test]
    fn the_cache_round_trips_and_ignores_another_endpoint_or_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let cache = AccountsCache::new(dir.path());
        assert_eq!(cache.read("p", "aws|"), None);
        cache.write("aws|", &data("p", 7));
        assert_eq!(
            cache.read("p", "aws|").map(|f| f.data.clone()),
            Some(data("p", 7))
        );
        assert_eq!(cache.read("p", "aws|http://127.0.0.1:5000"), None);
        std::fs::write(cache_path(dir.path(), "p"), b"{not json").unwrap();
        assert_eq!(cache.read("p", "aws|"), None);
        forget(dir.path(), "p").unwrap();
        forget(dir.path(), "p").unwrap();
        assert!(!cache_path(dir.path(), "p").exists());
    }

    #[test]
    fn one_refresh_per_profile_at_a_time() {
        let cache = AccountsCache::new(Path::new("/nonexistent"));
        assert!(cache.begin_refresh("a"));
        assert!(!cache.begin_refresh("a"));
        assert!(cache.begin_refresh("b"));
        cache.end_refresh("a");
        assert!(cache.begin_refresh("a"));
    }

    #[test]
    fn scope_follows_the_endpoint_override() {
        let settings = Profile {
            endpoint_url: Some("http://127.0.0.1:1".into()),
            ..Profile::default()
        };
        assert_eq!(scope(&settings), "aws|http://127.0.0.1:1");
    }
}
