//! The popup's switch list, without the DOM: the targets grouped by account, favorites
//! pinned on top and recently used next, the filter ([`super::search`]), the keyboard
//! cursor, the window of rows a virtualized list draws, what each row and each empty
//! state shows, and the records kept in extension storage (the last list, favorites,
//! recently used).
//!
//! The extension keeps one [`Catalog`] (rebuilt when a new list arrives), makes a
//! [`Listing`] for each filter text, and asks [`row_view`] only for the rows on screen, so
//! ten thousand targets cost one search per keystroke and a few dozen row views.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::search::{spans, Haystack, Searcher, Shared, Span};
use super::sentence;
use switchyard_shared::console_session::ConsoleSession;
use switchyard_shared::protocol::roles::{
    LookOrigin, Target, TargetBase, TargetDecision, TargetSource,
};

/// `chrome.storage.local` key of the last list from the daemon ([`CachedList`] as JSON).
pub const CACHE_KEY: &str = "roles_cache";
/// `chrome.storage.local` key of the favorites (a JSON array of role ARNs).
pub const FAVORITES_KEY: &str = "favorites";
/// `chrome.storage.local` key of the recently used targets (role ARNs, newest first).
pub const RECENT_KEY: &str = "recent";
/// How many recently used targets are remembered, and how many are shown.
pub const RECENT_KEPT: usize = 20;
pub const RECENT_SHOWN: usize = 5;

// The searched fields of a target, in haystack order.
const ACCOUNT: usize = 0;
const ALIAS: usize = 1;
const ID: usize = 2;
const ROLE: usize = 3;
const DISPLAY: usize = 4;

/// Favorites and recently used targets, by role ARN.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    /// In the order they were starred.
    pub favorites: Vec<String>,
    /// Newest first, at most [`RECENT_KEPT`].
    pub recent: Vec<String>,
}

fn read_arns(text: Option<&str>) -> Vec<String> {
    let list: Vec<String> = text
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default();
    let mut seen = std::collections::HashSet::new();
    list.into_iter()
        .filter(|arn| !arn.is_empty() && seen.insert(arn.clone()))
        .collect()
}

impl Marks {
    /// Read the stored JSON arrays; anything unreadable counts as empty.
    pub fn from_stored(favorites: Option<&str>, recent: Option<&str>) -> Marks {
        let mut recent = read_arns(recent);
        recent.truncate(RECENT_KEPT);
        Marks {
            favorites: read_arns(favorites),
            recent,
        }
    }

    pub fn favorites_json(&self) -> String {
        serde_json::to_string(&self.favorites).unwrap_or_else(|_| "[]".to_owned())
    }

    pub fn recent_json(&self) -> String {
        serde_json::to_string(&self.recent).unwrap_or_else(|_| "[]".to_owned())
    }

    pub fn is_favorite(&self, arn: &str) -> bool {
        self.favorites.iter().any(|f| f == arn)
    }

    /// Star or unstar `arn`; whether it is a favorite now.
    pub fn toggle_favorite(&mut self, arn: &str) -> bool {
        if self.is_favorite(arn) {
            self.favorites.retain(|f| f != arn);
            false
        } else {
            self.favorites.push(arn.to_owned());
            true
        }
    }

    /// `arn` was just switched to.
    pub fn used(&mut self, arn: &str) {
        self.recent.retain(|r| r != arn);
        self.recent.insert(0, arn.to_owned());
        self.recent.truncate(RECENT_KEPT);
    }
}

/// The last list from the daemon, as kept in extension storage so the next popup shows it
/// at once. The `reasons` are left out (they only explain; the daemon has them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedList {
    pub profile: String,
    /// Unix seconds.
    pub saved_at: u64,
    pub targets: Vec<Target>,
    pub notices: Vec<String>,
}

/// The stored form: short keys and nothing that can be derived (the account id and role
/// name are in the ARN, the usual display name is made again), so ten thousand targets
/// read and parse quickly when the popup opens.
#[derive(Serialize, Deserialize)]
struct Stored {
    /// The format; another value is not read.
    v: u32,
    profile: String,
    saved_at: u64,
    #[serde(default)]
    notices: Vec<String>,
    targets: Vec<Kept>,
}

const STORED_VERSION: u32 = 2;

#[derive(Serialize, Deserialize)]
struct Kept {
    /// The role ARN.
    a: String,
    /// The account's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    n: Option<String>,
    /// The display name, when it is not the usual `Role @ Account`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    d: Option<String>,
    /// The color.
    c: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    r: Option<String>,
    s: Vec<TargetSource>,
    x: TargetDecision,
    /// The image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    i: Option<String>,
    /// The base account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    b: Option<TargetBase>,
    /// Where the account's name came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nf: Option<LookOrigin>,
    /// Where the color came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cf: Option<LookOrigin>,
    /// The Identity Center role it is reached through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    o: Option<switchyard_shared::protocol::roles::SsoRoleRef>,
    /// `also_named`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    an: Option<String>,
}

