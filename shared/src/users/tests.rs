//! Tests of `users`: names, the password policy, generated passwords, sign-in URLs and the
//! create/remove parameters.

use super::*;
use crate::protocol::users::*;

#[test]
fn user_names_follow_iams_rule() {
    for good in [
        "alice",
        "ci-bot",
        "a.b@example.com",
        "x+y=z,w_1",
        &"n".repeat(64),
    ] {
        assert_eq!(check_user_name(good), Ok(()), "{good}");
    }
    assert_eq!(check_user_name(""), Err(InvalidName::Empty));
    assert_eq!(
        check_user_name(&"n".repeat(65)),
        Err(InvalidName::TooLong(65))
    );
    for (bad, char) in [
        ("a b", ' '),
        ("bob/x", '/'),
        ("élodie", 'é'),
        ("a:b", ':'),
        ("a*", '*'),
    ] {
        let error = check_user_name(bad).unwrap_err();
        assert_eq!(
            error,
            InvalidName::BadChar {
                name: bad.into(),
                bad: char
            }
        );
        let text = error.to_string();
        assert!(text.contains("letters, digits and +=,.@_-"), "{text}");
    }
}

#[test]
fn the_default_policy_wants_eight_characters_of_three_kinds() {
    let policy = PasswordPolicy::AWS_DEFAULT;
    assert!(check_password(&policy, "Abcdefg1").is_ok());
    assert!(check_password(&policy, "abcdef1!").is_ok());
    assert_eq!(
        password_violations(&policy, "Abc1"),
        [PasswordViolation::TooShort { minimum: 8 }]
    );
    assert_eq!(
        password_violations(&policy, "abcdefgh1"),
        [PasswordViolation::TooFewKinds { minimum: 3 }]
    );
    let message = check_password(&policy, "abc").unwrap_err();
    assert_eq!(
        message,
        "the password does not meet the account's password policy: it must be at least 8 \
         characters long; it must mix at least 3 of: upper-case letters, lower-case letters, \
         digits, symbols (!@#$%^&*()_+-=[]{}|')"
    );
}

#[test]
fn a_custom_policy_names_each_broken_rule_and_never_the_password() {
    let policy = PasswordPolicy::custom(14, true, true, true, true);
    let password = "secretword";
    let broken = password_violations(&policy, password);
    assert_eq!(
        broken,
        [
            PasswordViolation::TooShort { minimum: 14 },
            PasswordViolation::NoSymbol,
            PasswordViolation::NoNumber,
            PasswordViolation::NoUppercase,
        ]
    );
    let message = check_password(&policy, password).unwrap_err();
    assert!(!message.contains(password), "{message}");
    for part in [
        "at least 14 characters",
        "a symbol",
        "a digit",
        "an upper-case letter",
    ] {
        assert!(message.contains(part), "{part}: {message}");
    }
    assert!(!message.contains("lower-case letter"), "{message}");
    assert_eq!(
        password_violations(&policy, "ALLUPPER123456!"),
        [PasswordViolation::NoLowercase]
    );
    assert!(check_password(&policy, "Correct-Horse-7-Battery").is_ok());
    // A custom policy has no "three kinds" rule.
    assert!(check_password(
        &PasswordPolicy::custom(6, false, false, false, false),
        "aaaaaa"
    )
    .is_ok());
}

#[test]
fn odd_passwords_are_refused() {
    let policy = PasswordPolicy::custom(6, false, false, false, false);
    assert_eq!(
        password_violations(&policy, &"a".repeat(129)),
        [PasswordViolation::TooLong]
    );
    assert_eq!(
        password_violations(&policy, "abc\u{7}defg"),
        [PasswordViolation::BadCharacter]
    );
    assert_eq!(
        password_violations(&policy, "emoji🙂abc"),
        [PasswordViolation::BadCharacter]
    );
    assert!(password_violations(&policy, "café au lait").is_empty());
}

/// A deterministic stand-in for a random source (a linear congruential generator).
fn lcg(seed: u32) -> impl FnMut() -> u32 {
    let mut state = seed;
    move || {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        state
    }
}

