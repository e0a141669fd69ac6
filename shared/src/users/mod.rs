//! IAM users, without I/O: the messages `users.list`, `users.create` and `users.remove`,
//! IAM's user-name rule, the account password policy (GetAccountPasswordPolicy's fields,
//! AWS's default when there is none) with one sentence per broken rule, a generated
//! password that meets the policy (from random numbers the caller supplies), and the
//! account's console sign-in URL.
//!
//! `users.create` answers with one-time secrets (the console password, the new secret
//! access key): [`UsersCreateData`] and [`UsersCreateParams`] never print them.

use std::fmt;

use crate::protocol::users::{
    PasswordPolicy, Tag, UsersCreateParams, UsersRemoveParams, UsersTarget,
};
use crate::switch::Partition;

/// The role assumed in a member account when none is named: the one Organizations
/// CreateAccount makes.
pub const DEFAULT_MEMBER_ROLE: &str = "OrganizationAccountAccessRole";

/// The longest IAM user name.
pub const MAX_USER_NAME: usize = 64;
/// The longest password IAM accepts.
pub const MAX_PASSWORD: usize = 128;
/// The length of a generated password (longer when the policy asks for more).
pub const GENERATED_LENGTH: usize = 20;
/// What IAM counts as a symbol in a password.
pub const SYMBOLS: &str = "!@#$%^&*()_+-=[]{}|'";

/// Characters of IAM names (users, groups, roles): letters, digits and `+=,.@_-`.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
}

/// Why a user name is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidName {
    #[error("a user name cannot be empty")]
    Empty,
    #[error("the user name is {0} characters long; IAM allows at most 64")]
    TooLong(usize),
    #[error("{name:?} is not an IAM user name: {bad:?} is not allowed (use letters, digits and +=,.@_-)")]
    BadChar { name: String, bad: char },
}

/// Check a user name against IAM's rule: 1 to 64 of letters, digits and `+=,.@_-`.
pub fn check_user_name(name: &str) -> Result<(), InvalidName> {
    if name.is_empty() {
        return Err(InvalidName::Empty);
    }
    let length = name.chars().count();
    if length > MAX_USER_NAME {
        return Err(InvalidName::TooLong(length));
    }
    match name.chars().find(|c| !is_name_char(*c)) {
        Some(bad) => Err(InvalidName::BadChar {
            name: name.to_owned(),
            bad,
        }),
        None => Ok(()),
    }
}

/// Check a group name: 1 to 128 of letters, digits and `+=,.@_-`.
pub fn check_group_name(name: &str) -> Result<(), String> {
    if (1..=128).contains(&name.len()) && name.chars().all(is_name_char) {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not an IAM group name: use 1 to 128 letters, digits and +=,.@_-"
        ))
    }
}

/// Check a managed policy ARN's shape (`arn:PARTITION:iam::ACCOUNT|aws:policy/PATH/NAME`).
pub fn check_policy_arn(arn: &str) -> Result<(), String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && Partition::from_name(parts[1]).is_some()
        && parts[2] == "iam"
        && parts[3].is_empty()
        && (parts[4] == "aws"
            || (parts[4].len() == 12 && parts[4].bytes().all(|b| b.is_ascii_digit())))
        && parts[5].strip_prefix("policy/").is_some_and(|rest| {
            !rest.is_empty()
                && !rest.ends_with('/')
                && rest.chars().all(|c| is_name_char(c) || c == '/')
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{arn:?} is not a managed policy ARN (arn:aws:iam::aws:policy/NAME or \
             arn:aws:iam::ACCOUNT:policy/NAME)"
        ))
    }
}

impl Tag {
    /// Read `KEY=VALUE` (the value may be empty) and check it.
    pub fn parse(text: &str) -> Result<Tag, String> {
        let Some((key, value)) = text.split_once('=') else {
            return Err(format!("{text:?} is not a tag: write KEY=VALUE"));
        };
        let tag = Tag {
            key: key.to_owned(),
            value: value.to_owned(),
        };
        tag.check()?;
        Ok(tag)
    }

    /// IAM's limits: key 1 to 128 characters, not starting with `aws:`; value up to 256.
    pub fn check(&self) -> Result<(), String> {
        let allowed = |c: char| c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c);
        if !(1..=128).contains(&self.key.chars().count()) || !self.key.chars().all(allowed) {
            return Err(format!(
                "tag key {:?}: use 1 to 128 letters, digits, spaces and _.:/=+-@",
                self.key
            ));
        }
        if self.key.to_ascii_lowercase().starts_with("aws:") {
            return Err(format!(
                "tag key {:?}: keys starting with aws: are AWS's own",
                self.key
            ));
        }
        if self.value.chars().count() > 256 || !self.value.chars().all(allowed) {
            return Err(format!(
                "tag {:?}: the value may have up to 256 letters, digits, spaces and _.:/=+-@",
                self.key
            ));
        }
        Ok(())
    }
}

