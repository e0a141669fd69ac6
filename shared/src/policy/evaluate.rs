//! The decision for a request, as IAM makes it for identity policies: an explicit `Deny`
//! wins; otherwise an `Allow` is needed, in the identity policies and, when there is
//! one, in the permissions boundary too.
//!
//! Outcomes are three-valued: a statement whose conditions (or resource variables) need
//! a key whose value is unknown at switch time may or may not apply. Then the decision
//! is [`Decision::Conditional`], naming the keys, never a silent allow: a conditional
//! `Deny` makes an otherwise allowed request conditional (unless a `Deny` applies
//! outright), a conditional `Allow` makes it conditional when nothing allows outright.
//!
//! [`Evaluator`] does the work that depends only on the action and the context once
//! (which statements cover the action, their conditions, their resource patterns with
//! variables substituted, an index of the literal ARNs), so that many resources are
//! checked quickly against the same policies.

use std::collections::HashMap;

use super::context::Context;
use super::document::{Effect, Policy, Statement};
use super::glob::{Glob, Tok};
use super::variables::Resolved;

/// True, false, or unknown because of these keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tri {
    True,
    False,
    Unknown(Vec<String>),
}

impl From<bool> for Tri {
    fn from(b: bool) -> Tri {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }
}

impl Tri {
    pub(crate) fn unknown(key: &str) -> Tri {
        Tri::Unknown(vec![key.to_owned()])
    }

    fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, x) | (x, Tri::True) => x,
            (Tri::Unknown(mut a), Tri::Unknown(b)) => {
                merge_keys(&mut a, b);
                Tri::Unknown(a)
            }
        }
    }

    fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::False, x) | (x, Tri::False) => x,
            (Tri::Unknown(mut a), Tri::Unknown(b)) => {
                merge_keys(&mut a, b);
                Tri::Unknown(a)
            }
        }
    }
}

fn merge_keys(into: &mut Vec<String>, from: Vec<String>) {
    for key in from {
        if !into.iter().any(|k| k.eq_ignore_ascii_case(&key)) {
            into.push(key);
        }
    }
}

/// The outcome of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    ExplicitDeny,
    ImplicitDeny,
    /// Depends on keys whose values are not known (see [`Evaluation::unknown_keys`]).
    Conditional,
}

impl Decision {
    /// `allowed`, `explicit_deny`, `implicit_deny` or `conditional`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::ExplicitDeny => "explicit_deny",
            Decision::ImplicitDeny => "implicit_deny",
            Decision::Conditional => "conditional",
        }
    }
}

/// Which group of policies a statement belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    Identity,
    Boundary,
}

impl PolicyKind {
    /// `identity` or `boundary`.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Boundary => "boundary",
        }
    }
}

/// A statement that applies (or may apply) to the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason<'a> {
    pub kind: PolicyKind,
    pub policy: &'a str,
    pub sid: Option<&'a str>,
    /// The statement's position in its document.
    pub index: usize,
    pub effect: Effect,
    /// Empty when the statement applies outright; else the keys it depends on.
    pub unknown_keys: Vec<String>,
}

impl Reason<'_> {
    /// The statement's `Sid`, or `Statement[i]` when it has none.
    pub fn statement(&self) -> String {
        match self.sid {
            Some(sid) => sid.to_owned(),
            None => format!("Statement[{}]", self.index),
        }
    }

    /// One line for people: `Allow POLICY: STATEMENT (KIND)`.
    pub fn describe(&self) -> String {
        format!(
            "{} {}: {} ({})",
            self.effect.as_str(),
            self.policy,
            self.statement(),
            self.kind.as_str()
        )
    }
}

/// The decision with its reasons (borrowing the policies' names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation<'a> {
    pub decision: Decision,
    /// The statements behind the decision: for an explicit deny the denying statements,
    /// otherwise every statement that applies or may apply.
    pub reasons: Vec<Reason<'a>>,
    /// For [`Decision::Conditional`], the keys whose values would settle it.
    pub unknown_keys: Vec<String>,
    /// For [`Decision::ImplicitDeny`], the kinds of policy in which nothing allows.
    pub missing_allow: Vec<PolicyKind>,
}

/// Evaluate one request (see [`Evaluator`] for many resources at once).
pub fn evaluate<'a>(
    identity: &'a [Policy],
    boundary: Option<&'a [Policy]>,
    action: &str,
    resource: &str,
    context: &Context,
) -> Evaluation<'a> {
    Evaluator::new(identity, boundary, action, context).evaluate(resource)
}

