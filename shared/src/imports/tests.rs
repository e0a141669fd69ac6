//! Tests of the AESR and `~/.aws/config` readers: realistic files, every kind of bad
//! part, odd line endings and characters, and a no-panic property.

use proptest::prelude::*;

use super::*;

fn aesr(text: &str) -> (Vec<ListedRole>, Vec<Skipped>) {
    parse_extend_switch_roles(text)
}

fn arns(roles: &[ListedRole]) -> Vec<&str> {
    roles.iter().map(|r| r.role_arn.as_str()).collect()
}

fn labels(roles: &[ListedRole]) -> Vec<&str> {
    roles.iter().filter_map(|r| r.label.as_deref()).collect()
}

/// The notes as `what: why`, for compact assertions.
fn notes(skipped: &[Skipped]) -> Vec<String> {
    skipped
        .iter()
        .map(|s| format!("{}: {}", s.what, s.why))
        .collect()
}

fn has_note(skipped: &[Skipped], what: &str, needle: &str) -> bool {
    skipped
        .iter()
        .any(|s| s.what == what && s.why.contains(needle))
}

const REALISTIC_AESR: &str = "\
; Roles for the platform team
[profile billing-admin]
role_arn = arn:aws:iam::210987654321:role/BillingAdmin
color = 33cc99

[sandbox]
aws_account_id = 345678901234
role_name = Developer
color=ff8800
region = eu-west-1

# Organization 1: sign in here, then switch
[hub]
aws_account_id = hub-alias
target_role_name = OrganizationAccountAccessRole
target_region = us-east-2

[hub-prod]
aws_account_id = 456789012345
source_profile = hub
color = cc0000

[hub-stage]
role_arn = arn:aws:iam::567890123456:role/ops/Deployer
source_profile = hub
image = \"https://example.com/stage.png\"
";

// 1
#[test]
fn realistic_aesr_configuration() {
    let (roles, skipped) = aesr(REALISTIC_AESR);
    assert_eq!(notes(&skipped), Vec::<String>::new());
    assert_eq!(
        roles,
        vec![
            ListedRole {
                role_arn: "arn:aws:iam::210987654321:role/BillingAdmin".into(),
                source: TargetSource::Imported,
                label: Some("billing-admin".into()),
                color: Some("33cc99".into()),
                region: None,
                image: None,
                base: None,
            },
            ListedRole {
                role_arn: "arn:aws:iam::345678901234:role/Developer".into(),
                source: TargetSource::Imported,
                label: Some("sandbox".into()),
                color: Some("ff8800".into()),
                region: Some("eu-west-1".into()),
                image: None,
                base: None,
            },
            ListedRole {
                role_arn: "arn:aws:iam::456789012345:role/OrganizationAccountAccessRole".into(),
                source: TargetSource::Imported,
                label: Some("hub-prod".into()),
                color: Some("cc0000".into()),
                region: Some("us-east-2".into()),
                image: None,
                base: Some(TargetBase {
                    profile: "hub".into(),
                    account_id: None,
                    account_alias: Some("hub-alias".into()),
                    role_name: None,
                }),
            },
            ListedRole {
                role_arn: "arn:aws:iam::567890123456:role/ops/Deployer".into(),
                source: TargetSource::Imported,
                label: Some("hub-stage".into()),
                color: None,
                region: Some("us-east-2".into()),
                image: Some("https://example.com/stage.png".into()),
                base: Some(TargetBase {
                    profile: "hub".into(),
                    account_id: None,
                    account_alias: Some("hub-alias".into()),
                    role_name: None,
                }),
            },
        ]
    );
}

// 2
#[test]
fn role_arn_and_account_plus_role_name_give_the_same_arn() {
    let (by_arn, _) = aesr("[a]\nrole_arn = arn:aws:iam::111122223333:role/Admin\n");
    let (by_parts, _) = aesr("[a]\naws_account_id = 111122223333\nrole_name = Admin\n");
    assert_eq!(by_arn, by_parts);
}

// 3
#[test]
fn role_arn_wins_over_account_and_role_name() {
    let (roles, skipped) = aesr(
        "[a]\naws_account_id = 111122223333\nrole_name = Other\n\
         role_arn = arn:aws:iam::444455556666:role/Admin\n",
    );
    assert!(skipped.is_empty());
    assert_eq!(arns(&roles), ["arn:aws:iam::444455556666:role/Admin"]);
}