impl CachedList {
    pub fn new(profile: &str, targets: &[Target], notices: &[String], now: u64) -> CachedList {
        CachedList {
            profile: profile.to_owned(),
            saved_at: now,
            targets: targets
                .iter()
                .map(|t| Target {
                    reasons: Vec::new(),
                    ..t.clone()
                })
                .collect(),
            notices: notices.to_vec(),
        }
    }

    pub fn to_stored(&self) -> String {
        let stored = Stored {
            v: STORED_VERSION,
            profile: self.profile.clone(),
            saved_at: self.saved_at,
            notices: self.notices.clone(),
            targets: self
                .targets
                .iter()
                .map(|t| {
                    let usual = switchyard_shared::targets::display_name(
                        &t.role_name,
                        t.account_name.as_deref(),
                        &t.account_id,
                    );
                    Kept {
                        a: t.role_arn.clone(),
                        n: t.account_name.clone(),
                        d: (t.display_name != usual).then(|| t.display_name.clone()),
                        c: t.color.clone(),
                        r: t.region.clone(),
                        s: t.sources.clone(),
                        x: t.decision,
                        i: t.image.clone(),
                        b: t.base.clone(),
                        nf: t.name_from,
                        cf: t.color_from,
                        o: t.sso.clone(),
                        an: t.also_named.clone(),
                    }
                })
                .collect(),
        };
        serde_json::to_string(&stored).unwrap_or_default()
    }

    /// The stored list; `None` when absent or unreadable (another version's shape). A
    /// target whose ARN is not a role ARN is left out.
    pub fn from_stored(text: Option<&str>) -> Option<CachedList> {
        let stored: Stored = serde_json::from_str(text?).ok()?;
        if stored.v != STORED_VERSION {
            return None;
        }
        let targets = stored
            .targets
            .into_iter()
            .filter_map(|kept| {
                let arn = switchyard_shared::targets::parse_role_arn(&kept.a)?;
                let (account_id, role_name) = (arn.account_id.to_owned(), arn.role_name.to_owned());
                let display_name = kept.d.unwrap_or_else(|| {
                    switchyard_shared::targets::display_name(
                        &role_name,
                        kept.n.as_deref(),
                        &account_id,
                    )
                });
                Some(Target {
                    account_id,
                    role_name,
                    display_name,
                    account_name: kept.n,
                    also_named: kept.an,
                    color: kept.c,
                    region: kept.r,
                    sources: kept.s,
                    decision: kept.x,
                    reasons: Vec::new(),
                    image: kept.i,
                    base: kept.b,
                    name_from: kept.nf,
                    color_from: kept.cf,
                    sso: kept.o,
                    role_arn: kept.a,
                })
            })
            .collect();
        Some(CachedList {
            profile: stored.profile,
            saved_at: stored.saved_at,
            targets,
            notices: stored.notices,
        })
    }
}

/// An account and the indices of its targets in the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub account_id: String,
    /// The organization's name for it, an imported label, or the id.
    pub name: String,
    pub alias: Option<String>,
    pub targets: Vec<usize>,
    /// Where the name came from (the first of its targets that says).
    pub name_from: Option<LookOrigin>,
}

/// The targets in searchable form: each whole (for the tiers and highlights), and split
/// into the account's part, matched once per account, and the target's own fields.
#[derive(Debug, Clone)]
struct Searchable {
    whole: Vec<Haystack>,
    parts: Vec<Haystack>,
    own: Vec<Haystack>,
}

/// The targets, grouped and made searchable once.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub targets: Vec<Target>,
    pub groups: Vec<Group>,
    group_of: Vec<usize>,
    haystacks: OnceCell<Searchable>,
    by_arn: HashMap<String, usize>,
    /// Targets hidden because the console tab's session cannot reach them (the "only
    /// reachable" setting); empty when none are.
    out_of_reach: Vec<bool>,
    /// How many are hidden so.
    pub hidden: usize,
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog::new(Vec::new(), &HashMap::new())
    }
}

