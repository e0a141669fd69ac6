//! Switchyard's credentials for every other AWS tool: `switchyard credential-process`
//! (the JSON the AWS CLI and SDKs read from a profile's `credential_process`), `switchyard
//! exec PROFILE -- COMMAND` (the standard environment variables for one command), and
//! `switchyard config aws-profile` (the `~/.aws/config` lines to paste; that file is never
//! edited). The daemon answers `credentials.get` from its cache; an MFA code, when one is
//! needed, is asked for at the terminal once for every process waiting on it.
//!
//! `credential-process`'s stdout is the one place the CLI prints a secret: the AWS tools
//! read it from a pipe. Nothing else the CLI prints ever holds one.

use std::ffi::OsString;
use std::io::Write;

use anyhow::{bail, Context};
use switchyard_shared::protocol::aws::{CredentialsGetParams, TemporaryCredentials};
use switchyard_shared::protocol::Request;

use crate::cli::aws::{ask_with_mfa, CodeFrom};

/// Which credentials: a profile, and optionally a role assumed with it.
#[derive(clap::Args, Debug, Clone)]
pub struct Which {
    /// Assume this role with the profile's credentials (arn:aws:iam::ACCOUNT:role/NAME).
    #[arg(long, value_name = "ROLE_ARN")]
    pub role: Option<String>,
    /// The role session's length in seconds (900 to 43200; default 3600). Only with --role.
    #[arg(long, value_name = "SECS", requires = "role")]
    pub duration: Option<u32>,
}

#[derive(clap::Args, Debug)]
pub struct CredentialProcessArgs {
    /// The Switchyard profile (default: $SWITCHYARD_PROFILE, the configured default, or
    /// the only profile).
    #[arg(long)]
    pub profile: Option<String>,
    #[command(flatten)]
    pub which: Which,
}

#[derive(clap::Args, Debug)]
pub struct ExecArgs {
    /// The Switchyard profile (default: $SWITCHYARD_PROFILE, the configured default, or
    /// the only profile).
    pub profile: Option<String>,
    #[command(flatten)]
    pub which: Which,
    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<OsString>,
}

/// Temporary credentials from the daemon (an MFA code asked for at the terminal).
fn get(
    profile: Option<String>,
    which: &Which,
    from: CodeFrom,
) -> anyhow::Result<TemporaryCredentials> {
    let request = Request::CredentialsGet(CredentialsGetParams {
        profile,
        role_arn: which.role.clone(),
        duration_secs: which.duration,
    });
    Ok(ask_with_mfa(request, from)?.into_result()?)
}

/// The AWS `credential_process` document (version 1).
pub fn process_json(creds: &TemporaryCredentials) -> serde_json::Value {
    serde_json::json!({
        "Version": 1,
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
        "SessionToken": creds.session_token,
        "Expiration": crate::cli::aws::when(creds.expires_at),
    })
}

/// `switchyard credential-process`: the JSON on stdout, nothing else there.
pub fn credential_process(args: CredentialProcessArgs) -> anyhow::Result<()> {
    let creds = get(args.profile, &args.which, CodeFrom::Terminal)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", process_json(&creds))?;
    out.flush()?;
    Ok(())
}

/// Variables `exec` removes from the child's environment: another source of credentials
/// or another profile would take precedence over, or mix with, the ones given.
const CLEARED: &[&str] = &[
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_FILE",
];

/// `switchyard exec PROFILE -- COMMAND`: run COMMAND (replacing this process, so its exit
/// code and signals are the command's own) with the credentials in its environment.
pub fn exec(args: ExecArgs) -> anyhow::Result<()> {
    let creds = get(args.profile, &args.which, CodeFrom::StdinOrTerminal)?;
    let settings =
        switchyard_daemon::system::config::load(&switchyard_daemon::system::config::path())
            .ok()
            .and_then(|config| config.profiles.get(&creds.profile).cloned());
    let (program, rest) = args
        .command
        .split_first()
        .context("name the command to run after --")?;
    let mut command = std::process::Command::new(program);
    command.args(rest);
    for name in CLEARED {
        command.env_remove(name);
    }
    for (name, value) in environment(&creds, settings.as_ref(), |name| {
        std::env::var_os(name).is_some()
    }) {
        command.env(name, value);
    }
    let error = std::os::unix::process::CommandExt::exec(&mut command);
    let shown = program.to_string_lossy();
    let code = match error.kind() {
        std::io::ErrorKind::NotFound => 127,
        _ => 126,
    };
    eprintln!("switchyard: cannot run {shown}: {error}");
    std::process::exit(code);
}

/// The variables `exec` sets: the credentials always; the Region and the profile's endpoint
/// only where the environment does not set them already (`is_set`).
fn environment(
    creds: &TemporaryCredentials,
    settings: Option<&switchyard_daemon::system::config::Profile>,
    is_set: impl Fn(&str) -> bool,
) -> Vec<(&'static str, String)> {
    let mut vars = vec![
        ("AWS_ACCESS_KEY_ID", creds.access_key_id.clone()),
        ("AWS_SECRET_ACCESS_KEY", creds.secret_access_key.clone()),
        ("AWS_SESSION_TOKEN", creds.session_token.clone()),
        (
            "AWS_CREDENTIAL_EXPIRATION",
            crate::cli::aws::when(creds.expires_at),
        ),
    ];
    for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if !is_set(name) {
            vars.push((name, creds.region.clone()));
        }
    }
    if let Some(endpoint) = settings.and_then(|s| s.endpoint_url.clone()) {
        if !is_set("AWS_ENDPOINT_URL") {
            vars.push(("AWS_ENDPOINT_URL", endpoint));
        }
    }
    vars
}