#[test]
fn generated_passwords_meet_every_policy() {
    let policies = [
        PasswordPolicy::AWS_DEFAULT,
        PasswordPolicy::custom(6, false, false, false, false),
        PasswordPolicy::custom(14, true, true, true, true),
        PasswordPolicy::custom(40, true, false, true, false),
        PasswordPolicy::custom(128, true, true, true, true),
    ];
    for (i, policy) in policies.iter().enumerate() {
        for seed in 0..200 {
            let password = generate_password(policy, &mut lcg(seed * 7 + i as u32));
            assert_eq!(check_password(policy, &password), Ok(()), "{password}");
            assert_eq!(
                password.chars().count(),
                (policy.minimum_length as usize).max(GENERATED_LENGTH)
            );
        }
    }
}

#[test]
fn generated_passwords_differ_and_the_required_kinds_move() {
    let policy = PasswordPolicy::AWS_DEFAULT;
    let mut next = lcg(1);
    let passwords: std::collections::BTreeSet<String> = (0..100)
        .map(|_| generate_password(&policy, &mut next))
        .collect();
    assert_eq!(passwords.len(), 100);
    let firsts: std::collections::BTreeSet<bool> = passwords
        .iter()
        .map(|p| p.starts_with(|c: char| c.is_ascii_uppercase()))
        .collect();
    assert_eq!(firsts.len(), 2, "not always an upper-case letter first");
}

#[test]
fn drawing_below_a_bound_rejects_the_biased_top() {
    // u32::MAX % 3 == 0, so the zone is u32::MAX - 0 and u32::MAX itself is drawn again.
    let mut values = vec![5, u32::MAX].into_iter();
    let mut next = || values.next_back().unwrap_or(0);
    assert_eq!(below(&mut next, 3), 2);
    assert_eq!(below(&mut || 7, 1), 0);
}

#[test]
fn signin_urls_use_the_alias_and_the_partition() {
    assert_eq!(
        signin_url(Partition::Aws, "123456789012", Some("acme-main")),
        "https://acme-main.signin.aws.amazon.com/console"
    );
    assert_eq!(
        signin_url(Partition::Aws, "123456789012", None),
        "https://123456789012.signin.aws.amazon.com/console"
    );
    assert_eq!(
        signin_url(Partition::AwsUsGov, "123456789012", Some("")),
        "https://123456789012.signin.amazonaws-us-gov.com/console"
    );
    assert_eq!(
        signin_url(Partition::AwsCn, "123456789012", Some("acme")),
        "https://acme.signin.amazonaws.cn/console"
    );
}

#[test]
fn tags_groups_and_policies_are_checked() {
    assert_eq!(
        Tag::parse("team=blue").unwrap(),
        Tag {
            key: "team".into(),
            value: "blue".into()
        }
    );
    assert_eq!(Tag::parse("empty=").unwrap().value, "");
    assert!(Tag::parse("novalue").unwrap_err().contains("KEY=VALUE"));
    assert!(Tag::parse("=x").is_err());
    assert!(Tag::parse("aws:x=y").unwrap_err().contains("AWS's own"));
    assert!(Tag::parse("a=b;c").is_err());
    assert!(check_group_name("Admins").is_ok());
    assert!(check_group_name("bad group").is_err());
    for good in [
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::123456789012:policy/team/Deploy",
        "arn:aws-cn:iam::aws:policy/job-function/ViewOnlyAccess",
    ] {
        assert_eq!(check_policy_arn(good), Ok(()), "{good}");
    }
    for bad in [
        "ReadOnlyAccess",
        "arn:aws:iam::aws:role/ReadOnlyAccess",
        "arn:aws:iam::12345:policy/X",
        "arn:aws:s3:::bucket",
        "arn:aws:iam::aws:policy/",
        "arn:nope:iam::aws:policy/X",
    ] {
        assert!(check_policy_arn(bad).is_err(), "{bad}");
    }
}

fn create(name: &str) -> UsersCreateParams {
    UsersCreateParams {
        profile: None,
        account_id: None,
        role_name: None,
        user_name: name.into(),
        console: true,
        password: None,
        api: false,
        groups: vec![],
        policies: vec![],
        tags: vec![],
        store_profile: None,
    }
}

