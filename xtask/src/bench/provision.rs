//! The client-account runbook, end to end against moto: `switchyard account create`
//! (CLI → daemon → the journaled steps, followed with `job.watch`) beside the same runbook
//! written as an AWS CLI shell script (look the e-mail up, create-account, poll
//! describe-create-account-status, assume the new role, tag it, create the group, put its
//! inline policy, add the user), interleaved in one run; wall time of each, and the ratio
//! of the medians.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::bail;

use super::sandbox::BenchSandbox;
use super::{median_p95, ms};
use crate::setup::{self, Tools};

const RUNS: usize = 5;
const MEMBERS: usize = 10;

/// The runbook as an admin would script it with the AWS CLI (v1); `$AWS` is the CLI,
/// `$NAME`, `$EMAIL`, `$ROLE` the client's.
const SCRIPT: &str = r#"set -eu
GROUP="Access$ROLE"
POLICY="SwitchTo$ROLE"
# 1. No account of the organization, nor a request in flight, uses the e-mail; the user exists.
if [ -n "$("$AWS" organizations list-accounts --query "Accounts[?Email=='$EMAIL'].Id")" ]; then
  echo "$EMAIL is in use" >&2; exit 1
fi
"$AWS" organizations list-create-account-status --states IN_PROGRESS \
  --query "CreateAccountStatuses[?AccountName=='$NAME'].Id" >/dev/null
"$AWS" iam get-user --user-name alice >/dev/null
# 2. Create the account.
REQUEST=$("$AWS" organizations create-account --email "$EMAIL" --account-name "$NAME" \
  --role-name "$ROLE" --tags Key=created-by,Value=switchyard Key=team,Value=blue \
  --query CreateAccountStatus.Id)
# 3. Wait for it.
while :; do
  set -- $("$AWS" organizations describe-create-account-status \
    --create-account-request-id "$REQUEST" --query 'CreateAccountStatus.[State,AccountId]')
  [ "$1" = SUCCEEDED ] && ACCOUNT=$2 && break
  [ "$1" = FAILED ] && { echo "CreateAccount failed" >&2; exit 1; }
  sleep 1
done
ROLE_ARN="arn:aws:iam::$ACCOUNT:role/$ROLE"
# 5. Assume the new role and tag it.
set -- $("$AWS" sts assume-role --role-arn "$ROLE_ARN" --role-session-name provision \
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]')
AWS_ACCESS_KEY_ID=$1 AWS_SECRET_ACCESS_KEY=$2 AWS_SESSION_TOKEN=$3 \
  "$AWS" iam tag-role --role-name "$ROLE" --tags Key=created-by,Value=switchyard Key=team,Value=blue
# 6. The management-account group, its inline policy on exactly the role, the user.
"$AWS" iam create-group --group-name "$GROUP" >/dev/null
"$AWS" iam put-group-policy --group-name "$GROUP" --policy-name "$POLICY" --policy-document \
  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"$ROLE_ARN\"}]}"
"$AWS" iam add-user-to-group --group-name "$GROUP" --user-name alice
# 7. The switch link.
echo "https://signin.aws.amazon.com/switchrole?roleName=$ROLE&account=$ACCOUNT&displayName=$NAME"
"#;

pub fn run(tools: &Tools, bin_dir: &Path) -> anyhow::Result<()> {
    let aws_cli = setup::ensure_awscli()?;
    let sandbox = BenchSandbox::start(tools, bin_dir, MEMBERS, 0)?;
    // The daemon is long-lived: start it before timing, as it would be running.
    let out = sandbox.cli(&["ping"]).output()?;
    if !out.status.success() {
        bail!("switchyard ping: {}", String::from_utf8_lossy(&out.stderr));
    }
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for i in 0..RUNS {
        let name = format!("Bench S{i}");
        let email = format!("ops+bench-s{i}@example.com");
        let started = Instant::now();
        let out = sandbox
            .cli(&[
                "account",
                "create",
                "--name",
                &name,
                "--email",
                &email,
                "--user",
                "alice",
                "--tag",
                "team=blue",
            ])
            .output()?;
        ours.push(started.elapsed());
        if !out.status.success() || !String::from_utf8_lossy(&out.stdout).contains("done: ") {
            bail!(
                "switchyard account create: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }

        let name = format!("Bench A{i}");
        let started = Instant::now();
        let out = Command::new("bash")
            .args(["-c", SCRIPT])
            .envs(sandbox.aws_env())
            .env("AWS_DEFAULT_OUTPUT", "text")
            .env("AWS", &aws_cli)
            .env("NAME", &name)
            .env("EMAIL", format!("ops+bench-a{i}@example.com"))
            .env("ROLE", name.replace(' ', ""))
            .output()?;
        theirs.push(started.elapsed());
        if !out.status.success() || !String::from_utf8_lossy(&out.stdout).contains("switchrole?") {
            bail!(
                "the AWS CLI runbook failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let (ours_median, ours_p95) = median_p95(&mut ours);
    let (theirs_median, theirs_p95) = median_p95(&mut theirs);
    println!();
    println!(
        "client-account runbook end to end against moto ({MEMBERS} members), {RUNS} interleaved runs each"
    );
    println!(
        "switchyard account create (CLI, warm daemon):   median {:.0} ms, max {:.0} ms",
        ms(ours_median),
        ms(ours_p95)
    );
    println!(
        "AWS CLI v{} shell script (10 calls):         median {:.0} ms, max {:.0} ms",
        setup::AWSCLI_VERSION,
        ms(theirs_median),
        ms(theirs_p95)
    );
    println!(
        "ratio switchyard / aws script:                  {:.3} (goal under 0.2)",
        ms(ours_median) / ms(theirs_median)
    );
    Ok(())
}
