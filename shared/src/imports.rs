//! Reading the role lists people already keep: an AWS Extend Switch Roles (AESR)
//! configuration and `~/.aws/config`, into [`ListedRole`]s, with every part that could
//! not be used reported as a [`Skipped`] note instead of an error. Pure: text in, values
//! out; no I/O, so it runs in the daemon and in the wasm extension alike.
//!
//! Both formats are INI-like, and the reader here is hand-written (some 150
//! lines) rather than `rust-ini`: the two formats need things a generic INI crate does
//! not give without work on top anyway (line numbers for every note, `[profile NAME]`
//! prefixes, duplicate sections reported rather than merged, AWS-style nested blocks,
//! inline comments that must not eat `color = #ffaaee`), and `shared` stays free of
//! dependencies that the wasm bundle would have to carry.
//!
//! The reader's rules:
//! - lines end with `\n`, `\r\n` or a lone `\r`; a leading byte-order mark is ignored;
//! - a line whose first non-blank character is `;` or `#` is a comment; in
//!   `~/.aws/config`, after a value, `;` or `#` preceded by a blank starts a comment; in
//!   an AESR configuration (as AESR's own parser reads it) `;` or `#` anywhere in a value
//!   does, blank before it or not (`color = ffaaee; pink`), except a `#` that opens the
//!   value (`color = #ffaaee` keeps its color);
//! - `[NAME]` opens a section (`[profile NAME] ; comment` too); keys are `key = value`,
//!   matched case-insensitively; a key given twice in a section: the later value is used;
//! - in `~/.aws/config`, an indented line under a key with an empty value (`s3 =`
//!   followed by `  max_concurrent_requests = 10`) belongs to that nested block and is
//!   ignored;
//! - a section defined twice: the later one is used and the earlier one is noted.
//!
//! AESR specifics (its README and its parser, `aesr-config`): a target is `role_arn`, or
//! `aws_account_id` + `role_name`; `color` (hex, `#` optional, 3 or 6 digits), `region`
//! (where the switched console lands), `image` (an `https://` address, quotes allowed),
//! `source_profile` are optional. The section name is the target's display name. The
//! same role under two section names is two targets, each with its name and color. A
//! *base* profile (one with `aws_account_id`, no role and no `source_profile`, or one
//! another section names as its `source_profile` and that has no `source_profile` of its
//! own) is the account one signs in to, not a target: its `aws_account_id` (an id or an
//! alias), `aws_account_alias` and `role_name` (the role, or IAM Identity Center
//! permission set, signed in as there) go with each of its targets as their
//! [`TargetBase`], and its `target_role_name` and `target_region` are their defaults. A
//! profile with its own `source_profile` that others name as theirs is kept as a target
//! and is their base too, with a remark. An alias cannot form a role ARN, so a target
//! given by alias is skipped with that reason (`1234-5678-9012` is read as an id).
//! Without a `role_arn` the partition is read from the region (`cn-…` → `aws-cn`,
//! `us-gov-…` → `aws-us-gov`, `eusc-…` → `aws-eusc`), `aws` otherwise.
//!
//! Where AWS Extend Switch Roles refuses a whole configuration (a key given twice or
//! without a value, a line that is not `key = value`, keys before any section,
//! `role_arn` beside `aws_account_id`, an undefined `source_profile`), Switchyard keeps
//! every good entry and says so in a remark ([`Parsed::remarks`]), or in the note of
//! what it skipped.
//!
//! Notes name the section (its profile name) or the line; key lines before any header
//! make one note; at most [`MAX_SKIPPED`] notes are returned.

use std::collections::BTreeMap;

use crate::protocol::roles::{Skipped, TargetBase, TargetSource};
use crate::targets::{is_role_name, parse_role_arn, ListedRole};

/// At most this many notes are returned; past it, one last note says how many more.
pub const MAX_SKIPPED: usize = 100;

/// Names and values quoted in notes are cut to this many characters.
const QUOTE_CHARS: usize = 64;

/// An AWS Extend Switch Roles configuration as read: the targets, what could not be used
/// (and why), and what was used with a remark.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub roles: Vec<ListedRole>,
    pub skipped: Vec<Skipped>,
    /// Used, with a remark: where Switchyard keeps what AWS Extend Switch Roles would
    /// refuse the whole configuration for, and profiles both a target and a base.
    pub remarks: Vec<Skipped>,
}

