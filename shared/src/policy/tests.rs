//! The policy corpus: each case shows a request's decision against some documents, or
//! the error a malformed document earns (expect-test; `UPDATE_EXPECT=1` to accept).

use expect_test::{expect, Expect};

use super::*;

/// A context from `key=value` words (repeat a key for several values, which makes it
/// multivalued), `key=[v1,v2]` words (a list: multivalued even with one value) and `!key`
/// words (known absent); every other key is unknown.
fn context(spec: &str) -> Context {
    let mut context = Context::new();
    for word in spec.split_whitespace() {
        match word.strip_prefix('!') {
            Some(key) => context.set_absent(key),
            None => {
                let (key, value) = word.split_once('=').expect("key=value");
                match value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
                    Some(list) => context.insert_list(key, &list.split(',').collect::<Vec<_>>()),
                    None => context.insert(key, value),
                }
            }
        }
    }
    context
}

fn policies(docs: &[&str], prefix: &str) -> Vec<Policy> {
    docs.iter()
        .enumerate()
        .map(|(i, doc)| Policy::parse(&format!("{prefix}{i}"), doc).expect("valid policy"))
        .collect()
}

fn show(evaluation: &Evaluation) -> String {
    let mut out = evaluation.decision.as_str().to_owned();
    for r in &evaluation.reasons {
        out.push_str(&format!(
            " | {} {}/{} {}",
            r.kind.as_str(),
            r.policy,
            r.statement(),
            r.effect.as_str()
        ));
        if !r.unknown_keys.is_empty() {
            out.push_str(&format!(" if {}", r.unknown_keys.join(",")));
        }
    }
    if !evaluation.unknown_keys.is_empty() {
        out.push_str(&format!(
            " | unknown: {}",
            evaluation.unknown_keys.join(",")
        ));
    }
    if !evaluation.missing_allow.is_empty() {
        let kinds: Vec<&str> = evaluation
            .missing_allow
            .iter()
            .map(|k| k.as_str())
            .collect();
        out.push_str(&format!(" | no allow in: {}", kinds.join(",")));
    }
    out
}

/// Identity policies only.
#[track_caller]
fn check(docs: &[&str], action: &str, resource: &str, ctx: &str, expect: Expect) {
    let identity = policies(docs, "p");
    expect.assert_eq(&show(&evaluate(
        &identity,
        None,
        action,
        resource,
        &context(ctx),
    )));
}

/// Identity policies and a permissions boundary.
#[track_caller]
fn check_bounded(
    docs: &[&str],
    boundary: &[&str],
    action: &str,
    resource: &str,
    ctx: &str,
    expect: Expect,
) {
    let identity = policies(docs, "p");
    let boundary = policies(boundary, "b");
    let evaluation = evaluate(&identity, Some(&boundary), action, resource, &context(ctx));
    expect.assert_eq(&show(&evaluation));
}

#[track_caller]
fn check_error(doc: &str, expect: Expect) {
    let shown = match Policy::parse("p", doc) {
        Ok(_) => "ok".to_owned(),
        Err(e) => e.to_string(),
    };
    expect.assert_eq(&shown);
}

const ROLE: &str = "arn:aws:iam::111122223333:role/Admin";
const ASSUME_ADMIN: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Assume","Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111122223333:role/Admin"}]}"#;

