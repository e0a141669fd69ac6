//! `switchyard policy check`: evaluate IAM identity policies (and a permissions boundary)
//! by hand, with [`switchyard_shared::policy`], and print the decision as JSON. No AWS
//! call and no daemon: the files and the command line are the whole input.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
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
        /// A condition key's value (repeat a key for several values); keys not given are
        /// unknown, so conditions on them make the decision conditional.
        #[arg(long = "context", value_name = "KEY=VALUE")]
        context: Vec<String>,
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
            absent,
            boundary,
            policies,
        } => {
            let context = read_context(&context, &absent)?;
            let identity = read_policies(&policies)?;
            let boundary = if boundary.is_empty() {
                None
            } else {
                Some(read_policies(&boundary)?)
            };
            let evaluation = evaluate(&identity, boundary.as_deref(), &action, &resource, &context);
            println!(
                "{}",
                serde_json::to_string_pretty(&to_json(&action, &resource, &evaluation))?
            );
            Ok(())
        }
    }
}

fn read_context(pairs: &[String], absent: &[String]) -> anyhow::Result<Context> {
    let mut context = Context::new();
    for key in absent {
        context.set_absent(key);
    }
    for pair in pairs {
        match pair.split_once('=') {
            Some((key, value)) if !key.is_empty() => context.insert(key, value),
            _ => bail!("--context {pair:?}: expected KEY=VALUE"),
        }
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
