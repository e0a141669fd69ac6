//! Tests of the popup's switch list: grouping, favorites and recent, filtering, the
//! cursor, the virtual window, row views and empty states.

use std::collections::HashMap;

use expect_test::{expect, Expect};

use super::*;
use switchyard_shared::protocol::roles::{Target, TargetBase, TargetDecision, TargetSource};

fn target(account_id: &str, account: Option<&str>, role: &str) -> Target {
    Target {
        role_arn: format!("arn:aws:iam::{account_id}:role/{role}"),
        account_id: account_id.to_owned(),
        account_name: account.map(str::to_owned),
        also_named: None,
        role_name: role.to_owned(),
        display_name: switchyard_shared::targets::display_name(role, account, account_id),
        color: switchyard_shared::targets::color_for(account_id),
        region: None,
        sources: vec![TargetSource::Policy],
        decision: TargetDecision::Allowed,
        reasons: vec!["Allow team: #0 (identity)".to_owned()],
        image: None,
        base: None,
        name_from: None,
        color_from: None,
        sso: None,
    }
}

const PROD: &str = "111111111111";
const STAGING: &str = "222222222222";
const GLOBEX: &str = "333333333333";
const LONELY: &str = "444444444444";

fn targets() -> Vec<Target> {
    let mut imported = target(LONELY, None, "Deploy");
    imported.sources = vec![TargetSource::Imported];
    imported.decision = TargetDecision::Unknown;
    imported.color = "zzz".into();
    imported.display_name = "Deploy to the lonely one".into();
    vec![
        target(STAGING, Some("Acme Staging"), "ReadOnly"),
        target(PROD, Some("Acme Production"), "ReadOnly"),
        target(PROD, Some("Acme Production"), "Admin"),
        target(GLOBEX, Some("Globex"), "OrganizationAccountAccessRole"),
        // Listed twice (policy and a list): kept once.
        target(PROD, Some("Acme Production"), "Admin"),
        imported,
    ]
}

fn catalog() -> Catalog {
    let aliases = HashMap::from([(PROD.to_owned(), "acme-main".to_owned())]);
    Catalog::new(targets(), &aliases)
}

fn arn(account: &str, role: &str) -> String {
    format!("arn:aws:iam::{account}:role/{role}")
}

fn text(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| {
            if s.hit {
                format!("[{}]", s.text)
            } else {
                s.text.clone()
            }
        })
        .collect()
}

/// Every row as one line, as a person would read the list (`>` marks the cursor).
fn render(
    catalog: &Catalog,
    marks: &Marks,
    listing: &Listing,
    cursor: Option<usize>,
    options: ViewOptions<'_>,
) -> String {
    let mut searcher = Searcher::default();
    let mut out = vec![summary(catalog, listing)];
    for row in 0..listing.rows.len() {
        let mark = if cursor == Some(row) { ">" } else { " " };
        let line = match row_view(catalog, listing, row, marks, &mut searcher, options).unwrap() {
            RowView::Heading { text } => format!("## {text}"),
            RowView::Account {
                name,
                alias,
                id,
                roles,
                ..
            } => {
                format!(
                    "{} | {} | {} | {roles}",
                    text(&name),
                    text(&alias),
                    text(&id)
                )
            }
            RowView::Target {
                role,
                display,
                account,
                id,
                color,
                source,
                note,
                favorite,
                current,
                label,
                ..
            } => {
                let mut line = format!("  {}", text(&role));
                if !display.is_empty() {
                    line.push_str(&format!(" “{}”", text(&display)));
                }
                if !account.is_empty() {
                    line.push_str(&format!(" @ {} {}", text(&account), text(&id)));
                }
                line.push_str(&format!(" <{source}>"));
                if let Some(color) = color {
                    line.push_str(&format!(" #{color}"));
                }
                if let Some(note) = note {
                    line.push_str(&format!(" ({note})"));
                }
                if favorite {
                    line.push_str(" ★");
                }
                if current {
                    line.push_str(" ●");
                }
                line.push_str(&format!(" «{label}»"));
                line
            }
        };
        out.push(format!("{mark}{line}"));
    }
    out.join("\n")
}

