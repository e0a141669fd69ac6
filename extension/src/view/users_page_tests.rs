//! Tests of `users_page`: the query, the rows, the picker, the form checked live and on
//! submit, the hand-over, removal, error places and the MFA QR code (decoded again).

use expect_test::expect;

use super::*;
use switchyard_shared::protocol::aws::{Account, AccountsSource, Organization};
use switchyard_shared::protocol::users::{KeySummary, NewAccessKey};

const NOW: u64 = 1_800_000_000;

fn target(account: Option<&str>) -> UsersTarget {
    UsersTarget {
        profile: None,
        account_id: account.map(str::to_owned),
        role_name: None,
    }
}

#[test]
fn the_query_names_the_account_and_role() {
    assert_eq!(target_from_query(""), Ok(target(None)));
    assert_eq!(target_from_query("?account="), Ok(target(None)));
    assert_eq!(
        target_from_query("?account=111111111111"),
        Ok(target(Some("111111111111")))
    );
    assert_eq!(
        target_from_query("account=111111111111&role=Admin%2B1"),
        Ok(UsersTarget {
            role_name: Some("Admin+1".into()),
            ..target(Some("111111111111"))
        })
    );
    for (bad, why) in [
        ("?account=1234", "is not an AWS account id"),
        ("?account=11111111111a", "is not an AWS account id"),
        ("?role=Admin", "only assumed in another account"),
        (
            "?account=111111111111&role=a%20b",
            "is not an IAM role name",
        ),
        ("?acount=111111111111", "no parameter \"acount\""),
    ] {
        let error = target_from_query(bad).unwrap_err();
        assert!(error.contains(why), "{bad}: {error}");
    }
    assert_eq!(page_href(None, Some("x")), "users.html");
    assert_eq!(
        page_href(Some("111111111111"), None),
        "users.html?account=111111111111"
    );
    assert_eq!(
        page_href(Some("111111111111"), Some("Ops Admin")),
        "users.html?account=111111111111&role=Ops+Admin"
    );
    // What the page makes, it reads back.
    let href = page_href(Some("111111111111"), Some("Ops+Admin"));
    let query = href.split_once('?').map(|(_, q)| q).unwrap_or_default();
    assert_eq!(
        target_from_query(query).map(|t| t.role_name),
        Ok(Some("Ops+Admin".into()))
    );
}

