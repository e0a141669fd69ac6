//! `switchyard policy check`: evaluate IAM identity policies (and a permissions boundary)
//! by hand, with [`switchyard_shared::policy`], and print the decision as JSON. No AWS
//! call and no daemon: the files and the command line are the whole input.
//!
//! The request context comes from `--context KEY=VALUE` (a single-valued key, unless the
//! key is repeated or AWS documents it as multivalued), `--context-list KEY=V1,V2,…` (a
//! multivalued key: a list, even of one value) and `--absent KEY`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde_json::json;
use switchyard_shared::policy::{evaluate, Context, Evaluation, Policy};

#[derive(clap::Subcommand)]
pub enum Command {
    /// What the policies decide for one action on one resource: allowed, explicit_deny,
    /// implicit_deny or conditional (naming the condition keys whose values are unknown).
    Check {
        /// The action, e.g. sts:AssumeRole.
        #[arg(long)]
        action: String,
        /// The resource ARN, e.g. arn:aws:iam::123456789012:role/Admin.
        #[arg(long)]
        resource: String,
        /// A condition key's value; keys not given are unknown, so conditions on them make
        /// the decision conditional. A repeated key, or one AWS documents as multivalued
        /// (aws:TagKeys, aws:CalledVia, aws:PrincipalOrgPaths…), is a list (see
        /// --context-list).
        #[arg(long = "context", value_name = "KEY=VALUE")]
        context: Vec<String>,
        /// A multivalued condition key: a list of comma-separated values, a list even with
        /// one value (--context-list aws:RequestedRegion=us-east-1). Only ForAllValues: and
        /// ForAnyValue: operators match a list; StringEquals and the like do not. Repeat to
        /// add values (a value with a comma in it: add it with --context).
        #[arg(long = "context-list", value_name = "KEY=VALUE[,VALUE]...")]
        context_list: Vec<String>,
        /// A condition key known to be absent from the request (e.g.
        /// aws:MultiFactorAuthPresent for long-term keys).
        #[arg(long = "absent", value_name = "KEY")]
        absent: Vec<String>,
        /// A permissions boundary policy file (repeatable); the request must be allowed
        /// by it too.
        #[arg(long, value_name = "FILE")]
        boundary: Vec<PathBuf>,
        /// The identity policy files (JSON documents).
        #[arg(required = true, value_name = "POLICY.json")]
        policies: Vec<PathBuf>,
    },
}

pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Check {
            action,
            resource,
            context,
            context_list,
            absent,
            boundary,
            policies,
        } => {
            let context = read_context(&context, &context_list, &absent)?;
            let identity = read_policies(&policies)?;
            let boundary = if boundary.is_empty() {
                None
            } else {
                Some(read_policies(&boundary)?)
            };
            let evaluation = evaluate(&identity, boundary.as_deref(), &action, &resource, &context);
            outln!(
                "{}",
                serde_json::to_string_pretty(&to_json(&action, &resource, &evaluation))?
            );
            // Scripts can branch on it: 0 only when the request is allowed.
            match evaluation.decision.as_str() {
                "allowed" => Ok(()),
                _ => Err(crate::cli::output::ExitWith(2).into()),
            }
        }
    }
}

/// A `--context` or `--context-list` argument that does not say a key and its value(s).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ContextArgError {
    #[error("--context {arg:?}: expected KEY=VALUE")]
    NotKeyValue { arg: String },
    #[error("--context-list {arg:?}: expected KEY=VALUE[,VALUE]...")]
    NotKeyList { arg: String },
    #[error(
        "--context-list {arg:?}: value {position} is empty (values are separated by commas; \
         --absent KEY says a key is not in the request)"
    )]
    EmptyValue { arg: String, position: usize },
}

/// The request context from `--absent`, `--context` and `--context-list`, in that order (a
/// value given for a key declared absent wins).
fn read_context(
    pairs: &[String],
    lists: &[String],
    absent: &[String],
) -> Result<Context, ContextArgError> {
    let mut context = Context::new();
    for key in absent {
        context.set_absent(key);
    }
    for pair in pairs {
        match pair.split_once('=') {
            Some((key, value)) if !key.is_empty() => context.insert(key, value),
            _ => return Err(ContextArgError::NotKeyValue { arg: pair.clone() }),
        }
    }
    for list in lists {
        let Some((key, values)) = list.split_once('=').filter(|(key, _)| !key.is_empty()) else {
            return Err(ContextArgError::NotKeyList { arg: list.clone() });
        };
        let values: Vec<&str> = values.split(',').collect();
        if let Some(i) = values.iter().position(|v| v.is_empty()) {
            return Err(ContextArgError::EmptyValue {
                arg: list.clone(),
                position: i + 1,
            });
        }
        context.insert_list(key, &values);
    }
    Ok(context)
}

fn read_policies(paths: &[PathBuf]) -> anyhow::Result<Vec<Policy>> {
    paths.iter().map(|path| read_policy(path)).collect()
}

fn read_policy(path: &Path) -> anyhow::Result<Policy> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the policy file {}", path.display()))?;
    let name = path.display().to_string();
    Policy::parse(&name, &text).with_context(|| format!("{} is not a valid policy", path.display()))
}