impl PasswordPolicy {
    /// The rules when the account has no custom policy: at least 8 characters, three of
    /// the four kinds.
    pub const AWS_DEFAULT: PasswordPolicy = PasswordPolicy {
        minimum_length: 8,
        require_symbols: false,
        require_numbers: false,
        require_uppercase: false,
        require_lowercase: false,
        minimum_kinds: 3,
    };

    /// A custom policy as GetAccountPasswordPolicy states it.
    pub fn custom(
        minimum_length: u32,
        require_symbols: bool,
        require_numbers: bool,
        require_uppercase: bool,
        require_lowercase: bool,
    ) -> PasswordPolicy {
        PasswordPolicy {
            minimum_length,
            require_symbols,
            require_numbers,
            require_uppercase,
            require_lowercase,
            minimum_kinds: 0,
        }
    }
}

/// One rule a password breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordViolation {
    TooShort { minimum: u32 },
    TooLong,
    BadCharacter,
    NoSymbol,
    NoNumber,
    NoUppercase,
    NoLowercase,
    TooFewKinds { minimum: u8 },
}

impl fmt::Display for PasswordViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PasswordViolation::TooShort { minimum } => {
                write!(f, "it must be at least {minimum} characters long")
            }
            PasswordViolation::TooLong => {
                write!(f, "it must be at most {MAX_PASSWORD} characters long")
            }
            PasswordViolation::BadCharacter => write!(
                f,
                "it may only hold printable characters (no control characters)"
            ),
            PasswordViolation::NoSymbol => write!(f, "it must contain a symbol ({SYMBOLS})"),
            PasswordViolation::NoNumber => write!(f, "it must contain a digit"),
            PasswordViolation::NoUppercase => write!(f, "it must contain an upper-case letter"),
            PasswordViolation::NoLowercase => write!(f, "it must contain a lower-case letter"),
            PasswordViolation::TooFewKinds { minimum } => write!(
                f,
                "it must mix at least {minimum} of: upper-case letters, lower-case letters, \
                 digits, symbols ({SYMBOLS})"
            ),
        }
    }
}