// 4
#[test]
fn base_profiles_are_not_targets() {
    let text = "[base]\naws_account_id = 111122223333\n\n\
                [login]\naws_account_id = 222233334444\nrole_name = SignIn\n\n\
                [t]\nrole_arn = arn:aws:iam::333344445555:role/R\nsource_profile = login\n";
    let (roles, skipped) = aesr(text);
    assert!(skipped.is_empty(), "{:?}", notes(&skipped));
    assert_eq!(labels(&roles), ["t"]);
}

// 5
#[test]
fn base_account_given_by_alias_is_fine_but_a_target_by_alias_is_skipped() {
    let text = "[org]\naws_account_id = my-org-alias\n\n\
                [by-alias]\naws_account_id = account-3-alias\nrole_name = Admin\n";
    let (roles, skipped) = aesr(text);
    assert!(roles.is_empty());
    assert_eq!(skipped.len(), 1);
    assert!(has_note(&skipped, "by-alias", "not a 12-digit account id"));
    assert!(skipped[0].why.contains("line 4"));
}

// 6
#[test]
fn target_without_role_name_and_no_base_default_is_skipped() {
    let text = "[org]\naws_account_id = 111122223333\n\n\
                [t]\naws_account_id = 222233334444\nsource_profile = org\n";
    let (roles, skipped) = aesr(text);
    assert!(roles.is_empty());
    assert!(has_note(&skipped, "t", "without role_name"));
}

// 7
#[test]
fn comments_and_blank_lines() {
    let text = "# leading comment\n; another\n\n   \n[a] ; trailing on header\n\
                # inside\nrole_arn = arn:aws:iam::111122223333:role/Admin ; why\n\
                color = #ABC # grey-blue\n\t; indented comment\n";
    let (roles, skipped) = aesr(text);
    assert!(skipped.is_empty(), "{:?}", notes(&skipped));
    assert_eq!(arns(&roles), ["arn:aws:iam::111122223333:role/Admin"]);
    assert_eq!(roles[0].color.as_deref(), Some("aabbcc"));
}

// 8
#[test]
fn keys_are_case_insensitive_and_spacing_is_free() {
    let text =
        "[Profile  Mixed]\nAWS_Account_ID=111122223333\n  ROLE_NAME   =   Admin  \nColor=FFAAEE\n";
    let (roles, skipped) = aesr(text);
    assert!(skipped.is_empty(), "{:?}", notes(&skipped));
    assert_eq!(labels(&roles), ["Mixed"]);
    assert_eq!(roles[0].color.as_deref(), Some("ffaaee"));
}

// 9
#[test]
fn crlf_and_lone_cr_line_endings() {
    let crlf = "[a]\r\nrole_arn = arn:aws:iam::111122223333:role/Admin\r\ncolor = 00ff00\r\n";
    let cr = crlf.replace("\r\n", "\r");
    let lf = crlf.replace("\r\n", "\n");
    let (expected, none) = aesr(&lf);
    assert!(none.is_empty());
    assert_eq!(expected.len(), 1);
    assert_eq!(aesr(crlf), (expected.clone(), vec![]));
    assert_eq!(aesr(&cr), (expected, vec![]));
}

// 10
#[test]
fn line_numbers_count_crlf_as_one_line() {
    let text = "[a]\r\nrole_arn = nope\r\n\r\n[b]\r\nrole_arn = nope\r\n";
    let (_, skipped) = aesr(text);
    assert!(has_note(&skipped, "b", "line 4:"), "{:?}", notes(&skipped));
}

// 11
#[test]
fn duplicate_sections_later_wins_earlier_noted() {
    let text = "[a]\nrole_arn = arn:aws:iam::111122223333:role/Old\n\n\
                [b]\nrole_arn = arn:aws:iam::222233334444:role/B\n\n\
                [profile a]\nrole_arn = arn:aws:iam::111122223333:role/New\n";
    let (roles, skipped) = aesr(text);
    assert_eq!(
        arns(&roles),
        [
            "arn:aws:iam::222233334444:role/B",
            "arn:aws:iam::111122223333:role/New"
        ]
    );
    assert_eq!(
        notes(&skipped),
        ["a: line 1: defined again at line 7; the later definition is used"]
    );
}