/// A statement that covers the action and whose conditions do not rule it out.
struct Live<'a> {
    kind: PolicyKind,
    policy: &'a Policy,
    statement: &'a Statement,
    /// `True` or `Unknown`.
    condition: Tri,
}

/// A resource pattern, resolved for the context: an index into the distinct globs.
struct Pattern {
    live: usize,
    glob: usize,
    unknown: Option<Vec<String>>,
}

/// The request's action and context applied to a set of policies, ready for resources.
pub struct Evaluator<'a> {
    live: Vec<Live<'a>>,
    /// The distinct wildcard patterns (each is matched at most once per resource).
    globs: Vec<Glob>,
    glob_ids: HashMap<Vec<Tok>, usize>,
    /// Literal ARN → the `Resource` statements that name it.
    exact: HashMap<String, Vec<usize>>,
    /// Wildcard (or unknown-variable) patterns of `Resource` statements, by their literal
    /// prefix (a resource meets only the patterns whose prefix it starts with).
    patterns: HashMap<Vec<u8>, Vec<Pattern>>,
    prefix_lens: Vec<usize>,
    /// `NotResource` statements and their patterns.
    not_resource: Vec<(usize, Vec<Pattern>)>,
    has_boundary: bool,
}

impl<'a> Evaluator<'a> {
    pub fn new(
        identity: &'a [Policy],
        boundary: Option<&'a [Policy]>,
        action: &str,
        context: &Context,
    ) -> Evaluator<'a> {
        let action = action.to_lowercase();
        let mut evaluator = Evaluator {
            live: Vec::new(),
            globs: Vec::new(),
            glob_ids: HashMap::new(),
            exact: HashMap::new(),
            patterns: HashMap::new(),
            prefix_lens: Vec::new(),
            not_resource: Vec::new(),
            has_boundary: boundary.is_some(),
        };
        let sets = [
            (PolicyKind::Identity, identity),
            (PolicyKind::Boundary, boundary.unwrap_or(&[])),
        ];
        for (kind, policies) in sets {
            for policy in policies {
                for statement in policy.statements() {
                    evaluator.add(kind, policy, statement, &action, context);
                }
            }
        }
        evaluator
    }

    fn intern(&mut self, glob: Glob) -> usize {
        if let Some(id) = self.glob_ids.get(glob.toks()) {
            return *id;
        }
        let id = self.globs.len();
        self.glob_ids.insert(glob.toks().to_vec(), id);
        self.globs.push(glob);
        id
    }

    fn add(
        &mut self,
        kind: PolicyKind,
        policy: &'a Policy,
        statement: &'a Statement,
        action: &str,
        context: &Context,
    ) {
        if !statement.covers_lowercase_action(action) {
            return;
        }
        let condition = statement
            .conditions
            .iter()
            .fold(Tri::True, |acc, c| acc.and(c.evaluate(context)));
        if condition == Tri::False {
            return;
        }
        let index = self.live.len();
        self.live.push(Live {
            kind,
            policy,
            statement,
            condition,
        });
        let mut nots = Vec::new();
        for template in &statement.resources {
            let (glob, unknown) = match template.resolve(context) {
                Resolved::Known(glob) => (glob, None),
                Resolved::Unknown { glob, keys } => (glob, Some(keys)),
                Resolved::Never => continue,
            };
            if !statement.not_resource && unknown.is_none() {
                if let Some(literal) = glob.literal() {
                    let entry = self.exact.entry(literal).or_default();
                    if entry.last() != Some(&index) {
                        entry.push(index);
                    }
                    continue;
                }
            }
            let prefix = glob.literal_prefix().to_vec();
            let pattern = Pattern {
                live: index,
                glob: self.intern(glob),
                unknown,
            };
            if statement.not_resource {
                nots.push(pattern);
            } else {
                if !self.prefix_lens.contains(&prefix.len()) {
                    self.prefix_lens.push(prefix.len());
                }
                self.patterns.entry(prefix).or_default().push(pattern);
            }
        }
        if statement.not_resource {
            self.not_resource.push((index, nots));
        }
    }

    /// The decision for `resource` (an ARN; matched case-sensitively).
    pub fn evaluate(&self, resource: &str) -> Evaluation<'a> {
        // Each distinct glob is matched once: 0 not yet, 1 matches, 2 does not.
        let mut memo = vec![0u8; self.globs.len()];
        let mut matches = |glob: usize| match memo[glob] {
            0 => {
                let hit = self.globs[glob].matches(resource);
                memo[glob] = if hit { 1 } else { 2 };
                hit
            }
            state => state == 1,
        };
        // Which live statements match the resource, and how surely.
        let mut hits: Vec<(usize, Tri)> = Vec::new();
        if let Some(indices) = self.exact.get(resource) {
            hits.extend(indices.iter().map(|i| (*i, Tri::True)));
        }
        let bytes = resource.as_bytes();
        for len in &self.prefix_lens {
            let Some(prefix) = bytes.get(..*len) else {
                continue;
            };
            for pattern in self.patterns.get(prefix).into_iter().flatten() {
                if matches(pattern.glob) {
                    hits.push((pattern.live, pattern_tri(pattern)));
                }
            }
        }
        for (index, patterns) in &self.not_resource {
            let mut matched = Tri::False;
            for pattern in patterns {
                if matches(pattern.glob) {
                    matched = matched.or(pattern_tri(pattern));
                }
            }
            let applies = match matched {
                Tri::True => Tri::False,
                Tri::False => Tri::True,
                unknown => unknown,
            };
            if applies != Tri::False {
                hits.push((*index, applies));
            }
        }
        hits.sort_by_key(|(i, _)| *i);
        let mut applying: Vec<(usize, Tri)> = Vec::with_capacity(hits.len());
        for (index, tri) in hits {
            match applying.last_mut() {
                Some((last, acc)) if *last == index => {
                    *acc = std::mem::replace(acc, Tri::False).or(tri);
                }
                _ => applying.push((index, tri)),
            }
        }
        for (index, tri) in &mut applying {
            let condition = &self.live[*index].condition;
            if *condition != Tri::True {
                *tri = std::mem::replace(tri, Tri::False).and(condition.clone());
            }
        }
        self.decide(applying)
    }

    fn decide(&self, applying: Vec<(usize, Tri)>) -> Evaluation<'a> {
        let mut deny_sure = Vec::new();
        let mut reasons = Vec::new();
        let mut deny_keys: Vec<String> = Vec::new();
        // Per kind: (allowed outright, keys of conditional allows).
        let mut allow = [(false, Vec::new()), (false, Vec::new())];
        for (index, tri) in applying {
            let live = &self.live[index];
            let slot = &mut allow[live.kind as usize];
            let unknown_keys = match tri {
                Tri::False => continue,
                Tri::True => Vec::new(),
                Tri::Unknown(keys) => keys,
            };
            match (live.statement.effect, unknown_keys.is_empty()) {
                (Effect::Deny, true) => deny_sure.push(reason(live, Vec::new())),
                (Effect::Deny, false) => merge_keys(&mut deny_keys, unknown_keys.clone()),
                (Effect::Allow, true) => slot.0 = true,
                (Effect::Allow, false) => merge_keys(&mut slot.1, unknown_keys.clone()),
            }
            if deny_sure.is_empty() {
                reasons.push(reason(live, unknown_keys));
            }
        }
        if !deny_sure.is_empty() {
            return Evaluation {
                decision: Decision::ExplicitDeny,
                reasons: deny_sure,
                unknown_keys: Vec::new(),
                missing_allow: Vec::new(),
            };
        }
        let kinds: &[PolicyKind] = if self.has_boundary {
            &[PolicyKind::Identity, PolicyKind::Boundary]
        } else {
            &[PolicyKind::Identity]
        };
        let missing_allow: Vec<PolicyKind> = kinds
            .iter()
            .copied()
            .filter(|k| {
                let (sure, maybe) = &allow[*k as usize];
                !sure && maybe.is_empty()
            })
            .collect();
        if !missing_allow.is_empty() {
            return Evaluation {
                decision: Decision::ImplicitDeny,
                reasons,
                unknown_keys: Vec::new(),
                missing_allow,
            };
        }
        let mut unknown_keys = deny_keys;
        for kind in kinds {
            let (sure, maybe) = &allow[*kind as usize];
            if !sure {
                merge_keys(&mut unknown_keys, maybe.clone());
            }
        }
        Evaluation {
            decision: if unknown_keys.is_empty() {
                Decision::Allowed
            } else {
                Decision::Conditional
            },
            reasons,
            unknown_keys,
            missing_allow: Vec::new(),
        }
    }
}

fn pattern_tri(pattern: &Pattern) -> Tri {
    match &pattern.unknown {
        None => Tri::True,
        Some(keys) => Tri::Unknown(keys.clone()),
    }
}

fn reason<'a>(live: &Live<'a>, unknown_keys: Vec<String>) -> Reason<'a> {
    Reason {
        kind: live.kind,
        policy: live.policy.name(),
        sid: live.statement.sid(),
        index: live.statement.index(),
        effect: live.statement.effect,
        unknown_keys,
    }
}
