//! Fuzzy search for the popup's filter: many short records of a few fields each (account
//! name, alias, id, role name, display name), scored best first, with the matched
//! characters of each field for highlighting.
//!
//! The scoring is `nucleo-matcher`'s (the matcher of the helix editor: fzf's syntax and
//! scores, `Smith-Waterman`-like optimal matches), built without its grapheme tables so
//! the wasm bundle stays small. A record's fields are joined with spaces into one
//! haystack, converted once ([`Haystack::new`]); the query is split at spaces into words
//! that must all match (`prod admin`), and fzf's markers work (`^prefix`, `suffix$`,
//! `'exact`, `!not`). Matching is case-insensitive unless the query has a capital.
//!
//! [`Searcher::search`] keeps its last answer: a query that only extends the previous one
//! (the next keystroke) searches the previous matches instead of every record.
//! [`Searcher::search_shared`] matches the fields several records share (an account's
//! name, alias and id, for each of its roles) once per shared part, and each record's own
//! fields apart: the same records match (a word found in neither part alone is tried on
//! the whole record), in a fifth of the matcher's work for five roles an account.
//!
//! Ranking and cutting, so a precise query gives a short, useful list: a record one of
//! whose fields *is* the query (an account id, a profile or section name, an alias; case
//! ignored) ranks first; then records holding every word of the query as written
//! (`client 1001`: both words appear whole somewhere); fuzzy matches (the letters in order,
//! scattered) come only when nothing holds the words, and then the best
//! [`FUZZY_KEPT`]: `client-1001` lists the handful of `client-1001…` targets, not the
//! thousands of records whose letters happen to follow in order. A query with fzf markers (`^ $ ' !`) is left to the matcher alone.

use std::ops::Range;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};

/// One record to search: its fields joined by spaces, and where each field lies.
#[derive(Debug, Clone)]
pub struct Haystack {
    text: Utf32String,
    /// Char ranges of each field within `text`.
    fields: Vec<Range<usize>>,
    /// The fields in lower case, joined by newlines (which no query word holds), for the
    /// whole-word and exact tiers.
    lower: String,
}

impl Haystack {
    /// A haystack of `fields` (empty ones included, so field numbers stay put).
    pub fn new(fields: &[&str]) -> Haystack {
        let mut text = String::new();
        let mut ranges = Vec::with_capacity(fields.len());
        let mut at = 0;
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                text.push(' ');
                at += 1;
            }
            let len = field.chars().count();
            text.push_str(field);
            ranges.push(at..at + len);
            at += len;
        }
        let lower = fields
            .iter()
            .map(|f| f.to_lowercase())
            .collect::<Vec<_>>()
            .join("\n");
        Haystack {
            text: Utf32String::from(text),
            fields: ranges,
            lower,
        }
    }

    /// How well the record holds `words` (lower case): 2 when a field is exactly `whole`,
    /// 1 when every word appears as written, 0 otherwise.
    fn tier(&self, whole: &str, words: &[String]) -> u32 {
        if !whole.is_empty() && self.lower.split('\n').any(|field| field == whole) {
            2
        } else if words.iter().all(|w| self.lower.contains(w.as_str())) {
            1
        } else {
            0
        }
    }

    fn slice(&self) -> Utf32Str<'_> {
        self.text.slice(..)
    }
}

/// What a tier adds to a matcher score: above any score the matcher gives (its scores for
/// a few dozen characters stay far below this), so a tier always outranks the next.
const TIER_STEP: u32 = 1 << 24;

/// One matching record: its index in the searched slice and its score (higher is better;
/// an exact or whole-word match carries its tier on top of the matcher's score).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub index: usize,
    pub score: u32,
}

/// Records whose leading fields are shared with other records, split for
/// [`Searcher::search_shared`]: each record's shared part (an index into `parts`) and its
/// own fields, beside the whole record the tiers and highlights use.
pub struct Shared<'a> {
    /// The shared parts (an account's name, alias and id).
    pub parts: &'a [Haystack],
    /// Each record's shared part.
    pub part_of: &'a [usize],
    /// Each record's own fields (its role name, display name …).
    pub own: &'a [Haystack],
}

/// A shared part's score for an atom not worked out yet, and one that does not match.
const UNSCORED: u32 = u32::MAX;
const UNMATCHED: u32 = u32::MAX - 1;