/// What AWS Extend Switch Roles does with the same text, said in a remark.
const AESR_REFUSES: &str =
    "AWS Extend Switch Roles refuses the whole configuration for this; Switchyard keeps the \
     rest";

/// Parse an AWS Extend Switch Roles configuration. Never fails: what cannot be used is
/// in the second list, naming the section or line and why.
pub fn parse_extend_switch_roles(text: &str) -> (Vec<ListedRole>, Vec<Skipped>) {
    let parsed = read_extend_switch_roles(text);
    (parsed.roles, parsed.skipped)
}

/// Parse an AWS Extend Switch Roles configuration, with the remarks of the import report.
pub fn read_extend_switch_roles(text: &str) -> Parsed {
    let ini = read_ini(text, Dialect::ExtendSwitchRoles);
    let (sections, mut notes, mut remarks) = (ini.sections, ini.skipped, ini.remarks);
    let by_name: BTreeMap<&str, &Section> = sections.iter().map(|s| (s.name.as_str(), s)).collect();
    // Which profiles name each profile as their source_profile.
    let mut referenced: BTreeMap<&str, usize> = BTreeMap::new();
    for source in sections
        .iter()
        .filter_map(|s| s.get("source_profile"))
        .filter(|p| !p.is_empty())
    {
        *referenced.entry(source).or_default() += 1;
    }
    let mut roles = Vec::new();
    for section in &sections {
        let role_arn = section.get("role_arn").filter(|v| !v.is_empty());
        let account = section.get("aws_account_id").filter(|v| !v.is_empty());
        let own_role = section.get("role_name").filter(|v| !v.is_empty());
        let source = section.get("source_profile").filter(|v| !v.is_empty());
        let users = referenced.get(section.name.as_str()).copied().unwrap_or(0);
        // A base is where one signs in: named as a source_profile and signed in to
        // directly (its role_name is the role signed in as), or an account alone. A
        // profile that is switched to from its own base stays a target too.
        let is_base = (users > 0 && source.is_none())
            || (role_arn.is_none() && own_role.is_none() && account.is_some() && source.is_none());
        if is_base {
            continue;
        }
        let what = quote(&section.name);
        // Remarks on an entry that is then skipped would only confuse: kept until it is used.
        let mut remarked = Vec::new();
        if users > 0 {
            remarked.push(Skipped {
                what: what.clone(),
                why: format!(
                    "line {}: a target of {} and the source_profile of {users} profile(s): \
                     kept as both (shown from a session in {}, and their base)",
                    section.line,
                    quote(source.unwrap_or_default()),
                    quote(source.unwrap_or_default()),
                ),
            });
        }
        let base = source.and_then(|p| by_name.get(p).copied());
        if let (Some(name), None) = (source, base) {
            remarked.push(Skipped {
                what: what.clone(),
                why: format!(
                    "line {}: source_profile `{}` is not defined here; the role is kept, \
                     shown from any session ({AESR_REFUSES})",
                    section.line,
                    quote(name)
                ),
            });
        }
        let role_arn = match (role_arn, account) {
            (Some(arn), other) => {
                if parse_role_arn(arn).is_none() {
                    notes.push(Skipped {
                        what,
                        why: format!(
                            "line {}: role_arn `{}` is not a role ARN \
                             (arn:PARTITION:iam::ACCOUNT_ID:role/NAME)",
                            section.line,
                            quote(arn)
                        ),
                    });
                    continue;
                }
                if other.is_some() || own_role.is_some() {
                    remarked.push(Skipped {
                        what: what.clone(),
                        why: format!(
                            "line {}: role_arn is used, aws_account_id and role_name beside it \
                             are not ({AESR_REFUSES})",
                            section.line
                        ),
                    });
                }
                arn.to_owned()
            }
            (None, Some(account)) => {
                let Some(account_id) = account_id(account) else {
                    notes.push(Skipped {
                        what,
                        why: format!(
                            "line {}: aws_account_id `{}` is not a 12-digit account id \
                             (an alias cannot form a role ARN)",
                            section.line,
                            quote(account)
                        ),
                    });
                    continue;
                };
                let from_base = base
                    .and_then(|b| b.get("target_role_name"))
                    .filter(|v| !v.is_empty());
                let Some(role_name) = own_role.or(from_base) else {
                    notes.push(Skipped {
                        what,
                        why: format!(
                            "line {}: aws_account_id without role_name (and no \
                             target_role_name from a source_profile)",
                            section.line
                        ),
                    });
                    continue;
                };
                let Some(arn) = arn_from_parts(&account_id, role_name, region_of(section, base))
                else {
                    notes.push(Skipped {
                        what,
                        why: format!(
                            "line {}: role_name `{}` is not a valid IAM role name \
                             (1 to 64 letters, digits or +=,.@_-, after an optional path)",
                            section.line,
                            quote(role_name)
                        ),
                    });
                    continue;
                };
                arn
            }
            (None, None) => {
                let why = if own_role.is_some() {
                    "role_name without aws_account_id".to_owned()
                } else {
                    "neither role_arn nor aws_account_id + role_name".to_owned()
                };
                notes.push(Skipped {
                    what,
                    why: format!("line {}: {why}", section.line),
                });
                continue;
            }
        };
        let color = match section.get("color").filter(|v| !v.is_empty()) {
            None => None,
            Some(raw) => {
                let color = normalize_color(raw);
                if color.is_none() {
                    notes.push(Skipped {
                        what: quote(&section.name),
                        why: format!(
                            "line {}: color `{}` is not a hex color (RGB or RRGGBB); the \
                             role is kept without it",
                            section.line,
                            quote(raw)
                        ),
                    });
                }
                color
            }
        };
        let image = match section.get("image").filter(|v| !v.is_empty()) {
            None => None,
            Some(raw) => {
                let image = image_url(raw);
                if image.is_none() {
                    notes.push(Skipped {
                        what: quote(&section.name),
                        why: format!(
                            "line {}: image `{}` is not an https:// address; the role is \
                             kept without it",
                            section.line,
                            quote(raw)
                        ),
                    });
                }
                image
            }
        };
        let region = checked_region(section, region_of(section, base), &mut notes);
        remarks.append(&mut remarked);
        roles.push(ListedRole {
            role_arn,
            source: TargetSource::Imported,
            label: Some(section.name.clone()),
            color,
            region,
            image,
            base: base.map(base_of),
        });
    }
    Parsed {
        roles,
        skipped: cap(notes),
        remarks: cap(remarks),
    }
}

