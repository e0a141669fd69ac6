//! `switchyard policy check` as a user runs it: the real binary on policy files in a
//! temporary folder, printing the decision as JSON (allowed, explicit deny, conditional
//! with the key named) or failing with the place of the error.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROLE: &str = "arn:aws:iam::111122223333:role/Admin";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a policy file");
    path
}

fn switchyard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(args)
        .env_remove("SWITCHYARD_LOG")
        .output()
        .expect("run switchyard")
}

fn check(args: &[&str]) -> serde_json::Value {
    let mut all = vec![
        "policy",
        "check",
        "--action",
        "sts:AssumeRole",
        "--resource",
        ROLE,
    ];
    all.extend_from_slice(args);
    let out = switchyard(&all);
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    // 0 only when allowed, 2 for any other decision, so scripts can branch on it.
    let expected = if result["decision"] == "allowed" {
        0
    } else {
        2
    };
    assert_eq!(
        out.status.code(),
        Some(expected),
        "{result}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    result
}

const ASSUME: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Sid":"AssumeAdmin","Effect":"Allow","Action":"sts:Assume*","Resource":"arn:aws:iam::*:role/Admin",
   "Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}}]}"#;

#[test]
fn allowed_with_the_statement_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = write(dir.path(), "assume.json", ASSUME);
    let result = check(&[
        "--context",
        "aws:MultiFactorAuthPresent=true",
        policy.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(result["decision"], "allowed");
    assert_eq!(result["reasons"][0]["statement"], "AssumeAdmin");
    assert_eq!(result["reasons"][0]["effect"], "Allow");
    assert_eq!(result["reasons"][0]["policy"], policy.display().to_string());
}

#[test]
fn explicit_deny_from_a_boundary() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = write(dir.path(), "assume.json", ASSUME);
    let boundary = write(
        dir.path(),
        "boundary.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
            {"Sid":"NoAdmin","Effect":"Deny","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/Admin"}]}"#,
    );
    let result = check(&[
        "--absent",
        "aws:MultiFactorAuthPresent",
        "--boundary",
        boundary.to_str().expect("utf-8 path"),
        policy.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(result["decision"], "explicit_deny");
    assert_eq!(result["reasons"][0]["kind"], "boundary");
    assert_eq!(result["reasons"][0]["statement"], "NoAdmin");
}

#[test]
fn conditional_names_the_unknown_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = write(dir.path(), "assume.json", ASSUME);
    let office = write(
        dir.path(),
        "office.json",
        r#"{"Version":"2012-10-17","Statement":{"Sid":"Office","Effect":"Deny","Action":"*","Resource":"*",
            "Condition":{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24"]}}}}"#,
    );
    let result = check(&[
        "--context",
        "aws:MultiFactorAuthPresent=true",
        policy.to_str().expect("utf-8 path"),
        office.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(result["decision"], "conditional");
    assert_eq!(result["unknown_keys"], serde_json::json!(["aws:SourceIp"]));
    // Once the address is known, it is settled.
    let result = check(&[
        "--context",
        "aws:MultiFactorAuthPresent=true",
        "--context",
        "aws:SourceIp=198.51.100.7",
        policy.to_str().expect("utf-8 path"),
        office.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(result["decision"], "explicit_deny");
    assert_eq!(result["reasons"][0]["statement"], "Office");
}

#[test]
fn implicit_deny_for_another_role() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = write(dir.path(), "assume.json", ASSUME);
    let out = switchyard(&[
        "policy",
        "check",
        "--action",
        "sts:AssumeRole",
        "--resource",
        "arn:aws:iam::111122223333:role/Other",
        policy.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(2), "not allowed: a non-zero exit");
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(result["decision"], "implicit_deny");
    assert_eq!(result["missing_allow"], serde_json::json!(["identity"]));
}

#[test]
fn malformed_and_missing_files_are_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = write(
        dir.path(),
        "bad.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Allow","Action":7,"Resource":"*"}]}"#,
    );
    let out = switchyard(&[
        "policy",
        "check",
        "--action",
        "sts:AssumeRole",
        "--resource",
        ROLE,
        bad.to_str().expect("utf-8 path"),
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.json"), "{stderr}");
    assert!(
        stderr.contains("Statement[2].Action: expected a string or an array of strings"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());

    let missing = dir.path().join("missing.json");
    let out = switchyard(&[
        "policy",
        "check",
        "--action",
        "sts:AssumeRole",
        "--resource",
        ROLE,
        missing.to_str().expect("utf-8 path"),
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot read the policy file") && stderr.contains("missing.json"),
        "{stderr}"
    );

    let out = switchyard(&[
        "policy",
        "check",
        "--action",
        "sts:AssumeRole",
        "--resource",
        ROLE,
        "--context",
        "no-equals-sign",
        bad.to_str().expect("utf-8 path"),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected KEY=VALUE"));
}