impl Catalog {
    /// Group `targets` (a target listed twice under the same name is kept once; the same
    /// role under two names, as an import may list it, twice) by account: accounts by
    /// name, roles by name. `aliases` maps account ids to their alias (the signed-in account's
    /// from `identity`, a console tab's).
    pub fn new(targets: Vec<Target>, aliases: &HashMap<String, String>) -> Catalog {
        let mut seen = std::collections::HashSet::with_capacity(targets.len());
        let mut targets: Vec<Target> = targets
            .into_iter()
            .filter(|t| seen.insert((t.role_arn.clone(), t.display_name.clone())))
            .collect();
        // An account's name: the organization's (the same on each of its targets), or
        // what the labels of an imported list share (`Acme (Admin)` and `Acme (ReadOnly)`
        // name the account `Acme`).
        let mut names: HashMap<String, String> = HashMap::new();
        for target in &targets {
            if let Some(name) = target.account_name.as_deref().filter(|n| !n.is_empty()) {
                names
                    .entry(target.account_id.clone())
                    .and_modify(|known| *known = shared_name(known, name))
                    .or_insert_with(|| name.to_owned());
            }
        }
        let name_of = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
        // Display order: accounts by name, then id; roles by name. Target indices follow
        // it, so equal scores keep the order the unfiltered list shows. A list kept in
        // storage is already in this order: checked without allocating, not sorted again.
        fn name_in<'a>(names: &'a HashMap<String, String>, id: &'a str) -> &'a str {
            names.get(id).map_or(id, String::as_str)
        }
        let order = |a: &Target, b: &Target| {
            caseless(
                name_in(&names, &a.account_id),
                name_in(&names, &b.account_id),
            )
            .then_with(|| a.account_id.cmp(&b.account_id))
            .then_with(|| caseless(&a.role_name, &b.role_name))
            .then_with(|| a.role_arn.cmp(&b.role_arn))
            .then_with(|| a.display_name.cmp(&b.display_name))
        };
        if !targets.is_sorted_by(|a, b| order(a, b).is_le()) {
            targets.sort_by(order);
        }
        let mut groups: Vec<Group> = Vec::new();
        let mut group_of = Vec::with_capacity(targets.len());
        for (i, target) in targets.iter().enumerate() {
            if groups.last().map(|g| g.account_id.as_str()) != Some(target.account_id.as_str()) {
                groups.push(Group {
                    account_id: target.account_id.clone(),
                    name: name_of(&target.account_id),
                    alias: aliases.get(&target.account_id).cloned(),
                    targets: Vec::new(),
                    name_from: None,
                });
            }
            let g = groups.len() - 1;
            groups[g].targets.push(i);
            if groups[g].name_from.is_none() && target.account_name.is_some() {
                groups[g].name_from = target.name_from;
            }
            group_of.push(g);
        }
        let mut by_arn = HashMap::with_capacity(targets.len());
        for (i, t) in targets.iter().enumerate() {
            by_arn.entry(t.role_arn.clone()).or_insert(i);
        }
        Catalog {
            targets,
            groups,
            group_of,
            haystacks: OnceCell::new(),
            by_arn,
            out_of_reach: Vec::new(),
            hidden: 0,
        }
    }

    /// Hide the targets `session` cannot reach when `only_reachable` is set (an import's
    /// targets of other base accounts: `shared::scope`); show every target otherwise, or
    /// when the session is unknown.
    pub fn scope(&mut self, session: Option<&ConsoleSession>, only_reachable: bool) {
        self.out_of_reach.clear();
        self.hidden = 0;
        let Some(session) = session.filter(|_| only_reachable) else {
            return;
        };
        self.out_of_reach = self
            .targets
            .iter()
            .map(|t| !switchyard_shared::scope::reachable(t, session))
            .collect();
        self.hidden = self.out_of_reach.iter().filter(|&&out| out).count();
    }

    /// Whether a target is listed (not hidden by [`Catalog::scope`]).
    pub fn shown(&self, target: usize) -> bool {
        !self.out_of_reach.get(target).copied().unwrap_or(false)
    }

    /// The searchable form of every target, made at the first search (the unfiltered list
    /// drawn when the popup opens does not need it).
    fn searchable(&self) -> &Searchable {
        self.haystacks.get_or_init(|| {
            let (targets, groups, group_of) = (&self.targets, &self.groups, &self.group_of);
            let own: Vec<[&str; 3]> = targets
                .iter()
                .map(|t| {
                    // The usual `Role @ Account` repeats the other fields: searched only when
                    // it says something of its own, so highlights land on what is shown.
                    let usual = switchyard_shared::targets::display_name(
                        &t.role_name,
                        t.account_name.as_deref(),
                        &t.account_id,
                    );
                    let display = if t.display_name == usual {
                        ""
                    } else {
                        &t.display_name
                    };
                    // Searched, not shown: the organization's name the team's replaced.
                    let also = t.also_named.as_deref().unwrap_or_default();
                    [t.role_name.as_str(), display, also]
                })
                .collect();
            fn account(g: &Group) -> [&str; 2] {
                [g.name.as_str(), g.alias.as_deref().unwrap_or_default()]
            }
            Searchable {
                whole: targets
                    .iter()
                    .zip(&own)
                    .enumerate()
                    .map(|(i, (t, own))| {
                        let [name, alias] = account(&groups[group_of[i]]);
                        Haystack::new(&[name, alias, &t.account_id, own[0], own[1], own[2]])
                    })
                    .collect(),
                parts: groups
                    .iter()
                    .map(|g| {
                        let [name, alias] = account(g);
                        Haystack::new(&[name, alias, &g.account_id])
                    })
                    .collect(),
                own: own.iter().map(|fields| Haystack::new(fields)).collect(),
            }
        })
    }

