//! The `Condition` element: operators, their `…IfExists` and `ForAllValues:` /
//! `ForAnyValue:` forms, and their evaluation against a [`Context`] in three values
//! (true, false, unknown naming the keys).
//!
//! Rules (as IAM): keys are case-insensitive; within one operator several keys are
//! AND-ed and several values of one key OR-ed (a negated operator is true when no value
//! matches); a key absent from the request makes a positive operator false and a negated
//! one true, `…IfExists` true, `ForAllValues:` true and `ForAnyValue:` false; `Null`
//! tests presence. A key whose value is unknown makes the condition unknown.
//!
//! Single-valued and multivalued keys ([`KeyState::Single`], [`KeyState::List`]):
//! "Multivalued context keys require a condition set operator." An operator without
//! `ForAllValues:` / `ForAnyValue:` (positive, negated or `…IfExists` alike) does not
//! match a multivalued key present in the request, even when one of its values would:
//! the condition is false. The set operators take a single-valued key as a set of one
//! value (IAM says not to write that, as it "can lead to overly permissive policies", not
//! that it is refused).
//!
//! `BinaryEquals` compares bytes: the policy's values are base64 ("It compares the value
//! of the specified key byte for byte against a base-64 encoded representation of the
//! binary value in the policy"), and so are the request's (the request context shows the
//! key as base64 text). Both are decoded strictly (standard alphabet, canonical padding).

use serde_json::Value;

use super::context::{Context, KeyState};
use super::date;
use super::document::PolicyError;
use super::evaluate::Tri;
use super::glob::{matches_toks, Glob, Tok};
use super::ip::Cidr;
use super::variables::{Resolved, Template};

/// The base operator, without qualifier or `IfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    ArnLike,
    Bool,
    Null,
    Numeric(Cmp),
    Date(Cmp),
    IpAddress,
    /// `BinaryEquals` (there is no negated form).
    Binary,
}

/// A comparison of `Numeric…` and `Date…` (`NotEquals` is `Eq` negated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

/// `ForAllValues:` / `ForAnyValue:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetQualifier {
    All,
    Any,
}

/// The policy's values, read once for the operator's type.
#[derive(Debug, Clone, PartialEq)]
enum Values {
    Strings(Vec<Template>),
    Numbers(Vec<f64>),
    Networks(Vec<Cidr>),
    Bools(Vec<String>),
    /// Decoded base64.
    Bytes(Vec<Vec<u8>>),
}

/// One key under one operator: `"StringEquals": {"aws:username": ["a", "b"]}`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    op: Op,
    negated: bool,
    if_exists: bool,
    qualifier: Option<SetQualifier>,
    /// The key as written in the policy.
    key: String,
    values: Values,
}

/// Parse a statement's `Condition` element (`path` names it in errors).
pub(crate) fn parse_block(
    block: &Value,
    path: &str,
    variables: bool,
) -> Result<Vec<Condition>, PolicyError> {
    let Value::Object(operators) = block else {
        return Err(PolicyError::at(
            path,
            "expected an object of condition operators",
        ));
    };
    let mut out = Vec::new();
    for (operator, keys) in operators {
        let path = format!("{path}.{operator}");
        let (op, negated, if_exists, qualifier) = parse_operator(operator)
            .ok_or_else(|| PolicyError::at(&path, "unknown condition operator"))?;
        let Value::Object(keys) = keys else {
            return Err(PolicyError::at(
                &path,
                "expected an object of condition keys",
            ));
        };
        for (key, value) in keys {
            let path = format!("{path}.{key}");
            if key.is_empty() {
                return Err(PolicyError::at(&path, "empty condition key"));
            }
            let texts = value_texts(value, &path)?;
            let values = read_values(op, &texts, &path, variables)?;
            out.push(Condition {
                op,
                negated,
                if_exists,
                qualifier,
                key: key.clone(),
                values,
            });
        }
    }
    Ok(out)
}

