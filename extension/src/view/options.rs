//! What the extension's options page shows, as plain data: the profile choices, the
//! import report (imported, skipped and why), the lists Switchyard reads, and the
//! keyboard shortcut line. The page only renders these and stores
//! [`switchyard_shared::settings::Settings`].

use switchyard_shared::protocol::roles::{
    ProfilesData, RolesImportData, RolesSourcesData, TargetSource,
};

/// One entry of the profile selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileChoice {
    /// What to store in `Settings::profile` (`None`: the daemon's default profile).
    pub value: Option<String>,
    pub label: String,
    pub selected: bool,
}

/// The profile selector's entries: "the daemon's default" first, then every profile with
/// its region and masked key (or why it has none). A stored choice the daemon no longer
/// knows stays listed, marked, so it is never changed silently.
pub fn profile_choices(data: &ProfilesData, chosen: Option<&str>) -> Vec<ProfileChoice> {
    let mut choices = vec![ProfileChoice {
        value: None,
        label: format!("The daemon's default ({})", data.default_profile),
        selected: chosen.is_none(),
    }];
    for profile in &data.profiles {
        let key = match (&profile.access_key_id, &profile.problem) {
            (Some(key), _) => key.clone(),
            (None, Some(problem)) => format!("no key: {problem}"),
            (None, None) => "no key".to_owned(),
        };
        choices.push(ProfileChoice {
            value: Some(profile.name.clone()),
            label: format!("{} ({}, {key})", profile.name, profile.region),
            selected: chosen == Some(profile.name.as_str()),
        });
    }
    if let Some(chosen) = chosen.filter(|c| !data.profiles.iter().any(|p| p.name == *c)) {
        choices.push(ProfileChoice {
            value: Some(chosen.to_owned()),
            label: format!("{chosen} (unknown to the daemon: add it with `switchyard credentials add --profile {chosen}`)"),
            selected: true,
        });
    }
    choices
}

/// The result of pasting a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub headline: String,
    /// `what: why` for each skipped entry, then `kept what: why` for each entry used with
    /// a remark (where AWS Extend Switch Roles would refuse the whole configuration).
    pub skipped: Vec<String>,
    /// Whether anything was kept.
    pub kept: bool,
}

pub fn import_report(data: &RolesImportData) -> ImportReport {
    let headline = match (data.imported, data.skipped.len()) {
        (0, 0) => "Nothing to import: the text names no roles.".to_owned(),
        (0, skipped) => format!(
            "Nothing imported: {skipped} {} skipped. The previous import is kept.",
            plural(skipped, "entry was", "entries were")
        ),
        (imported, 0) => format!(
            "Imported {imported} {} for profile {}; they replace the previous import.",
            plural(imported, "role", "roles"),
            data.profile
        ),
        (imported, skipped) => format!(
            "Imported {imported} {} for profile {}; {skipped} {} skipped.",
            plural(imported, "role", "roles"),
            data.profile,
            plural(skipped, "entry was", "entries were")
        ),
    };
    ImportReport {
        headline,
        skipped: data
            .skipped
            .iter()
            .map(|s| format!("{}: {}", s.what, s.why))
            .chain(
                data.remarks
                    .iter()
                    .map(|s| format!("kept {}: {}", s.what, s.why)),
            )
            .collect(),
        kept: data.imported > 0,
    }
}

/// One list Switchyard reads, as the options page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceView {
    pub title: String,
    pub status: String,
    /// `label: role ARN` (or the ARN alone).
    pub roles: Vec<String>,
    pub skipped: Vec<String>,
}

