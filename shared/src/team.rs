//! Names, colors and role hints that a whole team sees, kept in AWS itself: the
//! organization's account tags (`switchyard:name`, `switchyard:color`,
//! `switchyard:roles`), which every member's daemon reads with the account list, and the
//! console's own account color (the User Experience Customization API's fixed palette).
//!
//! No server of ours: an admin writes the tags once (`accounts.set`), every colleague's
//! next refresh shows them. A person's own choice (an imported label or color) still wins
//! on their machine. Tag values come from other people, so they are read leniently (a bad
//! one is ignored with a note) and written strictly ([`check_name`], [`check_color`],
//! [`check_role_hints`]).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::imports::normalize_color;
use crate::protocol::aws::Account;
use crate::protocol::roles::{LookOrigin, TeamAccountLook};
use crate::switch::MAX_DISPLAY_NAME;
use crate::targets::{is_role_name, TeamLook};

/// The tag holding the account's display name.
pub const TAG_NAME: &str = "switchyard:name";
/// The tag holding the account's color (`RRGGBB`, `#RGB`, … as the AESR import accepts).
pub const TAG_COLOR: &str = "switchyard:color";
/// The tag holding the role names to show first, comma-separated (`Admin,ReadOnly`).
pub const TAG_ROLES: &str = "switchyard:roles";
/// Organizations' limit on a tag value.
pub const MAX_TAG_VALUE: usize = 256;
/// At most this many role hints.
pub const MAX_ROLE_HINTS: usize = 10;

/// The console's account colors (UpdateAccountCustomizations' `accountColor`), each with
/// the RGB it looks closest to in the console's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConsoleColor {
    #[serde(rename = "pink")]
    Pink,
    #[serde(rename = "purple")]
    Purple,
    #[serde(rename = "darkBlue")]
    DarkBlue,
    #[serde(rename = "lightBlue")]
    LightBlue,
    #[serde(rename = "teal")]
    Teal,
    #[serde(rename = "green")]
    Green,
    #[serde(rename = "yellow")]
    Yellow,
    #[serde(rename = "orange")]
    Orange,
    #[serde(rename = "red")]
    Red,
}

impl ConsoleColor {
    pub const ALL: [ConsoleColor; 9] = [
        ConsoleColor::Pink,
        ConsoleColor::Purple,
        ConsoleColor::DarkBlue,
        ConsoleColor::LightBlue,
        ConsoleColor::Teal,
        ConsoleColor::Green,
        ConsoleColor::Yellow,
        ConsoleColor::Orange,
        ConsoleColor::Red,
    ];

    /// The API's name (`darkBlue`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ConsoleColor::Pink => "pink",
            ConsoleColor::Purple => "purple",
            ConsoleColor::DarkBlue => "darkBlue",
            ConsoleColor::LightBlue => "lightBlue",
            ConsoleColor::Teal => "teal",
            ConsoleColor::Green => "green",
            ConsoleColor::Yellow => "yellow",
            ConsoleColor::Orange => "orange",
            ConsoleColor::Red => "red",
        }
    }

    /// The API's name read back (`none` and anything else: `None`).
    pub fn parse(text: &str) -> Option<ConsoleColor> {
        ConsoleColor::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// What the color looks like, `rrggbb`.
    pub fn rgb(self) -> &'static str {
        match self {
            ConsoleColor::Pink => "e7157b",
            ConsoleColor::Purple => "8c4fff",
            ConsoleColor::DarkBlue => "0f3c8c",
            ConsoleColor::LightBlue => "00a1c9",
            ConsoleColor::Teal => "1b998b",
            ConsoleColor::Green => "2ea44f",
            ConsoleColor::Yellow => "f2c12e",
            ConsoleColor::Orange => "ec7211",
            ConsoleColor::Red => "d13212",
        }
    }

    /// The palette color nearest to `rrggbb` (by distance in RGB, weighted the way the eye
    /// weighs the channels), and whether it is exactly that color.
    pub fn nearest(rrggbb: &str) -> Option<(ConsoleColor, bool)> {
        let want = channels(rrggbb)?;
        ConsoleColor::ALL
            .into_iter()
            .filter_map(|c| channels(c.rgb()).map(|have| (c, distance(want, have))))
            .min_by_key(|(_, d)| *d)
            .map(|(c, d)| (c, d == 0))
    }
}