/// What a base section says of the account one signs in to.
fn base_of(section: &Section) -> TargetBase {
    let arn = section
        .get("role_arn")
        .and_then(parse_role_arn)
        .map(|a| (a.account_id.to_owned(), a.role_name.to_owned()));
    let given = section.get("aws_account_id").filter(|v| !v.is_empty());
    let account_id = arn
        .as_ref()
        .map(|(id, _)| id.clone())
        .or_else(|| given.and_then(account_id));
    let account_alias = section
        .get("aws_account_alias")
        .filter(|v| !v.is_empty())
        .or(given.filter(|g| account_id_of(g).is_none()))
        .map(str::to_owned);
    let role_name = arn.map(|(_, role)| role).or_else(|| {
        section
            .get("role_name")
            .filter(|v| !v.is_empty())
            .map(|r| r.rsplit('/').next().unwrap_or(r).to_owned())
    });
    TargetBase {
        profile: section.name.clone(),
        account_id,
        account_alias,
        role_name,
    }
}

fn account_id_of(raw: &str) -> Option<String> {
    account_id(raw)
}

/// An `https://` address (quotes around it allowed, as AESR's README writes them), at most
/// 2,048 characters, without blanks, quotes or angle brackets.
fn image_url(raw: &str) -> Option<String> {
    let url = raw.trim().trim_matches('"').trim();
    let rest = url.strip_prefix("https://")?;
    let ok = !rest.is_empty()
        && url.len() <= 2048
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "\"'<>\\`".contains(c));
    ok.then(|| url.to_owned())
}

