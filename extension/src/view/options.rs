//! What the extension's options page shows, as plain data: the profile choices, the
//! import report (imported, skipped and why), the lists Switchyard reads (each role with
//! the name and color the popup shows for it: the team's from AWS, or the person's own,
//! which wins), the names and colors the team set, and the keyboard shortcut line. The page only renders these and stores
//! [`switchyard_shared::settings::Settings`].

use std::collections::HashMap;

use switchyard_shared::protocol::roles::{
    ListedRoleSummary, LookOrigin, ProfilesData, RolesImportData, RolesSourcesData, TargetSource,
    TeamAccountLook,
};
use switchyard_shared::targets::parse_role_arn;

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
    pub roles: Vec<RoleLine>,
    pub skipped: Vec<String>,
}

/// One role of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleLine {
    /// `label: role ARN` (or the ARN alone).
    pub text: String,
    /// The color the popup shows for it (`rrggbb`): the list's own, else the team's.
    pub color: Option<String>,
    /// What the team set for its account and which one the popup shows:
    /// `account: “Client A” (the team's name) · color: yours (the team's #1b998b is not used)`.
    pub team: Option<String>,
}

/// A list's role with what the team set for its account; the person's own color wins.
fn role_line(role: &ListedRoleSummary, team: &HashMap<&str, &TeamAccountLook>) -> RoleLine {
    let text = match &role.label {
        Some(label) => format!("{label}: {}", role.role_arn),
        None => role.role_arn.clone(),
    };
    let look = parse_role_arn(&role.role_arn).and_then(|arn| team.get(arn.account_id).copied());
    let mut said = Vec::new();
    if let Some(name) = look.and_then(|l| l.name.as_deref()) {
        said.push(format!("account: “{name}” (the team's name)"));
    }
    let team_color = look.and_then(|l| Some((l.color.as_deref()?, l.color_from)));
    let color = match (&role.color, team_color) {
        (Some(own), Some((theirs, _))) => {
            said.push(format!(
                "color: yours (the team's #{theirs} is not used here)"
            ));
            Some(own.clone())
        }
        (Some(own), None) => Some(own.clone()),
        (None, Some((theirs, from))) => {
            said.push(
                if from == Some(LookOrigin::Console) {
                    "color: the console's own"
                } else {
                    "color: the team's"
                }
                .to_owned(),
            );
            Some(theirs.to_owned())
        }
        (None, None) => None,
    };
    RoleLine {
        text,
        color,
        team: (!said.is_empty()).then(|| said.join(" · ")),
    }
}

pub fn sources_view(data: &RolesSourcesData) -> Vec<SourceView> {
    let team: HashMap<&str, &TeamAccountLook> = data
        .team
        .iter()
        .map(|look| (look.account_id.as_str(), look))
        .collect();
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
                roles: capped(
                    source.roles.iter().map(|role| role_line(role, &team)),
                    |more| RoleLine {
                        text: more,
                        color: None,
                        team: None,
                    },
                ),
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
                    |more| more,
                ),
            }
        })
        .collect()
}

/// How many roles or skipped entries of one list the page shows; the rest are counted.
pub const SHOWN_PER_LIST: usize = 100;

/// The first [`SHOWN_PER_LIST`] lines, then one counting the rest.
fn capped<T>(lines: impl ExactSizeIterator<Item = T>, more: impl FnOnce(String) -> T) -> Vec<T> {
    let total = lines.len();
    let mut shown: Vec<T> = lines.take(SHOWN_PER_LIST).collect();
    if total > SHOWN_PER_LIST {
        shown.push(more(format!("… and {} more", total - SHOWN_PER_LIST)));
    }
    shown
}

/// One account the team named or colored, as the options page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRow {
    /// The team's name, else the organization's.
    pub name: String,
    /// `111111111111 · organization: acme-prod · the team's color`.
    pub detail: String,
    /// `rrggbb`.
    pub color: Option<String>,
}