/// Score `record` against `pattern` part by part: each positive word takes the better of
/// its score in the record's shared part (worked out once per part, kept in `memo`) and in
/// its own fields, or its score in the whole record when it matches in neither part alone
/// (a word spread over both); a negative word is tried on the whole record.
fn score_in_parts(
    pattern: &Pattern,
    whole: &Haystack,
    shared: &Shared<'_>,
    record: usize,
    memo: &mut [u32],
    matcher: &mut Matcher,
) -> Option<u32> {
    let atoms = pattern.atoms.len();
    let part = *shared.part_of.get(record)?;
    let mut total = 0;
    for (a, atom) in pattern.atoms.iter().enumerate() {
        if atom.negative {
            total += u32::from(atom.score(whole.slice(), matcher)?);
            continue;
        }
        let slot = memo.get_mut(part * atoms + a)?;
        if *slot == UNSCORED {
            *slot = atom
                .score(shared.parts.get(part)?.slice(), matcher)
                .map_or(UNMATCHED, u32::from);
        }
        let in_part = (*slot != UNMATCHED).then_some(*slot);
        let in_own = atom
            .score(shared.own.get(record)?.slice(), matcher)
            .map(u32::from);
        total += match in_part.max(in_own) {
            Some(score) => score,
            None => u32::from(atom.score(whole.slice(), matcher)?),
        };
    }
    Some(total)
}

/// A matcher with its scratch space, and the last query's answer.
pub struct Searcher {
    matcher: Matcher,
    last: Option<(String, usize, Vec<Hit>)>,
}

impl Default for Searcher {
    fn default() -> Self {
        Searcher {
            matcher: Matcher::new(Config::DEFAULT),
            last: None,
        }
    }
}

impl std::fmt::Debug for Searcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Searcher").finish_non_exhaustive()
    }
}

/// At most this many merely fuzzy matches are listed (the best ones), when no record holds
/// the query's words: a screenful or two to look through, not thousands.
pub const FUZZY_KEPT: usize = 50;

/// Lift exact and whole-word matches by their tier, and drop the merely fuzzy ones when
/// any record holds the words (unless the matcher scores one as high as the best of
/// those); fuzzy matches alone are cut to the best [`FUZZY_KEPT`]. A query with markers is left as the matcher ranked it.
fn rank_and_cut(haystacks: &[Haystack], query: &str, mut hits: Vec<Hit>) -> Vec<Hit> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let marked = words
        .iter()
        .any(|w| w.starts_with(['^', '\'', '!']) || w.ends_with('$') || w.contains('\\'));
    if marked || words.is_empty() {
        return hits;
    }
    let whole = words.join(" ");
    let mut best_tier = 0;
    let mut found = vec![false; haystacks.len()];
    for hit in &mut hits {
        let tier = haystacks[hit.index].tier(&whole, &words);
        best_tier = best_tier.max(tier);
        hit.score = hit.score.min(TIER_STEP - 1) + tier * TIER_STEP;
        found[hit.index] = true;
    }
    // A field that is the query with other capitals (`Client-1001` for `client-1001`:
    // smart case made the matcher strict) still ranks first. Without a capital the
    // matcher ignored case and found every such record already.
    let strict = query.chars().any(char::is_uppercase);
    for (index, haystack) in haystacks.iter().enumerate().filter(|_| strict) {
        if !found[index] && haystack.tier(&whole, &[]) == 2 {
            hits.push(Hit {
                index,
                score: 2 * TIER_STEP,
            });
            best_tier = 2;
        }
    }
    if best_tier > 0 {
        // A fuzzy match the matcher likes as much as the best whole-word one stays (an
        // acronym on word starts: `ro` for `ReadOnly`), below the tiered ones.
        let bar = hits
            .iter()
            .filter(|h| h.score >= TIER_STEP)
            .map(|h| h.score % TIER_STEP)
            .max()
            .unwrap_or(0);
        hits.retain(|h| h.score >= TIER_STEP || h.score >= bar);
    } else if hits.len() > FUZZY_KEPT {
        hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.index.cmp(&b.index)));
        hits.truncate(FUZZY_KEPT);
    }
    hits
}