/// The evaluation as JSON (printed for people and scripts; not a protocol message).
fn to_json(action: &str, resource: &str, evaluation: &Evaluation<'_>) -> serde_json::Value {
    let reasons: Vec<serde_json::Value> = evaluation
        .reasons
        .iter()
        .map(|r| {
            json!({
                "kind": r.kind.as_str(),
                "policy": r.policy,
                "statement": r.statement(),
                "effect": r.effect.as_str(),
                "unknown_keys": r.unknown_keys,
            })
        })
        .collect();
    let missing: Vec<&str> = evaluation
        .missing_allow
        .iter()
        .map(|k| k.as_str())
        .collect();
    json!({
        "action": action,
        "resource": resource,
        "decision": evaluation.decision.as_str(),
        "reasons": reasons,
        "unknown_keys": evaluation.unknown_keys,
        "missing_allow": missing,
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use expect_test::expect;
    use switchyard_shared::policy::KeyState;

    use super::*;

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    fn context(pairs: &[&str], lists: &[&str], absent: &[&str]) -> Context {
        read_context(&strings(pairs), &strings(lists), &strings(absent)).expect("valid")
    }

    #[test]
    fn context_values_and_lists() {
        let context = context(
            &["aws:username=alice", "aws:TagKeys=team", "aws:SourceIp="],
            &[
                "aws:RequestedRegion=us-east-1",
                "aws:PrincipalOrgPaths=o-1/r-1/ou-1/,o-1/r-1/",
                "aws:TagKeys=env",
            ],
            &["aws:MultiFactorAuthPresent", "aws:username"],
        );
        // A value given wins over --absent; an empty --context value is a value.
        assert_eq!(context.get("aws:username"), KeyState::Single("alice"));
        assert_eq!(context.get("aws:SourceIp"), KeyState::Single(""));
        assert_eq!(context.get("aws:MultiFactorAuthPresent"), KeyState::Absent);
        // A list of one value is multivalued all the same.
        let regions = strings(&["us-east-1"]);
        assert_eq!(context.get("aws:RequestedRegion"), KeyState::List(&regions));
        let paths = strings(&["o-1/r-1/ou-1/", "o-1/r-1/"]);
        assert_eq!(context.get("aws:PrincipalOrgPaths"), KeyState::List(&paths));
        // A documented multivalued key given with --context, then added to.
        let tag_keys = strings(&["team", "env"]);
        assert_eq!(context.get("aws:TagKeys"), KeyState::List(&tag_keys));
    }

    #[test]
    fn malformed_context_arguments() {
        let error = |pairs: &[&str], lists: &[&str]| {
            read_context(&strings(pairs), &strings(lists), &[])
                .expect_err("malformed")
                .to_string()
        };
        expect![[r#"--context "aws:username": expected KEY=VALUE"#]]
            .assert_eq(&error(&["aws:username"], &[]));
        expect![[r#"--context "=alice": expected KEY=VALUE"#]].assert_eq(&error(&["=alice"], &[]));
        expect![[r#"--context-list "aws:TagKeys": expected KEY=VALUE[,VALUE]..."#]]
            .assert_eq(&error(&[], &["aws:TagKeys"]));
        expect![[r#"--context-list "=a,b": expected KEY=VALUE[,VALUE]..."#]]
            .assert_eq(&error(&[], &["=a,b"]));
        expect![[r#"--context-list "aws:TagKeys=": value 1 is empty (values are separated by commas; --absent KEY says a key is not in the request)"#]]
            .assert_eq(&error(&[], &["aws:TagKeys="]));
        expect![[r#"--context-list "aws:TagKeys=a,,b": value 2 is empty (values are separated by commas; --absent KEY says a key is not in the request)"#]]
            .assert_eq(&error(&[], &["aws:TagKeys=a,,b"]));
        expect![[r#"--context-list "aws:TagKeys=a,": value 2 is empty (values are separated by commas; --absent KEY says a key is not in the request)"#]]
            .assert_eq(&error(&[], &["aws:TagKeys=a,"]));
    }

    /// The command line as clap reads it, and the decision it leads to: the case AWS's
    /// simulator answers implicitDeny for (StringEquals against a list).
    #[test]
    fn a_list_on_the_command_line() {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(subcommand)]
            command: Command,
        }
        let cli = Cli::try_parse_from([
            "policy",
            "check",
            "--action",
            "sts:AssumeRole",
            "--resource",
            "arn:aws:iam::111122223333:role/Admin",
            "--context-list",
            "aws:RequestedRegion=us-east-1",
            "p.json",
        ])
        .expect("parses");
        let Command::Check {
            action,
            resource,
            context,
            context_list,
            absent,
            ..
        } = cli.command;
        let policy = Policy::parse(
            "p.json",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",
                "Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":["us-east-1","us-west-2"]}}}]}"#,
        )
        .expect("valid");
        let decide = |context: &Context| {
            let policies = [policy.clone()];
            let evaluation = evaluate(&policies, None, &action, &resource, context);
            evaluation.decision.as_str()
        };
        let list = read_context(&context, &context_list, &absent).expect("valid");
        assert_eq!(decide(&list), "implicit_deny");
        let single =
            read_context(&strings(&["aws:RequestedRegion=us-east-1"]), &[], &[]).expect("valid");
        assert_eq!(decide(&single), "allowed");
    }
}