/// The names and colors the team set (the accounts' tags, as the daemon last read them),
/// or the sentence saying none are known.
pub fn team_view(data: &RolesSourcesData) -> (Vec<TeamRow>, Option<String>) {
    if data.team.is_empty() {
        return (
            Vec::new(),
            Some(
                "None known: the team's names and colors are read with the organization's \
                 accounts (a stored key that may call organizations:ListTagsForResource); an \
                 administrator sets them with `switchyard accounts set ID --name … --color …` or \
                 from the popup."
                    .to_owned(),
            ),
        );
    }
    let rows = data
        .team
        .iter()
        .map(|look| {
            let mut detail = look.account_id.clone();
            if look.name.is_some() {
                detail.push_str(&format!(" · organization: {}", look.account_name));
            }
            match look.color_from {
                Some(LookOrigin::Console) => detail.push_str(" · the console's own color"),
                Some(_) => detail.push_str(" · the team's color"),
                None => {}
            }
            TeamRow {
                name: look
                    .name
                    .clone()
                    .unwrap_or_else(|| look.account_name.clone()),
                detail,
                color: look.color.clone(),
            }
        })
        .collect();
    (rows, None)
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
    use switchyard_shared::protocol::roles::{ListSource, ProfileSummary, Skipped};

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
                    roles: vec![
                        ListedRoleSummary {
                            role_arn: "arn:aws:iam::111111111111:role/Admin".into(),
                            label: Some("prod".into()),
                            color: None,
                        },
                        ListedRoleSummary {
                            role_arn: "arn:aws:iam::111111111111:role/ReadOnly".into(),
                            label: Some("prod-ro".into()),
                            color: Some("ff0000".into()),
                        },
                        ListedRoleSummary {
                            role_arn: "arn:aws:iam::222222222222:role/Admin".into(),
                            label: None,
                            color: None,
                        },
                    ],
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
            team: vec![
                TeamAccountLook {
                    account_id: "111111111111".into(),
                    account_name: "acme-prod".into(),
                    name: Some("Client A".into()),
                    color: Some("1b998b".into()),
                    color_from: Some(LookOrigin::Team),
                },
                TeamAccountLook {
                    account_id: "222222222222".into(),
                    account_name: "acme-stage".into(),
                    name: None,
                    color: Some("d13212".into()),
                    color_from: Some(LookOrigin::Console),
                },
            ],
        };
        expect![[r#"
            (
                [
                    TeamRow {
                        name: "Client A",
                        detail: "111111111111 · organization: acme-prod · the team's color",
                        color: Some(
                            "1b998b",
                        ),
                    },
                    TeamRow {
                        name: "acme-stage",
                        detail: "222222222222 · the console's own color",
                        color: Some(
                            "d13212",
                        ),
                    },
                ],
                None,
            )
        "#]]
        .assert_debug_eq(&team_view(&data));
        expect![[r#"
            [
                SourceView {
                    title: "AWS CLI profiles",
                    status: "/home/a/.aws/config: 3 roles, 1 skipped",
                    roles: [
                        RoleLine {
                            text: "prod: arn:aws:iam::111111111111:role/Admin",
                            color: Some(
                                "1b998b",
                            ),
                            team: Some(
                                "account: “Client A” (the team's name) · color: the team's",
                            ),
                        },
                        RoleLine {
                            text: "prod-ro: arn:aws:iam::111111111111:role/ReadOnly",
                            color: Some(
                                "ff0000",
                            ),
                            team: Some(
                                "account: “Client A” (the team's name) · color: yours (the team's #1b998b is not used here)",
                            ),
                        },
                        RoleLine {
                            text: "arn:aws:iam::222222222222:role/Admin",
                            color: Some(
                                "d13212",
                            ),
                            team: Some(
                                "color: the console's own",
                            ),
                        },
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
                        color: None,
                    })
                    .collect(),
                skipped: vec![],
                remarks: vec![],
            }],
            team: vec![],
        };
        let view = &sources_view(&data)[0];
        assert_eq!(view.status, "/c/imports/default.aesr: 250 roles, 0 skipped");
        assert_eq!(view.roles.len(), SHOWN_PER_LIST + 1);
        assert_eq!(view.roles[SHOWN_PER_LIST].text, "… and 150 more");
        let (rows, none) = team_view(&data);
        assert!(rows.is_empty());
        assert!(none.is_some_and(|n| n.starts_with("None known")));
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
