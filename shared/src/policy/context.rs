//! The request context: what is known about a request's condition keys at switch time.
//!
//! Each key is in one of three states: known (one or more values), known to be absent,
//! or unknown. Anything not given is unknown, except the keys the caller declares
//! absent. Keys are case-insensitive.

use std::collections::{HashMap, HashSet};

/// Condition-key values for one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    values: HashMap<String, Vec<String>>,
    absent: HashSet<String>,
}

/// What the context says about one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState<'a> {
    /// Present with these values (never empty).
    Known(&'a [String]),
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

    /// Add a value for `key` (call again for a multi-valued key).
    pub fn with(mut self, key: &str, value: &str) -> Context {
        self.insert(key, value);
        self
    }

    /// Declare `key` absent from the request (e.g. no MFA key in a long-term-key session).
    pub fn declare_absent(mut self, key: &str) -> Context {
        self.set_absent(key);
        self
    }

    /// Add a value for `key`; it is then no longer absent.
    pub fn insert(&mut self, key: &str, value: &str) {
        let key = key.to_lowercase();
        self.absent.remove(&key);
        self.values.entry(key).or_default().push(value.to_owned());
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
            Some(values) if !values.is_empty() => KeyState::Known(values),
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
            .with("aws:TagKeys", "a")
            .with("aws:TagKeys", "b")
            .declare_absent("aws:MultiFactorAuthPresent");
        assert_eq!(
            context.get("AWS:username"),
            KeyState::Known(&["alice".to_owned()])
        );
        assert!(matches!(context.get("aws:tagkeys"), KeyState::Known(v) if v.len() == 2));
        assert_eq!(context.get("aws:multifactorauthpresent"), KeyState::Absent);
        assert_eq!(context.get("aws:SourceIp"), KeyState::Unknown);
    }
}
