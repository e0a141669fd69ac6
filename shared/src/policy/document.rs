//! Reading identity-policy documents as IAM accepts them, with errors that name the
//! place (`Statement[2].Action: expected a string or an array of strings`).
//!
//! `Version` is `2012-10-17` or `2008-10-17` (absent means 2008-10-17, which has no
//! policy variables); `Statement` is one object or an array of them; `Action` /
//! `NotAction` and `Resource` / `NotResource` are a string or an array of strings;
//! `Principal` has no place in an identity policy.

use serde_json::{Map, Value};

use super::condition::{self, Condition};
use super::glob::Glob;
use super::variables::Template;

/// Why a document is not a valid identity policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("not valid JSON: {0}")]
    Json(String),
    #[error("{path}: {problem}")]
    Invalid { path: String, problem: String },
}

impl PolicyError {
    pub(crate) fn at(path: &str, problem: &str) -> PolicyError {
        PolicyError::Invalid {
            path: path.to_owned(),
            problem: problem.to_owned(),
        }
    }
}

/// The policy language version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// `2012-10-17`: policy variables are substituted.
    V2012_10_17,
    /// `2008-10-17` or no `Version`: `${…}` is plain text.
    V2008_10_17,
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// A parsed identity policy, named by its caller (managed policy name, file name…).
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    name: String,
    version: Version,
    statements: Vec<Statement>,
}

/// One statement of a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub(crate) index: usize,
    pub(crate) sid: Option<String>,
    pub(crate) effect: Effect,
    /// Lowercased action patterns.
    pub(crate) actions: Vec<Glob>,
    pub(crate) not_action: bool,
    pub(crate) resource_texts: Vec<String>,
    pub(crate) resources: Vec<Template>,
    pub(crate) not_resource: bool,
    pub(crate) conditions: Vec<Condition>,
}

impl Policy {
    /// Parse the JSON text of a policy document.
    pub fn parse(name: &str, text: &str) -> Result<Policy, PolicyError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| PolicyError::Json(e.to_string()))?;
        Policy::from_value(name, &value)
    }

    /// Read an already-parsed JSON document.
    pub fn from_value(name: &str, value: &Value) -> Result<Policy, PolicyError> {
        let Value::Object(root) = value else {
            return Err(PolicyError::at("(document)", "expected a JSON object"));
        };
        for key in root.keys() {
            if !matches!(key.as_str(), "Version" | "Id" | "Statement") {
                return Err(PolicyError::at(
                    key,
                    "unknown element (expected Version, Id or Statement)",
                ));
            }
        }
        let version = match root.get("Version") {
            None => Version::V2008_10_17,
            Some(Value::String(v)) if v == "2012-10-17" => Version::V2012_10_17,
            Some(Value::String(v)) if v == "2008-10-17" => Version::V2008_10_17,
            Some(Value::String(v)) => {
                return Err(PolicyError::at(
                    "Version",
                    &format!(
                        "unsupported version {v:?} (expected \"2012-10-17\" or \"2008-10-17\")"
                    ),
                ))
            }
            Some(_) => return Err(PolicyError::at("Version", "expected a string")),
        };
        if let Some(id) = root.get("Id") {
            if !id.is_string() {
                return Err(PolicyError::at("Id", "expected a string"));
            }
        }
        let variables = version == Version::V2012_10_17;
        let statements = match root.get("Statement") {
            None => return Err(PolicyError::at("Statement", "missing")),
            Some(Value::Object(one)) => vec![read_statement(one, 0, "Statement", variables)?],
            Some(Value::Array(many)) => many
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let path = format!("Statement[{i}]");
                    match s {
                        Value::Object(s) => read_statement(s, i, &path, variables),
                        _ => Err(PolicyError::at(&path, "expected an object")),
                    }
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(PolicyError::at(
                    "Statement",
                    "expected an object or an array of objects",
                ))
            }
        };
        Ok(Policy {
            name: name.to_owned(),
            version,
            statements,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn version(&self) -> Version {
        self.version
    }

    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }
}

impl Statement {
    /// The statement's `Sid`, if any.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    /// Its position in the document's `Statement` array (0 for a single object).
    pub fn index(&self) -> usize {
        self.index
    }

    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// Whether the statement covers `action` (`Action` or `NotAction`, case-insensitive).
    pub fn covers_action(&self, action: &str) -> bool {
        self.covers_lowercase_action(&action.to_lowercase())
    }

    pub(crate) fn covers_lowercase_action(&self, action: &str) -> bool {
        self.actions.iter().any(|g| g.matches(action)) != self.not_action
    }