impl fmt::Display for ConsoleColor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn channels(rrggbb: &str) -> Option<[i64; 3]> {
    if rrggbb.len() != 6 || !rrggbb.is_ascii() {
        return None;
    }
    let byte = |i: usize| i64::from_str_radix(&rrggbb[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

fn distance(a: [i64; 3], b: [i64; 3]) -> i64 {
    let d = |i: usize| a[i] - b[i];
    2 * d(0) * d(0) + 4 * d(1) * d(1) + 3 * d(2) * d(2)
}

/// A value that cannot be written as a team tag, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidLook {
    #[error("the name is empty")]
    EmptyName,
    #[error("the name is {0} characters long; at most {MAX_DISPLAY_NAME} fit the console")]
    NameTooLong(usize),
    #[error("the name holds a control character")]
    ControlCharacter,
    #[error("the name holds markup (`<` or `>`)")]
    Markup,
    #[error("{0:?} is not a color: use RRGGBB or RGB in hex, `#` optional (e.g. 1b998b)")]
    NotAColor(String),
    #[error("{0:?} is not an IAM role name")]
    NotARoleName(String),
    #[error("at most {MAX_ROLE_HINTS} role names")]
    TooManyRoles,
    #[error("the role names are {0} characters together; a tag holds {MAX_TAG_VALUE}")]
    RolesTooLong(usize),
}

/// Check a display name for the `switchyard:name` tag: trimmed, 1 to 64 characters (what
/// the console shows), no control characters, no markup.
pub fn check_name(name: &str) -> Result<String, InvalidLook> {
    let name = name.trim();
    let length = name.chars().count();
    if length == 0 {
        return Err(InvalidLook::EmptyName);
    }
    if length > MAX_DISPLAY_NAME {
        return Err(InvalidLook::NameTooLong(length));
    }
    if name.chars().any(char::is_control) {
        return Err(InvalidLook::ControlCharacter);
    }
    if name.contains(['<', '>']) {
        return Err(InvalidLook::Markup);
    }
    Ok(name.to_owned())
}

/// Check a color for the `switchyard:color` tag: `rrggbb`.
pub fn check_color(color: &str) -> Result<String, InvalidLook> {
    normalize_color(color).ok_or_else(|| InvalidLook::NotAColor(shorten(color)))
}

/// Check role hints for the `switchyard:roles` tag: IAM role names, comma-separated.
pub fn check_role_hints(roles: &[String]) -> Result<String, InvalidLook> {
    if roles.len() > MAX_ROLE_HINTS {
        return Err(InvalidLook::TooManyRoles);
    }
    for role in roles {
        if !is_role_name(role) {
            return Err(InvalidLook::NotARoleName(shorten(role)));
        }
    }
    let joined = roles.join(",");
    if joined.len() > MAX_TAG_VALUE {
        return Err(InvalidLook::RolesTooLong(joined.len()));
    }
    Ok(joined)
}

fn shorten(text: &str) -> String {
    text.chars().take(40).filter(|c| !c.is_control()).collect()
}

/// What a whole team sees of one account.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Look {
    /// The team's name for the account (`switchyard:name`), when set and valid.
    pub name: Option<String>,
    /// `rrggbb`, from `switchyard:color` (`Team`), else the console's color (`Console`).
    pub color: Option<(String, LookOrigin)>,
    /// Role names to show first.
    pub role_hints: Vec<String>,
    /// Tags that were set but could not be used, in words.
    pub ignored: Vec<String>,
}

/// Read the team's look of an account from its tags (leniently: a bad value is ignored
/// and named in `ignored`) and the console's color, if known.
pub fn look(tags: &BTreeMap<String, String>, console: Option<ConsoleColor>) -> Look {
    let mut found = Look::default();
    if let Some(name) = tags.get(TAG_NAME) {
        match check_name(name) {
            Ok(name) => found.name = Some(name),
            Err(e) => found.ignored.push(format!("tag {TAG_NAME}: {e}")),
        }
    }
    if let Some(color) = tags.get(TAG_COLOR) {
        match check_color(color) {
            Ok(color) => found.color = Some((color, LookOrigin::Team)),
            Err(e) => found.ignored.push(format!("tag {TAG_COLOR}: {e}")),
        }
    }
    if found.color.is_none() {
        found.color = console.map(|c| (c.rgb().to_owned(), LookOrigin::Console));
    }
    if let Some(roles) = tags.get(TAG_ROLES) {
        let roles: Vec<String> = roles
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect();
        match check_role_hints(&roles) {
            Ok(_) => found.role_hints = roles,
            Err(e) => found.ignored.push(format!("tag {TAG_ROLES}: {e}")),
        }
    }
    found
}

/// The team's look of every account of a list whose tags are known.
pub fn looks(accounts: &[Account]) -> BTreeMap<String, Look> {
    accounts
        .iter()
        .filter_map(|a| {
            let tags = a.tags.as_ref()?;
            let console = a.console_color.as_deref().and_then(ConsoleColor::parse);
            Some((a.id.clone(), look(tags, console)))
        })
        .collect()
}

/// The name to show for an account: the team's, else the organization's.
pub fn shown_name<'a>(account: &'a Account, look: Option<&'a Look>) -> (&'a str, LookOrigin) {
    match look.and_then(|l| l.name.as_deref()) {
        Some(name) => (name, LookOrigin::Team),
        None => (&account.name, LookOrigin::Organization),
    }
}