pub fn sources_view(data: &RolesSourcesData) -> Vec<SourceView> {
    data.sources
        .iter()
        .map(|source| {
            let title = match source.source {
                TargetSource::AwsConfig => "AWS CLI profiles",
                TargetSource::Imported => "Imported AWS Extend Switch Roles list",
                TargetSource::Policy => "Your IAM policies",
                TargetSource::IdentityCenter => "IAM Identity Center",
            }
            .to_owned();
            let status = match (&source.problem, source.found) {
                (Some(problem), _) => format!("{}: {problem}", source.path),
                (None, false) => format!("{}: not there (nothing read)", source.path),
                (None, true) => format!(
                    "{}: {} {}, {} skipped",
                    source.path,
                    source.roles.len(),
                    plural(source.roles.len(), "role", "roles"),
                    source.skipped.len()
                ),
            };
            SourceView {
                title,
                status,
                roles: capped(source.roles.iter().map(|role| match &role.label {
                    Some(label) => format!("{label}: {}", role.role_arn),
                    None => role.role_arn.clone(),
                })),
                skipped: capped(
                    source
                        .skipped
                        .iter()
                        .map(|s| format!("{}: {}", s.what, s.why))
                        .chain(
                            source
                                .remarks
                                .iter()
                                .map(|s| format!("kept {}: {}", s.what, s.why)),
                        )
                        .collect::<Vec<_>>()
                        .into_iter(),
                ),
            }
        })
        .collect()
}

/// How many roles or skipped entries of one list the page shows; the rest are counted.
pub const SHOWN_PER_LIST: usize = 100;

/// The first [`SHOWN_PER_LIST`] lines, then one counting the rest.
fn capped(lines: impl ExactSizeIterator<Item = String>) -> Vec<String> {
    let total = lines.len();
    let mut shown: Vec<String> = lines.take(SHOWN_PER_LIST).collect();
    if total > SHOWN_PER_LIST {
        shown.push(format!("… and {} more", total - SHOWN_PER_LIST));
    }
    shown
}

