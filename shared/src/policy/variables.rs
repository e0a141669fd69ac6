//! Policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'default'}`) and the
//! escapes `${*}`, `${?}`, `${$}` in `Resource` elements and condition values.
//!
//! Only documents of version 2012-10-17 have variables; in 2008-10-17 (and when
//! `Version` is absent) `${…}` is plain text, as in IAM. A variable takes its value from
//! the request context: a single-valued key's value is substituted literally (its `*` is
//! not a wildcard); a multivalued key (a list, even of one value) makes the element match
//! nothing; so does a key known to be absent, unless a default is given; a key whose
//! value is unknown makes the match unknown, naming the key.

use super::context::{Context, KeyState};
use super::glob::{Glob, Tok};

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    /// Literal text.
    Text(String),
    /// `*` wildcard (only where wildcards apply).
    Star,
    /// `?` wildcard (only where wildcards apply).
    One,
    /// `${key}` or `${key, 'default'}`, the key as written.
    Var {
        key: String,
        default: Option<String>,
    },
}

/// A string with variables and (optionally) wildcards, parsed once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    segs: Vec<Seg>,
}

/// What a template becomes in a given context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// Every variable has a value: this pattern decides.
    Known(Glob),
    /// A variable's value is unknown: `glob` has `*` in its place, so a text that does
    /// not match `glob` cannot match; one that does may or may not.
    Unknown { glob: Glob, keys: Vec<String> },
    /// A variable is known to be absent and has no default: nothing matches.
    Never,
}

impl Template {
    /// Parse `text`. `variables`: whether `${…}` is special (version 2012-10-17);
    /// `wildcards`: whether `*` and `?` are wildcards.
    pub(crate) fn parse(text: &str, variables: bool, wildcards: bool) -> Template {
        let mut segs = Vec::new();
        let mut lit = String::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if variables && rest.starts_with("${") {
                if let Some(end) = rest.find('}') {
                    let inner = &rest[2..end];
                    rest = &rest[end + 1..];
                    match inner {
                        "*" | "?" | "$" => lit.push_str(inner),
                        _ => {
                            push_text(&mut segs, &mut lit);
                            segs.push(parse_var(inner));
                        }
                    }
                    continue;
                }
            }
            rest = &rest[c.len_utf8()..];
            match c {
                '*' if wildcards => {
                    push_text(&mut segs, &mut lit);
                    segs.push(Seg::Star);
                }
                '?' if wildcards => {
                    push_text(&mut segs, &mut lit);
                    segs.push(Seg::One);
                }
                c => lit.push(c),
            }
        }
        push_text(&mut segs, &mut lit);
        Template { segs }
    }

    /// Substitute variables from `context`.
    pub(crate) fn resolve(&self, context: &Context) -> Resolved {
        let mut toks = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        for seg in &self.segs {
            match seg {
                Seg::Text(text) => toks.extend(text.bytes().map(Tok::Byte)),
                Seg::Star => toks.push(Tok::Star),
                Seg::One => toks.push(Tok::One),
                Seg::Var { key, default } => match context.get(key) {
                    KeyState::Single(value) => toks.extend(value.bytes().map(Tok::Byte)),
                    // "You can use any available single-valued context key as a policy
                    // variable, but you cannot use a multivalued context key as a policy
                    // variable": a list (even of one value) matches nothing.
                    KeyState::List(_) => return Resolved::Never,
                    KeyState::Absent => match default {
                        Some(value) => toks.extend(value.bytes().map(Tok::Byte)),
                        None => return Resolved::Never,
                    },
                    KeyState::Unknown => {
                        toks.push(Tok::Star);
                        if !unknown.contains(key) {
                            unknown.push(key.clone());
                        }
                    }
                },
            }
        }
        let glob = Glob::from_toks(toks);
        if unknown.is_empty() {
            Resolved::Known(glob)
        } else {
            Resolved::Unknown {
                glob,
                keys: unknown,
            }
        }
    }
}

fn push_text(segs: &mut Vec<Seg>, lit: &mut String) {
    if !lit.is_empty() {
        segs.push(Seg::Text(std::mem::take(lit)));
    }
}

/// `aws:username` or `aws:PrincipalTag/team, 'default'`.
fn parse_var(inner: &str) -> Seg {
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => {
            let default = default.trim();
            let default = default
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .unwrap_or(default);
            (key, Some(default.to_owned()))
        }
        None => (inner, None),
    };
    Seg::Var {
        key: key.trim().to_owned(),
        default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution() {
        let context = Context::new()
            .with("aws:username", "al*ce")
            .declare_absent("aws:PrincipalTag/team");
        let resolve = |t: &str| Template::parse(t, true, true).resolve(&context);
        let Resolved::Known(glob) = resolve("role/${aws:username}-*") else {
            panic!("expected known")
        };
        assert!(glob.matches("role/al*ce-x"));
        assert!(!glob.matches("role/alice-x"));
        assert_eq!(resolve("${aws:PrincipalTag/team}"), Resolved::Never);
        let Resolved::Known(glob) = resolve("${aws:PrincipalTag/team, 'ops'}") else {
            panic!("expected known")
        };
        assert!(glob.matches("ops"));
        let Resolved::Unknown { keys, .. } = resolve("${aws:userid}") else {
            panic!("expected unknown")
        };
        assert_eq!(keys, ["aws:userid"]);
        let Resolved::Unknown { keys, .. } = resolve("${aws:PrincipalTag/Owner}") else {
            panic!("expected unknown")
        };
        assert_eq!(keys, ["aws:PrincipalTag/Owner"]);
        let Resolved::Known(glob) = resolve("a${*}${?}${$}") else {
            panic!("expected known")
        };
        assert!(glob.matches("a*?$"));
        assert!(!glob.matches("ab?$"));
        // Unclosed: plain text.
        let Resolved::Known(glob) = resolve("${aws:username") else {
            panic!("expected known")
        };
        assert!(glob.matches("${aws:username"));
    }
}