/// `ForAnyValue:StringNotLikeIfExists` → (StringLike, negated, if-exists, Any).
fn parse_operator(text: &str) -> Option<(Op, bool, bool, Option<SetQualifier>)> {
    let lower = text.to_ascii_lowercase();
    let (qualifier, rest) = if let Some(rest) = lower.strip_prefix("forallvalues:") {
        (Some(SetQualifier::All), rest)
    } else if let Some(rest) = lower.strip_prefix("foranyvalue:") {
        (Some(SetQualifier::Any), rest)
    } else {
        (None, lower.as_str())
    };
    let (if_exists, base) = match rest.strip_suffix("ifexists") {
        Some(base) => (true, base),
        None => (false, rest),
    };
    let (op, negated) = match base {
        "stringequals" => (Op::StringEquals, false),
        "stringnotequals" => (Op::StringEquals, true),
        "stringequalsignorecase" => (Op::StringEqualsIgnoreCase, false),
        "stringnotequalsignorecase" => (Op::StringEqualsIgnoreCase, true),
        "stringlike" => (Op::StringLike, false),
        "stringnotlike" => (Op::StringLike, true),
        // ArnEquals and ArnLike behave alike in IAM: both take wildcards per ARN part.
        "arnequals" | "arnlike" => (Op::ArnLike, false),
        "arnnotequals" | "arnnotlike" => (Op::ArnLike, true),
        "bool" => (Op::Bool, false),
        "null" => (Op::Null, false),
        "numericequals" => (Op::Numeric(Cmp::Eq), false),
        "numericnotequals" => (Op::Numeric(Cmp::Eq), true),
        "numericlessthan" => (Op::Numeric(Cmp::Lt), false),
        "numericlessthanequals" => (Op::Numeric(Cmp::Le), false),
        "numericgreaterthan" => (Op::Numeric(Cmp::Gt), false),
        "numericgreaterthanequals" => (Op::Numeric(Cmp::Ge), false),
        "dateequals" => (Op::Date(Cmp::Eq), false),
        "datenotequals" => (Op::Date(Cmp::Eq), true),
        "datelessthan" => (Op::Date(Cmp::Lt), false),
        "datelessthanequals" => (Op::Date(Cmp::Le), false),
        "dategreaterthan" => (Op::Date(Cmp::Gt), false),
        "dategreaterthanequals" => (Op::Date(Cmp::Ge), false),
        "ipaddress" => (Op::IpAddress, false),
        "notipaddress" => (Op::IpAddress, true),
        "binaryequals" => (Op::Binary, false),
        _ => return None,
    };
    // Null takes neither a qualifier nor IfExists: "You can add IfExists to the end of any
    // condition operator name except the Null condition"; of `ForAllValues:Null` /
    // `ForAnyValue:Null` IAM says nothing, so they stay refused as before.
    if op == Op::Null && (if_exists || qualifier.is_some()) {
        return None;
    }
    Some((op, negated, if_exists, qualifier))
}

/// A condition value is a string, number or boolean, or a non-empty array of them.
fn value_texts(value: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    const EXPECTED: &str = "expected a string, number or boolean, or an array of them";
    match value {
        Value::Array(items) if items.is_empty() => Err(PolicyError::at(path, "empty array")),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| one(v).ok_or_else(|| PolicyError::at(&format!("{path}[{i}]"), EXPECTED)))
            .collect(),
        v => one(v)
            .map(|s| vec![s])
            .ok_or_else(|| PolicyError::at(path, EXPECTED)),
    }
}

/// Read a policy's values for the operator's type. A value that does not parse (a number,
/// date, address or base64 text) makes the document invalid, naming the value.
fn read_values(
    op: Op,
    texts: &[String],
    path: &str,
    variables: bool,
) -> Result<Values, PolicyError> {
    fn each<T>(
        texts: &[String],
        path: &str,
        parse: impl Fn(&str) -> Option<T>,
        what: &str,
    ) -> Result<Vec<T>, PolicyError> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                parse(t).ok_or_else(|| {
                    let at = if texts.len() > 1 {
                        format!("{path}[{i}]")
                    } else {
                        path.to_owned()
                    };
                    PolicyError::at(&at, &format!("{t:?} is not {what}"))
                })
            })
            .collect()
    }
    Ok(match op {
        Op::StringEquals | Op::StringEqualsIgnoreCase => Values::Strings(
            texts
                .iter()
                .map(|t| Template::parse(t, variables, false))
                .collect(),
        ),
        Op::StringLike | Op::ArnLike => Values::Strings(
            texts
                .iter()
                .map(|t| Template::parse(t, variables, true))
                .collect(),
        ),
        Op::Bool | Op::Null => {
            Values::Bools(texts.iter().map(|t| t.to_ascii_lowercase()).collect())
        }
        Op::Numeric(_) => Values::Numbers(each(texts, path, parse_number, "a number")?),
        Op::Date(_) => Values::Numbers(each(
            texts,
            path,
            date::parse,
            "a date (ISO 8601 or epoch seconds)",
        )?),
        Op::IpAddress => Values::Networks(each(
            texts,
            path,
            Cidr::parse,
            "an IP address or CIDR block",
        )?),
        Op::Binary => Values::Bytes(each(texts, path, parse_base64, "base64")?),
    })
}

fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Strict base64: the standard alphabet with canonical padding, nothing around it.
fn parse_base64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// A policy value made ready for one context.
enum Ready {
    Text(String),
    Pattern(Glob),
    Number(f64),
    Network(Cidr),
    Bool(String),
    Bytes(Vec<u8>),
}