// 12
#[test]
fn duplicate_key_in_a_section_later_value_wins() {
    let (roles, _) = aesr("[a]\naws_account_id = 111122223333\nrole_name = A\nrole_name = B\n");
    assert_eq!(arns(&roles), ["arn:aws:iam::111122223333:role/B"]);
}

// 13
#[test]
fn bad_account_ids() {
    for bad in [
        "12345678901",
        "1234567890123",
        "12345678901x",
        "-123456789012",
        "1234-56789012",
    ] {
        let (roles, skipped) = aesr(&format!("[a]\naws_account_id = {bad}\nrole_name = R\n"));
        assert!(roles.is_empty(), "{bad}");
        assert!(
            has_note(&skipped, "a", "not a 12-digit account id"),
            "{bad}"
        );
    }
    let (roles, _) = aesr("[a]\naws_account_id = 1111-2222-3333\nrole_name = R\n");
    assert_eq!(arns(&roles), ["arn:aws:iam::111122223333:role/R"]);
}

// 14
#[test]
fn invalid_role_names() {
    let long = "x".repeat(65);
    for bad in ["has space", "star*", long.as_str(), "path//Name", "team/"] {
        let (roles, skipped) = aesr(&format!(
            "[a]\naws_account_id = 111122223333\nrole_name = {bad}\n"
        ));
        assert!(roles.is_empty(), "{bad}");
        assert!(
            has_note(&skipped, "a", "not a valid IAM role name"),
            "{bad}: {:?}",
            notes(&skipped)
        );
    }
    let (roles, _) = aesr("[a]\naws_account_id = 111122223333\nrole_name = team/Deploy+1@x\n");
    assert_eq!(
        arns(&roles),
        ["arn:aws:iam::111122223333:role/team/Deploy+1@x"]
    );
}

// 15
#[test]
fn malformed_role_arns() {
    for bad in [
        "arn:aws:iam::111122223333:user/alice",
        "arn:aws:iam::*:role/Admin",
        "arn:aws:sts::111122223333:role/Admin",
        "arn:aws:iam::111122223333:role/",
        "111122223333:role/Admin",
    ] {
        let (roles, skipped) = aesr(&format!("[a]\nrole_arn = {bad}\n"));
        assert!(roles.is_empty(), "{bad}");
        assert!(has_note(&skipped, "a", "is not a role ARN"), "{bad}");
    }
}

// 16
#[test]
fn colors_normalized_or_dropped_with_a_note() {
    let cases = [
        ("ffaaee", Some("ffaaee")),
        ("#FFAAEE", Some("ffaaee")),
        ("fae", Some("ffaaee")),
        ("#Fae", Some("ffaaee")),
        ("ffaae", None),
        ("red", None),
        ("#", None),
        ("gggggg", None),
    ];
    for (raw, expected) in cases {
        let (roles, skipped) = aesr(&format!(
            "[a]\nrole_arn = arn:aws:iam::111122223333:role/Admin\ncolor = {raw}\n"
        ));
        assert_eq!(roles.len(), 1, "{raw}: the role is kept");
        assert_eq!(roles[0].color.as_deref(), expected, "{raw}");
        assert_eq!(skipped.len(), usize::from(expected.is_none()), "{raw}");
        if expected.is_none() {
            assert!(has_note(&skipped, "a", "not a hex color"));
        }
    }
}

// 17
#[test]
fn section_without_role_is_skipped_with_reason() {
    let (roles, skipped) =
        aesr("[lonely]\ncolor = ffffff\nregion = us-east-1\n\n[half]\nrole_name = R\n");
    assert!(roles.is_empty());
    assert!(has_note(
        &skipped,
        "lonely",
        "neither role_arn nor aws_account_id + role_name"
    ));
    assert!(has_note(
        &skipped,
        "half",
        "role_name without aws_account_id"
    ));
}