/// Whether `query`, typed after `previous`, can only match a subset of what `previous`
/// matched: it extends it, and neither uses a marker that can widen the set (`!` makes a
/// longer word exclude less; `$` or `\` may stop being a marker once followed by text).
fn narrows(previous: &str, query: &str) -> bool {
    !previous.trim().is_empty() && query.starts_with(previous) && !query.contains(['!', '$', '\\'])
}

fn pattern(query: &str) -> Pattern {
    Pattern::parse(query, CaseMatching::Smart, Normalization::Smart)
}

impl Searcher {
    /// The records of `haystacks` matching `query`, best first (ties in their order). An
    /// empty or blank query matches everything with score 0.
    ///
    /// The same `haystacks` must be passed until [`Searcher::forget`] is called: the next
    /// query may be answered from this one's matches.
    pub fn search(&mut self, haystacks: &[Haystack], query: &str) -> Vec<Hit> {
        self.search_shared(haystacks, None, query)
    }

    /// [`Searcher::search`], matching the parts records share once per part when `shared`
    /// splits them (`haystacks` stay the whole records: the tiers and highlights use them).
    pub fn search_shared(
        &mut self,
        haystacks: &[Haystack],
        shared: Option<&Shared<'_>>,
        query: &str,
    ) -> Vec<Hit> {
        if query.trim().is_empty() {
            self.last = None;
            return (0..haystacks.len())
                .map(|index| Hit { index, score: 0 })
                .collect();
        }
        let pattern = pattern(query);
        let matcher = &mut self.matcher;
        let mut memo = vec![UNSCORED; shared.map_or(0, |s| s.parts.len()) * pattern.atoms.len()];
        let mut score = |index: usize, matcher: &mut Matcher| {
            let whole = &haystacks[index];
            match shared {
                Some(shared) => score_in_parts(&pattern, whole, shared, index, &mut memo, matcher),
                None => pattern.score(whole.slice(), matcher),
            }
            .map(|score| Hit { index, score })
        };
        let hits: Vec<Hit> = match &self.last {
            Some((previous, len, hits)) if *len == haystacks.len() && narrows(previous, query) => {
                hits.iter()
                    .filter_map(|h| score(h.index, matcher))
                    .collect()
            }
            _ => (0..haystacks.len())
                .filter_map(|i| score(i, matcher))
                .collect(),
        };
        // Every fuzzy match is remembered (a longer query may need those cut now).
        self.last = Some((query.to_owned(), haystacks.len(), hits.clone()));
        let mut hits = rank_and_cut(haystacks, query, hits);
        hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.index.cmp(&b.index)));
        hits
    }

    /// Drop the remembered answer (the records changed).
    pub fn forget(&mut self) {
        self.last = None;
    }

    /// The characters of each field of `haystack` that `query` matches, as sorted,
    /// merged char ranges within the field; empty when nothing (or nothing there) matches.
    pub fn highlights(&mut self, haystack: &Haystack, query: &str) -> Vec<Vec<Range<usize>>> {
        let mut per_field = vec![Vec::new(); haystack.fields.len()];
        if query.trim().is_empty() {
            return per_field;
        }
        let mut indices = Vec::new();
        if pattern(query)
            .indices(haystack.slice(), &mut self.matcher, &mut indices)
            .is_none()
        {
            return per_field;
        }
        indices.sort_unstable();
        indices.dedup();
        for at in indices {
            let at = at as usize;
            let Some(field) = haystack.fields.iter().position(|r| r.contains(&at)) else {
                continue; // a separating space
            };
            let local = at - haystack.fields[field].start;
            let ranges: &mut Vec<Range<usize>> = &mut per_field[field];
            match ranges.last_mut() {
                Some(last) if last.end == local => last.end += 1,
                _ => ranges.push(local..local + 1),
            }
        }
        per_field
    }
}

/// A piece of text to render, highlighted or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub hit: bool,
}

/// Cut `text` into spans at the char `ranges` (sorted, not overlapping; ranges past the
/// end are clipped).
pub fn spans(text: &str, ranges: &[Range<usize>]) -> Vec<Span> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut at = 0;
    let mut push = |from: usize, to: usize, hit: bool| {
        if from < to {
            out.push(Span {
                text: chars[from..to].iter().collect(),
                hit,
            });
        }
    };
    for range in ranges {
        let start = range.start.clamp(at, chars.len());
        let end = range.end.clamp(start, chars.len());
        push(at, start, false);
        push(start, end, true);
        at = end;
    }
    push(at, chars.len(), false);
    out
}