/// A statement (JSON object text) inside a 2012-10-17 document.
fn doc(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

#[test]
fn allow_and_deny() {
    check(
        &[ASSUME_ADMIN],
        "sts:AssumeRole",
        ROLE,
        "",
        expect!["allowed | identity p0/Assume Allow"],
    );
    check(
        &[ASSUME_ADMIN],
        "sts:AssumeRole",
        "arn:aws:iam::111122223333:role/Other",
        "",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[ASSUME_ADMIN],
        "sts:GetCallerIdentity",
        ROLE,
        "",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[],
        "sts:AssumeRole",
        ROLE,
        "",
        expect!["implicit_deny | no allow in: identity"],
    );
    let deny = doc(r#"{"Sid":"No","Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}"#);
    check(
        &[ASSUME_ADMIN, &deny],
        "sts:AssumeRole",
        ROLE,
        "",
        expect!["explicit_deny | identity p1/No Deny"],
    );
    // Deny alone: still a deny, explicit.
    check(
        &[&deny],
        "sts:AssumeRole",
        ROLE,
        "",
        expect!["explicit_deny | identity p0/No Deny"],
    );
    // Statements without Sid are named by index.
    let two = doc(
        r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
           {"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}"#,
    );
    check(
        &[&two],
        "sts:AssumeRole",
        ROLE,
        "",
        expect!["allowed | identity p0/Statement[1] Allow"],
    );
    // Two policies both allowing: both are reasons.
    check(
        &[ASSUME_ADMIN, &two],
        "sts:AssumeRole",
        ROLE,
        "",
        expect!["allowed | identity p0/Assume Allow | identity p1/Statement[1] Allow"],
    );
}

#[test]
fn action_wildcards_and_case() {
    let star = doc(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#);
    check(
        &[&star],
        "sts:AssumeRole",
        ROLE,
        "",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&star],
        "anything:AtAll",
        "arn:aws:s3:::b",
        "",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    let assume_star = doc(r#"{"Effect":"Allow","Action":"sts:Assume*","Resource":"*"}"#);
    check(
        &[&assume_star],
        "sts:AssumeRole",
        ROLE,
        "",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&assume_star],
        "sts:AssumeRoleWithSAML",
        ROLE,
        "",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&assume_star],
        "sts:GetSessionToken",
        ROLE,
        "",
        expect!["implicit_deny | no allow in: identity"],
    );
    let question = doc(r#"{"Effect":"Allow","Action":"iam:Get?ser","Resource":"*"}"#);
    check(
        &[&question],
        "iam:GetUser",
        "*",
        "",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&question],
        "iam:GetUsser",
        "*",
        "",
        expect!["implicit_deny | no allow in: identity"],
    );
    // Actions are case-insensitive, both in the policy and the request.
    let upper = doc(r#"{"Effect":"Allow","Action":"STS:ASSUMEROLE","Resource":"*"}"#);
    check(
        &[&upper],
        "sts:assumerole",
        ROLE,
        "",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[ASSUME_ADMIN],
        "StS:aSsUmErOlE",
        ROLE,
        "",
        expect!["allowed | identity p0/Assume Allow"],
    );
    let service_star = doc(r#"{"Effect":"Allow","Action":["s3:*","sts:*"],"Resource":"*"}"#);
    check(
        &[&service_star],
        "sts:TagSession",
        ROLE,
        "",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&service_star],
        "iam:ListRoles",
        ROLE,
        "",
        expect!["implicit_deny | no allow in: identity"],
    );
}

#[test]
fn resources_wildcards_and_case() {
    let any_account = doc(
        r#"{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/OrganizationAccountAccessRole"}"#,
    );
    check(
        &[&any_account],
        "sts:AssumeRole",
        "arn:aws:iam::444455556666:role/OrganizationAccountAccessRole",
        "",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&any_account],
        "sts:AssumeRole",
        "arn:aws:iam::444455556666:role/Other",
        "",
        expect!["implicit_deny | no allow in: identity"],
    );
    // ARNs are case-sensitive.
    check(
        &[&any_account],
        "sts:AssumeRole",
        "arn:aws:iam::444455556666:role/organizationaccountaccessrole",
        "",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[ASSUME_ADMIN],
        "sts:AssumeRole",
        "arn:aws:iam::111122223333:role/admin",
        "",
        expect!["implicit_deny | no allow in: identity"],
    );
    let any_role = doc(
        r#"{"Effect":"Allow","Action":"sts:AssumeRole","Resource":["arn:aws:iam::123456789012:role/*","arn:aws:iam::111122223333:role/Dev-??"]}"#,
    );
    check(
        &[&any_role],
        "sts:AssumeRole",
        "arn:aws:iam::123456789012:role/path/Deep",
        "",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&any_role],
        "sts:AssumeRole",
        "arn:aws:iam::111122223333:role/Dev-01",
        "",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&any_role],
        "sts:AssumeRole",
        "arn:aws:iam::111122223333:role/Dev-001",
        "",
        expect!["implicit_deny | no allow in: identity"],
    );
}

#[test]
fn not_action_and_not_resource() {
    // Allow everything except IAM.
    let not_iam = doc(r#"{"Sid":"NotIam","Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#);
    check(
        &[&not_iam],
        "sts:AssumeRole",
        ROLE,
        "",
        expect!["allowed | identity p0/NotIam Allow"],
    );
    check(
        &[&not_iam],
        "iam:CreateUser",
        "*",
        "",
        expect!["implicit_deny | no allow in: identity"],
    );
    // Deny with NotAction: deny everything but sts.
    let deny_not_sts = doc(r#"{"Effect":"Allow","Action":"*","Resource":"*"},
           {"Sid":"OnlySts","Effect":"Deny","NotAction":"sts:*","Resource":"*"}"#);
    check(
        &[&deny_not_sts],
        "sts:AssumeRole",
        ROLE,
        "",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&deny_not_sts],
        "s3:ListBucket",
        "arn:aws:s3:::b",
        "",
        expect!["explicit_deny | identity p0/OnlySts Deny"],
    );
    // Deny with NotResource: deny assuming any role but the listed ones.
    let deny_not_resource = doc(
        r#"{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"},
           {"Sid":"OnlyAdmin","Effect":"Deny","Action":"sts:AssumeRole","NotResource":["arn:aws:iam::111122223333:role/Admin","arn:aws:iam::*:role/ReadOnly"]}"#,
    );
    check(
        &[&deny_not_resource],
        "sts:AssumeRole",
        ROLE,
        "",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&deny_not_resource],
        "sts:AssumeRole",
        "arn:aws:iam::999999999999:role/ReadOnly",
        "",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&deny_not_resource],
        "sts:AssumeRole",
        "arn:aws:iam::111122223333:role/Other",
        "",
        expect!["explicit_deny | identity p0/OnlyAdmin Deny"],
    );
    // Allow with NotResource.
    let allow_not_resource = doc(
        r#"{"Effect":"Allow","Action":"sts:AssumeRole","NotResource":"arn:aws:iam::*:role/Prod*"}"#,
    );
    check(
        &[&allow_not_resource],
        "sts:AssumeRole",
        ROLE,
        "",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&allow_not_resource],
        "sts:AssumeRole",
        "arn:aws:iam::1:role/ProdAdmin",
        "",
        expect!["implicit_deny | no allow in: identity"],
    );
}