// 18
#[test]
fn unknown_keys_are_ignored_silently() {
    let (roles, skipped) = aesr(
        "[a]\nrole_arn = arn:aws:iam::111122223333:role/Admin\n\
         mfa_serial = whatever\nsomething_new = 1\n",
    );
    assert_eq!(roles.len(), 1);
    assert!(skipped.is_empty());
}

// 19
#[test]
fn key_lines_outside_any_section() {
    let (roles, skipped) = aesr(
        "role_arn = arn:aws:iam::111122223333:role/Admin\ncolor = fff\n\
         [a]\nrole_arn = arn:aws:iam::111122223333:role/Admin\n",
    );
    assert_eq!(roles.len(), 1);
    assert_eq!(
        notes(&skipped),
        [
            "line 1: 2 key line(s) before any [section] header are ignored (AWS Extend Switch \
          Roles refuses the whole configuration for this; Switchyard keeps the rest)"
        ]
    );
}

// 20
#[test]
fn malformed_lines_and_headers_name_the_line() {
    let (roles, skipped) = aesr(
        "[a]\nrole_arn = arn:aws:iam::111122223333:role/Admin\njust words\n\
         [broken\nrole_arn = arn:aws:iam::222233334444:role/Lost\n\
         []\n[b] trailing\n[profile ]\n",
    );
    assert_eq!(labels(&roles), ["a"]);
    assert!(has_note(&skipped, "line 3", "is not `key = value`"));
    assert!(has_note(&skipped, "line 4", "is not a section header"));
    assert!(has_note(&skipped, "line 6", "is not a section header"));
    assert!(has_note(&skipped, "line 7", "is not a section header"));
    // As in AESR, `[profile ]` is a section named `profile` (here, an empty one).
    assert!(has_note(&skipped, "profile", "line 8: neither role_arn"));
    assert_eq!(skipped.len(), 5, "{:?}", notes(&skipped));
}

// 21
#[test]
fn empty_and_blank_inputs() {
    for text in ["", "\n\n", "   \r\n\t", "\u{feff}", "; only a comment"] {
        assert_eq!(aesr(text), (vec![], vec![]), "{text:?}");
        assert_eq!(parse_aws_config(text), (vec![], vec![]), "{text:?}");
    }
}

// 22
#[test]
fn garbage_input_gives_notes_not_panics() {
    let text = "{\"json\": true}\n<xml/>\n=\n==\n[[[\n]]]\n= value\n\0\u{7}\n";
    let (roles, skipped) = aesr(text);
    assert!(roles.is_empty());
    assert!(!skipped.is_empty());
    let (roles, _) = parse_aws_config(text);
    assert!(roles.is_empty());
}

// 23
#[test]
fn non_ascii_names_and_values() {
    let text = "\u{feff}[profile Prod 🚀 café]\nrole_arn = arn:aws:iam::111122223333:role/Admin\n\
                color = ｆｆｆ\n\n[ünïcode]\naws_account_id = １２３４５６７８９０１２\nrole_name = Admin\n\
                [x]\nrole_arn = arn:aws:iam::111122223333:role/Ädmin\n";
    let (roles, skipped) = aesr(text);
    assert_eq!(labels(&roles), ["Prod 🚀 café"]);
    assert_eq!(roles[0].color, None);
    assert!(has_note(&skipped, "Prod 🚀 café", "not a hex color"));
    assert!(has_note(&skipped, "ünïcode", "not a 12-digit account id"));
    assert!(has_note(&skipped, "x", "is not a role ARN"));
}

// 24
#[test]
fn long_names_are_cut_in_notes_and_control_characters_replaced() {
    let name = "n".repeat(500);
    let (_, skipped) = aesr(&format!("[{name}]\nrole_arn = bad\u{1b}[31m\n"));
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].what.chars().count(), QUOTE_CHARS + 1);
    assert!(skipped[0].what.ends_with('…'));
    assert!(!skipped[0].why.contains('\u{1b}'));
}

