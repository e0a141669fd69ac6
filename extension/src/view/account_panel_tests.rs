//! Tests of the popup's account panel: the state machine and what each state shows.

use expect_test::expect;

use super::*;
use switchyard_shared::protocol::aws::{Account, MfaState, Organization};

const NOW: u64 = 1_700_000_000; // 2023-11-14 22:13:20 UTC

fn identity(session_expires_at: Option<u64>) -> IdentityData {
    IdentityData {
        profile: "default".into(),
        account_id: "123456789012".into(),
        arn: "arn:aws:iam::123456789012:user/alice".into(),
        user_id: "AIDAEXAMPLE".into(),
        account_alias: Some("acme-main".into()),
        mfa: MfaState {
            serial: session_expires_at.map(|_| "arn:aws:iam::123456789012:mfa/alice".into()),
            session_expires_at,
        },
    }
}

fn account(id: &str, name: &str, state: Option<&str>) -> Account {
    Account {
        id: id.into(),
        name: name.into(),
        email: Some(format!("ops+{id}@example.com")),
        state: state.map(Into::into),
        arn: None,
        joined_at: None,
        tags: None,
        console_color: None,
    }
}

fn accounts() -> AccountsData {
    AccountsData {
        profile: "default".into(),
        source: AccountsSource::Organization,
        organization: Some(Organization {
            id: "o-abc123".into(),
            management_account_id: "123456789012".into(),
        }),
        accounts: vec![
            account("222222222222", "globex", Some("ACTIVE")),
            account("123456789012", "Acme Main", Some("ACTIVE")),
            account("333333333333", "Acme Production", Some("PENDING_CLOSURE")),
            account("444444444444", "Initech", None),
        ],
        fetched_at: NOW - 1200,
        stale: false,
        refreshing: false,
        notice: None,
    }
}

fn error(code: ErrorCode, message: &str) -> ErrorBody {
    ErrorBody::new(code, message)
}

fn session() -> MfaSessionData {
    MfaSessionData {
        profile: "default".into(),
        serial: "arn:aws:iam::123456789012:mfa/alice".into(),
        expires_at: NOW + 43_200,
    }
}