    fn haystacks(&self) -> &[Haystack] {
        &self.searchable().whole
    }

    /// Make the searchable form now (when the popup is idle), so the first keystroke does
    /// not pay for it.
    pub fn prepare(&self) {
        self.haystacks();
    }

    /// The target with this role ARN.
    pub fn find(&self, role_arn: &str) -> Option<usize> {
        self.by_arn.get(role_arn).copied()
    }

    pub fn group_of(&self, target: usize) -> &Group {
        &self.groups[self.group_of[target]]
    }
}

/// The words two labels of one account start with (`client-0042-Admin` and
/// `client-0042-Audit` → `client-0042`); the first label when they share no word.
fn shared_name(a: &str, b: &str) -> String {
    if a == b {
        return a.to_owned();
    }
    let separator = |c: char| c.is_whitespace() || "-_()[]/:.@,".contains(c);
    let common: String = a
        .chars()
        .zip(b.chars())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x)
        .collect();
    // Cut back to a word boundary unless the shorter label ended right there.
    let whole_word =
        |label: &str| label.len() == common.len() || label[common.len()..].starts_with(separator);
    let cut = if whole_word(a) && whole_word(b) {
        common.as_str()
    } else {
        common.rfind(separator).map_or("", |at| &common[..at])
    };
    let name = cut.trim_end_matches(separator);
    if name.is_empty() {
        a.to_owned()
    } else {
        name.to_owned()
    }
}

/// Compare two names ignoring case, without allocating.
fn caseless(a: &str, b: &str) -> std::cmp::Ordering {
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
}

/// A part of the unfiltered list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    Favorites,
    Recent,
    Accounts,
}

/// One row of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A section's title (only when there is more than one section).
    Heading(Section),
    /// An account; `lead` is the first of its targets listed under it (whose match is
    /// highlighted in the account's name).
    Account { group: usize, lead: usize },
    /// A target to switch to.
    Target { target: usize, section: Section },
}

/// The rows for one filter text.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub rows: Vec<Row>,
    pub query: String,
    /// How many targets match (each counted once).
    pub matched: usize,
}

/// The rows for `query`. Without a filter: favorites (in the order starred), then recently
/// used ones that are not favorites, then every account with its roles. With one: the
/// accounts of the matching targets, best match first, each with its matching roles;
/// equal scores put favorites, then recently used, first.
pub fn listing(catalog: &Catalog, marks: &Marks, searcher: &mut Searcher, query: &str) -> Listing {
    let mut rows = Vec::new();
    if query.trim().is_empty() {
        searcher.forget();
        let favorites: Vec<usize> = marks
            .favorites
            .iter()
            .filter_map(|arn| catalog.find(arn))
            .filter(|&t| catalog.shown(t))
            .collect();
        let recent: Vec<usize> = marks
            .recent
            .iter()
            .filter(|arn| !marks.is_favorite(arn))
            .filter_map(|arn| catalog.find(arn))
            .filter(|&t| catalog.shown(t))
            .take(RECENT_SHOWN)
            .collect();
        let sections = !favorites.is_empty() || !recent.is_empty();
        for (section, list) in [(Section::Favorites, &favorites), (Section::Recent, &recent)] {
            if !list.is_empty() {
                rows.push(Row::Heading(section));
                rows.extend(list.iter().map(|&target| Row::Target { target, section }));
            }
        }
        if sections && catalog.targets.len() > catalog.hidden {
            rows.push(Row::Heading(Section::Accounts));
        }
        for (g, group) in catalog.groups.iter().enumerate() {
            let mut shown = group.targets.iter().copied().filter(|&t| catalog.shown(t));
            if let Some(lead) = shown.next() {
                rows.push(Row::Account { group: g, lead });
                rows.extend(
                    std::iter::once(lead)
                        .chain(shown)
                        .map(|target| Row::Target {
                            target,
                            section: Section::Accounts,
                        }),
                );
            }
        }
        return Listing {
            rows,
            query: query.to_owned(),
            matched: catalog.targets.len() - catalog.hidden,
        };
    }
    let searchable = catalog.searchable();
    let shared = Shared {
        parts: &searchable.parts,
        part_of: &catalog.group_of,
        own: &searchable.own,
    };
    let mut hits = searcher.search_shared(&searchable.whole, Some(&shared), query);
    if catalog.hidden > 0 {
        hits.retain(|h| catalog.shown(h.index));
    }
    // The search gave them best first, ties in catalog order; among equal scores,
    // favorites then recently used go first (few targets: looked up by index).
    let mut rank: HashMap<usize, usize> = HashMap::new();
    for (i, arn) in marks.recent.iter().enumerate().rev() {
        if let Some(t) = catalog.find(arn) {
            rank.insert(t, i + 1);
        }
    }
    for arn in &marks.favorites {
        if let Some(t) = catalog.find(arn) {
            rank.insert(t, 0);
        }
    }
    if !rank.is_empty() {
        let rank_of = |t: usize| rank.get(&t).copied().unwrap_or(usize::MAX);
        hits.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| rank_of(a.index).cmp(&rank_of(b.index)))
                .then(a.index.cmp(&b.index))
        });
    }
    // Accounts in the order of their best hit; each account's hits in hit order.
    let mut order: Vec<usize> = Vec::new();
    let mut bucket_of = vec![usize::MAX; catalog.groups.len()];
    let mut buckets: Vec<Vec<usize>> = Vec::new();
    for hit in &hits {
        let g = catalog.group_of[hit.index];
        if bucket_of[g] == usize::MAX {
            bucket_of[g] = buckets.len();
            buckets.push(Vec::new());
            order.push(g);
        }
        buckets[bucket_of[g]].push(hit.index);
    }
    for (g, targets) in order.into_iter().zip(&buckets) {
        rows.push(Row::Account {
            group: g,
            lead: targets[0],
        });
        rows.extend(targets.iter().map(|&target| Row::Target {
            target,
            section: Section::Accounts,
        }));
    }
    Listing {
        rows,
        query: query.to_owned(),
        matched: hits.len(),
    }
}