/// Parse `~/.aws/config`: every profile (`[default]`, `[profile NAME]`) with a
/// `role_arn`. SSO profiles, `[sso-session …]` and `[services …]` sections are not role
/// lists and are passed over without a note.
pub fn parse_aws_config(text: &str) -> (Vec<ListedRole>, Vec<Skipped>) {
    let ini = read_ini(text, Dialect::AwsConfig);
    let (sections, mut notes) = (ini.sections, ini.skipped);
    let mut roles = Vec::new();
    for section in &sections {
        let Some(arn) = section.get("role_arn") else {
            continue;
        };
        let what = quote(&section.name);
        if !section.is_profile {
            notes.push(Skipped {
                what,
                why: format!(
                    "line {}: not a profile section (the AWS CLI reads `[profile {}]`)",
                    section.line,
                    quote(&section.name)
                ),
            });
            continue;
        }
        if parse_role_arn(arn).is_none() {
            notes.push(Skipped {
                what,
                why: format!(
                    "line {}: role_arn `{}` is not a role ARN \
                     (arn:PARTITION:iam::ACCOUNT_ID:role/NAME)",
                    section.line,
                    quote(arn)
                ),
            });
            continue;
        }
        let region = checked_region(section, section.get("region"), &mut notes);
        // Chained from an IAM Identity Center profile (`source_profile` with
        // `sso_account_id` and `sso_role_name`): that account and permission set are its
        // base, as an AESR import's `source_profile` is.
        let base = section.get("source_profile").and_then(|source| {
            let base = sections
                .iter()
                .find(|s| s.is_profile && s.name == source.trim())?;
            Some(TargetBase {
                profile: base.name.clone(),
                account_id: Some(base.get("sso_account_id")?.trim().to_owned()),
                account_alias: None,
                role_name: Some(base.get("sso_role_name")?.trim().to_owned()),
            })
        });
        roles.push(ListedRole {
            role_arn: arn.to_owned(),
            source: TargetSource::AwsConfig,
            label: Some(section.name.clone()),
            color: None,
            region,
            image: None,
            base,
        });
    }
    (roles, cap(notes))
}

/// Every section of `~/.aws/config` as read (profiles, `[sso-session …]`, others), with
/// what could not be read: for [`crate::sso`].
pub(crate) fn aws_config_sections(text: &str) -> (Vec<Section>, Vec<Skipped>) {
    let ini = read_ini(text, Dialect::AwsConfig);
    (ini.sections, ini.skipped)
}

/// `RGB`, `RRGGBB`, either with a leading `#`, → `rrggbb`.
pub fn normalize_color(raw: &str) -> Option<String> {
    let hex = raw.trim();
    let hex = hex.strip_prefix('#').unwrap_or(hex);
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let hex = hex.to_ascii_lowercase();
    match hex.len() {
        6 => Some(hex),
        3 => Some(hex.chars().flat_map(|c| [c, c]).collect()),
        _ => None,
    }
}

/// A 12-digit account id, also written `1234-5678-9012`.
fn account_id(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(|c| *c != '-').collect();
    let dashes_ok = raw.len() == 12 || raw.split('-').all(|g| g.len() == 4);
    (dashes_ok && digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some(digits)
}

/// `arn:PARTITION:iam::ACCOUNT:role/ROLE_NAME`, where the role name may carry a path
/// (`team/Deploy`), if that is a valid role ARN.
fn arn_from_parts(account_id: &str, role_name: &str, region: Option<&str>) -> Option<String> {
    let role_name = role_name.trim_start_matches('/');
    let valid_path = role_name
        .split('/')
        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_graphic()));
    let last = role_name.rsplit('/').next().unwrap_or(role_name);
    if !valid_path || !is_role_name(last) || role_name.len() > 512 {
        return None;
    }
    let arn = format!(
        "arn:{}:iam::{account_id}:role/{role_name}",
        partition_of(region)
    );
    parse_role_arn(&arn).is_some().then_some(arn)
}

fn partition_of(region: Option<&str>) -> &'static str {
    match region {
        Some(r) if r.starts_with("cn-") => "aws-cn",
        Some(r) if r.starts_with("us-gov-") => "aws-us-gov",
        Some(r) if r.starts_with("eusc-") => "aws-eusc",
        _ => "aws",
    }
}

/// The section's `region`, else its base's `target_region`.
fn region_of<'a>(section: &'a Section, base: Option<&'a Section>) -> Option<&'a str> {
    section
        .get("region")
        .filter(|v| !v.is_empty())
        .or_else(|| base.and_then(|b| b.get("target_region")))
        .filter(|v| !v.is_empty())
}