    /// The `Resource` (or, when the flag is true, `NotResource`) entries as written.
    pub fn resources(&self) -> (&[String], bool) {
        (&self.resource_texts, self.not_resource)
    }
}

const STATEMENT_KEYS: &str = "Sid, Effect, Action, NotAction, Resource, NotResource or Condition";

fn read_statement(
    s: &Map<String, Value>,
    index: usize,
    path: &str,
    variables: bool,
) -> Result<Statement, PolicyError> {
    for key in s.keys() {
        match key.as_str() {
            "Sid" | "Effect" | "Action" | "NotAction" | "Resource" | "NotResource"
            | "Condition" => {}
            "Principal" | "NotPrincipal" => {
                return Err(PolicyError::at(
                    &format!("{path}.{key}"),
                    "not allowed in an identity policy (it belongs in a resource or trust policy)",
                ))
            }
            _ => {
                return Err(PolicyError::at(
                    &format!("{path}.{key}"),
                    &format!("unknown element (expected {STATEMENT_KEYS})"),
                ))
            }
        }
    }
    let sid = match s.get("Sid") {
        None => None,
        Some(Value::String(sid)) => Some(sid.clone()),
        Some(_) => return Err(PolicyError::at(&format!("{path}.Sid"), "expected a string")),
    };
    let effect = match s.get("Effect") {
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(_) => {
            return Err(PolicyError::at(
                &format!("{path}.Effect"),
                "expected \"Allow\" or \"Deny\"",
            ))
        }
        None => return Err(PolicyError::at(&format!("{path}.Effect"), "missing")),
    };
    let (action_key, action_texts) = one_of(s, path, "Action", "NotAction")?;
    let mut actions = Vec::with_capacity(action_texts.len());
    for (i, action) in action_texts.iter().enumerate() {
        if action != "*" && !action.contains(':') {
            return Err(PolicyError::at(
                &item_path(path, action_key, i, action_texts.len()),
                &format!("{action:?} is not an action (expected \"*\" or \"service:action\")"),
            ));
        }
        actions.push(Glob::new(&action.to_lowercase()));
    }
    let (resource_key, resource_texts) = one_of(s, path, "Resource", "NotResource")?;
    for (i, resource) in resource_texts.iter().enumerate() {
        if resource != "*" && !resource.starts_with("arn:") {
            return Err(PolicyError::at(
                &item_path(path, resource_key, i, resource_texts.len()),
                &format!("{resource:?} is not a resource (expected \"*\" or an ARN)"),
            ));
        }
    }
    let resources = resource_texts
        .iter()
        .map(|r| Template::parse(r, variables, true))
        .collect();
    let conditions = match s.get("Condition") {
        None => Vec::new(),
        Some(block) => condition::parse_block(block, &format!("{path}.Condition"), variables)?,
    };
    Ok(Statement {
        index,
        sid,
        effect,
        actions,
        not_action: action_key == "NotAction",
        resource_texts,
        resources,
        not_resource: resource_key == "NotResource",
        conditions,
    })
}

fn item_path(path: &str, key: &str, i: usize, len: usize) -> String {
    if len > 1 {
        format!("{path}.{key}[{i}]")
    } else {
        format!("{path}.{key}")
    }
}

/// Exactly one of `yes` / `no`, as a non-empty list of strings.
fn one_of<'k>(
    s: &Map<String, Value>,
    path: &str,
    yes: &'k str,
    no: &'k str,
) -> Result<(&'k str, Vec<String>), PolicyError> {
    let (key, value) = match (s.get(yes), s.get(no)) {
        (Some(_), Some(_)) => {
            return Err(PolicyError::at(
                path,
                &format!("has both {yes} and {no} (expected one)"),
            ))
        }
        (Some(v), None) => (yes, v),
        (None, Some(v)) => (no, v),
        (None, None) => return Err(PolicyError::at(path, &format!("missing {yes} (or {no})"))),
    };
    let path = format!("{path}.{key}");
    let expected = "expected a string or an array of strings";
    let texts = match value {
        Value::String(one) => vec![one.clone()],
        Value::Array(many) if many.is_empty() => return Err(PolicyError::at(&path, "empty array")),
        Value::Array(many) => many
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(t) => Ok(t.clone()),
                _ => Err(PolicyError::at(
                    &format!("{path}[{i}]"),
                    "expected a string",
                )),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(PolicyError::at(&path, expected)),
    };
    Ok((key, texts))
}