// 25
#[test]
fn very_long_input_is_read_and_notes_are_capped() {
    let mut text = String::new();
    for i in 0..20_000u64 {
        text.push_str(&format!(
            "[r{i}]\naws_account_id = {:012}\nrole_name = Role{i}\ncolor = {:06x}\n\n",
            100_000_000_000 + i,
            i
        ));
        text.push_str(&format!("[bad{i}]\nrole_arn = nope\n"));
    }
    text.push_str(&"x".repeat(1_000_000));
    let (roles, skipped) = aesr(&text);
    assert_eq!(roles.len(), 20_000);
    assert_eq!(skipped.len(), MAX_SKIPPED);
    assert!(
        skipped[MAX_SKIPPED - 1].why.starts_with("19902 more"),
        "{:?}",
        skipped.last()
    );
}

// 26
#[test]
fn partition_follows_the_region_when_built_from_parts() {
    let (roles, _) = aesr(
        "[cn]\naws_account_id = 111122223333\nrole_name = R\nregion = cn-north-1\n\
         [gov]\naws_account_id = 111122223333\nrole_name = R\nregion = us-gov-west-1\n",
    );
    assert_eq!(
        arns(&roles),
        [
            "arn:aws-cn:iam::111122223333:role/R",
            "arn:aws-us-gov:iam::111122223333:role/R"
        ]
    );
}

// 27
#[test]
fn invalid_region_is_dropped_with_a_note() {
    let (roles, skipped) =
        aesr("[a]\nrole_arn = arn:aws:iam::111122223333:role/R\nregion = Europe West\n");
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].region, None);
    assert!(has_note(&skipped, "a", "not an AWS region name"));
}

const AWS_CONFIG: &str = "\
[default]
region = us-east-1
output = json

[sso-session acme]
sso_start_url = https://acme.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile dev-sso]
sso_session = acme
sso_account_id = 111122223333
sso_role_name = PowerUser
region = eu-central-1

[profile prod-admin]
role_arn = arn:aws:iam::444455556666:role/Admin
source_profile = default
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-west-1
s3 =
  max_concurrent_requests = 20
  region = not-this

[profile Audit]
ROLE_ARN = arn:aws:iam::777788889999:role/audit/ReadOnly ; auditors
credential_source = Ec2InstanceMetadata

[services local]
sts =
  endpoint_url = http://localhost:4566

[plain]
role_arn = arn:aws:iam::111111111111:role/NotRead
";

// 28
#[test]
fn aws_config_with_sso_and_role_profiles() {
    let (roles, skipped) = parse_aws_config(AWS_CONFIG);
    assert_eq!(
        roles,
        vec![
            ListedRole {
                role_arn: "arn:aws:iam::444455556666:role/Admin".into(),
                source: TargetSource::AwsConfig,
                label: Some("prod-admin".into()),
                color: None,
                region: Some("eu-west-1".into()),
                image: None,
                base: None,
            },
            ListedRole {
                role_arn: "arn:aws:iam::777788889999:role/audit/ReadOnly".into(),
                source: TargetSource::AwsConfig,
                label: Some("Audit".into()),
                color: None,
                region: None,
                image: None,
                base: None,
            },
        ]
    );
    assert_eq!(skipped.len(), 1, "{:?}", notes(&skipped));
    assert!(has_note(&skipped, "plain", "not a profile section"));
}

// 29
#[test]
fn aws_config_default_profile_may_have_a_role_and_bad_arns_are_noted() {
    let (roles, skipped) = parse_aws_config(
        "[default]\nrole_arn = arn:aws:iam::111122223333:role/Base\n\r\n\
         [profile broken]\r\nrole_arn = arn:aws:iam::1111:role/X\r\n",
    );
    assert_eq!(labels(&roles), ["default"]);
    assert!(has_note(
        &skipped,
        "broken",
        "line 4: role_arn `arn:aws:iam::1111:role/X` is not a role ARN"
    ));
}

// 30
#[test]
fn aws_config_duplicate_profiles() {
    let (roles, skipped) = parse_aws_config(
        "[profile a]\nrole_arn = arn:aws:iam::111122223333:role/Old\n\
         [profile a]\nrole_arn = arn:aws:iam::111122223333:role/New\n",
    );
    assert_eq!(arns(&roles), ["arn:aws:iam::111122223333:role/New"]);
    assert!(has_note(&skipped, "a", "defined again at line 3"));
}

