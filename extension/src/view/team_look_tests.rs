//! Tests of the team's name-and-color form: filled from the account's tags, checked as
//! typed with the daemon's rules, the request it sends, and the daemon's answers.

use std::collections::BTreeMap;

use expect_test::expect;

use super::*;

fn account(tags: Option<&[(&str, &str)]>, console: Option<&str>) -> Account {
    Account {
        id: "111111111111".into(),
        name: "acme-prod".into(),
        email: None,
        state: Some("ACTIVE".into()),
        arn: None,
        joined_at: None,
        tags: tags.map(|pairs| {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>()
        }),
        console_color: console.map(Into::into),
    }
}

#[test]
fn the_form_starts_from_what_the_team_set() {
    let tagged = account(
        Some(&[
            ("switchyard:name", "Client A"),
            ("switchyard:color", "#1B998B"),
        ]),
        Some("red"),
    );
    let form = TeamLookForm::open("111111111111", "Client A", Some(&tagged), (None, None));
    assert_eq!(
        (form.name.as_str(), form.color.as_str()),
        ("Client A", "1b998b")
    );

    // The console's own color is not the team's tag: the color field stays empty.
    let console_only = account(Some(&[]), Some("teal"));
    let form = TeamLookForm::open(
        "111111111111",
        "acme-prod",
        Some(&console_only),
        (None, None),
    );
    assert_eq!((form.name.as_str(), form.color.as_str()), ("", ""));

    // Without the account's tags, what the switch list showed as the team's.
    let form = TeamLookForm::open(
        "111111111111",
        "Client A",
        None,
        (Some("Client A"), Some("ff0000")),
    );
    assert_eq!(
        (form.name.as_str(), form.color.as_str()),
        ("Client A", "ff0000")
    );
    expect![[r#"
        TeamLookView {
            heading: "Name and color for the team: Client A (111111111111)",
            name_error: None,
            color_error: None,
            swatch: Some(
                "ff0000",
            ),
            saving: false,
            error: None,
            done: None,
        }
    "#]]
    .assert_debug_eq(&view(&form));
}

#[test]
fn bad_names_and_colors_are_refused_before_any_request() {
    let mut form = TeamLookForm::open("111111111111", "acme-prod", None, (None, None));
    form.name = "<img src=x onerror=alert(1)>".into();
    form.color = "chartreuse".into();
    let shown = view(&form);
    expect![[r#"
        (
            Some(
                "The name holds markup (`<` or `>`)",
            ),
            Some(
                "\"chartreuse\" is not a color: use RRGGBB or RGB in hex, `#` optional (e.g. 1b998b)",
            ),
            None,
        )
    "#]]
    .assert_debug_eq(&(shown.name_error, shown.color_error, shown.swatch));
    assert_eq!(form.submit(), None);
    assert_eq!(form.stage, Stage::Editing);

    form.name = "x".repeat(65);
    form.color = "fa0".into();
    assert!(view(&form)
        .name_error
        .is_some_and(|e| e.contains("65 characters")));
    form.name = "tab\there".into();
    assert!(view(&form)
        .name_error
        .is_some_and(|e| e.contains("control")));

    // The console's color needs a color to match.
    form.name = "Client A".into();
    form.color = String::new();
    form.console_color = true;
    assert!(view(&form).color_error.is_some());
}

#[test]
fn saving_sends_accounts_set_once_and_shows_the_answer() {
    let mut form = TeamLookForm::open("111111111111", "acme-prod", None, (None, None));
    form.name = "  Client A ".into();
    form.color = "#FF8800".into();
    form.console_color = true;
    let sent = form.submit().expect("a request");
    assert_eq!(
        sent,
        AccountsSetParams {
            profile: None,
            account_id: "111111111111".into(),
            name: Some("Client A".into()),
            color: Some("#FF8800".into()),
            role_hints: None,
            console_color: true,
            role_name: None,
        }
    );
    assert!(view(&form).saving);
    assert_eq!(form.submit(), None, "one request at a time");

    form.answer(Ok(AccountsSetData {
        account_id: "111111111111".into(),
        tagged: BTreeMap::new(),
        untagged: vec![],
        console_color: Some("orange".into()),
        notes: vec!["the console has a fixed palette: #ff8800 is shown there as its nearest color, orange (#ec7211)".into()],
    }));
    expect![[r#"Some("Saved for the team: “Client A”, #ff8800. Colleagues see it at their next refresh. The console has a fixed palette: #ff8800 is shown there as its nearest color, orange (#ec7211)")"#]]
        .assert_eq(&format!("{:?}", view(&form).done));

    // Emptied fields remove the team's tags.
    form.edited();
    form.name = String::new();
    form.color = String::new();
    form.console_color = false;
    let sent = form.submit().expect("a request");
    assert_eq!(
        (sent.name.as_deref(), sent.color.as_deref()),
        (Some(""), Some(""))
    );
    form.answer(Ok(AccountsSetData {
        account_id: "111111111111".into(),
        tagged: BTreeMap::new(),
        untagged: vec!["switchyard:color".into(), "switchyard:name".into()],
        console_color: None,
        notes: vec![],
    }));
    assert!(view(&form)
        .done
        .is_some_and(|d| d.starts_with("The team's name and color were removed.")));
}

#[test]
fn a_refusal_names_the_missing_permission() {
    let mut form = TeamLookForm::open("111111111111", "acme-prod", None, (None, None));
    form.name = "Client A".into();
    form.submit();
    form.answer(Err(ErrorBody::new(
        ErrorCode::AccessDenied,
        "organizations:TagResource: AccessDeniedException: You don't have permissions to access this resource.; ask an administrator for this permission",
    )));
    let shown = view(&form);
    expect![[r#"
        Some(
            (
                "Your AWS identity may not write the account's tags: organizations:TagResource: AccessDeniedException: You don't have permissions to access this resource.; ask an administrator for this permission.",
                "access_denied",
            ),
        )
    "#]]
    .assert_debug_eq(&shown.error);
    // A late second answer changes nothing; typing makes the form editable again.
    form.answer(Ok(AccountsSetData {
        account_id: "111111111111".into(),
        tagged: BTreeMap::new(),
        untagged: vec![],
        console_color: None,
        notes: vec![],
    }));
    assert!(matches!(form.stage, Stage::Failed(_)));
    form.edited();
    assert_eq!(form.stage, Stage::Editing);
    assert!(form.submit().is_some());
}