#[track_caller]
fn check(marks: &Marks, query: &str, expected: Expect) {
    let catalog = catalog();
    let listing = listing(&catalog, marks, &mut Searcher::default(), query);
    let options = ViewOptions {
        hide_account_ids: false,
        show_colors: false,
        current: None,
        ..ViewOptions::default()
    };
    expected.assert_eq(&render(&catalog, marks, &listing, listing.first(), options));
}

#[test]
fn accounts_by_name_roles_by_name() {
    check(
        &Marks::default(),
        "",
        expect![[r#"
            5 roles in 4 accounts
             444444444444 |  | 444444444444 | 1 role
            >  Deploy “Deploy to the lonely one” <imported> (undecided) «Deploy in 444444444444 (444444444444), undecided»
             Acme Production | acme-main | 111111111111 | 2 roles
               Admin <policy> «Admin in Acme Production (111111111111)»
               ReadOnly <policy> «ReadOnly in Acme Production (111111111111)»
             Acme Staging |  | 222222222222 | 1 role
               ReadOnly <policy> «ReadOnly in Acme Staging (222222222222)»
             Globex |  | 333333333333 | 1 role
               OrganizationAccountAccessRole <policy> «OrganizationAccountAccessRole in Globex (333333333333)»"#]],
    );
}

#[test]
fn favorites_on_top_then_recent() {
    let mut marks = Marks::default();
    assert!(marks.toggle_favorite(&arn(GLOBEX, "OrganizationAccountAccessRole")));
    marks.used(&arn(PROD, "Admin"));
    marks.used(&arn(STAGING, "ReadOnly"));
    // Used again: moves to the front; a favorite is not repeated under recent.
    marks.used(&arn(PROD, "Admin"));
    marks.used(&arn(GLOBEX, "OrganizationAccountAccessRole"));
    // A mark for a role no longer listed is skipped.
    marks.toggle_favorite(&arn("999999999999", "Gone"));
    check(
        &marks,
        "",
        expect![[r#"
            5 roles in 4 accounts
             ## Favorites
            >  OrganizationAccountAccessRole @ Globex 333333333333 <policy> ★ «OrganizationAccountAccessRole in Globex (333333333333), favorite»
             ## Recently used
               Admin @ Acme Production 111111111111 <policy> «Admin in Acme Production (111111111111)»
               ReadOnly @ Acme Staging 222222222222 <policy> «ReadOnly in Acme Staging (222222222222)»
             ## All accounts
             444444444444 |  | 444444444444 | 1 role
               Deploy “Deploy to the lonely one” <imported> (undecided) «Deploy in 444444444444 (444444444444), undecided»
             Acme Production | acme-main | 111111111111 | 2 roles
               Admin <policy> «Admin in Acme Production (111111111111)»
               ReadOnly <policy> «ReadOnly in Acme Production (111111111111)»
             Acme Staging |  | 222222222222 | 1 role
               ReadOnly <policy> «ReadOnly in Acme Staging (222222222222)»
             Globex |  | 333333333333 | 1 role
               OrganizationAccountAccessRole <policy> ★ «OrganizationAccountAccessRole in Globex (333333333333), favorite»"#]],
    );
    // Unstarring removes it from the top.
    assert!(!marks.toggle_favorite(&arn(GLOBEX, "OrganizationAccountAccessRole")));
    assert!(!marks.is_favorite(&arn(GLOBEX, "OrganizationAccountAccessRole")));
}

#[test]
fn filtering_groups_the_best_matches_first() {
    check(
        &Marks::default(),
        "ro",
        expect![[r#"
            4 of 5 roles match
             Acme Production | acme-main | 111111111111 | 2 roles
            >  [R]ead[O]nly <policy> «ReadOnly in Acme Production (111111111111)»
               Admin <policy> «Admin in Acme Production (111111111111)»
             Globex |  | 333333333333 | 1 role
               OrganizationAccountAccess[Ro]le <policy> «OrganizationAccountAccessRole in Globex (333333333333)»
             Acme Staging |  | 222222222222 | 1 role
               [R]ead[O]nly <policy> «ReadOnly in Acme Staging (222222222222)»"#]],
    );
    // An alias and an id match too.
    check(
        &Marks::default(),
        "main adm",
        expect![[r#"
            1 of 5 roles match
             Acme Production | acme-[main] | 111111111111 | 2 roles
            >  [Adm]in <policy> «Admin in Acme Production (111111111111)»"#]],
    );
    check(
        &Marks::default(),
        "4444",
        expect![[r#"
            1 of 5 roles match
             444444444444 |  | [4444]44444444 | 1 role
            >  Deploy “Deploy to the lonely one” <imported> (undecided) «Deploy in 444444444444 (444444444444), undecided»"#]],
    );
}

#[test]
fn equal_scores_put_favorites_then_recent_first() {
    let mut marks = Marks::default();
    marks.used(&arn(STAGING, "ReadOnly"));
    let catalog = catalog();
    let first = |marks: &Marks| {
        let shown = listing(&catalog, marks, &mut Searcher::default(), "readonly");
        let target = shown.target(shown.first().unwrap()).unwrap();
        catalog.targets[target].account_id.clone()
    };
    assert_eq!(first(&marks), STAGING);
    marks.toggle_favorite(&arn(PROD, "ReadOnly"));
    assert_eq!(first(&marks), PROD);
}

#[test]
fn no_match_and_no_roles_say_what_to_do() {
    let catalog = catalog();
    let marks = Marks::default();
    let none = listing(&catalog, &marks, &mut Searcher::default(), "zzzz ");
    expect![[r#"
        Some(
            EmptyView {
                title: "No role matches “zzzz”",
                lines: [
                    "Press Esc to clear the filter.",
                ],
            },
        )
    "#]]
    .assert_debug_eq(&empty_view(&catalog, &none, true, &[]));

    let empty = Catalog::default();
    let shown = listing(&empty, &marks, &mut Searcher::default(), "");
    assert_eq!(
        empty_view(&empty, &shown, false, &[]).unwrap().title,
        "Reading the roles you may assume…"
    );
    expect![[r#"
        Some(
            EmptyView {
                title: "No roles to switch to",
                lines: [
                    "None of arn:aws:iam::123456789012:user/bob's policies allows sts:AssumeRole on a role Switchyard knows of; import a list of roles (`switchyard roles import`) or ask an administrator.",
                    "Import a list of roles: paste an AWS Extend Switch Roles configuration on the options page, or run `switchyard roles import FILE`.",
                    "Roles named in `~/.aws/config` (`role_arn`) are listed too.",
                ],
            },
        )
    "#]]
    .assert_debug_eq(&empty_view(
        &empty,
        &shown,
        true,
        &["none of arn:aws:iam::123456789012:user/bob's policies allows sts:AssumeRole on a role Switchyard knows of; import a list of roles (`switchyard roles import`) or ask an administrator".to_owned()],
    ));
    // A filter over an empty list is still "no roles".
    let filtered = listing(&empty, &marks, &mut Searcher::default(), "x");
    assert_eq!(
        empty_view(&empty, &filtered, true, &[]).unwrap().title,
        "No roles to switch to"
    );
    // Rows: nothing to say.
    let all = listing(&catalog, &marks, &mut Searcher::default(), "");
    assert_eq!(empty_view(&catalog, &all, true, &[]), None);
}

#[test]
fn settings_hide_ids_show_colors_and_the_current_session() {
    let catalog = catalog();
    let mut marks = Marks::default();
    marks.toggle_favorite(&arn(PROD, "Admin"));
    let session = ConsoleSession {
        account_id: PROD.into(),
        role_name: Some("Admin".into()),
        principal: Some("alice".into()),
        alias: None,
    };
    let shown = listing(&catalog, &marks, &mut Searcher::default(), "");
    let options = ViewOptions {
        hide_account_ids: true,
        show_colors: true,
        current: Some(&session),
        ..ViewOptions::default()
    };
    expect![[r#"
        5 roles in 4 accounts
         ## Favorites
        >  Admin @ Acme Production  <policy> #fabebe ★ ● «Admin in Acme Production, favorite, signed in now»
         ## All accounts
         444444444444 |  |  | 1 role
           Deploy “Deploy to the lonely one” <imported> #888888 (undecided) «Deploy in 444444444444, undecided»
         Acme Production | acme-main |  | 2 roles
           Admin <policy> #fabebe ★ ● «Admin in Acme Production, favorite, signed in now»
           ReadOnly <policy> #fabebe «ReadOnly in Acme Production»
         Acme Staging |  |  | 1 role
           ReadOnly <policy> #fabebe «ReadOnly in Acme Staging»
         Globex |  |  | 1 role
           OrganizationAccountAccessRole <policy> #3cb44b «OrganizationAccountAccessRole in Globex»"#]]
    .assert_eq(&render(&catalog, &marks, &shown, shown.first(), options));
    assert_eq!(
        session_line(&session, &catalog, false),
        "Admin @ Acme Production (111111111111)"
    );
    assert_eq!(
        session_line(&session, &catalog, true),
        "Admin @ Acme Production"
    );
    let unknown = ConsoleSession {
        account_id: "999999999999".into(),
        role_name: None,
        principal: Some("bob".into()),
        alias: Some("other".into()),
    };
    assert_eq!(
        session_line(&unknown, &catalog, false),
        "bob @ other (999999999999)"
    );
    let bare = ConsoleSession {
        alias: None,
        principal: None,
        ..unknown
    };
    assert_eq!(session_line(&bare, &catalog, false), "account 999999999999");
    assert_eq!(session_line(&bare, &catalog, true), "an AWS account");
}

#[test]
fn the_cursor_moves_over_targets_only_and_stops_at_the_ends() {
    let catalog = catalog();
    let mut marks = Marks::default();
    marks.toggle_favorite(&arn(GLOBEX, "OrganizationAccountAccessRole"));
    let shown = listing(&catalog, &marks, &mut Searcher::default(), "");
    // Rows: 0 heading, 1 fav, 2 heading, 3 account, 4 Deploy, 5 account, 6 Admin, 7 ReadOnly, ...
    assert_eq!(shown.first(), Some(1));
    assert_eq!(shown.step(Some(1), 1), Some(4));
    assert_eq!(shown.step(Some(4), 2), Some(7));
    assert_eq!(shown.step(Some(4), -1), Some(1));
    assert_eq!(shown.step(Some(1), -5), Some(1));
    assert_eq!(shown.step(Some(1), 100), shown.last());
    assert_eq!(shown.step(None, 3), Some(1));
    // From a row that is not a target: the first.
    assert_eq!(shown.step(Some(0), 1), Some(1));
    assert!(!shown.is_selectable(3));
    let empty = Listing::default();
    assert_eq!(empty.step(None, 1), None);
    assert_eq!(empty.first(), None);
}

#[test]
fn a_refresh_keeps_the_cursor_on_its_target() {
    let catalog = catalog();
    let marks = Marks::default();
    let before = listing(&catalog, &marks, &mut Searcher::default(), "acme");
    let cursor = (0..before.rows.len()).find(|&r| {
        before
            .key(&catalog, r)
            .is_some_and(|k| k.role_arn == arn(STAGING, "ReadOnly"))
    });
    let key = before.key(&catalog, cursor.unwrap()).unwrap();

    // The new list: a role added before it, one removed.
    let mut fresh = targets();
    fresh.insert(0, target(PROD, Some("Acme Production"), "Billing"));
    fresh.retain(|t| t.role_name != "Admin");
    let catalog2 = Catalog::new(fresh, &HashMap::new());
    let after = listing(&catalog2, &marks, &mut Searcher::default(), "acme");
    let moved = after.relocate(&catalog2, Some(&key), cursor).unwrap();
    assert_eq!(after.key(&catalog2, moved).unwrap(), key);

    // Its target gone: the nearest target row.
    let mut gone = targets();
    gone.retain(|t| t.account_id != STAGING);
    let catalog3 = Catalog::new(gone, &HashMap::new());
    let after = listing(&catalog3, &marks, &mut Searcher::default(), "acme");
    let near = after.relocate(&catalog3, Some(&key), cursor).unwrap();
    assert!(after.is_selectable(near));
    assert_eq!(after.relocate(&catalog3, None, None), None);
    assert_eq!(
        Listing::default().relocate(&catalog3, Some(&key), Some(3)),
        None
    );
}

#[test]
fn the_window_covers_the_viewport_plus_overscan() {
    assert_eq!(window(10_000, 30.0, 0.0, 300.0, 5), 0..15);
    assert_eq!(window(10_000, 30.0, 3000.0, 300.0, 5), 95..115);
    assert_eq!(window(10_000, 30.0, 299_000.0, 300.0, 5), 9961..9982);
    assert_eq!(window(10_000, 30.0, 299_700.0, 300.0, 5), 9985..10_000);
    assert_eq!(window(12, 30.0, 0.0, 300.0, 5), 0..12);
    assert_eq!(window(0, 30.0, 0.0, 300.0, 5), 0..0);
    // Nonsense from the page gives something safe.
    assert_eq!(window(100, 0.0, 10.0, 300.0, 5), 0..0);
    assert_eq!(window(100, 30.0, f64::NAN, f64::INFINITY, 2), 0..2);
    assert_eq!(window(100, 30.0, -50.0, 60.0, 0), 0..2);
}

#[test]
fn scrolling_shows_the_cursor() {
    assert_eq!(scroll_to_show(0, 30.0, 0.0, 300.0), None);
    assert_eq!(scroll_to_show(9, 30.0, 0.0, 300.0), None);
    assert_eq!(scroll_to_show(10, 30.0, 0.0, 300.0), Some(30.0));
    assert_eq!(scroll_to_show(2, 30.0, 300.0, 300.0), Some(60.0));
}

#[test]
fn marks_and_cache_are_read_leniently() {
    let marks = Marks::from_stored(Some(r#"["a","b","a",""]"#), Some("not json"));
    assert_eq!(marks.favorites, vec!["a", "b"]);
    assert!(marks.recent.is_empty());
    assert_eq!(
        Marks::from_stored(Some(&marks.favorites_json()), None).favorites,
        marks.favorites
    );
    assert_eq!(
        Marks::from_stored(Some("{\"a\":1}"), Some("[1,2]")),
        Marks::default()
    );
    let many: Vec<String> = (0..50).map(|i| format!("r{i}")).collect();
    let marks = Marks::from_stored(None, Some(&serde_json::to_string(&many).unwrap()));
    assert_eq!(marks.recent.len(), RECENT_KEPT);
    let mut marks = marks;
    marks.used("new");
    assert_eq!(marks.recent[0], "new");
    assert_eq!(marks.recent.len(), RECENT_KEPT);
    assert_eq!(
        Marks::from_stored(None, Some(&marks.recent_json())).recent,
        marks.recent
    );

    let cached = CachedList::new(
        "default",
        &targets(),
        &["a notice".to_owned()],
        1_700_000_000,
    );
    assert!(cached.targets.iter().all(|t| t.reasons.is_empty()));
    let back = CachedList::from_stored(Some(&cached.to_stored())).unwrap();
    assert_eq!(back, cached);
    assert_eq!(CachedList::from_stored(Some("{\"profile\":1}")), None);
    assert_eq!(CachedList::from_stored(None), None);
    // Another format version, and a target that is not a role.
    let other = cached.to_stored().replacen("\"v\":2", "\"v\":3", 1);
    assert_eq!(CachedList::from_stored(Some(&other)), None);
    let bad = cached.to_stored().replacen(
        "arn:aws:iam::444444444444:role/Deploy",
        "arn:aws:s3:::bucket",
        1,
    );
    assert_eq!(
        CachedList::from_stored(Some(&bad)).unwrap().targets.len(),
        cached.targets.len() - 1
    );
    expect![[r#"{"v":2,"profile":"default","saved_at":1700000000,"notices":["a notice"],"targets":[{"a":"arn:aws:iam::222222222222:role/ReadOnly","n":"Acme Staging","c":"fabebe","s":["policy"],"x":"allowed""#]]
        .assert_eq(&cached.to_stored()[..190]);
}

#[test]
fn numbers_read_naturally() {
    let shown: Vec<String> = [0, 7, 999, 1000, 12_345, 1_234_567]
        .into_iter()
        .map(thousands)
        .collect();
    assert_eq!(shown, ["0", "7", "999", "1,000", "12,345", "1,234,567"]);
}

#[test]
fn ten_thousand_targets_filter_quickly_enough_to_test() {
    // Not a timing assertion: the size the e2e test measures, to see that the model
    // handles it (the catalog, an incremental filter, the cursor at the end).
    let targets: Vec<Target> = (0..10_000)
        .map(|i| {
            let account = format!("{:012}", 100_000_000_000u64 + i / 5);
            let name = format!("client-{:04}", i / 5);
            target(
                &account,
                Some(&name),
                ["Admin", "ReadOnly", "Billing", "Deploy", "Audit"][i as usize % 5],
            )
        })
        .collect();
    let catalog = Catalog::new(targets, &HashMap::new());
    assert_eq!(catalog.groups.len(), 2000);
    let marks = Marks::default();
    let mut searcher = Searcher::default();
    let all = listing(&catalog, &marks, &mut searcher, "");
    assert_eq!(all.rows.len(), 12_000);
    let mut last = 0;
    for query in ["c", "cl", "'client-1999", "'client-1999 aud"] {
        let shown = listing(&catalog, &marks, &mut searcher, query);
        last = shown.matched;
    }
    assert_eq!(last, 1);
    assert_eq!(all.step(all.first(), 20_000), all.last());
}

#[test]
fn an_imported_accounts_labels_give_its_name() {
    let named = |labels: &[&str]| {
        let targets: Vec<Target> = labels
            .iter()
            .enumerate()
            .map(|(i, label)| target(PROD, Some(label), &format!("Role{i}")))
            .collect();
        Catalog::new(targets, &HashMap::new()).groups[0]
            .name
            .clone()
    };
    assert_eq!(
        named(&["client-0042-Admin", "client-0042-Audit"]),
        "client-0042"
    );
    assert_eq!(
        named(&[
            "Acme Retail (Admin)",
            "Acme Retail (ReadOnly)",
            "Acme Retail (Billing)"
        ]),
        "Acme Retail"
    );
    assert_eq!(
        named(&["Acme Production", "Acme Production"]),
        "Acme Production"
    );
    assert_eq!(named(&["Acme", "Acme Ops"]), "Acme");
    assert_eq!(named(&["Acmex", "Acme Ops"]), "Acmex");
    assert_eq!(named(&["prod", "stage"]), "prod");
    assert_eq!(named(&["Zürich Admin", "Zürich Dev"]), "Zürich");
}

/// An import's targets under two base accounts, and one with no base.
fn based_catalog() -> Catalog {
    let base = |profile: &str, account: &str, role: Option<&str>| TargetBase {
        profile: profile.into(),
        account_id: Some(account.into()),
        account_alias: None,
        role_name: role.map(Into::into),
    };
    let mut corp = target(PROD, Some("Acme Production"), "Admin");
    corp.base = Some(base("corp", "999999999999", Some("AdministratorAccess")));
    let mut partner = target(STAGING, Some("Acme Staging"), "ReadOnly");
    partner.base = Some(base("partner", "888888888888", None));
    let anywhere = target(GLOBEX, Some("Globex"), "OrganizationAccountAccessRole");
    Catalog::new(vec![corp, partner, anywhere], &HashMap::new())
}

fn session_in(account: &str, role: Option<&str>) -> ConsoleSession {
    ConsoleSession {
        account_id: account.into(),
        role_name: role.map(Into::into),
        principal: Some("alice".into()),
        alias: None,
    }
}

#[test]
fn the_list_is_scoped_to_the_console_sessions_base_account() {
    // An Identity Center session in the corp account: its permission set matches corp's
    // base role, so corp's target and the one with no base are reachable.
    let sso = session_in(
        "999999999999",
        Some("AWSReservedSSO_AdministratorAccess_5f3a9c"),
    );
    let options = ViewOptions {
        hide_account_ids: true,
        show_colors: false,
        current: Some(&sso),
        ..ViewOptions::default()
    };
    let shown = |catalog: &Catalog, query: &str| {
        let listing = listing(catalog, &Marks::default(), &mut Searcher::default(), query);
        render(catalog, &Marks::default(), &listing, None, options)
    };
    // The setting off: everything, the other base's target marked with where it is from.
    let mut catalog = based_catalog();
    catalog.scope(Some(&sso), false);
    expect![[r#"
        3 roles in 3 accounts
         Acme Production |  |  | 1 role
           Admin <policy> «Admin in Acme Production»
         Acme Staging |  |  | 1 role
           ReadOnly <policy> (from partner) «ReadOnly in Acme Staging, from partner»
         Globex |  |  | 1 role
           OrganizationAccountAccessRole <policy> «OrganizationAccountAccessRole in Globex»"#]]
    .assert_eq(&shown(&catalog, ""));
    // The setting on: only what the session reaches, filtered too.
    catalog.scope(Some(&sso), true);
    expect![[r#"
        2 roles in 2 accounts · 1 out of this session's reach hidden
         Acme Production |  |  | 1 role
           Admin <policy> «Admin in Acme Production»
         Globex |  |  | 1 role
           OrganizationAccountAccessRole <policy> «OrganizationAccountAccessRole in Globex»"#]]
    .assert_eq(&shown(&catalog, ""));
    assert!(shown(&catalog, "readonly").starts_with("0 of 2 roles match"));
    // An IAM user signed in to the partner account: no role to match, account alone.
    let iam_user = session_in("888888888888", None);
    catalog.scope(Some(&iam_user), true);
    let listing = listing(&catalog, &Marks::default(), &mut Searcher::default(), "");
    assert_eq!(
        summary(&catalog, &listing),
        "2 roles in 2 accounts · 1 out of this session's reach hidden"
    );
    let arns: Vec<&str> = listing
        .rows
        .iter()
        .filter_map(|r| match r {
            Row::Target { target, .. } => Some(catalog.targets[*target].role_arn.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        arns,
        [
            "arn:aws:iam::222222222222:role/ReadOnly",
            "arn:aws:iam::333333333333:role/OrganizationAccountAccessRole"
        ]
    );
    // No session known (not a console tab, or unreadable): every role.
    catalog.scope(None, true);
    assert_eq!(catalog.hidden, 0);
}

#[test]
fn account_rows_say_where_names_and_colors_came_from() {
    use switchyard_shared::protocol::roles::LookOrigin;
    let look = |t: &mut Target, name: Option<LookOrigin>, color: LookOrigin| {
        t.name_from = name;
        t.color_from = Some(color);
    };
    let mut team = target(PROD, Some("Client A"), "Admin");
    look(&mut team, Some(LookOrigin::Team), LookOrigin::Team);
    let mut mine = target(PROD, Some("Client A"), "ReadOnly");
    look(&mut mine, Some(LookOrigin::Team), LookOrigin::Imported);
    let mut org = target(STAGING, Some("Acme Staging"), "Admin");
    look(
        &mut org,
        Some(LookOrigin::Organization),
        LookOrigin::Derived,
    );
    let mut console = target(GLOBEX, Some("Globex"), "Admin");
    look(
        &mut console,
        Some(LookOrigin::Organization),
        LookOrigin::Console,
    );
    let mut listed = target(LONELY, Some("lonely-admin"), "Admin");
    look(
        &mut listed,
        Some(LookOrigin::AwsConfig),
        LookOrigin::AwsConfig,
    );
    let old = target("555555555555", None, "Admin");
    let catalog = Catalog::new(vec![team, mine, org, console, listed, old], &HashMap::new());
    let listing = listing(&catalog, &Marks::default(), &mut Searcher::default(), "");
    let options = ViewOptions {
        show_colors: true,
        edit_team_look: true,
        ..ViewOptions::default()
    };
    let mut searcher = Searcher::default();
    let shown: Vec<String> = (0..listing.rows.len())
        .filter_map(|row| {
            match row_view(
                &catalog,
                &listing,
                row,
                &Marks::default(),
                &mut searcher,
                options,
            )? {
                RowView::Account {
                    name,
                    badge,
                    look,
                    editable,
                    ..
                } => Some(format!(
                    "{} [{}]{} {look}",
                    text(&name),
                    badge.unwrap_or_default(),
                    if editable { " ✎" } else { "" }
                )),
                RowView::Target {
                    role, color_from, ..
                } => Some(format!(
                    "  {} ({})",
                    text(&role),
                    color_from.unwrap_or_default()
                )),
                RowView::Heading { .. } => None,
            }
        })
        .collect();
    expect![[r#"
        [
            "555555555555 [] ✎ Name: the account id (no name is known).",
            "  Admin ()",
            "Acme Staging [] ✎ Name: the organization's account name. Color: chosen by Switchyard from the account id.",
            "  Admin (Color: chosen by Switchyard from the account id)",
            "Client A [team · your colors] ✎ Name: the team's: the account's tags in AWS. Colors: the team's: the account's tags in AWS; yours: your imported list, on this machine. Your own colors win on this machine.",
            "  Admin (Color: the team's: the account's tags in AWS)",
            "  ReadOnly (Color: yours: your imported list, on this machine)",
            "Globex [team] ✎ Name: the organization's account name. Color: the console's own account color in AWS.",
            "  Admin (Color: the console's own account color in AWS)",
            "lonely-admin [] ✎ Name: yours: your ~/.aws/config, on this machine. Color: yours: your ~/.aws/config, on this machine.",
            "  Admin (Color: yours: your ~/.aws/config, on this machine)",
        ]
    "#]]
    .assert_debug_eq(&shown);

    // The origins survive the copy kept in extension storage.
    let kept = CachedList::new("default", &catalog.targets, &[], 1).to_stored();
    let back = CachedList::from_stored(Some(&kept)).unwrap();
    assert_eq!(back.targets[2].name_from, Some(LookOrigin::Team));
    assert_eq!(back.targets[3].color_from, Some(LookOrigin::Imported));
    // Without a key nothing offers the edit.
    let plain = row_view(
        &catalog,
        &listing,
        0,
        &Marks::default(),
        &mut searcher,
        ViewOptions::default(),
    );
    assert!(matches!(
        plain,
        Some(RowView::Account {
            editable: false,
            ..
        })
    ));
}

#[test]
fn an_account_the_team_renamed_is_found_by_the_organizations_name_too() {
    let mut renamed = target(GLOBEX, Some("Client G"), "Admin");
    renamed.also_named = Some("Globex".into());
    renamed.name_from = Some(LookOrigin::Team);
    let catalog = Catalog::new(vec![renamed], &HashMap::new());
    let listing = listing(
        &catalog,
        &Marks::default(),
        &mut Searcher::default(),
        "globex",
    );
    let shown = render(
        &catalog,
        &Marks::default(),
        &listing,
        listing.first(),
        ViewOptions::default(),
    );
    assert!(shown.starts_with("1 of 1 role match"), "{shown}");
    assert!(shown.contains("Client G"), "{shown}");
    let group = &catalog.groups[0];
    let (_, look) = account_look(&catalog, group);
    assert!(look.contains("the organization calls it Globex"), "{look}");
}