#[test]
fn permissions_boundary() {
    let admin = doc(r#"{"Sid":"Admin","Effect":"Allow","Action":"*","Resource":"*"}"#);
    let boundary_without_sts =
        doc(r#"{"Sid":"S3Only","Effect":"Allow","Action":["s3:*","cloudwatch:*"],"Resource":"*"}"#);
    check_bounded(
        &[&admin],
        &[&boundary_without_sts],
        "sts:AssumeRole",
        ROLE,
        "",
        expect!["implicit_deny | identity p0/Admin Allow | no allow in: boundary"],
    );
    check_bounded(
        &[&admin],
        &[&boundary_without_sts],
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "",
        expect!["allowed | identity p0/Admin Allow | boundary b0/S3Only Allow"],
    );
    // The boundary allows but the identity policies do not.
    check_bounded(
        &[],
        &[&admin],
        "sts:AssumeRole",
        ROLE,
        "",
        expect!["implicit_deny | boundary b0/Admin Allow | no allow in: identity"],
    );
    // A deny in the boundary denies.
    let boundary_deny = doc(r#"{"Effect":"Allow","Action":"*","Resource":"*"},
           {"Sid":"NoAdmin","Effect":"Deny","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/Admin"}"#);
    check_bounded(
        &[&admin],
        &[&boundary_deny],
        "sts:AssumeRole",
        ROLE,
        "",
        expect!["explicit_deny | boundary b0/NoAdmin Deny"],
    );
    check_bounded(
        &[&admin],
        &[&boundary_deny],
        "sts:AssumeRole",
        "arn:aws:iam::1:role/Dev",
        "",
        expect!["allowed | identity p0/Admin Allow | boundary b0/Statement[0] Allow"],
    );
    // An empty boundary allows nothing.
    check_bounded(
        &[&admin],
        &[],
        "sts:AssumeRole",
        ROLE,
        "",
        expect!["implicit_deny | identity p0/Admin Allow | no allow in: boundary"],
    );
    // A conditional allow in the boundary makes it conditional.
    let boundary_mfa = doc(
        r#"{"Sid":"WithMfa","Effect":"Allow","Action":"sts:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}"#,
    );
    check_bounded(&[&admin], &[&boundary_mfa], "sts:AssumeRole", ROLE, "", expect!["conditional | identity p0/Admin Allow | boundary b0/WithMfa Allow if aws:MultiFactorAuthPresent | unknown: aws:MultiFactorAuthPresent"]);
}

const MFA_ONLY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"AssumeWithMfa","Effect":"Allow","Action":"sts:AssumeRole","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#;

#[test]
fn mfa() {
    check(
        &[MFA_ONLY],
        "sts:AssumeRole",
        ROLE,
        "aws:MultiFactorAuthPresent=true",
        expect!["allowed | identity p0/AssumeWithMfa Allow"],
    );
    check(
        &[MFA_ONLY],
        "sts:AssumeRole",
        ROLE,
        "aws:MultiFactorAuthPresent=false",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[MFA_ONLY],
        "sts:AssumeRole",
        ROLE,
        "!aws:MultiFactorAuthPresent",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(&[MFA_ONLY], "sts:AssumeRole", ROLE, "", expect!["conditional | identity p0/AssumeWithMfa Allow if aws:MultiFactorAuthPresent | unknown: aws:MultiFactorAuthPresent"]);
    // The usual "deny without MFA" guard (BoolIfExists false).
    let guard = doc(r#"{"Effect":"Allow","Action":"*","Resource":"*"},
           {"Sid":"DenyWithoutMfa","Effect":"Deny","NotAction":["iam:*MFADevice","sts:GetSessionToken"],"Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}"#);
    check(
        &[&guard],
        "sts:AssumeRole",
        ROLE,
        "aws:MultiFactorAuthPresent=true",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&guard],
        "sts:AssumeRole",
        ROLE,
        "!aws:MultiFactorAuthPresent",
        expect!["explicit_deny | identity p0/DenyWithoutMfa Deny"],
    );
    check(&[&guard], "sts:AssumeRole", ROLE, "", expect!["conditional | identity p0/Statement[0] Allow | identity p0/DenyWithoutMfa Deny if aws:MultiFactorAuthPresent | unknown: aws:MultiFactorAuthPresent"]);
    check(
        &[&guard],
        "sts:GetSessionToken",
        "*",
        "",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    // A conditional deny next to an outright deny: the outright one decides.
    let outright = doc(r#"{"Sid":"Never","Effect":"Deny","Action":"sts:*","Resource":"*"}"#);
    check(
        &[&guard, &outright],
        "sts:AssumeRole",
        ROLE,
        "",
        expect!["explicit_deny | identity p1/Never Deny"],
    );
    // MFA age.
    let recent = doc(
        r#"{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}}"#,
    );
    check(
        &[&recent],
        "sts:AssumeRole",
        ROLE,
        "aws:MultiFactorAuthAge=120",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&recent],
        "sts:AssumeRole",
        ROLE,
        "aws:MultiFactorAuthAge=7200",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[&recent],
        "sts:AssumeRole",
        ROLE,
        "!aws:MultiFactorAuthAge",
        expect!["implicit_deny | no allow in: identity"],
    );
}

#[test]
fn variables() {
    let own = doc(
        r#"{"Sid":"Own","Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/${aws:username}-*"}"#,
    );
    let alice = "arn:aws:iam::111122223333:role/alice-admin";
    check(
        &[&own],
        "sts:AssumeRole",
        alice,
        "aws:username=alice",
        expect!["allowed | identity p0/Own Allow"],
    );
    check(
        &[&own],
        "sts:AssumeRole",
        alice,
        "aws:username=bob",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[&own],
        "sts:AssumeRole",
        alice,
        "",
        expect!["conditional | identity p0/Own Allow if aws:username | unknown: aws:username"],
    );
    // Unknown value, but the rest of the pattern rules the ARN out.
    check(
        &[&own],
        "sts:AssumeRole",
        "arn:aws:iam::1:user/alice-x",
        "",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[&own],
        "sts:AssumeRole",
        alice,
        "!aws:username",
        expect!["implicit_deny | no allow in: identity"],
    );
    // A variable's value is literal: its `*` is not a wildcard.
    check(
        &[&own],
        "sts:AssumeRole",
        alice,
        "aws:username=*",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[&own],
        "sts:AssumeRole",
        "arn:aws:iam::1:role/*-x",
        "aws:username=*",
        expect!["allowed | identity p0/Own Allow"],
    );
    let tagged = doc(
        r#"{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::${aws:PrincipalAccount}:role/team-${aws:PrincipalTag/team, 'none'}"}"#,
    );
    check(
        &[&tagged],
        "sts:AssumeRole",
        "arn:aws:iam::111122223333:role/team-ops",
        "aws:PrincipalAccount=111122223333 aws:principaltag/TEAM=ops",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&tagged],
        "sts:AssumeRole",
        "arn:aws:iam::111122223333:role/team-none",
        "aws:PrincipalAccount=111122223333 !aws:PrincipalTag/team",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&tagged],
        "sts:AssumeRole",
        "arn:aws:iam::444455556666:role/team-ops",
        "aws:PrincipalAccount=111122223333 aws:PrincipalTag/team=ops",
        expect!["implicit_deny | no allow in: identity"],
    );
    // Escapes.
    let escapes = doc(
        r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${*}${?}${$}x"}"#,
    );
    check(
        &[&escapes],
        "s3:GetObject",
        "arn:aws:s3:::b/*?$x",
        "",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&escapes],
        "s3:GetObject",
        "arn:aws:s3:::b/ab$x",
        "",
        expect!["implicit_deny | no allow in: identity"],
    );
    // In a condition value.
    let userid = doc(
        r#"{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/owner":"${aws:userid}"}}}"#,
    );
    check(
        &[&userid],
        "sts:AssumeRole",
        ROLE,
        "aws:userid=AIDA1 aws:PrincipalTag/owner=AIDA1",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&userid],
        "sts:AssumeRole",
        ROLE,
        "aws:userid=AIDA1 aws:PrincipalTag/owner=AIDA2",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[&userid],
        "sts:AssumeRole",
        ROLE,
        "aws:PrincipalTag/owner=AIDA1",
        expect!["conditional | identity p0/Statement[0] Allow if aws:userid | unknown: aws:userid"],
    );
}

#[test]
fn versions_and_shapes() {
    // 2008-10-17: `${…}` is plain text.
    let old = r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::1:role/${aws:username}"}}"#;
    check(
        &[old],
        "sts:AssumeRole",
        "arn:aws:iam::1:role/alice",
        "aws:username=alice",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[old],
        "sts:AssumeRole",
        "arn:aws:iam::1:role/${aws:username}",
        "aws:username=alice",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    // No Version: as 2008-10-17.
    let none = r#"{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::1:role/${aws:username}"}}"#;
    check(
        &[none],
        "sts:AssumeRole",
        "arn:aws:iam::1:role/${aws:username}",
        "",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    // A single statement object, with Id.
    let single = r#"{"Version":"2012-10-17","Id":"x","Statement":{"Sid":"One","Effect":"Allow","Action":["sts:AssumeRole"],"Resource":["*"]}}"#;
    check(
        &[single],
        "sts:AssumeRole",
        ROLE,
        "",
        expect!["allowed | identity p0/One Allow"],
    );
    let empty = r#"{"Version":"2012-10-17","Statement":[]}"#;
    check(
        &[empty],
        "sts:AssumeRole",
        ROLE,
        "",
        expect!["implicit_deny | no allow in: identity"],
    );
}

/// A statement allowing sts:AssumeRole under one condition block.
fn when(condition: &str) -> String {
    doc(&format!(
        r#"{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*","Condition":{condition}}}"#
    ))
}

#[test]
fn string_conditions() {
    let eq = when(r#"{"StringEquals":{"aws:PrincipalTag/team":["ops","dev"]}}"#);
    check(
        &[&eq],
        "sts:AssumeRole",
        ROLE,
        "aws:PrincipalTag/team=dev",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&eq],
        "sts:AssumeRole",
        ROLE,
        "aws:PrincipalTag/team=Dev",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[&eq],
        "sts:AssumeRole",
        ROLE,
        "!aws:PrincipalTag/team",
        expect!["implicit_deny | no allow in: identity"],
    );
    // Keys are case-insensitive.
    let upper_key = when(r#"{"StringEquals":{"AWS:PRINCIPALTAG/TEAM":"ops"}}"#);
    check(
        &[&upper_key],
        "sts:AssumeRole",
        ROLE,
        "aws:principaltag/team=ops",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    let ne = when(r#"{"StringNotEquals":{"aws:PrincipalTag/team":["ops","dev"]}}"#);
    check(
        &[&ne],
        "sts:AssumeRole",
        ROLE,
        "aws:PrincipalTag/team=qa",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&ne],
        "sts:AssumeRole",
        ROLE,
        "aws:PrincipalTag/team=ops",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[&ne],
        "sts:AssumeRole",
        ROLE,
        "!aws:PrincipalTag/team",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    let ic = when(r#"{"StringEqualsIgnoreCase":{"aws:username":"ALICE"}}"#);
    check(
        &[&ic],
        "sts:AssumeRole",
        ROLE,
        "aws:username=alice",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    let nic = when(r#"{"StringNotEqualsIgnoreCase":{"aws:username":"ALICE"}}"#);
    check(
        &[&nic],
        "sts:AssumeRole",
        ROLE,
        "aws:username=alice",
        expect!["implicit_deny | no allow in: identity"],
    );
    let like = when(r#"{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/ops-*"}}"#);
    check(
        &[&like],
        "sts:AssumeRole",
        ROLE,
        "aws:PrincipalArn=arn:aws:iam::1:user/ops-alice",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&like],
        "sts:AssumeRole",
        ROLE,
        "aws:PrincipalArn=arn:aws:iam::1:user/dev-alice",
        expect!["implicit_deny | no allow in: identity"],
    );
    let not_like = when(r#"{"StringNotLike":{"aws:username":["temp-*","test?"]}}"#);
    check(
        &[&not_like],
        "sts:AssumeRole",
        ROLE,
        "aws:username=alice",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&not_like],
        "sts:AssumeRole",
        ROLE,
        "aws:username=test1",
        expect!["implicit_deny | no allow in: identity"],
    );
    // Several keys in one operator are AND-ed; one unknown makes it conditional.
    let two_keys =
        when(r#"{"StringEquals":{"aws:username":"alice","aws:PrincipalAccount":"111122223333"}}"#);
    check(
        &[&two_keys],
        "sts:AssumeRole",
        ROLE,
        "aws:username=alice aws:PrincipalAccount=111122223333",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&two_keys],
        "sts:AssumeRole",
        ROLE,
        "aws:username=alice aws:PrincipalAccount=1",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(&[&two_keys], "sts:AssumeRole", ROLE, "aws:username=alice", expect!["conditional | identity p0/Statement[0] Allow if aws:PrincipalAccount | unknown: aws:PrincipalAccount"]);
    check(
        &[&two_keys],
        "sts:AssumeRole",
        ROLE,
        "aws:username=bob",
        expect!["implicit_deny | no allow in: identity"],
    );
}

#[test]
fn arn_bool_null_conditions() {
    let arn = when(r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"}}"#);
    check(
        &[&arn],
        "sts:AssumeRole",
        ROLE,
        "aws:PrincipalArn=arn:aws:iam::1:user/alice",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&arn],
        "sts:AssumeRole",
        ROLE,
        "aws:PrincipalArn=arn:aws:iam::1:role/x",
        expect!["implicit_deny | no allow in: identity"],
    );
    // A wildcard does not cross ARN parts.
    let arn_eq = when(r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::*"}}"#);
    check(
        &[&arn_eq],
        "sts:AssumeRole",
        ROLE,
        "aws:SourceArn=arn:aws:s3:us-east-1:1:x",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[&arn_eq],
        "sts:AssumeRole",
        ROLE,
        "aws:SourceArn=arn:aws:s3:::bucket",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    let arn_not = when(r#"{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::1:user/*"}}"#);
    check(
        &[&arn_not],
        "sts:AssumeRole",
        ROLE,
        "aws:PrincipalArn=arn:aws:iam::2:user/a",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    let secure = when(r#"{"Bool":{"aws:SecureTransport":true}}"#);
    check(
        &[&secure],
        "sts:AssumeRole",
        ROLE,
        "aws:SecureTransport=TRUE",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    let null_true = when(r#"{"Null":{"aws:TokenIssueTime":"true"}}"#);
    check(
        &[&null_true],
        "sts:AssumeRole",
        ROLE,
        "!aws:TokenIssueTime",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&null_true],
        "sts:AssumeRole",
        ROLE,
        "aws:TokenIssueTime=2024-01-01T00:00:00Z",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(&[&null_true], "sts:AssumeRole", ROLE, "", expect!["conditional | identity p0/Statement[0] Allow if aws:TokenIssueTime | unknown: aws:TokenIssueTime"]);
    let null_false = when(r#"{"Null":{"aws:PrincipalTag/team":"false"}}"#);
    check(
        &[&null_false],
        "sts:AssumeRole",
        ROLE,
        "aws:PrincipalTag/team=x",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&null_false],
        "sts:AssumeRole",
        ROLE,
        "!aws:PrincipalTag/team",
        expect!["implicit_deny | no allow in: identity"],
    );
}

#[test]
fn numeric_date_ip_conditions() {
    let cases = [
        ("NumericEquals", "5", "5", true),
        ("NumericEquals", "5", "5.0", true),
        ("NumericNotEquals", "5", "6", true),
        ("NumericLessThan", "5", "5", false),
        ("NumericLessThanEquals", "5", "5", true),
        ("NumericGreaterThan", "5", "6", true),
        ("NumericGreaterThanEquals", "5", "4", false),
        ("NumericEquals", "5", "five", false),
    ];
    for (op, policy, actual, want) in cases {
        let p = when(&format!(
            r#"{{"{op}":{{"aws:MultiFactorAuthAge":"{policy}"}}}}"#
        ));
        let identity = policies(&[&p], "p");
        let e = evaluate(
            &identity,
            None,
            "sts:AssumeRole",
            ROLE,
            &context(&format!("aws:MultiFactorAuthAge={actual}")),
        );
        assert_eq!(
            e.decision == Decision::Allowed,
            want,
            "{op} {policy} {actual}"
        );
    }
    let before = when(r#"{"DateLessThan":{"aws:CurrentTime":"2025-01-01T00:00:00Z"}}"#);
    check(
        &[&before],
        "sts:AssumeRole",
        ROLE,
        "aws:CurrentTime=2024-06-01T12:00:00Z",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&before],
        "sts:AssumeRole",
        ROLE,
        "aws:CurrentTime=2025-06-01T12:00:00+02:00",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[&before],
        "sts:AssumeRole",
        ROLE,
        "aws:CurrentTime=1700000000",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(&[&before], "sts:AssumeRole", ROLE, "", expect!["conditional | identity p0/Statement[0] Allow if aws:CurrentTime | unknown: aws:CurrentTime"]);
    let window = when(
        r#"{"DateGreaterThanEquals":{"aws:EpochTime":"2024-01-01"},"DateNotEquals":{"aws:EpochTime":1717200000}}"#,
    );
    check(
        &[&window],
        "sts:AssumeRole",
        ROLE,
        "aws:EpochTime=1717200001",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&window],
        "sts:AssumeRole",
        ROLE,
        "aws:EpochTime=1717200000",
        expect!["implicit_deny | no allow in: identity"],
    );
    let office = when(r#"{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}}"#);
    check(
        &[&office],
        "sts:AssumeRole",
        ROLE,
        "aws:SourceIp=203.0.113.9",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&office],
        "sts:AssumeRole",
        ROLE,
        "aws:SourceIp=2001:db8::5",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&office],
        "sts:AssumeRole",
        ROLE,
        "aws:SourceIp=198.51.100.1",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[&office],
        "sts:AssumeRole",
        ROLE,
        "",
        expect![
            "conditional | identity p0/Statement[0] Allow if aws:SourceIp | unknown: aws:SourceIp"
        ],
    );
    let deny_outside = doc(r#"{"Effect":"Allow","Action":"*","Resource":"*"},
           {"Sid":"Office","Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}"#);
    check(
        &[&deny_outside],
        "sts:AssumeRole",
        ROLE,
        "aws:SourceIp=198.51.100.1",
        expect!["explicit_deny | identity p0/Office Deny"],
    );
    check(
        &[&deny_outside],
        "sts:AssumeRole",
        ROLE,
        "aws:SourceIp=203.0.113.1",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(&[&deny_outside], "sts:AssumeRole", ROLE, "", expect!["conditional | identity p0/Statement[0] Allow | identity p0/Office Deny if aws:SourceIp | unknown: aws:SourceIp"]);
}

#[test]
fn if_exists_and_set_qualifiers() {
    let if_exists = when(r#"{"StringEqualsIfExists":{"aws:PrincipalTag/team":"ops"}}"#);
    check(
        &[&if_exists],
        "sts:AssumeRole",
        ROLE,
        "!aws:PrincipalTag/team",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&if_exists],
        "sts:AssumeRole",
        ROLE,
        "aws:PrincipalTag/team=dev",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(&[&if_exists], "sts:AssumeRole", ROLE, "", expect!["conditional | identity p0/Statement[0] Allow if aws:PrincipalTag/team | unknown: aws:PrincipalTag/team"]);
    let any = when(r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["team","env"]}}"#);
    check(
        &[&any],
        "sts:AssumeRole",
        ROLE,
        "aws:TagKeys=owner aws:TagKeys=env",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&any],
        "sts:AssumeRole",
        ROLE,
        "aws:TagKeys=owner",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[&any],
        "sts:AssumeRole",
        ROLE,
        "!aws:TagKeys",
        expect!["implicit_deny | no allow in: identity"],
    );
    let all = when(r#"{"ForAllValues:StringLike":{"aws:TagKeys":["team","env-*"]}}"#);
    check(
        &[&all],
        "sts:AssumeRole",
        ROLE,
        "aws:TagKeys=team aws:TagKeys=env-x",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&all],
        "sts:AssumeRole",
        ROLE,
        "aws:TagKeys=team aws:TagKeys=owner",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[&all],
        "sts:AssumeRole",
        ROLE,
        "!aws:TagKeys",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    let any_not = when(r#"{"ForAnyValue:StringNotEquals":{"aws:TagKeys":"team"}}"#);
    check(
        &[&any_not],
        "sts:AssumeRole",
        ROLE,
        "aws:TagKeys=team",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[&any_not],
        "sts:AssumeRole",
        ROLE,
        "aws:TagKeys=team aws:TagKeys=x",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
}

/// IAM's "Single-valued vs. multivalued context keys": "The difference between
/// single-valued and multivalued context keys lies in the number of values in the request
/// context, not the number of values in the policy condition."
#[test]
fn multivalued_keys_need_a_set_operator() {
    const DENIED: &str = "implicit_deny | no allow in: identity";
    let regions = when(r#"{"StringEquals":{"aws:RequestedRegion":["us-east-1","us-west-2"]}}"#);
    // Two values in the policy, one (single-valued) in the request: an ordinary match.
    check(
        &[&regions],
        "sts:AssumeRole",
        ROLE,
        "aws:RequestedRegion=us-east-1",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    // "Multivalued context keys require a condition set operator." The request key is a
    // list (here of one value, then of two): StringEquals does not match it, although
    // us-east-1 is one of the policy's values (AWS's simulator: implicitDeny).
    for ctx in [
        "aws:RequestedRegion=[us-east-1]",
        "aws:RequestedRegion=[us-east-1,us-west-2]",
        // A key given two values is a list too.
        "aws:RequestedRegion=us-east-1 aws:RequestedRegion=us-west-2",
    ] {
        let identity = policies(&[&regions], "p");
        let shown = show(&evaluate(
            &identity,
            None,
            "sts:AssumeRole",
            ROLE,
            &context(ctx),
        ));
        assert_eq!(shown, DENIED, "{ctx}");
    }
    // "Therefore, aws:TagKeys is a multivalued context key. Multivalued context keys
    // require a condition set operator." A documented multivalued key given once is a
    // list of one value.
    let tag_keys = when(r#"{"StringEquals":{"aws:TagKeys":"team"}}"#);
    check(
        &[&tag_keys],
        "sts:AssumeRole",
        ROLE,
        "aws:TagKeys=team",
        expect!["implicit_deny | no allow in: identity"],
    );
    // "To compare your condition context key against a request context key with multiple
    // values, you must use the ForAllValues or ForAnyValue set operators."
    let any =
        when(r#"{"ForAnyValue:StringEquals":{"aws:RequestedRegion":["us-east-1","us-west-2"]}}"#);
    check(
        &[&any],
        "sts:AssumeRole",
        ROLE,
        "aws:RequestedRegion=[us-east-1]",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&any],
        "sts:AssumeRole",
        ROLE,
        "aws:RequestedRegion=[eu-west-1,us-west-2]",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    let all =
        when(r#"{"ForAllValues:StringEquals":{"aws:RequestedRegion":["us-east-1","us-west-2"]}}"#);
    check(
        &[&all],
        "sts:AssumeRole",
        ROLE,
        "aws:RequestedRegion=[us-east-1,eu-west-1]",
        expect!["implicit_deny | no allow in: identity"],
    );
    // Negated operators: the documentation does not single them out, and "require a
    // condition set operator" reads the same for them: no match, so a Deny written with
    // StringNotEquals on a multivalued key does not apply (ForAllValues:StringNotEquals
    // is the form that does).
    let not_eu = when(r#"{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}"#);
    check(
        &[&not_eu],
        "sts:AssumeRole",
        ROLE,
        "aws:RequestedRegion=[us-east-1]",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[&not_eu],
        "sts:AssumeRole",
        ROLE,
        "aws:RequestedRegion=us-east-1",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    let guard = |operator: &str| {
        doc(&format!(
            r#"{{"Effect":"Allow","Action":"*","Resource":"*"}},
               {{"Sid":"OnlyUs","Effect":"Deny","Action":"*","Resource":"*","Condition":{{"{operator}":{{"aws:RequestedRegion":["us-east-1","us-west-2"]}}}}}}"#
        ))
    };
    check(
        &[&guard("StringNotEquals")],
        "sts:AssumeRole",
        ROLE,
        "aws:RequestedRegion=[eu-west-1]",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&guard("ForAllValues:StringNotEquals")],
        "sts:AssumeRole",
        ROLE,
        "aws:RequestedRegion=[eu-west-1]",
        expect!["explicit_deny | identity p0/OnlyUs Deny"],
    );
    check(
        &[&guard("StringNotEquals")],
        "sts:AssumeRole",
        ROLE,
        "aws:RequestedRegion=eu-west-1",
        expect!["explicit_deny | identity p0/OnlyUs Deny"],
    );
    // …IfExists: "If the condition key is present in the context of the request, process
    // the key as specified in the policy. If the key is not present, evaluate the
    // condition element as true." Present as a list: processed, and no match.
    let if_exists = when(r#"{"StringEqualsIfExists":{"aws:RequestedRegion":"us-east-1"}}"#);
    check(
        &[&if_exists],
        "sts:AssumeRole",
        ROLE,
        "aws:RequestedRegion=[us-east-1]",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[&if_exists],
        "sts:AssumeRole",
        ROLE,
        "!aws:RequestedRegion",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    // The other operators alike: "Use with the Array of Bool data type" is said of
    // ForAllValues:Bool / ForAnyValue:Bool, not of Bool.
    let bool_plain = when(r#"{"Bool":{"aws:SecureTransport":"true"}}"#);
    check(
        &[&bool_plain],
        "sts:AssumeRole",
        ROLE,
        "aws:SecureTransport=[true]",
        expect!["implicit_deny | no allow in: identity"],
    );
    let bool_any = when(r#"{"ForAnyValue:Bool":{"aws:SecureTransport":"true"}}"#);
    check(
        &[&bool_any],
        "sts:AssumeRole",
        ROLE,
        "aws:SecureTransport=[false,true]",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    // Null tests presence only: "use either true (the key doesn't exist — it is null) or
    // false (the key exists and its value is not null)".
    let present = when(r#"{"Null":{"aws:TagKeys":"false"}}"#);
    check(
        &[&present],
        "sts:AssumeRole",
        ROLE,
        "aws:TagKeys=[a,b]",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    // An unknown key stays unknown, list or not.
    check(
        &[&tag_keys],
        "sts:AssumeRole",
        ROLE,
        "",
        expect![
            "conditional | identity p0/Statement[0] Allow if aws:TagKeys | unknown: aws:TagKeys"
        ],
    );
    // "Do not use condition set operators ForAllValues or ForAnyValue with single-valued
    // context keys. Using condition set operators with single-valued context keys can lead
    // to overly permissive policies." Advice, not refusal: the single value is taken as a
    // set of one (as before).
    check(
        &[&any],
        "sts:AssumeRole",
        ROLE,
        "aws:RequestedRegion=us-west-2",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&all],
        "sts:AssumeRole",
        ROLE,
        "aws:RequestedRegion=eu-west-1",
        expect!["implicit_deny | no allow in: identity"],
    );
    // "You can use any available single-valued context key as a policy variable, but you
    // cannot use a multivalued context key as a policy variable." A list, even of one
    // value, matches nothing.
    let team = doc(
        r#"{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/${aws:PrincipalTag/team}"}"#,
    );
    let ops = "arn:aws:iam::111122223333:role/ops";
    check(
        &[&team],
        "sts:AssumeRole",
        ops,
        "aws:PrincipalTag/team=ops",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&team],
        "sts:AssumeRole",
        ops,
        "aws:PrincipalTag/team=[ops]",
        expect!["implicit_deny | no allow in: identity"],
    );
}

/// IAM's "Binary condition operators": "The BinaryEquals condition operator lets you
/// construct Condition elements that test key values that are in binary format. It
/// compares the value of the specified key byte for byte against a base-64 encoded
/// representation of the binary value in the policy."
#[test]
fn binary_equals() {
    // The documentation's table: the same base64 matches, another value does not, and
    // "If the key that you specify in a policy condition is not present in the request
    // context, the values do not match."
    let binary = when(r#"{"BinaryEquals":{"s3:x-amz-key":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}"#);
    check(
        &[&binary],
        "sts:AssumeRole",
        ROLE,
        "s3:x-amz-key=QmluYXJ5VmFsdWVJbkJhc2U2NA==",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&binary],
        "sts:AssumeRole",
        ROLE,
        "s3:x-amz-key=ASIAIOSFODNN7EXAMPLE",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[&binary],
        "sts:AssumeRole",
        ROLE,
        "!s3:x-amz-key",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[&binary],
        "sts:AssumeRole",
        ROLE,
        "",
        expect![
            "conditional | identity p0/Statement[0] Allow if s3:x-amz-key | unknown: s3:x-amz-key"
        ],
    );
    // Byte for byte: base64 is case-sensitive.
    check(
        &[&binary],
        "sts:AssumeRole",
        ROLE,
        "s3:x-amz-key=qmluyxj5vmfsdwvjbkjhc2u2na==",
        expect!["implicit_deny | no allow in: identity"],
    );
    // A request value that is not strict base64 (here unpadded, then not base64 at all)
    // matches nothing: the documentation is silent, and this is what a request value that
    // does not parse does under the other typed operators (e.g. NumericEquals "five").
    let one_byte = when(r#"{"BinaryEquals":{"s3:x-amz-key":["QQ==","Qg=="]}}"#);
    check(
        &[&one_byte],
        "sts:AssumeRole",
        ROLE,
        "s3:x-amz-key=Qg==",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&one_byte],
        "sts:AssumeRole",
        ROLE,
        "s3:x-amz-key=QQ",
        expect!["implicit_deny | no allow in: identity"],
    );
    check(
        &[&one_byte],
        "sts:AssumeRole",
        ROLE,
        "s3:x-amz-key=A",
        expect!["implicit_deny | no allow in: identity"],
    );
    // "You can add IfExists to the end of any condition operator name except the Null
    // condition".
    let if_exists = when(r#"{"BinaryEqualsIfExists":{"s3:x-amz-key":"QQ=="}}"#);
    check(
        &[&if_exists],
        "sts:AssumeRole",
        ROLE,
        "!s3:x-amz-key",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
    check(
        &[&if_exists],
        "sts:AssumeRole",
        ROLE,
        "s3:x-amz-key=Qg==",
        expect!["implicit_deny | no allow in: identity"],
    );
    // "Multivalued context keys require a condition set operator", for bytes too.
    check(
        &[&one_byte],
        "sts:AssumeRole",
        ROLE,
        "s3:x-amz-key=[QQ==]",
        expect!["implicit_deny | no allow in: identity"],
    );
    let any = when(r#"{"ForAnyValue:BinaryEquals":{"s3:x-amz-key":"QQ=="}}"#);
    check(
        &[&any],
        "sts:AssumeRole",
        ROLE,
        "s3:x-amz-key=[Qg==,QQ==]",
        expect!["allowed | identity p0/Statement[0] Allow"],
    );
}

#[test]
fn malformed_documents() {
    check_error(
        "",
        expect!["not valid JSON: EOF while parsing a value at line 1 column 0"],
    );
    check_error("[]", expect!["(document): expected a JSON object"]);
    check_error(r#"{"Version":"2012-10-17"}"#, expect!["Statement: missing"]);
    check_error(
        r#"{"Version":"2020-01-01","Statement":[]}"#,
        expect![[
            r#"Version: unsupported version "2020-01-01" (expected "2012-10-17" or "2008-10-17")"#
        ]],
    );
    check_error(
        r#"{"Version":20121017,"Statement":[]}"#,
        expect!["Version: expected a string"],
    );
    check_error(
        r#"{"Statement":[],"Extra":1}"#,
        expect!["Extra: unknown element (expected Version, Id or Statement)"],
    );
    check_error(
        r#"{"Statement":"Allow"}"#,
        expect!["Statement: expected an object or an array of objects"],
    );
    check_error(
        r#"{"Statement":[1]}"#,
        expect!["Statement[0]: expected an object"],
    );
    let s = |statement: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"*","Resource":"*"}},{{"Effect":"Allow","Action":"*","Resource":"*"}},{statement}]}}"#
        )
    };
    check_error(
        &s(r#"{"Effect":"Allow","Action":5,"Resource":"*"}"#),
        expect!["Statement[2].Action: expected a string or an array of strings"],
    );
    check_error(
        &s(r#"{"Effect":"Allow","Action":["sts:AssumeRole",5],"Resource":"*"}"#),
        expect!["Statement[2].Action[1]: expected a string"],
    );
    check_error(
        &s(r#"{"Effect":"Allow","Action":[],"Resource":"*"}"#),
        expect!["Statement[2].Action: empty array"],
    );
    check_error(
        &s(r#"{"Effect":"Allow","Action":"sts","Resource":"*"}"#),
        expect![[
            r#"Statement[2].Action: "sts" is not an action (expected "*" or "service:action")"#
        ]],
    );
    check_error(
        &s(r#"{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}"#),
        expect!["Statement[2]: has both Action and NotAction (expected one)"],
    );
    check_error(
        &s(r#"{"Effect":"Allow","Resource":"*"}"#),
        expect!["Statement[2]: missing Action (or NotAction)"],
    );
    check_error(
        &s(r#"{"Effect":"Allow","Action":"*"}"#),
        expect!["Statement[2]: missing Resource (or NotResource)"],
    );
    check_error(
        &s(r#"{"Effect":"Allow","Action":"*","Resource":["*","role/x"]}"#),
        expect![[
            r#"Statement[2].Resource[1]: "role/x" is not a resource (expected "*" or an ARN)"#
        ]],
    );
    check_error(
        &s(r#"{"Effect":"allow","Action":"*","Resource":"*"}"#),
        expect![[r#"Statement[2].Effect: expected "Allow" or "Deny""#]],
    );
    check_error(
        &s(r#"{"Action":"*","Resource":"*"}"#),
        expect!["Statement[2].Effect: missing"],
    );
    check_error(
        &s(r#"{"Sid":1,"Effect":"Allow","Action":"*","Resource":"*"}"#),
        expect!["Statement[2].Sid: expected a string"],
    );
    check_error(&s(r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}"#), expect!["Statement[2].Principal: not allowed in an identity policy (it belongs in a resource or trust policy)"]);
    check_error(&s(r#"{"Effect":"Allow","Actions":"*","Resource":"*"}"#), expect!["Statement[2].Actions: unknown element (expected Sid, Effect, Action, NotAction, Resource, NotResource or Condition)"]);
    let c = |condition: &str| {
        s(&format!(
            r#"{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{condition}}}"#
        ))
    };
    check_error(
        &c(r#"[]"#),
        expect!["Statement[2].Condition: expected an object of condition operators"],
    );
    check_error(
        &c(r#"{"StringEqualz":{"aws:username":"a"}}"#),
        expect!["Statement[2].Condition.StringEqualz: unknown condition operator"],
    );
    check_error(
        &c(r#"{"StringEquals":"aws:username"}"#),
        expect!["Statement[2].Condition.StringEquals: expected an object of condition keys"],
    );
    check_error(&c(r#"{"StringEquals":{"aws:username":{"a":1}}}"#), expect!["Statement[2].Condition.StringEquals.aws:username: expected a string, number or boolean, or an array of them"]);
    check_error(&c(r#"{"StringEquals":{"aws:username":["a",null]}}"#), expect!["Statement[2].Condition.StringEquals.aws:username[1]: expected a string, number or boolean, or an array of them"]);
    check_error(
        &c(r#"{"NumericLessThan":{"aws:MultiFactorAuthAge":"soon"}}"#),
        expect![[
            r#"Statement[2].Condition.NumericLessThan.aws:MultiFactorAuthAge: "soon" is not a number"#
        ]],
    );
    check_error(
        &c(r#"{"DateLessThan":{"aws:CurrentTime":["2024-01-01","tomorrow"]}}"#),
        expect![[
            r#"Statement[2].Condition.DateLessThan.aws:CurrentTime[1]: "tomorrow" is not a date (ISO 8601 or epoch seconds)"#
        ]],
    );
    check_error(
        &c(r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/40"}}"#),
        expect![[
            r#"Statement[2].Condition.IpAddress.aws:SourceIp: "10.0.0.0/40" is not an IP address or CIDR block"#
        ]],
    );
    check_error(
        &c(r#"{"NullIfExists":{"aws:SourceIp":"true"}}"#),
        expect!["Statement[2].Condition.NullIfExists: unknown condition operator"],
    );
    // IAM documents no set-operator form of Null and says nothing of one: refused, as
    // before.
    check_error(
        &c(r#"{"ForAllValues:Null":{"aws:TagKeys":"false"}}"#),
        expect!["Statement[2].Condition.ForAllValues:Null: unknown condition operator"],
    );
    // BinaryEquals values are base64: a policy value that is not (strictly: standard
    // alphabet, canonical padding) makes the document invalid, as a number that is not
    // one does under Numeric… (the documentation is silent).
    check_error(
        &c(r#"{"BinaryEquals":{"s3:x-amz-key":"QQ"}}"#),
        expect![[r#"Statement[2].Condition.BinaryEquals.s3:x-amz-key: "QQ" is not base64"#]],
    );
    check_error(
        &c(r#"{"BinaryEquals":{"s3:x-amz-key":["QQ==","not base64"]}}"#),
        expect![[
            r#"Statement[2].Condition.BinaryEquals.s3:x-amz-key[1]: "not base64" is not base64"#
        ]],
    );
    check_error(
        &c(r#"{"BinaryEqualsIfExists":{"s3:x-amz-key":"QQ=="}}"#),
        expect!["ok"],
    );
    // IAM documents no negated binary operator.
    check_error(
        &c(r#"{"BinaryNotEquals":{"s3:x-amz-key":"QQ=="}}"#),
        expect!["Statement[2].Condition.BinaryNotEquals: unknown condition operator"],
    );
}