/// What identifies a row across listings: its section and target (or account).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RowKey {
    pub section: Section,
    /// The role ARN of a target row.
    pub role_arn: String,
}

impl Listing {
    pub fn is_selectable(&self, row: usize) -> bool {
        matches!(self.rows.get(row), Some(Row::Target { .. }))
    }

    /// The first target row (the best match).
    pub fn first(&self) -> Option<usize> {
        (0..self.rows.len()).find(|&r| self.is_selectable(r))
    }

    /// The cursor moved by `steps` target rows (negative: up), stopping at the ends; from
    /// no cursor, the first target row.
    pub fn step(&self, from: Option<usize>, steps: isize) -> Option<usize> {
        let Some(mut at) = from.filter(|&r| self.is_selectable(r)) else {
            return self.first();
        };
        let mut left = steps.unsigned_abs();
        while left > 0 {
            let next = if steps < 0 {
                (0..at).rev().find(|&r| self.is_selectable(r))
            } else {
                (at + 1..self.rows.len()).find(|&r| self.is_selectable(r))
            };
            match next {
                Some(r) => at = r,
                None => break,
            }
            left -= 1;
        }
        Some(at)
    }

    /// The last target row.
    pub fn last(&self) -> Option<usize> {
        (0..self.rows.len()).rev().find(|&r| self.is_selectable(r))
    }

    /// The target of a row.
    pub fn target(&self, row: usize) -> Option<usize> {
        match self.rows.get(row)? {
            Row::Target { target, .. } => Some(*target),
            _ => None,
        }
    }

    pub fn key(&self, catalog: &Catalog, row: usize) -> Option<RowKey> {
        match self.rows.get(row)? {
            Row::Target { target, section } => Some(RowKey {
                section: *section,
                role_arn: catalog.targets.get(*target)?.role_arn.clone(),
            }),
            _ => None,
        }
    }

    /// Where the cursor goes in this listing when it was on `key` at row `was` in the
    /// previous one: the same target in the same section, else the target row nearest to
    /// where it was, else none.
    pub fn relocate(
        &self,
        catalog: &Catalog,
        key: Option<&RowKey>,
        was: Option<usize>,
    ) -> Option<usize> {
        if let Some(key) = key {
            let found = self.rows.iter().position(|row| match row {
                Row::Target { target, section } => {
                    *section == key.section && catalog.targets[*target].role_arn == key.role_arn
                }
                _ => false,
            });
            if found.is_some() {
                return found;
            }
        }
        let was = was?.min(self.rows.len().checked_sub(1)?);
        (was..self.rows.len())
            .find(|&r| self.is_selectable(r))
            .or_else(|| (0..was).rev().find(|&r| self.is_selectable(r)))
    }
}