/// What the target list needs of a look.
impl From<&Look> for TeamLook {
    fn from(look: &Look) -> TeamLook {
        TeamLook {
            name: look.name.clone(),
            color: look.color.clone(),
            role_hints: look.role_hints.clone(),
        }
    }
}

/// The accounts whose tags (or console color) set a name or color, as the options page
/// lists them, by the name shown.
pub fn team_accounts(accounts: &[Account]) -> Vec<TeamAccountLook> {
    let looks = looks(accounts);
    let mut found: Vec<TeamAccountLook> = accounts
        .iter()
        .filter_map(|account| {
            let look = looks.get(&account.id)?;
            if look.name.is_none() && look.color.is_none() {
                return None;
            }
            Some(TeamAccountLook {
                account_id: account.id.clone(),
                account_name: account.name.clone(),
                name: look.name.clone(),
                color: look.color.as_ref().map(|(rgb, _)| rgb.clone()),
                color_from: look.color.as_ref().map(|(_, from)| *from),
            })
        })
        .collect();
    found.sort_by_cached_key(|a| {
        (
            a.name.as_deref().unwrap_or(&a.account_name).to_lowercase(),
            a.account_id.clone(),
        )
    });
    found
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn names_are_checked_when_written() {
        assert_eq!(check_name("  Client A  "), Ok("Client A".to_owned()));
        assert_eq!(check_name("R&D (prod)"), Ok("R&D (prod)".to_owned()));
        assert_eq!(check_name(""), Err(InvalidLook::EmptyName));
        assert_eq!(check_name("a\u{7}b"), Err(InvalidLook::ControlCharacter));
        assert_eq!(
            check_name("line\nbreak"),
            Err(InvalidLook::ControlCharacter)
        );
        assert_eq!(
            check_name("<img src=x onerror=alert(1)>"),
            Err(InvalidLook::Markup)
        );
        assert_eq!(
            check_name(&"x".repeat(65)),
            Err(InvalidLook::NameTooLong(65))
        );
        assert_eq!(
            check_name(&"é".repeat(64)).map(|n| n.chars().count()),
            Ok(64)
        );
    }

    #[test]
    fn colors_take_the_aesr_forms() {
        assert_eq!(check_color("#1B998B"), Ok("1b998b".to_owned()));
        assert_eq!(check_color("fa0"), Ok("ffaa00".to_owned()));
        expect![[r#"Err(NotAColor("red"))"#]].assert_eq(&format!("{:?}", check_color("red")));
        expect![[r#"Err(NotAColor("12345"))"#]].assert_eq(&format!("{:?}", check_color("12345")));
    }

    #[test]
    fn role_hints_are_role_names() {
        let hints = vec!["Admin".to_owned(), "ReadOnly".to_owned()];
        assert_eq!(check_role_hints(&hints), Ok("Admin,ReadOnly".to_owned()));
        assert_eq!(
            check_role_hints(&["no spaces".to_owned()]),
            Err(InvalidLook::NotARoleName("no spaces".to_owned()))
        );
        assert_eq!(
            check_role_hints(&vec!["R".to_owned(); 11]),
            Err(InvalidLook::TooManyRoles)
        );
    }

    #[test]
    fn every_color_has_a_nearest_console_color() {
        for color in ConsoleColor::ALL {
            assert_eq!(ConsoleColor::nearest(color.rgb()), Some((color, true)));
            assert_eq!(ConsoleColor::parse(color.as_str()), Some(color));
        }
        let shown: Vec<String> = ["ff0000", "00ff00", "0000ff", "ffff00", "ff8800", "ff66cc"]
            .iter()
            .map(|c| match ConsoleColor::nearest(c) {
                Some((near, exact)) => format!("{c}→{near}{}", if exact { "" } else { "~" }),
                None => format!("{c}→?"),
            })
            .collect();
        expect![[r#"["ff0000→red~", "00ff00→green~", "0000ff→darkBlue~", "ffff00→yellow~", "ff8800→orange~", "ff66cc→purple~"]"#]]
            .assert_eq(&format!("{shown:?}"));
        assert_eq!(ConsoleColor::nearest("zzzzzz"), None);
        assert_eq!(ConsoleColor::parse("none"), None);
    }

    #[test]
    fn a_look_is_read_leniently_from_tags() {
        let seen = look(
            &tags(&[
                (TAG_NAME, "Client A"),
                (TAG_COLOR, "#1b998b"),
                (TAG_ROLES, "Admin, ReadOnly"),
                ("other", "x"),
            ]),
            Some(ConsoleColor::Red),
        );
        assert_eq!(seen.name.as_deref(), Some("Client A"));
        assert_eq!(seen.color, Some(("1b998b".to_owned(), LookOrigin::Team)));
        assert_eq!(seen.role_hints, ["Admin", "ReadOnly"]);
        assert!(seen.ignored.is_empty());

        let bad = look(
            &tags(&[
                (TAG_NAME, "<script>"),
                (TAG_COLOR, "chartreuse"),
                (TAG_ROLES, "not a role"),
            ]),
            Some(ConsoleColor::Teal),
        );
        assert_eq!(bad.name, None);
        assert_eq!(bad.color, Some(("1b998b".to_owned(), LookOrigin::Console)));
        assert!(bad.role_hints.is_empty());
        expect![[r#"
            [
                "tag switchyard:name: the name holds markup (`<` or `>`)",
                "tag switchyard:color: \"chartreuse\" is not a color: use RRGGBB or RGB in hex, `#` optional (e.g. 1b998b)",
                "tag switchyard:roles: \"not a role\" is not an IAM role name",
            ]
        "#]]
        .assert_debug_eq(&bad.ignored);
        assert_eq!(look(&tags(&[]), None), Look::default());
    }

    #[test]
    fn the_teams_tags_name_color_and_order_an_accounts_roles() {
        use crate::policy::{Context, Policy};
        use crate::protocol::roles::TargetSource;
        use crate::targets::{decide, Inputs, ListedRole};

        let every_role = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":["arn:aws:iam::111111111111:role/Audit","arn:aws:iam::111111111111:role/Admin","arn:aws:iam::222222222222:role/Admin"]}]}"#;
        let mut inputs = Inputs {
            partition: "aws".into(),
            policies: vec![Policy::parse("p", every_role).unwrap()],
            policies_known: true,
            accounts: BTreeMap::from([
                ("111111111111".to_owned(), "Acme Production".to_owned()),
                ("222222222222".to_owned(), "Acme Staging".to_owned()),
            ]),
            ..Inputs::default()
        };
        let tags = BTreeMap::from([
            (TAG_NAME.to_owned(), "Client A".to_owned()),
            (TAG_COLOR.to_owned(), "#1b998b".to_owned()),
            (TAG_ROLES.to_owned(), "Audit".to_owned()),
        ]);
        inputs
            .team
            .insert("111111111111".to_owned(), (&look(&tags, None)).into());
        // A person's own imported color still wins over the team's.
        inputs.listed.push(ListedRole {
            role_arn: "arn:aws:iam::222222222222:role/Admin".to_owned(),
            label: None,
            color: Some("ff0000".to_owned()),
            region: None,
            source: TargetSource::Imported,
            image: None,
            base: None,
        });
        let shown: Vec<String> = decide(&inputs, &Context::new().with("aws:username", "alice"))
            .iter()
            .map(|t| {
                format!(
                    "{} {} #{} name:{:?} color:{:?}",
                    t.display_name,
                    t.role_arn,
                    t.color,
                    t.name_from.unwrap(),
                    t.color_from.unwrap()
                )
            })
            .collect();
        expect![[r#"
            [
                "Admin @ Acme Staging arn:aws:iam::222222222222:role/Admin #ff0000 name:Organization color:Imported",
                "Audit @ Client A arn:aws:iam::111111111111:role/Audit #1b998b name:Team color:Team",
                "Admin @ Client A arn:aws:iam::111111111111:role/Admin #1b998b name:Team color:Team",
            ]
        "#]]
        .assert_debug_eq(&shown);

        // The console's own color when the team set none; an imported label names an
        // account the organization does not list; a derived color for the rest.
        let mut inputs = Inputs {
            partition: "aws".into(),
            console: Some("no key".into()),
            ..Inputs::default()
        };
        inputs.team.insert(
            "333333333333".to_owned(),
            (&look(&BTreeMap::new(), Some(ConsoleColor::Teal))).into(),
        );
        for (arn, label, source) in [
            (
                "arn:aws:iam::333333333333:role/Ops",
                None,
                TargetSource::AwsConfig,
            ),
            (
                "arn:aws:iam::444444444444:role/Dev",
                Some("Partner Dev"),
                TargetSource::Imported,
            ),
        ] {
            inputs.listed.push(ListedRole {
                role_arn: arn.to_owned(),
                label: label.map(str::to_owned),
                color: None,
                region: None,
                source,
                image: None,
                base: None,
            });
        }
        let shown: Vec<String> = decide(&inputs, &Context::new())
            .iter()
            .map(|t| {
                format!(
                    "{} {:?} #{} {:?}",
                    t.account_name.as_deref().unwrap_or("-"),
                    t.name_from,
                    t.color,
                    t.color_from
                )
            })
            .collect();
        expect![[r#"
            [
                "- Some(Derived) #1b998b Some(Console)",
                "Partner Dev Some(Imported) #911eb4 Some(Derived)",
            ]
        "#]]
        .assert_debug_eq(&shown);
    }

    #[test]
    fn the_options_page_lists_the_accounts_the_team_named_or_colored() {
        let account =
            |id: &str, name: &str, tags: &[(&str, &str)], console: Option<&str>| Account {
                id: id.into(),
                name: name.into(),
                email: None,
                state: None,
                arn: None,
                joined_at: None,
                tags: Some(self::tags(tags)),
                console_color: console.map(Into::into),
            };
        let listed = team_accounts(&[
            account("111111111111", "zeta", &[(TAG_NAME, "Client A")], None),
            account("222222222222", "acme", &[], Some("red")),
            account("333333333333", "plain", &[("other", "x")], None),
            Account {
                tags: None,
                ..account("444444444444", "unread", &[], None)
            },
        ]);
        expect![[r#"
            [
                TeamAccountLook {
                    account_id: "222222222222",
                    account_name: "acme",
                    name: None,
                    color: Some(
                        "d13212",
                    ),
                    color_from: Some(
                        Console,
                    ),
                },
                TeamAccountLook {
                    account_id: "111111111111",
                    account_name: "zeta",
                    name: Some(
                        "Client A",
                    ),
                    color: None,
                    color_from: None,
                },
            ]
        "#]]
        .assert_debug_eq(&listed);
    }
}