#[test]
fn ages_read_naturally() {
    let shown: Vec<String> = [0, 59, 60, 3599, 3600, 86_399, 86_400, 172_800, 5_184_000]
        .into_iter()
        .chain([63_072_000, 100_000_000])
        .map(|secs| ago(NOW - secs, NOW))
        .collect();
    expect![[r#"["just now", "just now", "1 min ago", "59 min ago", "1 h ago", "23 h ago", "1 day ago", "2 days ago", "2 months ago", "2 years ago", "3 years ago"]"#]]
        .assert_eq(&format!("{shown:?}"));
    // A clock behind AWS's never shows a negative age.
    assert_eq!(ago(NOW + 100, NOW), "just now");
}

fn user(name: &str) -> UserSummary {
    UserSummary {
        user_name: name.into(),
        arn: format!("arn:aws:iam::111111111111:user/{name}"),
        created_at: Some(NOW - 86_400 * 10),
        password_last_used_at: None,
        groups: vec![],
        attached_policies: vec![],
        inline_policies: vec![],
        console_password: false,
        access_keys: vec![],
        mfa_devices: vec![],
    }
}

#[test]
fn rows_show_access_keys_masked_with_age_and_use() {
    let admin = UserSummary {
        groups: vec!["Admins".into(), "Developers".into()],
        attached_policies: vec![
            "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
            "arn:aws:iam::111111111111:policy/team/Deploy".into(),
        ],
        inline_policies: vec!["extra".into()],
        console_password: true,
        password_last_used_at: Some(NOW - 7200),
        access_keys: vec![
            KeySummary {
                access_key_id: "AKIA…WXYZ".into(),
                status: "Active".into(),
                created_at: Some(NOW - 86_400 * 3),
                last_used_at: Some(NOW - 3600),
                last_used_service: Some("sts".into()),
            },
            KeySummary {
                access_key_id: "AKIA…ABCD".into(),
                status: "Inactive".into(),
                created_at: None,
                last_used_at: None,
                last_used_service: None,
            },
        ],
        mfa_devices: vec!["arn:aws:iam::111111111111:mfa/admin-phone".into()],
        ..user("Zed")
    };
    let fresh = UserSummary {
        console_password: true,
        ..user("bob")
    };
    let rows = user_rows(&[admin, fresh, user("api-bot")], NOW);
    expect![[r#"
        [
            UserRow {
                name: "api-bot",
                arn: "arn:aws:iam::111111111111:user/api-bot",
                groups: "none",
                policies: "none",
                console: "no",
                keys: [],
                mfa: "none",
            },
            UserRow {
                name: "bob",
                arn: "arn:aws:iam::111111111111:user/bob",
                groups: "none",
                policies: "none",
                console: "yes (never signed in)",
                keys: [],
                mfa: "none",
            },
            UserRow {
                name: "Zed",
                arn: "arn:aws:iam::111111111111:user/Zed",
                groups: "Admins, Developers",
                policies: "ReadOnlyAccess, Deploy, extra (inline)",
                console: "yes (last sign-in 2 h ago)",
                keys: [
                    "AKIA…WXYZ · Active · created 3 days ago · last used 1 h ago (sts)",
                    "AKIA…ABCD · Inactive · never used",
                ],
                mfa: "admin-phone",
            },
        ]
    "#]]
    .assert_debug_eq(&rows);
}

fn accounts() -> AccountsData {
    let account = |id: &str, name: &str, state: &str| Account {
        id: id.into(),
        name: name.into(),
        email: None,
        state: Some(state.into()),
        arn: None,
        joined_at: None,
        tags: None,
        console_color: None,
    };
    AccountsData {
        profile: "default".into(),
        source: AccountsSource::Organization,
        organization: Some(Organization {
            id: "o-abc".into(),
            management_account_id: "123456789012".into(),
        }),
        accounts: vec![
            account("222222222222", "Globex", "ACTIVE"),
            account("123456789012", "Acme", "ACTIVE"),
            account("111111111111", "acme Production", "ACTIVE"),
            account("333333333333", "Old", "SUSPENDED"),
        ],
        fetched_at: NOW,
        stale: false,
        refreshing: false,
        notice: None,
    }
}

#[test]
fn the_picker_puts_the_own_account_first_and_leaves_closed_ones_out() {
    let data = accounts();
    assert_eq!(
        account_title("123456789012", Some(&data)),
        "Acme (123456789012), management account"
    );
    assert_eq!(account_title("999999999999", Some(&data)), "999999999999");
    assert_eq!(account_title("111111111111", None), "111111111111");
    let shown: Vec<String> = picker(&data, "123456789012", "111111111111")
        .into_iter()
        .map(|o| {
            format!(
                "{}{} → {}",
                if o.selected { "*" } else { "" },
                o.label,
                o.href
            )
        })
        .collect();
    expect![[r#"
        [
            "Acme (123456789012), management account (yours) → users.html",
            "*acme Production (111111111111) → users.html?account=111111111111",
            "Globex (222222222222) → users.html?account=222222222222",
        ]
    "#]]
    .assert_debug_eq(&shown);
}

fn form(name: &str) -> CreateForm {
    CreateForm {
        user_name: name.into(),
        console: true,
        ..CreateForm::default()
    }
}

#[test]
fn a_good_form_makes_the_daemons_parameters() {
    let policy = PasswordPolicy::AWS_DEFAULT;
    let filled = CreateForm {
        api: true,
        groups: vec!["Admins".into()],
        policies:
            "arn:aws:iam::aws:policy/ReadOnlyAccess,\n arn:aws:iam::111111111111:policy/Deploy\n"
                .into(),
        tags: "team=blue\n\nowner=ops@example.com\n".into(),
        ..form("carol")
    };
    let params = check_form(&filled, &policy, &target(Some("111111111111"))).unwrap();
    expect![[r#"
        UsersCreateParams {
            profile: None,
            account_id: Some(
                "111111111111",
            ),
            role_name: None,
            user_name: "carol",
            console: true,
            password: None,
            api: true,
            groups: [
                "Admins",
            ],
            policies: [
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
                "arn:aws:iam::111111111111:policy/Deploy",
            ],
            tags: [
                Tag {
                    key: "team",
                    value: "blue",
                },
                Tag {
                    key: "owner",
                    value: "ops@example.com",
                },
            ],
            store_profile: None,
        }
    "#]]
    .assert_debug_eq(&params);
    // A typed password that meets the policy goes with the request (never printed).
    let typed = CreateForm {
        type_password: true,
        password: "Correct-Horse-7".into(),
        ..form("carol")
    };
    let params = check_form(&typed, &policy, &target(None)).unwrap();
    assert_eq!(params.password.as_deref(), Some("Correct-Horse-7"));
    assert!(!format!("{params:?}").contains("Horse"));
    // A password typed, then "generate" chosen again: none is sent.
    let generated = CreateForm {
        type_password: false,
        ..typed
    };
    assert_eq!(
        check_form(&generated, &policy, &target(None)).map(|p| p.password),
        Ok(None)
    );
}

#[test]
fn the_api_only_action_never_gives_console_access() {
    let api_only = CreateForm {
        api_only: true,
        console: true,
        type_password: true,
        password: "x".into(),
        store_profile: "client-bot".into(),
        ..form("client-bot")
    };
    let params = check_form(
        &api_only,
        &PasswordPolicy::AWS_DEFAULT,
        &target(Some("111111111111")),
    )
    .unwrap();
    assert!(!params.console);
    assert!(params.api);
    assert_eq!(params.password, None);
    assert_eq!(params.store_profile.as_deref(), Some("client-bot"));
    assert_eq!(params.account_id.as_deref(), Some("111111111111"));
}

#[test]
fn bad_fields_are_named_each_beside_its_own_field() {
    let policy = PasswordPolicy::custom(14, true, true, true, true);
    let bad = CreateForm {
        user_name: "bob smith".into(),
        type_password: true,
        password: "short1".into(),
        groups: vec!["bad group".into()],
        policies: "arn:aws:s3:::bucket".into(),
        tags: "aws:owner=me".into(),
        store_profile: "my profile".into(),
        ..form("")
    };
    let problems = check_form(&bad, &policy, &target(None)).unwrap_err();
    expect![[r#"
        FormProblems {
            user_name: Some(
                "\"bob smith\" is not an IAM user name: ' ' is not allowed (use letters, digits and +=,.@_-)",
            ),
            access: None,
            password: Some(
                "the password does not meet the account's password policy: it must be at least 14 characters long; it must contain a symbol (!@#$%^&*()_+-=[]{}|'); it must contain an upper-case letter",
            ),
            groups: Some(
                "\"bad group\" is not an IAM group name: use 1 to 128 letters, digits and +=,.@_-",
            ),
            policies: Some(
                "\"arn:aws:s3:::bucket\" is not a managed policy ARN (arn:aws:iam::aws:policy/NAME or arn:aws:iam::ACCOUNT:policy/NAME)",
            ),
            tags: Some(
                "tag key \"aws:owner\": keys starting with aws: are AWS's own",
            ),
            store_profile: Some(
                "only an access key can be stored as a profile",
            ),
        }
    "#]]
    .assert_debug_eq(&problems);

    // Nothing chosen: the access problem, shown on submit only.
    let none = CreateForm {
        console: false,
        ..form("dave")
    };
    let problems = check_form(&none, &policy, &target(None)).unwrap_err();
    assert_eq!(
        problems.access.as_deref(),
        Some("choose console access, programmatic (API) access, or both")
    );
    assert!(problems.clone().live(&none).is_empty());
    // Empty name and password: refused on submit, not while typing.
    let empty = CreateForm {
        type_password: true,
        ..form("")
    };
    let problems = check_form(&empty, &policy, &target(None)).unwrap_err();
    assert_eq!(
        problems.user_name.as_deref(),
        Some("a user name cannot be empty")
    );
    assert!(problems.password.is_some());
    assert!(problems.live(&empty).is_empty());
    // Too long a name is named with its length.
    let long = check_form(&form(&"n".repeat(65)), &policy, &target(None)).unwrap_err();
    assert_eq!(
        long.user_name.as_deref(),
        Some("the user name is 65 characters long; IAM allows at most 64")
    );
    // A bad profile name for the keyring.
    let store = CreateForm {
        api: true,
        store_profile: "my profile".into(),
        ..form("erin")
    };
    assert!(check_form(&store, &policy, &target(None))
        .unwrap_err()
        .store_profile
        .is_some_and(|e| e.contains("not a profile name")));
}

#[test]
fn policies_in_words() {
    assert_eq!(
        policy_summary(&PasswordPolicy::AWS_DEFAULT),
        "at least 8 characters; 3 of upper case, lower case, digits, symbols (!@#$%^&*()_+-=[]{}|')"
    );
    assert_eq!(
        policy_summary(&PasswordPolicy::custom(14, true, true, false, false)),
        "at least 14 characters; a digit; a symbol"
    );
}

fn created() -> UsersCreateData {
    UsersCreateData {
        profile: "default".into(),
        account_id: "111111111111".into(),
        user_name: "carol".into(),
        arn: "arn:aws:iam::111111111111:user/carol".into(),
        signin_url: "https://111111111111.signin.aws.amazon.com/console".into(),
        password: Some("Pa55-word-secret".into()),
        password_reset_required: true,
        access_key: Some(NewAccessKey {
            access_key_id: "AKIAEXAMPLEEXAMPLE12".into(),
            secret_access_key: "secret/secret/secret".into(),
        }),
        stored_profile: None,
        groups: vec![],
        policies: vec![],
        via_role: None,
    }
}

#[test]
fn the_handover_has_each_field_to_copy_once() {
    let shown = handover(&created());
    expect![[r#"
        Handover {
            title: "carol was created in account 111111111111",
            fields: [
                HandoverField {
                    id: "signin_url",
                    label: "Console sign-in URL",
                    value: "https://111111111111.signin.aws.amazon.com/console",
                    secret: false,
                },
                HandoverField {
                    id: "user_name",
                    label: "User name",
                    value: "carol",
                    secret: false,
                },
                HandoverField {
                    id: "password",
                    label: "Password",
                    value: "Pa55-word-secret",
                    secret: true,
                },
                HandoverField {
                    id: "access_key_id",
                    label: "Access key ID",
                    value: "AKIAEXAMPLEEXAMPLE12",
                    secret: false,
                },
                HandoverField {
                    id: "secret_access_key",
                    label: "Secret access key",
                    value: "secret/secret/secret",
                    secret: true,
                },
            ],
            notes: [
                "They must choose a new password when they first sign in.",
                "Shown once: Switchyard keeps none of this. Copy it now and hand it over safely.",
            ],
        }
    "#]]
    .assert_debug_eq(&shown);
    // An API user whose key went into the keyring: no secret, no sign-in URL.
    let stored = handover(&UsersCreateData {
        password: None,
        password_reset_required: false,
        access_key: None,
        stored_profile: Some("client-bot".into()),
        ..created()
    });
    let ids: Vec<&str> = stored.fields.iter().map(|f| f.id).collect();
    assert_eq!(ids, ["user_name"]);
    assert_eq!(
        stored.notes,
        ["The access key is stored in your keyring as profile \"client-bot\"; it is not shown."]
    );
}

#[test]
fn removal_needs_the_exact_name() {
    let member = target(Some("111111111111"));
    let params = check_removal("carol", " carol ", &member).unwrap();
    assert_eq!(params.confirm, "carol");
    assert_eq!(params.account_id.as_deref(), Some("111111111111"));
    for wrong in ["", "Carol", "caro", "carol2"] {
        let error = check_removal("carol", wrong, &member).unwrap_err();
        assert_eq!(
            error,
            "type the user name \"carol\" exactly to remove this user"
        );
    }
}

#[test]
fn errors_go_where_they_can_be_fixed() {
    let place = |code| error_place(&ErrorBody::new(code, "m"));
    assert_eq!(place(ErrorCode::InvalidUserName), ErrorPlace::UserName);
    assert_eq!(place(ErrorCode::UserExists), ErrorPlace::UserName);
    assert_eq!(
        place(ErrorCode::PasswordPolicyViolation),
        ErrorPlace::Password
    );
    assert_eq!(place(ErrorCode::MfaRequired), ErrorPlace::NeedsMfa);
    assert_eq!(
        place(ErrorCode::AccessDenied),
        ErrorPlace::Problem {
            title: "Not allowed".into()
        }
    );
    assert_eq!(
        place(ErrorCode::Internal),
        ErrorPlace::Problem {
            title: "Could not ask AWS".into()
        }
    );
}

#[test]
fn enable_codes_are_two_different_six_digit_codes() {
    let serial = "arn:aws:iam::123456789012:mfa/alice";
    let params = check_enable_codes(serial, " 123456", "654321 ", None).unwrap();
    assert_eq!(
        (params.code1.as_str(), params.code2.as_str()),
        ("123456", "654321")
    );
    assert_eq!(params.serial, serial);
    assert!(check_enable_codes(serial, "123456", "123456", None)
        .unwrap_err()
        .contains("the same"));
    assert!(check_enable_codes(serial, "12345", "123456", None)
        .unwrap_err()
        .starts_with("first code"));
    assert!(check_enable_codes(serial, "123456", "12a456", None)
        .unwrap_err()
        .starts_with("second code"));
}

/// Decode `matrix` as a camera would: render it with its quiet zone at `scale` pixels
/// per module and read it with `rqrr`.
fn decode(matrix: &QrMatrix, scale: usize) -> String {
    let side = (matrix.width + 2 * QUIET_ZONE) * scale;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
        let (mx, my) = (x / scale, y / scale);
        let dark = mx >= QUIET_ZONE
            && my >= QUIET_ZONE
            && matrix.is_dark(mx - QUIET_ZONE, my - QUIET_ZONE);
        if dark {
            0
        } else {
            255
        }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1);
    grids[0].decode().map(|(_, text)| text).unwrap()
}

#[test]
fn the_qr_code_holds_the_otpauth_uri() {
    let seed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    let uri = switchyard_shared::users::otpauth_uri("alice", "acme-main", seed);
    let matrix = QrMatrix::encode(&uri).unwrap();
    assert_eq!(decode(&matrix, 4), uri);
    assert!(matrix.width >= 21 && (matrix.width - 17).is_multiple_of(4));
    assert_eq!(matrix.dark.len(), matrix.width * matrix.width);
    // The finder pattern's corner is dark, the quiet zone light.
    assert!(matrix.is_dark(0, 0));
    assert!(!matrix.is_dark(matrix.width, 0));
    // The debug output never shows the modules.
    assert_eq!(
        format!("{matrix:?}"),
        format!("QrMatrix({0}×{0})", matrix.width)
    );
    let svg = matrix.svg(240);
    let side = matrix.width + 2 * QUIET_ZONE;
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"240\""));
    assert!(svg.contains(&format!("viewBox=\"0 0 {side} {side}\"")));
    // The top-left finder: a run of 7 dark modules at the quiet zone's corner.
    assert!(svg.contains("M4 4h7v1h-7z"));
    assert!(!svg.contains(seed));
    // Too much text for any QR code.
    assert!(QrMatrix::encode(&"x".repeat(5000)).is_err());
}

#[test]
fn seeds_are_grouped_for_reading() {
    assert_eq!(grouped_seed("ABCDEFGHIJ"), "ABCD EFGH IJ");
    assert_eq!(grouped_seed(""), "");
}