/// The rows a virtualized list draws: those within the viewport, plus `overscan` rows on
/// each side. Rows are `row_height` pixels tall.
pub fn window(
    rows: usize,
    row_height: f64,
    scroll_top: f64,
    viewport: f64,
    overscan: usize,
) -> Range<usize> {
    if rows == 0 || row_height <= 0.0 || !row_height.is_finite() {
        return 0..0;
    }
    let scroll_top = if scroll_top.is_finite() {
        scroll_top.max(0.0)
    } else {
        0.0
    };
    let viewport = if viewport.is_finite() {
        viewport.max(0.0)
    } else {
        0.0
    };
    let first = ((scroll_top / row_height).floor() as usize).min(rows);
    let last = (((scroll_top + viewport) / row_height).ceil() as usize).min(rows);
    first.saturating_sub(overscan)..(last + overscan).min(rows)
}

/// The scroll position that shows `row` entirely, when it is not already; `None` when it is.
pub fn scroll_to_show(row: usize, row_height: f64, scroll_top: f64, viewport: f64) -> Option<f64> {
    let top = row as f64 * row_height;
    let bottom = top + row_height;
    if top < scroll_top {
        Some(top)
    } else if bottom > scroll_top + viewport {
        Some((bottom - viewport).max(0.0))
    } else {
        None
    }
}

/// Display preferences the rows follow (from `shared::settings::Settings`) and the console
/// tab's session.
#[derive(Debug, Clone, Copy, Default)]
pub struct ViewOptions<'a> {
    pub hide_account_ids: bool,
    pub show_colors: bool,
    pub current: Option<&'a ConsoleSession>,
    /// Offer "Edit name and color for the team" on account rows (a key is stored: the
    /// daemon can write the account's tags, if AWS lets it).
    pub edit_team_look: bool,
}

/// What one row shows; text comes as [`Span`]s with the matched characters marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowView {
    Heading {
        text: String,
    },
    Account {
        account_id: String,
        name: Vec<Span>,
        alias: Vec<Span>,
        /// Empty when ids are hidden.
        id: Vec<Span>,
        /// `3 roles`.
        roles: String,
        /// `team` when the team's tags in AWS (or the console's color) gave the name or a
        /// color of the account's roles.
        badge: Option<String>,
        /// Where the name and the colors came from, in a sentence (the row's tooltip).
        look: String,
        /// Offer "Edit name and color for the team".
        editable: bool,
    },
    Target {
        target: usize,
        role: Vec<Span>,
        /// The display name, when it is not the usual `Role @ Account`.
        display: Vec<Span>,
        /// The account, for rows outside their account's group (favorites, recent).
        account: Vec<Span>,
        id: Vec<Span>,
        /// `RRGGBB`, unless colors are off.
        color: Option<String>,
        /// Where the color came from (the chip's tooltip).
        color_from: Option<String>,
        /// Where it came from: `policy`, `~/.aws/config`, `imported`.
        source: String,
        /// `conditional` or `undecided`, when not simply allowed.
        note: Option<String>,
        favorite: bool,
        /// The console tab is signed in as this role now.
        current: bool,
        /// What a screen reader says for the option.
        label: String,
    },
}

/// Where a name or color came from, in words.
pub fn origin_words(origin: LookOrigin) -> &'static str {
    match origin {
        LookOrigin::Imported => "yours: your imported list, on this machine",
        LookOrigin::AwsConfig => "yours: your ~/.aws/config, on this machine",
        LookOrigin::Team => "the team's: the account's tags in AWS",
        LookOrigin::Console => "the console's own account color in AWS",
        LookOrigin::Organization => "the organization's account name",
        LookOrigin::IdentityCenter => "IAM Identity Center's account name",
        LookOrigin::Derived => "chosen by Switchyard from the account id",
    }
}

/// What an account row says of where its name and colors came from: a badge when the
/// team's store in AWS gave any, and a sentence naming each origin.
fn account_look(catalog: &Catalog, group: &Group) -> (Option<String>, String) {
    let mut colors: Vec<LookOrigin> = Vec::new();
    for &t in &group.targets {
        if let Some(from) = catalog.targets[t].color_from {
            if !colors.contains(&from) {
                colors.push(from);
            }
        }
    }
    let team =
        group.name_from.is_some_and(LookOrigin::is_team) || colors.iter().any(|c| c.is_team());
    let own_color = colors.iter().any(|c| c.is_own());
    let badge = match (team, own_color) {
        (true, true) => Some("team · your colors".to_owned()),
        (true, false) => Some("team".to_owned()),
        (false, _) => None,
    };
    let also = group
        .targets
        .iter()
        .find_map(|&t| catalog.targets[t].also_named.as_deref());
    let name = match (group.name_from, also) {
        (Some(from), Some(also)) => {
            format!(
                "Name: {}; the organization calls it {also}.",
                origin_words(from)
            )
        }
        (Some(from), None) => format!("Name: {}.", origin_words(from)),
        (None, _) if group.name == group.account_id => {
            "Name: the account id (no name is known).".to_owned()
        }
        // An older daemon's list, which does not say.
        (None, _) => String::new(),
    };
    let color = match colors.as_slice() {
        [] => String::new(),
        [one] => format!(" Color: {}.", origin_words(*one)),
        many => format!(
            " Colors: {}.",
            many.iter()
                .map(|c| origin_words(*c))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    };
    let wins = if own_color && team {
        " Your own colors win on this machine."
    } else {
        ""
    };
    (badge, format!("{name}{color}{wins}").trim().to_owned())
}

fn source_label(source: TargetSource) -> &'static str {
    match source {
        TargetSource::Policy => "policy",
        TargetSource::AwsConfig => "~/.aws/config",
        TargetSource::Imported => "imported",
        TargetSource::IdentityCenter => "Identity Center",
    }
}