#[cfg(test)]
mod tests {
    use expect_test::{expect, Expect};

    use super::*;

    const RECORDS: &[[&str; 3]] = &[
        ["Acme Production", "111111111111", "Admin"],
        ["Acme Production", "111111111111", "ReadOnly"],
        ["Acme Staging", "222222222222", "Admin"],
        ["Globex", "333333333333", "OrganizationAccountAccessRole"],
        ["Initech", "444444444444", "Developer"],
        ["Umbrella Prod", "555555555555", "Admin"],
    ];

    fn haystacks() -> Vec<Haystack> {
        RECORDS.iter().map(|r| Haystack::new(r)).collect()
    }

    /// The records `query` matches, best first, each with its highlighted fields.
    #[track_caller]
    fn check(query: &str, expected: Expect) {
        let hays = haystacks();
        let mut searcher = Searcher::default();
        let hits = searcher.search(&hays, query);
        let shown: Vec<String> = hits
            .iter()
            .map(|hit| {
                let marks = searcher.highlights(&hays[hit.index], query);
                RECORDS[hit.index]
                    .iter()
                    .zip(&marks)
                    .map(|(field, ranges)| {
                        spans(field, ranges)
                            .iter()
                            .map(|s| {
                                if s.hit {
                                    format!("[{}]", s.text)
                                } else {
                                    s.text.clone()
                                }
                            })
                            .collect::<String>()
                    })
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .collect();
        expected.assert_eq(&shown.join("\n"));
    }

    #[test]
    fn empty_query_keeps_everything_in_order() {
        let hays = haystacks();
        let hits = Searcher::default().search(&hays, "  ");
        assert_eq!(
            hits.iter().map(|h| h.index).collect::<Vec<_>>(),
            vec![0, 1, 2, 3, 4, 5]
        );
    }

    #[test]
    fn fuzzy_across_words_best_first() {
        check(
            "prodadm",
            expect![[r#"
                Umbrella [Prod] | 555555555555 | [Adm]in
                Acme [Prod]uction | 111111111111 | [Adm]in"#]],
        );
        check(
            "acme ro",
            expect![[r#"
                [Acme] Production | 111111111111 | [R]ead[O]nly
                [Acme] P[ro]duction | 111111111111 | Admin"#]],
        );
    }

    #[test]
    fn ids_and_case() {
        check(
            "3333",
            expect!["Globex | [3333]33333333 | OrganizationAccountAccessRole"],
        );
        // A capital makes the query case-sensitive (smart case).
        check(
            "oaar",
            expect!["Globex | 333333333333 | [O]rganization[A]ccount[A]ccess[R]ole"],
        );
        check(
            "OAAR",
            expect!["Globex | 333333333333 | [O]rganization[A]ccount[A]ccess[R]ole"],
        );
        check(
            "oAAR",
            expect!["Globex | 333333333333 | Organizati[o]n[A]ccount[A]ccess[R]ole"],
        );
    }

    #[test]
    fn markers_and_misses() {
        check("^umb", expect!["[Umb]rella Prod | 555555555555 | Admin"]);
        check(
            "admin !acme",
            expect!["Umbrella Prod | 555555555555 | [Admin]"],
        );
        check("zzz", expect![""]);
        check(
            "'Acme Admin",
            expect![[r#"
            [Acme] Production | 111111111111 | [Admin]
            [Acme] Staging | 222222222222 | [Admin]"#]],
        );
    }

    /// 2,000 accounts × 5 roles, as an imported AWS Extend Switch Roles list names them:
    /// account name, id, role, section name.
    fn clients() -> (Vec<[String; 4]>, Vec<Haystack>) {
        let mut records = Vec::new();
        for a in 0..2000u64 {
            for role in ["Admin", "ReadOnly", "Billing", "Deploy", "Audit"] {
                records.push([
                    format!("client-{a:04}"),
                    (100_000_000_000 + a).to_string(),
                    role.to_owned(),
                    format!("client-{a:04}-{role}"),
                ]);
            }
        }
        let hays = records
            .iter()
            .map(|r| Haystack::new(&[&r[0], &r[1], &r[2], &r[3]]))
            .collect();
        (records, hays)
    }

    #[test]
    fn an_exact_field_ranks_first_and_scattered_letters_are_cut() {
        let (records, hays) = clients();
        let mut searcher = Searcher::default();
        // Typed key by key, as in the popup: the account's five roles and nothing else
        // (the matcher alone finds thousands whose letters merely follow in order).
        let mut hits = Vec::new();
        for end in 1..="client-1001".len() {
            hits = searcher.search(&hays, &"client-1001"[..end]);
        }
        let mut matcher = Matcher::new(Config::DEFAULT);
        let fuzzy = hays
            .iter()
            .filter(|h| {
                pattern("client-1001")
                    .score(h.slice(), &mut matcher)
                    .is_some()
            })
            .count();
        assert!(fuzzy > 1000, "{fuzzy}");
        let accounts: Vec<&str> = hits.iter().map(|h| records[h.index][0].as_str()).collect();
        assert_eq!(accounts, ["client-1001"; 5], "of {fuzzy}");
        assert_eq!(hits, Searcher::default().search(&hays, "client-1001"));
        // An account id typed whole: its roles first.
        let hits = searcher.search(&hays, "100000001001");
        assert_eq!(hits.len(), 5);
        assert!(hits.iter().all(|h| records[h.index][1] == "100000001001"));
        // A section (profile) name, case ignored: that target first, and only it.
        let hits = searcher.search(&hays, "Client-1001-audit");
        assert_eq!(hits.len(), 1);
        assert_eq!(records[hits[0].index][3], "client-1001-Audit");
        // Words held whole rank above the same words merely fuzzy, and the exact field
        // above both: `admin` is the role of 2,000 records; `client-0042 admin` one.
        let hits = searcher.search(&hays, "client-0042 admin");
        assert_eq!(records[hits[0].index][3], "client-0042-Admin");
        assert_eq!(hits.len(), 1);
        // When no record holds the words, the best fuzzy matches still come, cut to the
        // good ones.
        let hits = searcher.search(&hays, "clnt1001adm");
        assert_eq!(hits.len(), FUZZY_KEPT);
        assert_eq!(records[hits[0].index][3], "client-1001-Admin");
    }

    #[test]
    fn a_narrowing_query_gives_what_a_fresh_search_gives() {
        let hays = haystacks();
        let mut typed = Searcher::default();
        for query in ["a", "ad", "adm", "adm p", "adm pr", "adm pr!", "adm pr!x"] {
            let incremental = typed.search(&hays, query);
            let fresh = Searcher::default().search(&hays, query);
            assert_eq!(incremental, fresh, "{query}");
        }
        // Deleting a character widens the set again.
        for query in ["adm", "ad", "a"] {
            let widened = typed.search(&hays, query);
            assert_eq!(widened, Searcher::default().search(&hays, query), "{query}");
        }
        assert!(typed.search(&hays, "a").len() > typed.search(&hays, "adm p").len());
    }

    #[test]
    fn shared_parts_match_the_same_records_as_whole_ones() {
        // Accounts of five roles each, searched whole and split into the account's part
        // and the role's own fields: the same records match, for words within one part,
        // words spread over both, capitals, markers and negations.
        let roles = ["Admin", "ReadOnly", "Billing", "Deploy", "Audit"];
        let accounts: Vec<[String; 3]> = (0..40u64)
            .map(|i| {
                [
                    format!("Client {i:04}"),
                    if i % 3 == 0 {
                        format!("client-{i}")
                    } else {
                        String::new()
                    },
                    (100_000_000_000 + i).to_string(),
                ]
            })
            .collect();
        let parts: Vec<Haystack> = accounts
            .iter()
            .map(|a| Haystack::new(&[&a[0], &a[1], &a[2]]))
            .collect();
        let part_of: Vec<usize> = (0..accounts.len() * roles.len()).map(|i| i / 5).collect();
        let own: Vec<Haystack> = part_of
            .iter()
            .enumerate()
            .map(|(i, _)| Haystack::new(&[roles[i % 5], "", ""]))
            .collect();
        let whole: Vec<Haystack> = part_of
            .iter()
            .enumerate()
            .map(|(i, &p)| {
                let a = &accounts[p];
                Haystack::new(&[&a[0], &a[1], &a[2], roles[i % 5], "", ""])
            })
            .collect();
        let shared = Shared {
            parts: &parts,
            part_of: &part_of,
            own: &own,
        };
        for query in [
            "c",
            "cl",
            "client",
            "client 1",
            "client 0012 aud",
            "0012aud",
            "nt00ad",
            "Client",
            "read",
            "ro",
            "^client",
            "admin$",
            "'0007",
            "client !admin",
            "10000000001",
            "zzz",
            "12 bil",
            "client-12",
        ] {
            let indices = |hits: Vec<Hit>| {
                let mut found: Vec<usize> = hits.into_iter().map(|h| h.index).collect();
                found.sort_unstable();
                found
            };
            let flat = indices(Searcher::default().search(&whole, query));
            let split = indices(Searcher::default().search_shared(&whole, Some(&shared), query));
            assert_eq!(flat, split, "{query:?}");
        }
    }

    #[test]
    fn records_changing_length_are_searched_afresh() {
        let mut hays = haystacks();
        let mut searcher = Searcher::default();
        assert_eq!(searcher.search(&hays, "glo").len(), 1);
        hays.push(Haystack::new(&["Globex 2", "666666666666", "Admin"]));
        assert_eq!(searcher.search(&hays, "glob").len(), 2);
    }

    #[test]
    fn highlights_of_unicode_and_non_matching_records() {
        let hay = Haystack::new(&["Zürich Bank", "", "Ops"]);
        let mut searcher = Searcher::default();
        let marks = searcher.highlights(&hay, "zur ops");
        assert_eq!(marks, vec![vec![0..3], vec![], vec![0..3]]);
        assert_eq!(
            spans("Zürich Bank", &marks[0])[0],
            Span {
                text: "Zür".into(),
                hit: true
            }
        );
        assert_eq!(
            searcher.highlights(&hay, "nomatch"),
            vec![vec![], vec![], vec![]]
        );
    }

    #[test]
    fn spans_clip_bad_ranges() {
        let cut = |ranges: &[Range<usize>]| {
            spans("abcdef", ranges)
                .into_iter()
                .map(|s| {
                    if s.hit {
                        format!("[{}]", s.text)
                    } else {
                        s.text
                    }
                })
                .collect::<String>()
        };
        assert_eq!(cut(&[]), "abcdef");
        assert_eq!(cut(&[0..1, 3..5]), "[a]bc[de]f");
        let past_the_end: Vec<Range<usize>> = std::iter::once(4..99).collect();
        assert_eq!(cut(&past_the_end), "abcd[ef]");
        assert_eq!(cut(&[2..4, 3..5]), "ab[cd][e]f");
        let nothing_there: Vec<Range<usize>> = std::iter::once(0..3).collect();
        assert_eq!(spans("", &nothing_there), vec![]);
    }
}

#[cfg(test)]
mod timing {
    use super::*;

    /// Not a test of speed (tests never time anything): prints what ranking adds over the
    /// matcher alone for broad queries over 10,000 records. `cargo test --release -p
    /// switchyard-extension ranking_cost -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn ranking_cost() {
        let hays: Vec<Haystack> = (0..10_000u64)
            .map(|i| {
                Haystack::new(&[
                    &format!("client-{:04}", i / 5),
                    "",
                    &(100_000_000_000 + i / 5).to_string(),
                    ["Admin", "ReadOnly", "Billing", "Deploy", "Audit"][(i % 5) as usize],
                    &format!("client-{:04}-x", i / 5),
                ])
            })
            .collect();
        for query in ["c", "cl", "cli", "client", "client 1", "client 19"] {
            let mut matcher = Matcher::new(Config::DEFAULT);
            let started = std::time::Instant::now();
            let pattern = pattern(query);
            let hits: Vec<Hit> = (0..hays.len())
                .filter_map(|index| {
                    pattern
                        .score(hays[index].slice(), &mut matcher)
                        .map(|score| Hit { index, score })
                })
                .collect();
            let matched = started.elapsed();
            let started = std::time::Instant::now();
            let ranked = rank_and_cut(&hays, query, hits.clone());
            println!(
                "{query:>10}: matcher {matched:?} ({} hits), ranking {:?} ({} kept)",
                hits.len(),
                started.elapsed(),
                ranked.len()
            );
        }
    }
}