/// A region as AWS spells them (`eu-west-1`); anything else is dropped with a note.
fn checked_region(
    section: &Section,
    region: Option<&str>,
    notes: &mut Vec<Skipped>,
) -> Option<String> {
    let region = region.filter(|r| !r.is_empty())?;
    let valid = (1..=32).contains(&region.len())
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if valid {
        return Some(region.to_owned());
    }
    notes.push(Skipped {
        what: quote(&section.name),
        why: format!(
            "line {}: region `{}` is not an AWS region name; the role is kept without it",
            section.line,
            quote(region)
        ),
    });
    None
}

/// A name or value for a note: at most [`QUOTE_CHARS`] characters, control characters
/// replaced.
pub(crate) fn quote(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(QUOTE_CHARS)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if text.chars().nth(QUOTE_CHARS).is_some() {
        out.push('…');
    }
    out
}

fn cap(mut notes: Vec<Skipped>) -> Vec<Skipped> {
    if notes.len() > MAX_SKIPPED {
        let more = notes.len() - (MAX_SKIPPED - 1);
        notes.truncate(MAX_SKIPPED - 1);
        notes.push(Skipped {
            what: "…".to_owned(),
            why: format!("{more} more parts could not be used"),
        });
    }
    notes
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    /// `[profile NAME]` and `[NAME]` both name the profile `NAME`.
    ExtendSwitchRoles,
    /// `[profile NAME]` and `[default]` are profiles; other sections are kept with
    /// `is_profile: false` (`[sso-session …]`, `[services …]`, a bare `[NAME]`).
    AwsConfig,
}

/// One section as read: its name (without `profile `), the line of its header, and its
/// keys (lower-case) with their values.
#[derive(Debug)]
pub(crate) struct Section {
    pub(crate) name: String,
    pub(crate) line: usize,
    pub(crate) is_profile: bool,
    keys: BTreeMap<String, String>,
}

impl Section {
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.keys.get(key).map(String::as_str)
    }
}

/// Where the reader is: in no section yet, in one, or after a header it could not read
/// (whose keys are dropped with that one note).
enum State {
    Outside,
    In(Section),
    Discarding,
}

/// What [`read_ini`] read: the sections, what it could not use, and what it used with a
/// remark (AESR's dialect only: where AESR would refuse the whole text).
struct Ini {
    sections: Vec<Section>,
    skipped: Vec<Skipped>,
    remarks: Vec<Skipped>,
}