#[test]
fn a_signed_in_user_sees_identity_then_accounts() {
    let mut panel = Panel::default();
    assert_eq!(view(&panel, NOW), PanelView::default());
    assert_eq!(panel.update(Event::Connected), Some(Command::AskIdentity));
    assert_eq!(
        view(&panel, NOW).busy.as_deref(),
        Some("Asking AWS who you are…")
    );
    assert_eq!(
        panel.update(Event::Identity(Ok(identity(None)))),
        Some(Command::AskAccounts)
    );
    let shown = view(&panel, NOW);
    assert_eq!(
        shown.busy.as_deref(),
        Some("Loading your organization's accounts…")
    );
    assert_eq!(panel.update(Event::Accounts(Ok(accounts()))), None);
    expect![[r#"
        PanelView {
            busy: None,
            error: None,
            note: None,
            mfa: None,
            identity: Some(
                IdentityView {
                    name: "alice",
                    arn: "arn:aws:iam::123456789012:user/alice",
                    account: "123456789012 (acme-main)",
                    mfa: None,
                },
            ),
            accounts: Some(
                AccountsView {
                    summary: "4 accounts in o-abc123",
                    freshness: None,
                    notice: None,
                    rows: [
                        AccountRow {
                            name: "Acme Main",
                            look: None,
                            color: None,
                            id: "123456789012",
                            state: "Active",
                            unusual: false,
                            current: true,
                        },
                        AccountRow {
                            name: "Acme Production",
                            look: None,
                            color: None,
                            id: "333333333333",
                            state: "Pending closure",
                            unusual: true,
                            current: false,
                        },
                        AccountRow {
                            name: "globex",
                            look: None,
                            color: None,
                            id: "222222222222",
                            state: "Active",
                            unusual: false,
                            current: false,
                        },
                        AccountRow {
                            name: "Initech",
                            look: None,
                            color: None,
                            id: "444444444444",
                            state: "Unknown",
                            unusual: true,
                            current: false,
                        },
                    ],
                },
            ),
        }
    "#]]
    .assert_debug_eq(&view(&panel, NOW));
}

#[test]
fn mfa_required_shows_the_form_and_a_good_code_reloads() {
    let mut panel = Panel::LoadingIdentity;
    let required = error(
        ErrorCode::MfaRequired,
        "profile \"default\" uses the MFA device",
    );
    assert_eq!(panel.update(Event::Identity(Err(required))), None);
    let shown = view(&panel, NOW);
    let form = shown.mfa.expect("the code form");
    assert_eq!(form.error, None);
    assert!(!form.submitting);
    assert!(form.intro.contains("6-digit code"));
    assert_eq!(shown.error, None);

    // A malformed code never leaves the popup.
    assert_eq!(panel.update(Event::MfaEntered("12ab".into())), None);
    expect![[r#"
        Some(
            MfaView {
                intro: "Your key is protected by MFA. Enter the 6-digit code from your authenticator app to start a session.",
                error: Some(
                    "An MFA code is the 6 digits your authenticator app shows.",
                ),
                submitting: false,
            },
        )
    "#]]
    .assert_debug_eq(&view(&panel, NOW).mfa);

    assert_eq!(
        panel.update(Event::MfaEntered(" 123456 ".into())),
        Some(Command::SubmitMfa("123456".into()))
    );
    let shown = view(&panel, NOW);
    assert_eq!(shown.busy.as_deref(), Some("Checking the code…"));
    assert_eq!(
        shown.mfa.map(|m| (m.submitting, m.error)),
        Some((true, None))
    );
    assert_eq!(
        panel.update(Event::MfaEntered("654321".into())),
        None,
        "a second submit waits for the first"
    );

    assert_eq!(
        panel.update(Event::MfaAnswer(Ok(session()))),
        Some(Command::AskIdentity)
    );
    assert_eq!(panel, Panel::LoadingIdentity);
    panel.update(Event::Identity(Ok(identity(Some(NOW + 43_140)))));
    let shown = view(&panel, NOW);
    assert_eq!(
        shown.identity.and_then(|i| i.mfa).as_deref(),
        Some("until 10:12 UTC (11 h 59 min left)")
    );
}

#[test]
fn a_refused_code_stays_beside_the_field() {
    let mut panel = Panel::NeedsMfa {
        error: None,
        submitting: false,
    };
    panel.update(Event::MfaEntered("000000".into()));
    let refused = error(
        ErrorCode::MfaCodeInvalid,
        "AWS did not accept that code for arn:aws:iam::1:mfa/a: it is wrong",
    );
    assert_eq!(panel.update(Event::MfaAnswer(Err(refused))), None);
    assert_eq!(
        panel,
        Panel::NeedsMfa {
            error: Some(
                "AWS did not accept that code for arn:aws:iam::1:mfa/a: it is wrong.".into()
            ),
            submitting: false
        }
    );
    // Any other failure of mfa.submit is an error with its fix.
    panel.update(Event::MfaEntered("111111".into()));
    let unreachable = error(ErrorCode::AwsUnreachable, "no route to sts");
    panel.update(Event::MfaAnswer(Err(unreachable)));
    let shown = view(&panel, NOW);
    assert_eq!(shown.mfa, None);
    assert_eq!(
        shown.error.map(|e| (e.title, e.code, e.retry)),
        Some((
            "AWS cannot be reached".into(),
            "aws_unreachable".into(),
            true
        ))
    );
}

#[test]
fn missing_credentials_say_which_command_adds_them() {
    let mut panel = Panel::LoadingIdentity;
    let missing = error(
        ErrorCode::CredentialsMissing,
        "no credentials stored for profile \"default\"; add them with \
         `switchyard credentials add --profile default`",
    );
    panel.update(Event::Identity(Err(missing)));
    expect![[r#"
        PanelView {
            busy: None,
            error: None,
            note: Some(
                NoteView {
                    title: "No AWS key stored: none is needed to switch",
                    message: "The roles from your lists switch through your console session. A key also lets Switchyard read your IAM policies and the organization's accounts: no credentials stored for profile \"default\"; add them with `switchyard credentials add --profile default`.",
                },
            ),
            mfa: None,
            identity: None,
            accounts: None,
        }
    "#]]
    .assert_debug_eq(&view(&panel, NOW));
    assert_eq!(panel.update(Event::Retry), Some(Command::AskIdentity));
}

#[test]
fn account_failures_keep_the_identity() {
    let mut panel = Panel::LoadingIdentity;
    panel.update(Event::Identity(Ok(identity(None))));
    let denied = error(
        ErrorCode::AccessDenied,
        "organizations:ListAccounts was denied",
    );
    panel.update(Event::Accounts(Err(denied)));
    let shown = view(&panel, NOW);
    assert!(shown.identity.is_some());
    assert_eq!(
        shown.error.map(|e| (e.title, e.retry)),
        Some(("Not allowed".into(), false))
    );
    assert_eq!(panel.update(Event::Retry), Some(Command::AskIdentity));

    // A session that ended between the two questions asks for a code again.
    panel.update(Event::Identity(Ok(identity(Some(NOW + 10)))));
    panel.update(Event::Accounts(Err(error(ErrorCode::MfaRequired, "ended"))));
    assert!(view(&panel, NOW).mfa.is_some());
}

#[test]
fn late_or_misplaced_answers_change_nothing() {
    let mut panel = Panel::NeedsMfa {
        error: None,
        submitting: false,
    };
    let before = panel.clone();
    assert_eq!(panel.update(Event::Identity(Ok(identity(None)))), None);
    assert_eq!(panel.update(Event::Accounts(Ok(accounts()))), None);
    assert_eq!(panel.update(Event::MfaAnswer(Ok(session()))), None);
    assert_eq!(panel.update(Event::Retry), None);
    assert_eq!(panel, before);

    let mut signed_in = Panel::LoadingIdentity;
    signed_in.update(Event::Identity(Ok(identity(None))));
    signed_in.update(Event::Accounts(Ok(accounts())));
    let before = signed_in.clone();
    assert_eq!(signed_in.update(Event::Accounts(Ok(accounts()))), None);
    assert_eq!(signed_in.update(Event::MfaEntered("123456".into())), None);
    assert_eq!(signed_in.update(Event::Retry), None);
    assert_eq!(signed_in, before);
}

#[test]
fn partial_and_cached_lists_say_so() {
    let mut data = accounts();
    data.stale = true;
    data.refreshing = true;
    data.source = AccountsSource::Caller;
    data.organization = None;
    data.accounts.truncate(1);
    data.notice = Some("you may not list the organization's accounts (access_denied)".into());
    let shown = accounts_view(&data, "123456789012", NOW);
    assert_eq!(shown.summary, "Only your own account");
    assert_eq!(
        shown.freshness.as_deref(),
        Some("Listed 20 min ago; refreshing…")
    );
    assert_eq!(
        shown.notice.as_deref(),
        Some("You may not list the organization's accounts (access_denied)")
    );
    data.refreshing = false;
    data.source = AccountsSource::Organization;
    let shown = accounts_view(&data, "123456789012", NOW);
    assert_eq!(shown.summary, "1 account");
    assert_eq!(shown.freshness.as_deref(), Some("Listed 20 min ago"));
}

#[test]
fn small_formatters() {
    assert_eq!(account_label("1", Some("acme")), "1 (acme)");
    assert_eq!(account_label("1", Some("")), "1");
    assert_eq!(account_label("1", None), "1");

    let names: Vec<String> = [
        "arn:aws:iam::1:user/alice",
        "arn:aws:iam::1:user/ops/bob",
        "arn:aws:sts::1:assumed-role/Admin/carol",
        "arn:aws:iam::1:root",
        "arn:aws:iam::1:user/",
        "not an arn",
    ]
    .into_iter()
    .map(principal_name)
    .collect();
    expect![[r#"["alice", "bob", "Admin (carol)", "root", "user/", "not an arn"]"#]]
        .assert_eq(&format!("{names:?}"));

    assert_eq!(session_end(NOW, NOW), "session ended");
    assert_eq!(
        session_end(NOW + 30, NOW),
        "until 22:13 UTC (less than a minute left)"
    );
    assert_eq!(
        session_end(NOW + 129_600, NOW),
        "until 10:13 UTC (1 d 12 h left)"
    );

    assert_eq!(state_label("ACTIVE"), "Active");
    assert_eq!(state_label("PENDING_CLOSURE"), "Pending closure");
    assert_eq!(sentence(""), "");
    assert_eq!(sentence("done!"), "Done!");
}

#[test]
fn the_teams_names_and_colors_show_with_where_they_came_from() {
    let mut panel = Panel::LoadingIdentity;
    panel.update(Event::Identity(Ok(identity(None))));
    let mut data = accounts();
    data.accounts[0].tags = Some(
        [
            ("switchyard:name".to_owned(), "Globex Corp".to_owned()),
            ("switchyard:color".to_owned(), "#1b998b".to_owned()),
        ]
        .into(),
    );
    data.accounts[2].tags = Some(Default::default());
    data.accounts[2].console_color = Some("teal".into());
    // A hostile tag is ignored: the organization's name stays.
    data.accounts[3].tags = Some([("switchyard:name".to_owned(), "<b>x</b>".to_owned())].into());
    panel.update(Event::Accounts(Ok(data)));
    let rows: Vec<String> = view(&panel, NOW)
        .accounts
        .unwrap()
        .rows
        .iter()
        .map(|r| format!("{} {:?} {:?}", r.name, r.color, r.look))
        .collect();
    expect![[r#"
        [
            "Acme Main None None",
            "Acme Production Some(\"1b998b\") Some(\"console color\")",
            "Globex Corp Some(\"1b998b\") Some(\"team name (organization: globex) · team color\")",
            "Initech None None",
        ]
    "#]]
    .assert_debug_eq(&rows);
    // After an `accounts.set` the list is read again.
    assert_eq!(
        panel.update(Event::AccountsChanged),
        Some(Command::AskAccounts)
    );
    assert_eq!(
        panel.update(Event::AccountsChanged),
        None,
        "already reading"
    );
    assert!(panel.signed_in());
}