// 31
#[test]
fn inline_comment_rules() {
    assert_eq!(strip_inline_comment("#ffaaee"), "#ffaaee");
    assert_eq!(strip_inline_comment("#ffaaee ; pink"), "#ffaaee");
    assert_eq!(strip_inline_comment("a#b;c"), "a#b;c");
    assert_eq!(strip_inline_comment("value\t# note"), "value");
    assert_eq!(strip_inline_comment(""), "");
}

// 32
#[test]
fn normalize_color_directly() {
    assert_eq!(normalize_color(" #0aF "), Some("00aaff".into()));
    assert_eq!(normalize_color("##ffffff"), None);
    assert_eq!(normalize_color(""), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    // 33
    #[test]
    fn parsers_never_panic_on_arbitrary_text(text in any::<String>()) {
        let _ = parse_extend_switch_roles(&text);
        let _ = parse_aws_config(&text);
    }

    // 34
    #[test]
    fn parsers_never_panic_on_ini_like_text(
        lines in prop::collection::vec(
            prop_oneof![
                "\\[(profile )?[a-z🚀 \\]\\[]{0,8}\\][ ;#a-z]{0,4}",
                "(role_arn|aws_account_id|role_name|color|region|source_profile|target_role_name|target_region) ?= ?[ -~é#;\\r]{0,40}",
                "[ \\t]{0,2}[;#=\\[\\]a-z0-9:/-]{0,20}",
                Just("role_arn = arn:aws:iam::111122223333:role/R".to_owned()),
            ],
            0..24,
        ),
        ending in prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
    ) {
        let text = lines.join(ending);
        let (roles, skipped) = parse_extend_switch_roles(&text);
        prop_assert!(skipped.len() <= MAX_SKIPPED);
        for role in &roles {
            prop_assert!(parse_role_arn(&role.role_arn).is_some(), "{}", role.role_arn);
            if let Some(color) = &role.color {
                prop_assert_eq!(color.len(), 6);
            }
        }
        let (roles, _) = parse_aws_config(&text);
        for role in &roles {
            prop_assert!(parse_role_arn(&role.role_arn).is_some(), "{}", role.role_arn);
        }
    }
}

// AESR compatibility (issue 15): what aesr-config reads differently, and the remarks.

#[test]
fn inline_comments_without_a_blank_end_the_value() {
    let (roles, skipped) = aesr(
        "[a] ;header\nrole_arn = arn:aws:iam::111122223333:role/Admin;why\n\
         color = ffaaee; pink\nregion = eu-west-1#frankfurt? no\n\n\
         [b]\naws_account_id = 111122223334# the other one\nrole_name = Dev;x\ncolor = #ABC;grey\n",
    );
    assert!(skipped.is_empty(), "{:?}", notes(&skipped));
    assert_eq!(
        arns(&roles),
        [
            "arn:aws:iam::111122223333:role/Admin",
            "arn:aws:iam::111122223334:role/Dev"
        ]
    );
    assert_eq!(roles[0].color.as_deref(), Some("ffaaee"));
    assert_eq!(roles[0].region.as_deref(), Some("eu-west-1"));
    assert_eq!(roles[1].color.as_deref(), Some("aabbcc"));
    // ~/.aws/config keeps its own rule: a comment needs a blank before it.
    let (config, _) = parse_aws_config(
        "[profile p]\nrole_arn = arn:aws:iam::111122223333:role/Admin\nregion = eu-west-1;x\n",
    );
    assert_eq!(config[0].region, None);
}

#[test]
fn the_same_role_under_two_names_is_two_targets() {
    let (roles, skipped) = aesr(
        "[Acme Prod Admin]\nrole_arn = arn:aws:iam::111122223333:role/Admin\ncolor = ff0000\n\n\
         [prod-admin-old]\naws_account_id = 111122223333\nrole_name = Admin\ncolor = 00ff00\n",
    );
    assert!(skipped.is_empty(), "{:?}", notes(&skipped));
    assert_eq!(labels(&roles), ["Acme Prod Admin", "prod-admin-old"]);
    assert_eq!(roles[0].role_arn, roles[1].role_arn);
    assert_eq!(roles[0].color.as_deref(), Some("ff0000"));
    assert_eq!(roles[1].color.as_deref(), Some("00ff00"));
}

#[test]
fn a_target_that_is_also_a_base_is_kept_with_a_remark() {
    let parsed = read_extend_switch_roles(
        "[root]\naws_account_id = 111111111111\n\n\
         [mid]\naws_account_id = 222222222222\nrole_name = Mid\nsource_profile = root\n\n\
         [leaf]\naws_account_id = 333333333333\nrole_name = Leaf\nsource_profile = mid\n",
    );
    assert!(parsed.skipped.is_empty(), "{:?}", notes(&parsed.skipped));
    assert_eq!(labels(&parsed.roles), ["mid", "leaf"]);
    assert_eq!(
        parsed.roles[1].base,
        Some(TargetBase {
            profile: "mid".into(),
            account_id: Some("222222222222".into()),
            account_alias: None,
            role_name: Some("Mid".into()),
        })
    );
    assert_eq!(
        parsed.roles[0].base.as_ref().map(|b| b.profile.as_str()),
        Some("root")
    );
    assert_eq!(parsed.remarks.len(), 1, "{:?}", notes(&parsed.remarks));
    assert!(has_note(&parsed.remarks, "mid", "kept as both"));
}

#[test]
fn bases_by_alias_and_permission_set_target_role_name_image_and_region() {
    let parsed = read_extend_switch_roles(
        "[corp]\naws_account_id = 111111111111\naws_account_alias = acme-corp\n\
         role_name = AdministratorAccess\ntarget_role_name = OrganizationAccountAccessRole\n\n\
         [by-alias]\naws_account_id = acme-login\n\n\
         [Client A]\naws_account_id = 222222222222\nsource_profile = corp\nregion = eu-central-1\n\
         image = \"https://example.com/a.png\"\n\n\
         [Client B]\naws_account_id = 333333333333\nrole_name = Audit\nsource_profile = by-alias\n\
         image = javascript:alert(1)\n",
    );
    assert_eq!(
        arns(&parsed.roles),
        [
            "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole",
            "arn:aws:iam::333333333333:role/Audit"
        ]
    );
    let a = &parsed.roles[0];
    assert_eq!(a.region.as_deref(), Some("eu-central-1"));
    assert_eq!(a.image.as_deref(), Some("https://example.com/a.png"));
    assert_eq!(
        a.base,
        Some(TargetBase {
            profile: "corp".into(),
            account_id: Some("111111111111".into()),
            account_alias: Some("acme-corp".into()),
            role_name: Some("AdministratorAccess".into()),
        })
    );
    let b = &parsed.roles[1];
    assert_eq!(b.image, None);
    assert_eq!(
        b.base.as_ref().and_then(|b| b.account_alias.as_deref()),
        Some("acme-login")
    );
    assert!(has_note(
        &parsed.skipped,
        "Client B",
        "not an https:// address"
    ));
}

#[test]
fn where_aesr_refuses_the_whole_configuration_the_good_entries_stay_with_a_remark() {
    let parsed = read_extend_switch_roles(
        "[twice]\naws_account_id = 111111111111\nrole_name = A\nrole_name = B\n\n\
         [empty]\nrole_arn = arn:aws:iam::222222222222:role/R\ncolor =\n\n\
         [orphan]\nrole_arn = arn:aws:iam::333333333333:role/R\nsource_profile = nowhere\n\n\
         [both]\nrole_arn = arn:aws:iam::444444444444:role/R\naws_account_id = 555555555555\n",
    );
    assert!(parsed.skipped.is_empty(), "{:?}", notes(&parsed.skipped));
    assert_eq!(labels(&parsed.roles), ["twice", "empty", "orphan", "both"]);
    assert_eq!(parsed.roles[0].role_arn, "arn:aws:iam::111111111111:role/B");
    assert_eq!(parsed.remarks.len(), 4, "{:?}", notes(&parsed.remarks));
    for (what, needle) in [
        ("twice", "`role_name` is given again"),
        ("empty", "`color` has no value"),
        ("orphan", "source_profile `nowhere` is not defined"),
        ("both", "role_arn is used"),
    ] {
        assert!(has_note(&parsed.remarks, what, needle), "{what}");
        assert!(has_note(
            &parsed.remarks,
            what,
            "refuses the whole configuration"
        ));
    }
}