/// Whether the console tab is signed in as `target`.
pub fn is_current(target: &Target, session: Option<&ConsoleSession>) -> bool {
    session.is_some_and(|s| {
        s.account_id == target.account_id && s.role_name.as_deref() == Some(&target.role_name)
    })
}

/// The matched characters of each field of `target` (none without a query, and then the
/// haystacks are not made).
fn highlights(
    catalog: &Catalog,
    searcher: &mut Searcher,
    target: usize,
    query: &str,
) -> Option<Vec<Vec<Range<usize>>>> {
    if query.trim().is_empty() {
        return Some(vec![Vec::new(); DISPLAY + 1]);
    }
    Some(searcher.highlights(catalog.haystacks().get(target)?, query))
}

/// What row `row` of `listing` shows.
pub fn row_view(
    catalog: &Catalog,
    listing: &Listing,
    row: usize,
    marks: &Marks,
    searcher: &mut Searcher,
    options: ViewOptions<'_>,
) -> Option<RowView> {
    let query = listing.query.as_str();
    Some(match *listing.rows.get(row)? {
        Row::Heading(section) => RowView::Heading {
            text: match section {
                Section::Favorites => "Favorites",
                Section::Recent => "Recently used",
                Section::Accounts => "All accounts",
            }
            .to_owned(),
        },
        Row::Account { group, lead } => {
            let group = catalog.groups.get(group)?;
            let marks_of = highlights(catalog, searcher, lead, query)?;
            let roles = match group.targets.len() {
                1 => "1 role".to_owned(),
                n => format!("{} roles", thousands(n)),
            };
            let (badge, look) = account_look(catalog, group);
            RowView::Account {
                account_id: group.account_id.clone(),
                badge,
                look,
                editable: options.edit_team_look,
                name: spans(&group.name, &marks_of[ACCOUNT]),
                alias: group
                    .alias
                    .as_deref()
                    .map(|a| spans(a, &marks_of[ALIAS]))
                    .unwrap_or_default(),
                id: if options.hide_account_ids {
                    Vec::new()
                } else {
                    spans(&group.account_id, &marks_of[ID])
                },
                roles,
            }
        }
        Row::Target { target, section } => {
            let t = catalog.targets.get(target)?;
            let group = catalog.group_of(target);
            let marks_of = highlights(catalog, searcher, target, query)?;
            let apart = section != Section::Accounts;
            let favorite = marks.is_favorite(&t.role_arn);
            let current = is_current(t, options.current);
            let decided = match t.decision {
                TargetDecision::Conditional => Some("conditional".to_owned()),
                TargetDecision::Unknown => Some("undecided".to_owned()),
                TargetDecision::ExplicitDeny | TargetDecision::ImplicitDeny => {
                    Some("denied".to_owned())
                }
                // From a list with no key stored: the console session decides, as in AWS
                // Extend Switch Roles; nothing to warn about.
                TargetDecision::Allowed | TargetDecision::Console => None,
            };
            // A target of another base account than the tab's session (listed since the
            // "only reachable" setting is off): where it is reached from.
            let elsewhere = match (&t.base, options.current) {
                (Some(base), Some(session))
                    if !switchyard_shared::scope::in_base(base, session) =>
                {
                    Some(format!("from {}", base.profile))
                }
                _ => None,
            };
            let note = match (decided, elsewhere) {
                (Some(a), Some(b)) => Some(format!("{a}, {b}")),
                (a, b) => a.or(b),
            };
            let mut label = format!("{} in {}", t.role_name, group.name);
            if !options.hide_account_ids {
                label.push_str(&format!(" ({})", t.account_id));
            }
            for (on, word) in [
                (favorite, "favorite"),
                (current, "signed in now"),
                (note.is_some(), note.as_deref().unwrap_or_default()),
            ] {
                if on {
                    label.push_str(", ");
                    label.push_str(word);
                }
            }
            let usual = switchyard_shared::targets::display_name(
                &t.role_name,
                t.account_name.as_deref(),
                &t.account_id,
            );
            RowView::Target {
                target,
                role: spans(&t.role_name, &marks_of[ROLE]),
                display: if t.display_name == usual {
                    Vec::new()
                } else {
                    spans(&t.display_name, &marks_of[DISPLAY])
                },
                account: if apart {
                    spans(&group.name, &marks_of[ACCOUNT])
                } else {
                    Vec::new()
                },
                id: if apart && !options.hide_account_ids {
                    spans(&t.account_id, &marks_of[ID])
                } else {
                    Vec::new()
                },
                color: options.show_colors.then(|| css_color(&t.color).to_owned()),
                color_from: t
                    .color_from
                    .filter(|_| options.show_colors)
                    .map(|from| format!("Color: {}", origin_words(from))),
                source: t
                    .sources
                    .iter()
                    .map(|&s| source_label(s))
                    .collect::<Vec<_>>()
                    .join(", "),
                note,
                favorite,
                current,
                label,
            }
        }
    })
}