#[test]
fn create_parameters_are_checked_before_any_call() {
    assert_eq!(create("alice").check(), Ok(()));
    assert!(create("a b")
        .check()
        .unwrap_err()
        .contains("not an IAM user name"));
    let none = UsersCreateParams {
        console: false,
        ..create("alice")
    };
    assert!(none.check().unwrap_err().contains("console access"));
    let password_without_console = UsersCreateParams {
        console: false,
        api: true,
        password: Some("x".into()),
        ..create("alice")
    };
    assert!(password_without_console.check().is_err());
    let store_without_key = UsersCreateParams {
        store_profile: Some("bot".into()),
        ..create("alice")
    };
    assert!(store_without_key.check().is_err());
    let bad_account = UsersCreateParams {
        account_id: Some("12".into()),
        ..create("alice")
    };
    assert!(bad_account.check().unwrap_err().contains("12 digits"));
    let role_alone = UsersCreateParams {
        role_name: Some("Admin".into()),
        ..create("alice")
    };
    assert!(role_alone.check().unwrap_err().contains("account_id"));
    let bad_group = UsersCreateParams {
        groups: vec!["no good".into()],
        ..create("alice")
    };
    assert!(bad_group.check().is_err());
}

#[test]
fn secrets_are_never_debug_printed() {
    let params = UsersCreateParams {
        password: Some("Hunter2-Hunter2".into()),
        ..create("alice")
    };
    assert!(!format!("{params:?}").contains("Hunter2"));
    let data = UsersCreateData {
        profile: "default".into(),
        account_id: "123456789012".into(),
        user_name: "alice".into(),
        arn: "arn:aws:iam::123456789012:user/alice".into(),
        signin_url: "https://x.signin.aws.amazon.com/console".into(),
        password: Some("Hunter2-Hunter2".into()),
        password_reset_required: true,
        access_key: Some(NewAccessKey {
            access_key_id: "AKIAEXAMPLEEXAMPLE12".into(),
            secret_access_key: "very-secret-value".into(),
        }),
        stored_profile: None,
        groups: vec![],
        policies: vec![],
        via_role: None,
    };
    let shown = format!("{data:?}");
    assert!(
        !shown.contains("Hunter2") && !shown.contains("very-secret"),
        "{shown}"
    );
}

#[test]
fn the_wire_shapes() {
    let request = crate::protocol::parse_request(
        br#"{"id":1,"type":"users.create","user_name":"bob","api":true,"account_id":"210987654321","tags":[{"key":"k","value":"v"}]}"#,
    )
    .unwrap();
    let crate::protocol::Request::UsersCreate(params) = request.request else {
        panic!("{request:?}");
    };
    assert_eq!(params.account_id.as_deref(), Some("210987654321"));
    assert!(params.api && !params.console);
    let unknown = crate::protocol::parse_request(
        br#"{"id":1,"type":"users.remove","user_name":"bob","confirm":"bob","force":true}"#,
    )
    .unwrap_err();
    assert_eq!(
        unknown.error.code,
        crate::protocol::ErrorCode::InvalidParams
    );
    let list = crate::protocol::parse_request(br#"{"id":1,"type":"users.list"}"#).unwrap();
    assert_eq!(
        list.request,
        crate::protocol::Request::UsersList(UsersTarget::default())
    );
}

#[test]
fn mfa_setup_pieces() {
    assert_eq!(
        user_name_of("arn:aws:iam::123456789012:user/alice"),
        Some("alice")
    );
    assert_eq!(
        user_name_of("arn:aws:iam::123456789012:user/team/ops/bob"),
        Some("bob")
    );
    assert_eq!(user_name_of("arn:aws:iam::123456789012:root"), None);
    assert_eq!(
        user_name_of("arn:aws:sts::123456789012:assumed-role/Admin/x"),
        None
    );
    assert_eq!(
        otpauth_uri("alice", "acme-main", "JBSWY3DPEHPK3PXP"),
        "otpauth://totp/Amazon%20Web%20Services%3Aalice%40acme-main?secret=JBSWY3DPEHPK3PXP\
         &issuer=Amazon%20Web%20Services"
    );
    assert!(check_device_name("alice-phone").is_ok());
    assert!(check_device_name("alice phone").is_err());
    assert!(check_device_name("").is_err());
    let data = MfaSetupData {
        profile: "default".into(),
        user_name: "alice".into(),
        serial: "arn:aws:iam::123456789012:mfa/alice".into(),
        seed: "JBSWY3DPEHPK3PXP".into(),
        otpauth_uri: otpauth_uri("alice", "1", "JBSWY3DPEHPK3PXP"),
    };
    assert!(!format!("{data:?}").contains("JBSWY3DPEHPK3PXP"));
}