/// The line about the popup's keyboard shortcut (`None`/empty: none is set).
pub fn shortcut_line(shortcut: Option<&str>) -> String {
    match shortcut.filter(|s| !s.is_empty()) {
        Some(keys) => format!("{keys} opens the Switchyard popup."),
        None => "No shortcut is set: the browser may have refused the suggested one because another extension uses it.".to_owned(),
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;
    use switchyard_shared::protocol::roles::{
        ListSource, ListedRoleSummary, ProfileSummary, Skipped,
    };

    fn profiles() -> ProfilesData {
        ProfilesData {
            default_profile: "default".into(),
            profiles: vec![
                ProfileSummary {
                    name: "default".into(),
                    region: "us-east-1".into(),
                    access_key_id: Some("AKIA…WXYZ".into()),
                    problem: None,
                    mfa_serial: None,
                    mfa_session_expires_at: None,
                },
                ProfileSummary {
                    name: "work".into(),
                    region: "eu-west-1".into(),
                    access_key_id: None,
                    problem: Some("no key stored".into()),
                    mfa_serial: None,
                    mfa_session_expires_at: None,
                },
            ],
        }
    }

    fn show(choices: &[ProfileChoice]) -> String {
        choices
            .iter()
            .map(|c| {
                format!(
                    "{} {:?} {}\n",
                    if c.selected { "*" } else { " " },
                    c.value,
                    c.label
                )
            })
            .collect()
    }

    #[test]
    fn profile_choices_mark_the_stored_one() {
        expect![[r#"
            * None The daemon's default (default)
              Some("default") default (us-east-1, AKIA…WXYZ)
              Some("work") work (eu-west-1, no key: no key stored)
        "#]]
        .assert_eq(&show(&profile_choices(&profiles(), None)));
        expect![[r#"
              None The daemon's default (default)
              Some("default") default (us-east-1, AKIA…WXYZ)
            * Some("work") work (eu-west-1, no key: no key stored)
        "#]]
        .assert_eq(&show(&profile_choices(&profiles(), Some("work"))));
    }

    #[test]
    fn a_stored_profile_the_daemon_forgot_stays_listed() {
        expect![[r#"
              None The daemon's default (default)
              Some("default") default (us-east-1, AKIA…WXYZ)
              Some("work") work (eu-west-1, no key: no key stored)
            * Some("gone") gone (unknown to the daemon: add it with `switchyard credentials add --profile gone`)
        "#]]
        .assert_eq(&show(&profile_choices(&profiles(), Some("gone"))));
    }

    #[test]
    fn import_reports() {
        let skipped = |n: usize| {
            (0..n)
                .map(|i| Skipped {
                    what: format!("[p{i}]"),
                    why: "no role_arn".into(),
                })
                .collect::<Vec<_>>()
        };
        let report = |imported, s| {
            import_report(&RolesImportData {
                profile: "default".into(),
                imported,
                skipped: skipped(s),
                remarks: vec![],
            })
        };
        expect![[r#"Nothing to import: the text names no roles."#]]
            .assert_eq(&report(0, 0).headline);
        expect![[r#"Nothing imported: 2 entries were skipped. The previous import is kept."#]]
            .assert_eq(&report(0, 2).headline);
        expect![[r#"Imported 1 role for profile default; they replace the previous import."#]]
            .assert_eq(&report(1, 0).headline);
        let mixed = report(3, 1);
        expect![[r#"Imported 3 roles for profile default; 1 entry was skipped."#]]
            .assert_eq(&mixed.headline);
        assert_eq!(mixed.skipped, vec!["[p0]: no role_arn".to_owned()]);
        assert!(mixed.kept);
        assert!(!report(0, 2).kept);
    }

    #[test]
    fn sources() {
        let data = RolesSourcesData {
            profile: "default".into(),
            sources: vec![
                ListSource {
                    source: TargetSource::AwsConfig,
                    path: "/home/a/.aws/config".into(),
                    found: true,
                    problem: None,
                    roles: vec![ListedRoleSummary {
                        role_arn: "arn:aws:iam::111111111111:role/Admin".into(),
                        label: Some("prod".into()),
                    }],
                    skipped: vec![Skipped {
                        what: "[profile x]".into(),
                        why: "role_arn is not a role ARN".into(),
                    }],
                    remarks: vec![],
                },
                ListSource {
                    source: TargetSource::Imported,
                    path: "/c/imports/default.aesr".into(),
                    found: false,
                    problem: None,
                    roles: vec![],
                    skipped: vec![],
                    remarks: vec![Skipped {
                        what: "twice".into(),
                        why: "`color` is given again".into(),
                    }],
                },
            ],
        };
        expect![[r#"
            [
                SourceView {
                    title: "AWS CLI profiles",
                    status: "/home/a/.aws/config: 1 role, 1 skipped",
                    roles: [
                        "prod: arn:aws:iam::111111111111:role/Admin",
                    ],
                    skipped: [
                        "[profile x]: role_arn is not a role ARN",
                    ],
                },
                SourceView {
                    title: "Imported AWS Extend Switch Roles list",
                    status: "/c/imports/default.aesr: not there (nothing read)",
                    roles: [],
                    skipped: [
                        "kept twice: `color` is given again",
                    ],
                },
            ]
        "#]]
        .assert_debug_eq(&sources_view(&data));
    }

    #[test]
    fn a_long_list_is_shown_in_part_and_counted() {
        let data = RolesSourcesData {
            profile: "default".into(),
            sources: vec![ListSource {
                source: TargetSource::Imported,
                path: "/c/imports/default.aesr".into(),
                found: true,
                problem: None,
                roles: (0..250)
                    .map(|i| ListedRoleSummary {
                        role_arn: format!("arn:aws:iam::{i:012}:role/Admin"),
                        label: None,
                    })
                    .collect(),
                skipped: vec![],
                remarks: vec![],
            }],
        };
        let view = &sources_view(&data)[0];
        assert_eq!(view.status, "/c/imports/default.aesr: 250 roles, 0 skipped");
        assert_eq!(view.roles.len(), SHOWN_PER_LIST + 1);
        assert_eq!(view.roles[SHOWN_PER_LIST], "… and 150 more");
    }

    #[test]
    fn shortcut() {
        assert_eq!(
            shortcut_line(Some("Alt+Shift+S")),
            "Alt+Shift+S opens the Switchyard popup."
        );
        assert!(shortcut_line(Some("")).starts_with("No shortcut"));
        assert!(shortcut_line(None).starts_with("No shortcut"));
    }
}