/// Six hex digits, else a neutral grey (the color may come from a list the user imported).
pub fn css_color(color: &str) -> &str {
    if color.len() == 6 && color.bytes().all(|b| b.is_ascii_hexdigit()) {
        color
    } else {
        "888888"
    }
}

/// `12,345`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The line above the list: `10,000 roles in 2,000 accounts`, `42 of 10,000 roles match`.
pub fn summary(catalog: &Catalog, listing: &Listing) -> String {
    let total = catalog.targets.len() - catalog.hidden;
    let roles = if total == 1 { "role" } else { "roles" };
    let mut line = if listing.query.trim().is_empty() {
        let groups = if catalog.hidden == 0 {
            catalog.groups.len()
        } else {
            catalog
                .groups
                .iter()
                .filter(|g| g.targets.iter().any(|&t| catalog.shown(t)))
                .count()
        };
        let accounts = match groups {
            1 => "1 account".to_owned(),
            n => format!("{} accounts", thousands(n)),
        };
        format!("{} {roles} in {accounts}", thousands(total))
    } else {
        format!(
            "{} of {} {roles} match",
            thousands(listing.matched),
            thousands(total)
        )
    };
    if catalog.hidden > 0 {
        line.push_str(&format!(
            " · {} out of this session's reach hidden",
            thousands(catalog.hidden)
        ));
    }
    line
}

/// The console tab's session in words: `Admin @ Acme Production (111111111111)`, the
/// principal when it is not an assumed role, or only the account when neither is known.
pub fn session_line(session: &ConsoleSession, catalog: &Catalog, hide_account_ids: bool) -> String {
    let name = catalog
        .groups
        .iter()
        .find(|g| g.account_id == session.account_id)
        .map(|g| g.name.clone())
        .filter(|name| *name != session.account_id)
        .or_else(|| session.alias.clone());
    let account = match (name, hide_account_ids) {
        (Some(name), true) => name,
        (Some(name), false) => format!("{name} ({})", session.account_id),
        (None, true) => "an account".to_owned(),
        (None, false) => session.account_id.clone(),
    };
    match session.role_name.as_ref().or(session.principal.as_ref()) {
        Some(who) => format!("{who} @ {account}"),
        None if hide_account_ids && account == "an account" => "an AWS account".to_owned(),
        None => format!("account {account}"),
    }
}

/// Why the list is empty, when it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmptyView {
    pub title: String,
    /// Sentences; commands in backticks.
    pub lines: Vec<String>,
}

/// What the list area says when it has no rows: still loading (nothing cached), no
/// targets at all (with the daemon's notices), or nothing matching the filter.
pub fn empty_view(
    catalog: &Catalog,
    listing: &Listing,
    loaded: bool,
    notices: &[String],
) -> Option<EmptyView> {
    if !listing.rows.is_empty() {
        return None;
    }
    if !listing.query.trim().is_empty() && !catalog.targets.is_empty() {
        return Some(EmptyView {
            title: format!("No role matches “{}”", listing.query.trim()),
            lines: vec!["Press Esc to clear the filter.".to_owned()],
        });
    }
    if !loaded {
        return Some(EmptyView {
            title: "Reading the roles you may assume…".to_owned(),
            lines: Vec::new(),
        });
    }
    let mut lines: Vec<String> = notices.iter().map(|n| sentence(n)).collect();
    if lines.is_empty() {
        lines.push(
            "None of your IAM policies allows sts:AssumeRole on a role Switchyard knows of."
                .to_owned(),
        );
    }
    lines.push(
        "Import a list of roles: paste an AWS Extend Switch Roles configuration on the \
         options page, or run `switchyard roles import FILE`."
            .to_owned(),
    );
    lines.push("Roles named in `~/.aws/config` (`role_arn`) are listed too.".to_owned());
    Some(EmptyView {
        title: "No roles to switch to".to_owned(),
        lines,
    })
}

#[cfg(test)]
#[path = "popup_list_tests.rs"]
mod tests;
