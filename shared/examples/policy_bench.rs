//! Times the policy evaluator: 10,000 candidate role ARNs against 500 statements (the
//! figure in docs/benchmarks.md; goal under 50 ms).
//!
//! `cargo run --release -p switchyard-shared --example policy_bench`

use std::time::Instant;

use switchyard_shared::policy::{Context, Decision, Evaluator, Policy};

const STATEMENTS: usize = 500;
const ARNS: usize = 10_000;

fn account(i: usize) -> String {
    format!("{:012}", 100_000_000_000 + i * 7919)
}

/// 500 statements over 5 policies: literal role ARNs, account and name wildcards,
/// a policy variable, MFA and IP conditions, NotResource and NotAction denies, and
/// statements for other actions.
fn policies() -> Vec<Policy> {
    let mut statements = Vec::with_capacity(STATEMENTS);
    for i in 0..STATEMENTS {
        let s = match i % 10 {
            0..=4 => format!(
                r#"{{"Sid":"S{i}","Effect":"Allow","Action":"sts:AssumeRole","Resource":["arn:aws:iam::{}:role/Admin","arn:aws:iam::{}:role/ReadOnly"]}}"#,
                account(i),
                account(i + 1)
            ),
            5 => format!(
                r#"{{"Sid":"S{i}","Effect":"Allow","Action":"sts:Assume*","Resource":"arn:aws:iam::{}:role/team-*"}}"#,
                account(i)
            ),
            6 => format!(
                r#"{{"Sid":"S{i}","Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/${{aws:username}}-{i}-?","Condition":{{"Bool":{{"aws:MultiFactorAuthPresent":"true"}}}}}}"#
            ),
            7 => format!(
                r#"{{"Sid":"S{i}","Effect":"Deny","Action":"sts:AssumeRole","Resource":"arn:aws:iam::{}:role/team-*","Condition":{{"NotIpAddress":{{"aws:SourceIp":"203.0.113.0/24"}}}}}}"#,
                account(i - 2)
            ),
            8 => format!(
                r#"{{"Sid":"S{i}","Effect":"Deny","NotAction":["s3:*","ec2:*"],"NotResource":["arn:aws:iam::*:role/*","arn:aws:iam::*:user/svc-{i}-*"]}}"#
            ),
            _ => format!(
                r#"{{"Sid":"S{i}","Effect":"Allow","Action":["s3:Get*","ec2:Describe*"],"Resource":"*"}}"#
            ),
        };
        statements.push(s);
    }
    statements
        .chunks(STATEMENTS / 5)
        .enumerate()
        .map(|(i, chunk)| {
            let text = format!(
                r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
                chunk.join(",")
            );
            Policy::parse(&format!("policy-{i}"), &text).expect("the bench's policies parse")
        })
        .collect()
}

fn arns() -> Vec<String> {
    let names = [
        "Admin",
        "ReadOnly",
        "team-data",
        "alice-6-x",
        "BreakTheGlass",
        "Other",
    ];
    (0..ARNS)
        .map(|i| {
            format!(
                "arn:aws:iam::{}:role/{}",
                account(i % 600),
                names[(i / 600) % names.len()]
            )
        })
        .collect()
}

fn main() {
    let policies = policies();
    let statements: usize = policies.iter().map(|p| p.statements().len()).sum();
    let arns = arns();
    let context = Context::new()
        .with("aws:username", "alice")
        .with("aws:MultiFactorAuthPresent", "true");
    let mut best = f64::INFINITY;
    let mut counts = [0usize; 4];
    for _ in 0..5 {
        let started = Instant::now();
        let evaluator = Evaluator::new(&policies, None, "sts:AssumeRole", &context);
        counts = [0; 4];
        for arn in &arns {
            let decision = evaluator.evaluate(arn).decision;
            counts[decision as usize] += 1;
        }
        best = best.min(started.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "policy evaluation: {} ARNs against {statements} statements in {best:.2} ms \
         (best of 5; allowed {}, explicit deny {}, implicit deny {}, conditional {})",
        arns.len(),
        counts[Decision::Allowed as usize],
        counts[Decision::ExplicitDeny as usize],
        counts[Decision::ImplicitDeny as usize],
        counts[Decision::Conditional as usize],
    );
}