/// Every rule of `policy` the password breaks (empty when it is acceptable). The
/// messages never repeat the password.
pub fn password_violations(policy: &PasswordPolicy, password: &str) -> Vec<PasswordViolation> {
    let mut broken = Vec::new();
    let length = password.chars().count();
    if length < policy.minimum_length as usize {
        broken.push(PasswordViolation::TooShort {
            minimum: policy.minimum_length,
        });
    }
    if length > MAX_PASSWORD {
        broken.push(PasswordViolation::TooLong);
    }
    // IAM accepts tab, line feed, carriage return and U+0020 to U+00FF.
    if !password
        .chars()
        .all(|c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{ff}'))
    {
        broken.push(PasswordViolation::BadCharacter);
    }
    let has_symbol = password.chars().any(|c| SYMBOLS.contains(c));
    let has_number = password.chars().any(|c| c.is_ascii_digit());
    let has_upper = password.chars().any(|c| c.is_ascii_uppercase());
    let has_lower = password.chars().any(|c| c.is_ascii_lowercase());
    for (required, present, violation) in [
        (
            policy.require_symbols,
            has_symbol,
            PasswordViolation::NoSymbol,
        ),
        (
            policy.require_numbers,
            has_number,
            PasswordViolation::NoNumber,
        ),
        (
            policy.require_uppercase,
            has_upper,
            PasswordViolation::NoUppercase,
        ),
        (
            policy.require_lowercase,
            has_lower,
            PasswordViolation::NoLowercase,
        ),
    ] {
        if required && !present {
            broken.push(violation);
        }
    }
    let kinds = [has_symbol, has_number, has_upper, has_lower]
        .iter()
        .filter(|k| **k)
        .count();
    if kinds < usize::from(policy.minimum_kinds) {
        broken.push(PasswordViolation::TooFewKinds {
            minimum: policy.minimum_kinds,
        });
    }
    broken
}

/// Check a typed password: `Err` holds one sentence naming every broken rule.
pub fn check_password(policy: &PasswordPolicy, password: &str) -> Result<(), String> {
    let broken = password_violations(policy, password);
    if broken.is_empty() {
        return Ok(());
    }
    let reasons: Vec<String> = broken.iter().map(ToString::to_string).collect();
    Err(format!(
        "the password does not meet the account's password policy: {}",
        reasons.join("; ")
    ))
}

/// A number below `bound` (> 0) from a source of uniform random `u32`s, without the bias
/// of a plain modulo.
fn below(next: &mut impl FnMut() -> u32, bound: u32) -> u32 {
    let bound = bound.max(1);
    // The largest multiple of `bound` that fits: values at or above it are drawn again.
    let zone = u32::MAX - (u32::MAX % bound);
    loop {
        let value = next();
        if value < zone {
            return value % bound;
        }
    }
}

/// A password that meets `policy`: at least [`GENERATED_LENGTH`] characters, always with
/// an upper-case letter, a lower-case letter, a digit and a symbol, in random order.
/// `next` must give uniform random `u32`s from a cryptographic source.
pub fn generate_password(policy: &PasswordPolicy, next: &mut impl FnMut() -> u32) -> String {
    const UPPER: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &str = "abcdefghijkmnopqrstuvwxyz";
    const DIGITS: &str = "23456789";
    let all: Vec<char> = [UPPER, LOWER, DIGITS, SYMBOLS].concat().chars().collect();
    let length = (policy.minimum_length as usize).clamp(GENERATED_LENGTH, MAX_PASSWORD);
    fn pick(set: &[char], next: &mut impl FnMut() -> u32) -> char {
        set[below(next, set.len() as u32) as usize]
    }
    let mut chars: Vec<char> = Vec::with_capacity(length);
    for set in [UPPER, LOWER, DIGITS, SYMBOLS] {
        let set: Vec<char> = set.chars().collect();
        chars.push(pick(&set, next));
    }
    while chars.len() < length {
        chars.push(pick(&all, next));
    }
    // Fisher–Yates, so the required kinds are not always in front.
    for i in (1..chars.len()).rev() {
        let j = below(next, i as u32 + 1) as usize;
        chars.swap(i, j);
    }
    chars.into_iter().collect()
}

/// The console sign-in page of an account: `https://{alias or id}.signin.aws.amazon.com/console`
/// (the partition's sign-in host).
pub fn signin_url(partition: Partition, account_id: &str, alias: Option<&str>) -> String {
    let who = alias.filter(|a| !a.is_empty()).unwrap_or(account_id);
    format!("https://{who}.{}/console", partition.signin_host())
}

impl UsersCreateParams {
    /// Everything that can be checked before any AWS call, with the first problem found.
    pub fn check(&self) -> Result<(), String> {
        check_user_name(&self.user_name).map_err(|e| e.to_string())?;
        if !self.console && !self.api {
            return Err("choose console access, programmatic (API) access, or both".to_owned());
        }
        if self.password.is_some() && !self.console {
            return Err("a password is only for console access".to_owned());
        }
        if self.store_profile.is_some() && !self.api {
            return Err("only an access key can be stored as a profile".to_owned());
        }
        for group in &self.groups {
            check_group_name(group)?;
        }
        for arn in &self.policies {
            check_policy_arn(arn)?;
        }
        for tag in &self.tags {
            tag.check()?;
        }
        check_target(&self.target())
    }

    /// Where the user is made.
    pub fn target(&self) -> UsersTarget {
        UsersTarget {
            profile: self.profile.clone(),
            account_id: self.account_id.clone(),
            role_name: self.role_name.clone(),
        }
    }
}

/// Check a target's account id and role name.
pub fn check_target(target: &UsersTarget) -> Result<(), String> {
    if let Some(account) = &target.account_id {
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("{account:?} is not an AWS account id (12 digits)"));
        }
    }
    if let Some(role) = &target.role_name {
        if target.account_id.is_none() {
            return Err(
                "a role is only assumed in another account: name it with account_id".to_owned(),
            );
        }
        if !(1..=64).contains(&role.len()) || !role.chars().all(is_name_char) {
            return Err(format!("{role:?} is not an IAM role name"));
        }
    }
    Ok(())
}

impl UsersRemoveParams {
    /// Where the user is removed.
    pub fn target(&self) -> UsersTarget {
        UsersTarget {
            profile: self.profile.clone(),
            account_id: self.account_id.clone(),
            role_name: self.role_name.clone(),
        }
    }
}

/// Check a virtual MFA device name: 1 to 226 letters, digits and `+=,.@_-`.
pub fn check_device_name(name: &str) -> Result<(), String> {
    if (1..=226).contains(&name.len()) && name.chars().all(is_name_char) {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not an MFA device name: use 1 to 226 letters, digits and +=,.@_-"
        ))
    }
}

/// The user name of an IAM user ARN (`arn:aws:iam::ACCOUNT:user/PATH/NAME`), `None` for
/// any other principal (root, an assumed role).
pub fn user_name_of(arn: &str) -> Option<&str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let path = resource.strip_prefix("user/")?;
    path.rsplit('/').next().filter(|n| !n.is_empty())
}

/// The `otpauth://` URI an authenticator app reads from the QR code, labelled the way the
/// IAM console labels it (`Amazon Web Services:USER@ACCOUNT`).
pub fn otpauth_uri(user_name: &str, account: &str, seed: &str) -> String {
    let component = |text: &str| crate::switch::encode_component(text);
    format!(
        "otpauth://totp/{}?secret={}&issuer={}",
        component(&format!("Amazon Web Services:{user_name}@{account}")),
        component(seed),
        component("Amazon Web Services")
    )
}

#[cfg(test)]
mod tests;
