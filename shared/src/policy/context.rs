//! The request context: what is known about a request's condition keys at switch time.
//!
//! Each key is in one of three states: known, known to be absent, or unknown. Anything
//! not given is unknown, except the keys the caller declares absent. Keys are
//! case-insensitive.
//!
//! A known key is single-valued or multivalued, as IAM has it: "The difference between
//! single-valued and multivalued context keys lies in the number of values in the request
//! context, not the number of values in the policy condition." A key is multivalued (a
//! list, even of one value) when it is given as a list ([`Context::insert_list`]), when it
//! is given more than one value, or when AWS documents it as multivalued
//! ([`MULTIVALUED_KEYS`]); otherwise it is single-valued. The difference matters to the
//! condition operators: see `condition`.

use std::collections::{HashMap, HashSet};

/// The global condition keys AWS documents as multivalued ("Value type – Multivalued" in
/// "AWS global condition context keys"): a value given for one of them makes a list.
pub const MULTIVALUED_KEYS: &[&str] = &[
    "aws:CalledVia",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceNamesList",
    "aws:ResourceOrgPaths",
    "aws:SourceOrgPaths",
    "aws:TagKeys",
    "aws:VpceOrgPaths",
];

/// Whether AWS documents `key` (any case) as a multivalued global condition key.
pub fn is_multivalued_key(key: &str) -> bool {
    MULTIVALUED_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// Condition-key values for one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    values: HashMap<String, Entry>,
    absent: HashSet<String>,
}

/// The values given for one key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Entry {
    values: Vec<String>,
    /// Declared a list (or a documented multivalued key), whatever the number of values.
    list: bool,
}

/// What the context says about one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState<'a> {
    /// Present, single-valued, with this value.
    Single(&'a str),
    /// Present, multivalued, with these values (never empty; maybe only one).
    List(&'a [String]),
    /// Known not to be in the request.
    Absent,
    /// Not known at switch time (e.g. `aws:SourceIp`).
    Unknown,
}

impl Context {
    /// A context in which every key is unknown.
    pub fn new() -> Context {
        Context::default()
    }

    /// Add a value for `key` (a second value makes the key multivalued).
    pub fn with(mut self, key: &str, value: &str) -> Context {
        self.insert(key, value);
        self
    }

    /// Give `key` as a list of these values (multivalued even with one value).
    pub fn with_list(mut self, key: &str, values: &[&str]) -> Context {
        self.insert_list(key, values);
        self
    }

    /// Declare `key` absent from the request (e.g. no MFA key in a long-term-key session).
    pub fn declare_absent(mut self, key: &str) -> Context {
        self.set_absent(key);
        self
    }

    /// Add a value for `key`; it is then no longer absent. The key becomes multivalued
    /// with its second value, or at once for a key in [`MULTIVALUED_KEYS`].
    pub fn insert(&mut self, key: &str, value: &str) {
        let entry = self.entry(key);
        entry.values.push(value.to_owned());
        entry.list |= is_multivalued_key(key);
    }

    /// Make `key` a list (multivalued) and add these values to it; it is then no longer
    /// absent. An empty `values` only marks the key as a list: it stays without a value
    /// (unknown) until one is added.
    pub fn insert_list(&mut self, key: &str, values: &[&str]) {
        let entry = self.entry(key);
        entry.values.extend(values.iter().map(|v| (*v).to_owned()));
        entry.list = true;
    }

    fn entry(&mut self, key: &str) -> &mut Entry {
        let key = key.to_lowercase();
        self.absent.remove(&key);
        self.values.entry(key).or_default()
    }

    /// Declare `key` absent; any values given for it are dropped.
    pub fn set_absent(&mut self, key: &str) {
        let key = key.to_lowercase();
        self.values.remove(&key);
        self.absent.insert(key);
    }

    /// The state of `key` (any case).
    pub fn get(&self, key: &str) -> KeyState<'_> {
        let key = key.to_lowercase();
        match self.values.get(&key) {
            Some(Entry { values, list }) if !values.is_empty() => match values.as_slice() {
                [value] if !list => KeyState::Single(value),
                _ => KeyState::List(values),
            },
            _ if self.absent.contains(&key) => KeyState::Absent,
            _ => KeyState::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_states() {
        let context = Context::new()
            .with("aws:UserName", "alice")
            .with("aws:PrincipalTag/team", "a")
            .with("aws:PrincipalTag/team", "b")
            .declare_absent("aws:MultiFactorAuthPresent");
        assert_eq!(context.get("AWS:username"), KeyState::Single("alice"));
        assert!(matches!(context.get("aws:principaltag/TEAM"), KeyState::List(v) if v.len() == 2));
        assert_eq!(context.get("aws:multifactorauthpresent"), KeyState::Absent);
        assert_eq!(context.get("aws:SourceIp"), KeyState::Unknown);
    }

    #[test]
    fn lists_of_one_value() {
        let context = Context::new()
            .with_list("aws:RequestedRegion", &["us-east-1"])
            .with("aws:TAGKEYS", "team")
            .with("aws:RequestedRegion", "us-west-2")
            .with_list("aws:PrincipalTag/team", &[])
            .with_list("aws:SourceVpce", &["vpce-1"]);
        // Declared a list of one value: multivalued all the same.
        let vpce = ["vpce-1".to_owned()];
        assert_eq!(context.get("aws:SourceVpce"), KeyState::List(&vpce));
        // A documented multivalued key given once: a list of one.
        let one = ["team".to_owned()];
        assert_eq!(context.get("aws:TagKeys"), KeyState::List(&one));
        // Declared a list of one, then given a second value.
        let regions = ["us-east-1".to_owned(), "us-west-2".to_owned()];
        assert_eq!(context.get("aws:requestedregion"), KeyState::List(&regions));
        // An empty list gives no value.
        assert_eq!(context.get("aws:PrincipalTag/team"), KeyState::Unknown);
        assert!(is_multivalued_key("AWS:PrincipalOrgPaths"));
        assert!(!is_multivalued_key("aws:PrincipalOrgID"));
        // Absent, then given: known again.
        let context = Context::new()
            .declare_absent("aws:TagKeys")
            .with_list("aws:TagKeys", &["a"]);
        assert!(matches!(context.get("aws:TagKeys"), KeyState::List([a]) if a == "a"));
    }
}