fn read_ini(text: &str, dialect: Dialect) -> Ini {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let aesr = dialect == Dialect::ExtendSwitchRoles;
    let refuses = |why: String| {
        if aesr {
            format!("{why} ({AESR_REFUSES})")
        } else {
            why
        }
    };
    let mut notes = Vec::new();
    let mut remarks = Vec::new();
    // In order of their headers; a name defined again empties the earlier slot (noted).
    let mut sections: Vec<Option<Section>> = Vec::new();
    let mut state = State::Outside;
    let mut nested = false;
    let mut outside_keys = 0usize;
    let mut first_outside = 0usize;

    // Where each (is_profile, name) was last defined; an earlier slot is emptied.
    let mut index: BTreeMap<(bool, String), usize> = BTreeMap::new();
    let mut finish =
        |section: Section, sections: &mut Vec<Option<Section>>, notes: &mut Vec<Skipped>| {
            let key = (section.is_profile, section.name.clone());
            if let Some(earlier) = index
                .insert(key, sections.len())
                .and_then(|i| sections.get_mut(i))
                .and_then(Option::take)
            {
                notes.push(Skipped {
                    what: quote(&earlier.name),
                    why: format!(
                        "line {}: defined again at line {}; the later definition is used",
                        earlier.line, section.line
                    ),
                });
            }
            sections.push(Some(section));
        };

    for (index, raw) in lines(text).enumerate() {
        let number = index + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with([';', '#']) {
            continue;
        }
        let indented = raw.starts_with([' ', '\t']);
        if nested && indented && dialect == Dialect::AwsConfig {
            continue;
        }
        nested = false;
        if line.starts_with('[') {
            if let State::In(section) = std::mem::replace(&mut state, State::Outside) {
                finish(section, &mut sections, &mut notes);
            }
            state = match section_header(line, dialect) {
                Some((name, is_profile)) => State::In(Section {
                    name,
                    line: number,
                    is_profile,
                    keys: BTreeMap::new(),
                }),
                None => {
                    notes.push(Skipped {
                        what: format!("line {number}"),
                        why: format!(
                            "`{}` is not a section header ([NAME] or [profile NAME]); the \
                             keys under it are ignored",
                            quote(line)
                        ),
                    });
                    State::Discarding
                }
            };
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            if !matches!(state, State::Discarding) {
                notes.push(Skipped {
                    what: format!("line {number}"),
                    why: refuses(format!("`{}` is not `key = value`", quote(line))),
                });
            }
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let value = match dialect {
            Dialect::ExtendSwitchRoles => strip_aesr_comment(value.trim()),
            Dialect::AwsConfig => strip_inline_comment(value.trim()),
        };
        match &mut state {
            State::Discarding => {}
            State::Outside => {
                if outside_keys == 0 {
                    first_outside = number;
                }
                outside_keys += 1;
            }
            State::In(section) => {
                if key.is_empty() {
                    notes.push(Skipped {
                        what: format!("line {number}"),
                        why: format!("`{}` has no key before `=`", quote(line)),
                    });
                    continue;
                }
                nested = value.is_empty();
                if aesr && value.is_empty() {
                    remarks.push(Skipped {
                        what: quote(&section.name),
                        why: refuses(format!("line {number}: `{}` has no value", quote(&key))),
                    });
                }
                if let Some(earlier) = section.keys.insert(key.clone(), value.to_owned()) {
                    if aesr && earlier != value {
                        remarks.push(Skipped {
                            what: quote(&section.name),
                            why: refuses(format!(
                                "line {number}: `{}` is given again; the later value is used",
                                quote(&key)
                            )),
                        });
                    }
                }
            }
        }
    }
    if let State::In(section) = state {
        finish(section, &mut sections, &mut notes);
    }
    if outside_keys > 0 {
        notes.insert(
            0,
            Skipped {
                what: format!("line {first_outside}"),
                why: refuses(format!(
                    "{outside_keys} key line(s) before any [section] header are ignored"
                )),
            },
        );
    }
    Ini {
        sections: sections.into_iter().flatten().collect(),
        skipped: notes,
        remarks,
    }
}

/// The lines of `text`, ended by `\n`, `\r\n` or a lone `\r`.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest?;
        match text.find(['\n', '\r']) {
            None => {
                rest = None;
                Some(text)
            }
            Some(i) => {
                let skip = if text[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = Some(&text[i + skip..]);
                Some(&text[..i])
            }
        }
    })
}

/// `[profile NAME]`, `[NAME]` (a trailing comment allowed) → the profile name and whether
/// the section is a profile.
fn section_header(line: &str, dialect: Dialect) -> Option<(String, bool)> {
    let inner = line.strip_prefix('[')?;
    let (inner, after) = inner.split_once(']')?;
    let after = after.trim();
    if !(after.is_empty() || after.starts_with([';', '#'])) {
        return None;
    }
    let inner = inner.trim();
    let (name, prefixed) = match split_word(inner) {
        Some((word, rest)) if word.eq_ignore_ascii_case("profile") => (rest, true),
        _ => (inner, false),
    };
    if name.is_empty() || name.contains('[') {
        return None;
    }
    let is_profile = match dialect {
        Dialect::ExtendSwitchRoles => true,
        Dialect::AwsConfig => prefixed || name == "default",
    };
    Some((name.to_owned(), is_profile))
}

/// `word rest` → (`word`, `rest` trimmed), if there is a blank after the first word.
fn split_word(text: &str) -> Option<(&str, &str)> {
    let i = text.find([' ', '\t'])?;
    Some((&text[..i], text[i..].trim()))
}

/// AESR's comments: `;` anywhere in a value starts one, blank before it or not
/// (`color = ffaaee; pink`), and so does `#`, except as the value's first character (a
/// color written `#ffaaee`, which AESR itself would read as an empty value).
fn strip_aesr_comment(value: &str) -> &str {
    let cut = value
        .char_indices()
        .find(|&(i, c)| c == ';' || (c == '#' && i > 0))
        .map_or(value.len(), |(i, _)| i);
    value[..cut].trim_end()
}

/// `value ; comment` or `value # comment` → `value`. A `;` or `#` right at the start
/// or not after a blank is part of the value (`#ffaaee`, `a#b`).
fn strip_inline_comment(value: &str) -> &str {
    let bytes = value.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if (*b == b';' || *b == b'#') && i > 0 && matches!(bytes[i - 1], b' ' | b'\t') {
            return value[..i].trim_end();
        }
    }
    value
}

#[cfg(test)]
mod tests;