#[derive(clap::Args, Debug)]
pub struct AwsProfileArgs {
    /// The Switchyard profile (default: $SWITCHYARD_PROFILE, the configured default, or
    /// the only profile).
    pub profile: Option<String>,
    #[command(flatten)]
    pub which: Which,
    /// The AWS profile's name in ~/.aws/config (default: the Switchyard profile's, with
    /// the role's name after a dash when --role is given).
    #[arg(long)]
    pub name: Option<String>,
}

/// `switchyard config aws-profile`: the `~/.aws/config` section to paste, on stdout.
pub fn aws_profile(args: AwsProfileArgs) -> anyhow::Result<()> {
    let config =
        switchyard_daemon::system::config::load(&switchyard_daemon::system::config::path())?;
    let profile = config
        .choose_profile(crate::cli::env_profile(args.profile).as_deref())
        .map_err(|e| anyhow::anyhow!(e))?;
    let settings = config.profiles.get(&profile).cloned().unwrap_or_default();
    let exe = std::fs::canonicalize(std::env::current_exe().context("cannot find this binary")?)?;
    let mut line = format!(
        "{} credential-process --profile {}",
        shell_quote(&exe.to_string_lossy()),
        shell_quote(&profile)
    );
    if let Some(role) = &args.which.role {
        switchyard_shared::switch::SwitchTarget::from_arn(role, "", "")
            .map_err(|e| anyhow::anyhow!("--role: {e}"))?;
        line.push_str(&format!(" --role {}", shell_quote(role)));
    }
    if let Some(duration) = args.which.duration {
        line.push_str(&format!(" --duration {duration}"));
    }
    let name = match (&args.name, &args.which.role) {
        (Some(name), _) => name.clone(),
        (None, Some(role)) => format!("{profile}-{}", role.rsplit('/').next().unwrap_or("role")),
        (None, None) => profile.clone(),
    };
    if name.is_empty() || name.contains([']', '\n', '[']) {
        bail!("{name:?} cannot be a section name of ~/.aws/config");
    }
    let header = match name.as_str() {
        "default" => "[default]".to_owned(),
        _ => format!("[profile {name}]"),
    };
    outln!("{header}");
    outln!("credential_process = {line}");
    outln!("region = {}", settings.region);
    if let Some(endpoint) = &settings.endpoint_url {
        outln!("endpoint_url = {endpoint}");
    }
    eprintln!(
        "# paste the lines above into ~/.aws/config (switchyard never edits it); then \
         `aws --profile {name} sts get-caller-identity`"
    );
    Ok(())
}

/// Quote a word for the shell-like splitting the AWS CLI applies to `credential_process`.
fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@+,".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchyard_shared::protocol::aws::CredentialSource;

    fn creds() -> TemporaryCredentials {
        TemporaryCredentials {
            profile: "work".into(),
            role_arn: None,
            source: CredentialSource::SessionToken,
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: "secret".into(),
            session_token: "token".into(),
            expires_at: 1_795_000_000,
            region: "eu-west-1".into(),
        }
    }

    #[test]
    fn the_process_document_is_what_the_aws_cli_reads() {
        expect_test::expect![[r#"{"AccessKeyId":"ASIAEXAMPLE","Expiration":"2026-11-18T11:06:40Z","SecretAccessKey":"secret","SessionToken":"token","Version":1}"#]]
            .assert_eq(&process_json(&creds()).to_string());
    }

    #[test]
    fn exec_keeps_a_region_and_endpoint_already_set() {
        let settings = switchyard_daemon::system::config::Profile {
            endpoint_url: Some("http://127.0.0.1:5000".into()),
            ..Default::default()
        };
        let names = |vars: Vec<(&str, String)>| -> Vec<String> {
            vars.into_iter().map(|(n, v)| format!("{n}={v}")).collect()
        };
        let all = names(environment(&creds(), Some(&settings), |_| false));
        assert_eq!(
            all,
            [
                "AWS_ACCESS_KEY_ID=ASIAEXAMPLE",
                "AWS_SECRET_ACCESS_KEY=secret",
                "AWS_SESSION_TOKEN=token",
                "AWS_CREDENTIAL_EXPIRATION=2026-11-18T11:06:40Z",
                "AWS_REGION=eu-west-1",
                "AWS_DEFAULT_REGION=eu-west-1",
                "AWS_ENDPOINT_URL=http://127.0.0.1:5000",
            ]
        );
        let kept = names(environment(&creds(), Some(&settings), |n| {
            n != "AWS_DEFAULT_REGION"
        }));
        assert_eq!(kept.len(), 5, "{kept:?}");
        assert!(kept.contains(&"AWS_DEFAULT_REGION=eu-west-1".to_owned()));
    }

    #[test]
    fn words_are_quoted_for_shell_splitting() {
        assert_eq!(shell_quote("/usr/bin/switchyard"), "/usr/bin/switchyard");
        assert_eq!(
            shell_quote("/My Tools/switchyard"),
            "'/My Tools/switchyard'"
        );
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