impl Condition {
    /// Evaluate against `context`.
    pub(crate) fn evaluate(&self, context: &Context) -> Tri {
        let state = context.get(&self.key);
        match state {
            KeyState::Unknown => return Tri::unknown(&self.key),
            _ if self.op == Op::Null => {
                let Values::Bools(wanted) = &self.values else {
                    return Tri::False;
                };
                let is_null = if state == KeyState::Absent {
                    "true"
                } else {
                    "false"
                };
                return Tri::from(wanted.iter().any(|w| w == is_null));
            }
            KeyState::Absent => {
                return Tri::from(
                    self.if_exists
                        || match self.qualifier {
                            Some(SetQualifier::All) => true,
                            Some(SetQualifier::Any) => false,
                            None => self.negated,
                        },
                );
            }
            // "Multivalued context keys require a condition set operator": without one,
            // no match, whatever the values (see the module's documentation).
            KeyState::List(_) if self.qualifier.is_none() => return Tri::False,
            KeyState::Single(_) | KeyState::List(_) => {}
        }
        let ready = match self.ready(context) {
            Ok(ready) => ready,
            Err(unknown) => return unknown,
        };
        let matches = |value: &str| ready.iter().any(|r| self.matches_one(r, value));
        let holds = |value: &str| matches(value) != self.negated;
        Tri::from(match state {
            // With or without a set operator, a single value is tested alone.
            KeyState::Single(value) => holds(value),
            KeyState::List(values) if self.qualifier == Some(SetQualifier::All) => {
                values.iter().all(|v| holds(v))
            }
            KeyState::List(values) => values.iter().any(|v| holds(v)),
            // Answered above.
            KeyState::Absent | KeyState::Unknown => false,
        })
    }

    /// Substitute variables in string values; an unknown variable makes it unknown.
    fn ready(&self, context: &Context) -> Result<Vec<Ready>, Tri> {
        Ok(match &self.values {
            Values::Strings(templates) => {
                let mut out = Vec::with_capacity(templates.len());
                for template in templates {
                    match template.resolve(context) {
                        Resolved::Known(glob) => out.push(match self.op {
                            Op::StringEquals | Op::StringEqualsIgnoreCase => {
                                Ready::Text(glob.literal().unwrap_or_default())
                            }
                            _ => Ready::Pattern(glob),
                        }),
                        Resolved::Unknown { keys, .. } => return Err(Tri::Unknown(keys)),
                        // A value whose variable is absent matches nothing.
                        Resolved::Never => {}
                    }
                }
                out
            }
            Values::Numbers(numbers) => numbers.iter().map(|n| Ready::Number(*n)).collect(),
            Values::Networks(nets) => nets.iter().map(|n| Ready::Network(*n)).collect(),
            Values::Bools(bools) => bools.iter().map(|b| Ready::Bool(b.clone())).collect(),
            Values::Bytes(bytes) => bytes.iter().map(|b| Ready::Bytes(b.clone())).collect(),
        })
    }

    /// Whether one request value matches one policy value (positive sense).
    fn matches_one(&self, policy: &Ready, value: &str) -> bool {
        match (self.op, policy) {
            (Op::StringEquals, Ready::Text(t)) => t == value,
            (Op::StringEqualsIgnoreCase, Ready::Text(t)) => {
                t.to_lowercase() == value.to_lowercase()
            }
            (Op::StringLike, Ready::Pattern(g)) => g.matches(value),
            (Op::ArnLike, Ready::Pattern(g)) => arn_like(g.toks(), value),
            (Op::Bool, Ready::Bool(b)) => value.eq_ignore_ascii_case(b),
            (Op::Numeric(cmp), Ready::Number(n)) => {
                parse_number(value).is_some_and(|v| compare(cmp, v, *n))
            }
            (Op::Date(cmp), Ready::Number(n)) => {
                date::parse(value).is_some_and(|v| compare(cmp, v, *n))
            }
            (Op::IpAddress, Ready::Network(net)) => net.contains(value),
            // A request value that is not base64 matches nothing, as a request value
            // that is not a number does under `Numeric…` (IAM does not say).
            (Op::Binary, Ready::Bytes(b)) => parse_base64(value).is_some_and(|v| v == *b),
            _ => false,
        }
    }
}

fn compare(cmp: Cmp, actual: f64, policy: f64) -> bool {
    match cmp {
        Cmp::Eq => actual == policy,
        Cmp::Lt => actual < policy,
        Cmp::Le => actual <= policy,
        Cmp::Gt => actual > policy,
        Cmp::Ge => actual >= policy,
    }
}

/// ARN matching: the six `:`-separated parts are matched one by one (a wildcard does not
/// cross a `:` before the resource part, which may itself contain `:`).
fn arn_like(pattern: &[Tok], arn: &str) -> bool {
    let pattern_parts = split_toks(pattern);
    let arn_parts: Vec<&str> = arn.splitn(6, ':').collect();
    if pattern_parts.len() != 6 || arn_parts.len() != 6 {
        // Not an ARN-shaped pattern (e.g. "*"): match the whole text.
        return pattern_parts.len() != 6 && matches_toks(pattern, arn.as_bytes());
    }
    pattern_parts
        .iter()
        .zip(&arn_parts)
        .all(|(p, a)| matches_toks(p, a.as_bytes()))
}

/// Split a pattern at its first five literal `:`.
fn split_toks(toks: &[Tok]) -> Vec<&[Tok]> {
    let mut parts = Vec::with_capacity(6);
    let mut start = 0;
    for (i, tok) in toks.iter().enumerate() {
        if parts.len() < 5 && *tok == Tok::Byte(b':') {
            parts.push(&toks[start..i]);
            start = i + 1;
        }
    }
    parts.push(&toks[start..]);
    parts
}
